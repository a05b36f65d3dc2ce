"""What a request says about the colleague's situation — the topic, the person of concern, the
pseudonym and their matching preferences. It is metadata as sensitive as the words, so it is
sealed under the conversation's data key with the content and destroyed with it."""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass
from typing import Any

from haven.vault import crypto
from haven.vault.models import DataKey


@dataclass(frozen=True)
class RequestDetails:
    topic: str
    use_pseudonym: bool
    pseudonym: str
    avoid_my_team: bool
    avoid_my_department: bool
    # Used only to avoid conflicts of interest (matching, coffee pairings); no page shows it.
    person_of_concern_id: int | None
    preferred_supporter_id: int | None
    erased: bool = False
    unavailable: bool = False  # sealed under a master key this server does not hold

    def name_for_supporter(self, colleague_name: str) -> str:
        if self.erased or self.unavailable:  # never the name of someone who chose a pseudonym
            return ""
        return self.pseudonym if self.use_pseudonym else colleague_name


_NOTHING: dict[str, Any] = {
    "topic": "", "use_pseudonym": False, "pseudonym": "", "avoid_my_team": False,
    "avoid_my_department": False, "person_of_concern_id": None, "preferred_supporter_id": None}
ERASED = RequestDetails(**_NOTHING, erased=True)
UNAVAILABLE = RequestDetails(**_NOTHING, unavailable=True)


def _aad(submission_id: uuid.UUID | str) -> str:
    return f"support-request:{submission_id}:details"


def seal(key: DataKey, *, submission_id: uuid.UUID, details: RequestDetails) -> bytes:
    fields = asdict(details)
    del fields["erased"]
    return crypto.seal(key, json.dumps(fields, sort_keys=True), aad=_aad(submission_id))


def open_details(key: DataKey | None, *, submission_id: uuid.UUID,
                 sealed: bytes | memoryview | None) -> RequestDetails:
    """The request's details; ERASED once the conversation's key is gone, UNAVAILABLE while
    its master key is not on this server (lists and matching go on without them)."""
    if key is None or key.is_shredded or not sealed:
        return ERASED
    try:
        text = crypto.open_sealed(key, sealed, aad=_aad(submission_id))
    except crypto.KeyShredded:
        return ERASED
    except crypto.MasterKeyUnavailable:
        return UNAVAILABLE
    return RequestDetails(**json.loads(str(text)))
