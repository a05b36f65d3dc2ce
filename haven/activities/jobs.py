"""Activities' periodic jobs (run by the worker's scheduler)."""

from __future__ import annotations

from haven.activities import services


def remind_activities() -> int:
    return services.send_due_reminders()
