"""Master keys in one process: retirement (nothing new is ever wrapped under a retired key),
what `haven keys status` shows, and the checks `haven keys rotate` and `haven keys retire`
make before they change anything. Real second processes: tests/vault/test_key_holders.py."""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from haven.core.models import AuditEvent
from haven.vault import crypto, holders, services
from haven.vault.masterkeys import (
    MasterKeyConflict,
    MasterKeyMissing,
    MasterKeyRetired,
    check_value,
    generate_master_key,
    parse_master_keys,
)
from haven.vault.models import DataKey, KeyHolder, MasterKeyState, VaultAudit

pytestmark = pytest.mark.django_db

OLD, NEW = generate_master_key("old"), generate_master_key("new")


@pytest.fixture
def use_keys(settings):  # type: ignore[no-untyped-def]
    def switch(value: str) -> None:
        settings.HAVEN_MASTER_KEYS = value
        crypto.master_keys.cache_clear()
        crypto.forget_cached_keys()

    return switch


def _keys(use_keys, value: str) -> list[DataKey]:  # type: ignore[no-untyped-def]
    use_keys(value)
    return [crypto.create_data_key(purpose="conversation") for _ in range(2)]


def _holder(value: str, *, kind: str = "web", seen_ago: float = 1.0, **fields: object
            ) -> KeyHolder:
    """The heartbeat row of another process holding the key set VALUE."""
    keys = parse_master_keys(value)
    return KeyHolder.objects.create(
        kind=kind, host=fields.pop("host", "web-1"), pid=fields.pop("pid", 4242),
        current_key_id=keys.current_id, current_key_check=keys.current_check,
        key_ids=",".join(keys.keys), fingerprint=keys.fingerprint,
        last_seen_at=timezone.now() - timedelta(seconds=seen_ago), **fields)


def _out(*args: str) -> str:
    out = io.StringIO()
    call_command("keys", *args, stdout=out)
    return out.getvalue()


def _rotated_and_retired(use_keys) -> list[DataKey]:  # type: ignore[no-untyped-def]
    records = _keys(use_keys, OLD)
    use_keys(f"{NEW},{OLD}")
    _out("rotate")
    _out("retire", "old")
    return records


# --- check values ----------------------------------------------------------------------------

def test_check_values_tell_keys_apart_without_revealing_them() -> None:
    keys = parse_master_keys(f"{NEW},{OLD}")
    raw = keys.keys["new"]

    assert check_value(raw) == keys.checks["new"] == check_value(bytes(raw))
    assert keys.checks["new"] != keys.checks["old"]
    assert raw.hex()[:16] != keys.checks["new"] and len(keys.checks["new"]) == 16
    assert parse_master_keys(NEW).fingerprint != keys.fingerprint
    assert parse_master_keys(f"{OLD},{NEW}").fingerprint != keys.fingerprint  # order counts


# --- retirement ------------------------------------------------------------------------------

def test_a_retired_key_never_wraps_a_new_data_key_even_when_listed_first(
        use_keys, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    _rotated_and_retired(use_keys)
    use_keys(f"{OLD},{NEW}")  # a process restarted with the old setting by mistake

    with pytest.raises(MasterKeyRetired, match="'old' is retired"):
        crypto.create_data_key(purpose="conversation")

    assert not DataKey.objects.filter(master_key_id="old").exists()
    assert any(record.levelno == logging.ERROR and "'old' is retired" in record.getMessage()
               for record in caplog.records)


def test_a_retired_key_is_not_rotated_to_either(use_keys) -> None:  # type: ignore[no-untyped-def]
    _rotated_and_retired(use_keys)
    use_keys(f"{OLD},{NEW}")

    with pytest.raises(MasterKeyRetired):
        _out("rotate")

    assert set(DataKey.objects.values_list("master_key_id", flat=True)) == {"new"}


def test_retire_refuses_while_data_keys_depend_on_the_key(use_keys) -> None:  # type: ignore[no-untyped-def]
    _keys(use_keys, OLD)
    use_keys(f"{NEW},{OLD}")

    with pytest.raises(CommandError, match=r"^Master key old still wraps 2 data keys: run "
                                           r"`haven keys rotate` .* Nothing was changed\.$"):
        _out("retire", "old")

    assert not MasterKeyState.objects.filter(retired_at__isnull=False).exists()
    assert not AuditEvent.objects.filter(action=VaultAudit.MASTER_KEY_RETIRED).exists()


def test_retire_refuses_while_a_live_process_uses_the_key_as_its_current_one(use_keys) -> None:  # type: ignore[no-untyped-def]
    use_keys(f"{NEW},{OLD}")
    _holder(OLD, host="web-7", pid=77)

    with pytest.raises(CommandError, match=r"1 live process still uses old as its current key "
                                           r"\(web on web-7 pid 77: current key old\)"):
        _out("retire", "old")


def test_retire_refuses_this_process_current_key(use_keys) -> None:  # type: ignore[no-untyped-def]
    use_keys(f"{NEW},{OLD}")

    with pytest.raises(CommandError, match="is this process's current key"):
        _out("retire", "new")


def test_retire_refuses_a_key_nobody_knows(use_keys) -> None:  # type: ignore[no-untyped-def]
    use_keys(NEW)

    with pytest.raises(CommandError, match="No master key 'nwe' is known here"):
        _out("retire", "nwe")


def test_a_process_that_stopped_beating_does_not_hold_retirement_back(use_keys) -> None:  # type: ignore[no-untyped-def]
    use_keys(f"{NEW},{OLD}")
    _holder(OLD, seen_ago=holders.STALE_AFTER_SECONDS + 5)

    assert "Master key old is retired" in _out("retire", "old")
    assert not KeyHolder.objects.exists()  # the stopped process's row is gone too


def test_retire_and_unretire_are_audited_once(use_keys) -> None:  # type: ignore[no-untyped-def]
    _rotated_and_retired(use_keys)

    assert "was already retired" in _out("retire", "old")
    assert "no longer retired" in _out("unretire", "old")
    assert "was not retired" in _out("unretire", "old")
    events = list(AuditEvent.objects.filter(object_type="master_key").order_by("id")
                  .values_list("action", "object_id", "actor"))
    assert events == [(VaultAudit.MASTER_KEYS_ROTATED, "new", None),
                      (VaultAudit.MASTER_KEY_RETIRED, "old", None),
                      (VaultAudit.MASTER_KEY_UNRETIRED, "old", None)]
    use_keys(f"{OLD},{NEW}")
    assert crypto.create_data_key(purpose="conversation").master_key_id == "old"


@pytest.mark.django_db(transaction=True)
def test_retire_waits_for_a_wrap_in_flight_and_then_refuses(use_keys) -> None:  # type: ignore[no-untyped-def]
    MasterKeyState.objects.create(key_id="old", check_value=parse_master_keys(OLD).current_check)
    use_keys(f"{OLD},{NEW}")  # the wrapping side: a process not restarted yet
    wrapped, release = threading.Event(), threading.Event()
    outcome: list[str] = []

    def wrap_slowly() -> None:
        try:
            with transaction.atomic():
                crypto.create_data_key(purpose="conversation")  # holds "old" until commit
                wrapped.set()
                release.wait(10)
        finally:
            connection.close()

    def retire() -> None:
        try:
            services.retire_master_key(key_id="old")
            outcome.append("retired")
        except services.KeyringRefusal as refusal:
            outcome.append(str(refusal))
        finally:
            connection.close()

    wrapper = threading.Thread(target=wrap_slowly)
    wrapper.start()
    assert wrapped.wait(10)
    use_keys(f"{NEW},{OLD}")  # the retiring side holds the new set
    retirer = threading.Thread(target=retire)
    retirer.start()
    retirer.join(0.5)
    assert retirer.is_alive(), "retire must wait for the wrap in flight"
    release.set()
    wrapper.join(10)
    retirer.join(30)

    assert outcome and outcome[0].startswith("Master key old still wraps 1 data key:")
    assert MasterKeyState.objects.get(pk="old").retired_at is None
    assert DataKey.objects.filter(master_key_id="old").count() == 1


# --- the same id, another key ----------------------------------------------------------------

def test_a_process_holding_another_key_under_a_known_id_wraps_nothing(use_keys) -> None:  # type: ignore[no-untyped-def]
    _keys(use_keys, NEW)
    impostor = generate_master_key("new")  # e.g. a host with a mistyped or regenerated key
    use_keys(impostor)

    with pytest.raises(MasterKeyConflict, match="different key under id 'new'"):
        crypto.create_data_key(purpose="conversation")

    assert DataKey.objects.count() == 2
    assert "new (current, HAVEN_MASTER_KEYS here holds a different key under this id): " \
           "2 data keys" in _out("status")


# --- status ----------------------------------------------------------------------------------

def test_status_shows_what_depends_on_each_key_and_who_holds_which(use_keys) -> None:  # type: ignore[no-untyped-def]
    gone = generate_master_key("gone")
    _keys(use_keys, gone)
    crypto.shred(_keys(use_keys, OLD)[0])
    use_keys(f"{NEW},{OLD}")
    crypto.create_data_key(purpose="conversation")
    crypto.create_data_key(purpose="journal")
    MasterKeyState.objects.create(key_id="k0", retired_at=timezone.now())
    _holder(f"{NEW},{OLD}", kind="worker", host="w-1", pid=11)
    _holder(OLD, host="web-2", pid=22, seen_ago=20)
    _holder(OLD, host="web-3", pid=33, seen_ago=holders.STALE_AFTER_SECONDS + 1)  # stopped

    lines = _out("status").splitlines()

    assert lines[:5] == [
        "new (current): 2 data keys (conversation 1, journal 1)",
        "old: 1 data keys",
        "gone (not in HAVEN_MASTER_KEYS here): 2 data keys",
        "k0 (retired): 0 data keys",
        "shredded: 1 data keys",
    ]
    assert lines[5] == "processes seen in the last 60 s, besides this one: 2"
    assert lines[6].startswith("  web on web-2 pid 22, seen 20 s ago: current old; holds old"
                               " — another current key than this process")
    assert "lacks gone, new, which still wrap data" in lines[6]
    assert lines[7].startswith("  worker on w-1 pid 11, seen 1 s ago: current new; holds new,"
                               " old — lacks gone")
    assert "another current key" not in lines[7]
    assert len(lines) == 8
    assert not KeyHolder.objects.filter(host="web-3").exists()
    assert not any(key in "\n".join(lines) for key in (NEW, OLD, gone))  # ids, never keys


# --- rotation --------------------------------------------------------------------------------

def test_rotate_refuses_while_a_live_process_has_another_current_key(use_keys) -> None:  # type: ignore[no-untyped-def]
    _keys(use_keys, OLD)
    use_keys(f"{NEW},{OLD}")
    _holder(OLD, host="web-1", pid=101)
    _holder(f"{NEW},{OLD}", kind="worker", host="w-1", pid=5)  # already on the new set

    with pytest.raises(CommandError) as refused:
        _out("rotate")

    assert str(refused.value) == (
        "Nothing was rotated: 1 live process runs with another current master key than new "
        "(web on web-1 pid 101: current key old). Restart it with HAVEN_MASTER_KEYS starting "
        "with new (keep the old key after it), then rotate again; a process that has stopped "
        "drops out after 60 s.")
    assert set(DataKey.objects.values_list("master_key_id", flat=True)) == {"old"}


def test_a_process_with_the_same_id_but_another_key_holds_rotation_back(use_keys) -> None:  # type: ignore[no-untyped-def]
    _keys(use_keys, OLD)
    use_keys(f"{NEW},{OLD}")
    _holder(f"{generate_master_key('new')},{OLD}")

    with pytest.raises(CommandError, match="1 live process runs with another current"):
        _out("rotate")


def test_a_process_that_stopped_beating_does_not_hold_rotation_back(use_keys) -> None:  # type: ignore[no-untyped-def]
    _keys(use_keys, OLD)
    use_keys(f"{NEW},{OLD}")
    _holder(OLD, seen_ago=holders.STALE_AFTER_SECONDS + 1)

    assert "2 data keys now wrapped by master key new" in _out("rotate")


def test_rotate_refuses_when_a_key_with_data_is_missing_here(use_keys) -> None:  # type: ignore[no-untyped-def]
    _keys(use_keys, OLD)
    _keys(use_keys, f"{generate_master_key('mid')}")
    use_keys(f"{NEW},{OLD}")

    with pytest.raises(MasterKeyMissing, match=r"Master key 'mid' \(2 data keys\) still wraps "
                                               r"data but is not in HAVEN_MASTER_KEYS"):
        _out("rotate")

    assert not DataKey.objects.filter(master_key_id="new").exists()  # nothing half-done


def test_rotate_reports_a_process_with_an_older_set_that_started_meanwhile(use_keys) -> None:  # type: ignore[no-untyped-def]
    _keys(use_keys, OLD)
    use_keys(f"{NEW},{OLD}")

    def a_process_starts(done: int, total: int) -> None:
        if not KeyHolder.objects.filter(host="late-1").exists():
            _holder(OLD, host="late-1", pid=9)

    with pytest.raises(services.KeyringRefusal,
                       match=r"^2 data keys were rewrapped under new, but meanwhile 1 live "
                             r"process runs with another current master key than new \(web "
                             r"on late-1 pid 9: current key old\)\. Restart it"):
        services.rotate_master_keys(progress=a_process_starts)


# --- this process's own row ------------------------------------------------------------------

@pytest.fixture
def fresh_registration() -> Iterator[None]:
    holders.unregister()
    yield
    holders.unregister()


def test_wrapping_records_this_process_and_a_clean_exit_removes_it(
        use_keys, fresh_registration: None) -> None:  # type: ignore[no-untyped-def]
    use_keys(f"{NEW},{OLD}")

    crypto.create_data_key(purpose="conversation")

    me = KeyHolder.objects.get()
    assert (me.kind, me.current_key_id, me.held_ids) == ("command", "new", ["new", "old"])
    assert me.fingerprint == parse_master_keys(f"{NEW},{OLD}").fingerprint
    holders.unregister()
    assert not KeyHolder.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_keeps_the_row_fresh(use_keys, fresh_registration: None,
                                           monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    use_keys(NEW)
    monkeypatch.setattr(holders, "HEARTBEAT_SECONDS", 0.05)

    holders.register("worker")
    try:
        first = KeyHolder.objects.get().last_seen_at
        KeyHolder.objects.all().delete()  # e.g. removed as stale while this process stalled

        deadline = timezone.now() + timedelta(seconds=10)
        while not KeyHolder.objects.exists() and timezone.now() < deadline:
            threading.Event().wait(0.05)
        again = KeyHolder.objects.get()
        assert again.kind == "worker" and again.last_seen_at > first
    finally:
        holders.unregister()  # stops the heartbeat before the database is emptied
    assert not KeyHolder.objects.exists()
