"""Connected components as iterative DataFrame joins: alternating large-star and small-star.

Kiveris et al., "Connected Components in MapReduce and Beyond" (SoCC 2014). Every node ends
linked to the smallest node id of its component, in O(log n) rounds of joins and
aggregations. Each round's edges are checkpointed (``DataFrame.checkpoint`` when
``spark.checkpoint.dir`` is set, else ``localCheckpoint``), so the plan does not grow with
the rounds. No GraphFrames jar, no RDD.

The result equals ``scipy.sparse.csgraph.connected_components`` labelled by the smallest
node of each component (the tests check it on random graphs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame

MAX_ROUNDS = 100


def _pin(df: DataFrame) -> DataFrame:
    """Materialise ``df`` and cut its lineage."""
    spark = df.sparkSession
    if spark.conf.get("spark.checkpoint.dir", None):
        return df.checkpoint(eager=True)
    return df.localCheckpoint(eager=True)


def _large_star(edges: DataFrame) -> DataFrame:
    """Link every neighbour larger than a node to the smallest of the node's closed
    neighbourhood."""
    from pyspark.sql import functions as F

    both = edges.select("src", "dst").union(edges.select(F.col("dst").alias("src"), "src"))
    mins = both.groupBy("src").agg(F.least(F.min("dst"), F.first("src")).alias("m"))
    out = both.join(mins, "src").where(F.col("dst") > F.col("src"))
    return out.select(F.col("dst").alias("src"), F.col("m").alias("dst")).distinct()


def _small_star(edges: DataFrame) -> DataFrame:
    """Link a node and its smaller neighbours to the smallest of them."""
    from pyspark.sql import functions as F

    down = edges.select(
        F.greatest("src", "dst").alias("src"), F.least("src", "dst").alias("dst")
    ).where(F.col("src") != F.col("dst"))
    mins = down.groupBy("src").agg(F.min("dst").alias("m"))
    linked = down.join(mins, "src").select(F.col("dst").alias("src"), F.col("m").alias("dst"))
    roots = mins.select("src", F.col("m").alias("dst"))
    return linked.union(roots).where(F.col("src") != F.col("dst")).distinct()


def _same(a: DataFrame, b: DataFrame) -> bool:
    """True when two (pinned, duplicate-free) edge sets are equal: one job counting the
    edges found in only one of them."""
    from pyspark.sql import functions as F

    tagged = a.withColumn("_a", F.lit(True)).join(
        b.withColumn("_b", F.lit(True)), ["src", "dst"], "full_outer"
    )
    return tagged.where(F.col("_a").isNull() | F.col("_b").isNull()).isEmpty()


def connected_components(edges: DataFrame, max_rounds: int = MAX_ROUNDS) -> DataFrame:
    """(node, component) for every node of ``edges`` (columns ``src``, ``dst``, integer
    ids); ``component`` is the smallest node id of the node's component."""
    from pyspark.sql import functions as F

    current = _pin(
        edges.select(F.col("src").cast("long"), F.col("dst").cast("long"))
        .where(F.col("src") != F.col("dst"))
        .select(F.greatest("src", "dst").alias("src"), F.least("src", "dst").alias("dst"))
        .distinct()
    )
    for _ in range(max_rounds):
        nxt = _pin(_small_star(_large_star(current)))
        if _same(nxt, current):
            break
        current = nxt
    else:  # pragma: no cover - log2(n) rounds suffice in practice
        raise RuntimeError(f"connected components did not converge in {max_rounds} rounds")
    nodes = edges.select(F.col("src").cast("long").alias("node")).union(
        edges.select(F.col("dst").cast("long").alias("node"))
    )
    links = current.select(F.col("src").alias("node"), F.col("dst").alias("component"))
    return (
        nodes.distinct()
        .join(links, "node", "left")
        .select("node", F.coalesce("component", "node").alias("component"))
    )


def label_nodes(spark, n: int, edges: DataFrame) -> DataFrame:
    """(node, component) for nodes 0..n-1, isolated nodes being their own component."""
    from pyspark.sql import functions as F

    comp = connected_components(edges)
    return (
        spark.range(n)
        .withColumnRenamed("id", "node")
        .join(comp, "node", "left")
        .select("node", F.coalesce("component", "node").alias("component"))
    )


def guarded_components(merges: DataFrame, strong: float) -> tuple[DataFrame, DataFrame]:
    """``cluster.clusters`` on Spark: the merges (``src``, ``dst``, ``strength``) the
    clustering refuses, as (``src``, ``dst``), and (``node``, ``component``) for every node
    the other merges touch (``component``: its cluster's smallest node).

    A weak merge (strength under ``strong``) in no triangle (its two ends share no
    neighbour among the merges) that joins two groups of two or more records each (the
    components of the other merges) is refused. The other bare weak merges join a lone
    record to a group, or lone records together: their ends' components are joined in a
    second, small graph (a node per component), so the whole graph's components are found
    once. The merges are pinned first: every step reads them."""
    from pyspark.sql import functions as F

    edges = _pin(merges.select(F.col("src").cast("long"), F.col("dst").cast("long"), "strength"))
    weak = edges.where(F.col("strength") < strong).select("src", "dst").distinct()
    both = edges.select("src", "dst").union(edges.select(F.col("dst").alias("src"), "src"))
    adj = both.where(F.col("src") != F.col("dst")).distinct()
    # a shared neighbour c: (src, c) and (dst, c) both merges
    near = weak.join(adj.select(F.col("src"), F.col("dst").alias("c")), "src")
    ends = adj.select(F.col("src").alias("dst"), F.col("dst").alias("c"))
    supported = near.join(ends, ["dst", "c"], "left_semi").select("src", "dst").distinct()
    bare = _pin(weak.join(supported, ["src", "dst"], "left_anti"))
    rest = edges.select("src", "dst").join(bare, ["src", "dst"], "left_anti")
    base = _pin(connected_components(rest))
    sizes = base.groupBy("component").count()
    group = base.join(sizes, "component").select("node", "component", "count")
    sides = bare
    for end in ("src", "dst"):
        named = group.select(
            F.col("node").alias(end),
            F.col("component").alias(f"{end}_c"),
            F.col("count").alias(f"{end}_n"),
        )
        sides = sides.join(named, end, "left")
    # a node no other merge touches is a group of one, its own component
    src_c, dst_c = F.coalesce("src_c", "src"), F.coalesce("dst_c", "dst")
    bridge = (
        (src_c != dst_c)
        & (F.coalesce("src_n", F.lit(1)) >= 2)
        & (F.coalesce("dst_n", F.lit(1)) >= 2)
    )
    sides = _pin(sides.withColumn("_bridge", bridge))
    refused = sides.where(F.col("_bridge")).select("src", "dst")
    joining = sides.where(~F.col("_bridge") & (src_c != dst_c))
    top = connected_components(joining.select(src_c.alias("src"), dst_c.alias("dst")))
    final = top.select(F.col("node").alias("component"), F.col("component").alias("_final"))
    relabelled = base.join(final, "component", "left").select(
        "node", F.coalesce("_final", "component").alias("component")
    )
    lone = top.join(base.select("node"), "node", "left_anti")  # lone records now in a group
    return refused, relabelled.unionByName(lone)
