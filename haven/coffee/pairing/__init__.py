"""Coffee-pairing rounds as pure functions over plain data: who may meet whom, how well a pair
mixes, and the groups of one round (pairs, and one group of three in a pool with an odd count).

Nothing here touches Django: haven.coffee.services feeds it dataclasses and stores its answer.
The design, its guarantees and its measured quality are in docs/connect.md; the short version:

* **Pools.** In-person participants meet only people who chose in person at the same location;
  remote participants meet only remote participants (anywhere). Each pool is solved alone.
* **Hard constraints** (never broken): a forbidden pair (recent pair, a block, a person of
  concern; symmetric) is never in one group; each person is in at most one group; groups have
  2 or 3 people, at most one group of 3 per pool, and all three of its pairs are allowed.
* **Objective.** First pair as many people as the constraints allow (exactly, by Edmonds'
  blossom algorithm); then maximise the total mixing weight of the pairs.
* **Method.** Pools of up to EXACT_LIMIT people are solved exactly. Larger pools: greedy
  matching on candidate edges (all pairs up to FULL_GRAPH_LIMIT people, otherwise a sample
  of random and level-complementary partners per person), leftovers paired among themselves,
  augmenting paths for anyone still unpaired, then 2-opt swaps between pairs, vectorised with
  NumPy. Deterministic for a given seed and independent of the input order.

The parts: `model` (participants, weights, a round plan), `constraints` (pools, forbidden pairs,
checking a plan), `weights` (how well people mix), `optimiser` (solving one pool); this module
plans a round from them and keeps every public name importable from haven.coffee.pairing.
"""

from __future__ import annotations

from collections.abc import Iterable

from haven.coffee.pairing.constraints import (
    forbidden_pairs,
    normal_pair,
    pairs_within,
    pool_key,
    split_into_pools,
    violations,
)
from haven.coffee.pairing.model import (
    ALONE,
    CONSTRAINED,
    DEFAULT_WEIGHTS,
    IN_PERSON,
    MODES,
    NO_LOCATION,
    REMOTE,
    Pair,
    Participant,
    PoolKey,
    RoundPlan,
    Weights,
)
from haven.coffee.pairing.optimiser import (
    AUGMENT_BUDGET,
    COMPLEMENT_PARTNERS,
    DENSE_LIMIT,
    EXACT_LIMIT,
    EXHAUSTIVE_PAIRS,
    FULL_GRAPH_LIMIT,
    LARGE_POOL_SWEEPS,
    SAMPLED_PARTNERS,
    STOP_SHARE,
    Pool,
)
from haven.coffee.pairing.weights import group_weight, matching_weight, pair_weight

__all__ = [
    "ALONE", "AUGMENT_BUDGET", "COMPLEMENT_PARTNERS", "CONSTRAINED", "DEFAULT_WEIGHTS",
    "DENSE_LIMIT", "EXACT_LIMIT", "EXHAUSTIVE_PAIRS", "FULL_GRAPH_LIMIT", "IN_PERSON",
    "LARGE_POOL_SWEEPS", "MODES", "NO_LOCATION", "REMOTE", "SAMPLED_PARTNERS", "STOP_SHARE",
    "Pair", "Participant", "PoolKey", "RoundPlan", "Weights", "forbidden_pairs", "group_weight",
    "matching_weight", "normal_pair", "pair_weight", "pairs_within", "plan_round", "pool_key",
    "split_into_pools", "violations",
]


def plan_round(participants: Iterable[Participant], *, forbidden: Iterable[Pair] = (),
               seed: int = 0, weights: Weights = DEFAULT_WEIGHTS,
               exact_limit: int = EXACT_LIMIT) -> RoundPlan:
    """The groups of one round. Deterministic for a given SEED, whatever the input order."""
    people = list(participants)
    ids = [participant.id for participant in people]
    if len(set(ids)) != len(ids):
        raise ValueError("Each participant may appear only once.")
    pools, unplaceable = split_into_pools(people)
    # Each forbidden pair matters only in the pool holding both people, by their place in it.
    where: dict[int, tuple[PoolKey, int]] = {
        member.id: (key, index) for key, members in pools.items()
        for index, member in enumerate(members)}
    banned_in: dict[PoolKey, list[tuple[int, int]]] = {key: [] for key in pools}
    for a, b in forbidden:
        first, second = where.get(a), where.get(b)
        if first is not None and second is not None and first[0] == second[0] and a != b:
            banned_in[first[0]].append((first[1], second[1]))
    groups: list[tuple[int, ...]] = []
    unpaired: dict[int, str] = {participant.id: NO_LOCATION for participant in unplaceable}
    total = 0.0
    for key in sorted(pools, key=repr):
        members = pools[key]
        solver = Pool(members, banned_in[key], weights=weights, seed=seed)
        pool_groups, left_out = solver.solve(exact_limit=exact_limit)
        groups.extend(tuple(sorted(solver.ids[list(group)].tolist())) for group in pool_groups)
        total += solver.total_weight(pool_groups)
        reason = ALONE if len(members) == 1 else CONSTRAINED
        unpaired.update({int(solver.ids[index]): reason for index in left_out})
    groups.sort()
    return RoundPlan(groups=tuple(groups), unpaired=dict(sorted(unpaired.items())), weight=total)
