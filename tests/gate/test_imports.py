"""Commands import only what they use: `dedupe check` loads no exporter, report or scipy,
and `dedupe --help` (or a command's) none of the data libraries.

Each test runs a fresh interpreter (the test session itself has imported everything) and
looks at ``sys.modules`` afterwards; no timing, so a loaded machine cannot make them flaky.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT, SEEDS
from test_check import DUPLICATE_CSV

UNUSED_BY_CHECK = (
    "bibtexparser",  # BibTeX reading and export: only for .bib files and --export
    "rispy",
    "pylatexenc",
    "jinja2",  # the HTML report of `dedupe run`
    "scipy",  # connected components of large graphs only
    "charset_normalizer",  # only for files that are not UTF-8
    "pyspark",  # --engine spark
)


def loaded_after(code: str, cwd=ROOT, **env: str) -> set[str]:
    """Top-level names of the modules a fresh interpreter holds after running ``code``."""
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return {name.split(".")[0] for name in json.loads(done.stdout.splitlines()[-1])}


DATA_LIBRARIES = ("pandas", "numpy", "pyarrow", "pandera", "rapidfuzz", "ftfy", "scipy")


@pytest.mark.parametrize("args", [["--help"], ["run", "--help"], ["check", "--help"]], ids=" ".join)
def test_help_loads_no_data_library(args):
    loaded = loaded_after(
        "import contextlib, io, dedupe.cli\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        f"    dedupe.cli.main({args!r})"
    )
    assert {"click", "dedupe"} <= loaded  # the probe sees what is imported
    assert loaded.isdisjoint(DATA_LIBRARIES), loaded & set(DATA_LIBRARIES)


def test_the_check_commands_modules_load_no_unused_library():
    loaded = loaded_after("import dedupe.cli, dedupe.gate.check, dedupe.gate.formats")
    assert "pandas" in loaded  # the probe sees what is imported
    assert loaded.isdisjoint(UNUSED_BY_CHECK), loaded & set(UNUSED_BY_CHECK)


def test_a_check_finding_a_duplicate_loads_no_unused_library(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    new = tmp_path / "new.csv"
    new.write_text(DUPLICATE_CSV, encoding="utf-8")
    run = (
        "import contextlib, io, dedupe.cli\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):\n"
        "    dedupe.cli.main(['check', 'corpus', '--changed', 'new.csv',"
        " '--baseline', 'baseline.json'])\n"
        "assert 'error: duplicate:' in out.getvalue(), out.getvalue()"
    )
    loaded = loaded_after(run, cwd=tmp_path, DEDUPE_CACHE=str(tmp_path / "cache"))
    assert {"pandas", "pandera", "rapidfuzz"} <= loaded  # it parsed, validated and matched
    assert loaded.isdisjoint(UNUSED_BY_CHECK), loaded & set(UNUSED_BY_CHECK)
