"""Two Haven web processes sharing the test database and one Redis database, and the
websocket side of a chat, for the deployment tests (two processes; nginx in front of them)."""

from __future__ import annotations

import json
import os
import ssl
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from websockets.sync.client import ClientConnection, connect

from haven.core.models import Person, Role
from tests.browser.asgi_server import AsgiServer
from tests.deploy.nginx_config import NGINX
from tests.factories import make_person
from tests.support.chat_setup import open_chat

# A Redis database of these tests' own, so that no other test's channel layer hears them.
REDIS_URL = "redis://127.0.0.1:6379/7"
FRAME_TIMEOUT = 10.0


def require_redis() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        pytest.skip(
            f"Redis does not answer at {REDIS_URL} ({error}); several web processes "
            "share live chat only through Redis"
        )


def require_nginx() -> None:
    """Skip without Debian's nginx, with the reason; fail instead where CI sets
    HAVEN_REQUIRE_NGINX=1 (it installs nginx)."""
    if not NGINX.exists():
        reason = f"{NGINX} is missing: `apt-get install -y nginx` to run the proxy test"
        if os.environ.get("HAVEN_REQUIRE_NGINX"):
            pytest.fail(reason + " (HAVEN_REQUIRE_NGINX is set)")
        pytest.skip(reason)


def collect_static(static: Path) -> None:
    """`haven collectstatic` into STATIC, the directory nginx serves /static/ from."""
    with override_settings(STATIC_ROOT=static):
        call_command("collectstatic", interactive=False, verbosity=0)


def production_settings(server: AsgiServer) -> None:
    """Run SERVER with production's settings instead of the demo's (HAVEN_DEMO off): Secure
    cookies, HSTS, plain HTTP redirected to HTTPS and X-Forwarded-Proto trusted from the
    proxy, as deploy/haven.env.example configures a web process. The secrets are this test
    process's own, so that its sessions and sealed messages open there."""
    for name in ("HAVEN_SECRET_KEY", "HAVEN_MASTER_KEYS"):
        server.env.pop(f"{name}_FILE", None)
    server.env.update(
        {
            "HAVEN_DEMO": "0",
            "HAVEN_SECRET_KEY": settings.SECRET_KEY,
            "HAVEN_MASTER_KEYS": settings.HAVEN_MASTER_KEYS,
        }
    )
    # Plain HTTP is now redirected: the readiness poll asks as nginx does (from 127.0.0.1,
    # a trusted proxy, for a client that came over HTTPS).
    server.health_headers["X-Forwarded-Proto"] = "https"


@contextmanager
def two_servers(
    tmp_path: Path, *, base_url: str | None = None, production: bool = False
) -> Iterator[tuple[AsgiServer, AsgiServer]]:
    """Two `haven serve` processes on their own ports, one database, one Redis. BASE_URL (the
    address pages are served from, which the websocket origin check asks for) is the first
    server's unless given, e.g. the proxy's. PRODUCTION: see `production_settings`."""
    require_redis()
    first, second = AsgiServer(tmp_path / "web-1.log"), AsgiServer(tmp_path / "web-2.log")
    for server in (first, second):
        server.env["REDIS_URL"] = REDIS_URL
        server.env["HAVEN_BASE_URL"] = base_url or first.url
        if production:
            production_settings(server)
    try:
        first.start()
        second.start()
        yield first, second
    finally:
        first.stop()
        second.stop()


def session_cookie(person: Person) -> str:
    """A real session in the shared database, as signing in makes it."""
    client = Client()
    client.force_login(person)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


class ChatSocket:
    """One side's websocket to /ws/conversations/<id>/ on a given server (or proxy)."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        # ids of the messages this side has: received, or its own once acknowledged (its own
        # may come back from the channel layer after the ack, or not before a crash)
        self.seen: set[int] = set()

    @classmethod
    @contextmanager
    def open(
        cls,
        ws_base: str,
        conversation_id: int,
        *,
        cookie: str,
        origin: str,
        after: int = 0,
        tls: ssl.SSLContext | None = None,
    ) -> Iterator[tuple[ChatSocket, list[dict[str, Any]]]]:
        """The socket, and the messages it was sent before `ready` (what it had missed).
        TLS: the roots a wss:// WS_BASE is checked against."""
        url = f"{ws_base}/ws/conversations/{conversation_id}/?after={after}"
        with connect(
            url,
            origin=origin,
            ssl=tls,  # type: ignore[arg-type]
            additional_headers={"Cookie": cookie},
            open_timeout=FRAME_TIMEOUT,
        ) as raw:
            side = cls(raw)
            backlog = []
            while (frame := side.frame())["type"] != "ready":
                if frame["type"] == "message":
                    backlog.append(frame)
            yield side, backlog

    def frame(self) -> dict[str, Any]:
        frame: dict[str, Any] = json.loads(self.socket.recv(timeout=FRAME_TIMEOUT))
        if frame["type"] == "message":
            self.seen.add(int(frame["id"]))
        return frame

    def next(self, kind: str, **fields: Any) -> dict[str, Any]:
        """The next frame of type KIND with these FIELDS (others, e.g. typing, are skipped)."""
        while True:
            frame = self.frame()
            if frame["type"] == kind and all(frame.get(k) == v for k, v in fields.items()):
                return frame

    def send(self, text: str) -> int:
        """Send TEXT and return the stored message's id once the server acknowledges it."""
        client_id = str(uuid.uuid4())
        self.socket.send(json.dumps({"type": "send", "client_id": client_id, "text": text}))
        ack = self.next("ack", client_id=client_id)
        assert ack["duplicate"] is False, ack
        self.seen.add(int(ack["id"]))
        return int(ack["id"])


def chat_both_ways(ws_base: str, *, origin: str, tls: ssl.SSLContext | None = None) -> None:
    """A new colleague and supporter, each on their own socket to WS_BASE (a proxy in front
    of several processes), each read the other's message live."""
    colleague, supporter = make_person(), make_person(Role.SUPPORTER)
    chat = open_chat(colleague, supporter)
    with (
        ChatSocket.open(
            ws_base, chat.pk, cookie=session_cookie(colleague), origin=origin, tls=tls
        ) as (colleague_side, _),
        ChatSocket.open(
            ws_base, chat.pk, cookie=session_cookie(supporter), origin=origin, tls=tls
        ) as (supporter_side, _),
    ):
        asked = colleague_side.send("Through the proxy, can you read me?")
        assert supporter_side.next("message", id=asked)["text"] == (
            "Through the proxy, can you read me?"
        )
        answered = supporter_side.send("Loud and clear.")
        assert colleague_side.next("message", id=answered)["text"] == "Loud and clear."
