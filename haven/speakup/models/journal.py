"""The private incident journal (docs/speakup.md, "Private incident journal").

What is stored in clear, and what is sealed:
- a Journal row names its author (so the author can find it) and its data key; nothing else;
- each entry version's content — when it happened, what, where, who was involved (directory
  people and free text), witnesses, how it affected the author, the list of attachments with
  their SHA-256s, and the version's random salt — is one sealed JSON document;
- each attachment's bytes and its description (name, type, size, SHA-256) are sealed apart;
- the chain (JournalRecord) holds, in clear, only positions, versions, kinds, recorded times
  and hashes: the salt that makes a hash unguessable is sealed with the content;
- checkpoints hold the chain head, its length and the server's Ed25519 signature.
Deleting the journal shreds its key (and deletes its rows); deleting an entry deletes its
sealed content and attachments and appends a tombstone record to the chain."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.vault.models import DataKey

__all__ = ["Journal", "JournalAttachment", "JournalAudit", "JournalCheckpoint", "JournalEntry",
           "JournalRecord", "JournalSigningKey", "JournalVersion", "RecordKind"]


class JournalAudit(models.TextChoices):
    """Audit actions of the journal: identifiers only, never content."""

    JOURNAL_EXPORTED = "journal_exported", _("Journal exported")
    JOURNAL_READ = "journal_read", _("Journal read")
    JOURNAL_ENTRY_WRITTEN = "journal_entry_written", _("Journal entry written")
    JOURNAL_ENTRY_DELETED = "journal_entry_deleted", _("Journal entry deleted")
    JOURNAL_DELETED = "journal_deleted", _("Journal deleted")
    JOURNAL_ATTACHMENT_READ = "journal_attachment_read", _("Journal attachment read")
    JOURNAL_SIGNING_KEY_MADE = "journal_signing_key_made", _("Journal signing key made")


class RecordKind(models.TextChoices):
    CREATED = "created", _("Written")
    EDITED = "edited", _("Edited")
    DELETED = "deleted", _("Deleted by its author")


class Journal(models.Model):
    """One per person who keeps one. KEY seals everything in it; shredding it (deleting the
    journal) makes every copy of the content unreadable."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    author = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="+")
    key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    next_number = models.PositiveIntegerField(default=1)  # the number the next entry gets

    def __str__(self) -> str:
        return f"Journal {self.id}"


class JournalEntry(models.Model):
    """An incident. Its content lives in its versions; NUMBER is its position in the journal
    (entry 1, 2, …), kept after deletion so that the chain still names it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    journal = models.ForeignKey(Journal, on_delete=models.CASCADE, related_name="entries")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["journal", "number"],
                                               name="journal_entry_number_unique")]

    def __str__(self) -> str:
        return f"Journal entry {self.id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class JournalVersion(models.Model):
    """One version of an entry: an edit adds one, nothing is overwritten. SEALED is the
    content document (see haven.speakup.journal.chain), sealed under the journal's key and
    bound to this version; deleting the entry deletes it."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    sealed = models.BinaryField()
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["entry", "version"]
        constraints = [models.UniqueConstraint(fields=["entry", "version"],
                                               name="journal_version_unique")]

    def __str__(self) -> str:
        return f"Journal entry version {self.version}"


class JournalAttachment(models.Model):
    """A file attached to an entry: its bytes and its description (name, type, size,
    SHA-256) sealed apart, so a listing opens the small description only. A version lists the
    attachments it includes; an edit that drops one leaves it to the earlier versions."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    entry = models.ForeignKey(JournalEntry, on_delete=models.CASCADE,
                              related_name="attachments")
    sealed_meta = models.BinaryField()
    sealed_data = models.BinaryField()

    def __str__(self) -> str:
        return f"Journal attachment {self.id}"


class JournalRecord(models.Model):
    """One link of the journal's hash chain: SEQ counts from 1; HASH covers the version's
    content, attachments' SHA-256s, salt, recorded time and PREVIOUS (the hash before it).
    ENTRY_ID and ENTRY_NUMBER stay after the entry is deleted: the tombstone names it."""

    journal = models.ForeignKey(Journal, on_delete=models.CASCADE, related_name="records")
    seq = models.PositiveIntegerField()
    entry_id = models.UUIDField()
    entry_number = models.PositiveIntegerField()
    version = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=RecordKind.choices)
    recorded_at = models.DateTimeField()
    previous = models.CharField(max_length=64)
    content_digest = models.CharField(max_length=64, blank=True)  # "" for a deletion
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["journal", "seq"]
        constraints = [models.UniqueConstraint(fields=["journal", "seq"],
                                               name="journal_record_seq_unique")]

    def __str__(self) -> str:
        return f"Journal record {self.seq}"


class JournalCheckpoint(models.Model):
    """The server's signature over (journal, head hash, length, time), made after every
    change. The latest one goes into exports."""

    journal = models.ForeignKey(Journal, on_delete=models.CASCADE, related_name="checkpoints")
    length = models.PositiveIntegerField()
    head = models.CharField(max_length=64)
    signed_at = models.DateTimeField()
    signature = models.CharField(max_length=128)  # hex of the 64-byte Ed25519 signature
    public_key = models.CharField(max_length=64)  # hex of the key that signed it

    class Meta:
        ordering = ["journal", "length"]

    def __str__(self) -> str:
        return f"Journal checkpoint at {self.length}"


class JournalSigningKey(models.Model):
    """The one server key that signs checkpoints: its Ed25519 seed sealed under KEY by the
    vault, its public key in clear (shown in exports and on the verify page)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="+")
    sealed_seed = models.BinaryField()
    public_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1),
                                              name="journal_signing_key_one_row")]

    def __str__(self) -> str:
        return "Journal signing key"
