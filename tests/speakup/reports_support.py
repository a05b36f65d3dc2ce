"""Helpers for the reports and cases tests: light Argon2id limits (the stored limits travel
with each key, so the code paths are the production ones), case handlers with keys, filings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import override_settings
from nacl.public import PrivateKey

from haven.core.models import Person, Role
from haven.speakup.reports import services
from tests.factories import make_person

PASSPHRASE = "quiet harbour lantern 42"

FAST_KDF = {"HAVEN_SPEAKUP_KDF_OPS": 1, "HAVEN_SPEAKUP_KDF_MEM": 8192,
            "HAVEN_SPEAKUP_RECEIPT_KDF_OPS": 1, "HAVEN_SPEAKUP_RECEIPT_KDF_MEM": 8192}


@pytest.fixture(autouse=True)
def fast_kdf() -> Iterator[None]:
    with override_settings(**FAST_KDF):
        yield


def handler_with_keys(**fields: object) -> tuple[Person, PrivateKey, str]:
    """A case handler who has set up keys: (person, their unlocked key, recovery text)."""
    person = make_person(Role.CASE_HANDLER, **fields)
    recovery = services.set_up_keys(person=person, passphrase=PASSPHRASE, confirm=PASSPHRASE)
    return person, services.open_private_key(person=person, passphrase=PASSPHRASE), recovery


def file(reporter: Person, about: Person | None = None, *, text: str = "",
         what: str = "They shouted at me in the stand-up.", send_now: bool = False,
         anonymous: bool = True) -> services.Filed:
    return services.file_report(
        reporter=reporter, named_person_id=about.pk if about else None, named_text=text,
        what=what, when="Monday morning", where="Meeting room 2", send_now=send_now,
        anonymous=anonymous)

