"""`haven journal verify FILE`: check a journal's JSON export (exit 0 intact, 1 altered, 2 not
a readable export), naming each entry and version that fails and why."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from haven.speakup.journal import verify

ALTERED = 1
UNREADABLE = 2


def _server_key() -> str | None:
    from haven.speakup.journal.signing import server_public_key

    try:
        return server_public_key()
    except DatabaseError:  # not run beside a Haven database: the export's key is all we have
        return None


class Command(BaseCommand):
    help = ("Incident journal: `haven journal verify FILE` checks a JSON export — every hash, "
            "every link, the signed checkpoint — and names each entry and version that was "
            "altered. Exit status 0 intact, 1 altered, 2 not a readable export.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("verify", help="check a journal's JSON export")
        check.add_argument("file", help="the .json export")
        check.add_argument("--public-key", default=None,
                           help="the signing key (64 hex digits) the checkpoint must be "
                                "signed with; by default this server's")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        path = Path(options["file"])
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.",
                               returncode=UNREADABLE) from None
        trusted = options["public_key"]
        if trusted is not None and not re.fullmatch(r"[0-9a-f]{64}", trusted.lower()):
            raise CommandError("--public-key takes the 64 hexadecimal digits shown in the PDF "
                               "and on the verify page.", returncode=UNREADABLE)
        trusted = trusted.lower() if trusted else _server_key()
        try:
            result = verify.verify_bytes(raw, trusted_key=trusted)
        except verify.NotAnExport as error:
            raise CommandError(str(error), returncode=UNREADABLE) from None
        for problem in result.problems:
            self.stdout.write(problem.describe())
        if result.intact:
            self.stdout.write(self.style.SUCCESS(result.summary()))
        else:
            self.stdout.write(self.style.ERROR(result.summary()))
        if trusted is None:
            self.stdout.write(f"Signed with the key printed in the export, {result.public_key}: "
                              "compare it with the key on the verify page of the Haven server "
                              "that made it (or pass --public-key).")
        if not result.intact:
            sys.exit(ALTERED)
