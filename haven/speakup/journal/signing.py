"""The server's Ed25519 key that signs journal checkpoints (PyNaCl). Made on first use; its
32-byte seed is kept sealed by the vault, its public key in clear. Anyone holding the public
key — printed in every export and on the verify page — can check a checkpoint."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from nacl.signing import SigningKey

from haven.core.audit import audit
from haven.speakup.models.journal import JournalAudit, JournalSigningKey
from haven.vault import crypto

SEED_AAD = "journal-signing-key:1"


def signing_key_row() -> JournalSigningKey:
    """The one signing key, made on first use (whoever wins a race keeps theirs)."""
    row = JournalSigningKey.objects.select_related("key").filter(pk=1).first()
    if row is not None:
        return row
    seed = SigningKey.generate()
    data_key = crypto.create_data_key(purpose="journal-signing")
    made = JournalSigningKey(pk=1, key=data_key,
                             sealed_seed=crypto.seal_bytes(data_key, bytes(seed),
                                                           aad=SEED_AAD),
                             public_key=seed.verify_key.encode().hex())
    try:
        with transaction.atomic():
            made.save(force_insert=True)
            audit(action=JournalAudit.JOURNAL_SIGNING_KEY_MADE, object_type="journal_key",
                  object_id=1, detail={"public_key": made.public_key[:16]})
        return made
    except IntegrityError:
        crypto.shred(data_key)
        return JournalSigningKey.objects.select_related("key").get(pk=1)


def server_public_key() -> str | None:
    """The hex public key, or None before any journal was ever signed."""
    return JournalSigningKey.objects.filter(pk=1).values_list("public_key", flat=True).first()


def sign(message: bytes) -> tuple[str, str]:
    """(signature hex, public key hex) of MESSAGE under the server key."""
    row = signing_key_row()
    seed = crypto.open_sealed_bytes(row.key, row.sealed_seed, aad=SEED_AAD)
    signed = SigningKey(seed).sign(message)
    return signed.signature.hex(), row.public_key
