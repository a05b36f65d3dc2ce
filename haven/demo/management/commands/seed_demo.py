from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from haven.demo.seed import seed_demo


class Command(BaseCommand):
    help = "Create the demo organisation (about 80 people). Demo mode only; safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.HAVEN_DEMO:
            raise CommandError("seed-demo creates people with a published password; it runs "
                               "only in demo mode (HAVEN_DEMO=1), never in production.")
        count = seed_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo organisation ready: {count} people."))
