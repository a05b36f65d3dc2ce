"""Six months of peer support: requests opened, offered, accepted, talked through, closed and
rated, with commitments kept and missed, hand-overs and one safety escalation, all through
support's services, so every message is sealed under its conversation's key as a real one is.
Their content is kept for the retention period counted from the day the demo was seeded."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

from haven.core.models import Person
from haven.demo.history import texts
from haven.demo.history.clock import move, working_moment
from haven.support import commitments, conversations, offers, requests
from haven.support.models import Conversation, Offer, SupportRequest
from haven.support.programme import programme_settings

CONVERSATIONS = 60
OPEN_AT_THE_END = 6  # the most recent ones are still going on
# First-response delays (minutes) and their weights: most within the hour, a few slower.
DELAYS = [((2, 55), 40), ((65, 230), 33), ((250, 470), 15), ((500, 1400), 9),
          ((1500, 2500), 3)]


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _delay(rng: random.Random) -> timedelta:
    (low, high), = rng.choices([span for span, _w in DELAYS], weights=[w for _s, w in DELAYS])
    return timedelta(minutes=rng.randint(low, high))


class _Talk:
    """One conversation being told: sends each message through the service and remembers the
    time it should carry."""

    def __init__(self, conversation: Conversation, rng: random.Random, at: datetime,
                 chat: bool, until: datetime) -> None:
        self.conversation, self.rng, self.at, self.chat = conversation, rng, at, chat
        self.until = until  # nothing is dated after the seed's "now"

    def say(self, sender: Person, text: str) -> None:
        sent = conversations.send_message(conversation=self.conversation, sender=sender,
                                          client_id=_uuid(self.rng), text=text)
        move(sent.message, sent_at=self.at)
        self.later()

    def later(self) -> None:
        self.at = min(self.until, self.at + (
            timedelta(minutes=self.rng.randint(1, 6)) if self.chat
            else timedelta(hours=self.rng.randint(2, 20))))


def _open(rng: random.Random, requester: Person, topic: str, at: datetime,
          preferred: Person | None = None) -> SupportRequest:
    support_request = requests.open_request(
        requester=requester, topic=topic,
        mode=SupportRequest.Mode.CHAT if rng.random() < 0.6 else SupportRequest.Mode.MESSAGES,
        use_pseudonym=rng.random() < 0.5, language="en", avoid_my_team=True,
        avoid_my_department=False, person_of_concern=None, preferred_supporter=preferred,
        acknowledged_confidentiality=True, first_message=rng.choice(texts.OPENINGS[topic]),
        submission_id=str(_uuid(rng)))
    target = timedelta(hours=programme_settings().response_target_hours)
    move(support_request, created_at=at, confidentiality_acknowledged_at=at,
         first_response_due=at + target)
    conversation = support_request.conversation
    move(conversation.messages.get(), sent_at=at)
    move(conversation, opened_at=at)
    return support_request


def _accept(support_request: SupportRequest, offered_at: datetime,
            accepted_at: datetime) -> Conversation | None:
    offer = support_request.offers.filter(state=Offer.State.PENDING).select_related(
        "supporter").first()
    if offer is None:
        return None
    conversation = offers.accept_offer(offer=offer, supporter=offer.supporter)
    move(offer, offered_at=offered_at, expires_at=offered_at + timedelta(minutes=30),
         answered_at=accepted_at)
    move(conversation, opened_at=accepted_at)
    return conversation


def _commit(talk: _Talk, supporter: Person, kept: bool | None) -> None:
    """A commitment made now and settled (or left open when KEPT is None), then dated."""
    conversation, rng = talk.conversation, talk.rng
    commitment = commitments.record_commitment(
        conversation=conversation, supporter=supporter, what=rng.choice(texts.COMMITMENTS),
        due_at=talk.at + timedelta(days=400))  # the service wants a future time; dated below
    due = talk.at + timedelta(days=rng.randint(2, 6))
    if kept is not None:
        commitments.resolve_commitment(commitment=commitment, supporter=supporter, kept=kept)
        move(commitment, created_at=talk.at, due_at=due,
             resolved_at=due - timedelta(hours=2) if kept else due + timedelta(days=1))
    else:
        move(commitment, created_at=talk.at, due_at=max(due, talk.at + timedelta(days=3)))


def _close(talk: _Talk, colleague: Person, feedback: bool) -> None:
    conversation, rng = talk.conversation, talk.rng
    conversations.close_conversation(conversation=conversation, by=colleague)
    closed = talk.at
    # shred_after keeps the service's value (retention counted from the seeding day): dated
    # from closed_at, half the history would be shredded at once, and the programme page
    # cannot yet count a shredded request (its requester is gone; see docs/demo.md).
    move(conversation, closed_at=closed)
    if feedback:
        conversations.give_feedback(conversation=conversation, by=colleague,
                                    felt_heard=rng.choices([5, 4, 3, 2], [5, 4, 2, 1])[0],
                                    would_return=rng.random() < 0.85)


def _talk_through(rng: random.Random, support_request: SupportRequest, at: datetime,
                  now: datetime, index: int, *, close: bool) -> _Talk | None:
    response = min(at + _delay(rng), now - timedelta(minutes=30))
    conversation = _accept(support_request, at, response)
    if conversation is None:  # nobody fitted: the colleague withdrew it
        requests.cancel_request(support_request=support_request,
                                by=support_request.requester)  # type: ignore[arg-type]
        return None
    colleague, supporter = conversation.colleague, conversation.supporter
    assert colleague is not None and supporter is not None
    chat = support_request.mode == SupportRequest.Mode.CHAT
    talk = _Talk(conversation, rng, response, chat, now - timedelta(minutes=1))
    talk.say(supporter, rng.choice(texts.FIRST_REPLIES))
    move(support_request, first_response_at=response)
    talk.say(colleague, rng.choice(texts.FOLLOW_UPS))
    talk.say(supporter, rng.choice(texts.SECOND_REPLIES))
    if index % 3 == 0:  # about one in three ends with a promise, most of them kept
        _commit(talk, supporter, kept=None if not close else rng.random() < 0.8)
    if not close:
        return talk
    talk.say(colleague, rng.choice(texts.CLOSINGS_COLLEAGUE))
    talk.say(supporter, rng.choice(texts.CLOSINGS_SUPPORTER))
    _close(talk, colleague, feedback=rng.random() < 0.8)
    return talk


def _hand_over(rng: random.Random, talk: _Talk) -> None:
    """The supporter suggests a hand-over, the colleague agrees, another supporter takes it."""
    conversation = talk.conversation
    supporter, colleague = conversation.supporter, conversation.colleague
    assert supporter is not None and colleague is not None
    talk.say(supporter, texts.HANDOVER_NOTE)
    conversations.request_handover(conversation=conversation, supporter=supporter)
    conversations.consent_to_handover(conversation=conversation, colleague=colleague)
    move(conversation, handover_consented_at=talk.at)
    conversation.refresh_from_db()
    after = talk.at + timedelta(hours=1)
    handed = _accept(conversation.request, talk.at, after)
    if handed is None:
        return
    talk.conversation, talk.at = handed, after
    assert handed.supporter is not None
    talk.say(handed.supporter, rng.choice(texts.FIRST_REPLIES))
    talk.say(colleague, rng.choice(texts.CLOSINGS_COLLEAGUE))
    _close(talk, colleague, feedback=True)


def _escalate(talk: _Talk) -> None:
    conversation = talk.conversation
    supporter, colleague = conversation.supporter, conversation.colleague
    assert supporter is not None and colleague is not None
    talk.say(colleague, texts.ESCALATION_COLLEAGUE)
    talk.say(supporter, texts.ESCALATION_SUPPORTER)
    conversations.escalate_to_safety_contact(conversation=conversation, supporter=supporter)
    _close(talk, colleague, feedback=False)


def seed_support(rng: random.Random, now: datetime, colleagues: list[Person],
                 demo_colleague: Person, demo_supporter: Person) -> None:
    """CONVERSATIONS requests over the last six months, oldest first. The demo colleague
    asked twice: once months ago (closed) and once recently, asking for the demo supporter
    (still open)."""
    days = sorted((rng.uniform(3, 180) for _ in range(CONVERSATIONS - OPEN_AT_THE_END)),
                  reverse=True)
    recent = [rng.uniform(0.1, 2.5) for _ in range(OPEN_AT_THE_END)]
    topics = [slug for slug, _label in programme_settings().topic_choices()]
    weights = {"workload": 5, "conflict": 4, "excluded": 3, "bullying": 3, "other": 3}
    handovers, escalated = {7, 29}, 18
    for index, ago in enumerate([*days, *sorted(recent, reverse=True)]):
        close = index < len(days)
        requester = (demo_colleague if index in (10, len(days))
                     else colleagues[rng.randrange(len(colleagues))])
        topic = rng.choices(topics, [weights.get(slug, 2) for slug in topics])[0]
        at = working_moment(rng, now - timedelta(days=ago)) if close else \
            now - timedelta(days=ago)
        support_request = _open(rng, requester, topic, at,
                                preferred=demo_supporter if index == len(days) else None)
        talk = _talk_through(rng, support_request, at, now, index,
                             close=close and index not in handovers | {escalated})
        if talk is None or not close:
            continue
        if index in handovers:
            _hand_over(rng, talk)
        elif index == escalated:
            _escalate(talk)

