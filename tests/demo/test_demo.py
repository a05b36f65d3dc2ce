"""The demo organisation is believable, reproducible and never seeded outside demo mode."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from haven.core.models import AuditEvent, Location, Person, Role, RoleGrant, Team
from haven.demo.seed import DEMO_ACCOUNTS, DEMO_PASSWORD, current_totp_code, seed_demo

pytestmark = pytest.mark.django_db


def test_it_creates_a_believable_company() -> None:
    count = seed_demo(history=False)
    assert 70 <= count <= 90
    assert 8 <= Team.objects.count() <= 12
    zones = set(Location.objects.values_list("time_zone", flat=True))
    assert len(zones) == 3
    role_counts = {role: RoleGrant.objects.filter(role=role).count() for role in Role.values}
    assert role_counts == {"supporter": 8, "coordinator": 2, "case_handler": 1,
                           "administrator": 1}


def test_its_reporting_lines_form_one_tree() -> None:
    seed_demo(history=False)
    people = {p.pk: p.manager_id for p in Person.objects.all()}
    roots = [pk for pk, manager in people.items() if manager is None]
    assert len(roots) == 1
    for pk in people:
        seen = set()
        while pk is not None:
            assert pk not in seen, "a reporting cycle"
            seen.add(pk)
            pk = people[pk]


def test_it_is_the_same_company_every_time_and_running_it_again_changes_nothing() -> None:
    seed_demo(history=False)
    before = sorted(Person.objects.values_list("email", "name", "team__name", "manager__email"))
    events = AuditEvent.objects.count()
    seed_demo(history=False)
    after = sorted(Person.objects.values_list("email", "name", "team__name", "manager__email"))
    assert before == after
    assert AuditEvent.objects.count() == events


def test_each_demo_account_signs_in_with_the_published_password() -> None:
    seed_demo(history=False)
    for account in DEMO_ACCOUNTS:
        person = Person.objects.get(email=account.email)
        assert person.check_password(DEMO_PASSWORD)
        expected = set() if account.role == "colleague" else {account.role}
        assert expected <= person.roles
        assert (current_totp_code(person) is not None) == account.needs_mfa


def test_it_refuses_to_seed_outside_demo_mode(settings: object) -> None:
    settings.HAVEN_DEMO = False  # type: ignore[attr-defined]
    with pytest.raises(CommandError, match="demo mode"):
        call_command("seed_demo")
    assert not Person.objects.exists()


def test_the_demo_colleague_and_supporter_are_outside_each_others_team_and_line() -> None:
    seed_demo(history=False)
    colleague = Person.objects.get(email=DEMO_ACCOUNTS[0].email)
    supporter = Person.objects.get(email=DEMO_ACCOUNTS[1].email)
    assert colleague.team_id != supporter.team_id
    assert supporter.manager_id != colleague.pk and colleague.manager_id != supporter.pk


def test_running_it_again_keeps_what_people_changed_in_the_demo() -> None:
    seed_demo(history=False)
    person = Person.objects.get(email=DEMO_ACCOUNTS[0].email)
    RoleGrant.objects.create(person=person, role=Role.SUPPORTER)
    seed_demo(history=False)
    assert RoleGrant.objects.filter(person=person, role=Role.SUPPORTER).exists()
