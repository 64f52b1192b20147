"""One fixture file per layout quirk: new content in the known layouts parses just as well."""

import pytest
from conftest import FIXTURES

from dedupe.parsing.files import parse_file
from dedupe.parsing.formats import PARSERS

PARSE = FIXTURES / "parse"


def rows(name, **kw):
    records, failures, fmt = parse_file(PARSE / name, **kw)
    return records, failures, fmt


def test_wos_sections_in_another_order():
    (rec,), _, fmt = rows("wos_reordered_sections.txt")
    assert fmt == "wos-cn"
    assert rec["title"].startswith("Peer mentoring for nurses")
    assert (rec["journal"], rec["year"], rec["volume"], rec["issue"]) == (
        "JOURNAL OF NURSING MANAGEMENT",
        "2020",
        "28",
        "3",
    )
    assert rec["doi"] == "10.1000/xyz.2020.123"
    assert rec["authors_norm"] == ["Lindqvist, Karin", "O'Brien, Sean P."]
    assert rec["times_cited"] == "7" and rec["pages"] == "101-110"
    assert rec["affiliations"].count("[") == 2


@pytest.mark.parametrize(
    "line,title,authors,journal,year",
    [
        (11, "A title with no authors listed", None, "JOURNAL OF CARERS", "2019"),
        (
            13,
            "Title-case source without the marker",
            ["Novak, Petra", "Hall, J."],
            "Carer Studies Quarterly",
            "2021",
        ),
        (17, "An entry whose source line was lost", ["Kaur, Simran", "Jensen, Mads"], None, None),
    ],
    ids=["no-authors", "no-marker-title-case", "no-source-line"],
)
def test_wos_related_entry_variants(line, title, authors, journal, year):
    records, _, _ = rows("wos_related_variants.txt")
    rec = next(r for r in records if r["source_line"] == line)
    assert rec["role"] == "related"
    assert (rec["title"], rec["authors_norm"], rec["journal"], rec["year"]) == (
        title,
        authors,
        journal,
        year,
    )


def test_scholarly_items_with_titles_and_unicode_ellipsis():
    records, _, fmt = rows("scholarly_titled_items.txt")
    assert fmt == "scholarly"
    first, second = records
    assert first["role"] == "main" and first["title"] == "Peer workers in crisis services"
    assert first["authors"][-1] == "…" and first["authors_norm"] == (
        ["Schulz, Hannah", "Becker, Karl"]
    )
    assert first["abstract"].startswith("This study describes")
    assert (first["volume"], first["issue"], first["pages"]) == ("12", "3", "210-219")
    assert second["role"] == "listed" and second["source_line"] == 13
    assert second["title"] == "Family peer support in child mental health"
    assert second["abstract"] is None


def test_abstract_page_with_title_doi_and_inline_authors():
    records, failures, fmt = rows("abstract_page_with_title.txt")
    assert fmt == "abstract-page"
    main, ref1, ref2 = records
    assert main["title"] == "Peer support in forensic settings: a scoping review"
    assert main["doi"] == "10.5555/forensic.2021.42"
    assert main["authors_norm"] == ["Smith, John", "Garcia, Maria"]
    assert main["cited_by"] == "0" and main["reference_count"] == "2"
    assert (ref1["journal"], ref1["year"], ref1["volume"], ref1["pages"]) == (
        "J Forensic Pract",
        "2019",
        "21",
        "55-60",
    )
    assert ref2["authors"] == ["Lee K", "et al"] and ref2["authors_norm"] == ["Lee, K"]
    assert failures == []


@pytest.mark.parametrize(
    "name,fmt,n_records,failure_lines",
    [
        ("export.ris", "ris", 2, [14]),
        ("export.bib", "bibtex", 2, [12]),
        ("export_mapped.csv", "csv", 2, [3]),
        ("export.jsonl", "jsonl", 2, [2]),
    ],
    ids=["ris-missing-ER", "bibtex-broken-block", "csv-extra-field", "jsonl-bad-line"],
)
def test_exports_keep_bad_content_as_failures(name, fmt, n_records, failure_lines):
    records, failures, got_fmt = rows(name)
    assert got_fmt == fmt
    assert len(records) == n_records
    assert [f["source_line"] for f in failures if f["kind"] == "failure"] == failure_lines


@pytest.mark.parametrize("name", ["export.ris", "export.bib"], ids=["ris", "bibtex"])
def test_exports_fields(name):
    records, _, _ = rows(name)
    rec = records[0]
    assert rec["authors_norm"] == ["Øgård-Repål, Anita", "Berg, Rigmor C."]
    assert (rec["year"], rec["volume"], rec["issue"], rec["pages"]) == ("2022", "22", "1", "10-19")
    assert rec["doi"] == "10.1186/s12913-022-07496-0"
    assert rec["journal"] == "BMC Health Services Research"


def test_csv_aliases_and_user_column_map():
    records, _, _ = rows("export_mapped.csv")
    assert records[0]["title"] == "Peer support, revisited"
    assert records[0]["year"] == "2024"
    assert records[0]["journal"] == "MENTAL HEALTH AND SOCIAL INCLUSION"
    mapped, _, _ = rows("export_mapped.csv", column_map={"Source Title": "abstract"})
    assert mapped[0]["abstract"] == "MENTAL HEALTH AND SOCIAL INCLUSION"
    assert mapped[0]["journal"] is None


def test_jsonl_author_string_in_given_first_order():
    records, _, _ = rows("export.jsonl")
    assert records[1]["authors_norm"] == ["Vossen, Gottfried", "Weske, Mathias"]
    assert records[0]["year"] == "2015"


def test_forced_format_overrides_sniffing():
    records, failures, fmt = rows("export.jsonl", fmt="csv")
    assert fmt == "csv"


@pytest.mark.parametrize("fmt", list(PARSERS), ids=list(PARSERS))
def test_every_parser_survives_garbage(fmt):
    garbage = "\n".join(
        [
            "@@@ {{{",
            "TY  - ",
            "[J]. , ,",
            "• [x]",
            "Author(s):",
            "2020 ◽",
            "Vol (",
            "pp.",
            "被引:",
            "相关论文",
            "  • [1]",
            '{"a": 1',
            "",
        ]
    )
    out = PARSERS[fmt].parse(garbage)
    assert out is not None


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["crlf", "cr-only"])
def test_line_numbers_with_other_line_endings(tmp_path, newline):
    src = (PARSE / "export_mapped.csv").read_text(encoding="utf-8")
    path = tmp_path / "export.csv"
    path.write_bytes(src.replace("\n", newline).encode("utf-8"))
    records, failures, _ = parse_file(path)
    assert [r["source_line"] for r in records] == [2, 3]
    assert [f["source_line"] for f in failures] == [3]
