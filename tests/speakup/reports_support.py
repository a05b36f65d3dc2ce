"""Helpers for the reports and cases tests: light Argon2id limits (the stored limits travel
with each key, so the code paths are the production ones), case handlers with keys, filings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client, override_settings
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



# How the page-text tests (tests/core/test_page_text_input.py) reach each form: a client,
# a URL and a submission that would succeed.

Submission = tuple[Client, str, dict[str, str]]


def unlocked_handler_client() -> tuple[Person, Client]:
    """A case handler whose keys (made with light limits, which travel with the key) are
    unlocked in this client's session and cookie."""
    with override_settings(**FAST_KDF):
        handler, _private, _recovery = handler_with_keys()
    client = Client()
    client.force_login(handler)
    response = client.post("/cases/unlock/", {"passphrase": PASSPHRASE})
    assert response.status_code == 302, response.status_code
    return handler, client


def released_case(reporter: Person, handler: Person) -> services.Filed:
    return file(reporter, text="Someone Outside", send_now=True)


def report_form(colleague: Person) -> Submission:
    client = Client()
    client.force_login(colleague)
    return client, "/speakup/reports/new/", {
        "named_person": "", "named_text": "Someone Outside", "what": "They mocked me.",
        "when": "Tuesday", "where": "Canteen", "rule": "held", "identity": "anonymous"}


def edit_report_form(colleague: Person) -> Submission:
    filed = file(colleague, text="Someone Outside")
    return Client(), "/speakup/receipt/edit/", {
        "code": filed.receipt_code, "what": "They mocked me twice.", "when": "", "where": ""}


def receipt_code_form(colleague: Person) -> Submission:
    filed = file(colleague, text="Someone Outside")
    return Client(), "/speakup/receipt/", {"code": filed.receipt_code}


def reporter_message_form(colleague: Person) -> Submission:
    with override_settings(**FAST_KDF):
        handler_with_keys()
    filed = file(colleague, text="Someone Outside", send_now=True)
    return Client(), "/speakup/receipt/reply/", {"code": filed.receipt_code,
                                                 "text": "Anything new?"}


def set_up_keys_form(colleague: Person) -> Submission:
    client = Client()
    client.force_login(make_person(Role.CASE_HANDLER))
    return client, "/cases/keys/", {"passphrase": PASSPHRASE, "confirm": PASSPHRASE}


def unlock_form(colleague: Person) -> Submission:
    with override_settings(**FAST_KDF):
        handler, _private, _recovery = handler_with_keys()
    client = Client()
    client.force_login(handler)
    return client, "/cases/unlock/", {"passphrase": PASSPHRASE, "next": ""}


def change_passphrase_form(colleague: Person) -> Submission:
    with override_settings(**FAST_KDF):
        handler, _private, _recovery = handler_with_keys()
    client = Client()
    client.force_login(handler)
    return client, "/cases/keys/passphrase/", {
        "current": PASSPHRASE, "new": "a new long passphrase", "confirm": "a new long passphrase"}


def recover_keys_form(colleague: Person) -> Submission:
    with override_settings(**FAST_KDF):
        handler, _private, recovery = handler_with_keys()
    client = Client()
    client.force_login(handler)
    return client, "/cases/keys/recover/", {
        "recovery_key": recovery, "new": "a new long passphrase",
        "confirm": "a new long passphrase"}


def case_form(colleague: Person, action: str) -> Submission:
    handler, client = unlocked_handler_client()
    filed = released_case(colleague, handler)
    data = {"note": {"text": "Check the rota."},
            "message": {"text": "Thank you for telling us."},
            "state": {"state": "closed", "outcome": "Addressed with the team."}}[action]
    if action == "state":
        services.set_case_state(handler=handler, report_id=filed.report.pk,
                                state="acknowledged")
    return client, f"/cases/{filed.report.pk}/{action}/", data
