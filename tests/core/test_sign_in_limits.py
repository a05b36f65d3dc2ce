"""Sign-in throttling with production's limits: brute force is stopped per account (5 failures
in 5 minutes, 20 a day), a busy office behind one address still signs in, and a person whose
account gets locked is told once, without their address."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from allauth.account import app_settings as account_settings
from allauth.account.adapter import get_adapter
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from allauth.core.internal.ratelimit import get_cache_key, parse_rates
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

import haven.settings as production
from haven.core.audit import hash_identifier
from haven.core.auth import mfa_attempts_key
from haven.core.models import Person, Role
from tests.factories import PASSWORD, TOTP_SECRET, make_person

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
MFA_STAGE = "/accounts/2fa/authenticate/"
WRONG = "not the password at all"
REFUSED = "Too many failed login attempts"
NEW_PASSWORD = "a quiet meadow at dawn 42"


@pytest.fixture(autouse=True)
def production_limits(settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """The limits production runs with (the test settings raise the per-address ones)."""
    settings.ACCOUNT_RATE_LIMITS = production.ACCOUNT_RATE_LIMITS
    yield


def sign_in(client: Client, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post(LOGIN, {"login": email, "password": password})


def signed_in(client: Client) -> bool:
    return client.get("/profile/").status_code == 200


def password_key(person: Person) -> str:
    """The key allauth counts failed passwords for PERSON under."""
    request = RequestFactory().post(LOGIN)
    return get_adapter()._get_login_attempts_cache_key(request, email=person.email)


def let_time_pass(key: str, seconds: float) -> None:
    """Move the failures counted for KEY back by SECONDS, as if that much time had passed."""
    for rate in parse_rates(account_settings.RATE_LIMITS["login_failed"]):
        if rate.per != "key":
            continue
        cache_key = get_cache_key(RequestFactory().post(LOGIN), app="allauth.account",
                                  action="login_failed", rate=rate, key=key)
        history = cache.get(cache_key)
        if history:
            cache.set(cache_key, [moment - seconds for moment in history], None)


def totp_code(offset: int = 0) -> str:
    period = mfa_settings.TOTP_PERIOD
    if period - time.time() % period < 1.5:
        time.sleep(period - time.time() % period + 0.05)
    value = (hotp_value(TOTP_SECRET, int(time.time()) // period) + offset) % 10**6
    return format_hotp_value(value)


def test_the_limits_are_at_least_as_strict_per_account_as_allauths_default() -> None:
    rates = {(rate.amount, rate.duration) for rate in
             parse_rates(production.ACCOUNT_RATE_LIMITS["login_failed"]) if rate.per == "key"}
    assert (5, 300) in rates  # allauth's default: 5 in 5 minutes
    assert (20, 86400) in rates  # and a cap for the day


# --- one account ----------------------------------------------------------------------------

def test_five_failures_lock_the_account_for_five_minutes_right_password_or_not() -> None:
    person = make_person()
    client = Client()
    for _attempt in range(5):
        assert REFUSED not in sign_in(client, person.email, WRONG).content.decode()

    let_time_pass(password_key(person), 4 * 60)  # no longer within a minute

    response = sign_in(client, person.email)
    assert REFUSED in response.content.decode()
    assert not signed_in(client)

    let_time_pass(password_key(person), 61)  # five minutes after the failures

    sign_in(client, person.email)
    assert signed_in(client)


def test_twenty_failures_in_a_day_lock_the_account_for_the_day() -> None:
    person = make_person()
    client = Client()
    for _round in range(4):
        for _attempt in range(5):
            assert REFUSED not in sign_in(client, person.email, WRONG).content.decode()
        let_time_pass(password_key(person), 5 * 60 + 1)

    response = sign_in(client, person.email)  # no failure within five minutes

    assert REFUSED in response.content.decode()
    assert not signed_in(client)
    let_time_pass(password_key(person), 24 * 60 * 60)
    sign_in(client, person.email)
    assert signed_in(client)


def test_a_locked_account_tells_its_owner_once_and_nothing_more(
        django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    person = make_person(name="Ines Duarte")
    client = Client(REMOTE_ADDR="198.51.100.23")
    with django_capture_on_commit_callbacks(execute=True):
        for _attempt in range(4):
            sign_in(client, person.email, WRONG)
    assert not mail.outbox  # not locked yet

    with django_capture_on_commit_callbacks(execute=True):
        sign_in(client, person.email, WRONG)  # the fifth: now locked
    assert len(mail.outbox) == 1

    with django_capture_on_commit_callbacks(execute=True):
        sign_in(client, person.email, WRONG)  # refused, and no further notice
        sign_in(client, person.email)
        Client(REMOTE_ADDR="203.0.113.7").post(LOGIN, {"login": person.email,
                                                       "password": WRONG})

    assert len(mail.outbox) == 1
    notice = mail.outbox[0]
    assert notice.to == [person.email]
    assert notice.subject == "Someone tried to sign in to your Haven account"
    assert "Someone tried to sign in to your Haven account several times" in notice.body
    assert "If it wasn't you, reset your password:" in notice.body
    assert "http://127.0.0.1:8000/accounts/password/reset/" in notice.body
    assert "(Europe/London)" in notice.body  # the time, in the person's own zone
    for private in ("198.51.100.23", "203.0.113.7", hash_identifier("198.51.100.23"), WRONG,
                    PASSWORD, "Ines", person.team.name):
        assert private not in notice.body
        assert private not in notice.subject


def test_failures_for_an_address_outside_the_directory_send_nothing(
        django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        for _attempt in range(7):
            sign_in(client, "nobody.here@example.org", WRONG)

    assert not mail.outbox


def test_wrong_mfa_codes_lock_the_second_step_and_tell_the_owner_once(
        django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    coordinator = make_person(Role.COORDINATOR)
    client = Client()
    assert sign_in(client, coordinator.email)["Location"] == MFA_STAGE
    with django_capture_on_commit_callbacks(execute=True):
        for _attempt in range(5):
            client.post(MFA_STAGE, {"code": totp_code(offset=1)})
        response = client.post(MFA_STAGE, {"code": totp_code()})

    assert response.status_code == 200
    assert not signed_in(client)
    assert [message.to for message in mail.outbox] == [[coordinator.email]]
    let_time_pass(mfa_attempts_key(coordinator), 5 * 60 + 1)
    client.post(MFA_STAGE, {"code": totp_code()})
    assert signed_in(client)


# --- one address, many people ---------------------------------------------------------------

def test_a_hundred_colleagues_behind_one_address_sign_in_within_a_minute() -> None:
    people = [make_person() for _ in range(100)]
    started = time.monotonic()
    refused = []
    for number, person in enumerate(people):
        client = Client(REMOTE_ADDR="192.0.2.10")
        if number % 5 == 0:  # every fifth makes a typo first
            sign_in(client, person.email, WRONG)
        sign_in(client, person.email)
        if not signed_in(client):
            refused.append(person.email)

    assert time.monotonic() - started < 60
    assert refused == []


def test_one_address_guessing_across_many_accounts_is_stopped() -> None:
    people = [make_person() for _ in range(31)]
    for person in people[:30]:
        sign_in(Client(REMOTE_ADDR="192.0.2.66"), person.email, WRONG)

    from_there = Client(REMOTE_ADDR="192.0.2.66")
    response = sign_in(from_there, people[30].email)
    elsewhere = Client(REMOTE_ADDR="192.0.2.67")
    sign_in(elsewhere, people[30].email)

    assert REFUSED in response.content.decode()
    assert not signed_in(from_there)
    assert signed_in(elsewhere)


def test_resetting_the_password_lifts_the_lock() -> None:
    """What the lock notice asks for (allauth forgets the account's failures on a reset)."""
    person = make_person()
    client = Client()
    for _attempt in range(5):
        sign_in(client, person.email, WRONG)
    reset_key = default_token_generator.make_token(person)
    reset_path = reverse("account_reset_password_from_key", kwargs={
        "uidb36": user_pk_to_url_str(person), "key": reset_key})
    form = client.get(reset_path, follow=True)
    client.post(form.redirect_chain[-1][0], {"password1": NEW_PASSWORD,
                                             "password2": NEW_PASSWORD})

    sign_in(client, person.email, NEW_PASSWORD)

    assert signed_in(client)
