"""Clustering: connected components over accepted pairs, guarded against chaining.

Plain connected components let one weak link join two otherwise unrelated groups. With the
guard, edges are added best-supported first (most shared neighbours, i.e. triangles, then
strength), and two groups of more than one record in total are joined only when at least
``min_density`` of the record pairs between them are accepted edges themselves; a bridge
between two groups has no shared neighbour, so it comes last and is refused.
"""

from __future__ import annotations

import numpy as np


class _UnionFind:
    def __init__(self, n: int):
        self.parent = np.arange(n)
        self.members: dict[int, list[int]] = {}

    def find(self, a: int) -> int:
        root = a
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[a] != root:
            self.parent[a], a = root, self.parent[a]
        return int(root)

    def group(self, root: int) -> list[int]:
        return self.members.get(root, [root])

    def union(self, a: int, b: int) -> None:
        ga, gb = self.group(a), self.group(b)
        if len(ga) < len(gb):
            a, b, ga, gb = b, a, gb, ga
        self.parent[b] = a
        self.members[a] = ga + gb
        self.members.pop(b, None)


def clusters(
    n: int,
    left: np.ndarray,
    right: np.ndarray,
    strength: np.ndarray | None = None,
    min_density: float | None = 0.5,
) -> np.ndarray:
    """A cluster label (the smallest member position) for each of ``n`` nodes.

    ``left``/``right`` are the accepted edges; ``strength`` orders them (strongest first).
    ``min_density=None`` gives plain connected components.
    """
    left, right = np.asarray(left, dtype=np.int64), np.asarray(right, dtype=np.int64)
    edges = set(zip(left.tolist(), right.tolist())) | set(zip(right.tolist(), left.tolist()))
    neighbours: dict[int, set[int]] = {}
    for a, b in edges:
        neighbours.setdefault(a, set()).add(b)
    support = np.array(
        [len(neighbours[a] & neighbours[b]) for a, b in zip(left.tolist(), right.tolist())]
    )
    strength = np.zeros(len(left)) if strength is None else np.asarray(strength, dtype=float)
    order = np.lexsort((-strength, -support)) if len(left) else np.arange(0)
    uf = _UnionFind(n)
    for k in order:
        a, b = uf.find(int(left[k])), uf.find(int(right[k]))
        if a == b:
            continue
        ga, gb = uf.group(a), uf.group(b)
        if min_density is not None and len(ga) + len(gb) > 2:
            linked = sum((x, y) in edges for x in ga for y in gb)
            if linked < min_density * len(ga) * len(gb):
                continue
        uf.union(a, b)
    roots = np.array([uf.find(i) for i in range(n)], dtype=np.int64)
    smallest = {}
    for i, r in enumerate(roots.tolist()):
        smallest.setdefault(r, i)
    return np.array([smallest[r] for r in roots.tolist()], dtype=np.int64)
