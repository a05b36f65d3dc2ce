"""Working-hour arithmetic for first-response targets, in a given time zone (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

WORKDAY_START = time(9, 0)
WORKDAY_END = time(17, 0)


def add_working_hours(start: datetime, hours: float, time_zone: str) -> datetime:
    """START plus HOURS of working time (Monday–Friday, 09:00–17:00 in TIME_ZONE), in UTC
    like every stored time (so an answer made from it reads the same before and after a
    round trip through the database)."""
    zone = ZoneInfo(time_zone)
    moment = start.astimezone(zone)
    remaining = timedelta(hours=hours)
    while True:
        day_start = datetime.combine(moment.date(), WORKDAY_START, tzinfo=zone)
        day_end = datetime.combine(moment.date(), WORKDAY_END, tzinfo=zone)
        if moment.weekday() >= 5 or moment >= day_end:
            moment = datetime.combine(moment.date() + timedelta(days=1), WORKDAY_START,
                                      tzinfo=zone)
            continue
        moment = max(moment, day_start)
        available = day_end - moment
        if remaining <= available:
            return (moment + remaining).astimezone(UTC)
        remaining -= available
        moment = day_end
