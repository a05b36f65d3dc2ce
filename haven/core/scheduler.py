"""Periodic jobs the worker runs every minute: offer expiry, reminders, retention, …
Each job is idempotent (it updates rows with a filter), so running it from several workers,
or twice, is harmless."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.db import close_old_connections
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

PERIODIC_JOBS = [
    "haven.core.jobs.forget_sent_email",
    "haven.support.jobs.expire_offers",
    "haven.support.jobs.retry_waiting_requests",
    "haven.support.jobs.alert_missed_first_responses",
    "haven.support.jobs.remind_commitments",
    "haven.support.jobs.mark_missed_commitments",
    "haven.support.jobs.shred_expired_conversations",
    "haven.coffee.jobs.run_due_coffee_round",
    "haven.recognition.jobs.post_work_anniversaries",
    "haven.recognition.jobs.send_weekly_digests",
    "haven.activities.jobs.remind_activities",
]


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
