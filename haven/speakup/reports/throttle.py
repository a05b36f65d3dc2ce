"""Throttling of receipt codes on the public page: wrong codes are counted per client address
(its keyed hash) and for the whole install, in the cache, over a fixed window."""

from __future__ import annotations

from django.core.cache import cache

WINDOW_SECONDS = 15 * 60
PER_ADDRESS = 10  # wrong codes from one address per window
OVERALL = 200  # wrong codes from everywhere per window


def _keys(address_hash: str) -> tuple[str, str]:
    return f"speakup:receipt:address:{address_hash or 'none'}", "speakup:receipt:all"


def blocked(address_hash: str) -> bool:
    mine, everyone = _keys(address_hash)
    return (cache.get(mine, 0) >= PER_ADDRESS) or (cache.get(everyone, 0) >= OVERALL)


def record_failure(address_hash: str) -> None:
    for key in _keys(address_hash):
        if cache.add(key, 1, WINDOW_SECONDS):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, WINDOW_SECONDS)
