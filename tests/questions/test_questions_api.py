"""The moderators' JSON API for open questions: the queue, publishing or rejecting with a
reason (audited), answering; colleagues refused; and no response of any question endpoint
naming the author of an anonymous question."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from haven.core.models import AuditEvent, Person, Role
from haven.questions import services as questions
from haven.questions.models import Question, QuestionAudit
from tests.conftest import signed_in
from tests.factories import make_person
from tests.questions.test_questions import published

pytestmark = pytest.mark.django_db

BASE = "/api/v1/connect/questions"


def _send(client: Client, method: str, path: str, body: object | None = None) -> Any:
    return getattr(client, method)(path, json.dumps(body or {}), content_type="application/json")


def test_the_queue_lists_waiting_questions_held_first(as_coordinator: Client) -> None:
    plain = questions.ask(person=make_person(), text="Pay review dates?", anonymous=False)
    held = questions.ask(person=make_person(), text="Why is finance so useless?",
                         anonymous=True)
    published("Already out?")

    response = as_coordinator.get(f"{BASE}/moderation")

    assert response.status_code == 200
    queue = response.json()
    assert [item["id"] for item in queue] == [held.pk, plain.pk]
    assert queue[0]["held_reason"].startswith("Held for a closer look")
    assert set(queue[0]) == {"id", "text", "anonymous", "status", "held_reason",
                             "rejection_reason", "created_at"}


def test_publishing_and_rejecting_with_a_reason(coordinator: Person,
                                                as_coordinator: Client) -> None:
    kept = questions.ask(person=make_person(), text="Budget?", anonymous=False)
    declined = questions.ask(person=make_person(), text="Gossip?", anonymous=True)

    response = _send(as_coordinator, "post", f"{BASE}/{kept.pk}/moderation",
                     {"decision": "publish"})
    assert (response.status_code, response.json()["status"]) == (200, "published")

    no_reason = _send(as_coordinator, "post", f"{BASE}/{declined.pk}/moderation",
                      {"decision": "reject"})
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"] == [{"field": "reason",
                                           "message": "This cannot be empty."}]
    assert Question.objects.get(pk=declined.pk).status == "pending"

    response = _send(as_coordinator, "post", f"{BASE}/{declined.pk}/moderation",
                     {"decision": "reject", "reason": "Not for leadership."})
    assert response.json()["rejection_reason"] == "Not for leadership."
    twice = _send(as_coordinator, "post", f"{BASE}/{declined.pk}/moderation",
                  {"decision": "publish"})
    assert twice.status_code == 422
    assert twice.json()["errors"][0]["message"] == "This question has already been moderated."
    assert as_coordinator.get(f"{BASE}/{declined.pk}/moderation").json()["status"] == "rejected"
    assert list(AuditEvent.objects.filter(action=QuestionAudit.QUESTION_MODERATED)
                .order_by("id").values_list("actor_id", "detail__published")) == [
        (coordinator.pk, True), (coordinator.pk, False)]


@pytest.mark.parametrize("body", [{"decision": "maybe"}, {"decision": "publish", "x": 1},
                                  {"decision": "reject", "reason": 7}, {}])
def test_malformed_decisions_are_refused(as_coordinator: Client, body: dict[str, Any]) -> None:
    question = questions.ask(person=make_person(), text="Budget?", anonymous=False)

    response = _send(as_coordinator, "post", f"{BASE}/{question.pk}/moderation", body)

    assert response.status_code == 422
    assert Question.objects.get().status == "pending"


def test_answering_a_published_question(as_administrator: Client,
                                        administrator: Person) -> None:
    question = published()

    response = _send(as_administrator, "put", f"{BASE}/{question.pk}/answer",
                     {"text": "In March."})

    assert response.status_code == 200
    assert response.json()["answered_by"] == administrator.name
    assert as_administrator.get(f"{BASE}/{question.pk}/answer").json()["answer"] == "In March."
    empty = _send(as_administrator, "put", f"{BASE}/{question.pk}/answer", {"text": " "})
    assert empty.json()["errors"] == [{"field": "answer", "message": "This cannot be empty."}]
    waiting = questions.ask(person=make_person(), text="Later?", anonymous=False)
    assert _send(as_administrator, "put", f"{BASE}/{waiting.pk}/answer",
                 {"text": "Now."}).status_code == 404
    assert Question.objects.get(pk=question.pk).answer == "In March."


def test_an_answer_closes_voting_and_the_board_says_so(as_administrator: Client) -> None:
    question = published()
    _send(as_administrator, "post", f"{BASE}/{question.pk}/vote")
    before = {q["id"]: q for q in as_administrator.get(BASE).json()["questions"]}
    assert (before[question.pk]["voting_open"], before[question.pk]["i_voted"]) == (True, True)

    _send(as_administrator, "put", f"{BASE}/{question.pk}/answer", {"text": "In March."})

    after = {q["id"]: q for q in as_administrator.get(BASE).json()["questions"]}
    assert (after[question.pk]["voting_open"], after[question.pk]["i_voted"],
            after[question.pk]["votes"]) == (False, False, 1)
    late = _send(as_administrator, "post", f"{BASE}/{question.pk}/vote")
    assert late.status_code == 422
    assert late.json()["errors"][0]["message"] == (
        "Voting has closed: this question has been answered.")


def test_colleagues_cannot_moderate_or_answer(as_colleague: Client) -> None:
    waiting = questions.ask(person=make_person(), text="Budget?", anonymous=False)
    out = published()

    attempts = [
        as_colleague.get(f"{BASE}/moderation"),
        as_colleague.get(f"{BASE}/{waiting.pk}/moderation"),
        _send(as_colleague, "post", f"{BASE}/{waiting.pk}/moderation", {"decision": "publish"}),
        _send(as_colleague, "put", f"{BASE}/{out.pk}/answer", {"text": "Yes."}),
    ]

    assert [response.status_code for response in attempts] == [403, 403, 403, 403]
    assert Question.objects.get(pk=waiting.pk).status == "pending"
    assert Question.objects.get(pk=out.pk).answer == ""


def test_no_question_endpoint_names_an_anonymous_author(settings: Any) -> None:
    settings.HAVEN_MIN_GROUP_SIZE = 1
    author = make_person(name="Hildegard Vance", email="hildegard.vance@example.org")
    as_author = signed_in(author)
    moderator = signed_in(make_person(Role.COORDINATOR))
    asked = _send(as_author, "post", BASE, {"text": "Why the rota change?", "anonymous": True})
    question_id = asked.json()["id"]
    sealed = bytes(Question.objects.get(pk=question_id).author_sealed).hex()

    responses = [
        asked,
        moderator.get(f"{BASE}/moderation"),
        moderator.get(f"{BASE}/{question_id}/moderation"),
        _send(moderator, "post", f"{BASE}/{question_id}/moderation", {"decision": "publish"}),
        _send(as_author, "post", f"{BASE}/{question_id}/vote"),
        as_author.get(BASE),
        moderator.get(BASE),
        _send(moderator, "put", f"{BASE}/{question_id}/answer", {"text": "To cover nights."}),
        moderator.get(f"{BASE}/{question_id}/answer"),
    ]

    assert [response.status_code for response in responses] == [
        201, 200, 200, 200, 204, 200, 200, 200, 200]
    assert any(item["id"] == question_id for item in moderator.get(BASE).json()["questions"])
    for response in responses:
        text = response.content.decode().lower()
        assert "hildegard" not in text and "vance" not in text and sealed not in text
