"""The navigation each role sees: which menus, which entries, each page once, and the
current page marked (haven/core/context_processors.py)."""

from __future__ import annotations

import pytest
from django.test import Client

from haven.core.access import allows, rule_for
from haven.core.context_processors import MENUS, PERSONAL, PRIMARY, navigation_for
from haven.core.models import COLLEAGUE, Role
from tests.conftest import signed_in
from tests.factories import make_person

EVERY_ITEM = [*PRIMARY, *(item for menu in MENUS for section in menu.sections
                          for item in section.items), *PERSONAL]


def _roles(*roles: str) -> frozenset[str]:
    return frozenset({COLLEAGUE, *roles})


def _menus(roles: frozenset[str]) -> list[str]:
    return [menu.key for menu in navigation_for(roles).menus]


@pytest.mark.parametrize(("roles", "menus"), [
    ((), []),
    ((Role.SUPPORTER,), []),
    ((Role.CASE_HANDLER,), []),
    ((Role.COORDINATOR,), ["programme"]),
    ((Role.ADMINISTRATOR,), ["programme", "administration"]),
    ((Role.SUPPORTER, Role.COORDINATOR), ["programme"]),
], ids=["colleague", "supporter", "case handler", "coordinator", "administrator",
        "supporter and coordinator"])
def test_a_menu_appears_only_to_those_who_may_open_one_of_its_pages(
        roles: tuple[str, ...], menus: list[str]) -> None:
    assert _menus(_roles(*roles)) == menus


def test_every_entry_is_a_declared_route_and_shown_only_to_those_it_admits() -> None:
    for roles in [_roles(), *(_roles(role) for role in Role.values)]:
        shown = {link.url_name for link in navigation_for(roles).links()}
        for item in EVERY_ITEM:
            rule = rule_for(item.url_name)
            assert rule is not None, f"{item.url_name} is not in the access table"
            if not allows(rule, roles):
                assert item.url_name not in shown


def test_everyday_pages_come_first_and_the_profile_last() -> None:
    links = navigation_for(_roles(Role.SUPPORTER)).links()
    assert [link.url_name for link in links] == [
        "home", "support_home", "supporter_home", "journal", "speakup_reports", "coffee_home",
        "activities", "questions", "recognition_feed", "coach_practice", "profile"]


@pytest.mark.parametrize(("roles", "menu"), [
    ((Role.COORDINATOR,), "programme"),
    ((Role.ADMINISTRATOR,), "administration"),
    ((Role.ADMINISTRATOR, Role.COORDINATOR), "programme"),
], ids=["coordinator", "administrator", "both"])
def test_the_directory_is_shown_once_in_the_menu_of_the_persons_role(
        roles: tuple[str, ...], menu: str) -> None:
    navigation = navigation_for(_roles(*roles))
    found = [shown.key for shown in navigation.menus for section in shown.sections
             for link in section.links if link.url_name == "directory"]
    assert found == [menu]
    every = [link.url_name for link in navigation.links()]
    assert len(every) == len(set(every)), "a page is shown twice"


def test_administrators_find_the_settings_under_their_own_heading() -> None:
    administration = navigation_for(_roles(Role.ADMINISTRATOR)).menus[-1]
    assert [str(section.heading) for section in administration.sections] == ["None", "Settings"]
    assert [link.url_name for link in administration.sections[1].links] == [
        "programme_settings", "coffee_round_settings", "activity_settings", "speakup_settings"]


def test_the_current_page_is_marked_and_so_is_its_menu() -> None:
    navigation = navigation_for(_roles(Role.ADMINISTRATOR), current="audit_log")
    assert [link.url_name for link in navigation.links() if link.current] == ["audit_log"]
    assert [menu.key for menu in navigation.menus if menu.current] == ["administration"]


@pytest.mark.django_db
def test_the_page_shows_the_menus_and_marks_the_current_one() -> None:
    body = signed_in(make_person(Role.COORDINATOR)).get("/programme/").content.decode()
    assert 'aria-controls="nav-programme" aria-current="true"' in body
    assert '<a href="/programme/" aria-current="page">' in body
    assert "nav-administration" not in body and "/audit/" not in body


@pytest.mark.django_db
def test_signed_out_pages_have_no_navigation() -> None:
    body = Client().get("/accounts/login/").content.decode()
    assert 'aria-label="Main"' not in body and "nav.js" not in body
