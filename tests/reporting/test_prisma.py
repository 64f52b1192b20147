"""The PRISMA-style identification flow: counts that add up, drawn in the report as SVG."""

import re

import pandas as pd
import pytest
from conftest import SEEDS

from dedupe.pipeline import run_pipeline
from dedupe.reporting.html import render_report, run_counts
from dedupe.reporting.prisma import auto_duplicates, prisma_flow


@pytest.fixture(scope="module")
def seed_run():
    return run_pipeline([SEEDS])


def test_counts_add_up_on_the_seeds(seed_run):
    c = run_counts(seed_run)
    recs, corpus = seed_run.parsed.records, seed_run.matched.corpus
    assert c["records_identified"] == len(recs) == sum(s["records"] for s in c["sources"])
    assert c["duplicates_removed"] == len(recs) - len(corpus) > 0
    assert (
        c["duplicates_removed_automatically"] + c["duplicates_removed_by_review"]
        == (c["duplicates_removed"])
    )
    assert c["records_out"] == len(corpus) and c["excluded_by_role"] == 0
    assert sum(c["records_out_by_role"].values()) == len(corpus)
    assert c["parse_failures"] == int((seed_run.parsed.failures["kind"] == "failure").sum())


def test_reviewed_merges_are_counted_apart_from_automatic_ones():
    clusters = pd.DataFrame({"record_id": list("abcde"), "cluster_id": list("aaacd")})
    pairs = pd.DataFrame(
        {
            "record_id_l": ["a", "b", "c", "d"],
            "record_id_r": ["b", "c", "d", "e"],
            "decision": ["merge", "merge", "merge", "review"],
            "reviewed": ["", "same", "", ""],
        }
    )
    # a-b automatic, b-c by review; c-d accepted but refused by the chaining guard
    assert auto_duplicates(pairs, clusters) == 1


def test_roles_left_out_get_their_own_box():
    counts = {
        "sources": [{"source": "seeds/a.txt", "format": "wos-cn", "records": 3}],
        "records_identified": 3,
        "unreadable_files": 0,
        "parse_failures": 1,
        "duplicates_removed": 0,
        "duplicates_removed_automatically": 0,
        "duplicates_removed_by_review": 0,
        "pairs_awaiting_review": 0,
        "unique_records": 3,
        "excluded_by_role": 2,
        "records_out": 1,
        "records_out_by_role": {"main": 1},
    }
    flow = prisma_flow(counts)
    titles = [b["title"] for b in flow["boxes"]]
    assert "Left out by --roles" in titles and len(flow["arrows"]) == 5
    assert all(b["y"] + b["h"] <= flow["height"] for b in flow["boxes"])
    counts["excluded_by_role"] = 0
    assert "Left out by --roles" not in [b["title"] for b in prisma_flow(counts)["boxes"]]


def test_report_draws_the_flow_with_the_same_numbers(seed_run):
    html = render_report(seed_run)
    svg = re.search(r'<svg id="chart-prisma".*?</svg>', html, re.S).group(0)
    c = run_counts(seed_run)
    assert f"Records identified (n = {c['records_identified']})" in svg
    assert f"Duplicates removed (n = {c['duplicates_removed']})" in svg
    assert f"Unique records out (n = {c['records_out']})" in svg
    assert "000_96de7f5dc43e5274.txt (abstract-page): n = 6" in svg


def test_a_reviewed_same_pair_counts_as_removed_after_review(seed_run, tmp_path):
    from dedupe.config import Config

    review = seed_run.matched.pairs[seed_run.matched.pairs["decision"] == "review"]
    assert len(review) >= 1
    first = review.iloc[0]
    path = tmp_path / "decisions.csv"
    path.write_text(
        f"record_id_l,record_id_r,decision\n{first.record_id_l},{first.record_id_r},same\n",
        encoding="utf-8",
    )
    c = run_pipeline([SEEDS], Config(decisions=path)).summary["prisma"]
    before = run_counts(seed_run)
    assert c["duplicates_removed_by_review"] == 1
    assert c["duplicates_removed_automatically"] == before["duplicates_removed_automatically"]
    assert c["records_out"] == before["records_out"] - 1
