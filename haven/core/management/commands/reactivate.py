"""`haven reactivate EMAIL`: let a deactivated person sign in again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from haven.core.management.commands.deactivate import change_active


class Command(BaseCommand):
    help = ("Reactivate a deactivated person: they can sign in again. Their old sessions and "
            "API tokens stay ended; a supporter resumes taking requests from their profile.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="the person's work e-mail")

    def handle(self, *args: Any, email: str, **options: Any) -> None:
        change_active(self, email, active=True)
