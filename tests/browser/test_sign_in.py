"""Signing out, the MFA every privileged role must set up, and accepting an invitation."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from allauth.mfa.models import Authenticator
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from haven.core.models import Role
from haven.core.services import invitation_url
from tests.browser.helpers import (
    BrowserErrors,
    expect_heading,
    path_of,
    sign_in,
    sign_out_button,
    totp_code,
)
from tests.factories import PASSWORD, make_person

ACTIVATE_TOTP = "/accounts/2fa/totp/activate/"


def test_sign_out_is_a_post_button_and_afterwards_home_asks_to_sign_in(
        page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server, make_person())
    assert page.locator("a[href*='/accounts/logout/']").count() == 0, "a GET link signs out"
    form = page.locator("form[action='/accounts/logout/']")
    assert (form.get_attribute("method") or "").lower() == "post"

    page.goto("/accounts/logout/")  # a GET only asks to confirm
    page.goto("/")
    assert path_of(page) == "/", "a GET of /accounts/logout/ signed the person out"

    with page.expect_request(lambda request: "/accounts/logout/" in request.url) as sent:
        sign_out_button(page).click()
    assert sent.value.method == "POST"
    page.wait_for_load_state()
    page.goto("/")
    assert path_of(page) == "/accounts/login/"
    assert parse_qs(urlsplit(page.url).query).get("next") == ["/"]
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)


def test_a_privileged_person_without_mfa_is_kept_on_totp_setup_until_it_is_done(
        page: Page, live_server: LiveServer) -> None:
    person = make_person(Role.COORDINATOR, mfa=False)
    sign_in(page, live_server, person)
    # allauth asks for the password once more before it sets up an authenticator.
    assert path_of(page) == "/accounts/reauthenticate/"
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**{ACTIVATE_TOTP}")

    for path in ["/", "/profile/", "/profile/tokens/", "/directory/",
                 "/accounts/password/change/"]:
        page.goto(path)
        assert path_of(page) == ACTIVATE_TOTP, f"{path} opened without MFA set up"

    secret = page.locator("#authenticator_secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), f"no TOTP secret on the page: {secret!r}"
    page.locator("input[name=code]").fill(totp_code(secret))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: urlsplit(url).path != ACTIVATE_TOTP)
    assert Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).exists()

    response = page.goto("/")
    assert response is not None and response.status == 200
    assert path_of(page) == "/"
    expect_heading(page, f"Welcome, {person.name}")
    response = page.goto("/directory/")
    assert response is not None and response.status == 200
    expect_heading(page, "Directory")


def test_an_invited_person_chooses_a_password_and_signs_in_with_it(
        page: Page, live_server: LiveServer, browser_errors: BrowserErrors) -> None:
    browser_errors.allow("status of 400")  # the used link answers 400, as it should
    person = make_person()
    person.set_unusable_password()
    person.save()
    link = urlsplit(invitation_url(person)).path
    new_password = "a quiet harbour at dawn"

    response = page.goto(link)
    assert response is not None and response.status == 200
    expect_heading(page, f"Welcome, {person.name}")

    page.locator("input[name=password1]").fill(new_password)
    page.locator("input[name=password2]").fill("a quiet harbour at dusk")
    page.get_by_role("button", name="Set password").click()
    second = page.locator("input[name=password2]")
    expect(second).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_password2_error")).to_have_text("The two passwords differ.")
    expect(second).to_have_attribute("aria-describedby", re.compile(r"\bid_password2_error\b"))
    expect(page.locator(".field--error")).to_have_count(1)
    expect(page.locator(".field--error input[name=password2]")).to_have_count(1)
    person.refresh_from_db()
    assert not person.has_usable_password()

    page.locator("input[name=password1]").fill(new_password)
    page.locator("input[name=password2]").fill(new_password)
    page.get_by_role("button", name="Set password").click()
    page.wait_for_url("**/accounts/login/")
    expect(page.get_by_role("status")).to_contain_text(
        f"Welcome, {person.name}. Sign in with your new password.")

    sign_in(page, live_server, person, password=new_password)
    assert path_of(page) == "/"
    expect_heading(page, f"Welcome, {person.name}")

    response = page.goto(link)
    assert response is not None and response.status == 400, "the link works a second time"
    expect_heading(page, "This invitation link does not work")
