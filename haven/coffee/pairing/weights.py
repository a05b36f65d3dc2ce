"""How well people mix: a pair's weight (with a per-seed tie-breaker) and the weights of groups
and plans; the optimiser computes the same weights vectorised."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from haven.coffee.pairing.model import DEFAULT_WEIGHTS, REMOTE, Participant, RoundPlan, Weights

MASK64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


def mix64(value: int) -> int:
    """splitmix64's finaliser, in plain Python; mix64_array is the same over NumPy arrays."""
    value &= MASK64
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & MASK64
    return value ^ (value >> 31)


def mix64_array(values: np.ndarray) -> np.ndarray:
    values = values.astype(np.uint64, copy=True)
    values ^= values >> np.uint64(30)
    values *= np.uint64(0xBF58476D1CE4E5B9)
    values ^= values >> np.uint64(27)
    values *= np.uint64(0x94D049BB133111EB)
    values ^= values >> np.uint64(31)
    return values


def _person_key(person_id: int, seed: int) -> int:
    """A random odd 64-bit number per person and seed; a pair's tie-breaker is the top bits of
    the product of its two people's keys (symmetric, and one multiplication when vectorised)."""
    return mix64((person_id * GOLDEN) ^ mix64(seed)) | 1


def pair_weight(a: Participant, b: Participant, *, weights: Weights = DEFAULT_WEIGHTS,
                seed: int = 0) -> float:
    """How well A and B mix: the reference for the vectorised weights used by plan_round."""
    total = 0.0
    if a.team is None or b.team is None or a.team != b.team:
        total += weights.team
    if a.department is None or b.department is None or a.department != b.department:
        total += weights.department
    if a.mode == REMOTE and b.mode == REMOTE and (
            a.location is None or b.location is None or a.location != b.location):
        total += weights.location
    if a.level is not None and b.level is not None:
        total += weights.level_step * min(abs(a.level - b.level), weights.level_cap)
    product = (_person_key(a.id, seed) * _person_key(b.id, seed)) & MASK64
    fraction = (product >> 11) * (1.0 / (1 << 53))
    return total + weights.tie_break * fraction


def group_weight(members: Sequence[Participant], *, weights: Weights = DEFAULT_WEIGHTS,
                 seed: int = 0) -> float:
    return sum(pair_weight(members[i], members[j], weights=weights, seed=seed)
               for i in range(len(members)) for j in range(i + 1, len(members)))


def matching_weight(plan: RoundPlan, participants: Iterable[Participant], *,
                    weights: Weights = DEFAULT_WEIGHTS, seed: int = 0) -> float:
    """The weight of the matching inside PLAN: each pair, and the heaviest pair of a group of
    three. Comparable with a maximum-weight matching of the same people (the benchmark)."""
    by_id = {participant.id: participant for participant in participants}
    total = 0.0
    for group in plan.groups:
        members = [by_id[member] for member in group]
        total += max(pair_weight(members[i], members[j], weights=weights, seed=seed)
                     for i in range(len(members)) for j in range(i + 1, len(members)))
    return total
