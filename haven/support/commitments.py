"""What a supporter commits to do for their colleague: recorded sealed, kept, missed or
renegotiated, with a reminder a day before it is due."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.core import times
from haven.core.errors import Refused
from haven.core.links import absolute_url
from haven.core.mail import optional_email
from haven.core.models import Person
from haven.support.live.events import broadcast
from haven.support.models import REMINDER_EMAIL, Commitment, Conversation
from haven.vault import crypto

MAX_COMMITMENT_CHARS = 500

def _check_commitment(what: str, due_at: datetime) -> None:
    if not what.strip():
        raise ValidationError({"what": _("Say what you will do.")})
    if len(what) > MAX_COMMITMENT_CHARS:
        raise ValidationError({"what": _("Keep it under %(n)d characters.")
                               % {"n": MAX_COMMITMENT_CHARS}})
    if due_at <= timezone.now():
        raise ValidationError({"due_at": _("Choose a time in the future.")})

def record_commitment(*, conversation: Conversation, supporter: Person, what: str,
                      due_at: datetime) -> Commitment:
    if conversation.supporter_id != supporter.pk:
        raise Refused(_("Only the supporter in this conversation records commitments."))
    if conversation.state != Conversation.State.OPEN:
        raise ValidationError(_("This conversation is closed."))
    _check_commitment(what, due_at)
    with transaction.atomic():
        commitment = Commitment(conversation=conversation, supporter=supporter, due_at=due_at)
        commitment.what = crypto.seal(conversation.data_key, what.strip(),
                                      aad=commitment.aad("what"))
        commitment.save()
        broadcast(conversation.pk, {"type": "chat.commitments"})
    return commitment

def resolve_commitment(*, commitment: Commitment, supporter: Person, kept: bool) -> None:
    if commitment.supporter_id != supporter.pk:
        raise Refused(_("This commitment is not yours."))
    with transaction.atomic():
        updated = Commitment.objects.filter(pk=commitment.pk, state=Commitment.State.OPEN).update(
            state=Commitment.State.KEPT if kept else Commitment.State.MISSED,
            resolved_at=timezone.now())
        if not updated:
            raise ValidationError(_("This commitment is already settled."))
        broadcast(commitment.conversation_id, {"type": "chat.commitments"})

def renegotiate_commitment(*, commitment: Commitment, supporter: Person, due_at: datetime,
                           note: str) -> Commitment:
    """Move a commitment to a new time, with a note the colleague sees."""
    if commitment.supporter_id != supporter.pk:
        raise Refused(_("This commitment is not yours."))
    if not note.strip():
        raise ValidationError({"note": _("Tell your colleague why the plan changes.")})
    if len(note) > MAX_COMMITMENT_CHARS:
        raise ValidationError({"note": _("Keep the note under %(n)d characters.")
                               % {"n": MAX_COMMITMENT_CHARS}})
    conversation = commitment.conversation
    what = crypto.open_sealed(conversation.data_key, commitment.what, aad=commitment.aad("what"))
    _check_commitment(what, due_at)
    with transaction.atomic():
        state = (Commitment.objects.select_for_update().filter(pk=commitment.pk)
                 .values_list("state", flat=True).first())
        if state != Commitment.State.OPEN:
            raise ValidationError(_("This commitment is already settled."))
        commitment.note = crypto.seal(conversation.data_key, note.strip(),
                                      aad=commitment.aad("note"))
        commitment.state = Commitment.State.RENEGOTIATED
        commitment.resolved_at = timezone.now()
        replacement = record_commitment(conversation=conversation, supporter=supporter,
                                        what=what, due_at=due_at)
        commitment.replaced_by = replacement
        commitment.save(update_fields=["note", "state", "resolved_at", "replaced_by"])
    return replacement

# A commitment still stands while its conversation has content and its maker still supports
# the colleague there; otherwise nobody is reminded and nothing is marked missed.
_STILL_THEIRS = (~Q(conversation__state=Conversation.State.SHREDDED)
                 & Q(conversation__supporter=F("supporter")))

def remind_commitments(*, now: datetime | None = None, ahead: timedelta = timedelta(hours=24)
                       ) -> int:
    """Worker: remind each supporter once, a day before a commitment is due (no content)."""
    now = now or timezone.now()
    due = (Commitment.objects.filter(state=Commitment.State.OPEN, reminded_at__isnull=True,
                                     due_at__lte=now + ahead)
           .filter(_STILL_THEIRS)
           .select_related("supporter", "supporter__location"))
    count = 0
    for commitment in due:
        with transaction.atomic():
            if Commitment.objects.filter(pk=commitment.pk, reminded_at__isnull=True).update(
                    reminded_at=now):
                count += 1
                # Claimed even when the supporter turned these reminders off: nothing is owed.
                optional_email(
                    person=commitment.supporter, kind=REMINDER_EMAIL.key,
                    subject=_("Haven: a commitment is due soon"),
                    body=_("You made a commitment that is due %(when)s. Open the "
                           "conversation: %(url)s") % {
                        "when": times.shown_time(
                            commitment.due_at, times.zone_of(commitment.supporter.time_zone),
                            with_zone=True),
                        "url": absolute_url(reverse("conversation",
                                                    args=[commitment.conversation_id]))})
    return count

def mark_missed_commitments(*, now: datetime | None = None,
                            grace: timedelta = timedelta(hours=24)) -> int:
    """Worker: an open commitment a day past due counts as missed. A commitment whose
    conversation was erased or expired, or handed over to another supporter, has no outcome:
    it is not held against the supporter (who can no longer open the conversation)."""
    now = now or timezone.now()
    return (Commitment.objects.filter(state=Commitment.State.OPEN, due_at__lte=now - grace)
            .filter(_STILL_THEIRS)
            .update(state=Commitment.State.MISSED, resolved_at=now))
