"""Open-question services: asking, the lexical hold, votes once per person, moderation (audited),
answers, the anonymity of an anonymous author, and the board's k rule."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from haven.core.models import AuditEvent, Person, Role
from haven.questions import selectors
from haven.questions import services as questions
from haven.questions.models import Question, QuestionAudit, QuestionStatus, QuestionVote
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def published(text: str = "When is the next all-hands?", *, anonymous: bool = False,
              author: Person | None = None) -> Question:
    question = questions.ask(person=author or make_person(), text=text, anonymous=anonymous)
    return questions.moderate(moderator=make_person(Role.COORDINATOR, mfa=False),
                              question=question, publish=True)


def test_a_question_waits_for_moderation() -> None:
    question = questions.ask(person=make_person(), text="  Why the new rota?  ", anonymous=False)

    assert (question.status, question.text, question.held_reason) == (
        "pending", "Why the new rota?", "")


@pytest.mark.parametrize("text", ["", "   ", "x" * 1001])
def test_empty_or_over_long_questions_are_refused(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        questions.ask(person=make_person(), text=text, anonymous=True)
    assert "text" in caught.value.error_dict
    assert not Question.objects.exists()


def test_abusive_wording_is_held_with_the_reason() -> None:
    question = questions.ask(person=make_person(), text="Why is our manager such an idiot?",
                             anonymous=True)

    assert question.status == "pending"
    assert question.held_reason.startswith("Held for a closer look: it reads as an insult")


def test_moderation_publishes_or_declines_with_a_reason_and_is_audited() -> None:
    moderator = make_person(Role.COORDINATOR, mfa=False)
    kept = questions.ask(person=make_person(), text="Budget?", anonymous=True)
    declined = questions.ask(person=make_person(), text="Gossip?", anonymous=False)

    questions.moderate(moderator=moderator, question=kept, publish=True)
    questions.moderate(moderator=moderator, question=declined, publish=False,
                       reason="Not a question for leadership.")

    kept.refresh_from_db()
    declined.refresh_from_db()
    assert kept.status == "published"
    assert (declined.status, declined.rejection_reason) == (
        "rejected", "Not a question for leadership.")
    events = AuditEvent.objects.filter(action=QuestionAudit.QUESTION_MODERATED).order_by("id")
    assert [(e.actor, e.object_id, e.detail["published"]) for e in events] == [
        (moderator, str(kept.pk), True), (moderator, str(declined.pk), False)]


def test_declining_needs_a_reason_and_moderating_twice_is_refused() -> None:
    moderator = make_person(Role.COORDINATOR, mfa=False)
    question = questions.ask(person=make_person(), text="Budget?", anonymous=False)

    with pytest.raises(ValidationError):
        questions.moderate(moderator=moderator, question=question, publish=False, reason=" ")
    questions.moderate(moderator=moderator, question=question, publish=True)
    with pytest.raises(ValidationError, match="already been moderated"):
        questions.moderate(moderator=moderator, question=question, publish=False, reason="No")
    question.refresh_from_db()
    assert question.status == "published"


def test_one_vote_per_person() -> None:
    question, voter = published(), make_person()

    questions.vote(person=voter, question=question)
    with pytest.raises(ValidationError, match="already voted"):
        questions.vote(person=voter, question=question)

    assert QuestionVote.objects.count() == 1


def test_votes_only_for_published_questions() -> None:
    waiting = questions.ask(person=make_person(), text="Budget?", anonymous=False)

    with pytest.raises(ValidationError, match="only for published"):
        questions.vote(person=make_person(), question=waiting)


def test_leaders_answer_in_public() -> None:
    leader, question = make_person(Role.ADMINISTRATOR, mfa=False), published()

    questions.answer(leader=leader, question=question, text="In March.")

    question.refresh_from_db()
    assert (question.answer, question.answered_by) == ("In March.", leader)
    with pytest.raises(ValidationError):
        questions.answer(leader=leader, question=question, text=" ")


# Anonymity ------------------------------------------------------------------------------------

def test_the_row_of_an_anonymous_question_does_not_name_its_author() -> None:
    author = make_person(name="Zebedee Quill", email="zebedee.quill@example.org")
    question = questions.ask(person=author, text="Is the restructure final?", anonymous=True)

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM questions_question WHERE id = %s", [question.pk])
        row = [str(value) for value in cursor.fetchone()]
    assert question.author_id is None
    for value in row:
        assert "Zebedee" not in value and "zebedee" not in value
    assert selectors.mine(author) == [question]
    assert selectors.mine(make_person()) == []


def test_a_named_question_does_not_link_the_same_persons_anonymous_one() -> None:
    author = make_person()
    named = questions.ask(person=author, text="Named?", anonymous=False)
    anonymous = questions.ask(person=author, text="Anonymous?", anonymous=True)

    assert named.author_sealed is None
    assert anonymous.author_sealed and anonymous.author_id is None
    assert {q.pk for q in selectors.mine(author)} == {named.pk, anonymous.pk}


def test_an_anonymous_question_cannot_be_given_an_author() -> None:
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.create(text="x", anonymous=True, author=make_person())


def test_no_log_line_names_the_anonymous_author(caplog: Any) -> None:
    author = make_person(name="Ottilie Marsh", email="ottilie.marsh@example.org")
    caplog.set_level("DEBUG")

    question = questions.ask(person=author, text="Why now?", anonymous=True)
    question = questions.moderate(moderator=make_person(Role.COORDINATOR, mfa=False),
                                  question=question, publish=True)
    questions.vote(person=make_person(), question=question)

    for record in caplog.records:
        text = record.getMessage()
        assert "Ottilie" not in text and "ottilie" not in text
    detail = AuditEvent.objects.get(action=QuestionAudit.QUESTION_MODERATED).detail
    assert str(author.pk) not in [str(value) for value in detail.values()]


# The board and its k rule ---------------------------------------------------------------------

def test_anonymous_questions_wait_for_enough_people(settings: Any) -> None:
    settings.HAVEN_MIN_GROUP_SIZE = 5
    viewer = make_person()
    author = make_person()
    anonymous = published("Anonymous?", anonymous=True, author=author)
    named = published("Named?", author=make_person())

    board = selectors.board(viewer=viewer)
    assert board.participants == 2
    assert board.anonymous_hidden
    assert board.questions == [named]

    questions.vote(person=author, question=named)  # the same person: still 2 people
    assert selectors.participants() == 2
    for _ in range(3):
        questions.vote(person=make_person(), question=anonymous)

    board = selectors.board(viewer=viewer)
    assert board.participants == 5
    assert not board.anonymous_hidden
    assert board.questions == [anonymous, named]  # three votes before one


def test_the_board_shows_only_published_questions() -> None:
    questions.ask(person=make_person(), text="Waiting?", anonymous=False)

    assert selectors.board(viewer=make_person()).questions == []


def test_the_moderation_queue_puts_held_questions_first() -> None:
    plain = questions.ask(person=make_person(), text="Budget?", anonymous=False)
    held = questions.ask(person=make_person(), text="Shut up and listen?", anonymous=True)
    published("Done?")

    assert [q.pk for q in selectors.moderation_queue()] == [held.pk, plain.pk]
    assert QuestionStatus.PENDING == "pending"
