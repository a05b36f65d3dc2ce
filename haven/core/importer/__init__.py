"""Import or update the directory from a CSV file: validate every row first, then all or nothing.
A column left out of the file leaves that field as stored; an empty cell clears it.

The stages live beside this module: `columns` (the format and the shared types), `reading`
(the header and each row), `checks` (across rows and against the directory), `saving`."""

from __future__ import annotations

from typing import TextIO

from django.db import transaction

from haven.core.importer.checks import check_across_rows
from haven.core.importer.columns import (
    COLUMN_NAMES,
    COLUMNS,
    Directory,
    ImportRejected,
    ImportResult,
    ProgressCallback,
    Row,
    RowError,
)
from haven.core.importer.reading import parse_row, read
from haven.core.importer.saving import save
from haven.core.models import Person

__all__ = ["COLUMNS", "COLUMN_NAMES", "ImportRejected", "ImportResult", "ProgressCallback",
           "RowError", "import_people"]


def import_people(*, source: TextIO, actor: Person | None,
                  progress: ProgressCallback | None = None) -> ImportResult:
    """Create or update the people in SOURCE (CSV text with a header row, see COLUMNS).

    Raises ImportRejected listing every problem, having changed nothing, if any row is wrong.
    PROGRESS(done, total) is called along the way; each row counts twice, checked and saved.
    """
    columns, lines, errors = read(source)
    total = 2 * len(lines)

    def report(done: int) -> None:
        if progress is not None:
            progress(done, total)

    with transaction.atomic():
        directory = Directory.load()
        rows: list[Row] = []
        for done, (line, cells) in enumerate(lines, start=1):
            row = parse_row(line, cells, columns, errors)
            if row is not None:
                rows.append(row)
            if done % 1000 == 0:
                report(done)
        errors.extend(check_across_rows(rows, columns, directory, actor))
        if errors:
            raise ImportRejected(sorted(errors, key=lambda error: error.line))
        report(len(lines))
        result = save(rows, columns, directory, actor,
                      lambda saved: report(len(lines) + saved))
    report(total)
    return result
