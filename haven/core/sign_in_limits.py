"""Sign-in limits per client address, counted without locks.

allauth's rate limits take a cache lock per rate and address for every attempt, and count a
lock not got within a second as "too many": behind one office address, with several processes
sharing Redis and a busy CPU stalling a lock's holder, right passwords were refused. The limits
per account stay allauth's (haven.core.auth); per address Haven counts here, with counters
that need no lock: `cache.add` then `cache.incr`, atomic in Redis and in the local memory
cache, so every process sharing the cache counts together and nobody waits for anybody.

Two kinds of count, each with limits N per W seconds (settings.HAVEN_SIGN_IN_ADDRESS_LIMITS):
- "failures": a wrong password, or a wrong MFA code at sign-in, counted once it has failed. A
  right password never counts. The count is only read (one `get_many`) before a password is
  hashed, so signing in adds nothing to it.
- "attempts": every password checked, right or wrong, counted before it is checked: a cap
  against floods (Argon2 makes each check cost the server real work).

Each limit is kept in SLICES fixed slices of W/SLICES seconds, keyed by address, W and slice
number. An attempt is refused when the slice it falls in and the SLICES slices before it hold N
(failures) or more than N (attempts, this one included). Those slices span between W and
W + W/SLICES seconds, so no W seconds ever hold more than N, and a count is forgotten between W
and W + W/SLICES after it was made (for 30 a minute: after 60 to 70 seconds). Attempts that
arrive at the same moment are all checked against the count before any of them failed, so a
burst may overshoot a failure limit by as many attempts as run at once.

The address is allauth's reading of it (REMOTE_ADDR, set from a trusted proxy's header; an
IPv6 address cut to its /64 prefix), stored in the cache only as a keyed hash."""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from typing import Any

from allauth.core.internal import ratelimit
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from haven.core.audit import hash_identifier
from haven.core.ratelimit import count_hit

FAILURES = "failures"
ATTEMPTS = "attempts"
SLICES = 6  # slices per window; a count outlives its window by at most one slice

Limit = tuple[int, int]  # (count, seconds)


def _limits(kind: str) -> tuple[Limit, ...]:
    return tuple(settings.HAVEN_SIGN_IN_ADDRESS_LIMITS.get(kind) or ())


def address_of(request: HttpRequest) -> str:
    """The keyed hash the counters for REQUEST's client address are kept under."""
    try:
        address = ratelimit.get_ip(request)
    except PermissionDenied:  # no address at all (e.g. a Unix socket): one shared count
        address = ""
    return hash_identifier(address or "unknown")


def _slice(seconds: int, now: float) -> int:
    return math.floor(now * SLICES / seconds)


def _key(kind: str, seconds: int, address: str, number: int) -> str:
    return f"haven:sign-in:{kind}:{seconds}:{address}:{number}"


def _window_keys(kind: str, seconds: int, address: str, now: float) -> list[str]:
    """The keys of the slice NOW falls in and of the SLICES slices before it."""
    current = _slice(seconds, now)
    return [_key(kind, seconds, address, number) for number in range(current - SLICES, current + 1)]


def _counted(values: dict[str, Any], keys: Iterable[str]) -> int:
    return sum(int(values.get(key) or 0) for key in keys)


def _windows(limits: Iterable[Limit]) -> list[int]:
    return sorted({seconds for _count, seconds in limits})


def _failure_keys(address: str, now: float) -> dict[int, list[str]]:
    return {
        seconds: _window_keys(FAILURES, seconds, address, now)
        for seconds in _windows(_limits(FAILURES))
    }


def _too_many_failures(values: dict[str, Any], keys: dict[int, list[str]]) -> bool:
    return any(_counted(values, keys[seconds]) >= count for count, seconds in _limits(FAILURES))


def _count(kind: str, seconds: int, address: str, now: float) -> int:
    """Count one in the current slice of KIND's SECONDS window; the slice's new count."""
    # A slice is read until SLICES more slices have begun.
    return count_hit(
        _key(kind, seconds, address, _slice(seconds, now)),
        window=math.ceil(seconds * (SLICES + 1) / SLICES) + 1,
    )


def failures_exceeded(address: str, *, now: float | None = None) -> bool:
    """Has ADDRESS failed as often as a failure limit allows? (Read only.)"""
    keys = _failure_keys(address, time.time() if now is None else now)
    if not keys:
        return False
    return _too_many_failures(
        cache.get_many([key for window in keys.values() for key in window]), keys
    )


def admit_attempt(address: str, *, now: float | None = None) -> bool:
    """Count a sign-in attempt from ADDRESS about to check a password; False when it must be
    refused: the address is over its attempts limit (this attempt included) or has failed as
    often as a failure limit allows."""
    now = time.time() if now is None else now
    failures = _failure_keys(address, now)
    earlier = {
        seconds: _window_keys(ATTEMPTS, seconds, address, now)[:-1]
        for seconds in _windows(_limits(ATTEMPTS))
    }
    values = cache.get_many(
        [key for keys in (*failures.values(), *earlier.values()) for key in keys]
    )
    attempts = {
        seconds: _count(ATTEMPTS, seconds, address, now) + _counted(values, keys)
        for seconds, keys in earlier.items()
    }
    if any(attempts[seconds] > count for count, seconds in _limits(ATTEMPTS)):
        return False
    return not _too_many_failures(values, failures)


def count_failure(address: str, *, now: float | None = None) -> None:
    """Count one failed sign-in (a wrong password or MFA code) from ADDRESS."""
    now = time.time() if now is None else now
    for seconds in _windows(_limits(FAILURES)):
        _count(FAILURES, seconds, address, now)
