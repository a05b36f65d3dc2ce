"""Recognition's periodic jobs (run by the worker's scheduler)."""

from __future__ import annotations

from haven.core.scheduler import periodic
from haven.recognition import services


@periodic
def post_work_anniversaries() -> int:
    return services.post_work_anniversaries()


@periodic
def send_weekly_digests() -> int:
    return services.send_weekly_digests()
