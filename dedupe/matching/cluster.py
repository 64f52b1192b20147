"""Clustering: connected components over accepted pairs, guarded only against weak bridges.

Clusters of hundreds of copies are normal in citation corpora, so the clusters are plain
connected components (scipy.sparse.csgraph; numpy for a few edges) of the accepted pairs,
with one exception: a *weak* edge (probability under ``strong`` and no shared neighbour,
i.e. in no triangle) that would join two groups of two or more records each is refused.
Such an edge is the single link that chains two different papers together; an edge to a
lone record, or one supported by a triangle or by high probability, is kept.

>>> clusters(6, np.array([0, 1, 0, 3, 4, 3, 2]), np.array([1, 2, 2, 4, 5, 5, 3]),
...          np.array([0.999] * 6 + [0.991])).tolist()
[0, 0, 0, 3, 3, 3]
"""

from __future__ import annotations

import numpy as np

STRONG = 0.9999


SMALL_GRAPH = 1_000
"""Up to this many edges the components are found in numpy, on the nodes the edges touch:
importing scipy.sparse.csgraph costs more (~0.15 s) than all of ``dedupe check``'s
clustering of a new file's few duplicates. Larger graphs go to scipy."""


def components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Connected-component label of each of ``n`` nodes (the smallest member position)."""
    if len(left) <= SMALL_GRAPH:
        return small_components(n, np.asarray(left), np.asarray(right))
    from scipy.sparse import coo_matrix  # here: only large graphs pay for importing scipy
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    smallest = np.full(labels.max() + 1 if n else 0, n, dtype=np.int64)
    np.minimum.at(smallest, labels, np.arange(n))
    return smallest[labels]


def small_components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """:func:`components` by minimum-label propagation with pointer jumping (each round
    gives both ends of every edge their smaller label, then each node its label's label)
    until nothing changes; vectorised, for graphs of a few edges."""
    labels = np.arange(n, dtype=np.int64)
    nodes, ends = np.unique(np.concatenate([left, right]).astype(np.int64), return_inverse=True)
    a, b = ends[: len(left)], ends[len(left) :]
    lab = np.arange(len(nodes))
    while True:
        low = np.minimum(lab[a], lab[b])
        new = lab.copy()
        np.minimum.at(new, a, low)
        np.minimum.at(new, b, low)
        new = new[new]
        if np.array_equal(new, lab):
            break
        lab = new
    labels[nodes] = nodes[lab]  # nodes are sorted: the smallest index is the smallest position
    return labels


def triangle_support(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Per edge, how many neighbours its two ends share."""
    if len(left) == 0:
        return np.zeros(0, dtype=np.int64)
    from scipy.sparse import coo_matrix  # here: only weak links pay for importing scipy

    a = np.concatenate([left, right])
    b = np.concatenate([right, left])
    adj = coo_matrix((np.ones(len(a), dtype=np.int32), (a, b)), shape=(n, n)).tocsr()
    adj.data[:] = 1  # repeated edges count once
    common = adj.multiply(adj @ adj).tocsr()
    return np.asarray(common[left, right]).ravel().astype(np.int64)


def guarded(
    n: int, left: np.ndarray, right: np.ndarray, strength: np.ndarray, strong: float = STRONG
) -> np.ndarray:
    """True for each edge the clustering keeps (see the module's docstring)."""
    left, right = np.asarray(left, dtype=np.int64), np.asarray(right, dtype=np.int64)
    weak = np.asarray(strength, dtype=float) < strong
    if weak.any():  # (triangles are counted only when some edge could be a weak link)
        weak &= triangle_support(n, left, right) == 0
    if not weak.any():
        return np.ones(len(left), dtype=bool)
    base = components(n, left[~weak], right[~weak])
    size = np.bincount(base, minlength=n)
    ca, cb = base[left], base[right]
    bridge = weak & (ca != cb) & (size[ca] >= 2) & (size[cb] >= 2)
    return ~bridge


def clusters(
    n: int,
    left: np.ndarray,
    right: np.ndarray,
    strength: np.ndarray | None = None,
    strong: float | None = STRONG,
) -> np.ndarray:
    """A cluster label (the smallest member position) for each of ``n`` nodes.

    ``left``/``right`` are the accepted edges, ``strength`` their probabilities;
    ``strong=None`` (or no strengths) gives plain connected components.
    """
    left, right = np.asarray(left, dtype=np.int64), np.asarray(right, dtype=np.int64)
    if strong is not None and strength is not None:
        keep = guarded(n, left, right, strength, strong)
        left, right = left[keep], right[keep]
    return components(n, left, right)
