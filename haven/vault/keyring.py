"""The rule every wrap obeys: a new data key is wrapped only under this process's current
master key, only while that key is not retired and is the same key the database knows under
its id — checked under a row lock that retirement must wait for, so a key can never be retired
while a data key is being wrapped under it."""

from __future__ import annotations

import logging
import os
import socket

from django.db import connection

from haven.vault import holders
from haven.vault.masterkeys import MasterKeyConflict, MasterKeyRetired, MasterKeys
from haven.vault.models import MasterKeyState

logger = logging.getLogger(__name__)


def this_process() -> str:
    return f"{socket.gethostname()} pid {os.getpid()}"


def _state_held(key_id: str) -> MasterKeyState | None:
    """The key's row, share-locked until the transaction ends on PostgreSQL (retirement takes
    it FOR UPDATE, so it waits for every wrap in flight and they wait for it). SQLite runs
    every write transaction alone (IMMEDIATE), which gives the same order."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(MasterKeyState._meta.db_table)
        rows = MasterKeyState.objects.raw(
            f"SELECT * FROM {table} WHERE key_id = %s FOR SHARE", [key_id])  # noqa: S608
        return next(iter(rows), None)
    return MasterKeyState.objects.filter(pk=key_id).first()


def state_for_update(key_id: str) -> MasterKeyState | None:
    return MasterKeyState.objects.select_for_update().filter(pk=key_id).first()


def claim_for_wrapping(keys: MasterKeys) -> str:
    """Inside the caller's transaction: the id of the master key to wrap under (this process's
    current key), held against retirement until the transaction ends. Refuses, telling the
    operator in the log, when the key is retired or another key is known under its id."""
    holders.ensure_registered()
    key_id, check = keys.current_id, keys.current_check
    state = _state_held(key_id)
    if state is None:
        MasterKeyState.objects.bulk_create([MasterKeyState(key_id=key_id, check_value=check)],
                                           ignore_conflicts=True)
        state = _state_held(key_id)
    assert state is not None
    if state.retired_at is not None:
        logger.error(
            "Master key %r is retired, but this process (%s) still has it first in "
            "HAVEN_MASTER_KEYS: it wraps no new data key. Put the new key first and restart "
            "this process.", key_id, this_process())
        raise MasterKeyRetired(
            f"Master key {key_id!r} is retired: nothing new is wrapped under it. Put the new "
            "key first in HAVEN_MASTER_KEYS and restart this process.", key_id=key_id)
    if not state.check_value:
        MasterKeyState.objects.filter(pk=key_id, check_value="").update(check_value=check)
    elif state.check_value != check:
        logger.error(
            "This process (%s) holds a different master key under id %r than the one that "
            "already wraps data here: it wraps nothing under it. Compare HAVEN_MASTER_KEYS on "
            "every host (`haven keys status` shows each process's key set).",
            this_process(), key_id)
        raise MasterKeyConflict(
            f"HAVEN_MASTER_KEYS holds a different key under id {key_id!r} than the one that "
            "already wraps data; compare the setting on every host.", key_id=key_id)
    return key_id
