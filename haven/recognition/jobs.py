"""Recognition's periodic jobs (run by the worker's scheduler)."""

from __future__ import annotations

from haven.recognition import services


def post_work_anniversaries() -> int:
    return services.post_work_anniversaries()


def send_weekly_digests() -> int:
    return services.send_weekly_digests()
