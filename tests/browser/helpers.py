"""What browser tests do again and again: sign in (through MFA), watch the console, run axe."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urlsplit

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from axe_playwright_python.base import AxeResults
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, ConsoleMessage, Error, Locator, Page, Route, expect
from pytest_django.live_server_helper import LiveServer

from haven.core.models import Person
from haven.demo.seed import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_SECRET
from tests.factories import PASSWORD, TOTP_SECRET

_axe = Axe()
AXE_RUN = "axe.run(document, {resultTypes: ['violations']})"


def totp_code(secret: str = TOTP_SECRET) -> str:
    """The current code for SECRET, never one about to expire before the server checks it."""
    period = mfa_settings.TOTP_PERIOD
    if period - time.time() % period < 1.5:
        # A code read in the last moment of its period would be stale on arrival; allauth
        # accepts only the current period (TOTP_TOLERANCE = 0). Waits at most 1.5 s, rarely.
        time.sleep(period - time.time() % period + 0.05)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def wrong_totp_code(secret: str = TOTP_SECRET) -> str:
    """A well-formed code that is certainly not the current one."""
    return format_hotp_value((int(totp_code(secret)) + 1) % 10**mfa_settings.TOTP_DIGITS)


def sign_in(page: Page, live_server: LiveServer, person: Person, *,
            password: str = PASSWORD) -> None:
    """Sign PERSON in through /accounts/login/, and the TOTP step when they have TOTP."""
    base = live_server.url
    response = page.goto(f"{base}/accounts/login/")
    assert response is not None and response.status == 200
    page.locator("input[name=login]").fill(person.email)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()
    if Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).exists():
        page.wait_for_url(f"{base}/accounts/2fa/authenticate/")
        page.locator("input[name=code]").fill(totp_code())
        page.locator("main form button[type=submit]").first.click()  # not "Cancel", after it
    page.wait_for_url(lambda url: not urlsplit(url).path.startswith(
        ("/accounts/login/", "/accounts/2fa/authenticate/")))


def expect_heading(page: Page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def path_of(page: Page) -> str:
    return urlsplit(page.url).path


def open_phone_menu(page: Page) -> None:
    """Open the header's "Menu" where the screen is narrow enough to show it."""
    menu_button = page.locator(".site-header .menu-button")
    if menu_button.is_visible() and menu_button.get_attribute("aria-expanded") == "false":
        menu_button.click()


def nav_link(page: Page, label: str) -> Locator:
    """The main navigation's link LABEL, shown as a person would show it: the narrow screen's
    Menu opened, then the menu that holds the link."""
    nav = page.get_by_role("navigation", name="Main")
    open_phone_menu(page)
    named = page.get_by_role("link", name=label, exact=True, include_hidden=True)
    link = nav.locator(named)
    if not link.is_visible():
        nav.locator(".nav-menu").filter(has=named).locator("> .nav-toggle").click()
    expect(link).to_be_visible()
    return link


def sign_out_button(page: Page) -> Locator:
    """The header's "Sign out" button, in the personal menu (opened here)."""
    open_phone_menu(page)
    personal = page.locator(".site-header .nav-menu--personal")
    if personal.locator("> .nav-toggle").get_attribute("aria-expanded") == "false":
        personal.locator("> .nav-toggle").click()
    return personal.get_by_role("button", name="Sign out")


@dataclass
class BrowserErrors:
    """Console errors, CSP violations and uncaught exceptions seen by one page."""

    errors: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def allow(self, fragment: str) -> None:
        """Expect console errors containing FRAGMENT, e.g. the status of an error page."""
        self.allowed.append(fragment)

    def _on_console(self, message: ConsoleMessage) -> None:
        text = message.text
        # Chromium reports CSP violations as errors, worded "Refused to …" or "… violates the
        # following Content Security Policy directive …" depending on the version.
        if (message.type == "error" or text.startswith("Refused to")
                or "Content Security Policy" in text):
            self.errors.append(f"{message.type}: {text} ({message.location.get('url', '')})")

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(fragment in e for fragment in self.allowed)]


class AxeChecker:
    """Runs axe-core on what a page shows now, in a context of its own.

    The page under test keeps Haven's strict CSP. Axe runs on a copy of that page's current
    HTML, served at the same URL in a separate context with bypass_csp=True, so a page that
    answered a POST (a form with errors, a token shown once) is checked as it was shown.
    """

    def __init__(self, browser: Browser) -> None:
        self._context = browser.new_context(bypass_csp=True)
        # axe-core (as axe-playwright-python ships it) loads with every copy, sent to Chromium
        # once rather than half a megabyte per check.
        self._context.add_init_script(script=_axe.axe_script)
        self._page = self._context.new_page()
        self._html = ""
        self._url = ""
        self._page.route(lambda requested: requested == self._url, self._serve_copy)

    def _serve_copy(self, route: Route) -> None:
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=self._html)

    def close(self) -> None:
        self._context.close()

    def violations(self, page: Page) -> list[str]:
        """One line per violation: page, rule id, impact, help and target selectors."""
        self._html, self._url = page.content(), urldefrag(page.url).url
        if page.viewport_size:
            self._page.set_viewport_size(page.viewport_size)
        self._page.goto(self._url)
        try:
            results = AxeResults(self._page.evaluate(AXE_RUN))
        except Error as error:  # axe failed to run: say so rather than pass silently
            return [f"axe could not run on {path_of(page)}: {error}"]
        found = []
        for violation in results.response["violations"]:
            targets = "; ".join(", ".join(node["target"]) for node in violation["nodes"])
            found.append(f"{path_of(page)}: {violation['id']} ({violation['impact']}) "
                         f"{violation['help']} — targets: {targets}")
        for line in found:
            print(f"axe: {line}")  # shown with the test's captured output
        return found

    def assert_accessible(self, page: Page) -> None:
        """0 axe violations on PAGE as it is now; otherwise list id, impact and targets."""
        found = self.violations(page)
        assert not found, "axe-core found violations:\n" + "\n".join(found)


def sign_in_to_demo(page: Page, role: str) -> None:
    """Sign into the seeded demo (a page whose base URL is the demo's) as ROLE's demo account."""
    account = next(account for account in DEMO_ACCOUNTS if account.role == role)
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(account.email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    if account.needs_mfa:
        page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/$"))
        page.locator("input[name=code]").fill(totp_code(DEMO_TOTP_SECRET))
        page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(lambda url: not urlsplit(url).path.startswith("/accounts/"))
