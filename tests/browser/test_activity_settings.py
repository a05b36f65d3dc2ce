"""An administrator lets every colleague propose activities from the activity settings page,
and a colleague's "Propose an activity" button comes and goes with the switch. Every page has
0 axe-core violations and runs under the strict CSP without errors."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from haven.activities.selectors import activity_settings
from haven.core.models import AuditEvent, Role
from tests.browser.conftest import TIMEOUT_MS
from tests.browser.helpers import AxeChecker, BrowserErrors, expect_heading, nav_link, sign_in
from tests.factories import make_person

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_administrator_lets_colleagues_propose_and_takes_it_back(
        page: Page, browser: Browser, live_server: LiveServer, axe: AxeChecker,
        browser_errors: BrowserErrors, request: pytest.FixtureRequest) -> None:
    administrator = make_person(Role.ADMINISTRATOR)
    violations: list[str] = []
    colleague_profile = browser.new_context(base_url=live_server.url)  # a second browser
    request.addfinalizer(colleague_profile.close)
    colleague_profile.set_default_timeout(TIMEOUT_MS)
    colleague = colleague_profile.new_page()
    browser_errors.watch(colleague)
    sign_in(colleague, live_server, make_person(name="Noor Haddad"))
    colleague.goto(f"{live_server.url}/activities/")
    expect_heading(colleague, "Activities")
    expect(colleague.get_by_role("link", name="Propose an activity")).to_have_count(0)

    sign_in(page, live_server, administrator)
    nav_link(page, "Activity settings").click()
    expect_heading(page, "Activity settings")
    expect(page.get_by_label("Coordinators and administrators only")).to_be_checked()
    violations += axe.violations(page)
    page.get_by_label("Every colleague").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Activity settings saved.")).to_be_visible()
    expect(page.get_by_label("Every colleague")).to_be_checked()
    violations += axe.violations(page)

    colleague.reload()
    colleague.get_by_role("link", name="Propose an activity").click()
    expect_heading(colleague, "Propose an activity")
    violations += axe.violations(colleague)

    page.get_by_role("link", name="Back to activities").click()
    expect_heading(page, "Activities")
    violations += axe.violations(page)
    page.get_by_role("link", name="Activity settings").first.click()
    page.get_by_label("Coordinators and administrators only").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Activity settings saved.")).to_be_visible()

    colleague.goto(f"{live_server.url}/activities/")
    expect(colleague.get_by_role("link", name="Propose an activity")).to_have_count(0)
    assert not violations, violations
    assert activity_settings().colleagues_may_propose is False
    assert AuditEvent.objects.filter(object_type="activity_settings").count() == 2
