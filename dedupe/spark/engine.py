"""``--engine spark``: normalisation, blocking, the per-pair comparison and clustering on Spark.

The pandas batch functions of :mod:`dedupe.matching` stay the single source of truth.
Records are normalised per Arrow batch in ``mapInArrow`` (corpus-wide figures as
aggregations, :mod:`dedupe.spark.normalise`); blocking is joins on key columns with
block-size counts, oversized blocks as sorted neighbourhoods (:mod:`dedupe.spark.blocking`);
the candidate pairs are joined with both records' normalised rows and
``dedupe.matching.compare.compare`` runs per Arrow batch in ``mapInArrow``; the connected
components of the accepted pairs are the large-star/small-star joins of
:mod:`dedupe.spark.components`. The normalised table and the candidate pairs are collected
to the driver, where estimation (EM), scoring, decisions and the merge run as the local
engine's code, so pairs, decisions and clusters are exactly the local engine's (tested).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa

from dedupe.matching.blocking import BlockStats
from dedupe.matching.compare import compare
from dedupe.matching.engine import Executor, MatchResult, match_records
from dedupe.matching.normalise import MATCH_FIELDS, normalise_records
from dedupe.spark.blocking import collect_pairs, spark_block
from dedupe.spark.normalise import arrow_ready, collect_norm, ddl, restore, spark_normalise

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame, SparkSession

ROW = "_row"
PAIR = "_pair"
MATCH_COLUMNS = ["record_id", *MATCH_FIELDS]


def _levels_schema(norm: pd.DataFrame) -> pa.Schema:
    """The Arrow schema of ``compare``'s output (from a one-pair sample), plus the pair id."""
    sample = compare(norm.iloc[:2].reset_index(drop=True), pd.DataFrame({"i_l": [0], "i_r": [1]}))
    table = pa.Table.from_pandas(sample, preserve_index=False)
    return table.schema.append(pa.field(PAIR, pa.int64())).remove_metadata()


def _batch_compare(dtypes: pd.Series, schema: pa.Schema):
    """The function mapInArrow runs: rebuild both sides of each pair and call compare."""
    left = [f"l_{c}" for c in dtypes.index]
    right = [f"r_{c}" for c in dtypes.index]

    def run(batches):
        for batch in batches:
            frame = batch.to_pandas()
            k = len(frame)
            sides = [frame[cols].set_axis(list(dtypes.index), axis=1) for cols in (left, right)]
            norm = restore(pd.concat(sides, ignore_index=True), dtypes)
            pairs = pd.DataFrame({"i_l": np.arange(k), "i_r": np.arange(k, 2 * k)})
            levels = compare(norm, pairs).assign(**{PAIR: frame[PAIR].to_numpy()})
            yield pa.RecordBatch.from_pandas(levels, schema=schema, preserve_index=False)

    return run


def spark_compare(
    spark: SparkSession, norm: pd.DataFrame, pairs: pd.DataFrame, rows: DataFrame | None = None
) -> pd.DataFrame:
    """``compare(norm, pairs)`` computed on Spark: pairs joined with both rows (``rows``:
    the normalised records on Spark with ``_row``, else ``norm`` uploaded), compared per
    Arrow batch, collected back in the pairs' order."""
    if len(pairs) == 0 or len(norm) < 2:
        return compare(norm, pairs)
    from pyspark.sql import functions as F

    if rows is None:
        rows = spark.createDataFrame(
            arrow_ready(norm).assign(**{ROW: np.arange(len(norm), dtype=np.int64)})
        )
    cols = list(norm.columns)
    pair_df = spark.createDataFrame(
        pd.DataFrame(
            {
                PAIR: np.arange(len(pairs), dtype=np.int64),
                "i_l": pairs["i_l"].to_numpy(np.int64),
                "i_r": pairs["i_r"].to_numpy(np.int64),
            }
        )
    )
    side = {p: rows.select(F.col(ROW).alias(f"i_{p}"), *[F.col(c).alias(f"{p}_{c}") for c in cols])
            for p in ("l", "r")}  # fmt: skip
    joined = pair_df.join(side["l"], "i_l").join(side["r"], "i_r")
    schema = _levels_schema(norm)
    out = joined.mapInArrow(_batch_compare(norm.dtypes, schema), ddl(schema))
    table = out.toArrow()
    levels = table.to_pandas().sort_values(PAIR).drop(columns=PAIR)
    return levels.set_index(pairs.index)


LOCAL_EDGES = 5_000_000
"""Up to this many accepted pairs, the components are computed on the driver (scipy, the
same labels): a few Spark jobs per join round cost more than that."""


def spark_components(
    spark: SparkSession, n: int, left: np.ndarray, right: np.ndarray, local_edges: int = LOCAL_EDGES
) -> np.ndarray:
    """Cluster label (smallest member position) of each of ``n`` nodes, on Spark."""
    from dedupe.matching.cluster import components
    from dedupe.spark.components import label_nodes

    if len(left) <= local_edges:
        return components(n, left, right)
    edges = spark.createDataFrame(
        pd.DataFrame({"src": np.asarray(left, np.int64), "dst": np.asarray(right, np.int64)})
    )
    labels = pd.DataFrame(label_nodes(spark, n, edges).toPandas()).sort_values("node")
    return labels["component"].to_numpy(dtype=np.int64)


class SparkRun:
    """One matching run's stages on Spark; keeps the normalised records on Spark between
    normalisation, blocking and comparison."""

    def __init__(self, spark: SparkSession, local_edges: int = LOCAL_EDGES):
        self.spark = spark
        self.local_edges = local_edges
        self.norm: DataFrame | None = None

    def normalise(self, records: pd.DataFrame) -> pd.DataFrame:
        """``normalise_records`` on the executors; the table collected to the driver."""
        frame = records.reindex(columns=MATCH_COLUMNS)
        upload = arrow_ready(frame).assign(**{ROW: np.arange(len(frame), dtype=np.int64)})
        sample = frame.head(2).reset_index(drop=True)
        if self.norm is not None:
            self.norm.unpersist()
        self.norm = spark_normalise(self.spark.createDataFrame(upload), sample).cache()
        return collect_norm(self.norm, normalise_records(sample).dtypes)

    def block(self, norm: pd.DataFrame, max_block: int) -> tuple[pd.DataFrame, list[BlockStats]]:
        """Blocking as joins on Spark; the pairs collected in the local engine's order."""
        assert self.norm is not None, "normalise runs first"
        pairs, stats = spark_block(self.norm, max_block)
        return collect_pairs(pairs), stats

    def compare(self, norm: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
        """The per-pair comparison on Spark."""
        return spark_compare(self.spark, norm, pairs, self.norm)

    def components(self, n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Connected components on Spark (on the driver up to ``local_edges`` edges)."""
        return spark_components(self.spark, n, left, right, self.local_edges)

    def executor(self) -> Executor:
        """The stages as the matching engine takes them."""
        return Executor(self.normalise, self.block, self.compare, self.components)


def spark_executor(spark: SparkSession, local_edges: int = LOCAL_EDGES) -> Executor:
    """Normalisation, blocking, the per-pair comparison and the components on ``spark``."""
    return SparkRun(spark, local_edges).executor()


def match_records_spark(
    records: pd.DataFrame,
    spark: SparkSession | None = None,
    local_edges: int = LOCAL_EDGES,
    **options,
) -> MatchResult:
    """``match_records`` with its heavy stages on Spark (``options`` as there)."""
    from dedupe.spark.session import get_session

    executor = spark_executor(spark or get_session(), local_edges)
    return match_records(records, executor=executor, **options)
