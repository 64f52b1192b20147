"""Fuzzing the gate: random bytes, encodings and mutations of the seeds through every stage.

Through parse, validate, run and check, nothing raises (bad input is an error line, never a
traceback), nothing hangs (a generous CPU bound per example), every file read ends in at
least one record or failure row (a file yielding no record gets a ``no_records`` row), every
line of every file is accounted for by its parser (in a record's span, a failure, chrome or
unattached row, layout or blank; never left to the safety net that makes a forgotten line a
failure row), and reruns are byte-identical, also with the input paths given in another
order. Examples are few so the suite stays cheap; under CI=1 they are derandomized
(tests/conftest.py). To hunt locally: ``DEDUPE_FUZZ_EXAMPLES=2000 pytest tests/gate/test_fuzz.py
--hypothesis-seed=N``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
from click.testing import CliRunner
from conftest import FIXTURES, SEEDS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedupe.cli import main
from dedupe.config import Config
from dedupe.gate.check import run_check
from dedupe.parsing.account import ACCOUNTS
from dedupe.parsing.decode import read_text
from dedupe.parsing.files import parse_lines, parse_paths
from dedupe.validation.anomalies import validate_records

BOUND_S = 20.0
STRUCTURE = ["|", "◽", "[1]", "TY  - ", "ER  - ", "@x{", "}", '"', "来源", "PMID- 1", "EF"]
STRUCTURE += ["  title = {T},", "% c", "]", ",", "[", "2018 ◽", "Author(s):", "References", "\r"]
"""Lines that open, close or separate records in some layout."""
SUFFIXES = [".txt", ".csv", ".tsv", ".ris", ".bib", ".jsonl", ".nbib", ".dat"]
ENCODINGS = ["utf-8", "utf-16", "gb18030", "cp1252", "latin-1", "shift_jis", "koi8-r"]
BASES = sorted(SEEDS.iterdir()) + sorted((FIXTURES / "parse").iterdir())
SETTINGS = settings(
    max_examples=int(os.environ.get("DEDUPE_FUZZ_EXAMPLES", "15")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@st.composite
def mutated_seed(draw) -> tuple[str, bytes]:
    """A seed or fixture file with lines deleted, repeated, swapped or garbled."""
    base = draw(st.sampled_from(BASES))
    lines = base.read_text(encoding="utf-8", errors="replace").split("\n")
    for _ in range(draw(st.integers(0, 6))):
        i = draw(st.integers(0, max(0, len(lines) - 1)))
        op = draw(st.sampled_from(["drop", "repeat", "swap", "garble", "truncate", "insert"]))
        if op == "drop" and len(lines) > 1:
            del lines[i]
        elif op == "repeat":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "garble":
            lines[i] = draw(st.text(max_size=40)) + lines[i][len(lines[i]) // 2 :]
        elif op == "truncate":
            lines = lines[: i + 1]
        else:
            lines.insert(i, draw(st.sampled_from(STRUCTURE)))
    enc = draw(st.sampled_from(["utf-8", "utf-8", *ENCODINGS]))
    return base.suffix, "\n".join(lines).encode(enc, errors="replace")


random_text = st.tuples(
    st.sampled_from(SUFFIXES),
    st.builds(
        lambda text, enc: text.encode(enc, errors="replace"),
        st.text(max_size=400),
        st.sampled_from(ENCODINGS),
    ),
)
random_bytes = st.tuples(st.sampled_from(SUFFIXES), st.binary(max_size=400))
inputs = st.lists(st.one_of(mutated_seed(), random_text, random_bytes), min_size=1, max_size=3)


def write(folder: Path, files: list[tuple[str, bytes]]) -> list[Path]:
    """Write the inputs as f0.., each with its suffix; their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, (suffix, data) in enumerate(files):
        path = folder / f"f{i}{suffix}"
        path.write_bytes(data)
        paths.append(path)
    return paths


def assert_nothing_lost(parsed) -> None:
    rows = pd.concat(
        [
            parsed.records[["source_file", "source_line"]],
            parsed.failures[["source_file", "source_line"]],
        ]
    )
    for source in parsed.files:
        lines = rows.loc[rows["source_file"] == source, "source_line"].astype(int)
        assert len(lines) > 0, f"{source} vanished"
        assert_every_line_accounted(parsed, source)


def assert_every_line_accounted(parsed, source: str) -> None:
    """Each line of the file is in a record's span, a failure/chrome/unattached row, layout
    or blank, as its parser said: the safety net for forgotten lines never fires."""
    text = read_text(Path(source), None).text
    account = parse_lines(text, Path(source), parsed.files[source])
    codes = account.codes[1:]
    split = text.split("\n")
    n_lines = len(split) - (split[-1] == "")
    assert len(codes) == n_lines and sum(parsed.lines[source].values()) == n_lines
    assert not (codes == ACCOUNTS.index("not_read")).any()
    blank = np.array([not ln.strip() for ln in split[:n_lines]], dtype=bool)
    coded_blank = codes == ACCOUNTS.index("blank")
    assert (coded_blank <= blank).all(), f"{source}: a line with text counted as blank"
    assert (blank <= (codes >= ACCOUNTS.index("blank"))).all(), f"{source}: blank lines"
    mine = parsed.failures[parsed.failures["source_file"] == source]
    gaps = mine[mine["reason"].astype(str).str.contains("a gap in the parser")]
    assert gaps.empty, f"{source}: lines no parser accounted for: {gaps.to_dict('records')}"
    # every run of lines held by problems starts at the line of a failure row
    held = np.r_[False, codes >= ACCOUNTS.index("chrome")]
    starts = np.flatnonzero(held[1:] & ~held[:-1]) + 1
    assert set(starts.tolist()) <= set(mine["source_line"].astype(int))


@SETTINGS
@given(inputs)
def test_parse_and_validate_never_raise_or_lose_a_file(tmp_path_factory, files):
    folder = tmp_path_factory.mktemp("fuzz")
    paths = write(folder, files)
    start = time.process_time()
    parsed = parse_paths(paths, cache="off")
    assert len(parsed.files) + len(parsed.errors) == len(paths)
    assert all(str(e).startswith(str(folder)) for e in parsed.errors)
    assert_nothing_lost(parsed)
    validate_records(parsed.records, parsed.failures)
    assert time.process_time() - start < BOUND_S


@settings(SETTINGS, max_examples=5)
@given(inputs)
def test_run_and_check_never_raise_and_rerun_identically(tmp_path_factory, files):
    folder = tmp_path_factory.mktemp("fuzz")
    paths = [str(p) for p in write(folder / "in", files)]
    start = time.process_time()
    runner = CliRunner()
    env = {"DEDUPE_CACHE": "off"}
    outs = []
    for i, order in enumerate([paths, paths[::-1]]):
        out = folder / f"out{i}"
        res = runner.invoke(main, ["run", *order, "--out", str(out)], env=env)
        assert res.exit_code in (0, 1, 2), res.output
        assert "Traceback" not in res.output
        outs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())} if out.exists() else {})
    assert outs[0] == outs[1]
    config = Config(paths=tuple(Path(p) for p in paths), baseline=folder / "baseline.json")
    result = run_check(config, [Path(paths[0])])
    assert result.checked_files == [paths[0]]
    assert time.process_time() - start < 4 * BOUND_S
