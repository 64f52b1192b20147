"""The smaller holes of issue 13, each closed: ids, columns, decisions, SARIF, exit codes."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from dedupe.cli import main
from dedupe.core.records import content_hash, make_record_id
from dedupe.gate.check import CheckResult, Finding
from dedupe.gate.formats import sarif
from dedupe.parsing.files import parse_text


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DEDUPE_CACHE", "off")
    return tmp_path


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_record_id_numbering_is_linear_in_identical_records():
    taken: dict[str, int] = {}
    start = time.process_time()
    digest = content_hash({"title": "same"})
    ids = [make_record_id("a", digest, taken) for _ in range(50_000)]
    assert time.process_time() - start < 5  # was quadratic: minutes for 50,000 copies
    assert len(set(ids)) == 50_000
    assert ids[:3] == [ids[0], f"{ids[0]}-2", f"{ids[0]}-3"]


def test_duplicate_csv_columns_are_reported():
    text = "title,year,Title\nFirst,2020,Second\n"
    rows, fails, _ = parse_text(text, Path("dup.csv"))
    assert rows[0]["title"] == "First"
    assert [f["kind"] for f in fails] == ["unattached"]
    assert "column 3 'Title' repeats column 1 'title'" in fails[0]["reason"]


def test_broken_quoting_does_not_emit_a_misaligned_record():
    text = 'title,authors,year\n"Good paper","Doe, J",2020\n"Broken, "Doe, J",2021,extra\n'
    rows, fails, _ = parse_text(text, Path("broken.csv"))
    assert [r["title"] for r in rows] == ["Good paper"]
    assert [(f["kind"], f["source_line"]) for f in fails] == [("failure", 3)]
    assert "malformed CSV row (not read)" in fails[0]["reason"]
    assert fails[0]["raw"].startswith('"Broken, "Doe')


def test_stale_decisions_are_reported(here):
    (here / "in").mkdir()
    (here / "in" / "a.csv").write_text("title,year\nA paper on peers,2020\n", encoding="utf-8")
    (here / "decisions.csv").write_text(
        "record_id_l,record_id_r,decision\na#0000000000,a#1111111111,same\n", encoding="utf-8"
    )
    res = run("run", "in", "--out", "out", "--decisions", "decisions.csv")
    assert res.exit_code == 0, res.output
    assert (
        "Warning: decisions.csv: decision a#0000000000 / a#1111111111 (same) names a record "
        in (res.output)
    )
    summary = json.loads((here / "out" / "summary.json").read_text())
    assert len(summary["stale_decisions"]) == 1


def test_sarif_uris_are_percent_encoded(here):
    finding = Finding("fp", "anomaly", "year_range", "error", "seeds/a b#1%é.csv", 2, "year", "m")
    log = json.loads(sarif(CheckResult([finding], [finding])))
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri["uri"] == "seeds/a%20b%231%25%C3%A9.csv"


def test_parse_exits_1_with_parse_failures_as_documented(here):
    (here / "in").mkdir()
    (here / "in" / "a.jsonl").write_text('{"title": "ok", "year": "2020"}\n{broken\n')
    res = run("parse", "in", "--out", "out")
    assert res.exit_code == 1, res.output
    assert "1 parse failures" in res.output
    (here / "in" / "a.jsonl").write_text('{"title": "ok", "year": "2020"}\n')
    assert run("parse", "in", "--out", "out").exit_code == 0
    assert len(pd.read_csv(here / "out" / "records.csv")) == 1
