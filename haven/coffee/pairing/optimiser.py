"""Solving one pool: greedy matching on candidate edges, augmenting paths, 2-opt swaps and one
group of three for an odd count, vectorised with NumPy; small pools exactly."""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterator, Sequence

import numpy as np
import numpy.typing as npt

from haven.coffee import grouping as matching
from haven.coffee.pairing.model import REMOTE, Participant, Weights
from haven.coffee.pairing.weights import GOLDEN, MASK64, mix64, mix64_array

EXACT_LIMIT = 12  # pools this small are solved exactly (all partitions, by dynamic programming)
FULL_GRAPH_LIMIT = 1_500  # up to here every pair is a candidate edge; beyond, a sample
SAMPLED_PARTNERS = 8  # random candidate partners per person in a large pool
COMPLEMENT_PARTNERS = 4  # partners from the opposite end of the level ordering
DENSE_LIMIT = 400  # pools up to here keep every weight in a matrix and also rotate three pairs
LARGE_POOL_SWEEPS = 400  # at most this many random 2-opt sweeps over a large pool …
STOP_SHARE = 0.0001  # … stopping when five sweeps change fewer than 0.01% of its pairs for
# more than a tie-breaker's worth
EXHAUSTIVE_PAIRS = 1_500  # up to this many pairs, 2-opt tries every couple of pairs
AUGMENT_BUDGET = 2_000_000  # neighbour checks for augmenting paths in one pool (the worst case)


class _BannedFilter:
    """Membership of pair keys in a sorted array, fast: a hashed bit table answers "surely not
    banned" for almost every query, and only the few others are looked up exactly."""

    def __init__(self, keys: np.ndarray) -> None:
        self.keys = keys
        self.bits = max(10, min(26, int(np.ceil(np.log2(max(1, len(keys)) * 32)))))
        self.table = np.zeros(1 << self.bits, dtype=bool)
        if len(keys):
            self.table[self._slots(keys)] = True

    def _slots(self, keys: np.ndarray) -> np.ndarray:
        hashed = keys.astype(np.uint64) * np.uint64(GOLDEN)
        return (hashed >> np.uint64(64 - self.bits)).astype(np.int64)

    def contains(self, keys: np.ndarray) -> np.ndarray:
        found = np.zeros(len(keys), dtype=bool)
        if not len(self.keys):
            return found
        maybe = np.flatnonzero(self.table[self._slots(keys)])
        if len(maybe):
            candidates = keys[maybe]
            at = np.minimum(np.searchsorted(self.keys, candidates), len(self.keys) - 1)
            found[maybe] = self.keys[at] == candidates
        return found


def _codes(values: Sequence[Hashable | None]) -> np.ndarray:
    """Small integers for values; each unknown value gets a code of its own (so it counts as
    different from everything)."""
    table: dict[Hashable, int] = {}
    codes = np.empty(len(values), dtype=np.int64)
    for index, value in enumerate(values):
        if value is None:
            codes[index] = -1 - index
        else:
            codes[index] = table.setdefault(value, len(table))
    return codes


class Pool:
    """One pool, indexed 0..n-1 in id order, with vectorised weights and constraint checks."""

    def __init__(self, members: list[Participant], banned: list[tuple[int, int]], *,
                 weights: Weights, seed: int) -> None:
        self.n = n = len(members)
        self.weights = weights
        self.seed = seed
        self.ids = np.array([member.id for member in members], dtype=np.int64)
        self.team = _codes([member.team for member in members])
        self.department = _codes([member.department for member in members])
        self.remote = members[0].mode == REMOTE if members else False
        self.location = _codes([member.location for member in members])
        self.level = np.array([member.level if member.level is not None else 0
                               for member in members], dtype=np.int64)
        self.level_known = np.array([member.level is not None for member in members])
        self.rng = np.random.default_rng(np.random.SeedSequence([seed & MASK64, n]))
        places = np.array(banned, dtype=np.int64).reshape(-1, 2)  # positions in this pool
        keys = np.sort(places.min(axis=1) * n + places.max(axis=1))
        if len(keys):
            keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
        self.banned_keys = keys
        self._banned_of: dict[int, set[int]] | None = None
        self.keys = mix64_array((self.ids.astype(np.uint64) * np.uint64(GOLDEN))
                                 ^ np.uint64(mix64(seed))) | np.uint64(1)
        self.banned_filter = _BannedFilter(self.banned_keys)

    # Vectorised pieces --------------------------------------------------------------------

    def weight(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        w = self.weights
        total = w.team * (self.team[i] != self.team[j])
        total = total + w.department * (self.department[i] != self.department[j])
        if self.remote:
            total = total + w.location * (self.location[i] != self.location[j])
        steps = np.minimum(np.abs(self.level[i] - self.level[j]), w.level_cap)
        total = total + w.level_step * steps * (self.level_known[i] & self.level_known[j])
        product = self.keys[i] * self.keys[j]  # wraps modulo 2**64, as in pair_weight
        fraction = (product >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))
        return total + w.tie_break * fraction

    def allowed(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        ok = i != j
        if len(self.banned_keys):
            ok &= ~self.banned_filter.contains(np.minimum(i, j) * self.n + np.maximum(i, j))
        return ok

    @property
    def banned_of(self) -> dict[int, set[int]]:
        """Whom each person may not meet; built only when a search needs it."""
        if self._banned_of is None:
            self._banned_of = {}
            for key in self.banned_keys.tolist():
                i, j = divmod(key, self.n)
                self._banned_of.setdefault(i, set()).add(j)
                self._banned_of.setdefault(j, set()).add(i)
        return self._banned_of

    def total_weight(self, groups: Sequence[tuple[int, ...]]) -> float:
        """The weight of every pair inside every group."""
        pairs = [(group[i], group[j]) for group in groups
                 for i in range(len(group)) for j in range(i + 1, len(group))]
        if not pairs:
            return 0.0
        first, second = np.array(pairs, dtype=np.int64).T
        return float(self.weight(first, second).sum())

    # Solving ------------------------------------------------------------------------------

    def solve(self, *, exact_limit: int) -> tuple[list[tuple[int, ...]], list[int]]:
        if self.n <= exact_limit:
            return self._solve_exactly()
        mate = np.full(self.n, -1, dtype=np.int64)
        self._greedy(mate, self._candidates(np.arange(self.n)))
        self._pair_leftovers(mate)
        self._augment(mate)
        self._improve(mate)
        return self._groups(mate)

    def _candidates(self, people: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Candidate edges among PEOPLE: every pair when few, otherwise a sample per person."""
        count = len(people)
        if count <= FULL_GRAPH_LIMIT:
            first, second = np.triu_indices(count, 1)
            return people[first], people[second]
        partners = min(SAMPLED_PARTNERS, count - 1)
        rows = np.repeat(np.arange(count), partners)
        offsets = self.rng.integers(1, count, size=count * partners)
        cols = (rows + offsets) % count  # never the person themselves
        # Level-complementary partners: the k-th lowest level with someone near the k-th
        # highest, where the level difference (worth the most after team and department) is.
        order = np.lexsort((self.rng.random(count), self.level[people]))
        rank = np.empty(count, dtype=np.int64)
        rank[order] = np.arange(count)
        spread = max(1, count // 16)
        c_rows = np.repeat(np.arange(count), COMPLEMENT_PARTNERS)
        target = (count - 1 - rank[c_rows]
                  + self.rng.integers(-spread, spread + 1, size=len(c_rows)))
        c_cols = order[np.clip(target, 0, count - 1)]
        rows = np.concatenate([rows, c_rows])
        cols = np.concatenate([cols, c_cols])
        keep = rows != cols
        low = np.minimum(rows[keep], cols[keep])
        high = np.maximum(rows[keep], cols[keep])
        keys = np.sort(low * count + high)
        if len(keys):  # np.unique hashes integers in NumPy 2, which is slower than sorting here
            keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
        return people[keys // count], people[keys % count]

    def _greedy(self, mate: np.ndarray, edges: tuple[np.ndarray, np.ndarray]) -> None:
        first, second = edges
        keep = self.allowed(first, second)
        first, second = first[keep], second[keep]
        order = np.argsort(-self.weight(first, second), kind="stable")
        taken = (mate >= 0).tolist()
        pairs_first: list[int] = []
        pairs_second: list[int] = []
        for a, b in zip(first[order].tolist(), second[order].tolist(), strict=True):
            if not taken[a] and not taken[b]:
                taken[a] = taken[b] = True
                pairs_first.append(a)
                pairs_second.append(b)
        mate[pairs_first] = pairs_second
        mate[pairs_second] = pairs_first

    def _pair_leftovers(self, mate: np.ndarray) -> None:
        """Pair the people the sampled candidates left alone, among themselves."""
        for _round in range(8):
            free = np.flatnonzero(mate < 0)
            if len(free) < 2:
                return
            before = len(free)
            self._greedy(mate, self._candidates(free))
            if int((mate < 0).sum()) == before:
                return

    def _neighbours(self, v: int) -> Iterator[int]:
        banned = self.banned_of.get(v, ())
        for u in range(self.n):
            if u != v and u not in banned:
                yield u

    def _augment(self, mate: np.ndarray) -> None:
        """Make the matching maximum (Edmonds' blossom algorithm, one search from each free
        person), so that nobody is unpaired who could be paired."""
        free = np.flatnonzero(mate < 0).tolist()
        if len(free) < 2:
            return
        match = mate.tolist()
        budget = [AUGMENT_BUDGET]
        for root in free:
            if match[root] == -1 and budget[0] > 0:
                matching.augment_from(root, self.n, match, self._neighbours, budget)
        mate[:] = match

    def _improve(self, mate: np.ndarray) -> None:
        """Local improvement of the pairs. 2-opt: for two pairs (a, b) and (c, d), take
        (a, c) (b, d) or (a, d) (b, c) instead when that is allowed and weighs more; every pair
        against every other in small pools, random disjoint couples of pairs over many sweeps
        in large ones. Small pools also rotate partners among three pairs (below)."""
        firsts = np.flatnonzero((mate >= 0) & (np.arange(self.n) < mate))
        if len(firsts) < 2:
            return
        a_side, b_side = firsts.copy(), mate[firsts].copy()
        count = len(a_side)
        if self.n <= DENSE_LIMIT:
            self._improve_dense(a_side, b_side)
        elif count <= EXHAUSTIVE_PAIRS:
            left, right = np.triu_indices(count, 1)
            for _sweep in range(200):
                if not self._swap(a_side, b_side, left, right, exhaustive=True):
                    break
        else:
            # Sweeps until they stop paying: in five sweeps, fewer than STOP_SHARE of the
            # pairs changed for more than a tie-breaker's worth of weight.
            recent: deque[int] = deque(maxlen=5)
            for _sweep in range(LARGE_POOL_SWEEPS):
                shuffled = self.rng.permutation(count)
                half = count // 2
                recent.append(self._swap(a_side, b_side, shuffled[:half],
                                         shuffled[half:2 * half], exhaustive=False))
                if len(recent) == recent.maxlen and sum(recent) < count * STOP_SHARE:
                    break
        mate[a_side] = b_side
        mate[b_side] = a_side

    def _improve_dense(self, a_side: np.ndarray, b_side: np.ndarray) -> None:
        """Every weight in one matrix (disallowed pairs at minus infinity), then 2-opt to a
        local optimum and rotations among three pairs, until neither finds anything."""
        n = self.n
        first: npt.NDArray[np.intp]  # the grids, then their flattened cells
        second: npt.NDArray[np.intp]
        first, second = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
        first, second = first.ravel(), second.ravel()
        matrix = np.where(self.allowed(first, second), self.weight(first, second), -np.inf)
        matrix = matrix.reshape(n, n)
        left, right = np.triu_indices(len(a_side), 1)
        for _pass in range(100):
            for _sweep in range(200):
                if not self._swap(a_side, b_side, left, right, exhaustive=True,
                                  matrix=matrix):
                    break
            if not matching.rotate_three(matrix, a_side, b_side):
                break

    def _swap(self, a_side: np.ndarray, b_side: np.ndarray, left: np.ndarray,
              right: np.ndarray, *, exhaustive: bool, matrix: np.ndarray | None = None) -> int:
        a, b, c, d = a_side[left], b_side[left], a_side[right], b_side[right]
        if matrix is not None:
            now = matrix[a, b] + matrix[c, d]
            cross = matrix[a, c] + matrix[b, d]
            twist = matrix[a, d] + matrix[b, c]
        else:
            now = self.weight(a, b) + self.weight(c, d)
            cross = np.where(self.allowed(a, c) & self.allowed(b, d),
                             self.weight(a, c) + self.weight(b, d), -np.inf)
            twist = np.where(self.allowed(a, d) & self.allowed(b, c),
                             self.weight(a, d) + self.weight(b, c), -np.inf)
        best = np.maximum(cross, twist)
        gain = best - now
        better = np.flatnonzero(gain > 1e-9)
        if not len(better):
            return 0
        meaningful = int((gain[better] >= self.weights.tie_break).sum())
        if exhaustive:  # couples overlap: take the best gains first, each pair at most once
            better = better[np.argsort(-gain[better], kind="stable")]
            used = np.zeros(len(a_side), dtype=bool)
            chosen = []
            for index in better.tolist():
                p, q = left[index], right[index]
                if not used[p] and not used[q]:
                    used[p] = used[q] = True
                    chosen.append(index)
            better = np.array(chosen, dtype=np.int64)
        p, q = left[better], right[better]
        use_cross = cross[better] >= twist[better]
        a, b, c, d = a[better], b[better], c[better], d[better]
        a_side[p] = a
        b_side[p] = np.where(use_cross, c, d)
        a_side[q] = b
        b_side[q] = np.where(use_cross, d, c)
        return meaningful if not exhaustive else len(better)

    def _groups(self, mate: np.ndarray) -> tuple[list[tuple[int, ...]], list[int]]:
        """Pairs from the matching, with one unpaired person joining a pair when the pool has
        any (an odd count): the pair that person mixes with best, all three pairs allowed."""
        indexes = np.arange(self.n)
        firsts = np.flatnonzero((mate >= 0) & (indexes < mate))
        groups: dict[int, tuple[int, ...]] = {int(a): (int(a), int(mate[a])) for a in firsts}
        free = np.flatnonzero(mate < 0).tolist()
        if free and len(firsts):
            joined = self._join_a_pair(free, firsts, mate[firsts])
            if joined is None:
                joined = self._join_after_shift(free, mate)
                if joined is not None:  # the matching changed: rebuild the pairs
                    firsts = np.flatnonzero((mate >= 0) & (indexes < mate))
                    groups = {int(a): (int(a), int(mate[a])) for a in firsts}
                    free = np.flatnonzero(mate < 0).tolist()
            if joined is not None:
                person, pair_first = joined
                groups[pair_first] = (*groups[pair_first], person)
                free.remove(person)
        return list(groups.values()), free

    def _join_a_pair(self, free: list[int], firsts: np.ndarray, seconds: np.ndarray
                     ) -> tuple[int, int] | None:
        best: tuple[float, int, int] | None = None
        for person in free:
            x = np.full(len(firsts), person, dtype=np.int64)
            ok = self.allowed(x, firsts) & self.allowed(x, seconds)
            if not ok.any():
                continue
            gain = np.where(ok, self.weight(x, firsts) + self.weight(x, seconds), -np.inf)
            at = int(np.argmax(gain))
            if best is None or gain[at] > best[0]:
                best = (float(gain[at]), person, int(firsts[at]))
        return None if best is None else (best[1], best[2])

    def _join_after_shift(self, free: list[int], mate: np.ndarray) -> tuple[int, int] | None:
        """When no unpaired person can join any pair as it stands, move along alternating paths
        (free x meets a, so a's partner b becomes free, …) and try again from each newly
        freed person; the matching stays as large."""
        match = mate.tolist()
        seen = set(free)
        queue: deque[tuple[int, list[int]]] = deque((person, []) for person in free)
        budget = 200_000
        while queue and budget > 0:
            person, path = queue.popleft()
            for a in self._neighbours(person):
                budget -= 1
                b = match[a]
                if b < 0 or b in seen or b == person:
                    continue
                seen.add(b)
                new_path = [*path, person, a]
                trial = list(match)
                for k in range(0, len(new_path), 2):  # x-a, then a's old partner onward
                    x, y = new_path[k], new_path[k + 1]
                    trial[x], trial[y] = y, x
                trial[b] = -1
                trial_array = np.array(trial, dtype=np.int64)
                firsts = np.flatnonzero((trial_array >= 0)
                                        & (np.arange(self.n) < trial_array))
                joined = self._join_a_pair([b], firsts, trial_array[firsts])
                if joined is not None:
                    mate[:] = trial_array
                    return joined
                queue.append((b, new_path))
                if budget <= 0:
                    break
        return None

    def _solve_exactly(self) -> tuple[list[tuple[int, ...]], list[int]]:
        n = self.n
        everyone = np.arange(n)
        first, second = np.meshgrid(everyone, everyone, indexing="ij")
        weight = self.weight(first.ravel(), second.ravel()).reshape(n, n).tolist()
        ok = self.allowed(first.ravel(), second.ravel()).reshape(n, n).tolist()
        groups, unpaired = matching.best_partition(n, ok, weight)
        return groups, unpaired
