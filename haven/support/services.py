"""Writes for peer support: programme settings, supporter profiles, requests, matching and
offers. Every function is keyword-only and runs in one transaction; e-mails and live events go
out only after commit, and none carries content."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.core.audit import audit
from haven.core.models import AuditAction, Person, Role
from haven.core.services import clean_languages
from haven.core.tasks import send_email
from haven.support import details as sealed_details
from haven.support import matching
from haven.support.details import RequestDetails
from haven.support.models import (
    Conversation,
    Offer,
    ProgrammeSettings,
    SupporterProfile,
    SupportRequest,
)
from haven.support.org import ReportingLines
from haven.support.reliability import add_working_hours
from haven.vault import crypto

PSEUDONYM_WORDS = (
    ["Amber", "Cedar", "Coral", "Fern", "Harbour", "Juniper", "Linden", "Maple", "Meadow",
     "Orchid", "Pebble", "Quartz", "Rowan", "Sable", "Willow", "Zephyr"],
    ["Heron", "Otter", "Finch", "Lynx", "Marten", "Plover", "Sparrow", "Wren", "Badger",
     "Kestrel", "Robin", "Swift", "Hare", "Stoat", "Crane", "Dove"],
)


def programme_settings() -> ProgrammeSettings:
    return ProgrammeSettings.objects.get_or_create(pk=1)[0]


def _link(path: str) -> str:
    return f"{settings.HAVEN_BASE_URL.rstrip('/')}{path}"


def notify(*, people: list[Person], subject: str, body: str) -> None:
    """E-mail through the worker, after commit. Callers pass only content-free text: never
    what anyone wrote."""
    recipients = [person.email for person in people if person.is_active]
    if recipients:
        transaction.on_commit(lambda: send_email.enqueue(str(subject), str(body), recipients))


def coordinators() -> list[Person]:
    return list(Person.objects.filter(role_grants__role=Role.COORDINATOR, is_active=True))


# Programme settings ---------------------------------------------------------------------------

def update_programme_settings(*, actor: Person, request: Any = None,
                              **fields: Any) -> ProgrammeSettings:
    allowed = {"topics", "confidentiality_text", "crisis_text", "crisis_by_location",
               "response_target_hours", "offer_minutes", "retention_days", "safety_contact"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(_("Unknown settings: %(names)s") % {"names": ", ".join(unknown)})
    with transaction.atomic():
        current = ProgrammeSettings.objects.select_for_update().get_or_create(pk=1)[0]
        for name, value in fields.items():
            setattr(current, name, value)
        current.full_clean()
        current.save()
        audit(action=AuditAction.PROGRAMME_SETTINGS_CHANGED, actor=actor,
              object_type="programme_settings", object_id=1, request=request,
              detail={"fields": ",".join(sorted(fields))[:64]})
    return current


# Supporter profiles ---------------------------------------------------------------------------

DAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def parse_availability(text: str) -> list[dict[str, Any]]:
    """Lines such as `Mon 09:00-12:30` (one window a line) into stored windows."""
    days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    windows = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        try:
            day, hours = line.split(None, 1)
            start_text, end_text = (part.strip() for part in hours.split("-"))
            weekday = days.index(day[:3].lower())
            if not DAY_NAMES[weekday].startswith(day.lower()):  # "Mon", "Monday"; not "Monkey"
                raise ValueError(day)
            start, end = time.fromisoformat(start_text), time.fromisoformat(end_text)
        except ValueError:
            raise ValidationError({"availability": _(
                "Line %(n)d: write a day and hours such as “Mon 09:00-12:30”.") % {"n": number}
            }) from None
        if start >= end:
            raise ValidationError({"availability": _(
                "Line %(n)d: the window must end after it starts.") % {"n": number}})
        windows.append({"weekday": weekday, "start": start.strftime("%H:%M"),
                        "end": end.strftime("%H:%M")})
    return windows


def save_supporter_profile(*, person: Person, active: bool, capacity: int,
                           languages: list[str], topics: list[str],
                           availability: list[dict[str, Any]],
                           away_from: date | None, away_until: date | None) -> SupporterProfile:
    if not person.has_role(Role.SUPPORTER):
        raise ValidationError(_("Only peer supporters have a supporter profile."))
    if not 1 <= capacity <= 20:
        raise ValidationError({"capacity": _("Capacity must be between 1 and 20.")})
    if away_from and away_until and away_until < away_from:
        raise ValidationError({"away_until": _("The end of your away time must be after its "
                                               "start.")})
    known = {slug for slug, _label in programme_settings().topic_choices()}
    if set(topics) - known:
        raise ValidationError({"topics": _("Choose topics from the list.")})
    with transaction.atomic():
        profile, _created = SupporterProfile.objects.select_for_update().get_or_create(
            person=person)
        profile.active = active
        profile.capacity = capacity
        profile.languages = clean_languages(languages) or person.languages or ["en"]
        profile.topics = topics
        profile.availability = availability
        profile.away_from, profile.away_until = away_from, away_until
        profile.save()
    return profile


def approve_supporter(*, profile: SupporterProfile, actor: Person, request: Any = None) -> None:
    with transaction.atomic():
        SupporterProfile.objects.filter(pk=profile.pk).update(approved_at=timezone.now())
        audit(action=AuditAction.SUPPORTER_APPROVED, actor=actor, object_type="person",
              object_id=profile.person_id, request=request)
    profile.refresh_from_db()


# Requests and matching ------------------------------------------------------------------------

def _pseudonym(rng: random.Random) -> str:
    return f"{rng.choice(PSEUDONYM_WORDS[0])} {rng.choice(PSEUDONYM_WORDS[1])}"


def open_request(*, requester: Person, topic: str, mode: str, use_pseudonym: bool,
                 language: str, avoid_my_team: bool, avoid_my_department: bool,
                 person_of_concern: Person | None, preferred_supporter: Person | None,
                 acknowledged_confidentiality: bool, first_message: str,
                 submission_id: str) -> SupportRequest:
    """Open a request with its first message, then offer it to the best supporter.
    Submitting the same form twice (same submission id) returns the first request."""
    from haven.support.conversations import check_message_text

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
    from haven.support.conversations import send_message

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


def supporter_snapshots(lines: ReportingLines) -> list[matching.Supporter]:
    """Every supporter's state, as plain data for the matching functions."""
    open_counts = Counter(dict(
        Conversation.objects.filter(state=Conversation.State.OPEN, supporter__isnull=False)
        .values("supporter").annotate(n=Count("id")).values_list("supporter", "n")))
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
            expected = matching.earliest_reply(supporters, spec)
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
                           "id": support_request.pk, "url": _link(reverse("programme"))})
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
                                             "url": _link(reverse("supporter_home"))})
    return offer


def accept_offer(*, offer: Offer, supporter: Person) -> Conversation:
    with transaction.atomic():
        offer = Offer.objects.select_for_update().select_related("request").get(pk=offer.pk)
        if offer.supporter_id != supporter.pk:
            raise ValidationError(_("This offer is not yours."))
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
        notify(people=[conversation.colleague],
               subject=_("Haven: a peer supporter has joined your conversation"),
               body=_("A peer supporter has accepted your request: %(url)s")
               % {"url": _link(reverse("conversation", args=[conversation.pk]))})
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
                   % {"n": len(ids), "url": _link(reverse("programme"))})
    return len(ids)


def cancel_request(*, support_request: SupportRequest, by: Person) -> None:
    """Withdraw a request nobody has taken yet. Its conversation closes like any other, so its
    content is destroyed after the retention period rather than kept for ever."""
    if support_request.requester_id != by.pk:
        raise ValidationError(_("Only the person who asked can cancel a request."))
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


def open_offer_filter() -> Q:
    return Q(state=Offer.State.PENDING, expires_at__gt=timezone.now())
