"""What `haven keys status` shows: for each master key, how many data keys depend on it and
whether it is retired; and which running processes hold which key set. Ids, counts and check
comparisons only: never a key."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count

from haven.vault import holders
from haven.vault.masterkeys import MasterKeys, master_keys
from haven.vault.models import DataKey, KeyHolder, MasterKeyState


@dataclass(frozen=True)
class KeyUsage:
    key_id: str
    data_keys: int
    by_purpose: dict[str, int]
    retired: bool
    here: str  # this process: "current", "held" or "missing"
    conflict: bool  # this process holds another key under this id than the one registered


@dataclass(frozen=True)
class ProcessView:
    holder: KeyHolder
    same_current: bool  # its current key is this process's current key
    lacking: list[str] = field(default_factory=list)  # ids still wrapping data it cannot open
    conflicting: bool = False  # its current key differs from the registered key of that id


@dataclass(frozen=True)
class KeyringStatus:
    keys: list[KeyUsage]
    shredded: int
    processes: list[ProcessView]


def keyring_status(keys: MasterKeys) -> KeyringStatus:
    """Seen from this process (holding KEYS)."""
    per_purpose: dict[str, dict[str, int]] = defaultdict(dict)
    for row in (DataKey.objects.filter(wrapped__isnull=False)
                .values("master_key_id", "purpose").annotate(n=Count("id"))):
        per_purpose[row["master_key_id"]][row["purpose"]] = row["n"]
    states = {state.key_id: state for state in MasterKeyState.objects.all()}
    live = list(holders.live_holders())
    ids = list(keys.keys)  # this process's keys in its order, current first; then the rest
    others = set(per_purpose) | set(states)
    for holder in live:
        others.update(holder.held_ids)
    ids += sorted(others - set(ids))
    usage = []
    for key_id in ids:
        state = states.get(key_id)
        counts = per_purpose.get(key_id, {})
        usage.append(KeyUsage(
            key_id=key_id, data_keys=sum(counts.values()), by_purpose=counts,
            retired=state is not None and state.retired_at is not None,
            here=("current" if key_id == keys.current_id
                  else "held" if key_id in keys.keys else "missing"),
            conflict=(key_id in keys.checks and state is not None and bool(state.check_value)
                      and state.check_value != keys.checks[key_id])))
    processes = []
    for holder in live:
        registered = states.get(holder.current_key_id)
        processes.append(ProcessView(
            holder=holder,
            same_current=(holder.current_key_id, holder.current_key_check)
            == (keys.current_id, keys.current_check),
            lacking=sorted(set(per_purpose) - set(holder.held_ids)),
            conflicting=(registered is not None and bool(registered.check_value)
                         and registered.check_value != holder.current_key_check)))
    shredded = DataKey.objects.filter(wrapped__isnull=True).count()
    return KeyringStatus(keys=usage, shredded=shredded, processes=processes)


@dataclass(frozen=True)
class MasterKeySummary:
    """This process's master keys at a glance (ids and counts only): for the set-up checklist."""

    configured: bool
    held: int  # master keys this process holds
    current_id: str
    under_older_keys: int  # data keys still wrapped by a key other than the current one:
    # after `haven keys rotate` this reaches 0


def master_key_summary() -> MasterKeySummary:
    try:
        keys = master_keys()
    except ImproperlyConfigured:
        return MasterKeySummary(configured=False, held=0, current_id="", under_older_keys=0)
    older = (DataKey.objects.filter(wrapped__isnull=False)
             .exclude(master_key_id=keys.current_id).count())
    return MasterKeySummary(configured=True, held=len(keys.keys), current_id=keys.current_id,
                            under_older_keys=older)
