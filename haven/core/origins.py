"""Which pages may open Haven's websockets: only those served from HAVEN_BASE_URL.

A browser sends the session cookie with a websocket handshake from any site, so the handshake's
Origin header is what stops another page (another site, or another server on this machine) from
opening a live chat in the name of whoever visits it. The origin must equal the base URL's
scheme, host and port; the one allowance is that a base URL on a loopback name (the demo's
http://127.0.0.1:8000) also accepts the other loopback names on the same scheme and port.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

Origin = tuple[str, str, int]
DEFAULT_PORTS = {"http": 80, "https": 443}
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
REFUSED = 4003  # the close code of a refused handshake; the server answers it with HTTP 403


def origin_of(url: str) -> Origin | None:
    """(scheme, host, port) of URL, or None when it is not an http(s) origin."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:  # e.g. a port that is not a number
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or DEFAULT_PORTS[scheme]


def allowed_origins() -> frozenset[Origin]:
    base = origin_of(settings.HAVEN_BASE_URL or "")
    if base is None:
        return frozenset()  # no base URL: no page may open a websocket
    scheme, host, port = base
    if host in LOOPBACK_NAMES:
        return frozenset((scheme, name, port) for name in LOOPBACK_NAMES)
    return frozenset({base})


def is_allowed_origin(header: bytes | None) -> bool:
    if header is None:
        return False
    try:
        origin = origin_of(header.decode("ascii"))
    except UnicodeDecodeError:
        return False
    return origin is not None and origin in allowed_origins()


Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class SameOriginWebsockets:
    """ASGI middleware: a websocket handshake whose Origin is not Haven's own is refused
    before any application code runs (no session is read, nothing is logged but the refusal)."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        origins = [value for name, value in scope.get("headers", []) if name == b"origin"]
        if len(origins) == 1 and is_allowed_origin(origins[0]):
            await self.app(scope, receive, send)
            return
        message = await receive()
        if message["type"] == "websocket.connect":
            await send({"type": "websocket.close", "code": REFUSED})
