"""People who were due but got no group: the reason stored for each, the note on their own
coffee page (and nobody else's), and the e-mail that tells them once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from haven.coffee import pairing, services, skips
from haven.coffee.models import CoffeeSkip
from haven.core.models import Person
from tests.coffee.conftest import joined
from tests.conftest import signed_in
from tests.factories import LocationFactory

pytestmark = pytest.mark.django_db

NOTE = "Not paired this time"
ALONE_HERE = "Nobody else who meets in person at your location was due this round."


def reasons_of(pairing_round: object) -> dict[int, str]:
    return dict(CoffeeSkip.objects.filter(round=pairing_round)
                .values_list("person_id", "reason"))


def test_each_person_left_out_is_stored_with_why() -> None:
    leeds, berlin = LocationFactory(name="Leeds"), LocationFactory(name="Berlin")
    pair = [joined(mode="in_person", location=leeds) for _ in range(2)]
    alone_in_berlin = joined(mode="in_person", location=berlin)
    alone_remote = joined()

    pairing_round = services.run_round()

    assert reasons_of(pairing_round) == {alone_in_berlin.pk: skips.ALONE_IN_PERSON,
                                         alone_remote.pk: skips.ALONE_REMOTE}
    assert pairing_round.unpaired == 2
    assert not CoffeeSkip.objects.filter(person__in=pair).exists()


def test_an_odd_one_out_who_met_everyone_recently_is_told_no_new_partner() -> None:
    trio = [joined() for _ in range(3)]
    now = timezone.now()
    services.run_round(now=now)  # one group of three

    week_later = services.run_round(now=now + timedelta(days=7))

    assert week_later.groups_made == 0
    assert reasons_of(week_later) == {person.pk: skips.NO_NEW_PARTNER for person in trio}


def test_a_block_reads_like_any_other_partner_not_available() -> None:
    first, second = joined(), joined()
    services.block(person=first, email=second.email)

    pairing_round = services.run_round()

    assert set(reasons_of(pairing_round).values()) == {skips.NO_NEW_PARTNER}
    why = str(skips.explain(skips.NO_NEW_PARTNER).why)
    assert "block" not in why.lower()


def test_every_reason_of_the_algorithm_has_a_sentence() -> None:
    for plan_reason in (pairing.ALONE, pairing.CONSTRAINED, pairing.NO_LOCATION):
        for mode in ("in_person", "remote"):
            assert skips.skip_reason(plan_reason, mode) in skips.EXPLANATIONS
    assert skips.skip_reason(pairing.NO_LOCATION, "in_person") == skips.NO_LOCATION
    assert skips.explain("something new") is skips.UNKNOWN


def test_the_person_left_out_sees_why_and_what_to_do_and_nobody_else_does(
        as_coordinator: object) -> None:
    leeds, berlin = LocationFactory(name="Leeds"), LocationFactory(name="Berlin")
    grouped = [joined(mode="in_person", location=leeds) for _ in range(2)]
    alone = joined(mode="in_person", location=berlin)
    services.run_round()

    body = signed_in(alone).get("/coffee/").content.decode()

    assert NOTE in body
    assert ALONE_HERE in body
    assert "You could switch to remote" in body
    assert "You are still due, so the next round includes you." in body
    for other in grouped:
        assert NOTE not in signed_in(other).get("/coffee/").content.decode()
        assert alone.name not in signed_in(other).get("/coffee/").content.decode()
    rounds_page = as_coordinator.get("/coffee/rounds/").content.decode()  # type: ignore[attr-defined]
    assert ALONE_HERE not in rounds_page and alone.name not in rounds_page
    assert "<td>1</td>" in rounds_page  # the count of unpaired, no more


def test_the_note_goes_once_a_later_round_groups_them() -> None:
    berlin = LocationFactory(name="Berlin")
    alone = joined(mode="in_person", location=berlin)
    now = timezone.now()
    services.run_round(now=now)
    assert NOTE in signed_in(alone).get("/coffee/").content.decode()

    joined(mode="in_person", location=berlin)
    services.run_round(now=now + timedelta(days=7))

    body = signed_in(alone).get("/coffee/").content.decode()
    assert NOTE not in body
    assert "Your latest group" in body


def test_someone_who_stopped_taking_part_is_not_promised_the_next_round() -> None:
    alone = joined()
    services.run_round()
    services.save_profile(person=alone, active=False, frequency="weekly", mode="remote",
                          location=None)

    body = signed_in(alone).get("/coffee/").content.decode()

    assert NOTE not in body
    assert "You are not taking part at the moment." in body


# The e-mail -----------------------------------------------------------------------------------

def _mail_to(person: Person) -> list[mail.EmailMessage]:
    return [message for message in mail.outbox if person.email in message.to]


def test_the_person_left_out_is_told_by_e_mail_after_commit(commit: object) -> None:
    berlin = LocationFactory(name="Berlin")
    pair = [joined(), joined()]
    alone = joined(mode="in_person", location=berlin)

    with commit():  # type: ignore[operator]
        services.run_round()

    message, = _mail_to(alone)
    assert message.to == [alone.email]
    assert message.subject == "Coffee: no group for you this round"
    assert ALONE_HERE in message.body
    assert "/coffee/" in message.body
    for other in pair:
        assert other.name not in message.body
        assert len(_mail_to(other)) == 1  # their introduction only


def test_nothing_is_sent_before_the_round_commits() -> None:
    joined()

    services.run_round()

    assert mail.outbox == []
    assert CoffeeSkip.objects.count() == 1


def test_left_out_again_for_the_same_reason_is_not_e_mailed_again(commit: object) -> None:
    alone = joined()
    now = timezone.now()
    with commit():  # type: ignore[operator]
        services.run_round(now=now)
        services.run_round(now=now + timedelta(days=7))

    assert len(_mail_to(alone)) == 1
    assert CoffeeSkip.objects.filter(person=alone).count() == 2
    assert "Nobody else who meets remotely" in signed_in(alone).get("/coffee/").content.decode()


def test_a_new_reason_is_e_mailed(commit: object) -> None:
    alone = joined()
    berlin = LocationFactory(name="Berlin")
    now = timezone.now()
    with commit():  # type: ignore[operator]
        services.run_round(now=now)
        services.save_profile(person=alone, active=True, frequency="weekly",
                              mode="in_person", location=berlin)
        services.run_round(now=now + timedelta(days=7))

    first, second = _mail_to(alone)
    assert "meets remotely" in first.body
    assert ALONE_HERE in second.body
