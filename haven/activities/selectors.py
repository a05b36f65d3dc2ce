"""Reads for activities: the lists, one activity with its counts, a person's place, the
feedback summary (shown only over enough answers) and the administrators' settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TypedDict

from django.conf import settings
from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from haven.activities.models import (
    Activity,
    ActivityFeedback,
    ActivitySettings,
    ActivitySignup,
    SignupStatus,
)
from haven.core.models import Person
from haven.core.selectors import MAX_ID

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

PAST_SHOWN = 20


class Counts(TypedDict):
    """What every activity these reads return carries besides its columns."""
    going: int
    waiting: int
    i_am_going: bool  # the viewer's own place
    i_am_waiting: bool


if TYPE_CHECKING:
    CountedActivity = WithAnnotations[Activity, Counts]


def activity_settings() -> ActivitySettings:
    return ActivitySettings.load()


def _with_counts(activities: QuerySet[Activity], viewer: Person) -> QuerySet[CountedActivity]:
    mine = ActivitySignup.objects.filter(activity=OuterRef("pk"), person=viewer)
    return (activities.select_related("organiser")
            .annotate(going=Count("signups", filter=Q(signups__status=SignupStatus.GOING)),
                      waiting=Count("signups", filter=Q(signups__status=SignupStatus.WAITLIST)),
                      i_am_going=Exists(mine.filter(status=SignupStatus.GOING)),
                      i_am_waiting=Exists(mine.filter(status=SignupStatus.WAITLIST))))


def upcoming(*, viewer: Person, now: datetime) -> list[CountedActivity]:
    """Activities that have not ended and are still on."""
    return list(_with_counts(Activity.objects.filter(ends_at__gt=now, cancelled_at__isnull=True),
                             viewer).order_by("starts_at", "id"))


def signed_up(*, viewer: Person, now: datetime, limit: int) -> list[CountedActivity]:
    """The next activities VIEWER is going to or waiting for, soonest first."""
    return list(_with_counts(Activity.objects.filter(ends_at__gt=now, cancelled_at__isnull=True),
                             viewer).filter(Q(i_am_going=True) | Q(i_am_waiting=True))
                .order_by("starts_at", "id")[:limit])


def to_join(*, viewer: Person, now: datetime, limit: int) -> list[CountedActivity]:
    """The next activities VIEWER has not signed up for that have not begun, soonest first."""
    return list(_with_counts(Activity.objects.filter(starts_at__gt=now,
                                                     cancelled_at__isnull=True), viewer)
                .filter(i_am_going=False, i_am_waiting=False)
                .order_by("starts_at", "id")[:limit])


def called_off(*, viewer: Person, now: datetime) -> list[CountedActivity]:
    """Called-off activities that would not have ended yet: kept in view, so that people who
    signed up find what happened."""
    return list(_with_counts(Activity.objects.filter(ends_at__gt=now, cancelled_at__isnull=False),
                             viewer).order_by("starts_at", "id"))


def past(*, viewer: Person, now: datetime) -> list[CountedActivity]:
    return list(_with_counts(Activity.objects.filter(ends_at__lte=now), viewer)
                .order_by("-starts_at", "-id")[:PAST_SHOWN])


def activity_for(*, viewer: Person, activity_id: int) -> CountedActivity:
    """Every colleague may see every activity; 404 for an id that does not exist."""
    if not 0 < activity_id <= MAX_ID:
        raise Http404
    activity = _with_counts(Activity.objects.filter(pk=activity_id), viewer).first()
    if activity is None:
        raise Http404
    return activity


@dataclass(frozen=True)
class MyPlace:
    status: str | None  # SignupStatus, or None when not signed up
    position: int | None  # on the waitlist, counting from 1
    feedback_score: int | None


def my_place(*, viewer: Person, activity: Activity) -> MyPlace:
    signup = ActivitySignup.objects.filter(activity=activity, person=viewer).first()
    position = None
    if signup is not None and signup.status == SignupStatus.WAITLIST:
        position = 1 + ActivitySignup.objects.filter(
            Q(joined_at__lt=signup.joined_at) | Q(joined_at=signup.joined_at, id__lt=signup.pk),
            activity=activity, status=SignupStatus.WAITLIST).count()
    score = (ActivityFeedback.objects.filter(activity=activity, person=viewer)
             .values_list("score", flat=True).first())
    return MyPlace(status=signup.status if signup else None, position=position,
                   feedback_score=score)


@dataclass(frozen=True)
class FeedbackSummary:
    answers: int
    least: int
    mean: float | None  # None below HAVEN_MIN_GROUP_SIZE answers: a score would be someone's


def feedback_summary(activity: Activity) -> FeedbackSummary:
    figures = ActivityFeedback.objects.filter(activity=activity).aggregate(
        answers=Count("pk"), mean=Avg("score"))
    shown = figures["answers"] >= settings.HAVEN_MIN_GROUP_SIZE
    return FeedbackSummary(answers=figures["answers"], least=settings.HAVEN_MIN_GROUP_SIZE,
                           mean=round(figures["mean"], 1) if shown else None)


def going_names(activity: Activity) -> list[str]:
    """For the organiser: who is going, to plan for them."""
    return list(ActivitySignup.objects.filter(activity=activity, status=SignupStatus.GOING)
                .order_by("person__name").values_list("person__name", flat=True))
