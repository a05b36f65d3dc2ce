"""Calendar invitations (RFC 5545) made with the icalendar package: one event in a calendar,
its time zone, and attendees. iTIP (RFC 5546) METHOD for messages that change an event already
in someone's calendar. Knows nothing of what the event is: coffee and activities build on it."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

from haven.core.models import Person
from haven.core.text import one_line


def domain() -> str:
    host = settings.HAVEN_BASE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return host or "haven.invalid"


def new_event(product: str, uid: str, time_zone: str, start: datetime,
              end: datetime, *, method: str | None = None) -> tuple[Calendar, Event]:
    """A calendar holding one event with the fields every Haven invitation shares, its times
    in TIME_ZONE (TZID), or in UTC. METHOD (RFC 5546) only for a message that changes an
    event already in someone's calendar."""
    calendar = Calendar()
    calendar.add("prodid", f"-//Haven//{product}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    event = Event()
    event.add("uid", f"{uid}@{domain()}")
    event.add("dtstamp", timezone.now().astimezone(ZoneInfo("UTC")))
    zone = ZoneInfo(time_zone)
    event.add("dtstart", start.astimezone(zone))
    event.add("dtend", end.astimezone(zone))
    return calendar, event


def finish(calendar: Calendar, event: Event, time_zone: str, start: datetime) -> bytes:
    calendar.add_component(event)
    if time_zone != "UTC":
        calendar.add_missing_timezones(first_date=start.date() - timedelta(days=366),
                                       last_date=start.date() + timedelta(days=366))
    return calendar.to_ical()


def attendee(person: Person) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["cn"] = one_line(person.name)
    address.params["role"] = "REQ-PARTICIPANT"
    address.params["partstat"] = "NEEDS-ACTION"
    return address
