"""Changing and calling off an activity: who may, the rules of proposing, places never below
the people going, the waitlist promoted when places are added, calendar updates (REQUEST and
CANCEL, parsed with icalendar), the audit, and what a called-off activity refuses."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import icalendar
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection  # noqa: F401  (read by the skipif conditions)
from django.utils import timezone

from haven.activities import selectors
from haven.activities import services as activities
from haven.activities.invitations import activity_ics
from haven.activities.models import Activity, ActivityAudit, ActivitySignup, SignupStatus
from haven.core.models import AuditEvent, Person, Role
from tests.activities.test_activities import an_activity, at_once
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def _fields(activity: Activity, **changes: Any) -> dict[str, Any]:
    data = {name: getattr(activity, name) for name in (
        "title", "description", "starts_at", "ends_at", "time_zone", "place", "online_link",
        "capacity", "accessibility")}
    data.update(changes)
    return data


def _edit(activity: Activity, editor: Person | None = None, **changes: Any) -> Activity:
    return activities.edit(editor=editor or activity.organiser, activity=activity,
                           **_fields(activity, **changes))


def _event(message: Any) -> tuple[icalendar.Calendar, Any]:
    name, content, mime = message.attachments[0]
    calendar = icalendar.Calendar.from_ical(content)
    return calendar, calendar.walk("VEVENT")[0]


def _signed_up(activity: Activity, count: int) -> list[Person]:
    people = [make_person() for _ in range(count)]
    for person in people:
        activities.sign_up(person=person, activity=activity)
    return people


def _statuses(activity: Activity) -> dict[int, str]:
    return dict(ActivitySignup.objects.filter(activity=activity)
                .values_list("person_id", "status"))


# Changing -------------------------------------------------------------------------------------

def test_a_new_time_raises_the_sequence_and_updates_every_calendar(
        django_capture_on_commit_callbacks: Any) -> None:
    activity = an_activity(capacity=1, title="Choir")
    going, waiting = _signed_up(activity, 2)
    later = activity.starts_at + timedelta(days=1)

    with django_capture_on_commit_callbacks(execute=True):
        _edit(activity, starts_at=later, ends_at=later + timedelta(hours=2), place="Hall B")

    activity.refresh_from_db()
    assert (activity.sequence, activity.place, activity.starts_at) == (1, "Hall B", later)
    assert sorted(message.to[0] for message in mail.outbox) == sorted([going.email,
                                                                       waiting.email])
    for message in mail.outbox:
        assert len(message.to) == 1 and message.subject == "Changed: Choir"
        assert "Hall B" in message.body
        assert message.attachments[0][2] == "text/calendar; method=REQUEST"
        calendar, event = _event(message)
        assert calendar["METHOD"] == "REQUEST"
        assert event["SEQUENCE"] == 1 and event["STATUS"] == "CONFIRMED"
        assert str(event["UID"]).startswith(str(activity.calendar_uid))
        assert event.decoded("DTSTART") == later.replace(microsecond=0)
        # The only attendee is the person the e-mail goes to: nobody learns who else is going.
        assert str(event["ATTENDEE"]).lower() == f"mailto:{message.to[0]}".lower()
        assert str(event["ORGANIZER"]).startswith("mailto:")
    by_person = {message.to[0]: message.body for message in mail.outbox}
    assert "where you are on the waitlist" in by_person[waiting.email]
    assert "where you are on the waitlist" not in by_person[going.email]


def test_a_change_that_does_not_move_the_event_tells_nobody(
        django_capture_on_commit_callbacks: Any) -> None:
    activity = an_activity()
    _signed_up(activity, 1)

    with django_capture_on_commit_callbacks(execute=True):
        _edit(activity, description="Bring two games.", accessibility="Lift to floor 2.")

    activity.refresh_from_db()
    assert (activity.description, activity.sequence) == ("Bring two games.", 0)
    assert not mail.outbox


def test_changes_are_audited_without_any_text() -> None:
    activity = an_activity(title="Secret Santa")

    _edit(activity, title="Winter party", description="Mulled apple juice.")

    event = AuditEvent.objects.get(action=ActivityAudit.ACTIVITY_CHANGED)
    assert (event.actor, event.object_type, event.object_id) == (
        activity.organiser, "activity", str(activity.pk))
    assert event.detail == {"sequence": 1, "calendar_changed": True, "promoted": 0}
    for text in ("Santa", "Winter", "apple"):
        assert text not in str(event.detail)


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ADMINISTRATOR])
def test_coordinators_and_administrators_may_change_anyones_activity(role: str) -> None:
    activity = an_activity(organiser=make_person(mfa=False))

    _edit(activity, make_person(role, mfa=False), title="Renamed")

    activity.refresh_from_db()
    assert activity.title == "Renamed"


def test_other_colleagues_may_not_change_or_call_off() -> None:
    activity = an_activity(organiser=make_person(mfa=False))
    stranger = make_person()

    with pytest.raises(PermissionDenied):
        _edit(activity, stranger, title="Mine now")
    with pytest.raises(PermissionDenied):
        activities.call_off(organiser=stranger, activity=activity)

    activity.refresh_from_db()
    assert (activity.title, activity.cancelled_at, activity.sequence) == ("Board games", None, 0)
    assert not AuditEvent.objects.exists()


def test_a_colleague_who_organised_it_may_change_it() -> None:
    organiser = make_person()
    activity = an_activity(organiser=organiser)

    _edit(activity, organiser, place="Room 5")

    activity.refresh_from_db()
    assert activity.place == "Room 5"


@pytest.mark.parametrize(("changes", "field"), [
    ({"title": "  "}, "title"),
    ({"description": "x" * 4001}, "description"),
    ({"time_zone": "Mars/Olympus"}, "time_zone"),
    ({"starts_at": timezone.now() - timedelta(hours=1)}, "starts_at"),
    ({"place": "", "online_link": ""}, "place"),
    ({"online_link": "http://plain.example"}, "online_link"),
    ({"capacity": 10_001}, "capacity"),
])
def test_changes_follow_the_rules_of_proposing(changes: dict[str, Any], field: str) -> None:
    activity = an_activity()

    with pytest.raises(ValidationError) as caught:
        _edit(activity, **changes)

    assert field in caught.value.error_dict
    assert Activity.objects.get().title == "Board games"
    assert not AuditEvent.objects.exists()


def test_a_started_activity_cannot_be_changed() -> None:
    activity = an_activity(starts_in=timedelta(minutes=-10))

    with pytest.raises(ValidationError, match="already started, so it can no longer be changed"):
        _edit(activity, title="Late rename", starts_at=timezone.now() + timedelta(hours=1),
              ends_at=timezone.now() + timedelta(hours=2))

    assert Activity.objects.get().title == "Board games"


def test_places_cannot_drop_below_the_people_going() -> None:
    activity = an_activity(capacity=4)
    _signed_up(activity, 3)

    with pytest.raises(ValidationError) as caught:
        _edit(activity, capacity=2, title="Smaller")

    assert caught.value.message_dict["capacity"] == [
        "3 people already have a place, so keep at least 3 places. Someone who cannot come "
        "can give up their place."]
    activity.refresh_from_db()
    assert (activity.capacity, activity.title) == (4, "Board games")
    _edit(activity, capacity=3)
    activity.refresh_from_db()
    assert activity.capacity == 3


def test_more_places_go_to_the_waitlist_in_order_and_each_is_told(
        django_capture_on_commit_callbacks: Any) -> None:
    activity = an_activity(capacity=1, title="Pottery")
    going, first, second, third = _signed_up(activity, 4)
    # The waitlist's order is the time of joining, not the id.
    ActivitySignup.objects.filter(person=first).update(
        joined_at=timezone.now() + timedelta(seconds=5))

    with django_capture_on_commit_callbacks(execute=True):
        _edit(activity, capacity=3, title="Pottery class")

    assert _statuses(activity) == {going.pk: "going", second.pk: "going", third.pk: "going",
                                   first.pk: "waitlist"}
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    # The promoted hear of their place (with the current invitation), not of the change too.
    assert subjects == {second.email: "You have a place: Pottery class",
                        third.email: "You have a place: Pottery class",
                        going.email: "Changed: Pottery class",
                        first.email: "Changed: Pottery class"}
    assert AuditEvent.objects.get(action=ActivityAudit.ACTIVITY_CHANGED).detail["promoted"] == 2


def test_moving_the_start_sends_the_reminder_again_before_the_new_time(
        django_capture_on_commit_callbacks: Any) -> None:
    activity = an_activity(starts_in=timedelta(hours=20))
    _signed_up(activity, 1)
    assert activities.send_due_reminders() == 1
    mail.outbox.clear()
    later = timezone.now() + timedelta(hours=22)

    _edit(activity, starts_at=later, ends_at=later + timedelta(hours=1))

    with django_capture_on_commit_callbacks(execute=True):
        assert activities.send_due_reminders() == 1
    assert len(mail.outbox) == 1


@pytest.mark.skipif("connection.vendor != 'postgresql'",
                    reason="SQLite serialises every writer; the row lock matters on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_added_places_and_concurrent_cancellations_promote_each_person_once() -> None:
    activity = an_activity(capacity=2)
    going = _signed_up(activity, 2)
    waiting = _signed_up(activity, 6)

    errors = at_once([lambda: _edit(Activity.objects.get(pk=activity.pk), capacity=4),
                      *[lambda person=person: activities.cancel(person=person, activity=activity)
                        for person in going]])

    assert not errors
    now_going = set(ActivitySignup.objects.filter(status=SignupStatus.GOING)
                    .values_list("person_id", flat=True))
    assert now_going == {person.pk for person in waiting[:4]}


# Calling off ----------------------------------------------------------------------------------

def test_calling_off_tells_everyone_signed_up_and_cancels_their_calendars(
        django_capture_on_commit_callbacks: Any) -> None:
    activity = an_activity(capacity=1, title="Quiz")
    going, waiting = _signed_up(activity, 2)

    with django_capture_on_commit_callbacks(execute=True):
        activities.call_off(organiser=activity.organiser, activity=activity,
                            note="  The venue flooded; we will pick a new date.  ")

    activity.refresh_from_db()
    assert activity.cancelled_at is not None and activity.sequence == 1
    assert activity.cancellation_note == "The venue flooded; we will pick a new date."
    assert sorted(message.to[0] for message in mail.outbox) == sorted([going.email,
                                                                       waiting.email])
    for message in mail.outbox:
        assert message.subject == "Called off: Quiz"
        assert "The venue flooded; we will pick a new date." in message.body
        assert "give up your place" not in message.body
        assert message.attachments[0][2] == "text/calendar; method=CANCEL"
        assert 'Content-Type: text/calendar; method="CANCEL"' in message.message().as_string()
        calendar, event = _event(message)
        assert calendar["METHOD"] == "CANCEL"
        assert (event["SEQUENCE"], event["STATUS"]) == (1, "CANCELLED")
        assert str(event["UID"]).startswith(str(activity.calendar_uid))
        assert str(event["ATTENDEE"]).lower() == f"mailto:{message.to[0]}".lower()
    audit = AuditEvent.objects.get(action=ActivityAudit.ACTIVITY_CALLED_OFF)
    assert (audit.actor, audit.object_id) == (activity.organiser, str(activity.pk))
    assert audit.detail == {"sequence": 1, "signed_up": 2}


def test_a_sequence_raised_by_a_change_carries_on_into_the_cancel(
        django_capture_on_commit_callbacks: Any) -> None:
    activity = an_activity()
    _signed_up(activity, 1)
    _edit(activity, place="Room 9")

    with django_capture_on_commit_callbacks(execute=True):
        activities.call_off(organiser=activity.organiser, activity=activity)

    assert _event(mail.outbox[-1])[1]["SEQUENCE"] == 2


def test_calling_off_twice_or_after_the_start_is_refused() -> None:
    activity = an_activity()
    activities.call_off(organiser=activity.organiser, activity=activity)
    with pytest.raises(ValidationError, match="already been called off"):
        activities.call_off(organiser=activity.organiser, activity=activity)

    started = an_activity(starts_in=timedelta(minutes=-1))
    with pytest.raises(ValidationError, match="already started"):
        activities.call_off(organiser=started.organiser, activity=started)

    assert Activity.objects.get(pk=activity.pk).sequence == 1
    assert Activity.objects.get(pk=started.pk).cancelled_at is None


def test_an_over_long_note_is_refused() -> None:
    activity = an_activity()

    with pytest.raises(ValidationError) as caught:
        activities.call_off(organiser=activity.organiser, activity=activity, note="x" * 301)

    assert "note" in caught.value.error_dict
    assert Activity.objects.get().cancelled_at is None


def test_a_called_off_activity_refuses_changes_sign_ups_and_feedback() -> None:
    activity = an_activity()
    person = make_person()
    activities.sign_up(person=person, activity=activity)
    activities.call_off(organiser=activity.organiser, activity=activity)
    activity.refresh_from_db()

    with pytest.raises(ValidationError, match="called off, so it can no longer be changed"):
        _edit(activity, title="Back on")
    with pytest.raises(ValidationError, match="called off: sign-up is closed"):
        activities.sign_up(person=make_person(), activity=activity)
    with pytest.raises(ValidationError, match="called off: there is no place to give up"):
        activities.cancel(person=person, activity=activity)
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1))
    activity.refresh_from_db()
    with pytest.raises(ValidationError, match="called off, so there is nothing to give"):
        activities.give_feedback(person=person, activity=activity, score=4)
    assert ActivitySignup.objects.count() == 1


def test_a_called_off_activity_drops_out_of_reminders_and_the_upcoming_list() -> None:
    activity = an_activity(starts_in=timedelta(hours=20))
    _signed_up(activity, 2)
    still_on = an_activity(starts_in=timedelta(days=4))
    activities.call_off(organiser=activity.organiser, activity=activity)

    assert activities.send_due_reminders() == 0
    assert not mail.outbox
    viewer, now = make_person(), timezone.now()
    assert [a.pk for a in selectors.upcoming(viewer=viewer, now=now)] == [still_on.pk]
    assert [a.pk for a in selectors.called_off(viewer=viewer, now=now)] == [activity.pk]


def test_the_download_carries_the_current_sequence_and_status() -> None:
    activity = an_activity()
    event = icalendar.Calendar.from_ical(activity_ics(activity)).walk("VEVENT")[0]
    assert (event["SEQUENCE"], event["STATUS"]) == (0, "CONFIRMED")

    _edit(activity, title="Board games night")
    activities.call_off(organiser=activity.organiser, activity=activity)
    activity.refresh_from_db()

    calendar = icalendar.Calendar.from_ical(activity_ics(activity))
    event = calendar.walk("VEVENT")[0]
    assert (event["SEQUENCE"], event["STATUS"], event["SUMMARY"]) == (
        2, "CANCELLED", "Board games night")
    assert "METHOD" not in calendar and "ATTENDEE" not in event
