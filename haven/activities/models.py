"""Activities: what colleagues sign up for (a waitlist once full), the administrators'
settings, and the scores people give afterwards."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.core.email_kinds import EmailKind
from haven.core.models import validate_time_zone
from haven.core.one_row import OneRowSettings

TITLE_MAX = 150
DESCRIPTION_MAX = 4000
REASON_MAX = 300


class Activity(models.Model):
    """A team-building activity colleagues sign up for; a waitlist once it is full."""

    title = models.CharField(_("title"), max_length=TITLE_MAX)
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX, blank=True)
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_link = models.URLField(_("online link"), max_length=500, blank=True)
    capacity = models.PositiveIntegerField(_("places"))
    accessibility = models.TextField(_("accessibility notes"), max_length=DESCRIPTION_MAX,
                                     blank=True)
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="organised_activities")
    calendar_uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Set when the day-before reminder is claimed, so several workers send it once.
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    # Cancelled by its organiser or a coordinator: kept (with the note people are shown) so
    # that sign-ups see what happened; calendars get a CANCEL with the next sequence number.
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancellation_note = models.CharField(_("message to people who signed up"),
                                         max_length=REASON_MAX, blank=True)
    # RFC 5545 SEQUENCE: raised on every change people's calendars must pick up.
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity__gte=1),
                                   name="activity_has_a_place"),
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")),
                                   name="activity_ends_after_it_starts"),
        ]

    def __str__(self) -> str:
        return f"Activity {self.pk}"


class ActivitySettings(OneRowSettings):
    """One row: whether every colleague may propose activities, or only coordinators and
    administrators. Edited by administrators in Haven's pages; the first row takes
    HAVEN_COLLEAGUES_PROPOSE_ACTIVITIES as its default."""

    colleagues_may_propose = models.BooleanField(_("every colleague may propose activities"),
                                                 default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = _("activity settings")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="activity_settings_one_row"),
        ]

    def __str__(self) -> str:
        return "Activity settings"

    @classmethod
    def first_values(cls) -> dict[str, object]:
        # A deployment keeps the rule it had before administrators could change it.
        return {"colleagues_may_propose": bool(settings.HAVEN_COLLEAGUES_PROPOSE_ACTIVITIES)}


class SignupStatus(models.TextChoices):
    GOING = "going", _("Going")
    WAITLIST = "waitlist", _("On the waitlist")


class ActivitySignup(models.Model):
    """One colleague's place (or place in the queue) at an activity. Cancelling deletes it."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="activity_signups")
    status = models.CharField(max_length=10, choices=SignupStatus.choices)
    joined_at = models.DateTimeField(default=timezone.now)  # the waitlist's order
    promoted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["joined_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "person"], name="one_signup_per_person"),
        ]

    def __str__(self) -> str:
        return f"Signup {self.pk}"


class ActivityFeedback(models.Model):
    """A score from 1 to 5 after the activity; only the score is kept."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="feedback")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="+")
    score = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "person"], name="one_feedback_per_person"),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5),
                                   name="feedback_score_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"Feedback {self.pk}"

REMINDER_EMAIL = EmailKind(
    key="activity_reminders", label=_("Activity reminders"),
    description=_("The day before an activity you have a place at: when and where, with the "
                  "calendar invitation. Changes and call-offs are always sent."))


class ActivityAudit(models.TextChoices):
    """The audit actions this app records (registered in its AppConfig.ready())."""

    ACTIVITY_CHANGED = "activity_changed", _("Activity changed")
    ACTIVITY_CALLED_OFF = "activity_called_off", _("Activity called off")
