"""Reads for coffee pairings. A group is shown only to its members; coordinators see counts,
never who met whom."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from haven.connect.models import (
    CoffeeBlock,
    CoffeeGroup,
    CoffeeMembership,
    CoffeeProfile,
    MeetingMode,
    PairingRound,
)
from haven.connect.starters import starter_texts
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
    memberships = list(CoffeeMembership.objects.filter(person=person)
                       .select_related("group", "group__location")
                       .order_by("-group__created_at", "-group_id")[:limit])
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
