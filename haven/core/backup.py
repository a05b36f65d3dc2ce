"""`haven backup DIR` and `haven restore DIR`: the database only, never the master keys.

A backup directory holds the dump (PostgreSQL: `pg_dump --format=custom`; SQLite: a copy made
with SQLite's online backup API) and `manifest.json` beside it: Haven's version, the database
vendor, the migrations applied per app, the time, the dump's SHA-256 and each table's row
count. No content, and nothing of HAVEN_MASTER_KEYS: the keys are kept apart, and a backup
directory next to them is refused (docs/operations.md, "Backup and restore")."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
from collections import defaultdict
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

MANIFEST = "manifest.json"
DUMPS = {"postgresql": "haven.dump", "sqlite": "haven.sqlite3"}
FORMAT = 1


class BackupRefused(Exception):
    """Nothing was done, for the reason given (one line, for the operator)."""


class BackupFailed(Exception):
    """A database tool failed; its own message follows."""


def key_locations() -> tuple[str, list[Path]]:
    """Where this process's master keys live, in words (never a key), and the directories
    that hold a key file."""
    key_dirs: list[Path] = []
    named = os.environ.get("HAVEN_MASTER_KEYS_FILE")
    if named:
        where = f"the file {Path(named).resolve()} (HAVEN_MASTER_KEYS_FILE)"
        key_dirs.append(Path(named).resolve().parent)
    elif os.environ.get("HAVEN_MASTER_KEYS"):
        where = "the environment variable HAVEN_MASTER_KEYS"
    else:
        where = f"the demo's key file {(Path(settings.VAR_DIR) / 'master_keys').resolve()}"
    var_key_file = Path(settings.VAR_DIR) / "master_keys"
    if var_key_file.exists():
        key_dirs.append(var_key_file.resolve().parent)
    return where, key_dirs


def _refuse_beside_keys(directory: Path) -> None:
    for key_dir in key_locations()[1]:
        if directory == key_dir or key_dir in directory.parents or directory in key_dir.parents:
            raise BackupRefused(
                f"Refused: {directory} is where the master keys are ({key_dir}); a backup "
                "must be kept apart from the keys. Choose a directory elsewhere.")


def _vendor() -> str:
    if connection.vendor not in DUMPS:
        raise BackupRefused(f"Backups support PostgreSQL and SQLite, not {connection.vendor}.")
    return connection.vendor


def _haven_version() -> str:
    try:
        return version("haven")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "unknown"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _state(cursor: Any, tables: list[str]) -> dict[str, Any]:
    """Row counts per table and applied migrations per app, read with CURSOR."""
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608 (table names)
        counts[table] = cursor.fetchone()[0]
    migrations: dict[str, list[str]] = defaultdict(list)
    if "django_migrations" in tables:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        for app, name in cursor.fetchall():
            migrations[app].append(name)
    return {"migrations": dict(migrations), "tables": counts}


def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                      "AND name NOT LIKE 'sqlite_%'").fetchall()
    return [row[0] for row in rows]


def _pg_environment() -> dict[str, str]:
    """The connection for pg_dump/pg_restore, passed in the environment (the password never
    appears on a command line)."""
    db = connection.settings_dict
    values = {"PGDATABASE": db["NAME"], "PGHOST": db.get("HOST"), "PGPORT": db.get("PORT"),
              "PGUSER": db.get("USER"), "PGPASSWORD": db.get("PASSWORD")}
    return {**os.environ, **{name: str(value) for name, value in values.items() if value}}


def _run(command: list[str]) -> None:
    try:
        finished = subprocess.run(  # noqa: S603 - pg_dump/pg_restore, arguments of ours
            command, env=_pg_environment(), capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupFailed(f"{command[0]} is not installed here: install the PostgreSQL "
                           "client programs (Debian: apt install postgresql-client).") from None
    if finished.returncode != 0:
        raise BackupFailed(f"{command[0]} failed: {finished.stderr.strip()}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup(directory: Path) -> dict[str, Any]:
    """Write the dump and its manifest into DIRECTORY (new or empty); returns the manifest."""
    directory = directory.resolve()
    _refuse_beside_keys(directory)
    vendor = _vendor()
    if directory.exists() and not directory.is_dir():
        raise BackupRefused(f"Refused: {directory} is a file; give a directory.")
    if directory.exists() and any(directory.iterdir()):
        raise BackupRefused(f"Refused: {directory} is not empty; give a new directory for "
                            "each backup.")
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    dump = directory / DUMPS[vendor]
    if vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(dump) as copy:
            connection.connection.backup(copy)  # a consistent copy, even while in use
            state = _state(copy.cursor(), _sqlite_tables(copy))
        copy.close()
    else:
        # The counts and pg_dump share one snapshot, so the manifest matches the dump exactly.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            state = _state(cursor, connection.introspection.table_names(cursor))
            _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={dump}"])
    dump.chmod(0o600)
    manifest = {"format": FORMAT, "haven_version": _haven_version(), "vendor": vendor,
                "created_at": timezone.now().isoformat(), "dump": dump.name,
                "sha256": _sha256(dump), **state}
    path = directory / MANIFEST
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return manifest


def read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        manifest["vendor"], manifest["dump"], manifest["migrations"], manifest["tables"]  # noqa: B018
    except FileNotFoundError:
        raise BackupRefused(f"Refused: {path} is missing; is {directory} a Haven "
                            "backup?") from None
    except (ValueError, TypeError, KeyError):
        raise BackupRefused(f"Refused: {path} is not a Haven backup manifest.") from None
    return manifest


def _unknown_migrations(manifest: dict[str, Any]) -> list[str]:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [f"{app}.{name}" for app, names in sorted(manifest["migrations"].items())
            for name in names if (app, name) not in known]


def _check(directory: Path, manifest: dict[str, Any], *, replace: bool) -> Path:
    vendor = _vendor()
    if manifest["vendor"] != vendor:
        raise BackupRefused(f"Refused: this backup is of a {manifest['vendor']} database; "
                            f"DATABASE_URL points at {vendor}.")
    dump = directory / Path(manifest["dump"]).name
    if not dump.is_file() or _sha256(dump) != manifest.get("sha256"):
        raise BackupRefused(f"Refused: {dump} is missing or does not match the manifest's "
                            "SHA-256; the backup is incomplete or damaged.")
    unknown = _unknown_migrations(manifest)
    if unknown:
        raise BackupRefused(
            f"Refused: the backup was made by Haven {manifest.get('haven_version')} with "
            f"{len(unknown)} migration(s) this version does not have (first: {unknown[0]}); "
            "install that version or newer, then restore.")
    tables = connection.introspection.table_names()
    if tables and not replace:
        raise BackupRefused(
            f"Refused: the target database is not empty ({len(tables)} tables); restore into "
            "an empty database, or add --replace to drop everything in it first.")
    return dump


def restore(directory: Path, *, replace: bool = False,
            say: Callable[[str], None] = print) -> dict[str, Any]:
    """Load the backup in DIRECTORY into the configured (empty) database, check its row counts
    against the manifest, then apply any newer migrations. Returns the manifest."""
    directory = directory.resolve()
    manifest = read_manifest(directory)
    dump = _check(directory, manifest, replace=replace)
    if connection.vendor == "sqlite":
        connection.close()
        with sqlite3.connect(f"file:{dump}?mode=ro", uri=True) as source, \
                sqlite3.connect(connection.settings_dict["NAME"]) as target:
            source.backup(target)  # replaces whatever the target held
        source.close()
        target.close()
    else:
        if replace:
            with transaction.atomic(), connection.cursor() as cursor:
                for table in connection.introspection.table_names(cursor):
                    cursor.execute(f"DROP TABLE IF EXISTS {_quote(table)} CASCADE")
        _run(["pg_restore", "--no-owner", "--no-acl", "--single-transaction",
              "--exit-on-error", f"--dbname={connection.settings_dict['NAME']}", str(dump)])
    with connection.cursor() as cursor:
        restored = _state(cursor, connection.introspection.table_names(cursor))["tables"]
    differing = sorted(table for table, count in manifest["tables"].items()
                       if restored.get(table) != count)
    if differing:
        raise BackupFailed(f"Restored, but {len(differing)} table(s) differ from the manifest's "
                           f"row counts (first: {differing[0]}).")
    say(f"Restored {len(restored)} tables from the backup of "
        f"{manifest.get('created_at')}; row counts match the manifest. Applying migrations.")
    call_command("migrate", interactive=False, verbosity=0)
    return manifest
