"""axe-core finds 0 violations on the sign-in, directory and security pages, in each state
a person meets them (errors shown, a POST answered, MFA not yet set up)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from haven.core.email_kinds import unsubscribe_token
from haven.core.models import Person, Role
from haven.core.services import invitation_url
from tests.browser.helpers import (
    AxeChecker,
    BrowserErrors,
    path_of,
    sign_in,
    totp_code,
    wrong_totp_code,
)
from tests.factories import PASSWORD, make_person

pytestmark = pytest.mark.django_db(transaction=True)


class AxeSweep:
    """Opens pages, checks the status, and collects axe's findings for one report."""

    def __init__(self, page: Page, axe: AxeChecker) -> None:
        self.page = page
        self.axe = axe
        self.violations: list[str] = []

    def open(self, path: str, status: int = 200) -> None:
        response = self.page.goto(path)
        assert response is not None and response.status == status, (
            f"{path} answered {response.status if response else None}, expected {status}")
        self.check()

    def check(self) -> None:
        self.violations += self.axe.violations(self.page)

    def assert_clean(self) -> None:
        assert not self.violations, "axe-core found violations:\n" + "\n".join(self.violations)


def _invited(*roles: str, **fields: object) -> Person:
    person = make_person(*roles, **fields)
    person.set_unusable_password()
    person.save()
    return person


def _invitation_path(person: Person) -> str:
    return re.sub(r"^https?://[^/]+", "", invitation_url(person))


def test_public_pages_have_no_accessibility_violations(
        page: Page, live_server: LiveServer, axe: AxeChecker,
        browser_errors: BrowserErrors) -> None:
    browser_errors.allow("status of 400")  # the invalid invitation page answers 400
    sweep = AxeSweep(page, axe)
    sweep.open("/accounts/login/")
    page.locator("input[name=login]").fill("nobody@example.org")
    page.locator("input[name=password]").fill("not the password")
    page.locator("main form button[type=submit]").click()
    page.locator(".form-errors").wait_for()
    sweep.check()  # sign-in refused

    person = make_person()
    sweep.open("/accounts/password/reset/")
    page.locator("input[name=email]").fill(person.email)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/password/reset/done/")
    sweep.check()
    reset_link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", mail.outbox[-1].body)
    assert reset_link, "the reset e-mail holds no link"
    page.goto(reset_link.group(0))
    assert "/accounts/password/reset/key/" in path_of(page)
    sweep.check()  # choosing a new password

    invited = _invited()
    sweep.open(_invitation_path(invited))
    page.locator("input[name=password1]").fill("a quiet harbour at dawn")
    page.locator("input[name=password2]").fill("a quiet harbour at dusk")
    page.locator("main form button[type=submit]").click()
    page.locator(".field--error").first.wait_for()
    sweep.check()  # the passwords differ
    sweep.open("/invitation/MQ/not-a-token/", status=400)
    unsubscribe = f"/email/unsubscribe/{unsubscribe_token(person_id=person.pk, kind='coffee')}/"
    sweep.open(unsubscribe)  # asks before stopping
    page.locator("main form button[name=choice]").click()
    page.locator("main form button[value=resume]").wait_for()
    sweep.check()  # stopped, with the button that turns it back on
    sweep.open("/email/unsubscribe/not-a-token/", status=400)
    sweep.assert_clean()


@pytest.mark.parametrize("role", ["colleague", *Role.values], ids=str)
def test_home_page_of_each_role_has_no_accessibility_violations(
        page: Page, live_server: LiveServer, axe: AxeChecker, role: str) -> None:
    sign_in(page, live_server, make_person(*([] if role == "colleague" else [role])))
    sweep = AxeSweep(page, axe)
    sweep.open("/")
    sweep.assert_clean()


def test_pages_of_a_colleague_have_no_accessibility_violations(
        page: Page, live_server: LiveServer, axe: AxeChecker,
        browser_errors: BrowserErrors) -> None:
    browser_errors.allow("status of 403")
    browser_errors.allow("status of 404")
    sign_in(page, live_server, make_person())
    sweep = AxeSweep(page, axe)
    sweep.open("/profile/")
    sweep.open("/profile/email/")
    sweep.open("/profile/tokens/")
    page.locator("input[name=name]").fill("HR sync script")
    page.locator("main form button[type=submit]").click()
    page.locator("code.secret").wait_for()
    sweep.check()  # a new token, shown once, and the list of tokens
    sweep.open("/accounts/password/change/")
    new_password = page.locator("input[name=password1]")
    described_by = new_password.get_attribute("aria-describedby") or ""
    assert "at least 10 characters" in page.locator(f"#{described_by.split()[0]}").inner_text(), (
        "the password rules are not the new password's description")
    sweep.open("/accounts/2fa/")
    sweep.open("/accounts/logout/")  # asks to confirm; signing out takes a POST
    sweep.open("/directory/", status=403)
    sweep.open("/no-such-page/", status=404)
    sweep.assert_clean()


def test_pages_of_an_administrator_have_no_accessibility_violations(
        page: Page, live_server: LiveServer, axe: AxeChecker) -> None:
    administrator = make_person(Role.ADMINISTRATOR)
    other = _invited(Role.SUPPORTER, pronouns="they/them")  # offers to send an invitation
    sweep = AxeSweep(page, axe)
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(administrator.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/2fa/authenticate/")
    sweep.check()  # the second step of signing in
    page.locator("input[name=code]").fill(wrong_totp_code())
    page.locator("main form button[type=submit]").first.click()
    page.locator("input[name=code][aria-invalid=true]").wait_for()
    sweep.check()  # a wrong code
    page.locator("input[name=code]").fill(totp_code())
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"{live_server.url}/")
    sweep.open("/directory/")
    sweep.open(f"/directory/{other.pk}/")  # the roles form and the invitation button
    sweep.open("/directory/import/")
    sweep.open("/audit/")
    sweep.open("/accounts/2fa/")  # TOTP active
    sweep.assert_clean()


def test_import_page_listing_row_errors_has_no_accessibility_violations(
        page: Page, live_server: LiveServer, axe: AxeChecker) -> None:
    sign_in(page, live_server, make_person(Role.ADMINISTRATOR))
    sweep = AxeSweep(page, axe)
    sweep.open("/directory/import/")
    page.locator("input[type=file]").set_input_files(files=[{
        "name": "people.csv", "mimeType": "text/csv",
        "buffer": b"email,name\nnot-an-address,Ada Lovelace\nbob@example.org,\n"}])
    page.locator("main form button[type=submit]").click()
    page.locator(".form-errors").wait_for()
    sweep.check()
    sweep.assert_clean()


def test_totp_activation_page_has_no_accessibility_violations(
        page: Page, live_server: LiveServer, axe: AxeChecker) -> None:
    sign_in(page, live_server, make_person(Role.COORDINATOR, mfa=False))
    # allauth asks for the password again before it sets up an authenticator.
    assert path_of(page) == "/accounts/reauthenticate/"
    sweep = AxeSweep(page, axe)
    sweep.check()
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    sweep.check()
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("input[name=code]").fill(wrong_totp_code(secret))
    page.locator("main form button[type=submit]").click()
    page.locator("input[name=code][aria-invalid=true]").wait_for()
    sweep.check()  # a wrong code
    page.locator("input[name=code]").fill(totp_code(secret))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/accounts/2fa/recovery-codes/")
    sweep.check()  # the recovery codes, shown after activation
    sweep.open("/accounts/2fa/")  # TOTP active, recovery codes set up
    sweep.open("/accounts/2fa/recovery-codes/generate/")
    sweep.open("/accounts/2fa/totp/deactivate/")
    sweep.assert_clean()
