"""Passwords are hashed with Argon2id in one lane (haven.core.passwords); hashes made with
Django's eight lanes still verify and are made again in one at the next sign-in."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher as DjangosArgon2PasswordHasher
from django.contrib.auth.hashers import check_password, make_password
from django.test import override_settings

from haven.core.passwords import Argon2PasswordHasher

# The test settings hash with MD5 for speed; these tests use production's list.
PRODUCTION_HASHERS = ["haven.core.passwords.Argon2PasswordHasher",
                      "django.contrib.auth.hashers.PBKDF2PasswordHasher"]
PASSWORD = "a long and good passphrase"


def _parameters(encoded: str) -> str:
    # argon2$argon2id$v=19$m=102400,t=2,p=1$salt$hash
    return encoded.split("$")[3]


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_a_password_is_hashed_with_argon2id_in_one_lane_and_django_s_memory_and_passes() -> None:
    encoded = make_password(PASSWORD)

    assert encoded.startswith("argon2$argon2id$")
    stock = DjangosArgon2PasswordHasher()
    assert _parameters(encoded) == f"m={stock.memory_cost},t={stock.time_cost},p=1"
    assert check_password(PASSWORD, encoded)
    assert not check_password(PASSWORD + "!", encoded)


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
@pytest.mark.parametrize("typed, verifies", [(PASSWORD, True), ("not it", False)])
def test_a_hash_in_eight_lanes_still_verifies_and_is_made_again_in_one(
        typed: str, verifies: bool) -> None:
    stock = DjangosArgon2PasswordHasher()
    old = stock.encode(PASSWORD, stock.salt())
    assert _parameters(old).endswith(",p=8")
    remade: list[str] = []

    assert check_password(typed, old, setter=lambda raw: remade.append(make_password(raw))) \
        is verifies

    assert Argon2PasswordHasher().must_update(old)
    if verifies:  # Django re-hashes only a password it has just checked
        assert [_parameters(encoded)[-4:] for encoded in remade] == [",p=1"]
    else:
        assert remade == []
