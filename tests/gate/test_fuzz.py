"""Fuzzing the gate: random bytes, encodings and mutations of the seeds through every stage.

Through parse, validate, run and check, nothing raises (bad input is an error line, never a
traceback), nothing hangs (a generous CPU bound per example), every file read ends in at
least one record or failure row (a file yielding no record gets a ``no_records`` row), no
non-blank line comes before the first row of its file (nothing before it is lost silently),
and reruns are byte-identical, also with the input paths given in another order. Examples
are few so the suite stays cheap; under CI=1 they are derandomized (tests/conftest.py).
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
from click.testing import CliRunner
from conftest import FIXTURES, SEEDS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedupe.cli import main
from dedupe.config import Config
from dedupe.gate.check import run_check
from dedupe.parsing.files import parse_paths
from dedupe.validation.anomalies import validate_records

BOUND_S = 20.0
PREAMBLE = {
    "wos-tagged": (b"\xef\xbb\xbfFN ", b"FN ", b"VR "),
    "csl-json": (b"[", b"\xef\xbb\xbf["),
}
"""Header lines a layout reads as structure before its first record."""
SUFFIXES = [".txt", ".csv", ".tsv", ".ris", ".bib", ".jsonl", ".nbib", ".dat"]
ENCODINGS = ["utf-8", "utf-16", "gb18030", "cp1252", "latin-1", "shift_jis", "koi8-r"]
BASES = sorted(SEEDS.iterdir()) + sorted((FIXTURES / "parse").iterdir())
SETTINGS = settings(
    max_examples=15,
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
            lines.insert(i, draw(st.sampled_from(["|", "◽", "[1]", "TY  - ", "@x{", '"', "来源"])))
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
        text = Path(source).read_bytes().split(b"\n")
        preamble = PREAMBLE.get(parsed.files[source], ())
        first = next(
            (i for i, ln in enumerate(text, 1) if ln.strip() and not ln.startswith(preamble)), 1
        )
        header = parsed.files[source] in ("csv", "tsv")
        assert lines.min() <= first + header, f"{source}: text before its first row was lost"


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
