"""Activity services: proposing, signing up, the waitlist and its promotion (also under
concurrency on PostgreSQL), the calendar file, reminders and feedback."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from haven.activities import services as activities
from haven.activities.invitations import activity_ics
from haven.activities.models import Activity, ActivityFeedback, ActivitySignup, SignupStatus
from haven.core.models import Person, Role
from haven.core.scheduler import PERIODIC_JOBS
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def an_activity(*, capacity: int = 2, starts_in: timedelta = timedelta(days=3),
                zone: str = "Europe/Paris", organiser: Person | None = None,
                **fields: Any) -> Activity:
    start = timezone.now() + starts_in
    return Activity.objects.create(
        title=fields.pop("title", "Board games"), description="Bring a game.",
        starts_at=start, ends_at=start + timedelta(hours=2), time_zone=zone,
        place=fields.pop("place", "Room 4"), capacity=capacity,
        organiser=organiser or make_person(Role.COORDINATOR, mfa=False), **fields)


def at_once(actions: list[Callable[[], object]]) -> list[BaseException]:
    """Run ACTIONS in threads released together, each on its own connection; what they
    raised."""
    barrier = threading.Barrier(len(actions))
    errors: list[BaseException] = []

    def run(action: Callable[[], object]) -> None:
        try:
            barrier.wait()
            action()
        except BaseException as error:  # returned to the test, which asserts on it
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def _propose(organiser: Person, **changes: Any) -> Activity:
    start = timezone.now() + timedelta(days=7)
    data: dict[str, Any] = {
        "title": "Picnic", "description": "In the park.", "starts_at": start,
        "ends_at": start + timedelta(hours=2), "time_zone": "Europe/London",
        "place": "Hyde Park", "online_link": "", "capacity": 20,
        "accessibility": "Step-free paths."}
    data.update(changes)
    return activities.propose(organiser=organiser, **data)


# Proposing ------------------------------------------------------------------------------------

def test_a_coordinator_proposes_an_activity() -> None:
    organiser = make_person(Role.COORDINATOR, mfa=False)

    activity = _propose(organiser, title="  Picnic  ")

    assert (activity.title, activity.organiser, activity.capacity) == ("Picnic", organiser, 20)


def test_a_colleague_may_not_propose_by_default() -> None:
    with pytest.raises(PermissionDenied):
        _propose(make_person())
    assert not Activity.objects.exists()


def test_a_colleague_may_propose_when_the_organisation_allows(settings: Any) -> None:
    settings.HAVEN_COLLEAGUES_PROPOSE_ACTIVITIES = True

    assert _propose(make_person()).pk


@pytest.mark.parametrize(("changes", "field"), [
    ({"title": "   "}, "title"),
    ({"title": "x" * 151}, "title"),
    ({"description": "x" * 4001}, "description"),
    ({"time_zone": "Mars/Olympus"}, "time_zone"),
    ({"starts_at": timezone.now() - timedelta(hours=1)}, "starts_at"),
    ({"ends_at": timezone.now()}, "ends_at"),
    ({"place": "", "online_link": ""}, "place"),
    ({"online_link": "javascript:alert(1)"}, "online_link"),
    ({"capacity": 0}, "capacity"),
])
def test_bad_input_is_refused_with_a_reason_and_saves_nothing(changes: dict[str, Any],
                                                               field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _propose(make_person(Role.COORDINATOR, mfa=False), **changes)

    assert field in caught.value.error_dict
    assert not Activity.objects.exists()


# Signing up and the waitlist ------------------------------------------------------------------

def test_people_get_places_then_join_the_waitlist_in_order() -> None:
    activity = an_activity(capacity=2)
    people = [make_person() for _ in range(4)]

    statuses = [activities.sign_up(person=person, activity=activity).status for person in people]

    assert statuses == ["going", "going", "waitlist", "waitlist"]


def test_signing_up_twice_is_refused_and_changes_nothing() -> None:
    activity, person = an_activity(), make_person()
    activities.sign_up(person=person, activity=activity)

    with pytest.raises(ValidationError, match="already have a place"):
        activities.sign_up(person=person, activity=activity)
    assert ActivitySignup.objects.count() == 1


def test_signing_up_for_a_started_activity_is_refused() -> None:
    activity = an_activity(starts_in=timedelta(minutes=-5))

    with pytest.raises(ValidationError, match="already started"):
        activities.sign_up(person=make_person(), activity=activity)
    assert not ActivitySignup.objects.exists()


def test_a_cancellation_promotes_the_first_on_the_waitlist_and_emails_them(
        django_capture_on_commit_callbacks: Any) -> None:
    activity = an_activity(capacity=1, title="Choir")
    first, second, third = make_person(), make_person(), make_person()
    for person in (first, second, third):
        activities.sign_up(person=person, activity=activity)

    with django_capture_on_commit_callbacks(execute=True):
        promoted = activities.cancel(person=first, activity=activity)

    assert promoted is not None and promoted.person == second
    statuses = dict(ActivitySignup.objects.values_list("person_id", "status"))
    assert statuses == {second.pk: "going", third.pk: "waitlist"}
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [second.email]
    assert "Choir" in message.subject
    name, content, mime = message.attachments[0]
    assert (name, mime) == (f"activity-{activity.pk}.ics", "text/calendar")
    assert icalendar.Calendar.from_ical(content).walk("VEVENT")[0]["SUMMARY"] == "Choir"


def test_leaving_the_waitlist_promotes_nobody() -> None:
    activity = an_activity(capacity=1)
    going, waiting = make_person(), make_person()
    activities.sign_up(person=going, activity=activity)
    activities.sign_up(person=waiting, activity=activity)

    assert activities.cancel(person=waiting, activity=activity) is None
    assert list(ActivitySignup.objects.values_list("person_id", "status")) == [
        (going.pk, "going")]
    assert not mail.outbox


def test_cancelling_without_a_place_is_refused() -> None:
    with pytest.raises(ValidationError, match="not signed up"):
        activities.cancel(person=make_person(), activity=an_activity())


@pytest.mark.skipif("connection.vendor != 'postgresql'",
                    reason="SQLite serialises every writer; the row lock matters on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_sign_ups_never_overfill_an_activity() -> None:
    activity = an_activity(capacity=3)
    people = [make_person() for _ in range(12)]

    errors = at_once([lambda person=person: activities.sign_up(person=person, activity=activity)
                      for person in people])

    assert not errors
    assert ActivitySignup.objects.filter(status=SignupStatus.GOING).count() == 3
    assert ActivitySignup.objects.filter(status=SignupStatus.WAITLIST).count() == 9


@pytest.mark.skipif("connection.vendor != 'postgresql'",
                    reason="SQLite serialises every writer; the row lock matters on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_cancellations_promote_each_waiting_person_once() -> None:
    activity = an_activity(capacity=4)
    going = [make_person() for _ in range(4)]
    waiting = [make_person() for _ in range(6)]
    for person in going + waiting:
        activities.sign_up(person=person, activity=activity)

    errors = at_once([lambda person=person: activities.cancel(person=person, activity=activity)
                      for person in going])

    assert not errors
    now_going = set(ActivitySignup.objects.filter(status=SignupStatus.GOING)
                    .values_list("person_id", flat=True))
    assert now_going == {person.pk for person in waiting[:4]}


# The calendar file ----------------------------------------------------------------------------

def test_the_invitation_is_rfc_5545_in_the_activity_time_zone() -> None:
    activity = an_activity(zone="America/New_York", online_link="https://meet.example/x",
                           accessibility="Captions on.")

    calendar = icalendar.Calendar.from_ical(activity_ics(activity))

    assert calendar["VERSION"] == "2.0"
    event = calendar.walk("VEVENT")[0]
    assert str(event["UID"]).startswith(str(activity.calendar_uid))
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    start = event.decoded("DTSTART")
    assert start == activity.starts_at.replace(microsecond=0)
    assert start.tzinfo is not None and str(start.tzinfo) == "America/New_York"
    assert event.decoded("DTEND") - start == timedelta(hours=2)
    assert "Captions on." in str(event["DESCRIPTION"])
    assert "Room 4" in str(event["LOCATION"])
    assert str(event["URL"]) == "https://meet.example/x"
    assert [zone["TZID"] for zone in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    assert "DTSTAMP" in event


# Reminders ------------------------------------------------------------------------------------

def test_the_reminder_job_is_scheduled() -> None:
    assert "haven.activities.jobs.remind_activities" in PERIODIC_JOBS


def test_reminders_go_once_to_each_person_going_a_day_before(
        django_capture_on_commit_callbacks: Any) -> None:
    soon = an_activity(capacity=2, starts_in=timedelta(hours=20), title="Quiz")
    later = an_activity(starts_in=timedelta(days=3))
    going = [make_person(), make_person()]
    waiting = make_person()
    for person in [*going, waiting]:
        activities.sign_up(person=person, activity=soon)
    activities.sign_up(person=make_person(), activity=later)

    with django_capture_on_commit_callbacks(execute=True):
        assert activities.send_due_reminders() == 1
        assert activities.send_due_reminders() == 0

    assert sorted(message.to[0] for message in mail.outbox) == sorted(p.email for p in going)
    assert all(len(message.to) == 1 and "Quiz" in message.subject for message in mail.outbox)
    soon.refresh_from_db()
    assert soon.reminder_sent_at is not None


# Feedback -------------------------------------------------------------------------------------

def _ended_with(person: Person) -> Activity:
    activity = an_activity()
    activities.sign_up(person=person, activity=activity)
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1))
    activity.refresh_from_db()
    return activity


def test_feedback_is_a_score_once_after_the_end() -> None:
    person = make_person()
    activity = _ended_with(person)

    activities.give_feedback(person=person, activity=activity, score=4)
    with pytest.raises(ValidationError, match="already given"):
        activities.give_feedback(person=person, activity=activity, score=5)

    assert list(ActivityFeedback.objects.values_list("score", flat=True)) == [4]


@pytest.mark.parametrize("score", [0, 6, -1, True])
def test_a_score_outside_1_to_5_is_refused(score: int) -> None:
    person = make_person()
    with pytest.raises(ValidationError, match="1 to 5"):
        activities.give_feedback(person=person, activity=_ended_with(person), score=score)
    assert not ActivityFeedback.objects.exists()


def test_feedback_waits_for_the_end_and_needs_a_place() -> None:
    person = make_person()
    upcoming = an_activity()
    activities.sign_up(person=person, activity=upcoming)
    with pytest.raises(ValidationError, match="once the activity has ended"):
        activities.give_feedback(person=person, activity=upcoming, score=3)
    with pytest.raises(ValidationError, match="had a place"):
        activities.give_feedback(person=make_person(), activity=_ended_with(person), score=3)


def test_local_times_are_kept_in_the_activity_zone() -> None:
    start = datetime(2031, 3, 30, 18, 0, tzinfo=ZoneInfo("Europe/Paris"))
    activity = _propose(make_person(Role.COORDINATOR, mfa=False), starts_at=start,
                        ends_at=start + timedelta(hours=1), time_zone="Europe/Paris")

    assert activity.starts_at == start
