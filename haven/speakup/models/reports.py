"""Collective reports in escrow, direct reports and case handling (docs/speakup-reports.md).

A report's content — what happened, whom it names, who reported it when they chose to be
named — is sealed under a random content key K of its own (libsodium secret box). K is never
stored in clear: one copy is sealed to each eligible case handler's public key (CaseKeyCopy),
one is wrapped under a key derived from the report's receipt code (Report.receipt_wrapped).
Neither the server alone nor a copy of the database can open a report. Who reported and whom
they named are kept only as keyed tags (vault keyed_tag under the one speak-up tags key), so
the server can count distinct reporters naming the same person without knowing either."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.core.one_row import OneRowSettings
from haven.vault.models import DataKey

__all__ = [
    "CaseKeyCopy", "CaseMessage", "CaseNote", "CaseState", "HandlerKey", "Report",
    "ReportAudit", "ReportState", "ReportVersion", "SpeakupKeys", "SpeakupSettings",
    "today_utc",
]

WHAT_MAX = 8000
LINE_MAX = 200
NOTE_MAX = 4000
MESSAGE_MAX = 4000
OUTCOME_MAX = 2000


def today_utc() -> date:
    """The UTC day: the only filing time a report keeps, so that the row cannot be lined up
    with the reporter's sign-in or last request."""
    return datetime.now(UTC).date()


class ReportAudit(models.TextChoices):
    """Audit actions of reports and cases: identifiers only, never content. A reporter's own
    actions are recorded under a pseudonym, never their name (docs/speakup-reports.md)."""

    CASE_READ = "case_read", _("Case read")
    REPORT_FILED = "report_filed", _("Report filed")
    REPORT_EDITED = "report_edited", _("Report edited")
    REPORT_WITHDRAWN = "report_withdrawn", _("Report withdrawn")
    REPORT_READ_BY_REPORTER = "report_read_by_reporter", _("Report read by its reporter")
    REPORTS_RELEASED = "reports_released", _("Reports released")
    CASE_KEYS_SET_UP = "case_keys_set_up", _("Case handler keys set up")
    CASE_KEYS_PASSPHRASE_CHANGED = "case_keys_passphrase_changed", _(
        "Case handler passphrase changed")
    CASE_KEYS_RECOVERED = "case_keys_recovered", _("Case handler keys recovered")
    CASE_KEYS_UNLOCKED = "case_keys_unlocked", _("Case handler keys unlocked")
    CASE_KEYS_RESET = "case_keys_reset", _("Case handler keys reset")
    CASE_STATE_CHANGED = "case_state_changed", _("Case state changed")
    CASE_NOTE_ADDED = "case_note_added", _("Case note added")
    CASE_MESSAGE_SENT = "case_message_sent", _("Case message sent")
    CASE_SHARED = "case_shared", _("Case shared with a case handler")
    RECEIPT_CODE_REFUSED = "receipt_code_refused", _("Receipt code refused")


class SpeakupSettings(OneRowSettings):
    """One row: the threshold and the case deadlines, edited by administrators."""

    threshold = models.PositiveSmallIntegerField(
        _("reports needed before release"), default=3,
        validators=[MinValueValidator(2), MaxValueValidator(50)],
        help_text=_("A held report is sent to the case handlers once at least this many "
                    "different people have named the same person. At least 2."))
    acknowledge_days = models.PositiveSmallIntegerField(
        _("days to acknowledge"), default=7, validators=[MinValueValidator(1),
                                                         MaxValueValidator(90)])
    feedback_days = models.PositiveSmallIntegerField(
        _("days to give feedback"), default=90, validators=[MinValueValidator(1),
                                                           MaxValueValidator(365)])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("speak-up settings")

    def __str__(self) -> str:
        return "Speak-up settings"


class SpeakupKeys(models.Model):
    """The one row naming the tags key: reporter and matching tags are keyed_tag under it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    tags = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1),
                                              name="speakup_keys_one_row")]

    def __str__(self) -> str:
        return "Speak-up keys"


class HandlerKey(models.Model):
    """A case handler's X25519 key pair. The private key is stored only wrapped: once under a
    key derived from their passphrase (Argon2id with this row's salt and limits), once under
    their random recovery key (printed at set-up, never stored)."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="case_handler_key")
    public_key = models.BinaryField()
    passphrase_salt = models.BinaryField()
    kdf_ops = models.PositiveIntegerField()
    kdf_mem = models.PositiveBigIntegerField()
    wrapped_by_passphrase = models.BinaryField()
    wrapped_by_recovery = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Case handler key {self.pk}"


class ReportState(models.TextChoices):
    HELD = "held", _("Held until others name the same person")
    RELEASED = "released", _("Sent to the case handlers")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CaseState(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_REVIEW = "in_review", _("In review")
    CLOSED = "closed", _("Closed")


class Report(models.Model):
    """A report about a named person. No foreign key to the reporter or the person named:
    REPORTER_TAG and NAMED_TAG are keyed tags (see the module's docstring). SEND_NOW reports are
    released at filing; the others when enough distinct reporters name the same person."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reporter_tag = models.CharField(max_length=64, db_index=True)
    named_tag = models.CharField(max_length=64, db_index=True, blank=True)  # "" once withdrawn
    send_now = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=ReportState.choices,
                             default=ReportState.HELD, db_index=True)
    filed_on = models.DateField(default=today_utc)  # the UTC day only
    # The reporter's copy of K: the code itself is never stored; RECEIPT_LOOKUP is a SHA-256 of
    # it (the code has 125 random bits, so the hash cannot be inverted by guessing).
    receipt_lookup = models.CharField(max_length=64, unique=True, null=True, blank=True)
    receipt_salt = models.BinaryField(null=True, blank=True)
    receipt_wrapped = models.BinaryField(null=True, blank=True)
    receipt_kdf_ops = models.PositiveIntegerField(null=True, blank=True)
    receipt_kdf_mem = models.PositiveBigIntegerField(null=True, blank=True)
    # Release and delivery: released in the filing's transaction; DELIVERED_AT once the case
    # handlers were told (after commit, retried by a periodic job until it is set).
    released_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # Case handling, once released.
    case_state = models.CharField(max_length=12, choices=CaseState.choices,
                                  default=CaseState.RECEIVED)
    acknowledge_due = models.DateTimeField(null=True, blank=True)
    feedback_due = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    feedback_at = models.DateTimeField(null=True, blank=True)  # first message after acknowledging
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome_sealed = models.BinaryField(null=True, blank=True)
    acknowledge_reminded_at = models.DateTimeField(null=True, blank=True)
    feedback_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["named_tag", "state"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state=ReportState.RELEASED, released_at__isnull=True),
                name="released_report_has_release_time"),
        ]

    def __str__(self) -> str:
        return f"Report {self.pk}"

    @property
    def is_open_to_reporter_changes(self) -> bool:
        return self.state == ReportState.HELD


class ReportVersion(models.Model):
    """One version of a report's content, sealed under K. An edit adds a version."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    sealed = models.BinaryField()
    created_on = models.DateField(default=today_utc)

    class Meta:
        ordering = ["report", "number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"],
                                               name="one_report_version_number")]

    def __str__(self) -> str:
        return f"Report version {self.pk}"


class CaseKeyCopy(models.Model):
    """K sealed to one case handler's public key (a libsodium sealed box)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="key_copies")
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="+")
    sealed_key = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "handler"],
                                               name="one_key_copy_per_handler")]

    def __str__(self) -> str:
        return f"Key copy {self.pk}"


class CaseNote(models.Model):
    """A case handler's private note, sealed under K."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               related_name="+")
    sealed = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Case note {self.pk}"


class CaseMessage(models.Model):
    """One message of the thread between the case handlers and the reporter, sealed under K.
    A reporter's message names no one (FROM_REPORTER, no author)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="messages")
    from_reporter = models.BooleanField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+")
    sealed = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(from_reporter=True,
                                                       author__isnull=False),
                                   name="reporter_message_names_nobody"),
        ]

    def __str__(self) -> str:
        return f"Case message {self.pk}"
