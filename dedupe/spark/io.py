"""Parquet in: a record table read by Spark for ``dedupe match --engine spark --in-parquet``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from dedupe.core.arrays import is_list_column
from dedupe.core.errors import InputError
from dedupe.core.names import normalise_authors, split_author_list
from dedupe.core.records import RECORD_COLUMNS

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import SparkSession


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


def read_records(spark: SparkSession, path: Path) -> pd.DataFrame:
    """The record table in ``path`` (a Parquet file or folder of parts): ``record_id`` and
    the bibliographic columns of ``records.csv``, as text; missing columns empty, unknown
    ones kept."""
    from pyspark.errors import AnalysisException
    from pyspark.sql import functions as F

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
