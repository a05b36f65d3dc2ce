"""Operator actions on master keys: rotating every data key to the current key, and retiring
a key once nothing depends on it. Each refuses, with one line saying why and what to do,
whenever going on could leave data wrapped under a key that is about to go."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from haven.core.audit import audit
from haven.vault import crypto, holders
from haven.vault.keyring import state_for_update
from haven.vault.masterkeys import MasterKeyMissing, MasterKeys, master_keys
from haven.vault.models import DataKey, KeyHolder, MasterKeyState, VaultAudit


class KeyringRefusal(Exception):
    """The operator's action would put data at risk; the message says why and what to do."""


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _describe(processes: list[KeyHolder]) -> str:
    shown = "; ".join(f"{p.kind} on {p.host} pid {p.pid}: current key {p.current_key_id}"
                      for p in processes[:5])
    more = f"; and {len(processes) - 5} more" if len(processes) > 5 else ""
    return f"{shown}{more}"


def other_key_sets(keys: MasterKeys) -> list[KeyHolder]:
    """Live processes whose current key is not this process's current key (by id or by
    key): rotating now would leave them wrapping new data under a key that is on its way
    out (or, the other way round, move everything back to a key they are leaving)."""
    return [holder for holder in holders.live_holders()
            if (holder.current_key_id, holder.current_key_check)
            != (keys.current_id, keys.current_check)]


def _refuse_other_key_sets(keys: MasterKeys, *, moved: int | None = None) -> None:
    others = other_key_sets(keys)
    if not others:
        return
    running = (f"{_plural(len(others), 'live process runs', 'live processes run')} with "
               f"another current master key than {keys.current_id} ({_describe(others)})")
    restart = (f"Restart {'it' if len(others) == 1 else 'them'} with HAVEN_MASTER_KEYS "
               f"starting with {keys.current_id} (keep the old key after it), then rotate "
               f"again; a process that has stopped drops out after "
               f"{holders.STALE_AFTER_SECONDS:.0f} s.")
    if moved is None:
        raise KeyringRefusal(f"Nothing was rotated: {running}. {restart}")
    raise KeyringRefusal(
        f"{_plural(moved, 'data key was', 'data keys were')} rewrapped under "
        f"{keys.current_id}, but meanwhile {running}. {restart}")


def rotate_master_keys(*, progress: Callable[[int, int], None] | None = None) -> int:
    """Rewrap every live data key under this process's current master key, once no other live
    process would still wrap new data under another key. Returns how many moved."""
    keys = master_keys()
    holders.forget_stopped()
    _refuse_other_key_sets(keys)
    needed = set(DataKey.objects.filter(wrapped__isnull=False)
                 .exclude(master_key_id=keys.current_id)
                 .values_list("master_key_id", flat=True).distinct())
    missing = sorted(needed - set(keys.keys))
    if missing:
        counts = dict(DataKey.objects.filter(wrapped__isnull=False, master_key_id__in=missing)
                      .values("master_key_id").annotate(n=Count("id"))
                      .values_list("master_key_id", "n"))
        listed = ", ".join(f"{key_id!r} ({_plural(counts[key_id], 'data key', 'data keys')})"
                           for key_id in missing)
        one = len(missing) == 1
        raise MasterKeyMissing(
            f"Master {'key' if one else 'keys'} {listed} still {'wraps' if one else 'wrap'} "
            f"data but {'is' if one else 'are'} not in HAVEN_MASTER_KEYS; add "
            f"{'it' if one else 'them'} after the current key and rotate again. Nothing was "
            "changed.", key_id=missing[0])
    moved = crypto.rotate(progress=progress)
    audit(action=VaultAudit.MASTER_KEYS_ROTATED, object_type="master_key",
          object_id=keys.current_id, detail={"moved": moved})
    # A process started with an older set while the rotation ran was not there to refuse it.
    _refuse_other_key_sets(keys, moved=moved)
    return moved


def known_key_ids(keys: MasterKeys) -> set[str]:
    ids = set(keys.keys)
    ids.update(DataKey.objects.values_list("master_key_id", flat=True).distinct())
    ids.update(MasterKeyState.objects.values_list("key_id", flat=True))
    for holder in holders.live_holders():
        ids.update(holder.held_ids)
    return ids


def retire_master_key(*, key_id: str) -> bool:
    """Mark KEY_ID retired: no process wraps anything new under it from now on, so once
    retired it can be removed from HAVEN_MASTER_KEYS and destroyed. Refuses while a data key
    is still wrapped under it or a live process still uses it as its current key. Returns
    False if it was retired already."""
    keys = master_keys()
    if key_id not in known_key_ids(keys):
        raise KeyringRefusal(
            f"No master key {key_id!r} is known here: no data key is wrapped under it and no "
            "process holds it. `haven keys status` lists the keys.")
    holders.forget_stopped()
    with transaction.atomic():
        MasterKeyState.objects.bulk_create(
            [MasterKeyState(key_id=key_id, check_value=keys.checks.get(key_id, ""))],
            ignore_conflicts=True)
        # Waits for every wrap in flight under this key (they hold the row), and stops new
        # ones until this commits; the count below then sees all of them.
        state = state_for_update(key_id)
        assert state is not None
        if state.retired_at is not None:
            return False
        depending = DataKey.objects.filter(wrapped__isnull=False, master_key_id=key_id).count()
        if depending:
            raise KeyringRefusal(
                f"Master key {key_id} still wraps "
                f"{_plural(depending, 'data key', 'data keys')}: run `haven keys rotate` with "
                f"another key first in HAVEN_MASTER_KEYS (keeping {key_id} after it), then "
                f"retire {key_id}. Nothing was changed.")
        users = [holder for holder in holders.live_holders() if holder.current_key_id == key_id]
        if keys.current_id == key_id:
            raise KeyringRefusal(
                f"Master key {key_id} is this process's current key: put the new key first "
                f"in HAVEN_MASTER_KEYS everywhere, restart, run `haven keys rotate`, then "
                f"retire {key_id}. Nothing was changed.")
        if users:
            raise KeyringRefusal(
                f"{_plural(len(users), 'live process still uses', 'live processes still use')}"
                f" {key_id} as its current key ({_describe(users)}): restart "
                f"{'it' if len(users) == 1 else 'them'} with the new key first in "
                f"HAVEN_MASTER_KEYS, then retire {key_id}. Nothing was changed.")
        state.retired_at = timezone.now()
        state.save(update_fields=["retired_at"])
        audit(action=VaultAudit.MASTER_KEY_RETIRED, object_type="master_key", object_id=key_id)
    return True


def unretire_master_key(*, key_id: str) -> bool:
    """Undo a retirement (e.g. the wrong key was retired). Returns False if it was not
    retired."""
    with transaction.atomic():
        state = state_for_update(key_id)
        if state is None or state.retired_at is None:
            return False
        state.retired_at = None
        state.save(update_fields=["retired_at"])
        audit(action=VaultAudit.MASTER_KEY_UNRETIRED, object_type="master_key",
              object_id=key_id)
    return True
