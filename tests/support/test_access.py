"""Only the two participants can read a conversation; every read is audited without content;
the coordinator's and administrator's pages hold no content and only k-anonymous figures."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from haven.core.models import AuditEvent, Person, Role
from haven.support import commitments, conversations, offers
from haven.support.models import (
    Commitment,
    Conversation,
    Message,
    Offer,
    SupportAudit,
    SupportRequest,
)
from haven.vault.crypto import keyed_pseudonym
from tests.conftest import signed_in
from tests.factories import make_person
from tests.support.conftest import make_supporter, open_request

pytestmark = pytest.mark.django_db

SECRET = "The quarterly review was used to humiliate me"
REPLY = "That sounds like it really hurt"
PROMISE = "Look up the dignity-at-work policy"


@pytest.fixture
def setting() -> dict[str, object]:
    """A colleague (with a manager) talking with a supporter, with a commitment."""
    manager = make_person()
    colleague = make_person(manager=manager)
    supporter = make_supporter()
    support_request = open_request(colleague, first_message=SECRET, use_pseudonym=True)
    conversation = offers.accept_offer(offer=support_request.offers.get(),
                                         supporter=supporter)
    conversations.send_message(conversation=conversation, sender=supporter,
                               client_id=uuid.uuid4(), text=REPLY)
    commitment = commitments.record_commitment(
        conversation=conversation, supporter=supporter, what=PROMISE,
        due_at=timezone.now() + timedelta(days=2))
    return {"colleague": colleague, "supporter": supporter, "manager": manager,
            "conversation": conversation, "commitment": commitment,
            "request": support_request}


def _state() -> tuple[object, ...]:
    """Everything an outsider's request could change."""
    return (
        list(Conversation.objects.values_list("pk", "state", "supporter", "felt_heard",
                                              "handover_requested_at", "closed_at")),
        list(Message.objects.values_list("pk", "body")),
        list(Commitment.objects.values_list("pk", "state", "what", "note")),
        list(SupportRequest.objects.values_list("pk", "state")),
        list(Offer.objects.values_list("pk", "state")),
        AuditEvent.objects.filter(action__in=[SupportAudit.CONVERSATION_READ,
                                              SupportAudit.CONVERSATION_ERASED,
                                              SupportAudit.SAFETY_ESCALATED]).count(),
    )


def _routes(conversation: Conversation, commitment: Commitment) -> list[tuple[str, str, dict]]:
    c = f"/conversations/{conversation.pk}"
    return [
        ("get", f"{c}/", {}),
        ("get", f"{c}/erase/", {}),
        ("post", f"{c}/erase/", {}),
        ("post", f"{c}/send/", {"text": "let me in", "client_id": str(uuid.uuid4())}),
        ("post", f"{c}/close/", {}),
        ("post", f"{c}/feedback/", {"felt_heard": "1"}),
        ("post", f"{c}/handover/", {}),
        ("post", f"{c}/handover/consent/", {}),
        ("post", f"{c}/escalate/", {}),
        ("post", f"{c}/commitments/", {"what": "x", "due_at": "2099-01-01T10:00"}),
        ("post", f"/commitments/{commitment.pk}/", {"outcome": "missed"}),
    ]


# Supporter-only routes are refused by the access table (403, the same for every id, so it
# reveals nothing) before the view runs; everything else answers 404, as if it did not exist.
SUPPORTER_ONLY = re.compile(r"/(handover|escalate|commitments)/$|^/commitments/")


@pytest.mark.parametrize("who", ["coordinator", "administrator", "other supporter",
                                 "manager", "other colleague", "supporter and coordinator"])
def test_nobody_but_the_participants_reaches_a_conversation(setting: dict, who: str) -> None:
    outsider = {
        "coordinator": lambda: make_person(Role.COORDINATOR),
        "administrator": lambda: make_person(Role.ADMINISTRATOR),
        "other supporter": lambda: make_supporter(),
        "manager": lambda: setting["manager"],
        "other colleague": lambda: make_person(),
        "supporter and coordinator": lambda: make_person(Role.SUPPORTER, Role.COORDINATOR),
    }[who]()
    client = signed_in(outsider)
    before = _state()

    for method, path, data in _routes(setting["conversation"], setting["commitment"]):
        response = getattr(client, method)(path, data)
        role_gated = bool(SUPPORTER_ONLY.search(path)) and \
            not outsider.has_role(Role.SUPPORTER)
        expected = 403 if role_gated else 404
        assert response.status_code == expected, (who, method, path)
        body = response.content.decode()
        for text in (SECRET, REPLY, PROMISE, setting["request"].details.pseudonym):
            assert text not in body

    assert _state() == before


def test_a_signed_out_visitor_is_sent_to_sign_in_and_nothing_changes(setting: dict) -> None:
    before = _state()

    for method, path, data in _routes(setting["conversation"], setting["commitment"]):
        response = getattr(Client(), method)(path, data)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    assert _state() == before


def test_a_conversation_that_does_not_exist_looks_the_same(setting: dict) -> None:
    client = signed_in(make_person(Role.COORDINATOR))
    real = client.get(f"/conversations/{setting['conversation'].pk}/")
    missing = client.get("/conversations/999999/")
    huge = client.get("/conversations/99999999999999999999/")

    assert real.status_code == missing.status_code == huge.status_code == 404
    csrf = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert csrf.sub(b"", real.content) == csrf.sub(b"", missing.content)


def test_both_participants_read_it(setting: dict) -> None:
    for person in (setting["colleague"], setting["supporter"]):
        body = signed_in(person).get(f"/conversations/{setting['conversation'].pk}/")

        assert body.status_code == 200
        text = body.content.decode()
        assert SECRET in text and REPLY in text and PROMISE in text


def test_a_supporter_sees_the_pseudonym_never_the_name(setting: dict) -> None:
    body = signed_in(setting["supporter"]).get(
        f"/conversations/{setting['conversation'].pk}/").content.decode()

    assert setting["request"].details.pseudonym in body
    assert setting["colleague"].name not in body
    assert setting["colleague"].email not in body


def test_every_read_of_content_is_audited_without_content(setting: dict) -> None:
    conversation = setting["conversation"]
    client = signed_in(setting["supporter"])

    client.get(f"/conversations/{conversation.pk}/")
    client.get(f"/conversations/{conversation.pk}/")
    # A refused send shows the page again, with its content: that is a read too.
    assert signed_in(setting["colleague"]).post(
        f"/conversations/{conversation.pk}/send/",
        {"text": "", "client_id": str(uuid.uuid4())}).status_code == 400

    reads = AuditEvent.objects.filter(action=SupportAudit.CONVERSATION_READ).order_by("pk")
    # Recorded under the conversation's pseudonyms: the log says a participant read it, and
    # which one only to someone who holds the conversation's key.
    supporter_alias = keyed_pseudonym(conversation.data_key, f"person:{setting['supporter'].pk}")
    colleague_alias = keyed_pseudonym(conversation.data_key, f"person:{setting['colleague'].pk}")
    assert supporter_alias != colleague_alias
    assert [(e.actor_id, e.actor_pseudonym, e.object_type, e.object_id) for e in reads] == [
        (None, supporter_alias, "conversation", str(conversation.pk)),
        (None, supporter_alias, "conversation", str(conversation.pk)),
        (None, colleague_alias, "conversation", str(conversation.pk)),
    ]
    for event in reads:
        assert set(event.detail) <= {"messages", "commitments"}
        assert all(isinstance(value, int) for value in event.detail.values())
        # No address, and the time only to the hour: nothing to match with a sign-in row.
        assert event.ip_hash == ""
        assert (event.at.minute, event.at.second, event.at.microsecond) == (0, 0, 0)
        for text in (SECRET, REPLY, PROMISE):
            assert text not in str(event.detail)


def test_an_outsiders_attempt_writes_no_read_event(setting: dict) -> None:
    before = AuditEvent.objects.filter(action=SupportAudit.CONVERSATION_READ).count()

    signed_in(make_supporter()).get(f"/conversations/{setting['conversation'].pk}/")

    assert AuditEvent.objects.filter(action=SupportAudit.CONVERSATION_READ).count() == before


def test_the_programme_page_shows_no_content(setting: dict) -> None:
    coordinator = make_person(Role.COORDINATOR)
    conversations.close_conversation(conversation=setting["conversation"],
                                     by=setting["colleague"])
    conversations.give_feedback(conversation=setting["conversation"],
                                by=setting["colleague"], felt_heard=2, would_return=False)

    response = signed_in(coordinator).get("/programme/")

    assert response.status_code == 200
    body = response.content.decode()
    for text in (SECRET, REPLY, PROMISE, setting["request"].details.pseudonym,
                 setting["colleague"].name, setting["colleague"].email):
        assert text not in body
    assert setting["supporter"].name in body  # supporters' own load is shown
    assert not AuditEvent.objects.filter(action=SupportAudit.CONVERSATION_READ,
                                         actor=coordinator).exists()
    # Why an offer went where it did, in words: no raw matching scores.
    assert "of their capacity free" in body and "eligible supporter" in body
    assert "score" not in body.lower() and "topic fit" not in body


def test_the_programme_settings_page_shows_no_content(setting: dict) -> None:
    body = signed_in(make_person(Role.ADMINISTRATOR)).get(
        "/programme/settings/").content.decode()

    for text in (SECRET, REPLY, PROMISE, setting["request"].details.pseudonym):
        assert text not in body


def _state_row(body: str, label: str) -> list[str]:
    match = re.search(rf"<tr><td>{re.escape(label)}</td><td>(.*?)</td><td>(.*?)</td></tr>",
                      body)
    assert match, f"no row {label!r}"
    return [match.group(1).strip(), match.group(2).strip()]


@pytest.mark.parametrize(("requesters", "shown"), [(3, ["hidden", "hidden"]),
                                                   (4, ["hidden", "hidden"]),
                                                   (5, ["5", "5"]),
                                                   (6, ["6", "7"])])
def test_the_programme_page_hides_groups_under_five(requesters: int,
                                                    shown: list[str]) -> None:
    people = [make_person() for _ in range(requesters)]
    for person in people:
        open_request(person)  # nobody supports yet: every request waits
    if requesters == 6:
        open_request(people[0])  # one person, two requests: people and records differ

    body = signed_in(make_person(Role.COORDINATOR)).get("/programme/").content.decode()

    assert _state_row(body, "Waiting for a supporter") == shown


def test_a_small_cell_next_to_a_large_one_is_hidden_with_the_total_shown_safely() -> None:
    waiting = [make_person() for _ in range(6)]
    for person in waiting:
        open_request(person)
    lone = make_person()
    support_request = open_request(lone)
    conversations.close_conversation(conversation=support_request.conversation, by=lone)

    body = signed_in(make_person(Role.COORDINATOR)).get("/programme/").content.decode()

    assert _state_row(body, "Closed") == ["hidden", "hidden"]
    # Total 7 minus a shown 6 would give the lone closed request away: one more is hidden.
    waiting_row = _state_row(body, "Waiting for a supporter")
    total = re.search(r'<tfoot><tr><th scope="row">All</th><td>(.*?)</td>', body).group(1)
    assert "hidden" in (waiting_row[0], total)


def test_only_coordinators_open_the_programme_page(setting: dict) -> None:
    assert signed_in(setting["supporter"]).get("/programme/").status_code == 403
    assert signed_in(setting["colleague"]).get("/programme/").status_code == 403
    assert signed_in(make_person(Role.COORDINATOR)).get(
        "/programme/settings/").status_code == 403
    assert signed_in(make_person(Role.ADMINISTRATOR)).get(
        "/programme/settings/").status_code == 200


def test_a_supporter_cannot_answer_someone_elses_offer(setting: dict) -> None:
    other = make_supporter()
    support_request = open_request(make_person())
    offer = support_request.offers.get()
    intruder = other if offer.supporter_id != other.pk else setting["supporter"]

    response = signed_in(intruder).post(f"/supporter/offers/{offer.pk}/",
                                        {"answer": "accept"})

    assert response.status_code == 404
    offer.refresh_from_db()
    assert offer.state == Offer.State.PENDING


def test_an_anonymous_person_id_is_never_a_participant(setting: dict) -> None:
    waiting = open_request(make_person()).conversation
    Conversation.objects.filter(pk=waiting.pk).update(supporter=None)
    waiting.refresh_from_db()

    assert waiting.participant_role(None) is None  # type: ignore[arg-type]
    assert setting["conversation"].participant_role(None) is None  # type: ignore[arg-type]


def test_the_colleagues_support_home_lists_only_their_own(setting: dict) -> None:
    other = make_person()
    open_request(other)

    body = signed_in(other).get("/support/").content.decode()

    assert f"/conversations/{setting['conversation'].pk}/" not in body
    assert isinstance(setting["colleague"], Person)
