"""Standard exports researchers download: WoS tagged, PubMed/MEDLINE, Scopus/Lens/OpenAlex CSV.

One fixture per quirk, written in the real formats, checked field by field.
"""

import pytest
from conftest import FIXTURES

from dedupe.parsing.files import parse_file
from dedupe.parsing.formats import sniff

PARSE = FIXTURES / "parse"


def rows(name, **kw):
    return parse_file(PARSE / name, **kw)


def fields(rec, *names):
    return tuple(rec[n] for n in names)


BIB = ("title", "authors_norm", "year", "journal", "volume", "issue", "pages", "doi")


def test_wos_tagged_export_field_by_field():
    (first, second), failures, fmt = rows("wos_savedrecs.txt")
    assert fmt == "wos-tagged" and failures == []
    assert first["source_line"] == 3 and first["role"] == "main"
    assert fields(first, *BIB) == (
        '"Understanding the journey from A to Z": centering peer support perspectives to '
        "unveil the mechanisms and power of peer support",
        ["Rao, Sandy", "Dimitropoulos, Gina"],  # full names (AF), not the AU initials
        "2024",
        "MENTAL HEALTH AND SOCIAL INCLUSION",
        "28",
        "5",
        "538-548",
        "10.1108/MHSI-02-2023-0016",
    )
    assert first["keywords"] == (
        "Child and youth mental health; Family and Caregivers; Emergency department; Peer support"
    )
    assert first["affiliations"].split(" | ") == [
        "[Rao, Sandy; Dimitropoulos, Gina] Univ Calgary, Fac Social Work, Calgary, AB, Canada.",
        "[Dimitropoulos, Gina] Univ Calgary, Dept Psychiat, Calgary, AB, Canada.",
    ]
    assert fields(first, "times_cited", "reference_count", "language", "source_id") == (
        "0",
        "41",
        "English",
        "WOS:001085301700001",
    )
    assert first["abstract"].startswith("Purpose - This study")
    assert second["source_line"] == 34 and second["pages"] == "96-111"


def test_wos_tagged_article_number_and_early_access_year():
    (rec,), failures, _ = rows("wos_article_number_early_access.txt")
    assert failures == []
    assert fields(rec, "pages", "year", "volume") == ("e1042", "2021", None)


def test_wos_tagged_record_without_er_is_read_and_reported():
    records, failures, _ = rows("wos_missing_er.txt")
    assert [r["title"] for r in records] == [
        "A record whose ER line was lost",
        "The record after it",
    ]
    assert [(f["kind"], f["source_line"]) for f in failures] == [("failure", 3)]
    assert "without its ER line" in failures[0]["reason"]


def test_pubmed_export_field_by_field():
    (first, second), failures, fmt = rows("pubmed_export.nbib")
    assert fmt == "pubmed" and failures == []
    assert fields(first, *BIB) == (
        "A one-year longitudinal qualitative study of peer support services in a non-Western "
        "context: The perspectives of peer support workers, service users, and co-workers.",
        ["Tse, Samson", "Mak, Winnie W S"],  # FAU, not AU
        "2017",
        "Psychiatry research",  # JT, not TA
        "254",
        None,
        "27-35",
        "10.1016/j.psychres.2017.05.007",  # the [doi] LID, not the [pii] one
    )
    assert first["affiliations"].split(" | ")[0] == (
        "Department of Social Work and Social Administration, The University of Hong Kong, "
        "Hong Kong."  # a wrapped continuation line joins its value
    )
    assert fields(first, "keywords", "classification", "language", "source_id") == (
        "Peer supporters; Recovery",
        "Hong Kong; Peer Group",
        "eng",
        "PMID:28525790",
    )
    assert second["source_line"] == 41
    assert second["authors_norm"] == ["Lindqvist, K", "O'Brien, SP"]  # AU only: family first
    assert second["pages"] == "1295-1305"  # MEDLINE's short range written out


def test_pubmed_translated_title_and_short_page_range():
    (rec,), _, _ = rows("pubmed_translated_title.nbib")
    assert fields(rec, "title", "pages", "year", "language") == (
        "Peer support in psychiatric outpatient care.",
        "101-110",
        "2020",
        "ger",
    )


def test_scopus_csv_field_by_field():
    (first, second), failures, fmt = rows("scopus_export.csv")
    assert fmt == "csv" and failures == []
    assert fields(first, *BIB) == (
        'Service Users Experience of Peer Support in Swedish Mental Health Care: A "Tipping '
        'Point" in the Care-Giving Culture?',
        ["Rosenberg, David", "Argentzell, Elisabeth"],  # full names, Scopus author ids dropped
        "2018",
        "Journal of Psychosocial Rehabilitation and Mental Health",  # not Source=Scopus
        "5",
        "1",
        "53-61",  # Page start + Page end
        None,
    )
    assert fields(first, "keywords", "affiliations", "cited_by", "language", "source_id") == (
        "Peer support; Mental health services; Sweden",
        "Lund University, Department of Health Sciences, Lund, Sweden",
        "14",
        "English",
        "2-s2.0-85000000001",
    )
    assert first["url"].startswith("https://www.scopus.com/")
    assert second["pages"] == "e1042"  # Art. No. when there are no pages


def test_lens_csv_columns():
    (rec,), _, _ = rows("lens_export.csv")
    assert fields(rec, *BIB) == (
        "Understanding paid peer support in mental health",
        ["Walsh, Peter E.", "McMillan, Sara S.", "Stewart, Victoria", "Wheeler, Amanda J."],
        "2018",
        "Disability & Society",
        "33",
        "4",
        "579-597",
        "10.5555/das.2018.0579",
    )
    assert fields(rec, "cited_by", "publisher", "source_id") == (
        "25",
        "Informa UK Limited",
        "000-111-222-333-444",
    )


def test_openalex_csv_columns():
    (rec,), _, _ = rows("openalex_export.csv")
    assert fields(rec, *BIB) == (
        "The mechanisms underpinning peer support: a literature review",
        ["Watson, Emma"],
        "2019",
        "Journal of Mental Health",
        "28",
        "6",
        "677-688",
        "10.5555/jmh.2019.0677",  # the https://doi.org/ prefix removed
    )
    assert fields(rec, "keywords", "cited_by", "language") == (
        "Peer support; Mechanisms",
        "150",
        "en",
    )


def test_explicit_canonical_column_wins_over_an_alias():
    (rec,), _, _ = rows("csv_journal_and_source.csv")
    assert rec["journal"] == "Journal of Peer Work"


@pytest.mark.parametrize(
    "name,fmt",
    [
        ("wos_savedrecs.txt", "wos-tagged"),
        ("wos_missing_er.txt", "wos-tagged"),
        ("pubmed_export.nbib", "pubmed"),
    ],
    ids=["wos-with-bom", "wos-plain", "pubmed"],
)
def test_tagged_exports_are_sniffed_from_their_text(name, fmt):
    text = (PARSE / name).read_text(encoding="utf-8-sig")
    assert sniff(text).name == fmt  # no extension hint


def test_csl_json_items_with_organisations_and_date_variants():
    (first, second), failures, fmt = rows("csl_zotero_export.json")
    assert fmt == "csl-json"
    assert fields(first, *BIB) == (
        "Peer support in forensic settings: a scoping review",
        ["Smith, John", "Forensic Peer Network"],  # a literal name stays whole
        "2021",
        "Journal of Forensic Practice",
        "23",
        "2",
        "101-110",
        "10.5555/forensic.2021.42",
    )
    assert fields(first, "keywords", "language", "source_id", "source_line") == (
        "peer support; forensic mental health",
        "en",
        "http://zotero.org/users/1/items/ABCD1234",
        2,
    )
    assert fields(second, "authors_norm", "year", "source_line") == (
        ["World Health Organization"],
        "2021",
        19,
    )
    assert [(f["kind"], f["source_line"]) for f in failures] == [("failure", 26)]


@pytest.mark.parametrize(
    "text,line,reason",
    [
        ('[{"title": "A"}\n', 1, "not closed"),
        ('[{"title": "A"}]\n\ntrailing words\n', 3, "text after"),
        ('{"title": "A"}\n', 1, "must be a JSON array"),
        ('[{"title": "A"},\n {"title": }]\n', 2, "invalid CSL-JSON item"),
    ],
    ids=["unclosed", "trailing-text", "not-an-array", "bad-item"],
)
def test_csl_json_problems_are_reported_with_their_line(text, line, reason):
    from dedupe.parsing.formats import PARSERS

    out = PARSERS["csl-json"].parse(text)
    assert [(p.line, reason in p.reason) for p in out.problems] == [(line, True)]
