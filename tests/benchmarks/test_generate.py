"""The synthetic corpus generator: reproducible, in the record-table columns, and hard."""

import sys

import numpy as np
import pytest

from dedupe.core.records import BIB_COLUMNS, ID_COLUMNS
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
generate = pytest.importorskip("generate")
if not (generate.BENCH / "dblp_acm").exists():  # pragma: no cover
    # the generator draws its vocabulary from the shared benchmark tables, which live beside
    # the checkout on the development machines, not in it
    pytest.skip(
        f"{generate.BENCH}: benchmark tables missing (set DEDUPE_BENCH_DIR to run these tests)",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def corpus():
    return generate.generate(5000, seed=3)


def test_same_seed_same_corpus(corpus):
    assert corpus.equals(generate.generate(5000, seed=3))
    assert not corpus["title"].equals(generate.generate(5000, seed=4)["title"])


def test_record_columns_and_truth(corpus):
    assert len(corpus) == 5000
    assert set(ID_COLUMNS + BIB_COLUMNS) <= set(corpus.columns)
    assert corpus["record_id"].is_unique
    sizes = corpus["entity_id"].value_counts()
    assert 100 <= sizes.iloc[0] <= 250  # one big cluster
    assert sizes.iloc[1:].max() <= 10 and (sizes == 1).any()


def test_hard_properties(corpus):
    assert 0.17 < corpus["year"].isna().mean() < 0.23
    titles = corpus["title"].dropna()
    assert titles.str.match(r"\d{4} \. |\[[A-Z]+\] ").any()
    assert titles.str.contains("â€").any()  # mojibake
    first = corpus["authors"].map(lambda names: names[0] if names else None)
    assert first.str.match(r"^[A-Z]{1,3} [A-Z]").any()  # initials only


def test_different_papers_share_titles(corpus):
    first = corpus.dropna(subset=["title"]).groupby("entity_id")["title"].first()
    key = first.str.lower().str.replace(r"\W|part|\b(?:i+|1|2)\b", "", regex=True)
    assert key.duplicated().sum() >= 10


def test_typo_is_one_edit():
    from rapidfuzz.distance import Levenshtein

    rng = np.random.default_rng(0)
    for word in ["database", "query", "optimisation"] * 20:
        assert 1 <= Levenshtein.distance(word, generate.typo(word, rng)) <= 2
