"""Recognition and thanks: the organisation's values, recognitions of a person or a team, the
reactions to them, each person's choices (milestones, digest), and the weekly digests sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.core.email_kinds import EmailKind
from haven.core.models import Team

MESSAGE_MAX_LENGTH = 1000


class CompanyValue(models.Model):
    """One of the organisation's values, configured by administrators; recognitions cite them."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    description = models.CharField(_("what it means"), max_length=200, blank=True)
    active = models.BooleanField(_("offered when recognising someone"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Audience(models.TextChoices):
    ORGANISATION = "organisation", _("Everyone in the organisation")
    TEAM = "team", _("Their team")
    PRIVATE = "private", _("Only them (a private thank-you)")


class RecognitionStatus(models.TextChoices):
    PUBLISHED = "published", _("Published")
    HELD = "held", _("Held for a coordinator")
    REJECTED = "rejected", _("Not published")


class RecognitionKind(models.TextChoices):
    RECOGNITION = "recognition", _("Recognition")
    MILESTONE = "milestone", _("Milestone")


class Recognition(models.Model):
    """A colleague (or, for milestones, Haven) recognises a person or a whole team."""

    kind = models.CharField(max_length=12, choices=RecognitionKind.choices,
                            default=RecognitionKind.RECOGNITION)
    giver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True,
                              blank=True, related_name="recognitions_given")  # None: a milestone
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True,
                                  blank=True, related_name="recognitions_received")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="recognitions")
    # The team that may read a team-audience recognition: the recipient's team when it was
    # given (kept, so that a later move does not widen or narrow who saw it).
    audience_team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="+")
    audience = models.CharField(max_length=12, choices=Audience.choices,
                                default=Audience.ORGANISATION)
    values = models.ManyToManyField(CompanyValue, blank=True, related_name="recognitions")
    message = models.TextField(max_length=MESSAGE_MAX_LENGTH)
    status = models.CharField(max_length=12, choices=RecognitionStatus.choices,
                              default=RecognitionStatus.PUBLISHED, db_index=True)
    held_reason = models.CharField(max_length=200, blank=True)  # shown to the author
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")
    moderated_at = models.DateTimeField(null=True, blank=True)
    # Milestones only: one per person and occasion, so the job can run twice harmlessly.
    milestone_key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(recipient__isnull=False, team__isnull=True)
                           | models.Q(recipient__isnull=True, team__isnull=False)),
                name="recognition_one_recipient"),
            models.CheckConstraint(condition=~models.Q(giver=models.F("recipient")),
                                   name="recognition_not_self"),
            models.CheckConstraint(
                condition=~models.Q(audience="private", recipient__isnull=True),
                name="recognition_private_to_a_person"),
        ]

    def __str__(self) -> str:
        return f"Recognition {self.pk}"


COMMENT_MAX_LENGTH = 500


class RecognitionComment(models.Model):
    """A reply under a published recognition; moderated like the recognition itself."""

    recognition = models.ForeignKey(Recognition, on_delete=models.CASCADE,
                                    related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="recognition_comments")
    message = models.TextField(max_length=COMMENT_MAX_LENGTH)
    status = models.CharField(max_length=12, choices=RecognitionStatus.choices,
                              default=RecognitionStatus.PUBLISHED, db_index=True)
    held_reason = models.CharField(max_length=200, blank=True)  # shown to the author
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")
    moderated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment {self.pk}"


class ReactionKind(models.TextChoices):
    THANKS = "thanks", _("Thank you")
    CELEBRATE = "celebrate", _("Celebrate")
    INSPIRED = "inspired", _("Inspiring")


class Reaction(models.Model):
    recognition = models.ForeignKey(Recognition, on_delete=models.CASCADE,
                                    related_name="reactions")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="+")
    kind = models.CharField(max_length=12, choices=ReactionKind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recognition", "person", "kind"],
                                    name="one_reaction_per_kind"),
        ]

    def __str__(self) -> str:
        return f"Reaction {self.pk}"


class RecognitionPreferences(models.Model):
    """A person's opt-outs. No row means the default: milestones shown. (Whether the weekly
    digest is sent is core's EmailOptOut, kind DIGEST_EMAIL, like every optional e-mail.)"""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="recognition_preferences")
    celebrate_milestones = models.BooleanField(
        _("Celebrate my work anniversaries"), default=True)

    def __str__(self) -> str:
        return f"Recognition preferences of {self.person_id}"


class RecognitionDigest(models.Model):
    """One row per week the digest went out; unique, so several workers send it once."""

    week = models.DateField(unique=True)  # the Monday
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Recognition digest {self.week}"

DIGEST_EMAIL = EmailKind(
    key="recognition_digest", label=_("Weekly recognition digest"),
    description=_("Once a week, how many recognitions reached you or your team, with a link "
                  "to read them. Sent only in a week when some did."))


class RecognitionAudit(models.TextChoices):
    """The audit actions this app records (registered in its AppConfig.ready())."""

    RECOGNITION_MODERATED = "recognition_moderated", _("Recognition moderated")
