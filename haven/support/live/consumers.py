"""Live chat over a websocket. A client connects to /ws/conversations/<id>/?after=<last id>,
gets what it missed, then sends {"type": "send", "client_id", "text"} and {"type": "typing"}
({"type": "typing", "stopped": true} when the box is emptied). The other side is told
{"type": "typing", "role", "stopped"}: stopped when the typist sends, empties the box or
disconnects, so "… is typing" never outlives them; a page also clears it after a few quiet
seconds. A colleague is told {"type": "joined", "name"} when a supporter takes the request.
Each send is acknowledged only after the message is stored; everyone connected receives it
after commit. Reconnecting with the last seen id loses and duplicates nothing.

Close codes (always sent after the handshake, so that a browser sees them; a refusal during
the handshake reaches a page only as 1006, which it cannot tell from a network failure and
would retry for ever):
  4401  not signed in, or signed out since (the session ended)
  4403  no longer part of the conversation (handed over)
  4404  no such conversation for this person
  4423  its content cannot be opened on this server (its master key is not here); an
        `error` frame says so first

This module keeps the socket protocol (frames, their validation, send, typing, resuming);
the session is kept by live.session.SessionWatch, which the consumer asks before acting.
Signing out, or changing or resetting the password, tells the person's sockets at once
(live.events.sessions_changed), so nothing waits for the next check there; the per-message
database work is then only storing the message.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import parse_qs

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.core.exceptions import ValidationError
from django.db import close_old_connections
from django.http import Http404
from django.utils.translation import gettext as _

from haven.core.audit import hash_identifier, set_audit_context
from haven.support import conversations, selectors
from haven.support.live import events
from haven.support.live.session import SessionWatch
from haven.support.models import Conversation
from haven.vault import crypto
from haven.vault.masterkeys import MasterKeyUnavailable
from haven.vault.middleware import refusal_text

MAX_FRAME_CHARS = 64 * 1024
TYPING_EVERY_SECONDS = 1.0  # at most one typing signal a second is relayed per connection

logger = logging.getLogger(__name__)

NOT_SIGNED_IN = 4401
NOT_PARTICIPANT_NOW = 4403
NOT_FOUND = 4404
KEY_UNAVAILABLE = 4423
_MAX_ID = 2**63 - 1
T = TypeVar("T")


def _on_a_pool_thread(func: Callable[..., T]) -> Callable[..., Awaitable[T]]:
    """FUNC as a coroutine on a thread of the event loop's small pool. Channels runs database
    calls on one thread per process, so that they never overlap; storing a message, the hot
    path, runs here instead, and several sockets' round trips to PostgreSQL overlap. (Each
    socket still stores its messages one after another: it awaits each store before reading
    its next frame.) The call runs in a copy of the caller's context, where Django keeps the
    connection it opens, so the connection is given back (to the pool) inside that copy;
    Channels' database_sync_to_async would look for it outside and never give it back."""

    def in_context(*args: Any, **kwargs: Any) -> T:
        close_old_connections()
        try:
            return func(*args, **kwargs)
        finally:
            close_old_connections()

    return sync_to_async(in_context, thread_sensitive=False)


class ConversationConsumer(AsyncWebsocketConsumer):
    conversation_id: int
    role: str | None = None
    _joined: tuple[str, ...] = ()  # groups this socket joined (not Channels' own `groups`)
    left: bool = False  # closing: nothing more goes out on this socket
    _last_typing: float = 0.0
    _typing_shown: bool = False  # the other side was told "typing" and not yet "stopped"
    session: SessionWatch
    _writer: conversations.LiveWriter | None = None  # set after a first message is stored

    async def connect(self) -> None:
        await self.accept()
        # Audit rows written for this socket (its reads, its sends) say where it connected
        # from, as a page's do; the context lives as long as this consumer's task.
        client = self.scope.get("client") or ("",)
        set_audit_context(ip_hash=hash_identifier(str(client[0] or "")))
        self.session = SessionWatch(self.scope)
        user = self.scope.get("user")
        self.conversation_id = int(self.scope["url_route"]["kwargs"]["conversation_id"])
        if user is None or not user.is_authenticated:
            await self._leave(NOT_SIGNED_IN)
            return
        try:
            conversation = await self._open()
        except Http404:
            await self._leave(NOT_FOUND)
            return
        if conversation is None:
            await self._leave(NOT_SIGNED_IN)
            return
        self.role = conversation.participant_role(user.pk)
        # Join before reading the backlog: a message committed in between arrives twice (the
        # page keeps one per client id) rather than not at all.
        self._joined = (events.group_name(self.conversation_id),
                       events.person_group(user.pk))
        for group in self._joined:
            await self.channel_layer.group_add(group, self.channel_name)
        try:
            backlog = await self._backlog(conversation, self._after_id())
        except MasterKeyUnavailable as error:
            await self._unavailable(error)
            return
        for message in backlog:
            await self._send_json({"type": "message", "id": message.id,
                                   "client_id": message.client_id,
                                   "sender_role": message.sender_role,
                                   "sent_at": message.sent_at.isoformat(),
                                   "crisis": message.crisis, "text": message.text})
        await self._send_json({"type": "ready", "role": self.role})

    async def disconnect(self, code: int) -> None:
        self.left = True
        await self._stopped_typing()
        await self._discard()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None
                      ) -> None:
        if self.left:
            return
        if text_data is None or len(text_data) > MAX_FRAME_CHARS:
            await self._error("Send JSON text frames under 64 KB.")
            return
        try:
            data = json.loads(text_data)
        except (ValueError, RecursionError):  # malformed, or nested too deep to parse
            data = None
        kind = data.get("type") if isinstance(data, dict) else None
        if kind == "send":
            await self._handle_send(data)
        elif kind == "typing":
            if data.get("stopped") is True:
                await self._stopped_typing()
            else:
                await self._handle_typing()
        else:
            await self._error("Unknown frame; expected send or typing.")

    async def _handle_send(self, data: dict[str, Any]) -> None:
        client_id = data.get("client_id")
        text = data.get("text")
        if not isinstance(client_id, str) or len(client_id) > 64:
            await self._error("A message needs a client_id and a text.")
            return
        if not isinstance(text, str):
            await self._error("A message needs a client_id and a text.", client_id)
            return
        try:
            sent = await self._store(client_id, text)
        except ValidationError as error:
            # Refused as it is (bad text, a closed conversation …): the socket stays open, and
            # the page gives the text back to its writer rather than sending it again.
            await self._error(" ".join(error.messages), client_id)
            return
        except crypto.UnstorableText:
            # The services refuse such text first; should one ever miss it, the sender still
            # gets an answer and the socket lives (a crash here would make the page resend
            # the same text on every reconnect).
            await self._error(_("This message holds a character that cannot be stored."),
                              client_id)
            return
        except Http404:
            await self._leave(NOT_PARTICIPANT_NOW)
            return
        except MasterKeyUnavailable as error:
            await self._unavailable(error, client_id)  # the page gives the text back
            return
        if sent is None:
            await self._leave(NOT_SIGNED_IN)
            return
        self._typing_shown = False  # the message itself ends "… is typing" on the other side
        if sent.event is not None:
            await self._broadcast(sent.event)
        await self._send_json({"type": "ack", "client_id": client_id, "id": sent.message.pk,
                               "duplicate": not sent.created, "crisis": sent.crisis})

    async def _handle_typing(self) -> None:
        now = time.monotonic()
        if now - self._last_typing < TYPING_EVERY_SECONDS:
            return  # a client that sends more often is told nothing and relayed less
        self._last_typing = now
        if not self.session.fresh() and not await self.session.still_signed_in():
            await self._leave(NOT_SIGNED_IN)
            return
        self._typing_shown = True
        await self.channel_layer.group_send(events.group_name(self.conversation_id), {
            "type": "chat.typing", "role": self.role, "sender": self.channel_name,
            "stopped": False})

    async def _stopped_typing(self) -> None:
        """Tell the other side this person stopped typing: only after a relayed "typing",
        so a client cannot make this socket send more than it typed."""
        if not self._typing_shown:
            return
        self._typing_shown = False
        try:
            await self.channel_layer.group_send(events.group_name(self.conversation_id), {
                "type": "chat.typing", "role": self.role, "sender": self.channel_name,
                "stopped": True})
        except Exception as error:  # noqa: BLE001 - a page also clears it after a while
            logger.warning("Live typing stop failed (%s) in conversation %s",
                           type(error).__name__, self.conversation_id)

    # Group events ------------------------------------------------------------------------

    async def chat_message(self, event: dict[str, Any]) -> None:
        if self.session.idle_expired() and not await self.session.still_signed_in():
            await self._leave(NOT_SIGNED_IN)  # idle too long: the session has expired
            return
        await self._send_json({"type": "message", **{k: v for k, v in event.items()
                                                     if k != "type"}})

    async def chat_typing(self, event: dict[str, Any]) -> None:
        # To the other side only: not back to the typist, nor to their own other tabs.
        if event["sender"] != self.channel_name and event["role"] != self.role:
            await self._send_json({"type": "typing", "role": event["role"],
                                   "stopped": bool(event.get("stopped"))})

    async def chat_joined(self, event: dict[str, Any]) -> None:
        """A supporter took the request: the colleague's page names them and stops saying
        "waiting" (the supporter's own page is new, and has nothing to update)."""
        if self.role == "colleague":
            await self._send_json({"type": "joined", "name": str(event.get("name", ""))})

    async def chat_session(self, event: dict[str, Any]) -> None:
        """The person signed out somewhere, or changed their password: is this socket's
        session the one that ended, or (without a session named) does it still sign in?"""
        if self.left:
            return
        ended = event.get("ended")
        if ended:
            if self.session.is_ended_session(ended):
                await self._leave(NOT_SIGNED_IN)
            return
        if not await self.session.still_signed_in():
            await self._leave(NOT_SIGNED_IN)

    async def chat_closed(self, event: dict[str, Any]) -> None:
        await self._send_json({"type": "refresh", "what": "closed"})

    async def chat_commitments(self, event: dict[str, Any]) -> None:
        await self._send_json({"type": "refresh", "what": "commitments"})

    async def chat_handover(self, event: dict[str, Any]) -> None:
        # A hand-over changes who takes part: look again, and let go of a former supporter
        # before anything said after the hand-over can reach them.
        if self.left:
            return
        try:
            await self._conversation()
        except Http404:
            await self._leave(NOT_PARTICIPANT_NOW)
            return
        await self._send_json({"type": "refresh", "what": "handover"})

    # Helpers ----------------------------------------------------------------------------

    def _after_id(self) -> int:
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        raw = (query.get("after") or ["0"])[0]
        # ASCII digits only ("²".isdigit() is true), and no id beyond the database's range.
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 19:
            return 0
        return min(int(raw), _MAX_ID)

    async def _send_json(self, payload: dict[str, Any]) -> None:
        if self.left:
            return
        try:
            await self.send(text_data=json.dumps(payload))
        except (OSError, RuntimeError):
            # The browser closed the socket while this event was on its way: the server has
            # answered its close and refuses more frames (uvicorn raises RuntimeError, other
            # servers OSError). Its disconnect comes next; nothing more goes out until then.
            self.left = True

    async def _error(self, message: str, client_id: str | None = None) -> None:
        payload: dict[str, Any] = {"type": "error", "message": message}
        if client_id is not None:
            payload["client_id"] = client_id
        await self._send_json(payload)

    async def _unavailable(self, error: MasterKeyUnavailable, client_id: str | None = None
                           ) -> None:
        """The conversation's key is not on this server (the vault has told the operator):
        say so, and close for good rather than have the page reconnect in a loop."""
        await self._error(refusal_text(error), client_id)
        await self._leave(KEY_UNAVAILABLE)

    async def _discard(self) -> None:
        groups, self._joined = self._joined, ()
        for group in groups:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def _leave(self, code: int) -> None:
        """Stop relaying at once, then close with CODE."""
        if self.left:
            return
        self.left = True
        await self._discard()
        await self.close(code=code)

    async def _broadcast(self, event: dict[str, Any]) -> None:
        """A stored (committed) message to everyone connected, before its sender's ack. A
        failure is logged, never raised: the message is stored; pages catch up on reconnect."""
        try:
            await self.channel_layer.group_send(
                events.group_name(self.conversation_id), event)
        except Exception as error:  # noqa: BLE001
            logger.warning("Live broadcast failed (%s) in conversation %s",
                           type(error).__name__, self.conversation_id)

    @database_sync_to_async
    def _open(self) -> Conversation | None:
        """The conversation (404 unless the person takes part), or None if the session no
        longer signs them in. One trip to the database thread."""
        conversation = selectors.conversation_for(viewer=self.scope["user"],
                                                  conversation_id=self.conversation_id)
        self.session.touched_now()  # the page that opened the socket just did
        return conversation if self.session.signed_in() else None

    @database_sync_to_async
    def _conversation(self) -> Conversation:
        return selectors.conversation_for(viewer=self.scope["user"],
                                          conversation_id=self.conversation_id)

    @database_sync_to_async
    def _backlog(self, conversation: Conversation, after: int) -> list[selectors.ShownMessage]:
        return selectors.read_messages(viewer=self.scope["user"], conversation=conversation,
                                       after_id=after)

    def _store_now(self, client_id: str, text: str) -> conversations.Sent | None:
        """Store a message; None (nothing stored) when the session has ended. The usual
        message is one guarded INSERT (conversations.store_live); the first, and any the
        guard stops, go through the full path, which also says why one is refused."""
        if not self.session.fresh() and not self.session.signed_in():
            return None
        if self._writer is not None:
            sent = conversations.store_live(self._writer, client_id=client_id, text=text)
            if sent is not None:
                return sent
            self._writer = None
        person = self.scope["user"]
        conversation = selectors.conversation_to_write(viewer=person,
                                                       conversation_id=self.conversation_id)
        sent = conversations.send_message(conversation=conversation, sender=person,
                                          client_id=client_id, text=text,
                                          broadcast_after_commit=False)
        self._writer = conversations.live_writer(conversation, person)
        return sent

    _store = _on_a_pool_thread(_store_now)
