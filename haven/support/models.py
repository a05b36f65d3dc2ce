"""Confidential peer support: supporter profiles, requests, offers, conversations, messages,
commitments, and the programme settings administrators edit. Content columns hold only
ciphertext sealed by haven.vault under the conversation's own data key."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import cached_property

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from haven.core.email_kinds import EmailKind
from haven.core.models import Role
from haven.core.one_row import OneRowSettings
from haven.support import matching
from haven.support.details import RequestDetails, open_details
from haven.vault.models import DataKey

DEFAULT_TOPICS = [
    ("bullying", _("Bullying or harassment")),
    ("conflict", _("Conflict with someone")),
    ("excluded", _("Feeling excluded")),
    ("workload", _("Workload or stress")),
    ("other", _("Something else")),
]

DEFAULT_CONFIDENTIALITY = _(
    "What you share stays between you and your peer supporter. Haven encrypts it, and "
    "coordinators and administrators cannot read it. There is one exception: if what you "
    "share suggests that your life or someone else's is at serious risk, your supporter will "
    "contact the organisation's safety contact so that you get help. Your supporter will tell "
    "you before they do."
)

DEFAULT_CRISIS = _(
    "If you are in danger or thinking about harming yourself, call your local emergency "
    "number now. You can also reach a crisis line at any hour."
)


class ProgrammeSettings(OneRowSettings):
    """One row: the programme's rules, edited by administrators in Haven's own pages."""

    topics = models.JSONField(default=list, blank=True)  # [{"slug": ..., "label": ...}]
    confidentiality_text = models.TextField(blank=True)
    crisis_text = models.TextField(blank=True)  # shown where a location has no text of its own
    crisis_by_location = models.JSONField(default=dict, blank=True)  # {location id: text}
    response_target_hours = models.PositiveSmallIntegerField(default=4)
    offer_minutes = models.PositiveSmallIntegerField(default=30)
    retention_days = models.PositiveSmallIntegerField(default=90)
    safety_contact = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                       null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("programme settings")

    def __str__(self) -> str:
        return "Programme settings"

    def topic_choices(self) -> list[tuple[str, str]]:
        if self.topics:
            return [(item["slug"], item["label"]) for item in self.topics]
        return [(slug, str(label)) for slug, label in DEFAULT_TOPICS]

    def confidentiality(self) -> str:
        return self.confidentiality_text or str(DEFAULT_CONFIDENTIALITY)

    def crisis_for(self, location_id: int | None) -> str:
        text = self.crisis_by_location.get(str(location_id)) if location_id else None
        return text or self.crisis_text or str(DEFAULT_CRISIS)


class SupporterProfile(models.Model):
    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="supporter_profile")
    active = models.BooleanField(_("taking new requests"), default=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    certified_at = models.DateTimeField(null=True, blank=True)
    capacity = models.PositiveSmallIntegerField(_("most open conversations at once"), default=3)
    languages = models.JSONField(default=list, blank=True)
    topics = models.JSONField(default=list, blank=True)
    # [{"weekday": 0-6, "start": "09:00", "end": "17:00"}] in the supporter's own time zone
    availability = models.JSONField(default=list, blank=True)
    away_from = models.DateField(null=True, blank=True)
    away_until = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity__gte=1, capacity__lte=20),
                                   name="supporter_capacity_1_to_20"),
        ]

    def __str__(self) -> str:
        return f"Supporter profile of {self.person_id}"

    @property
    def certified(self) -> bool:
        # Approved by a coordinator, or certified through practice with the empathy coach
        # (or by a coordinator's hand there): see docs/coach.md, "Practice and certification".
        return self.certified_at is not None or self.approved_at is not None

    def is_away(self, on: datetime | None = None) -> bool:
        today = (on or timezone.now()).date()
        return bool(self.away_from and self.away_from <= today
                    and (self.away_until is None or today <= self.away_until))


class SupportRequest(models.Model):
    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting for a supporter")
        OFFERED = "offered", _("Offered to a supporter")
        MATCHED = "matched", _("Talking")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    class Mode(models.TextChoices):
        CHAT = "chat", _("Chat now")
        MESSAGES = "messages", _("Messages over a few days")
        IN_PERSON = "in_person", _("Meet in person")
        VIDEO = "video", _("Video call")

    # Cleared when the conversation is erased or expires: afterwards nothing names who asked.
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  null=True, blank=True, related_name="support_requests")
    # Generated when the form is drawn: submitting it twice opens one request, not two.
    submission_id = models.UUIDField(unique=True)
    mode = models.CharField(max_length=12, choices=Mode.choices)
    language = models.CharField(max_length=12, default="en")
    # Topic, person of concern, pseudonym and preferences, sealed under the conversation's
    # data key (haven/support/details.py): shredded with the content.
    sealed_details = models.BinaryField(default=b"")
    state = models.CharField(max_length=12, choices=State.choices, default=State.WAITING,
                             db_index=True)
    confidentiality_acknowledged_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    first_response_due = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    expected_reply_by = models.DateTimeField(null=True, blank=True)  # told to the colleague
    coordinators_alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Request {self.pk}"

    @cached_property
    def details(self) -> RequestDetails:
        """The sealed details, opened; ERASED once the conversation's key is gone."""
        try:
            key = self.conversation.data_key
        except Conversation.DoesNotExist:
            key = None
        return open_details(key,
                            submission_id=self.submission_id, sealed=self.sealed_details)

    def display_name_for_supporter(self) -> str:
        return self.details.name_for_supporter(self.requester.name if self.requester else "")


class Offer(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="offers")
    supporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="support_offers")
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING,
                             db_index=True)
    offered_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # Why this supporter: constraints checked and score parts. Never content.
    reasons = models.JSONField(default=dict)

    # Not a column: the label of the request's topic, set by the supporter's home page for its
    # template (declared for the type checker only).
    topic_label: str

    class Meta:
        ordering = ["-offered_at"]
        constraints = [
            models.UniqueConstraint(fields=["request"], condition=models.Q(state="pending"),
                                    name="one_pending_offer_per_request"),
        ]

    def __str__(self) -> str:
        return f"Offer {self.pk} of request {self.request_id}"

    @property
    def reasons_in_words(self) -> list[str]:
        """Why this supporter, as a coordinator reads it (haven/support/matching.py)."""
        words = matching.explain(self.reasons.get("parts", {}))
        if "considered" in self.reasons:
            eligible = self.reasons["considered"] - self.reasons.get("ruled_out", 0)
            words.append(ngettext("the only eligible supporter",
                                  "the best match of %(n)d eligible supporters", eligible)
                         % {"n": eligible})
        return words


class Conversation(models.Model):
    """The content container of one request, created with it: the colleague may write before
    a supporter is matched; the supporter joins when they accept the offer."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting for a supporter")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        SHREDDED = "shredded", _("Content destroyed")

    request = models.OneToOneField(SupportRequest, on_delete=models.CASCADE,
                                   related_name="conversation")
    # Cleared on erasure or expiry, with the request's requester.
    colleague = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  null=True, blank=True,
                                  related_name="conversations_as_colleague")
    supporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True,
                                  related_name="conversations_as_supporter")
    data_key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=12, choices=State.choices, default=State.WAITING,
                             db_index=True)
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    shred_after = models.DateTimeField(null=True, blank=True, db_index=True)
    shredded_at = models.DateTimeField(null=True, blank=True)
    # Feedback keeps no content: a score and a yes/no.
    felt_heard = models.PositiveSmallIntegerField(null=True, blank=True)
    would_return = models.BooleanField(null=True, blank=True)
    handover_requested_at = models.DateTimeField(null=True, blank=True)
    # When its supporter stopped being available (deactivated) and it went back to waiting for
    # another: the colleague is told that much, never why. Cleared when a supporter joins.
    supporter_unavailable_at = models.DateTimeField(null=True, blank=True)
    # The colleague agreed that another supporter continues (and reads what came before).
    handover_consented_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(felt_heard__isnull=True)
                | models.Q(felt_heard__gte=1, felt_heard__lte=5),
                name="felt_heard_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"Conversation {self.pk}"

    def participant_role(self, person_id: int | None) -> str | None:
        if person_id is None:  # signed out; also never "the supporter" of a waiting request
            return None
        if person_id == self.colleague_id:
            return "colleague"
        if person_id == self.supporter_id:
            return "supporter"
        return None


class Message(models.Model):
    """One message; `body` is AES-256-GCM ciphertext bound to this message's id."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE,
                                     related_name="messages")
    client_id = models.UUIDField()  # generated by the sender's browser: sending is idempotent
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="+")
    body = models.BinaryField()
    sent_at = models.DateTimeField(default=timezone.now)
    crisis = models.BooleanField(default=False)  # the safety check fired; no content kept

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "client_id"],
                                    name="message_client_id_unique_in_conversation"),
        ]

    def __str__(self) -> str:
        return f"Message {self.pk}"

    @staticmethod
    def aad(conversation_id: int, client_id: uuid.UUID | str) -> str:
        return f"message:{conversation_id}:{client_id}"


class Commitment(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("Open")
        KEPT = "kept", _("Kept")
        RENEGOTIATED = "renegotiated", _("Renegotiated")
        MISSED = "missed", _("Missed")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # sealing context
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE,
                                     related_name="commitments")
    supporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="commitments")
    what = models.BinaryField()  # sealed like messages
    due_at = models.DateTimeField(db_index=True)
    state = models.CharField(max_length=14, choices=State.choices, default=State.OPEN,
                             db_index=True)
    note = models.BinaryField(null=True, blank=True)  # sealed; the renegotiation note
    created_at = models.DateTimeField(default=timezone.now)
    reminded_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    replaced_by = models.OneToOneField("self", on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="replaces")

    class Meta:
        ordering = ["due_at"]

    def __str__(self) -> str:
        return f"Commitment {self.pk}"

    def aad(self, field: str) -> str:
        return f"commitment:{self.conversation_id}:{self.uid}:{field}"

REMINDER_EMAIL = EmailKind(
    key="commitment_reminders", label=_("Commitment reminders"),
    description=_("A day before a commitment you made to a colleague is due, a reminder with a "
                  "link to the conversation. Your commitments stay on your supporter page."),
    roles=frozenset({Role.SUPPORTER}))


class SupportAudit(models.TextChoices):
    """The audit actions this app records (registered in its AppConfig.ready())."""

    CONVERSATION_READ = "conversation_read", _("Conversation read")
    CONVERSATION_ERASED = "conversation_erased", _("Conversation erased")
    SAFETY_ESCALATED = "safety_escalated", _("Safety concern escalated")
    SUPPORTER_APPROVED = "supporter_approved", _("Supporter approved")
    SUPPORTER_CERTIFIED = "supporter_certified", _("Supporter certified")
