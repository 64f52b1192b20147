"""The merge per cluster on Spark gives exactly ``merge_clusters``' corpus."""

import json

import numpy as np
import pandas as pd
import pytest

from dedupe.matching.merge import merge_clusters
from dedupe.spark.merge import MERGE_COLUMNS, collect_corpus, named_clusters, spark_merge
from dedupe.spark.normalise import arrow_ready
from tests.matching.test_generalise import table

# cluster label (first row) of each of the 12 records: clusters of 3, 2, 4 and singles,
# interleaved, so batches of 3 records split clusters
LABELS = np.array([0, 1, 0, 3, 1, 5, 0, 3, 3, 9, 3, 11])


def _records() -> pd.DataFrame:
    """Twelve records with what the merge reads beyond the fields: roles, extras,
    ``listed_by`` (records of other clusters, of their own cluster, an id of no record)
    and provenance read back from an earlier run."""
    rows = []
    for i in range(12):
        rows.append(
            {
                "title": [f"Peer support {i % 3}", None, "PEER SUPPORT IN RURAL CARE"][i % 3],
                "authors": "Strand, M.; Wang, L." if i % 2 else "Strand, Mette",
                "authors_norm": "Strand, M.; Wang, L." if i % 2 else "Strand, Mette",
                "year": [None, "2020", "2021"][i % 3],
                "journal": ["BMC HEALTH SERV RES", "BMC Health Services Research", None][i % 3],
                "volume": str(10 + i % 2),
                "pages": None if i % 4 else "1-10",
                "abstract": None if i % 5 else f"Abstract {i}",
                "keywords": None if i % 3 else "peer; support" + "; care" * (i % 2),
                "url": f"https://example.org/{i}" if i % 4 == 1 else None,
            }
        )
    records = table(rows)
    records["role"] = ["main", "reference", "related", "main", "listed", "reference"] * 2
    records["listed_by"] = [None, "r3", "r0", None, "gone#1", "r6", None, "r9", "r4", None,
                            None, "r11"]  # fmt: skip
    records["provenance"] = [None] * 12
    records.loc[5, "provenance"] = json.dumps({"ids": ["old#1"]})
    records.loc[8, "provenance"] = json.dumps({"ids": ["old#2", "old#3"]})
    return records


@pytest.mark.parametrize("flagged", [False, True], ids=["checks-run", "anomalies-given"])
def test_spark_merge_equals_merge_clusters(spark, flagged):
    records = _records()
    ids = records["record_id"].to_numpy()
    # a flag no check would raise: only the anomaly table can make the merge skip it
    anomalies = (
        pd.DataFrame(
            {"record_id": ["r3", "r1"], "field": ["title", "journal"], "check": ["mojibake"] * 2}
        )
        if flagged
        else None
    )
    expected = merge_clusters(records, pd.Series(ids[LABELS]), anomalies)
    upload = arrow_ready(records[MERGE_COLUMNS]).assign(_row=np.arange(12, dtype=np.int64))
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", "3")
    try:
        frame = spark.createDataFrame(upload)
        multi = np.flatnonzero(np.bincount(LABELS)[LABELS] > 1)
        members = spark.createDataFrame(pd.DataFrame({"_row": multi, "_order": LABELS[multi]}))
        named = named_clusters(members, frame)
        got = collect_corpus(spark_merge(frame, named, anomalies))
    finally:
        spark.conf.unset("spark.sql.execution.arrow.maxRecordsPerBatch")
    pd.testing.assert_frame_equal(got, expected)
    assert expected["listed_by"].notna().any() and expected["provenance"].notna().any()
    if flagged:  # the flag changed the choice
        assert (
            expected["title"].tolist()
            != merge_clusters(records, pd.Series(ids[LABELS]))["title"].tolist()
        )
