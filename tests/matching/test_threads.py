"""Matching gives the same tables on one thread as on several (rules, chunks of pairs,
field groups and the merge's checks run in threads)."""

import random

import pandas as pd

from dedupe.core.parallel import THREADS_ENV
from dedupe.matching import compare, merge
from dedupe.matching.engine import match_records
from tests.matching.test_generalise import background, copies, table


def test_same_tables_on_one_thread_and_on_several(monkeypatch):
    rows = background(600, seed=5)
    words = ["kernel", "stroke", "lung", "fire", "peer", "trial", "cohort", "brigade", "sleep",
             "diet", "rural", "screening", "nurses", "asthma", "pain", "bayesian"]  # fmt: skip
    rng = random.Random(3)
    for k in range(40):  # papers written several ways: merges, with values to choose
        title = " ".join(rng.sample(words, 6))
        rows += copies(3, f"{title} study {k}", "Øgård-Repål", "Anita", str(2000 + k % 20),
                       seed=k)  # fmt: skip
    records = table(rows)
    monkeypatch.setenv(THREADS_ENV, "1")
    whole = match_records(records)  # one chunk of pairs, one of clusters, one thread
    monkeypatch.setattr(compare, "CHUNK", 97)  # pairs compared in many chunks
    monkeypatch.setattr(merge, "PROVENANCE_CLUSTERS", 7)  # provenance assembled in many
    results = {}
    for n in ("1", "2", "4"):
        monkeypatch.setenv(THREADS_ENV, n)
        results[n] = match_records(records)
    one = whole
    assert len(one.pairs) > 5 * 97 and one.corpus["n_records"].max() > 1
    assert (one.corpus["provenance"].str.len() > 2).sum() > 3 * 7  # chunks with content
    for n in ("1", "2", "4"):
        for name in ("pairs", "clusters", "corpus"):
            pd.testing.assert_frame_equal(getattr(results[n], name), getattr(one, name))


def test_checks_judge_arrow_text_as_python_text():
    """The merge hands the checks its Arrow text of title, abstract and journal: they
    flag exactly the values they flag in Python strings (None and damage of each kind)."""
    import numpy as np

    from dedupe.matching.merge import ARROW_JUDGED, _arrow_series, _field_text, flagged_values

    values = [None, "Peer support in fire brigades", "CafÃ© culture and Ã¸l", "被引 12 次",
              "Sign in / Sign up Journal of X", "D O I 10.1/x", "AbstractThe study of", "",
              "A title ◽ with a stray mark", "Title  with double  spaces"]  # fmt: skip
    records = table([{"title": v, "abstract": v, "journal": v, "authors": "Ek, P."}
                     for v in values])  # fmt: skip
    python = flagged_values(records, None)
    arrow = flagged_values(
        records.assign(**{f: _arrow_series(_field_text(records[f])) for f in ARROW_JUDGED}), None
    )
    assert sum(int(python[f].sum()) for f in ARROW_JUDGED) >= 6  # the damage is flagged
    for field in python:
        assert np.array_equal(python[field], arrow[field]), field


def test_pair_table_columns_taken_in_threads_stay_in_place(monkeypatch):
    """``labelled`` pops each column from the scored table and gathers it in a thread:
    the pops must not race (a race put one column's codes under another's name)."""
    import numpy as np

    from dedupe.matching.comparisons import LEVELS
    from dedupe.matching.engine import SCORE_COLUMNS, labelled

    rng = np.random.default_rng(0)
    n = 20_000
    scored = {}
    for name, levels in LEVELS.items():
        scored[f"{name}_level"] = rng.integers(0, len(levels), n).astype(np.int8)
        scored[f"{name}_weight"] = rng.random(n)
    for col in (*SCORE_COLUMNS, "match_weight", "probability"):
        scored[col] = rng.random(n)
    scored["decision"] = rng.integers(0, 3, n).astype(np.int8)
    scored["veto"] = scored["reviewed"] = np.zeros(n, dtype=np.int8)
    ids = np.array([f"r{i}" for i in range(n)], dtype=object)
    keys, order = np.array(["doi"] * n, dtype=object), rng.permutation(n)

    def table() -> pd.DataFrame:
        return labelled(pd.DataFrame(scored), ids, ids[::-1], keys, keys=["doi"], order=order)

    monkeypatch.setenv(THREADS_ENV, "1")
    one = table()
    monkeypatch.setenv(THREADS_ENV, "4")
    for _ in range(30):
        got = table()
        assert list(got.columns) == list(one.columns)
        for name, col in one.items():  # (assert_frame_equal: seconds per call here)
            assert got[name].dtype == col.dtype, name
            assert np.array_equal(got[name].to_numpy(), col.to_numpy()), name
