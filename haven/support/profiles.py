"""Supporter profiles: availability, capacity, languages and topics, and a coordinator's
approval."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.core.audit import audit
from haven.core.errors import Refused
from haven.core.models import Person, Role
from haven.core.services import clean_languages
from haven.support.models import SupportAudit, SupporterProfile
from haven.support.programme import programme_settings


def save_supporter_profile(*, person: Person, active: bool, capacity: int,
                           languages: list[str], topics: list[str],
                           availability: list[dict[str, Any]],
                           away_from: date | None, away_until: date | None) -> SupporterProfile:
    if not person.has_role(Role.SUPPORTER):
        raise Refused(_("Only peer supporters have a supporter profile."))
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

def set_availability(*, person: Person, availability: list[dict[str, Any]]
                     ) -> SupporterProfile:
    """Only the weekly availability of PERSON's supporter profile (made if they have none yet),
    as the API sets it; AVAILABILITY is already checked (support.availability.windows_from)."""
    if not person.has_role(Role.SUPPORTER):
        raise Refused(_("Only peer supporters have a supporter profile."))
    with transaction.atomic():
        profile, _created = SupporterProfile.objects.select_for_update().get_or_create(
            person=person, defaults={"languages": person.languages or ["en"]})
        profile.availability = availability
        profile.save(update_fields=["availability", "updated_at"])
    return profile


def approve_supporter(*, profile: SupporterProfile, actor: Person) -> None:
    with transaction.atomic():
        SupporterProfile.objects.filter(pk=profile.pk).update(approved_at=timezone.now())
        audit(action=SupportAudit.SUPPORTER_APPROVED, actor=actor, object_type="person",
              object_id=profile.person_id)
    profile.refresh_from_db()


def record_certification(*, person: Person, actor: Person, method: str) -> SupporterProfile | None:
    """Mark PERSON's supporter profile certified (made if they have none yet), audited with
    ACTOR and METHOD ("practice" or "coordinator"). None, changing nothing, if PERSON is
    certified already: once certified, always. Called by the coach inside its transaction,
    after it has decided that PERSON qualifies."""
    with transaction.atomic():
        profile, _created = SupporterProfile.objects.select_for_update().get_or_create(
            person=person, defaults={"languages": person.languages or ["en"]})
        if profile.certified_at is not None:
            return None
        profile.certified_at = timezone.now()
        profile.save(update_fields=["certified_at", "updated_at"])
        audit(action=SupportAudit.SUPPORTER_CERTIFIED, actor=actor, object_type="person",
              object_id=person.pk, detail={"method": method})
    return profile
