"""/api/v1/speakup: reporters' reports and case handlers' cases, with the pages' rules."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from haven.core import services as core_services
from haven.core.models import Role
from haven.speakup.models import Report, ReportState
from tests.conftest import signed_in
from tests.factories import make_person
from tests.speakup.reports_support import PASSPHRASE, fast_kdf, file, handler_with_keys

__all__ = ["fast_kdf"]
pytestmark = pytest.mark.django_db
API = "/api/v1/speakup"


def _post(client: Client, path: str, body: dict, **extra: str):
    return client.post(API + path, json.dumps(body), content_type="application/json", **extra)


def test_a_reporter_files_lists_opens_and_withdraws_through_the_api() -> None:
    handler_with_keys()
    colleague, bully = make_person(), make_person()
    client = signed_in(colleague)
    filed = _post(client, "/reports", {"named_person_id": bully.pk, "what": "Shouted at me"})
    assert filed.status_code == 201, filed.content
    body = filed.json()
    assert body["state"] == "held" and body["recipients"] == 1 and body["released"] == 0
    listed = client.get(API + "/reports").json()
    assert [r["id"] for r in listed] == [body["id"]] and "receipt_code" not in listed[0]
    opened = _post(client, "/reports/open", {"code": body["receipt_code"]})
    assert opened.status_code == 200 and opened.json()["what"] == "Shouted at me"
    assert opened.json()["named"] == bully.name
    wrong = _post(client, "/reports/open", {"code": "AAAAA-AAAAA-AAAAA-AAAAA-AAAAA"})
    assert wrong.status_code == 422
    myself = _post(client, "/reports", {"named_person_id": colleague.pk, "what": "x"})
    assert myself.status_code == 422 and "cannot report yourself" in myself.content.decode()
    other = _post(signed_in(make_person()), f"/reports/{body['id']}/withdraw", {})
    assert other.status_code == 403
    assert _post(client, f"/reports/{body['id']}/withdraw", {}).status_code == 204
    assert Report.objects.get().state == ReportState.WITHDRAWN


def test_cases_open_only_for_their_handlers_and_only_with_the_unlocked_key() -> None:
    named, _, _ = handler_with_keys(name="Named Handler")
    holder, _, _ = handler_with_keys()
    filed = file(make_person(), named, send_now=True, what="The account")
    path = f"/cases/{filed.report.pk}"
    token = core_services.create_access_token(person=holder, name="script")[1]
    with_token = Client().get(API + path, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert with_token.status_code == 403 and "Unlock" in with_token.json()["message"]
    listed = Client().get(API + "/cases", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert [c["id"] for c in listed] == [str(filed.report.pk)]
    browser = signed_in(holder)
    browser.post("/cases/unlock/", {"passphrase": PASSPHRASE})
    case = browser.get(API + path)
    assert case.status_code == 200 and case.json()["what"] == "The account"
    assert case.json()["reporter_name"] is None
    assert browser.get(API + path + "/state").json() == {"case_state": "received",
                                                          "next_states": ["acknowledged"]}
    moved = _post(browser, path + "/state", {"state": "acknowledged"})
    assert moved.status_code == 200 and moved.json()["case_state"] == "acknowledged"
    sent = _post(browser, path + "/messages", {"text": "Thank you"})
    assert sent.status_code == 201 and sent.json()["messages"][0]["text"] == "Thank you"
    noted = _post(browser, path + "/notes", {"text": "Private"})
    assert noted.status_code == 201 and noted.json()["notes"][0]["text"] == "Private"
    named_browser = signed_in(named)
    named_browser.post("/cases/unlock/", {"passphrase": PASSPHRASE})
    assert named_browser.get(API + path).status_code == 404
    assert named_browser.get(API + "/cases").json() == []
    for person in (make_person(), make_person(Role.COORDINATOR),
                   make_person(Role.ADMINISTRATOR)):
        assert signed_in(person).get(API + path).status_code == 403
    reply = _post(signed_in(make_person()), "/reports/messages",
                  {"code": filed.receipt_code, "text": "Ana saw it"})
    assert reply.status_code == 201
    assert [m["from_reporter"] for m in reply.json()["messages"]] == [False, True]


def test_the_openapi_schema_describes_speakup() -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    paths = [p for p in schema["paths"] if p.startswith("/api/v1/speakup")]
    assert "/api/v1/speakup/reports" in paths and "/api/v1/speakup/cases/{report_id}" in paths
