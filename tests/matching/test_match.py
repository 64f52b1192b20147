"""Matching on the seeds: what must merge, go to review, or stay apart; decisions; CLI."""

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import SEEDS

from dedupe.cli import main
from dedupe.matching.engine import match_records


def rid(records, file, line):
    hit = records[records.source_file.str.contains(f"{file}_") & (records.source_line == line)]
    assert len(hit) == 1, (file, line)
    return hit.record_id.iloc[0]


@pytest.fixture(scope="module")
def matched(seed_result):
    return match_records(seed_result.records)


def pair(result, a, b):
    p = result.pairs
    hit = p[
        ((p.record_id_l == a) & (p.record_id_r == b))
        | ((p.record_id_l == b) & (p.record_id_r == a))
    ]
    return hit.iloc[0] if len(hit) else None


def cluster_of(result, record_id):
    return result.clusters.set_index("record_id").cluster_id[record_id]


def test_ogard_repal_entries_merge_and_keep_diacritics(seed_result, matched):
    recs = seed_result.records
    a, b = rid(recs, "003", 50), rid(recs, "003", 56)
    assert pair(matched, a, b).decision == "merge"
    assert cluster_of(matched, a) == cluster_of(matched, b)
    row = matched.corpus[[a in ids for ids in matched.corpus.merged_ids]].iloc[0]
    assert row.n_records == 2
    assert row.authors_norm[0] == "Øgård-Repål, Anita"
    assert row.year == "2022"
    assert row.journal == "BMC Health Services Research"
    assert a in row.provenance and b in row.provenance


def test_untitled_record_matched_through_authors_and_abstract(seed_result, matched):
    recs = seed_result.records
    p = pair(matched, rid(recs, "000", 1), rid(recs, "003", 94))
    assert p is not None and p.decision in ("merge", "review")
    assert p.match_key == "abstract_title"
    assert p.authors_level == "all" and p.title_abstract_level != "null"


def test_preprint_and_article_at_least_in_review(seed_result, matched):
    recs = seed_result.records
    p = pair(matched, rid(recs, "001", 9), rid(recs, "003", 89))
    assert p is not None and p.decision in ("merge", "review")


@pytest.mark.parametrize(
    "a,b",
    [
        (("000", 1), ("000", 20)),  # a page's main record and its own reference 3
        (("002", 55), ("002", 62)),  # the two "mechanisms of peer support" papers
        (("003", 50), ("003", 72)),  # the HIV paper and the parents-of-disabled-children paper
    ],
    ids=["main-vs-own-reference", "two-mechanisms-papers", "hiv-vs-parents"],
)
def test_not_merged(seed_result, matched, a, b):
    recs = seed_result.records
    ra, rb = rid(recs, *a), rid(recs, *b)
    assert cluster_of(matched, ra) != cluster_of(matched, rb)
    p = pair(matched, ra, rb)
    assert p is None or p.decision != "merge"


def test_every_record_in_exactly_one_cluster(seed_result, matched):
    assert sorted(matched.clusters.record_id) == sorted(seed_result.records.record_id)
    merged = [i for ids in matched.corpus.merged_ids for i in ids]
    assert sorted(merged) == sorted(seed_result.records.record_id)
    assert len(matched.corpus) == matched.clusters.cluster_id.nunique()


def test_pairs_explain_every_field(matched):
    p = matched.pairs
    for field in ("title", "authors", "year", "journal", "doi", "title_abstract"):
        assert {f"{field}_level", f"{field}_weight"} <= set(p.columns)
    assert p.probability.between(0, 1).all()
    assert set(p.decision) <= {"merge", "review", "distinct"}
    assert not p.duplicated(["record_id_l", "record_id_r"]).any()


def test_own_reference_is_vetoed_when_scored(seed_result):
    from dedupe.matching.engine import _own_reference

    recs = seed_result.records
    pos = {r: i for i, r in enumerate(recs.record_id)}
    main_rec, ref = rid(recs, "000", 1), rid(recs, "000", 20)
    other_file = rid(recs, "003", 94)
    pairs = pd.DataFrame(
        {"i_l": [pos[main_rec], pos[main_rec]], "i_r": [pos[ref], pos[other_file]]}
    )
    assert _own_reference(recs, pairs).tolist() == [True, False]


def test_review_decisions_are_applied(seed_result, tmp_path):
    recs = seed_result.records
    strand_a, strand_b = rid(recs, "001", 9), rid(recs, "003", 89)
    og_a, og_b = rid(recs, "003", 50), rid(recs, "003", 56)
    decisions = pd.DataFrame(
        {
            "record_id_l": [strand_b, og_a],
            "record_id_r": [strand_a, og_b],
            "decision": ["same", "different"],
            "note": ["", ""],
        }
    )
    result = match_records(recs, decisions=decisions)
    assert cluster_of(result, strand_a) == cluster_of(result, strand_b)
    assert cluster_of(result, og_a) != cluster_of(result, og_b)
    assert set(result.pairs.reviewed) >= {"same", "different"}


def test_pairs_csv_leaves_out_clear_non_matches_unless_all_pairs(tmp_path):
    runner = CliRunner()
    for args, out in (([], tmp_path / "some"), (["--all-pairs"], tmp_path / "all")):
        res = runner.invoke(main, ["match", str(SEEDS), "--out", str(out), *args])
        assert res.exit_code == 0, res.output
    some = pd.read_csv(tmp_path / "some" / "pairs.csv", keep_default_na=False)
    every = pd.read_csv(tmp_path / "all" / "pairs.csv", keep_default_na=False)
    clear = (every["decision"] == "distinct") & (every["probability"] < 0.01)
    assert clear.any() and len(some) == len(every) - clear.sum()
    assert not ((some["decision"] == "distinct") & (some["probability"] < 0.01)).any()
    assert set(every.loc[~clear, "record_id_l"] + every.loc[~clear, "record_id_r"]) == set(
        some["record_id_l"] + some["record_id_r"]
    )


def test_match_cli_writes_outputs_and_takes_decisions(tmp_path):
    runner = CliRunner()
    res = runner.invoke(main, ["match", str(SEEDS), "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "blocking title_exact" in res.stderr
    for name in ("pairs.csv", "clusters.csv", "corpus.csv", "review.csv"):
        assert (tmp_path / name).exists()
    review = pd.read_csv(tmp_path / "review.csv", dtype=str, keep_default_na=False)
    assert len(review) >= 1
    review["decision"] = "same"
    review.to_csv(tmp_path / "decisions.csv", index=False)
    res = runner.invoke(
        main,
        [
            "match",
            str(SEEDS),
            "--out",
            str(tmp_path / "2"),
            "--decisions",
            str(tmp_path / "decisions.csv"),
        ],
    )
    assert res.exit_code == 0, res.output
    again = pd.read_csv(tmp_path / "2" / "review.csv")
    assert len(again) == len(review) - len(review)  # every reviewed pair is settled
    corpus = pd.read_csv(tmp_path / "corpus.csv")
    corpus2 = pd.read_csv(tmp_path / "2" / "corpus.csv")
    assert len(corpus2) == len(corpus) - len(review)


def test_bad_decisions_file_is_one_line_error(tmp_path):
    bad = tmp_path / "d.csv"
    bad.write_text("record_id_l,record_id_r,decision\na,b,maybe\n")
    res = CliRunner().invoke(
        main, ["match", str(SEEDS), "--out", str(tmp_path), "--decisions", str(bad)]
    )
    assert res.exit_code == 2
    assert "d.csv:2: decision 'maybe' is not 'same' or 'different'" in res.output


def test_model_reestimation_keeps_a_valid_model(seed_result):
    from dedupe.matching.model import Settings

    result = match_records(seed_result.records, Settings.default(estimate=True))
    assert result.pairs.probability.between(0, 1).all()
    assert "estimate" in result.timings
    recs = seed_result.records
    a, b = rid(recs, "003", 50), rid(recs, "003", 56)
    assert cluster_of(result, a) == cluster_of(result, b)
