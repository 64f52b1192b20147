"""Parquet in: a record table read by Spark for ``dedupe match --engine spark --in-parquet``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from dedupe.core.errors import InputError
from dedupe.core.records import RECORD_COLUMNS

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import SparkSession


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
    text = [F.col(f"`{c}`").cast("string").alias(c) for c in df.columns]
    records = df.select(*text).toArrow().to_pandas()
    records = records.astype(object).where(records.notna(), None)
    if records["record_id"].isna().any() or records["record_id"].duplicated().any():
        raise InputError(f"{path}: record_id must be present and unique in every row.")
    order = RECORD_COLUMNS + [c for c in records.columns if c not in RECORD_COLUMNS]
    return records.reindex(columns=order)
