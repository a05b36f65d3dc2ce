"""A colleague joins coffee pairings, is paired in a round and sees their group; someone the
round left out sees why; an administrator changes the schedule. Every page on the way has 0
axe-core violations and runs under the strict CSP without errors."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from haven.coffee import selectors, services
from haven.coffee.models import CoffeeProfile
from haven.core.models import Role
from tests.browser.helpers import AxeChecker, BrowserErrors, expect_heading, path_of, sign_in
from tests.factories import LocationFactory, make_person

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
    page.get_by_label("Who?").fill("nobody@example.org")
    browser_errors.allow("400")  # the refused block answers 400 Bad Request
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_text("Nobody in the directory has that e-mail.")).to_be_visible()
    violations += axe.violations(page)

    assert not violations, "axe-core found violations:\n" + "\n".join(violations)


def test_the_only_one_in_person_at_a_place_sees_why_they_were_not_paired(
        page: Page, live_server: LiveServer, axe: AxeChecker,
        browser_errors: BrowserErrors) -> None:
    porto = LocationFactory(name="Porto", time_zone="Europe/Lisbon")
    person = make_person(name="Inês Duarte", location=porto)
    services.save_profile(person=person, active=True, frequency="weekly", mode="in_person",
                          location=porto)
    others = [make_person(name=name) for name in ("Kofi Mensah", "Lena Vogel")]
    for other in others:
        services.save_profile(person=other, active=True, frequency="weekly", mode="remote",
                              location=None)
    services.run_round()
    sign_in(page, live_server, person)

    page.goto(f"{live_server.url}/coffee/")

    note = page.locator("#unpaired")
    expect(note.get_by_role("heading", name="Not paired this time")).to_be_visible()
    expect(note).to_contain_text(
        "Nobody else who meets in person at your location was due this round.")
    expect(note).to_contain_text("You could switch to remote")
    expect(note).to_contain_text("You are still due, so the next round includes you.")
    for other in others:
        expect(page.locator("main")).not_to_contain_text(other.name)
    axe.assert_accessible(page)


def test_an_administrator_changes_the_schedule(page: Page, live_server: LiveServer,
                                               axe: AxeChecker,
                                               browser_errors: BrowserErrors) -> None:
    administrator = make_person(Role.ADMINISTRATOR)
    violations: list[str] = []
    sign_in(page, live_server, administrator)

    page.goto(f"{live_server.url}/coffee/rounds/")
    page.get_by_role("link", name="Change the schedule in coffee settings").click()
    expect_heading(page, "Coffee settings")
    violations += axe.violations(page)

    page.get_by_label("Never repeat a pair from this many recent rounds").fill("60")
    browser_errors.allow("400")  # the refused form answers 400 Bad Request
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#id_no_repeat_rounds_error")).to_have_text(
        "Enter a whole number of rounds from 0 to 52.")
    expect(page.get_by_label("Never repeat a pair from this many recent rounds")).to_have_value(
        "60")
    violations += axe.violations(page)

    page.get_by_label("Never repeat a pair from this many recent rounds").fill("8")
    page.get_by_label("Day of the week").select_option(label="Thursday")
    page.get_by_label("No, only when a coordinator runs one").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Coffee settings saved.")).to_be_visible()
    expect(page.locator("#next-round")).to_have_text(
        "The schedule is off: rounds run only when a coordinator runs one.")
    violations += axe.violations(page)
    current = selectors.coffee_settings()
    assert (current.schedule_enabled, current.weekday, current.no_repeat_rounds) == (
        False, 3, 8)

    assert not violations, "axe-core found violations:\n" + "\n".join(violations)
