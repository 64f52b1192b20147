"""The CSV parser's columnar reading gives exactly the table of reading a record per row.

The per-row path (``CsvParser.columnar = False``, always used for our own dialect) applies
``record_from_items`` to each row; the columnar path applies the same rules once per
distinct value of a column. Hypothesis writes CSV text with quoted newlines, blank rows,
rows of empty cells, wrong-width and malformed rows, alias and duplicate columns, page
parts, keyword lists, roles and our exports' trace notes.
"""

import csv
import io
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.parsing.files import parse_lines
from dedupe.parsing.formats import PARSERS

COLUMNS = [
    "title", "Title ", "authors", "Author full names", "AU", "year", "Date", "journal",
    "Source", "volume", "issue", "pages", "Page start", "Page end", "Art. No.", "doi",
    "keywords", "note", "role", "listed_by", "source_id", "EID", "provenance", "abstract",
    "unknown", "Cited by",
]  # fmt: skip
CELLS = st.sampled_from(
    [
        "",
        " ",
        "  \t",
        "Deep nets",
        "x\ny",
        "1999",
        "In 2003, pp",
        "2021a",
        "12-15",
        " 538 / 548 ",
        "e1234",
        "10.1000/ABC.1",
        "https://doi.org/10.1/x y",
        "a | b |",
        "a|b",
        "main",
        "related",
        "listed",
        "reference",
        "other",
        "dedupe ids: a#1; b#2 (listed by: c#3) (role: related)",
        "dedupe ids: x#9",
        "dedupe ids:  (role: listed)",
        "Doe, John; Roe, R [1,2]",
        "Doe, J, Roe, R",
        "Vossen, Gottfried, Weske, Mathias",
        "et al.",
        "Smith A (123456)",
        "H&#233;ctor, A",
        "World Health Organization,",
        "A and B",
        '"quoted"',
        "line\r\nbreak",
    ]  # fmt: skip
) | st.text(max_size=12)


@st.composite
def csv_texts(draw):
    header = draw(st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=7))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["row", "row", "row", "blank", "empty", "wide", "bad"]))
        if kind == "blank":
            out.write("\n")
        elif kind == "bad":
            out.write('a"b,"c\n')  # a quote inside an unquoted cell: malformed
        else:
            width = len(header) + (draw(st.integers(-2, 2)) if kind == "wide" else 0)
            cells = ["" if kind == "empty" else draw(CELLS) for _ in range(max(width, 0))]
            writer.writerow(cells)
    return out.getvalue()


def both_ways(text, fmt="csv", column_map=None, monkeypatch=None):
    path = Path(f"gen.{fmt}")
    columnar = parse_lines(text, path, fmt, column_map)
    monkeypatch.setattr(PARSERS[fmt], "columnar", False)
    rows = parse_lines(text, path, fmt, column_map)
    monkeypatch.undo()
    return columnar, rows


def assert_same(a, b):
    assert a.columns == b.columns
    assert a.failures == b.failures
    assert np.array_equal(a.codes, b.codes)


@settings(max_examples=300, deadline=None)
@given(csv_texts())
def test_columnar_csv_equals_a_record_per_row(text):
    with pytest.MonkeyPatch.context() as mp:
        columnar, rows = both_ways(text, monkeypatch=mp)
    assert PARSERS["csv"].columnar
    assert_same(columnar, rows)


@settings(max_examples=60, deadline=None)
@given(csv_texts(), st.sampled_from([None, {"unknown": "title"}, {"Source": "journal"}]))
def test_columnar_tsv_and_column_maps_equal_a_record_per_row(text, column_map):
    tsv = text.replace(",", "\t")
    for fmt, body in (("csv", text), ("tsv", tsv)):
        with pytest.MonkeyPatch.context() as mp:
            columnar, rows = both_ways(body, fmt, column_map, monkeypatch=mp)
        assert_same(columnar, rows)


def test_columnar_reading_gives_no_record_objects():
    text = "title,authors,year\nA,Doe J,1999\n,,\nB,Roe R,2000 \n"
    out = PARSERS["csv"].parse(text)
    assert out.records == [] and out.count == 2
    assert out.table.line.tolist() == [2, 4]  # the spans known before the rules run
    assert out.table.columns().fields["year"] == ["1999", "2000"]
    assert out.table.columns(1).fields["year"] == ["2000"]  # a share of the rows
    assert out.layout == [(1, 1), (3, 3), (5, 5)]  # 5: after the text's final newline


TRACE = "dedupe ids: a#1 (listed by: c#3) (role: related)"


@pytest.mark.parametrize(
    "text",
    [
        f'title,role,listed_by,note\nA,listed,z#9,"{TRACE}"\nB,,,"{TRACE}"\nC,main,,x\n',
        f'title,source_id,provenance,note\nA,k1,{{}},"{TRACE}"\nB,k2,,\n',
        "title,Page start,Page end,Art. No.,pages\nA,12,15,,\nB,,15,e7,\nC,1,,,3-4\n",
    ],
    ids=["trace-role-and-lister-under-own", "trace-ids-over-own", "page-parts"],
)
def test_columnar_field_rules_across_columns(text, monkeypatch):
    columnar, rows = both_ways(text, monkeypatch=monkeypatch)
    assert_same(columnar, rows)


def test_our_dialect_is_read_a_record_per_row():
    text = "record_id,role,title\nx#1,related,A\n"
    out = PARSERS["csv"].parse(text)
    assert out.table is None and [r.role for r in out.records] == ["related"]
