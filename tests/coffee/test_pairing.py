"""The pairing algorithm's promises, checked on generated inputs: hard constraints always hold,
nobody is left out who could have been grouped (against brute force on tiny pools), the exact
solver is optimal, and a seed gives one answer whatever the input order."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from haven.coffee import pairing
from haven.coffee.pairing import IN_PERSON, REMOTE, Participant

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None,
                             suppress_health_check=[HealthCheck.too_slow])


@st.composite
def rounds(draw: st.DrawFn, *, max_people: int = 14, locations: int = 2,
           ) -> tuple[list[Participant], frozenset[tuple[int, int]]]:
    count = draw(st.integers(min_value=0, max_value=max_people))
    ids = draw(st.lists(st.integers(min_value=1, max_value=10_000), min_size=count,
                        max_size=count, unique=True))
    people = [Participant(
        id=person_id,
        team=draw(st.sampled_from([None, "a", "b", "c"])),
        department=draw(st.sampled_from([None, "x", "y"])),
        location=draw(st.sampled_from([None, *range(locations)])),
        level=draw(st.sampled_from([None, 1, 2, 3, 5, 8])),
        mode=draw(st.sampled_from([IN_PERSON, REMOTE])),
    ) for person_id in ids]
    forbidden: set[tuple[int, int]] = set()
    if len(ids) >= 2:
        pairs = st.tuples(st.sampled_from(ids), st.sampled_from(ids))
        for a, b in draw(st.lists(pairs, max_size=3 * len(ids))):
            if a != b:
                forbidden.add((a, b))  # either way round: the algorithm must normalise
    return people, frozenset(forbidden)


@contextmanager
def large_pool_methods() -> Iterator[None]:
    """Take the paths meant for big pools (sampled candidates, random sweeps) on small ones."""
    with mock.patch.multiple(pairing, EXACT_LIMIT=0, FULL_GRAPH_LIMIT=2, DENSE_LIMIT=0,
                             EXHAUSTIVE_PAIRS=0, SAMPLED_PARTNERS=2, COMPLEMENT_PARTNERS=1):
        yield


def most_grouped(members: Sequence[int], banned: set[tuple[int, int]]) -> int:
    """Brute force: the most people of one pool that groups of 2 (and one of 3) can hold."""
    def ok(a: int, b: int) -> bool:
        return pairing.normal_pair(a, b) not in banned

    def best(rest: tuple[int, ...], triple_left: bool) -> int:
        if not rest:
            return 0
        first, others = rest[0], rest[1:]
        result = best(others, triple_left)
        for i, second in enumerate(others):
            if not ok(first, second):
                continue
            remaining = others[:i] + others[i + 1:]
            result = max(result, 2 + best(remaining, triple_left))
            if triple_left:
                for j, third in enumerate(remaining):
                    if j >= i and ok(first, third) and ok(second, third):
                        result = max(result, 3 + best(remaining[:j] + remaining[j + 1:], False))
        return result

    return best(tuple(sorted(members)), True)


def best_split_weight(members: Sequence[Participant], banned: set[tuple[int, int]],
                      seed: int) -> tuple[int, float]:
    """Brute force: (most grouped, then the most weight) over every split of one pool."""
    def ok(a: Participant, b: Participant) -> bool:
        return pairing.normal_pair(a.id, b.id) not in banned

    def weight(*group: Participant) -> float:
        return pairing.group_weight(group, seed=seed)

    def best(rest: tuple[Participant, ...], triple_left: bool) -> tuple[int, float]:
        if not rest:
            return (0, 0.0)
        first, others = rest[0], rest[1:]
        result = best(others, triple_left)
        for i, second in enumerate(others):
            if not ok(first, second):
                continue
            remaining = others[:i] + others[i + 1:]
            covered, total = best(remaining, triple_left)
            result = max(result, (covered + 2, total + weight(first, second)))
            if triple_left:
                for j, third in enumerate(remaining):
                    if ok(first, third) and ok(second, third):
                        covered, total = best(remaining[:j] + remaining[j + 1:], False)
                        result = max(result, (covered + 3, total + weight(first, second, third)))
        return result

    return best(tuple(sorted(members, key=lambda member: member.id)), True)


def grouped_in_pool(plan: pairing.RoundPlan, members: Sequence[Participant]) -> int:
    ids = {member.id for member in members}
    return sum(len(group) for group in plan.groups if ids & set(group))


# Hard constraints -----------------------------------------------------------------------------

@PROPERTY_SETTINGS
@given(rounds(max_people=40, locations=3), st.integers(min_value=0, max_value=2**32))
def test_hard_constraints_always_hold(data: tuple[list[Participant], frozenset],
                                      seed: int) -> None:
    people, forbidden = data
    plan = pairing.plan_round(people, forbidden=forbidden, seed=seed)

    assert pairing.violations(plan, people, forbidden) == []


@PROPERTY_SETTINGS
@given(rounds(max_people=40, locations=3), st.integers(min_value=0, max_value=2**32))
def test_hard_constraints_hold_on_the_large_pool_path(data: tuple[list[Participant], frozenset],
                                                      seed: int) -> None:
    people, forbidden = data
    with large_pool_methods():
        plan = pairing.plan_round(people, forbidden=forbidden, seed=seed)

    assert pairing.violations(plan, people, forbidden) == []


@PROPERTY_SETTINGS
@given(rounds(max_people=60, locations=2), st.integers(min_value=0, max_value=2**32))
def test_hard_constraints_hold_on_the_medium_pool_path(data: tuple[list[Participant], frozenset],
                                                       seed: int) -> None:
    people, forbidden = data
    with mock.patch.multiple(pairing, EXACT_LIMIT=0, DENSE_LIMIT=0):
        plan = pairing.plan_round(people, forbidden=forbidden, seed=seed)

    assert pairing.violations(plan, people, forbidden) == []


# Nobody left out who could be grouped ---------------------------------------------------------

@PROPERTY_SETTINGS
@given(rounds(max_people=9, locations=1), st.integers(min_value=0, max_value=2**16))
def test_the_exact_solver_leaves_out_only_whom_it_must_and_is_optimal(
        data: tuple[list[Participant], frozenset], seed: int) -> None:
    people, forbidden = data
    banned = {pairing.normal_pair(a, b) for a, b in forbidden}
    plan = pairing.plan_round(people, forbidden=forbidden, seed=seed)

    pools, _unplaceable = pairing.split_into_pools(people)
    exact_total = 0.0
    for members in pools.values():
        covered, total = best_split_weight(members, banned, seed)
        assert grouped_in_pool(plan, members) == covered
        exact_total += total
    assert plan.weight == pytest.approx(exact_total)


@PROPERTY_SETTINGS
@given(rounds(max_people=11, locations=1), st.integers(min_value=0, max_value=2**16))
def test_the_heuristic_leaves_out_only_whom_it_must(data: tuple[list[Participant], frozenset],
                                                    seed: int) -> None:
    people, forbidden = data
    banned = {pairing.normal_pair(a, b) for a, b in forbidden}
    with large_pool_methods():
        plan = pairing.plan_round(people, forbidden=forbidden, seed=seed)

    pools, _unplaceable = pairing.split_into_pools(people)
    for members in pools.values():
        assert grouped_in_pool(plan, members) == most_grouped([m.id for m in members], banned)


@PROPERTY_SETTINGS
@given(rounds(max_people=11, locations=1), st.integers(min_value=0, max_value=2**16))
def test_the_dense_path_leaves_out_only_whom_it_must(data: tuple[list[Participant], frozenset],
                                                     seed: int) -> None:
    people, forbidden = data
    banned = {pairing.normal_pair(a, b) for a, b in forbidden}
    with mock.patch.object(pairing, "EXACT_LIMIT", 0):
        plan = pairing.plan_round(people, forbidden=forbidden, seed=seed)

    pools, _unplaceable = pairing.split_into_pools(people)
    for members in pools.values():
        assert grouped_in_pool(plan, members) == most_grouped([m.id for m in members], banned)


# Determinism and weights ----------------------------------------------------------------------

@PROPERTY_SETTINGS
@given(rounds(max_people=40, locations=2), st.integers(min_value=0, max_value=2**32),
       st.randoms(use_true_random=False))
def test_a_seed_gives_one_answer_whatever_the_order(data: tuple[list[Participant], frozenset],
                                                   seed: int, rng: random.Random) -> None:
    people, forbidden = data
    shuffled = list(people)
    rng.shuffle(shuffled)

    first = pairing.plan_round(people, forbidden=forbidden, seed=seed)
    second = pairing.plan_round(shuffled, forbidden=list(forbidden), seed=seed)

    assert first == second


@PROPERTY_SETTINGS
@given(rounds(max_people=30, locations=2), st.integers(min_value=0, max_value=2**32))
def test_the_reported_weight_is_the_weight_of_the_groups(
        data: tuple[list[Participant], frozenset], seed: int) -> None:
    people, forbidden = data
    by_id = {person.id: person for person in people}
    plan = pairing.plan_round(people, forbidden=forbidden, seed=seed)

    expected = sum(pairing.group_weight([by_id[m] for m in group], seed=seed)
                   for group in plan.groups)
    assert plan.weight == pytest.approx(expected)


def test_a_pool_of_odd_size_has_one_group_of_three() -> None:
    people = [Participant(id=i, team=i % 3, department=i % 2, level=i % 4) for i in range(1, 8)]

    plan = pairing.plan_round(people, seed=7)

    assert sorted(len(group) for group in plan.groups) == [2, 2, 3]
    assert plan.unpaired == {}


def test_in_person_meets_only_the_same_location_and_remote_only_remote() -> None:
    people = [Participant(id=1, location="Leeds", mode=IN_PERSON),
              Participant(id=2, location="Leeds", mode=IN_PERSON),
              Participant(id=3, location="Berlin", mode=IN_PERSON),
              Participant(id=4, location="Leeds", mode=REMOTE),
              Participant(id=5, location="Berlin", mode=REMOTE),
              Participant(id=6, location=None, mode=IN_PERSON)]

    plan = pairing.plan_round(people)

    assert plan.groups == ((1, 2), (4, 5))
    assert plan.unpaired == {3: pairing.ALONE, 6: pairing.NO_LOCATION}


def test_a_block_counts_both_ways_and_recent_pairs_include_groups_of_three() -> None:
    forbidden = pairing.forbidden_pairs(recent_rounds=[[(5, 1, 9)], [(2, 3)]],
                                        blocks=[(8, 7)], concerns=[(4, 4), (6, 2)])

    assert forbidden == {(1, 5), (1, 9), (5, 9), (2, 3), (7, 8), (2, 6)}


def test_people_who_may_meet_nobody_are_reported_as_constrained() -> None:
    people = [Participant(id=i) for i in (1, 2, 3)]

    plan = pairing.plan_round(people, forbidden={(1, 2), (1, 3)})

    assert plan.groups == ((2, 3),)
    assert plan.unpaired == {1: pairing.CONSTRAINED}


def test_the_weight_rewards_each_kind_of_mixing() -> None:
    base = Participant(id=1, team="t", department="d", location="L", level=2, mode=REMOTE)
    same = Participant(id=2, team="t", department="d", location="L", level=2, mode=REMOTE)
    other = Participant(id=3, team="u", department="e", location="M", level=9, mode=REMOTE)
    weights = pairing.Weights(tie_break=0.0)

    assert pairing.pair_weight(base, same, weights=weights) == 0.0
    assert pairing.pair_weight(base, other, weights=weights) == 3 + 2 + 2 + 0.5 * 3


def test_the_tie_breaker_depends_on_the_seed_but_stays_small() -> None:
    a, b = Participant(id=1, mode=IN_PERSON), Participant(id=2, mode=IN_PERSON)

    values = {pairing.pair_weight(a, b, seed=seed) for seed in range(20)}

    assert len(values) == 20  # unknown team and department count as different: 3 + 2
    assert all(5.0 <= value < 5.01 for value in values)


def test_one_person_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="only once"):
        pairing.plan_round([Participant(id=1), Participant(id=1)])


def test_a_large_pool_pairs_everyone_without_breaking_a_constraint() -> None:
    rng = random.Random(3)
    people = [Participant(id=i, team=rng.randrange(300), department=rng.randrange(12),
                          location=rng.randrange(4), level=rng.randrange(1, 8), mode=REMOTE)
              for i in range(1, 4002)]
    forbidden = {(rng.randrange(1, 4002), rng.randrange(1, 4002)) for _ in range(20_000)}
    forbidden = {pair for pair in forbidden if pair[0] != pair[1]}

    plan = pairing.plan_round(people, forbidden=forbidden, seed=1)

    assert pairing.violations(plan, people, forbidden) == []
    assert plan.unpaired == {}
    assert sum(len(group) == 3 for group in plan.groups) == 1
