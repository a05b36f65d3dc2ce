"""Periodic jobs run once per slot however many workers run: two real worker processes share
the test database (SQLite file or PostgreSQL) and run the real scheduler loop with one-second
slots; a recording job writes a line per run: there must be exactly as many runs as slots
claimed, and never two claims of one slot."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from haven.core.models import JobRun
from haven.core.scheduler import PERIODIC_JOBS, SKIPPED, forget_job_runs, run_periodic_jobs
from tests.browser.asgi_server import database_url_for_server

pytestmark = pytest.mark.django_db(transaction=True)

RECORDING_JOB = "record_run"
SECONDS = 8

# What each worker process runs: Django set up on the test database, the real scheduler
# thread with every registered job plus one that records which slot it ran for.
WORKER = """
import os, sys, threading, time
import django
django.setup()
from haven.core import scheduler

def record_run():
    with open(sys.argv[1], "a", encoding="utf-8") as out:
        out.write(f"{os.getpid()}\\n")
    return 1

record_run.__module__ = "__main__"
scheduler.periodic(record_run)
scheduler.PERIODIC_JOBS.insert(0, scheduler.PERIODIC_JOBS.pop())  # first: no wait behind others
stop = threading.Event()
thread = scheduler.start_scheduler(1.0, stop)
time.sleep(float(sys.argv[2]))
stop.set()
thread.join(timeout=30)
"""


def _worker(script: Path, record: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE,
           "PYTHONPATH": os.pathsep.join(entry for entry in sys.path if entry),
           "HAVEN_DEMO": "1", "HAVEN_VAR_DIR": str(settings.VAR_DIR),
           "DATABASE_URL": database_url_for_server(), "HAVEN_LOG_LEVEL": "WARNING"}
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, str(script), str(record), str(SECONDS)],  # noqa: S603
                                env=env, stdout=out, stderr=subprocess.STDOUT)


def test_two_worker_processes_run_each_job_once_per_slot(tmp_path: Path) -> None:
    script, record = tmp_path / "worker.py", tmp_path / "runs.txt"
    script.write_text(WORKER, encoding="utf-8")
    workers = [_worker(script, record, tmp_path / f"worker{n}.log") for n in (1, 2)]
    for worker in workers:
        assert worker.wait(timeout=120) == 0, (tmp_path / "worker1.log").read_text()
    runs = record.read_text(encoding="utf-8").split()
    recorded = JobRun.objects.filter(job=f"__main__.{RECORDING_JOB}")
    slots = Counter(recorded.values_list("slot", flat=True))
    assert len(slots) >= 2, runs  # the workers ran over several slots …
    assert set(slots.values()) == {1}  # … each claimed once …
    assert len(runs) == len(slots)  # … and the job ran once for each claim, never more
    assert all(run.finished_at is not None and run.changed == 1 for run in recorded)
    # Every real job ran at most once per slot too (the constraint), and did run.
    real = JobRun.objects.exclude(job__startswith="__main__.")
    assert set(real.values_list("job", flat=True)) == set(PERIODIC_JOBS)
    for log in tmp_path.glob("worker*.log"):
        assert "not run" not in log.read_text(), log.read_text()


def test_a_second_run_in_the_same_slot_skips_every_job(monkeypatch: pytest.MonkeyPatch) -> None:
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)
    first = run_periodic_jobs()
    assert SKIPPED not in first.values()
    second = run_periodic_jobs()
    assert set(second.values()) == {SKIPPED}
    assert JobRun.objects.count() == len(PERIODIC_JOBS)


def test_the_next_slot_runs_again(monkeypatch: pytest.MonkeyPatch) -> None:
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)
    run_periodic_jobs()
    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(seconds=60))
    assert SKIPPED not in run_periodic_jobs().values()
    assert JobRun.objects.filter(job=PERIODIC_JOBS[0]).count() == 2


def test_run_records_are_forgotten_after_two_days() -> None:
    now = timezone.now()
    JobRun.objects.create(job="a", slot=now - timedelta(days=3))
    JobRun.objects.create(job="a", slot=now - timedelta(hours=1))
    assert forget_job_runs(now=now) == 1
    assert JobRun.objects.count() == 1
