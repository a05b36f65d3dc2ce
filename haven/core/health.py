"""What /healthz reports to a load balancer and /metrics to Prometheus: the database, Redis,
the worker's heartbeat and the age of the mail queue.

Each part answers a state word ("ok", "unavailable", "stale", …) and whether it is healthy.
Never an error's text, a host name or anything about a person: a failure is logged with its
type name only. Core knows no app: the vault registers the worker's heartbeat check
(register_check), because the heartbeat rows are its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from haven.core.tasks import send_email

logger = logging.getLogger(__name__)

OK = "ok"
UNAVAILABLE = "unavailable"
NOT_CONFIGURED = "not configured"


@dataclass(frozen=True)
class Part:
    state: str
    healthy: bool
    required: bool = True
    figures: dict[str, float] = field(default_factory=dict)  # e.g. {"age_seconds": 12}


Check = Callable[[], Part]
_CHECKS: dict[str, Check] = {}


def register_check(name: str, check: Check) -> None:
    """Add CHECK (from an app's ready()) to what /healthz and /metrics report as NAME."""
    _CHECKS[name] = check


def database() -> Part:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return Part(OK, True)


def redis() -> Part:
    """Redis when REDIS_URL is set (the cache, rate limits and the channel layer need it)."""
    if not settings.REDIS_URL:
        return Part(NOT_CONFIGURED, True)
    from redis import Redis

    client = Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return Part(OK, True)


def oldest_queued_email(now: datetime | None = None) -> float:
    """Seconds the oldest e-mail waiting for the worker has waited (0: none waits)."""
    oldest = (DBTaskResult.objects
              .filter(task_path=send_email.module_path, status=TaskResultStatus.READY)
              .order_by("enqueued_at").values_list("enqueued_at", flat=True).first())
    if oldest is None:
        return 0.0
    return max(0.0, ((now or timezone.now()) - oldest).total_seconds())


def mail_queue() -> Part:
    age = oldest_queued_email()
    late = age > settings.HAVEN_HEALTH_MAIL_LATE_MINUTES * 60
    return Part("late" if late else OK, not late,
                required=settings.HAVEN_HEALTH_WORKER_REQUIRED,
                figures={"oldest_seconds": round(age, 1)})


def _checks() -> dict[str, Check]:
    return {"database": database, "redis": redis, **_CHECKS, "mail_queue": mail_queue}


def report() -> dict[str, Part]:
    """Every part's state now; a check that raises is UNAVAILABLE (its type name logged)."""
    parts: dict[str, Part] = {}
    for name, check in _checks().items():
        try:
            parts[name] = check()
        except Exception as error:  # noqa: BLE001 - any failure means "not healthy"
            logger.warning("Health check %s failed: %s", name, type(error).__name__)
            parts[name] = Part(UNAVAILABLE, False)
    return parts


def healthy(parts: dict[str, Part]) -> bool:
    """Whether every required part is healthy (what a load balancer acts on)."""
    return all(part.healthy for part in parts.values() if part.required)


def as_json(parts: dict[str, Part]) -> dict[str, object]:
    if healthy(parts):
        status = OK if all(part.healthy for part in parts.values()) else "degraded"
    else:
        status = "error"
    body: dict[str, object] = {"status": status}
    for name, part in parts.items():
        body[name] = part.state
        body.update({f"{name}_{figure}": value for figure, value in part.figures.items()})
    return body
