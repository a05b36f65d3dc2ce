"""Matching, on plain data: each hard constraint alone, the ranking, the honest reply time, and
working-hour arithmetic across evenings, weekends and time zones."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from haven.support.matching import (
    Mode,
    Request,
    Seeker,
    Supporter,
    Window,
    earliest_reply,
    explain,
    failed_constraints,
    is_available_at,
    next_available,
    rank,
)
from haven.support.reliability import add_working_hours

WEDNESDAY_10_UTC = datetime(2025, 1, 8, 10, 0, tzinfo=UTC)  # 10:00 in London (GMT)
OFFICE_HOURS = tuple(Window(day, time(8), time(18)) for day in range(5))
EVERY_HOUR = tuple(Window(day, time(0), time(23, 59)) for day in range(7))


def supporter(person_id: int = 10, **fields: object) -> Supporter:
    base = Supporter(
        person_id=person_id, team_id=100 + person_id, department_id=200 + person_id,
        managers=frozenset(), reports=frozenset(), languages=frozenset({"en"}),
        topics=frozenset({"bullying"}), capacity=3, open_conversations=0, active=True,
        certified=True, away=False, time_zone="Europe/London", availability=OFFICE_HOURS)
    return replace(base, **fields)


REQUESTER = Seeker(person_id=1, team_id=1, department_id=2, managers=frozenset({50, 51}),
                   reports=frozenset({60}))


def request(**fields: object) -> Request:
    base = Request(requester=REQUESTER, topic="bullying", mode=Mode.MESSAGES, language="en",
                   avoid_my_team=True, avoid_my_department=False, now=WEDNESDAY_10_UTC,
                   response_target=timedelta(hours=4))
    return replace(base, **fields)


def test_a_supporter_who_fits_fails_nothing() -> None:
    assert failed_constraints(supporter(), request()) == []


# --- each hard constraint alone --------------------------------------------------------------

@pytest.mark.parametrize(("change", "reason"), [
    ({"active": False}, "not active"),
    ({"away": True}, "not active"),
    ({"certified": False}, "not certified"),
    ({"open_conversations": 3}, "at capacity"),
    ({"open_conversations": 4}, "at capacity"),
    ({"languages": frozenset({"fr"})}, "does not speak the language"),
    ({"languages": frozenset()}, "does not speak the language"),
    ({"person_id": 1}, "is the requester"),
    ({"team_id": 1}, "in the requester's team"),
    ({"person_id": 50}, "in the requester's reporting line"),  # their manager
    ({"person_id": 51}, "in the requester's reporting line"),  # their manager's manager
    ({"person_id": 60}, "in the requester's reporting line"),  # their report
    ({"managers": frozenset({1})}, "in the requester's reporting line"),
    ({"reports": frozenset({1})}, "in the requester's reporting line"),
])
def test_each_constraint_on_the_supporter_alone(change: dict[str, object], reason: str) -> None:
    assert failed_constraints(supporter(**change), request()) == [reason]


def test_one_below_capacity_is_fine() -> None:
    assert failed_constraints(supporter(open_conversations=2), request()) == []


@pytest.mark.parametrize(("asked", "spoken", "fits"), [
    ("en-GB", {"en"}, True),
    ("en", {"en-GB"}, True),
    ("EN-us", {"en-gb"}, True),
    ("pt-BR", {"pt"}, True),
    ("fr", {"en", "fr-CA"}, True),
    ("de", {"en", "fr"}, False),
    ("en", {"eng"}, False),
])
def test_languages_match_on_their_primary_subtag(asked: str, spoken: set[str], fits: bool) -> None:
    failed = failed_constraints(supporter(languages=frozenset(spoken)), request(language=asked))

    assert (failed == []) is fits


def test_the_same_team_is_allowed_when_the_colleague_does_not_mind() -> None:
    same_team = supporter(team_id=1)

    assert failed_constraints(same_team, request(avoid_my_team=False)) == []


def test_the_reporting_line_is_excluded_even_when_the_team_is_allowed() -> None:
    for manager in (supporter(person_id=50), supporter(reports=frozenset({1}))):
        assert failed_constraints(manager, request(avoid_my_team=False)) == [
            "in the requester's reporting line"]


def test_the_department_is_avoided_only_when_asked() -> None:
    same_department = supporter(department_id=2)

    assert failed_constraints(same_department, request()) == []
    assert failed_constraints(same_department, request(avoid_my_department=True)) == [
        "in the requester's department"]
    assert failed_constraints(supporter(department_id=None),
                              request(avoid_my_department=True)) == []


CONCERN = Seeker(person_id=70, team_id=7, department_id=8, managers=frozenset({71}),
                 reports=frozenset({72}))


@pytest.mark.parametrize("change", [
    {"person_id": 70},  # the person of concern themselves
    {"team_id": 7},  # in their team
    {"person_id": 71},  # their manager
    {"person_id": 72},  # their report
    {"managers": frozenset({70})},  # reports to them
    {"reports": frozenset({70})},  # manages them
])
def test_anyone_close_to_the_person_of_concern_is_excluded(change: dict[str, object]) -> None:
    failed = failed_constraints(supporter(**change), request(person_of_concern=CONCERN))

    assert failed == ["conflict of interest with the person of concern"]


def test_the_person_of_concerns_department_alone_is_no_conflict() -> None:
    assert failed_constraints(supporter(department_id=8),
                              request(person_of_concern=CONCERN)) == []


def test_a_supporter_already_offered_the_request_is_excluded() -> None:
    assert failed_constraints(supporter(), request(excluded=frozenset({10}))) == [
        "already offered"]


def test_no_team_on_either_side_is_not_the_same_team() -> None:
    nobody = replace(REQUESTER, team_id=None)

    assert failed_constraints(supporter(team_id=None), request(requester=nobody)) == []


# --- availability and time zones ------------------------------------------------------------

SINGAPORE_OFFICE = supporter(time_zone="Asia/Singapore", availability=tuple(
    Window(day, time(9), time(17)) for day in range(5)))


def test_chat_needs_the_supporter_available_now_in_their_own_time_zone() -> None:
    # 10:00 UTC is 18:00 in Singapore: after hours there, though inside 09–17 in UTC.
    evening_there = request(mode=Mode.CHAT, now=WEDNESDAY_10_UTC)
    # 03:00 UTC is 11:00 in Singapore.
    morning_there = request(mode=Mode.CHAT, now=WEDNESDAY_10_UTC.replace(hour=3))

    assert failed_constraints(SINGAPORE_OFFICE, evening_there) == ["not available now"]
    assert failed_constraints(SINGAPORE_OFFICE, morning_there) == []


def test_a_window_includes_its_start_and_excludes_its_end() -> None:
    at = datetime(2025, 1, 8, 9, 0, tzinfo=ZoneInfo("Asia/Singapore"))

    assert is_available_at(SINGAPORE_OFFICE, at)
    assert not is_available_at(SINGAPORE_OFFICE, at.replace(hour=17))
    assert is_available_at(SINGAPORE_OFFICE, at.replace(hour=16, minute=59))


def test_the_weekday_is_the_supporters_local_weekday() -> None:
    # Friday 23:30 UTC is already Saturday 07:30 in Singapore: no window.
    friday_night_utc = datetime(2025, 1, 10, 23, 30, tzinfo=UTC)
    # Sunday 22:00 UTC is Monday 06:00 in Singapore; Monday 01:00 UTC is 09:00 there.
    saturday_only = supporter(time_zone="Asia/Singapore",
                              availability=(Window(5, time(7), time(8)),))

    assert is_available_at(saturday_only, friday_night_utc)
    assert not is_available_at(SINGAPORE_OFFICE, friday_night_utc)


def test_messages_need_availability_within_the_response_target() -> None:
    afternoon = supporter(availability=(Window(2, time(14), time(16)),))
    later = supporter(availability=(Window(2, time(14, 1), time(16)),))

    # 10:00 now, four hours' target: 14:00 is in time, 14:01 is not.
    assert failed_constraints(afternoon, request()) == []
    assert failed_constraints(later, request()) == [
        "not available within the response target"]
    assert failed_constraints(supporter(availability=()), request()) == [
        "not available within the response target"]


def test_messages_count_the_target_from_now_in_the_supporters_zone() -> None:
    # 10:00 UTC = 18:00 Singapore Wednesday; the next window opens Thursday 09:00 there
    # (01:00 UTC), 15 hours later.
    assert failed_constraints(SINGAPORE_OFFICE, request(
        response_target=timedelta(hours=15))) == []
    assert failed_constraints(SINGAPORE_OFFICE, request(
        response_target=timedelta(hours=14, minutes=59))) == [
        "not available within the response target"]


def test_next_available_is_now_inside_a_window_and_the_next_start_outside() -> None:
    assert next_available(supporter(), WEDNESDAY_10_UTC) == WEDNESDAY_10_UTC
    friday_evening = datetime(2025, 1, 10, 19, 0, tzinfo=UTC)

    monday = next_available(supporter(), friday_evening)

    assert monday == datetime(2025, 1, 13, 8, 0, tzinfo=UTC)


def test_next_available_picks_the_earliest_window_of_a_day() -> None:
    split = supporter(availability=(Window(2, time(15), time(16)), Window(2, time(11), time(12))))

    assert next_available(split, WEDNESDAY_10_UTC) == WEDNESDAY_10_UTC.replace(hour=11)
    assert next_available(split, WEDNESDAY_10_UTC.replace(hour=12)) == \
        WEDNESDAY_10_UTC.replace(hour=15)


def test_next_available_is_none_without_windows() -> None:
    assert next_available(supporter(availability=()), WEDNESDAY_10_UTC) is None


# --- ranking ---------------------------------------------------------------------------------

def ids(matches: list) -> list[int]:
    return [match.supporter_id for match in matches]


def test_topic_fit_comes_first() -> None:
    other_topic = supporter(11, topics=frozenset({"workload"}))
    right_topic = supporter(12, open_conversations=2)

    matches, _ = rank([other_topic, right_topic], request())

    assert ids(matches) == [12, 11]
    assert matches[0].parts["topic fit"] > 0
    assert matches[1].parts["topic fit"] == 0


def test_spare_capacity_comes_next() -> None:
    busy = supporter(11, open_conversations=2)
    free = supporter(12, open_conversations=0)

    assert ids(rank([busy, free], request())[0]) == [12, 11]


def test_a_faster_response_record_ranks_higher_and_no_record_sits_in_between() -> None:
    slow = supporter(11, median_first_response_minutes=230)
    fast = supporter(12, median_first_response_minutes=15)
    new = supporter(13)

    assert ids(rank([slow, new, fast], request())[0]) == [12, 13, 11]


def test_continuity_ranks_a_previous_supporter_first() -> None:
    previous = supporter(11, open_conversations=1)
    other = supporter(12)

    matches, _ = rank([other, previous], request(previous_supporters=frozenset({11})))

    assert ids(matches) == [11, 12]
    assert matches[0].parts["continuity"] > 0


def test_ties_break_on_the_person_id_whatever_the_input_order() -> None:
    a, b, c = supporter(31), supporter(17), supporter(24)

    assert ids(rank([a, b, c], request())[0]) == [17, 24, 31]
    assert ids(rank([c, a, b], request())[0]) == [17, 24, 31]


def test_rank_reports_why_each_supporter_was_ruled_out() -> None:
    matches, rejected = rank([supporter(11), supporter(12, active=False),
                              supporter(13, languages=frozenset({"de"}))], request())

    assert ids(matches) == [11]
    assert rejected == {12: ["not active"], 13: ["does not speak the language"]}


def test_scores_are_the_sum_of_their_parts() -> None:
    matches, _ = rank([supporter(11, open_conversations=1,
                                 median_first_response_minutes=60)], request())

    assert matches[0].score == pytest.approx(sum(matches[0].parts.values()), abs=1e-4)
    assert matches[0].parts == pytest.approx({
        "topic fit": 3.0, "continuity": 0.0, "spare capacity": 2.0 * (2 / 3),
        "response record": 1.5 * (1 - 60 / 240)})


def test_an_offer_is_explained_in_words_strongest_reasons_first() -> None:
    [match], _ = rank([supporter(11, open_conversations=1, median_first_response_minutes=10)],
                      request())
    assert explain(match.parts) == ["knows the topic", "67% of their capacity free",
                                    "answers quickly"]
    [new], _ = rank([supporter(12, topics=frozenset())], request())  # no record yet: middle
    assert explain(new.parts) == ["100% of their capacity free"]
    assert explain({"continuity": 2.5, "response record": 0.0}) == [
        "has supported this colleague before", "0% of their capacity free",
        "has answered slowly lately"]


# --- the honest reply time ----------------------------------------------------------------

def test_earliest_reply_is_the_soonest_window_of_a_supporter_who_otherwise_fits() -> None:
    late = supporter(11, availability=(Window(3, time(9), time(10)),))  # Thursday
    sooner = supporter(12, availability=(Window(2, time(19), time(20)),))  # Wednesday night
    wrong_language = supporter(13, languages=frozenset({"de"}), availability=EVERY_HOUR)
    chat_now = request(mode=Mode.CHAT)

    assert rank([late, sooner, wrong_language], chat_now)[0] == []
    assert earliest_reply([late, sooner, wrong_language], chat_now) == \
        WEDNESDAY_10_UTC.replace(hour=19)


def test_earliest_reply_ignores_supporters_who_are_full() -> None:
    # A supporter at capacity will not take the request when their window opens: promising
    # their window to the colleague would not be honest.
    full = supporter(11, open_conversations=3, availability=(Window(2, time(19), time(20)),))

    assert earliest_reply([full], request(mode=Mode.CHAT)) is None


def test_earliest_reply_is_none_when_nobody_could_ever_take_it() -> None:
    away = supporter(11, away=True, availability=EVERY_HOUR)
    declined = supporter(12, availability=EVERY_HOUR)

    assert earliest_reply([away, declined], request(excluded=frozenset({12}))) is None
    assert earliest_reply([], request()) is None


# --- one property over random data ----------------------------------------------------------

windows = st.builds(
    lambda day, start, length: Window(day, time(start), time(min(start + length, 23))),
    st.integers(0, 6), st.integers(0, 22), st.integers(1, 10))
supporters = st.builds(
    Supporter,
    person_id=st.integers(1, 30), team_id=st.none() | st.integers(1, 4),
    department_id=st.none() | st.integers(1, 3),
    managers=st.frozensets(st.integers(1, 30), max_size=3),
    reports=st.frozensets(st.integers(1, 30), max_size=3),
    languages=st.frozensets(st.sampled_from(["en", "en-GB", "fr", "de", "pt-BR"]), max_size=3),
    topics=st.frozensets(st.sampled_from(["bullying", "conflict", "workload"]), max_size=3),
    capacity=st.integers(1, 5), open_conversations=st.integers(0, 6), active=st.booleans(),
    certified=st.booleans(), away=st.booleans(),
    time_zone=st.sampled_from(["UTC", "Europe/London", "Asia/Singapore", "America/New_York",
                               "Pacific/Kiritimati"]),
    availability=st.lists(windows, max_size=5).map(tuple),
    median_first_response_minutes=st.none() | st.floats(0, 1000))
seekers = st.builds(Seeker, person_id=st.integers(1, 30),
                    team_id=st.none() | st.integers(1, 4),
                    department_id=st.none() | st.integers(1, 3),
                    managers=st.frozensets(st.integers(1, 30), max_size=3),
                    reports=st.frozensets(st.integers(1, 30), max_size=3))
requests = st.builds(
    Request, requester=seekers, topic=st.sampled_from(["bullying", "conflict", "workload"]),
    mode=st.sampled_from(list(Mode)), language=st.sampled_from(["en", "en-US", "fr", "de"]),
    avoid_my_team=st.booleans(), avoid_my_department=st.booleans(),
    now=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 31),
                     timezones=st.just(UTC)),
    response_target=st.timedeltas(timedelta(hours=1), timedelta(days=3)),
    person_of_concern=st.none() | seekers,
    previous_supporters=st.frozensets(st.integers(1, 30), max_size=2),
    excluded=st.frozensets(st.integers(1, 30), max_size=3))


@hsettings(max_examples=120, deadline=None)
@given(st.lists(supporters, max_size=8, unique_by=lambda s: s.person_id), requests)
def test_every_match_meets_every_hard_constraint(people: list[Supporter], spec: Request) -> None:
    matches, rejected = rank(people, spec)

    by_id = {person.person_id: person for person in people}
    for match in matches:
        assert failed_constraints(by_id[match.supporter_id], spec) == []
        assert match.supporter_id != spec.requester.person_id
    assert {m.supporter_id for m in matches} | set(rejected) == set(by_id)
    assert not {m.supporter_id for m in matches} & set(rejected)
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    soonest = earliest_reply(people, spec)
    assert soonest is None or soonest >= spec.now


# --- working hours ---------------------------------------------------------------------------

LONDON = "Europe/London"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(("start", "hours", "zone", "expected"), [
    (utc(2025, 1, 8, 10), 4, LONDON, utc(2025, 1, 8, 14)),  # inside one day
    (utc(2025, 1, 8, 9), 8, LONDON, utc(2025, 1, 8, 17)),  # exactly one working day
    (utc(2025, 1, 8, 15), 4, LONDON, utc(2025, 1, 9, 11)),  # across the evening
    (utc(2025, 1, 7, 20), 1, LONDON, utc(2025, 1, 8, 10)),  # asked in the evening
    (utc(2025, 1, 8, 7), 1, LONDON, utc(2025, 1, 8, 10)),  # asked before opening
    (utc(2025, 1, 10, 16), 4, LONDON, utc(2025, 1, 13, 12)),  # across the weekend
    (utc(2025, 1, 11, 12), 1, LONDON, utc(2025, 1, 13, 10)),  # asked on Saturday
    (utc(2025, 1, 10, 17), 0.5, LONDON, utc(2025, 1, 13, 9, 30)),  # Friday at closing
    (utc(2025, 1, 8, 10), 24, LONDON, utc(2025, 1, 13, 10)),  # three working days
    # Singapore: Wednesday 23:00 UTC is Thursday 07:00 there; two hours from 09:00 local.
    (utc(2025, 1, 8, 23), 2, "Asia/Singapore", utc(2025, 1, 9, 3)),
    # New York: Friday 21:00 UTC is 16:00 there; one hour left, then Monday 09:00-10:00.
    (utc(2025, 1, 10, 21), 2, "America/New_York", utc(2025, 1, 13, 15)),
    # The clocks go forward in London on Sunday 30 March 2025.
    (utc(2025, 3, 28, 16), 2, LONDON, utc(2025, 3, 31, 9)),
])
def test_working_hours_skip_evenings_weekends_and_follow_the_time_zone(
        start: datetime, hours: float, zone: str, expected: datetime) -> None:
    result = add_working_hours(start, hours, zone)

    assert result == expected
    assert result.tzinfo is not None
