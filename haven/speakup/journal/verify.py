"""Checking a JSON export of the journal (export.document): every record's hash recomputed from
its content, every link to the record before it, every attachment against its SHA-256, and the
checkpoint's Ed25519 signature over the chain head. Any input at all gives a result or
NotAnExport with a reason — never another exception. Pure: no Django, so that
`haven journal verify` and the public verify page share it, and it runs anywhere."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from haven.speakup.journal import chain

FORMAT = "haven-journal-export"
_HEX64 = re.compile(r"[0-9a-f]{64}")
_HEX128 = re.compile(r"[0-9a-f]{128}")


class NotAnExport(ValueError):
    """The input is not a journal export at all (not JSON, not the format)."""


@dataclass(frozen=True)
class Problem:
    """What failed. RECORD is the record's position in the export (1 = first), None for the
    checkpoint; NUMBER, ENTRY and VERSION are what the record says of itself."""

    reason: str
    record: int | None = None
    number: int | None = None
    entry: str | None = None
    version: int | None = None

    def describe(self) -> str:
        if self.record is None:
            return f"Checkpoint: {self.reason}"
        who = (f"Entry {self.number}" if self.number is not None else "An entry")
        version = f", version {self.version}" if self.version is not None else ""
        return f"{who}{version} (chain record {self.record}): {self.reason}"


@dataclass
class Result:
    problems: list[Problem] = field(default_factory=list)
    records: int = 0
    checked: int = 0  # versions whose hash was recomputed from their content
    destroyed: int = 0  # versions deleted by their author: link checked, content gone
    public_key: str | None = None
    trusted_key: bool | None = None  # None: no key to compare with

    @property
    def intact(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.intact:
            return (f"Intact: {self.records} chain records, {self.checked} versions checked "
                    f"against their hashes, the signature is valid.")
        return f"Altered: {len(self.problems)} problem(s) found."


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _shape_problem(record: dict[str, Any]) -> str | None:
    """Why RECORD is not shaped like a chain record, or None."""
    for name in ("seq", "number", "version"):
        if _int(record.get(name)) is None:
            return f"its {name!r} is missing or not a whole number"
    for name in ("entry", "recorded_at", "kind"):
        if _str(record.get(name)) is None:
            return f"its {name!r} is missing or not text"
    if record["kind"] not in chain.KINDS:
        return f"its kind {record['kind']!r} is not one of {', '.join(chain.KINDS)}"
    for name in ("previous", "hash"):
        if not isinstance(record.get(name), str) or not _HEX64.fullmatch(record[name]):
            return f"its {name!r} is not a SHA-256 hash"
    digest = record.get("content_digest")
    if record["kind"] == "deleted":
        if digest is not None:
            return "a deletion record carries a content digest"
    elif not isinstance(digest, str) or not _HEX64.fullmatch(digest):
        return "its 'content_digest' is not a SHA-256 hash"
    content, salt = record.get("content"), record.get("salt")
    if content is not None and not isinstance(content, dict):
        return "its content is not an object"
    if salt is not None and not isinstance(salt, str):
        return "its salt is not text"
    if (content is None) != (salt is None):
        return "it has content without a salt, or a salt without content"
    if record["kind"] == "deleted" and content is not None:
        return "a deletion record carries content"
    if isinstance(content, dict):
        attachments = content.get("attachments", [])
        if not isinstance(attachments, list) or not all(
                isinstance(a, dict) and isinstance(a.get("sha256"), str) for a in attachments):
            return "its list of attachments is damaged"
    return None


def _files(document: dict[str, Any]) -> dict[str, bytes | None]:
    """The export's files, decoded; None for one that is not valid base64."""
    found: dict[str, bytes | None] = {}
    files = document.get("files")
    if not isinstance(files, dict):
        return found
    for sha, encoded in files.items():
        try:
            found[sha] = base64.b64decode(encoded, validate=True) if isinstance(
                encoded, str) else None
        except (binascii.Error, ValueError):
            found[sha] = None
    return found


def _check_records(document: dict[str, Any], result: Result) -> str | None:
    """Checks each record; returns the last record's hash as the export states it."""
    journal = document["journal"]
    records = document["records"]
    files = _files(document)
    deleted_entries = {r["entry"] for r in records if isinstance(r, dict)
                       and r.get("kind") == "deleted" and isinstance(r.get("entry"), str)}
    expected_previous = chain.genesis(journal)
    last_hash: str | None = None
    for position, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            result.problems.append(Problem("the record is not an object", record=position))
            expected_previous, last_hash = "", None
            continue

        def problem(reason: str, record: dict[str, Any] = record,
                    position: int = position) -> None:
            result.problems.append(Problem(
                reason, record=position, number=_int(record.get("number")),
                entry=_str(record.get("entry")), version=_int(record.get("version"))))

        shape = _shape_problem(record)
        if shape is not None:
            problem(f"the record is damaged: {shape}")
            expected_previous = _str(record.get("hash")) or ""
            last_hash = expected_previous
            continue
        if record["seq"] != position:
            problem(f"it says it is record {record['seq']}, but it is record {position}: "
                    "records were removed, added or reordered")
        if record["previous"] != expected_previous:
            problem("link broken: the hash it says comes before it is not the hash of the "
                    "record before it")
        if chain.record_hash(journal=journal, entry=record["entry"], number=record["number"],
                             version=record["version"], kind=record["kind"],
                             recorded_at=record["recorded_at"], previous=record["previous"],
                             digest=record["content_digest"]) != record["hash"]:
            problem("record changed: its hash does not match its entry, version, recorded "
                    "time, link or content digest")
        content = record["content"]
        if record["kind"] != "deleted" and content is None:
            if record["entry"] in deleted_entries:
                result.destroyed += 1
            else:
                problem("its content is missing, but the entry was never deleted")
        elif content is not None:
            try:
                recomputed = chain.content_digest(content, record["salt"])
            except (TypeError, ValueError):  # content holding what JSON cannot encode
                recomputed = ""
            if recomputed != record["content_digest"]:
                problem("content changed: a field, an attachment's description or the salt "
                        "does not match the content digest")
            else:
                result.checked += 1
            for described in content.get("attachments", []):
                data = files.get(described["sha256"])
                name = _str(described.get("name")) or "?"
                if data is None:
                    problem(f"attachment “{name}” is missing or damaged in the export")
                elif hashlib.sha256(data).hexdigest() != described["sha256"]:
                    problem(f"attachment “{name}” changed: its bytes do not match its "
                            "SHA-256")
        expected_previous = record["hash"]
        last_hash = record["hash"]
    return last_hash


def _check_checkpoint(document: dict[str, Any], head: str | None, result: Result,
                      trusted_key: str | None) -> None:
    checkpoint = document.get("checkpoint")
    records = document["records"]
    if not isinstance(checkpoint, dict):
        result.problems.append(Problem("the export has no signed checkpoint"))
        return
    key, signature = checkpoint.get("public_key"), checkpoint.get("signature")
    length, signed_at = checkpoint.get("length"), checkpoint.get("signed_at")
    if (not isinstance(key, str) or not _HEX64.fullmatch(key)
            or not isinstance(signature, str) or not _HEX128.fullmatch(signature)
            or _int(length) is None or not isinstance(signed_at, str)
            or not isinstance(checkpoint.get("head"), str)
            or not isinstance(checkpoint.get("journal"), str)):
        result.problems.append(Problem("the checkpoint is damaged"))
        return
    length = checkpoint["length"]
    result.public_key = key
    if document.get("public_key") != key:
        result.problems.append(Problem("the export's public key is not the checkpoint's"))
    if checkpoint["journal"] != document["journal"]:
        result.problems.append(Problem("it was signed for another journal"))
    if length != len(records):
        result.problems.append(Problem(
            f"it was signed over {length} records, but the export holds {len(records)}: "
            "records were removed or added"))
    if checkpoint["head"] != head:
        result.problems.append(Problem("the signed head is not the last record's hash"))
    message = chain.checkpoint_message(journal=checkpoint["journal"], head=checkpoint["head"],
                                       length=length, signed_at=signed_at)
    try:
        VerifyKey(bytes.fromhex(key)).verify(message, bytes.fromhex(signature))
    except (BadSignatureError, ValueError):
        result.problems.append(Problem("signature invalid: the signed checkpoint was altered "
                                       "or not signed by this key"))
    if trusted_key is not None:
        result.trusted_key = key == trusted_key
        if not result.trusted_key:
            result.problems.append(Problem(
                "signed by a key that is not this Haven server's: the export may have been "
                "re-signed by someone else"))


def verify(document: object, *, trusted_key: str | None = None) -> Result:
    """Check a parsed export. TRUSTED_KEY: the public key (hex) the signature must be made
    with, e.g. this server's; without it only the key printed in the export is used, and the
    result says so."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise NotAnExport("This is not a Haven journal export (its \"format\" is not "
                          f"\"{FORMAT}\").")
    if not isinstance(document.get("journal"), str) or not isinstance(
            document.get("records"), list):
        raise NotAnExport("This export has no journal id or no list of records.")
    result = Result(records=len(document["records"]))
    head = _check_records(document, result)
    _check_checkpoint(document, head, result, trusted_key)
    return result


def verify_bytes(raw: bytes, *, trusted_key: str | None = None) -> Result:
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise NotAnExport("This file is not JSON (a journal export is the .json file the "
                          "journal's Export page gives).") from None
    return verify(document, trusted_key=trusted_key)
