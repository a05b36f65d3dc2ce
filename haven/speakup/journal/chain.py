"""The journal's hash chain and checkpoints, as pure functions: the server, the export and the
verifier (`haven journal verify`, the verify page) compute exactly the same bytes. No Django
here, so that the verifier needs nothing but this file, verify.py and PyNaCl.

A record's hash is SHA-256 over the canonical encoding (canonical() below: JSON with sorted
keys, no spaces, UTF-8, non-ASCII kept as is) of
  {"journal", "entry", "number", "version", "kind", "recorded_at", "previous",
   "content_digest"},
where content_digest is SHA-256 over the canonical encoding of {"content", "salt"} — the
version's fields, its attachments' descriptions with their SHA-256s, and its random salt —
and null in a deletion record (a tombstone).
The first record's "previous" is genesis(journal id). A checkpoint signs, with Ed25519, the
canonical encoding of {"purpose": "haven-journal-checkpoint", "journal", "head", "length",
"signed_at"}."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

# The fields of a version's content, in the order pages and exports show them.
CONTENT_FIELDS = ("occurred_on", "occurred_time", "what", "where", "people", "others",
                  "witnesses", "impact", "attachments")
TEXT_FIELDS = ("occurred_on", "occurred_time", "what", "where", "others", "witnesses",
               "impact")
KINDS = ("created", "edited", "deleted")
CHECKPOINT_PURPOSE = "haven-journal-checkpoint"
SALT_BYTES = 16


def canonical(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def genesis(journal_id: str) -> str:
    """The "previous" hash of a journal's first record: binds the chain to its journal."""
    return sha256_hex(f"haven-journal-genesis:{journal_id}".encode())


def timestamp(moment: datetime) -> str:
    """A recorded time as the chain encodes it: UTC, to the microsecond."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def content_digest(content: dict[str, Any], salt: str) -> str:
    """SHA-256 over a version's content and its salt. The salt is random and sealed with the
    content, so this digest (kept in clear) cannot be used to test a guess of the content."""
    return sha256_hex(canonical({"content": content, "salt": salt}))


def record_hash(*, journal: str, entry: str, number: int, version: int, kind: str,
                recorded_at: str, previous: str, digest: str | None) -> str:
    """A record's hash: its place (journal, entry, number, version, kind), its recorded time,
    the hash before it and its content digest (None for a deletion, which has no content).
    Kept apart from the content, so that once an entry is deleted the times and links of its
    records can still be checked."""
    return sha256_hex(canonical({"journal": journal, "entry": entry, "number": number,
                                 "version": version, "kind": kind, "recorded_at": recorded_at,
                                 "previous": previous, "content_digest": digest}))


def checkpoint_message(*, journal: str, head: str, length: int, signed_at: str) -> bytes:
    return canonical({"purpose": CHECKPOINT_PURPOSE, "journal": journal, "head": head,
                      "length": length, "signed_at": signed_at})
