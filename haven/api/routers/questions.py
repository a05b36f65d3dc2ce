"""/api/v1/connect/questions: open questions to leadership (the board, asking, voting;
moderators moderate and answer). The same services and selectors as the pages; an anonymous
question's author is never in a response — no shape has a field that could carry it."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import JsonResponse
from ninja import Field, Router, Schema, Status
from pydantic import StrictBool

from haven.api.once import IdempotencyKey, create_once
from haven.api.schemas import ErrorOut, Line, StrictIn, Text
from haven.core.http import SignedInRequest
from haven.core.middleware import leave_session_untouched
from haven.questions import selectors
from haven.questions import services as questions
from haven.questions.models import QUESTION_MAX, Question

router = Router(tags=["connect"])


class QuestionOut(Schema):
    id: int
    text: str
    anonymous: bool
    asked_by: str | None = Field(description="The author's name; null for anonymous questions")
    votes: int
    i_voted: bool = Field(description="False once voting has closed: who voted is forgotten")
    voting_open: bool = Field(description="Until the question is answered")
    answer: str
    answered_at: datetime | None


class BoardOut(Schema):
    questions: list[QuestionOut]
    participants: int
    anonymous_hidden: bool = Field(
        description="Anonymous questions exist but wait until enough people take part")


class QuestionIn(StrictIn):
    text: Text = Field(description=f"Up to {QUESTION_MAX} characters.")
    anonymous: StrictBool = False


class AskedOut(Schema):
    id: int
    status: str
    held_reason: str


class ModerationItemOut(Schema):
    """A question as moderators see it: the words, never who asked."""

    id: int
    text: str
    anonymous: bool
    status: str
    held_reason: str = Field(description="Why the automatic check held it, if it did")
    rejection_reason: str
    created_at: datetime


class ModerationIn(StrictIn):
    decision: Literal["publish", "reject"]
    reason: Line = Field("", description="Required to reject; the author sees it.")


class AnswerIn(StrictIn):
    text: Text = Field(description="Up to 4,000 characters; replaces an earlier answer.")


class AnswerOut(Schema):
    question_id: int
    answer: str
    answered_by: str | None
    answered_at: datetime | None


def _question_out(question: Question) -> QuestionOut:
    return QuestionOut(
        id=question.pk, text=question.text, anonymous=question.anonymous,
        asked_by=None if question.anonymous or question.author is None else question.author.name,
        votes=question.vote_count, i_voted=question.i_voted, voting_open=question.voting_open,
        answer=question.answer,
        answered_at=question.answered_at)


@router.get("/questions", response=BoardOut, url_name="connect_questions")
def board(request: SignedInRequest) -> BoardOut:
    """Published questions, most votes first; anonymous ones only once enough people take
    part (HAVEN_MIN_GROUP_SIZE)."""
    shown = selectors.board(viewer=request.user)
    return BoardOut(questions=[_question_out(question) for question in shown.questions],
                    participants=shown.participants, anonymous_hidden=shown.anonymous_hidden)


@router.post("/questions", response={201: AskedOut, 422: ErrorOut}, url_name="connect_questions")
def ask(request: SignedInRequest, payload: QuestionIn,
        idempotency_key: IdempotencyKey = None) -> Status | JsonResponse:
    """A new question, published once a coordinator approves it. Sent again with the same
    Idempotency-Key, an anonymous question answers id null: the record of the key must not
    point at it."""
    leave_session_untouched(request)  # the session row must not record when one asked

    def asked() -> AskedOut:
        question = questions.ask(person=request.user, text=payload.text,
                                 anonymous=payload.anonymous)
        return AskedOut(id=question.pk, status=question.status,
                        held_reason=question.held_reason)

    return create_once(request, key=idempotency_key, payload=payload, make=asked,
                       made_id=lambda out: out.id, anonymous=payload.anonymous)


@router.post("/questions/{question_id}/vote", response={204: None, 404: ErrorOut,
                                                         422: ErrorOut},
             url_name="connect_question_vote")
def vote(request: SignedInRequest, question_id: int) -> Status:
    """One vote per person, while the question is unanswered."""
    leave_session_untouched(request)  # the session row must not record when one voted
    questions.vote(person=request.user, question=selectors.published_question(question_id))
    return Status(204, None)


# Moderators (coordinators and administrators) ------------------------------------------------

def _moderation_item(question: Question) -> ModerationItemOut:
    return ModerationItemOut(
        id=question.pk, text=question.text, anonymous=question.anonymous,
        status=question.status, held_reason=question.held_reason,
        rejection_reason=question.rejection_reason, created_at=question.created_at)


@router.get("/questions/moderation", response=list[ModerationItemOut],
            url_name="connect_question_moderation_queue")
def moderation_queue(request: SignedInRequest) -> list[ModerationItemOut]:
    """Questions waiting for a decision, held ones first."""
    return [_moderation_item(question) for question in selectors.moderation_queue()]


@router.get("/questions/{question_id}/moderation", response={200: ModerationItemOut,
                                                             404: ErrorOut},
            url_name="connect_question_moderation")
def moderation_item(request: SignedInRequest, question_id: int) -> ModerationItemOut:
    """One question in any state, as moderators see it."""
    return _moderation_item(selectors.question_for_moderation(question_id))


@router.post("/questions/{question_id}/moderation", response={200: ModerationItemOut,
                                                              404: ErrorOut, 422: ErrorOut},
             url_name="connect_question_moderation")
def moderate(request: SignedInRequest, question_id: int,
             payload: ModerationIn) -> ModerationItemOut:
    """Publish a waiting question, or reject it with a reason its author sees. Once."""
    question = questions.moderate(
        moderator=request.user, question=selectors.question_for_moderation(question_id),
        publish=payload.decision == "publish", reason=payload.reason)
    return _moderation_item(question)


def _answer_out(question: Question) -> AnswerOut:
    return AnswerOut(question_id=question.pk, answer=question.answer,
                     answered_by=question.answered_by.name if question.answered_by else None,
                     answered_at=question.answered_at)


@router.get("/questions/{question_id}/answer", response={200: AnswerOut, 404: ErrorOut},
            url_name="connect_question_answer")
def get_answer(request: SignedInRequest, question_id: int) -> AnswerOut:
    """A published question's current answer (empty when there is none yet)."""
    return _answer_out(selectors.published_question(question_id))


@router.put("/questions/{question_id}/answer", response={200: AnswerOut, 404: ErrorOut,
                                                        422: ErrorOut},
            url_name="connect_question_answer")
def answer(request: SignedInRequest, question_id: int, payload: AnswerIn) -> AnswerOut:
    """Answer a published question in public; a later answer replaces it."""
    question = questions.answer(leader=request.user,
                                question=selectors.published_question(question_id),
                                text=payload.text)
    return _answer_out(question)
