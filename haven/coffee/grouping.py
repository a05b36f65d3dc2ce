"""Graph primitives for coffee pairings (pure functions, no Django): the exact best split of a
tiny pool, rotations among three pairs over a weight matrix, and one search of Edmonds'
blossom algorithm. haven.coffee.pairing composes them."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from functools import cache

import numpy as np
import numpy.typing as npt


def best_partition(n: int, ok: list[list[bool]], weight: list[list[float]]
                   ) -> tuple[list[tuple[int, ...]], list[int]]:
    """The exact best split of a tiny pool: most people grouped, then most weight; pairs and at
    most one group of three. Dynamic programming over the set of people not yet placed."""

    @cache
    def best(remaining: int, triple_left: bool
             ) -> tuple[int, float, tuple[tuple[int, ...], ...]]:
        if remaining == 0:
            return (0, 0.0, ())
        i = (remaining & -remaining).bit_length() - 1
        rest = remaining & ~(1 << i)
        covered, total, groups = best(rest, triple_left)
        choice = (covered, total, groups)
        others = [j for j in range(i + 1, n) if rest >> j & 1 and ok[i][j]]
        for j in others:
            covered, total, groups = best(rest & ~(1 << j), triple_left)
            option = (covered + 2, total + weight[i][j], ((i, j), *groups))
            if option[:2] > choice[:2]:
                choice = option
        if triple_left:
            for index, j in enumerate(others):
                for k in others[index + 1:]:
                    if not ok[j][k]:
                        continue
                    covered, total, groups = best(rest & ~(1 << j) & ~(1 << k), False)
                    option = (covered + 3, total + weight[i][j] + weight[i][k] + weight[j][k],
                              ((i, j, k), *groups))
                    if option[:2] > choice[:2]:
                        choice = option
        return choice

    _covered, _total, groups = best((1 << n) - 1, True)
    placed = {member for group in groups for member in group}
    return list(groups), [index for index in range(n) if index not in placed]


def rotate_three(matrix: np.ndarray, a_side: np.ndarray, b_side: np.ndarray) -> int:
    """Rotate partners among three pairs where that gains: remove (x1, y1) (x2, y2) (x3, y3),
    add (y1, x2) (y2, x3) (y3, x1): an alternating cycle of six, which 2-opt cannot see.

    through[u, v] is the best W[u, x] - W[x, y] + W[y, v] over matched pairs taken either way
    round; the gain of starting with (x1, y1) then (x2, y2) is then
    -W[x1, y1] + W[y1, x2] - W[x2, y2] + through[y2, x1]. When the best third pair is one of
    the first two, the move is really a swap of two pairs and the gain is still exact, so it
    is applied as such. Moves on disjoint pairs are applied together."""
    count = len(a_side)
    if count < 2:
        return 0
    n = matrix.shape[0]
    xs = np.concatenate([a_side, b_side])  # oriented pairs: index k and k + count are one pair
    ys = np.concatenate([b_side, a_side])
    through = np.full((n, n), -np.inf)
    via = np.zeros((n, n), dtype=np.int64)
    for k in range(2 * count):
        x, y = xs[k], ys[k]
        value = matrix[:, x][:, None] + (matrix[y, :][None, :] - matrix[x, y])
        better = value > through
        through[better] = value[better]
        via[better] = k
    first: npt.NDArray[np.intp]  # the grids, then their flattened cells
    second: npt.NDArray[np.intp]
    first, second = np.meshgrid(np.arange(2 * count), np.arange(2 * count), indexing="ij")
    first, second = first.ravel(), second.ravel()
    keep = (first % count) != (second % count)
    first, second = first[keep], second[keep]
    x1, y1, x2, y2 = xs[first], ys[first], xs[second], ys[second]
    gain = (matrix[y1, x2] - matrix[x1, y1] - matrix[x2, y2] + through[y2, x1])
    order = np.flatnonzero(gain > 1e-9)
    if not len(order):
        return 0
    order = order[np.argsort(-gain[order], kind="stable")]
    used = np.zeros(count, dtype=bool)
    applied = 0
    for index in order.tolist():
        e1, e2 = int(first[index]), int(second[index])
        e3 = int(via[y2[index], x1[index]])
        p1, p2, p3 = e1 % count, e2 % count, e3 % count
        touched = {p1, p2, p3}
        if any(used[p] for p in touched):
            continue
        px1, py1, px2, py2 = int(xs[e1]), int(ys[e1]), int(xs[e2]), int(ys[e2])
        px3, py3 = int(xs[e3]), int(ys[e3])
        if p3 in (p1, p2):  # degenerate: a swap of two pairs, (y1, x2) and (y2, x1)
            new_pairs = [(py1, px2), (py2, px1)]
            slots = [p1, p2]
        else:
            new_pairs = [(py1, px2), (py2, px3), (py3, px1)]
            slots = [p1, p2, p3]
        for slot, (u, v) in zip(slots, new_pairs, strict=True):
            a_side[slot], b_side[slot] = u, v
            used[slot] = True
        applied += 1
    return applied


def augment_from(root: int, n: int, match: list[int],
                  neighbours: Callable[[int], Iterable[int]], budget: list[int]) -> bool:
    """One search of Edmonds' blossom algorithm for an augmenting path from ROOT; applies it
    to MATCH and says whether it found one. BUDGET[0] bounds the neighbour checks."""
    parent = [-1] * n
    base = list(range(n))
    used = [False] * n
    used[root] = True
    queue = deque([root])

    def lowest_common_ancestor(a: int, b: int) -> int:
        on_path = [False] * n
        while True:
            a = base[a]
            on_path[a] = True
            if match[a] == -1:
                break
            a = parent[match[a]]
        while True:
            b = base[b]
            if on_path[b]:
                return b
            b = parent[match[b]]

    def mark_path(v: int, common: int, child: int, blossom: list[bool]) -> None:
        while base[v] != common:
            blossom[base[v]] = blossom[base[match[v]]] = True
            parent[v] = child
            child = match[v]
            v = parent[match[v]]

    while queue:
        v = queue.popleft()
        for u in neighbours(v):
            budget[0] -= 1
            if budget[0] <= 0:
                return False
            if base[v] == base[u] or match[v] == u:
                continue
            if u == root or (match[u] != -1 and parent[match[u]] != -1):
                common = lowest_common_ancestor(v, u)
                blossom = [False] * n
                mark_path(v, common, u, blossom)
                mark_path(u, common, v, blossom)
                for i in range(n):
                    if blossom[base[i]]:
                        base[i] = common
                        if not used[i]:
                            used[i] = True
                            queue.append(i)
            elif parent[u] == -1:
                parent[u] = v
                if match[u] == -1:
                    while u != -1:  # flip the path back to the root
                        previous = parent[u]
                        onward = match[previous]
                        match[u], match[previous] = previous, u
                        u = onward
                    return True
                used[match[u]] = True
                queue.append(match[u])
    return False
