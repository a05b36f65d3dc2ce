"""The worker's scheduler: every minute it runs the periodic jobs apps register with @periodic
(offer expiry, reminders, retention, …).

Several workers may run (on one machine or several). Each job runs once per time slot across
all of them: before running a job, a worker inserts a JobRun row for (job, slot), which a
unique constraint allows once; the worker whose row commits first runs the job, the others
skip it for that slot. This works the same on SQLite and PostgreSQL. A slot is as long as the
worker's --interval (60 s by default), counted from the Unix epoch, so every worker started
with the same interval agrees on the slots. Jobs stay idempotent all the same: a worker that
dies mid-run loses its slot, and the next slot's run does the work."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.db import DatabaseError, IntegrityError, close_old_connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from haven.core.models import JobRun

logger = logging.getLogger(__name__)

# Filled by each app's jobs module through @periodic (imported from its AppConfig.ready()):
# core knows no app's jobs. Dotted paths, in the order the apps are installed.
PERIODIC_JOBS: list[str] = []

SLOT_SECONDS = 60
# JobRun rows older than this are deleted (by the core job forget_job_runs): enough to see
# when each job last ran.
JOB_RUNS_KEPT = timedelta(days=2)
SKIPPED = None  # in run_periodic_jobs' results: another worker ran the job for this slot


def periodic(job: Callable[[], int]) -> Callable[[], int]:
    """Mark JOB (no arguments; returns how many records it changed) for the worker to run
    every minute. It must be idempotent: a worker that dies mid-run leaves it to the next."""
    path = f"{job.__module__}.{job.__qualname__}"
    if path not in PERIODIC_JOBS:
        PERIODIC_JOBS.append(path)
    return job


def slot_start(now: datetime, slot_seconds: int) -> datetime:
    """The start of the slot NOW falls in: slots of SLOT_SECONDS counted from the epoch."""
    seconds = int(now.timestamp())
    return datetime.fromtimestamp(seconds - seconds % slot_seconds, tz=UTC)


def _claim(path: str, slot: datetime) -> JobRun | None:
    """This worker's run of PATH for SLOT, or None when another worker has it already."""
    try:
        with transaction.atomic():
            return JobRun.objects.create(job=path, slot=slot, started_at=timezone.now())
    except IntegrityError:
        return None


def run_periodic_jobs(*, slot_seconds: int = SLOT_SECONDS) -> dict[str, int | None]:
    """Run every job whose run for the current slot no other worker has claimed. A failing job
    is logged (its type only, never data) and recorded as -1; a skipped one as SKIPPED."""
    results: dict[str, int | None] = {}
    slot = slot_start(timezone.now(), max(1, slot_seconds))
    for path in PERIODIC_JOBS:
        job: Callable[[], int] = import_string(path)
        try:
            run = _claim(path, slot)
            if run is None:
                results[path] = SKIPPED
                continue
            try:
                results[path] = job()
            except Exception as error:  # one broken job must not stop the others
                logger.error("Periodic job %s failed: %s", path, type(error).__name__)
                results[path] = -1
            JobRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(),
                                                    changed=results[path])
        except DatabaseError as error:  # the lock itself could not be taken or recorded
            logger.error("Periodic job %s not run: %s", path, type(error).__name__)
            results[path] = -1
        finally:
            close_old_connections()
    return results


def forget_job_runs(*, now: datetime | None = None) -> int:
    return JobRun.objects.filter(slot__lt=(now or timezone.now()) - JOB_RUNS_KEPT).delete()[0]


def start_scheduler(interval: float, stop: threading.Event) -> threading.Thread:
    slot_seconds = max(1, round(interval))

    def loop() -> None:
        while not stop.is_set():
            run_periodic_jobs(slot_seconds=slot_seconds)
            # Wake at the next slot's start (not INTERVAL after this run ended), so that a
            # slow run does not make this worker drift past a slot.
            stop.wait(slot_seconds - time.time() % slot_seconds)

    thread = threading.Thread(target=loop, name="haven-scheduler", daemon=True)
    thread.start()
    return thread
