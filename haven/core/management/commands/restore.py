"""`haven restore DIR`: a backup into an empty database, then any newer migrations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from haven.core import backup


class Command(BaseCommand):
    help = ("Restore a backup made by `haven backup` into the database DATABASE_URL names, "
            "which must be empty (or --replace), then apply newer migrations. Start Haven "
            "with the master keys of the backup's day, kept apart from it.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="the backup's directory")
        parser.add_argument("--replace", action="store_true",
                            help="drop everything in the target database first")

    def handle(self, *args: Any, directory: Path, replace: bool, **options: Any) -> None:
        try:
            backup.restore(directory, replace=replace, say=self.stdout.write)
        except backup.BackupRefused as refusal:
            raise CommandError(str(refusal), returncode=2) from None
        except backup.BackupFailed as failure:
            raise CommandError(str(failure)) from None
        self.stdout.write(self.style.SUCCESS(
            "Restored. Check with `haven keys status` that this server holds every master "
            "key the data is wrapped under."))
