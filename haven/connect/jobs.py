"""The connect app's periodic jobs (run by the worker's scheduler)."""

from __future__ import annotations

from haven.connect import services


def run_due_coffee_round() -> int:
    return services.run_due_round()


def remind_activities() -> int:
    from haven.connect.activities import send_due_reminders

    return send_due_reminders()
