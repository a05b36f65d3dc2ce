"""A conversation whose master key is not on this server (it was wrapped under a key id that is
not in HAVEN_MASTER_KEYS here): the person gets a page that says so, the API its JSON error,
the live chat an error frame and a clean close, the operator a log line naming the key id —
never content — and nothing answers 500. What needs no key (lists, reminders, retention) goes
on as before."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from haven.core.models import AuditEvent, Person, Role
from haven.support import commitments, conversations, jobs, offers
from haven.support.models import Commitment, Conversation, Message, SupportAudit, SupportRequest
from haven.vault import crypto
from haven.vault.masterkeys import generate_master_key
from haven.vault.models import DataKey
from tests.conftest import signed_in
from tests.factories import make_person
from tests.support.chat_setup import open_chat
from tests.support.conftest import make_supporter, open_request

pytestmark = pytest.mark.django_db

SECRET = "My manager mocks my accent in every meeting."
PROMISE = "Check in with you on Friday morning"
CANNOT_OPEN = ("This conversation cannot be opened: its encryption key is not available on "
               "this server. Your administrator has been told.")
GONE, HERE = generate_master_key("gone"), generate_master_key("here")
Switch = Callable[[str], None]


@pytest.fixture
def use_keys(settings) -> Iterator[Switch]:  # type: ignore[no-untyped-def]
    """Change this process's HAVEN_MASTER_KEYS, as a restart with another setting would."""

    def switch(value: str) -> None:
        settings.HAVEN_MASTER_KEYS = value
        crypto.master_keys.cache_clear()
        crypto.forget_cached_keys()

    yield switch
    crypto.master_keys.cache_clear()
    crypto.forget_cached_keys()


def _talking(colleague: Person, supporter: Person, text: str = SECRET) -> Conversation:
    support_request = open_request(colleague, first_message=text)
    return offers.accept_offer(offer=support_request.offers.get(), supporter=supporter)


@pytest.fixture
def supporter_person(db: None) -> Person:
    return make_supporter()


@pytest.fixture
def stranded(use_keys: Switch, colleague: Person, supporter_person: Person) -> Conversation:
    """A conversation with a message and a commitment, all wrapped under master key "gone";
    then this server runs with only master key "here"."""
    use_keys(GONE)
    conversation = _talking(colleague, supporter_person)
    commitments.record_commitment(conversation=conversation, supporter=supporter_person,
                                    what=PROMISE, due_at=timezone.now() + timedelta(hours=3))
    use_keys(HERE)
    return Conversation.objects.select_related("data_key").get(pk=conversation.pk)


def _errors_name_the_key_and_hold_no_content(caplog: pytest.LogCaptureFixture) -> None:
    errors = [record.getMessage() for record in caplog.records
              if record.levelno >= logging.ERROR]
    assert any("'gone'" in message and "HAVEN_MASTER_KEYS" in message for message in errors)
    for record in caplog.records:
        assert SECRET not in record.getMessage()
        assert "Friday" not in record.getMessage()


# Pages ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("side", ["colleague", "supporter"])
def test_the_conversation_page_says_it_cannot_be_opened_instead_of_failing(
        side: str, stranded: Conversation, caplog: pytest.LogCaptureFixture) -> None:
    person = stranded.colleague if side == "colleague" else stranded.supporter
    caplog.set_level(logging.INFO)

    response = signed_in(person).get(f"/conversations/{stranded.pk}/")

    page = response.content.decode()
    assert response.status_code == 423
    assert CANNOT_OPEN in page
    assert SECRET not in page and "'gone'" not in page  # the key id is for the operator
    _errors_name_the_key_and_hold_no_content(caplog)
    # Nothing was read, so nothing is logged as read.
    assert not AuditEvent.objects.filter(action=SupportAudit.CONVERSATION_READ,
                                         object_id=str(stranded.pk)).exists()


def test_others_still_get_404_not_the_key_page(stranded: Conversation) -> None:
    response = signed_in(make_person(Role.SUPPORTER)).get(f"/conversations/{stranded.pk}/")

    assert response.status_code == 404


def test_sending_from_the_page_stores_nothing_and_says_why(stranded: Conversation) -> None:
    before = Message.objects.count()

    response = signed_in(stranded.colleague).post(
        f"/conversations/{stranded.pk}/send/",
        {"client_id": str(uuid.uuid4()), "text": "Are you there?"})

    assert response.status_code == 423
    assert CANNOT_OPEN in response.content.decode()
    assert Message.objects.count() == before


def test_recording_a_commitment_stores_nothing_and_says_why(stranded: Conversation) -> None:
    due = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")

    response = signed_in(stranded.supporter).post(
        f"/conversations/{stranded.pk}/commitments/", {"what": "Call HR", "due_at": due})

    assert response.status_code == 423
    assert Commitment.objects.filter(conversation=stranded).count() == 1


def test_pages_without_content_still_open(stranded: Conversation) -> None:
    assert signed_in(stranded.colleague).get("/support/").status_code == 200
    assert signed_in(stranded.supporter).get("/supporter/").status_code == 200


def test_the_colleague_can_still_erase_it(stranded: Conversation) -> None:
    # Erasing destroys the data key; it needs no master key.
    response = signed_in(stranded.colleague).post(f"/conversations/{stranded.pk}/erase/")

    assert response.status_code == 302
    stranded.refresh_from_db()
    assert stranded.state == Conversation.State.SHREDDED


def test_the_live_coach_reads_the_draft_without_the_context(stranded: Conversation) -> None:
    response = signed_in(stranded.supporter).post(
        f"/conversations/{stranded.pk}/coach/", {"reply": "That sounds really hard."})

    assert response.status_code == 200


# API -----------------------------------------------------------------------------------------

API = "/api/v1/support"


def test_the_api_answers_its_json_error_for_the_messages(stranded: Conversation,
                                                         caplog: pytest.LogCaptureFixture
                                                         ) -> None:
    client = signed_in(stranded.colleague)

    read = client.get(f"{API}/conversations/{stranded.pk}/messages")
    sent = client.post(f"{API}/conversations/{stranded.pk}/messages",
                       data=json.dumps({"client_id": str(uuid.uuid4()), "text": "Hello?"}),
                       content_type="application/json")

    for response in (read, sent):
        assert response.status_code == 423
        assert response.json() == {"message": CANNOT_OPEN, "errors": []}
    assert Message.objects.filter(conversation=stranded).count() == 1
    _errors_name_the_key_and_hold_no_content(caplog)


def test_the_api_still_describes_the_conversation(stranded: Conversation) -> None:
    response = signed_in(stranded.colleague).get(f"{API}/conversations/{stranded.pk}")

    assert response.status_code == 200
    assert response.json()["id"] == stranded.pk


def test_the_commitments_list_leaves_out_only_the_stranded_conversation(
        stranded: Conversation, use_keys: Switch) -> None:
    readable = _talking(stranded.colleague, stranded.supporter, text="Another matter.")
    commitments.record_commitment(conversation=readable, supporter=stranded.supporter,
                                    what="Send the policy link",
                                    due_at=timezone.now() + timedelta(days=1))

    for person in (stranded.colleague, stranded.supporter):
        response = signed_in(person).get(f"{API}/commitments")

        assert response.status_code == 200
        assert [item["what"] for item in response.json()] == ["Send the policy link"]
        assert {item["conversation_id"] for item in response.json()} == {readable.pk}
    assert not AuditEvent.objects.filter(action=SupportAudit.CONVERSATION_READ,
                                         object_id=str(stranded.pk)).exists()


# Live chat -----------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_the_live_chat_says_so_and_closes_for_good(use_keys: Switch, colleague: Person) -> None:
    from haven.asgi import application

    use_keys(GONE)
    chat = open_chat(colleague, make_person(Role.SUPPORTER), first_message=SECRET)
    use_keys(HERE)
    client = Client()
    client.force_login(colleague)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value

    async def scenario() -> tuple[dict[str, object], int]:
        socket = WebsocketCommunicator(
            application, f"/ws/conversations/{chat.pk}/",
            headers=[(b"origin", django_settings.HAVEN_BASE_URL.rstrip("/").encode()),
                     (b"host", b"127.0.0.1"),
                     (b"cookie", f"{django_settings.SESSION_COOKIE_NAME}={cookie}".encode())])
        connected, _protocol = await socket.connect(timeout=5)
        assert connected
        first = await socket.receive_output(timeout=5)
        closed = await socket.receive_output(timeout=5)
        assert first["type"] == "websocket.send", first
        assert closed["type"] == "websocket.close", closed
        return json.loads(first["text"]), int(closed["code"])

    frame, code = async_to_sync(scenario)()

    assert frame == {"type": "error", "message": CANNOT_OPEN}
    assert code == 4423


# Opening a request under a retired key --------------------------------------------------------

def test_a_new_request_on_a_server_whose_key_is_retired_is_refused_with_the_text_kept(
        use_keys: Switch, colleague: Person, supporter_person: Person) -> None:
    use_keys(GONE)
    from haven.vault.models import MasterKeyState

    MasterKeyState.objects.create(key_id="gone", retired_at=timezone.now())
    form = {"topic": "bullying", "mode": "messages", "use_pseudonym": "name", "language": "en",
            "avoid_my_team": "on", "person_of_concern": "", "acknowledged": "on",
            "message": SECRET, "submission_id": str(uuid.uuid4())}

    page = signed_in(colleague).post("/support/new/", form)
    api = signed_in(colleague).post(
        f"{API}/requests", content_type="application/json", data=json.dumps({
            "topic": "bullying", "mode": "messages", "acknowledged_confidentiality": True,
            "message": SECRET, "submission_id": str(uuid.uuid4())}))

    assert page.status_code == 200
    assert "Haven cannot open a new request right now" in page.content.decode()
    assert SECRET in page.content.decode()  # what they wrote is still in the form
    assert api.status_code == 422
    assert "Haven cannot open a new request right now" in api.json()["errors"][0]["message"]
    assert not SupportRequest.objects.exists()
    assert not DataKey.objects.exists()


# The worker ----------------------------------------------------------------------------------

def test_reminders_and_retention_need_no_master_key(
        stranded: Conversation, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    # The jobs as the worker runs them (haven.core.scheduler), each on its own; a worker in
    # another process runs them in tests/vault/test_key_holders.py.
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.remind_commitments() == 1
    assert Commitment.objects.get(conversation=stranded).reminded_at is not None
    assert len(mail.outbox) == 1
    conversations.close_conversation(conversation=stranded, by=stranded.colleague)
    Conversation.objects.filter(pk=stranded.pk).update(
        shred_after=timezone.now() - timedelta(minutes=1))

    assert jobs.shred_expired_conversations() == 1
    stranded.refresh_from_db()
    assert stranded.state == Conversation.State.SHREDDED
