"""One way to show a moment to a person: in their time zone, as "Sun 6 Dec, 19:00" (with
the year when it is not this year's), optionally followed by the zone's name. Pages use the
`haven_times` template filters; e-mails call `shown_time` with the recipient's zone; the live
chat's script (haven/static/haven/chat.js, `shownTime`) builds the same shape from ISO 8601
with Intl.DateTimeFormat, so a bubble added live reads like one rendered by the server."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, tzinfo

from django.conf import settings
from django.utils import dateformat, timezone

THIS_YEAR = "D j M, H:i"
OTHER_YEAR = "D j M Y, H:i"


def zone_of(name: str | None) -> tzinfo:
    """The zone called NAME; the organisation's zone for none or one this machine lacks."""
    for candidate in (name, settings.TIME_ZONE):
        if candidate:
            try:
                return zoneinfo.ZoneInfo(candidate)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                continue
    return zoneinfo.ZoneInfo("UTC")


def zone_name(zone: tzinfo) -> str:
    return str(getattr(zone, "key", None) or zone.tzname(None) or "UTC")


def shown_time(moment: datetime, zone: tzinfo | None = None, *, now: datetime | None = None,
               with_zone: bool = False) -> str:
    """MOMENT in ZONE (the active zone by default), e.g. "Sun 6 Dec, 19:00"; with_zone adds
    " (Europe/Berlin)"."""
    zone = zone or timezone.get_current_timezone()
    local = timezone.localtime(moment, zone)
    current = timezone.localtime(now or timezone.now(), zone)
    text = dateformat.format(local, THIS_YEAR if local.year == current.year else OTHER_YEAR)
    return f"{text} ({zone_name(zone)})" if with_zone else text
