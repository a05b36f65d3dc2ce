"""The escrow's two pure parts: sealing a report's content under its content key K, and the
release rule (docs/speakup-reports.md, "Release").

Release rule: the reports naming one person (one matching tag) are released together when the
number of distinct reporters with an active report on that tag — held or already released, not
withdrawn — reaches the threshold N. A "send now" report is released on filing and counts as
its reporter. The rule is applied only when a report is filed, so a withdrawal never releases
anything, and the same reporter filing twice counts once."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import nacl.secret
import nacl.utils

from haven.speakup.reports.keys import WrongSecret, unwrap, wrap

HELD, RELEASED, WITHDRAWN = "held", "released", "withdrawn"


@dataclass(frozen=True)
class Entry:
    """What the release rule sees of one report: no content, no names."""

    report_id: object
    reporter_tag: str
    state: str  # HELD, RELEASED or WITHDRAWN


def distinct_active_reporters(entries: Iterable[Entry]) -> int:
    return len({entry.reporter_tag for entry in entries if entry.state != WITHDRAWN})


def to_release(entries: Iterable[Entry], *, threshold: int) -> list[object]:
    """The ids of the held reports that a filing releases, given every report on the tag
    after that filing: all the held ones once the distinct active reporters reach THRESHOLD,
    none before."""
    if threshold < 2:
        raise ValueError("the threshold is at least 2")
    entries = list(entries)
    if distinct_active_reporters(entries) < threshold:
        return []
    return [entry.report_id for entry in entries if entry.state == HELD]


# Content: JSON sealed with a secret box under K; the report's id is bound inside, so a
# ciphertext copied onto another report's row does not open there.

def new_content_key() -> bytes:
    return nacl.utils.random(nacl.secret.SecretBox.KEY_SIZE)


def seal_json(key: bytes, *, bound_to: str, payload: dict[str, Any]) -> bytes:
    text = json.dumps({"bound_to": bound_to, "payload": payload}, ensure_ascii=False,
                      sort_keys=True)
    return wrap(key, text.encode("utf-8"))


def open_json(key: bytes, sealed: bytes | memoryview, *, bound_to: str) -> dict[str, Any]:
    document = json.loads(unwrap(key, sealed).decode("utf-8"))
    if not isinstance(document, dict) or document.get("bound_to") != bound_to:
        raise WrongSecret
    payload = document["payload"]
    assert isinstance(payload, dict)
    return payload


def seal_text(key: bytes, *, bound_to: str, text: str) -> bytes:
    return seal_json(key, bound_to=bound_to, payload={"text": text})


def open_text(key: bytes, sealed: bytes | memoryview, *, bound_to: str) -> str:
    return str(open_json(key, sealed, bound_to=bound_to)["text"])
