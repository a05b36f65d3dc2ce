"""The long-running processes Haven starts (web servers, workers), announced to the apps that
keep track of them — the vault records which master keys each one holds — without core
depending on those apps."""

from __future__ import annotations

import os

from django.dispatch import Signal

# `haven serve` names its kind here, so that every server process (uvicorn's workers inherit
# the environment) announces itself at the ASGI lifespan's start (haven/asgi.py).
PROCESS_KIND_VARIABLE = "HAVEN_PROCESS_KIND"

# Sent with kind ("web", "worker") and long_running (False for a one-shot run).
process_started = Signal()
# Sent when such a process shuts down cleanly (a stopped process that could not say so is
# noticed by its silence instead).
process_stopping = Signal()


def announce(kind: str, *, long_running: bool = True) -> None:
    process_started.send(sender=None, kind=kind, long_running=long_running)


def announce_from_environment() -> None:
    kind = os.environ.get(PROCESS_KIND_VARIABLE, "")
    if kind:
        announce(kind)


def announce_stopping() -> None:
    process_stopping.send(sender=None)
