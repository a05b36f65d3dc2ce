"""The access log, and the filter that keeps request paths out of every other log line.

Paths carry secrets (invitation and password-reset tokens) and query strings carry what people
typed (audit-log searches), so neither is ever logged: one line per request or websocket names
the *route* (e.g. `accept_invitation`), never the address that reached it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any

from haven.core import metrics

logger = logging.getLogger("haven.access")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

NO_ROUTE = "(no route)"
STATIC = "(static file)"


def http_route(path_info: str) -> str:
    """The name of the Django route PATH_INFO resolves to, e.g. "accept_invitation"."""
    from django.conf import settings
    from django.urls import Resolver404, resolve

    if settings.STATIC_URL and path_info.startswith(str(settings.STATIC_URL)):
        return STATIC
    try:
        match = resolve(path_info)
    except Resolver404:
        return NO_ROUTE
    return match.view_name or match.route or NO_ROUTE


def websocket_route(path_info: str, patterns: Sequence[Any]) -> str:
    """The name (or, unnamed, the pattern) of the websocket route PATH_INFO matches."""
    from django.urls import Resolver404

    path = path_info.lstrip("/")  # as Channels' URLRouter matches
    for pattern in patterns:
        try:
            if pattern.pattern.match(path):
                return str(pattern.name or pattern.pattern)
        except Resolver404:
            continue
    return NO_ROUTE


def _path_info(scope: Scope) -> str:
    path = str(scope.get("path", ""))
    root = str(scope.get("root_path", ""))
    return path[len(root):] if root and path.startswith(root) else path


class AccessLog:
    """ASGI middleware: one line per HTTP request (method, route, status, duration) and per
    websocket (route, accepted or refused, close code, duration). The server's own access log
    is off (`haven serve`), because it prints the path and query string."""

    def __init__(self, app: ASGIApp, *, websocket_patterns: Sequence[Any]) -> None:
        self.app = app
        self.websocket_patterns = websocket_patterns

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.monotonic()
        status = 0

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        except BaseException:
            status = status or 500  # what the server answers for an application error
            raise
        finally:
            route, seconds = http_route(_path_info(scope)), time.monotonic() - started
            metrics.observe_request(route=route, status=status or "-", seconds=seconds)
            logger.info("%s %s %s %.1fms", str(scope.get("method", "-"))[:16], route,
                        status or "-", seconds * 1000)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.monotonic()
        outcome = "dropped"  # the client went away before any answer
        close_code: int | None = None
        route = websocket_route(_path_info(scope), self.websocket_patterns)

        async def send_noting_outcome(message: Message) -> None:
            nonlocal outcome, close_code
            kind = message["type"]
            if kind == "websocket.accept":
                outcome = "accepted"
                metrics.websocket_opened(route)
            elif kind == "websocket.close":
                if outcome != "accepted":
                    outcome = "refused"
                close_code = close_code or int(message.get("code", 1000))
            elif kind == "websocket.http.response.start":
                outcome = f"refused {message.get('status')}"
            await send(message)

        async def receive_noting_close() -> Message:
            nonlocal close_code
            message = await receive()
            if message["type"] == "websocket.disconnect":
                close_code = close_code or int(message.get("code", 1005))
            return message

        try:
            await self.app(scope, receive_noting_close, send_noting_outcome)
        finally:
            if outcome == "accepted":
                metrics.websocket_closed(route)
            code = f" close {close_code}" if close_code is not None else ""
            logger.info("WEBSOCKET %s %s%s %.1fs", route, outcome, code,
                        time.monotonic() - started)


class WithoutPaths(logging.Filter):
    """On the log handler: Django's request warnings ("Not Found: /invitation/…") name the
    route instead of the path, and the ASGI server's own lines that print a path and query
    string (its access log, its websocket handshake lines) are dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "uvicorn.access":
            return False
        if record.name.startswith("uvicorn.") and '"WebSocket %s"' in str(record.msg):
            return False
        request: Any = getattr(record, "request", None)
        path = getattr(request, "path", None)
        if isinstance(path, str) and isinstance(record.args, tuple):
            full = request.get_full_path() if hasattr(request, "get_full_path") else path
            match = getattr(request, "resolver_match", None)
            route = match.view_name if match else http_route(getattr(request, "path_info",
                                                                     path))
            record.args = tuple(route if arg in (path, full) else arg for arg in record.args)
        return True
