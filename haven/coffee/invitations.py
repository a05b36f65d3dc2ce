"""The calendar invitation (RFC 5545) for a coffee group's suggested meeting."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.utils.translation import gettext as _

from haven.coffee.models import CoffeeGroup, MeetingMode
from haven.coffee.starters import starter_texts
from haven.core.calendar import attendee, finish, new_event
from haven.core.models import Person
from haven.core.text import one_line, without_unstorable

MEETING_LENGTH = timedelta(minutes=30)


def invitation_ics(group: CoffeeGroup, members: Sequence[Person]) -> bytes:
    """One VEVENT for the group's suggested meeting: in the location's time zone (with its
    VTIMEZONE) for an in-person group, in UTC for a remote one; every member an attendee."""
    calendar, event = new_event("Coffee pairings", str(group.calendar_uid), group.time_zone,
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
        event.add("attendee", attendee(member), encode=False)
    return finish(calendar, event, group.time_zone, group.meet_at)
