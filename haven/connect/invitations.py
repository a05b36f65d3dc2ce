"""Calendar invitations (RFC 5545) for coffee groups and activities, made with the icalendar
package; activity changes and call-offs go out as iTIP (RFC 5546) REQUEST and CANCEL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress

from haven.connect.activity_models import Activity
from haven.connect.models import CoffeeGroup, MeetingMode
from haven.connect.starters import starter_texts
from haven.core.models import Person
from haven.core.text import one_line, without_unstorable

MEETING_LENGTH = timedelta(minutes=30)


def _domain() -> str:
    host = settings.HAVEN_BASE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return host or "haven.invalid"


def _new_event(product: str, uid: str, time_zone: str, start: datetime,
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
    event.add("summary", one_line(_("Coffee with %(names)s") % {"names": names}))
    if group.mode == MeetingMode.IN_PERSON and group.location:
        event.add("location", one_line(group.location.name))
    else:
        event.add("location", _("Video call (choose a link together)"))
    description = [
        _("Your coffee group from Haven: %(names)s.") % {"names": names},
        _("This time is a suggestion: move it to one that suits you all."),
        "",
        _("Something to talk about:"),
        *[f"- {text}" for text in starter_texts(group.starters)],
    ]
    event.add("description", without_unstorable("\n".join(str(line) for line in description)))
    for member in members:
        event.add("attendee", _attendee(member), encode=False)
    return _finish(calendar, event, group.time_zone, group.meet_at)


def _attendee(person: Person) -> vCalAddress:
    attendee = vCalAddress(f"mailto:{person.email}")
    attendee.params["cn"] = one_line(person.name)
    attendee.params["role"] = "REQ-PARTICIPANT"
    attendee.params["partstat"] = "NEEDS-ACTION"
    return attendee


def _haven_organiser(activity: Activity) -> vCalAddress:
    """iTIP needs an ORGANIZER: Haven's own address (replies change nothing in Haven, so they
    should not land in the organiser's inbox), named after the organiser."""
    organiser = vCalAddress("mailto:" + (parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
                                         or "haven@" + _domain()))
    organiser.params["cn"] = one_line(activity.organiser.name) if activity.organiser else "Haven"
    return organiser


def activity_ics(activity: Activity, *, method: str | None = None,
                 recipient: Person | None = None) -> bytes:
    """One VEVENT for an activity, in the activity's own time zone (TZID and VTIMEZONE), with
    its current SEQUENCE and STATUS (CANCELLED once called off). The download has no
    attendees: it is shared by everyone going, who need not know each other. An e-mailed
    REQUEST or CANCEL (METHOD) is made for one RECIPIENT, its only attendee."""
    calendar, event = _new_event("Activities", str(activity.calendar_uid), activity.time_zone,
                                 activity.starts_at, activity.ends_at, method=method)
    event.add("sequence", activity.sequence)
    event.add("status", "CANCELLED" if activity.cancelled_at else "CONFIRMED")
    if method and recipient is not None:
        event.add("organizer", _haven_organiser(activity), encode=False)
        attendee = _attendee(recipient)
        attendee.params["rsvp"] = "FALSE"
        event.add("attendee", attendee, encode=False)
    # Titles and places are checked as one line when typed; one stored before that may
    # still hold a line break or a control character, which a calendar field must not.
    event.add("summary", one_line(activity.title))
    where = [one_line(part) for part in (activity.place, activity.online_link) if part]
    event.add("location", " · ".join(where))
    if activity.online_link:
        event.add("url", one_line(activity.online_link))
    description = [activity.description]
    if activity.accessibility:
        description += ["", _("Accessibility: %(notes)s") % {"notes": activity.accessibility}]
    event.add("description", without_unstorable(
        "\n".join(str(line) for line in description).strip()))
    return _finish(calendar, event, activity.time_zone, activity.starts_at)
