"""Live chat states, each bug of issue 14 in turn: a waiting colleague sees the supporter join
live (and the page says who joined and stops saying "waiting"); "… is typing" is ended by a
send, a stop and a disconnect; "free from" is never in the past and says its zone."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from haven.core import times
from haven.core.models import Person
from haven.support import offers
from haven.support.models import Conversation, SupportRequest
from tests.conftest import signed_in
from tests.support.chat_setup import open_chat
from tests.support.conftest import make_supporter, midday_zone, open_request
from tests.support.test_consumers import Socket, cookie_of, run

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def chat(colleague: Person, supporter: Person) -> Conversation:
    return open_chat(colleague, supporter)


def _waiting_chat(colleague: Person) -> SupportRequest:
    """A chat request nobody can take now: there is no supporter at all."""
    support_request = open_request(colleague, mode=SupportRequest.Mode.CHAT)
    support_request.refresh_from_db()
    assert support_request.state == SupportRequest.State.WAITING
    return support_request


# Joined ---------------------------------------------------------------------------------------

def test_a_waiting_colleague_is_told_live_who_joined(colleague: Person) -> None:
    support_request = _waiting_chat(colleague)
    conversation_id = support_request.conversation.pk
    session = cookie_of(colleague)
    supporter = make_supporter(name="Robin Example")

    @database_sync_to_async
    def supporter_accepts() -> None:
        offer = offers.offer_to_next_supporter(support_request=support_request)
        assert offer is not None and offer.supporter_id == supporter.pk
        offers.accept_offer(offer=offer, supporter=supporter)

    async def scenario() -> None:
        page = Socket(conversation_id, session=session)
        await page.open()
        await supporter_accepts()
        assert await page.frame() == {"type": "joined", "name": "Robin Example"}
        await page.nothing_more()
        await page.disconnect()

    run(scenario)


def test_the_waiting_page_carries_what_the_script_needs_to_show_the_join(
        colleague: Person) -> None:
    support_request = _waiting_chat(colleague)

    page = signed_in(colleague).get(
        f"/conversations/{support_request.conversation.pk}/").content.decode()

    assert re.search(r'<h1 id="conversation-heading" data-label-joined="Conversation with '
                     r'\{name\}">Waiting for a peer supporter</h1>', page)
    assert 'id="conversation-state" data-label-open="Open">Waiting for a supporter<' in page
    assert 'id="waiting-note"' in page
    assert 'data-label-joined="{name} joined"' in page


# Typing ---------------------------------------------------------------------------------------

async def typing_pair(chat: Conversation, typist: str, other: str) -> tuple[Socket, Socket]:
    """Two open sockets, the first (TYPIST's session) having typed, the second told so."""
    writer, reader = Socket(chat.pk, session=typist), Socket(chat.pk, session=other)
    await writer.open()
    await reader.open()
    await writer.send({"type": "typing"})
    told = await reader.frame()
    assert (told["type"], told["stopped"]) == ("typing", False)
    return writer, reader


def test_a_stop_ends_typing_on_the_other_side(chat: Conversation, colleague: Person,
                                              supporter: Person) -> None:
    typist, other = cookie_of(colleague), cookie_of(supporter)

    async def scenario() -> None:
        writer, reader = await typing_pair(chat, typist, other)
        await writer.send({"type": "typing", "stopped": True})
        assert await reader.frame() == {"type": "typing", "role": "colleague", "stopped": True}
        # A second stop, with no typing since, is relayed to nobody.
        await writer.send({"type": "typing", "stopped": True})
        await reader.nothing_more()
        await writer.nothing_more()
        await writer.disconnect()
        await reader.disconnect()

    run(scenario)


def test_a_disconnect_ends_typing_on_the_other_side(chat: Conversation, colleague: Person,
                                                    supporter: Person) -> None:
    typist, other = cookie_of(supporter), cookie_of(colleague)

    async def scenario() -> None:
        writer, reader = await typing_pair(chat, typist, other)
        await writer.disconnect()
        assert await reader.frame() == {"type": "typing", "role": "supporter", "stopped": True}
        await reader.disconnect()

    run(scenario)


def test_a_sent_message_ends_typing_so_no_stop_follows_it(
        chat: Conversation, colleague: Person, supporter: Person) -> None:
    typist, other = cookie_of(colleague), cookie_of(supporter)

    async def scenario() -> None:
        writer, reader = await typing_pair(chat, typist, other)
        await writer.send_text(str(uuid.uuid4()), "Thanks for listening")
        message = await reader.frame()
        assert (message["type"], message["sender_role"]) == ("message", "colleague")
        assert (await writer.frame())["type"] in {"message", "ack"}
        assert (await writer.frame())["type"] in {"message", "ack"}
        await writer.disconnect()  # typing was already ended by the message
        await reader.nothing_more()
        await reader.disconnect()

    run(scenario)


# "Free from" ----------------------------------------------------------------------------------

def _told_a_later_slot(colleague: Person) -> SupportRequest:
    """A waiting chat request, told when a supporter whose window opens in two hours is free."""
    zone = midday_zone()
    today = timezone.now().astimezone(ZoneInfo(zone))
    make_supporter(zone=zone, availability=[
        {"weekday": today.weekday(), "start": f"{today.hour + 2:02d}:00", "end": "23:59"}])
    support_request = open_request(colleague, mode=SupportRequest.Mode.CHAT)
    support_request.refresh_from_db()
    assert support_request.expected_reply_by is not None
    assert support_request.expected_reply_by > timezone.now()
    return support_request


def test_free_from_keeps_a_time_still_ahead(colleague: Person) -> None:
    support_request = _told_a_later_slot(colleague)
    assert offers.free_from(support_request) == support_request.expected_reply_by


def test_free_from_never_says_a_time_that_has_passed(colleague: Person) -> None:
    support_request = _told_a_later_slot(colleague)
    later_slot = support_request.expected_reply_by
    # What the colleague was told has passed (say the worker was down when the slot came).
    support_request.expected_reply_by = timezone.now() - timedelta(hours=1)
    SupportRequest.objects.filter(pk=support_request.pk).update(
        expected_reply_by=support_request.expected_reply_by)

    assert offers.free_from(support_request) == later_slot

    page = signed_in(colleague).get(
        f"/conversations/{support_request.conversation.pk}/").content.decode()
    zone = ZoneInfo(colleague.time_zone or "UTC")
    shown = times.shown_time(later_slot, zone, with_zone=True)
    assert f"is free from {shown};" in page
    assert times.shown_time(support_request.expected_reply_by, zone) not in page
    home = signed_in(colleague).get("/support/").content.decode()
    assert f"A supporter is free from {shown}<" in home
    assert times.shown_time(support_request.expected_reply_by, zone) not in home


def test_free_from_is_none_when_the_passed_slot_has_no_successor(colleague: Person) -> None:
    support_request = _told_a_later_slot(colleague)
    Person.objects.filter(supporter_profile__isnull=False).update(is_active=False)
    support_request.expected_reply_by = timezone.now() - timedelta(minutes=5)

    assert offers.free_from(support_request) is None
