"""/api/v1/support: requests, conversations, messages and commitments — what participants get,
what everyone else does not, and how bad input is refused."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.db.models import Q
from django.test import Client
from django.utils import timezone

from haven.core.models import AuditEvent, Person, Role
from haven.support import commitments, conversations, offers
from haven.support import requests as support_requests
from haven.support.models import (
    Commitment,
    Conversation,
    Message,
    Offer,
    SupportAudit,
    SupporterProfile,
    SupportRequest,
)
from haven.vault.crypto import keyed_pseudonym
from tests.api.test_api import assert_json_error, bearer, token_for
from tests.conftest import signed_in
from tests.factories import LocationFactory, make_person

pytestmark = pytest.mark.django_db

API = "/api/v1/support"
SECRET = "My manager shouts at me every morning — secret-7c1f"
PROMISE = "Check in with you on Friday — promise-9d2e"


def post(client: Client, path: str, body: object, **extra: str):  # type: ignore[no-untyped-def]
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(path, data, content_type="application/json", **extra)


def request_body(**overrides: object) -> dict[str, Any]:
    body: dict[str, Any] = {
        "topic": "workload", "mode": "messages", "use_pseudonym": False, "language": "en",
        "avoid_my_team": True, "avoid_my_department": False,
        "acknowledged_confidentiality": True, "message": SECRET,
        "submission_id": str(uuid.uuid4()),
    }
    body.update(overrides)
    return body


def open_conversation(colleague: Person, supporter: Person, text: str = SECRET,
                      **options: Any) -> Conversation:
    """A request from COLLEAGUE, accepted by SUPPORTER."""
    support_request = support_requests.open_request(
        requester=colleague, topic="workload", mode="messages",
        use_pseudonym=options.get("use_pseudonym", False), language="en", avoid_my_team=True,
        avoid_my_department=False, person_of_concern=None, preferred_supporter=None,
        acknowledged_confidentiality=True, first_message=text,
        submission_id=str(uuid.uuid4()))
    offer = Offer.objects.create(request=support_request, supporter=supporter,
                                 expires_at=timezone.now() + timedelta(hours=1))
    return offers.accept_offer(offer=offer, supporter=supporter)


def snapshot() -> tuple[int, ...]:
    return (SupportRequest.objects.count(), Conversation.objects.count(),
            Message.objects.count(), Commitment.objects.count(), Offer.objects.count())


def reads_by(person: Person, conversation: Conversation | None = None) -> int:
    """Reads by PERSON: by name, or, in CONVERSATION, under its pseudonym for them."""
    named = Q(actor=person)
    if conversation is not None:
        named |= Q(actor_pseudonym=keyed_pseudonym(conversation.data_key, f"person:{person.pk}"))
    return AuditEvent.objects.filter(named, action=SupportAudit.CONVERSATION_READ).count()


@pytest.fixture
def conversation(colleague: Person, supporter: Person) -> Conversation:
    return open_conversation(colleague, supporter)


@pytest.fixture
def as_supporter(supporter: Person) -> Client:
    return signed_in(supporter)


def future(days: int = 3) -> str:
    return (timezone.now() + timedelta(days=days)).isoformat()


# --- requests ---------------------------------------------------------------------------------

def test_a_colleague_opens_a_request(as_colleague: Client, colleague: Person) -> None:
    body = request_body(use_pseudonym=True)

    response = post(as_colleague, f"{API}/requests", body)

    assert response.status_code == 201, response.content
    data = response.json()
    support_request = SupportRequest.objects.get(requester=colleague)
    assert data["id"] == support_request.pk
    assert data["conversation_id"] == support_request.conversation.pk
    assert data["topic"] == "workload" and data["mode"] == "messages"
    assert data["state"] == SupportRequest.State.WAITING  # nobody to offer it to here
    assert data["use_pseudonym"] is True and data["pseudonym"] == support_request.details.pseudonym
    assert str(support_request.submission_id) == body["submission_id"]
    assert support_request.conversation.messages.count() == 1
    assert SECRET not in response.content.decode()


def test_the_same_submission_twice_opens_one_request(as_colleague: Client) -> None:
    body = request_body()

    first = post(as_colleague, f"{API}/requests", body)
    second = post(as_colleague, f"{API}/requests", {**body, "message": "again"})

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert SupportRequest.objects.count() == 1
    assert Message.objects.count() == 1


def test_the_first_response_target_is_utc_in_the_first_answer_and_a_repeated_one() -> None:
    # A requester far from UTC: the target is worked out in their zone, given in UTC.
    tokyo = make_person(location=LocationFactory(time_zone="Asia/Tokyo"))
    client = signed_in(tokyo)
    body = request_body()

    first = post(client, f"{API}/requests", body).json()["first_response_due"]
    again = post(client, f"{API}/requests", body).json()["first_response_due"]

    assert first == again and first.endswith("Z")


def test_a_submission_id_someone_else_used_is_refused(as_colleague: Client) -> None:
    other = make_person()
    body = request_body()
    post(signed_in(other), f"{API}/requests", body)
    before = snapshot()

    response = post(as_colleague, f"{API}/requests", {**body, "message": "mine"})

    errors = assert_json_error(response, 422)["errors"]
    assert [error["field"] for error in errors] == ["submission_id"]
    assert snapshot() == before


def test_a_person_of_concern_is_used_and_never_shown(as_colleague: Client) -> None:
    concern = make_person(email="zed.someone@example.org")

    response = post(as_colleague, f"{API}/requests",
                    request_body(person_of_concern_email="Zed.Someone@example.org"))

    assert response.status_code == 201
    assert SupportRequest.objects.get().details.person_of_concern_id == concern.pk
    listed = as_colleague.get(f"{API}/requests").content.decode()
    for shown in (response.content.decode(), listed):
        assert "zed" not in shown.lower()
        assert "person_of_concern" not in shown


def test_a_colleague_lists_only_their_own_requests_without_content(
        as_colleague: Client, colleague: Person, supporter: Person) -> None:
    mine = open_conversation(colleague, supporter)
    open_conversation(make_person(), supporter, text="someone else's words")

    response = as_colleague.get(f"{API}/requests")

    assert response.status_code == 200
    assert [item["id"] for item in response.json()] == [mine.request_id]
    assert response.json()[0]["conversation_id"] == mine.pk
    assert response.json()[0]["state"] == SupportRequest.State.MATCHED
    assert SECRET not in response.content.decode()


FRESH_ID = "5f0c1a2e-7d3b-4c1a-9e2f-000000000001"  # fixed: test ids must match in every process


@pytest.mark.parametrize(("body", "status", "field"), [
    (b"{not json", 400, None),
    (b"[1, 2]", 400, None),
    (request_body(acknowledged_confidentiality=False), 422, "acknowledged_confidentiality"),
    (request_body(acknowledged_confidentiality="yes"), 422, "acknowledged_confidentiality"),
    ({k: v for k, v in request_body().items() if k != "acknowledged_confidentiality"}, 422,
     "acknowledged_confidentiality"),
    (request_body(submission_id="not-a-uuid"), 422, "submission_id"),
    (request_body(submission_id=12), 422, "submission_id"),
    (request_body(topic="gossip"), 422, "topic"),
    (request_body(topic=5), 422, "topic"),
    (request_body(mode="shout"), 422, "mode"),
    (request_body(use_pseudonym="true"), 422, "use_pseudonym"),
    (request_body(avoid_my_team=1), 422, "avoid_my_team"),
    (request_body(language="english"), 422, "language"),
    (request_body(language=["en"]), 422, "language"),
    (request_body(message=""), 422, "message"),
    (request_body(message="   "), 422, "message"),
    (request_body(message="x" * 10_001), 422, "message"),
    (request_body(message=["hello"]), 422, "message"),
    (request_body(person_of_concern_email="not an e-mail"), 422, "person_of_concern_email"),
    (request_body(person_of_concern_email="nobody@example.org"), 422,
     "person_of_concern_email"),
    (request_body(person_of_concern_email="a\x00b@example.org"), 422,
     "person_of_concern_email"),
    (request_body(requester=1), 422, "requester"),
], ids=lambda value: str(value)[:40])
def test_bad_requests_get_clear_json_errors_and_open_nothing(
        as_colleague: Client, body: object, status: int, field: str | None) -> None:
    before = snapshot()

    response = post(as_colleague, f"{API}/requests", body)

    errors = assert_json_error(response, status)["errors"]
    if field is not None:
        assert field in [error["field"] for error in errors], errors
    assert snapshot() == before
    assert SECRET not in response.content.decode()


def test_naming_yourself_as_the_person_of_concern_is_refused(as_colleague: Client,
                                                             colleague: Person) -> None:
    response = post(as_colleague, f"{API}/requests",
                    request_body(person_of_concern_email=colleague.email))

    errors = assert_json_error(response, 422)["errors"]
    assert [error["field"] for error in errors] == ["person_of_concern_email"]
    assert snapshot() == (0, 0, 0, 0, 0)


# --- conversations ----------------------------------------------------------------------------

def test_both_sides_list_their_conversations_as_metadata(
        as_colleague: Client, as_supporter: Client, conversation: Conversation,
        supporter: Person, colleague: Person) -> None:
    as_colleague_list = as_colleague.get(f"{API}/conversations")
    as_supporter_list = as_supporter.get(f"{API}/conversations")

    [seen_by_colleague] = as_colleague_list.json()
    [seen_by_supporter] = as_supporter_list.json()
    assert seen_by_colleague["id"] == seen_by_supporter["id"] == conversation.pk
    assert seen_by_colleague["role"] == "colleague"
    assert seen_by_colleague["other_name"] == supporter.name
    assert seen_by_supporter["role"] == "supporter"
    assert seen_by_supporter["other_name"] == colleague.name
    assert seen_by_colleague["state"] == "open" and seen_by_colleague["supporter_joined"]
    for response in (as_colleague_list, as_supporter_list):
        assert SECRET not in response.content.decode()


def test_a_supporter_sees_the_pseudonym_not_the_name(supporter: Person,
                                                     colleague: Person) -> None:
    conversation = open_conversation(colleague, supporter, use_pseudonym=True)

    [listed] = signed_in(supporter).get(f"{API}/conversations").json()
    detail = signed_in(supporter).get(f"{API}/conversations/{conversation.pk}").json()

    assert listed["other_name"] == detail["other_name"] == conversation.request.details.pseudonym
    assert colleague.name not in json.dumps([listed, detail])


def test_listing_conversations_does_not_query_once_per_conversation(
        supporter: Person, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    for _n in range(8):
        open_conversation(make_person(), supporter)
    client = signed_in(supporter)

    with django_assert_max_num_queries(10):
        response = client.get(f"{API}/conversations")

    assert len(response.json()) == 8


def test_a_participant_gets_one_conversation(as_colleague: Client,
                                             conversation: Conversation) -> None:
    response = as_colleague.get(f"{API}/conversations/{conversation.pk}")

    assert response.status_code == 200
    assert response.json()["id"] == conversation.pk
    assert response.json()["request_id"] == conversation.request_id
    assert SECRET not in response.content.decode()


def test_participants_read_messages_and_each_read_is_audited(
        as_colleague: Client, as_supporter: Client, conversation: Conversation,
        supporter: Person) -> None:
    response = as_supporter.get(f"{API}/conversations/{conversation.pk}/messages")

    assert response.status_code == 200
    [first] = response.json()
    assert first["text"] == SECRET
    assert first["sender_role"] == "colleague"
    assert reads_by(supporter, conversation) == 1
    assert SECRET not in str(list(AuditEvent.objects.values_list("detail", flat=True)))

    later = as_colleague.get(f"{API}/conversations/{conversation.pk}/messages",
                             {"after": first["id"]})

    assert later.json() == []


def test_sending_a_message_is_idempotent(as_colleague: Client, as_supporter: Client,
                                         conversation: Conversation) -> None:
    client_id = str(uuid.uuid4())
    path = f"{API}/conversations/{conversation.pk}/messages"

    first = post(as_supporter, path, {"client_id": client_id, "text": "I hear you."})
    again = post(as_supporter, path, {"client_id": client_id, "text": "I hear you."})

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert (first.json()["duplicate"], again.json()["duplicate"]) == (False, True)
    assert first.json()["client_id"] == client_id
    assert conversation.messages.filter(client_id=client_id).count() == 1
    texts = [message["text"] for message in as_colleague.get(path).json()]
    assert texts == [SECRET, "I hear you."]
    conversation.request.refresh_from_db()
    assert conversation.request.first_response_at is not None


def test_the_other_side_cannot_reuse_a_message_id(as_supporter: Client,
                                                  conversation: Conversation) -> None:
    taken = str(conversation.messages.get().client_id)

    response = post(as_supporter, f"{API}/conversations/{conversation.pk}/messages",
                    {"client_id": taken, "text": "mine"})

    errors = assert_json_error(response, 422)["errors"]
    assert [error["field"] for error in errors] == ["client_id"]
    assert conversation.messages.count() == 1


FRESH_ID = "5f0c1a2e-7d3b-4c1a-9e2f-000000000001"  # fixed: test ids must match in every process


@pytest.mark.parametrize(("body", "status", "field"), [
    (b"{not json", 400, None),
    (b"\"hello\"", 400, None),
    ({"client_id": "not-a-uuid", "text": "hello"}, 422, "client_id"),
    ({"client_id": 5, "text": "hello"}, 422, "client_id"),
    ({"text": "hello"}, 422, "client_id"),
    ({"client_id": FRESH_ID}, 422, "text"),
    ({"client_id": FRESH_ID, "text": ""}, 422, "text"),
    ({"client_id": FRESH_ID, "text": " \n "}, 422, "text"),
    ({"client_id": FRESH_ID, "text": "x" * 10_001}, 422, "text"),
    ({"client_id": FRESH_ID, "text": 42}, 422, "text"),
    ({"client_id": FRESH_ID, "text": {"a": "b"}}, 422, "text"),
    ({"client_id": FRESH_ID, "text": "hi", "sender": 1}, 422, "sender"),
], ids=lambda value: str(value)[:40])
def test_bad_messages_get_clear_json_errors_and_store_nothing(
        as_colleague: Client, conversation: Conversation, body: object, status: int,
        field: str | None) -> None:
    before = snapshot()

    response = post(as_colleague, f"{API}/conversations/{conversation.pk}/messages", body)

    errors = assert_json_error(response, status)["errors"]
    if field is not None:
        assert field in [error["field"] for error in errors], errors
    assert snapshot() == before
    assert len(response.content) < 2_000


def test_a_closed_conversation_takes_no_messages(as_colleague: Client, colleague: Person,
                                                 conversation: Conversation) -> None:
    conversations.close_conversation(conversation=conversation, by=colleague)

    response = post(as_colleague, f"{API}/conversations/{conversation.pk}/messages",
                    {"client_id": str(uuid.uuid4()), "text": "one more thing"})

    body = assert_json_error(response, 422)
    assert "closed" in body["errors"][0]["message"]
    assert conversation.messages.count() == 1


# --- nobody else ------------------------------------------------------------------------------

def _conversation_calls(conversation: Conversation) -> list[tuple[str, str, object]]:
    base = f"{API}/conversations/{conversation.pk}"
    return [
        ("get", base, None),
        ("get", f"{base}/messages", None),
        ("get", f"{base}/messages?after=0", None),
        ("post", f"{base}/messages", {"client_id": str(uuid.uuid4()), "text": "let me in"}),
        ("post", f"{base}/commitments", {"what": "snoop", "due_at": future()}),
    ]


def _call(client: Client, method: str, path: str, body: object, **extra: str):  # type: ignore[no-untyped-def]
    if method == "get":
        return client.get(path, **extra)
    return post(client, path, body, **extra)


@pytest.mark.parametrize("outsider", ["coordinator", "administrator", "another_supporter",
                                      "another_colleague"])
def test_non_participants_get_404_without_content_everywhere(
        outsider: str, conversation: Conversation, supporter: Person) -> None:
    commitments.record_commitment(conversation=conversation, supporter=supporter,
                                    what=PROMISE, due_at=timezone.now() + timedelta(days=2))
    person = {
        "coordinator": lambda: make_person(Role.COORDINATOR),
        "administrator": lambda: make_person(Role.ADMINISTRATOR),
        "another_supporter": lambda: make_person(Role.SUPPORTER),
        "another_colleague": lambda: make_person(),
    }[outsider]()
    before = snapshot()

    for client, extra in ((signed_in(person), {}), (Client(), bearer(token_for(person)))):
        for method, path, body in _conversation_calls(conversation):
            response = _call(client, method, path, body, **extra)
            assert_json_error(response, 404)
            assert response.json() == {"message": "Not found.", "errors": []}
        for path in ("/conversations", "/commitments", "/requests"):
            response = client.get(f"{API}{path}", **extra)
            assert response.status_code == 200
            assert response.json() == []
    assert snapshot() == before
    assert reads_by(person) == 0


def test_a_former_supporter_is_let_go_after_a_handover(
        as_supporter: Client, supporter: Person, colleague: Person,
        conversation: Conversation) -> None:
    commitments.record_commitment(conversation=conversation, supporter=supporter,
                                    what=PROMISE, due_at=timezone.now() + timedelta(days=2))
    conversations.request_handover(conversation=conversation, supporter=supporter)
    conversation.refresh_from_db()
    conversations.consent_to_handover(conversation=conversation, colleague=colleague)

    for method, path, body in _conversation_calls(conversation):
        assert_json_error(_call(as_supporter, method, path, body), 404)
    assert as_supporter.get(f"{API}/conversations").json() == []
    assert as_supporter.get(f"{API}/commitments").json() == []


@pytest.mark.parametrize("path", ["/conversations/999999", "/conversations/999999/messages",
                                  "/conversations/99999999999999999999999",
                                  "/conversations/99999999999999999999999/messages",
                                  "/conversations/-1", "/conversations/0/messages"])
def test_unknown_conversations_get_404(as_colleague: Client, path: str) -> None:
    assert_json_error(as_colleague.get(f"{API}{path}"), 404)
    sent = post(as_colleague, f"{API}{path.removesuffix('/messages')}/messages",
                {"client_id": str(uuid.uuid4()), "text": "hello"})
    assert_json_error(sent, 404)


@pytest.mark.parametrize("path", ["/conversations/abc", "/conversations/1/messages?after=-1",
                                  "/conversations/1/messages?after=abc",
                                  "/conversations/1/messages?after=99999999999999999999999"])
def test_malformed_ids_get_422(as_colleague: Client, path: str) -> None:
    assert_json_error(as_colleague.get(f"{API}{path}"), 422)


def _all_routes(conversation_id: int) -> list[tuple[str, str, object]]:
    base = f"{API}/conversations/{conversation_id}"
    return [
        ("get", f"{API}/requests", None), ("post", f"{API}/requests", request_body()),
        ("get", f"{API}/conversations", None), ("get", base, None),
        ("get", f"{base}/messages", None),
        ("post", f"{base}/messages", {"client_id": str(uuid.uuid4()), "text": "hi"}),
        ("get", f"{API}/commitments", None),
        ("post", f"{base}/commitments", {"what": "x", "due_at": future()}),
    ]


def test_anonymous_callers_get_401_everywhere(conversation: Conversation) -> None:
    before = snapshot()

    for method, path, body in _all_routes(conversation.pk):
        for extra in ({}, bearer("hvn_" + "A" * 43)):
            response = _call(Client(), method, path, body, **extra)
            assert_json_error(response, 401)
            assert SECRET not in response.content.decode()
    assert snapshot() == before


# --- tokens and CSRF --------------------------------------------------------------------------

def test_a_token_works_for_reading_and_sending_without_csrf(colleague: Person,
                                                            conversation: Conversation) -> None:
    client = Client(enforce_csrf_checks=True)
    header = bearer(token_for(colleague))

    listed = client.get(f"{API}/conversations", **header)
    sent = post(client, f"{API}/conversations/{conversation.pk}/messages",
                {"client_id": str(uuid.uuid4()), "text": "sent by a script"}, **header)
    opened = post(client, f"{API}/requests", request_body(), **header)
    read = client.get(f"{API}/conversations/{conversation.pk}/messages", **header)

    assert listed.json()[0]["id"] == conversation.pk
    assert (sent.status_code, opened.status_code) == (201, 201)
    assert [message["text"] for message in read.json()] == [SECRET, "sent by a script"]


def test_a_session_send_needs_the_csrf_token(colleague: Person,
                                             conversation: Conversation) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(colleague)

    response = post(client, f"{API}/conversations/{conversation.pk}/messages",
                    {"client_id": str(uuid.uuid4()), "text": "forged?"})

    assert_json_error(response, 403)
    assert conversation.messages.count() == 1


# --- commitments ------------------------------------------------------------------------------

def test_the_supporter_records_a_commitment_both_sides_see(
        as_colleague: Client, as_supporter: Client, conversation: Conversation,
        supporter: Person, colleague: Person) -> None:
    due = future()

    response = post(as_supporter, f"{API}/conversations/{conversation.pk}/commitments",
                    {"what": f"  {PROMISE} ", "due_at": due})

    assert response.status_code == 201, response.content
    created = response.json()
    assert created["what"] == PROMISE and created["state"] == "open"
    [to_me] = as_colleague.get(f"{API}/commitments").json()
    [mine] = as_supporter.get(f"{API}/commitments").json()
    assert to_me["id"] == mine["id"] == created["id"]
    assert to_me["what"] == mine["what"] == PROMISE
    assert (to_me["role"], mine["role"]) == ("colleague", "supporter")
    assert to_me["conversation_id"] == conversation.pk
    assert reads_by(colleague, conversation) == 1 and reads_by(supporter, conversation) == 1


def test_the_colleague_cannot_record_commitments(as_colleague: Client,
                                                 conversation: Conversation) -> None:
    response = post(as_colleague, f"{API}/conversations/{conversation.pk}/commitments",
                    {"what": "I will do it myself", "due_at": future()})

    assert_json_error(response, 403)
    assert Commitment.objects.count() == 0


@pytest.mark.parametrize(("body", "field"), [
    ({"what": "", "due_at": future()}, "what"),
    ({"what": "   ", "due_at": future()}, "what"),
    ({"what": "x" * 501, "due_at": future()}, "what"),
    ({"what": 5, "due_at": future()}, "what"),
    ({"what": "Call you", "due_at": future(-1)}, "due_at"),
    ({"what": "Call you", "due_at": "2030-01-01T10:00:00"}, "due_at"),  # no time zone
    ({"what": "Call you", "due_at": "next friday"}, "due_at"),
    ({"what": "Call you"}, "due_at"),
    ({"what": "Call you", "due_at": future(), "state": "kept"}, "state"),
], ids=lambda value: str(value)[:40])
def test_bad_commitments_get_clear_json_errors(as_supporter: Client,
                                               conversation: Conversation, body: object,
                                               field: str) -> None:
    response = post(as_supporter, f"{API}/conversations/{conversation.pk}/commitments", body)

    errors = assert_json_error(response, 422)["errors"]
    assert field in [error["field"] for error in errors], errors
    assert Commitment.objects.count() == 0


def test_the_openapi_document_describes_the_support_api() -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]

    assert {"/api/v1/support/requests", "/api/v1/support/conversations",
            "/api/v1/support/conversations/{conversation_id}",
            "/api/v1/support/conversations/{conversation_id}/messages",
            "/api/v1/support/commitments",
            "/api/v1/support/conversations/{conversation_id}/commitments"} <= set(paths)


def test_a_token_reaches_the_support_api_for_supporters_too(supporter: Person,
                                                            conversation: Conversation) -> None:
    response = Client().get(f"{API}/conversations/{conversation.pk}/messages",
                            **bearer(token_for(supporter)))

    assert response.status_code == 200
    assert response.json()[0]["text"] == SECRET


def test_expected_reply_by_is_utc_like_every_other_time(as_colleague: Client) -> None:
    # The only supporter who fits is free in two hours, in a zone far from UTC: the colleague
    # is told when, in UTC like created_at, never with the supporter's own offset.
    from zoneinfo import ZoneInfo

    from tests.support.conftest import make_supporter, midday_zone

    zone = midday_zone()
    today = timezone.now().astimezone(ZoneInfo(zone))
    make_supporter(zone=zone, availability=[
        {"weekday": today.weekday(), "start": f"{today.hour + 2:02d}:00", "end": "23:59"}])

    data = post(as_colleague, f"{API}/requests", request_body(mode="chat")).json()
    listed = as_colleague.get(f"{API}/requests").json()

    assert data["state"] == SupportRequest.State.WAITING
    for shown in (data, listed[0] if isinstance(listed, list) else listed["items"][0]):
        expected = shown["expected_reply_by"]
        assert expected is not None and expected > shown["created_at"]
        assert expected.endswith("Z") and shown["created_at"].endswith("Z"), shown


# --- a supporter's weekly availability ---------------------------------------------------------

AVAILABILITY = "/api/v1/support/profile/availability"


def put_availability(client: Client, windows: list[dict[str, str]]):  # type: ignore[no-untyped-def]
    return client.put(AVAILABILITY, json.dumps({"windows": windows}),
                      content_type="application/json")


def test_a_supporter_sets_and_reads_their_availability_as_a_list_of_ranges(
        supporter: Person) -> None:
    client = signed_in(supporter)

    response = put_availability(client, [
        {"day": "tuesday", "start": "11:00", "end": "14:00"},
        {"day": "tuesday", "start": "09:00", "end": "12:00"},
        {"day": "monday", "start": "09:00", "end": "12:00"}])

    assert response.status_code == 200
    profile = SupporterProfile.objects.get(person=supporter)
    assert profile.availability == [{"weekday": 0, "start": "09:00", "end": "12:00"},
                                    {"weekday": 1, "start": "09:00", "end": "14:00"}]
    read = client.get(AVAILABILITY).json()
    assert read["windows"] == [{"day": "monday", "start": "09:00:00", "end": "12:00:00"},
                               {"day": "tuesday", "start": "09:00:00", "end": "14:00:00"}]
    assert read["summary"] == "Mon 09:00–12:00; Tue 09:00–14:00"
    assert read["time_zone"] == supporter.time_zone


def test_a_range_that_ends_before_it_starts_is_a_422_naming_the_day(supporter: Person) -> None:
    client = signed_in(supporter)

    response = put_availability(client, [{"day": "tuesday", "start": "17:00", "end": "09:00"}])

    body = assert_json_error(response, 422)
    assert body["errors"] == [{"field": "windows", "message":
                               "Tuesday: the end 09:00 is before the start 17:00."}]
    assert not SupporterProfile.objects.filter(person=supporter).exclude(
        availability=[]).exists()


def test_only_supporters_have_availability(as_colleague: Client) -> None:
    assert as_colleague.get(AVAILABILITY).status_code == 403
    assert put_availability(as_colleague, []).status_code == 403
