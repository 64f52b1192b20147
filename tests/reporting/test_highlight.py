"""The report marks the span the anomaly table carries, without re-running any check."""

import pandas as pd

from dedupe.reporting.html import anomaly_groups, highlight


def test_highlight_uses_the_span():
    assert highlight("Peer 被引 support", 5, 7) == ("Peer ", "被引", " support")
    assert highlight("3020", None, None) == ("", "3020", "")
    assert highlight(None, None, None) == ("", "", "")


def test_anomaly_groups_mark_the_given_span_not_a_pattern_match():
    row = {
        "record_id": "r#1",
        "source_file": "f.csv",
        "source_line": 2,
        "field": "title",
        "check": "ui_label",
        "severity": "error",
        "value": "作者 and 被引 again",
        "message": "m",
        "suggestion": None,
        "span_start": 7,  # the second label, which a fresh regex search would not pick
        "span_end": 9,
    }
    (group,) = anomaly_groups(pd.DataFrame([row]))
    assert group["rows"][0]["parts"] == ("作者 and ", "被引", " again")
