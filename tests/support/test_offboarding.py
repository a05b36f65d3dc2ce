"""What peer support does when a person is deactivated: their live chats close within a second,
their colleagues are handed over (told only that their supporter is no longer available),
their offers move on, their profile stops taking requests, and their own requests close."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from channels.db import database_sync_to_async
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from haven.core import services as core_services
from haven.core.models import Person, Role
from haven.support import conversations, offers, programme, selectors
from haven.support.live.consumers import NOT_PARTICIPANT_NOW, NOT_SIGNED_IN
from haven.support.models import (
    Conversation,
    Message,
    Offer,
    SupporterProfile,
    SupportRequest,
)
from tests.conftest import signed_in
from tests.factories import make_person
from tests.support.chat_setup import open_chat
from tests.support.conftest import make_supporter, open_request
from tests.support.test_consumers import Socket, cookie_of, run

FIRST = "My team lead mocks my accent in every stand-up."
UNAVAILABLE = "Your supporter is no longer available"


def deactivate(person: Person) -> None:
    administrator = Person.objects.filter(role_grants__role=Role.ADMINISTRATOR).first()
    core_services.set_person_active(person=person, active=False, actor=administrator,
                                    via="page")


def talking(colleague: Person, supporter: Person, **overrides: object) -> Conversation:
    """A request SUPPORTER was offered and accepted."""
    support_request = open_request(colleague, first_message=FIRST, **overrides)
    offer = support_request.offers.get(state=Offer.State.PENDING)
    assert offer.supporter_id == supporter.pk
    return offers.accept_offer(offer=offer, supporter=supporter)


def all_mail() -> str:
    return "\n".join(f"{m.subject}\n{m.body}" for m in mail.outbox)


# --- live chat --------------------------------------------------------------------------------

async def close_within_a_second(socket: Socket, since: float) -> int:
    """Read until the socket closes, at most a second after SINCE; nothing read on the way may
    be a stored message or an acknowledgement. The close code."""
    while True:
        output = await socket.communicator.receive_output(timeout=max(0.0, since + 1 -
                                                                       time.monotonic()))
        if output["type"] == "websocket.close":
            assert time.monotonic() - since < 1.0
            return int(output["code"])
        assert output["type"] == "websocket.send"
        assert json.loads(output["text"])["type"] not in {"ack", "message"}, output


def chat_of(side: str) -> tuple[Conversation, Person, str]:
    colleague, supporter = make_person(), make_person(Role.SUPPORTER)
    chat = open_chat(colleague, supporter)
    leaver = supporter if side == "supporter" else colleague
    return chat, leaver, cookie_of(leaver)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("side", ["supporter", "colleague"])
def test_a_deactivated_persons_live_chat_is_signed_out_within_a_second(side: str) -> None:
    chat, leaver, session = chat_of(side)

    async def scenario() -> None:
        socket = Socket(chat.pk, session=session)
        await socket.open()
        await database_sync_to_async(deactivate)(leaver)
        assert await close_within_a_second(socket, time.monotonic()) == NOT_SIGNED_IN

    run(scenario)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("side", ["supporter", "colleague"])
def test_a_message_sent_as_the_deactivation_commits_is_never_stored(side: str) -> None:
    chat, leaver, session = chat_of(side)

    async def scenario() -> None:
        socket = Socket(chat.pk, session=session)
        await socket.open()
        await socket.send_text(str(uuid.uuid4()), "before")  # the socket now stores directly
        assert {f["type"] for f in await socket.frames(2)} == {"ack", "message"}
        await database_sync_to_async(deactivate)(leaver)
        deactivated = time.monotonic()
        await socket.send_text(str(uuid.uuid4()), "after")
        # Refused either way: no longer signed in (4401), or — when the send is read before
        # the sign-out event — no longer a participant (4403) or the conversation is closed.
        assert await close_within_a_second(socket, deactivated) in {NOT_SIGNED_IN,
                                                                   NOT_PARTICIPANT_NOW}

    run(scenario)
    assert Message.objects.filter(conversation=chat).count() == 1  # "before" only


@pytest.mark.django_db(transaction=True)
def test_the_colleagues_live_page_hears_of_the_hand_over_and_talks_on() -> None:
    colleague, supporter = make_person(), make_person(Role.SUPPORTER)
    chat = open_chat(colleague, supporter)
    session = cookie_of(colleague)

    async def scenario() -> None:
        socket = Socket(chat.pk, session=session)
        await socket.open()
        await database_sync_to_async(deactivate)(supporter)
        assert await socket.frame() == {"type": "refresh", "what": "handover"}
        await socket.send_text(str(uuid.uuid4()), "is anyone there?")
        assert {f["type"] for f in await socket.frames(2)} == {"ack", "message"}
        await socket.disconnect()

    run(scenario)


# --- as a supporter ---------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_colleague_is_told_only_that_their_supporter_is_unavailable_and_chooses(
        colleague: Person, commit) -> None:  # type: ignore[no-untyped-def]
    leaver = make_supporter(topics=["bullying"])
    conversation = talking(colleague, leaver)
    successor = make_supporter(topics=["workload"])
    mail.outbox.clear()

    with commit():
        deactivate(leaver)

    conversation.refresh_from_db()
    assert (conversation.state, conversation.supporter) == (Conversation.State.WAITING, None)
    assert conversation.supporter_unavailable_at is not None
    # Another supporter would read what came before: nobody is offered it until they agree,
    # not even by the worker's retries.
    offers.retry_waiting_requests()
    assert not Offer.objects.filter(request=conversation.request,
                                    state=Offer.State.PENDING).exists()
    page = signed_in(colleague).get(f"/conversations/{conversation.pk}/").content.decode()
    assert UNAVAILABLE in page and "Find me another supporter" in page

    with commit():
        assert signed_in(colleague).post(
            f"/conversations/{conversation.pk}/handover/consent/").status_code == 302
    offer = Offer.objects.get(request=conversation.request, state=Offer.State.PENDING)
    assert offer.supporter == successor
    assert SupportRequest.objects.get(pk=conversation.request_id).state == \
        SupportRequest.State.OFFERED

    page = signed_in(colleague).get(f"/conversations/{conversation.pk}/").content.decode()
    assert UNAVAILABLE in page
    told = [m for m in mail.outbox if m.to == [colleague.email]]
    assert len(told) == 1 and "no longer available" in told[0].subject
    for text in (page, all_mail()):
        assert "deactivat" not in text.lower()  # never why
    assert FIRST not in all_mail()

    # The next supporter takes over and reads the conversation; the notice has done its work.
    offers.accept_offer(offer=offer, supporter=successor)
    shown = selectors.read_messages(
        viewer=successor,
        conversation=selectors.conversation_for(viewer=successor,
                                                conversation_id=conversation.pk))
    assert [m.text for m in shown] == [FIRST]
    conversation.refresh_from_db()
    assert conversation.supporter_unavailable_at is None
    assert UNAVAILABLE not in signed_in(colleague).get(
        f"/conversations/{conversation.pk}/").content.decode()


@pytest.mark.django_db
def test_a_pending_offer_is_withdrawn_and_moves_to_the_next_supporter(colleague: Person) -> None:
    leaver = make_supporter(topics=["bullying"])
    support_request = open_request(colleague)
    first = support_request.offers.get(state=Offer.State.PENDING)
    assert first.supporter == leaver
    successor = make_supporter(topics=["workload"])

    deactivate(leaver)

    first.refresh_from_db()
    assert first.state == Offer.State.WITHDRAWN
    assert Offer.objects.get(request=support_request, state=Offer.State.PENDING).supporter == \
        successor


@pytest.mark.django_db
def test_a_request_nobody_else_fits_waits_and_is_never_offered_to_the_leaver(
        colleague: Person) -> None:
    leaver = make_supporter()
    conversation = talking(colleague, leaver)

    deactivate(leaver)
    offers.retry_waiting_requests()

    assert not Offer.objects.filter(state=Offer.State.PENDING).exists()
    assert SupportRequest.objects.get(pk=conversation.request_id).state == \
        SupportRequest.State.WAITING


@pytest.mark.django_db
def test_the_supporter_profile_stops_taking_requests_and_stays_paused_after_return() -> None:
    leaver = make_supporter()

    deactivate(leaver)
    assert not SupporterProfile.objects.get(person=leaver).active
    core_services.set_person_active(person=leaver, active=True, actor=None, via="command")

    assert not SupporterProfile.objects.get(person=leaver).active
    open_request(make_person())
    assert not Offer.objects.filter(supporter=leaver).exists()


@pytest.mark.django_db
def test_a_deactivated_safety_contact_is_not_pretended_to_be_alerted(colleague: Person) -> None:
    supporter = make_supporter()
    conversation = talking(colleague, supporter)
    contact = make_person()
    programme.update_programme_settings(actor=None, safety_contact=contact)
    deactivate(contact)

    with pytest.raises(ValidationError, match="No safety contact"):
        conversations.escalate_to_safety_contact(conversation=conversation,
                                                 supporter=supporter)


# --- as a colleague ---------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_leavers_own_requests_are_cancelled_or_closed_and_kept_until_retention(
        colleague: Person, commit) -> None:  # type: ignore[no-untyped-def]
    supporter = make_supporter(capacity=5)
    talked = talking(colleague, supporter)
    untaken = open_request(colleague, first_message="Still looking.")
    pending = untaken.offers.get(state=Offer.State.PENDING)
    supporters_page = signed_in(supporter)

    with commit():
        deactivate(colleague)

    talked.refresh_from_db()
    assert talked.state == Conversation.State.CLOSED
    assert talked.shred_after is not None and talked.shred_after > timezone.now()
    assert SupportRequest.objects.get(pk=talked.request_id).state == SupportRequest.State.CLOSED
    untaken.refresh_from_db()
    assert untaken.state == SupportRequest.State.CANCELLED
    assert untaken.conversation.state == Conversation.State.CLOSED
    pending.refresh_from_db()
    assert pending.state == Offer.State.WITHDRAWN
    assert Message.objects.count() == 2  # nothing deleted before the retention period
    # The supporter sees a closed conversation, as if the colleague had closed it.
    page = supporters_page.get(f"/conversations/{talked.pk}/").content.decode()
    assert "deactivat" not in page.lower()


@pytest.mark.django_db
def test_the_former_supporters_session_no_longer_opens_the_conversation(
        colleague: Person) -> None:
    leaver = make_supporter()
    conversation = talking(colleague, leaver)
    client: Client = signed_in(leaver)

    deactivate(leaver)

    response = client.get(f"/conversations/{conversation.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
