"""Collective reports and case handling, in a real browser: three colleagues report the same
person with N = 3 and only the third filing releases all three to the case handler, who sets
up keys, unlocks, acknowledges and messages an anonymous reporter, who answers with the
receipt code without signing in; the case handler named in a report never sees it. Every page
has 0 axe-core violations and runs under the strict CSP without errors."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from haven.core.models import AuditEvent, Role
from haven.speakup.models import CaseKeyCopy, Report, ReportState
from haven.speakup.reports import services
from tests.browser.helpers import AxeChecker, BrowserErrors, expect_heading, sign_in
from tests.factories import make_person
from tests.speakup.reports_support import PASSPHRASE, fast_kdf, file, handler_with_keys

__all__ = ["fast_kdf"]
pytestmark = pytest.mark.django_db(transaction=True)

CODE = re.compile(r"[A-Z2-7]{5}(?:-[A-Z2-7]{5}){4}")


def _file_through_the_page(browser: Browser, live_server: LiveServer, reporter, bully,
                           what: str, axe: AxeChecker, violations: list[str]) -> str:
    """REPORTER files an anonymous report about BULLY, held for N; returns the page's text."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    try:
        sign_in(page, live_server, reporter)
        page.get_by_role("link", name="Reports").first.click()
        expect_heading(page, "Your reports")
        page.get_by_role("link", name="Write a report").click()
        expect_heading(page, "Write a report")
        violations += axe.violations(page)
        page.get_by_label("The person this is about (from the directory)").fill(bully.email)
        page.get_by_label("What happened").fill(what)
        page.get_by_label("Where (optional)").fill("Open-plan office")
        page.get_by_label("Only when at least 3 different people").check()
        page.get_by_label("No: keep me anonymous to the case handler").check()
        page.get_by_role("button", name="File the report").click()
        expect_heading(page, "Your report is filed")
        violations += axe.violations(page)
        return page.locator("main").inner_text()
    finally:
        context.close()


def test_three_reports_release_together_to_the_case_handler_who_answers_anonymously(
        page: Page, browser: Browser, live_server: LiveServer, axe: AxeChecker,
        browser_errors: BrowserErrors) -> None:
    browser_errors.allow("status of 404")  # the named case handler tries the case's address
    violations: list[str] = []
    handler = make_person(Role.CASE_HANDLER, name="Harper Handler")
    named_handler, _, _ = handler_with_keys(name="Nico Named")
    bully = make_person(name="Blake Bully")
    first, second, third = (make_person(name=n) for n in ("Ari One", "Bo Two", "Cy Three"))

    # The case handler's home is their inbox; they set up keys and keep the recovery key.
    sign_in(page, live_server, handler)
    expect(page.get_by_role("heading", name="Your case inbox")).to_be_visible()
    violations += axe.violations(page)
    page.get_by_role("link", name="Set up my keys").first.click()
    expect_heading(page, "Your case keys")
    page.get_by_label("Passphrase", exact=True).fill(PASSPHRASE)
    page.get_by_label("The passphrase again").fill(PASSPHRASE)
    page.get_by_role("button", name="Set up my keys").click()
    expect_heading(page, "Your recovery key")
    expect(page.locator("#recovery-key")).to_have_text(re.compile(r"([A-Z2-7]{4}-){12}"))
    violations += axe.violations(page)
    page.get_by_role("link", name="I have kept it: unlock my keys").click()
    expect_heading(page, "Unlock your case keys")
    page.get_by_label("Your case passphrase").fill(PASSPHRASE)
    page.get_by_role("button", name="Unlock").click()
    expect_heading(page, "Your cases")
    expect(page.get_by_text("No reports have been released to you.")).to_be_visible()
    violations += axe.violations(page)

    # Two filings are held: nothing reaches the case handler.
    first_page = _file_through_the_page(browser, live_server, first, bully,
                                        "Shouted at me in the stand-up.", axe, violations)
    assert "Your report is held" in first_page
    code = CODE.search(first_page)
    assert code is not None
    second_page = _file_through_the_page(browser, live_server, second, bully,
                                         "Took credit for my work again.", axe, violations)
    assert "Your report is held" in second_page
    page.reload()
    expect(page.get_by_text("No reports have been released to you.")).to_be_visible()
    assert set(Report.objects.values_list("state", flat=True)) == {ReportState.HELD}

    # The third distinct reporter releases all three at once.
    third_page = _file_through_the_page(browser, live_server, third, bully,
                                        "Mocked my accent in front of clients.", axe,
                                        violations)
    assert "sent to the case handlers" in third_page
    assert set(Report.objects.values_list("state", flat=True)) == {ReportState.RELEASED}
    page.reload()
    expect(page.get_by_role("heading", name="Person 1: 3 reports")).to_be_visible()
    violations += axe.violations(page)

    # The case handler opens the anonymous first report, acknowledges it and writes.
    opened = services.open_by_code(code.group(0))
    assert opened is not None
    page.goto(f"{live_server.url}/cases/{opened[0].pk}/")
    expect_heading(page, "Report about Blake Bully")
    expect(page.get_by_text("Shouted at me in the stand-up.")).to_be_visible()
    expect(page.get_by_text("Anonymous")).to_be_visible()
    violations += axe.violations(page)
    page.get_by_label("Acknowledged").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".message--success")).to_contain_text("moved on")
    page.get_by_label("Message to the reporter").fill("Thank you. Did anyone else see it?")
    page.get_by_role("button", name="Send to the reporter").click()
    expect(page.locator(".bubble--mine")).to_contain_text("Did anyone else see it?")
    violations += axe.violations(page)
    assert AuditEvent.objects.filter(action="case_read", actor=handler).exists()

    # The anonymous reporter returns with the code, without signing in, and answers.
    stranger = browser.new_context(base_url=live_server.url)
    reporter_page = stranger.new_page()
    browser_errors.watch(reporter_page)
    reporter_page.goto(f"{live_server.url}/speakup/receipt/")
    expect_heading(reporter_page, "Open your report")
    violations += axe.violations(reporter_page)
    reporter_page.get_by_label("Your receipt code").fill(code.group(0))
    reporter_page.get_by_role("button", name="Open").click()
    expect_heading(reporter_page, "Your report")
    expect(reporter_page.locator(".bubble--theirs")).to_contain_text("Did anyone else see it?")
    expect(reporter_page.get_by_text("Harper Handler")).to_have_count(0)
    reporter_page.get_by_label("Your message to the case handler").fill("Yes, Dee from IT.")
    reporter_page.get_by_role("button", name="Send").click()
    expect(reporter_page.locator(".bubble--mine")).to_contain_text("Yes, Dee from IT.")
    violations += axe.violations(reporter_page)
    stranger.close()
    page.reload()
    expect(page.locator(".bubble--theirs")).to_contain_text("Yes, Dee from IT.")

    # A report naming a case handler never reaches them, in the inbox or by its address.
    about_named = file(make_person(), named_handler, send_now=True,
                       what="What Nico did to me.")
    assert not CaseKeyCopy.objects.filter(report=about_named.report,
                                          handler=named_handler).exists()
    named_context = browser.new_context(base_url=live_server.url)
    named_page = named_context.new_page()
    browser_errors.watch(named_page)
    sign_in(named_page, live_server, named_handler)
    named_page.goto(f"{live_server.url}/cases/unlock/")
    named_page.get_by_label("Your case passphrase").fill(PASSPHRASE)
    named_page.get_by_role("button", name="Unlock").click()
    expect_heading(named_page, "Your cases")
    expect(named_page.get_by_text("What Nico did to me.")).to_have_count(0)
    # They hold the three reports about someone else, and nothing about themselves.
    expect(named_page.get_by_role("heading", name=re.compile("Person"))).to_have_text(
        ["Person 1: 3 reports"])
    response = named_page.goto(f"{live_server.url}/cases/{about_named.report.pk}/")
    assert response is not None and response.status == 404
    named_context.close()
    page.goto(f"{live_server.url}/cases/")
    expect(page.get_by_role("heading", name="Person 2: a direct report")).to_be_visible()

    assert not violations, "axe-core found violations:\n" + "\n".join(violations)
