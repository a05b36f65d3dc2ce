"""The plain data of coffee pairing: modes, why someone is left out, a participant, the mixing
weights and the plan of one round."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

IN_PERSON = "in_person"
REMOTE = "remote"
MODES = (IN_PERSON, REMOTE)

# Why someone is left out of a round (shown to them as a reason, never with names).
ALONE = "alone"  # nobody else in their pool
CONSTRAINED = "constrained"  # the hard constraints leave nobody they may meet
NO_LOCATION = "no_location"  # chose in person but has no location

Pair = tuple[int, int]
PoolKey = tuple[str, Hashable | None]


@dataclass(frozen=True, slots=True)
class Participant:
    """One colleague taking part in a round. Unknown attributes are None."""

    id: int
    team: Hashable | None = None
    department: Hashable | None = None
    location: Hashable | None = None
    level: int | None = None
    mode: str = REMOTE


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each kind of mixing is worth in a pair. An unknown team or department counts
    as different; an unknown level adds nothing. The tie-breaker (below `tie_break`) only
    chooses among otherwise equal options, differently for each seed."""

    team: float = 3.0
    department: float = 2.0
    location: float = 2.0  # only ever earned in the remote pool
    level_step: float = 0.5
    level_cap: int = 3  # a difference of more than three levels earns no more
    tie_break: float = 0.01


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True)
class RoundPlan:
    """The groups of one round. `groups` are sorted tuples of ids; `unpaired` maps each person
    left out to why (ALONE, CONSTRAINED or NO_LOCATION)."""

    groups: tuple[tuple[int, ...], ...]
    unpaired: dict[int, str] = field(default_factory=dict)
    weight: float = 0.0  # the sum over groups of the weights of all pairs inside each group

    def group_of(self, person_id: int) -> tuple[int, ...] | None:
        for group in self.groups:
            if person_id in group:
                return group
        return None
