"""Reads for peer support. Content is decrypted only here, only for a participant, and every
read of content writes an audit event (who, which conversation, when — never content)."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from django.db.models import BooleanField, Count, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.core import kanon
from haven.core.charts import BarChart, bar_chart
from haven.core.models import AuditAction, AuditEvent, Person, Role
from haven.core.selectors import MAX_ID
from haven.support.access_history import audit_conversation
from haven.support.models import (
    Commitment,
    Conversation,
    Message,
    Offer,
    SupportAudit,
    SupporterProfile,
    SupportRequest,
)
from haven.vault import crypto


def conversation_for(*, viewer: Person, conversation_id: int) -> Conversation:
    """The conversation, if VIEWER takes part in it; 404 for everyone else, whatever their role,
    so that its existence is not revealed either."""
    if not 0 < conversation_id <= MAX_ID:
        raise Http404
    conversation = (Conversation.objects.select_related("request", "data_key", "colleague",
                                                        "supporter", "request__requester")
                    .filter(pk=conversation_id).first())
    if conversation is None or conversation.participant_role(viewer.pk) is None:
        raise Http404
    return conversation


def conversation_to_write(*, viewer: Person, conversation_id: int) -> Conversation:
    """The conversation with what storing a message needs (its request and data key), if
    VIEWER takes part in it; 404 otherwise. Live chat calls this for every message, so it
    loads no people: a third of the cost of conversation_for."""
    if not 0 < conversation_id <= MAX_ID:
        raise Http404
    conversation = next(iter(Conversation.objects.select_related("request", "data_key")
                             .filter(pk=conversation_id).order_by()), None)
    if conversation is None or conversation.participant_role(viewer.pk) is None:
        raise Http404
    return conversation


@dataclass(frozen=True)
class ShownMessage:
    id: int
    client_id: str
    sender_role: str
    sent_at: datetime
    text: str
    crisis: bool


def read_messages(*, viewer: Person, conversation: Conversation,
                  after_id: int = 0) -> list[ShownMessage]:
    """Messages after AFTER_ID, decrypted for a participant. Audited."""
    if conversation.participant_role(viewer.pk) is None:
        raise Http404
    if conversation.state == Conversation.State.SHREDDED:
        return []
    messages = list(conversation.messages.filter(pk__gt=after_id).order_by("pk"))
    # Opened before the audit: content that cannot be opened here (its master key is not on
    # this server: crypto.MasterKeyUnavailable, for the caller to refuse) was not read.
    shown = [
        ShownMessage(
            id=message.pk, client_id=str(message.client_id),
            sender_role=conversation.participant_role(message.sender_id) or "former supporter",
            sent_at=message.sent_at, crisis=message.crisis,
            text=crypto.open_sealed(conversation.data_key, message.body,
                                    aad=Message.aad(conversation.pk, message.client_id)))
        for message in messages
    ]
    if shown:  # a reconnect that finds nothing new has read no content
        audit_conversation(action=SupportAudit.CONVERSATION_READ, conversation=conversation,
                           actor=viewer, detail={"messages": len(shown)})
    return shown


def colleague_last_message(*, supporter: Person, conversation: Conversation,
                           audited_message_id: int | None = None) -> ShownMessage | None:
    """The colleague's latest message, decrypted for the conversation's current supporter only,
    as the empathy coach's context. Audited, except when it is AUDITED_MESSAGE_ID: the caller
    already logged this person reading this very message (the coach asks on every pause in
    typing, and one event per message read says all there is to say)."""
    if conversation.participant_role(supporter.pk) != "supporter":
        raise Http404
    if conversation.state == Conversation.State.SHREDDED:
        return None
    message = (conversation.messages.filter(sender_id=conversation.colleague_id)
               .order_by("-pk").first())
    if message is None:
        return None
    shown = ShownMessage(
        id=message.pk, client_id=str(message.client_id), sender_role="colleague",
        sent_at=message.sent_at, crisis=message.crisis,
        text=crypto.open_sealed(conversation.data_key, message.body,
                                aad=Message.aad(conversation.pk, message.client_id)))
    if message.pk != audited_message_id:
        audit_conversation(action=SupportAudit.CONVERSATION_READ, conversation=conversation,
                           actor=supporter,
                           detail={"messages": 1, "purpose": "coach"})
    return shown


@dataclass(frozen=True)
class ShownCommitment:
    id: int
    what: str
    due_at: datetime
    state: str
    state_label: str
    note: str
    overdue: bool


def commitments_in(*, viewer: Person, conversation: Conversation) -> list[ShownCommitment]:
    if conversation.participant_role(viewer.pk) is None:
        raise Http404
    if conversation.state == Conversation.State.SHREDDED:
        return []
    now = timezone.now()
    return [_shown_commitment(commitment, conversation, now)
            for commitment in conversation.commitments.all()]


def _shown_commitment(commitment: Commitment, conversation: Conversation,
                      now: datetime) -> ShownCommitment:
    key = conversation.data_key
    return ShownCommitment(
        id=commitment.pk,
        what=crypto.open_sealed(key, commitment.what, aad=commitment.aad("what")),
        due_at=commitment.due_at, state=commitment.state,
        state_label=commitment.get_state_display(),
        note=(crypto.open_sealed(key, commitment.note, aad=commitment.aad("note"))
              if commitment.note else ""),
        overdue=commitment.state == Commitment.State.OPEN and commitment.due_at < now)


@dataclass(frozen=True)
class ListedCommitment:
    conversation_id: int
    role: str  # the viewer's side: "colleague" (made to them) or "supporter" (made by them)
    commitment: ShownCommitment


def commitments_of(*, person: Person) -> list[ListedCommitment]:
    """Commitments made to PERSON as a colleague, and those PERSON made as the conversation's
    current supporter, decrypted. Each conversation whose commitments are shown is audited.
    A conversation whose master key is not on this server is left out (the vault has told the
    operator), so that one such conversation does not hide every other commitment."""
    commitments = list(
        Commitment.objects
        .filter(Q(conversation__colleague=person)
                | Q(supporter=person, conversation__supporter=person))
        .exclude(conversation__state=Conversation.State.SHREDDED)
        .select_related("conversation", "conversation__data_key")
        .order_by("due_at", "pk"))
    now = timezone.now()
    listed: list[ListedCommitment] = []
    unavailable: set[int] = set()
    for commitment in commitments:
        if commitment.conversation_id in unavailable:
            continue
        try:
            shown = _shown_commitment(commitment, commitment.conversation, now)
        except crypto.MasterKeyUnavailable:
            unavailable.add(commitment.conversation_id)
            continue
        listed.append(ListedCommitment(
            conversation_id=commitment.conversation_id,
            role=commitment.conversation.participant_role(person.pk) or "supporter",
            commitment=shown))
    listed = [item for item in listed if item.conversation_id not in unavailable]
    shown_per_conversation = Counter(item.conversation_id for item in listed)
    conversations = {commitment.conversation_id: commitment.conversation
                     for commitment in commitments}
    for conversation_id, count in sorted(shown_per_conversation.items()):
        audit_conversation(action=SupportAudit.CONVERSATION_READ,
                           conversation=conversations[conversation_id], actor=person,
                           detail={"commitments": count})
    return listed


def commitment_for(*, supporter: Person, commitment_id: int) -> Commitment:
    commitment = (Commitment.objects.select_related("conversation", "conversation__data_key")
                  # Only while they are still its conversation's supporter: after a hand-over
                  # the commitments stay with the conversation, not with them.
                  .filter(pk=commitment_id, supporter=supporter,
                          conversation__supporter=supporter).first())
    if commitment is None:
        raise Http404
    return commitment


def conversations_of(*, person: Person) -> QuerySet[Conversation]:
    """Both sides' conversations, metadata only."""
    return (Conversation.objects.filter(Q(colleague=person) | Q(supporter=person))
            .select_related("request", "request__requester", "colleague", "supporter",
                            "data_key")
            .order_by("-opened_at"))


def pending_offers_for(*, supporter: Person) -> QuerySet[Offer]:
    return (Offer.objects.filter(supporter=supporter, state=Offer.State.PENDING,
                                 expires_at__gt=timezone.now())
            .select_related("request", "request__requester", "request__conversation__data_key"))


def offer_for(*, supporter: Person, offer_id: int) -> Offer:
    offer = Offer.objects.select_related("request").filter(pk=offer_id,
                                                           supporter=supporter).first()
    if offer is None:
        raise Http404
    return offer


def profile_of(*, person: Person) -> SupporterProfile | None:
    return SupporterProfile.objects.filter(person=person).first()


def follow_through(*, supporter_id: int) -> tuple[int, int]:
    """(kept, settled) commitments of one supporter: shown to them and to coordinators."""
    settled = Commitment.objects.filter(supporter_id=supporter_id).exclude(
        state__in=[Commitment.State.OPEN, Commitment.State.RENEGOTIATED])
    totals = settled.aggregate(kept=Count("id", filter=Q(state=Commitment.State.KEPT)),
                               settled=Count("id"))  # one query, not two
    return totals["kept"], totals["settled"]


def follow_through_by_supporter() -> dict[int, tuple[int, int]]:
    """(kept, settled) for every supporter with a settled commitment, in one query."""
    rows = (Commitment.objects.filter(state__in=[Commitment.State.KEPT,
                                                 Commitment.State.MISSED])
            .values("supporter")
            .annotate(kept=Count("id", filter=Q(state=Commitment.State.KEPT)),
                      settled=Count("id")))
    return {row["supporter"]: (row["kept"], row["settled"]) for row in rows}


def requests_of(*, person: Person) -> QuerySet[SupportRequest]:
    """The requests PERSON opened, newest first, metadata only."""
    return (SupportRequest.objects.filter(requester=person)
            .select_related("conversation", "conversation__data_key")
            .order_by("-created_at", "-pk"))


def own_request(*, requester: Person, submission_id: uuid.UUID) -> SupportRequest | None:
    """The request REQUESTER already opened with this submission id, if any."""
    return (SupportRequest.objects.filter(requester=requester, submission_id=submission_id)
            .select_related("conversation").first())


def person_of_concern(*, email: str) -> Person | None:
    """Someone in the directory named by work e-mail, used only to avoid conflicts of interest."""
    return Person.objects.filter(email=email.strip().lower(), is_active=True).first()


def feedback_by_topic() -> list[tuple[str, int | None, int]]:
    """(topic, colleague id, felt heard) for every conversation with feedback, for the
    k-anonymous programme table. The topic is opened from the sealed details: "" once erased."""
    conversations = (Conversation.objects.filter(felt_heard__isnull=False, colleague__isnull=False)
                     .select_related("request", "data_key"))
    # The filter leaves no conversation without felt_heard; the test says so to the types.
    return [(conversation.request.details.topic, conversation.colleague_id, felt_heard)
            for conversation in conversations
            if (felt_heard := conversation.felt_heard) is not None]


def concern_pairs(people: set[int]) -> list[tuple[int, int]]:
    """(requester, person of concern) among PEOPLE, for every request whose details still
    exist: coffee pairings never put them together. Opened here, shown nowhere."""
    requests = (SupportRequest.objects.filter(requester_id__in=people)
                .exclude(sealed_details=b"").select_related("conversation__data_key"))
    pairs = []
    for support_request in requests:
        concern = support_request.details.person_of_concern_id
        if concern in people and support_request.requester_id is not None:
            pairs.append((support_request.requester_id, concern))
    return pairs


def open_conversations_per_supporter() -> dict[int, int]:
    """How many open conversations each supporter holds now (supporters with none absent)."""
    return dict(Conversation.objects.filter(state=Conversation.State.OPEN,
                                            supporter__isnull=False)
                .values("supporter").annotate(n=Count("id")).values_list("supporter", "n"))


def open_offer_filter() -> Q:
    """Offers still waiting for their supporter's answer."""
    return Q(state=Offer.State.PENDING, expires_at__gt=timezone.now())


# The programme page -----------------------------------------------------------------------

RESPONSE_BUCKETS = [(timedelta(hours=1), "< 1 h"), (timedelta(hours=4), "1–4 h"),
                    (timedelta(hours=8), "4–8 h"), (timedelta(hours=24), "8–24 h"),
                    (None, "> 24 h")]


def _bucket(elapsed: timedelta) -> str:
    for limit, label in RESPONSE_BUCKETS:
        if limit is None or elapsed < limit:
            return label
    return RESPONSE_BUCKETS[-1][1]


def _supporter_rows() -> list[dict[str, object]]:
    """Per supporter: their own load and reliability (about them, not about colleagues)."""
    open_counts = open_conversations_per_supporter()
    follow_through = follow_through_by_supporter()
    rows = []
    supporters = (Person.objects.filter(role_grants__role=Role.SUPPORTER)
                  .select_related("supporter_profile", "team").order_by("name"))
    for person in supporters:
        profile = getattr(person, "supporter_profile", None)
        kept, settled = follow_through.get(person.pk, (0, 0))
        rows.append({
            "person": person, "profile": profile,
            "open": open_counts.get(person.pk, 0),
            "follow_through": f"{round(100 * kept / settled)}% ({kept}/{settled})"
            if settled else "—",
            "away": profile.is_away() if profile else False,
        })
    return rows


@dataclass(frozen=True)
class ProgrammeOverview:
    """The coordinators' programme page: every figure about colleagues is a k-anonymous table
    (haven.core.kanon), so a small group never shows; nothing here holds content."""

    requests_by_state: kanon.Table
    response_times: kanon.Table
    feedback: kanon.Table
    return_rate: kanon.Cell
    outstanding_offers: kanon.Cell
    past_target: kanon.Cell
    recent_offers: list[Offer]
    supporters: list[dict[str, object]]


def programme_overview() -> ProgrammeOverview:
    return_rate = kanon.tabulate(
        (("all"), row["colleague_id"], 1.0 if row["would_return"] else 0.0)
        for row in Conversation.objects.filter(would_return__isnull=False,
                                               colleague__isnull=False).values(
            "colleague_id", "would_return"))
    # Operational counts go through the helper too: with a handful of requests they would
    # reveal what the hidden by-state cells hide.
    outstanding = kanon.tabulate(
        ("outstanding", requester) for requester in Offer.objects.filter(
            open_offer_filter(), request__requester__isnull=False)
        .values_list("request__requester_id", flat=True))
    return ProgrammeOverview(
        requests_by_state=requests_by_state(), response_times=response_times(),
        feedback=kanon.tabulate(feedback_by_topic()), return_rate=return_rate.total,
        outstanding_offers=outstanding.total, past_target=past_target(),
        recent_offers=list(Offer.objects.select_related("supporter").order_by("-offered_at")[:20]),
        supporters=_supporter_rows())


# Home (haven.home composes these; each reads only what its person may see) ----------------

@dataclass(frozen=True)
class ConversationsAtAGlance:
    """PERSON's conversations on one side, newest first (metadata only), and how many of them
    wait for PERSON: open, and the latest message is the other side's."""

    shown: Sequence[Conversation]  # each with `their_turn` set: the other side wrote last
    total: int
    waiting_for_me: int


def conversations_at_a_glance(*, person: Person, side: str, limit: int = 5
                              ) -> ConversationsAtAGlance:
    """SIDE is "colleague" or "supporter". Shredded conversations are left out. One query for
    the counts and one for the rows, however many conversations there are."""
    if side not in ("colleague", "supporter"):
        raise ValueError(f"side is colleague or supporter, not {side!r}")
    latest_sender = Subquery(Message.objects.filter(conversation=OuterRef("pk"))
                             .order_by("-id").values("sender_id")[:1])
    mine = (Conversation.objects.filter(**{side: person})
            .exclude(state=Conversation.State.SHREDDED)
            .annotate(latest_sender=latest_sender))
    # A closed conversation waits for nobody, whoever wrote last.
    their_turn = (Q(state=Conversation.State.OPEN, latest_sender__isnull=False)
                  & ~Q(latest_sender=person.pk))
    counts = mine.aggregate(total=Count("id"), waiting=Count("id", filter=their_turn))
    shown = list(mine.annotate(their_turn=ExpressionWrapper(their_turn,
                                                            output_field=BooleanField()))
                 .select_related("request", "request__requester", "supporter", "data_key")
                 .order_by("-their_turn", "-opened_at", "-pk")[:limit])
    return ConversationsAtAGlance(shown=shown, total=counts["total"],
                                  waiting_for_me=counts["waiting"])


@dataclass(frozen=True)
class DueCommitment:
    """An open commitment, without what was promised (that is content): where and when."""

    conversation_id: int
    due_at: datetime
    overdue: bool


def commitments_due(*, supporter: Person, now: datetime, within: timedelta,
                    limit: int = 5) -> tuple[list[DueCommitment], int]:
    """SUPPORTER's open commitments due before NOW + WITHIN (the overdue ones first, being
    earliest), and how many there are. Nothing is decrypted."""
    due = (Commitment.objects.filter(supporter=supporter, conversation__supporter=supporter,
                                     state=Commitment.State.OPEN, due_at__lt=now + within)
           .exclude(conversation__state=Conversation.State.SHREDDED))
    rows = list(due.order_by("due_at", "pk").values_list("conversation_id", "due_at")[:limit])
    return ([DueCommitment(conversation_id, due_at, due_at < now)
             for conversation_id, due_at in rows], due.count())


def past_target() -> kanon.Cell:
    """Requests still without a supporter past their first-response target, counted through
    the k-anonymity helper: with a handful of requests the figure would identify people."""
    counted = SupportRequest.objects.filter(requester__isnull=False)
    return kanon.tabulate(
        ("past target", requester) for requester in counted.filter(
            Q(state=SupportRequest.State.WAITING) | Q(state=SupportRequest.State.OFFERED),
            first_response_due__lt=timezone.now()).values_list("requester_id", flat=True)).total


def requests_by_state() -> kanon.Table:
    # An erased request names nobody any more, so it counts towards no one's figures.
    return kanon.tabulate(
        (row["state"], row["requester_id"])
        for row in SupportRequest.objects.filter(requester__isnull=False)
        .values("state", "requester_id"))


def requests_by_state_chart(table: kanon.Table) -> ShownChart:
    """Requests in each state (TABLE: requests_by_state()), hidden cells drawn as hidden."""
    chart = bar_chart(_("Requests by state"), [
        (str(SupportRequest.State(cast(str, key)).label),
         None if cell.suppressed else cell.records) for key, cell in table.cells.items()])
    return ShownChart(chart=chart,
                         all_hidden=all(cell.suppressed for cell in table.cells.values()))


def response_times() -> kanon.Table:
    """Time to first response of every answered request, by bucket (RESPONSE_BUCKETS)."""
    answered = SupportRequest.objects.filter(requester__isnull=False,
                                             first_response_at__isnull=False).values(
        "requester_id", "created_at", "first_response_at")
    return kanon.tabulate(
        (_bucket(row["first_response_at"] - row["created_at"]), row["requester_id"])
        for row in answered if row["first_response_at"] is not None)  # all, by the filter


@dataclass(frozen=True)
class ShownChart:
    """A chart of a k-anonymous table, and whether every bar of it is hidden."""

    chart: BarChart
    all_hidden: bool  # every bar hidden: pages say why instead of drawing an empty axis


def response_time_chart(table: kanon.Table) -> ShownChart:
    """The time-to-first-response chart of TABLE (response_times()): hidden cells as hidden."""
    chart = bar_chart(
        _("Time to first response (requests)"),
        [(label, None if (cell := table.cells.get(label)) is None or cell.suppressed
          else cell.records) for _limit, label in RESPONSE_BUCKETS if label in table.cells])
    return ShownChart(chart=chart,
                         all_hidden=all(cell.suppressed for cell in table.cells.values()))


def supporters_at_capacity() -> list[tuple[Person, int, int]]:
    """(supporter, open conversations, capacity) for each active supporter whose open
    conversations reach their capacity: matching offers them nothing more. About supporters'
    own load, as the programme page shows it; nothing about colleagues."""
    open_counts = open_conversations_per_supporter()
    profiles = (SupporterProfile.objects.filter(person_id__in=open_counts,
                                                person__is_active=True)
                .select_related("person").order_by("person__name", "pk"))
    return [(profile.person, open_counts[profile.person_id], profile.capacity)
            for profile in profiles if open_counts[profile.person_id] >= profile.capacity]


def programme_settings_saved_at() -> datetime | None:
    """When an administrator last changed the programme settings (the audit log's record of
    it), or None when nobody has yet."""
    return (AuditEvent.objects.filter(action=AuditAction.PROGRAMME_SETTINGS_CHANGED,
                                      object_type="programme_settings")
            .order_by("-at").values_list("at", flat=True).first())
