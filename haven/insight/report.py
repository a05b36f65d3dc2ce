"""Inclusion insight for coordinators: how recognition and coffee pairings reach people across
teams, departments, locations, job levels, tenure and the attributes people chose to share.
Every figure goes through haven.core.kanon, so none covers fewer than k people. It reads the
other apps only through their selectors."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import cast

from django.utils import timezone
from django.utils.translation import gettext as _

from haven.attributes import selectors as attribute_selectors
from haven.coffee import selectors as coffee_selectors
from haven.core import kanon
from haven.core.charts import BarChart, bar_chart
from haven.core.models import Person
from haven.recognition import selectors as recognition_selectors

WINDOW_DAYS = 90
TREND_WEEKS = 12
LEAST_SHOWN = 3
# Tenure bands: (upper bound in years, label key). Keys are ordinals so the table sorts.
TENURE_BANDS = [(1, 0), (3, 1), (5, 2), (math.inf, 3)]


def tenure_labels() -> dict[int, str]:
    return {0: _("Under a year"), 1: _("1 to 3 years"), 2: _("3 to 5 years"),
            3: _("5 years or more")}


def tenure_band(start: date | None, today: date) -> int | None:
    if start is None or start > today:
        return None
    years = (today - start).days / 365.25
    return next(key for bound, key in TENURE_BANDS if years < bound)


@dataclass(frozen=True)
class Row:
    label: str
    people: str
    recognition_reach: str
    recognition_mean: str
    taking_part: str  # people in the group who take part in coffee pairings
    grouped: str  # share of them in a coffee group during the window
    met: str  # share of them who said they met, in at least one of those groups


@dataclass(frozen=True)
class Dimension:
    title: str
    rows: list[Row]
    least: list[str]  # the groups recognition reached least, lowest first (shown cells only)
    least_paired: list[str]  # the groups whose participants were grouped least
    shared: bool = False  # an attribute people chose to share; its unnamed group is "not shared"
    # The protected table itself (for tests and checks; pages show only the labels above).
    table: kanon.Table | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class PairingReach:
    """Of everyone who takes part in coffee pairings: how many, and the shares grouped and met."""

    taking_part: int
    grouped: float | None
    met: float | None

    @property
    def grouped_label(self) -> str:
        return "–" if self.grouped is None else f"{self.grouped:.0%}"

    @property
    def met_label(self) -> str:
        return "–" if self.met is None else f"{self.met:.0%}"


@dataclass(frozen=True)
class Report:
    k: int
    days: int
    people: int | None  # None: the population itself is smaller than k
    top_share: float | None  # of recognition received, by the top 10% of people
    gini: float | None
    pairing: PairingReach | None  # None: fewer than k take part (or a total is hidden)
    dimensions: list[Dimension]
    trend: BarChart
    pairing_trend: BarChart
    footnote: str

    @property
    def top_share_label(self) -> str:
        return "" if self.top_share is None else f"{self.top_share:.0%}"

    @property
    def has_shared(self) -> bool:
        return any(dimension.shared for dimension in self.dimensions)


def gini(values: list[int]) -> float | None:
    """0 when everyone receives the same, towards 1 when one person receives everything."""
    total, n = sum(values), len(values)
    if not n or not total:
        return None
    ranked = sorted(values)
    return (2 * sum(i * x for i, x in enumerate(ranked, 1))) / (n * total) - (n + 1) / n


def top_share(values: list[int], fraction: float = 0.1) -> float | None:
    """The share of everything received that went to the top FRACTION of people."""
    total = sum(values)
    if not values or not total:
        return None
    top = max(1, math.ceil(len(values) * fraction))
    return sum(sorted(values, reverse=True)[:top]) / total


@dataclass(frozen=True)
class _Reach:
    """What reached each active person (by id) during the window."""

    received: Counter[int]  # recognitions
    grouped: Counter[int]  # coffee groups joined
    met: set[int]  # said "we met" for at least one of those groups
    taking_part: set[int]  # opted in to coffee pairings now, or grouped during the window


def _members(people: list[Person]) -> dict[int, list[int]]:
    members: dict[int, list[int]] = {}
    for person in people:
        if person.team_id:
            members.setdefault(person.team_id, []).append(person.pk)
    return members


def _recognised(since: datetime, people: list[Person]) -> list[tuple[datetime, int]]:
    """(when, person) for each recognition a person received since SINCE: directly, or as a
    member of a team that was recognised. Milestones are automatic, so they are not reach."""
    members = _members(people)
    found = []
    for recipient, team, at in recognition_selectors.received_since(since):
        found += [(at, pk) for pk in ([recipient] if recipient
                                      else members.get(team, []) if team is not None else [])]
    return found


def _reach(since: datetime, people: list[Person]) -> _Reach:
    active = {p.pk for p in people}
    grouped: Counter[int] = Counter()
    met: set[int] = set()
    for person, answer in coffee_selectors.memberships_since(since):
        grouped[person] += 1
        if answer:
            met.add(person)
    opted_in = coffee_selectors.taking_part_ids()
    return _Reach(received=Counter(pk for _at, pk in _recognised(since, people)),
                  grouped=grouped, met=met, taking_part=(opted_in | set(grouped)) & active)


@dataclass(frozen=True)
class _Grouping:
    title: str
    key_of: Callable[[Person], Hashable]  # None: not recorded, or not shared
    label_of: Callable[[Hashable], str]
    # An attribute people share lists every answer (then "not shared"), whether or not anyone
    # chose it: a row appearing only when somebody had chosen its answer would tell that they
    # had. Directory fields list the groups that have people. None for those.
    keys: list[Hashable] | None = None


def _attribute_groupings() -> list[_Grouping]:
    """One breakdown per attribute on offer: its answers as groups, in the order offered;
    everyone who did not answer is the group "not shared"."""
    offered = attribute_selectors.offered()
    answers = attribute_selectors.answers_by_attribute(offered)

    def grouping(attribute: attribute_selectors.SharedAttribute) -> _Grouping:
        position = {option: i for i, option in enumerate(attribute.options)}
        chosen = answers[attribute.pk]
        return _Grouping(attribute.name, lambda p: position.get(chosen.get(p.pk, "")),
                         lambda key: attribute.options[key],
                         keys=[*range(len(attribute.options)), None])

    return [grouping(attribute) for attribute in offered]


def inclusion_report(*, now: datetime | None = None, days: int = WINDOW_DAYS,
                     k: int | None = None) -> Report:
    now = now or timezone.now()
    today, since = timezone.localdate(now), now - timedelta(days=days)
    k = kanon.min_group_size(k)
    people = list(Person.objects.filter(is_active=True)
                  .select_related("team", "department", "location")
                  .only("pk", "team__name", "department__name", "location__name",
                        "job_level", "start_date"))
    reach = _reach(since, people)
    counts = [reach.received[p.pk] for p in people]

    # The population as a whole is a group too: below k, no distribution figure is shown.
    whole = kanon.tabulate([("all", p.pk, reach.received[p.pk]) for p in people], k=k).total
    shown = not whole.suppressed and bool(people)
    tenure = tenure_labels()
    groupings = [
        _Grouping(_("Team"), lambda p: p.team.name if p.team else None, str),
        _Grouping(_("Department"), lambda p: p.department.name if p.department else None, str),
        _Grouping(_("Location"), lambda p: p.location.name if p.location else None, str),
        _Grouping(_("Job level"), lambda p: p.job_level,
                  lambda key: _("Level %(n)s") % {"n": key}),
        _Grouping(_("Tenure"), lambda p: tenure_band(p.start_date, today),
                  lambda key: tenure[key]),  # type: ignore[index]
        *_attribute_groupings(),
    ]
    tables = [_tables(grouping.key_of, people, reach, k) for grouping in groupings]
    dimensions = [_dimension(grouping, *three)
                  for grouping, three in zip(groupings, tables, strict=True)]
    return Report(k=k, days=days, people=whole.people if shown else None,
                  top_share=top_share(counts) if shown else None,
                  gini=gini(counts) if shown else None,
                  pairing=_pairing_reach(reach, tables),
                  dimensions=dimensions, trend=_recognition_trend(now, people, k),
                  pairing_trend=_pairing_trend(now, people, k),
                  footnote=kanon.footnote(k))


def _reached(value: float) -> bool:
    return value > 0


Tables = tuple[kanon.Table, kanon.Table, kanon.Table]  # recognition, grouped, met
_NOBODY = kanon.Cell(None, None, None, None, None, None, kanon.Reason.SMALL_GROUP)


def _tables(key_of: Callable[[Person], Hashable], people: list[Person], reach: _Reach,
            k: int) -> Tables:
    """Three cross tables of group x "takes part in coffee pairings", over the same people, so
    kanon hides the same cells in each: a group's row total gives its recognition, its
    taking-part cell its pairing reach, and a small number of people who do not take part
    cannot be found by subtracting one from the other."""
    keyed = [((key_of(p), p.pk in reach.taking_part), p.pk) for p in people]

    def table(value_of: Callable[[int, bool], float | None]) -> kanon.Table:
        return kanon.crosstab([(key, pk, value_of(pk, key[1])) for key, pk in keyed],
                              k=k, condition=_reached)

    return (table(lambda pk, _taking: reach.received[pk]),
            table(lambda pk, taking: reach.grouped[pk] if taking else None),
            table(lambda pk, taking: int(pk in reach.met) if taking else None))


def _pairing_labels(total: kanon.Cell, part: kanon.Cell | None, grouped: kanon.Cell | None,
                    met: kanon.Cell | None) -> tuple[str, str, str]:
    if total.suppressed:  # nothing about a hidden group, not even that nobody in it takes part
        return kanon.HIDDEN, kanon.HIDDEN, kanon.HIDDEN
    if part is None or grouped is None or met is None:
        return "0", "–", "–"
    return (kanon.label(part), kanon.label(grouped, "rate", "{:.0%}"),
            kanon.label(met, "rate", "{:.0%}"))


def _least(cells: dict[Hashable, kanon.Cell], label_of: Callable[[Hashable], str]) -> list[str]:
    """The shown groups with the lowest rates, lowest first; only those below the highest shown
    rate, so groups that are all alike (say, all at 0%) name nobody as "least"."""
    shown = [(cell.rate, label_of(key)) for key, cell in cells.items()
             if key is not None and not cell.suppressed and cell.rate is not None]
    if not shown:
        return []
    highest = max(rate for rate, _label in shown)
    below = [(rate, label) for rate, label in shown if rate < highest]
    return [label for _rate, label in sorted(below, key=lambda pair: pair[0])[:LEAST_SHOWN]]


def _dimension(grouping: _Grouping, recognition: kanon.Table, grouped: kanon.Table,
               met: kanon.Table) -> Dimension:
    shared = grouping.keys is not None
    unnamed = _("Not shared") if shared else _("Not recorded")
    label_of = grouping.label_of
    rows = []
    for key in list(recognition.row_totals) if grouping.keys is None else grouping.keys:
        # A listed answer nobody chose reads "hidden" like a small group: 0 is fewer than k.
        total = recognition.row_totals.get(key) or _NOBODY
        taking_part, grouped_share, met_share = _pairing_labels(
            total, recognition.cells.get((key, True)), grouped.cells.get((key, True)),
            met.cells.get((key, True)))
        rows.append(Row(
            label=unnamed if key is None else label_of(key),
            people=kanon.label(total),
            recognition_reach=kanon.label(total, "rate", "{:.0%}"),
            recognition_mean=kanon.label(total, "mean", "{:.1f}"),
            taking_part=taking_part, grouped=grouped_share, met=met_share))
    # A cross table's cells are keyed (row, column): here (group, taking part).
    pairs = cast("Mapping[tuple[Hashable, bool], kanon.Cell]", grouped.cells)
    taking_part_cells = {key: cell for (key, taking), cell in pairs.items() if taking}
    return Dimension(title=grouping.title, rows=rows,
                     least=_least(dict(recognition.row_totals), label_of),
                     least_paired=_least(taking_part_cells, label_of), shared=shared,
                     table=recognition)


def _pairing_reach(reach: _Reach, tables: list[Tables]) -> PairingReach | None:
    """The figures for everyone taking part, shown only when no breakdown hides that total:
    each breakdown's protection of its own cells assumes what it hides stays hidden."""
    if not reach.taking_part:
        return PairingReach(taking_part=0, grouped=None, met=None)
    totals = [(three[0].col_totals.get(True), three[1].col_totals.get(True),
               three[2].col_totals.get(True)) for three in tables]
    if not totals or any(cell is None or cell.suppressed for row in totals for cell in row):
        return None
    part, grouped, met = totals[0]
    assert part is not None and part.people is not None and grouped is not None \
        and met is not None
    return PairingReach(taking_part=part.people, grouped=grouped.rate, met=met.rate)


def _week_of(moment: datetime) -> date:
    day = timezone.localdate(moment)
    return day - timedelta(days=day.weekday())


def _trend_start(now: datetime) -> tuple[date, datetime]:
    first = _week_of(now) - timedelta(weeks=TREND_WEEKS - 1)
    return first, datetime.combine(first, datetime.min.time(),
                                   tzinfo=timezone.get_current_timezone())


def _weekly_chart(title: str, first: date, moments: list[tuple[datetime, int]],
                  people: list[Person], k: int) -> BarChart:
    """People reached each week: a cross table of week by team, so each week's total is
    protected together with its team cells. A person counts once a week however often."""
    team_of = {p.pk: p.team_id for p in people}
    rows = [((_week_of(at), team_of[pk] or 0), pk) for at, pk in moments if pk in team_of]
    table = kanon.crosstab(rows, k=k) if rows else None
    values: list[tuple[str, float | None]] = []
    for i in range(TREND_WEEKS):
        week = first + timedelta(weeks=i)
        cell = table.row_totals.get(week) if table else None
        value = None if cell is not None and cell.suppressed else (
            float(cell.people or 0) if cell is not None else 0.0)
        values.append((week.strftime("%d %b"), value))
    return bar_chart(title, values)


def _recognition_trend(now: datetime, people: list[Person], k: int) -> BarChart:
    first, start = _trend_start(now)
    return _weekly_chart(_("People recognised each week"), first,
                         _recognised(start, people), people, k)


def _pairing_trend(now: datetime, people: list[Person], k: int) -> BarChart:
    first, start = _trend_start(now)
    moments = coffee_selectors.grouped_moments_since(start)
    return _weekly_chart(_("People in a coffee group each week"), first, moments, people, k)
