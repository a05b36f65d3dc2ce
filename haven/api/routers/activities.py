"""/api/v1/connect/activities: list, propose, sign up, give up a place, feedback; organisers
change and call off. The same services and selectors as the pages."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.http import JsonResponse
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from pydantic import AwareDatetime, StrictInt

from haven.activities import selectors
from haven.activities import services as activities
from haven.api.once import IdempotencyKey, create_once
from haven.api.schemas import ErrorOut, Line, StrictIn, Text
from haven.core.http import SignedInRequest

if TYPE_CHECKING:
    from haven.activities.selectors import CountedActivity

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


def _activity_out(activity: CountedActivity) -> ActivityOut:
    status = "going" if activity.i_am_going else "waitlist" if activity.i_am_waiting else None
    return ActivityOut(
        id=activity.pk, title=activity.title, description=activity.description,
        starts_at=activity.starts_at, ends_at=activity.ends_at, time_zone=activity.time_zone,
        place=activity.place, online_link=activity.online_link, capacity=activity.capacity,
        accessibility=activity.accessibility, going=activity.going, waiting=activity.waiting,
        my_status=status, called_off_at=activity.cancelled_at,
        cancellation_note=activity.cancellation_note)


@router.get("/activities", response=list[ActivityOut], url_name="connect_activities")
def list_activities(request: SignedInRequest) -> list[ActivityOut]:
    """Activities that have not ended yet and are not called off, soonest first."""
    return [_activity_out(activity)
            for activity in selectors.upcoming(viewer=request.user, now=timezone.now())]


def _current(request: SignedInRequest, activity_id: int) -> ActivityOut:
    return _activity_out(selectors.activity_for(viewer=request.user, activity_id=activity_id))


@router.post("/activities", response={201: ActivityOut, 403: ErrorOut, 422: ErrorOut},
             url_name="connect_activities")
def propose(request: SignedInRequest, payload: ActivityIn,
            idempotency_key: IdempotencyKey = None) -> Status | JsonResponse:
    """Coordinators and administrators, and every colleague while the activity settings allow
    it (403 otherwise). Published at once."""
    return create_once(
        request, key=idempotency_key, payload=payload,
        make=lambda: _current(request, activities.propose(organiser=request.user,
                                                          **payload.model_dump()).pk),
        made_id=lambda out: out.id)


@router.get("/activities/{activity_id}", response={200: ActivityOut, 404: ErrorOut},
            url_name="connect_activity")
def get_activity(request: SignedInRequest, activity_id: int) -> ActivityOut:
    """One activity, called off or not."""
    return _current(request, activity_id)


@router.patch("/activities/{activity_id}", response={200: ActivityOut, 403: ErrorOut,
                                                     404: ErrorOut, 422: ErrorOut},
              url_name="connect_activity")
def change_activity(request: SignedInRequest, activity_id: int,
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
def call_off(request: SignedInRequest, activity_id: int, payload: CallOffIn) -> ActivityOut:
    """For its organiser, coordinators and administrators, until it starts. Everyone signed up
    is e-mailed, with a calendar CANCEL."""
    activity = selectors.activity_for(viewer=request.user, activity_id=activity_id)
    activities.call_off(organiser=request.user, activity=activity, note=payload.note)
    return _current(request, activity_id)


@router.post("/activities/{activity_id}/feedback", response={201: FeedbackOut, 404: ErrorOut,
                                                             422: ErrorOut},
             url_name="connect_activity_feedback")
def give_feedback(request: SignedInRequest, activity_id: int, payload: FeedbackIn) -> Status:
    """A score from 1 to 5, once, after an activity you had a place at."""
    activity = selectors.activity_for(viewer=request.user, activity_id=activity_id)
    feedback = activities.give_feedback(person=request.user, activity=activity,
                                        score=payload.score)
    return Status(201, FeedbackOut(score=feedback.score))


@router.post("/activities/{activity_id}/signup", response={201: SignupOut, 404: ErrorOut,
                                                            422: ErrorOut},
             url_name="connect_activity_signup")
def sign_up(request: SignedInRequest, activity_id: int) -> Status:
    activity = selectors.activity_for(viewer=request.user, activity_id=activity_id)
    signup = activities.sign_up(person=request.user, activity=activity)
    return Status(201, SignupOut(status=signup.status))


@router.delete("/activities/{activity_id}/signup", response={204: None, 404: ErrorOut,
                                                              422: ErrorOut},
               url_name="connect_activity_signup")
def give_up(request: SignedInRequest, activity_id: int) -> Status:
    activity = selectors.activity_for(viewer=request.user, activity_id=activity_id)
    activities.cancel(person=request.user, activity=activity)
    return Status(204, None)
