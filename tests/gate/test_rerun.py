"""Reruns are byte-identical, also when the input paths are given in another order."""

from __future__ import annotations

from click.testing import CliRunner
from conftest import FIXTURES, SEEDS

from dedupe.cli import main

INPUTS = [
    *sorted(SEEDS.iterdir()),
    FIXTURES / "parse" / "export.bib",
    FIXTURES / "parse" / "export.ris",
    FIXTURES / "parse" / "scopus_export.csv",
]


def run(paths, out) -> dict[str, bytes]:
    res = CliRunner().invoke(
        main, ["run", *map(str, paths), "--out", str(out)], env={"DEDUPE_CACHE": "off"}
    )
    assert res.exit_code in (0, 1), res.output
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_rerun_in_any_path_order_is_byte_identical(tmp_path):
    first = run(INPUTS, tmp_path / "a")
    assert {"records.csv", "summary.json", "report.html"} <= set(first)
    assert run(INPUTS, tmp_path / "b") == first
    shuffled = INPUTS[1::2] + INPUTS[::-2]
    assert sorted(shuffled) == sorted(INPUTS) and shuffled != INPUTS
    assert run(shuffled, tmp_path / "c") == first
