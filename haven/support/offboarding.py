"""What peer support does when a person is deactivated (core.services.set_person_active):
their colleagues are handed over, their offers move on, and their own requests close."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.core.links import absolute_url
from haven.core.mail import notify
from haven.core.models import Person
from haven.support.live.events import broadcast, sessions_changed
from haven.support.models import Conversation, Offer, SupporterProfile, SupportRequest
from haven.support.offers import offer_to_next_supporter
from haven.support.programme import programme_settings


def release_person(*, person: Person) -> None:
    """Inside the deactivation's transaction, PERSON already inactive and signed out:
    - as a supporter: their pending offers are withdrawn and go to the next supporter; each
      open conversation goes back to waiting, its colleague is told only that their supporter
      is no longer available, and it is offered to another supporter once they agree; their
      profile stops taking requests (it stays paused if they are reactivated, until they
      resume it);
    - as a colleague: requests nobody has taken are cancelled, open conversations are closed.
      Either way the content stays until the retention period after closing, as for any
      closed conversation (the colleague's own erasure aside);
    - their live chats are told after commit, so each socket finds its session gone and closes.
    """
    with transaction.atomic():
        # First, so that each of their sockets hears it before the hand-over and closing
        # events below: it closes as signed out (4401), which is what happened to them.
        transaction.on_commit(lambda: sessions_changed(person.pk), robust=True)
        _hand_over_as_supporter(person)
        _close_as_colleague(person)


def _hand_over_as_supporter(person: Person) -> None:
    now = timezone.now()
    SupporterProfile.objects.filter(person=person).update(active=False, updated_at=now)
    pending = list(Offer.objects.select_for_update().select_related("request")
                   .filter(supporter=person, state=Offer.State.PENDING))
    for offer in pending:
        Offer.objects.filter(pk=offer.pk).update(state=Offer.State.WITHDRAWN, answered_at=now)
        offer_to_next_supporter(support_request=offer.request)
    released = list(Conversation.objects.select_for_update(of=("self",))
                    .select_related("request", "request__requester", "colleague")
                    .filter(supporter=person, state=Conversation.State.OPEN))
    for conversation in released:
        Conversation.objects.filter(pk=conversation.pk).update(
            supporter=None, state=Conversation.State.WAITING, handover_requested_at=None,
            supporter_unavailable_at=now)
        SupportRequest.objects.filter(pk=conversation.request_id).update(
            state=SupportRequest.State.WAITING)
        # Not offered yet: another supporter would read what came before, and a hand-over
        # needs the colleague's consent (conversations.consent_to_handover).
        assert conversation.colleague is not None, "an open conversation is not erased"
        notify(people=[conversation.colleague],
               subject=_("Haven: your peer supporter is no longer available"),
               body=_("Your peer supporter is no longer available. If you would like another "
                      "supporter to continue with you, open your conversation and say so: "
                      "%(url)s")
               % {"url": absolute_url(reverse("conversation", args=[conversation.pk]))})
        # The same event as a consented hand-over: the former supporter's sockets find they
        # no longer take part and close; the colleague's page is asked to refresh.
        broadcast(conversation.pk, {"type": "chat.handover"})


def _close_as_colleague(person: Person) -> None:
    now = timezone.now()
    shred_after = now + timedelta(days=programme_settings().retention_days)
    requests = SupportRequest.objects.filter(requester=person)
    untaken = list(requests.filter(state__in=[SupportRequest.State.WAITING,
                                              SupportRequest.State.OFFERED])
                   .values_list("pk", flat=True))
    talking = list(requests.filter(state=SupportRequest.State.MATCHED)
                   .values_list("pk", flat=True))
    SupportRequest.objects.filter(pk__in=untaken).update(state=SupportRequest.State.CANCELLED)
    SupportRequest.objects.filter(pk__in=talking).update(state=SupportRequest.State.CLOSED)
    Offer.objects.filter(request_id__in=untaken + talking, state=Offer.State.PENDING).update(
        state=Offer.State.WITHDRAWN, answered_at=now)
    closing = list(Conversation.objects.filter(
        colleague=person, state__in=[Conversation.State.WAITING, Conversation.State.OPEN])
        .values_list("pk", flat=True))
    Conversation.objects.filter(pk__in=closing).update(
        state=Conversation.State.CLOSED, closed_at=now, shred_after=shred_after,
        handover_requested_at=None)
    for conversation_id in closing:
        broadcast(conversation_id, {"type": "chat.closed"})
