from __future__ import annotations

import os
from typing import Any

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from haven.core.processes import PROCESS_KIND_VARIABLE


class Command(BaseCommand):
    help = "Run Haven's ASGI web server (uvicorn)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1,
                            help="Server processes; use Redis (REDIS_URL) when more than one.")

    def handle(self, *args: Any, host: str, port: int, workers: int, **options: Any) -> None:
        # Every server process announces its start and stop through the ASGI lifespan
        # (haven/asgi.py); the vault then records which master keys it holds, for
        # `haven keys rotate`.
        # (A test server sets it empty, so that it stays out of the key holders' list that
        # other tests count.)
        os.environ.setdefault(PROCESS_KIND_VARIABLE, "web")
        uvicorn.run("haven.asgi:application", host=host, port=port, workers=workers,
                    # X-Forwarded-For and -Proto count only from these addresses (settings.py)
                    proxy_headers=True, forwarded_allow_ips=settings.HAVEN_TRUSTED_PROXIES,
                    lifespan="on", log_level="info",
                    # uvicorn's access log prints each path and query string, and paths hold
                    # invitation and reset tokens: haven.accesslog logs routes instead. With no
                    # log_config of its own, uvicorn's lines go through Django's LOGGING and
                    # its filter (settings.py).
                    access_log=False, log_config=None)
