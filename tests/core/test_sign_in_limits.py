"""Sign-in throttling with production's limits: brute force is stopped per account (5 failures
in 5 minutes, 20 a day), and per address by Haven's lock-free counters (30 failures a minute,
300 an hour, 300 attempts a minute), so a busy office behind one address still signs in, even
with allauth's per-address lock held by a stalled process; a person whose account gets locked
is told once, without their address. Tests that depend on counting across processes use the
real Redis (database 12, which no other test uses)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
import redis
from allauth.account import app_settings as account_settings
from allauth.account.adapter import get_adapter
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from allauth.core.internal.ratelimit import get_cache_key, parse_rate, parse_rates
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse

import haven.settings as production
from haven.core import sign_in_limits
from haven.core.audit import hash_identifier
from haven.core.auth import mfa_attempts_key
from haven.core.models import AuditAction, AuditEvent, Person, Role
from haven.env import env_rates
from tests.factories import PASSWORD, TOTP_SECRET, make_person

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
MFA_STAGE = "/accounts/2fa/authenticate/"
WRONG = "not the password at all"
REFUSED = "Too many failed login attempts"
NEW_PASSWORD = "a quiet meadow at dawn 42"
REDIS_URL = "redis://127.0.0.1:6379/12"  # no other test uses database 12
OFFICE = "192.0.2.10"
# The per-address rates allauth locked on before Haven counted addresses itself: Haven's old
# settings and allauth's own defaults, which come back if a rate is merely left out.
ALLAUTH_ADDRESS_RATES = {
    "login": ("300/m/ip", "30/m/ip"),
    "login_failed": ("30/m/ip", "300/h/ip", "10/m/ip"),
}


@pytest.fixture(autouse=True)
def production_limits(settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """The limits production runs with (the test settings raise the per-address ones)."""
    settings.ACCOUNT_RATE_LIMITS = production.ACCOUNT_RATE_LIMITS
    settings.HAVEN_SIGN_IN_ADDRESS_LIMITS = production.HAVEN_SIGN_IN_ADDRESS_LIMITS
    yield


@pytest.fixture
def redis_cache(settings) -> Iterator[redis.Redis]:  # type: ignore[no-untyped-def]
    """Django's cache on the real Redis, as production runs with several processes."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.ConnectionError as error:
        pytest.fail(f"Redis at {REDIS_URL} is not reachable: {error}")
    client.flushdb()
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    yield client
    client.flushdb()


def sign_in(client: Client, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post(LOGIN, {"login": email, "password": password})


def hold_allauths_address_locks(address: str) -> None:
    """Take the cache locks allauth would take for ADDRESS's per-address rates, as a process
    stalled inside one would hold them (allauth waits a second for such a lock, then counts
    the attempt as one too many)."""
    request = RequestFactory().post(LOGIN, REMOTE_ADDR=address)
    for action, rates in ALLAUTH_ADDRESS_RATES.items():
        for rate in rates:
            key = get_cache_key(
                request, app="allauth.account", action=action, rate=parse_rate(rate)
            )
            assert cache.add(f"{key}:lock", True, timeout=600)


def in_threads(count: int, work: Callable[[int], None]) -> None:
    """Run WORK(0) … WORK(COUNT - 1) in threads released together, each with its own database
    connection; fail with the first error any of them raised."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(number: int) -> None:
        try:
            barrier.wait()
            work(number)
        except BaseException as error:  # reported by the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(number,)) for number in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def refusals() -> list[dict[str, object]]:
    return [
        event.detail
        for event in AuditEvent.objects.filter(
            action=AuditAction.SIGN_IN_FAILED, detail__reason="rate_limited"
        )
    ]


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
        cache_key = get_cache_key(
            RequestFactory().post(LOGIN),
            app="allauth.account",
            action="login_failed",
            rate=rate,
            key=key,
        )
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
    rates = {
        (rate.amount, rate.duration)
        for rate in parse_rates(production.ACCOUNT_RATE_LIMITS["login_failed"])
        if rate.per == "key"
    }
    assert (5, 300) in rates  # allauth's default: 5 in 5 minutes
    assert (20, 86400) in rates  # and a cap for the day


def test_per_address_haven_counts_and_allauth_takes_no_lock() -> None:
    assert production.HAVEN_SIGN_IN_ADDRESS_LIMITS == {
        "failures": ((30, 60), (300, 3600)),
        "attempts": ((300, 60),),
    }
    for action in ("login", "login_failed"):  # allauth's defaults would lock per address
        assert all(rate.per == "key" for rate in parse_rates(account_settings.RATE_LIMITS[action]))


def test_the_address_limits_are_read_from_the_environment(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HAVEN_SIGN_IN_FAILURES_PER_ADDRESS", " 10/m, 50/10m ,400/d")
    assert env_rates("HAVEN_SIGN_IN_FAILURES_PER_ADDRESS", "30/m") == (
        (10, 60),
        (50, 600),
        (400, 86400),
    )
    for wrong in ("30/m/ip", "30", "0/m", "30/0h", "30/w", "thirty/m"):
        monkeypatch.setenv("HAVEN_SIGN_IN_FAILURES_PER_ADDRESS", wrong)
        with pytest.raises(ImproperlyConfigured, match="HAVEN_SIGN_IN_FAILURES_PER_ADDRESS"):
            env_rates("HAVEN_SIGN_IN_FAILURES_PER_ADDRESS", "30/m")


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
    django_capture_on_commit_callbacks,
) -> None:  # type: ignore[no-untyped-def]
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
        Client(REMOTE_ADDR="203.0.113.7").post(LOGIN, {"login": person.email, "password": WRONG})

    assert len(mail.outbox) == 1
    notice = mail.outbox[0]
    assert notice.to == [person.email]
    assert notice.subject == "Someone tried to sign in to your Haven account"
    assert "Someone tried to sign in to your Haven account several times" in notice.body
    assert "If it wasn't you, reset your password:" in notice.body
    assert "http://127.0.0.1:8000/accounts/password/reset/" in notice.body
    assert "(Europe/London)" in notice.body  # the time, in the person's own zone
    for private in (
        "198.51.100.23",
        "203.0.113.7",
        hash_identifier("198.51.100.23"),
        WRONG,
        PASSWORD,
        "Ines",
        person.team.name,
    ):
        assert private not in notice.body
        assert private not in notice.subject


def test_failures_for_an_address_outside_the_directory_send_nothing(
    django_capture_on_commit_callbacks,
) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        for _attempt in range(7):
            sign_in(client, "nobody.here@example.org", WRONG)

    assert not mail.outbox


def test_wrong_mfa_codes_lock_the_second_step_and_tell_the_owner_once(
    django_capture_on_commit_callbacks,
) -> None:  # type: ignore[no-untyped-def]
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


def test_a_hundred_colleagues_behind_one_address_sign_in_within_a_minute(
        monkeypatch: pytest.MonkeyPatch) -> None:
    people = [make_person() for _ in range(100)]
    # All in the same second, as far as the per-address counters can tell: however slow the
    # machine, every sign-in falls in one window (rather than timing the test).
    moment = time.time()
    monkeypatch.setattr("haven.core.sign_in_limits.time.time", lambda: moment)
    refused = []
    for number, person in enumerate(people):
        client = Client(REMOTE_ADDR="192.0.2.10")
        if number % 5 == 0:  # every fifth makes a typo first
            sign_in(client, person.email, WRONG)
        sign_in(client, person.email)
        if not signed_in(client):
            refused.append(person.email)

    assert refused == []


def test_one_address_guessing_across_many_accounts_is_stopped() -> None:
    people = [make_person() for _ in range(31)]
    for person in people[:30]:
        response = sign_in(Client(REMOTE_ADDR="192.0.2.66"), person.email, WRONG)
        assert REFUSED not in response.content.decode()
    assert refusals() == []

    from_there = Client(REMOTE_ADDR="192.0.2.66")
    response = sign_in(from_there, people[30].email)
    elsewhere = Client(REMOTE_ADDR="192.0.2.67")
    sign_in(elsewhere, people[30].email)

    assert REFUSED in response.content.decode()
    assert not signed_in(from_there)
    assert refusals() == [
        {"login_hash": hash_identifier(people[30].email), "reason": "rate_limited"}
    ]
    assert signed_in(elsewhere)


def test_right_passwords_never_count_toward_the_address_failure_limit() -> None:
    people = [make_person() for _ in range(40)]
    for person in people[:29]:
        sign_in(Client(REMOTE_ADDR=OFFICE), person.email, WRONG)

    for person in people[29:]:  # 29 failures: every right password still gets in
        client = Client(REMOTE_ADDR=OFFICE)
        sign_in(client, person.email)
        assert signed_in(client)

    sign_in(Client(REMOTE_ADDR=OFFICE), people[0].email, WRONG)  # the 30th failure
    client = Client(REMOTE_ADDR=OFFICE)
    assert REFUSED in sign_in(client, people[1].email).content.decode()
    assert not signed_in(client)


def test_a_flood_from_one_address_is_capped_right_passwords_included(settings) -> None:  # type: ignore[no-untyped-def]
    settings.HAVEN_SIGN_IN_ADDRESS_LIMITS = {
        **settings.HAVEN_SIGN_IN_ADDRESS_LIMITS,
        "attempts": ((10, 60),),
    }
    people = [make_person() for _ in range(11)]
    for person in people[:10]:
        client = Client(REMOTE_ADDR=OFFICE)
        sign_in(client, person.email)
        assert signed_in(client)

    client = Client(REMOTE_ADDR=OFFICE)
    response = sign_in(client, people[10].email)

    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert not signed_in(client)
    assert refusals() == [
        {"login_hash": hash_identifier(people[10].email), "reason": "rate_limited"}
    ]
    elsewhere = Client(REMOTE_ADDR="192.0.2.67")
    sign_in(elsewhere, people[10].email)
    assert signed_in(elsewhere)


def test_wrong_mfa_codes_count_toward_the_address_and_its_limit_stops_the_second_step() -> None:
    coordinator = make_person(Role.COORDINATOR)
    client = Client(REMOTE_ADDR=OFFICE)
    assert sign_in(client, coordinator.email)["Location"] == MFA_STAGE
    for _attempt in range(4):  # fewer than the 5 that lock the person's second step
        client.post(MFA_STAGE, {"code": totp_code(offset=1)})
    people = [make_person() for _ in range(27)]
    for person in people[:26]:  # 4 wrong codes and 26 wrong passwords: 30 failures
        sign_in(Client(REMOTE_ADDR=OFFICE), person.email, WRONG)

    response = client.post(MFA_STAGE, {"code": totp_code()})

    assert REFUSED in response.content.decode()
    assert not signed_in(client)
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.SIGN_IN_FAILED,
            object_id=str(coordinator.pk),
            detail__reason="rate_limited",
        ).count()
        == 1
    )
    colleague = Client(REMOTE_ADDR=OFFICE)
    assert REFUSED in sign_in(colleague, people[26].email).content.decode()
    elsewhere = Client(REMOTE_ADDR="192.0.2.67")  # the person's own limit is not reached
    assert sign_in(elsewhere, coordinator.email)["Location"] == MFA_STAGE
    elsewhere.post(MFA_STAGE, {"code": totp_code()})
    assert signed_in(elsewhere)


# --- the counters over time (each count placed at a chosen moment) ---------------------------


def test_a_failure_limit_holds_across_slice_boundaries_and_forgets_after_its_window() -> None:
    address = sign_in_limits.address_of(RequestFactory().post(LOGIN, REMOTE_ADDR=OFFICE))
    start = 6_000_000.0  # a whole number of minutes: the first slice of a minute begins here
    for second in range(29):  # 29 failures, spread over 29 seconds and three 10-second slices
        sign_in_limits.count_failure(address, now=start + second)
    assert sign_in_limits.admit_attempt(address, now=start + 59)
    sign_in_limits.count_failure(address, now=start + 59.5)  # the 30th, in the sixth slice

    assert not sign_in_limits.admit_attempt(address, now=start + 59.9)
    # No boundary lets the count go: the failures stay counted through the next minute's
    # first slice (60 to 70 seconds after they were made) ...
    assert not sign_in_limits.admit_attempt(address, now=start + 60)
    assert not sign_in_limits.admit_attempt(address, now=start + 69.9)
    # ... and the first slice's ten are forgotten when the slice after that begins.
    assert sign_in_limits.admit_attempt(address, now=start + 70)
    assert not sign_in_limits.failures_exceeded(address, now=start + 70)


def test_failures_spread_thin_are_stopped_by_the_hourly_limit() -> None:
    address = sign_in_limits.address_of(RequestFactory().post(LOGIN, REMOTE_ADDR=OFFICE))
    start = 6_000_000.0
    moments = [start + 7 * number for number in range(300)]  # one every 7 s: 9 a minute
    for moment in moments:
        assert sign_in_limits.admit_attempt(address, now=moment)
        sign_in_limits.count_failure(address, now=moment)

    assert not sign_in_limits.admit_attempt(address, now=moments[-1] + 7)
    # The hour's limit lets go once the oldest failures are an hour (and a slice) old.
    assert not sign_in_limits.admit_attempt(address, now=start + 3600)
    assert sign_in_limits.admit_attempt(address, now=start + 3600 + 600)


def test_attempts_are_capped_per_window_and_the_count_lets_go_after_it(settings) -> None:  # type: ignore[no-untyped-def]
    settings.HAVEN_SIGN_IN_ADDRESS_LIMITS = {
        **settings.HAVEN_SIGN_IN_ADDRESS_LIMITS,
        "attempts": ((10, 60),),
    }
    address = sign_in_limits.address_of(RequestFactory().post(LOGIN, REMOTE_ADDR=OFFICE))
    start = 6_000_000.0
    assert all(
        sign_in_limits.admit_attempt(address, now=start + 5 * number) for number in range(10)
    )  # 10 over 45 seconds
    assert not sign_in_limits.admit_attempt(address, now=start + 50)
    assert not sign_in_limits.admit_attempt(address, now=start + 69)  # refused ones count too
    assert sign_in_limits.admit_attempt(address, now=start + 130)


# --- the real Redis, several processes' worth -------------------------------------------------


def test_a_right_password_gets_in_while_allauths_address_lock_is_held(
    redis_cache: redis.Redis,
) -> None:
    """A stalled process holding allauth's per-address lock made everyone behind that address
    wait a second and then be refused; Haven takes no such lock."""
    person = make_person()
    hold_allauths_address_locks(OFFICE)
    client = Client(REMOTE_ADDR=OFFICE)

    response = sign_in(client, person.email)

    assert response.status_code == 302
    assert signed_in(client)
    assert refusals() == []
    assert redis_cache.keys("*haven:sign-in:*")  # counted in Redis, not in this process


@pytest.mark.django_db(transaction=True)
def test_a_hundred_colleagues_at_once_behind_one_address_all_sign_in(
    redis_cache: redis.Redis,
) -> None:
    people = [make_person() for _ in range(100)]
    hold_allauths_address_locks(OFFICE)  # and a stalled process holds allauth's lock
    threads = 8
    refused: list[str] = []

    def colleagues(number: int) -> None:
        for index in range(number, len(people), threads):
            client = Client(REMOTE_ADDR=OFFICE)
            if index % 5 == 0:  # every fifth makes a typo first: 20 failures in all
                sign_in(client, people[index].email, WRONG)
            response = sign_in(client, people[index].email)
            if response.status_code != 302 or response["Location"] != "/":
                refused.append(people[index].email)

    in_threads(threads, colleagues)

    assert refused == []
    assert refusals() == []
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_IN).count() == 100


@pytest.mark.django_db(transaction=True)
def test_spraying_from_one_address_at_once_is_stopped_at_the_limit(
    redis_cache: redis.Redis,
) -> None:
    people = [make_person() for _ in range(81)]
    threads = 8

    def sprayer(number: int) -> None:
        for person in people[number:80:threads]:
            sign_in(Client(REMOTE_ADDR="192.0.2.66"), person.email, WRONG)

    in_threads(threads, sprayer)

    refused = len(refusals())
    tried = AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED).count() - refused
    # Each attempt is checked against the failures counted before it: at most one more per
    # thread than the limit gets its password checked, and every other one is refused.
    assert 30 <= tried <= 30 + threads - 1
    assert refused == 80 - tried
    from_there = Client(REMOTE_ADDR="192.0.2.66")
    assert REFUSED in sign_in(from_there, people[80].email).content.decode()
    elsewhere = Client(REMOTE_ADDR="192.0.2.67")
    sign_in(elsewhere, people[80].email)
    assert signed_in(elsewhere)


def test_resetting_the_password_lifts_the_lock() -> None:
    """What the lock notice asks for (allauth forgets the account's failures on a reset)."""
    person = make_person()
    client = Client()
    for _attempt in range(5):
        sign_in(client, person.email, WRONG)
    reset_key = default_token_generator.make_token(person)
    reset_path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(person), "key": reset_key},
    )
    form = client.get(reset_path, follow=True)
    client.post(form.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    sign_in(client, person.email, NEW_PASSWORD)

    assert signed_in(client)
