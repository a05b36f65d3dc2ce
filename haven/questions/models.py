"""Open questions to leadership (votes, moderation, answers). An anonymous question's author is
sealed under the vault, votes are pseudonyms under a per-question key that is shredded when
voting closes, and no question row holds a time finer than its day (docs/connect.md,
"Anonymity")."""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.vault.models import DataKey

QUESTION_MAX = 1000
ANSWER_MAX = 4000
REASON_MAX = 300


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

    # Not a column: whether the viewer has voted, set by questions.selectors on the questions it
    # shows (declared for the type checker only).
    i_voted: bool

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

class QuestionAudit(models.TextChoices):
    """The audit actions this app records (registered in its AppConfig.ready())."""

    QUESTION_MODERATED = "question_moderated", _("Question moderated")
