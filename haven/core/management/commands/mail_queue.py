"""`haven mail-queue`: how much outgoing e-mail is waiting for a retry or was given up on, and
why (the failure's type only); `--resend` queues the given-up e-mails again, `--drop` forgets
them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from haven.core import selectors, services


class Command(BaseCommand):
    help = ("Show outgoing e-mail that is waiting for a retry or failed after every retry "
            "(counts and failure types, never addresses or text). --resend queues the failed "
            "ones again; --drop forgets them unsent.")

    def add_arguments(self, parser: CommandParser) -> None:
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--resend", action="store_true",
                            help="Queue every failed e-mail again, as a first attempt.")
        action.add_argument("--drop", action="store_true",
                            help="Forget every failed e-mail without sending it.")

    def handle(self, *args: Any, resend: bool, drop: bool, **options: Any) -> None:
        if resend:
            self.stdout.write(f"Queued {services.resend_failed_email()} failed e-mail(s) again.")
        elif drop:
            self.stdout.write(f"Dropped {services.drop_failed_email()} failed e-mail(s).")
        state = selectors.mail_failures()
        self.stdout.write(f"Waiting for a retry: {state.retrying}")
        self.stdout.write(f"Failed after every retry (past week): {state.failed}")
        for reason, count in state.reasons.items():
            self.stdout.write(f"  {reason}: {count}")
