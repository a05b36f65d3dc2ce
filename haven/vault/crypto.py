"""Envelope encryption: AES-256-GCM data keys wrapped by master keys. The only module that
holds key material; everything else asks it to seal or open."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import transaction
from django.utils import timezone

from haven.core.confidential import Withheld
from haven.core.text import bad_character, describe
from haven.vault.keyring import claim_for_wrapping, this_process
from haven.vault.masterkeys import (
    MasterKeyMissing,
    MasterKeyUnavailable,
    master_keys,
)
from haven.vault.models import DataKey

__all__ = ["CannotOpen", "KeyShredded", "MasterKeyUnavailable", "create_data_key",
           "forget_cached_keys", "master_keys", "open_sealed", "open_sealed_bytes", "rotate",
           "seal", "seal_bytes", "shred"]

logger = logging.getLogger(__name__)

FORMAT_VERSION = b"\x01"
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_CACHE_SECONDS = 300  # how long another process may still hold a key shredded elsewhere


class KeyShredded(Exception):
    """The record's key was destroyed: its content is gone for good."""


class CannotOpen(Exception):
    """Ciphertext failed authentication: it was altered, or sealed for another record."""


class UnstorableText(ValueError):
    """The plaintext holds a character Haven never stores (haven.core.text): refused before
    encoding. Its message names the character and its position, never the text."""


def _wrap_aad(key_id: str) -> bytes:
    return f"haven:datakey:{key_id}".encode()


class _KeyCache:
    """Unwrapped data keys for a short while, so a busy conversation is not unwrapped per
    message. Bounded in size and in time: a key shredded by another process is dropped here
    within ttl_seconds even if nothing tells this process (and a shredded record is refused
    before the cache is asked, see _data_key)."""

    def __init__(self, size: int = 4096, ttl_seconds: float = KEY_CACHE_SECONDS) -> None:
        self._keys: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._size = size
        self._ttl = ttl_seconds
        self._lock = threading.Lock()

    def get(self, key_id: str, *, now: float | None = None) -> bytes | None:
        now = time.monotonic() if now is None else now
        with self._lock:
            entry = self._keys.get(key_id)
            if entry is None:
                return None
            stored_at, key = entry
            if now - stored_at > self._ttl:
                del self._keys[key_id]
                return None
            self._keys.move_to_end(key_id)
            return key

    def put(self, key_id: str, key: bytes, *, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            self._keys[key_id] = (now, key)
            self._keys.move_to_end(key_id)
            while len(self._keys) > self._size:
                self._keys.popitem(last=False)

    def drop(self, key_id: str) -> None:
        with self._lock:
            self._keys.pop(key_id, None)

    def clear(self) -> None:
        with self._lock:
            self._keys.clear()


_cache = _KeyCache()


def wrap_new_key(key_id: str) -> tuple[str, bytes, bytes]:
    """A fresh data key for the DataKey row KEY_ID: (master key id, wrapped, raw), wrapped
    under this process's current master key. Raises MasterKeyUnavailable (and tells the
    operator) when that key is retired or is not the key the database knows under its id:
    nothing is then wrapped where it could be lost. Call it inside a transaction, which holds
    the key's claim until the row is saved; a data migration calls it directly to write the row
    with its historical model."""
    keys = master_keys()
    raw = AESGCM.generate_key(bit_length=256)
    master_key_id = claim_for_wrapping(keys)
    nonce = os.urandom(NONCE_BYTES)
    wrapped = nonce + AESGCM(keys.get(master_key_id)).encrypt(nonce, raw, _wrap_aad(key_id))
    return master_key_id, wrapped, raw


def create_data_key(*, purpose: str, model: type[DataKey] = DataKey,
                    created_at: datetime | None = None) -> DataKey:
    """A new data key. MODEL is for data migrations (the historical DataKey model); CREATED_AT
    lets a caller store a coarser time than now, where the moment a key was made would itself
    say something (an anonymous question's)."""
    record = model(purpose=purpose)
    if created_at is not None:
        record.created_at = created_at
    with transaction.atomic():
        record.master_key_id, record.wrapped, raw = wrap_new_key(str(record.id))
        record.save(force_insert=True)
    _cache.put(str(record.id), raw)
    return record


def _master_key_for(record: DataKey) -> bytes:
    try:
        return master_keys().get(record.master_key_id)
    except MasterKeyMissing:
        logger.error(
            "Master key %r is needed to open a data key but is not in this process's "
            "HAVEN_MASTER_KEYS (%s): add it back after the current key, restart this process "
            "and run `haven keys rotate`.", record.master_key_id, this_process())
        raise


def _unwrap(record: DataKey) -> bytes:
    if record.wrapped is None:
        raise KeyShredded(f"data key {record.id} was shredded")
    wrapped = bytes(record.wrapped)
    master = _master_key_for(record)
    if len(wrapped) < NONCE_BYTES + TAG_BYTES:
        raise CannotOpen(f"data key {record.id} is damaged")
    try:
        return AESGCM(master).decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:],
                                      _wrap_aad(str(record.id)))
    except InvalidTag:
        raise CannotOpen(f"data key {record.id} does not open with its master key") from None


def _data_key(record: DataKey) -> bytes:
    # Checked before the cache: a record loaded after another process shredded it must not
    # open from a key this process cached earlier.
    if record.wrapped is None or record.shredded_at is not None:
        raise KeyShredded(f"data key {record.id} was shredded")
    key_id = str(record.id)
    cached = _cache.get(key_id)
    if cached is None:
        cached = _unwrap(record)
        _cache.put(key_id, cached)
    return cached


def seal(record: DataKey, plaintext: str, *, aad: str) -> bytes:
    """Encrypt PLAINTEXT under the record's key, bound to AAD (e.g. "message:<uuid>").
    Raises UnstorableText for text the inputs should have refused: an unpaired surrogate
    cannot be encoded at all, and UnicodeEncodeError would carry the whole text with it."""
    return seal_with(_data_key(record), plaintext, aad=aad)


def open_sealed(record: DataKey, sealed: bytes | memoryview, *, aad: str) -> str:
    return Withheld(open_sealed_bytes(record, sealed, aad=aad).decode("utf-8"))


def seal_bytes(record: DataKey, data: bytes, *, aad: str) -> bytes:
    """seal for bytes (a file): the same format, with no text rule to apply."""
    nonce = os.urandom(NONCE_BYTES)
    return FORMAT_VERSION + nonce + AESGCM(_data_key(record)).encrypt(nonce, data, aad.encode())


def open_sealed_bytes(record: DataKey, sealed: bytes | memoryview, *, aad: str) -> bytes:
    """What seal_bytes (or seal, as UTF-8) sealed under the record's key and AAD."""
    data = bytes(sealed)
    if data[:1] != FORMAT_VERSION:
        raise CannotOpen("unknown ciphertext format")
    if len(data) < 1 + NONCE_BYTES + TAG_BYTES:
        raise CannotOpen("ciphertext is truncated")
    nonce, body = data[1:1 + NONCE_BYTES], data[1 + NONCE_BYTES:]
    try:
        return AESGCM(_data_key(record)).decrypt(nonce, body, aad.encode())
    except InvalidTag:
        raise CannotOpen("ciphertext does not match its record") from None


def keyed_tag_with(raw: bytes, message: str) -> str:
    """keyed_tag for a data key already in hand (a data migration's)."""
    tag_key = hmac.new(raw, b"haven:tag-key", hashlib.sha256).digest()
    return hmac.new(tag_key, message.encode(), hashlib.sha256).hexdigest()


def keyed_tag(record: DataKey, message: str) -> str:
    """A pseudonym for MESSAGE (e.g. "voter:<person id>") under the record's key: the same
    record and message give the same tag, so it can be looked up; without the data key
    (that is, without a master key, or after shredding) nobody can test a guess against it.
    The key that makes tags is derived from the data key, apart from the one that seals."""
    return keyed_tag_with(_data_key(record), message)


def seal_with(raw: bytes, plaintext: str, *, aad: str) -> bytes:
    """seal for a data key already in hand (a data migration's)."""
    found = bad_character(plaintext)
    if found is not None:
        position, char = found
        raise UnstorableText(f"cannot seal text holding {describe(char)} at position "
                             f"{position}")
    nonce = os.urandom(NONCE_BYTES)
    return FORMAT_VERSION + nonce + AESGCM(raw).encrypt(nonce, plaintext.encode("utf-8"),
                                                        aad.encode())


def shred(record: DataKey) -> None:
    """Destroy the key: everything sealed under it is unreadable from now on. A backup taken
    before holds the key still wrapped by the master key of its day, so backups become
    unreadable only once that master key is retired (`haven keys rotate`, then remove it)."""
    now = timezone.now()
    with transaction.atomic():
        DataKey.objects.filter(pk=record.pk).update(wrapped=None, shredded_at=now)
    _cache.drop(str(record.id))
    record.wrapped = None
    record.shredded_at = now


def rotate(*, batch: int = 500, progress: Callable[[int, int], None] | None = None) -> int:
    """Rewrap every live data key under the current master key. Returns how many moved.
    haven.vault.services.rotate_master_keys first checks that no other process still wraps
    under another key; call that, not this."""
    keys = master_keys()
    stale = DataKey.objects.filter(wrapped__isnull=False).exclude(master_key_id=keys.current_id)
    total = stale.count()
    done = 0
    while True:
        with transaction.atomic():
            # Each batch holds the target key against retirement, as a new wrap does.
            key_id = claim_for_wrapping(keys)
            chunk = list(stale.select_for_update().order_by("pk")[:batch])
            if not chunk:
                break
            for record in chunk:
                raw = _unwrap(record)
                nonce = os.urandom(NONCE_BYTES)
                record.wrapped = nonce + AESGCM(keys.get(key_id)).encrypt(
                    nonce, raw, _wrap_aad(str(record.id)))
                record.master_key_id = key_id
            DataKey.objects.bulk_update(chunk, ["wrapped", "master_key_id"])
        done += len(chunk)
        if progress:
            progress(done, total)
    return done


def forget_cached_keys(ids: Iterable[str] | None = None) -> None:
    if ids is None:
        _cache.clear()
    else:
        for key_id in ids:
            _cache.drop(key_id)


def keyed_pseudonym(record: DataKey, value: str) -> str:
    """A stable stand-in for VALUE (a person's id, say) among the records of one key: an HMAC
    under a key derived from the record's data key. Whoever lacks that key — and everyone,
    once it is shredded — cannot tell whose it is."""
    return keyed_tag(record, value)[:16]
