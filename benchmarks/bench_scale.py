"""Scale benchmark: match N generated records (default 1,000,000) and time each stage.

Usage: python benchmarks/bench_scale.py [N]
A fifth of the records are perturbed copies of others (case, typos, dropped diacritics,
author order and name format, abbreviated journals), so the result can also be scored.
"""

from __future__ import annotations

import resource
import sys
import time

import numpy as np
import pandas as pd

from dedupe.matching.engine import match_records


def _words(rng, n, lo=4, hi=9):
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    lengths = rng.integers(lo, hi, n)
    return np.array(["".join(rng.choice(letters, k)) for k in lengths])


def generate(n: int, dup_rate: float = 0.2, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """(records, original index of each record) with ``dup_rate`` of them near-copies."""
    rng = np.random.default_rng(seed)
    # title words: a 200,000-word vocabulary with Zipf-like (natural language) frequencies
    vocab = _words(rng, 200000, 3, 11)
    zipf = np.minimum(rng.zipf(1.1, 12 * n) - 1, len(vocab) - 1)
    fams = np.char.capitalize(_words(rng, 60000, 4, 10))
    givens = np.char.capitalize(_words(rng, 3000, 3, 8))
    journals = np.char.upper(_words(rng, 2000, 5, 12))
    n_orig = int(n * (1 - dup_rate))
    n_words = rng.integers(5, 12, n_orig)
    starts = np.concatenate([[0], np.cumsum(n_words)[:-1]])
    titles = [" ".join(vocab[zipf[s : s + k]]).capitalize() for s, k in zip(starts, n_words)]
    n_auth = rng.integers(1, 5, n_orig)
    fam_idx = rng.integers(0, len(fams), (n_orig, 4))
    giv_idx = rng.integers(0, len(givens), (n_orig, 4))
    authors = [
        "; ".join(f"{fams[f]}, {givens[g]}" for f, g in zip(fi[:k], gi[:k]))
        for fi, gi, k in zip(fam_idx, giv_idx, n_auth)
    ]
    orig = pd.DataFrame(
        {
            "title": titles,
            "authors_norm": authors,
            "year": rng.integers(1960, 2025, n_orig).astype(str),
            "journal": journals[rng.integers(0, len(journals), n_orig)],
            "volume": rng.integers(1, 80, n_orig).astype(str),
            "issue": rng.integers(1, 13, n_orig).astype(str),
            "pages": [f"{p}-{p + 11}" for p in rng.integers(1, 2000, n_orig)],
            "doi": np.where(
                rng.random(n_orig) < 0.3,
                [f"10.{1000 + i % 9000}/gen.{i}" for i in range(n_orig)],
                None,
            ),
            "abstract": None,
        }
    )
    src = rng.integers(0, n_orig, n - n_orig)
    dup = orig.iloc[src].reset_index(drop=True)
    dup["title"] = np.where(rng.random(len(dup)) < 0.5, dup["title"].str.upper(), dup["title"])
    typo = rng.random(len(dup)) < 0.3
    dup.loc[typo, "title"] = dup.loc[typo, "title"].str.slice(1)
    dup["journal"] = dup["journal"].str.title()
    dup["doi"] = np.where(rng.random(len(dup)) < 0.5, None, dup["doi"])
    dup["pages"] = np.where(rng.random(len(dup)) < 0.5, None, dup["pages"])
    records = pd.concat([orig, dup], ignore_index=True)
    records["authors"] = records["authors_norm"]
    records["record_id"] = [f"gen#{i}" for i in range(n)]
    records["source_file"] = "generated.csv"
    records["source_line"] = np.arange(2, n + 2)
    records["source_format"] = "csv"
    records["role"] = "main"
    truth = np.concatenate([np.arange(n_orig), src])
    return records.astype(object).where(records.notna(), None), truth


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_scale(n: int) -> None:
    t0 = time.perf_counter()
    records, truth = generate(n)
    t1 = time.perf_counter()
    print(f"generated {n:,} records in {t1 - t0:.1f} s")
    print(f"peak memory after generating: {peak_mib():,.0f} MiB")
    result = match_records(
        records,
        on_blocked=lambda stats: print(
            "blocking: "
            + ", ".join(f"{s.rule} {s.generated:,}" for s in stats)
            + f" (peak memory so far {peak_mib():,.0f} MiB)"
        ),
    )
    t2 = time.perf_counter()
    for stage, secs in result.timings.items():
        print(f"  {stage:10} {secs:6.1f} s   peak memory {result.peaks[stage]:8,.0f} MiB")
    cl = result.clusters["cluster_id"].to_numpy()
    same_cluster = pd.Series(cl).groupby(truth).nunique()
    print(
        f"matched {n:,} records in {t2 - t1:.1f} s; {len(result.pairs):,} candidate pairs; "
        f"{len(result.corpus):,} clusters for {len(np.unique(truth)):,} true papers; "
        f"papers split over >1 cluster: {(same_cluster > 1).sum():,}; "
        f"peak memory {peak_mib():,.0f} MiB"
    )


if __name__ == "__main__":
    run_scale(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
