"""Writes for activities: proposing one, signing up (a waitlist once full), cancelling (the
next person on the waitlist is promoted in the same transaction), reminders and feedback."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.connect.activity_models import (
    DESCRIPTION_MAX,
    TITLE_MAX,
    Activity,
    ActivityFeedback,
    ActivitySignup,
    SignupStatus,
)
from haven.connect.invitations import activity_ics
from haven.core.models import Person, Role, validate_time_zone
from haven.core.tasks import send_email

CAPACITY_MAX = 10_000
REMINDER_AHEAD = timedelta(days=1)


def may_propose(person: Person) -> bool:
    """Coordinators (and administrators) propose activities; every colleague may when the
    organisation sets HAVEN_COLLEAGUES_PROPOSE_ACTIVITIES."""
    if getattr(settings, "HAVEN_COLLEAGUES_PROPOSE_ACTIVITIES", False):
        return True
    return bool(person.roles & {Role.COORDINATOR, Role.ADMINISTRATOR})


def _clean_text(value: str, *, field: str, limit: int, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("This cannot be empty.")})
    if len(value) > limit:
        raise ValidationError({field: _("Keep it to %(limit)d characters or fewer.")
                               % {"limit": limit}})
    return value


def propose(*, organiser: Person, title: str, description: str, starts_at: datetime,
            ends_at: datetime, time_zone: str, place: str = "", online_link: str = "",
            capacity: int, accessibility: str = "", now: datetime | None = None) -> Activity:
    if not may_propose(organiser):
        raise PermissionDenied
    now = now or timezone.now()
    title = _clean_text(title, field="title", limit=TITLE_MAX, required=True)
    description = _clean_text(description, field="description", limit=DESCRIPTION_MAX,
                              required=False)
    accessibility = _clean_text(accessibility, field="accessibility", limit=DESCRIPTION_MAX,
                                required=False)
    place = _clean_text(place, field="place", limit=200, required=False)
    online_link = (online_link or "").strip()
    try:
        validate_time_zone(time_zone)
    except ValidationError:
        raise ValidationError({"time_zone": _("Choose a time zone from the list.")}) from None
    if starts_at <= now:
        raise ValidationError({"starts_at": _("Choose a start in the future.")})
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("Choose an end after the start.")})
    if not place and not online_link:
        raise ValidationError({"place": _("Say where it happens: a place, an online link, "
                                          "or both.")})
    if online_link and not online_link.startswith("https://"):
        raise ValidationError({"online_link": _("Give a link that starts with https://.")})
    if not 1 <= capacity <= CAPACITY_MAX:
        raise ValidationError({"capacity": _("Choose between 1 and %(most)d places.")
                               % {"most": CAPACITY_MAX}})
    return Activity.objects.create(
        organiser=organiser, title=title, description=description, starts_at=starts_at,
        ends_at=ends_at, time_zone=time_zone, place=place, online_link=online_link,
        capacity=capacity, accessibility=accessibility)


def _locked(activity_id: int) -> Activity:
    """The activity, its row locked until the transaction ends: sign-ups and cancellations of
    one activity run one after another, so the count of places is never read stale."""
    return Activity.objects.select_for_update().get(pk=activity_id)


def sign_up(*, person: Person, activity: Activity, now: datetime | None = None
            ) -> ActivitySignup:
    """A place if one is free, else the end of the waitlist. Refused once it has started."""
    now = now or timezone.now()
    with transaction.atomic():
        activity = _locked(activity.pk)
        if activity.starts_at <= now:
            raise ValidationError(_("This activity has already started: sign-up is closed."))
        existing = ActivitySignup.objects.filter(activity=activity, person=person).first()
        if existing is not None:
            raise ValidationError(
                _("You already have a place.") if existing.status == SignupStatus.GOING
                else _("You are already on the waitlist."))
        going = ActivitySignup.objects.filter(activity=activity,
                                              status=SignupStatus.GOING).count()
        status = SignupStatus.GOING if going < activity.capacity else SignupStatus.WAITLIST
        try:
            with transaction.atomic():
                return ActivitySignup.objects.create(activity=activity, person=person,
                                                     status=status, joined_at=now)
        except IntegrityError:  # a second click that raced the first
            raise ValidationError(_("You are already signed up.")) from None


def cancel(*, person: Person, activity: Activity, now: datetime | None = None
           ) -> ActivitySignup | None:
    """Give up a place (or leave the waitlist). A freed place goes at once to the first person
    on the waitlist, who is told by e-mail after commit. Returns whoever was promoted."""
    now = now or timezone.now()
    with transaction.atomic():
        activity = _locked(activity.pk)
        if activity.starts_at <= now:
            raise ValidationError(_("This activity has already started."))
        signup = ActivitySignup.objects.filter(activity=activity, person=person).first()
        if signup is None:
            raise ValidationError(_("You are not signed up for this activity."))
        signup.delete()
        promoted = None
        if signup.status == SignupStatus.GOING:
            promoted = _promote_next(activity, now)
    return promoted


def _promote_next(activity: Activity, now: datetime) -> ActivitySignup | None:
    going = ActivitySignup.objects.filter(activity=activity, status=SignupStatus.GOING).count()
    if going >= activity.capacity:
        return None
    promoted = (ActivitySignup.objects.select_for_update().select_related("person")
                .filter(activity=activity, status=SignupStatus.WAITLIST)
                .order_by("joined_at", "id").first())
    if promoted is None:
        return None
    promoted.status, promoted.promoted_at = SignupStatus.GOING, now
    promoted.save(update_fields=["status", "promoted_at"])
    activity_id, person_id = activity.pk, promoted.person_id
    transaction.on_commit(lambda: tell_promoted(activity_id=activity_id, person_id=person_id))
    return promoted


def _link(path: str) -> str:
    return settings.HAVEN_BASE_URL.rstrip("/") + path


def _local(activity: Activity) -> str:
    start = activity.starts_at.astimezone(ZoneInfo(activity.time_zone))
    return f"{start:%A %d %B %Y, %H:%M} ({activity.time_zone})"


def _mail(activity: Activity, recipients: list[str], subject: str, first: str) -> None:
    lines = [
        first, "",
        _("When: %(when)s") % {"when": _local(activity)},
        _("Where: %(where)s") % {"where": activity.place or _("online")},
        "", _("Details, and to give up your place: %(link)s")
        % {"link": _link(reverse("activity_detail", args=[activity.pk]))},
    ]
    ics = activity_ics(activity).decode()
    send_email.enqueue(subject, "\n".join(lines), recipients,
                       [[f"activity-{activity.pk}.ics", ics, "text/calendar"]])


def tell_promoted(*, activity_id: int, person_id: int) -> None:
    activity = Activity.objects.get(pk=activity_id)
    person = Person.objects.get(pk=person_id)
    _mail(activity, [person.email], _("You have a place: %(title)s") % {"title": activity.title},
          _("A place came free and it is yours: you are now going to \"%(title)s\". If you "
            "cannot come, give it up on Haven so the next person can have it.")
          % {"title": activity.title})


def send_due_reminders(*, now: datetime | None = None) -> int:
    """E-mail everyone going to an activity that starts within a day. Each activity is claimed
    with a filtered update first, so several workers remind once."""
    now = now or timezone.now()
    due = list(Activity.objects.filter(reminder_sent_at__isnull=True, starts_at__gt=now,
                                       starts_at__lte=now + REMINDER_AHEAD)
               .values_list("pk", flat=True))
    sent = 0
    for activity_id in due:
        claimed = Activity.objects.filter(pk=activity_id, reminder_sent_at__isnull=True).update(
            reminder_sent_at=now)
        if not claimed:
            continue
        activity = Activity.objects.get(pk=activity_id)
        emails = list(ActivitySignup.objects.filter(activity=activity, status=SignupStatus.GOING,
                                                    person__is_active=True)
                      .values_list("person__email", flat=True))
        if emails:
            # One e-mail per person: a shared To line would tell everyone who else is going.
            for email in emails:
                _mail(activity, [email], _("Tomorrow: %(title)s") % {"title": activity.title},
                      _("A reminder: you are going to \"%(title)s\".")
                      % {"title": activity.title})
            sent += 1
    return sent


def give_feedback(*, person: Person, activity: Activity, score: int,
                  now: datetime | None = None) -> ActivityFeedback:
    now = now or timezone.now()
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise ValidationError(_("Choose a score from 1 to 5."))
    if activity.ends_at > now:
        raise ValidationError(_("Feedback opens once the activity has ended."))
    if not ActivitySignup.objects.filter(activity=activity, person=person,
                                         status=SignupStatus.GOING).exists():
        raise ValidationError(_("Only people who had a place can give feedback."))
    try:
        with transaction.atomic():
            return ActivityFeedback.objects.create(activity=activity, person=person,
                                                   score=score, created_at=now)
    except IntegrityError:
        raise ValidationError(_("You have already given feedback on this activity.")) from None
