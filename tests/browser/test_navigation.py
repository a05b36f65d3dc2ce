"""Each role signs in (through MFA where the role requires it) and walks its navigation."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from haven.core.access import allows, rule_for
from haven.core.context_processors import NAVIGATION
from haven.core.models import Role
from tests.browser.helpers import expect_heading, path_of, sign_in
from tests.factories import make_person

# The heading each navigation entry opens on; {name} is the signed-in person's name.
HEADINGS = {
    "home": "Welcome, {name}",
    "support_home": "Peer support",
    "supporter_home": "Supporting colleagues",
    "coffee_home": "Coffee pairings",
    "activities": "Activities",
    "questions": "Questions to leadership",
    "coffee_rounds": "Coffee rounds",
    "coffee_round_settings": "Coffee settings",
    "activity_settings": "Activity settings",
    "recognition_feed": "Recognition",
    "recognition_moderation": "Recognition held for moderation",
    "recognition_insight": "Inclusion insight",
    "recognition_values": "Our values",
    "shared_attributes": "Shared attributes",
    "coach_practice": "Practice with the empathy coach",
    "programme": "Peer-support programme",
    "coach_progress": "Supporters' training",
    "directory": "Directory",
    "import_people": "Import people",
    "audit_log": "Audit log",
    "programme_settings": "Programme settings",
    "profile": "Profile and security",
    "case_inbox": "Your cases",
    "speakup_reports": "Your reports",
    "speakup_programme": "Speak-up programme",
    "speakup_settings": "Speak-up settings",
    "journal": "Your incident journal",
}

# Stated here, not derived, so the access table cannot drift unnoticed.
EVERYONE = {"home", "profile", "journal"}
ONLY_FOR = {
    "directory": {Role.COORDINATOR, Role.ADMINISTRATOR},
    "import_people": {Role.ADMINISTRATOR},
    "audit_log": {Role.ADMINISTRATOR},
}
ROLES = ["colleague", *Role.values]


def _navigation_of(roles: frozenset[str]) -> list[tuple[str, str, str]]:
    """(url name, label, path) of the entries these roles may open, in menu order."""
    entries = []
    for item in NAVIGATION:
        rule = rule_for(item.url_name)
        if rule is not None and allows(rule, roles):
            entries.append((item.url_name, str(item.label), reverse(item.url_name)))
    return entries


@pytest.mark.parametrize("role", ROLES, ids=str)
def test_each_role_opens_every_link_of_its_navigation_and_sees_no_other(
        page: Page, live_server: LiveServer, role: str) -> None:
    person = make_person(*([] if role == "colleague" else [role]))
    sign_in(page, live_server, person)
    assert path_of(page) == "/"
    expect_heading(page, f"Welcome, {person.name}")

    expected = _navigation_of(person.roles)
    names = {name for name, _label, _path in expected}
    assert names >= EVERYONE
    for name, roles in ONLY_FOR.items():
        assert (name in names) == (role in roles), f"{role} and {name}: the access table changed"
    missing = names - set(HEADINGS)
    assert not missing, f"Add the heading of {sorted(missing)} to HEADINGS in {__file__}"

    nav = page.get_by_role("navigation", name="Main")
    shown = [(link.inner_text().strip(), link.get_attribute("href"))
             for link in nav.get_by_role("link").all()]
    assert shown == [(label, path) for _name, label, path in expected]
    for item in NAVIGATION:
        if item.url_name not in names:
            path = reverse(item.url_name)
            assert page.locator(f'a[href="{path}"]').count() == 0, f"{role} sees {path}"

    for name, label, path in expected:
        with page.expect_navigation() as navigation:
            nav.get_by_role("link", name=label, exact=True).click()
        response = navigation.value
        assert response is not None and response.status == 200, f"{label}: {response}"
        assert path_of(page) == path
        expect_heading(page, HEADINGS[name].format(name=person.name))
        assert nav.locator('a[aria-current="page"]').inner_text().strip() == label
