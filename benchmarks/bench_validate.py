"""Benchmark: validate N generated records (default 1,000,000); prints records/s and peak memory.

Usage: python benchmarks/bench_validate.py [N]
About 2% of the generated records carry damage of the kinds the checks look for.
"""

from __future__ import annotations

import resource
import sys
import time

import numpy as np
import pandas as pd

from dedupe.validation.anomalies import validate_records

DAMAGE = {
    "title": [
        "scholarly journals Peer work",
        "Ã˜gÃ¥rd study",
        "AbstractThis study",
        "THE POWER OF PEER SUPPORT",
        "Peer\u00a0support",
    ],
    "authors": [  # lists of names, as the parsers make them
        ["Weidman, Danielle R. R."],
        ["Folker, Anna", "..."],
        ["Terp, Malene ostergaard"],
        ["脴g氓rd-Rep氓l, Anita"],
    ],
    "doi": ["doi:10.1/x"],
    "year": ["2999"],
    "pages": ["56-54", "030802262110181"],
}


def generate(n: int, seed: int = 0) -> pd.DataFrame:
    """A record table of ``n`` plausible records with a little damage sprinkled in."""
    rng = np.random.default_rng(seed)
    words = np.array(
        "peer support mental health care service users recovery qualitative "
        "study community workers experiences review online groups".split()
    )
    titles = pd.Series([" ".join(w) for w in words[rng.integers(0, len(words), (n, 8))]])
    fam = np.array(["Smith", "Øgård-Repål", "Lövheden", "Rao", "Tse", "Strand", "de Wet"])
    giv = np.array(["Anita", "Sandy", "Monica", "J.", "Winnie W. S."])
    one = pd.Series(fam[rng.integers(0, len(fam), n)]) + ", " + giv[rng.integers(0, len(giv), n)]
    two = pd.Series(fam[rng.integers(0, len(fam), n)]) + ", " + giv[rng.integers(0, len(giv), n)]
    authors = [[a, b] for a, b in zip(one, two)]
    first = rng.integers(1, 900, n)
    df = pd.DataFrame(
        {
            "record_id": [f"gen#{i}" for i in range(n)],
            "source_file": "generated.csv",
            "source_line": np.arange(2, n + 2),
            "source_format": "csv",
            "role": np.where(rng.random(n) < 0.5, "main", "related"),
            "title": titles,
            "authors": authors,
            "year": rng.integers(1950, 2025, n).astype(str),
            "journal": np.array(["JOURNAL OF MENTAL HEALTH", "BMC Health Services Research"])[
                rng.integers(0, 2, n)
            ],
            "volume": rng.integers(1, 60, n).astype(str),
            "issue": rng.integers(1, 12, n).astype(str),
            "pages": [f"{a}-{a + 9}" for a in first],
            "doi": [f"10.1000/gen.{i}" for i in range(n)],
            "abstract": titles + ". Abstract text.",
        }
    )
    for col, values in DAMAGE.items():
        hit = rng.random(n) < 0.004
        picked = rng.integers(0, len(values), hit.sum())
        df.loc[hit, col] = pd.Series([values[i] for i in picked], index=df.index[hit], dtype=object)
    return df.astype(object)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    t0 = time.perf_counter()
    df = generate(n)
    t1 = time.perf_counter()
    anomalies = validate_records(df)
    t2 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"generated {n:,} records in {t1 - t0:.1f} s")
    print(
        f"validated {n:,} records in {t2 - t1:.1f} s = {n / (t2 - t1):,.0f} records/s; "
        f"{len(anomalies):,} anomalies; peak memory {peak:,.0f} MiB"
    )


if __name__ == "__main__":
    main()
