"""The JSON API for activities and open questions: signing up and the waitlist, bad input as
clear JSON errors, and no response naming an anonymous author."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from haven.connect import questions
from haven.connect.activity_models import ActivitySignup, Question, QuestionVote
from haven.core.models import Person
from tests.conftest import signed_in
from tests.connect.test_activities import an_activity
from tests.connect.test_questions import published
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def _post(client: Client, path: str, body: object | None = None) -> Any:
    return client.post(path, json.dumps(body or {}), content_type="application/json")


def test_anonymous_callers_are_refused(client: Client) -> None:
    activity = an_activity()
    assert client.get("/api/v1/connect/activities").status_code == 401
    assert _post(client, f"/api/v1/connect/activities/{activity.pk}/signup").status_code == 401
    assert _post(client, "/api/v1/connect/questions", {"text": "Hi?"}).status_code == 401
    assert not ActivitySignup.objects.exists() and not Question.objects.exists()


def test_sign_up_waitlist_and_give_up(colleague: Person, as_colleague: Client) -> None:
    activity = an_activity(capacity=1)
    first = signed_in(make_person())
    assert _post(first, f"/api/v1/connect/activities/{activity.pk}/signup").json() == {
        "status": "going"}

    response = _post(as_colleague, f"/api/v1/connect/activities/{activity.pk}/signup")
    assert (response.status_code, response.json()) == (201, {"status": "waitlist"})
    again = _post(as_colleague, f"/api/v1/connect/activities/{activity.pk}/signup")
    assert again.status_code == 422
    assert again.json()["errors"][0]["message"] == "You are already on the waitlist."

    listed = as_colleague.get("/api/v1/connect/activities").json()
    assert [(a["id"], a["going"], a["waiting"], a["my_status"]) for a in listed] == [
        (activity.pk, 1, 1, "waitlist")]
    assert first.delete(f"/api/v1/connect/activities/{activity.pk}/signup").status_code == 204
    assert ActivitySignup.objects.get(person=colleague).status == "going"
    assert as_colleague.delete("/api/v1/connect/activities/999/signup").status_code == 404


@pytest.mark.parametrize("body", [{"text": ""}, {"text": "x" * 1001}, {"text": 3},
                                  {"text": "Hi?", "anonymous": "yes"},
                                  {"text": "Hi?", "author": "me"}])
def test_bad_questions_get_clear_errors(as_colleague: Client, body: dict[str, Any]) -> None:
    response = _post(as_colleague, "/api/v1/connect/questions", body)

    assert response.status_code == 422
    assert response.json()["message"] == "The request is not valid."
    assert not Question.objects.exists()


def test_asking_and_voting_once(as_colleague: Client, settings: Any) -> None:
    response = _post(as_colleague, "/api/v1/connect/questions",
                     {"text": "Hybrid policy?", "anonymous": True})
    assert response.status_code == 201
    assert response.json()["status"] == "pending"

    question = published()
    assert _post(as_colleague, f"/api/v1/connect/questions/{question.pk}/vote").status_code == 204
    second = _post(as_colleague, f"/api/v1/connect/questions/{question.pk}/vote")
    assert second.status_code == 422
    assert "already voted" in second.json()["errors"][0]["message"]
    assert QuestionVote.objects.count() == 1


def test_no_response_names_an_anonymous_author(settings: Any) -> None:
    settings.HAVEN_MIN_GROUP_SIZE = 2
    author = make_person(name="Perpetua Lind", email="perpetua.lind@example.org")
    question = published("Office move?", anonymous=True, author=author)
    questions.vote(person=make_person(), question=question)
    named = published("Named?", author=make_person(name="Open Asker"))

    body = signed_in(make_person()).get("/api/v1/connect/questions")

    text = body.content.decode()
    assert "Perpetua" not in text and "perpetua" not in text
    shown = {q["id"]: q for q in body.json()["questions"]}
    assert shown[question.pk]["asked_by"] is None
    assert shown[named.pk]["asked_by"] == "Open Asker"
    schema = signed_in(make_person()).get("/api/v1/openapi.json").json()
    assert "author_hash" not in json.dumps(schema)
