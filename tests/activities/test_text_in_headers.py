"""Text that ends up in an e-mail header or a calendar field: activity titles and places are
one line when typed (page and API), and one stored before that rule (a title holding CR/LF)
still goes out: the call-off, change, reminder and promotion e-mails are sent with a one-line
subject, their calendars hold no line break in SUMMARY, and no task fails."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import icalendar
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from haven.activities import services as activities
from haven.activities.models import Activity
from haven.coffee import services
from haven.core.models import Person
from tests.activities.test_activities import an_activity
from tests.activities.test_activities_pages import _form
from tests.coffee.conftest import colleague_in, joined
from tests.factories import make_person

pytestmark = pytest.mark.django_db

LEGACY_TITLE = "Quiz night\r\nBcc: everyone@example.org"
ONE_LINE_TITLE = "Quiz night Bcc: everyone@example.org"


def _legacy(activity: Activity, **fields: str) -> Activity:
    """Store FIELDS as data from before input was checked: straight into the database."""
    Activity.objects.filter(pk=activity.pk).update(**fields)
    activity.refresh_from_db()
    return activity


def _summary(message: Any) -> str:
    (_name, content, _mime), = message.attachments
    assert "\n" not in content.replace("\r\n", "")  # every line of the .ics ends in CRLF
    return str(icalendar.Calendar.from_ical(content).walk("VEVENT")[0]["SUMMARY"])


def _call_off(activity: Activity) -> None:
    activities.call_off(organiser=activity.organiser, activity=activity, note="Sorry!")


def _change(activity: Activity) -> None:
    # A change queued before the title was checked: editing now makes the title one line
    # first (test_the_page_refuses_…), so the e-mail job is run as the queue would run it.
    activities.tell_changed(activity_id=activity.pk)


def test_editing_an_activity_whose_stored_title_has_a_line_break_asks_for_one_line() -> None:
    activity = _legacy(an_activity(), title=LEGACY_TITLE)

    with pytest.raises(ValidationError) as refused:
        activities.edit(editor=activity.organiser, activity=activity, title=activity.title,
                        description=activity.description, starts_at=activity.starts_at,
                        ends_at=activity.ends_at, time_zone=activity.time_zone,
                        place="Hall B", capacity=activity.capacity)

    assert refused.value.message_dict == {"title": [
        "This must be a single line: it contains a line break (U+000D) at position 11."]}
    activity.refresh_from_db()
    assert (activity.place, activity.sequence) == ("Room 4", 0)


def _remind(activity: Activity) -> None:
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=timezone.now() + timedelta(hours=3),
        ends_at=timezone.now() + timedelta(hours=5))
    assert activities.send_due_reminders() == 1


def _promote(activity: Activity) -> None:
    Activity.objects.filter(pk=activity.pk).update(capacity=1)
    waiting = make_person()
    activities.sign_up(person=waiting, activity=activity)
    first = activity.signups.order_by("joined_at", "id").first()
    activities.cancel(person=first.person, activity=activity)


@pytest.mark.parametrize(("act", "subject"), [
    (_call_off, f"Called off: {ONE_LINE_TITLE}"),
    (_change, f"Changed: {ONE_LINE_TITLE}"),
    (_remind, f"Tomorrow: {ONE_LINE_TITLE}"),
    (_promote, f"You have a place: {ONE_LINE_TITLE}"),
], ids=["call-off", "change", "reminder", "promotion"])
def test_a_stored_title_holding_a_line_break_still_goes_out_on_one_line(
        act: Callable[[Activity], None], subject: str, failed_tasks: list[str],
        django_capture_on_commit_callbacks: Any) -> None:
    activity = _legacy(an_activity(capacity=5), title=LEGACY_TITLE, place="Room\n4")
    going = make_person()
    activities.sign_up(person=going, activity=activity)

    with django_capture_on_commit_callbacks(execute=True):
        act(activity)

    assert failed_tasks == []
    assert mail.outbox, "no e-mail was sent"
    for message in mail.outbox:
        assert message.subject == subject
        assert message.bcc == []
        assert message.message().get_all("Bcc") is None  # no header was slipped in
        assert _summary(message) == ONE_LINE_TITLE


def test_calling_off_through_the_page_e_mails_everyone_for_a_legacy_title(
        as_coordinator: Client, coordinator: Person, failed_tasks: list[str],
        django_capture_on_commit_callbacks: Any) -> None:
    activity = _legacy(an_activity(organiser=coordinator), title=LEGACY_TITLE)
    going = make_person()
    activities.sign_up(person=going, activity=activity)

    with django_capture_on_commit_callbacks(execute=True):
        response = as_coordinator.post(f"/activities/{activity.pk}/call-off/",
                                       {"note": "The hall is flooded.", "confirm": "on"})

    assert response.status_code == 302
    assert failed_tasks == []
    message, = mail.outbox
    assert (message.to, message.subject) == ([going.email], f"Called off: {ONE_LINE_TITLE}")
    assert "The hall is flooded." in message.body


@pytest.mark.parametrize(("field", "value", "message"), [
    ("title", "Quiz\r\nBcc: x@example.org",
     "This must be a single line: it contains a line break (U+000D) at position 5."),
    ("title", "Quiz\u2028night",
     "This must be a single line: it contains a line break (U+2028) at position 5."),
    ("place", "Room\n4", "This must be a single line: it contains a line break (U+000A) at "
                         "position 5."),
    ("title", "Quiz\x00", "The text contains a character that cannot be stored: NUL (U+0000) "
                          "at position 5. Remove it and try again."),
])
def test_the_page_refuses_a_line_break_in_a_title_or_place_and_keeps_what_was_typed(
        as_coordinator: Client, field: str, value: str, message: str) -> None:
    response = as_coordinator.post("/activities/new/", _form(**{field: value}))

    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert response.context["form"][field].value() == value
    page = response.content.decode()
    assert "Teams of four." in page  # the rest of the form is kept too
    assert not Activity.objects.exists()


def test_the_api_and_the_service_refuse_a_line_break_in_a_title(as_coordinator: Client,
                                                                 coordinator: Person) -> None:
    start = timezone.now() + timedelta(days=3)
    body = {"title": "Quiz\r\nnight", "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(), "time_zone": "UTC",
            "place": "Hall", "capacity": 5}

    response = as_coordinator.post("/api/v1/connect/activities", json.dumps(body),
                                   content_type="application/json")

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "title", "message": (
        "This must be a single line: it contains a line break (U+000D) at position 5.")}]
    with pytest.raises(ValidationError, match="single line") as refused:
        activities.propose(organiser=coordinator, title="Quiz\nnight", description="",
                           starts_at=start, ends_at=start + timedelta(hours=1),
                           time_zone="UTC", place="Hall", capacity=5)
    assert "title" in refused.value.error_dict
    assert not Activity.objects.exists()


def test_a_coffee_introduction_goes_out_for_a_name_holding_a_line_break(
        failed_tasks: list[str], django_capture_on_commit_callbacks: Any) -> None:
    first = joined(colleague_in("Payments", "Engineering"))
    second = joined(colleague_in("Payroll", "Finance"))
    Person.objects.filter(pk=first.pk).update(name="Ann\r\nBcc: all@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        services.run_round()

    assert failed_tasks == []
    assert len(mail.outbox) == 2  # one each, in each member's own time zone
    for message in mail.outbox:
        assert "\n" not in message.subject and "\r" not in message.subject
        assert "Ann Bcc: all@example.org" in message.subject and second.name in message.subject
        assert message.bcc == [] and len(message.to) == 1
        (_name, content, _mime), = message.attachments
        event = icalendar.Calendar.from_ical(content).walk("VEVENT")[0]
        names = sorted(str(attendee.params["CN"]) for attendee in event["ATTENDEE"])
        assert names == sorted(["Ann Bcc: all@example.org", second.name])
