"""Import or update the directory from a CSV file: validate every row first, then all or nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from django.http import HttpRequest

from haven.core.models import Person

COLUMNS: list[tuple[str, bool, str]] = [
    # (column, required, what it holds) — shown on the import page and in docs/operations.md
    ("email", True, "work e-mail; identifies the person on re-import"),
    ("name", True, "full name"),
]


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


class ImportRejected(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} rows are not valid; nothing was imported.")
        self.errors = errors


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


ProgressCallback = Callable[[int, int], None]


def import_people(*, source: TextIO, actor: Person | None, request: HttpRequest | None = None,
                  progress: ProgressCallback | None = None) -> ImportResult:
    raise NotImplementedError
