"""The numpy components of small graphs equal scipy's, which large graphs use."""

import numpy as np
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from dedupe.matching.cluster import SMALL_GRAPH, components, small_components


def scipy_labels(n, left, right):
    """scipy's components, each labelled by its smallest member position."""
    graph = coo_matrix((np.ones(len(left)), (left, right)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    smallest = np.full(labels.max() + 1, n)
    np.minimum.at(smallest, labels, np.arange(n))
    return smallest[labels]


@pytest.mark.parametrize("seed", range(20), ids=lambda s: f"seed{s}")
def test_small_components_equal_scipy_on_random_graphs(seed):
    rng = np.random.default_rng(seed)
    for _ in range(50):
        n = int(rng.integers(1, 60))
        k = int(rng.integers(0, 80))
        left, right = rng.integers(0, n, k), rng.integers(0, n, k)
        assert small_components(n, left, right).tolist() == scipy_labels(n, left, right).tolist()


def test_small_components_follow_a_long_shuffled_chain():
    rng = np.random.default_rng(7)
    n = 20_000
    chain = rng.permutation(n)[: SMALL_GRAPH + 1]  # the longest path the numpy path gets
    left, right = chain[:-1], chain[1:]
    got = components(n, left, right)
    assert got.tolist() == scipy_labels(n, left, right).tolist()
    assert set(got[chain]) == {chain.min()}


def test_large_graphs_go_to_scipy_with_the_same_labels():
    rng = np.random.default_rng(3)
    n, k = 5_000, SMALL_GRAPH * 3
    left, right = rng.integers(0, n, k), rng.integers(0, n, k)
    assert components(n, left, right).tolist() == small_components(n, left, right).tolist()
