"""Who may meet whom: pools by mode and location, the pairs that must never share a group, and
the check that a plan holds every hard constraint."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from haven.coffee.pairing.model import IN_PERSON, REMOTE, Pair, Participant, PoolKey, RoundPlan


def normal_pair(a: int, b: int) -> Pair:
    return (a, b) if a < b else (b, a)


def pairs_within(groups: Iterable[Sequence[int]]) -> set[Pair]:
    """Every unordered pair of people who were in one group together."""
    found: set[Pair] = set()
    for group in groups:
        members = sorted(set(group))
        for index, first in enumerate(members):
            for second in members[index + 1:]:
                found.add((first, second))
    return found


def forbidden_pairs(*, recent_rounds: Iterable[Iterable[Sequence[int]]] = (),
                    blocks: Iterable[tuple[int, int]] = (),
                    concerns: Iterable[tuple[int, int]] = ()) -> frozenset[Pair]:
    """The pairs that must never share a group: everyone grouped together in RECENT_ROUNDS
    (each round a list of groups), and every block and person of concern, either way round."""
    forbidden: set[Pair] = set()
    for groups in recent_rounds:
        forbidden |= pairs_within(groups)
    for a, b in (*blocks, *concerns):
        if a != b:
            forbidden.add(normal_pair(a, b))
    return frozenset(forbidden)


def pool_key(participant: Participant) -> PoolKey | None:
    """Who may meet whom: in person only at the same location, remote with remote. None for
    someone who chose in person without a location (they cannot be placed)."""
    if participant.mode == REMOTE:
        return (REMOTE, None)
    if participant.mode != IN_PERSON:
        raise ValueError(f"Unknown mode {participant.mode!r}: use {IN_PERSON!r} or {REMOTE!r}.")
    if participant.location is None:
        return None
    return (IN_PERSON, participant.location)


def split_into_pools(participants: Iterable[Participant]
                     ) -> tuple[dict[PoolKey, list[Participant]], list[Participant]]:
    """Pools (each sorted by id) and the people who fit none."""
    pools: dict[PoolKey, list[Participant]] = {}
    unplaceable: list[Participant] = []
    for participant in participants:
        key = pool_key(participant)
        if key is None:
            unplaceable.append(participant)
        else:
            pools.setdefault(key, []).append(participant)
    for members in pools.values():
        members.sort(key=lambda member: member.id)
    return pools, unplaceable


def violations(plan: RoundPlan, participants: Iterable[Participant],
               forbidden: Iterable[Pair]) -> list[str]:
    """Every hard constraint PLAN breaks, in words; empty when it holds them all."""
    by_id = {participant.id: participant for participant in participants}
    banned = {normal_pair(a, b) for a, b in forbidden}
    problems: list[str] = []
    seen: set[int] = set()
    triples: dict[PoolKey | None, int] = {}
    for group in plan.groups:
        if len(group) not in (2, 3):
            problems.append(f"group {group} has {len(group)} people")
        for member in group:
            if member not in by_id:
                problems.append(f"group {group} has {member}, who is not taking part")
            elif member in seen:
                problems.append(f"{member} is in more than one group")
            seen.add(member)
        keys = {pool_key(by_id[member]) for member in group if member in by_id}
        if len(keys) != 1 or None in keys:
            problems.append(f"group {group} mixes modes or locations")
        if len(group) == 3:
            key = next(iter(keys)) if len(keys) == 1 else None
            triples[key] = triples.get(key, 0) + 1
        for pair in pairs_within([group]):
            if pair in banned:
                problems.append(f"group {group} holds the forbidden pair {pair}")
    problems.extend(f"pool {key} has {count} groups of three"
                    for key, count in triples.items() if count > 1)
    for member in plan.unpaired:
        if member in seen:
            problems.append(f"{member} is both grouped and unpaired")
        seen.add(member)
    missing = set(by_id) - seen
    if missing:
        problems.append(f"{len(missing)} participants are neither grouped nor unpaired")
    return problems
