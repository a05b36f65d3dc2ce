"""Vault tests change HAVEN_MASTER_KEYS; every test starts and ends with no cached key."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from haven.vault import crypto


@pytest.fixture(autouse=True)
def _no_cached_keys() -> Iterator[None]:
    crypto.master_keys.cache_clear()
    crypto.forget_cached_keys()
    yield
    crypto.master_keys.cache_clear()
    crypto.forget_cached_keys()
