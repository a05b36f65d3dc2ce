"""Reads for practice and certification: each supporter's progress, worked out in one place so
that the supporter's own page, the coordinators' page and certification agree. Practice texts
are never stored, so nothing here can show one."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from haven.coach.models import PracticeAttempt
from haven.core.models import Person, Role
from haven.support import selectors as support_selectors

if TYPE_CHECKING:  # types only: coach reaches support through its selectors
    from haven.support.models import Conversation, SupporterProfile
from haven.vault.masterkeys import MasterKeyUnavailable

CERTIFY_SCENARIOS = 10  # distinct scenarios practised before certification
RECENT_ATTEMPTS = 5  # none of the latest this many may end with a risk flag


@dataclass(frozen=True)
class Progress:
    """A supporter's practice record and how far it is from certification."""

    attempts: int = 0
    scenarios: int = 0  # distinct scenarios practised
    average: float | None = None  # over each scenario's latest attempt, 0-6
    recent: tuple[PracticeAttempt, ...] = ()  # the latest RECENT_ATTEMPTS, newest first
    addressed: int = 0  # attempts whose first revision had a risk flag and whose last has none
    latest: dict[str, PracticeAttempt] = field(default_factory=dict)  # by scenario slug
    threshold: float = 3.5

    @property
    def needed(self) -> int:
        return CERTIFY_SCENARIOS

    @property
    def scenarios_left(self) -> int:
        return max(0, CERTIFY_SCENARIOS - self.scenarios)

    @property
    def enough_scenarios(self) -> bool:
        return self.scenarios >= CERTIFY_SCENARIOS

    @property
    def average_met(self) -> bool:
        return self.average is not None and self.average > self.threshold

    @property
    def unaddressed(self) -> int:
        """Risk flags still standing in the final revision of the latest attempts."""
        return sum(attempt.flagged for attempt in self.recent)

    @property
    def ready(self) -> bool:
        """The certification rule: at least CERTIFY_SCENARIOS distinct scenarios, an average
        empathy score above the threshold, and no unaddressed risk flag in the latest
        RECENT_ATTEMPTS attempts."""
        return self.enough_scenarios and self.average_met and self.unaddressed == 0


def _threshold() -> float:
    return float(settings.HAVEN_COACH_CERTIFY_THRESHOLD)


def progress_from(attempts: Iterable[PracticeAttempt], threshold: float | None = None
                  ) -> Progress:
    """Progress from one supporter's attempts (any order)."""
    ordered = sorted(attempts, key=lambda attempt: (attempt.started_at, attempt.pk),
                     reverse=True)
    latest: dict[str, PracticeAttempt] = {}
    for attempt in ordered:
        latest.setdefault(attempt.scenario, attempt)
    scores = [attempt.score for attempt in latest.values()]
    return Progress(
        attempts=len(ordered), scenarios=len(latest),
        average=sum(scores) / len(scores) if scores else None,
        recent=tuple(ordered[:RECENT_ATTEMPTS]),
        addressed=sum(attempt.first_flagged and not attempt.flagged for attempt in ordered),
        latest=latest, threshold=_threshold() if threshold is None else threshold)


def _attempts() -> QuerySet[PracticeAttempt]:
    return PracticeAttempt.objects.order_by("-started_at", "-pk")


def progress_of(*, supporter: Person) -> Progress:
    return progress_from(_attempts().filter(supporter=supporter))


def attempt_of(*, supporter: Person, attempt_id: int) -> PracticeAttempt | None:
    """SUPPORTER's own attempt, or None (never someone else's)."""
    return PracticeAttempt.objects.filter(pk=attempt_id, supporter=supporter).first()


@dataclass(frozen=True)
class SupporterProgress:
    person: Person
    progress: Progress

    @property
    def profile(self) -> SupporterProfile | None:
        return getattr(self.person, "supporter_profile", None)

    @property
    def certified_at(self) -> datetime | None:
        return self.profile.certified_at if self.profile else None

    @property
    def approved_at(self) -> datetime | None:
        return self.profile.approved_at if self.profile else None


def progress_of_supporters() -> list[SupporterProgress]:
    """Every active supporter's progress, for coordinators, in two queries whatever the number
    of supporters or attempts."""
    supporters = list(Person.objects.filter(role_grants__role=Role.SUPPORTER, is_active=True)
                      .select_related("supporter_profile", "team").order_by("name", "pk"))
    by_supporter: dict[int, list[PracticeAttempt]] = defaultdict(list)
    for attempt in _attempts().filter(supporter__in=[person.pk for person in supporters]):
        by_supporter[attempt.supporter_id].append(attempt)
    threshold = _threshold()
    return [SupporterProgress(person, progress_from(by_supporter[person.pk], threshold))
            for person in supporters]


# The live coach in a conversation ---------------------------------------------------------

# The coach's audit memory per session: which colleague message each conversation's coach
# has already read and logged (ids only), so a pause in typing is not an audit event each.
SESSION_AUDITED_MAX = 20


def coached_conversation(*, viewer: Person, conversation_id: int) -> Conversation:
    """The conversation whose supporter VIEWER is (404 to outsiders, 403 to its colleague: the
    colleague's side gets no coaching)."""
    conversation = support_selectors.conversation_for(viewer=viewer,
                                                      conversation_id=conversation_id)
    if conversation.participant_role(viewer.pk) != "supporter":
        raise PermissionDenied
    return conversation


@dataclass(frozen=True)
class ColleagueContext:
    text: str  # the colleague's last message; "" when there is none or it cannot be read here
    audited: dict[str, int]  # the audit memory to keep for the next call


def colleague_context(*, supporter: Person, conversation: Conversation,
                      audited: Mapping[str, int]) -> ColleagueContext:
    """What the coach reads the supporter's draft against: the colleague's last message, read
    through support's participants-only selector and audited once per message (AUDITED is
    the memory of messages already logged, by conversation id)."""
    memory = dict(audited)
    key = str(conversation.pk)
    try:
        message = support_selectors.colleague_last_message(
            supporter=supporter, conversation=conversation, audited_message_id=memory.get(key))
    except MasterKeyUnavailable:
        message = None  # the coach never blocks: it reads the draft without the context
    if message is not None and memory.get(key) != message.id:
        memory.pop(key, None)
        memory[key] = message.id
        memory = dict(list(memory.items())[-SESSION_AUDITED_MAX:])
    return ColleagueContext(text=message.text if message else "", audited=memory)
