"""Activities' periodic jobs (run by the worker's scheduler)."""

from __future__ import annotations

from haven.activities import services
from haven.core.scheduler import periodic


@periodic
def remind_activities() -> int:
    return services.send_due_reminders()
