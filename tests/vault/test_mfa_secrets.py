"""Two-factor secrets are sealed at rest: a copy of the database does not hold a TOTP secret or
a recovery-code seed in clear, and sign-in with TOTP keeps working — after the migration that
seals older secrets, and across master-key rotation."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    TOTP,
    format_hotp_value,
    hotp_value,
)
from allauth.mfa.utils import decrypt
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from haven.core.models import Person, Role
from haven.demo.seed import DEMO_ACCOUNTS, DEMO_TOTP_SECRET, seed_demo
from haven.vault import crypto, mfa
from haven.vault.crypto import CannotOpen
from haven.vault.masterkeys import generate_master_key
from haven.vault.models import DataKey
from tests.factories import PASSWORD, TOTP_SECRET, make_person

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
MFA_STAGE = "/accounts/2fa/authenticate/"
TOTP_ACTIVATE = "/accounts/2fa/totp/activate/"
RECOVERY_SEED = "5eed" * 20  # allauth's seeds are 80 hex digits
BEFORE_SEALING = ("vault", "0002_master_key_state_and_holders")
SEALING = ("vault", "0003_seal_mfa_secrets")


def totp_code(secret: str = TOTP_SECRET) -> str:
    period = mfa_settings.TOTP_PERIOD
    if period - time.time() % period < 1.5:  # never a code about to go stale
        time.sleep(period - time.time() % period + 0.05)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def stored_rows(person: Person) -> str:
    """The authenticator rows as the database holds them, read past the ORM."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT CAST(data AS TEXT) FROM mfa_authenticator WHERE user_id = %s",
                       [person.pk])
        return " ".join(row[0] for row in cursor.fetchall())


def signs_in_with_totp(person: Person, secret: str = TOTP_SECRET) -> bool:
    client = Client()
    response = client.post(LOGIN, {"login": person.email, "password": PASSWORD})
    assert response["Location"] == MFA_STAGE
    response = client.post(MFA_STAGE, {"code": totp_code(secret)})
    return response.status_code == 302 and client.get("/profile/").status_code == 200


def test_totp_set_up_through_the_pages_is_stored_sealed_and_signs_in(
        django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    coordinator = make_person(Role.COORDINATOR, mfa=False)
    client = Client()
    client.post(LOGIN, {"login": coordinator.email, "password": PASSWORD})
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    client.get(TOTP_ACTIVATE)
    secret = client.session[SECRET_SESSION_KEY]
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(TOTP_ACTIVATE, {"code": totp_code(secret)}).status_code == 302

    totp = Authenticator.objects.get(user=coordinator, type=Authenticator.Type.TOTP)
    codes = Authenticator.objects.get(user=coordinator, type=Authenticator.Type.RECOVERY_CODES)
    seed = decrypt(codes.data["seed"])
    stored = stored_rows(coordinator)
    assert secret not in stored
    assert seed not in stored
    assert mfa.is_sealed(totp.data["secret"]) and mfa.is_sealed(codes.data["seed"])
    assert DataKey.objects.filter(purpose=mfa.PURPOSE).count() == 2
    assert decrypt(totp.data["secret"]) == secret
    assert signs_in_with_totp(coordinator, secret)


def test_a_recovery_code_still_signs_in() -> None:
    coordinator = make_person(Role.COORDINATOR)
    code = RecoveryCodes.activate(coordinator).get_unused_codes()[0]
    client = Client()
    client.post(LOGIN, {"login": coordinator.email, "password": PASSWORD})

    response = client.post(MFA_STAGE, {"code": code})

    assert response.status_code == 302
    assert client.get("/profile/").status_code == 200


def test_a_secret_stored_in_clear_before_sealing_still_signs_in() -> None:
    coordinator = make_person(Role.COORDINATOR, mfa=False)
    Authenticator.objects.create(user=coordinator, type=Authenticator.Type.TOTP,
                                 data={"secret": TOTP_SECRET})

    assert signs_in_with_totp(coordinator)


def test_a_sealed_secret_that_was_altered_does_not_open() -> None:
    sealed = mfa.seal_secret(TOTP_SECRET)
    other = mfa.seal_secret(TOTP_SECRET)
    key_of_other = other[len(mfa.SEALED_PREFIX):].split(":")[0]
    moved = f"{mfa.SEALED_PREFIX}{key_of_other}:{sealed.rsplit(':', 1)[1]}"

    with pytest.raises(CannotOpen):
        mfa.open_secret(moved)  # another secret's key
    with pytest.raises(CannotOpen):
        mfa.open_secret(sealed[:-4] + ("AAAA" if sealed[-4:] != "AAAA" else "BBBB"))
    with pytest.raises(CannotOpen):
        mfa.open_secret(f"{mfa.SEALED_PREFIX}not-a-key:AAAA")


def test_removing_totp_shreds_the_key_of_its_secret() -> None:
    person = make_person(mfa=True)
    authenticator = Authenticator.objects.get(user=person, type=Authenticator.Type.TOTP)
    (key_id,) = mfa.key_ids(authenticator.data)

    authenticator.delete()

    assert DataKey.objects.get(pk=key_id).is_shredded


# --- the migration that seals secrets stored in clear ----------------------------------------

def _migrate(target: tuple[str, str]) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([target])


@pytest.fixture
def back_to_latest() -> Iterator[None]:
    """Going back to BEFORE_SEALING unapplies every later migration that depends on the vault
    (other apps' too): the tests that run after this one, in this process, expect them all."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)  # SQLite alters no schema inside a transaction
def test_the_migration_seals_plaintext_secrets_and_running_it_again_changes_nothing(
        back_to_latest: None) -> None:
    _migrate(BEFORE_SEALING)
    person = make_person(Role.COORDINATOR, mfa=False)
    Authenticator.objects.create(user=person, type=Authenticator.Type.TOTP,
                                 data={"secret": TOTP_SECRET})
    Authenticator.objects.create(user=person, type=Authenticator.Type.RECOVERY_CODES,
                                 data={"seed": RECOVERY_SEED, "used_mask": 0,
                                       "migrated_codes": ["12345678"]})
    assert TOTP_SECRET in stored_rows(person)

    _migrate(SEALING)

    stored = stored_rows(person)
    for secret in (TOTP_SECRET, RECOVERY_SEED, "12345678"):
        assert secret not in stored
    codes = Authenticator.objects.get(user=person, type=Authenticator.Type.RECOVERY_CODES)
    assert decrypt(codes.data["seed"]) == RECOVERY_SEED
    assert [decrypt(code) for code in codes.data["migrated_codes"]] == ["12345678"]
    assert codes.data["used_mask"] == 0
    assert signs_in_with_totp(person)

    before = {row.pk: row.data for row in Authenticator.objects.all()}
    keys = DataKey.objects.count()
    assert mfa.seal_stored_secrets(authenticators=Authenticator) == 0
    assert {row.pk: row.data for row in Authenticator.objects.all()} == before
    assert DataKey.objects.count() == keys


@pytest.mark.django_db(transaction=True)
def test_migrating_back_puts_the_secrets_in_clear_and_shreds_their_keys(
        back_to_latest: None) -> None:
    person = make_person(Role.COORDINATOR)
    assert TOTP_SECRET not in stored_rows(person)

    _migrate(BEFORE_SEALING)

    totp = Authenticator.objects.get(user=person, type=Authenticator.Type.TOTP)
    assert totp.data == {"secret": TOTP_SECRET}
    assert not DataKey.objects.filter(purpose=mfa.PURPOSE, wrapped__isnull=False).exists()
    _migrate(SEALING)
    assert TOTP_SECRET not in stored_rows(person)
    assert signs_in_with_totp(person)


# --- master keys -----------------------------------------------------------------------------

def test_totp_keeps_working_while_master_keys_rotate(settings) -> None:  # type: ignore[no-untyped-def]
    old, new = generate_master_key("old"), generate_master_key("new")
    settings.HAVEN_MASTER_KEYS = old
    crypto.master_keys.cache_clear()
    person = make_person(Role.COORDINATOR)
    sealed_before = Authenticator.objects.get(user=person, type=Authenticator.Type.TOTP).data

    settings.HAVEN_MASTER_KEYS = f"{new},{old}"  # a new current key, the old one still there
    crypto.master_keys.cache_clear()
    crypto.forget_cached_keys()
    assert signs_in_with_totp(person)
    call_command("keys", "rotate", stdout=io.StringIO())
    settings.HAVEN_MASTER_KEYS = new  # the old key retired
    crypto.master_keys.cache_clear()
    crypto.forget_cached_keys()

    assert not DataKey.objects.filter(wrapped__isnull=False, master_key_id="old").exists()
    assert Authenticator.objects.get(user=person,
                                     type=Authenticator.Type.TOTP).data == sealed_before
    cache.clear()  # forget that this period's code was used: allauth refuses a replay
    assert signs_in_with_totp(person)


# --- the demo's published secret -------------------------------------------------------------

def test_the_demo_secret_is_sealed_too_and_haven_totp_still_prints_its_code() -> None:
    seed_demo(history=False)  # the people are what matters here
    account = next(account for account in DEMO_ACCOUNTS if account.needs_mfa)
    person = Person.objects.get(email=account.email)
    out = io.StringIO()

    call_command("totp", person.email, stdout=out)

    assert DEMO_TOTP_SECRET not in stored_rows(person)
    assert out.getvalue().strip() == totp_code(DEMO_TOTP_SECRET)
    assert TOTP(Authenticator.objects.get(user=person, type=Authenticator.Type.TOTP)
                ).validate_code(totp_code(DEMO_TOTP_SECRET))
