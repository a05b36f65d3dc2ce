"""Inclusion insight: reach by group through the k-anonymity helper, the spread of recognition
(top 10% share, Gini) shown only for a population of at least k, and the weekly trend."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from haven.attributes import services as attributes
from haven.attributes.models import SharedAttribute
from haven.coffee import services
from haven.coffee.models import CoffeeGroup, CoffeeMembership, CoffeeProfile
from haven.core.kanon import HIDDEN
from haven.core.models import Person, Role, Team
from haven.insight.report import Dimension, Row, gini, inclusion_report, tenure_band, top_share
from haven.recognition import services as recognition
from tests.coffee.conftest import colleague_in, joined
from tests.conftest import signed_in
from tests.core.test_kanon import assert_nothing_recoverable, figures, truth
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


def test_groups_all_alike_name_no_group_as_reached_least() -> None:
    for name in ("Alpha", "Beta", "Gamma"):
        _team(name, 6)  # nobody recognised: every team at 0%

    report = inclusion_report(k=5)

    rows = {row.label: row for row in report.dimensions[0].rows}
    assert {rows[name].recognition_reach for name in ("Alpha", "Beta", "Gamma")} == {"0%"}
    assert report.dimensions[0].least == []


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


# Attributes people chose to share -----------------------------------------------------------------

def _pattern() -> SharedAttribute:
    return attributes.define_attribute(
        actor=make_person(Role.ADMINISTRATOR), name="Working pattern",
        question="How do you usually work?", options=["Full time", "Part time", "Shifts"])


def _share(attribute: SharedAttribute, value: str, people: list[Person]) -> None:
    for person in people:
        attributes.save_answers(person=person, answers={attribute.pk: value})


def _by_label(dimension: Dimension) -> dict[str, Row]:
    return {row.label: row for row in dimension.rows}


def _assert_no_hidden_group_is_recoverable(dimension: Dimension, key_of: dict[int, object],
                                           taking_part: set[int]) -> None:
    """The adversary of tests/core/test_kanon.py, on the table the insight itself used: no
    hidden figure is pinned down by the shown ones."""
    table = dimension.table
    assert table is not None
    rows = [((key, pk in taking_part), pk, 1) for pk, key in key_of.items()]
    value_of = {fig: len(people) for fig, (people, _records, _sum) in truth(rows, table).items()}
    assert any(cell.suppressed for cell in figures(table).values())
    assert_nothing_recoverable(table, value_of)


def test_each_attribute_on_offer_is_a_breakdown_with_a_not_shared_group() -> None:
    attribute = _pattern()
    full, part = [make_person() for _ in range(6)], [make_person() for _ in range(5)]
    [make_person() for _ in range(5)]  # with the administrator and the giver: 7 not shared
    _share(attribute, "Full time", full)
    _share(attribute, "Part time", part)
    _recognise(*part)

    dimension = inclusion_report(k=5).dimensions[-1]

    assert (dimension.title, dimension.shared) == ("Working pattern", True)
    rows = _by_label(dimension)
    assert list(rows) == ["Full time", "Part time", "Shifts", "Not shared"]
    assert (rows["Full time"].people, rows["Full time"].recognition_reach) == ("6", "0%")
    assert (rows["Part time"].people, rows["Part time"].recognition_reach) == ("5", "100%")
    assert rows["Not shared"].people == str(Person.objects.count() - 11)
    assert dimension.least == ["Full time"]  # Part time, at the top, is not "least"
    assert rows["Full time"].taking_part == "0" and rows["Full time"].grouped == "–"


def test_an_answer_nobody_chose_reads_hidden_like_a_small_group() -> None:
    _pattern()
    [make_person() for _ in range(6)]

    rows = _by_label(inclusion_report(k=5).dimensions[-1])

    # Were "Shifts" listed only once somebody chose it, its row would tell that they had.
    assert rows["Shifts"].people == HIDDEN and rows["Full time"].people == HIDDEN
    assert rows["Not shared"].people == "7"


def test_a_small_answer_group_is_hidden_and_cannot_be_recovered_by_subtraction() -> None:
    attribute = _pattern()
    full, part = [make_person() for _ in range(6)], [make_person() for _ in range(2)]
    not_shared = [make_person() for _ in range(6)]
    _share(attribute, "Full time", full)
    _share(attribute, "Part time", part)

    report = inclusion_report(k=5)
    dimension = report.dimensions[-1]
    rows = _by_label(dimension)

    assert rows["Part time"].people == HIDDEN and rows["Part time"].recognition_reach == HIDDEN
    assert rows["Full time"].people == HIDDEN  # else the total minus the rest gives 2
    assert rows["Not shared"].people == str(len(not_shared) + 1)  # and the administrator
    shown = sum(int(row.people) for row in dimension.rows if row.people != HIDDEN)
    assert report.people is not None and report.people - shown >= 5
    key_of = {p.pk: None for p in Person.objects.all()}
    key_of |= {p.pk: 0 for p in full} | {p.pk: 1 for p in part}
    _assert_no_hidden_group_is_recoverable(dimension, key_of, set())


def test_attributes_out_of_use_and_withdrawn_answers_are_not_counted() -> None:
    attribute = _pattern()
    people = [make_person() for _ in range(6)]
    _share(attribute, "Part time", people)
    attributes.withdraw(person=people[0])

    assert _by_label(inclusion_report(k=5).dimensions[-1])["Part time"].people == HIDDEN
    attributes.set_attribute_active(actor=make_person(Role.ADMINISTRATOR),
                                    attribute_id=attribute.pk, active=False)
    assert not any(d.shared for d in inclusion_report(k=5).dimensions)


def test_the_page_shows_a_breakdown_per_attribute_and_no_individual(
        as_coordinator: Client) -> None:
    attribute = _pattern()
    _share(attribute, "Part time", [make_person() for _ in range(5)])
    owner = make_person(name="Quentin Zebedee")
    _share(attribute, "Shifts", [owner])

    body = as_coordinator.get("/recognition/insight/").content.decode()

    assert "<h2>By working pattern</h2>" in body and "Not shared" in body
    assert "Quentin" not in body and "Zebedee" not in body


def test_the_page_says_when_nothing_is_asked(as_coordinator: Client,
                                            as_administrator: Client) -> None:
    body = as_coordinator.get("/recognition/insight/").content.decode()
    assert "not asked to share anything about themselves" in body
    assert 'href="/attributes/"' not in body
    assert 'href="/attributes/"' in as_administrator.get("/recognition/insight/").content.decode()


# Coffee pairings ---------------------------------------------------------------------------

def _pair(people: list[Person]) -> None:
    for person in people:
        joined(person)
    services.run_round(seed=1)


def test_pairing_reach_is_the_share_of_people_taking_part_grouped_and_met() -> None:
    taking_part = [colleague_in("Alpha", "Making") for _ in range(6)]
    others = [colleague_in("Alpha", "Making") for _ in range(5)]
    _pair(taking_part)
    group = CoffeeMembership.objects.get(person=taking_part[0]).group
    for membership in group.memberships.all():
        services.answer_met(person=membership.person, group=group, met=True)

    report = inclusion_report(k=5)

    assert report.pairing is not None
    assert report.pairing.taking_part == 6 and report.pairing.grouped_label == "100%"
    assert report.pairing.met_label == f"{group.memberships.count() / 6:.0%}"
    alpha = _by_label(report.dimensions[0])["Alpha"]
    assert (alpha.people, alpha.taking_part, alpha.grouped) == (
        str(len(taking_part) + len(others)), "6", "100%")
    assert alpha.met == report.pairing.met_label


def test_few_people_outside_pairings_are_not_revealed_by_subtraction() -> None:
    # Taking part / not: Alpha 5 / 1, Beta 6 / 5, Gamma 5 / 6.
    taking_part, outside = [], []
    for team, (yes, no) in {"Alpha": (5, 1), "Beta": (6, 5), "Gamma": (5, 6)}.items():
        taking_part += [colleague_in(team, "Making") for _ in range(yes)]
        outside += [colleague_in(team, "Making") for _ in range(no)]
    _pair(taking_part)

    teams = inclusion_report(k=5).dimensions[0]
    rows = _by_label(teams)

    assert rows["Alpha"].people == "6" and rows["Alpha"].recognition_reach == "0%"
    assert rows["Alpha"].taking_part == HIDDEN  # 6 - 5 would show the one who is not
    assert rows["Alpha"].grouped == HIDDEN and rows["Alpha"].met == HIDDEN
    assert rows["Beta"].taking_part == HIDDEN  # else the column total gives Alpha's away
    assert (rows["Gamma"].taking_part, rows["Gamma"].grouped) == ("5", "100%")
    team_of = {p.pk: p.team.name for p in [*taking_part, *outside]}
    _assert_no_hidden_group_is_recoverable(teams, team_of, {p.pk for p in taking_part})


def test_a_population_with_nobody_taking_part_says_so() -> None:
    [make_person() for _ in range(6)]
    report = inclusion_report(k=5)
    assert report.pairing is not None and report.pairing.taking_part == 0
    assert all(bar.value_label == "0" for bar in report.pairing_trend.bars)


def test_the_pairing_trend_counts_people_grouped_each_week_and_hides_small_weeks() -> None:
    _pair([colleague_in("Alpha", "Making") for _ in range(6)])

    bars = inclusion_report(k=5).pairing_trend.bars
    assert len(bars) == 12 and bars[-1].value_label == "6"
    assert all(bar.value_label == "0" for bar in bars[:-1])

    CoffeeGroup.objects.update(created_at=timezone.now() - timedelta(weeks=1))
    CoffeeProfile.objects.all().delete()
    _pair([colleague_in("Beta", "Making") for _ in range(2)])
    bars = inclusion_report(k=5).pairing_trend.bars
    assert bars[-1].value_label == HIDDEN  # this week: 2 people
    # ... and last week with it, or the 12 weeks' total minus last week would give it away
    assert bars[-2].value_label == HIDDEN
    assert all(bar.value_label == "0" for bar in bars[:-2])


def test_the_page_draws_both_trends(coordinator: Person) -> None:
    _pair([colleague_in("Alpha", "Making") for _ in range(6)])
    alpha = [colleague_in("Alpha", "Making") for _ in range(4)]
    Person.objects.filter(pk=coordinator.pk).update(  # the fifth not taking part
        team=alpha[0].team, department=alpha[0].department, location=alpha[0].location)
    as_coordinator = signed_in(coordinator)
    body = as_coordinator.get("/recognition/insight/").content.decode()
    assert "People recognised each week" in body
    assert "People in a coffee group each week" in body and body.count('<svg class="chart"') == 2
    assert "How coffee pairings reach people" in body and "Of them, said they met" in body


def test_the_query_count_does_not_grow_with_answers(as_coordinator: Client) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    attribute = _pattern()
    attributes.define_attribute(actor=make_person(Role.ADMINISTRATOR), name="Caring",
                                question="Do you care for someone?", options=["Yes", "No"])
    _share(attribute, "Part time", [make_person() for _ in range(2)])
    with CaptureQueriesContext(connection) as first:
        as_coordinator.get("/recognition/insight/")
    _share(attribute, "Shifts", [make_person() for _ in range(12)])
    _pair([colleague_in("Alpha", "Making") for _ in range(6)])
    with CaptureQueriesContext(connection) as second:
        as_coordinator.get("/recognition/insight/")
    assert len(second) == len(first)
