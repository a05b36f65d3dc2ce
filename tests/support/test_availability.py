"""The structured weekly availability (haven.support.availability): what the editor reads,
how it refuses a bad range naming the day, how it is summed up, and that joining overlapping
ranges changes neither matching nor "free from"."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from haven.support.availability import (
    RANGES,
    WeekHoursWidget,
    describe,
    typed_from,
    windows_from,
)
from haven.support.matching import Supporter, Window, is_available_at, next_available

EMPTY = ("", "")


def week(**days: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """What the editor sends: DAYS by short English name, each filled up to RANGES."""
    names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    return [(days.get(name, []) + [EMPTY] * RANGES)[:RANGES] for name in names]


def test_ranges_become_the_stored_windows_in_day_order() -> None:
    typed = week(fri=[("13:00", "17:30")], mon=[EMPTY, ("09:00", "12:00")])

    assert windows_from(typed) == [{"weekday": 0, "start": "09:00", "end": "12:00"},
                                   {"weekday": 4, "start": "13:00", "end": "17:30"}]


def test_overlapping_and_touching_ranges_are_joined() -> None:
    typed = week(tue=[("11:00", "14:00"), ("09:00", "12:00"), ("14:00", "15:00")])

    assert windows_from(typed) == [{"weekday": 1, "start": "09:00", "end": "15:00"}]


@pytest.mark.parametrize(("typed", "message"), [
    (week(tue=[("17:00", "09:00")]), "Tuesday: the end 09:00 is before the start 17:00."),
    (week(wed=[("10:00", "10:00")]), "Wednesday: the end 10:00 is the same as the start."),
    (week(thu=[("10:00", "")]), "Thursday: give both the start and the end of each time "
                                "range."),
    (week(sun=[("25:00", "26:00")]), "Sunday: write times such as 09:00."),
])
def test_a_bad_range_is_refused_naming_the_day(typed: list[list[tuple[str, str]]],
                                               message: str) -> None:
    with pytest.raises(ValidationError) as error:
        windows_from(typed)

    assert error.value.messages == [message]


def test_every_bad_day_is_named_at_once() -> None:
    with pytest.raises(ValidationError) as error:
        windows_from(week(mon=[("12:00", "09:00")], sat=[("", "10:00")]))

    assert [message.split(":")[0] for message in error.value.messages] == ["Monday",
                                                                            "Saturday"]


def test_stored_windows_fill_the_editor_day_by_day() -> None:
    stored = [{"weekday": 2, "start": "13:00", "end": "17:00"},
              {"weekday": 2, "start": "09:00", "end": "12:00"}]

    typed = typed_from(stored)

    assert typed[2] == [("09:00", "12:00"), ("13:00", "17:00"), EMPTY]
    assert windows_from(typed) == sorted(stored, key=lambda w: w["start"])


def test_the_editor_reads_its_inputs_by_day_and_range() -> None:
    data = {"availability_6_2_start": " 08:00 ", "availability_6_2_end": "10:00"}

    typed = WeekHoursWidget().value_from_datadict(data, {}, "availability")

    assert typed == week(sun=[EMPTY, EMPTY, ("08:00", "10:00")])


def test_the_editor_labels_every_input() -> None:
    html = WeekHoursWidget().render("availability", [])

    assert html.count('type="time"') == 7 * RANGES * 2
    assert html.count("<label") == 7 * RANGES * 2
    assert 'for="id_availability_1_0_end">Tuesday, time range 1, to</label>' in html


@pytest.mark.parametrize(("windows", "shown"), [
    ([], ""),
    ([{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(5)],
     "Mon–Fri 09:00–17:00"),
    ([{"weekday": 0, "start": "09:00", "end": "12:00"},
      {"weekday": 0, "start": "13:00", "end": "17:00"},
      {"weekday": 1, "start": "09:00", "end": "12:00"},
      {"weekday": 1, "start": "13:00", "end": "17:00"},
      {"weekday": 5, "start": "10:00", "end": "12:00"}],
     "Mon, Tue 09:00–12:00; 13:00–17:00; Sat 10:00–12:00"),
    ([{"weekday": 6, "start": "00:00", "end": "23:59"}], "Sun 00:00–23:59"),
])
def test_availability_is_summed_up_readably(windows: list[dict[str, object]],
                                            shown: str) -> None:
    assert describe(windows) == shown  # type: ignore[arg-type]


# Matching and "free from" are the same for the same hours, however they were typed ----------

MINUTES = st.integers(min_value=0, max_value=23 * 60 + 58)
RANGE = st.tuples(MINUTES, st.integers(min_value=1, max_value=600)).map(
    lambda pair: (pair[0], min(pair[0] + pair[1], 23 * 60 + 59)))


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _supporter(windows: list[dict[str, object]] | list[Window]) -> Supporter:
    shaped = tuple(w if isinstance(w, Window) else Window(
        int(w["weekday"]), time.fromisoformat(str(w["start"])),  # type: ignore[call-overload]
        time.fromisoformat(str(w["end"]))) for w in windows)
    return Supporter(person_id=1, team_id=None, department_id=None, managers=frozenset(),
                     reports=frozenset(), languages=frozenset({"en"}), topics=frozenset(),
                     capacity=3, open_conversations=0, active=True, certified=True,
                     away=False, time_zone="Europe/London", availability=shaped)


@given(days=st.lists(st.tuples(st.integers(0, 6), st.lists(RANGE, max_size=RANGES)),
                     max_size=4),
       moment=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31)))
def test_joined_ranges_match_and_free_from_exactly_as_the_ranges_typed(
        days: list[tuple[int, list[tuple[int, int]]]], moment: datetime) -> None:
    typed = week()
    as_typed = []
    for weekday, ranges in days:
        typed[weekday] = [(_clock(a), _clock(b)) for a, b in ranges] + [EMPTY] * (
            RANGES - len(ranges))
        as_typed = [w for w in as_typed if w.weekday != weekday] + [
            Window(weekday, time.fromisoformat(_clock(a)), time.fromisoformat(_clock(b)))
            for a, b in ranges]
    before, after = _supporter(as_typed), _supporter(windows_from(typed))
    when = moment.replace(tzinfo=UTC)

    assert is_available_at(after, when) == is_available_at(before, when)
    assert next_available(after, when) == next_available(before, when)
    assert next_available(after, when + timedelta(hours=13)) == next_available(
        before, when + timedelta(hours=13))
