"""Reports through the pages: filing (the code shown once), the public receipt page and its
throttling, withdrawing, the programme's counts and the settings."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from haven.core.models import AuditEvent, Role
from haven.speakup.models import Report, ReportState, SpeakupSettings
from haven.speakup.reports import throttle
from tests.conftest import signed_in
from tests.factories import make_person
from tests.speakup.reports_support import fast_kdf, file, handler_with_keys

__all__ = ["fast_kdf"]
pytestmark = pytest.mark.django_db

CODE = re.compile(r"[A-Z2-7]{5}(?:-[A-Z2-7]{5}){4}")


def test_filing_shows_the_receipt_code_once_and_the_list_never_shows_it() -> None:
    handler_with_keys()
    colleague, bully = make_person(), make_person()
    client = signed_in(colleague)
    page = client.get("/speakup/reports/new/")
    # No list of everyone: the person is typed, or found with the picker's search.
    assert page.status_code == 200 and bully.name not in page.content.decode()
    answer = client.post("/speakup/reports/new/", {
        "named_person": bully.email, "named_text": "", "what": "Mocked me in front of all.",
        "when": "", "where": "", "rule": "held", "identity": "anonymous"})
    assert answer.status_code == 200
    assert "no-store" in answer["Cache-Control"]
    code = CODE.search(answer.content.decode())
    assert code is not None
    assert "Keep this code" in answer.content.decode()
    listing = client.get("/speakup/reports/").content.decode()
    assert not CODE.search(listing) and "Held" in listing
    report = Report.objects.get()
    assert report.state == ReportState.HELD
    # The code opens it on the public page, without signing in.
    opened = Client().post("/speakup/receipt/", {"code": code.group(0).lower()})
    assert opened.status_code == 200
    assert "Mocked me in front of all." in opened.content.decode()


def test_a_refused_filing_keeps_what_was_typed_and_stores_nothing() -> None:
    colleague = make_person(name="Avery Stone")
    client = signed_in(colleague)
    answer = client.post("/speakup/reports/new/", {
        "named_person": "", "named_text": "avery stone", "what": "A long account I typed.",
        "when": "", "where": "", "rule": "now", "identity": "named"})
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "cannot report yourself" in text and "A long account I typed." in text
    answer = client.post("/speakup/reports/new/", {
        "named_person": "", "named_text": "", "what": "Nobody named.", "when": "",
        "where": "", "rule": "now", "identity": "named"})
    assert answer.status_code == 400 and "Say whom the report is about" in (
        answer.content.decode())
    assert not Report.objects.exists()


def test_a_wrong_code_and_a_withdrawn_report_get_the_same_answer() -> None:
    colleague = make_person()
    withdrawn = file(colleague, make_person())
    signed_in(colleague).post(f"/speakup/reports/{withdrawn.report.pk}/withdraw/")
    assert Report.objects.get().state == ReportState.WITHDRAWN
    answers = [Client().post("/speakup/receipt/", {"code": code}) for code in (
        withdrawn.receipt_code, "ABCDE-FGHIJ-KLMNO-PQRST-UVWXY", "not a code")]
    assert {a.status_code for a in answers} == {400}
    bodies = {re.sub(r'value="[^"]*"', "", a.content.decode())
              .replace("csrfmiddlewaretoken", "") for a in answers}
    assert all("That code does not open a report" in body for body in bodies)
    assert AuditEvent.objects.filter(action="receipt_code_refused").count() == 3


def test_wrong_codes_are_throttled_per_address_and_overall(monkeypatch) -> None:
    filed = file(make_person(), make_person())
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(throttle.PER_ADDRESS):
        assert guesser.post("/speakup/receipt/", {
            "code": "AAAAA-AAAAA-AAAAA-AAAAA-AAAAA"}).status_code == 400
    blocked = guesser.post("/speakup/receipt/", {"code": filed.receipt_code})
    assert blocked.status_code == 429 and "Too many codes" in blocked.content.decode()
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert other.post("/speakup/receipt/", {"code": filed.receipt_code}).status_code == 200
    monkeypatch.setattr(throttle, "OVERALL", throttle.PER_ADDRESS + 1)
    other.post("/speakup/receipt/", {"code": "AAAAA-AAAAA-AAAAA-AAAAA-AAAAA"})
    third = Client(REMOTE_ADDR="192.0.2.1")
    assert third.post("/speakup/receipt/", {"code": filed.receipt_code}).status_code == 429


def test_withdrawing_asks_first_and_only_for_ones_own_held_report() -> None:
    colleague, other = make_person(), make_person()
    filed = file(colleague, make_person())
    url = f"/speakup/reports/{filed.report.pk}/withdraw/"
    assert signed_in(other).get(url).status_code == 404
    assert signed_in(other).post(url).status_code == 404
    assert signed_in(colleague).get("/speakup/reports/not-a-uuid/withdraw/").status_code == 404
    confirm = signed_in(colleague).get(url)
    assert confirm.status_code == 200 and "Withdraw the report" in confirm.content.decode()
    assert Report.objects.get().state == ReportState.HELD
    assert signed_in(colleague).post(url).status_code == 302
    assert Report.objects.get().state == ReportState.WITHDRAWN


def test_reporter_edits_and_writes_with_the_code() -> None:
    handler_with_keys()
    colleague = make_person()
    filed = file(colleague, make_person())
    client = Client()
    edited = client.post("/speakup/receipt/edit/", {"code": filed.receipt_code,
                                                   "what": "Second account", "when": "",
                                                   "where": ""})
    assert edited.status_code == 200 and "Second account" in edited.content.decode()
    assert "version 2" in edited.content.decode()
    held_reply = client.post("/speakup/receipt/reply/", {"code": filed.receipt_code,
                                                         "text": "hello"})
    assert held_reply.status_code == 403  # the thread opens on release
    refused = client.post("/speakup/receipt/edit/", {"code": filed.receipt_code, "what": "",
                                                     "when": "", "where": ""})
    assert refused.status_code == 400


def test_programme_counts_for_coordinators_only() -> None:
    for _ in range(2):
        file(make_person(), make_person())
    page = signed_in(make_person(Role.COORDINATOR)).get("/speakup/programme/")
    assert page.status_code == 200 and "hidden" in page.content.decode()
    assert signed_in(make_person()).get("/speakup/programme/").status_code == 403
    assert signed_in(make_person(Role.CASE_HANDLER)).get("/speakup/programme/"
                                                         ).status_code == 403


def test_administrators_set_the_threshold_with_a_floor_of_two() -> None:
    admin = signed_in(make_person(Role.ADMINISTRATOR))
    refused = admin.post("/speakup/settings/", {"threshold": "1", "acknowledge_days": "7",
                                                "feedback_days": "90"})
    assert refused.status_code == 400 and SpeakupSettings.load().threshold == 3
    assert admin.post("/speakup/settings/", {"threshold": "4", "acknowledge_days": "5",
                                             "feedback_days": "60"}).status_code == 302
    saved = SpeakupSettings.load()
    assert (saved.threshold, saved.acknowledge_days, saved.feedback_days) == (4, 5, 60)
    assert signed_in(make_person(Role.COORDINATOR)).get("/speakup/settings/"
                                                        ).status_code == 403
