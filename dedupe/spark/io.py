"""Parquet in: a record table read by Spark for ``dedupe match --engine spark --in-parquet``
(left on Spark: ``read_frame``), and Arrow tables as the driver's record frames."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa

from dedupe.core.arrays import is_list_column, objects
from dedupe.core.errors import InputError
from dedupe.core.names import normalise_authors, split_author_list
from dedupe.core.records import RECORD_COLUMNS

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame, SparkSession


def author_lists(records: pd.DataFrame) -> pd.DataFrame:
    """Author columns given as text (a table not written by dedupe) read as the parsers read
    them: names split from ``authors``, normalised into ``authors_norm``."""
    if "authors" not in records or is_list_column(records["authors"]):
        return records
    names = [split_author_list(a) if isinstance(a, str) else [] for a in records["authors"]]
    return records.assign(
        authors=[n or None for n in names],
        authors_norm=[normalise_authors(n) or None for n in names],
        author_affiliations=None,
    )


def to_frame(table: pa.Table) -> pd.DataFrame:
    """An Arrow table as the driver holds records: text as Python objects with None,
    lists as Python lists, whole numbers as int64."""
    out = {}
    for name, column in zip(table.column_names, table.columns):
        if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
            out[name] = pd.Series(column.to_pylist(), dtype=object)
        elif pa.types.is_integer(column.type) and column.null_count == 0:
            out[name] = pd.Series(column.to_numpy(), dtype=np.int64)
        else:
            out[name] = objects(pd.Series(column.to_pandas()))
    return pd.DataFrame(out)


def _parquet(spark: SparkSession, path: Path) -> DataFrame:
    """The Parquet table at ``path``, with a ``record_id`` column (else InputError)."""
    from pyspark.errors import AnalysisException

    try:
        df = spark.read.parquet(str(path))
    except AnalysisException as exc:
        first = str(exc).splitlines()[0][:200]
        raise InputError(f"{path}: cannot read as Parquet ({first}).") from None
    if "record_id" not in df.columns:
        raise InputError(
            f"{path}: the Parquet table has no record_id column; write the records with "
            "dedupe's record columns (as in records.csv)."
        )
    return df


def _author_batches(schema: pa.Schema):
    """The function ``mapInArrow`` runs: ``author_lists`` per batch."""

    def run(batches):
        for batch in batches:
            frame = author_lists(to_frame(pa.Table.from_batches([batch])))
            yield from pa.Table.from_pandas(frame, schema=schema, preserve_index=False).to_batches()

    return run


def read_frame(spark: SparkSession, path: Path) -> DataFrame:
    """The record table in ``path`` as ``read_records`` reads it, left on Spark: columns
    as text (lists kept), the record columns missing added empty, author names split per
    batch from text; record ids checked present and unique by counting."""
    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import from_arrow_schema, to_arrow_schema

    df = _parquet(spark, path)
    lists = {f.name for f in df.schema.fields if f.dataType.typeName() == "array"}
    cols = [F.col(f"`{c}`") if c in lists else F.col(f"`{c}`").cast("string").alias(c)
            for c in df.columns]  # fmt: skip
    cols += [F.lit(None).cast("string").alias(c) for c in RECORD_COLUMNS if c not in df.columns]
    df = df.select(*cols)
    total, present, distinct = df.agg(
        F.count(F.lit(1)), F.count("record_id"), F.count_distinct("record_id")
    ).collect()[0]
    if not total == present == distinct:
        raise InputError(f"{path}: record_id must be present and unique in every row.")
    if "authors" not in lists:
        names = ("authors", "authors_norm", "author_affiliations")
        arrow = to_arrow_schema(df.schema)
        fields = [pa.field(f.name, pa.list_(pa.string())) if f.name in names else f for f in arrow]
        schema = pa.schema(fields)
        df = df.mapInArrow(_author_batches(schema), from_arrow_schema(schema))
    order = RECORD_COLUMNS + [c for c in df.columns if c not in RECORD_COLUMNS]
    return df.select(*[F.col(f"`{c}`") for c in order])


def records_named(records: DataFrame, ids) -> pd.DataFrame:
    """``record_id`` and ``title`` of the records with these ids, on the driver (the
    titles of the pairs to review)."""
    wanted = pd.DataFrame({"record_id": pd.unique(pd.Series(ids, dtype=object))})
    joined = records.join(
        records.sparkSession.createDataFrame(wanted, "record_id string"), "record_id"
    )
    return to_frame(joined.select("record_id", "title").toArrow())


def read_records(spark: SparkSession, path: Path) -> pd.DataFrame:
    """The record table in ``path`` (a Parquet file or folder of parts): ``record_id`` and
    the bibliographic columns of ``records.csv``, as text; missing columns empty, unknown
    ones kept."""
    from pyspark.sql import functions as F

    df = _parquet(spark, path)
    lists = {f.name for f in df.schema.fields if f.dataType.typeName() == "array"}
    text = [F.col(f"`{c}`").cast("string").alias(c) for c in df.columns if c not in lists]
    table = df.select(*text, *[F.col(f"`{c}`") for c in lists]).toArrow()
    records = table.to_pandas().astype(object)
    records = records.where(records.notna(), None)
    for c in lists:  # arrays of names (records written by dedupe) stay lists
        records[c] = table.column(c).to_pylist()
    records = author_lists(records.reindex(columns=list(df.columns)))
    if records["record_id"].isna().any() or records["record_id"].duplicated().any():
        raise InputError(f"{path}: record_id must be present and unique in every row.")
    order = RECORD_COLUMNS + [c for c in records.columns if c not in RECORD_COLUMNS]
    return records.reindex(columns=order)
