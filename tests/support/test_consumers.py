"""The live chat websocket, end to end through haven.asgi.application: the origin check,
the session cookie (AuthMiddlewareStack), the consumer, the sealed store and the channel layer.

Each test builds its data synchronously, then runs one async scenario with async_to_sync;
the ORM is reached from the scenario only through database_sync_to_async."""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from haven.asgi import application
from haven.core.models import AuditEvent, Person, Role
from haven.core.text import refusal
from haven.support import conversations
from haven.support.live.consumers import NOT_FOUND, NOT_PARTICIPANT_NOW, NOT_SIGNED_IN
from haven.support.models import Conversation, Message, SupportAudit
from haven.vault.crypto import keyed_pseudonym
from tests.factories import PASSWORD, make_person
from tests.support.chat_setup import open_chat, stored_texts

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = settings.HAVEN_BASE_URL.rstrip("/")  # the test settings' http://127.0.0.1:8000
WAIT = 5  # seconds: an upper bound for a frame that should come; they come in milliseconds
CRISIS_PHRASE = "Some nights I feel I want to die."


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    """Run SCENARIO in an event loop of its own, then empty the channel layer in that loop."""

    async def wrapped() -> None:
        try:
            await scenario()
        finally:
            layer = get_channel_layer()
            if layer is not None and hasattr(layer, "flush"):
                await layer.flush()

    async_to_sync(wrapped)()


def cookie_of(person: Person) -> str:
    """A real session, made the way a sign-in makes it."""
    client = Client()
    client.force_login(person)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


class Socket:
    """One browser tab's websocket, with JSON helpers."""

    def __init__(self, conversation_id: int, *, session: str | None = None, after: Any = None,
                 origin: str | None = ORIGIN) -> None:
        headers = [(b"host", b"127.0.0.1")]
        if origin is not None:
            headers.append((b"origin", origin.encode()))
        if session:
            headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={session}".encode()))
        path = f"/ws/conversations/{conversation_id}/"
        if after is not None:
            path += f"?after={after}"
        self.communicator = WebsocketCommunicator(application, path, headers=headers)

    async def open(self) -> list[dict[str, Any]]:
        """Connect and read up to "ready"; the message frames before it (the backlog)."""
        connected, _subprotocol = await self.communicator.connect(timeout=WAIT)
        assert connected, "the handshake was refused"
        backlog = []
        while True:
            frame = await self.frame()
            if frame["type"] == "ready":
                return backlog
            assert frame["type"] == "message", frame
            backlog.append(frame)

    async def close_code(self) -> int:
        """Connect and expect to be let in, then closed with a code (never any data)."""
        connected, _subprotocol = await self.communicator.connect(timeout=WAIT)
        assert connected, "refusals come after the handshake, so that pages see the code"
        return await self.closed()

    async def closed(self) -> int:
        output = await self.communicator.receive_output(timeout=WAIT)
        assert output["type"] == "websocket.close", f"expected a close, got {output}"
        return int(output["code"])

    async def send(self, payload: dict[str, Any]) -> None:
        await self.communicator.send_to(text_data=json.dumps(payload))

    async def send_text(self, client_id: str, text: str) -> None:
        await self.send({"type": "send", "client_id": client_id, "text": text})

    async def frame(self) -> dict[str, Any]:
        output = await self.communicator.receive_output(timeout=WAIT)
        assert output["type"] == "websocket.send", f"expected a frame, got {output}"
        return json.loads(output["text"])

    async def frames(self, count: int) -> list[dict[str, Any]]:
        return [await self.frame() for _ in range(count)]

    async def nothing_more(self) -> None:
        assert await self.communicator.receive_nothing(timeout=0.1), \
            "an unexpected frame arrived"

    async def disconnect(self) -> None:
        await self.communicator.disconnect()


@database_sync_to_async
def messages_in(conversation: Conversation) -> list[tuple[int, str, str]]:
    return stored_texts(conversation)


@database_sync_to_async
def message_count(conversation: Conversation) -> int:
    return Message.objects.filter(conversation=conversation).count()


@pytest.fixture
def supporter() -> Person:  # a supporter who needs no MFA, as in production
    return make_person(Role.SUPPORTER)


@pytest.fixture
def chat(colleague: Person, supporter: Person) -> Conversation:
    return open_chat(colleague, supporter)


# Who may connect ------------------------------------------------------------------------------

def test_anonymous_is_closed_with_4401(chat: Conversation) -> None:
    async def scenario() -> None:
        assert await Socket(chat.pk).close_code() == NOT_SIGNED_IN

    run(scenario)


def test_an_unknown_session_cookie_is_anonymous(chat: Conversation) -> None:
    async def scenario() -> None:
        assert await Socket(chat.pk, session="not-a-session").close_code() == NOT_SIGNED_IN

    run(scenario)


def test_the_test_settings_serve_from_the_address_these_tests_use() -> None:
    assert ORIGIN == "http://127.0.0.1:8000"


@pytest.mark.parametrize("origin", [
    "http://127.0.0.1:8000",
    "http://localhost:8000",  # the same server by its other loopback name
    "HTTP://LOCALHOST:8000",  # scheme and host are case-insensitive
])
def test_a_page_from_the_base_url_connects(chat: Conversation, colleague: Person,
                                           origin: str) -> None:
    session = cookie_of(colleague)

    async def scenario() -> None:
        socket = Socket(chat.pk, session=session, origin=origin)
        assert await socket.open() == []
        await socket.disconnect()

    run(scenario)


@pytest.mark.parametrize("origin", [
    "http://localhost:9999",  # another port: another server on this machine
    "http://127.0.0.1",  # port 80
    "https://127.0.0.1:8000",  # another scheme
    "https://evil.example",
    "http://evil.example:8000",  # another host
    "http://127.0.0.1:8000.evil.example",
    "http://127.0.0.1:8000@evil.example",
    "null",  # a sandboxed frame or a file:// page
    "",
    None,  # no Origin header at all
])
def test_a_page_from_anywhere_else_is_refused_at_the_handshake(
        chat: Conversation, colleague: Person, origin: str | None) -> None:
    session = cookie_of(colleague)

    async def scenario() -> None:
        socket = Socket(chat.pk, session=session, origin=origin)
        connected, _ = await socket.communicator.connect(timeout=WAIT)
        assert not connected

    run(scenario)
    assert not AuditEvent.objects.filter(action=SupportAudit.CONVERSATION_READ).exists()


@pytest.mark.parametrize(("origin", "connects"), [
    ("https://haven.example.org", True),
    ("https://haven.example.org:443", True),
    ("http://haven.example.org", False),
    ("https://haven.example.org:8443", False),
    ("https://other.example.org", False),
    ("https://localhost", False),  # loopback names count only for a loopback base URL
    ("https://127.0.0.1:443", False),
])
def test_in_production_only_the_base_urls_origin_connects(
        chat: Conversation, colleague: Person, settings: Any, origin: str,
        connects: bool) -> None:
    settings.HAVEN_BASE_URL = "https://haven.example.org/"
    session = cookie_of(colleague)

    async def scenario() -> None:
        socket = Socket(chat.pk, session=session, origin=origin)
        connected, _ = await socket.communicator.connect(timeout=WAIT)
        assert connected is connects
        await socket.disconnect()

    run(scenario)


def test_without_a_base_url_no_page_connects(chat: Conversation, colleague: Person,
                                             settings: Any) -> None:
    settings.HAVEN_BASE_URL = ""
    session = cookie_of(colleague)

    async def scenario() -> None:
        connected, _ = await Socket(chat.pk, session=session).communicator.connect(timeout=WAIT)
        assert not connected

    run(scenario)


@pytest.mark.parametrize("who", ["coordinator", "other_supporter", "administrator"])
def test_people_outside_the_conversation_are_closed_with_4404(chat: Conversation,
                                                              who: str) -> None:
    role = {"coordinator": Role.COORDINATOR, "other_supporter": Role.SUPPORTER,
            "administrator": Role.ADMINISTRATOR}[who]
    session = cookie_of(make_person(role))

    async def scenario() -> None:
        assert await Socket(chat.pk, session=session).close_code() == NOT_FOUND

    run(scenario)
    assert not AuditEvent.objects.filter(action=SupportAudit.CONVERSATION_READ).exists()


def test_a_missing_conversation_is_closed_with_4404(colleague: Person) -> None:
    session = cookie_of(colleague)

    async def scenario() -> None:
        assert await Socket(999_999, session=session).close_code() == NOT_FOUND

    run(scenario)


# Joining: backlog, then ready -----------------------------------------------------------------

def test_a_participant_gets_what_came_after_its_last_id_then_ready(
        chat: Conversation, colleague: Person, supporter: Person) -> None:
    for sender, text in [(colleague, "first"), (supporter, "second"), (colleague, "third")]:
        conversations.send_message(conversation=chat, sender=sender, client_id=uuid.uuid4(),
                                   text=text)
    stored = stored_texts(chat)
    session = cookie_of(supporter)

    async def scenario() -> None:
        whole = Socket(chat.pk, session=session)
        backlog = await whole.open()
        assert [(f["id"], f["client_id"], f["text"]) for f in backlog] == stored
        assert [f["sender_role"] for f in backlog] == ["colleague", "supporter", "colleague"]
        assert all(f["sent_at"] and f["crisis"] is False for f in backlog)
        await whole.disconnect()

        resumed = Socket(chat.pk, session=session, after=stored[0][0])
        backlog = await resumed.open()
        assert [f["text"] for f in backlog] == ["second", "third"]
        await resumed.disconnect()

        latest = Socket(chat.pk, session=session, after=stored[-1][0])
        assert await latest.open() == []
        await latest.disconnect()

    run(scenario)


@pytest.mark.parametrize("after", ["abc", "-1", "%C2%B2", "9" * 40, "1e5", ""])
def test_a_nonsense_after_means_from_the_start(chat: Conversation, colleague: Person,
                                               after: str) -> None:
    conversations.send_message(conversation=chat, sender=colleague, client_id=uuid.uuid4(),
                               text="hello")
    session = cookie_of(colleague)

    async def scenario() -> None:
        socket = Socket(chat.pk, session=session, after=after)
        assert [f["text"] for f in await socket.open()] == ["hello"]
        await socket.disconnect()

    run(scenario)


def test_an_after_beyond_every_id_gives_nothing(chat: Conversation, colleague: Person) -> None:
    conversations.send_message(conversation=chat, sender=colleague, client_id=uuid.uuid4(),
                               text="hello")
    session = cookie_of(colleague)

    async def scenario() -> None:
        socket = Socket(chat.pk, session=session, after=str(2**63 - 1))
        assert await socket.open() == []
        await socket.disconnect()

    run(scenario)


def test_reading_through_the_socket_is_audited_without_content(
        chat: Conversation, colleague: Person, supporter: Person) -> None:
    conversations.send_message(conversation=chat, sender=colleague, client_id=uuid.uuid4(),
                               text="a private worry")
    session = cookie_of(supporter)

    async def scenario() -> None:
        socket = Socket(chat.pk, session=session)
        await socket.open()
        await socket.disconnect()

    run(scenario)
    events = list(AuditEvent.objects.filter(action=SupportAudit.CONVERSATION_READ))
    assert [(e.actor_id, e.actor_pseudonym, e.object_type, e.object_id) for e in events] == [
        (None, keyed_pseudonym(chat.data_key, f"person:{supporter.pk}"), "conversation",
         str(chat.pk))]
    assert events[0].detail == {"messages": 1}
    assert "private worry" not in json.dumps(events[0].detail)


# Sending ----------------------------------------------------------------------------------------

def test_a_message_is_stored_sealed_acknowledged_after_it_exists_and_broadcast_once(
        chat: Conversation, colleague: Person, supporter: Person) -> None:
    sessions = cookie_of(colleague), cookie_of(supporter)
    text = "I had a difficult meeting today."
    client_id = str(uuid.uuid4())

    @database_sync_to_async
    def stored_row(pk: int) -> Message | None:
        return Message.objects.filter(pk=pk, conversation=chat).first()

    async def scenario() -> None:
        mine, theirs = Socket(chat.pk, session=sessions[0]), Socket(chat.pk, session=sessions[1])
        await mine.open()
        await theirs.open()
        await mine.send_text(client_id, text)

        frames = await mine.frames(2)  # the ack and the broadcast, in either order
        ack = next(f for f in frames if f["type"] == "ack")
        row = await stored_row(ack["id"])
        assert row is not None, "acknowledged before the message was stored"
        assert ack == {"type": "ack", "client_id": client_id, "id": row.pk,
                       "duplicate": False, "crisis": False}
        assert text.encode() not in bytes(row.body), "the body is not sealed"
        assert str(row.client_id) == client_id and row.sender_id == colleague.pk

        expected = {"type": "message", "id": row.pk, "client_id": client_id,
                    "sender_role": "colleague", "crisis": False, "text": text}
        own = next(f for f in frames if f["type"] == "message")
        assert {k: v for k, v in own.items() if k != "sent_at"} == expected
        other = await theirs.frame()
        assert {k: v for k, v in other.items() if k != "sent_at"} == expected
        assert other["sent_at"] == own["sent_at"]
        await mine.nothing_more()
        await theirs.nothing_more()

        # And the other way round.
        reply_id = str(uuid.uuid4())
        await theirs.send_text(reply_id, "That sounds hard. What happened?")
        assert {f["type"] for f in await theirs.frames(2)} == {"ack", "message"}
        reply = await mine.frame()
        assert (reply["client_id"], reply["sender_role"]) == (reply_id, "supporter")
        await mine.nothing_more()
        await theirs.nothing_more()
        await mine.disconnect()
        await theirs.disconnect()

    run(scenario)
    assert [t for _id, _client, t in stored_texts(chat)] == [
        text, "That sounds hard. What happened?"]


def test_sending_the_same_client_id_twice_stores_one_message(
        chat: Conversation, colleague: Person, supporter: Person) -> None:
    sessions = cookie_of(colleague), cookie_of(supporter)
    client_id = str(uuid.uuid4())

    async def scenario() -> None:
        mine, theirs = Socket(chat.pk, session=sessions[0]), Socket(chat.pk, session=sessions[1])
        await mine.open()
        await theirs.open()
        await mine.send_text(client_id, "once")
        first = next(f for f in await mine.frames(2) if f["type"] == "ack")
        await mine.send_text(client_id, "once")  # e.g. re-sent after a lost ack
        second = await mine.frame()
        assert second == {**first, "duplicate": True}
        assert (await theirs.frame())["type"] == "message"
        await mine.nothing_more()
        await theirs.nothing_more()  # a duplicate is not broadcast again
        await mine.disconnect()
        await theirs.disconnect()

    run(scenario)
    assert Message.objects.filter(conversation=chat).count() == 1


@pytest.mark.parametrize("text", ["", "   \n ", "x" * 10_001], ids=["empty", "blank", "10001"])
def test_an_empty_or_too_long_message_is_refused_and_nothing_stored(
        chat: Conversation, colleague: Person, text: str) -> None:
    session = cookie_of(colleague)
    client_id = str(uuid.uuid4())

    async def scenario() -> None:
        socket = Socket(chat.pk, session=session)
        await socket.open()
        await socket.send_text(client_id, text)
        error = await socket.frame()
        assert error["type"] == "error" and error["client_id"] == client_id
        assert error["message"]
        await socket.nothing_more()
        assert await message_count(chat) == 0
        await socket.send_text(client_id, "x" * 10_000)  # the limit itself is fine
        assert (await socket.frame())["type"] in {"ack", "message"}
        await socket.disconnect()

    run(scenario)
    assert Message.objects.filter(conversation=chat).count() == 1


UNSTORABLE = [("a lone surrogate", "My manager \ud800 again"), ("NUL", "a\x00b"),
              ("a non-character", "\ufffe"), ("a control character", "bell\x07"),
              ("a C1 control character", "x\x85y")]


@pytest.mark.parametrize("second", [False, True], ids=["first-message", "later-message"])
@pytest.mark.parametrize("text", [text for _name, text in UNSTORABLE],
                         ids=[name for name, _text in UNSTORABLE])
def test_a_character_that_cannot_be_stored_gets_an_error_and_the_socket_stays_open(
        chat: Conversation, colleague: Person, text: str, second: bool) -> None:
    # A lone surrogate used to crash the consumer in the vault: the socket died without a
    # close code, and the page sent the same text again on every reconnect.
    session = cookie_of(colleague)
    client_id = str(uuid.uuid4())

    async def scenario() -> None:
        socket = Socket(chat.pk, session=session)
        await socket.open()
        if second:  # the live writer's one-statement path, not the first message's
            await socket.send_text(str(uuid.uuid4()), "hello")
            assert {f["type"] for f in await socket.frames(2)} == {"ack", "message"}
        await socket.send_text(client_id, text)
        error = await socket.frame()
        assert error == {"type": "error", "client_id": client_id,
                         "message": refusal(text)}
        await socket.nothing_more()  # not closed: nothing more comes, and the socket is open
        assert await message_count(chat) == (1 if second else 0)
        await socket.send_text(client_id, "the same message, corrected")
        ack = next(f for f in await socket.frames(2) if f["type"] == "ack")
        assert ack["client_id"] == client_id and ack["duplicate"] is False
        await socket.disconnect()

    run(scenario)
    assert [stored for _id, _client_id, stored in stored_texts(chat)][-1] == (
        "the same message, corrected")


def test_text_the_services_let_through_is_still_refused_by_the_vault_not_a_crash(
        chat: Conversation, colleague: Person, monkeypatch: pytest.MonkeyPatch) -> None:
    # Defence in depth: were the services' check ever to miss such text, the vault refuses
    # to seal it and the sender still hears why, on a socket that stays open.
    monkeypatch.setattr(conversations, "check_text", lambda *args, **kwargs: None)
    session = cookie_of(colleague)
    client_id = str(uuid.uuid4())

    async def scenario() -> None:
        socket = Socket(chat.pk, session=session)
        await socket.open()
        await socket.send_text(client_id, "secret \ud800 words")
        error = await socket.frame()
        assert error == {"type": "error", "client_id": client_id,
                         "message": "This message holds a character that cannot be stored."}
        await socket.nothing_more()
        await socket.send_text(str(uuid.uuid4()), "still here")
        assert "ack" in {f["type"] for f in await socket.frames(2)}
        await socket.disconnect()

    run(scenario)
    assert [text for _id, _client_id, text in stored_texts(chat)] == ["still here"]


BAD_FRAMES: list[tuple[str, dict[str, Any]]] = [
    ("malformed JSON", {"text_data": '{"type": "send", '}),
    ("not an object", {"text_data": '["send"]'}),
    ("unknown type", {"text_data": '{"type": "delete", "id": 1}'}),
    ("no type", {"text_data": '{"text": "hi"}'}),
    ("binary", {"bytes_data": b'{"type": "typing"}'}),
    ("nested too deep", {"text_data": "[" * 60_000}),
    ("over 64 KB", {"text_data": json.dumps({"type": "send", "client_id": str(uuid.uuid4()),
                                             "text": "x" * 70_000})}),
    ("no client id", {"text_data": '{"type": "send", "text": "hi"}'}),
    ("client id not a string", {"text_data": '{"type": "send", "client_id": [1], "text": "x"}'}),
    ("client id not a uuid", {"text_data": '{"type": "send", "client_id": "abc", "text": "x"}'}),
    ("text not a string", {"text_data": json.dumps({"type": "send",
                                                    "client_id": str(uuid.uuid4()),
                                                    "text": {"a": 1}})}),
]


@pytest.mark.parametrize("frame", [f for _name, f in BAD_FRAMES],
                         ids=[name for name, _f in BAD_FRAMES])
def test_a_bad_frame_gets_an_error_and_the_connection_stays_usable(
        chat: Conversation, colleague: Person, frame: dict[str, Any]) -> None:
    session = cookie_of(colleague)

    async def scenario() -> None:
        socket = Socket(chat.pk, session=session)
        await socket.open()
        await socket.communicator.send_to(**frame)
        error = await socket.frame()
        assert error["type"] == "error" and error["message"], error
        await socket.nothing_more()
        assert await message_count(chat) == 0
        client_id = str(uuid.uuid4())
        await socket.send_text(client_id, "still here")
        ack = next(f for f in await socket.frames(2) if f["type"] == "ack")
        assert ack["client_id"] == client_id and ack["duplicate"] is False
        await socket.disconnect()

    run(scenario)


# Typing, crisis ---------------------------------------------------------------------------------

def test_typing_reaches_the_other_side_only(chat: Conversation, colleague: Person,
                                            supporter: Person,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("haven.support.live.consumers.TYPING_EVERY_SECONDS", 60.0)
    sessions = cookie_of(colleague), cookie_of(supporter)

    async def scenario() -> None:
        mine, theirs = Socket(chat.pk, session=sessions[0]), Socket(chat.pk, session=sessions[1])
        await mine.open()
        await theirs.open()
        await mine.send({"type": "typing"})
        assert await theirs.frame() == {"type": "typing", "role": "colleague", "stopped": False}
        await mine.nothing_more()
        await mine.send({"type": "typing"})  # too soon after the last: not relayed
        await theirs.nothing_more()

        # The colleague's second tab is not told that "the other side" is typing.
        second_tab = Socket(chat.pk, session=sessions[0])
        await second_tab.open()
        await theirs.send({"type": "typing"})
        assert await mine.frame() == {"type": "typing", "role": "supporter", "stopped": False}
        assert await second_tab.frame() == {"type": "typing", "role": "supporter", "stopped": False}
        await theirs.nothing_more()
        await second_tab.send({"type": "typing"})
        assert await theirs.frame() == {"type": "typing", "role": "colleague", "stopped": False}
        await mine.nothing_more()
        for socket_ in (mine, theirs, second_tab):
            await socket_.disconnect()

    run(scenario)


def test_a_crisis_phrase_from_the_colleague_is_flagged_to_both(
        chat: Conversation, colleague: Person, supporter: Person) -> None:
    sessions = cookie_of(colleague), cookie_of(supporter)

    async def scenario() -> None:
        mine, theirs = Socket(chat.pk, session=sessions[0]), Socket(chat.pk, session=sessions[1])
        await mine.open()
        await theirs.open()
        # The supporter quoting the words is not a crisis signal; the colleague saying them is.
        await theirs.send_text(str(uuid.uuid4()), f"When you say “{CRISIS_PHRASE}”…")
        ack = next(f for f in await theirs.frames(2) if f["type"] == "ack")
        assert ack["crisis"] is False
        assert (await mine.frame())["crisis"] is False

        await mine.send_text(str(uuid.uuid4()), CRISIS_PHRASE)
        frames = await mine.frames(2)
        assert next(f for f in frames if f["type"] == "ack")["crisis"] is True
        assert next(f for f in frames if f["type"] == "message")["crisis"] is True
        assert (await theirs.frame())["crisis"] is True
        await mine.disconnect()
        await theirs.disconnect()

    run(scenario)
    assert list(Message.objects.filter(conversation=chat).values_list("crisis", flat=True)
                .order_by("pk")) == [False, True]


# Changes while connected ------------------------------------------------------------------------

def test_after_a_hand_over_the_former_supporter_is_closed_with_4403(
        chat: Conversation, colleague: Person, supporter: Person) -> None:
    sessions = cookie_of(colleague), cookie_of(supporter)

    @database_sync_to_async
    def request_handover() -> None:
        conversations.request_handover(conversation=chat, supporter=supporter)

    @database_sync_to_async
    def consent() -> None:
        conversations.consent_to_handover(
            conversation=Conversation.objects.get(pk=chat.pk), colleague=colleague)

    async def scenario() -> None:
        mine, theirs = Socket(chat.pk, session=sessions[0]), Socket(chat.pk, session=sessions[1])
        await mine.open()
        await theirs.open()
        await request_handover()  # asked, not yet agreed: both stay, both are told
        assert await mine.frame() == {"type": "refresh", "what": "handover"}
        assert await theirs.frame() == {"type": "refresh", "what": "handover"}

        await consent()
        assert await theirs.closed() == NOT_PARTICIPANT_NOW
        assert await mine.frame() == {"type": "refresh", "what": "handover"}

        # What the colleague says next never reaches the former supporter …
        await mine.send_text(str(uuid.uuid4()), "for the next supporter")
        assert {f["type"] for f in await mine.frames(2)} == {"ack", "message"}
        await theirs.nothing_more()
        await mine.disconnect()
        await theirs.disconnect()

        # … and they cannot come back.
        again = Socket(chat.pk, session=sessions[1])
        assert await again.close_code() == NOT_FOUND

    run(scenario)


def test_a_closed_conversation_refuses_messages(chat: Conversation, colleague: Person) -> None:
    session = cookie_of(colleague)

    @database_sync_to_async
    def close() -> None:
        conversations.close_conversation(conversation=chat, by=colleague)

    async def scenario() -> None:
        socket = Socket(chat.pk, session=session)
        await socket.open()
        await close()
        assert await socket.frame() == {"type": "refresh", "what": "closed"}
        client_id = str(uuid.uuid4())
        await socket.send_text(client_id, "are you there?")
        error = await socket.frame()
        assert error["type"] == "error" and error["client_id"] == client_id
        assert await message_count(chat) == 0
        await socket.disconnect()

    run(scenario)


def test_a_close_the_socket_has_not_heard_of_still_refuses_the_next_message(
        chat: Conversation, colleague: Person) -> None:
    session = cookie_of(colleague)

    @database_sync_to_async
    def close_elsewhere() -> None:  # another process, before its event arrives
        Conversation.objects.filter(pk=chat.pk).update(state=Conversation.State.CLOSED)

    async def scenario() -> None:
        socket = Socket(chat.pk, session=session)
        await socket.open()
        await socket.send_text(str(uuid.uuid4()), "first")  # the socket now stores in one go
        await socket.frames(2)
        await close_elsewhere()
        client_id = str(uuid.uuid4())
        await socket.send_text(client_id, "second")
        error = await socket.frame()
        assert (error["type"], error["client_id"]) == ("error", client_id)
        assert "closed" in error["message"]
        await socket.disconnect()

    run(scenario)
    assert [str(text) for _id, _client, text in stored_texts(chat)] == ["first"]


def client_with(session: str) -> Client:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session
    return client


def test_signing_out_in_another_tab_ends_the_live_chat_at_once(
        chat: Conversation, colleague: Person) -> None:
    session, other_browser = cookie_of(colleague), cookie_of(colleague)

    async def scenario() -> None:
        socket, elsewhere = Socket(chat.pk, session=session), Socket(chat.pk, session=other_browser)
        await socket.open()
        await elsewhere.open()
        response = await database_sync_to_async(client_with(session).post)(
            reverse("account_logout"))
        assert response.status_code == 302
        # Closed without sending anything: the sign-out itself told the socket.
        assert await socket.closed() == NOT_SIGNED_IN
        # The same person's other browser has its own session and keeps chatting.
        await elsewhere.send_text(str(uuid.uuid4()), "still here")
        assert {frame["type"] for frame in await elsewhere.frames(2)} == {"ack", "message"}
        await elsewhere.disconnect()

    run(scenario)
    assert [str(text) for _id, _client, text in stored_texts(chat)] == ["still here"]


def test_a_session_removed_behind_the_sockets_back_ends_it_at_the_next_check(
        chat: Conversation, colleague: Person, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("haven.support.live.session.SESSION_RECHECK_SECONDS", 0)
    session = cookie_of(colleague)

    @database_sync_to_async
    def remove_session() -> None:  # e.g. an administrator clearing sessions: no signal
        Session.objects.filter(session_key=session).delete()

    async def scenario() -> None:
        socket = Socket(chat.pk, session=session)
        await socket.open()
        await remove_session()
        await socket.send_text(str(uuid.uuid4()), "hello?")
        assert await socket.closed() == NOT_SIGNED_IN
        assert await message_count(chat) == 0

    run(scenario)


def test_a_password_change_ends_live_chats_of_other_sessions(
        chat: Conversation, colleague: Person) -> None:
    session, changing = cookie_of(colleague), cookie_of(colleague)

    async def scenario() -> None:
        socket = Socket(chat.pk, session=session)
        await socket.open()
        response = await database_sync_to_async(client_with(changing).post)(
            reverse("account_change_password"),
            {"oldpassword": PASSWORD, "password1": "a-new-long-passphrase-9",
             "password2": "a-new-long-passphrase-9"})
        assert response.status_code == 302, response.content[:300]
        assert await socket.closed() == NOT_SIGNED_IN

    run(scenario)


def test_an_idle_session_that_expired_receives_nothing_more(
        chat: Conversation, colleague: Person, supporter: Person) -> None:
    idle, talking = cookie_of(colleague), cookie_of(supporter)
    Session.objects.filter(session_key=idle).update(
        expire_date=timezone.now() + timedelta(seconds=1))

    async def scenario() -> None:
        socket, other = Socket(chat.pk, session=idle), Socket(chat.pk, session=talking)
        await socket.open()
        await other.open()
        await asyncio.sleep(1.2)  # the idle session's expiry passes
        await other.send_text(str(uuid.uuid4()), "are you still there?")
        await other.frames(2)
        assert await socket.closed() == NOT_SIGNED_IN  # closed, not shown the message
        await other.disconnect()

    run(scenario)


def test_chatting_counts_as_activity_for_the_idle_timeout(
        chat: Conversation, colleague: Person, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("haven.support.live.session.SESSION_TOUCH_SECONDS", 0)
    session = cookie_of(colleague)
    before = Session.objects.get(session_key=session).expire_date

    async def scenario() -> None:
        socket = Socket(chat.pk, session=session)
        await socket.open()
        await socket.send_text(str(uuid.uuid4()), "still talking")
        await socket.frames(2)
        await socket.disconnect()

    run(scenario)
    assert Session.objects.get(session_key=session).expire_date > before


# The Redis channel layer ----------------------------------------------------------------------

def test_the_core_flow_works_over_the_redis_channel_layer(
        chat: Conversation, colleague: Person, supporter: Person, settings: Any) -> None:
    pytest.importorskip("channels_redis")
    settings.CHANNEL_LAYERS = {"default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": ["redis://127.0.0.1:6379/15"],
                   "prefix": f"haven-test-{uuid.uuid4().hex[:8]}",
                   "symmetric_encryption_keys": [settings.SECRET_KEY]},
    }}
    sessions = cookie_of(colleague), cookie_of(supporter)
    client_id = str(uuid.uuid4())

    async def scenario() -> None:
        layer = get_channel_layer()
        assert type(layer).__name__ == "RedisChannelLayer"
        try:
            await layer.send("haven-test.ping!x", {"type": "ping"})
        except OSError as error:  # pragma: no cover - the machines run Redis
            pytest.fail(f"Redis at 127.0.0.1:6379 is not reachable: {error}")
        await layer.flush()
        mine, theirs = Socket(chat.pk, session=sessions[0]), Socket(chat.pk, session=sessions[1])
        await mine.open()
        await theirs.open()
        await mine.send({"type": "typing"})
        assert await theirs.frame() == {"type": "typing", "role": "colleague", "stopped": False}
        await mine.send_text(client_id, "over redis")
        frames = await mine.frames(2)
        assert {f["type"] for f in frames} == {"ack", "message"}
        received = await theirs.frame()
        assert (received["type"], received["client_id"], received["text"]) == (
            "message", client_id, "over redis")
        await mine.send_text(client_id, "over redis")
        assert (await mine.frame())["duplicate"] is True
        await mine.nothing_more()
        await theirs.nothing_more()
        await mine.disconnect()
        await theirs.disconnect()

    run(scenario)
    assert [t for _id, _client, t in stored_texts(chat)] == ["over redis"]


def test_a_failed_broadcast_leaves_the_message_stored_and_its_sender_answered(
        chat: Conversation, colleague: Person, settings: Any,
        caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as probe:  # a port nothing listens on: Redis is "down"
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CHANNEL_LAYERS = {"default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [f"redis://127.0.0.1:{port}/0"]}}}
    text = "stored even though nobody hears it live"
    sent = conversations.send_message(conversation=chat, sender=colleague,
                                      client_id=uuid.uuid4(), text=text)
    assert sent.created
    assert [t for _id, _client, t in stored_texts(chat)] == [text]
    assert "on_commit" in caplog.text  # logged for the operator …
    assert text not in caplog.text  # … without the content


def test_a_failed_live_broadcast_still_acknowledges_the_stored_message(
        chat: Conversation, colleague: Person, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    session = cookie_of(colleague)
    client_id = str(uuid.uuid4())
    text = "heard later, not lost"

    async def scenario() -> None:
        socket = Socket(chat.pk, session=session)
        await socket.open()

        async def down(*args: Any, **kwargs: Any) -> None:
            raise ConnectionError("the channel layer is down")

        monkeypatch.setattr(get_channel_layer(), "group_send", down)
        await socket.send_text(client_id, text)
        ack = await socket.frame()
        assert (ack["type"], ack["client_id"], ack["duplicate"]) == ("ack", client_id, False)
        await socket.nothing_more()
        await socket.disconnect()

    run(scenario)
    assert [t for _id, _client, t in stored_texts(chat)] == [text]
    assert "broadcast failed" in caplog.text and text not in caplog.text
