"""Two-factor secrets sealed at rest: allauth stores each TOTP secret and recovery-code seed
through its MFA adapter's encrypt/decrypt, and this adapter hands them to the vault.

Each secret gets a data key of its own (purpose "mfa_secret"), wrapped by the current master
key, so `haven keys rotate` rewraps these with everything else and removing an authenticator
shreds its key. The stored form is `haven-sealed:v1:<data key id>:<base64url ciphertext>`; a
value without that prefix is a secret stored in clear before sealing began, still read as it
is until the data migration (vault 0002) seals it.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Iterator
from typing import Any, TypeGuard

from allauth.mfa.adapter import DefaultMFAAdapter
from django.db import transaction
from django.utils import timezone

from haven.vault.crypto import CannotOpen, create_data_key, forget_cached_keys, open_sealed, seal
from haven.vault.models import DataKey

SEALED_PREFIX = "haven-sealed:v1:"
PURPOSE = "mfa_secret"
# The fields of an authenticator's data that allauth passes through encrypt(): the TOTP
# secret, the recovery-code seed, and codes carried over from older allauth formats.
SECRET_FIELDS = ("secret", "seed")
SECRET_LIST_FIELDS = ("migrated_codes",)


def _aad(key_id: object) -> str:
    return f"mfa-secret:{key_id}"


def is_sealed(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and value.startswith(SEALED_PREFIX)


def seal_secret(text: str, *, data_keys: type[DataKey] = DataKey) -> str:
    record = create_data_key(purpose=PURPOSE, model=data_keys)
    sealed = seal(record, text, aad=_aad(record.id))
    return f"{SEALED_PREFIX}{record.id}:{base64.urlsafe_b64encode(sealed).decode('ascii')}"


def _parts(stored: str) -> tuple[str, bytes]:
    key_id, _, body = stored[len(SEALED_PREFIX):].partition(":")
    try:
        return str(uuid.UUID(key_id)), base64.urlsafe_b64decode(body.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise CannotOpen("a sealed MFA secret is damaged") from None


def open_secret(stored: str, *, data_keys: type[DataKey] = DataKey) -> str:
    """The secret STORED holds; a legacy plaintext secret is returned as it is."""
    if not is_sealed(stored):
        return stored
    key_id, sealed = _parts(stored)
    record = data_keys.objects.filter(pk=key_id).first()
    if record is None:
        raise CannotOpen("the data key of a sealed MFA secret is missing")
    return str(open_sealed(record, sealed, aad=_aad(key_id)))


def key_ids(data: dict[str, Any]) -> Iterator[str]:
    """The data keys an authenticator's sealed secrets are under."""
    values = [data.get(field) for field in SECRET_FIELDS]
    for field in SECRET_LIST_FIELDS:
        values.extend(data.get(field) or [])
    for value in values:
        if is_sealed(value):
            yield _parts(value)[0]


def _convert(data: dict[str, Any], change: Any) -> dict[str, Any]:
    """DATA with CHANGE applied to every secret in it."""
    converted = dict(data)
    for field in SECRET_FIELDS:
        if isinstance(converted.get(field), str):
            converted[field] = change(converted[field])
    for field in SECRET_LIST_FIELDS:
        if isinstance(converted.get(field), list):
            converted[field] = [change(value) if isinstance(value, str) else value
                                for value in converted[field]]
    return converted


def seal_stored_secrets(*, authenticators: Any, data_keys: type[DataKey] = DataKey) -> int:
    """Seal every secret still stored in clear (vault migration 0002). Sealed ones are left as
    they are, so running it again changes nothing. Returns how many authenticators changed."""

    def sealed(value: str) -> str:
        return value if is_sealed(value) else seal_secret(value, data_keys=data_keys)

    changed = 0
    with transaction.atomic():
        for authenticator in authenticators.objects.select_for_update().order_by("pk"):
            data = _convert(authenticator.data, sealed)
            if data != authenticator.data:
                authenticator.data = data
                authenticator.save(update_fields=["data"])
                changed += 1
    return changed


def open_stored_secrets(*, authenticators: Any, data_keys: type[DataKey] = DataKey) -> int:
    """Undo seal_stored_secrets (migrating back): secrets in clear again, their keys shredded."""
    shred: set[str] = set()

    def opened(value: str) -> str:
        if is_sealed(value):
            shred.add(_parts(value)[0])
        return open_secret(value, data_keys=data_keys)

    changed = 0
    with transaction.atomic():
        for authenticator in authenticators.objects.select_for_update().order_by("pk"):
            data = _convert(authenticator.data, opened)
            if data != authenticator.data:
                authenticator.data = data
                authenticator.save(update_fields=["data"])
                changed += 1
        data_keys.objects.filter(pk__in=shred).update(wrapped=None, shredded_at=timezone.now())
    return changed


def shred_keys_of(data: dict[str, Any]) -> None:
    """An authenticator was removed: destroy the keys of its secrets, so that a backup holding
    the row cannot open them once the master key of its day is retired."""
    try:
        ids = list(key_ids(data))
    except CannotOpen:  # a damaged value names no key worth keeping
        return
    if ids:
        DataKey.objects.filter(pk__in=ids, wrapped__isnull=False).update(
            wrapped=None, shredded_at=timezone.now())
        forget_cached_keys(ids)


def authenticator_removed(sender: Any, instance: Any, **kwargs: Any) -> None:
    shred_keys_of(instance.data or {})


class SealedSecretsMFAAdapter(DefaultMFAAdapter):
    """allauth's MFA adapter with its secrets sealed by the vault (settings.MFA_ADAPTER)."""

    def encrypt(self, text: str) -> str:
        return seal_secret(text)

    def decrypt(self, encrypted_text: str) -> str:
        return open_secret(encrypted_text)
