"""Inclusion insight: reach by group through the k-anonymity helper, the spread of recognition
(top 10% share, Gini) shown only for a population of at least k, and the weekly trend."""

from __future__ import annotations

import pytest
from django.test import Client

from haven.connect import recognition
from haven.connect.insight import gini, inclusion_report, tenure_band, top_share
from haven.core.kanon import HIDDEN
from haven.core.models import Person, Team
from tests.factories import TeamFactory, make_person

pytestmark = pytest.mark.django_db


def _team(name: str, size: int) -> tuple[Team, list[Person]]:
    team = TeamFactory(name=name)
    return team, [make_person(team=team) for _ in range(size)]


def _recognise(*people: Person) -> None:
    giver = make_person()
    for person in people:
        recognition.give_recognition(giver=giver, recipient_email=person.email,
                                     message="Thank you!", audience="organisation")


def test_gini_and_top_share() -> None:
    assert gini([1, 1, 1, 1]) == 0
    assert gini([0, 0, 0, 10]) == pytest.approx(0.75)
    assert gini([0, 0]) is None and gini([]) is None
    assert top_share([10] + [0] * 9) == 1
    assert top_share([1] * 20) == pytest.approx(0.1)
    assert top_share([0, 0]) is None


def test_tenure_bands() -> None:
    from datetime import date
    today = date(2026, 6, 1)
    assert [tenure_band(date(y, 6, 2), today) for y in (2025, 2023, 2021, 2010)] == [0, 1, 2, 3]
    assert tenure_band(None, today) is None and tenure_band(date(2027, 1, 1), today) is None


def test_a_population_smaller_than_k_shows_no_figure() -> None:
    _team("Tiny", 3)

    report = inclusion_report(k=5)

    assert (report.people, report.top_share, report.gini) == (None, None, None)
    for dimension in report.dimensions:
        assert all(row.people == HIDDEN for row in dimension.rows)
        assert dimension.least == []


def test_groups_of_fewer_than_k_are_hidden_and_the_least_reached_named() -> None:
    _a, alpha = _team("Alpha", 6)
    _b, _beta = _team("Beta", 6)
    _g, gamma = _team("Gamma", 7)
    _d, delta = _team("Delta", 2)
    _team("Epsilon", 2)  # with Delta and the giver's own team, a hidden remainder of k
    _recognise(*alpha[:3], *gamma, *delta)

    report = inclusion_report(k=5)

    by_team = {row.label: row for row in report.dimensions[0].rows}
    assert by_team["Alpha"].people == "6"
    assert by_team["Alpha"].recognition_reach == "50%"
    assert by_team["Gamma"].recognition_reach == "100%"
    assert by_team["Delta"].people == HIDDEN and by_team["Delta"].recognition_reach == HIDDEN
    assert report.dimensions[0].least[:2] == ["Beta", "Alpha"]
    assert "Delta" not in report.dimensions[0].least
    assert report.people == Person.objects.count()
    assert report.gini is not None and 0 < report.gini < 1
    assert report.top_share is not None


def test_the_trend_counts_people_per_week_and_hides_small_weeks() -> None:
    _a, alpha = _team("Alpha", 6)
    _recognise(*alpha)

    bars = inclusion_report(k=5).trend.bars
    assert len(bars) == 12
    assert bars[-1].value_label == "6"
    assert all(bar.value_label == "0" for bar in bars[:-1])

    _recognise(*alpha[:2])
    _b, beta = _team("Beta", 2)
    _recognise(*beta)
    assert inclusion_report(k=5).trend.bars[-1].value_label == "8"


def test_a_week_with_fewer_than_k_people_is_hidden() -> None:
    _a, alpha = _team("Alpha", 6)
    _recognise(*alpha[:2])

    assert inclusion_report(k=5).trend.bars[-1].value_label == HIDDEN


def test_the_page_shows_hidden_cells_and_the_footnote(as_coordinator: Client) -> None:
    _a, alpha = _team("Alpha", 6)
    _recognise(*alpha[:3])

    body = as_coordinator.get("/recognition/insight/").content.decode()

    assert "<h1>Inclusion insight</h1>" in body
    assert "<h2>By team</h2>" in body and "<h2>By tenure</h2>" in body
    assert HIDDEN in body and "fewer than 5" in body
    assert "<svg" in body and "style=" not in body
    assert "Share received by the top 10%" in body


def test_the_insight_page_query_count_does_not_grow(as_coordinator: Client) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _team("Alpha", 6)
    with CaptureQueriesContext(connection) as first:
        as_coordinator.get("/recognition/insight/")
    _a, more = _team("Beta", 12)
    _recognise(*more)
    with CaptureQueriesContext(connection) as second:
        as_coordinator.get("/recognition/insight/")
    assert len(second) == len(first)
