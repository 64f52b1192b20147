"""Benchmark matching: DBLP-ACM quality (pairwise P/R/F1) and scale on generated records.

Usage:
  python benchmarks/bench_match.py dblp-acm [BENCH_DIR]   # default ../shared/bench/dblp_acm
  python benchmarks/bench_match.py scale [N]              # default 1,000,000 generated records

DBLP-ACM is deduplicated as one table (both files concatenated) with the default settings;
every pair of records placed in one cluster counts as a predicted duplicate pair.
"""

from __future__ import annotations

import itertools
import resource
import sys
import time
from pathlib import Path

import pandas as pd

from dedupe.matching.engine import match_records
from dedupe.parsing.files import parse_paths


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def predicted_pairs(clusters: pd.DataFrame, key: pd.Series) -> set[tuple[str, str]]:
    """Pairs of source keys placed in one cluster."""
    df = clusters.assign(key=key.to_numpy())
    pairs = set()
    for _, grp in df.groupby("cluster_id"):
        if len(grp) > 1:
            pairs.update(tuple(sorted(p)) for p in itertools.combinations(grp["key"], 2))
    return pairs


def dblp_acm(bench: Path) -> None:
    t0 = time.perf_counter()
    parsed = parse_paths([bench / "DBLP2.csv", bench / "ACM.csv"])
    recs = parsed.records
    key = ("dblp:" + recs["source_id"]).where(
        recs["source_file"].str.endswith("DBLP2.csv"), "acm:" + recs["source_id"]
    )
    t1 = time.perf_counter()
    result = match_records(
        recs,
        on_blocked=lambda stats: [
            print(
                f"  block {s.rule:20} generated {s.generated:>8,} new {s.new:>8,}"
                f" capped blocks {s.capped_blocks}"
            )
            for s in stats
        ],
    )
    t2 = time.perf_counter()
    truth_df = pd.read_csv(bench / "DBLP-ACM_perfectMapping.csv", encoding="latin-1", dtype=str)
    truth = {
        tuple(sorted(("dblp:" + a, "acm:" + b)))
        for a, b in zip(truth_df["idDBLP"], truth_df["idACM"])
    }
    pred = predicted_pairs(result.clusters, key)
    tp = len(pred & truth)
    precision = tp / len(pred) if pred else 0.0
    recall = tp / len(truth)
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    review = (result.pairs["decision"] == "review").sum()
    print(
        f"DBLP-ACM: {len(recs):,} records, {len(result.pairs):,} candidate pairs, "
        f"{review:,} in review"
    )
    print(
        f"precision {precision:.4f}  recall {recall:.4f}  F1 {f1:.4f}  "
        f"(TP {tp:,}, FP {len(pred) - tp:,}, FN {len(truth) - tp:,})"
    )
    print(f"parse {t1 - t0:.1f} s, match {t2 - t1:.1f} s, peak memory {peak_mib():,.0f} MiB")
    return pred, truth, recs, key, result


def main() -> None:
    mode = sys.argv[1] if len(sys.argv) > 1 else "dblp-acm"
    if mode == "dblp-acm":
        default = Path(__file__).resolve().parents[1].parent / "shared" / "bench" / "dblp_acm"
        dblp_acm(Path(sys.argv[2]) if len(sys.argv) > 2 else default)
    else:
        from bench_scale import run_scale

        run_scale(int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000)


if __name__ == "__main__":
    main()
