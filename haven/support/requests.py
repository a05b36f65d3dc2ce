"""A colleague opens a support request (with its first message, sealed) or withdraws it
before anyone has taken it."""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.core.errors import Refused
from haven.core.models import Person
from haven.core.services import clean_languages
from haven.support import details as sealed_details
from haven.support.conversations import check_message_text, send_message
from haven.support.details import RequestDetails
from haven.support.models import Conversation, Offer, SupportRequest
from haven.support.offers import offer_to_next_supporter
from haven.support.programme import programme_settings
from haven.support.reliability import add_working_hours
from haven.vault import crypto

PSEUDONYM_WORDS = (
    ["Amber", "Cedar", "Coral", "Fern", "Harbour", "Juniper", "Linden", "Maple", "Meadow",
     "Orchid", "Pebble", "Quartz", "Rowan", "Sable", "Willow", "Zephyr"],
    ["Heron", "Otter", "Finch", "Lynx", "Marten", "Plover", "Sparrow", "Wren", "Badger",
     "Kestrel", "Robin", "Swift", "Hare", "Stoat", "Crane", "Dove"],
)

def _pseudonym(rng: random.Random) -> str:
    return f"{rng.choice(PSEUDONYM_WORDS[0])} {rng.choice(PSEUDONYM_WORDS[1])}"

def open_request(*, requester: Person, topic: str, mode: str, use_pseudonym: bool,
                 language: str, avoid_my_team: bool, avoid_my_department: bool,
                 person_of_concern: Person | None, preferred_supporter: Person | None,
                 acknowledged_confidentiality: bool, first_message: str,
                 submission_id: str) -> SupportRequest:
    """Open a request with its first message, then offer it to the best supporter.
    Submitting the same form twice (same submission id) returns the first request."""
    try:
        submission = uuid.UUID(str(submission_id))
    except ValueError:
        raise ValidationError(_("The form is out of date; reload the page.")) from None
    existing = SupportRequest.objects.filter(submission_id=submission,
                                             requester=requester).first()
    if existing is not None:
        return existing

    if not acknowledged_confidentiality:
        raise ValidationError({"acknowledged": _(
            "Please read and confirm the limits of confidentiality before sending.")})
    if topic not in {slug for slug, _label in programme_settings().topic_choices()}:
        raise ValidationError({"topic": _("Choose a topic from the list.")})
    if mode not in SupportRequest.Mode.values:
        raise ValidationError({"mode": _("Choose how you would like to talk.")})
    if person_of_concern is not None and person_of_concern.pk == requester.pk:
        raise ValidationError({"person_of_concern": _(
            "The person of concern cannot be you.")})
    check_message_text(first_message)
    language = (clean_languages([language]) or ["en"])[0]
    now = timezone.now()
    target = programme_settings().response_target_hours
    zone = requester.time_zone or settings.TIME_ZONE
    try:
        support_request = _create_request(
            requester=requester, submission=submission, topic=topic, mode=mode,
            use_pseudonym=use_pseudonym, language=language, avoid_my_team=avoid_my_team,
            avoid_my_department=avoid_my_department, person_of_concern=person_of_concern,
            preferred_supporter=preferred_supporter, first_message=first_message, now=now,
            first_response_due=add_working_hours(now, target, zone))
    except crypto.MasterKeyUnavailable:
        # This server may not wrap a new conversation key now (its current master key is
        # retired, or is not the one the other servers hold); the vault told the operator.
        # A refusal like any other: nothing is stored, and the form keeps what they wrote.
        raise ValidationError(_(
            "Haven cannot open a new request right now: its encryption key is being changed "
            "on this server. Nothing was sent; please try again later. Your administrator "
            "has been told.")) from None
    except IntegrityError:
        # The same form sent twice at once (answer with the first request), or a submission id
        # that someone else already used (refuse it, without saying whose).
        if not SupportRequest.objects.filter(submission_id=submission).exists():
            raise
        existing = SupportRequest.objects.filter(submission_id=submission,
                                                 requester=requester).first()
        if existing is None:
            raise ValidationError({"submission_id": _(
                "The form is out of date; reload the page.")}) from None
        return existing
    return support_request

def _create_request(*, requester: Person, submission: uuid.UUID, topic: str, mode: str,
                    use_pseudonym: bool, language: str, avoid_my_team: bool,
                    avoid_my_department: bool, person_of_concern: Person | None,
                    preferred_supporter: Person | None, first_message: str, now: datetime,
                    first_response_due: datetime) -> SupportRequest:
    with transaction.atomic():
        key = crypto.create_data_key(purpose="conversation")
        details = RequestDetails(
            topic=topic, use_pseudonym=use_pseudonym,
            pseudonym=_pseudonym(random.SystemRandom()) if use_pseudonym else "",
            avoid_my_team=avoid_my_team, avoid_my_department=avoid_my_department,
            person_of_concern_id=person_of_concern.pk if person_of_concern else None,
            preferred_supporter_id=preferred_supporter.pk if preferred_supporter else None)
        support_request = SupportRequest.objects.create(
            requester=requester, submission_id=submission, mode=mode, language=language,
            sealed_details=sealed_details.seal(key, submission_id=submission, details=details),
            confidentiality_acknowledged_at=now, created_at=now,
            first_response_due=first_response_due,
        )
        support_request.details = details
        conversation = Conversation.objects.create(request=support_request, colleague=requester,
                                                   data_key=key)
        send_message(conversation=conversation, sender=requester, client_id=submission,
                     text=first_message)
        offer_to_next_supporter(support_request=support_request)
    return support_request


def cancel_request(*, support_request: SupportRequest, by: Person) -> None:
    """Withdraw a request nobody has taken yet. Its conversation closes like any other, so its
    content is destroyed after the retention period rather than kept for ever."""
    if support_request.requester_id != by.pk:
        raise Refused(_("Only the person who asked can cancel a request."))
    now = timezone.now()
    with transaction.atomic():
        cancelled = SupportRequest.objects.filter(
            pk=support_request.pk,
            state__in=[SupportRequest.State.WAITING, SupportRequest.State.OFFERED]).update(
            state=SupportRequest.State.CANCELLED)
        if not cancelled:
            raise ValidationError(_("A supporter has already joined; close the conversation "
                                    "instead."))
        support_request.offers.filter(state=Offer.State.PENDING).update(
            state=Offer.State.WITHDRAWN, answered_at=now)
        Conversation.objects.filter(request=support_request,
                                    state=Conversation.State.WAITING).update(
            state=Conversation.State.CLOSED, closed_at=now,
            shred_after=now + timedelta(days=programme_settings().retention_days))
    support_request.state = SupportRequest.State.CANCELLED
