"""Benchmark the CI gate: one new seed file checked against a corpus of N records.

Usage: python benchmarks/bench_check.py [N] [--command]   (N default 100,000)
The corpus is a CSV export of generated records (``generate.py``); the new file repeats one
of its papers (written differently) and adds one clean paper. Prints seconds for the
incremental check with a cold cache (everything parsed, normalised and the corpus's model
estimated), with a warm one (the usual CI case: only the new file is parsed and normalised,
the corpus's features and model come from the cache), the same warm check as a command
(`dedupe check --changed`, including Python's start and imports), and a full check of
everything on the warm cache.

With ``--command`` only the command is timed, on the warm caches (parse cache and Python's
bytecode, as an installed package has it): best of 3, wall seconds and the child's CPU
seconds (the firmer figure on a shared machine), then where its time goes in one more
instrumented run (interpreter start, imports, parse, validate, match, the rest, and the
garbage collector's share of all that).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_scale import peak_mib
from generate import EXPORT_COLUMNS, generate

from dedupe.config import Config
from dedupe.core.records import joined, written
from dedupe.gate.check import run_check


def write_corpus(n: int, folder: Path) -> Path:
    """A corpus folder with an export of ``n`` records; returns the new file to check."""
    records = generate(n)
    corpus = folder / "corpus"
    corpus.mkdir()
    written(records[EXPORT_COLUMNS]).to_csv(corpus / "export.csv", index=False)
    first = records.dropna(subset=["title", "authors_norm", "year", "journal"]).iloc[0]
    new = corpus / "new.csv"
    new.write_text(
        "title,authors,year,journal\n"
        f'"{first["title"].upper()}","{joined(first["authors_norm"])}",{first["year"]},'
        f'"{first["journal"].title()}"\n'
        '"A clean new paper about peer support in fire brigades","Ek, Per",2021,'
        '"Fire Journal"\n',
        encoding="utf-8",
    )
    return new


def timed_check(config: Config, changed: list[Path] | None) -> tuple[float, object]:
    """Seconds and result of one ``dedupe check``."""
    t0 = time.perf_counter()
    result = run_check(config, changed)
    return time.perf_counter() - t0, result


def best_of(runs: int, config: Config, changed: list[Path]) -> tuple[float, float, object]:
    """The fastest of ``runs`` checks: wall seconds, CPU seconds and its result (the
    machine is shared, so the CPU time is the steadier figure)."""
    best = (float("inf"), 0.0, None)
    for _ in range(runs):
        cpu = time.process_time()
        wall, result = timed_check(config, changed)
        if wall < best[0]:
            best = (wall, time.process_time() - cpu, result)
    return best


def command_seconds(command: list[str], env: dict | None = None) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(command, capture_output=True, check=False, env=env)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


STAGES = """
import gc, json, sys, time
t0 = time.perf_counter()
import dedupe.cli, dedupe.gate.check, dedupe.gate.formats, dedupe.pipeline as p
took = {"imports": time.perf_counter() - t0}
gc_s, gc_t = [0.0], [0.0]
gc.callbacks.append(lambda phase, info: gc_t.__setitem__(0, time.perf_counter())
    if phase == "start" else gc_s.__setitem__(0, gc_s[0] + time.perf_counter() - gc_t[0]))
def timed(stage, f):
    def run(*a, **k):
        t = time.perf_counter()
        try:
            return f(*a, **k)
        finally:
            took[stage] = time.perf_counter() - t
    return run
for stage, name in [("parse", "parse_paths"), ("validate", "validate_records"),
                    ("match", "match_focus")]:
    setattr(p, name, timed(stage, getattr(p, name)))
t1 = time.perf_counter()
try:
    dedupe.cli.main(sys.argv[1:])
except SystemExit:
    pass
took["rest"] = time.perf_counter() - t1 - took["parse"] - took["validate"] - took["match"]
took["gc"] = gc_s[0]
print(json.dumps(took), file=sys.stderr)
"""
"""The check command in-process, its stages timed (``match_focus`` is the check's matching)."""


def bytecode_env(folder: Path) -> dict:
    """The environment with Python's bytecode cache on (in ``folder``): an installed package
    has its .pyc files, so a warm command should not compile dedupe's source each time (as
    it does under PYTHONDONTWRITEBYTECODE)."""
    env = {**os.environ, "PYTHONPYCACHEPREFIX": str(folder)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def command_split(args: list[str], env: dict) -> str:
    """Where one run of ``dedupe check ARGS`` spends its time, as one line."""
    start = min(command_seconds([sys.executable, "-c", "pass"], env)[0] for _ in range(3))
    done = subprocess.run(
        [sys.executable, "-c", STAGES, *args], capture_output=True, text=True, check=False, env=env
    )
    took = json.loads(done.stderr.strip().splitlines()[-1])
    parts = {"start": start, **took}
    return ", ".join(f"{k} {v:.2f}" for k, v in parts.items()) + " s (gc: within the others)"


def time_command(new: Path, baseline: Path) -> None:
    """Print the warm check of ``new`` as a command: best of 3, and its stage split."""
    args = ["check", str(new.parent), "--changed", str(new), "--baseline", str(baseline)]
    command = [sys.executable, "-m", "dedupe.cli", *args]
    env = bytecode_env(new.parent.parent / "pycache")
    command_seconds(command, env)  # writes the bytecode cache
    wall, cpu = min(command_seconds(command, env) for _ in range(3))
    print(f"the warm check as a command: {wall:.2f} s (best of 3; {cpu:.2f} s CPU)")
    print(f"one run, where it goes: {command_split(args, env)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, nargs="?", default=100_000, help="records in the corpus")
    ap.add_argument("--command", action="store_true", help="time the warm check as a command only")
    n = ap.parse_args().n
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["DEDUPE_CACHE"] = str(Path(tmp) / "cache")
        new = write_corpus(n, Path(tmp))
        config = Config(paths=(new.parent,), baseline=Path(tmp) / "baseline.json")
        cold, _ = timed_check(config, [new])
        if "--command" in sys.argv:
            print(f"{n:,} records; cold check {cold:.1f} s (in-process, fills the cache)")
            time_command(new, config.baseline)
            return
        warm, cpu, result = best_of(3, config, [new])
        dup = [f for f in result.failing if f.kind == "duplicate"]
        print(
            f"incremental: 1 new file against {n:,} records: {cold:.1f} s with a cold cache, "
            f"{warm:.2f} s warm (best of 3; {cpu:.2f} s CPU); {len(result.failing)} failing "
            f"({len(dup)} duplicate); peak memory {peak_mib():,.0f} MiB"
        )
        time_command(new, config.baseline)
        full, everything = timed_check(config, None)
        print(f"full check of {n + 2:,} records (warm cache): {full:.1f} s "
              f"({len(everything.findings):,} findings)")  # fmt: skip


if __name__ == "__main__":
    main()
