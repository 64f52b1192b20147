"""Matching gives the same tables on one thread as on several (rules, chunks of pairs,
field groups and the merge's checks run in threads)."""

import pandas as pd

from dedupe.core.parallel import THREADS_ENV
from dedupe.matching import compare
from dedupe.matching.engine import match_records
from tests.matching.test_generalise import background, copies, table


def test_same_tables_on_one_thread_and_on_several(monkeypatch):
    rows = background(600, seed=5)
    for k in range(40):  # papers written several ways: merges, with values to choose
        rows += copies(3, f"Bayesian kernel study number {k} of regional outcomes", "Øgård-Repål",
                       "Anita", str(2000 + k % 20), seed=k)  # fmt: skip
    records = table(rows)
    monkeypatch.setattr(compare, "CHUNK", 97)  # pairs compared in many chunks
    results = {}
    for n in ("1", "2", "4"):
        monkeypatch.setenv(THREADS_ENV, n)
        results[n] = match_records(records)
    one = results["1"]
    assert len(one.pairs) > 5 * 97 and one.corpus["n_records"].max() > 1
    for n in ("2", "4"):
        for name in ("pairs", "clusters", "corpus"):
            pd.testing.assert_frame_equal(getattr(results[n], name), getattr(one, name))
