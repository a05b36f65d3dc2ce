"""Template filters for times, in the viewer's zone (activated per request by
PersonTimezoneMiddleware) and in Haven's one format (haven/core/times.py):

    {% load haven_times %}
    {{ message.sent_at|shown_time }}          Sun 6 Dec, 19:00
    {{ request.expected|shown_time_zone }}    Sun 6 Dec, 19:00 (Europe/Berlin)
"""

from __future__ import annotations

from datetime import datetime

from django import template

from haven.core import times

register = template.Library()


@register.filter
def shown_time(value: datetime | None) -> str:
    return times.shown_time(value) if isinstance(value, datetime) else ""


@register.filter
def shown_time_zone(value: datetime | None) -> str:
    return times.shown_time(value, with_zone=True) if isinstance(value, datetime) else ""
