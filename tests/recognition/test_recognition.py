"""Recognition services and selectors: giving, bad input, audiences, reactions, moderation,
milestones and the weekly digest."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from haven.core.models import AuditEvent, Person, Role
from haven.core.scheduler import PERIODIC_JOBS
from haven.recognition import selectors
from haven.recognition import services as recognition
from haven.recognition.models import (
    CompanyValue,
    Reaction,
    Recognition,
    RecognitionAudit,
    RecognitionDigest,
    RecognitionStatus,
)
from tests.factories import TeamFactory, make_person

pytestmark = pytest.mark.django_db


def give(giver: Person, to: Person | None = None, **fields: Any) -> Recognition:
    fields.setdefault("message", "Thank you for untangling the release on Friday.")
    fields.setdefault("audience", "organisation")
    return recognition.give_recognition(
        giver=giver, recipient_email=to.email if to else fields.pop("recipient_email", ""),
        **fields)


def shown_to(person: Person) -> set[int]:
    return {item.recognition.pk for item in selectors.feed(viewer=person)}


# Giving -----------------------------------------------------------------------------------

def test_it_recognises_a_colleague_with_values() -> None:
    giver, colleague = make_person(), make_person()
    care = recognition.add_value(name="Care", description="We look after each other")

    given = give(giver, colleague, value_ids=[care.pk])

    assert given.status == RecognitionStatus.PUBLISHED
    assert given.recipient == colleague and list(given.values.all()) == [care]


def test_it_recognises_a_team() -> None:
    team = TeamFactory(name="Platform")

    given = give(make_person(), team=team, audience="team")

    assert given.team == team and given.audience_team == team and given.recipient is None


@pytest.mark.parametrize(("fields", "field"), [
    ({"recipient_email": "nobody@example.org"}, "recipient_email"),
    ({"recipient_email": ""}, "recipient_email"),
    ({"message": "   "}, "message"),
    ({"message": "x" * 1001}, "message"),
    ({"audience": "everyone-ever"}, "audience"),
])
def test_bad_input_is_refused_and_changes_nothing(fields: dict[str, str], field: str) -> None:
    to = None if "recipient_email" in fields else make_person()
    with pytest.raises(ValidationError) as error:
        give(make_person(), to, **fields)

    assert field in error.value.message_dict
    assert not Recognition.objects.exists()


def test_it_refuses_recognising_yourself() -> None:
    person = make_person()

    with pytest.raises(ValidationError, match="cannot recognise yourself"):
        give(person, person)
    assert not Recognition.objects.exists()


def test_it_refuses_a_person_and_a_team_at_once() -> None:
    with pytest.raises(ValidationError, match="not both"):
        give(make_person(), make_person(), team=TeamFactory())


def test_it_refuses_an_inactive_colleague() -> None:
    with pytest.raises(ValidationError, match="Nobody in the directory"):
        give(make_person(), make_person(is_active=False))


def test_a_private_thank_you_needs_a_person() -> None:
    with pytest.raises(ValidationError, match="private thank-you"):
        give(make_person(), team=TeamFactory(), audience="private")


def test_the_team_audience_needs_a_team() -> None:
    with pytest.raises(ValidationError, match="not in a team"):
        give(make_person(), make_person(team=None, department=None), audience="team")


def test_values_must_be_configured_and_in_use() -> None:
    retired = recognition.add_value(name="Old value")
    recognition.add_value(name="Courage")
    recognition.set_value_active(value_id=retired.pk, active=False)

    with pytest.raises(ValidationError, match="from the list"):
        give(make_person(), make_person(), value_ids=[retired.pk])
    with pytest.raises(ValidationError, match="at least one"):
        give(make_person(), make_person(), value_ids=[])
    assert not Recognition.objects.exists()


def test_value_names_are_unique_whatever_the_case() -> None:
    recognition.add_value(name="Courage")

    with pytest.raises(ValidationError, match="already a value"):
        recognition.add_value(name="  courage ")
    assert CompanyValue.objects.count() == 1


# Who sees what ------------------------------------------------------------------------------

def test_audiences_decide_who_sees_what() -> None:
    team, other = TeamFactory(name="Support"), TeamFactory(name="Sales")
    giver, recipient = make_person(team=other), make_person(team=team)
    teammate, outsider = make_person(team=team), make_person(team=other)
    everyone = give(giver, recipient)
    team_only = give(giver, recipient, audience="team")
    private = give(giver, recipient, audience="private")

    assert shown_to(outsider) == {everyone.pk}
    assert shown_to(teammate) == {everyone.pk, team_only.pk}
    assert shown_to(recipient) == shown_to(giver) == {everyone.pk, team_only.pk, private.pk}


def test_held_recognition_is_seen_by_its_author_only() -> None:
    giver, recipient = make_person(), make_person()

    held = give(giver, recipient, message="Thanks for nothing, as usual.")

    assert held.status == RecognitionStatus.HELD
    assert "mocking or sarcastic" in held.held_reason
    assert shown_to(giver) == {held.pk}
    assert shown_to(recipient) == set()


# Reactions ----------------------------------------------------------------------------------

def test_a_reaction_toggles_once_per_person_and_kind() -> None:
    reader = make_person()
    given = give(make_person(), make_person())

    assert recognition.toggle_reaction(person=reader, recognition=given, kind="thanks")
    assert recognition.toggle_reaction(person=reader, recognition=given, kind="celebrate")
    assert Reaction.objects.count() == 2
    assert not recognition.toggle_reaction(person=reader, recognition=given, kind="thanks")

    item, = selectors.feed(viewer=reader)
    counts = {reaction.kind: (reaction.count, reaction.mine) for reaction in item.reactions}
    assert counts == {"thanks": (0, False), "celebrate": (1, True), "inspired": (0, False)}


def test_unknown_reactions_and_held_recognition_are_refused() -> None:
    reader = make_person()
    given = give(make_person(), make_person())
    held = give(make_person(), make_person(), message="Great job breaking everything /s")

    with pytest.raises(ValidationError):
        recognition.toggle_reaction(person=reader, recognition=given, kind="angry")
    with pytest.raises(ValidationError):
        recognition.toggle_reaction(person=reader, recognition=held, kind="thanks")
    assert not Reaction.objects.exists()


# Moderation ---------------------------------------------------------------------------------

def test_moderation_publishes_or_rejects_once_and_is_audited() -> None:
    coordinator = make_person(Role.COORDINATOR)
    first = give(make_person(), make_person(), message="Thanks genius, the build is red again.")
    second = give(make_person(), make_person(), message="What an idiot move.")

    recognition.moderate(coordinator=coordinator, recognition_id=first.pk, publish=True)
    recognition.moderate(coordinator=coordinator, recognition_id=second.pk, publish=False,
                         reason="Name-calling does not belong here.")

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("published", "rejected")
    assert first.moderated_by == coordinator
    events = AuditEvent.objects.filter(action=RecognitionAudit.RECOGNITION_MODERATED)
    assert sorted(e.detail["decision"] for e in events) == ["published", "rejected"]
    assert {e.object_id for e in events} == {str(first.pk), str(second.pk)}
    with pytest.raises(ValidationError, match="already"):
        recognition.moderate(coordinator=coordinator, recognition_id=first.pk, publish=False,
                             reason="Too late.")


def test_a_coordinator_cannot_moderate_their_own() -> None:
    coordinator = make_person(Role.COORDINATOR)
    held = give(coordinator, make_person(), message="Thanks for nothing.")

    with pytest.raises(ValidationError, match="Another coordinator"):
        recognition.moderate(coordinator=coordinator, recognition_id=held.pk, publish=True)
    held.refresh_from_db()
    assert held.status == RecognitionStatus.HELD


# Milestones ---------------------------------------------------------------------------------

def test_work_anniversaries_are_posted_once_for_those_who_did_not_opt_out() -> None:
    today = date(2026, 5, 4)
    celebrated = make_person(start_date=date(2021, 5, 4))
    shy = make_person(start_date=date(2020, 5, 4))
    recognition.save_preferences(person=shy, celebrate_milestones=False, weekly_digest=True)
    make_person(start_date=date(2026, 5, 4))  # starts today: no anniversary yet
    make_person(start_date=date(2021, 5, 5))

    assert recognition.post_work_anniversaries(today=today) == 1
    assert recognition.post_work_anniversaries(today=today) == 0

    milestone, = Recognition.objects.filter(kind="milestone")
    assert milestone.recipient == celebrated
    assert milestone.message.endswith("celebrates 5 years with us today.")
    assert milestone.pk in shown_to(make_person())


def test_29_february_is_celebrated_on_28_february_in_common_years() -> None:
    leap = make_person(start_date=date(2024, 2, 29))

    assert recognition.post_work_anniversaries(today=date(2025, 2, 28)) == 1
    assert Recognition.objects.get().recipient == leap


def test_the_jobs_are_scheduled() -> None:
    assert "haven.recognition.jobs.post_work_anniversaries" in PERIODIC_JOBS
    assert "haven.recognition.jobs.send_weekly_digests" in PERIODIC_JOBS


# Weekly digest -------------------------------------------------------------------------------

FRIDAY_AFTERNOON = datetime(2026, 11, 27, 16, 0, tzinfo=timezone.get_current_timezone())


@override_settings(HAVEN_RECOGNITION_DIGEST_WEEKDAY=4, HAVEN_RECOGNITION_DIGEST_HOUR=15)
def test_the_digest_goes_out_once_a_week_to_those_who_want_it(
        django_capture_on_commit_callbacks: Any) -> None:
    recipient, opted_out = make_person(), make_person()
    recognition.save_preferences(person=opted_out, celebrate_milestones=True,
                                 weekly_digest=False)
    Recognition.objects.filter(pk=give(make_person(), recipient).pk).update(
        created_at=FRIDAY_AFTERNOON - timedelta(days=1))

    assert recognition.send_weekly_digests(now=FRIDAY_AFTERNOON - timedelta(hours=2)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        sent = recognition.send_weekly_digests(now=FRIDAY_AFTERNOON)
    assert recognition.send_weekly_digests(now=FRIDAY_AFTERNOON + timedelta(hours=1)) == 0

    # Only the person it reached: nobody else gets a digest with nothing in it for them.
    assert sent == len(mail.outbox) == 1
    assert mail.outbox[0].to == [recipient.email]
    body = next(m.body for m in mail.outbox if m.to == [recipient.email])
    assert "1 recognition reached you or your team" in body
    assert "/email/unsubscribe/" in body
    assert "untangling" not in body  # counts and links only
    assert RecognitionDigest.objects.get().week == FRIDAY_AFTERNOON.date()


@override_settings(HAVEN_RECOGNITION_DIGEST_WEEKDAY=4, HAVEN_RECOGNITION_DIGEST_HOUR=15)
def test_a_quiet_week_sends_nothing() -> None:
    make_person()

    assert recognition.send_weekly_digests(now=FRIDAY_AFTERNOON) == 0
    assert mail.outbox == []
