"""Benchmark the CI gate: one new seed file checked against a corpus of N records.

Usage: python benchmarks/bench_check.py [N]   (default 100,000)
The corpus is a CSV export of generated records; the new file repeats one of its papers
(written differently) and adds one clean paper. Prints seconds for the incremental check
and for a full check of everything.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from bench_scale import peak_mib
from generate import generate

from dedupe.gate.check import run_check


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    records = generate(n)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        cols = ["title", "authors_norm", "year", "journal", "volume", "issue", "pages", "doi"]
        records[cols].rename(columns={"authors_norm": "authors"}).to_csv(
            corpus / "export.csv", index=False
        )
        first = records.dropna(subset=["title", "authors_norm", "year", "journal"]).iloc[0]
        new = corpus / "new.csv"
        new.write_text(
            "title,authors,year,journal\n"
            f'"{first["title"].upper()}","{first["authors_norm"]}",{first["year"]},'
            f'"{first["journal"].title()}"\n'
            '"A clean new paper about peer support in fire brigades","Ek, Per",2021,'
            '"Fire Journal"\n',
            encoding="utf-8",
        )
        baseline = Path(tmp) / "baseline.json"
        t0 = time.perf_counter()
        result = run_check([corpus], baseline, changed=[new])
        t1 = time.perf_counter()
        dup = [f for f in result.failing if f.kind == "duplicate"]
        print(
            f"incremental: 1 new file against {n:,} records in {t1 - t0:.1f} s; "
            f"{len(result.failing)} failing ({len(dup)} duplicate); "
            f"peak memory {peak_mib():,.0f} MiB"
        )
        full = run_check([corpus], baseline)
        t2 = time.perf_counter()
        print(
            f"full check of {n + 2:,} records in {t2 - t1:.1f} s ({len(full.findings):,} findings)"
        )


if __name__ == "__main__":
    main()
