"""`haven import-people FILE.csv`: import or update the directory from a CSV file."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from haven.core.importer import COLUMNS, ImportRejected, import_people


class Command(BaseCommand):
    help = ("Import or update the directory from a UTF-8 CSV file with a header row. Every row "
            "is checked first; if any is wrong, nothing is imported. People are matched by "
            "e-mail. A column left out keeps what is stored; an empty cell clears it. Columns: "
            + ", ".join(f"{name}{' (required)' if required else ''}"
                        for name, required, _meaning in COLUMNS) + ".")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path of the CSV file, e.g. people.csv")

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        # The bar goes to the raw stream: Django's OutputWrapper would end each redraw with a
        # newline. tqdm hides itself when that stream is not a terminal (logs, pipes, tests).
        stream = getattr(self.stderr, "_out", sys.stderr)
        with tqdm(total=1, desc="Importing", file=stream, disable=None, leave=False,
                  bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining}") as bar:

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.n = done
                bar.refresh()

            try:
                # utf-8-sig: Excel's "CSV UTF-8" starts with a byte-order mark.
                with open(file, encoding="utf-8-sig", newline="") as source:
                    result = import_people(source=source, actor=None, progress=progress)
            except ImportRejected as rejected:
                bar.close()
                for error in rejected.errors:
                    self.stderr.write(str(error))
                count = len(rejected.errors)
                self.stderr.write(f"{count} {'problem' if count == 1 else 'problems'}; "
                                  "nothing was imported.")
                # Like `makemigrations --check`: the problems are already printed, so exit
                # non-zero without a CommandError line repeating them.
                sys.exit(1)
            except UnicodeDecodeError:
                raise CommandError(f"{file} is not UTF-8 text; save it as “CSV UTF-8” and try "
                                   "again. Nothing was imported.") from None
            except OSError as error:
                raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        self.stdout.write(f"Imported: {result.created} new, {result.updated} updated, "
                          f"{result.unchanged} unchanged.")
