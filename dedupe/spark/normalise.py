"""Normalisation on Spark executors: ``normalise_records`` per Arrow batch in ``mapInArrow``.

Nearly every normalised column depends on its own record only, so each executor runs the
local engine's ``normalise_records`` on its batches. The three corpus-wide figures are
aggregations on Spark, joined back:

- whether ``volume`` / ``issue`` are ID-like (``fields.id_like``: nearly all values
  distinct over many records), from ``count`` and ``count_distinct``;
- ``title_carriers``: how many distinct years each folded title is seen in.

Records are numbered ``_row`` 0..n-1 in the order of the input (its partitions in order,
rows in order within them), the positions the local engine uses, so pairs, tie-breaks and
cluster ids are the same.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa

from dedupe.core.arrays import is_list_column
from dedupe.matching.blocking import title_ends
from dedupe.matching.fields import id_like, leading_number, without_placeholders
from dedupe.matching.normalise import MATCH_FIELDS, normalise_records

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame

ROW = "_row"
NUMBERS = ("volume", "issue")
# Per-record blocking keys computed in the same pass (dropped before comparison).
KEY_COLUMNS = ("_title_start", "_title_end")
SPARK_TYPES = {
    "int8": "tinyint", "int16": "smallint", "int32": "int", "int64": "bigint",
    "double": "double", "float": "float", "bool": "boolean", "string": "string",
}  # fmt: skip


def with_positions(df: DataFrame) -> DataFrame:
    """``df`` with ``_row``: 0..n-1 in partition order, then row order (no RDD: partition
    sizes are counted, their offsets collected and added to each row's index within its
    partition)."""
    from pyspark.sql import functions as F

    tagged = df.withColumn("_pid", F.spark_partition_id()).withColumn(
        "_mid", F.monotonically_increasing_id()
    )
    counts = tagged.groupBy("_pid").count().orderBy("_pid").collect()
    offsets, total = [], 0
    for row in counts:
        offsets.append((int(row["_pid"]), total))
        total += int(row["count"])
    spark = df.sparkSession
    table = spark.createDataFrame(offsets or [(0, 0)], "_pid int, _off long")
    index = F.col("_mid") - F.shiftleft(F.col("_pid").cast("long"), 33)
    return (
        tagged.join(F.broadcast(table), "_pid")
        .withColumn(ROW, F.col("_off") + index)
        .drop("_pid", "_mid", "_off")
    )


def arrow_ready(norm: pd.DataFrame) -> pd.DataFrame:
    """``norm`` with text as Arrow strings and numbers as they are, so Spark gets one Arrow
    type per column."""
    out = {}
    for col, s in norm.items():
        numeric = pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_numeric_dtype(s.dtype)
        out[col] = s if numeric or is_list_column(s) else s.astype("string")  # lists: arrays
    return pd.DataFrame(out, index=norm.index)


def _prepare(records: pd.DataFrame) -> pd.DataFrame:
    """One batch's normalised rows, volume and issue as numbers (the ID-like test is
    corpus-wide: ``_volume_raw``/``_issue_raw`` carry the values it counts) and the
    per-record blocking keys."""
    norm = normalise_records(records)
    for col in NUMBERS:
        raw = without_placeholders(
            records[col] if col in records else pd.Series(None, index=records.index)
        )
        norm[col] = leading_number(raw)
        norm[f"_{col}_raw"] = raw.astype("string")
    start, end = title_ends(norm["title"])
    norm["_title_start"], norm["_title_end"] = start.astype("string"), end.astype("string")
    return arrow_ready(norm)


def _schema(sample: pd.DataFrame) -> pa.Schema:
    """The Arrow schema of ``_prepare``'s output, plus ``_row``."""
    table = pa.Table.from_pandas(_prepare(sample), preserve_index=False)
    fields = [
        pa.field(f.name, pa.string()) if pa.types.is_large_string(f.type) else f
        for f in table.schema
    ]
    return pa.schema([*fields, pa.field(ROW, pa.int64())])


def _batches(columns: list[str], schema: pa.Schema):
    """The function ``mapInArrow`` runs on each partition."""

    def run(batches):
        for batch in batches:
            frame = batch.to_pandas()
            rows = frame.pop(ROW).to_numpy()
            frame = frame.reindex(columns=columns)
            out = _prepare(frame).assign(**{ROW: rows})
            table = pa.Table.from_pandas(out, preserve_index=False)
            yield from table.cast(schema).to_batches()

    return run


def batch_schema(frame: pd.DataFrame, before=(), after=()) -> pa.Schema:
    """The Arrow schema of a batch function's output, from ``frame`` (its output on a
    sample), ``before`` and ``after`` fields around it."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    return pa.schema([*before, *table.schema, *after]).remove_metadata()


def ddl(schema: pa.Schema) -> str:
    """A Spark DDL string for an Arrow schema of simple types."""
    return ", ".join(f"`{f.name}` {SPARK_TYPES[str(f.type)]}" for f in schema)


def _id_like_numbers(prepared: DataFrame) -> dict[str, bool]:
    """Whether volume and issue are ID-like over the whole corpus (``fields.id_like``'s
    test, from Spark's counts)."""
    from pyspark.sql import functions as F

    params = inspect.signature(id_like).parameters
    min_values = params["min_values"].default
    share = params["unique_share"].default
    aggs = []
    for col in NUMBERS:
        aggs += [F.count(f"_{col}_raw").alias(f"{col}_n"), F.count_distinct(f"_{col}_raw")]
    row = prepared.agg(*aggs).collect()[0]
    out = {}
    for k, col in enumerate(NUMBERS):
        present, distinct = int(row[2 * k]), int(row[2 * k + 1])
        out[col] = present >= min_values and distinct >= share * present
    return out


def spark_normalise(records: DataFrame, sample: pd.DataFrame) -> DataFrame:
    """The normalised records (``normalise_records``' columns, ``_row`` and the per-record
    blocking keys) as a Spark DataFrame; ``sample``: a few records giving the columns."""
    from pyspark.sql import functions as F

    columns = list(sample.columns.union(MATCH_FIELDS, sort=False))
    if ROW not in records.columns:
        records = with_positions(records)
    schema = _schema(sample.head(2).reset_index(drop=True))
    prepared = records.mapInArrow(_batches(columns, schema), ddl(schema)).localCheckpoint()
    ignored = _id_like_numbers(prepared)
    carriers = (
        prepared.where(F.col("title").isNotNull())
        .groupBy("title")
        .agg(F.count_distinct("year").alias("_carriers"))
    )
    out = prepared.drop("title_carriers").join(carriers, "title", "left")
    count = F.coalesce(F.col("_carriers").cast("double"), F.lit(0.0))
    out = out.withColumn("title_carriers", F.greatest(count, F.lit(1.0)))
    for col in NUMBERS:
        if ignored[col]:
            out = out.withColumn(col, F.lit(None).cast("double"))
    order = [f.name for f in schema if not f.name.endswith("_raw")]
    return out.select(*order)


def collect_norm(norm: DataFrame, dtypes: pd.Series) -> pd.DataFrame:
    """The normalised table on the driver in ``_row`` order, with the local dtypes."""
    table = norm.select(ROW, *dtypes.index).toArrow()
    frame = table.to_pandas()
    frame = frame.iloc[np.argsort(frame[ROW].to_numpy(), kind="stable")]
    return restore(frame.reset_index(drop=True), dtypes)


def restore(frame: pd.DataFrame, dtypes: pd.Series) -> pd.DataFrame:
    """Columns back to the driver's dtypes (text as Python objects with None)."""
    out = {}
    for col, dtype in dtypes.items():
        s = frame[col]
        if isinstance(dtype, np.dtype) and dtype.kind == "O":
            out[col] = s.astype(object).where(s.notna(), None)
        else:
            out[col] = s.astype(dtype)
    return pd.DataFrame(out)
