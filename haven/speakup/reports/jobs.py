"""Periodic work for reports and cases (registered from SpeakupConfig.ready())."""

from __future__ import annotations

from haven.core.scheduler import periodic
from haven.speakup.reports import services


@periodic
def deliver_released_reports() -> int:
    """Tell case handlers about released reports whose notice was not sent (a failed or lost
    after-commit step): a release is never lost."""
    return services.deliver_released()


@periodic
def remind_case_deadlines() -> int:
    """Acknowledgement and feedback reminders to case handlers (no content)."""
    return services.send_deadline_reminders()
