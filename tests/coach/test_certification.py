"""Certification: at least ten different scenarios, an average empathy score above the
threshold, no risk flag left standing in the last five attempts; a coordinator may certify by
hand, and that is audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from haven.coach import selectors, services
from haven.coach.models import PracticeAttempt
from haven.core.models import AuditEvent, Person, Role
from haven.env import env_float
from haven.support.models import SupportAudit, SupporterProfile
from tests.coach.practice_helpers import SLUGS, practise, practise_many
from tests.conftest import signed_in
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def certified(person: Person) -> bool:
    profile = SupporterProfile.objects.filter(person=person).first()
    return bool(profile and profile.certified_at)


def certification_events(person: Person) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=SupportAudit.SUPPORTER_CERTIFIED,
                                          object_type="person", object_id=str(person.pk)))


def test_nine_scenarios_are_not_enough(supporter: Person) -> None:
    practise_many(supporter, [6] * 9)
    assert not certified(supporter)
    progress = selectors.progress_of(supporter=supporter)
    assert progress.scenarios == 9 and progress.scenarios_left == 1
    assert progress.average_met and not progress.enough_scenarios and not progress.ready


def test_many_attempts_at_nine_scenarios_are_still_not_enough(supporter: Person) -> None:
    for _round in range(3):
        practise_many(supporter, [6] * 9)
    assert PracticeAttempt.objects.filter(supporter=supporter).count() == 27
    assert not certified(supporter)


def test_the_tenth_scenario_certifies_and_is_audited(supporter: Person) -> None:
    practise_many(supporter, [5] * 10)
    assert certified(supporter)
    [event] = certification_events(supporter)
    assert event.actor_id == supporter.pk
    assert event.detail == {"method": "practice"}


def test_certification_creates_a_missing_profile_that_matching_reads(supporter: Person) -> None:
    assert not SupporterProfile.objects.filter(person=supporter).exists()
    practise_many(supporter, [5] * 10)
    profile = SupporterProfile.objects.get(person=supporter)
    assert profile.certified_at is not None and profile.approved_at is None
    assert profile.certified  # what matching reads
    assert profile.languages == supporter.languages


def test_an_average_below_the_threshold_does_not_certify(supporter: Person) -> None:
    practise_many(supporter, [3] * 10)
    assert not certified(supporter)
    assert selectors.progress_of(supporter=supporter).average == 3.0


def test_the_average_must_be_above_the_threshold_not_equal_to_it(supporter: Person) -> None:
    practise_many(supporter, [3, 4] * 5)  # 3.5 exactly, the default threshold
    assert selectors.progress_of(supporter=supporter).average == 3.5
    assert not certified(supporter)


def test_the_average_counts_each_scenarios_latest_attempt(supporter: Person) -> None:
    practise_many(supporter, [1] * 10)
    assert not certified(supporter)
    practise_many(supporter, [5] * 10)  # the same ten scenarios, practised again and better
    progress = selectors.progress_of(supporter=supporter)
    assert progress.attempts == 20 and progress.scenarios == 10 and progress.average == 5.0
    assert certified(supporter)


def test_the_threshold_is_a_setting(supporter: Person, settings: object) -> None:
    settings.HAVEN_COACH_CERTIFY_THRESHOLD = 2.5  # type: ignore[attr-defined]
    practise_many(supporter, [3] * 10)
    assert certified(supporter)


def test_a_flagged_attempt_among_the_last_five_blocks(supporter: Person) -> None:
    practise_many(supporter, [6] * 9)
    practise(supporter, SLUGS[9], 6, minimising=True)
    assert not certified(supporter)
    progress = selectors.progress_of(supporter=supporter)
    assert progress.enough_scenarios and progress.average_met and progress.unaddressed == 1
    for slug in SLUGS[10:14]:  # four clean attempts: the flagged one is still 5th from the end
        practise(supporter, slug, 6)
    assert not certified(supporter)
    practise(supporter, SLUGS[14], 6)  # now it is 6th: out of the window
    assert certified(supporter)


@pytest.mark.parametrize("flag", ["unsolicited_advice", "judgement", "minimising", "self_focus",
                                  "secrecy_promise"])
def test_every_risk_flag_blocks(supporter: Person, flag: str) -> None:
    practise_many(supporter, [6] * 9)
    practise(supporter, SLUGS[9], 6, **{flag: True})
    assert not certified(supporter)


def test_advice_they_asked_for_is_not_a_risk(supporter: Person) -> None:
    practise_many(supporter, [6] * 9)
    practise(supporter, SLUGS[9], 6, advice=True)
    assert certified(supporter)


def test_a_revision_that_removes_the_flag_counts_as_addressed(supporter: Person) -> None:
    practise_many(supporter, [6] * 9)
    flagged = practise(supporter, SLUGS[9], 6, secrecy_promise=True)
    assert not certified(supporter)
    revised = practise(supporter, SLUGS[9], 6, attempt=flagged.pk)
    assert revised.pk == flagged.pk and revised.revisions == 2
    assert revised.first_flagged and not revised.flagged
    assert certified(supporter)
    assert selectors.progress_of(supporter=supporter).addressed == 1


def test_a_revision_that_keeps_the_flag_does_not_count(supporter: Person) -> None:
    practise_many(supporter, [6] * 9)
    flagged = practise(supporter, SLUGS[9], 6, judgement=True)
    practise(supporter, SLUGS[9], 6, attempt=flagged.pk, judgement=True)
    assert not certified(supporter)


def test_a_finished_attempt_cannot_be_revised(supporter: Person) -> None:
    flagged = practise(supporter, SLUGS[0], 6, judgement=True)
    services.finish_practice(supporter=supporter, attempt_id=flagged.pk)
    again = practise(supporter, SLUGS[0], 6, attempt=flagged.pk)
    assert again.pk != flagged.pk
    flagged.refresh_from_db()
    assert flagged.flagged and flagged.revisions == 1


def test_nobody_revises_another_supporters_attempt(supporter: Person) -> None:
    other = make_person(Role.SUPPORTER)
    theirs = practise(other, SLUGS[0], 1, judgement=True)
    mine = practise(supporter, SLUGS[0], 6, attempt=theirs.pk)
    assert mine.pk != theirs.pk and mine.supporter_id == supporter.pk
    theirs.refresh_from_db()
    assert theirs.score == 1 and theirs.judgement


def test_once_certified_later_practice_does_not_uncertify(supporter: Person) -> None:
    practise_many(supporter, [6] * 10)
    practise_many(supporter, [0] * 10, judgement=True)
    assert certified(supporter)
    assert len(certification_events(supporter)) == 1


# A coordinator certifies by hand ---------------------------------------------------------------

def test_a_coordinator_certifies_by_hand_and_it_is_audited(coordinator: Person,
                                                           supporter: Person) -> None:
    practise_many(supporter, [1] * 3)
    response = signed_in(coordinator).post(f"/coach/progress/{supporter.pk}/certify/")
    assert response.status_code == 302 and response["Location"] == "/coach/progress/"
    assert certified(supporter)
    [event] = certification_events(supporter)
    assert event.actor_id == coordinator.pk
    assert event.detail == {"method": "coordinator"}


def test_certifying_twice_changes_nothing(coordinator: Person, supporter: Person) -> None:
    client = signed_in(coordinator)
    client.post(f"/coach/progress/{supporter.pk}/certify/")
    first = SupporterProfile.objects.get(person=supporter).certified_at
    response = client.post(f"/coach/progress/{supporter.pk}/certify/", follow=True)
    assert "already certified" in response.content.decode()
    assert SupporterProfile.objects.get(person=supporter).certified_at == first
    assert len(certification_events(supporter)) == 1


def test_a_coordinator_cannot_certify_themselves() -> None:
    person = make_person(Role.COORDINATOR, Role.SUPPORTER)
    response = signed_in(person).post(f"/coach/progress/{person.pk}/certify/", follow=True)
    assert "cannot certify yourself" in response.content.decode()
    assert not certified(person)
    assert certification_events(person) == []


def test_only_supporters_can_be_certified(as_coordinator: Client, colleague: Person) -> None:
    assert as_coordinator.post(f"/coach/progress/{colleague.pk}/certify/").status_code == 404
    assert as_coordinator.post("/coach/progress/999999/certify/").status_code == 404
    assert as_coordinator.post(f"/coach/progress/{2**63}/certify/").status_code == 404
    assert not SupporterProfile.objects.filter(person=colleague).exists()


def test_a_supporter_cannot_certify_anyone(supporter: Person) -> None:
    other = make_person(Role.SUPPORTER)
    client = signed_in(supporter)
    assert client.post(f"/coach/progress/{other.pk}/certify/").status_code == 403
    assert client.post(f"/coach/progress/{supporter.pk}/certify/").status_code == 403
    assert not certified(other) and not certified(supporter)


def test_certifying_by_hand_rejects_get(as_coordinator: Client, supporter: Person) -> None:
    assert as_coordinator.get(f"/coach/progress/{supporter.pk}/certify/").status_code == 405
    assert not certified(supporter)


def test_the_service_refuses_a_person_without_the_role(coordinator: Person,
                                                       colleague: Person) -> None:
    from django.http import Http404

    with pytest.raises(Http404):
        services.certify_by_hand(supporter_id=colleague.pk, coordinator=coordinator)


# The threshold's setting -------------------------------------------------------------------

def test_env_float_reads_a_number(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAVEN_TEST_FLOAT", "4.25")
    assert env_float("HAVEN_TEST_FLOAT", 3.5) == 4.25
    monkeypatch.setenv("HAVEN_TEST_FLOAT", "")
    assert env_float("HAVEN_TEST_FLOAT", 3.5) == 3.5


@pytest.mark.parametrize("value", ["high", "nan", "inf", "-1", "7"])
def test_env_float_fails_loudly_on_a_bad_value(monkeypatch: pytest.MonkeyPatch,
                                               value: str) -> None:
    monkeypatch.setenv("HAVEN_TEST_FLOAT", value)
    with pytest.raises(ImproperlyConfigured, match="HAVEN_TEST_FLOAT"):
        env_float("HAVEN_TEST_FLOAT", 3.5, minimum=0.0, maximum=5.9)
