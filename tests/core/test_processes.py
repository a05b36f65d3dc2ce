"""A server process's start (the ASGI lifespan haven/asgi.py answers): what it has loaded is
frozen out of the garbage collector's way."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator

import pytest

from haven.asgi import lifespan
from haven.core.processes import PROCESS_KIND_VARIABLE


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # the rest of the test run collects as usual


async def _start_and_stop() -> tuple[list[str], int, int]:
    """The lifespan's answers; and, once started, how many objects are frozen and how many
    a full collection would walk."""
    messages = asyncio.Queue[dict[str, str]]()
    for kind in ("lifespan.startup", "lifespan.shutdown"):
        messages.put_nowait({"type": kind})
    answered: list[str] = []
    counts: list[int] = []

    async def send(message: dict[str, str]) -> None:
        answered.append(message["type"])
        if message["type"] == "lifespan.startup.complete":
            counts.extend((gc.get_freeze_count(), len(gc.get_objects())))

    await lifespan({"type": "lifespan"}, messages.get, send)
    frozen, walked = counts
    return answered, frozen, walked


def test_a_server_freezes_what_it_loaded_at_its_start(
        unfrozen: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PROCESS_KIND_VARIABLE, raising=False)  # announces nothing
    seen_before = len(gc.get_objects())

    answered, frozen, walked = asyncio.run(_start_and_stop())

    assert answered == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert frozen > seen_before / 2  # the process's modules and settings among them
    # What a full collection walks afterwards: what the start did not freeze, a small part.
    assert walked < seen_before / 5
