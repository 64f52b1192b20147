"""Invariants: symmetric comparison, idempotent normalisation, clustering vs an oracle."""

import itertools

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.matching.cluster import clusters
from dedupe.matching.compare import compare
from dedupe.matching.normalise import fold_one, journal_key_one, normalise_records

WORDS = [
    "peer",
    "support",
    "mental",
    "health",
    "Øgård",
    "Repål",
    "care",
    "study",
    "part",
    "1",
    "2",
    "review",
    "JOURNAL",
    "of",
    "&",
]
text = st.lists(st.sampled_from(WORDS), min_size=0, max_size=6).map(lambda ws: " ".join(ws) or None)
record = st.fixed_dictionaries(
    {
        "title": text,
        "abstract": text,
        "authors_norm": st.sampled_from(
            [
                None,
                ["Øgård-Repål, Anita"],
                ["Ogard-Repal, Anita", "Berg, R"],
                ["Berg, Rigmor C."],
                ["Smith, J"],
            ]
        ),
        "year": st.sampled_from([None, "2020", "2021", "2023"]),
        "journal": st.sampled_from(
            [None, "J MENTAL HEALTH", "Journal of Mental Health", "PLOS ONE"]
        ),
        "doi": st.sampled_from([None, "10.1/a", "10.1/b"]),
        "volume": st.sampled_from([None, "5", "05", "6"]),
        "issue": st.sampled_from([None, "1"]),
        "pages": st.sampled_from([None, "1-9", "2-9"]),
    }
)


@settings(max_examples=60, deadline=None)
@given(st.lists(record, min_size=2, max_size=6))
def test_comparison_is_symmetric(rows):
    recs = pd.DataFrame(rows).assign(record_id=[f"r{i}" for i in range(len(rows))])
    norm = normalise_records(recs)
    ij = list(itertools.combinations(range(len(rows)), 2))
    fwd = compare(norm, pd.DataFrame({"i_l": [a for a, _ in ij], "i_r": [b for _, b in ij]}))
    bwd = compare(norm, pd.DataFrame({"i_l": [b for _, b in ij], "i_r": [a for a, _ in ij]}))
    pd.testing.assert_frame_equal(fwd, bwd)


@given(st.text(max_size=40))
def test_fold_is_idempotent(s):
    once = fold_one(s)
    assert once is None or fold_one(once) == once


@given(st.text(max_size=40))
def test_journal_key_is_idempotent(s):
    once = journal_key_one(s)
    assert once is None or journal_key_one(once) == once


def oracle_components(n, edges):
    label = list(range(n))
    changed = True
    while changed:
        changed = False
        for a, b in edges:
            m = min(label[a], label[b])
            if label[a] != m or label[b] != m:
                label[a] = label[b] = m
                changed = True
    return label


graphs = st.integers(1, 12).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).filter(lambda e: e[0] != e[1]),
            max_size=20,
        ),
    )
)


@settings(max_examples=200)
@given(graphs)
def test_clusters_match_brute_force_components(graph):
    n, edges = graph
    left = np.array([a for a, _ in edges], dtype=int)
    r = np.array([b for _, b in edges], dtype=int)
    got = clusters(n, left, r, strong=None)
    assert got.tolist() == oracle_components(n, edges)


@settings(max_examples=200)
@given(graphs, st.lists(st.floats(0, 1), min_size=20, max_size=20))
def test_guarded_clusters_refine_components(graph, strengths):
    n, edges = graph
    left = np.array([a for a, _ in edges], dtype=int)
    r = np.array([b for _, b in edges], dtype=int)
    guarded = clusters(n, left, r, np.array(strengths[: len(edges)]))
    plain = oracle_components(n, edges)
    for i, j in itertools.combinations(range(n), 2):
        if guarded[i] == guarded[j]:
            assert plain[i] == plain[j]


def test_weak_link_does_not_chain_two_groups():
    # two triangles joined by one edge: the guard keeps them apart
    edges = [(0, 1), (1, 2), (0, 2), (3, 4), (4, 5), (3, 5), (2, 3)]
    strength = np.array([0.999] * 6 + [0.991])
    got = clusters(6, np.array([a for a, _ in edges]), np.array([b for _, b in edges]), strength)
    assert len(set(got[:3])) == 1 and len(set(got[3:])) == 1 and got[0] != got[3]


@given(st.lists(st.one_of(st.none(), st.text(max_size=30)), max_size=10))
def test_provenance_json_literals_round_trip(values):
    import json

    from dedupe.matching.merge import json_strings

    out = json_strings(pd.Series(values, dtype=object))
    assert [json.loads(o) for o in out.to_pylist()] == values


LAYOUT_BITS = [
    "被引:3",
    "|",
    "作者",
    "机构",
    "来源",
    "摘要",
    "相关论文",
    "共 5 条",
    "D O I",
    "  • [1] A title",
    "[J]. JOURNAL, 2020, 3 (1) : 1 - 9",
    "Rao, Sandy [1 ]",
    "2020 ◽",
    "Vol 5 (1) ◽",
    "pp. 53-61",
    "Author(s):",
    "David Rosenberg ◽",
    "...",
    "Author:",
    "Abstract",
    "Funder",
    "Reference3 articles.",
    "1. Doe J. A title. J X. 2020;1(2):3–4.",
    "Cited by",
    "TY  - JOUR",
    "ER  - ",
    "@article{x,",
    "title,authors",
    '{"title": 1}',
    "",
    "Sign in / Sign up",
    "\x0b",
    "页码:1 / 2",
]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.sampled_from(LAYOUT_BITS) | st.text(max_size=30), max_size=25),
    st.sampled_from(
        ["wos-cn", "scholarly", "abstract-page", "ris", "bibtex", "csv", "tsv", "jsonl"]
    ),
)
def test_parsers_never_raise_and_keep_lines_in_range(lines, fmt):
    from dedupe.parsing.decode import normalise_newlines
    from dedupe.parsing.formats import PARSERS

    text = normalise_newlines("\n".join(lines))  # as read_text hands every parser its text
    out = PARSERS[fmt].parse(text)
    n_lines = max(1, text.count("\n") + 1)
    for rec in out.records:
        assert 1 <= rec.line <= n_lines
    if out.table is not None:  # records read as columns (CSV, TSV)
        assert all(1 <= line <= n_lines for line in out.table.line.tolist())
    for problem in out.problems:
        assert 0 <= problem.line <= n_lines
