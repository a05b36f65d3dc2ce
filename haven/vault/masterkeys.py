"""Key-encryption keys from HAVEN_MASTER_KEYS: `id:base64key,…`, the first one current; their
check values (which identify a key without revealing it), and the errors raised when a key
needed for stored data is not usable here."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
KEY_BYTES = 32  # AES-256
CHECK_CHARS = 16
_CHECK_LABEL = b"haven:master-key-check:v1"


class MasterKeyUnavailable(ImproperlyConfigured):
    """Stored content exists, but this process cannot open it, or may not wrap new content,
    with the master keys it holds. The message is for the operator: it names the key id, never
    content. Pages, the API and live chat turn it into a clear refusal, never a 500."""

    def __init__(self, message: str, *, key_id: str) -> None:
        super().__init__(message)
        self.key_id = key_id


class MasterKeyMissing(MasterKeyUnavailable):
    """Data is wrapped under a key id that is not in this process's HAVEN_MASTER_KEYS."""


class MasterKeyRetired(MasterKeyUnavailable):
    """This process's current key is retired: nothing new may be wrapped under it."""


class MasterKeyConflict(MasterKeyUnavailable):
    """This process holds another key under an id the database already knows."""


def check_value(key: bytes) -> str:
    """A short value that tells keys apart without revealing them (a key check value): the
    same key always gives the same value, and nothing about the key can be learned from it."""
    return hmac.new(key, _CHECK_LABEL, hashlib.sha256).hexdigest()[:CHECK_CHARS]


@dataclass(frozen=True)
class MasterKeys:
    current_id: str
    keys: dict[str, bytes]
    checks: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.checks:
            self.checks.update({key_id: check_value(key) for key_id, key in self.keys.items()})

    def get(self, key_id: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            raise MasterKeyMissing(
                f"Master key {key_id!r} is needed to open stored data but is not in "
                "HAVEN_MASTER_KEYS; add it back (after the current key) and run "
                "`haven keys rotate`.", key_id=key_id) from None

    @property
    def current_check(self) -> str:
        return self.checks[self.current_id]

    @property
    def fingerprint(self) -> str:
        """Identifies the whole set (ids, order and keys) without revealing any key."""
        listed = ",".join(f"{key_id}:{self.checks[key_id]}" for key_id in self.keys)
        return hashlib.sha256(listed.encode()).hexdigest()[:CHECK_CHARS]


def parse_master_keys(value: str) -> MasterKeys:
    """Parse `id:base64key,id:base64key`; every mistake is named in one line."""
    keys: dict[str, bytes] = {}
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        key_id, sep, encoded = item.partition(":")
        if not sep or not _KEY_ID.match(key_id):
            raise ImproperlyConfigured(
                "HAVEN_MASTER_KEYS must be a comma-separated list of id:base64key "
                "(ids of letters, digits, - or _).")
        if key_id in keys:
            raise ImproperlyConfigured(f"HAVEN_MASTER_KEYS names key {key_id!r} twice.")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise ImproperlyConfigured(
                f"HAVEN_MASTER_KEYS key {key_id!r} is not valid base64.") from None
        if len(raw) != KEY_BYTES:
            raise ImproperlyConfigured(
                f"HAVEN_MASTER_KEYS key {key_id!r} must be {KEY_BYTES} random bytes "
                f"(it is {len(raw)}); make one with `haven keys generate`.")
        keys[key_id] = raw
    if not keys:
        raise ImproperlyConfigured("HAVEN_MASTER_KEYS holds no key.")
    return MasterKeys(current_id=next(iter(keys)), keys=keys)


@lru_cache(maxsize=1)
def master_keys() -> MasterKeys:
    """This process's master keys, read once from settings (a change needs a restart)."""
    return parse_master_keys(settings.HAVEN_MASTER_KEYS)


def generate_master_key(key_id: str) -> str:
    return f"{key_id}:{base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()}"


def demo_master_keys(path: Path) -> str:
    """The demo's key file under var/, created on first run and kept between runs."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(generate_master_key("demo1") + "\n", encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()
