"""The worker's scheduler: every minute it runs the periodic jobs apps register with @periodic
(offer expiry, reminders, retention, …). Each job is idempotent (it updates rows with a
filter), so running it from several workers, or twice, is harmless."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.db import close_old_connections
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# Filled by each app's jobs module through @periodic (imported from its AppConfig.ready()):
# core knows no app's jobs. Dotted paths, in the order the apps are installed.
PERIODIC_JOBS: list[str] = []


def periodic(job: Callable[[], int]) -> Callable[[], int]:
    """Mark JOB (no arguments; returns how many records it changed) for the worker to run
    every minute. It must be idempotent: several workers may run it at once."""
    path = f"{job.__module__}.{job.__qualname__}"
    if path not in PERIODIC_JOBS:
        PERIODIC_JOBS.append(path)
    return job


def run_periodic_jobs() -> dict[str, int]:
    """Run every job once; a failing job is logged (its type only, never data) and skipped."""
    results: dict[str, int] = {}
    for path in PERIODIC_JOBS:
        job: Callable[[], int] = import_string(path)
        try:
            results[path] = job()
        except Exception as error:  # one broken job must not stop the others
            logger.error("Periodic job %s failed: %s", path, type(error).__name__)
            results[path] = -1
        finally:
            close_old_connections()
    return results


def start_scheduler(interval: float, stop: threading.Event) -> threading.Thread:
    def loop() -> None:
        while not stop.is_set():
            run_periodic_jobs()
            stop.wait(interval)

    thread = threading.Thread(target=loop, name="haven-scheduler", daemon=True)
    thread.start()
    return thread
