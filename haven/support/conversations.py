"""Writes inside a conversation: messages (sealed, idempotent, broadcast after commit),
closing, feedback, hand-over, safety escalation, erasure and retention."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, transaction
from django.db.models import Field, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.core.errors import Refused
from haven.core.links import absolute_url
from haven.core.mail import notify
from haven.core.models import Person
from haven.core.text import check_text
from haven.support.access_history import audit_conversation
from haven.support.live.events import broadcast
from haven.support.models import (
    Commitment,
    Conversation,
    Message,
    Offer,
    SupportAudit,
    SupportRequest,
)
from haven.support.offers import offer_to_next_supporter
from haven.support.programme import programme_settings
from haven.support.safety import signals_crisis
from haven.vault import crypto
from haven.vault.models import DataKey

MAX_MESSAGE_CHARS = 10_000

def check_message_text(text: str, *, field: str = "text") -> None:
    if not text or not text.strip():
        raise ValidationError({field: _("Write a message before sending.")})
    # Every way in (page, API, live chat) ends here: what cannot be sealed is refused, not
    # left to fail in the vault.
    check_text(text, field=field)
    if len(text) > MAX_MESSAGE_CHARS:
        raise ValidationError({field: _(
            "A message can be at most %(max)d characters; this one has %(n)d. Split it in "
            "two.") % {"max": MAX_MESSAGE_CHARS, "n": len(text)}})

def _parse_client_id(client_id: str | uuid.UUID) -> uuid.UUID:
    try:
        return client_id if isinstance(client_id, uuid.UUID) else uuid.UUID(str(client_id))
    except ValueError:
        raise ValidationError({"client_id": _("The message id is not valid.")}) from None

@dataclass(frozen=True)
class Sent:
    message: Message
    created: bool  # False: the same client id was sent before; nothing new was stored
    crisis: bool
    # The live event, for a caller that broadcasts it itself (send_message(broadcast=False)).
    event: dict[str, Any] | None = None

def _writable(conversation: Conversation, sender: Person) -> str:
    role = conversation.participant_role(sender.pk)
    if role is None:
        raise ValidationError(_("You are not part of this conversation."))
    if conversation.state not in (Conversation.State.WAITING, Conversation.State.OPEN):
        raise ValidationError(_("This conversation is closed."))
    return role

def send_message(*, conversation: Conversation, sender: Person, client_id: str | uuid.UUID,
                 text: str, broadcast_after_commit: bool = True) -> Sent:
    """Persist a sealed message, then broadcast it after commit. Sending the same client id
    again returns the stored message and changes nothing.

    The chat consumer passes broadcast_after_commit=False and sends Sent.event itself once
    this returns (committed): the database thread it shares with every socket then does not
    wait on the channel layer."""
    client_uuid = _parse_client_id(client_id)
    try:
        check_message_text(text)
        role = _writable(conversation, sender)
    except ValidationError:
        # A resend of a stored message is answered as one, even if it could not be sent now.
        existing = _stored(conversation, client_uuid)
        if existing is None:
            raise
        return _duplicate(existing, sender)
    crisis = role == "colleague" and signals_crisis(text)
    now = timezone.now()
    try:
        with transaction.atomic():
            # As store_live does: messages in one conversation commit in id order.
            Conversation.objects.select_for_update(no_key=True).filter(
                pk=conversation.pk).values_list("pk").first()
            message = Message.objects.create(
                conversation=conversation, client_id=client_uuid, sender=sender,
                body=crypto.seal(conversation.data_key, text,
                                 aad=Message.aad(conversation.pk, client_uuid)),
                sent_at=now, crisis=crisis)
            if role == "supporter" and conversation.request.first_response_at is None:
                # Only until the first reply is on record: one statement fewer per message.
                SupportRequest.objects.filter(pk=conversation.request_id,
                                              first_response_at__isnull=True).update(
                    first_response_at=now)
                conversation.request.first_response_at = now
            event = _message_event(message, role, text)
            if broadcast_after_commit:
                broadcast(conversation.pk, event)
            _notify_other_side(conversation, role)
    except IntegrityError:
        # The client id is taken: a resend, or a concurrent send, of a stored message. Trying
        # the insert first spares every new message a look-up.
        existing = _stored(conversation, client_uuid)
        if existing is None:
            raise
        return _duplicate(existing, sender)
    return Sent(message, created=True, crisis=crisis,
                event=None if broadcast_after_commit else event)

@dataclass(frozen=True)
class LiveWriter:
    """What a live-chat socket remembers to store its person's messages in one statement:
    see store_live. Made by live_writer from a conversation loaded for writing."""

    conversation_id: int
    sender_id: int
    role: str
    data_key: DataKey

def live_writer(conversation: Conversation, sender: Person) -> LiveWriter | None:
    """A writer for SENDER's next messages in a live chat; None where a message needs more
    than an INSERT (the supporter's first reply, e-mail in messages mode) or none is allowed."""
    role = conversation.participant_role(sender.pk)
    if (role is None or conversation.request.mode != SupportRequest.Mode.CHAT
            or conversation.state not in (Conversation.State.WAITING, Conversation.State.OPEN)
            or (role == "supporter" and conversation.request.first_response_at is None)):
        return None
    return LiveWriter(conversation_id=conversation.pk, sender_id=sender.pk, role=role,
                      data_key=conversation.data_key)

def store_live(writer: LiveWriter, *, client_id: str | uuid.UUID, text: str) -> Sent | None:
    """Store a live-chat message with one INSERT … SELECT that commits on its own and is
    guarded in the same statement: the conversation is still open, the sender still takes
    part and its key is not shredded (see _live_insert_sql for the locks). None when the guard or
    an existing client id stopped it: send_message then gives the full answer (a duplicate,
    or why not). Bad text raises ValidationError as send_message does."""
    client_uuid = _parse_client_id(client_id)
    check_message_text(text)
    crisis = writer.role == "colleague" and signals_crisis(text)
    now = timezone.now()
    body = crypto.seal(writer.data_key, text,
                       aad=Message.aad(writer.conversation_id, client_uuid))
    connection = connections[Message.objects.db]

    def field(name: str) -> Field[Any, Any]:
        # Message's own columns, never a relation: get_field's type allows both.
        return cast("Field[Any, Any]", Message._meta.get_field(name))

    with connection.cursor() as cursor:
        cursor.execute(_live_insert_sql(connection.vendor), [
            field("client_id").get_db_prep_value(client_uuid, connection),
            writer.sender_id, body,
            field("sent_at").get_db_prep_value(now, connection), crisis,
            writer.conversation_id, Conversation.State.WAITING, Conversation.State.OPEN,
            writer.sender_id, writer.sender_id])
        row = cursor.fetchone()
    if row is None:
        return None
    message = Message(pk=row[0], conversation_id=writer.conversation_id, client_id=client_uuid,
                      sender_id=writer.sender_id, sent_at=now, crisis=crisis)
    return Sent(message, created=True, crisis=crisis,
                event=_message_event(message, writer.role, text))

def _message_event(message: Message, role: str, text: str) -> dict[str, Any]:
    """The live event for a stored message (the text goes only to the participants' sockets,
    over the channel layer, which channels-redis encrypts)."""
    return {"type": "chat.message", "id": message.pk, "client_id": str(message.client_id),
            "sender_role": role, "sent_at": message.sent_at.isoformat(),
            "crisis": message.crisis, "text": text}

_LIVE_INSERT = (
    "INSERT INTO support_message (conversation_id, client_id, sender_id, body, sent_at, crisis) "
    "SELECT c.id, %s, %s, %s, %s, %s FROM support_conversation c "
    "JOIN vault_datakey k ON k.id = c.data_key_id "
    "WHERE c.id = %s AND c.state IN (%s, %s) AND (c.colleague_id = %s OR c.supporter_id = %s) "
    "AND k.shredded_at IS NULL")

# Both engines accept INSERT … SELECT … ON CONFLICT when the SELECT has a WHERE clause.
_LIVE_INSERT_END = " ON CONFLICT (conversation_id, client_id) DO NOTHING RETURNING id"

def _live_insert_sql(vendor: str) -> str:
    # PostgreSQL: the conversation's row is locked until the statement commits, so messages
    # in one conversation commit in id order (a page resuming from its last seen id misses
    # none), and a close, hand-over or erasure committing meanwhile is waited for and seen.
    lock = " FOR NO KEY UPDATE OF c FOR SHARE OF k" if vendor == "postgresql" else ""
    return _LIVE_INSERT + lock + _LIVE_INSERT_END

def _stored(conversation: Conversation, client_id: uuid.UUID) -> Message | None:
    return Message.objects.filter(conversation=conversation, client_id=client_id).first()

def _duplicate(existing: Message, sender: Person) -> Sent:
    # Only the sender's own retry is a duplicate; the other side reusing an id they have seen
    # must not pass for a resend of someone else's message.
    if existing.sender_id != sender.pk:
        raise ValidationError({"client_id": _("This message id is already used; make a new "
                                              "one.")})
    return Sent(existing, created=False, crisis=existing.crisis)

def _notify_other_side(conversation: Conversation, sender_role: str) -> None:
    if conversation.request.mode == SupportRequest.Mode.CHAT:
        return  # chat is live; an e-mail per message would be noise
    other = conversation.supporter if sender_role == "colleague" else conversation.colleague
    if other is None:
        return
    notify(people=[other], subject=_("Haven: you have a new message"),
           body=_("There is a new message for you in Haven: %(url)s")
           % {"url": absolute_url(reverse("conversation", args=[conversation.pk]))})


# Closing, feedback, hand-over, safety ---------------------------------------------------------

def close_conversation(*, conversation: Conversation, by: Person) -> None:
    if conversation.participant_role(by.pk) is None:
        raise ValidationError(_("You are not part of this conversation."))
    now = timezone.now()
    with transaction.atomic():
        updated = Conversation.objects.filter(
            pk=conversation.pk,
            state__in=[Conversation.State.OPEN, Conversation.State.WAITING]).update(
            state=Conversation.State.CLOSED, closed_at=now,
            shred_after=now + timedelta(days=programme_settings().retention_days))
        if not updated:
            raise ValidationError(_("This conversation is already closed."))
        conversation.refresh_from_db(fields=["state", "closed_at", "shred_after"])
        SupportRequest.objects.filter(pk=conversation.request_id).update(
            state=SupportRequest.State.CLOSED)
        conversation.request.offers.filter(state=Offer.State.PENDING).update(
            state=Offer.State.WITHDRAWN, answered_at=now)
        broadcast(conversation.pk, {"type": "chat.closed"})

def give_feedback(*, conversation: Conversation, by: Person, felt_heard: int,
                  would_return: bool | None) -> None:
    if conversation.colleague_id != by.pk:
        raise Refused(_("Only the colleague who asked gives feedback."))
    if isinstance(felt_heard, bool) or not isinstance(felt_heard, int) \
            or not 1 <= felt_heard <= 5:
        raise ValidationError({"felt_heard": _("Choose from 1 to 5.")})
    with transaction.atomic():
        updated = Conversation.objects.filter(
            pk=conversation.pk,
            state__in=[Conversation.State.CLOSED, Conversation.State.SHREDDED]).update(
            felt_heard=felt_heard, would_return=would_return)
        if not updated:
            raise ValidationError(_("Close the conversation first."))

def request_handover(*, conversation: Conversation, supporter: Person) -> None:
    """The supporter asks to hand over; nothing moves until the colleague consents."""
    if conversation.supporter_id != supporter.pk or conversation.state != \
            Conversation.State.OPEN:
        raise ValidationError(_("You can hand over only your own open conversations."))
    with transaction.atomic():
        asked = Conversation.objects.filter(
            pk=conversation.pk, handover_requested_at__isnull=True).update(
            handover_requested_at=timezone.now())
        if not asked:
            raise ValidationError(_("You have already suggested a hand-over."))
        assert conversation.colleague is not None, "an open conversation is not erased"
        notify(people=[conversation.colleague],
               subject=_("Haven: your supporter suggests a hand-over"),
               body=_("Your peer supporter suggests that another supporter continues with "
                      "you. Nothing changes unless you agree: %(url)s")
               % {"url": absolute_url(reverse("conversation", args=[conversation.pk]))})
        broadcast(conversation.pk, {"type": "chat.handover"})

def consent_to_handover(*, conversation: Conversation, colleague: Person) -> Offer | None:
    """The colleague agrees that another supporter continues — and reads what came before:
    after their supporter suggested it, or after their supporter left (offboarding)."""
    if conversation.colleague_id != colleague.pk:
        raise ValidationError(_("There is no hand-over to agree to."))
    with transaction.atomic():
        suggested = Q(state=Conversation.State.OPEN, handover_requested_at__isnull=False)
        left = Q(state=Conversation.State.WAITING, supporter__isnull=True,
                 supporter_unavailable_at__isnull=False, handover_consented_at__isnull=True)
        moved = Conversation.objects.filter(suggested | left, pk=conversation.pk).update(
            supporter=None, state=Conversation.State.WAITING, handover_requested_at=None,
            handover_consented_at=timezone.now())
        if not moved:
            raise ValidationError(_("There is no hand-over to agree to."))
        SupportRequest.objects.filter(pk=conversation.request_id).update(
            state=SupportRequest.State.WAITING)
        conversation.request.refresh_from_db()
        offer = offer_to_next_supporter(support_request=conversation.request)
        broadcast(conversation.pk, {"type": "chat.handover"})
    return offer

def escalate_to_safety_contact(*, conversation: Conversation, supporter: Person) -> None:
    """The explicit escalation step: the safety contact learns that there is a concern and
    whom to call (the supporter) — never what was said."""
    if conversation.supporter_id != supporter.pk:
        raise Refused(_("Only the supporter in this conversation can escalate."))
    contact = programme_settings().safety_contact
    # A deactivated contact would be e-mailed nothing (notify skips inactive people): say so
    # now rather than let the supporter believe help is on its way.
    if contact is None or not contact.is_active:
        raise ValidationError(_("No safety contact is set. Call your local emergency number "
                                "and tell a coordinator at once."))
    with transaction.atomic():
        audit_conversation(action=SupportAudit.SAFETY_ESCALATED, conversation=conversation,
                           actor=supporter)
        notify(people=[contact], subject=_("Haven: urgent safety escalation"),
               body=_("Peer supporter %(name)s (%(email)s) has escalated a safety concern "
                      "and needs you to contact them now.")
               % {"name": supporter.name, "email": supporter.email})


# Erasure and retention ------------------------------------------------------------------------

def erase_conversation(*, conversation: Conversation, by: Person) -> None:
    """The colleague erases a conversation: its key is destroyed and its ciphertext deleted.
    Metrics keep only non-content fields."""
    if conversation.colleague_id != by.pk:
        raise Refused(_("Only the colleague who asked can erase a conversation."))
    if conversation.state == Conversation.State.SHREDDED:
        raise ValidationError(_("This conversation is already erased."))
    with transaction.atomic():
        # Recorded first, while the key that makes the colleague's pseudonym still exists.
        audit_conversation(action=SupportAudit.CONVERSATION_ERASED, conversation=conversation,
                           actor=by)
        _shred(conversation)

def _shred(conversation: Conversation) -> None:
    now = timezone.now()
    with transaction.atomic():
        crypto.shred(conversation.data_key)
        conversation.messages.all().delete()
        Commitment.objects.filter(conversation=conversation).update(what=b"", note=None)
        # Nothing may name who asked, or about whom, once the content is gone.
        Conversation.objects.filter(pk=conversation.pk).update(
            state=Conversation.State.SHREDDED, shredded_at=now,
            closed_at=conversation.closed_at or now, colleague=None)
        SupportRequest.objects.filter(pk=conversation.request_id).update(
            requester=None, sealed_details=b"")
        SupportRequest.objects.filter(pk=conversation.request_id).exclude(
            state__in=[SupportRequest.State.CLOSED, SupportRequest.State.CANCELLED]).update(
            state=SupportRequest.State.CLOSED)
        conversation.request.offers.filter(state=Offer.State.PENDING).update(
            state=Offer.State.WITHDRAWN, answered_at=now)
        broadcast(conversation.pk, {"type": "chat.closed"})

def shred_expired_conversations(*, now: datetime | None = None) -> int:
    """Worker: content is crypto-shredded once its retention period after closing has passed."""
    now = now or timezone.now()
    due = Conversation.objects.filter(state=Conversation.State.CLOSED, shred_after__lte=now) \
        .select_related("data_key", "request")
    count = 0
    for conversation in due:
        _shred(conversation)
        count += 1
    return count
