"""Which running processes hold which master-key set: each web server, worker and command
that may wrap data keys keeps a heartbeat row (vault.KeyHolder) while it runs, so that
`haven keys rotate` can refuse while a process would still wrap new data under an older key.

A long-running process registers at start and refreshes its row every HEARTBEAT_SECONDS from a
daemon thread; any other process registers the first time it wraps a data key. A clean exit
deletes the row; a row not refreshed for STALE_AFTER_SECONDS belongs to a process that has
stopped (killed, crashed, or its host lost), and counts for nothing.
"""

from __future__ import annotations

import atexit
import logging
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from haven.core.health import Part
from haven.vault.masterkeys import master_keys
from haven.vault.models import KeyHolder

HEARTBEAT_SECONDS = 15.0
STALE_AFTER_SECONDS = 60.0  # four missed heartbeats: the process has stopped
# A process without the heartbeat thread refreshes its row before wrapping once this old.
_REFRESH_BEFORE_WRAP_SECONDS = STALE_AFTER_SECONDS / 2
KINDS = ("web", "worker", "command")

logger = logging.getLogger(__name__)


@dataclass
class _Registration:
    id: uuid.UUID
    kind: str
    started_at: datetime
    last_beat: float = float("-inf")  # monotonic time of the last committed refresh
    database: str = ""  # where the row was written
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None


_me: _Registration | None = None
_lock = threading.Lock()


def this_process_id() -> uuid.UUID | None:
    return _me.id if _me is not None else None


def register(kind: str, *, heartbeat: bool = True) -> None:
    """Make this process visible as a key holder now, and (with HEARTBEAT) keep it visible
    until it exits. A database that does not answer yet is logged and retried by the
    heartbeat; wrapping a data key refreshes the row first in any case (ensure_registered)."""
    global _me
    if kind not in KINDS:
        raise ValueError(f"unknown process kind {kind!r}")
    with _lock:
        if _me is None:
            _me = _Registration(id=uuid.uuid4(), kind=kind, started_at=timezone.now())
            atexit.register(unregister)
        else:
            _me.kind = kind
        me = _me
    try:
        beat()
    except DatabaseError as error:
        logger.warning("Could not record this %s process as a master-key holder yet (%s); "
                       "retrying every %d s.", kind, type(error).__name__, HEARTBEAT_SECONDS)
    finally:
        if not connection.in_atomic_block:
            connection.close()  # the heartbeat thread uses its own; keep none idle here
    if heartbeat and me.thread is None:
        me.thread = threading.Thread(target=_heartbeat, args=(me,), name="haven-key-holder",
                                     daemon=True)
        me.thread.start()


def on_process_started(*, kind: str, long_running: bool, **_: object) -> None:
    """haven.core.processes announces web servers and workers as they start. (An ASGI
    application served otherwise, e.g. by the tests, registers when it first wraps a key.)"""
    register(kind, heartbeat=long_running)


def on_process_stopping(**_: object) -> None:
    unregister()


def beat() -> None:
    """Write this process's row: its key set and that it is alive now."""
    me = _me
    if me is None:
        return
    keys = master_keys()
    now = timezone.now()
    fields = {"kind": me.kind, "current_key_id": keys.current_id,
              "current_key_check": keys.current_check, "key_ids": ",".join(keys.keys),
              "fingerprint": keys.fingerprint, "last_seen_at": now}
    me.database = str(connection.settings_dict["NAME"])
    if not KeyHolder.objects.filter(pk=me.id).update(**fields):
        # First beat, or the row was removed as stale while this process was stalled: a
        # process that is alive again must be seen again.
        KeyHolder.objects.create(id=me.id, host=socket.gethostname()[:255], pid=os.getpid(),
                                 started_at=me.started_at, **fields)
    beaten = time.monotonic()

    def committed() -> None:
        me.last_beat = beaten

    # Inside a transaction the row is real only once it commits.
    transaction.on_commit(committed)


def ensure_registered() -> None:
    """Called before a data key is wrapped: this process's row exists and is fresh, so that a
    rotation starting now sees it (a process that never registered does so here)."""
    global _me
    with _lock:
        if _me is None:
            _me = _Registration(id=uuid.uuid4(), kind="command", started_at=timezone.now())
            atexit.register(unregister)
        me = _me
    if time.monotonic() - me.last_beat > _REFRESH_BEFORE_WRAP_SECONDS:
        beat()


def unregister() -> None:
    """A clean exit: stop the heartbeat and delete the row, so that a rotation need not wait
    for it to go stale."""
    global _me
    with _lock:
        me, _me = _me, None
    if me is None:
        return
    me.stop.set()
    if me.thread is not None and me.thread is not threading.current_thread():
        me.thread.join(timeout=5)
    if not me.database or str(connection.settings_dict["NAME"]) != me.database:
        return  # never written, or written to a database this process no longer uses (tests)
    try:
        KeyHolder.objects.filter(pk=me.id).delete()
    except Exception as error:  # noqa: BLE001 - at exit: report, never raise
        logger.warning("Could not remove this process's master-key holder row (%s); it goes "
                       "stale in %d s.", type(error).__name__, STALE_AFTER_SECONDS)
    finally:
        if not connection.in_atomic_block:
            connection.close()


def _heartbeat(me: _Registration) -> None:
    while not me.stop.wait(HEARTBEAT_SECONDS):
        try:
            beat()
        except Exception as error:  # noqa: BLE001 - a failed beat is retried, never fatal
            logger.warning("Master-key holder heartbeat failed (%s); retrying in %d s.",
                           type(error).__name__, HEARTBEAT_SECONDS)
        finally:
            connection.close()


def stale_before(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(seconds=STALE_AFTER_SECONDS)


def live_holders(now: datetime | None = None) -> QuerySet[KeyHolder]:
    """Processes seen within STALE_AFTER_SECONDS, other than this one."""
    holders = KeyHolder.objects.filter(last_seen_at__gte=stale_before(now))
    if _me is not None:
        holders = holders.exclude(pk=_me.id)
    return holders.order_by("kind", "host", "pid")


def forget_stopped(now: datetime | None = None) -> int:
    """Delete the rows of processes that stopped without a clean exit."""
    return KeyHolder.objects.filter(last_seen_at__lt=stale_before(now)).delete()[0]


def worker_health() -> Part:
    """For /healthz: is a worker alive, i.e. has one beaten within the configured minutes?
    "none" when no worker has a row at all (none started, or all exited cleanly)."""
    workers = KeyHolder.objects.filter(kind="worker")
    since = timezone.now() - timedelta(minutes=settings.HAVEN_HEALTH_WORKER_STALE_MINUTES)
    alive = workers.filter(last_seen_at__gte=since).count()
    state = "ok" if alive else ("stale" if workers.exists() else "none")
    return Part(state, alive > 0, required=settings.HAVEN_HEALTH_WORKER_REQUIRED,
                figures={"alive": alive})
