"""A colleague joins coffee pairings, is paired in a round and sees their group; every page
on the way has 0 axe-core violations and runs under the strict CSP without errors."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from haven.connect import services
from haven.connect.models import CoffeeProfile
from tests.browser.helpers import AxeChecker, BrowserErrors, expect_heading, path_of, sign_in
from tests.factories import make_person

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_colleague_joins_and_sees_their_group(page: Page, live_server: LiveServer,
                                                axe: AxeChecker,
                                                browser_errors: BrowserErrors) -> None:
    person = make_person(name="Amara Okafor")
    partner = make_person(name="Hiro Tanaka")
    services.save_profile(person=partner, active=True, frequency="weekly", mode="remote",
                          location=None)
    violations: list[str] = []
    sign_in(page, live_server, person)

    page.goto(f"{live_server.url}/coffee/")
    expect_heading(page, "Coffee pairings")
    expect(page.get_by_text("You have not joined coffee pairings yet.")).to_be_visible()
    violations += axe.violations(page)

    page.get_by_role("link", name="Join coffee pairings").click()
    expect_heading(page, "How you take part in coffee pairings")
    page.get_by_label("Every week").check()
    page.get_by_label("Remote (video call)").check()
    violations += axe.violations(page)
    page.get_by_role("button", name="Save").click()

    assert path_of(page) == "/coffee/"
    expect(page.get_by_text("You are taking part in coffee pairings.")).to_be_visible()
    assert CoffeeProfile.objects.get(person=person).frequency == "weekly"
    violations += axe.violations(page)

    services.run_round()
    page.reload()
    group = page.locator(".panel").first
    expect(group.get_by_role("heading", name="Your latest group")).to_be_visible()
    expect(group).to_contain_text("Hiro Tanaka")
    expect(group.get_by_role("link", name="Add to your calendar (.ics)")).to_be_visible()
    expect(group.get_by_role("heading", name="Something to talk about")).to_be_visible()
    violations += axe.violations(page)

    page.get_by_role("link", name="People you will not be paired with").click()
    page.get_by_label("Their work e-mail").fill("nobody@example.org")
    browser_errors.allow("400")  # the refused block answers 400 Bad Request
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_text("Nobody in the directory has that e-mail.")).to_be_visible()
    violations += axe.violations(page)

    assert not violations, "axe-core found violations:\n" + "\n".join(violations)
