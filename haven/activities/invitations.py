"""Calendar invitations for activities: the download, and the iTIP (RFC 5546) REQUEST and
CANCEL e-mailed when an activity changes or is called off."""

from __future__ import annotations

from email.utils import parseaddr

from django.conf import settings
from django.utils.translation import gettext as _
from icalendar import vCalAddress

from haven.activities.models import Activity
from haven.core.calendar import attendee, domain, finish, new_event
from haven.core.models import Person
from haven.core.text import one_line, without_unstorable


def _haven_organiser(activity: Activity) -> vCalAddress:
    """iTIP needs an ORGANIZER: Haven's own address (replies change nothing in Haven, so they
    should not land in the organiser's inbox), named after the organiser."""
    organiser = vCalAddress("mailto:" + (parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
                                         or "haven@" + domain()))
    organiser.params["cn"] = one_line(activity.organiser.name) if activity.organiser else "Haven"
    return organiser


def activity_ics(activity: Activity, *, method: str | None = None,
                 recipient: Person | None = None) -> bytes:
    """One VEVENT for an activity, in the activity's own time zone (TZID and VTIMEZONE), with
    its current SEQUENCE and STATUS (CANCELLED once called off). The download has no
    attendees: it is shared by everyone going, who need not know each other. An e-mailed
    REQUEST or CANCEL (METHOD) is made for one RECIPIENT, its only attendee."""
    calendar, event = new_event("Activities", str(activity.calendar_uid), activity.time_zone,
                                 activity.starts_at, activity.ends_at, method=method)
    event.add("sequence", activity.sequence)
    event.add("status", "CANCELLED" if activity.cancelled_at else "CONFIRMED")
    if method and recipient is not None:
        event.add("organizer", _haven_organiser(activity), encode=False)
        invitee = attendee(recipient)
        invitee.params["rsvp"] = "FALSE"
        event.add("attendee", invitee, encode=False)
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
    return finish(calendar, event, activity.time_zone, activity.starts_at)
