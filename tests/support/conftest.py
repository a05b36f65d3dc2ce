"""Peer-support test helpers: supporters who fit, requests opened through the service, and
e-mails sent only once the transaction commits."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from haven.core import times
from haven.core.models import Person, Role
from haven.support import requests as support_requests
from haven.support.models import SupporterProfile, SupportRequest
from tests.factories import LocationFactory, make_person

ALWAYS = [{"weekday": day, "start": "00:00", "end": "23:59"} for day in range(7)]


def midday_zone(now: datetime | None = None) -> str:
    """A fixed-offset zone where it is now between 11:00 and 13:00, so that a supporter there
    who is available all day is available now with hours to spare, whenever the suite runs."""
    hour = (now or datetime.now(UTC)).hour
    offset = 12 - hour  # -11 .. +12
    if offset == 0:
        return "Etc/GMT"
    # The Etc zones' signs are inverted: Etc/GMT-3 is three hours ahead of UTC.
    return f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


def typed_time(person: Person, from_now: timedelta) -> str:
    """What PERSON types in a date-and-time field for FROM_NOW from now: a page reads it in
    its viewer's zone (their location's), which the test thread does not have."""
    moment = timezone.localtime(timezone.now() + from_now, times.zone_of(person.time_zone))
    return moment.strftime("%Y-%m-%dT%H:%M")


def make_supporter(
    *,
    approved: bool = True,
    active: bool = True,
    capacity: int = 3,
    languages: list[str] | None = None,
    topics: list[str] | None = None,
    availability: list[dict[str, Any]] | None = None,
    zone: str | None = None,
    **fields: Any,
) -> Person:
    """A supporter who fits any ordinary request now, unless told otherwise."""
    if "location" not in fields:
        zone = zone or midday_zone()
        fields["location"] = LocationFactory(name=f"Office in {zone}", time_zone=zone)
    person = make_person(Role.SUPPORTER, **fields)
    SupporterProfile.objects.create(
        person=person,
        active=active,
        capacity=capacity,
        languages=languages or ["en"],
        topics=topics
        if topics is not None
        else ["bullying", "conflict", "excluded", "workload", "other"],
        availability=ALWAYS if availability is None else availability,
        approved_at=datetime.now(UTC) if approved else None,
    )
    return person


def open_request(requester: Person, **overrides: Any) -> SupportRequest:
    fields: dict[str, Any] = {
        "topic": "bullying",
        "mode": SupportRequest.Mode.MESSAGES,
        "use_pseudonym": False,
        "language": "en",
        "avoid_my_team": True,
        "avoid_my_department": False,
        "person_of_concern": None,
        "preferred_supporter": None,
        "acknowledged_confidentiality": True,
        "first_message": "I am not sure where to start.",
        "submission_id": str(uuid.uuid4()),
    }
    fields.update(overrides)
    return support_requests.open_request(requester=requester, **fields)


def ask_for_support(client: Client, message: str, **extra: str) -> Any:
    """Send the request form as a colleague would (a new submission each time)."""
    return client.post(
        "/support/new/",
        {
            "topic": "bullying",
            "mode": "messages",
            "use_pseudonym": "pseudonym",
            "language": "en",
            "message": message,
            "submission_id": str(uuid.uuid4()),
            **extra,
        },
    )
