"""The seeded demo, as a person trying it sees it: `haven demo` in a child process (its own
database, server and worker; the `demo_server` fixture), signed into through the real pages
with the demo's published password and MFA secret."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page

from haven.demo.child import DemoProcess
from haven.demo.history import texts
from haven.demo.history.speakup import DEMO_CASE_PASSPHRASE
from tests.browser.conftest import TIMEOUT_MS
from tests.browser.helpers import AxeChecker, sign_in_to_demo


@pytest.fixture
def demo_page(browser: Browser, demo_server: DemoProcess) -> Iterator[Page]:
    context = browser.new_context(base_url=demo_server.url,
                                  viewport={"width": 1280, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def test_the_coordinator_sees_the_programme_alive_in_charts_and_numbers(
        demo_page: Page, axe: AxeChecker) -> None:
    sign_in_to_demo(demo_page, "coordinator")
    demo_page.goto("/programme/")

    chart = demo_page.locator("svg.chart").first
    assert chart.is_visible()
    assert chart.locator("rect.bar").count() >= 2
    bar_heights = [float(bar.get_attribute("height") or 0)
                   for bar in chart.locator("rect.bar").all()]
    assert max(bar_heights) > 0, "every bar is empty"
    # The requests table has real counts, not only "hidden"
    total = demo_page.locator("tfoot tr").first.locator("td").first.inner_text()
    assert total.isdigit() and int(total) >= 5, total
    figures = demo_page.locator("main td").all_inner_texts()
    numbers = [text for text in figures if re.fullmatch(r"\d+(\.\d)?", text.strip())]
    assert len(numbers) >= 10, figures
    axe.assert_accessible(demo_page)


def test_the_demo_colleague_finds_their_open_conversation(demo_page: Page) -> None:
    sign_in_to_demo(demo_page, "colleague")
    demo_page.goto("/support/")
    assert demo_page.locator("main a[href^='/conversations/']").count() >= 1


def test_the_case_handler_opens_a_released_case_with_the_demo_passphrase(
        demo_page: Page) -> None:
    sign_in_to_demo(demo_page, "case_handler")
    demo_page.goto("/cases/")
    group = demo_page.locator("main section h3", has_text="3 reports")
    assert group.count() == 1
    demo_page.locator("main a[href^='/cases/']", has_text="Released").first.click()
    demo_page.locator("input[name=passphrase]").fill(DEMO_CASE_PASSPHRASE)
    demo_page.locator("main form button[type=submit]").first.click()
    body = demo_page.locator("main").inner_text()
    assert any(what in body for what, _when, _where in texts.REPORTS), body


def test_the_demo_server_logs_routes_but_never_tokens_or_search_terms(
        demo_page: Page, demo_server: DemoProcess) -> None:
    """`haven demo` serves through the same access log as production: a made-up invitation
    token and an audit-log search stay out of what it prints."""
    token = "c3p0r2-0123456789abcdef0123456789abcdef"
    search = "quokkazanzibar"
    response = demo_page.goto(f"/invitation/MQ/{token}/")
    assert response is not None and response.status == 400
    demo_page.goto(f"/audit/?person={search}")
    assert urlsplit(demo_page.url).path == "/accounts/login/"
    deadline = time.monotonic() + 10  # the server writes its log line after answering
    while "GET audit_log 302" not in demo_server.log() and time.monotonic() < deadline:
        time.sleep(0.1)
    output = demo_server.log()

    assert token not in output and search not in output
    assert "GET accept_invitation 400" in output
    assert "GET audit_log 302" in output
