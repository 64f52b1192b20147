"""`dedupe run` hands back a cleaned corpus (fixed values, roles, extras, listed_by, exports)
and `dedupe export` writes it again, identically; cross-format duplicates are found."""

import json

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import FIXTURES, SEEDS

from dedupe.cli import main

PARSE = FIXTURES / "parse"
MIXED = [PARSE / "wos_savedrecs.txt", PARSE / "pubmed_export.nbib", PARSE / "scopus_export.csv"]


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result


def read(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def from_line(corpus, where):
    """The corpus rows holding the record at ``where`` (file name:line)."""
    return corpus[
        corpus["sources"].apply(lambda s: any(x.endswith("/" + where) for x in s.split("; ")))
    ]


@pytest.fixture(scope="module")
def seed_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    result = run(
        "run",
        SEEDS,
        "--out",
        out,
        "--export",
        "ris",
        "--export",
        "bibtex",
        "--export",
        "csl-json",
        "--export",
        "wos",
    )
    assert result.exit_code == 0, result.output
    return out


def test_corpus_carries_the_fixed_title_and_the_change_is_listed(seed_out):
    corpus, changes = read(seed_out / "corpus.csv"), read(seed_out / "changes.csv")
    page = from_line(corpus, "001_83ddec2a4e93f6b8.txt:1")
    (title,) = page["title"]
    assert title.startswith("Service Users Experience of Peer Support")
    change = changes[(changes["field"] == "title") & (changes["after"] == title)]
    assert change["before"].iloc[0] == "scholarly journals " + title
    fixed = json.loads(page["provenance"].iloc[0])["fixed"]
    assert fixed[change["record_id"].iloc[0]]["title"]["before"].startswith("scholarly journals")


def test_corpus_rows_are_tagged_with_roles_and_wos_extras(seed_out):
    corpus = read(seed_out / "corpus.csv")
    assert set(corpus["role"]) == {"main", "related", "listed", "reference"}
    wos = corpus[
        corpus["sources"].str.contains("003_cced5f36f0e6b9f9.txt:1;", regex=False)
        | corpus["sources"].str.endswith("003_cced5f36f0e6b9f9.txt:1")
    ]
    (row,) = wos.to_dict("records")
    assert row["role"] == "main"
    assert row["keywords"].startswith("Mental healthcare; Mental health services")
    assert row["affiliations"].startswith("[1] Univ Hong Kong")
    assert row["times_cited"] == "24"


def test_each_reference_points_at_its_citing_record(seed_out):
    corpus = read(seed_out / "corpus.csv")
    page = corpus[corpus["merged_ids"].str.contains("000_96de7f5dc43e5274#a8e9247a6d")]
    citing = page["cluster_id"].iloc[0]
    refs = corpus[corpus["role"] == "reference"]
    assert len(refs) == 5 and set(refs["listed_by"]) == {citing}
    related = corpus[corpus["role"] == "related"]
    assert (related["listed_by"] != "").all()
    assert set(corpus.loc[corpus["role"] == "main", "listed_by"]) <= {""} | set(
        corpus["cluster_id"]
    )


def test_summary_has_the_prisma_numbers_of_the_report(seed_out):
    summary = json.loads((seed_out / "summary.json").read_text(encoding="utf-8"))
    p = summary["prisma"]
    html = (seed_out / "report.html").read_text(encoding="utf-8")
    assert f"Records identified (n = {p['records_identified']})" in html
    assert f"Unique records out (n = {p['records_out']})" in html
    assert p["records_out"] == len(read(seed_out / "corpus.csv"))
    assert p["records_out_by_role"]["main"] == 4


def test_export_command_is_byte_identical_to_run_export(seed_out, tmp_path):
    result = run("export", seed_out / "corpus.csv", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    for name in ("corpus.ris", "corpus.bib", "corpus.json", "corpus.wos.txt"):
        assert (tmp_path / name).read_bytes() == (seed_out / name).read_bytes(), name


def test_roles_choose_the_corpus(tmp_path):
    result = run("run", SEEDS, "--out", tmp_path, "--roles", "main,related")
    assert result.exit_code == 0, result.output
    corpus = read(tmp_path / "corpus.csv")
    assert set(corpus["role"]) == {"main", "related"}
    prisma = json.loads((tmp_path / "summary.json").read_text())["prisma"]
    assert prisma["excluded_by_role"] == 13 and prisma["records_out"] == len(corpus)


@pytest.mark.parametrize(
    "args,message",
    [
        (["run", SEEDS, "--roles", "main,cited"], "role 'cited' is not one of"),
        (["export", SEEDS / "000_96de7f5dc43e5274.txt"], "000_96de7f5dc43e5274.txt:6: cannot"),
        (["export", PARSE / "csv_journal_and_source.csv"], "not a dedupe corpus"),
        (["export", "no-such-corpus.csv"], "no-such-corpus.csv: no such file"),
    ],
    ids=["unknown-role", "not-csv", "not-a-corpus", "missing-corpus"],
)
def test_bad_input_is_one_line_and_exit_2(args, message, tmp_path):
    result = run(*args, *(["--out", tmp_path] if args[0] == "run" else []))
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0]


def test_mixed_formats_find_the_cross_format_duplicates(tmp_path):
    result = run("run", SEEDS, *MIXED, "--out", tmp_path)
    assert result.exit_code == 0, result.output
    clusters = read(tmp_path / "clusters.csv")
    records = read(tmp_path / "records.csv").set_index("record_id")
    clusters["where"] = [
        f"{records.at[r, 'source_file'].rsplit('/', 1)[-1]}:{records.at[r, 'source_line']}"
        for r in clusters["record_id"]
    ]
    groups = clusters.groupby("cluster_id")["where"].apply(frozenset)
    for pair in [
        {"002_6e32001031cb5a5e.txt:1", "wos_savedrecs.txt:3"},
        {"003_cced5f36f0e6b9f9.txt:1", "pubmed_export.nbib:1"},
        {"001_83ddec2a4e93f6b8.txt:1", "scopus_export.csv:2"},
    ]:
        assert frozenset(pair) in set(groups), pair
    assert len(records) == 43 and len(read(tmp_path / "corpus.csv")) == 38
