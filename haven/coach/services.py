"""Writes for practice and certification: record a practice revision's scores (never its text),
finish an attempt, certify a supporter (automatically or by a coordinator's hand), and the live
coach's rate limit.

One edge to another app's writes: certifying goes through haven.support.profiles
.record_certification, since the supporter profile (and its audit row) belongs to support."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.coach import selectors
from haven.coach.models import MECHANISMS, RISK_FLAGS, PracticeAttempt
from haven.coach.scenarios import scenario_for
from haven.core.audit import hash_identifier
from haven.core.errors import Refused
from haven.core.models import Person, Role
from haven.core.ratelimit import count_hit
from haven.support.profiles import record_certification

if TYPE_CHECKING:  # types only: coach reaches support through its selectors and services
    from haven.support.models import SupporterProfile

FLAG_FIELDS = ("advice", *RISK_FLAGS)


@dataclass(frozen=True)
class PracticeResult:
    attempt: PracticeAttempt
    certified: bool  # this revision completed the supporter's certification


def record_practice(*, supporter: Person, scenario: str, analysis: Any,
                    attempt_id: int | None = None) -> PracticeResult:
    """Store the levels and flags of one submitted revision of a practice reply.

    ANALYSIS is the coach's reading of the reply (haven.coach.engine.analysis.Analysis); only its
    numbers and flags are kept. With ATTEMPT_ID naming this supporter's unfinished attempt of
    the same scenario, the revision replaces that attempt's final values; otherwise a new
    attempt starts. Certifies the supporter when the rules are met."""
    if not supporter.has_role(Role.SUPPORTER):
        raise Refused(_("Only peer supporters practise with the coach."))
    if scenario_for(scenario) is None:
        raise Http404
    if not getattr(analysis, "judged", True):
        raise ValidationError(_("The coach could not read this reply, so it was not scored."))
    levels = {name: max(0, min(2, int(getattr(analysis, name)))) for name in MECHANISMS}
    flags = {name: bool(getattr(analysis, name)) for name in FLAG_FIELDS}
    now = timezone.now()
    with transaction.atomic():
        attempt = None
        if attempt_id:
            attempt = (PracticeAttempt.objects.select_for_update()
                       .filter(pk=attempt_id, supporter=supporter, scenario=scenario,
                               finished_at__isnull=True).first())
        if attempt is None:
            attempt = PracticeAttempt(
                supporter=supporter, scenario=scenario, started_at=now, revisions=0,
                first_score=sum(levels.values()),
                first_flagged=any(flags[name] for name in RISK_FLAGS))
        for name, value in {**levels, **flags}.items():
            setattr(attempt, name, value)
        attempt.revisions += 1
        attempt.submitted_at = now
        attempt.save()
        certified = certify_if_ready(supporter=supporter)
    return PracticeResult(attempt, certified)


def finish_practice(*, supporter: Person, attempt_id: int) -> PracticeAttempt:
    """Show the example reply: the attempt takes no more revisions after this."""
    with transaction.atomic():
        attempt = (PracticeAttempt.objects.select_for_update()
                   .filter(pk=attempt_id, supporter=supporter).first())
        if attempt is None:
            raise Http404
        if attempt.finished_at is None:
            attempt.finished_at = timezone.now()
            attempt.save(update_fields=["finished_at"])
    return attempt


def certify_if_ready(*, supporter: Person) -> bool:
    """Certify SUPPORTER when their practice meets the rules (selectors.progress_of). True when
    this call certified them; a supporter once certified stays certified."""
    with transaction.atomic():
        if not selectors.progress_of(supporter=supporter).ready:
            return False
        return record_certification(person=supporter, actor=supporter,
                                    method="practice") is not None


def certify_by_hand(*, supporter_id: int, coordinator: Person) -> SupporterProfile:
    """A coordinator certifies a supporter whatever their practice record. Audited."""
    supporter = (Person.objects.filter(pk=supporter_id, is_active=True,
                                       role_grants__role=Role.SUPPORTER).first())
    if supporter is None:
        raise Http404
    if supporter.pk == coordinator.pk:
        raise ValidationError(_("You cannot certify yourself; ask another coordinator."))
    profile = record_certification(person=supporter, actor=coordinator, method="coordinator")
    if profile is None:
        raise ValidationError(_("%(name)s is already certified.") % {"name": supporter.name})
    return profile


# Rate-limit bucket "coach_feedback": the live coach asks once per pause in typing (400 ms),
# so even a fast typist stays well under 150 a minute; 300 leaves room for a second tab.
FEEDBACK_LIMIT, FEEDBACK_WINDOW = 300, 60


def over_feedback_limit(*, person: Person) -> bool:
    """Count one live-coach request by PERSON; True once they pass FEEDBACK_LIMIT in the
    window (the key is a hash of their id, as every rate-limit key is)."""
    key = "ratelimit:coach_feedback:" + hash_identifier(str(person.pk))
    return count_hit(key, window=FEEDBACK_WINDOW) > FEEDBACK_LIMIT
