"""`manage.py coach score|evaluate|train|compare`: the coach's own command line. It touches no
database; `haven coach …` reaches the same code without setting Django up at all."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from haven.coach.cli import main


class Command(BaseCommand):
    help = "The empathy coach: score (JSON Lines stdin to stdout), evaluate, train, compare."
    requires_system_checks: list[str] = []  # nothing here reads the database or settings
    requires_migrations_checks = False

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("args", nargs=argparse.REMAINDER)

    def handle(self, *args: Any, **options: Any) -> None:
        status = main(list(args))
        if status:
            raise CommandError(f"coach exited with status {status}", returncode=status)
