"""Calendar invitations (RFC 5545) for coffee groups, made with the icalendar package."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress

from haven.connect.activity_models import Activity
from haven.connect.models import CoffeeGroup, MeetingMode
from haven.connect.starters import starter_texts
from haven.core.models import Person

MEETING_LENGTH = timedelta(minutes=30)


def _domain() -> str:
    host = settings.HAVEN_BASE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return host or "haven.invalid"


def _new_event(product: str, uid: str, time_zone: str, start: datetime,
               end: datetime) -> tuple[Calendar, Event]:
    """A calendar holding one event with the fields every Haven invitation shares, its times
    in TIME_ZONE (TZID), or in UTC."""
    calendar = Calendar()
    calendar.add("prodid", f"-//Haven//{product}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    event = Event()
    event.add("uid", f"{uid}@{_domain()}")
    event.add("dtstamp", timezone.now().astimezone(ZoneInfo("UTC")))
    zone = ZoneInfo(time_zone)
    event.add("dtstart", start.astimezone(zone))
    event.add("dtend", end.astimezone(zone))
    return calendar, event


def _finish(calendar: Calendar, event: Event, time_zone: str, start: datetime) -> bytes:
    calendar.add_component(event)
    if time_zone != "UTC":
        calendar.add_missing_timezones(first_date=start.date() - timedelta(days=366),
                                       last_date=start.date() + timedelta(days=366))
    return calendar.to_ical()


def invitation_ics(group: CoffeeGroup, members: Sequence[Person]) -> bytes:
    """One VEVENT for the group's suggested meeting: in the location's time zone (with its
    VTIMEZONE) for an in-person group, in UTC for a remote one; every member an attendee."""
    calendar, event = _new_event("Coffee pairings", str(group.calendar_uid), group.time_zone,
                                 group.meet_at, group.meet_at + MEETING_LENGTH)
    names = ", ".join(member.name for member in members)
    event.add("summary", _("Coffee with %(names)s") % {"names": names})
    if group.mode == MeetingMode.IN_PERSON and group.location:
        event.add("location", group.location.name)
    else:
        event.add("location", _("Video call (choose a link together)"))
    description = [
        _("Your coffee group from Haven: %(names)s.") % {"names": names},
        _("This time is a suggestion: move it to one that suits you all."),
        "",
        _("Something to talk about:"),
        *[f"- {text}" for text in starter_texts(group.starters)],
    ]
    event.add("description", "\n".join(str(line) for line in description))
    for member in members:
        attendee = vCalAddress(f"mailto:{member.email}")
        attendee.params["cn"] = member.name
        attendee.params["role"] = "REQ-PARTICIPANT"
        attendee.params["partstat"] = "NEEDS-ACTION"
        event.add("attendee", attendee, encode=False)
    return _finish(calendar, event, group.time_zone, group.meet_at)


def activity_ics(activity: Activity) -> bytes:
    """One VEVENT for an activity, in the activity's own time zone (TZID and VTIMEZONE).
    Attendees are left out: the file is shared by everyone going, who need not know each other."""
    calendar, event = _new_event("Activities", str(activity.calendar_uid), activity.time_zone,
                                 activity.starts_at, activity.ends_at)
    event.add("summary", activity.title)
    where = [part for part in (activity.place, activity.online_link) if part]
    event.add("location", " · ".join(where))
    if activity.online_link:
        event.add("url", activity.online_link)
    description = [activity.description]
    if activity.accessibility:
        description += ["", _("Accessibility: %(notes)s") % {"notes": activity.accessibility}]
    event.add("description", "\n".join(str(line) for line in description).strip())
    return _finish(calendar, event, activity.time_zone, activity.starts_at)
