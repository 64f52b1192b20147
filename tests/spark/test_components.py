"""Connected components on Spark equal scipy's on random graphs."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components as scipy_components

from dedupe.matching.cluster import STRONG, clusters, guarded
from dedupe.spark.components import guarded_components, label_nodes


def _scipy_min_labels(n: int, edges: list[tuple[int, int]]) -> np.ndarray:
    """Each node's component named by its smallest node, from scipy."""
    a = np.array([e[0] for e in edges], dtype=int)
    b = np.array([e[1] for e in edges], dtype=int)
    graph = coo_matrix((np.ones(len(a)), (a, b)), shape=(n, n))
    _, labels = scipy_components(graph, directed=False)
    smallest = np.full(labels.max() + 1, n)
    np.minimum.at(smallest, labels, np.arange(n))
    return smallest[labels]


def _spark_labels(spark, n: int, edges: list[tuple[int, int]]) -> np.ndarray:
    frame = spark.createDataFrame(edges or [(0, 0)], "src long, dst long")
    if not edges:
        frame = frame.limit(0)
    rows = label_nodes(spark, n, frame).toPandas().sort_values("node")
    return rows["component"].to_numpy()


@st.composite
def graphs(draw):
    """Many small random graphs side by side (disjoint node ranges): one Spark run checks
    them all."""
    n, edges = 0, []
    for size in draw(st.lists(st.integers(1, 25), min_size=1, max_size=15)):
        pairs = st.tuples(st.integers(0, size - 1), st.integers(0, size - 1))
        edges += [(a + n, b + n) for a, b in draw(st.lists(pairs, max_size=40))]
        n += size
    return n, edges


@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs())
def test_components_equal_scipy_on_random_graphs(spark, graph):
    n, edges = graph
    assert (_spark_labels(spark, n, edges) == _scipy_min_labels(n, edges)).all()


def test_long_chain_and_big_random_graph(spark):
    rng = np.random.default_rng(7)
    n = 1000
    chain = [(int(i), int(i) + 1) for i in rng.permutation(n - 1)[:500]]  # long paths
    rand = [tuple(map(int, rng.integers(0, n, 2))) for _ in range(500)]
    edges = chain + rand
    assert (_spark_labels(spark, n, edges) == _scipy_min_labels(n, edges)).all()


@st.composite
def weighted_graphs(draw):
    """Random graphs (no loops, each pair once) with strengths around ``STRONG``: groups
    of 2+, lone records and triangles, so links are refused and kept for each reason."""
    n, edges = draw(graphs())
    unique = sorted({(min(a, b), max(a, b)) for a, b in edges if a != b})
    strength = draw(
        st.lists(st.sampled_from([0.5, 0.99, STRONG, 1.0]), min_size=len(unique),
                 max_size=len(unique))
    )  # fmt: skip
    return n, unique, strength


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(weighted_graphs())
def test_guarded_components_on_spark_equal_the_local_clusters(spark, graph):
    """The refused links are ``guarded``'s, and the components of the rest are
    ``clusters``' labels for every node a kept merge touches."""
    n, edges, strength = graph
    left = np.array([a for a, _ in edges], dtype=np.int64)
    right = np.array([b for _, b in edges], dtype=np.int64)
    kept = guarded(n, left, right, np.array(strength))
    frame = spark.createDataFrame(
        [(a, b, s) for (a, b), s in zip(edges, strength)] or [(0, 1, 1.0)],
        "src long, dst long, strength double",
    )
    if not edges:
        frame = frame.limit(0)
    refused, members = guarded_components(frame, STRONG)
    got = {(r["src"], r["dst"]) for r in refused.collect()}
    assert got == {e for e, keep in zip(edges, kept) if not keep}
    labels = clusters(n, left, right, np.array(strength))
    touched = np.unique(np.concatenate([left[kept], right[kept]]))
    found = {r["node"]: r["component"] for r in members.collect()}
    assert found == {int(v): int(labels[v]) for v in touched}
