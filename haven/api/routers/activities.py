"""/api/v1/connect: activities (list, propose, sign up, give up a place, feedback; organisers
change and call off) and open questions (the board, asking, voting; moderators moderate and
answer). The same services and selectors as the pages; an anonymous question's author is never
in a response — no shape has a field that could carry it."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from pydantic import AwareDatetime, ConfigDict, StrictBool, StrictInt

from haven.api.schemas import ErrorOut, Line, Text
from haven.connect import activities, questions
from haven.connect import activity_selectors as selectors
from haven.connect.activity_models import QUESTION_MAX, Activity, Question
from haven.core.middleware import leave_session_untouched

router = Router(tags=["connect"])


class StrictIn(Schema):
    """A request body: unknown fields are refused, so a client learns they changed nothing."""

    model_config = ConfigDict(extra="forbid")


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
    called_off_at: datetime | None = Field(description="When it was called off, or null")
    cancellation_note: str = Field(description="The organiser's note when calling it off")


class ActivityIn(StrictIn):
    """A new activity, with the same rules as the page."""

    title: Line = Field(description="Up to 150 characters, on one line.")
    description: Text = ""
    starts_at: AwareDatetime = Field(description="ISO 8601 with a time zone; in the future.")
    ends_at: AwareDatetime = Field(description="ISO 8601 with a time zone; after the start.")
    time_zone: Line = Field(description="IANA zone the times are shown in.")
    place: Line = Field("", description="A place, an online link, or both.")
    online_link: Line = Field("", description="An https:// link.")
    capacity: StrictInt = Field(description="1 to 10,000 places; then a waitlist.")
    accessibility: Text = ""


class ActivityChangeIn(StrictIn):
    """The fields to change; those left out keep their value. The same rules as the page."""

    title: Line | None = None
    description: Text | None = None
    starts_at: AwareDatetime | None = Field(None, description="ISO 8601 with a time zone.")
    ends_at: AwareDatetime | None = Field(None, description="ISO 8601 with a time zone.")
    time_zone: Line | None = Field(None, description="IANA zone the times are shown in.")
    place: Line | None = None
    online_link: Line | None = None
    capacity: StrictInt | None = Field(None, description="Not fewer than the people going.")
    accessibility: Text | None = None


class CallOffIn(StrictIn):
    note: Text = Field("", description="Up to 300 characters, e-mailed to those signed up.")


class FeedbackIn(StrictIn):
    score: StrictInt = Field(description="1 (poor) to 5 (very good).")


class FeedbackOut(Schema):
    score: int


class SignupOut(Schema):
    status: str = Field(description="going, or waitlist when the activity is full")


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


def _activity_out(activity: Activity) -> ActivityOut:
    status = "going" if activity.i_am_going else "waitlist" if activity.i_am_waiting else None
    return ActivityOut(
        id=activity.pk, title=activity.title, description=activity.description,
        starts_at=activity.starts_at, ends_at=activity.ends_at, time_zone=activity.time_zone,
        place=activity.place, online_link=activity.online_link, capacity=activity.capacity,
        accessibility=activity.accessibility, going=activity.going, waiting=activity.waiting,
        my_status=status, called_off_at=activity.cancelled_at,
        cancellation_note=activity.cancellation_note)


@router.get("/activities", response=list[ActivityOut], url_name="connect_activities")
def list_activities(request: HttpRequest) -> list[ActivityOut]:
    """Activities that have not ended yet and are not called off, soonest first."""
    return [_activity_out(activity)
            for activity in selectors.upcoming(viewer=request.user, now=timezone.now())]


def _current(request: HttpRequest, activity_id: int) -> ActivityOut:
    return _activity_out(selectors.activity_for(viewer=request.user, activity_id=activity_id))


@router.post("/activities", response={201: ActivityOut, 403: ErrorOut, 422: ErrorOut},
             url_name="connect_activities")
def propose(request: HttpRequest, payload: ActivityIn) -> Status:
    """Coordinators and administrators, and every colleague while the activity settings allow
    it (403 otherwise). Published at once."""
    activity = activities.propose(organiser=request.user, **payload.model_dump())
    return Status(201, _current(request, activity.pk))


@router.get("/activities/{activity_id}", response={200: ActivityOut, 404: ErrorOut},
            url_name="connect_activity")
def get_activity(request: HttpRequest, activity_id: int) -> ActivityOut:
    """One activity, called off or not."""
    return _current(request, activity_id)


@router.patch("/activities/{activity_id}", response={200: ActivityOut, 403: ErrorOut,
                                                     404: ErrorOut, 422: ErrorOut},
              url_name="connect_activity")
def change_activity(request: HttpRequest, activity_id: int,
                    payload: ActivityChangeIn) -> ActivityOut:
    """For its organiser, coordinators and administrators, until it starts. A change to when,
    where or the title e-mails everyone signed up an updated calendar invitation; more places
    go to the waitlist in order."""
    activity = selectors.activity_for(viewer=request.user, activity_id=activity_id)
    fields = {name: getattr(activity, name) for name in ActivityChangeIn.model_fields}
    fields.update({name: value for name, value in payload.model_dump().items()
                   if value is not None})
    activities.edit(editor=request.user, activity=activity, **fields)
    return _current(request, activity_id)


@router.post("/activities/{activity_id}/call-off", response={200: ActivityOut, 403: ErrorOut,
                                                             404: ErrorOut, 422: ErrorOut},
             url_name="connect_activity_call_off")
def call_off(request: HttpRequest, activity_id: int, payload: CallOffIn) -> ActivityOut:
    """For its organiser, coordinators and administrators, until it starts. Everyone signed up
    is e-mailed, with a calendar CANCEL."""
    activity = selectors.activity_for(viewer=request.user, activity_id=activity_id)
    activities.call_off(organiser=request.user, activity=activity, note=payload.note)
    return _current(request, activity_id)


@router.post("/activities/{activity_id}/feedback", response={201: FeedbackOut, 404: ErrorOut,
                                                             422: ErrorOut},
             url_name="connect_activity_feedback")
def give_feedback(request: HttpRequest, activity_id: int, payload: FeedbackIn) -> Status:
    """A score from 1 to 5, once, after an activity you had a place at."""
    activity = selectors.activity_for(viewer=request.user, activity_id=activity_id)
    feedback = activities.give_feedback(person=request.user, activity=activity,
                                        score=payload.score)
    return Status(201, FeedbackOut(score=feedback.score))


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
        votes=question.vote_count, i_voted=question.i_voted, voting_open=question.voting_open,
        answer=question.answer,
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
    leave_session_untouched(request)  # the session row must not record when one asked
    question = questions.ask(person=request.user, text=payload.text,
                             anonymous=payload.anonymous)
    return Status(201, AskedOut(id=question.pk, status=question.status,
                                held_reason=question.held_reason))


@router.post("/questions/{question_id}/vote", response={204: None, 404: ErrorOut,
                                                         422: ErrorOut},
             url_name="connect_question_vote")
def vote(request: HttpRequest, question_id: int) -> Status:
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
def moderation_queue(request: HttpRequest) -> list[ModerationItemOut]:
    """Questions waiting for a decision, held ones first."""
    return [_moderation_item(question) for question in selectors.moderation_queue()]


@router.get("/questions/{question_id}/moderation", response={200: ModerationItemOut,
                                                             404: ErrorOut},
            url_name="connect_question_moderation")
def moderation_item(request: HttpRequest, question_id: int) -> ModerationItemOut:
    """One question in any state, as moderators see it."""
    return _moderation_item(selectors.question_for_moderation(question_id))


@router.post("/questions/{question_id}/moderation", response={200: ModerationItemOut,
                                                              404: ErrorOut, 422: ErrorOut},
             url_name="connect_question_moderation")
def moderate(request: HttpRequest, question_id: int,
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
def get_answer(request: HttpRequest, question_id: int) -> AnswerOut:
    """A published question's current answer (empty when there is none yet)."""
    return _answer_out(selectors.published_question(question_id))


@router.put("/questions/{question_id}/answer", response={200: AnswerOut, 404: ErrorOut,
                                                        422: ErrorOut},
            url_name="connect_question_answer")
def answer(request: HttpRequest, question_id: int, payload: AnswerIn) -> AnswerOut:
    """Answer a published question in public; a later answer replaces it."""
    question = questions.answer(leader=request.user,
                                question=selectors.published_question(question_id),
                                text=payload.text)
    return _answer_out(question)
