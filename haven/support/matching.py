"""Who should support this request: pure functions over plain data, so every rule is testable
alone. Hard constraints filter; the ranking orders what is left; each match keeps its reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _


class Mode(StrEnum):
    CHAT = "chat"  # talk now, live
    MESSAGES = "messages"  # over days
    IN_PERSON = "in_person"
    VIDEO = "video"


@dataclass(frozen=True)
class Window:
    """A weekly availability window in the supporter's own time zone (weekday 0 = Monday)."""

    weekday: int
    start: time
    end: time


@dataclass(frozen=True)
class Supporter:
    person_id: int
    team_id: int | None
    department_id: int | None
    managers: frozenset[int]  # everyone above them in the reporting line
    reports: frozenset[int]  # everyone below them
    languages: frozenset[str]
    topics: frozenset[str]
    capacity: int
    open_conversations: int
    active: bool
    certified: bool
    away: bool
    time_zone: str
    availability: tuple[Window, ...]
    median_first_response_minutes: float | None = None  # None: no record yet


@dataclass(frozen=True)
class Seeker:
    """The person asking, or the person of concern: where they sit in the organisation."""

    person_id: int
    team_id: int | None
    department_id: int | None
    managers: frozenset[int]
    reports: frozenset[int]


@dataclass(frozen=True)
class Request:
    requester: Seeker
    topic: str
    mode: Mode
    language: str
    avoid_my_team: bool
    avoid_my_department: bool
    now: datetime
    response_target: timedelta
    person_of_concern: Seeker | None = None
    previous_supporters: frozenset[int] = frozenset()  # continuity: asked for them again
    excluded: frozenset[int] = frozenset()  # already declined or let an offer expire


@dataclass(frozen=True)
class Match:
    supporter_id: int
    score: float
    parts: dict[str, float] = field(default_factory=dict)


def _primary(language: str) -> str:
    return language.split("-")[0].lower()


def _same_team(supporter: Supporter, person: Seeker) -> bool:
    return supporter.team_id is not None and supporter.team_id == person.team_id


def _reporting_line(supporter: Supporter, person: Seeker) -> bool:
    """Anywhere in the other's reporting line, up or down."""
    return (
        supporter.person_id in person.managers
        or supporter.person_id in person.reports
        or person.person_id in supporter.managers
        or person.person_id in supporter.reports
    )


def _related(supporter: Supporter, person: Seeker) -> bool:
    """The same person, the same team, or anywhere in the other's reporting line."""
    return (supporter.person_id == person.person_id or _same_team(supporter, person)
            or _reporting_line(supporter, person))


def is_available_at(supporter: Supporter, moment: datetime) -> bool:
    local = moment.astimezone(ZoneInfo(supporter.time_zone))
    return any(
        window.weekday == local.weekday() and window.start <= local.time() < window.end
        for window in supporter.availability
    )


def next_available(supporter: Supporter, after: datetime,
                   horizon: timedelta = timedelta(days=8)) -> datetime | None:
    """The first moment at or after AFTER inside one of the supporter's windows."""
    zone = ZoneInfo(supporter.time_zone)
    local = after.astimezone(zone)
    for day in range(horizon.days + 1):
        date = (local + timedelta(days=day)).date()
        for window in sorted((w for w in supporter.availability if w.weekday == date.weekday()),
                             key=lambda w: w.start):
            start = datetime.combine(date, window.start, tzinfo=zone)
            end = datetime.combine(date, window.end, tzinfo=zone)
            if end > local:
                return max(start, local)
    return None


def failed_constraints(supporter: Supporter, request: Request) -> list[str]:
    """The hard constraints SUPPORTER fails for REQUEST; empty means eligible."""
    failed = []
    seeker = request.requester
    if not supporter.active or supporter.away:
        failed.append("not active")
    if not supporter.certified:
        failed.append("not certified")
    if supporter.open_conversations >= supporter.capacity:
        failed.append("at capacity")
    if _primary(request.language) not in {_primary(lang) for lang in supporter.languages}:
        failed.append("does not speak the language")
    if supporter.person_id == seeker.person_id:
        failed.append("is the requester")
    else:
        # The reporting line holds power over the colleague: never matched, whatever they
        # ticked. The team is avoided when they asked for it (the default).
        if _reporting_line(supporter, seeker):
            failed.append("in the requester's reporting line")
        if request.avoid_my_team and _same_team(supporter, seeker):
            failed.append("in the requester's team")
    if request.avoid_my_department and supporter.department_id is not None \
            and supporter.department_id == seeker.department_id:
        failed.append("in the requester's department")
    concern = request.person_of_concern
    if concern is not None and _related(supporter, concern):
        failed.append("conflict of interest with the person of concern")
    if supporter.person_id in request.excluded:
        failed.append("already offered")
    if request.mode is Mode.CHAT:
        if not is_available_at(supporter, request.now):
            failed.append("not available now")
    else:
        first = next_available(supporter, request.now)
        if first is None or first - request.now > request.response_target:
            failed.append("not available within the response target")
    return failed


# What each part of the score is worth at most (its weight).
WEIGHTS = {"topic fit": 3.0, "continuity": 2.5, "spare capacity": 2.0, "response record": 1.5}


def score(supporter: Supporter, request: Request) -> dict[str, float]:
    """Score parts, each in [0, 1] before weighting; higher is better."""
    load = supporter.open_conversations / max(supporter.capacity, 1)
    record = supporter.median_first_response_minutes
    target = request.response_target.total_seconds() / 60
    share = {
        "topic fit": 1.0 if request.topic in supporter.topics else 0.0,
        "continuity": 1.0 if supporter.person_id in request.previous_supporters else 0.0,
        "spare capacity": 1.0 - load,
        # No record yet scores in the middle, so new supporters still receive offers.
        "response record": 0.5 if record is None else max(0.0, 1.0 - record / target),
    }
    return {name: WEIGHTS[name] * value for name, value in share.items()}


def explain(parts: dict[str, float]) -> list[str]:
    """An offer's score parts in words a coordinator reads, strongest first; no raw scores."""
    def share(name: str) -> float:
        return float(parts.get(name, 0.0)) / WEIGHTS[name]

    words = []
    if share("topic fit") > 0:
        words.append(_("knows the topic"))
    if share("continuity") > 0:
        words.append(_("has supported this colleague before"))
    free = round(100 * share("spare capacity"))
    words.append(_("%(free)d%% of their capacity free") % {"free": free})
    if share("response record") >= 2 / 3:
        words.append(_("answers quickly"))
    elif share("response record") < 1 / 3:
        words.append(_("has answered slowly lately"))
    return [str(word) for word in words]


def rank(supporters: list[Supporter], request: Request) -> tuple[list[Match], dict[int, list[str]]]:
    """Eligible supporters best first, and the constraints each ineligible one failed."""
    matches: list[Match] = []
    rejected: dict[int, list[str]] = {}
    for supporter in supporters:
        failed = failed_constraints(supporter, request)
        if failed:
            rejected[supporter.person_id] = failed
            continue
        parts = score(supporter, request)
        matches.append(Match(supporter.person_id, round(sum(parts.values()), 4), parts))
    matches.sort(key=lambda match: (-match.score, match.supporter_id))
    return matches, rejected


def earliest_reply(supporters: list[Supporter], request: Request) -> datetime | None:
    """When nobody fits now: the earliest time a supporter who fits all else is available,
    so the colleague can be told honestly when to expect a reply. A supporter at capacity does
    not count: their next window is no promise that they will have room then."""
    soonest: datetime | None = None
    for supporter in supporters:
        failed = set(failed_constraints(supporter, request))
        failed -= {"not available now", "not available within the response target"}
        if failed:
            continue
        moment = next_available(supporter, request.now)
        if moment is not None and (soonest is None or moment < soonest):
            soonest = moment
    return soonest
