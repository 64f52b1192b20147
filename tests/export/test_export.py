"""Exports of the merged corpus: read back by our parser and by each format's own library,
they give the corpus' titles, authors, years, journals, DOIs and pages; twice is identical."""

import json

import bibtexparser
import jsonschema
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware
from conftest import FIXTURES, SEEDS

from dedupe.core.records import joined, written
from dedupe.export import EXPORTERS, export_text, read_corpus, write_exports
from dedupe.export.fields import corpus_rows
from dedupe.matching.engine import match_records
from dedupe.parsing.files import parse_file, parse_paths

PARSE = FIXTURES / "parse"
FIELDS = ["title", "authors_norm", "year", "journal", "doi", "pages"]
FORMAT_NAMES = {"ris": "ris", "bibtex": "bibtex", "csl-json": "csl-json", "wos": "wos-tagged"}


@pytest.fixture(scope="module")
def corpus():
    files = [SEEDS, PARSE / "wos_savedrecs.txt", PARSE / "pubmed_export.nbib"]
    files += [PARSE / "scopus_export.csv", PARSE / "lens_export.csv"]
    parsed = parse_paths(files)
    return match_records(parsed.records).corpus


def expected(corpus):
    return [tuple(r[f] for f in FIELDS) for r in corpus_rows(corpus)]


@pytest.mark.parametrize("fmt", ["ris", "bibtex", "csl-json", "wos"])
def test_export_read_back_by_our_parser(corpus, fmt, tmp_path):
    (path,) = write_exports(corpus, [fmt], tmp_path)
    records, failures, got = parse_file(path)
    assert got == FORMAT_NAMES[fmt] and failures == []
    assert [tuple(r[f] for f in FIELDS) for r in records] == expected(corpus)


def test_ris_read_back_by_rispy(corpus):
    entries = rispy.loads(export_text(corpus, "ris"))
    got = [
        (
            e.get("title"),
            [a.rstrip(",") for a in e.get("authors", [])] or None,
            e.get("year"),
            e.get("secondary_title"),
            e.get("doi"),
            "-".join(e[k] for k in ("start_page", "end_page") if k in e) or None,
        )
        for e in entries
    ]
    assert got == expected(corpus)
    assert all(e["notes"][0].startswith("dedupe ids: ") for e in entries)


def test_bibtex_read_back_by_bibtexparser(corpus):
    lib = bibtexparser.parse_string(
        export_text(corpus, "bibtex"), append_middleware=[LatexDecodingMiddleware()]
    )
    assert lib.failed_blocks == []
    got = []
    for e in lib.entries:
        f = {k: v.value for k, v in e.fields_dict.items()}
        authors = [a.strip("{}") for a in f.get("author", "").split(" and ") if a]
        got.append(
            (
                f.get("title"),
                authors or None,
                f.get("year"),
                f.get("journal"),
                f.get("doi"),
                f.get("pages", "").replace("--", "-").replace("–", "-") or None,
            )
        )
    assert got == expected(corpus)
    assert len({e.key for e in lib.entries}) == len(lib.entries)


def test_csl_json_is_valid_against_the_csl_schema_and_keeps_the_fields(corpus):
    items = json.loads(export_text(corpus, "csl-json"))
    schema = json.loads((FIXTURES / "schemas" / "csl-data.json").read_text(encoding="utf-8"))
    jsonschema.validate(items, schema)
    got = [
        (
            i.get("title"),
            [
                f"{a['family']}, {a['given']}" if "given" in a else a["literal"]
                for a in i.get("author", [])
            ]
            or None,
            str(i["issued"]["date-parts"][0][0]) if "issued" in i else None,
            i.get("container-title"),
            i.get("DOI"),
            i.get("page"),
        )
        for i in items
    ]
    assert got == expected(corpus)


def test_csl_json_schema_catches_a_broken_item():
    schema = json.loads((FIXTURES / "schemas" / "csl-data.json").read_text(encoding="utf-8"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([{"id": "x", "type": "journal-article"}], schema)


@pytest.mark.parametrize("fmt", sorted(EXPORTERS))
def test_exporting_twice_is_byte_identical_also_from_corpus_csv(corpus, fmt, tmp_path):
    written(corpus).to_csv(tmp_path / "corpus.csv", index=False)  # as the CSV writer does
    again = read_corpus(tmp_path / "corpus.csv")
    assert export_text(corpus, fmt) == export_text(corpus, fmt)
    assert export_text(again, fmt) == export_text(corpus, fmt)


def test_entries_carry_ids_keywords_abstract_and_language(corpus):
    rows = corpus_rows(corpus)
    wos = next(i for i, r in enumerate(rows) if (r["doi"] or "").startswith("10.1108/MHSI"))
    ris = rispy.loads(export_text(corpus, "ris"))[wos]
    assert "Peer support" in ris["keywords"] and ris["language"] == "English"
    assert rows[wos]["merged_ids"][0] in ris["notes"][0]
    item = json.loads(export_text(corpus, "csl-json"))[wos]
    assert item["abstract"] == rows[wos]["abstract"] and "dedupe ids: " in item["note"]
    tagged = export_text(corpus, "wos")
    assert tagged.startswith("FN ") and tagged.endswith("EF\n")


@pytest.mark.parametrize("fmt", ["ris", "bibtex", "csl-json"])
def test_a_later_run_traces_an_exported_entry_to_its_records(corpus, fmt, tmp_path):
    (path,) = write_exports(corpus, [fmt], tmp_path)
    records, _, _ = parse_file(path)
    rows = corpus_rows(corpus)
    # the note's ids are text in the exported file, read back as the text they are
    assert [r["source_id"] for r in records] == [joined(r["merged_ids"]) for r in rows]
    assert [r["role"] for r in records] == [r["role"] for r in rows]
    assert [r["listed_by"] for r in records] == [joined(r["listed_by"]) for r in rows]
    assert json.loads(records[0]["provenance"]) == {"ids": joined(rows[0]["merged_ids"])}
