"""/api/v1/connect: activities (list, sign up, give up a place) and open questions (the board,
asking, voting). The same services and selectors as the pages; an anonymous question's author
is never in a response — the shape has no field that could carry it."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict, StrictBool, StrictStr

from haven.api.schemas import ErrorOut
from haven.connect import activities, questions
from haven.connect import activity_selectors as selectors
from haven.connect.activity_models import QUESTION_MAX, Activity, Question

router = Router(tags=["connect"])


class ActivityOut(Schema):
    id: int
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    place: str
    online_link: str
    capacity: int
    accessibility: str
    going: int
    waiting: int
    my_status: str | None = Field(description="going, waitlist, or null when not signed up")


class SignupOut(Schema):
    status: str = Field(description="going, or waitlist when the activity is full")


class QuestionOut(Schema):
    id: int
    text: str
    anonymous: bool
    asked_by: str | None = Field(description="The author's name; null for anonymous questions")
    votes: int
    i_voted: bool
    answer: str
    answered_at: datetime | None


class BoardOut(Schema):
    questions: list[QuestionOut]
    participants: int
    anonymous_hidden: bool = Field(
        description="Anonymous questions exist but wait until enough people take part")


class QuestionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    text: StrictStr = Field(description=f"Up to {QUESTION_MAX} characters.")
    anonymous: StrictBool = False


class AskedOut(Schema):
    id: int
    status: str
    held_reason: str


def _activity_out(activity: Activity) -> ActivityOut:
    status = "going" if activity.i_am_going else "waitlist" if activity.i_am_waiting else None
    return ActivityOut(
        id=activity.pk, title=activity.title, description=activity.description,
        starts_at=activity.starts_at, ends_at=activity.ends_at, time_zone=activity.time_zone,
        place=activity.place, online_link=activity.online_link, capacity=activity.capacity,
        accessibility=activity.accessibility, going=activity.going, waiting=activity.waiting,
        my_status=status)


@router.get("/activities", response=list[ActivityOut], url_name="connect_activities")
def list_activities(request: HttpRequest) -> list[ActivityOut]:
    """Activities that have not ended yet, soonest first."""
    return [_activity_out(activity)
            for activity in selectors.upcoming(viewer=request.user, now=timezone.now())]


@router.post("/activities/{activity_id}/signup", response={201: SignupOut, 404: ErrorOut,
                                                            422: ErrorOut},
             url_name="connect_activity_signup")
def sign_up(request: HttpRequest, activity_id: int) -> Status:
    activity = selectors.activity_for(viewer=request.user, activity_id=activity_id)
    signup = activities.sign_up(person=request.user, activity=activity)
    return Status(201, SignupOut(status=signup.status))


@router.delete("/activities/{activity_id}/signup", response={204: None, 404: ErrorOut,
                                                              422: ErrorOut},
               url_name="connect_activity_signup")
def give_up(request: HttpRequest, activity_id: int) -> Status:
    activity = selectors.activity_for(viewer=request.user, activity_id=activity_id)
    activities.cancel(person=request.user, activity=activity)
    return Status(204, None)


def _question_out(question: Question) -> QuestionOut:
    return QuestionOut(
        id=question.pk, text=question.text, anonymous=question.anonymous,
        asked_by=None if question.anonymous or question.author is None else question.author.name,
        votes=question.vote_count, i_voted=question.i_voted, answer=question.answer,
        answered_at=question.answered_at)


@router.get("/questions", response=BoardOut, url_name="connect_questions")
def board(request: HttpRequest) -> BoardOut:
    """Published questions, most votes first; anonymous ones only once enough people take
    part (HAVEN_MIN_GROUP_SIZE)."""
    shown = selectors.board(viewer=request.user)
    return BoardOut(questions=[_question_out(question) for question in shown.questions],
                    participants=shown.participants, anonymous_hidden=shown.anonymous_hidden)


@router.post("/questions", response={201: AskedOut, 422: ErrorOut}, url_name="connect_questions")
def ask(request: HttpRequest, payload: QuestionIn) -> Status:
    """A new question, published once a coordinator approves it."""
    question = questions.ask(person=request.user, text=payload.text,
                             anonymous=payload.anonymous)
    return Status(201, AskedOut(id=question.pk, status=question.status,
                                held_reason=question.held_reason))


@router.post("/questions/{question_id}/vote", response={204: None, 404: ErrorOut,
                                                         422: ErrorOut},
             url_name="connect_question_vote")
def vote(request: HttpRequest, question_id: int) -> Status:
    questions.vote(person=request.user, question=selectors.published_question(question_id))
    return Status(204, None)
