"""Anomalies carry the span they flag, so later stages need not run the checks again."""

import pandas as pd
import pytest

from dedupe.validation.anomalies import find_span, validate_records

RECORD = {
    "record_id": "r#1",
    "source_file": "f.csv",
    "source_line": 2,
    "source_format": "csv",
    "role": "main",
    "title": "Peer support 被引:3 in community clinics",
    "authors": "Dahl, Nina; Lie, Kari et al.",
    "year": "2020",
    "journal": "Journal of Recovery Studies",
}


@pytest.mark.parametrize(
    "check,value,part",
    [
        ("ui_label", "Peer support 被引:3 in clinics", "被引"),
        ("truncated_authors", "Dahl, Nina; Lie, Kari et al.", "et al."),
        ("glued_label", "AbstractThis study looks", "Abstract"),
    ],
    ids=["ui-label", "truncated", "glued"],
)
def test_span_is_the_flagged_part(check, value, part):
    start, end = find_span(check, value)
    assert value[start:end].strip() == part


def test_whole_value_findings_have_no_span():
    assert find_span("year_range", "3020") == (None, None)
    assert find_span("ui_label", None) == (None, None)


def test_validate_records_writes_the_spans():
    anomalies = validate_records(pd.DataFrame([RECORD]))
    row = anomalies[anomalies["check"] == "ui_label"].iloc[0]
    assert row["value"][row["span_start"] : row["span_end"]] == "被引"
    missing = anomalies[anomalies["check"].str.startswith("missing_")]
    assert missing["span_start"].isna().all()
