"""Matching glue and offers: who is offered a request next, their answer, offers that run
out, requests tried again, and first-response alerts. E-mails go out after commit and carry
no content."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.core.errors import Refused
from haven.core.links import absolute_url
from haven.core.mail import notify
from haven.core.models import Person, Role
from haven.support import matching
from haven.support.live import events
from haven.support.models import Conversation, Offer, SupporterProfile, SupportRequest
from haven.support.org import ReportingLines
from haven.support.programme import programme_settings
from haven.support.reliability import add_working_hours
from haven.support.selectors import open_conversations_per_supporter, open_offer_filter


def coordinators() -> list[Person]:
    return list(Person.objects.filter(role_grants__role=Role.COORDINATOR, is_active=True))

def supporter_snapshots(lines: ReportingLines) -> list[matching.Supporter]:
    """Every supporter's state, as plain data for the matching functions."""
    open_counts = Counter(open_conversations_per_supporter())
    # An offer waiting for an answer takes a place too: otherwise every new request goes to
    # the same best supporter at once, over their capacity, while the others stay idle.
    open_counts.update(dict(
        Offer.objects.filter(open_offer_filter()).values("supporter")
        .annotate(n=Count("id")).values_list("supporter", "n")))
    response = ExpressionWrapper(F("request__first_response_at") - F("request__created_at"),
                                 output_field=DurationField())
    records = dict(
        Conversation.objects.filter(request__first_response_at__isnull=False,
                                    supporter__isnull=False)
        .values("supporter").annotate(avg=Avg(response)).values_list("supporter", "avg"))
    profiles = (SupporterProfile.objects.select_related("person", "person__location")
                .filter(person__role_grants__role=Role.SUPPORTER, person__is_active=True))
    now = timezone.now()
    snapshots = []
    for profile in profiles:
        person = profile.person
        record = records.get(person.pk)
        snapshots.append(matching.Supporter(
            person_id=person.pk, team_id=person.team_id, department_id=person.department_id,
            managers=lines.managers(person.pk), reports=lines.reports(person.pk),
            languages=frozenset(profile.languages or person.languages or ["en"]),
            topics=frozenset(profile.topics), capacity=profile.capacity,
            open_conversations=open_counts.get(person.pk, 0), active=profile.active,
            certified=profile.certified, away=profile.is_away(now),
            time_zone=person.time_zone or settings.TIME_ZONE,
            availability=tuple(
                matching.Window(w["weekday"], time.fromisoformat(w["start"]),
                                time.fromisoformat(w["end"]))
                for w in profile.availability),
            median_first_response_minutes=record.total_seconds() / 60 if record else None,
        ))
    return snapshots

def _seeker(person: Person, lines: ReportingLines) -> matching.Seeker:
    return matching.Seeker(person_id=person.pk, team_id=person.team_id,
                           department_id=person.department_id,
                           managers=lines.managers(person.pk), reports=lines.reports(person.pk))

def matching_request(support_request: SupportRequest, lines: ReportingLines,
                     now: datetime) -> matching.Request:
    requester = support_request.requester
    assert requester is not None, "only an erased request has no requester, and none is matched"
    details = support_request.details
    previous = set(Conversation.objects.filter(colleague=requester, supporter__isnull=False)
                   .exclude(request=support_request).values_list("supporter", flat=True))
    wanted = {details.preferred_supporter_id} & previous
    excluded = set(support_request.offers.values_list("supporter", flat=True))
    concern = (Person.objects.filter(pk=details.person_of_concern_id).first()
               if details.person_of_concern_id else None)
    return matching.Request(
        requester=_seeker(requester, lines), topic=details.topic,
        mode=matching.Mode(support_request.mode), language=support_request.language,
        avoid_my_team=details.avoid_my_team,
        avoid_my_department=details.avoid_my_department, now=now,
        # "Within the response target" in wall-clock time from now, in working hours.
        response_target=add_working_hours(
            now, programme_settings().response_target_hours,
            requester.time_zone or settings.TIME_ZONE) - now,
        person_of_concern=_seeker(concern, lines) if concern else None,
        previous_supporters=frozenset(x for x in wanted if x is not None),
        excluded=frozenset(excluded),
    )

def offer_to_next_supporter(*, support_request: SupportRequest) -> Offer | None:
    """Offer the request to the best supporter not yet asked; when nobody fits, tell the
    colleague honestly when to expect a reply and alert coordinators (without content)."""
    now = timezone.now()
    lines = ReportingLines()
    spec = matching_request(support_request, lines, now)
    supporters = supporter_snapshots(lines)
    matches, rejected = matching.rank(supporters, spec)
    with transaction.atomic():
        if not matches:
            # In UTC, like every stored time: the matcher's answer is in the supporter's zone,
            # which the colleague must not learn (the API would show its offset).
            expected = matching.earliest_reply(supporters, spec)
            expected = expected.astimezone(UTC) if expected else None
            SupportRequest.objects.filter(pk=support_request.pk).update(
                state=SupportRequest.State.WAITING, expected_reply_by=expected)
            support_request.state = SupportRequest.State.WAITING
            support_request.expected_reply_by = expected
            if support_request.coordinators_alerted_at is None:
                SupportRequest.objects.filter(pk=support_request.pk).update(
                    coordinators_alerted_at=now)
                notify(people=coordinators(),
                       subject=_("Haven: a support request is waiting for a supporter"),
                       body=_("Request #%(id)d found no available supporter. Open the "
                              "programme page: %(url)s") % {
                           "id": support_request.pk, "url": absolute_url(reverse("programme"))})
            return None
        best = matches[0]
        minutes = programme_settings().offer_minutes
        supporter = Person.objects.get(pk=best.supporter_id)
        offer = Offer.objects.create(
            request=support_request, supporter=supporter, offered_at=now,
            expires_at=now + timedelta(minutes=minutes),
            reasons={"score": best.score, "parts": best.parts,
                     "constraints": "all hard constraints met",
                     "considered": len(supporters), "ruled_out": len(rejected)},
        )
        SupportRequest.objects.filter(pk=support_request.pk).update(
            state=SupportRequest.State.OFFERED,
            first_response_due=add_working_hours(
                support_request.created_at, programme_settings().response_target_hours,
                supporter.time_zone or settings.TIME_ZONE))
        support_request.state = SupportRequest.State.OFFERED
        notify(people=[supporter], subject=_("Haven: a colleague would like to talk"),
               body=_("You have a new support request. Please answer within %(minutes)d "
                      "minutes: %(url)s") % {"minutes": minutes,
                                             "url": absolute_url(reverse("supporter_home"))})
    return offer

def free_from(support_request: SupportRequest, *, now: datetime | None = None
              ) -> datetime | None:
    """When a waiting colleague can expect a supporter: the time they were told, while it is
    still ahead; once it has passed (the supporter's slot came and nobody took the request),
    the next one, computed now from every supporter who fits. None when nobody fits at all."""
    now = now or timezone.now()
    told = support_request.expected_reply_by
    if told is None or told > now:
        return told
    if support_request.requester is None:  # erased: nobody is waiting
        return None
    lines = ReportingLines()
    return matching.earliest_reply(supporter_snapshots(lines),
                                   matching_request(support_request, lines, now))

def accept_offer(*, offer: Offer, supporter: Person) -> Conversation:
    with transaction.atomic():
        offer = Offer.objects.select_for_update().select_related("request").get(pk=offer.pk)
        if offer.supporter_id != supporter.pk:
            raise Refused(_("This offer is not yours."))
        if offer.state != Offer.State.PENDING or offer.expires_at <= timezone.now():
            raise ValidationError(_("This offer is no longer open; it has gone to someone "
                                    "else."))
        offer.state, offer.answered_at = Offer.State.ACCEPTED, timezone.now()
        offer.save(update_fields=["state", "answered_at"])
        SupportRequest.objects.filter(pk=offer.request_id).update(
            state=SupportRequest.State.MATCHED)
        conversation = Conversation.objects.select_for_update().get(request_id=offer.request_id)
        conversation.supporter = supporter
        conversation.state = Conversation.State.OPEN
        conversation.opened_at = timezone.now()
        conversation.supporter_unavailable_at = conversation.handover_consented_at = None
        conversation.save(update_fields=["supporter", "state", "opened_at",
                                         "supporter_unavailable_at", "handover_consented_at"])
        assert conversation.colleague is not None, "a waiting conversation is not erased"
        notify(people=[conversation.colleague],
               subject=_("Haven: a peer supporter has joined your conversation"),
               body=_("A peer supporter has accepted your request: %(url)s")
               % {"url": absolute_url(reverse("conversation", args=[conversation.pk]))})
        # The colleague's open page says who joined and stops saying "waiting", live.
        events.broadcast(conversation.pk, {"type": "chat.joined", "name": supporter.name})
    return conversation

def decline_offer(*, offer: Offer, supporter: Person) -> None:
    with transaction.atomic():
        updated = Offer.objects.filter(pk=offer.pk, supporter=supporter,
                                       state=Offer.State.PENDING).update(
            state=Offer.State.DECLINED, answered_at=timezone.now())
        if not updated:
            raise ValidationError(_("This offer is no longer open."))
        offer_to_next_supporter(support_request=offer.request)

def expire_offers(*, now: datetime | None = None) -> int:
    """Worker: offers past their time limit move on to the next supporter."""
    now = now or timezone.now()
    expired = 0
    for offer in Offer.objects.filter(state=Offer.State.PENDING, expires_at__lte=now) \
            .select_related("request"):
        with transaction.atomic():
            if Offer.objects.filter(pk=offer.pk, state=Offer.State.PENDING).update(
                    state=Offer.State.EXPIRED, answered_at=now):
                expired += 1
                offer_to_next_supporter(support_request=offer.request)
    return expired

def retry_waiting_requests() -> int:
    """Worker: requests nobody fitted are tried again as supporters become available."""
    offered = 0
    # Not those whose supporter left: they wait for their colleague's consent to a hand-over.
    waiting = SupportRequest.objects.filter(state=SupportRequest.State.WAITING).exclude(
        conversation__supporter_unavailable_at__isnull=False,
        conversation__handover_consented_at__isnull=True)
    for support_request in waiting:
        if offer_to_next_supporter(support_request=support_request) is not None:
            offered += 1
    return offered

def alert_missed_first_responses(*, now: datetime | None = None) -> int:
    """Worker: a missed first-response target alerts coordinators once (without content)."""
    now = now or timezone.now()
    missed = SupportRequest.objects.filter(
        first_response_at__isnull=True, first_response_due__lte=now,
        coordinators_alerted_at__isnull=True,
        state__in=[SupportRequest.State.WAITING, SupportRequest.State.OFFERED,
                   SupportRequest.State.MATCHED])
    ids = list(missed.values_list("pk", flat=True))
    if ids:
        with transaction.atomic():
            SupportRequest.objects.filter(pk__in=ids).update(coordinators_alerted_at=now)
            notify(people=coordinators(),
                   subject=_("Haven: first-response targets missed"),
                   body=_("%(n)d support requests passed their first-response target without "
                          "a reply. Open the programme page: %(url)s")
                   % {"n": len(ids), "url": absolute_url(reverse("programme"))})
    return len(ids)
