"""Inclusion insight for coordinators: how recognition and coffee pairings reach people across
teams, departments, locations, job levels and tenure. Every figure goes through
haven.core.kanon, so none covers fewer than k people."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from haven.connect.models import CoffeeMembership
from haven.connect.recognition_models import Recognition, RecognitionKind, RecognitionStatus
from haven.core import kanon
from haven.core.charts import BarChart, bar_chart
from haven.core.models import Person

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
    pairing_reach: str


@dataclass(frozen=True)
class Dimension:
    title: str
    rows: list[Row]
    least: list[str]  # the groups recognition reached least, lowest first (shown cells only)


@dataclass(frozen=True)
class Report:
    k: int
    days: int
    people: int | None  # None: the population itself is smaller than k
    top_share: float | None  # of recognition received, by the top 10% of people
    gini: float | None
    dimensions: list[Dimension]
    trend: BarChart
    footnote: str

    @property
    def top_share_label(self) -> str:
        return "" if self.top_share is None else f"{self.top_share:.0%}"


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


def _received(since: datetime, people: list[Person]) -> Counter[int]:
    """Recognition each person received since SINCE: directly, or as a member of a team that
    was recognised. Milestones are automatic, so they do not count as reach."""
    counts: Counter[int] = Counter()
    members: dict[int, list[int]] = {}
    for person in people:
        if person.team_id:
            members.setdefault(person.team_id, []).append(person.pk)
    for recipient, team in (Recognition.objects.filter(
            kind=RecognitionKind.RECOGNITION, status=RecognitionStatus.PUBLISHED,
            created_at__gte=since).values_list("recipient_id", "team_id")):
        for pk in [recipient] if recipient else members.get(team, []):
            counts[pk] += 1
    return counts


def inclusion_report(*, now: datetime | None = None, days: int = WINDOW_DAYS,
                     k: int | None = None) -> Report:
    now = now or timezone.now()
    today, since = timezone.localdate(now), now - timedelta(days=days)
    k = kanon.min_group_size(k)
    people = list(Person.objects.filter(is_active=True)
                  .select_related("team", "department", "location")
                  .only("pk", "team__name", "department__name", "location__name",
                        "job_level", "start_date"))
    received = _received(since, people)
    paired = Counter(CoffeeMembership.objects.filter(group__created_at__gte=since)
                     .values_list("person_id", flat=True))
    counts = [received[p.pk] for p in people]

    # The population as a whole is a group too: below k, no distribution figure is shown.
    whole = kanon.tabulate([("all", p.pk, received[p.pk]) for p in people], k=k).total
    shown = not whole.suppressed and bool(people)
    tenure = tenure_labels()
    grouping: list[tuple[str, Callable[[Person], Hashable], Callable[[Hashable], str]]] = [
        (_("Team"), lambda p: p.team.name if p.team else None, str),
        (_("Department"), lambda p: p.department.name if p.department else None, str),
        (_("Location"), lambda p: p.location.name if p.location else None, str),
        (_("Job level"), lambda p: p.job_level, lambda key: _("Level %(n)s") % {"n": key}),
        (_("Tenure"), lambda p: tenure_band(p.start_date, today),
         lambda key: tenure[key]),  # type: ignore[index]
    ]
    dimensions = [_dimension(title, key_of, label_of, people, received, paired, k)
                  for title, key_of, label_of in grouping]
    return Report(k=k, days=days, people=whole.people if shown else None,
                  top_share=top_share(counts) if shown else None,
                  gini=gini(counts) if shown else None,
                  dimensions=dimensions, trend=_trend(now, people, k),
                  footnote=kanon.footnote(k))


def _reached(value: float) -> bool:
    return value > 0


def _dimension(title: str, key_of: Callable[[Person], Hashable],
               label_of: Callable[[Hashable], str], people: list[Person],
               received: Counter[int], paired: Counter[int], k: int) -> Dimension:
    keys = {p.pk: key_of(p) for p in people}
    recognition = kanon.tabulate([(keys[p.pk], p.pk, received[p.pk]) for p in people],
                                 k=k, condition=_reached)
    pairing = kanon.tabulate([(keys[p.pk], p.pk, paired[p.pk]) for p in people],
                             k=k, condition=_reached)
    rows = []
    for key, cell in recognition.cells.items():
        rows.append(Row(
            label=_("Not recorded") if key is None else label_of(key),
            people=kanon.label(cell),
            recognition_reach=kanon.label(cell, "rate", "{:.0%}"),
            recognition_mean=kanon.label(cell, "mean", "{:.1f}"),
            pairing_reach=kanon.label(pairing.cells[key], "rate", "{:.0%}")))
    shown = [(cell.rate, label_of(key)) for key, cell in recognition.cells.items()
             if key is not None and not cell.suppressed and cell.rate is not None]
    least = [label for _rate, label in sorted(shown, key=lambda pair: pair[0])[:LEAST_SHOWN]]
    return Dimension(title=title, rows=rows, least=least)


def _week_of(moment: datetime) -> date:
    day = timezone.localdate(moment)
    return day - timedelta(days=day.weekday())


def _trend(now: datetime, people: list[Person], k: int) -> BarChart:
    """People recognised each week (a cross table of week by team, so each week's total is
    protected together with its team cells)."""
    first = _week_of(now) - timedelta(weeks=TREND_WEEKS - 1)
    team_of = {p.pk: p.team_id for p in people}
    members: dict[int, list[int]] = {}
    for person in people:
        if person.team_id:
            members.setdefault(person.team_id, []).append(person.pk)
    rows = []
    for recipient, team, at in Recognition.objects.filter(
            kind=RecognitionKind.RECOGNITION, status=RecognitionStatus.PUBLISHED,
            created_at__gte=datetime.combine(first, datetime.min.time(),
                                             tzinfo=timezone.get_current_timezone())
    ).values_list("recipient_id", "team_id", "created_at"):
        week = _week_of(at)
        for pk in [recipient] if recipient else members.get(team, []):
            if pk in team_of:
                rows.append(((week, team_of[pk] or 0), pk))
    table = kanon.crosstab(rows, k=k) if rows else None
    values: list[tuple[str, float | None]] = []
    for i in range(TREND_WEEKS):
        week = first + timedelta(weeks=i)
        cell = table.row_totals.get(week) if table else None
        value = None if cell is not None and cell.suppressed else (
            float(cell.people or 0) if cell is not None else 0.0)
        values.append((week.strftime("%d %b"), value))
    return bar_chart(_("People recognised each week"), values)
