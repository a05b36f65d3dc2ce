"""Open-question pages: asking, the board and its k rule explained, voting twice, moderation
and answers limited to coordinators and administrators, and no page naming an anonymous
author."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from haven.core.models import Person, Role
from haven.questions import services as questions
from haven.questions.models import Question, QuestionVote
from tests.conftest import signed_in
from tests.factories import make_person
from tests.questions.test_questions import published

pytestmark = pytest.mark.django_db


def test_the_board_has_an_empty_state(as_colleague: Client) -> None:
    body = as_colleague.get("/questions/").content.decode()

    assert "<h1>Questions to leadership</h1>" in body
    assert "No questions published yet. Ask the first one." in body
    assert "Questions waiting for moderation" not in body
    assert "You have not asked a question yet." in as_colleague.get(
        "/questions/mine/").content.decode()


def test_asking_anonymously(colleague: Person, as_colleague: Client) -> None:
    page = as_colleague.get("/questions/ask/").content.decode()
    assert '<label for="id_text">' in page and "<legend>Ask as</legend>" in page

    response = as_colleague.post("/questions/ask/", {"text": "Pay review?", "anonymous": "yes"},
                                 follow=True)

    question = Question.objects.get()
    assert (question.anonymous, question.author) == (True, None)
    body = response.content.decode()
    assert "Pay review?" in body and "Asked anonymously" in body


@pytest.mark.parametrize("data", [{"text": "", "anonymous": "no"},
                                  {"text": "x" * 1001, "anonymous": "no"},
                                  {"text": "   ", "anonymous": "yes"}])
def test_bad_questions_come_back_with_an_error(as_colleague: Client,
                                               data: dict[str, str]) -> None:
    response = as_colleague.post("/questions/ask/", data)

    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert not Question.objects.exists()


def test_a_held_question_tells_its_author_why(as_colleague: Client) -> None:
    body = as_colleague.post("/questions/ask/", {"text": "Why are you all so useless?",
                                                 "anonymous": "yes"},
                             follow=True).content.decode()

    assert "Held for a closer look: it reads as an insult." in body


def test_voting_twice_gets_a_clear_answer(colleague: Person, as_colleague: Client) -> None:
    question = published()

    as_colleague.post(f"/questions/{question.pk}/vote/")
    body = as_colleague.post(f"/questions/{question.pk}/vote/", follow=True).content.decode()

    assert "You have already voted for this question." in body
    assert QuestionVote.objects.filter(question=question).count() == 1


def test_votes_for_unpublished_questions_are_404(as_colleague: Client) -> None:
    waiting = questions.ask(person=make_person(), text="Waiting?", anonymous=False)

    assert as_colleague.post(f"/questions/{waiting.pk}/vote/").status_code == 404
    assert as_colleague.post("/questions/99999999999999999999/vote/").status_code == 404


@pytest.mark.parametrize("path", ["/questions/moderation/"])
def test_colleagues_cannot_moderate_or_answer(as_colleague: Client, path: str) -> None:
    question = published()
    pending = questions.ask(person=make_person(), text="Waiting?", anonymous=False)

    assert as_colleague.get(path).status_code == 403
    assert as_colleague.post(f"/questions/{pending.pk}/moderate/",
                             {"decision": "publish"}).status_code == 403
    assert as_colleague.post(f"/questions/{question.pk}/answer/",
                             {"answer": "Yes."}).status_code == 403
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_the_board_explains_why_anonymous_questions_wait(settings: Any,
                                                         as_colleague: Client) -> None:
    settings.HAVEN_MIN_GROUP_SIZE = 5
    published("Anonymous one?", anonymous=True)

    body = as_colleague.get("/questions/").content.decode()

    assert "Anonymous one?" not in body
    assert "Anonymous questions appear here once at least 5 people take part" in body
    assert "So far 1 person has taken part." in body
    assert "No questions to show yet." in body


def test_moderation_and_answers_by_a_coordinator(as_coordinator: Client) -> None:
    author = make_person(name="Wilhelmina Poe", email="wilhelmina.poe@example.org")
    question = questions.ask(person=author, text="Office move?", anonymous=True)

    queue = as_coordinator.get("/questions/moderation/").content.decode()
    assert "Office move?" in queue
    refused = as_coordinator.post(f"/questions/{question.pk}/moderate/",
                                  {"decision": "reject"})
    assert refused.status_code == 400  # the queue again, the decision kept, with why
    assert "Give a reason the author will see." in refused.content.decode()
    assert 'value="reject" checked' in refused.content.decode()
    question.refresh_from_db()
    assert question.status == "pending"  # declining without a reason changes nothing

    as_coordinator.post(f"/questions/{question.pk}/moderate/", {"decision": "publish"})
    as_coordinator.post(f"/questions/{question.pk}/answer/", {"answer": "In June."})

    question.refresh_from_db()
    assert (question.status, question.answer) == ("published", "In June.")
    assert "Nothing is waiting." in as_coordinator.get("/questions/moderation/").content.decode()


def test_no_page_names_an_anonymous_author(settings: Any) -> None:
    settings.HAVEN_MIN_GROUP_SIZE = 2
    author = make_person(name="Wilhelmina Poe", email="wilhelmina.poe@example.org")
    coordinator = make_person(Role.COORDINATOR, mfa=False)
    administrator = make_person(Role.ADMINISTRATOR, mfa=False)
    question = questions.ask(person=author, text="Office move?", anonymous=True)
    pending = questions.ask(person=author, text="Second one?", anonymous=True)
    question = questions.moderate(moderator=coordinator, question=question, publish=True)
    questions.vote(person=coordinator, question=question)

    for viewer in (coordinator, administrator, make_person(), author):
        client = signed_in(viewer)
        for path in ("/questions/", "/questions/moderation/", "/questions/mine/",
                     "/audit/"):
            response = client.get(path)
            if response.status_code != 200:
                continue
            body = response.content.decode()
            if viewer != author:
                assert "Wilhelmina" not in body and "wilhelmina" not in body, path
    board = signed_in(make_person()).get("/questions/").content.decode()
    assert "Office move?" in board and "Asked anonymously" in board
    assert "Second one?" not in board
    assert pending.author_id is None


def test_the_board_queries_do_not_grow(colleague: Person, as_colleague: Client) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert as_colleague.get("/questions/").status_code == 200
        return len(queries)

    published("One?")
    few = count()
    for number in range(6):
        question = published(f"Question {number}?", anonymous=number % 2 == 0)
        questions.vote(person=make_person(), question=question)
        questions.answer(leader=make_person(Role.COORDINATOR, mfa=False), question=question,
                         text="Yes.")

    assert count() <= few  # one query fewer once the k rule no longer hides anything
