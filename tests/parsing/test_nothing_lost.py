"""Nothing is lost silently: empty yields, unattached text, skipped paths, broken checks."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import pytest
from conftest import SEEDS

from dedupe.parsing.files import OUTPUT_MARKER, parse_paths, walk_paths
from dedupe.validation.anomalies import validate_records

SCHOLARLY = SEEDS / "001_83ddec2a4e93f6b8.txt"


@pytest.fixture
def latin1_scholarly(tmp_path) -> Path:
    """The scholarly seed after a Latin-1 round trip turned its ◽ separators into "|"."""
    path = tmp_path / "roundtrip.txt"
    path.write_text(SCHOLARLY.read_text(encoding="utf-8").replace("◽", "|"), encoding="utf-8")
    return path


def test_file_without_records_is_an_error_finding(latin1_scholarly):
    parsed = parse_paths([latin1_scholarly])
    assert parsed.records.empty
    assert list(parsed.files) == [str(latin1_scholarly)]
    anomalies = validate_records(parsed.records, parsed.failures)
    empty = anomalies[anomalies["check"] == "no_records"]
    assert list(empty["severity"]) == ["error"]
    assert "no records found reading it as scholarly" in empty["message"].iloc[0]


def test_unattached_text_is_a_warning_not_chrome(latin1_scholarly):
    parsed = parse_paths([latin1_scholarly])
    kinds = set(parsed.failures["kind"])
    assert "unattached" in kinds
    anomalies = validate_records(parsed.records, parsed.failures)
    loose = anomalies[anomalies["check"] == "unattached_text"]
    assert len(loose) > 0 and set(loose["severity"]) == {"warning"}
    chrome = parsed.failures[parsed.failures["kind"] == "dropped"]
    assert not chrome["reason"].str.contains("not attached|outside any").any()


def test_every_non_blank_line_of_the_broken_page_is_reported(latin1_scholarly):
    parsed = parse_paths([latin1_scholarly])
    text = latin1_scholarly.read_text(encoding="utf-8").split("\n")
    reported = " ".join(parsed.failures["raw"].astype(str))
    for line in text:
        assert line.strip() in reported


def test_skipped_paths_are_reported_with_their_reason(tmp_path):
    top = tmp_path / "in"
    (top / "sub").mkdir(parents=True)
    (top / "sub" / "a.csv").write_text("title\nx\n", encoding="utf-8")
    (top / ".hidden.csv").write_text("title\nx\n", encoding="utf-8")
    (top / "sub" / "loop").symlink_to(top, target_is_directory=True)
    (top / "dangling.csv").symlink_to(tmp_path / "nowhere.csv")
    (top / "out").mkdir()
    (top / "out" / OUTPUT_MARKER).write_text("", encoding="utf-8")
    (top / "out" / "records.csv").write_text("title\nx\n", encoding="utf-8")
    (top / "reports").mkdir()
    (top / "reports" / "records.csv").write_text("title\nx\n", encoding="utf-8")
    files, skipped, unreadable, hidden = walk_paths([top], exclude=[top / "reports"])
    assert files == [top / "sub" / "a.csv"]
    why = {Path(e.path).name: e.message for e in skipped}
    assert ".hidden.csv" not in why and hidden == [str(top / ".hidden.csv")]
    assert "symbolic link loop" in why["loop"]
    assert "cannot follow" in why["dangling.csv"]
    assert "output folder" in why["out"] and "output folder" in why["reports"]
    assert unreadable == []


def test_unreadable_subfolder_is_an_error(tmp_path, monkeypatch):
    (tmp_path / "locked").mkdir()
    (tmp_path / "ok.csv").write_text("title\nx\n", encoding="utf-8")
    real = os.scandir

    def scandir(path="."):
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    parsed = parse_paths([tmp_path])
    assert [str(e) for e in parsed.errors] == [
        f"{tmp_path / 'locked'}: cannot list folder (Permission denied)."
    ]
    assert len(parsed.records) == 1


def test_a_check_that_raises_is_reported_not_dropped():
    def broken(series: pd.Series) -> pd.Series:
        raise RuntimeError("boom")

    schema = pa.DataFrameSchema({"title": pa.Column(str, pa.Check(broken), nullable=True)})
    records = pd.DataFrame(
        {
            "record_id": ["a#1"],
            "source_file": ["a.csv"],
            "source_line": [2],
            "role": ["main"],
            "title": ["T"],
            "year": ["2020"],
            "journal": ["J"],
        }
    )
    anomalies = validate_records(records, schema=schema)
    errors = anomalies[anomalies["check"] == "check_error"]
    assert len(errors) == 1
    assert errors["field"].iloc[0] == "title" and errors["severity"].iloc[0] == "error"
    assert "boom" in errors["value"].iloc[0]


def test_hidden_entries_are_skipped_quietly_and_counted(tmp_path):
    """.git, caches and dotfiles are expected: no note per entry on every run, a count in
    the summary; other skipped paths are still said with their reason."""
    import json

    from click.testing import CliRunner

    from dedupe.cli import main

    top = tmp_path / "in"
    (top / ".git" / "objects").mkdir(parents=True)
    (top / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    (top / ".notes.csv").write_text("title\nx\n", encoding="utf-8")
    (top / "a.csv").write_text("title,year\nA paper on peer support,2020\n", encoding="utf-8")
    (top / "gone.csv").symlink_to(tmp_path / "nowhere.csv")
    res = CliRunner().invoke(main, ["run", str(top), "--out", str(tmp_path / "out")])
    assert res.exit_code in (0, 1), res.output
    notes = [ln for ln in res.output.splitlines() if ln.startswith("Note:")]
    gone = f"{top / 'gone.csv'}: skipped: cannot follow (No such file or directory)"
    assert notes == [f"Note: {gone}"]
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["hidden_paths_skipped"] == 2
    assert summary["skipped_paths"] == [gone]
    assert summary["files"][0]["lines"] == {"layout": 1, "record": 1}


def test_a_file_without_records_is_in_the_summary_and_the_report(latin1_scholarly, tmp_path):
    import json

    from click.testing import CliRunner

    from dedupe.cli import main

    good = tmp_path / "good.csv"
    good.write_text("title,year\nA paper on peer support,2020\n", encoding="utf-8")
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["run", str(latin1_scholarly), str(good), "--out", str(out)])
    assert res.exit_code in (0, 1), res.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    files = {f["file"]: f for f in summary["files"]}
    assert files[str(latin1_scholarly)]["records"] == 0
    assert files[str(latin1_scholarly)]["lines"]["unattached"] > 0
    assert summary["files_without_records"] == [str(latin1_scholarly)]
    sources = {s["source"]: s["records"] for s in summary["prisma"]["sources"]}
    assert sources[str(latin1_scholarly)] == 0
    assert latin1_scholarly.name in (out / "report.html").read_text(encoding="utf-8")
