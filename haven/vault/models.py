"""Wrapped data keys. Content tables store only ciphertext sealed under one of these."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DataKey(models.Model):
    """A per-record 256-bit key, stored only wrapped by a master key. Shredding deletes it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    purpose = models.CharField(max_length=40)  # e.g. "conversation"; never content
    master_key_id = models.CharField(max_length=32)
    wrapped = models.BinaryField(null=True)
    created_at = models.DateTimeField(default=timezone.now)
    shredded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["master_key_id"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(wrapped__isnull=True, shredded_at__isnull=False)
                | models.Q(wrapped__isnull=False, shredded_at__isnull=True),
                name="datakey_wrapped_xor_shredded"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} key {self.id}"

    @property
    def is_shredded(self) -> bool:
        return self.shredded_at is not None


class MasterKeyState(models.Model):
    """What the database knows about one master key — never the key itself: its check value,
    so that a process holding another key under the same id is caught before it wraps
    anything, and whether the key is retired (nothing new is ever wrapped under it)."""

    key_id = models.CharField(max_length=32, primary_key=True)
    # Empty until a process holding the key wraps or rewraps under it.
    check_value = models.CharField(max_length=16, blank=True)
    first_used_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"master key {self.key_id}"


class KeyHolder(models.Model):
    """A running process that may wrap data keys (web server, worker, a command), and the
    master-key set it holds: ids and check values, never the keys. The process refreshes its
    row every few seconds and deletes it on a clean exit; a row not refreshed for a minute
    belongs to a process that has stopped (see haven/vault/holders.py)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=20)  # web, worker, command
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    current_key_id = models.CharField(max_length=32)
    current_key_check = models.CharField(max_length=16)
    key_ids = models.TextField()  # comma-separated, the current one first
    fingerprint = models.CharField(max_length=16)  # of the whole set: ids, order and keys
    started_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.kind} process {self.pid} on {self.host}"

    @property
    def held_ids(self) -> list[str]:
        return [key_id for key_id in self.key_ids.split(",") if key_id]

class VaultAudit(models.TextChoices):
    """The audit actions this app records (registered in its AppConfig.ready())."""

    MASTER_KEYS_ROTATED = "master_keys_rotated", _("Master keys rotated")
    MASTER_KEY_RETIRED = "master_key_retired", _("Master key retired")
    MASTER_KEY_UNRETIRED = "master_key_unretired", _("Master key retirement undone")
