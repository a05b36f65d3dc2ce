"""Setting the demo history's times.

Every record of the history is made by the owning app's service, which stamps "now" (or takes
a `now` where it offers one). A service never takes a time from its caller just for the demo,
and nothing patches the clock: after a service has run, the demo moves the timestamps of the
rows it just made with an ORM `update()` on those rows alone. Only timestamps move; the
content, the seals and the audit rows stay exactly as the service wrote them (the audit log
refuses updates, so its times say when the demo was seeded)."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Model


def move(instance: Model, **times: Any) -> None:
    """Set TIMES (field name to value) on INSTANCE's row and on the object in memory."""
    type(instance)._default_manager.filter(pk=instance.pk).update(**times)
    for name, value in times.items():
        setattr(instance, name, value)


def working_moment(rng: random.Random, day: datetime) -> datetime:
    """A moment on DAY's date between 08:00 and 18:00 (UTC), minute precision."""
    start = datetime.combine(day.date(), time(8), tzinfo=day.tzinfo)
    return start + timedelta(minutes=rng.randrange(0, 10 * 60))
