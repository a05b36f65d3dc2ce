"""conversations.store_live: live chat's one-statement store, guarded in the same statement.
Each guard is shown by changing the database behind a writer's back, as another process
(a close, a hand-over, an erasure) would between two messages."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from haven.core.models import Person, Role
from haven.support import conversations
from haven.support.models import Conversation, Message, SupportRequest
from haven.vault import crypto
from tests.factories import make_person
from tests.support.chat_setup import open_chat, stored_texts

pytestmark = pytest.mark.django_db(transaction=True)


def writer_for(conversation: Conversation, person: Person) -> conversations.LiveWriter:
    loaded = Conversation.objects.select_related("request", "data_key").get(pk=conversation.pk)
    writer = conversations.live_writer(loaded, person)
    assert writer is not None
    return writer


def texts(conversation: Conversation) -> list[str]:
    return [str(text) for _id, _client, text in stored_texts(conversation)]


def test_it_stores_a_sealed_message_and_returns_its_live_event(
        colleague: Person, supporter: Person) -> None:
    chat = open_chat(colleague, supporter)
    client_id = uuid.uuid4()

    sent = conversations.store_live(writer_for(chat, colleague), client_id=client_id,
                                    text="It happened again today.")

    assert sent is not None and sent.created
    stored = Message.objects.get(conversation=chat)
    assert (stored.pk, stored.client_id, stored.sender_id) == (
        sent.message.pk, client_id, colleague.pk)
    assert b"happened" not in bytes(stored.body)  # sealed
    assert texts(chat) == ["It happened again today."]
    assert sent.event == {"type": "chat.message", "id": stored.pk, "client_id": str(client_id),
                          "sender_role": "colleague", "sent_at": sent.event["sent_at"],
                          "crisis": False, "text": "It happened again today."}


def test_the_colleagues_crisis_wording_is_flagged(colleague: Person, supporter: Person) -> None:
    chat = open_chat(colleague, supporter)
    sent = conversations.store_live(writer_for(chat, colleague), client_id=uuid.uuid4(),
                                    text="Some nights I feel I want to die.")
    assert sent is not None and sent.crisis and Message.objects.get().crisis


def test_a_client_id_already_stored_stores_nothing(colleague: Person, supporter: Person) -> None:
    chat = open_chat(colleague, supporter)
    writer, client_id = writer_for(chat, colleague), uuid.uuid4()
    assert conversations.store_live(writer, client_id=client_id, text="once") is not None

    assert conversations.store_live(writer, client_id=client_id, text="once") is None
    assert texts(chat) == ["once"]


@pytest.mark.parametrize("text", ["", "   ", "x" * 10_001])
def test_bad_text_is_refused_as_send_message_refuses_it(
        colleague: Person, supporter: Person, text: str) -> None:
    chat = open_chat(colleague, supporter)
    with pytest.raises(ValidationError):
        conversations.store_live(writer_for(chat, colleague), client_id=uuid.uuid4(), text=text)
    assert not Message.objects.exists()


def test_a_conversation_closed_meanwhile_takes_nothing(colleague: Person,
                                                       supporter: Person) -> None:
    chat = open_chat(colleague, supporter)
    writer = writer_for(chat, colleague)
    Conversation.objects.filter(pk=chat.pk).update(state=Conversation.State.CLOSED,
                                                   closed_at=timezone.now())

    assert conversations.store_live(writer, client_id=uuid.uuid4(), text="hello?") is None
    assert not Message.objects.exists()


def test_a_supporter_handed_over_meanwhile_cannot_write(colleague: Person,
                                                        supporter: Person) -> None:
    chat = open_chat(colleague, supporter)
    SupportRequest.objects.filter(pk=chat.request_id).update(first_response_at=timezone.now())
    writer = writer_for(chat, supporter)
    Conversation.objects.filter(pk=chat.pk).update(supporter=make_person(Role.SUPPORTER))

    assert conversations.store_live(writer, client_id=uuid.uuid4(), text="still me") is None
    assert not Message.objects.exists()


def test_nothing_lands_in_a_conversation_erased_meanwhile(colleague: Person,
                                                          supporter: Person) -> None:
    chat = open_chat(colleague, supporter)
    writer = writer_for(chat, colleague)
    conversations.erase_conversation(conversation=chat, by=colleague)

    assert conversations.store_live(writer, client_id=uuid.uuid4(), text="after") is None
    assert not Message.objects.exists()


def test_after_a_key_is_shredded_nothing_is_stored(colleague: Person,
                                                   supporter: Person) -> None:
    chat = open_chat(colleague, supporter)
    writer = writer_for(chat, colleague)
    crypto.shred(Conversation.objects.select_related("data_key").get(pk=chat.pk).data_key)

    # The writer's key record is stale (it still holds the wrapped key); the guard in the
    # statement reads the current row.
    assert writer.data_key.wrapped is not None
    assert conversations.store_live(writer, client_id=uuid.uuid4(), text="after") is None
    assert not Message.objects.exists()


def test_a_writer_is_only_made_where_one_insert_is_the_whole_job(
        colleague: Person, supporter: Person) -> None:
    chat = Conversation.objects.select_related("request", "data_key").get(
        pk=open_chat(colleague, supporter).pk)
    assert conversations.live_writer(chat, colleague) is not None
    # The supporter's first reply also records the first response time.
    assert conversations.live_writer(chat, supporter) is None
    chat.request.first_response_at = timezone.now()
    assert conversations.live_writer(chat, supporter) is not None
    # Messages mode e-mails the other side; a closed conversation takes nothing; an outsider.
    chat.request.mode = SupportRequest.Mode.MESSAGES
    assert conversations.live_writer(chat, colleague) is None
    chat.request.mode = SupportRequest.Mode.CHAT
    chat.state = Conversation.State.CLOSED
    assert conversations.live_writer(chat, colleague) is None
    chat.state = Conversation.State.OPEN
    assert conversations.live_writer(chat, make_person(Role.SUPPORTER)) is None


# PostgreSQL: what another transaction is doing to the conversation is waited for --------------

ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises every writer; the row lock matters on PostgreSQL")


HOLD_SECONDS = 0.5


def while_held(hold: Callable[[], None], then: Callable[[], object]) -> tuple[object, float]:
    """Run HOLD in a transaction on another thread and keep it open for HOLD_SECONDS; meanwhile
    call THEN here. Returns what THEN gave and how long it took: about HOLD_SECONDS if it
    waited for HOLD's transaction, milliseconds if it did not."""
    started = threading.Event()

    def other() -> None:
        try:
            with transaction.atomic():
                hold()
                started.set()
                time.sleep(HOLD_SECONDS)
        finally:
            started.set()
            close_old_connections()

    thread = threading.Thread(target=other)
    thread.start()
    assert started.wait(5)
    began = time.monotonic()
    result = then()
    took = time.monotonic() - began
    thread.join(5)
    return result, took


@ON_POSTGRESQL
def test_an_erasure_in_progress_is_waited_for_and_nothing_lands(
        colleague: Person, supporter: Person) -> None:
    chat = open_chat(colleague, supporter)
    writer = writer_for(chat, colleague)

    def erase() -> None:
        conversations.erase_conversation(
            conversation=Conversation.objects.select_related("data_key", "request").get(
                pk=chat.pk), by=colleague)

    result, took = while_held(erase, lambda: conversations.store_live(
        writer, client_id=uuid.uuid4(), text="sent while it was being erased"))

    assert result is None and took > HOLD_SECONDS * 0.6  # it waited for the erasure, then refused
    assert not Message.objects.exists()


@ON_POSTGRESQL
def test_messages_in_one_conversation_wait_for_each_other_to_commit(
        colleague: Person, supporter: Person) -> None:
    chat = open_chat(colleague, supporter)
    writer = writer_for(chat, colleague)

    def another_send_in_flight() -> None:  # holds the row as a send does until it commits
        Conversation.objects.select_for_update(no_key=True).filter(pk=chat.pk).first()

    result, took = while_held(another_send_in_flight, lambda: conversations.store_live(
        writer, client_id=uuid.uuid4(), text="next"))

    assert result is not None and took > HOLD_SECONDS * 0.6
