"""Our own outputs read back (records.csv, records.cleaned.csv, corpus.csv): the CSV dialect
keeps each row's role, its original ids and where it came from."""

import json

import pandas as pd
import pytest

from dedupe.core.records import joined, written
from dedupe.matching.engine import match_records
from dedupe.parsing.files import parse_file
from dedupe.validation.anomalies import validate_records


@pytest.fixture(scope="module")
def seed_corpus(seed_result):
    return match_records(seed_result.records).corpus


def read_back(frame, tmp_path, name):
    path = tmp_path / name
    written(frame).to_csv(path, index=False)  # as the CSV writer writes it: lists joined
    records, failures, fmt = parse_file(path)
    assert fmt == "csv" and failures == []
    return pd.DataFrame(records)


def test_records_csv_keeps_roles_and_ids(seed_result, tmp_path):
    recs = seed_result.records
    back = read_back(recs, tmp_path, "records.csv")
    assert list(back["role"]) == list(recs["role"])
    assert list(back["source_id"]) == list(recs["record_id"])
    first = json.loads(back["provenance"][0])
    assert first["sources"] == f"{recs['source_file'][0]}:{recs['source_line'][0]}"


def test_records_csv_read_back_brings_no_new_role_findings(seed_result, tmp_path):
    back = read_back(seed_result.records, tmp_path, "records.cleaned.csv")
    before = validate_records(seed_result.records)
    after = validate_records(back)
    for check in ("missing_journal", "missing_year", "missing_title"):
        assert counts(after, check) == counts(before, check), check


def counts(anomalies, check):
    return anomalies[anomalies["check"] == check]["severity"].value_counts().to_dict()


def test_corpus_csv_keeps_roles_merged_ids_and_provenance(seed_corpus, tmp_path):
    back = read_back(seed_corpus, tmp_path, "corpus.csv")
    assert list(back["role"]) == list(seed_corpus["role"])
    assert list(back["source_id"]) == [joined(ids) for ids in seed_corpus["merged_ids"]]
    merged = seed_corpus["n_records"].astype(int) > 1
    row = int(merged.to_numpy().nonzero()[0][0])
    prov = json.loads(back["provenance"][row])
    assert prov["sources"] == joined(seed_corpus["sources"][row])
    assert prov["ids"] == joined(seed_corpus["merged_ids"][row])
    assert set(json.loads(seed_corpus["provenance"][row])) <= set(prov)


def test_a_plain_csv_with_a_role_column_but_no_ids_is_not_our_dialect(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("title,role\nA paper,reference\n", encoding="utf-8")
    (rec,), _, _ = parse_file(path)
    assert rec["role"] == "reference" and rec["provenance"] is None
