"""The merge per cluster on the executors: the local engine's ``merge_clusters`` per batch.

``merge_clusters`` needs corpus-wide context for one column only, ``listed_by`` (the
cluster of the record that lists a record); it is resolved here with a join first, each
``listed_by`` replaced by its lister's cluster id (an id of no record kept as it is). The
local code, run on a batch of whole clusters, then gives exactly its rows for them: a
resolved cluster id C found among the batch's records is record C's own cluster (a cluster
is named after its first record), so a record listed from its own cluster is dropped and
any other lister kept, as over the whole table.

- Records of clusters of 2+ are joined with their cluster (id and first row:
  ``named_clusters``, from the components) and with the validation flags the merge reads
  (``flagged_values``: the anomalies of ``FLAG_CHECKS`` on their records), partitioned by
  cluster, sorted by
  (cluster, row) within partitions, and merged per Arrow batch in ``mapInArrow``, the last
  cluster of a batch carried over to the next so no cluster is split.
- Single records need no merge and no shuffle: the same function per batch where they are.

Each corpus row carries ``_order`` (its cluster's first row): the local corpus order.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa

from dedupe.matching.merge import (
    CORPUS_COLUMNS,
    EXTRA_FIELDS,
    FLAG_CHECKS,
    PUBLICATION_FIELDS,
    TEXT_FIELDS,
    merge_clusters,
)
from dedupe.spark.io import to_frame

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql.types import StructType

ROW = "_row"
ORDER = "_order"
CLUSTER = "_cluster"
FLAGS = "_flags"
MERGE_COLUMNS = [
    "record_id",
    "source_file",
    "source_line",
    *TEXT_FIELDS,
    *PUBLICATION_FIELDS,
    "role",
    *EXTRA_FIELDS,
    "listed_by",
    "provenance",
]
"""The record columns ``merge_clusters`` reads."""
LISTS = ("listed_by", "merged_ids", "sources")


def corpus_schema(records: StructType) -> StructType:
    """The corpus rows' Spark schema: each merged field typed as in ``records``."""
    from pyspark.sql.types import (
        ArrayType,
        DataType,
        LongType,
        StringType,
        StructField,
        StructType,
    )

    fields = []
    for name in CORPUS_COLUMNS:
        kind: DataType
        if name in LISTS:
            kind = ArrayType(StringType())
        elif name == "n_records":
            kind = LongType()
        elif name in records.fieldNames() and name not in ("cluster_id", "role", "provenance"):
            kind = records[name].dataType
        else:
            kind = StringType()
        fields.append(StructField(name, kind))
    return StructType([*fields, StructField(ORDER, LongType())])


def _anomalies(frame: pd.DataFrame) -> pd.DataFrame:
    """The flag entries carried in ``_flags`` (field, check per record) as anomaly rows."""
    flags = frame[["record_id", FLAGS]].explode(FLAGS).dropna()
    entries = pd.DataFrame(flags[FLAGS].tolist(), columns=["field", "check"])
    return entries.assign(record_id=flags["record_id"].to_numpy())


def _merged(table: pa.Table, flagged: bool, schema: pa.Schema) -> pa.Table:
    """``merge_clusters`` of a batch of whole clusters, records in row order within each
    (``_cluster`` names each record's cluster, ``_order`` its first row; ``flagged``: the
    anomalies came in ``_flags``)."""
    frame = to_frame(table)
    cluster_ids = frame.pop(CLUSTER).rename("cluster_id")
    order = pd.Series(frame.pop(ORDER).to_numpy(), index=cluster_ids.to_numpy())
    anomalies = _anomalies(frame) if flagged else None
    records = frame.drop(columns=[FLAGS, ROW], errors="ignore")
    corpus = merge_clusters(records, cluster_ids, anomalies)
    first = order[~order.index.duplicated()]
    corpus[ORDER] = first.reindex(corpus["cluster_id"].to_numpy()).to_numpy(np.int64)
    return pa.Table.from_pandas(corpus, schema=schema, preserve_index=False)


def _merge_runs(flagged: bool, schema: pa.Schema):
    """The function ``mapInArrow`` runs on records sorted by (cluster, row): whole clusters
    merged per batch, a batch's last cluster carried over to the next batch."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        pending: pa.Table | None = None
        for batch in batches:
            table = pa.Table.from_batches([batch])
            if pending is not None:
                table = pa.concat_tables([pending, table])
            order = table.column(ORDER).to_numpy()
            cut = int(np.searchsorted(order, order[-1])) if len(order) else 0
            pending = table.slice(cut)
            if cut:
                yield from _merged(table.slice(0, cut), flagged, schema).to_batches()
        if pending is not None and pending.num_rows:
            yield from _merged(pending, flagged, schema).to_batches()

    return run


def _merge_each(schema: pa.Schema):
    """The function ``mapInArrow`` runs on single records: each batch as it comes."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            if batch.num_rows:
                yield from _merged(pa.Table.from_batches([batch]), False, schema).to_batches()

    return run


def _flag_entries(spark: SparkSession, anomalies: pd.DataFrame) -> DataFrame:
    """Per record with any, its anomalies of ``FLAG_CHECKS`` as (field, check) entries."""
    from pyspark.sql import functions as F

    hit = anomalies.loc[anomalies["check"].isin(FLAG_CHECKS), ["record_id", "field", "check"]]
    hit = hit.drop_duplicates().astype(str)
    table = spark.createDataFrame(hit, "record_id string, field string, check string")
    entry = F.struct(F.col("field"), F.col("check"))
    return table.groupBy("record_id").agg(F.collect_list(entry).alias(FLAGS))


def _listers_resolved(records: DataFrame) -> DataFrame:
    """``records`` with each ``listed_by`` record id replaced by that record's cluster id
    (ids of no record kept)."""
    from pyspark.sql import functions as F

    if "listed_by" not in records.columns:
        return records
    clusters = records.select(
        F.col("record_id").alias("_lister_id"), F.col(CLUSTER).alias("_lister")
    )
    has = records.where(F.col("listed_by").isNotNull())
    resolved = has.join(clusters, has["listed_by"] == clusters["_lister_id"], "left")
    resolved = resolved.withColumn("listed_by", F.coalesce(F.col("_lister"), F.col("listed_by")))
    resolved = resolved.drop("_lister_id", "_lister")
    return resolved.unionByName(records.where(F.col("listed_by").isNull()))


def named_clusters(members: DataFrame, ids: DataFrame) -> DataFrame:
    """``members`` (``_row``, ``_order``: the records of clusters of 2+ and their cluster's
    first row) with ``_cluster``, the cluster's id (its first record's; ``ids``: ``_row``,
    ``record_id`` of every record)."""
    from pyspark.sql import functions as F

    first = ids.select(F.col(ROW).alias(ORDER), F.col("record_id").alias(CLUSTER))
    return members.select(ROW, ORDER).join(first, ORDER)


def cluster_table(ids: DataFrame, named: DataFrame) -> DataFrame:
    """The clusters table (``_row``, ``record_id``, ``cluster_id``) of every record in
    ``ids``: a record in none of the ``named`` clusters is its own."""
    from pyspark.sql import functions as F

    tagged = ids.select(ROW, "record_id").join(named.select(ROW, CLUSTER), ROW, "left")
    cluster = F.coalesce(F.col(CLUSTER), F.col("record_id")).alias("cluster_id")
    return tagged.select(ROW, "record_id", cluster)


def spark_merge(records: DataFrame, named: DataFrame, anomalies: pd.DataFrame | None) -> DataFrame:
    """The merged corpus (``merge_clusters``' rows and ``_order``) computed on Spark.

    ``records``: the merge's columns with ``_row``; ``named``: the records of clusters of
    2+ with their cluster (``named_clusters``); ``anomalies``: as ``merge_clusters`` takes
    them."""
    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import to_arrow_schema

    spark = records.sparkSession
    upload = named.select(ROW, CLUSTER, ORDER)
    tagged = records.join(upload, ROW, "left").withColumn("_multi", F.col(ORDER).isNotNull())
    tagged = tagged.withColumn(CLUSTER, F.coalesce(F.col(CLUSTER), F.col("record_id")))
    tagged = _listers_resolved(tagged.withColumn(ORDER, F.coalesce(F.col(ORDER), F.col(ROW))))
    schema = corpus_schema(records.schema)
    arrow = to_arrow_schema(schema)
    singles = tagged.where(~F.col("_multi")).drop("_multi")
    grouped = tagged.where(F.col("_multi")).drop("_multi")
    if anomalies is not None:
        grouped = grouped.join(_flag_entries(spark, anomalies), "record_id", "left")
    parts = int(spark.conf.get("spark.sql.shuffle.partitions") or 200)
    grouped = grouped.repartition(parts, ORDER).sortWithinPartitions(ORDER, ROW)
    merged = grouped.mapInArrow(_merge_runs(anomalies is not None, arrow), schema)
    return merged.unionByName(singles.mapInArrow(_merge_each(arrow), schema))


def collect_corpus(corpus: DataFrame) -> pd.DataFrame:
    """The merged corpus on the driver, in the local order and with its dtypes."""
    table = corpus.toArrow()
    frame = to_frame(table)
    order = np.argsort(frame.pop(ORDER).to_numpy(), kind="stable")
    frame = frame.take(order).reset_index(drop=True)[CORPUS_COLUMNS]
    if (frame["n_records"] > 1).any():  # as merge_clusters gives them once a cluster merged
        frame["n_records"] = frame["n_records"].astype(object)
    return frame
