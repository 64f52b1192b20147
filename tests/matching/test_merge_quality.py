"""The merge's choice of value reads the validation's findings (the anomaly table), and runs
the same checks itself only when it has none (``match`` used alone)."""

import pandas as pd

from dedupe.core.records import RECORD_COLUMNS
from dedupe.matching.merge import merge_clusters
from dedupe.validation.anomalies import still_flagged, validate_records

CLEAN = "Peer support in rural mental health clinics"
STRAY = "Peer support in rural mental health clinics\u00a0revisited"  # longer, flagged


def records() -> pd.DataFrame:
    base = {"source_file": "f.csv", "role": "main", "year": "2020", "journal": "J Rural Health"}
    return (
        pd.DataFrame(
            [
                {**base, "record_id": "a", "source_line": 2, "title": CLEAN, "authors": ["Doe, J"]},
                {**base, "record_id": "b", "source_line": 3, "title": STRAY, "authors": ["Doe, J"]},
            ]
        )
        .reindex(columns=RECORD_COLUMNS)
        .assign(authors_norm=lambda d: d["authors"])
    )


def canonical_title(anomalies) -> str:
    recs = records()
    corpus = merge_clusters(recs, pd.Series(["c", "c"]), anomalies)
    return corpus["title"][0]


def test_without_findings_the_merge_runs_the_checks_and_avoids_the_flagged_value():
    assert canonical_title(None) == CLEAN


def test_with_findings_the_merge_reads_them_instead_of_judging_again():
    found = validate_records(records())
    assert set(found.loc[found["field"] == "title", "record_id"]) == {"b"}
    assert canonical_title(found) == CLEAN
    assert canonical_title(found.iloc[0:0]) == STRAY  # nothing flagged: the longer value
    told = pd.DataFrame({"record_id": ["a"], "field": ["title"], "check": ["page_chrome"]})
    assert canonical_title(told) == STRAY  # the table, not a pattern run here, decides


def test_a_finding_whose_fix_was_applied_no_longer_counts():
    found = validate_records(records())
    changes = pd.DataFrame({"record_id": ["b"], "field": ["title"]})
    left = still_flagged(found, changes)
    assert not ((left["record_id"] == "b") & (left["field"] == "title")).any()
