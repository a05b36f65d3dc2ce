"""Key-encryption keys from HAVEN_MASTER_KEYS: `id:base64key,…`, the first one current."""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
KEY_BYTES = 32  # AES-256


@dataclass(frozen=True)
class MasterKeys:
    current_id: str
    keys: dict[str, bytes]

    def get(self, key_id: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            raise ImproperlyConfigured(
                f"Master key {key_id!r} is needed to open stored data but is not in "
                "HAVEN_MASTER_KEYS; add it back (after the current key) and run "
                "`haven keys rotate`.") from None


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


def generate_master_key(key_id: str) -> str:
    return f"{key_id}:{base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()}"


def demo_master_keys(path: Path) -> str:
    """The demo's key file under var/, created on first run and kept between runs."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(generate_master_key("demo1") + "\n", encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()
