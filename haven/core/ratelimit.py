"""A fixed-window counter in the cache (Redis in production, so every process shares it)."""

from __future__ import annotations

from django.core.cache import cache


def count_hit(key: str, *, window: int) -> int:
    """Count one hit on KEY; how many there have been in the current WINDOW seconds."""
    cache.add(key, 0, timeout=window)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1
