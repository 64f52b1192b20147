"""The click CLI: exit codes, one-line errors, outputs, help for every command."""

import os
import re

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import ROOT, SEEDS

from dedupe.cli import main


@pytest.fixture
def runner():
    return CliRunner()


def test_parse_writes_records_and_failures(runner, tmp_path):
    res = runner.invoke(main, ["parse", str(SEEDS), "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    recs = pd.read_csv(tmp_path / "records.csv", dtype=str)
    assert len(recs) == 37
    assert {
        "record_id",
        "source_file",
        "source_line",
        "source_format",
        "role",
        "authors",
        "authors_norm",
    } <= set(recs.columns)
    assert (tmp_path / "parse_failures.csv").exists()


@pytest.mark.parametrize(
    "content,expected",
    [
        (b"\x00\x01\x02binary", r"bad\.bin:1: not a text file"),
        (b"", r"bad\.bin:1: file is empty"),
        (b"just some words\nwith no layout\n", r"bad\.bin:1: unknown layout; pass --format"),
    ],
    ids=["binary", "empty", "unknown-layout"],
)
def test_bad_file_is_one_line_error_and_others_still_parsed(runner, tmp_path, content, expected):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(content)
    out = tmp_path / "out"
    res = runner.invoke(
        main, ["parse", str(bad), str(SEEDS / "002_6e32001031cb5a5e.txt"), "--out", str(out)]
    )
    assert res.exit_code == 2
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("Error:")]
    assert len(errors) == 1 and re.search(expected, errors[0])
    assert "Traceback" not in res.output
    assert len(pd.read_csv(out / "records.csv")) == 11


def test_missing_path_is_usage_error(runner, tmp_path):
    res = runner.invoke(main, ["parse", str(tmp_path / "nope.txt"), "--out", str(tmp_path)])
    assert res.exit_code == 2 and "no such file" in res.output
    assert "Traceback" not in res.output


def test_bad_map_option(runner, tmp_path):
    res = runner.invoke(main, ["parse", str(SEEDS), "--map", "nonsense"])
    assert res.exit_code == 2 and "SOURCE=FIELD" in res.output


def test_every_command_has_help_and_is_documented(runner):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, cmd in main.commands.items():
        res = runner.invoke(main, [name, "--help"])
        assert res.exit_code == 0 and cmd.help, name
        assert f"dedupe {name}" in readme, f"README does not document 'dedupe {name}'"


def test_readme_commands_are_the_ones_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    block = readme.split("```bash", 1)[1].split("```", 1)[0]
    commands = [ln.split("#")[0].strip() for ln in block.strip().splitlines()]
    assert len(commands) == 2
    for command in commands:
        last = command.split("&&")[-1].strip()
        assert last in ci, f"README command {last!r} is not run by .ci/run"


def test_the_program_ends_at_once_with_its_exit_code_and_output(tmp_path):
    """``dedupe`` (``cli.program``) ends with os._exit after the command: the outputs are
    in place, the messages flushed, the exit code kept (0 clean, 2 bad input)."""
    import subprocess
    import sys

    run = [
        sys.executable,
        "-c",
        "import sys; from dedupe.cli import program; program(sys.argv[1:])",
    ]
    ok = subprocess.run(
        [*run, "match", str(SEEDS), "--out", str(tmp_path / "out")],
        capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "DEDUPE_CACHE": "off"},
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert "unique;" in ok.stderr.splitlines()[-1]
    assert {p.name for p in (tmp_path / "out").iterdir()} >= {"pairs.csv", "corpus.csv"}
    bad = subprocess.run([*run, "match", str(tmp_path / "missing")], capture_output=True,
                         text=True, cwd=tmp_path)  # fmt: skip
    assert bad.returncode == 2 and bad.stderr.startswith("Error: ")
    version = subprocess.run([*run, "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("dedupe, version")
