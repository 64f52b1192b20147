"""End to end over seeds/: every record the four seed files contain, field by field."""

import json

import pytest
from conftest import EXPECTED

FIELDS = ["role", "title", "authors_norm", "year", "journal", "volume", "issue", "pages", "doi"]
EXPECTED_RECORDS = json.loads((EXPECTED / "seeds_records.json").read_text(encoding="utf-8"))


def _key(rec):
    return f"{rec['file'][:3]}:{rec['line']}"


@pytest.fixture(scope="module")
def by_key(seed_result):
    recs = seed_result.records
    return {f"{r.source_file.rsplit('/', 1)[-1][:3]}:{r.source_line}": r for r in recs.itertuples()}


def test_record_counts_per_file_and_role(seed_result):
    counts = seed_result.records.groupby(
        [seed_result.records.source_file.str.extract(r"(\d{3})_")[0], "role"]
    ).size()
    assert counts.to_dict() == {
        ("000", "main"): 1,
        ("000", "reference"): 5,
        ("001", "listed"): 8,
        ("001", "main"): 1,
        ("002", "main"): 1,
        ("002", "related"): 10,
        ("003", "main"): 1,
        ("003", "related"): 10,
    }
    assert seed_result.errors == []


@pytest.mark.parametrize("expected", EXPECTED_RECORDS, ids=_key)
def test_seed_record_fields(by_key, expected):
    rec = by_key[_key(expected)]
    got = {f: getattr(rec, f) for f in FIELDS}
    assert got == {f: expected[f] for f in FIELDS}


def test_record_ids_unique_and_traceable(seed_result):
    recs = seed_result.records
    assert recs.record_id.is_unique
    assert recs.source_line.min() >= 1
    assert set(recs.source_format) == {"abstract-page", "scholarly", "wos-cn"}


def test_main_record_extras(by_key):
    wos = by_key["002:1"]
    assert wos.times_cited == "0" and wos.page_count == "11"
    assert wos.author_affiliations == ["1", "1,2,3"]
    assert wos.classification.startswith("C916")
    assert wos.keywords.startswith("Child and youth mental health;")
    page = by_key["000:1"]
    assert page.funder.startswith("Partnership Engage Grants")
    assert page.publisher == "Springer Science and Business Media LLC"
    assert page.cited_by == "2" and page.reference_count == "54"
    assert page.abstract.startswith("Background This qualitative study")
    assert by_key["001:38"].authors[-1] == "..."


def test_chrome_lines_are_reported_not_lost(seed_result):
    f = seed_result.failures
    dropped = {(p.rsplit("/", 1)[-1][:3], line) for p, line in zip(f.source_file, f.source_line)}
    assert {("000", 25), ("000", 26), ("001", 93), ("001", 95), ("001", 97)} <= dropped
    assert (f.kind == "failure").sum() == 0
