"""The chat benchmark's reference: a bare Channels relay between the two sockets of a pair — no
database, no sign-in, no sealing — on the same server process and channel layer as Haven.

haven/asgi.py mounts it at ws/bench-relay/<pair>/ only when HAVEN_BENCH_RELAY=1, which only
bench/chat.py sets; bench/ is not part of the installed package, so production never has it.
It speaks the chat's frames: {"type": "send", "client_id", "text"} in; "ready", "ack" and
"message" out.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs

from channels.generic.websocket import AsyncWebsocketConsumer

PATH = re.compile(r"^/ws/bench-relay/(?P<pair>\d{1,9})/$")


class RelayConsumer(AsyncWebsocketConsumer):
    group: str = ""
    role: str = ""

    async def connect(self) -> None:
        self.group = f"bench-relay-{self.scope['url_route']['kwargs']['pair']}"
        query = parse_qs(self.scope.get("query_string", b"").decode())
        self.role = (query.get("role") or ["colleague"])[0][:20]
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send(text_data=json.dumps({"type": "ready", "role": self.role}))

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None
                      ) -> None:
        data = json.loads(text_data or "{}")
        client_id = data.get("client_id")
        await self.channel_layer.group_send(self.group, {
            "type": "relay.message", "client_id": client_id, "sender_role": self.role,
            "text": data.get("text")})
        await self.send(text_data=json.dumps({"type": "ack", "client_id": client_id}))

    async def relay_message(self, event: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps({"type": "message", **{
            key: value for key, value in event.items() if key != "type"}}))


def with_relay(fallback: Any) -> Any:
    """An ASGI app serving the relay's path and handing every other websocket to FALLBACK."""
    relay = RelayConsumer.as_asgi()

    async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
        match = PATH.match(scope.get("path", ""))
        if match is None:
            await fallback(scope, receive, send)
            return
        scope = {**scope, "url_route": {"args": (), "kwargs": {"pair": int(match["pair"])}}}
        await relay(scope, receive, send)

    return application
