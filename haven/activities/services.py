"""Writes for activities: proposing (who may is an administrators' setting), changing and
calling one off (calendars updated by e-mail), signing up (a waitlist once full), cancelling
(the next person on the waitlist is promoted in the same transaction), reminders and feedback."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from haven.activities.invitations import activity_ics
from haven.activities.models import (
    DESCRIPTION_MAX,
    REASON_MAX,
    REMINDER_EMAIL,
    TITLE_MAX,
    Activity,
    ActivityAudit,
    ActivityFeedback,
    ActivitySettings,
    ActivitySignup,
    SignupStatus,
)
from haven.activities.selectors import activity_settings
from haven.core.audit import audit
from haven.core.email_kinds import opted_out
from haven.core.links import absolute_url
from haven.core.mail import optional_email
from haven.core.models import Person, Role, validate_time_zone
from haven.core.one_row import save_settings
from haven.core.tasks import send_email
from haven.core.text import check_text

CAPACITY_MAX = 10_000
REMINDER_AHEAD = timedelta(days=1)
# A change to any of these moves the event in people's calendars: SEQUENCE goes up and
# everyone signed up gets the updated invitation.
CALENDAR_FIELDS = ("title", "starts_at", "ends_at", "time_zone", "place", "online_link")


def may_propose(person: Person) -> bool:
    """Coordinators (and administrators) propose activities; every colleague may while the
    administrators' activity settings allow it."""
    if person.roles & {Role.COORDINATOR, Role.ADMINISTRATOR}:
        return True
    return activity_settings().colleagues_may_propose


def update_activity_settings(*, actor: Person, colleagues_may_propose: bool) -> ActivitySettings:
    """Save who may propose activities; audited with the names of what changed. Activities
    already proposed stay whatever the switch says."""
    if not isinstance(colleagues_may_propose, bool):
        raise ValidationError({"colleagues_may_propose": _(
            "Choose who may propose an activity.")})
    return save_settings(ActivitySettings, actor=actor, object_type="activity_settings",
                         values={"colleagues_may_propose": colleagues_may_propose})


def _clean_text(value: str, *, field: str, limit: int, required: bool,
                multiline: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("This cannot be empty.")})
    # A title or place goes into e-mail subjects and calendar fields: one line, always.
    check_text(value, multiline=multiline, field=field)
    if len(value) > limit:
        raise ValidationError({field: _("Keep it to %(limit)d characters or fewer.")
                               % {"limit": limit}})
    return value


def may_manage(person: Person, activity: Activity) -> bool:
    """The organiser, coordinators and administrators change and call off an activity."""
    return (activity.organiser_id == person.pk
            or bool(person.roles & {Role.COORDINATOR, Role.ADMINISTRATOR}))


def _validated(*, title: str, description: str, starts_at: datetime, ends_at: datetime,
               time_zone: str, place: str, online_link: str, capacity: int,
               accessibility: str, now: datetime) -> dict[str, object]:
    """The fields of an activity, cleaned, or a ValidationError naming the field."""
    title = _clean_text(title, field="title", limit=TITLE_MAX, required=True, multiline=False)
    description = _clean_text(description, field="description", limit=DESCRIPTION_MAX,
                              required=False)
    accessibility = _clean_text(accessibility, field="accessibility", limit=DESCRIPTION_MAX,
                                required=False)
    place = _clean_text(place, field="place", limit=200, required=False, multiline=False)
    online_link = _clean_text(online_link, field="online_link", limit=500, required=False,
                              multiline=False)
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
    return {"title": title, "description": description, "starts_at": starts_at,
            "ends_at": ends_at, "time_zone": time_zone, "place": place,
            "online_link": online_link, "capacity": capacity, "accessibility": accessibility}


def propose(*, organiser: Person, title: str, description: str, starts_at: datetime,
            ends_at: datetime, time_zone: str, place: str = "", online_link: str = "",
            capacity: int, accessibility: str = "", now: datetime | None = None) -> Activity:
    if not may_propose(organiser):
        raise PermissionDenied
    fields = _validated(
        title=title, description=description, starts_at=starts_at, ends_at=ends_at,
        time_zone=time_zone, place=place, online_link=online_link, capacity=capacity,
        accessibility=accessibility, now=now or timezone.now())
    return Activity.objects.create(organiser=organiser, **fields)


def check_still_open(activity: Activity, now: datetime) -> None:
    """Refuse a change to an activity that is called off or has started."""
    if activity.cancelled_at is not None:
        raise ValidationError(_("This activity has been called off, so it can no longer be "
                                "changed."))
    if activity.starts_at <= now:
        raise ValidationError(_("This activity has already started, so it can no longer be "
                                "changed."))


def check_may_call_off(activity: Activity, now: datetime) -> None:
    if activity.cancelled_at is not None:
        raise ValidationError(_("This activity has already been called off."))
    if activity.starts_at <= now:
        raise ValidationError(_("This activity has already started, so it can no longer be "
                                "called off."))


def edit(*, editor: Person, activity: Activity, title: str, description: str,
         starts_at: datetime, ends_at: datetime, time_zone: str, place: str = "",
         online_link: str = "", capacity: int, accessibility: str = "",
         now: datetime | None = None) -> Activity:
    """Change an activity with the rules of proposing one. Places cannot drop below the people
    already going; more places go at once to the waitlist, in order. A change to when, where
    or what raises SEQUENCE and sends everyone signed up the updated invitation after commit."""
    if not may_manage(editor, activity):
        raise PermissionDenied
    now = now or timezone.now()
    check_still_open(activity, now)
    fields = _validated(
        title=title, description=description, starts_at=starts_at, ends_at=ends_at,
        time_zone=time_zone, place=place, online_link=online_link, capacity=capacity,
        accessibility=accessibility, now=now)
    with transaction.atomic():
        activity = _locked(activity.pk)
        check_still_open(activity, now)
        going = ActivitySignup.objects.filter(activity=activity,
                                              status=SignupStatus.GOING).count()
        if capacity < going:
            raise ValidationError({"capacity": ngettext(
                "%(going)d person already has a place, so keep at least %(going)d place. "
                "Someone who cannot come can give up their place.",
                "%(going)d people already have a place, so keep at least %(going)d places. "
                "Someone who cannot come can give up their place.", going) % {"going": going}})
        moved = any(getattr(activity, name) != fields[name] for name in CALENDAR_FIELDS)
        if fields["starts_at"] != activity.starts_at:
            activity.reminder_sent_at = None  # remind a day before the new start
        for name, value in fields.items():
            setattr(activity, name, value)
        if moved:
            activity.sequence += 1
        activity.save()
        promoted = _fill_free_places(activity, now)
        audit(action=ActivityAudit.ACTIVITY_CHANGED, actor=editor, object_type="activity",
              object_id=activity.pk, detail={"sequence": activity.sequence,
                                             "calendar_changed": moved,
                                             "promoted": len(promoted)})
        if moved:
            # Those just promoted are e-mailed the current invitation with their place.
            skip = {signup.person_id for signup in promoted}
            transaction.on_commit(lambda: tell_changed(activity_id=activity.pk,
                                                       skip_person_ids=skip))
    return activity


def call_off(*, organiser: Person, activity: Activity, note: str = "",
             now: datetime | None = None) -> Activity:
    """Call an activity off: it stays on Haven, marked, with NOTE for the people signed up,
    who are each sent a calendar CANCEL (the next SEQUENCE) after commit."""
    if not may_manage(organiser, activity):
        raise PermissionDenied
    now = now or timezone.now()
    check_may_call_off(activity, now)
    note = _clean_text(note, field="note", limit=REASON_MAX, required=False)
    with transaction.atomic():
        activity = _locked(activity.pk)
        check_may_call_off(activity, now)
        activity.cancelled_at, activity.cancellation_note = now, note
        activity.sequence += 1
        activity.save(update_fields=["cancelled_at", "cancellation_note", "sequence",
                                     "updated_at"])
        signed_up = ActivitySignup.objects.filter(activity=activity).count()
        audit(action=ActivityAudit.ACTIVITY_CALLED_OFF, actor=organiser, object_type="activity",
              object_id=activity.pk, detail={"sequence": activity.sequence,
                                             "signed_up": signed_up})
        transaction.on_commit(lambda: tell_called_off(activity_id=activity.pk))
    return activity


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
        if activity.cancelled_at is not None:
            raise ValidationError(_("This activity has been called off: sign-up is closed."))
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
        if activity.cancelled_at is not None:
            raise ValidationError(_("This activity has been called off: there is no place to "
                                    "give up."))
        if activity.starts_at <= now:
            raise ValidationError(_("This activity has already started."))
        signup = ActivitySignup.objects.filter(activity=activity, person=person).first()
        if signup is None:
            raise ValidationError(_("You are not signed up for this activity."))
        signup.delete()
        promoted = []
        if signup.status == SignupStatus.GOING:
            promoted = _fill_free_places(activity, now)
    return promoted[0] if promoted else None


def _fill_free_places(activity: Activity, now: datetime) -> list[ActivitySignup]:
    """Give every free place to the waitlist, first come first served; each person promoted is
    e-mailed after commit. Called with the activity's row locked (_locked)."""
    going = ActivitySignup.objects.filter(activity=activity, status=SignupStatus.GOING).count()
    free = activity.capacity - going
    if free <= 0:
        return []
    promoted = list(ActivitySignup.objects.select_for_update()
                    .filter(activity=activity, status=SignupStatus.WAITLIST)
                    .order_by("joined_at", "id")[:free])
    activity_id = activity.pk
    for signup in promoted:
        signup.status, signup.promoted_at = SignupStatus.GOING, now
        signup.save(update_fields=["status", "promoted_at"])
        transaction.on_commit(partial(tell_promoted, activity_id=activity_id,
                                      person_id=signup.person_id))
    return promoted


def _local(activity: Activity) -> str:
    start = activity.starts_at.astimezone(ZoneInfo(activity.time_zone))
    return f"{start:%A %d %B %Y, %H:%M} ({activity.time_zone})"


def _details(activity: Activity, first: str) -> str:
    return "\n".join([
        first, "",
        _("When: %(when)s") % {"when": _local(activity)},
        _("Where: %(where)s") % {"where": activity.place or _("online")},
        "", (_("Details: %(link)s") if activity.cancelled_at
             else _("Details, and to give up your place: %(link)s"))
        % {"link": absolute_url(reverse("activity_detail", args=[activity.pk]))},
    ])


def _calendar(activity: Activity, ics: bytes | None = None, method: str = ""
              ) -> list[list[str]]:
    # The method parameter tells mail clients the attachment updates an event (RFC 6047).
    mime = f"text/calendar; method={method}" if method else "text/calendar"
    return [[f"activity-{activity.pk}.ics", (ics or activity_ics(activity)).decode(), mime]]


def _mail(activity: Activity, recipients: list[str], subject: str, first: str, *,
          ics: bytes | None = None, method: str = "") -> None:
    send_email.enqueue(subject, _details(activity, first), recipients,
                       _calendar(activity, ics, method))


def tell_promoted(*, activity_id: int, person_id: int) -> None:
    activity = Activity.objects.get(pk=activity_id)
    person = Person.objects.get(pk=person_id)
    _mail(activity, [person.email], _("You have a place: %(title)s") % {"title": activity.title},
          _("A place came free and it is yours: you are now going to \"%(title)s\". If you "
            "cannot come, give it up on Haven so the next person can have it.")
          % {"title": activity.title})


def _signed_up(activity: Activity, skip_person_ids: Collection[int] = ()
               ) -> list[ActivitySignup]:
    return list(ActivitySignup.objects.filter(activity=activity, person__is_active=True)
                .exclude(person_id__in=skip_person_ids).select_related("person")
                .order_by("joined_at", "id"))


def tell_changed(*, activity_id: int, skip_person_ids: Collection[int] = ()) -> None:
    """Everyone going or waiting gets the changed details and a REQUEST that updates the event
    in their calendar; one e-mail each, each invitation naming only its recipient."""
    activity = Activity.objects.get(pk=activity_id)
    if activity.cancelled_at is not None:  # called off since: the CANCEL says it all
        return
    for signup in _signed_up(activity, skip_person_ids):
        first = (_("\"%(title)s\" has changed: the details are below, and the invitation "
                   "attached updates your calendar.") if signup.status == SignupStatus.GOING
                 else _("\"%(title)s\", where you are on the waitlist, has changed: the "
                        "details are below, and the invitation attached updates your "
                        "calendar."))
        _mail(activity, [signup.person.email],
              _("Changed: %(title)s") % {"title": activity.title},
              first % {"title": activity.title},
              ics=activity_ics(activity, method="REQUEST", recipient=signup.person),
              method="REQUEST")


def tell_called_off(*, activity_id: int) -> None:
    """Everyone signed up hears it is off, with the organiser's note, and gets a CANCEL that
    takes the event out of their calendar."""
    activity = Activity.objects.get(pk=activity_id)
    first = _("\"%(title)s\" is called off.") % {"title": activity.title}
    if activity.cancellation_note:
        first += "\n\n" + _("A note from the organiser: %(note)s") % {
            "note": activity.cancellation_note}
    for signup in _signed_up(activity):
        _mail(activity, [signup.person.email],
              _("Called off: %(title)s") % {"title": activity.title}, first,
              ics=activity_ics(activity, method="CANCEL", recipient=signup.person),
              method="CANCEL")


def send_due_reminders(*, now: datetime | None = None) -> int:
    """E-mail everyone going to an activity that starts within a day. Each activity is claimed
    with a filtered update first, so several workers remind once."""
    now = now or timezone.now()
    due = list(Activity.objects.filter(reminder_sent_at__isnull=True, cancelled_at__isnull=True,
                                       starts_at__gt=now, starts_at__lte=now + REMINDER_AHEAD)
               .values_list("pk", flat=True))
    sent = 0
    for activity_id in due:
        claimed = Activity.objects.filter(pk=activity_id, reminder_sent_at__isnull=True,
                                          cancelled_at__isnull=True).update(reminder_sent_at=now)
        if not claimed:
            continue
        activity = Activity.objects.get(pk=activity_id)
        going = (Person.objects.filter(activity_signups__activity=activity, is_active=True,
                                       activity_signups__status=SignupStatus.GOING)
                 .exclude(pk__in=opted_out(REMINDER_EMAIL.key)))
        # One e-mail per person: a shared To line would tell everyone who else is going.
        subject = _("Tomorrow: %(title)s") % {"title": activity.title}
        body = _details(activity, _("A reminder: you are going to \"%(title)s\".")
                        % {"title": activity.title})
        queued = [optional_email(person=person, kind=REMINDER_EMAIL.key, subject=subject,
                                 body=body, attachments=_calendar(activity))
                  for person in going]
        sent += any(queued)
    return sent


def give_feedback(*, person: Person, activity: Activity, score: int,
                  now: datetime | None = None) -> ActivityFeedback:
    now = now or timezone.now()
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise ValidationError(_("Choose a score from 1 to 5."))
    if activity.cancelled_at is not None:
        raise ValidationError(_("This activity was called off, so there is nothing to give "
                                "feedback on."))
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
