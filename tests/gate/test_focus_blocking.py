"""Focus blocking equals whole-table blocking on random corpora built to be awkward: a tiny
vocabulary (rare-word ties everywhere), small block caps (sorted neighbourhoods), shared
DOIs, authors and years, untitled records with abstracts."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.gate.focus_blocking import focus_block
from dedupe.gate.incremental import combine, file_features
from dedupe.matching.blocking import block
from tests.matching.test_generalise import table

WORDS = "peer support care model study recovery health rural cohort trial".split()
FAMILIES = ["Ek", "Strand", "Øgård", "Lind", "Berg"]


def _corpus(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n):
        title = " ".join(rng.choice(WORDS, int(rng.integers(1, 6))))
        abstract = None
        if rng.random() < 0.15:
            title, abstract = None, f"On {' '.join(rng.choice(WORDS, 6))} today"
        family = rng.choice(FAMILIES)
        rows.append(
            {
                "title": title,
                "abstract": abstract,
                "authors": f"{family}, A." if rng.random() < 0.9 else None,
                "authors_norm": f"{family}, A.",
                "year": str(rng.choice([2019, 2020, 2021])) if rng.random() < 0.8 else None,
                "doi": f"10.1000/{rng.integers(0, 4)}" if rng.random() < 0.2 else None,
            }
        )
    recs = table(rows)
    recs["source_file"] = np.where(rng.random(n) < 0.3, "new.csv", "old.csv")
    return recs


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 120), st.sampled_from([2, 3, 5, 100]))
def test_focus_blocking_equals_block_on_awkward_corpora(seed, n, cap):
    recs = _corpus(seed, n)
    focus = (recs["source_file"] == "new.csv").to_numpy()
    ordered = pd.concat([recs[~focus], recs[focus]], ignore_index=True)
    mask = np.r_[np.zeros((~focus).sum(), bool), np.ones(focus.sum(), bool)]
    parts = [file_features(ordered[ordered["source_file"] == f]) for f in ("old.csv", "new.csv")]
    norm, ends, tokens = combine([p for p, m in zip(parts, (~mask, mask)) if m.any()], ordered)
    full, _ = block(norm, cap)
    touch = mask[full["i_l"].to_numpy()] | mask[full["i_r"].to_numpy()]
    got, _ = focus_block(norm, ends, tokens, mask, cap)
    want = full[touch].reset_index(drop=True)
    pd.testing.assert_frame_equal(_plain(got), _plain(want))


def _plain(pairs: pd.DataFrame) -> pd.DataFrame:
    """Rule names as Python strings (an empty selection keeps another text dtype)."""
    return pairs.astype({"match_key": object})
