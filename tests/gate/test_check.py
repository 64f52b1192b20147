"""`dedupe check` end to end in a temporary git repository, and its output formats."""

import json
import shutil
import subprocess

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, SEEDS

from dedupe.cli import main

CLEAN_WOS = """Peer navigation for young adults leaving psychiatric inpatient care: a pilot study

被引:0
|
作者
Haugen, Ingrid [1 ]
Kowalski, Marek [2 ]
机构
[1] Univ Bergen, Dept Psychol, Bergen, Norway
[2] Jagiellonian Univ, Krakow, Poland
来源
NORDIC JOURNAL OF PSYCHIATRY | 2021年 / 75卷 / 3期
关键词
Peer navigation; Transition; Young adults;
D O I
10.1080/08039488.2021.1234567
摘要
Peer navigators supported twenty young adults for three months after discharge.
页码:201 / 209
页数:9
"""
DUPLICATE_CSV = (
    "title,authors,year,journal,volume\n"
    '"Peer support in an outpatient clinic for people living with human immunodeficiency '
    'virus: a qualitative study of service users experiences",'
    '"Anita Ogard-Repal; Rigmor C. Berg; Vegard Skogen; Mariann Fossum",2022,'
    "BMC HEALTH SERVICES RESEARCH,22\n"
)
DAMAGED_CSV = (
    "title,authors,year,journal\n"
    '"A clean paper on recovery colleges in rural Norway","Lie, Kari; Berg, Ola",2019,'
    "Journal of Recovery Studies\n"
    '"Peer support 被引:3 in community clinics: lessons from Ã˜stfold","Dahl, Nina",2020,'
    "Journal of Recovery Studies\n"
)
THREE_ROWS = (
    "title,authors,year,journal\n"
    '"Recovery colleges and the politics of hope","Aho, Liisa",2018,Journal of Hope Studies\n'
    '"Peer workers on night shifts: a diary study","Brun, Emil",2019,Journal of Night Work\n'
    '"Occupational identity of carers: a review in ALL CAPS?","Cole, Ada",2020,'
    "Carer Review\n"
)


def git(repo, *args):
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path, monkeypatch):
    if not shutil.which("git"):
        pytest.skip("git is not installed")
    shutil.copytree(SEEDS, tmp_path / "seeds")
    (tmp_path / "seeds" / "three.csv").write_text(THREE_ROWS, encoding="utf-8")
    git(tmp_path, "init", "-q")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    res = CliRunner().invoke(main, ["check", "--update-baseline"])
    assert res.exit_code == 0, res.output
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "corpus and baseline")
    return tmp_path


def check(*args):
    return CliRunner().invoke(main, ["check", *args])


def test_accepted_corpus_passes(repo):
    res = check()
    assert res.exit_code == 0, res.output
    assert "0 new" in res.output


def test_clean_new_seed_file_passes(repo):
    (repo / "seeds" / "new_clean.txt").write_text(CLEAN_WOS, encoding="utf-8")
    res = check("--since", "HEAD")
    assert res.exit_code == 0, res.output
    assert "1 file(s) checked" in res.output


def test_new_file_repeating_a_paper_fails_naming_both_records(repo):
    (repo / "seeds" / "repeat.csv").write_text(DUPLICATE_CSV, encoding="utf-8")
    res = check("--since", "HEAD")
    assert res.exit_code == 1, res.output
    line = next(ln for ln in res.output.splitlines() if "duplicate" in ln)
    assert "seeds/repeat.csv:2" in line
    assert "003_cced5f36f0e6b9f9.txt:5" in line  # the seed's entry (line 50 or 56)
    assert "repeat#" in line and "003_cced5f36f0e6b9f9#" in line
    assert "probability" in line


def test_mojibake_and_ui_labels_fail_naming_file_line_and_field(repo):
    (repo / "seeds" / "damaged.csv").write_text(DAMAGED_CSV, encoding="utf-8")
    res = check("--changed", "seeds/damaged.csv")
    assert res.exit_code == 1, res.output
    failing = [ln for ln in res.output.splitlines() if ln.startswith("seeds/damaged.csv:3")]
    checks = {ln.split(": ")[2].split()[0] for ln in failing}
    assert {"mojibake", "ui_label"} <= checks
    assert all(" title: " in ln or " title" in ln for ln in failing if "mojibake" in ln)
    assert not any(ln.startswith("seeds/damaged.csv:2") for ln in res.output.splitlines())
    assert check("--update-baseline").exit_code == 0
    assert check().exit_code == 0
    assert check("--changed", "seeds/damaged.csv").exit_code == 0


def test_reordering_an_accepted_file_still_passes(repo):
    lines = (repo / "seeds" / "three.csv").read_text().splitlines()
    (repo / "seeds" / "three.csv").write_text("\n".join([lines[0]] + lines[1:][::-1]) + "\n")
    res = check()
    assert res.exit_code == 0, res.output


def test_moved_and_renamed_files_with_the_same_content_still_pass(repo):
    """Fingerprints hold content, not file names: moving every seed (duplicates and dropped
    chrome lines included) re-opens nothing; a changed copy does."""
    moved = repo / "seeds" / "moved"
    moved.mkdir()
    for path in sorted(p for p in (repo / "seeds").iterdir() if p.is_file()):
        path.rename(moved / f"renamed-{path.name}")
    res = check()
    assert res.exit_code == 0, res.output
    assert "0 new" in res.output
    three = moved / "renamed-three.csv"
    rows = three.read_text(encoding="utf-8").splitlines()
    three.write_text("\n".join([*rows, rows[1]]) + "\n", encoding="utf-8")  # changed
    res = check()
    assert res.exit_code == 1, res.output
    assert "seeds/moved/renamed-three.csv:5: error: duplicate" in res.output


def test_a_further_copy_of_an_accepted_duplicate_is_new(repo):
    (repo / "seeds" / "repeat.csv").write_text(DUPLICATE_CSV, encoding="utf-8")
    assert check("--update-baseline").exit_code == 0
    assert check().exit_code == 0
    (repo / "seeds" / "zz_again.csv").write_text(DUPLICATE_CSV, encoding="utf-8")
    res = check("--changed", "seeds/zz_again.csv")
    assert res.exit_code == 1, res.output
    assert "seeds/zz_again.csv:2" in res.output


def test_unreadable_file_exits_2_with_one_line_error(repo):
    (repo / "seeds" / "broken.bin").write_bytes(b"\x00\x01\x02 binary")
    res = check("--since", "HEAD")
    assert res.exit_code == 2
    assert "seeds/broken.bin:1: not a text file" in res.output
    assert "Traceback" not in res.output


def test_exit_zero_reports_without_failing(repo):
    (repo / "seeds" / "repeat.csv").write_text(DUPLICATE_CSV, encoding="utf-8")
    res = check("--exit-zero")
    assert res.exit_code == 0 and "duplicate" in res.output


def test_settings_from_setup_cfg_and_command_line_wins(repo):
    (repo / "setup.cfg").write_text(
        "[tool:dedupe]\nfail_on = warning\nseverities = all_caps_title: warning\n"
    )
    (repo / "seeds" / "caps.csv").write_text(
        "title,authors,year,journal\n"
        '"THE POWER OF PEER SUPPORT IN RURAL FIRE BRIGADES","Ek, Per",2018,Fire Journal\n'
    )
    assert check("--changed", "seeds/caps.csv").exit_code == 1
    assert check("--changed", "seeds/caps.csv", "--fail-on", "error").exit_code == 0
    (repo / "setup.cfg").write_text("[tool:dedupe]\nfail_on = sometimes\n")
    res = check()
    assert res.exit_code == 2 and "fail_on 'sometimes'" in res.output
    (repo / "setup.cfg").write_text("[tool:dedupe]\nnonsense = 1\n")
    assert "unknown setting 'nonsense'" in check().output


@pytest.fixture
def findings_repo(repo):
    (repo / "seeds" / "damaged.csv").write_text(DAMAGED_CSV, encoding="utf-8")
    (repo / "seeds" / "repeat.csv").write_text(DUPLICATE_CSV, encoding="utf-8")
    return repo


def test_sarif_output_validates_against_the_sarif_2_1_0_schema(findings_repo):
    jsonschema = pytest.importorskip("jsonschema")
    res = check("--output-format", "sarif")
    assert res.exit_code == 1
    log = json.loads(res.output)
    schema = json.loads((FIXTURES / "schemas" / "sarif-2.1.0-rtm.5.json").read_text())
    jsonschema.validate(log, schema)
    results = log["runs"][0]["results"]
    assert results and all(
        r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1 for r in results
    )
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert "seeds/damaged.csv" in uris


def test_junit_output_reads_back(findings_repo):
    junitparser = pytest.importorskip("junitparser")
    res = check("--output-format", "junit")
    path = findings_repo / "out.xml"
    path.write_text(res.output, encoding="utf-8")
    xml = junitparser.JUnitXml.fromfile(str(path))
    cases = [c for suite in xml for c in suite]
    failed = [c for c in cases if not c.is_passed]
    assert failed and len(cases) > len(failed)
    assert any("damaged.csv" in c.name for c in failed)


def test_github_annotations_and_step_summary(findings_repo, monkeypatch):
    summary = findings_repo / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    res = check("--output-format", "github")
    assert res.exit_code == 1
    assert any(
        ln.startswith("::error file=seeds/damaged.csv,line=3,") for ln in res.output.splitlines()
    )
    assert "| check | severity | new | accepted |" in summary.read_text()


def test_json_output(findings_repo):
    data = json.loads(check("--output-format", "json").output)
    assert data["failing"] >= 2
    assert all(
        {"fingerprint", "new", "failing", "file", "line"} <= set(f) for f in data["findings"]
    )


def test_unreadable_file_with_a_colon_in_its_name_keeps_its_path(repo):
    (repo / "seeds" / "odd:name.bin").write_bytes(b"\x00 binary")
    data = json.loads(check("--output-format", "json").output)
    (unreadable,) = [f for f in data["findings"] if f["check"] == "unreadable_file"]
    assert unreadable["file"] == "seeds/odd:name.bin" and unreadable["line"] == 1


# --- issue 13: a gate that cannot be fooled ----------------------------------------------

NOVEL_ROW = (
    '"Night-shift peer work in rural crisis teams: a diary study","Brun, Emil",2021,J Night\n'
)


def test_changed_files_outside_the_paths_are_checked(repo, tmp_path_factory):
    other = tmp_path_factory.mktemp("elsewhere")
    (other / "copies.csv").write_text("title,authors,year,journal\n" + NOVEL_ROW * 3)
    (other / "empty.txt").write_text("")
    res = check("--changed", str(other / "copies.csv"))
    assert res.exit_code == 1, res.output
    assert "copies.csv:3: error: duplicate" in res.output
    res = check("--changed", str(other / "empty.txt"))
    assert res.exit_code == 2, res.output
    assert "empty.txt:1: file is empty" in res.output


def test_changed_path_that_does_not_exist_is_an_error(repo):
    res = check("--changed", "seeds/nope.txt")
    assert res.exit_code == 2
    assert res.output.strip().splitlines()[-1].startswith("Error: seeds/nope.txt: no such file")
    assert "Traceback" not in res.output


@pytest.mark.parametrize("name", ["000_first.csv", "zzz_last.csv"])
def test_duplicate_is_reported_at_the_new_file_naming_the_existing_record(repo, name):
    (repo / "seeds" / name).write_text(DUPLICATE_CSV, encoding="utf-8")
    for args in (["--since", "HEAD"], []):
        res = check(*args)
        assert res.exit_code == 1, res.output
        dups = [ln for ln in res.output.splitlines() if ": duplicate" in ln]
        assert len(dups) == 1, res.output
        assert dups[0].startswith(f"seeds/{name}:2: error: duplicate")
        assert "at seeds/003_cced5f36f0e6b9f9.txt:" in dups[0]


def test_a_cluster_of_copies_is_one_finding_per_new_record(repo):
    (repo / "seeds" / "copies.csv").write_text("title,authors,year,journal\n" + NOVEL_ROW * 40)
    res = check("--output-format", "json", "--since", "HEAD")
    found = json.loads(res.output)["findings"]
    dups = [f for f in found if f["kind"] == "duplicate"]
    assert len(dups) == 39  # not 40 * 39 / 2 = 780 pairs
    assert len({f["record_id"] for f in dups}) == 39


def test_a_file_that_yields_no_records_fails_the_check(repo):
    page = (repo / "seeds" / "001_83ddec2a4e93f6b8.txt").read_text(encoding="utf-8")
    (repo / "seeds" / "roundtrip.txt").write_text(page.replace("◽", "|"), encoding="utf-8")
    res = check("--since", "HEAD")
    assert res.exit_code == 1, res.output
    assert "seeds/roundtrip.txt:1: error: no_records" in res.output
