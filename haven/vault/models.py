"""Wrapped data keys. Content tables store only ciphertext sealed under one of these."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone


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
