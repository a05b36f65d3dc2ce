"""`haven backup DIR`: the database and a manifest into DIR; the master keys stay apart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from haven.core import backup


class Command(BaseCommand):
    help = ("Back up the database into DIR (a new or empty directory): a dump and "
            "manifest.json. The master keys are not included and must be backed up "
            "separately; DIR may not be where they are (docs/operations.md, \"Backup and "
            "restore\").")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="where to write the backup")

    def handle(self, *args: Any, directory: Path, **options: Any) -> None:
        try:
            manifest = backup.backup(directory)
        except backup.BackupRefused as refusal:
            raise CommandError(str(refusal), returncode=2) from None
        except backup.BackupFailed as failure:
            raise CommandError(str(failure)) from None
        where = backup.key_locations()[0]
        self.stdout.write(self.style.SUCCESS(
            f"Backed up {len(manifest['tables'])} tables "
            f"({sum(manifest['tables'].values())} rows) into {directory.resolve()}."))
        self.stdout.write(
            f"The master keys are NOT in this backup: they are in {where}. Without them the "
            "sealed content in this backup cannot be read; back them up separately, "
            "somewhere else.")
