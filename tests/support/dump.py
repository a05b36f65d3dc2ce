"""The whole database as text, however it stores bytes, and canary strings to look for in it:
what the confidentiality tests search for content and metadata that must not be there."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator

from django.db import connection


class Canaries:
    """Unique markers, one per piece of content; each is looked for in every form it could
    take when stored: as text, in any case, and as the hex of its bytes."""

    def __init__(self) -> None:
        self.all: list[str] = []

    def new(self, label: str) -> str:
        marker = f"cnry{label}{uuid.uuid4().hex}"
        self.all.append(marker)
        return marker

    def found_in(self, text: str) -> list[str]:
        lowered = text.lower()
        return [c for c in self.all
                if c.lower() in lowered or c.encode().hex() in lowered
                or base64.b64encode(c.encode()).decode().lower()[:24] in lowered]


def _dump_sqlite() -> Iterator[str]:
    raw = connection.connection
    yield from raw.iterdump()  # blobs appear as X'…' hex literals
    tables = [row[0] for row in raw.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        for row in raw.execute(f'SELECT * FROM "{table}"'):  # noqa: S608 (names from the catalogue)
            yield _as_text(row)


def _dump_postgresql() -> Iterator[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_name FROM information_schema.tables "
                       "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")
        tables = [row[0] for row in cursor.fetchall()]
        assert "support_message" in tables
        for table in tables:
            # The row as PostgreSQL prints it (bytea as \x hex) …
            cursor.execute(f'SELECT t::text FROM "{table}" AS t')  # noqa: S608
            yield from (row[0] for row in cursor.fetchall())
            # … and the raw values, bytes read as latin-1 so every byte is a character.
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608
            yield from (_as_text(row) for row in cursor.fetchall())


def _as_text(row: tuple[object, ...]) -> str:
    parts = []
    for value in row:
        if isinstance(value, memoryview):
            value = bytes(value)
        if isinstance(value, bytes):
            parts.append(value.decode("latin-1"))
            parts.append(value.hex())
        else:
            parts.append(str(value))
    return "\t".join(parts)


def whole_database() -> str:
    dump = _dump_sqlite() if connection.vendor == "sqlite" else _dump_postgresql()
    return "\n".join(dump)


def _table_names() -> list[str]:
    return sorted(connection.introspection.table_names())


def rows_of(table: str) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (names from the catalogue)
        return list(cursor.fetchall())


def database_except(*tables: str) -> str:
    """Every row of every table but TABLES (e.g. the directory's own), as text."""
    return "\n".join(_as_text(row) for table in _table_names() if table not in tables
                     for row in rows_of(table))
