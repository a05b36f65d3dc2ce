"""The API's create routes take an Idempotency-Key header: the same key and body again make
nothing and answer the first status and id; the same key with another body is a 422; without
the header, every call creates (haven.api.once, haven.core.idempotency.once_per_key)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from haven.api.api import api
from haven.core.models import FormSubmission, Person, Role
from haven.questions.models import Question
from haven.recognition.models import Recognition
from tests.conftest import signed_in
from tests.factories import make_person

pytestmark = pytest.mark.django_db

RECOGNITIONS = "/api/v1/recognitions"
QUESTIONS = "/api/v1/connect/questions"


def _post(client: Client, path: str, body: dict[str, Any], key: str | None = None) -> Any:
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(path, json.dumps(body), content_type="application/json", **extra)


def _thanks(person: Person, message: str = "Thanks for covering my shift!") -> dict[str, Any]:
    return {"recipient_email": person.email, "message": message, "audience": "organisation"}


def test_the_same_key_twice_creates_once_and_answers_the_same_id() -> None:
    client, colleague = signed_in(make_person()), make_person()

    first = _post(client, RECOGNITIONS, _thanks(colleague), key="k-1")
    again = _post(client, RECOGNITIONS, _thanks(colleague), key="k-1")

    assert first.status_code == again.status_code == 201
    assert again.json() == {"id": first.json()["id"], "repeated": True}
    assert again["Idempotent-Replayed"] == "true"
    assert Recognition.objects.count() == 1


def test_the_same_key_with_another_body_is_refused_and_creates_nothing() -> None:
    client, colleague = signed_in(make_person()), make_person()
    _post(client, RECOGNITIONS, _thanks(colleague), key="k-1")

    response = _post(client, RECOGNITIONS, _thanks(colleague, "Something else"), key="k-1")

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["Idempotency-Key"]
    assert "different request body" in response.json()["errors"][0]["message"]
    assert Recognition.objects.count() == 1


def test_without_the_header_each_call_creates() -> None:
    client, colleague = signed_in(make_person()), make_person()

    _post(client, RECOGNITIONS, _thanks(colleague))
    _post(client, RECOGNITIONS, _thanks(colleague, "And thanks again!"))

    assert Recognition.objects.count() == 2
    assert not FormSubmission.objects.exists()


def test_another_person_may_use_the_same_key() -> None:
    colleague = make_person()
    _post(signed_in(make_person()), RECOGNITIONS, _thanks(colleague), key="k-1")
    _post(signed_in(make_person()), RECOGNITIONS, _thanks(colleague), key="k-1")

    assert Recognition.objects.count() == 2


def test_a_refused_call_leaves_the_key_free_for_the_corrected_one() -> None:
    client, colleague = signed_in(make_person()), make_person()
    refused = _post(client, RECOGNITIONS, {**_thanks(colleague), "message": ""}, key="k-1")

    sent = _post(client, RECOGNITIONS, {**_thanks(colleague), "message": ""} | {
        "message": "Thanks!"}, key="k-1")

    assert refused.status_code == 422 and sent.status_code == 201
    assert Recognition.objects.count() == 1


def test_a_comment_with_the_same_key_is_posted_once() -> None:
    giver = make_person()
    recognition = _post(signed_in(giver), RECOGNITIONS, _thanks(make_person())).json()["id"]
    client = signed_in(make_person())
    path = f"{RECOGNITIONS}/{recognition}/comments"

    first = _post(client, path, {"message": "Well deserved!"}, key="c-1")
    again = _post(client, path, {"message": "Well deserved!"}, key="c-1")

    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]


def test_an_anonymous_question_again_answers_no_id_and_its_record_keeps_none() -> None:
    client = signed_in(make_person())
    body = {"text": "Why was the rota changed?", "anonymous": True}

    first = _post(client, QUESTIONS, body, key="q-1")
    again = _post(client, QUESTIONS, body, key="q-1")

    assert first.status_code == again.status_code == 201
    assert again.json() == {"id": None, "repeated": True}
    assert Question.objects.count() == 1
    row = FormSubmission.objects.get()
    assert row.answer_id == "" and row.created_at.hour == row.created_at.minute == 0
    assert re.fullmatch(r"[0-9a-f]{64}", row.tag) and re.fullmatch(r"[0-9a-f]{64}", row.body_tag)


def test_a_key_that_cannot_be_stored_is_a_422() -> None:
    client, colleague = signed_in(make_person(Role.SUPPORTER)), make_person()

    response = _post(client, RECOGNITIONS, _thanks(colleague), key="x" * 256)

    assert response.status_code == 422
    assert not Recognition.objects.exists()


def test_the_schema_documents_the_header_on_every_create_route() -> None:
    paths = api.get_openapi_schema()["paths"]
    creates = [
        ("/api/v1/recognitions", "post"), ("/api/v1/recognitions/{recognition_id}/comments",
                                           "post"),
        ("/api/v1/connect/questions", "post"), ("/api/v1/connect/activities", "post"),
        ("/api/v1/support/requests", "post"),
        ("/api/v1/support/conversations/{conversation_id}/commitments", "post"),
        ("/api/v1/journal/entries", "post"), ("/api/v1/speakup/reports", "post")]

    for path, method in creates:
        headers = [parameter for parameter in paths[path][method]["parameters"]
                   if parameter["in"] == "header"]
        assert [header["name"] for header in headers] == ["Idempotency-Key"], path
        assert "422" in headers[0]["description"]
