"""Unit tests of the matching stages: field preparation, blocking, estimation, vetoes."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dedupe.matching.blocking import pairs_on_key
from dedupe.matching.comparisons import LEVELS
from dedupe.matching.estimate import em_session, monotone
from dedupe.matching.fields import (
    id_like,
    leading_number,
    page_numbers,
    placeholder_mask,
    strip_title_noise,
)
from dedupe.matching.model import veto_conditions


@pytest.mark.parametrize(
    "raw, first, last",
    [
        ("106-11", 106, 111),
        ("e12724", 12724, 12724),
        ("c37-c42", 37, 42),
        ("945", 945, 945),
        ("1998-2003", 1998, 2003),
        ("S27", 27, 27),
        ("viii108", 108, 108),
    ],
    ids=["short-end", "article-number", "letters", "single", "long", "supplement", "roman-prefix"],
)
def test_page_numbers(raw, first, last):
    got = page_numbers(pd.Series([raw])).iloc[0]
    assert (got["first"], got["last"]) == (first, last)


@pytest.mark.parametrize("raw", ["01-Jun", "215 p", "12 pp."], ids=["date", "count", "pp"])
def test_not_a_page_range_is_missing(raw):
    assert page_numbers(pd.Series([raw])).isna().all(axis=None)


@pytest.mark.parametrize(
    "raw, value",
    [("vol. 6", 6), ("6(1)", 6), ("30a", 30), ("XIV", 14), ("No. 3", 3)],
    ids=["vol", "issue-in-brackets", "letter", "roman", "no"],
)
def test_leading_number(raw, value):
    assert leading_number(pd.Series([raw])).iloc[0] == value


def test_placeholders():
    got = placeholder_mask(pd.Series(["N/A", "[No authors listed]", "Anonymous", "Smith", None]))
    assert got.tolist() == [True, True, True, False, False]


@pytest.mark.parametrize(
    "raw, title, note",
    [
        ("A trial.[Erratum appears in N Engl J Med 2005;352:2146]", "A trial", "[Erratum"),
        (
            "[Neoadjuvant chemotherapy in stage IIIA]",
            "Neoadjuvant chemotherapy in stage IIIA",
            None,
        ),
        ("1994 . The impact of caching", "The impact of caching", None),
        ("[C] Mining association rules", "Mining association rules", None),
        ("Correction of a trial (vol 12, pg 34, 2019)", "Correction of a trial", "(vol 12"),
    ],
    ids=["erratum", "translated", "year-junk", "tag-junk", "wos-correction"],
)
def test_title_noise(raw, title, note):
    clean, notes = strip_title_noise(pd.Series([raw]))
    assert clean.iloc[0] == title
    assert (
        (notes.iloc[0] is None or pd.isna(notes.iloc[0]))
        if note is None
        else notes.iloc[0].startswith(note)
    )


def test_id_like_column():
    assert id_like(pd.Series([str(i) for i in range(100)]))
    assert not id_like(pd.Series([str(i % 12) for i in range(100)]))
    assert not id_like(pd.Series(["1", "2", "3"]))  # too few values to tell


def test_oversized_block_is_windowed_not_dropped():
    key = pd.Series(["a"] * 1000 + ["b"] * 3)
    codes, capped = pairs_on_key(key, max_block=100, window=5)
    n = len(key)
    left, right = codes // n, codes % n
    assert capped == 1
    assert len(codes) <= 1000 * 5 + 3
    # the windowed pairs chain every member of the big block together
    from dedupe.matching.cluster import components

    labels = components(n, left, right)
    assert len(set(labels[:1000])) == 1 and len(set(labels[1000:])) == 1


TRUE_MU = {  # m and u per non-null level, as a corpus might have them
    "authors": ([0.7, 0.15, 0.08, 0.05, 0.02], [0.001, 0.004, 0.01, 0.085, 0.9]),
    "year": ([0.85, 0.1, 0.05], [0.05, 0.1, 0.85]),
    "journal": ([0.6, 0.2, 0.2], [0.02, 0.03, 0.95]),
}


def test_em_recovers_m_from_unlabelled_pairs():
    rng = np.random.default_rng(0)
    n = 60_000
    is_match = rng.random(n) < 0.3
    levels = pd.DataFrame(
        {
            f"{name}_level": np.where(
                is_match, rng.choice(len(m), n, p=m), rng.choice(len(u), n, p=u)
            ).astype("int8")
            + 1
            for name, (m, u) in TRUE_MU.items()
        }
    )
    start = {name: [(1 / len(u), x) for x in u] for name, (_, u) in TRUE_MU.items()}
    patterns = levels.groupby(list(levels.columns)).size().rename("count").reset_index()
    got = em_session(patterns, start, list(TRUE_MU), iterations=60)
    for name, (m, _) in TRUE_MU.items():
        assert np.allclose([x for x, _ in got[name]], m, atol=0.03), name


def test_weights_never_grow_down_the_ladder():
    mu = {"title": [(0.8, 1e-4), (0.1, 1e-6), (0.05, 1e-6), (0.05, 0.9999)]}
    w = [np.log2(m / u) for m, u in monotone(mu)["title"]]
    assert w[0] >= w[1] >= w[2]


def test_recurring_title_with_other_numbers_is_vetoed():
    idx = {name: {lv: i for i, lv in enumerate(names)} for name, names in LEVELS.items()}
    row = {f"{name}_level": [0] for name in LEVELS}
    row.update(
        {
            "title_level": [idx["title"]["exact"]],
            "issue_level": [idx["issue"]["else"]],
            "volume_level": [idx["volume"]["same"]],
            "title_carriers": [5.0],
            "title_numbers_differ": [False],
            "title_part_one_side": [False],
            "title_types_differ": [False],
        }
    )
    holds = veto_conditions(pd.DataFrame(row), np.array([False]))
    assert holds["common_title_numbers_differ"][0]
    row["title_carriers"] = [1.0]
    assert not veto_conditions(pd.DataFrame(row), np.array([False]))["common_title_numbers_differ"][
        0
    ]


def test_compare_in_chunks_equals_compare_at_once(seed_result, monkeypatch):
    from dedupe.matching import compare as cmp
    from dedupe.matching.blocking import block
    from dedupe.matching.normalise import normalise_records

    norm = normalise_records(seed_result.records)
    pairs, _ = block(norm)
    cols = cmp.column_arrays(norm)
    whole = cmp.compare_encoded(cols, pairs)
    monkeypatch.setattr(cmp, "CHUNK", max(len(pairs) // 7, 1))
    pd.testing.assert_frame_equal(cmp.compare_encoded(cols, pairs), whole)
    assert len(pairs) > 7


def test_corpus_listed_by_is_a_list_until_written(seed_result):
    from dedupe.matching.engine import match_records

    corpus = match_records(seed_result.records).corpus
    listed = corpus["listed_by"].dropna()
    assert len(listed) and all(isinstance(v, list) and v for v in listed)
    assert set(corpus["cluster_id"]) >= {c for v in listed for c in v}


folded_text = st.text(alphabet="abcz019 ", max_size=40).map(lambda t: " ".join(t.split()))


@given(folded_text, folded_text)
def test_ratio_of_sorted_words_is_token_sort_ratio(a, b):
    # compare scores titles and journals this way, sorting each distinct value once
    from rapidfuzz import fuzz

    from dedupe.matching.compare import sorted_words

    assert fuzz.ratio(sorted_words(a), sorted_words(b)) == fuzz.token_sort_ratio(a, b)


@pytest.mark.parametrize("writeable", [True, False])
def test_weak_link_refused_even_in_a_read_only_pair_table(writeable):
    # two strong triangles joined by one weaker link; the table's columns may be read-only
    # Arrow buffers (the Spark engine's collected pairs), as at 1M records on Spark
    from dedupe.matching.engine import (
        DECISIONS,
        REVIEWED,
        VETO_REASONS,
        WEAK_LINK,
        refuse_weak_links,
    )

    links = [(0, 1), (0, 2), (1, 2), (3, 4), (3, 5), (4, 5), (2, 3)]
    il, ir = (np.array(side) for side in zip(*links))
    codes = {
        "decision": np.full(len(links), list(DECISIONS).index("merge"), dtype=np.int8),
        "veto": np.zeros(len(links), dtype=np.int8),
        "reviewed": np.zeros(len(links), dtype=np.int8),
    }
    for array in codes.values():
        array.flags.writeable = writeable
    names = {"decision": DECISIONS, "veto": VETO_REASONS, "reviewed": REVIEWED}
    columns = {c: pd.Categorical.from_codes(codes[c], names[c]) for c in codes}
    out = pd.DataFrame({"probability": [0.99] * 6 + [0.9], **columns}, copy=False)
    kept = refuse_weak_links(out, il, ir, 6)
    assert kept.tolist() == [0, 1, 2, 3, 4, 5]
    assert out["decision"].tolist() == ["merge"] * 6 + ["review"]
    assert out["veto"].tolist()[-1] == WEAK_LINK


def test_block_pairs_are_every_pair_within_each_block_once():
    """``block_pairs`` against the definition: every unordered pair of distinct records
    sharing a key (records may hold a key twice), each once."""
    from itertools import combinations

    from dedupe.matching.blocking import block_pairs

    rng = np.random.default_rng(7)
    for _ in range(200):
        m, n = int(rng.integers(0, 40)), 30
        k = rng.integers(0, int(rng.integers(1, 10)), m)
        i = rng.integers(0, n, m)
        expected = {
            min(a, b) * n + max(a, b)
            for key in set(k.tolist())
            for a, b in combinations(i[k == key].tolist(), 2)
            if a != b
        }
        got = block_pairs(k, i, n)
        assert set(got.tolist()) == expected


def test_sorted_codes_of_a_categorical_equal_factorize_sorted():
    from dedupe.matching.engine import sorted_codes

    names = ["title_exact", "doi", "unused", "abstract_title"]
    codes = np.array([0, 1, 0, 3, -1, 1, 3], dtype=np.int8)
    keys = pd.Series(pd.Categorical.from_codes(codes, categories=names))
    got_codes, got_names = sorted_codes(keys)
    want_codes, want_names = pd.factorize(pd.Series(keys.astype(str).where(codes >= 0)), sort=True)
    assert got_codes.tolist() == want_codes.tolist()
    assert got_names.tolist() == want_names.tolist() == ["abstract_title", "doi", "title_exact"]
