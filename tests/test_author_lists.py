"""Author lists stay lists from the parsers to the writers: no stage splits a joined string
back, so a name holding ";" stays one name end to end."""

import json

import pandas as pd

from dedupe.core.records import written
from dedupe.export import export_text
from dedupe.matching.engine import match_records
from dedupe.matching.normalise import author_keys
from dedupe.parsing.files import parse_paths
from dedupe.validation.anomalies import apply_fixes, validate_records

ORG = "Health Ministry; Welfare Division"


def csl_item(key: str, given: str) -> dict:
    return {
        "id": key,
        "type": "article-journal",
        "title": "Peer support workers in rural mental health clinics: a randomised trial",
        "author": [{"family": "Doe", "given": given}, {"literal": ORG}],
        "issued": {"date-parts": [[2020]]},
        "container-title": "Journal of Rural Mental Health",
        "volume": "12",
        "page": "33-41",
    }


def test_a_name_holding_a_semicolon_stays_one_name_end_to_end(tmp_path):
    path = tmp_path / "items.json"
    path.write_text(json.dumps([csl_item("a", "Jane"), csl_item("b", "J.")]), encoding="utf-8")
    records = parse_paths([path]).records
    assert list(records["authors_norm"]) == [["Doe, Jane", ORG], ["Doe, J.", ORG]]
    keys = author_keys(records["authors_norm"])
    assert list(keys["families"]) == ["doe healthministrywelfaredivision"] * 2
    anomalies = validate_records(records)
    assert not anomalies["field"].eq("authors").any(), anomalies[["check", "value"]]
    corpus = match_records(records).corpus
    assert len(corpus) == 1 and corpus["authors_norm"][0] == ["Doe, Jane", ORG]
    assert corpus["merged_ids"][0] == list(records["record_id"])
    (item,) = json.loads(export_text(corpus, "csl-json"))
    assert item["author"] == [{"family": "Doe", "given": "Jane"}, {"literal": ORG}]
    assert written(corpus)["authors_norm"][0] == f"Doe, Jane; {ORG}"  # only writers join


RECORD = {
    "record_id": "r#1",
    "source_file": "f.csv",
    "source_line": 2,
    "source_format": "csv",
    "role": "main",
    "title": "Peer support in community clinics",
    "year": "2020",
    "journal": "Journal of Recovery Studies",
}


def test_author_checks_read_the_list_and_point_at_the_name():
    authors = ["Weidman, Danielle R. R.", "Lie,\u00a0Kari", "Berg, Anne", "et al."]
    records = pd.DataFrame([{**RECORD, "authors": authors}])
    anomalies = validate_records(records).set_index("check")
    assert {"doubled_initials", "stray_separator", "truncated_authors"} <= set(anomalies.index)
    for check, part in [("truncated_authors", "et al."), ("doubled_initials", "R. R.")]:
        row = anomalies.loc[check]
        assert row["value"] == "; ".join(authors)
        assert row["value"][row["span_start"] : row["span_end"]].strip() == part
    assert anomalies.loc["stray_separator", "suggestion"] == (
        "Weidman, Danielle R. R.; Lie, Kari; Berg, Anne; et al."
    )
    cleaned, changes = apply_fixes(records, anomalies.reset_index())
    assert cleaned.at[0, "authors"] == [
        "Weidman, Danielle R. R.",
        "Lie, Kari",
        "Berg, Anne",
        "et al.",
    ]
    assert changes["after"].tolist() == [cleaned.at[0, "authors"]]


def test_a_list_is_truncated_only_at_its_end():
    records = pd.DataFrame([{**RECORD, "authors": ["Dahl, Nina...", "Lie, Kari"]}])
    assert "truncated_authors" not in set(validate_records(records)["check"])
