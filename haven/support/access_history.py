"""Audit rows for support conversations, and the access history their colleague can read.

A participant's own reads are recorded under a pseudonym keyed by the conversation's data key,
so the audit log shows administrators *that* a conversation was read, never by whom — a name
there would say who sought support, or who supports them. Anyone else who reads it is named,
loudly. Once the conversation is erased or expires, its key is gone and the pseudonyms can
never be tied to anyone again."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from django.http import Http404
from django.utils.translation import gettext_lazy as _

from haven.core.audit import DetailValue, audit
from haven.core.models import AuditEvent, Person
from haven.support.models import Conversation, Offer
from haven.vault import crypto

# Recorded when the conversation's master key is not on this server: still nobody's name.
UNKNOWN_PARTICIPANT = "unavailable"


def _pseudonym(conversation: Conversation, person_id: int) -> str:
    try:
        return crypto.keyed_pseudonym(conversation.data_key, f"person:{person_id}")
    except crypto.MasterKeyUnavailable:
        return UNKNOWN_PARTICIPANT


def _supporter_ids(conversation: Conversation) -> set[int]:
    """Everyone who has been this conversation's supporter, the present one included."""
    joined = set(Offer.objects.filter(request_id=conversation.request_id,
                                      state=Offer.State.ACCEPTED)
                 .values_list("supporter_id", flat=True))
    if conversation.supporter_id:
        joined.add(conversation.supporter_id)
    return joined


def audit_conversation(*, action: str, conversation: Conversation, actor: Person,
                       detail: Mapping[str, DetailValue] | None = None) -> AuditEvent:
    participants = _supporter_ids(conversation) | {conversation.colleague_id}
    if actor.pk in participants and not conversation.data_key.is_shredded:
        return audit(action=action, actor_pseudonym=_pseudonym(conversation, actor.pk),
                     object_type="conversation", object_id=conversation.pk, detail=detail)
    return audit(action=action, actor=actor, object_type="conversation",
                 object_id=conversation.pk, detail=detail)


@dataclass(frozen=True)
class Access:
    at: datetime
    action: str
    who: str
    outsider: bool  # someone who is not a participant: there should be none


def access_history(*, viewer: Person, conversation: Conversation) -> list[Access]:
    """Who read or acted on the conversation, and when (to the hour): for its colleague only."""
    if conversation.colleague_id is None or conversation.colleague_id != viewer.pk:
        raise Http404
    if conversation.data_key.is_shredded:
        return []
    names = {_pseudonym(conversation, viewer.pk): str(_("You"))}
    for supporter_id in _supporter_ids(conversation):
        names[_pseudonym(conversation, supporter_id)] = str(
            _("Your supporter") if supporter_id == conversation.supporter_id
            else _("A supporter who handed over"))
    events = (AuditEvent.objects.filter(object_type="conversation",
                                        object_id=str(conversation.pk))
              .prefetch_related("actor").order_by("-at", "-id"))
    history = []
    for event in events:
        if event.actor_pseudonym:
            who, outsider = names.get(event.actor_pseudonym, str(_("A participant"))), False
        else:
            who = event.actor.name if event.actor else str(_("Someone no longer listed"))
            outsider = True
        history.append(Access(at=event.at, action=event.action_label, who=who,
                              outsider=outsider))
    return history
