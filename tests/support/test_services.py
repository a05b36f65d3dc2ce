"""Writes for peer support: requests, offers, messages, commitments, closing, retention,
erasure, hand-over and safety. Real database, real encryption, e-mails after commit."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from haven.core.errors import Refused
from haven.core.models import AuditAction, AuditEvent, Person, Role
from haven.support import commitments, conversations, offers, profiles, programme, selectors
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
from haven.support.org import ReportingLines
from haven.support.safety import signals_crisis
from haven.vault import crypto
from haven.vault.crypto import KeyShredded, keyed_pseudonym
from haven.vault.models import DataKey
from tests.factories import make_person
from tests.support.conftest import make_supporter, midday_zone, open_request

pytestmark = pytest.mark.django_db

FIRST = "My team lead mocks my accent in every stand-up."


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count()
            for model in (SupportRequest, Conversation, Message, Offer, DataKey, Commitment)}


def _talking(colleague: Person, supporter: Person, **overrides: object) -> Conversation:
    """A request the supporter has accepted."""
    support_request = open_request(colleague, **overrides)
    offer = support_request.offers.get(state=Offer.State.PENDING)
    assert offer.supporter_id == supporter.pk
    return offers.accept_offer(offer=offer, supporter=supporter)


def _texts(conversation: Conversation, viewer: Person) -> list[str]:
    conversation = selectors.conversation_for(viewer=viewer, conversation_id=conversation.pk)
    return [m.text for m in selectors.read_messages(viewer=viewer, conversation=conversation)]


def _all_mail() -> str:
    return "\n".join(f"{m.subject}\n{m.body}" for m in mail.outbox)


# --- opening a request -----------------------------------------------------------------------

def test_a_request_opens_with_its_first_message_sealed(colleague: Person) -> None:
    make_supporter()

    support_request = open_request(colleague, first_message=FIRST)

    conversation = support_request.conversation
    assert conversation.colleague == colleague
    assert conversation.state == Conversation.State.WAITING
    message = conversation.messages.get()
    assert FIRST.encode() not in bytes(message.body)
    assert message.client_id == support_request.submission_id
    assert _texts(conversation, colleague) == [FIRST]
    assert support_request.confidentiality_acknowledged_at is not None
    assert support_request.first_response_due > support_request.created_at


def test_confidentiality_must_be_acknowledged_and_nothing_is_created(colleague: Person) -> None:
    make_supporter()
    before = _counts()

    with pytest.raises(ValidationError) as error:
        open_request(colleague, acknowledged_confidentiality=False)

    assert "acknowledged" in error.value.error_dict
    assert _counts() == before


@pytest.mark.parametrize(("change", "field"), [
    ({"topic": "gossip"}, "topic"),
    ({"mode": "carrier pigeon"}, "mode"),
    ({"first_message": ""}, "text"),
    ({"first_message": "   \n  "}, "text"),
    ({"first_message": "x" * 10_001}, "text"),
])
def test_a_bad_request_is_refused_and_creates_nothing(colleague: Person,
                                                       change: dict[str, str],
                                                       field: str) -> None:
    make_supporter()
    before = _counts()

    with pytest.raises(ValidationError) as error:
        open_request(colleague, **change)

    assert field in error.value.error_dict
    assert _counts() == before
    assert mail.outbox == []


def test_the_person_of_concern_cannot_be_yourself(colleague: Person) -> None:
    before = _counts()

    with pytest.raises(ValidationError, match="cannot be you"):
        open_request(colleague, person_of_concern=colleague)

    assert _counts() == before


def test_a_first_message_of_exactly_the_limit_is_accepted(colleague: Person) -> None:
    support_request = open_request(colleague, first_message="y" * 10_000)

    assert _texts(support_request.conversation, colleague) == ["y" * 10_000]


def test_submitting_the_same_form_twice_opens_one_request(colleague: Person) -> None:
    make_supporter()
    submission = str(uuid.uuid4())

    first = open_request(colleague, submission_id=submission, first_message=FIRST)
    again = open_request(colleague, submission_id=submission, first_message=FIRST)

    assert again.pk == first.pk
    assert SupportRequest.objects.count() == 1
    assert Message.objects.count() == 1
    assert Offer.objects.count() == 1


def test_someone_elses_submission_id_does_not_return_their_request(colleague: Person) -> None:
    submission = str(uuid.uuid4())
    theirs = open_request(make_person(), submission_id=submission)

    with pytest.raises(ValidationError, match="out of date"):
        open_request(colleague, submission_id=submission)

    assert SupportRequest.objects.get().pk == theirs.pk


def test_a_malformed_submission_id_is_refused(colleague: Person) -> None:
    with pytest.raises(ValidationError, match="out of date"):
        open_request(colleague, submission_id="not-a-uuid")


def test_a_pseudonym_is_made_only_when_asked(colleague: Person) -> None:
    named = open_request(colleague)
    hidden = open_request(colleague, use_pseudonym=True)

    alias = hidden.details.pseudonym
    assert named.details.pseudonym == "" and named.display_name_for_supporter() == colleague.name
    assert alias and hidden.display_name_for_supporter() == alias
    assert colleague.name not in alias


# --- offers ----------------------------------------------------------------------------------

def test_the_best_supporter_gets_the_offer_with_its_reasons(colleague: Person, commit) -> None:
    make_supporter(topics=["workload"])
    best = make_supporter(topics=["bullying"])

    with commit():
        support_request = open_request(colleague, first_message=FIRST)

    support_request.refresh_from_db()
    assert support_request.state == SupportRequest.State.OFFERED
    offer = support_request.offers.get()
    assert offer.supporter == best
    assert offer.state == Offer.State.PENDING
    assert offer.expires_at - offer.offered_at == timedelta(minutes=30)
    assert offer.reasons["parts"]["topic fit"] == 3.0
    assert offer.reasons["score"] == pytest.approx(sum(offer.reasons["parts"].values()),
                                                   abs=1e-3)
    assert offer.reasons["considered"] == 2
    assert [m.to for m in mail.outbox] == [[best.email]]
    assert FIRST not in _all_mail()
    assert "accent" not in _all_mail()


def test_the_requesters_team_and_the_person_of_concerns_team_are_never_offered(
        colleague: Person) -> None:
    teammate = make_supporter(team=colleague.team)
    bully = make_person()
    close_to_bully = make_supporter(team=bully.team)
    manager = make_supporter()
    Person.objects.filter(pk=colleague.pk).update(manager=manager)
    outsider = make_supporter()

    support_request = open_request(colleague, person_of_concern=bully)

    assert support_request.offers.get().supporter == outsider
    assert {teammate.pk, close_to_bully.pk, manager.pk}.isdisjoint(
        support_request.offers.values_list("supporter", flat=True))


def test_declining_moves_the_request_to_the_next_supporter(colleague: Person) -> None:
    first = make_supporter(topics=["bullying"])
    second = make_supporter(topics=["workload"])
    support_request = open_request(colleague)
    offer = support_request.offers.get()
    assert offer.supporter == first

    offers.decline_offer(offer=offer, supporter=first)

    offer.refresh_from_db()
    assert offer.state == Offer.State.DECLINED and offer.answered_at is not None
    pending = support_request.offers.get(state=Offer.State.PENDING)
    assert pending.supporter == second
    with pytest.raises(ValidationError):
        offers.decline_offer(offer=offer, supporter=first)


def test_someone_else_cannot_decline_or_accept_an_offer(colleague: Person) -> None:
    mine = make_supporter()
    other = make_supporter(topics=["workload"])
    offer = open_request(colleague).offers.get()
    assert offer.supporter == mine

    with pytest.raises(ValidationError):
        offers.decline_offer(offer=offer, supporter=other)
    with pytest.raises(Refused, match="not yours"):
        offers.accept_offer(offer=offer, supporter=other)

    offer.refresh_from_db()
    assert offer.state == Offer.State.PENDING


def test_an_expired_offer_cannot_be_accepted(colleague: Person) -> None:
    supporter = make_supporter()
    offer = open_request(colleague).offers.get()
    Offer.objects.filter(pk=offer.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    with pytest.raises(ValidationError, match="no longer open"):
        offers.accept_offer(offer=offer, supporter=supporter)

    assert Conversation.objects.get().supporter is None


def test_expired_offers_move_on_to_the_next_supporter(colleague: Person) -> None:
    first = make_supporter(topics=["bullying"])
    second = make_supporter(topics=["workload"])
    support_request = open_request(colleague)
    Offer.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

    assert offers.expire_offers() == 1
    assert offers.expire_offers() == 0

    states = dict(support_request.offers.values_list("supporter", "state"))
    assert states == {first.pk: Offer.State.EXPIRED, second.pk: Offer.State.PENDING}


def test_accepting_opens_the_conversation_and_tells_the_colleague(colleague: Person,
                                                                  commit) -> None:
    supporter = make_supporter()
    support_request = open_request(colleague, first_message=FIRST)
    mail.outbox.clear()

    with commit():
        conversation = offers.accept_offer(offer=support_request.offers.get(),
                                             supporter=supporter)

    conversation.refresh_from_db()
    assert conversation.supporter == supporter
    assert conversation.state == Conversation.State.OPEN
    support_request.refresh_from_db()
    assert support_request.state == SupportRequest.State.MATCHED
    assert [m.to for m in mail.outbox] == [[colleague.email]]
    assert FIRST not in _all_mail()
    assert _texts(conversation, supporter) == [FIRST]


def test_a_supporter_is_not_offered_more_than_their_spare_capacity(colleague: Person) -> None:
    busy = make_supporter(capacity=1, topics=["bullying"])
    other = make_supporter(capacity=1, topics=["workload"])

    first = open_request(colleague)
    second = open_request(make_person())

    # The pending offer counts against capacity, so the second request goes elsewhere.
    assert first.offers.get().supporter == busy
    assert second.offers.get().supporter == other


# --- nobody fits -----------------------------------------------------------------------------

def test_nobody_available_now_leaves_the_request_waiting_with_an_honest_time(
        colleague: Person, coordinator: Person, commit) -> None:
    zone = midday_zone()
    local_now = timezone.now().astimezone(ZoneInfo(zone))
    evening = {"weekday": local_now.weekday(), "start": "20:00", "end": "21:00"}
    make_supporter(zone=zone, availability=[evening])

    with commit():
        support_request = open_request(colleague, mode=SupportRequest.Mode.CHAT,
                                       first_message=FIRST)

    support_request.refresh_from_db()
    assert support_request.state == SupportRequest.State.WAITING
    assert support_request.offers.count() == 0
    expected = datetime.combine(local_now.date(), time(20), tzinfo=ZoneInfo(zone))
    assert support_request.expected_reply_by == expected
    assert support_request.coordinators_alerted_at is not None
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    assert FIRST not in _all_mail()
    assert colleague.name not in _all_mail() and colleague.email not in _all_mail()


def test_with_no_supporter_at_all_no_time_is_promised(colleague: Person) -> None:
    make_supporter(approved=False)

    support_request = open_request(colleague)

    support_request.refresh_from_db()
    assert support_request.state == SupportRequest.State.WAITING
    assert support_request.expected_reply_by is None


def test_coordinators_are_alerted_once_per_waiting_request(colleague: Person,
                                                           coordinator: Person,
                                                           commit) -> None:
    with commit():
        open_request(colleague)
        assert offers.retry_waiting_requests() == 0
        assert offers.retry_waiting_requests() == 0

    assert len(mail.outbox) == 1


def test_a_waiting_request_is_offered_when_a_supporter_becomes_available(
        colleague: Person) -> None:
    supporter = make_supporter(approved=False)
    support_request = open_request(colleague)
    assert offers.retry_waiting_requests() == 0

    SupporterProfile.objects.filter(person=supporter).update(approved_at=timezone.now())

    assert offers.retry_waiting_requests() == 1
    assert support_request.offers.get().supporter == supporter
    assert offers.retry_waiting_requests() == 0  # offered now, no longer waiting


def test_a_missed_first_response_alerts_coordinators_once(colleague: Person,
                                                          coordinator: Person,
                                                          commit) -> None:
    make_supporter()
    support_request = open_request(colleague, first_message=FIRST)
    assert offers.alert_missed_first_responses() == 0
    SupportRequest.objects.filter(pk=support_request.pk).update(
        first_response_due=timezone.now() - timedelta(minutes=1))
    mail.outbox.clear()

    with commit():
        assert offers.alert_missed_first_responses() == 1
        assert offers.alert_missed_first_responses() == 0

    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    assert FIRST not in _all_mail()


def test_an_answered_request_raises_no_missed_response_alert(colleague: Person) -> None:
    supporter = make_supporter()
    conversation = _talking(colleague, supporter)
    conversations.send_message(conversation=conversation, sender=supporter,
                               client_id=uuid.uuid4(), text="Hello, I'm here.")
    SupportRequest.objects.update(first_response_due=timezone.now() - timedelta(minutes=1))

    assert offers.alert_missed_first_responses() == 0


# --- messages --------------------------------------------------------------------------------

def test_sending_the_same_client_id_twice_stores_one_message(colleague: Person) -> None:
    supporter = make_supporter()
    conversation = _talking(colleague, supporter)
    client_id = uuid.uuid4()

    first = conversations.send_message(conversation=conversation, sender=supporter,
                                       client_id=client_id, text="Hi")
    again = conversations.send_message(conversation=conversation, sender=supporter,
                                       client_id=str(client_id), text="Hi")

    assert first.created and not again.created
    assert again.message.pk == first.message.pk
    assert conversation.messages.filter(client_id=client_id).count() == 1


@pytest.mark.parametrize("text", ["", "  \n\t ", "z" * 10_001])
def test_empty_and_oversized_messages_are_refused(colleague: Person, text: str) -> None:
    conversation = open_request(colleague).conversation

    with pytest.raises(ValidationError) as error:
        conversations.send_message(conversation=conversation, sender=colleague,
                                   client_id=uuid.uuid4(), text=text)

    assert "text" in error.value.error_dict
    assert conversation.messages.count() == 1


def test_a_bad_client_id_is_refused(colleague: Person) -> None:
    conversation = open_request(colleague).conversation

    with pytest.raises(ValidationError, match="message id"):
        conversations.send_message(conversation=conversation, sender=colleague,
                                   client_id="nope", text="hello")


def test_html_is_stored_and_returned_as_plain_text(colleague: Person) -> None:
    conversation = open_request(colleague).conversation
    html = '<script>alert("x")</script><b>bold</b> & "quotes"'

    conversations.send_message(conversation=conversation, sender=colleague,
                               client_id=uuid.uuid4(), text=html)

    assert _texts(conversation, colleague)[-1] == html


def test_only_participants_write_and_only_while_it_is_open(colleague: Person) -> None:
    supporter = make_supporter()
    conversation = _talking(colleague, supporter)
    outsider = make_person(Role.SUPPORTER)

    with pytest.raises(ValidationError, match="not part"):
        conversations.send_message(conversation=conversation, sender=outsider,
                                   client_id=uuid.uuid4(), text="let me in")
    conversations.close_conversation(conversation=conversation, by=colleague)
    conversation.refresh_from_db()
    with pytest.raises(ValidationError, match="closed"):
        conversations.send_message(conversation=conversation, sender=colleague,
                                   client_id=uuid.uuid4(), text="one more thing")
    assert conversation.messages.count() == 1


def test_the_supporters_first_message_sets_the_first_response_time(colleague: Person) -> None:
    supporter = make_supporter()
    conversation = _talking(colleague, supporter)
    conversations.send_message(conversation=conversation, sender=colleague,
                               client_id=uuid.uuid4(), text="Are you there?")
    assert SupportRequest.objects.get().first_response_at is None

    reply = conversations.send_message(conversation=conversation, sender=supporter,
                                       client_id=uuid.uuid4(), text="I am.")
    conversations.send_message(conversation=conversation, sender=supporter,
                               client_id=uuid.uuid4(), text="Take your time.")

    assert SupportRequest.objects.get().first_response_at == reply.message.sent_at


def test_a_supporters_response_time_feeds_their_record(colleague: Person) -> None:
    supporter = make_supporter()
    conversation = _talking(colleague, supporter)
    conversations.send_message(conversation=conversation, sender=supporter,
                               client_id=uuid.uuid4(), text="Hello")
    created = SupportRequest.objects.get().created_at
    SupportRequest.objects.update(first_response_at=created + timedelta(minutes=42))

    snapshot = {s.person_id: s for s in offers.supporter_snapshots(ReportingLines())}

    assert snapshot[supporter.pk].median_first_response_minutes == pytest.approx(42)
    assert snapshot[supporter.pk].open_conversations == 1


def test_in_messages_mode_the_other_side_gets_an_email_without_content(
        colleague: Person, commit) -> None:
    supporter = make_supporter()
    conversation = _talking(colleague, supporter)
    mail.outbox.clear()

    with commit():
        conversations.send_message(conversation=conversation, sender=colleague,
                                   client_id=uuid.uuid4(), text="It happened again today.")
        conversations.send_message(conversation=conversation, sender=supporter,
                                   client_id=uuid.uuid4(), text="I'm sorry it happened.")

    assert [m.to for m in mail.outbox] == [[supporter.email], [colleague.email]]
    assert "happened" not in _all_mail()
    assert f"/conversations/{conversation.pk}/" in mail.outbox[0].body


def test_in_chat_mode_no_email_is_sent_per_message(colleague: Person, commit) -> None:
    supporter = make_supporter()
    conversation = _talking(colleague, supporter, mode=SupportRequest.Mode.CHAT)
    mail.outbox.clear()

    with commit():
        conversations.send_message(conversation=conversation, sender=colleague,
                                   client_id=uuid.uuid4(), text="Are you there?")
        conversations.send_message(conversation=conversation, sender=supporter,
                                   client_id=uuid.uuid4(), text="Yes.")

    assert mail.outbox == []


CRISIS = [
    "I want to kill myself",
    "Honestly I'm thinking about ending it all",
    "I have been feeling suicidal",
    "I've been hurting myself again",
    "I don't want to live anymore",
    "everyone would be better off without me",
    "I want to die",
    "there's no point in going on",
    "I can't go on like this",
    "I might take my own life",
    "I started self-harming",
    "I DONT WANT TO BE HERE ANYMORE",
    "I don\u2019t want to live",  # a phone's typographic apostrophe
    "I can\u2019t go on",
    "I've been cutting myself",
    "I keep wanting to die",
    "I wish I was dead",
    "I'm going to end it",
    "I don't see the point in living",
    "I thought about an overdose",
]
NOT_CRISIS = [
    "This deadline is killing me",
    "I could kill for a coffee",
    "Let's end the meeting early",
    "The project is dead in the water",
    "I can't go to the party",
    "Harm reduction training was useful",
    "He said I should hurt his feelings less",
    "Let\u2019s end the call here",
    "We cut costs ourselves",
    "",
]


@pytest.mark.parametrize("text", CRISIS)
def test_crisis_wording_is_recognised(text: str) -> None:
    assert signals_crisis(text)


@pytest.mark.parametrize("text", NOT_CRISIS)
def test_everyday_wording_is_not_a_crisis(text: str) -> None:
    assert not signals_crisis(text)


def test_a_colleagues_crisis_message_is_flagged_and_a_supporters_is_not(
        colleague: Person) -> None:
    supporter = make_supporter()
    conversation = _talking(colleague, supporter)

    theirs = conversations.send_message(conversation=conversation, sender=colleague,
                                        client_id=uuid.uuid4(), text="I want to die.")
    mine = conversations.send_message(conversation=conversation, sender=supporter,
                                      client_id=uuid.uuid4(),
                                      text="When you say you want to die, are you safe now?")

    assert theirs.crisis and Message.objects.get(pk=theirs.message.pk).crisis
    assert not mine.crisis


def test_a_crisis_in_the_first_message_is_flagged(colleague: Person) -> None:
    support_request = open_request(colleague, first_message="I feel suicidal.")

    assert support_request.conversation.messages.get().crisis


# --- safety escalation -----------------------------------------------------------------------

def test_escalation_audits_and_emails_the_safety_contact_without_content(
        colleague: Person, administrator: Person, commit) -> None:
    supporter = make_supporter()
    contact = make_person()
    programme.update_programme_settings(actor=administrator, safety_contact=contact)
    conversation = _talking(colleague, supporter, first_message="I want to die.")
    mail.outbox.clear()

    with commit():
        conversations.escalate_to_safety_contact(conversation=conversation,
                                                 supporter=supporter)

    event = AuditEvent.objects.get(action=SupportAudit.SAFETY_ESCALATED)
    # Named only by the conversation's pseudonym: the log must not say whose conversation.
    assert (event.actor, event.actor_pseudonym, event.object_type, event.object_id) == (
        None, keyed_pseudonym(conversation.data_key, f"person:{supporter.pk}"), "conversation",
        str(conversation.pk))
    assert [m.to for m in mail.outbox] == [[contact.email]]
    assert supporter.email in mail.outbox[0].body
    assert "die" not in _all_mail()
    assert colleague.name not in _all_mail() and colleague.email not in _all_mail()


def test_escalation_without_a_safety_contact_fails_clearly(colleague: Person) -> None:
    supporter = make_supporter()
    conversation = _talking(colleague, supporter)

    with pytest.raises(ValidationError, match="No safety contact is set"):
        conversations.escalate_to_safety_contact(conversation=conversation,
                                                 supporter=supporter)

    assert not AuditEvent.objects.filter(action=SupportAudit.SAFETY_ESCALATED).exists()


def test_only_the_supporter_escalates(colleague: Person, administrator: Person) -> None:
    supporter = make_supporter()
    programme.update_programme_settings(actor=administrator, safety_contact=make_person())
    conversation = _talking(colleague, supporter)

    with pytest.raises(Refused):
        conversations.escalate_to_safety_contact(conversation=conversation,
                                                 supporter=colleague)


# --- commitments -----------------------------------------------------------------------------

def _commit_to(conversation: Conversation, supporter: Person, what: str = "Check in on Friday",
               hours: float = 48) -> Commitment:
    return commitments.record_commitment(
        conversation=conversation, supporter=supporter, what=what,
        due_at=timezone.now() + timedelta(hours=hours))


def _shown(conversation: Conversation, viewer: Person) -> list[selectors.ShownCommitment]:
    conversation = selectors.conversation_for(viewer=viewer, conversation_id=conversation.pk)
    return selectors.commitments_in(viewer=viewer, conversation=conversation)


def test_a_commitment_is_sealed_and_both_sides_see_it(colleague: Person) -> None:
    supporter = make_supporter()
    conversation = _talking(colleague, supporter)

    commitment = _commit_to(conversation, supporter, "Find the policy on remote work")

    assert b"policy" not in bytes(Commitment.objects.get(pk=commitment.pk).what)
    for viewer in (colleague, supporter):
        (shown,) = _shown(conversation, viewer)
        assert shown.what == "Find the policy on remote work"
        assert shown.state == Commitment.State.OPEN and not shown.overdue


@pytest.mark.parametrize(("what", "hours", "field"), [
    ("Call you", -1, "due_at"),
    ("Call you", 0, "due_at"),
    ("   ", 5, "what"),
    ("x" * 501, 5, "what"),
])
def test_a_commitment_must_be_short_and_in_the_future(colleague: Person, what: str,
                                                      hours: float, field: str) -> None:
    supporter = make_supporter()
    conversation = _talking(colleague, supporter)

    with pytest.raises(ValidationError) as error:
        _commit_to(conversation, supporter, what, hours)

    assert field in error.value.error_dict
    assert Commitment.objects.count() == 0


def test_only_the_conversations_supporter_records_commitments(colleague: Person) -> None:
    supporter = make_supporter()
    conversation = _talking(colleague, supporter)

    for someone in (colleague, make_supporter()):
        with pytest.raises(Refused):
            _commit_to(conversation, someone)


def test_a_commitment_is_kept_or_missed_once(colleague: Person) -> None:
    supporter = make_supporter()
    conversation = _talking(colleague, supporter)
    kept, missed = _commit_to(conversation, supporter), _commit_to(conversation, supporter)

    commitments.resolve_commitment(commitment=kept, supporter=supporter, kept=True)
    commitments.resolve_commitment(commitment=missed, supporter=supporter, kept=False)

    assert dict(Commitment.objects.values_list("pk", "state")) == {
        kept.pk: Commitment.State.KEPT, missed.pk: Commitment.State.MISSED}
    with pytest.raises(ValidationError, match="already settled"):
        commitments.resolve_commitment(commitment=kept, supporter=supporter, kept=False)
    with pytest.raises(Refused, match="not yours"):
        commitments.resolve_commitment(commitment=kept, supporter=colleague, kept=True)


def test_renegotiating_keeps_a_note_for_the_colleague_and_makes_a_replacement(
        colleague: Person) -> None:
    supporter = make_supporter()
    conversation = _talking(colleague, supporter)
    original = _commit_to(conversation, supporter, "Check in on Friday")
    new_time = timezone.now() + timedelta(days=5)

    replacement = commitments.renegotiate_commitment(
        commitment=original, supporter=supporter, due_at=new_time,
        note="I'm off sick on Friday, sorry")

    original.refresh_from_db()
    assert original.state == Commitment.State.RENEGOTIATED
    assert original.replaced_by == replacement
    assert replacement.due_at == new_time and replacement.state == Commitment.State.OPEN
    assert b"sick" not in bytes(original.note)
    shown = {c.id: c for c in _shown(conversation, colleague)}
    assert shown[original.pk].note == "I'm off sick on Friday, sorry"
    assert shown[replacement.pk].what == "Check in on Friday"
    with pytest.raises(ValidationError, match="already settled"):
        commitments.renegotiate_commitment(commitment=original, supporter=supporter,
                                             due_at=new_time, note="again")


@pytest.mark.parametrize(("note", "hours"), [("", 48), ("   ", 48), ("n" * 501, 48),
                                              ("Sorry", -2)])
def test_renegotiating_needs_a_note_and_a_future_time(colleague: Person, note: str,
                                                      hours: float) -> None:
    supporter = make_supporter()
    conversation = _talking(colleague, supporter)
    original = _commit_to(conversation, supporter)

    with pytest.raises(ValidationError):
        commitments.renegotiate_commitment(
            commitment=original, supporter=supporter,
            due_at=timezone.now() + timedelta(hours=hours), note=note)

    assert Commitment.objects.get().state == Commitment.State.OPEN


def test_reminders_go_once_a_day_ahead_without_content(colleague: Person, commit) -> None:
    supporter = make_supporter()
    conversation = _talking(colleague, supporter)
    _commit_to(conversation, supporter, "Ring the union rep", hours=20)
    _commit_to(conversation, supporter, "Ask about the rota", hours=72)
    mail.outbox.clear()

    with commit():
        assert commitments.remind_commitments() == 1
        assert commitments.remind_commitments() == 0

    assert [m.to for m in mail.outbox] == [[supporter.email]]
    assert "union" not in _all_mail() and "rota" not in _all_mail()


def test_reminders_show_the_due_time_in_the_supporters_zone(colleague: Person,
                                                           commit) -> None:
    supporter = make_supporter(zone="Asia/Singapore")
    # A supporter who is available all day, whatever the time in Singapore.
    conversation = _talking(colleague, supporter)
    due = timezone.now().replace(microsecond=0) + timedelta(hours=3)
    commitments.record_commitment(conversation=conversation, supporter=supporter,
                                    what="Call", due_at=due)
    mail.outbox.clear()

    with commit():
        commitments.remind_commitments()

    local = due.astimezone(ZoneInfo("Asia/Singapore"))
    assert local.strftime("%H:%M") in mail.outbox[0].body


def test_open_commitments_a_day_past_due_are_marked_missed(colleague: Person) -> None:
    supporter = make_supporter()
    conversation = _talking(colleague, supporter)
    late, recent, future = (_commit_to(conversation, supporter) for _ in range(3))
    now = timezone.now()
    Commitment.objects.filter(pk=late.pk).update(due_at=now - timedelta(hours=25))
    Commitment.objects.filter(pk=recent.pk).update(due_at=now - timedelta(hours=2))

    assert commitments.mark_missed_commitments() == 1

    assert dict(Commitment.objects.values_list("pk", "state")) == {
        late.pk: Commitment.State.MISSED, recent.pk: Commitment.State.OPEN,
        future.pk: Commitment.State.OPEN}


def test_follow_through_counts_kept_among_settled(colleague: Person) -> None:
    supporter = make_supporter()
    conversation = _talking(colleague, supporter)
    assert selectors.follow_through(supporter_id=supporter.pk) == (0, 0)
    c = [_commit_to(conversation, supporter) for _ in range(5)]
    commitments.resolve_commitment(commitment=c[0], supporter=supporter, kept=True)
    commitments.resolve_commitment(commitment=c[1], supporter=supporter, kept=True)
    commitments.resolve_commitment(commitment=c[2], supporter=supporter, kept=False)
    commitments.renegotiate_commitment(commitment=c[3], supporter=supporter,
                                         due_at=timezone.now() + timedelta(days=3),
                                         note="Next week")

    # Renegotiated and open ones are not settled yet.
    assert selectors.follow_through(supporter_id=supporter.pk) == (2, 3)


# --- closing and feedback --------------------------------------------------------------------

def test_closing_schedules_the_content_for_destruction(colleague: Person,
                                                       administrator: Person) -> None:
    programme.update_programme_settings(actor=administrator, retention_days=30)
    supporter = make_supporter()
    conversation = _talking(colleague, supporter)
    before = timezone.now()

    conversations.close_conversation(conversation=conversation, by=supporter)

    conversation.refresh_from_db()
    assert conversation.state == Conversation.State.CLOSED
    assert before + timedelta(days=30) <= conversation.shred_after <= \
        timezone.now() + timedelta(days=30)
    assert SupportRequest.objects.get().state == SupportRequest.State.CLOSED
    with pytest.raises(ValidationError, match="already closed"):
        conversations.close_conversation(conversation=conversation, by=colleague)


def test_closing_a_waiting_request_withdraws_its_offer(colleague: Person) -> None:
    make_supporter()
    support_request = open_request(colleague)

    conversations.close_conversation(conversation=support_request.conversation, by=colleague)

    assert support_request.offers.get().state == Offer.State.WITHDRAWN


def test_an_outsider_cannot_close(colleague: Person) -> None:
    conversation = open_request(colleague).conversation

    with pytest.raises(ValidationError):
        conversations.close_conversation(conversation=conversation, by=make_person())


def test_feedback_is_given_by_the_colleague_after_closing(colleague: Person) -> None:
    supporter = make_supporter()
    conversation = _talking(colleague, supporter)
    with pytest.raises(ValidationError, match="Close"):
        conversations.give_feedback(conversation=conversation, by=colleague, felt_heard=5,
                                    would_return=True)
    conversations.close_conversation(conversation=conversation, by=colleague)
    conversation.refresh_from_db()

    with pytest.raises(Refused, match="Only the colleague"):
        conversations.give_feedback(conversation=conversation, by=supporter, felt_heard=5,
                                    would_return=True)
    for bad in (0, 6, -1):
        with pytest.raises(ValidationError):
            conversations.give_feedback(conversation=conversation, by=colleague,
                                        felt_heard=bad, would_return=None)
    conversations.give_feedback(conversation=conversation, by=colleague, felt_heard=4,
                                would_return=False)

    conversation.refresh_from_db()
    assert (conversation.felt_heard, conversation.would_return) == (4, False)


def test_feedback_waits_while_the_request_is_still_waiting(colleague: Person) -> None:
    conversation = open_request(colleague).conversation
    assert conversation.state == Conversation.State.WAITING

    with pytest.raises(ValidationError):
        conversations.give_feedback(conversation=conversation, by=colleague, felt_heard=1,
                                    would_return=None)


# --- retention and erasure -------------------------------------------------------------------

def _closed_with_content(colleague: Person, supporter: Person) -> Conversation:
    conversation = _talking(colleague, supporter, first_message=FIRST)
    conversations.send_message(conversation=conversation, sender=supporter,
                               client_id=uuid.uuid4(), text="That sounds exhausting.")
    commitment = _commit_to(conversation, supporter, "Send the policy link")
    commitments.renegotiate_commitment(commitment=commitment, supporter=supporter,
                                         due_at=timezone.now() + timedelta(days=4),
                                         note="Waiting on HR")
    conversations.close_conversation(conversation=conversation, by=colleague)
    conversations.give_feedback(conversation=conversation, by=colleague, felt_heard=5,
                                would_return=True)
    return Conversation.objects.get(pk=conversation.pk)


def test_expired_conversations_are_shredded_and_metrics_kept(colleague: Person) -> None:
    supporter = make_supporter()
    conversation = _closed_with_content(colleague, supporter)
    sealed = bytes(conversation.messages.first().body)
    assert conversations.shred_expired_conversations() == 0  # not yet due

    later = conversation.shred_after + timedelta(seconds=1)
    assert conversations.shred_expired_conversations(now=later) == 1
    assert conversations.shred_expired_conversations(now=later) == 0

    conversation.refresh_from_db()
    assert conversation.state == Conversation.State.SHREDDED
    assert conversation.shredded_at is not None
    assert (conversation.felt_heard, conversation.would_return) == (5, True)
    assert conversation.closed_at is not None and conversation.opened_at is not None
    assert SupportRequest.objects.get().first_response_at is not None
    assert Message.objects.count() == 0
    assert all(bytes(c.what) == b"" and c.note is None for c in Commitment.objects.all())
    assert Commitment.objects.count() == 2  # the follow-through record stays
    key = DataKey.objects.get(pk=conversation.data_key_id)
    assert key.wrapped is None and key.shredded_at is not None
    crypto.forget_cached_keys()
    with pytest.raises(crypto.KeyShredded):
        crypto.open_sealed(key, sealed, aad="anything")
    assert selectors.read_messages(viewer=supporter, conversation=conversation) == []
    # Expiry forgets who asked, as erasure does: the colleague is no longer a participant.
    assert SupportRequest.objects.get().requester_id is None
    with pytest.raises(Http404):
        selectors.read_messages(viewer=colleague, conversation=conversation)


def test_the_colleague_erases_a_conversation_and_it_is_audited(colleague: Person) -> None:
    supporter = make_supporter()
    conversation = _talking(colleague, supporter, first_message=FIRST)
    with pytest.raises(Refused, match="Only the colleague"):
        conversations.erase_conversation(conversation=conversation, by=supporter)
    assert Message.objects.count() == 1

    conversations.erase_conversation(conversation=conversation, by=colleague)

    conversation.refresh_from_db()
    assert conversation.state == Conversation.State.SHREDDED
    assert Message.objects.count() == 0
    assert DataKey.objects.get(pk=conversation.data_key_id).wrapped is None
    event = AuditEvent.objects.get(action=SupportAudit.CONVERSATION_ERASED)
    assert (event.actor, event.object_id) == (None, str(conversation.pk))
    assert len(event.actor_pseudonym) == 16
    assert FIRST not in str(event.detail)
    support_request = SupportRequest.objects.get()
    assert support_request.state == SupportRequest.State.CLOSED
    # Nothing names who asked any more, and the pseudonym's key is gone with the content's.
    assert (support_request.requester_id, conversation.colleague_id) == (None, None)
    assert bytes(support_request.sealed_details) == b""
    assert support_request.details.erased
    with pytest.raises(KeyShredded):
        keyed_pseudonym(conversation.data_key, f"person:{colleague.pk}")


def test_reminders_and_missed_marks_skip_erased_conversations(colleague: Person) -> None:
    supporter = make_supporter()
    conversation = _talking(colleague, supporter)
    _commit_to(conversation, supporter, hours=2)
    conversations.erase_conversation(conversation=conversation, by=colleague)

    assert commitments.remind_commitments() == 0
    assert commitments.mark_missed_commitments(now=timezone.now() + timedelta(days=3)) == 0


# --- hand-over -------------------------------------------------------------------------------

def test_a_handover_waits_for_the_colleagues_consent(colleague: Person, commit) -> None:
    first = make_supporter(topics=["bullying"])
    second = make_supporter(topics=["workload"])
    conversation = _talking(colleague, first, first_message=FIRST)
    with pytest.raises(ValidationError):
        conversations.consent_to_handover(conversation=conversation, colleague=colleague)
    mail.outbox.clear()

    with commit():
        conversations.request_handover(conversation=conversation, supporter=first)
    conversation.refresh_from_db()
    assert conversation.supporter == first  # nothing moves yet
    assert [m.to for m in mail.outbox] == [[colleague.email]]
    assert FIRST not in _all_mail()
    with pytest.raises(ValidationError):
        conversations.consent_to_handover(conversation=conversation, colleague=first)

    offer = conversations.consent_to_handover(conversation=conversation, colleague=colleague)

    assert offer is not None and offer.supporter == second
    conversation.refresh_from_db()
    assert conversation.supporter is None
    assert conversation.state == Conversation.State.WAITING
    assert conversation.handover_requested_at is None
    offers.accept_offer(offer=offer, supporter=second)
    assert _texts(conversation, second) == [FIRST]
    with pytest.raises(Http404):
        _texts(conversation, first)


def test_a_handover_never_goes_back_to_the_same_supporter(colleague: Person) -> None:
    only = make_supporter()
    conversation = _talking(colleague, only)
    conversations.request_handover(conversation=conversation, supporter=only)
    conversation.refresh_from_db()

    assert conversations.consent_to_handover(conversation=conversation,
                                             colleague=colleague) is None
    assert SupportRequest.objects.get().state == SupportRequest.State.WAITING


def test_only_the_current_supporter_asks_for_a_handover(colleague: Person) -> None:
    supporter = make_supporter()
    conversation = _talking(colleague, supporter)

    for someone in (colleague, make_supporter()):
        with pytest.raises(ValidationError):
            conversations.request_handover(conversation=conversation, supporter=someone)


def test_a_former_supporter_can_no_longer_settle_its_commitments(colleague: Person) -> None:
    first = make_supporter(topics=["bullying"])
    make_supporter(topics=["workload"])
    conversation = _talking(colleague, first)
    commitment = _commit_to(conversation, first)
    conversations.request_handover(conversation=conversation, supporter=first)
    conversation.refresh_from_db()
    conversations.consent_to_handover(conversation=conversation, colleague=colleague)

    with pytest.raises(Http404):
        selectors.commitment_for(supporter=first, commitment_id=commitment.pk)


# --- supporter profiles ----------------------------------------------------------------------

def test_a_supporter_saves_their_profile(supporter: Person) -> None:
    windows = [{"weekday": 0, "start": "09:00", "end": "12:30"},
               {"weekday": 1, "start": "13:00", "end": "17:00"}]

    profile = profiles.save_supporter_profile(
        person=supporter, active=False, capacity=5, languages=["EN", " fr-ca"],
        topics=["bullying"], availability=windows, away_from=None, away_until=None)

    profile.refresh_from_db()
    assert (profile.active, profile.capacity, profile.languages, profile.topics) == (
        False, 5, ["en", "fr-CA"], ["bullying"])
    assert profile.availability == [{"weekday": 0, "start": "09:00", "end": "12:30"},
                                    {"weekday": 1, "start": "13:00", "end": "17:00"}]
    assert not profile.certified  # saving a profile does not approve it


@pytest.mark.parametrize(("fields", "key"), [
    ({"capacity": 0}, "capacity"),
    ({"capacity": 21}, "capacity"),
    ({"topics": ["astrology"]}, "topics"),
    ({"languages": ["not a language"]}, "languages"),
    ({"away_from": datetime(2025, 5, 2).date(), "away_until": datetime(2025, 5, 1).date()},
     "away_until"),
])
def test_a_bad_profile_is_refused(supporter: Person, fields: dict[str, object],
                                  key: str) -> None:
    values: dict[str, object] = {"active": True, "capacity": 3, "languages": ["en"],
                                 "topics": [], "availability": [], "away_from": None,
                                 "away_until": None, **fields}

    with pytest.raises(ValidationError) as error:
        profiles.save_supporter_profile(person=supporter, **values)

    assert key in error.value.error_dict
    assert not SupporterProfile.objects.exists()


def test_only_supporters_have_a_profile(colleague: Person) -> None:
    with pytest.raises(Refused, match="Only peer supporters"):
        profiles.save_supporter_profile(person=colleague, active=True, capacity=3,
                                        languages=["en"], topics=[], availability=[],
                                        away_from=None, away_until=None)


def test_away_dates_take_a_supporter_out_of_matching(colleague: Person) -> None:
    away = make_supporter(topics=["bullying"])
    today = timezone.now().date()
    SupporterProfile.objects.filter(person=away).update(away_from=today, away_until=None)
    present = make_supporter(topics=["workload"])

    assert open_request(colleague).offers.get().supporter == present


# --- programme settings ----------------------------------------------------------------------

def test_programme_settings_changes_are_audited(administrator: Person) -> None:
    programme.update_programme_settings(actor=administrator, retention_days=7,
                                       offer_minutes=15)

    settings_ = programme.programme_settings()
    assert (settings_.retention_days, settings_.offer_minutes) == (7, 15)
    event = AuditEvent.objects.get(action=AuditAction.PROGRAMME_SETTINGS_CHANGED)
    assert event.actor == administrator
    assert event.detail == {"fields": "offer_minutes,retention_days"}


def test_unknown_programme_settings_are_refused(administrator: Person) -> None:
    with pytest.raises(ValidationError, match="Unknown settings"):
        programme.update_programme_settings(actor=administrator, colour="teal")


def test_the_team_is_allowed_when_the_colleague_says_so(colleague: Person) -> None:
    teammate = make_supporter(team=colleague.team)

    assert open_request(colleague).offers.count() == 0
    assert open_request(colleague, avoid_my_team=False).offers.get().supporter == teammate


def test_the_reporting_line_is_never_offered_even_when_the_team_is_allowed(
        colleague: Person) -> None:
    manager = make_supporter()
    Person.objects.filter(pk=colleague.pk).update(manager=manager)

    assert open_request(colleague, avoid_my_team=False).offers.count() == 0


def test_commitments_of_a_former_supporter_are_neither_reminded_nor_missed(
        colleague: Person) -> None:
    first = make_supporter(topics=["bullying"])
    make_supporter(topics=["workload"])
    conversation = _talking(colleague, first)
    _commit_to(conversation, first, hours=2)
    conversations.request_handover(conversation=conversation, supporter=first)
    conversation.refresh_from_db()
    conversations.consent_to_handover(conversation=conversation, colleague=colleague)

    assert commitments.remind_commitments() == 0
    assert commitments.mark_missed_commitments(now=timezone.now() + timedelta(days=3)) == 0
    assert selectors.follow_through(supporter_id=first.pk) == (0, 0)


def test_cancelling_a_request_withdraws_its_offer_and_schedules_its_content_for_destruction(
        colleague: Person) -> None:
    make_supporter()
    support_request = open_request(colleague)
    with pytest.raises(Refused):
        support_requests.cancel_request(support_request=support_request, by=make_person())

    support_requests.cancel_request(support_request=support_request, by=colleague)

    support_request.refresh_from_db()
    assert support_request.state == SupportRequest.State.CANCELLED
    assert support_request.offers.get().state == Offer.State.WITHDRAWN
    conversation = Conversation.objects.get()
    assert conversation.state == Conversation.State.CLOSED
    assert conversation.shred_after is not None
    with pytest.raises(ValidationError, match="closed"):
        conversations.send_message(conversation=conversation, sender=colleague,
                                   client_id=uuid.uuid4(), text="hello?")
    assert conversations.shred_expired_conversations(
        now=conversation.shred_after + timedelta(seconds=1)) == 1
    assert SupportRequest.objects.get().state == SupportRequest.State.CANCELLED


def test_a_request_a_supporter_took_is_closed_not_cancelled(colleague: Person) -> None:
    supporter = make_supporter()
    conversation = _talking(colleague, supporter)

    with pytest.raises(ValidationError, match="already joined"):
        support_requests.cancel_request(support_request=conversation.request, by=colleague)

    assert Conversation.objects.get().state == Conversation.State.OPEN
