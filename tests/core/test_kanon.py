"""The k-anonymity helper: nothing shown covers fewer than k people, nothing hidden comes back."""

from __future__ import annotations

import math
from collections.abc import Hashable

import pytest
from hypothesis import event, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from haven.core.kanon import (
    HIDDEN,
    Cell,
    Reason,
    Table,
    crosstab,
    fewer_than,
    footnote,
    label,
    min_group_size,
    tabulate,
)

Row = tuple[Hashable, int, int]
Fig = tuple[str, Hashable]  # ("cell", key) | ("row", r) | ("col", c) | ("total", None)


# --- building tables from data ---------------------------------------------------------------

@st.composite
def datasets(draw: st.DrawFn, two_way: bool, disjoint: bool, max_people: int = 7) -> list[Row]:
    """Rows for a random set of cells. Disjoint: each person is in exactly one cell (people add
    up across cells); otherwise people are drawn from a small pool and recur across cells."""
    if two_way:
        keys = draw(st.sets(st.tuples(st.integers(0, 2), st.sampled_from("xyz")),
                            min_size=1, max_size=9))
    else:
        keys = draw(st.sets(st.sampled_from("abcdef"), min_size=1, max_size=6))
    rows: list[Row] = []
    next_person = 0
    for key in sorted(keys):
        if disjoint:
            count = draw(st.integers(1, max_people))
            people = list(range(next_person, next_person + count))
            next_person += count
        else:
            people = sorted(draw(st.sets(st.integers(0, 11), min_size=1, max_size=max_people)))
        for person in people:
            for value in draw(st.lists(st.integers(1, 5), min_size=1, max_size=2)):
                rows.append((key, person, value))
    return draw(st.permutations(rows))


def build(rows: list[Row], two_way: bool, k: int) -> Table:
    return crosstab(rows, k=k) if two_way else tabulate(rows, k=k)


def figures(table: Table) -> dict[Fig, Cell]:
    out: dict[Fig, Cell] = {("cell", key): cell for key, cell in table.cells.items()}
    out |= {("row", r): cell for r, cell in table.row_totals.items()}
    out |= {("col", c): cell for c, cell in table.col_totals.items()}
    out[("total", None)] = table.total
    return out


def covers(fig: Fig, key: Hashable) -> bool:
    """Whether the figure counts the cell with this key."""
    kind, at = fig
    if kind == "cell":
        return key == at
    if kind == "total":
        return True
    return key[0 if kind == "row" else 1] == at  # type: ignore[index]


def truth(rows: list[Row], table: Table) -> dict[Fig, tuple[set[int], int, float]]:
    """Independently computed people, records and value sum of every figure."""
    out: dict[Fig, tuple[set[int], int, float]] = {}
    for fig in figures(table):
        mine = [row for row in rows if covers(fig, row[0])]
        out[fig] = ({row[1] for row in mine}, len(mine), float(sum(row[2] for row in mine)))
    return out


def lines(table: Table) -> list[tuple[Fig, list[Fig]]]:
    """Every total with the figures that add up to it (records, sums; people when disjoint)."""
    cells: list[Fig] = [("cell", key) for key in table.cells]
    total: Fig = ("total", None)
    if not table.row_totals:
        return [(total, cells)]
    rows: list[Fig] = [("row", r) for r in table.row_totals]
    cols: list[Fig] = [("col", c) for c in table.col_totals]
    return ([(r, [c for c in cells if covers(r, c[1])]) for r in rows]
            + [(c, [x for x in cells if covers(c, x[1])]) for c in cols]
            + [(total, rows), (total, cols), (total, cells)])


# --- the adversary ---------------------------------------------------------------------------

def has_other_value(table: Table, value_of: dict[Fig, int], target: Fig) -> bool:
    """Whether some assignment of integers >= 1 to the hidden cells, consistent with every shown
    figure, gives the hidden figure `target` a value other than its true one. Brute force over
    [1, max + 1], which holds any one-step change, pruned by the shown totals."""
    figs = figures(table)
    hidden = [key for key in table.cells if figs[("cell", key)].suppressed]
    known = {key: value_of[("cell", key)] for key in table.cells if key not in hidden}
    bound = max(value_of[("cell", key)] for key in hidden) + 1
    shown_totals = [(fig, [k for k in hidden if covers(fig, k)],
                     value_of[fig] - sum(v for k, v in known.items() if covers(fig, k)))
                    for fig, cell in figs.items() if fig[0] != "cell" and not cell.suppressed]
    mine = [key for key in hidden if covers(target, key)]
    differ = value_of[target] - sum(v for k, v in known.items() if covers(target, k))
    order = mine + [key for key in hidden if key not in mine]
    assigned: dict[Hashable, int] = {}

    def consistent() -> bool:
        for _, members, rest in shown_totals:
            done = sum(assigned[k] for k in members if k in assigned)
            free = sum(1 for k in members if k not in assigned)
            if not done + free <= rest <= done + free * bound:
                return False
        return not (all(k in assigned for k in mine)
                    and sum(assigned[k] for k in mine) == differ)

    def search(i: int) -> bool:
        if i == len(order):
            return True
        key = order[i]
        true = value_of[("cell", key)]
        for value in sorted(range(1, bound + 1), key=lambda v: (abs(v - true), v)):
            assigned[key] = value
            if consistent() and search(i + 1):
                return True
            del assigned[key]
        return False

    return search(0)


def assert_nothing_recoverable(table: Table, value_of: dict[Fig, int]) -> None:
    for fig, cell in figures(table).items():
        if cell.suppressed:
            assert has_other_value(table, value_of, fig), f"{fig} is recoverable"


# --- properties ------------------------------------------------------------------------------

shapes = st.sampled_from([(False, True), (False, False), (True, True), (True, False)])


@hsettings(max_examples=300, deadline=None)
@given(data=st.data(), shape=shapes, k=st.integers(2, 6))
def test_no_shown_figure_covers_fewer_than_k_people(data: st.DataObject,
                                                    shape: tuple[bool, bool], k: int) -> None:
    two_way, disjoint = shape
    rows = data.draw(datasets(two_way, disjoint))
    table = build(rows, two_way, k)
    real = truth(rows, table)
    for fig, cell in figures(table).items():
        people, records, total = real[fig]
        if cell.suppressed:
            assert (cell.people, cell.records, cell.sum, cell.mean) == (None,) * 4
        else:
            assert cell.people == len(people) >= k
            assert cell.records == records
            assert cell.sum == total and cell.mean == pytest.approx(total / records)


@hsettings(max_examples=300, deadline=None)
@given(data=st.data(), shape=shapes, k=st.integers(2, 6))
def test_hidden_figures_in_a_shown_total_are_two_or_more_covering_k_people(
        data: st.DataObject, shape: tuple[bool, bool], k: int) -> None:
    two_way, disjoint = shape
    rows = data.draw(datasets(two_way, disjoint))
    table = build(rows, two_way, k)
    figs, real = figures(table), truth(rows, table)
    for total, members in lines(table):
        if figs[total].suppressed:
            continue
        hidden = [m for m in members if figs[m].suppressed]
        assert len(hidden) != 1, f"{hidden[0]} = {total} minus the shown figures"
        assert not hidden or len(set().union(*(real[m][0] for m in hidden))) >= k


@hsettings(max_examples=500, deadline=None)
@given(data=st.data(), two_way=st.booleans(), disjoint=st.booleans(), k=st.integers(2, 5))
def test_an_adversary_cannot_pin_down_any_hidden_figure(data: st.DataObject, two_way: bool,
                                                         disjoint: bool, k: int) -> None:
    rows = data.draw(datasets(two_way, disjoint, max_people=5))
    table = build(rows, two_way, k)
    real = truth(rows, table)
    figs = figures(table)
    exposed = any(not figs[t].suppressed and any(figs[m].suppressed for m in members)
                  for t, members in lines(table))
    event(f"some hidden figure under a shown total: {exposed}")
    # Records add up across cells whoever made them; people add up only when disjoint.
    assert_nothing_recoverable(table, {fig: r[1] for fig, r in real.items()})
    if disjoint:
        assert_nothing_recoverable(table, {fig: len(r[0]) for fig, r in real.items()})


@hsettings(max_examples=100, deadline=None)
@given(data=st.data(), two_way=st.booleans(), k=st.integers(2, 6))
def test_same_rows_in_any_order_give_the_same_table(data: st.DataObject, two_way: bool,
                                                    k: int) -> None:
    rows = data.draw(datasets(two_way, disjoint=False))
    again = data.draw(st.permutations(rows))
    first, second = build(rows, two_way, k), build(again, two_way, k)
    strip = {fig: (c.people, c.records, c.reason) for fig, c in figures(first).items()}
    assert strip == {fig: (c.people, c.records, c.reason) for fig, c in figures(second).items()}
    assert [c.mean for c in first.cells.values()] == pytest.approx(
        [c.mean for c in second.cells.values()], nan_ok=True)


# --- examples --------------------------------------------------------------------------------

def group(key: Hashable, people: range | list[int], value: float | None = None) -> list[tuple]:
    return [(key, person, value) for person in people]


def test_cells_count_distinct_people_not_records() -> None:
    rows = [("legal", person % 2, 1) for person in range(10)]  # ten requests from two people
    table = tabulate(rows, k=2)
    assert (table.cells["legal"].people, table.cells["legal"].records) == (2, 10)
    assert tabulate(rows, k=3).cells["legal"].suppressed


def test_means_and_rates_only_on_shown_cells() -> None:
    rows = group("a", range(2), 1) + group("b", range(10, 16), 4) + group("c", range(20, 27), 2)
    table = tabulate(rows, k=5, condition=lambda score: score >= 4)
    hidden, shown = table.cells["a"], table.cells["c"]
    assert hidden.suppressed and (hidden.mean, hidden.rate, hidden.sum) == (None, None, None)
    assert table.cells["b"].suppressed  # a lone hidden cell would be total minus the rest
    assert (shown.people, shown.mean, shown.rate) == (7, 2.0, 0.0)
    assert table.total.mean == pytest.approx((2 + 24 + 14) / 15)
    assert table.total.rate == pytest.approx(6 / 15)


def test_a_cell_without_values_has_no_mean_rather_than_zero() -> None:
    table = tabulate(group("a", range(5)), k=5)
    assert (table.cells["a"].people, table.cells["a"].mean, table.cells["a"].sum) == (5, None, None)
    assert label(table.cells["a"], "mean") == "–"


def test_the_total_is_hidden_when_it_covers_fewer_than_k_people() -> None:
    table = tabulate(group("a", range(3)) + group("b", range(3, 4)), k=5)
    assert all(cell.suppressed for cell in table.cells.values())
    assert table.total.reason is Reason.SMALL_GROUP


def test_hidden_cells_grow_until_they_cover_k_people() -> None:
    rows = (group("a", range(1)) + group("b", range(10, 12)) + group("c", range(20, 26))
            + group("d", range(30, 37)) + group("e", range(40, 49)))
    table = tabulate(rows, k=5)
    reasons = {key: cell.reason for key, cell in table.cells.items()}
    assert reasons == {"a": Reason.SMALL_GROUP, "b": Reason.SMALL_GROUP,
                       "c": Reason.COMPLEMENTARY, "d": None, "e": None}
    assert table.total.people == 25


def test_ties_are_broken_by_key_order() -> None:
    rows = group("a", range(1)) + group("b", range(10, 15)) + group("c", range(20, 25))
    table = tabulate(rows, k=5)
    assert [key for key, cell in table.cells.items() if cell.suppressed] == ["a", "b"]


def test_hidden_singletons_are_not_left_pinned_at_one() -> None:
    # Three one-person cells cover k=3 people, but a sum of 3 over three cells of at least
    # one each is 1 + 1 + 1: a shown cell must join them.
    rows = group("a", [1]) + group("b", [2]) + group("c", [3]) + group("d", range(10, 15))
    table = tabulate(rows + group("e", range(20, 26)), k=3)
    assert [key for key, cell in table.cells.items() if cell.suppressed] == ["a", "b", "c", "d"]


def test_two_way_suppression_iterates_over_rows_and_columns() -> None:
    sizes = {("A", 1): 1, ("A", 2): 5, ("A", 3): 6, ("B", 1): 5, ("B", 2): 5, ("B", 3): 7,
             ("C", 1): 6, ("C", 2): 7, ("C", 3): 8}
    rows, person = [], 0
    for key, size in sizes.items():
        rows += group(key, range(person, person + size))
        person += size
    table = crosstab(rows, k=3)
    hidden = {key for key, cell in table.cells.items() if cell.suppressed}
    # (A,1) is small; its row takes (A,2), its column (B,1); then row B and column 2 meet.
    assert hidden == {("A", 1), ("A", 2), ("B", 1), ("B", 2)}
    assert not any(c.suppressed for c in [*table.row_totals.values(), *table.col_totals.values()])
    assert table.total.people == 50


def test_two_way_hidden_chains_that_force_values_are_broken() -> None:
    # Six small cells in a cycle across three rows and columns: every line holds two hidden
    # cells covering k=3 people, yet the totals force the one-person cells to be exactly 1.
    sizes = {(1, 1): 1, (1, 2): 2, (2, 2): 2, (2, 3): 1, (3, 3): 2, (3, 1): 2,
             (1, 3): 9, (2, 1): 9, (3, 2): 9}
    rows, person = [], 0
    for key, size in sizes.items():
        rows += group(key, range(person, person + size))
        person += size
    table = crosstab(rows, k=3)
    value_of = {fig: len({r[1] for r in rows if covers(fig, r[0])}) for fig in figures(table)}
    assert_nothing_recoverable(table, value_of)
    assert sum(cell.suppressed for cell in table.cells.values()) == 7


def test_a_person_in_several_periods_counts_once_in_each_total() -> None:
    rows = [(("support", week), person) for week in (1, 2) for person in range(5)]
    rows += [(("support", 2), 9)]
    table = crosstab(rows, k=5)
    assert [c.people for c in table.cells.values()] == [5, 6]
    assert table.row_totals["support"].people == 6  # not 11
    assert table.row_totals["support"].records == 11
    assert table.total.people == 6


def test_a_small_row_total_is_hidden_and_protected() -> None:
    rows = []
    for team, size in (("a", 2), ("b", 9), ("c", 9)):
        for week in (1, 2):
            rows += [((team, week), f"{team}{p}") for p in range(size)]
    table = crosstab(rows, k=5)
    assert table.row_totals["a"].reason is Reason.SMALL_GROUP
    # Otherwise the grand total minus rows b and c would give row a.
    assert table.row_totals["b"].suppressed or table.row_totals["c"].suppressed


def test_a_total_over_a_single_hidden_cell_is_hidden_with_it() -> None:
    # (1,0) is small; column 0 takes (0,0), row 0 takes (0,1), column 1 takes (2,1) -- the only
    # cell of row 2, whose total would now show it: so that total goes too.
    sizes = {(0, 0): 4, (0, 1): 6, (0, 2): 7, (1, 0): 3, (2, 1): 6}
    rows, person = [], 0
    for key, size in sizes.items():
        rows += group(key, range(person, person + size))
        person += size
    table = crosstab(rows, k=4)
    assert [key for key, cell in table.cells.items() if not cell.suppressed] == [(0, 2)]
    assert table.row_totals[2].reason is Reason.COMPLEMENTARY
    assert table.row_totals[1].reason is Reason.SMALL_GROUP
    assert not table.row_totals[0].suppressed and not table.total.suppressed


def test_k_comes_from_settings(settings) -> None:  # noqa: ANN001 - pytest-django's fixture
    settings.HAVEN_MIN_GROUP_SIZE = 3
    table = tabulate(group("a", range(3)) + group("b", range(3, 6)))
    assert table.k == 3 and table.cells["a"].people == 3
    settings.HAVEN_MIN_GROUP_SIZE = 5
    assert tabulate(group("a", range(3))).cells["a"].suppressed
    assert fewer_than() == "fewer than 5"


@pytest.mark.parametrize("k", [1, 0, -3, True, 2.5, "5"])
def test_k_below_two_or_not_an_integer_is_refused(k: object) -> None:
    with pytest.raises(ValueError, match="must be an integer of at least 2"):
        tabulate([("a", 1)], k=k)  # type: ignore[arg-type]


def test_k_below_two_in_settings_is_refused(settings) -> None:  # noqa: ANN001
    settings.HAVEN_MIN_GROUP_SIZE = 1
    with pytest.raises(ValueError, match="at least 2"):
        min_group_size()


@pytest.mark.parametrize(("rows", "message"), [
    ([("a",)], "rows are"),
    ([("a", None, 1)], "person to be counted"),
    ([(["a"], 1)], "hashable key"),
    ([("a", 1, math.nan)], "finite number"),
    ([("a", 1, "3")], "finite number"),
    ([("a", 1), (2, 2)], "comparable"),
])
def test_bad_rows_are_refused(rows: list[tuple], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        tabulate(rows, k=2)


def test_a_cross_table_needs_pairs_as_keys() -> None:
    with pytest.raises(ValueError, match="pairs"):
        crosstab([("a", 1)], k=2)


def test_no_rows_give_an_empty_table_with_a_hidden_total() -> None:
    table = tabulate([], k=5)
    assert table.cells == {} and table.total.suppressed


def test_groups_without_a_key_sort_last() -> None:
    table = tabulate(group(None, range(5)) + group("a", range(5, 10)), k=5)
    assert list(table.cells) == ["a", None]
    table = crosstab([((team, 1), p) for team in (None, "a") for p in range(5)], k=5)
    assert list(table.cells) == [("a", 1), (None, 1)]


def test_every_hidden_figure_has_the_same_label() -> None:
    rows = group("a", range(1)) + group("b", range(10, 17)) + group("c", range(20, 28), 1)
    table = tabulate(rows, k=5, condition=bool)
    assert [label(c) for c in table.cells.values()] == [HIDDEN, HIDDEN, "8"]
    assert label(table.cells["c"], "rate", "{:.0%}") == "100%"
    assert "fewer than 5" in footnote(5)


def test_values_may_be_booleans_for_rates() -> None:
    rows = [("a", p, p % 2 == 0) for p in range(6)]
    assert tabulate(rows, k=5, condition=bool).cells["a"].rate == pytest.approx(0.5)
