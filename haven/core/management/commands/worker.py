from __future__ import annotations

import signal
import sys
import threading
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from haven.core.processes import announce
from haven.core.scheduler import run_periodic_jobs, start_scheduler


class Command(BaseCommand):
    help = ("Run Haven's background worker: queued tasks (django-tasks database backend) and "
            "the periodic jobs (offer expiry, reminders, retention) every minute.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=60.0,
                            help="Seconds between runs of the periodic jobs (each job runs once "
                                 "per such slot across all workers: give every worker "
                                 "the same interval).")
        parser.add_argument("--once", action="store_true",
                            help="Run the periodic jobs once and exit (for cron).")

    def handle(self, *args: Any, interval: float, once: bool, **options: Any) -> None:
        # A stop request is a clean exit from the start (the task worker installs its own
        # handler later), so that exit handlers run: the vault removes this process from the
        # master-key holders at once instead of after its heartbeat goes stale.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
        announce("worker", long_running=not once)  # e.g. the vault records its master keys
        if once:
            for job, changed in run_periodic_jobs().items():
                self.stdout.write(f"{job}: {'skipped' if changed is None else changed}")
            return
        stop = threading.Event()
        start_scheduler(interval, stop)
        try:
            call_command("db_worker", interval=1.0)
        finally:
            stop.set()
