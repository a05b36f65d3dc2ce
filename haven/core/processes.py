"""The long-running processes Haven starts (web servers, workers), announced to the apps that
keep track of them — the vault records which master keys each one holds — without core
depending on those apps."""

from __future__ import annotations

import gc
import os

from django.dispatch import Signal
from django.urls import get_resolver

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


def freeze_startup_objects() -> None:
    """For a server process, once at its start. Python's full garbage collections walk every
    object a process holds, and most of a web process's are loaded at start and never freed:
    Django's and Haven's modules, settings, URL patterns. Loading the URLconf (it imports the
    views), collecting once and freezing what is left takes them out of the collector's
    sight, so that a full collection walks only what requests and connections made since:
    pauses of tens of milliseconds instead of a few hundred under live chat
    (docs/benchmarks.md, "Garbage collection")."""
    get_resolver().url_patterns  # noqa: B018 - read for its side effect: the views' imports
    gc.collect()
    gc.freeze()
