"""Benchmark: mojibake recall per codec family and false-flag rate on must-not-flag text.

Usage: python benchmarks/bench_mojibake.py [CASES_DIR] [--splits dev,holdout,ftfy]
(CASES_DIR defaults to tests/fixtures/mojibake; --splits limits the columns printed.)

Reads the case files written by tools/make_mojibake_cases.py and runs the ``mojibake`` check
as validation does (vectorised over a Series). Recall is reported per family and split: ``dev``
(generated, the detectors were tuned on it), ``holdout`` (generated from other locales and
other kinds of text, not looked at while tuning) and ``ftfy`` (ftfy's own test cases);
"repaired" is the share of flagged cases whose suggested repair is exactly the original text.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

from dedupe.validation.checks import CHECKS

CASES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "mojibake"
SPLITS = ("dev", "holdout", "ftfy")


def load(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(positives with family and split, negatives) from the case files in ``folder``."""
    rows = []
    for path in sorted(folder.glob("*.json")):
        if path.stem != "negatives":
            for case in json.loads(path.read_text(encoding="utf-8")):
                rows.append({**case, "family": path.stem})
    neg = json.loads((folder / "negatives.json").read_text(encoding="utf-8"))
    return pd.DataFrame(rows), pd.DataFrame(neg)


def flagged(texts: pd.Series) -> pd.Series:
    """True where the mojibake check flags the text."""
    return ~CHECKS["mojibake"].detect(texts.astype(object).reset_index(drop=True))


def table(pos: pd.DataFrame) -> pd.DataFrame:
    """Recall per family and split, with case counts."""
    pos = pos.assign(hit=flagged(pos["text"]).to_numpy())
    out = pos.groupby(["family", "split"]).agg(cases=("hit", "size"), recall=("hit", "mean"))
    return out.unstack("split")


def main() -> None:
    args = sys.argv[1:]
    splits = SPLITS
    if "--splits" in args:
        at = args.index("--splits")
        splits, args = tuple(args[at + 1].split(",")), args[:at] + args[at + 2 :]
    pos, neg = load(Path(args[0]) if args else CASES)
    pos = pos[pos["split"].isin(splits)]
    tab = table(pos)
    cols = [s for s in splits if ("recall", s) in tab.columns]
    print("| family | " + " | ".join(f"recall {s} (n)" for s in cols) + " | repaired (all) |")
    print("|---" * (len(cols) + 2) + "|")
    for family, row in tab.iterrows():
        cells = [
            f"{row[('recall', s)]:.3f} ({int(row[('cases', s)])})"
            if pd.notna(row[("cases", s)])
            else "–"
            for s in cols
        ]
        rep = pos[pos["family"] == family]
        print(f"| {family} | " + " | ".join(cells) + f" | {_repaired(rep):.3f} |")
    bad = flagged(neg["text"]).to_numpy()
    print(f"\nfalse flags: {int(bad.sum())} of {len(neg)} must-not-flag texts = {bad.mean():.3%}")
    for text in neg["text"][bad]:
        print("  flagged:", text)


def _repaired(rep: pd.DataFrame) -> float:
    fix = CHECKS["mojibake"].suggest
    assert fix is not None
    return sum(fix(t) == f for t, f in zip(rep["text"], rep["fixed"])) / max(len(rep), 1)


if __name__ == "__main__":
    main()
