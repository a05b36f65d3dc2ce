"""Two Haven web processes sharing the test database and one Redis database, and the
websocket side of a chat, for the deployment tests (two processes; nginx in front of them)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from django.test import Client
from websockets.sync.client import ClientConnection, connect

from haven.core.models import Person
from tests.browser.asgi_server import AsgiServer

# A Redis database of these tests' own, so that no other test's channel layer hears them.
REDIS_URL = "redis://127.0.0.1:6379/7"
FRAME_TIMEOUT = 10.0


def require_redis() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis does not answer at {REDIS_URL} ({error}); several web processes "
                    "share live chat only through Redis")


@contextmanager
def two_servers(tmp_path: Path, *, base_url: str | None = None
                ) -> Iterator[tuple[AsgiServer, AsgiServer]]:
    """Two `haven serve` processes on their own ports, one database, one Redis. BASE_URL (the
    address pages are served from, which the websocket origin check asks for) is the first
    server's unless given, e.g. the proxy's."""
    require_redis()
    first, second = AsgiServer(tmp_path / "web-1.log"), AsgiServer(tmp_path / "web-2.log")
    for server in (first, second):
        server.env["REDIS_URL"] = REDIS_URL
        server.env["HAVEN_BASE_URL"] = base_url or first.url
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
    def open(cls, ws_base: str, conversation_id: int, *, cookie: str, origin: str,
             after: int = 0) -> Iterator[tuple[ChatSocket, list[dict[str, Any]]]]:
        """The socket, and the messages it was sent before `ready` (what it had missed)."""
        url = f"{ws_base}/ws/conversations/{conversation_id}/?after={after}"
        with connect(url, origin=origin,  # type: ignore[arg-type]
                     additional_headers={"Cookie": cookie}, open_timeout=FRAME_TIMEOUT) as raw:
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
