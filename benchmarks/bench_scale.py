"""Scale benchmark: match N hard generated records (default 1,000,000) with default settings.

Usage: python benchmarks/bench_scale.py [N] [--seed S] [--cli]
The records come from ``generate.py`` (real DBLP/ACM/Scholar vocabulary; typos, junk
prefixes, 20 % without year, clusters of 2-10 and a few of 100-250 copies, near-identical
titles of different papers). Prints the time and peak memory of each stage of
``dedupe.matching.match_records`` and pairwise precision, recall and F1 against the
generator's entity ids.

With ``--cli`` the records are written as a CSV export first and the whole command
``dedupe match FOLDER --out OUT`` runs in a fresh process (parsing, matching, writing the
CSV outputs), as a user runs it: its time and peak memory exclude the generator's, and the
F1 is scored from the written ``clusters.csv``.
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

import numpy as np
import pandas as pd
from generate import generate, write

from dedupe.matching.engine import match_records


def peak_mib() -> float:
    """Peak resident memory of this process so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _pairs(counts: np.ndarray) -> int:
    counts = np.asarray(counts, dtype=np.int64)
    return int((counts * (counts - 1) // 2).sum())


def pair_scores(cluster: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    """Pairwise precision, recall and F1 of a clustering against true entity ids."""
    frame = pd.DataFrame({"c": pd.factorize(cluster)[0], "t": pd.factorize(truth)[0]})
    predicted = _pairs(frame["c"].value_counts().to_numpy())
    true = _pairs(frame["t"].value_counts().to_numpy())
    tp = _pairs(frame.groupby(["c", "t"]).size().to_numpy())
    p = tp / predicted if predicted else 1.0
    r = tp / true if true else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f1, "tp": tp, "fp": predicted - tp,
            "fn": true - tp}  # fmt: skip


def run_scale(n: int, seed: int = 0) -> dict[str, float]:
    """Generate, match and score; print the stage table; return the scores."""
    from dedupe.cli import arrow_memory_returned

    arrow_memory_returned()  # the process set up as the dedupe command sets it up
    t0 = time.perf_counter()
    records = generate(n, seed)
    truth = records.pop("entity_id").to_numpy()
    t1 = time.perf_counter()
    print(f"generated {n:,} records ({len(np.unique(truth)):,} papers) in {t1 - t0:.1f} s; "
          f"peak memory {peak_mib():,.0f} MiB")  # fmt: skip
    result = match_records(
        records,
        on_blocked=lambda stats: print(
            "blocking: " + ", ".join(f"{s.rule} {s.generated:,}" for s in stats)
        ),
    )
    t2 = time.perf_counter()
    print("stage       seconds   peak MiB (process, end of stage)")
    for stage, secs in result.timings.items():
        print(f"  {stage:10} {secs:7.1f}   {result.peaks[stage]:8,.0f}")
    scores = pair_scores(result.clusters["cluster_id"].to_numpy(), truth)
    print(
        f"matched {n:,} records in {t2 - t1:.1f} s; {len(result.pairs):,} candidate pairs; "
        f"{result.clusters['cluster_id'].nunique():,} clusters; peak memory "
        f"{peak_mib():,.0f} MiB\n"
        f"pairwise precision {scores['precision']:.3f} recall {scores['recall']:.3f} "
        f"F1 {scores['f1']:.3f} (TP {scores['tp']:,} FP {scores['fp']:,} FN {scores['fn']:,})"
    )
    return scores


def run_cli(n: int, seed: int = 0) -> dict[str, float]:
    """Write the records as an export, time ``dedupe match`` on it in a child process (the
    stage table comes from the child), and score the written corpus against the truth."""
    with tempfile.TemporaryDirectory() as tmp:
        csv, truth_csv = write(generate(n, seed), Path(tmp) / "corpus")
        truth_csv = truth_csv.rename(Path(tmp) / truth_csv.name)  # not an input
        out = Path(tmp) / "out"
        t0 = time.perf_counter()
        cache = {"DEDUPE_CACHE": str(Path(tmp) / "cache")}  # cold, and removed after
        child = subprocess.run(
            [sys.executable, __file__, "--child", str(csv.parent), str(out)],
            check=True, stdout=subprocess.PIPE, text=True, env={**os.environ, **cache},
        )  # fmt: skip
        wall = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        report = json.loads(child.stdout.strip().splitlines()[-1])
        # each corpus row lists its records' sources ("file:line; ...")
        sources = pd.read_csv(out / "corpus.csv", usecols=["sources"])["sources"]
        lines = sources.str.split("; ").explode()
        cluster = pd.Series(lines.index, index=lines.str.rsplit(":", n=1).str[1].astype(int))
        truth = pd.read_csv(truth_csv).set_index("source_line")["entity_id"]
        scores = pair_scores(cluster.reindex(truth.index).to_numpy(), truth.to_numpy())
    print("stage       seconds   peak MiB (child process, end of stage)")
    for stage, secs in report["timings"].items():
        print(f"  {stage:10} {secs:7.1f}   {report['peaks'].get(stage, 0):8,.0f}")
    print(
        f"dedupe match on {n:,} records: {wall:.1f} s wall, {report['cpu']:.1f} CPU-s, peak "
        f"memory {peak:,.0f} MiB\npairwise precision {scores['precision']:.3f} recall "
        f"{scores['recall']:.3f} F1 {scores['f1']:.3f}"
    )
    return {**scores, "wall": wall, "peak": peak}


def child(folder: str, out: str) -> None:
    """``dedupe match FOLDER --out OUT`` in this process; prints the stage timings as JSON
    (parse and write timed around the matching stages)."""
    import dedupe.cli as cli

    seen = {}
    run_stages = cli.run_stages

    def timed(*args, **kwargs):
        t = time.perf_counter()
        result = run_stages(*args, **kwargs)
        seen["result"], seen["end"] = result, time.perf_counter()
        seen["stages"] = seen["end"] - t
        return result

    cli.run_stages = timed
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        cli.main(["match", folder, "--out", out], standalone_mode=False)
    except SystemExit as exc:  # the command's exit status
        if exc.code:
            raise
    matched = seen["result"].matched
    timings = {"parse": seen["stages"] - sum(matched.timings.values()), **matched.timings,
               "write": time.perf_counter() - seen["end"]}  # fmt: skip
    print(json.dumps({"timings": timings, "peaks": matched.peaks, "cpu": time.process_time() - c0,
                      "wall": time.perf_counter() - t0}))  # fmt: skip


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3])
        import dedupe.cli

        dedupe.cli.exit_fast(0)  # as the dedupe program ends
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, nargs="?", default=1_000_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cli", action="store_true", help="time `dedupe match` on a CSV export")
    args = ap.parse_args()
    (run_cli if args.cli else run_scale)(args.n, args.seed)
