"""Coffee pairings end to end through the services: who is due, what is never paired, the
introduction e-mail with its invitation, and rounds that run once."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import icalendar
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from haven.coffee import services
from haven.coffee.models import CoffeeBlock, CoffeeGroup, CoffeeMembership, PairingRound
from haven.coffee.starters import STARTERS
from haven.core.scheduler import PERIODIC_JOBS
from tests.coffee.conftest import colleague_in, joined, profile
from tests.factories import LocationFactory, make_person
from tests.support.conftest import open_request

pytestmark = pytest.mark.django_db


def groups_of_round(pairing_round: PairingRound) -> set[frozenset[int]]:
    return {frozenset(group.memberships.values_list("person_id", flat=True))
            for group in pairing_round.groups.all()}


# Taking part ----------------------------------------------------------------------------------

def test_in_person_without_a_chosen_place_means_the_usual_location() -> None:
    person = make_person()

    saved = services.save_profile(person=person, active=True, frequency="weekly",
                                  mode="in_person", location=None)

    assert saved.location == person.location


def test_in_person_needs_a_location_from_somewhere() -> None:
    person = make_person(location=None)

    with pytest.raises(ValidationError) as error:
        services.save_profile(person=person, active=True, frequency="weekly",
                              mode="in_person", location=None)

    assert "location" in error.value.message_dict


def test_remote_forgets_the_meeting_place_and_bad_choices_are_refused() -> None:
    person = make_person()

    saved = services.save_profile(person=person, active=True, frequency="monthly",
                                  mode="remote", location=LocationFactory())

    assert saved.location is None
    with pytest.raises(ValidationError):
        services.save_profile(person=person, active=True, frequency="daily", mode="remote",
                              location=None)
    with pytest.raises(ValidationError):
        services.save_profile(person=person, active=True, frequency="weekly", mode="teleport",
                              location=None)


def test_a_block_is_by_e_mail_once_and_never_of_oneself() -> None:
    person, other = make_person(), make_person()

    services.block(person=person, email=other.email.upper())
    services.block(person=person, email=other.email)

    assert CoffeeBlock.objects.filter(blocker=person, blocked=other).count() == 1
    with pytest.raises(ValidationError):
        services.block(person=person, email=person.email)
    with pytest.raises(ValidationError):
        services.block(person=person, email="nobody@example.org")


# Rounds ---------------------------------------------------------------------------------------

def test_a_round_groups_everyone_due_in_pairs_and_one_three() -> None:
    people = [joined() for _ in range(5)]

    pairing_round = services.run_round()

    groups = groups_of_round(pairing_round)
    assert sorted(len(group) for group in groups) == [2, 3]
    assert set().union(*groups) == {person.pk for person in people}
    assert (pairing_round.participants, pairing_round.groups_made,
            pairing_round.unpaired) == (5, 2, 0)


def test_a_round_mixes_teams_and_departments() -> None:
    people = [colleague_in("Payments", "Engineering"), colleague_in("Payments", "Engineering"),
              colleague_in("Payroll", "Finance"), colleague_in("Payroll", "Finance")]
    for person in people:
        joined(person)

    groups = groups_of_round(services.run_round(seed=1))

    for group in groups:
        assert len({person.team_id for person in people if person.pk in group}) == 2


def test_blocked_people_are_never_paired_whoever_blocked_whom() -> None:
    first, second = joined(), joined()
    services.block(person=second, email=first.email)

    pairing_round = services.run_round()

    assert pairing_round.groups_made == 0
    assert pairing_round.unpaired == 2


def test_a_requester_and_their_person_of_concern_are_never_paired() -> None:
    requester, concern = joined(), joined()
    open_request(requester, person_of_concern=concern)

    assert services.run_round().groups_made == 0


def test_in_person_meets_only_the_same_place_and_never_remote() -> None:
    leeds = LocationFactory(name="Leeds")
    berlin = LocationFactory(name="Berlin", time_zone="Europe/Berlin")
    in_leeds = [joined(mode="in_person", location=leeds) for _ in range(2)]
    in_berlin = joined(mode="in_person", location=berlin)
    remote = [joined(location=leeds), joined(location=berlin)]

    groups = groups_of_round(services.run_round())

    assert groups == {frozenset(p.pk for p in in_leeds), frozenset(p.pk for p in remote)}
    assert not CoffeeMembership.objects.filter(person=in_berlin).exists()
    leeds_group = CoffeeGroup.objects.get(mode="in_person")
    assert (leeds_group.location, leeds_group.time_zone) == (leeds, "Europe/London")


def test_pairs_are_not_repeated_within_the_last_n_rounds(settings: object) -> None:
    settings.HAVEN_COFFEE_NO_REPEAT_ROUNDS = 2  # type: ignore[attr-defined]
    joined(), joined()
    now = timezone.now()

    results = [services.run_round(now=now + timedelta(weeks=week)).groups_made
               for week in range(5)]

    # Met in week 0; week 1 and 2 still see week 0 among their last two rounds; week 3 not.
    assert results == [1, 0, 0, 1, 0]


def test_each_person_is_due_again_only_after_their_interval() -> None:
    weekly_a, weekly_b = joined(frequency="weekly"), joined(frequency="weekly")
    monthly_a, monthly_b = joined(frequency="monthly"), joined(frequency="monthly")
    now = timezone.now()
    services.run_round(now=now, seed=3)

    a_week_later = services.run_round(now=now + timedelta(days=7), seed=3)

    assert a_week_later.participants == 2
    members = set().union(*groups_of_round(a_week_later)) if a_week_later.groups_made else set()
    assert members <= {weekly_a.pk, weekly_b.pk}
    assert {monthly_a.pk, monthly_b.pk}.isdisjoint(members)


def test_people_who_stopped_or_left_are_not_paired() -> None:
    stopped, left, staying = joined(), joined(), joined()
    services.save_profile(person=stopped, active=False, frequency="weekly", mode="remote",
                          location=None)
    left.is_active = False
    left.save()

    pairing_round = services.run_round()

    assert pairing_round.participants == 1
    assert pairing_round.unpaired == 1
    assert profile(staying).active


def test_the_same_confirmation_sent_twice_runs_one_round() -> None:
    joined(), joined()
    submission = str(uuid.uuid4())

    first = services.run_round(submission_id=submission)
    second = services.run_round(submission_id=submission)

    assert first.pk == second.pk
    assert PairingRound.objects.count() == 1


# Introductions --------------------------------------------------------------------------------

def test_each_group_is_introduced_by_e_mail_with_a_calendar_invitation(commit: object) -> None:
    first = joined(colleague_in("Payments", "Engineering", location="Leeds"), mode="in_person")
    second = joined(colleague_in("Payroll", "Finance", location="Leeds"), mode="in_person")

    with commit():  # type: ignore[operator]
        services.run_round()

    # One each: every introduction carries its member's own unsubscribe link.
    assert sorted(message.to for message in mail.outbox) == sorted([[first.email],
                                                                   [second.email]])
    message = mail.outbox[0]
    assert first.name in message.subject and second.name in message.subject
    group = CoffeeGroup.objects.get()
    assert any(str(STARTERS[index]) in message.body for index in group.starters)
    (name, content, mime_type), = message.attachments
    assert (name, mime_type) == ("coffee.ics", "text/calendar")
    calendar = icalendar.Calendar.from_ical(content)
    event, = calendar.walk("VEVENT")
    assert str(event["UID"]).startswith(str(group.calendar_uid))
    assert event["DTSTAMP"].dt.tzinfo is not None
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert event["DTSTART"].dt == group.meet_at
    assert event["DTEND"].dt - event["DTSTART"].dt == timedelta(minutes=30)
    assert "Payments" not in str(event["DESCRIPTION"])  # starters and names, no directory data
    attendees = sorted(str(attendee) for attendee in event["ATTENDEE"])
    assert attendees == sorted(f"mailto:{p.email}" for p in (first, second))
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/London"


def test_nothing_is_sent_before_the_round_commits(commit: object) -> None:
    joined(), joined()

    services.run_round()  # in the test's transaction, never committed

    assert mail.outbox == []


def test_a_remote_group_gets_a_time_in_working_hours_for_its_members() -> None:
    day = datetime(2026, 3, 5).date()

    start, zone = services.suggest_meeting(day=day, mode="remote",
                                           zones=["Europe/London", "America/Toronto"])

    assert zone == "UTC"
    assert 10 <= start.astimezone(__import__("zoneinfo").ZoneInfo("America/Toronto")).hour < 16
    assert 10 <= start.hour < 16  # London is on UTC in March


# Did you meet? --------------------------------------------------------------------------------

def test_only_members_answer_did_you_meet() -> None:
    first, second = joined(), joined()
    services.run_round()
    group = CoffeeGroup.objects.get()

    services.answer_met(person=first, group=group, met=True)

    assert CoffeeMembership.objects.get(group=group, person=first).met is True
    assert CoffeeMembership.objects.get(group=group, person=second).met is None
    with pytest.raises(ValidationError):
        services.answer_met(person=make_person(), group=group, met=False)


# The schedule ---------------------------------------------------------------------------------

def test_the_schedule_runs_one_round_a_week_from_its_hour(settings: object) -> None:
    settings.HAVEN_COFFEE_WEEKDAY = 0  # type: ignore[attr-defined]
    settings.HAVEN_COFFEE_HOUR = 9  # type: ignore[attr-defined]
    joined(), joined()
    zone = timezone.get_current_timezone()
    monday_early = datetime(2026, 3, 2, 8, 0, tzinfo=zone)
    monday_later = datetime(2026, 3, 2, 9, 30, tzinfo=zone)
    tuesday = datetime(2026, 3, 3, 12, 0, tzinfo=zone)

    assert services.run_due_round(now=monday_early) == 0
    assert not PairingRound.objects.exists()
    assert services.run_due_round(now=monday_later) == 1
    assert services.run_due_round(now=tuesday) == 0
    assert PairingRound.objects.get().scheduled_for == monday_later.date()


def test_the_schedule_is_a_periodic_job() -> None:
    assert "haven.coffee.jobs.run_due_coffee_round" in PERIODIC_JOBS


def test_the_schedule_does_nothing_when_nobody_takes_part() -> None:
    assert services.run_due_round() == 0
    assert not PairingRound.objects.exists()
