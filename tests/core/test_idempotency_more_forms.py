"""The create forms guarded after the first ones (haven.core.idempotency): an access token, a
shared attribute, a coach practice submission, a journal entry and a speak-up report make one
record when the same page is sent twice, and the second answer shows the first record (never
again a secret shown once). A coffee block needs no guard: the same block twice is one."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from haven.attributes.models import SharedAttribute
from haven.coach.models import PracticeAttempt
from haven.coach.scenarios import SCENARIOS
from haven.coffee.models import CoffeeBlock
from haven.core.models import FormSubmission, Person, PersonalAccessToken, Role
from haven.speakup.models import JournalEntry, Report
from tests.conftest import signed_in
from tests.factories import make_person
from tests.speakup.reports_support import fast_kdf, handler_with_keys  # noqa: F401

pytestmark = pytest.mark.django_db

ALREADY = "You had already sent this"


def _with_token(client: Client, path: str, data: dict[str, Any]) -> dict[str, Any]:
    found = re.search(r'name="form_token" value="([^"]+)"', client.get(path).content.decode())
    assert found, f"no form_token on {path}"
    return {**data, "form_token": found.group(1)}


def test_an_access_token_sent_twice_is_made_once_and_its_secret_not_shown_again(
        colleague: Person) -> None:
    client = signed_in(colleague)
    data = _with_token(client, "/profile/tokens/", {"name": "HR sync", "days": "30"})

    first = client.post("/profile/tokens/", data)
    again = client.post("/profile/tokens/", data, follow=True)

    token = PersonalAccessToken.objects.get()
    secret = first.context["new_secret"]
    assert secret and secret.encode() in first.content
    page = again.content.decode()
    assert "no second token was made" in page and "cannot be shown" in page
    assert "HR sync <strong>(the one you made)</strong>" in page
    assert secret not in page and again.context["new_secret"] is None
    assert again.redirect_chain == [(f"/profile/tokens/?made={token.pk}", 302)]


def test_a_token_of_the_same_name_from_a_fresh_page_is_a_second_token(
        colleague: Person) -> None:
    client = signed_in(colleague)
    for _ in range(2):
        client.post("/profile/tokens/", _with_token(client, "/profile/tokens/",
                                                    {"name": "HR sync", "days": "30"}))

    assert PersonalAccessToken.objects.count() == 2


def test_a_shared_attribute_sent_twice_is_defined_once() -> None:
    client = signed_in(make_person(Role.ADMINISTRATOR))
    data = _with_token(client, "/attributes/", {
        "name": "Working pattern", "question": "How do you work?",
        "options": "Full time\nPart time"})

    first = client.post("/attributes/", data)
    again = client.post("/attributes/", data)

    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]
    assert ALREADY in client.get(again["Location"]).content.decode()
    assert SharedAttribute.objects.count() == 1


def test_a_practice_reply_sent_twice_starts_one_attempt_scored_once(supporter: Person) -> None:
    client = signed_in(supporter)
    path = f"/coach/practice/{SCENARIOS[0].slug}/"
    data = _with_token(client, path, {"reply": "That sounds really hard. What happened?"})

    first = client.post(path, data)
    again = client.post(path, data)

    attempt = PracticeAttempt.objects.get()
    assert attempt.revisions == 1
    assert first.context["attempt"] == again.context["attempt"] == attempt
    assert "it was scored once" in again.content.decode()
    # The reply is never stored, not even as a keyed hash to recognise it by.
    assert FormSubmission.objects.get().repeat_tag == ""


def test_a_journal_entry_sent_twice_is_written_once_and_the_record_points_nowhere(
        colleague: Person) -> None:
    client = signed_in(colleague)
    data = _with_token(client, "/journal/new/", {
        "occurred_on": timezone.localdate().isoformat(), "what": "She read my e-mail aloud."})

    first = client.post("/journal/new/", data)
    again = client.post("/journal/new/", data)

    entry = JournalEntry.objects.get()
    assert first["Location"] == f"/journal/{entry.pk}/"
    assert again["Location"] == "/journal/"
    assert ALREADY in client.get("/journal/").content.decode()
    row = FormSubmission.objects.get()
    assert row.shown_at == "/journal/" and row.repeat_tag == ""
    assert row.created_at.hour == row.created_at.minute == 0  # the day only


def test_a_report_sent_twice_is_filed_once_and_its_receipt_code_not_shown_again(
        colleague: Person) -> None:
    handler_with_keys()
    client = signed_in(colleague)
    data = _with_token(client, "/speakup/reports/new/", {
        "named_person": "", "named_text": "Someone Outside", "what": "They mocked me.",
        "when": "", "where": "", "rule": "held", "identity": "anonymous"})

    first = client.post("/speakup/reports/new/", data)
    again = client.post("/speakup/reports/new/", data, follow=True)

    assert Report.objects.count() == 1
    code = first.context["filed"].receipt_code
    page = again.content.decode()
    assert again.redirect_chain == [("/speakup/reports/", 302)]
    assert "filed once, not twice" in page and code not in page
    row = FormSubmission.objects.get()
    assert row.shown_at == "/speakup/reports/" and row.repeat_tag == ""


def test_a_coffee_block_sent_twice_is_one_block(colleague: Person) -> None:
    client = signed_in(colleague)
    other = make_person()

    for _ in range(2):
        response = client.post("/coffee/blocks/", {"person": other.email})
        assert response.status_code == 302

    assert CoffeeBlock.objects.filter(blocker=colleague).count() == 1
