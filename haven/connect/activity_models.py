"""Activities (sign-up, waitlist, feedback) and open questions to leadership (votes,
moderation, answers). An anonymous question's author is sealed under the vault, votes are
pseudonyms under a per-question key that is shredded when voting closes, and no question row
holds a time finer than its day (docs/connect.md, "Anonymity")."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.core.models import validate_time_zone
from haven.vault.models import DataKey

TITLE_MAX = 150
DESCRIPTION_MAX = 4000
QUESTION_MAX = 1000
ANSWER_MAX = 4000
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


class ActivitySettings(models.Model):
    """One row: whether every colleague may propose activities, or only coordinators and
    administrators. Edited by administrators in Haven's pages; the first row takes
    HAVEN_COLLEAGUES_PROPOSE_ACTIVITIES as its default (activity_selectors.activity_settings)."""

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


class QuestionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for moderation")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Not published")


def start_of_day(moment: datetime | None = None) -> datetime:
    """MOMENT (now by default) rounded down to its UTC day: the only time a question keeps.
    A day is what the pages show, and anything finer would line a post up with the poster's
    last request (the session's expiry) or sign-in."""
    moment = (moment or timezone.now()).astimezone(UTC)
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


class Question(models.Model):
    """A question to leadership. Named questions keep their author. An anonymous one keeps its
    author only sealed (author_sealed) under the authors key of QuestionKeys, which the master
    keys wrap, with the question's id bound in: the author's own list can find it, a stolen
    database cannot. Votes are counted in vote_count; while voting is open each vote is a pseudonym
    under vote_key (QuestionVote), and closing shreds that key and deletes the pseudonyms."""

    text = models.TextField(max_length=QUESTION_MAX)
    anonymous = models.BooleanField(default=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+")  # None when anonymous
    author_sealed = models.BinaryField(null=True, blank=True)  # anonymous: the author's id
    vote_key = models.OneToOneField(DataKey, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")  # made on publishing, shredded on closing
    vote_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=QuestionStatus.choices,
                              default=QuestionStatus.PENDING, db_index=True)
    held_reason = models.CharField(max_length=REASON_MAX, blank=True)  # the automatic check's
    rejection_reason = models.CharField(max_length=REASON_MAX, blank=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(max_length=ANSWER_MAX, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=start_of_day)  # the UTC day only

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(anonymous=True, author__isnull=False),
                name="anonymous_question_names_nobody"),
            models.CheckConstraint(
                condition=~models.Q(anonymous=False, author_sealed__isnull=False),
                name="only_anonymous_questions_seal_an_author"),
        ]

    def __str__(self) -> str:
        return f"Question {self.pk}"

    @property
    def voting_open(self) -> bool:
        """Published and not yet answered: an answer closes the vote."""
        return self.status == QuestionStatus.PUBLISHED and self.answered_at is None


class QuestionVote(models.Model):
    """One vote while voting is open: VOTER_TAG is the voter's pseudonym under the question's
    vote_key, so the same person cannot vote twice, and nobody without that key (a database
    thief has none; after closing nobody has) can tell whose vote it is. No time is kept."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="votes")
    voter_tag = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "voter_tag"], name="one_vote_per_person"),
        ]

    def __str__(self) -> str:
        return f"Vote {self.pk}"


class QuestionParticipant(models.Model):
    """Someone who has asked or voted, as a pseudonym under the one participants key: only so
    that the board can count people for its k rule. It says nothing of what they asked or
    voted for, and keeps no time."""

    tag = models.CharField(max_length=64, primary_key=True)

    def __str__(self) -> str:
        return "Participant"


class QuestionKeys(models.Model):
    """The one row naming the two long-lived question keys: the participants key (tags in
    QuestionParticipant) and the authors key (every author_sealed). One authors key rather than
    one per question, so that "your questions" unwraps one key, not one per anonymous question;
    deleting a question's author_sealed is what ends its link."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    participants = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="+")
    authors = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name_plural = "question keys"
        constraints = [models.CheckConstraint(condition=models.Q(id=1),
                                              name="question_keys_one_row")]

    def __str__(self) -> str:
        return "Question keys"
