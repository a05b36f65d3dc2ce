"""Case handling through the pages: keys, unlocking into the session, the inbox as the case
handler's home, who may open a case, and locking on sign-out."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from haven.core.models import AuditEvent, Role
from haven.speakup.models import CaseState, HandlerKey, Report
from haven.speakup.reports import keys
from tests.conftest import signed_in
from tests.factories import make_person
from tests.speakup.reports_support import PASSPHRASE, fast_kdf, file, handler_with_keys

__all__ = ["fast_kdf"]
pytestmark = pytest.mark.django_db


def _unlocked(person) -> Client:
    client = signed_in(person)
    response = client.post("/cases/unlock/", {"passphrase": PASSPHRASE})
    assert response.status_code == 302
    return client


def test_key_set_up_shows_the_recovery_key_once() -> None:
    handler = make_person(Role.CASE_HANDLER)
    client = signed_in(handler)
    assert "Set up your case keys first" in client.get("/cases/").content.decode()
    weak = client.post("/cases/keys/", {"passphrase": "short", "confirm": "short"})
    assert weak.status_code == 400 and "at least 12 characters" in weak.content.decode()
    done = client.post("/cases/keys/", {"passphrase": PASSPHRASE, "confirm": PASSPHRASE})
    assert done.status_code == 200 and "no-store" in done["Cache-Control"]
    assert re.search(r"([A-Z2-7]{4}-){12}[A-Z2-7]{4}", done.content.decode())
    assert HandlerKey.objects.filter(person=handler).exists()
    again = client.get("/cases/keys/").content.decode()
    assert not re.search(r"([A-Z2-7]{4}-){12}", again)


def test_unlocking_sets_a_strict_http_only_cookie_and_a_wrong_passphrase_is_refused() -> None:
    handler, _, _ = handler_with_keys()
    client = signed_in(handler)
    wrong = client.post("/cases/unlock/", {"passphrase": "not my passphrase at all"})
    assert wrong.status_code == 400 and "does not open" in wrong.content.decode()
    response = client.post("/cases/unlock/", {"passphrase": PASSPHRASE})
    cookie = response.cookies[keys.COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    stored = client.session[keys.SESSION_ENTRY]
    assert cookie.value not in stored  # the session holds only what the cookie opens


def test_the_case_handlers_home_is_their_inbox() -> None:
    handler, _, _ = handler_with_keys()
    file(make_person(), make_person(), send_now=True)
    home = signed_in(handler).get("/").content.decode()
    assert "Your case inbox" in home and "Person 1" in home
    colleague_home = signed_in(make_person()).get("/").content.decode()
    assert "Your case inbox" not in colleague_home and "Person 1" not in colleague_home


def test_who_may_open_a_case() -> None:
    named, _, _ = handler_with_keys(name="Named Handler")
    holder, _, _ = handler_with_keys()
    reporter = make_person()
    filed = file(reporter, named, send_now=True, what="What the named handler did")
    url = f"/cases/{filed.report.pk}/"
    for person in (reporter, make_person(), make_person(Role.COORDINATOR),
                   make_person(Role.ADMINISTRATOR)):
        assert signed_in(person).get(url).status_code == 403
    named_client = _unlocked(named)
    assert named_client.get(url).status_code == 404
    assert "Person 1" not in named_client.get("/cases/").content.decode()
    # The holder: locked, sent to unlock; unlocked, reads it (audited).
    locked = signed_in(holder).get(url)
    assert locked.status_code == 302 and "/cases/unlock/" in locked["Location"]
    page = _unlocked(holder).get(url)
    assert page.status_code == 200
    assert "What the named handler did" in page.content.decode()
    assert AuditEvent.objects.filter(action="case_read", actor=holder,
                                     object_id=str(filed.report.pk)).count() == 1
    assert not AuditEvent.objects.filter(action="case_read", actor=named).exists()
    assert signed_in(holder).get("/cases/not-a-uuid/").status_code == 404


def test_acknowledge_message_and_note_through_the_pages() -> None:
    handler, _, _ = handler_with_keys()
    filed = file(make_person(), make_person(), send_now=True)
    client = _unlocked(handler)
    base = f"/cases/{filed.report.pk}/"
    assert client.post(base + "state/", {"state": "closed", "outcome": "x"}
                       ).status_code == 400  # not offered before acknowledging
    assert client.post(base + "state/", {"state": "acknowledged"}).status_code == 302
    assert Report.objects.get().case_state == CaseState.ACKNOWLEDGED
    assert client.post(base + "message/", {"text": "Thanks. Who saw it?"}).status_code == 302
    assert client.post(base + "note/", {"text": "Ask the rota lead"}).status_code == 302
    empty = client.post(base + "note/", {"text": "   "})
    assert empty.status_code == 400
    reporter_view = Client().post("/speakup/receipt/", {"code": filed.receipt_code})
    text = reporter_view.content.decode()
    assert "Thanks. Who saw it?" in text and "Ask the rota lead" not in text
    answer = Client().post("/speakup/receipt/reply/", {"code": filed.receipt_code,
                                                      "text": "Ana saw it."})
    assert answer.status_code == 200 and "Ana saw it." in answer.content.decode()
    case_page = client.get(base).content.decode()
    assert "Ana saw it." in case_page and "Ask the rota lead" in case_page
    assert handler.name not in text  # the reporter is not told who the handler is


def test_signing_out_locks_the_keys() -> None:
    handler, _, _ = handler_with_keys()
    filed = file(make_person(), make_person(), send_now=True)
    client = Client()
    client.force_login(handler)
    client.post("/cases/unlock/", {"passphrase": PASSPHRASE})
    assert client.get(f"/cases/{filed.report.pk}/").status_code == 200
    client.post("/accounts/logout/")
    client.force_login(handler)
    assert client.get(f"/cases/{filed.report.pk}/").status_code == 302  # locked again
    # The lock button works too.
    client.post("/cases/unlock/", {"passphrase": PASSPHRASE})
    client.post("/cases/lock/")
    assert client.get(f"/cases/{filed.report.pk}/").status_code == 302


def test_a_handler_who_lost_everything_starts_again_and_colleagues_share_back() -> None:
    lost, _, _ = handler_with_keys()
    keeper, keeper_private, _ = handler_with_keys()
    filed = file(make_person(), make_person(), send_now=True)
    client = signed_in(lost)
    assert "Delete my keys" in client.get("/cases/keys/reset/").content.decode()
    assert HandlerKey.objects.filter(person=lost).exists()  # asking changed nothing
    assert client.post("/cases/keys/reset/").status_code == 302
    assert not HandlerKey.objects.filter(person=lost).exists()
    assert AuditEvent.objects.filter(action="case_keys_reset", actor=lost).exists()
    assert "Person 1" not in client.get("/cases/").content.decode()
    client.post("/cases/keys/", {"passphrase": PASSPHRASE, "confirm": PASSPHRASE})
    _unlocked(keeper).get(f"/cases/{filed.report.pk}/")  # the keeper opens it: shared again
    assert _unlocked(lost).get(f"/cases/{filed.report.pk}/").status_code == 200


def test_a_case_handler_without_mfa_is_held_at_mfa_set_up() -> None:
    handler = make_person(Role.CASE_HANDLER, mfa=False)
    response = signed_in(handler).get("/cases/")
    assert response.status_code == 302 and "/accounts/2fa/totp/activate" in response["Location"]
