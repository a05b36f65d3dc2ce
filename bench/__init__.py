"""Benchmarks run by `make bench` (`python -m bench`); figures are recorded in docs/benchmarks.md.
Shared here: a fresh, migrated database for a benchmark and a description of the machine."""

from __future__ import annotations

import os
import platform
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.settings_test")
    import django

    django.setup()


@contextmanager
def fresh_database(label: str) -> Iterator[str]:
    """A new database migrated from scratch, dropped afterwards; yields what it runs on.

    SQLite by default, in a file (as in production, not in memory); PostgreSQL when
    DATABASE_URL says so, under a name of its own so a test run at the same time is unaffected.
    """
    setup_django()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()  # also turns DEBUG off, so queries are not kept in memory
    test_settings = connection.settings_dict.setdefault("TEST", {})
    with tempfile.TemporaryDirectory(prefix="haven-bench-") as directory:
        if connection.vendor == "sqlite":
            test_settings["NAME"] = str(Path(directory) / f"{label}.sqlite3")
        else:
            test_settings["NAME"] = f"haven_bench_{label}_{os.getpid()}"
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True,
                                                      serialize=False)
        try:
            yield database_description()
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
            teardown_test_environment()


def database_description() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        return f"SQLite {sqlite3.sqlite_version} (file)"
    if connection.vendor == "postgresql":
        version = connection.cursor().connection.info.server_version  # e.g. 160004
        return f"PostgreSQL {version // 10000}.{version % 10000}"
    return connection.vendor


def machine_description() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    # Other work on the machine skews wall-clock figures, so the load is part of the record.
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{cpus} CPUs ({model}), Python {platform.python_version()}, "
            f"{date.today().isoformat()}, load average {load:.2f} at the end")


@dataclass(frozen=True)
class Timing:
    wall: float  # what a person waits
    cpu: float  # this process only (not a database server): steadier on a busy machine

    def __str__(self) -> str:
        return f"{self.wall:6.2f} s (CPU {self.cpu:5.2f} s)"


def timed(action: Callable[[], T]) -> tuple[Timing, T]:
    """How long ACTION took, and what it returned."""
    wall, cpu = time.perf_counter(), time.process_time()
    value = action()
    return Timing(time.perf_counter() - wall, time.process_time() - cpu), value
