"""Scale benchmark: match N hard generated records (default 1,000,000) with default settings.

Usage: python benchmarks/bench_scale.py [N] [--seed S]
The records come from ``generate.py`` (real DBLP/ACM/Scholar vocabulary; typos, junk
prefixes, 20 % without year, clusters of 2-10 and a few of 100-250 copies, near-identical
titles of different papers). Prints the time and peak memory of each stage of
``dedupe.matching.match_records`` and pairwise precision, recall and F1 against the
generator's entity ids.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd
from generate import generate

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


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, nargs="?", default=1_000_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    run_scale(args.n, args.seed)
