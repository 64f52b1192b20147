"""Outputs: staged and moved into place, OS errors as one line, CSV injection neutralised."""

from __future__ import annotations

import errno
import json

import pandas as pd
import pytest
from click.testing import CliRunner

from dedupe.cli import main
from dedupe.reporting.outputs import StagedOutputs

CORPUS = (
    "title,authors,year,journal\n"
    '"=HYPERLINK(""http://evil.example"",""click"")","Aho, Liisa",2018,Journal of Hope\n'
    '"Peer workers on night shifts: a diary study","Brun, Emil",2019,"+Journal of Night"\n'
    '"Carers in rural Norway","@Cole, Ada",2020,Carer Review\n'
)


@pytest.fixture
def corpus(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DEDUPE_CACHE", "off")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "corpus.csv").write_text(CORPUS, encoding="utf-8")
    return tmp_path


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_formula_cells_are_neutralised_and_flagged(corpus):
    res = run("run", "in", "--out", "out")
    assert res.exit_code == 0, res.output
    records = pd.read_csv(corpus / "out" / "records.csv", dtype=str, keep_default_na=False)
    assert records["title"].iloc[0] == '\'=HYPERLINK("http://evil.example","click")'
    assert records["journal"].iloc[1] == "'+Journal of Night"
    for name in ("records.csv", "anomalies.csv", "corpus.csv", "pairs.csv", "clusters.csv"):
        text = (corpus / "out" / name).read_text(encoding="utf-8")
        cells = text.replace("\n", ",").split(",")
        assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
    anomalies = pd.read_csv(corpus / "out" / "anomalies.csv", dtype=str)
    flagged = anomalies[anomalies["check"] == "formula_cell"]
    assert set(flagged["field"]) == {"title", "journal", "authors"}
    raw = run("parse", "in", "--out", "raw", "--raw-csv")
    assert raw.exit_code == 0, raw.output
    records = pd.read_csv(corpus / "raw" / "records.csv", dtype=str, keep_default_na=False)
    assert records["title"].iloc[0].startswith("=HYPERLINK")


def test_interrupted_run_leaves_the_previous_outputs(corpus, monkeypatch):
    assert run("run", "in", "--out", "out").exit_code == 0
    before = {p.name: p.read_bytes() for p in (corpus / "out").iterdir()}
    (corpus / "in" / "more.csv").write_text(CORPUS.replace("2018", "2017"), encoding="utf-8")
    real = StagedOutputs.text

    def interrupt(self, name, text):
        if name == "report.html":
            raise KeyboardInterrupt
        real(self, name, text)

    monkeypatch.setattr(StagedOutputs, "text", interrupt)
    run("run", "in", "--out", "out")
    after = {p.name: p.read_bytes() for p in (corpus / "out").iterdir()}
    assert after == before
    assert [p.name for p in corpus.iterdir() if p.name.startswith(".out")] == []


def test_out_pointing_at_a_file_is_one_line_exit_2(corpus):
    (corpus / "taken").write_text("x")
    res = run("parse", "in", "--out", "taken")
    assert res.exit_code == 2
    assert res.output.strip().splitlines()[-1] == (
        "Error: taken: --out is a file, not a folder; name a folder."
    )


def test_full_disk_is_one_line_exit_2_naming_the_path(corpus, monkeypatch):
    def full(frame, path, **kw):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr("dedupe.reporting.outputs.write_csv", full)  # every CSV goes there
    res = run("parse", "in", "--out", "out")
    assert res.exit_code == 2
    last = res.output.strip().splitlines()[-1]
    assert last.startswith("Error: ") and "records.csv" in last
    assert "No space left on device" in last and "Traceback" not in res.output
    assert not (corpus / "out" / "records.csv").exists()


def test_update_baseline_into_a_missing_folder_is_one_line_exit_2(corpus):
    res = run("check", "in", "--baseline", "nowhere/baseline.json", "--update-baseline")
    assert res.exit_code == 2
    assert "Error: nowhere/baseline.json: cannot write the baseline" in res.output
    assert "Traceback" not in res.output


def test_output_folder_is_never_read_as_input(corpus):
    for _ in range(2):
        res = run("run", ".", "--out", "reports")
        assert res.exit_code == 0, res.output
        summary = json.loads((corpus / "reports" / "summary.json").read_text())
        assert summary["records_read"] == 3
    assert any("output folder" in s for s in summary["skipped_paths"])
    assert "reports: skipped: output folder of dedupe" in res.output  # also said on stderr


def test_export_into_a_file_is_one_line_exit_2(corpus):
    assert run("run", "in", "--out", "out").exit_code == 0
    (corpus / "taken").write_text("x")
    res = run("export", "out/corpus.csv", "--out", "taken")
    assert res.exit_code == 2
    assert res.output.strip().splitlines()[-1].startswith("Error: ")
    assert "Traceback" not in res.output
    res = run("export", "out/corpus.csv", "--out", "exports")
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (corpus / "exports").iterdir() if not p.name.startswith("."))
