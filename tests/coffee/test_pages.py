"""Coffee-pairing pages: who may open them, bad input, empty states, the invitation download,
"did you meet?", and a coordinator page that shows counts only."""

from __future__ import annotations

import re
import uuid

import icalendar
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from haven.coffee import services
from haven.coffee.models import CoffeeBlock, CoffeeGroup, CoffeeMembership, PairingRound
from haven.core.models import AuditEvent, Person
from tests.coffee.conftest import joined, profile
from tests.conftest import signed_in
from tests.factories import LocationFactory, make_person

pytestmark = pytest.mark.django_db


def _grouped_pair() -> tuple[Person, Person, CoffeeGroup]:
    first, second = joined(), joined()
    services.run_round()
    return first, second, CoffeeGroup.objects.get()


# Taking part ----------------------------------------------------------------------------------

def test_the_home_page_invites_a_newcomer_to_join(as_colleague: Client) -> None:
    body = as_colleague.get("/coffee/").content.decode()

    assert "You have not joined coffee pairings yet." in body
    assert "Join coffee pairings and your groups will appear here." in body


def test_joining_saves_the_choices(colleague: Person, as_colleague: Client) -> None:
    place = LocationFactory(name="Lisbon", time_zone="Europe/Lisbon")

    response = as_colleague.post("/coffee/settings/", {
        "active": "yes", "frequency": "monthly", "mode": "in_person", "location": place.pk})

    assert response.status_code == 302
    saved = profile(colleague)
    assert (saved.active, saved.frequency, saved.mode, saved.location) == (
        True, "monthly", "in_person", place)
    body = as_colleague.get("/coffee/").content.decode()
    assert "You meet at Lisbon." in body
    assert "No group yet" in body


def test_the_settings_form_shows_what_was_chosen(colleague: Person,
                                                 as_colleague: Client) -> None:
    joined(colleague, frequency="monthly")

    body = as_colleague.get("/coffee/settings/").content.decode()

    assert 'value="monthly" required id="id_frequency_2" checked' in body
    for field in ("id_active_0", "id_frequency_0", "id_mode_0", "id_location"):
        assert f'id="{field}"' in body
    assert '<label for="id_location">' in body


@pytest.mark.parametrize("data", [
    {"active": "yes", "frequency": "daily", "mode": "remote"},
    {"active": "yes", "frequency": "weekly", "mode": "teleport"},
    {"active": "maybe", "frequency": "weekly", "mode": "remote"},
    {"active": "yes", "frequency": "weekly", "mode": "remote", "location": "not a number"},
])
def test_bad_choices_come_back_with_an_error_and_change_nothing(
        colleague: Person, as_colleague: Client, data: dict[str, str]) -> None:
    response = as_colleague.post("/coffee/settings/", data)

    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert not hasattr(Person.objects.get(pk=colleague.pk), "coffee_profile")


def test_in_person_without_any_location_is_an_error_on_the_location() -> None:
    person = make_person(location=None)

    response = signed_in(person).post("/coffee/settings/", {
        "active": "yes", "frequency": "weekly", "mode": "in_person", "location": ""})

    assert response.status_code == 400
    assert 'id="id_location_error"' in response.content.decode()


def test_stopping_is_one_choice(colleague: Person, as_colleague: Client) -> None:
    joined(colleague)

    as_colleague.post("/coffee/settings/", {"active": "no", "frequency": "weekly",
                                            "mode": "remote"})

    assert profile(colleague).active is False
    assert "You are not taking part at the moment." in as_colleague.get("/coffee/").content.decode()


# My group -------------------------------------------------------------------------------------

def test_a_member_sees_their_group_starters_and_the_invitation_link() -> None:
    first, second, group = _grouped_pair()

    body = signed_in(first).get("/coffee/").content.decode()

    assert second.name in body
    assert f"/coffee/groups/{group.pk}/invitation.ics" in body
    assert "Something to talk about" in body
    assert "Did you meet?" not in body  # not before the suggested time


def test_the_invitation_downloads_for_members_only(coordinator: Person) -> None:
    first, second, group = _grouped_pair()
    url = f"/coffee/groups/{group.pk}/invitation.ics"

    response = signed_in(first).get(url)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    event, = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    for name in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "ATTENDEE"):
        assert name in event
    assert signed_in(make_person()).get(url).status_code == 404
    assert signed_in(coordinator).get(url).status_code == 404
    assert signed_in(first).get("/coffee/groups/999999/invitation.ics").status_code == 404
    assert signed_in(first).post(url).status_code == 405


def test_did_you_meet_is_asked_afterwards_and_answered_once() -> None:
    first, _second, group = _grouped_pair()
    CoffeeGroup.objects.filter(pk=group.pk).update(meet_at=group.meet_at.replace(year=2020))
    client = signed_in(first)

    assert "Did you meet?" in client.get("/coffee/").content.decode()
    response = client.post(f"/coffee/groups/{group.pk}/met/", {"met": "yes"})

    assert response.status_code == 302
    assert CoffeeMembership.objects.get(group=group, person=first).met is True
    body = client.get("/coffee/").content.decode()
    assert "You told us you met." in body
    assert "Did you meet?" not in body


def test_did_you_meet_refuses_bad_answers_outsiders_and_get() -> None:
    first, _second, group = _grouped_pair()
    url = f"/coffee/groups/{group.pk}/met/"

    signed_in(first).post(url, {"met": "perhaps"})

    assert CoffeeMembership.objects.get(group=group, person=first).met is None
    assert signed_in(make_person()).post(url, {"met": "yes"}).status_code == 404
    assert signed_in(first).get(url).status_code == 405


def test_the_home_page_queries_do_not_grow_with_groups() -> None:
    people = [joined() for _ in range(4)]
    services.run_round()
    client = signed_in(people[0])
    client.get("/coffee/")
    with CaptureQueriesContext(connection) as few:
        client.get("/coffee/")
    for week in range(1, 4):
        from datetime import timedelta

        from django.utils import timezone
        services.run_round(now=timezone.now() + timedelta(weeks=week))
    with CaptureQueriesContext(connection) as more:
        client.get("/coffee/")

    assert len(more) == len(few)


# Blocks ---------------------------------------------------------------------------------------

def test_blocking_by_name_without_the_picker(colleague: Person, as_colleague: Client) -> None:
    other = make_person(name="Quentin Rossi")

    assert as_colleague.post("/coffee/blocks/", {"person": "quentin rossi"}).status_code == 302
    assert CoffeeBlock.objects.get(blocker=colleague).blocked == other


def test_blocking_yourself_is_an_error_on_the_field(colleague: Person,
                                                    as_colleague: Client) -> None:
    response = as_colleague.post("/coffee/blocks/", {"person": colleague.email})

    assert response.status_code == 400
    assert '<p class="error" id="id_person_error">You cannot block yourself.' in \
        response.content.decode()


def test_blocking_by_e_mail_and_removing(colleague: Person, as_colleague: Client) -> None:
    other = make_person(name="Quentin Rossi")

    response = as_colleague.post("/coffee/blocks/", {"person": other.email})

    assert response.status_code == 302
    item = CoffeeBlock.objects.get(blocker=colleague)
    assert "Quentin Rossi" in as_colleague.get("/coffee/blocks/").content.decode()
    as_colleague.post(f"/coffee/blocks/{item.pk}/remove/")
    assert not CoffeeBlock.objects.exists()
    assert "Nobody on your list." in as_colleague.get("/coffee/blocks/").content.decode()


@pytest.mark.parametrize("typed", ["nobody@example.org", "Nobody Atall", ""])
def test_a_bad_block_is_an_error_on_the_field(as_colleague: Client, typed: str) -> None:
    response = as_colleague.post("/coffee/blocks/", {"person": typed})

    assert response.status_code == 400
    assert 'id="id_person_error"' in response.content.decode()
    assert not CoffeeBlock.objects.exists()


def test_nobody_can_remove_someone_elses_block_or_learn_of_it(colleague: Person) -> None:
    blocked = make_person()
    item = services.block(person=colleague, email=blocked.email)
    client = signed_in(blocked)

    client.post(f"/coffee/blocks/{item.pk}/remove/")

    assert CoffeeBlock.objects.filter(pk=item.pk).exists()
    for path in ("/coffee/", "/coffee/blocks/", "/coffee/settings/"):
        assert colleague.name not in client.get(path).content.decode()


# The coordinator's page -----------------------------------------------------------------------

def test_only_coordinators_open_the_rounds_page(as_colleague: Client,
                                                as_coordinator: Client) -> None:
    assert as_colleague.get("/coffee/rounds/").status_code == 403
    assert as_colleague.post("/coffee/rounds/", {"confirm": "on",
                                                 "submission_id": str(uuid.uuid4())}
                             ).status_code == 403
    assert as_coordinator.get("/coffee/rounds/").status_code == 200
    assert not PairingRound.objects.exists()


def test_a_round_runs_only_when_confirmed(as_coordinator: Client) -> None:
    joined(), joined()

    refused = as_coordinator.post("/coffee/rounds/", {"submission_id": str(uuid.uuid4())})

    assert refused.status_code == 400
    assert "Tick the box" in refused.content.decode()
    assert not PairingRound.objects.exists()


def test_a_confirmed_round_runs_once_and_shows_counts_not_names(coordinator: Person,
                                                                as_coordinator: Client) -> None:
    people = [joined() for _ in range(3)]
    form = {"confirm": "on", "submission_id": str(uuid.uuid4())}

    as_coordinator.post("/coffee/rounds/", form)
    response = as_coordinator.post("/coffee/rounds/", form, follow=True)

    assert PairingRound.objects.count() == 1
    assert PairingRound.objects.get().run_by == coordinator
    event = AuditEvent.objects.get(action="coffee_round_run")
    assert event.actor == coordinator and event.detail == {"participants": 3, "groups": 1}
    body = response.content.decode()
    assert "1 group made, 0 people unpaired" in body
    assert "<dd>3</dd>" in body
    for person in people:
        assert person.name not in body and person.email not in body


def test_an_expired_confirmation_asks_again_with_a_fresh_form(as_coordinator: Client) -> None:
    response = as_coordinator.post("/coffee/rounds/", {"confirm": "on", "submission_id": "x"})

    assert response.status_code == 400
    assert not PairingRound.objects.exists()
    assert 'name="submission_id" value="' in response.content.decode()
    assert 'value="x"' not in response.content.decode()


def test_the_rounds_page_queries_do_not_grow_with_rounds(as_coordinator: Client) -> None:
    joined(), joined()
    services.run_round()
    as_coordinator.get("/coffee/rounds/")
    with CaptureQueriesContext(connection) as few:
        as_coordinator.get("/coffee/rounds/")
    for _ in range(3):
        services.run_round()
    with CaptureQueriesContext(connection) as more:
        as_coordinator.get("/coffee/rounds/")

    assert len(more) == len(few)


def test_the_navigation_offers_coffee_to_everyone(as_colleague: Client) -> None:
    body = as_colleague.get("/coffee/").content.decode()

    assert re.search(r'href="/coffee/" aria-current="page">(<svg.*?</svg>)?Coffee</a>', body)
    assert "/coffee/rounds/" not in body


def test_signed_out_visitors_are_sent_to_sign_in() -> None:
    for path in ("/coffee/", "/coffee/settings/", "/coffee/blocks/", "/coffee/rounds/"):
        response = Client().get(path)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
