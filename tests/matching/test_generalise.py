"""Matching mechanisms that must hold on any corpus: large clusters, recurring titles,
ID-like columns, capped blocks. Synthetic corpora, one per failure mode."""

import unicodedata

import numpy as np
import pandas as pd
import pytest

from dedupe.core.records import RECORD_COLUMNS
from dedupe.matching.engine import match_records

WORDS = (
    "adaptive bayesian cohort dynamic estimation framework genomic hospital imaging kernel "
    "latent metabolic network outcome patient quality regional sensor temporal urban vaccine "
    "wearable xenograft yield zoning archive budget climate dialysis enzyme fishery glacier "
    "harvest insulin journey kidney lexicon migraine nutrient orchard pension quarry rainfall"
).split()
FAMILIES = "Berg Dahl Lie Aho Moe Nilsen Haug Strand Vik Lund Holm Sand Eng Foss Brekke".split()


def table(rows: list[dict]) -> pd.DataFrame:
    """A record table from partial rows (the other columns missing)."""
    df = pd.DataFrame(rows).reindex(columns=RECORD_COLUMNS)
    df["record_id"] = [f"r{i}" for i in range(len(df))]
    df["source_file"] = "synthetic.csv"
    df["source_line"] = np.arange(2, len(df) + 2)
    df["role"] = "main"
    for c in ("authors", "authors_norm"):  # rows write author lists as "A; B" for brevity
        df[c] = [v.split("; ") if isinstance(v, str) else None for v in df[c]]
    return df.astype(object).where(df.notna(), None)


def background(n: int, seed: int = 0) -> list[dict]:
    """``n`` distinct papers: random six-word titles, two authors, years, journals."""
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n):
        title = " ".join(rng.choice(WORDS, 6, replace=False)).capitalize()
        fam = rng.choice(FAMILIES, 2, replace=False)
        authors = f"{fam[0]}, {rng.choice(list('ABCDEFG'))}.; {fam[1]}, K."
        rows.append(
            {
                "title": title,
                "authors": authors,
                "authors_norm": authors,
                "year": str(rng.integers(1990, 2024)),
                "journal": f"Journal of {rng.choice(WORDS).capitalize()} Studies",
            }
        )
    return rows


def copies(n: int, title: str, family: str, given: str, year: str, seed: int) -> list[dict]:
    """``n`` copies of one paper written differently: name order, case, diacritics folded
    away ("Ogard-Repal, Anita" in an upper-case listing), missing years."""
    rng = np.random.default_rng(seed)
    plain = unicodedata.normalize("NFKD", family.replace("ø", "o").replace("Ø", "O"))
    plain = plain.encode("ascii", "ignore").decode()
    forms = [
        (title, f"{family}, {given}", year),
        (title.upper(), f"{plain.upper()}, {given.upper()}", year),
        (title.lower(), f"{given} {family}", None),
        (title, f"{plain}, {given[0]}.", year),
    ]
    rows = []
    for _ in range(n):
        t, a, y = forms[int(rng.integers(0, len(forms)))]
        rows.append(
            {
                "title": t,
                "authors": a,
                "authors_norm": a if "," in a else f"{family}, {given}",
                "year": y,
                "journal": "Scandinavian Journal of Caring Sciences",
            }
        )
    return rows


def clusters_of(result, records: pd.DataFrame, idx) -> set:
    by_id = result.clusters.set_index("record_id")["cluster_id"]
    return set(by_id[records["record_id"].iloc[list(idx)]])


@pytest.mark.parametrize("n_background", [100, 800], ids=["small-corpus", "estimated-model"])
def test_paper_with_250_copies_is_one_cluster_and_its_near_twin_stays_apart(n_background):
    a = copies(
        250,
        "Peer support in community mental health services: a qualitative study",
        "Øgård-Repål",
        "Anita",
        "2022",
        seed=1,
    )
    b = copies(
        250,
        "Peer support in community mental health services: a quantitative study",
        "Strand",
        "Mette",
        "2018",
        seed=2,
    )
    records = table(background(n_background) + a + b)
    result = match_records(records)
    start = n_background
    assert len(clusters_of(result, records, range(start, start + 250))) == 1
    assert len(clusters_of(result, records, range(start + 250, start + 500))) == 1
    assert clusters_of(result, records, [start]) != clusters_of(result, records, [start + 250])
    assert sum(s.capped_blocks for s in result.block_stats) > 0  # blocks over the cap kept


def test_a_doi_with_101_copies_merges_them_all():
    rows = [
        {
            "title": "Recovery colleges in rural Norway",
            "authors": "Lie, Kari",
            "authors_norm": "Lie, Kari",
            "year": "2019",
            "doi": "10.1000/xyz.123",
        }
    ] * 101
    records = table(rows)
    result = match_records(records)
    assert result.clusters["cluster_id"].nunique() == 1


def test_recurring_editorials_of_one_journal_in_different_issues_are_not_merged():
    rows = background(600)
    for year in range(2010, 2020):
        for issue in ("1", "2"):
            rows.append(
                {
                    "title": "Editorial",
                    "authors": "Berg, Anne",
                    "authors_norm": "Berg, Anne",
                    "year": str(year),
                    "journal": "Nordic Nursing Research",
                    "volume": str(year - 2000),
                    "issue": issue,
                }
            )
    records = table(rows)
    result = match_records(records)
    editorials = range(600, len(records))
    assert len(clusters_of(result, records, editorials)) == len(editorials)


def test_records_sharing_only_a_unique_record_number_do_not_merge():
    rng = np.random.default_rng(5)
    rows = [
        {
            "title": " ".join(rng.choice(WORDS, 5, replace=False)),
            "issue": str(1000 + i),
            "volume": str(1000 + i),
        }
        for i in range(600)
    ]
    records = table(rows)
    result = match_records(records)
    assert result.clusters["cluster_id"].nunique() == len(records)
    assert (result.pairs["decision"] != "merge").all()


def test_placeholders_are_missing_values_not_agreement():
    rows = [
        {
            "title": f"{w} report",
            "authors": "N/A",
            "authors_norm": "N/A",
            "journal": "N/A",
            "year": "2003",
        }
        for w in WORDS[:20]
    ]
    result = match_records(table(rows))
    assert (result.pairs["authors_level"].astype(str) == "null").all()


def test_annotations_and_junk_prefixes_do_not_split_a_paper():
    base = "Thoracoscopic decortication versus tube thoracostomy for empyema in children"
    rows = [
        {
            "title": base,
            "authors": "Peter, S.",
            "authors_norm": "Peter, S.",
            "year": "2009",
            "journal": "J Pediatr Surg",
            "volume": "44",
            "pages": "106-11",
        },
        {
            "title": base + ".[Erratum appears in J Pediatr Surg. 2009;44(9):1865 Note: [added]]",
            "authors": "Peter, Shawn",
            "authors_norm": "Peter, Shawn",
            "year": "2009",
            "journal": "Journal of Pediatric Surgery",
            "volume": "vol. 44",
            "pages": "106-111",
        },
        {
            "title": "2009 . " + base,
            "authors": "Peter, S. D.",
            "authors_norm": "Peter, S. D.",
            "year": "2009",
            "volume": "44(1)",
            "pages": "111",
        },
    ]
    result = match_records(table(rows))
    assert result.clusters["cluster_id"].nunique() == 1


@pytest.mark.parametrize("other_issue", [False, True])
def test_pages_alone_differing_within_one_issue_merge_elsewhere_go_to_review(other_issue):
    """An e-page against a printed range (or a slipped page number) where journal, volume
    and issue agree is the same paper; pages that differ along with the issue may be
    another version and wait for a person."""
    paper = {
        "title": "Amantadine for the posttraumatic confusional state: a randomized trial",
        "authors": "Yablon, S.; Sherer, M.; Nakase-Richardson, R.",
        "authors_norm": "Yablon, S.; Sherer, M.; Nakase-Richardson, R.",
        "year": "2010",
        "journal": "Archives of Physical Medicine and Rehabilitation",
        "volume": "91",
        "issue": "10",
    }
    rows = background(300) + [
        {**paper, "pages": "e8-e9"},
        {**paper, "pages": "e3", "issue": "11" if other_issue else "10"},
    ]
    result = match_records(table(rows))
    pair = result.pairs.query("record_id_l == 'r300' and record_id_r == 'r301'")
    assert pair["pages_level"].astype(str).tolist() == ["else"]
    assert pair["decision"].tolist() == ["review" if other_issue else "merge"]
