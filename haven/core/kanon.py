"""k-anonymity: every aggregate shown to coordinators is computed here, so that no figure covers
fewer than k people or lets a subtraction reveal one (docs/k-anonymity.md explains the rules)."""

from __future__ import annotations

import enum
import math
import numbers
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

HIDDEN = "hidden"  # one label for every suppressed figure; see label()
Condition = Callable[[float], bool]


class Reason(enum.Enum):
    """Why a figure is hidden. For logs and tests only: rendering it would tell a reader which
    hidden cells are small, and that narrows what subtraction can recover."""

    SMALL_GROUP = "covers fewer than k people"
    COMPLEMENTARY = "would reveal a small group by subtraction"


@dataclass(frozen=True)
class Cell:
    """One figure of a table: a group's cell, or a total. Every number is None when hidden."""

    key: Hashable  # group key, (row, col) in a cross table; a total's row/col key, or None
    people: int | None  # distinct people, not records
    records: int | None
    sum: float | None  # of the records' values; None when no record has a value
    mean: float | None  # over records with a value
    rate: float | None  # share of valued records meeting the condition, when one was given
    reason: Reason | None = None

    @property
    def suppressed(self) -> bool:
        return self.reason is not None


@dataclass(frozen=True)
class Table:
    k: int
    cells: Mapping[Hashable, Cell]  # in key order
    total: Cell
    row_totals: Mapping[Hashable, Cell] = field(default_factory=dict)  # cross tables only
    col_totals: Mapping[Hashable, Cell] = field(default_factory=dict)


def min_group_size(k: int | None = None) -> int:
    """k as given, else settings.HAVEN_MIN_GROUP_SIZE; never below 2."""
    if k is None:
        k = settings.HAVEN_MIN_GROUP_SIZE
    if isinstance(k, bool) or not isinstance(k, int) or k < 2:
        raise ValueError(
            f"k (the minimum group size) must be an integer of at least 2, got {k!r}: "
            "a group of one person is that person")
    return k


def tabulate(rows: Iterable[Sequence[object]], *, k: int | None = None,
             condition: Condition | None = None) -> Table:
    """A one-way table from rows of (group key, person id[, value]), with its total."""
    k = min_group_size(k)
    records = list(_records(rows))
    cells = {key: _Item(key, tail=0, head=1) for key in _sorted(r[0] for r in records)}
    total = _Item(None, tail=1, head=0, margin=True)
    for key, person, value in records:
        for item in (cells[key], total):
            item.add(person, value, condition)
    items = [*cells.values(), total]
    figures = _figures(items, [(len(items) - 1, list(range(len(cells))))], k, condition)
    return Table(k, {c.key: c for c in figures[:-1]}, figures[-1])


def crosstab(rows: Iterable[Sequence[object]], *, k: int | None = None,
             condition: Condition | None = None) -> Table:
    """A two-way table (e.g. team x week) from rows of ((row, col), person id[, value]), with
    row, column and grand totals. A person counts once in each cell and each total they reach."""
    k = min_group_size(k)
    records = []
    for key, person, value in _records(rows):
        if not (isinstance(key, tuple) and len(key) == 2):
            raise ValueError(f"a cross table's keys are (row, column) pairs, got {key!r}")
        records.append((key[0], key[1], person, value))
    row_keys, col_keys = _sorted(r[0] for r in records), _sorted(r[1] for r in records)
    # Vertices of the flow graph (see _stuck_victim): 0 and 1 are the hubs of the row and
    # column totals, then one per row, then one per column.
    row_at = {r: 2 + i for i, r in enumerate(row_keys)}
    col_at = {c: 2 + len(row_keys) + i for i, c in enumerate(col_keys)}
    pairs = sorted({(r[0], r[1]) for r in records}, key=lambda rc: (row_at[rc[0]], col_at[rc[1]]))
    cells = {rc: _Item(rc, tail=row_at[rc[0]], head=col_at[rc[1]]) for rc in pairs}
    row_totals = {r: _Item(r, tail=0, head=row_at[r], margin=True) for r in row_keys}
    col_totals = {c: _Item(c, tail=col_at[c], head=1, margin=True) for c in col_keys}
    total = _Item(None, tail=1, head=0, margin=True)
    for row, col, person, value in records:
        for item in (cells[row, col], row_totals[row], col_totals[col], total):
            item.add(person, value, condition)
    items = [*cells.values(), *row_totals.values(), *col_totals.values(), total]
    at = {id(item): i for i, item in enumerate(items)}
    row_lines: dict[Hashable, list[int]] = defaultdict(list)
    col_lines: dict[Hashable, list[int]] = defaultdict(list)
    for (row, col), cell in cells.items():
        row_lines[row].append(at[id(cell)])
        col_lines[col].append(at[id(cell)])
    lines = [(at[id(row_totals[r])], row_lines[r]) for r in row_keys]
    lines += [(at[id(col_totals[c])], col_lines[c]) for c in col_keys]
    lines += [(at[id(total)], [at[id(t)] for t in row_totals.values()]),
              (at[id(total)], [at[id(t)] for t in col_totals.values()]),
              (at[id(total)], list(range(len(cells))))]  # the grand total is a sum of cells too
    figures = iter(_figures(items, lines, k, condition))
    return Table(k, {key: next(figures) for key in cells},
                 row_totals={r: next(figures) for r in row_keys},
                 col_totals={c: next(figures) for c in col_keys}, total=next(figures))


def label(cell: Cell, attr: str = "people", fmt: str = "{}") -> str:
    """The text for one figure. Every hidden figure gets the same label on purpose: marking the
    small ones "fewer than k" would bound them, and bounds let subtraction pin values down."""
    if cell.suppressed:
        return HIDDEN
    value = getattr(cell, attr)
    return "–" if value is None else fmt.format(value)


def fewer_than(k: int | None = None) -> str:
    return f"fewer than {min_group_size(k)}"


def footnote(k: int | None = None) -> str:
    return (f"“{HIDDEN}”: a group of {fewer_than(k)} people, or a figure that would reveal "
            "one by subtraction.")


@dataclass
class _Item:
    """A cell or total while it is being counted; an arc tail -> head of the flow graph."""

    key: Hashable
    tail: int
    head: int
    margin: bool = False
    people: set[Hashable] = field(default_factory=set)
    records: int = 0
    valued: int = 0
    sum: float = 0.0
    hits: int = 0

    def add(self, person: Hashable, value: float | None, condition: Condition | None) -> None:
        self.people.add(person)
        self.records += 1
        if value is not None:
            self.valued += 1
            self.sum += value
            self.hits += bool(condition and condition(value))


def _records(rows: Iterable[Sequence[object]]) -> Iterable[tuple[Hashable, Hashable, float | None]]:
    for row in rows:
        if len(row) not in (2, 3):
            raise ValueError(f"rows are (key, person) or (key, person, value), got {row!r}")
        key, person, raw = row[0], row[1], row[2] if len(row) == 3 else None
        if person is None or not isinstance(person, Hashable) or not isinstance(key, Hashable):
            raise ValueError(f"a row needs a hashable key and person to be counted: {row!r}")
        value = None
        if raw is not None:
            if not isinstance(raw, numbers.Real | Decimal) or not math.isfinite(raw):
                raise ValueError(f"a row's value must be a finite number or None: {row!r}")
            value = float(raw)
        yield key, person, value


def _sorted(keys: Iterable[Hashable]) -> list[Hashable]:
    # Key order is the tie-break everywhere, so same input, same table. None ("no team") last.
    try:
        return sorted(set(keys), key=lambda key: (key is None, key))
    except TypeError as error:
        raise ValueError(f"group keys must be comparable with each other: {error}") from None


def _figures(items: list[_Item], lines: list[tuple[int, list[int]]], k: int,
             condition: Condition | None) -> list[Cell]:
    hidden = _suppress(items, lines, k)
    figures = []
    for i, item in enumerate(items):
        if i in hidden:
            figures.append(Cell(item.key, None, None, None, None, None, hidden[i]))
            continue
        valued = item.valued or None  # no value at all: no sum, mean or rate rather than 0
        figures.append(Cell(
            item.key, len(item.people), item.records,
            item.sum if valued else None,
            item.sum / valued if valued else None,
            item.hits / valued if valued and condition else None))
    return figures


def _suppress(items: list[_Item], lines: list[tuple[int, list[int]]], k: int) -> dict[int, Reason]:
    """Which items to hide. Each line is a total and the items that add up to it."""
    # Totals are figures too: a total over fewer than k people is hidden like any cell.
    hidden = {i: Reason.SMALL_GROUP for i, item in enumerate(items) if len(item.people) < k}
    safe: set[int] = set()  # hiding more only adds arcs, so a safe item stays safe
    while True:
        victim = _line_victim(items, lines, hidden, k)
        if victim is None:
            victim = _stuck_victim(items, hidden, safe)
        if victim is None:
            return hidden
        hidden[victim] = Reason.COMPLEMENTARY


def _line_victim(items: list[_Item], lines: list[tuple[int, list[int]]],
                 hidden: Mapping[int, Reason], k: int) -> int | None:
    """A shown total minus its shown items gives the hidden items' sum exactly: there must be at
    least two of them (or the one is revealed) and together they must cover at least k people
    (or the group they form is revealed). People are counted once across the hidden items."""
    for total, members in lines:
        if total in hidden:
            continue
        gone = [m for m in members if m in hidden]
        if not gone or (len(gone) >= 2
                        and len(set().union(*(items[m].people for m in gone))) >= k):
            continue
        shown = [m for m in members if m not in hidden]
        if not shown:  # a single item equal to its total: hide the total
            return total
        return min(shown, key=lambda m: (len(items[m].people), m))
    return None


def _stuck_victim(items: list[_Item], hidden: Mapping[int, Reason], safe: set[int]) -> int | None:
    """An item to hide so that every hidden figure has at least two values consistent with
    everything shown, or None when that already holds.

    A table with its totals is a circulation: each item is an arc carrying its count, and each
    total's equation is conservation at a vertex (row hub -> row -> column -> column hub -> row
    hub). Shown arcs are fixed; a hidden figure, known to be at least 1, can change exactly when
    a unit can flow round a cycle through it using hidden arcs: forwards always, backwards only
    where the count is at least 2. Per-line rules alone miss cycles that force values through
    several lines (a 2-D table whose hidden cells form a chain, or all-ones); this catches them.
    Counted in people this is exact when each person is in one cell per line; records and sums
    add up exactly in every case, and records >= people, so the check is safe for them too."""
    arcs: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for i in hidden:
        item = items[i]
        arcs[item.tail].append((item.head, i))
        if len(item.people) >= 2:
            arcs[item.head].append((item.tail, i))
    shown = [j for j in range(len(items)) if j not in hidden]
    if not shown:
        return None
    for i in sorted(hidden):
        item = items[i]
        if i in safe or _reaches(arcs, item.head, item.tail, i) or (
                len(item.people) >= 2 and _reaches(arcs, item.tail, item.head, i)):
            safe.add(i)
            continue
        ends = {item.tail, item.head}  # prefer a neighbour: it opens a cycle through this item
        near = [j for j in shown if {items[j].tail, items[j].head} & ends]
        return min(near or shown, key=lambda j: (items[j].margin, len(items[j].people), j))
    return None


def _reaches(arcs: Mapping[int, list[tuple[int, int]]], start: int, goal: int, skip: int) -> bool:
    seen, todo = {start}, [start]
    while todo:
        for vertex, item in arcs.get(todo.pop(), ()):
            if item != skip and vertex not in seen:
                if vertex == goal:
                    return True
                seen.add(vertex)
                todo.append(vertex)
    return False
