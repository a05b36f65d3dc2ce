"""Envelope encryption: AES-256-GCM data keys wrapped by master keys. The only module that
holds key material; everything else asks it to seal or open."""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from haven.core.confidential import Withheld
from haven.core.text import bad_character, describe
from haven.vault.masterkeys import MasterKeys, parse_master_keys
from haven.vault.models import DataKey

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


@lru_cache(maxsize=1)
def master_keys() -> MasterKeys:
    return parse_master_keys(settings.HAVEN_MASTER_KEYS)


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


def create_data_key(*, purpose: str) -> DataKey:
    keys = master_keys()
    raw = AESGCM.generate_key(bit_length=256)
    record = DataKey(purpose=purpose, master_key_id=keys.current_id)
    nonce = os.urandom(NONCE_BYTES)
    record.wrapped = nonce + AESGCM(keys.get(keys.current_id)).encrypt(
        nonce, raw, _wrap_aad(str(record.id)))
    record.save(force_insert=True)
    _cache.put(str(record.id), raw)
    return record


def _unwrap(record: DataKey) -> bytes:
    if record.wrapped is None:
        raise KeyShredded(f"data key {record.id} was shredded")
    wrapped = bytes(record.wrapped)
    master = master_keys().get(record.master_key_id)
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
    found = bad_character(plaintext)
    if found is not None:
        position, char = found
        raise UnstorableText(f"cannot seal text holding {describe(char)} at position "
                             f"{position}")
    nonce = os.urandom(NONCE_BYTES)
    return FORMAT_VERSION + nonce + AESGCM(_data_key(record)).encrypt(
        nonce, plaintext.encode("utf-8"), aad.encode())


def open_sealed(record: DataKey, sealed: bytes | memoryview, *, aad: str) -> str:
    data = bytes(sealed)
    if data[:1] != FORMAT_VERSION:
        raise CannotOpen("unknown ciphertext format")
    if len(data) < 1 + NONCE_BYTES + TAG_BYTES:
        raise CannotOpen("ciphertext is truncated")
    nonce, body = data[1:1 + NONCE_BYTES], data[1 + NONCE_BYTES:]
    try:
        return Withheld(AESGCM(_data_key(record)).decrypt(nonce, body, aad.encode())
                        .decode("utf-8"))
    except InvalidTag:
        raise CannotOpen("ciphertext does not match its record") from None


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
    """Rewrap every live data key under the current master key. Returns how many moved."""
    keys = master_keys()
    stale = DataKey.objects.filter(wrapped__isnull=False).exclude(master_key_id=keys.current_id)
    total = stale.count()
    done = 0
    while True:
        with transaction.atomic():
            chunk = list(stale.select_for_update().order_by("pk")[:batch])
            if not chunk:
                break
            for record in chunk:
                raw = _unwrap(record)
                nonce = os.urandom(NONCE_BYTES)
                record.wrapped = nonce + AESGCM(keys.get(keys.current_id)).encrypt(
                    nonce, raw, _wrap_aad(str(record.id)))
                record.master_key_id = keys.current_id
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
