"""``--engine spark``: the matching pipeline with its per-pair stage and clustering on Spark.

The pandas batch functions of :mod:`dedupe.matching` stay the single source of truth. Here
the candidate pairs are joined with both records' normalised rows in Spark and
``dedupe.matching.compare.compare`` runs per Arrow batch inside ``mapInArrow``; the
connected components of the accepted pairs are the large-star/small-star joins of
:mod:`dedupe.spark.components`. Everything else (normalise, block, estimate, score,
decide, merge) is the local engine's code on the driver, so the pairs, decisions and
clusters are exactly the local engine's (the tests check it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa

from dedupe.matching.compare import compare
from dedupe.matching.engine import Executor, MatchResult, match_records

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import SparkSession

ROW = "_row"
PAIR = "_pair"
SPARK_TYPES = {
    "int8": "tinyint", "int16": "smallint", "int32": "int", "int64": "bigint",
    "double": "double", "float": "float", "bool": "boolean", "string": "string",
}  # fmt: skip


def _arrow_safe(norm: pd.DataFrame) -> pd.DataFrame:
    """``norm`` with text as Arrow strings and integer columns as nullable Int64, so Spark
    gets one Arrow type per column."""
    out = {}
    for col, s in norm.items():
        if pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_numeric_dtype(s.dtype):
            out[col] = s
        else:
            out[col] = s.astype("string")
    return pd.DataFrame(out).assign(**{ROW: np.arange(len(norm), dtype=np.int64)})


def _restore(frame: pd.DataFrame, dtypes: pd.Series) -> pd.DataFrame:
    """Columns back to the driver's dtypes (text as Python objects with None)."""
    out = {}
    for col, dtype in dtypes.items():
        s = frame[col]
        if isinstance(dtype, np.dtype) and dtype.kind == "O":
            out[col] = s.astype(object).where(s.notna(), None)
        else:
            out[col] = s.astype(dtype)
    return pd.DataFrame(out)


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
            norm = _restore(pd.concat(sides, ignore_index=True), dtypes)
            pairs = pd.DataFrame({"i_l": np.arange(k), "i_r": np.arange(k, 2 * k)})
            levels = compare(norm, pairs).assign(**{PAIR: frame[PAIR].to_numpy()})
            yield pa.RecordBatch.from_pandas(levels, schema=schema, preserve_index=False)

    return run


def spark_compare(spark: SparkSession, norm: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """``compare(norm, pairs)`` computed on Spark: pairs joined with both rows, compared per
    Arrow batch, collected back in the pairs' order."""
    if len(pairs) == 0 or len(norm) < 2:
        return compare(norm, pairs)
    from pyspark.sql import functions as F

    rows = spark.createDataFrame(_arrow_safe(norm))
    cols = [c for c in rows.columns if c != ROW]
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
    ddl = ", ".join(f"`{f.name}` {SPARK_TYPES[str(f.type)]}" for f in schema)
    out = joined.mapInArrow(_batch_compare(norm.dtypes, schema), ddl)
    table = out.toArrow() if hasattr(out, "toArrow") else pa.Table.from_pandas(out.toPandas())
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


def spark_executor(spark: SparkSession, local_edges: int = LOCAL_EDGES) -> Executor:
    """The per-pair comparison and the connected components on ``spark``."""
    return Executor(
        compare=lambda norm, pairs: spark_compare(spark, norm, pairs),
        components=lambda n, left, right: spark_components(spark, n, left, right, local_edges),
    )


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
