"""Reads for coffee pairings. A group is shown only to its members; coordinators see counts,
never who met whom."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from haven.coffee import skips
from haven.coffee.models import (
    CoffeeBlock,
    CoffeeGroup,
    CoffeeMembership,
    CoffeeProfile,
    CoffeeSettings,
    CoffeeSkip,
    MeetingMode,
    PairingRound,
)
from haven.coffee.starters import starter_texts
from haven.core.models import Person
from haven.core.selectors import MAX_ID


def profile_of(person: Person) -> CoffeeProfile | None:
    return CoffeeProfile.objects.select_related("location").filter(person=person).first()


def group_for(*, viewer: Person, group_id: int) -> CoffeeGroup:
    """The group, if VIEWER is in it; 404 for everyone else, whatever their role."""
    if not 0 < group_id <= MAX_ID:
        raise Http404
    group = (CoffeeGroup.objects.select_related("location")
             .filter(pk=group_id, memberships__person=viewer).first())
    if group is None:
        raise Http404
    return group


def members_of(group: CoffeeGroup) -> list[Person]:
    return [membership.person for membership in
            group.memberships.select_related("person", "person__team", "person__location")]


@dataclass(frozen=True)
class ShownGroup:
    group: CoffeeGroup
    others: list[Person]
    starters: list[str]
    my_answer: bool | None
    meeting_passed: bool


def my_groups(*, person: Person, now: datetime, limit: int = 5) -> list[ShownGroup]:
    """VIEWER's latest groups, newest first, with the other members and the starters."""
    return _shown_groups(person, now, CoffeeMembership.objects.filter(person=person)
                         .order_by("-group__created_at", "-group_id")[:limit])


def next_coffee(*, person: Person, now: datetime) -> ShownGroup | None:
    """PERSON's group with the soonest suggested meeting still ahead, or None."""
    shown = _shown_groups(person, now, CoffeeMembership.objects.filter(
        person=person, group__meet_at__gt=now).order_by("group__meet_at", "group_id")[:1])
    return shown[0] if shown else None


def _shown_groups(person: Person, now: datetime,
                  chosen: QuerySet[CoffeeMembership]) -> list[ShownGroup]:
    memberships = list(chosen.select_related("group", "group__location"))
    groups = [membership.group for membership in memberships]
    others: dict[int, list[Person]] = {group.pk: [] for group in groups}
    for membership in (CoffeeMembership.objects.filter(group__in=groups)
                       .exclude(person=person)
                       .select_related("person", "person__team", "person__location")
                       .order_by("person__name")):
        others[membership.group_id].append(membership.person)
    return [ShownGroup(group=membership.group, others=others[membership.group_id],
                       starters=starter_texts(membership.group.starters),
                       my_answer=membership.met, meeting_passed=membership.group.meet_at <= now)
            for membership in memberships]


def blocks_of(person: Person) -> QuerySet[CoffeeBlock]:
    return CoffeeBlock.objects.filter(blocker=person).select_related("blocked")


@dataclass(frozen=True)
class RoundSummary:
    round: PairingRound
    answered: int
    met: int | None  # None when too few answered to show without identifying anyone


def round_summaries(limit: int = 10) -> list[RoundSummary]:
    rounds = list(PairingRound.objects.select_related("run_by")
                  .annotate(answered=Count("groups__memberships",
                                           filter=Q(groups__memberships__met__isnull=False)),
                            met_yes=Count("groups__memberships",
                                          filter=Q(groups__memberships__met=True)))
                  [:limit])
    least = settings.HAVEN_MIN_GROUP_SIZE
    return [RoundSummary(round=item, answered=item.answered,
                         met=item.met_yes if item.answered >= least else None)
            for item in rounds]


@dataclass(frozen=True)
class Participation:
    active: int
    in_person: int
    remote: int


def participation() -> Participation:
    counts = CoffeeProfile.objects.filter(active=True, person__is_active=True).aggregate(
        active=Count("pk"),
        in_person=Count("pk", filter=Q(mode=MeetingMode.IN_PERSON)),
        remote=Count("pk", filter=Q(mode=MeetingMode.REMOTE)))
    return Participation(**counts)


# Settings and the schedule --------------------------------------------------------------------

def coffee_settings() -> CoffeeSettings:
    return CoffeeSettings.load()


def organisation_zone() -> ZoneInfo:
    """The schedule keeps the organisation's time, whoever looks at it."""
    return ZoneInfo(settings.TIME_ZONE)


def schedule_slot(now: datetime, current: CoffeeSettings) -> tuple[date, datetime]:
    """This week's scheduled round: its date and when it starts (the latest WEEKDAY on or
    before NOW's date, at HOUR, in the organisation's time)."""
    zone = organisation_zone()
    local = now.astimezone(zone)
    day = local.date() - timedelta(days=(local.weekday() - current.weekday) % 7)
    return day, datetime.combine(day, time(current.hour), tzinfo=zone)


def slot_has_run(day: date) -> bool:
    """Whether the schedule already ran the round of the week starting DAY. A scheduled round
    on a later date covers it too: moving the day later in the week must not run a second
    round for a week that had one."""
    return PairingRound.objects.filter(scheduled_for__gte=day).exists()


@dataclass(frozen=True)
class NextRound:
    at: datetime  # when it starts, in the organisation's time
    due_now: bool  # this week's start has passed and the worker has not run it yet


def next_scheduled_round(now: datetime) -> NextRound | None:
    """When the schedule runs its next round; None while the schedule is off."""
    current = coffee_settings()
    if not current.schedule_enabled:
        return None
    day, starts = schedule_slot(now, current)
    if now < starts:
        return NextRound(at=starts, due_now=False)
    if not slot_has_run(day):
        return NextRound(at=starts, due_now=True)
    # Combined again, not plus seven days: the same hour on the clock across a change of time.
    return NextRound(at=datetime.combine(day + timedelta(days=7), time(current.hour),
                                         tzinfo=starts.tzinfo), due_now=False)


# People left out of a round -------------------------------------------------------------------

@dataclass(frozen=True)
class Unpaired:
    round: PairingRound
    explanation: skips.Explanation


def latest_skip(person: Person) -> Unpaired | None:
    """PERSON's own note that they got no group, if the latest round they were due in left
    them out. Only ever read for the person themselves."""
    started = OuterRef("round__started_at")
    later_group = CoffeeMembership.objects.filter(
        Q(group__round__started_at__gt=started)
        | Q(group__round__started_at=started, group__round_id__gt=OuterRef("round_id")),
        person=person)
    skip = (CoffeeSkip.objects.filter(person=person).select_related("round")
            .annotate(grouped_since=Exists(later_group))
            .order_by("-round__started_at", "-round_id").first())
    if skip is None or skip.grouped_since:
        return None
    return Unpaired(round=skip.round, explanation=skips.explain(skip.reason))


# For the inclusion insight (haven.insight): who was in a group and whether they met, by id
# only; the insight protects every figure with the k-anonymity helper.

def memberships_since(since: datetime) -> list[tuple[int, bool | None]]:
    """(person id, "did you meet?") for each place in a group made since SINCE."""
    return list(CoffeeMembership.objects.filter(group__created_at__gte=since)
                .values_list("person_id", "met"))


def grouped_moments_since(since: datetime) -> list[tuple[datetime, int]]:
    """(when the group was made, person id) for each place in a group made since SINCE."""
    return list(CoffeeMembership.objects.filter(group__created_at__gte=since)
                .values_list("group__created_at", "person_id"))


def taking_part_ids() -> set[int]:
    """The ids of everyone who takes part in coffee pairings now."""
    return set(CoffeeProfile.objects.filter(active=True).values_list("person_id", flat=True))
