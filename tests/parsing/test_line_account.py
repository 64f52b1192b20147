"""Every line of every file is accounted for: a record's span, a problem row, layout or blank.

Each parser says where each line went; a line it forgot becomes a failure row (the safety
net), and these tests make sure the parsers never leave that to the net.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import FIXTURES, SEEDS

from dedupe.parsing.account import ACCOUNTS, GAP_REASON
from dedupe.parsing.decode import read_text
from dedupe.parsing.files import parse_lines, parse_paths
from dedupe.validation.anomalies import EXCERPT_CHARS, validate_records

FILES = sorted(SEEDS.iterdir()) + sorted((FIXTURES / "parse").iterdir())
HEADLESS_BIB = """@article{first,
  title = {A complete entry},
  year = {2020}
}

  title = {A headless block whose @article line was cut off},
  author = {Doe, Jane},
  year = {2021}
}

@article{last,
  title = {Another complete entry},
  year = {2022}
}
"""
SCHOLARLY_LOOSE = """2018 ◽
Vol 5 (1) ◽
Author(s):
Jane Doe ◽
John Roe

The first paragraph is the abstract of the item. It runs on. And on.

A second paragraph belongs to no item. It has sentences. Several of them.

A third paragraph,
written over two lines, belongs to none either. Really. Truly.
"""


def account(path: Path):
    return parse_lines(read_text(path, None).text, path)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_line_of_the_seeds_and_fixtures_is_accounted_for(path):
    got = account(path)
    assert not (got.codes[1:] == ACCOUNTS.index("not_read")).any()
    assert not [f for f in got.failures if "a gap in the parser" in f["reason"]]
    assert sum(got.counts.values()) == len(got.codes) - 1


def test_headless_bibtex_block_is_a_failure_naming_its_line(tmp_path):
    path = tmp_path / "headless.bib"
    path.write_text(HEADLESS_BIB, encoding="utf-8")
    parsed = parse_paths([path], cache="off")
    assert list(parsed.records["source_line"]) == [1, 11]
    fails = parsed.failures[parsed.failures["kind"] == "failure"]
    assert list(fails["source_line"]) == [6]
    assert "outside any BibTeX entry" in fails["reason"].iloc[0]
    assert "headless block" in fails["raw"].iloc[0]
    anomalies = validate_records(parsed.records, parsed.failures)
    row = anomalies[anomalies["check"] == "parse_failure"].iloc[0]
    assert (row["source_file"], row["source_line"], row["severity"]) == (str(path), 6, "error")
    assert parsed.lines[str(path)] == {"record": 8, "blank": 2, "failure": 4}


def test_bibtex_lines_skipped_after_a_broken_entry_are_a_failure(tmp_path):
    path = tmp_path / "broken.bib"
    path.write_text('@article{a,\n"\n title={x}}\n@article{b, title={y}}\n', encoding="utf-8")
    got = account(path)
    assert got.codes[1:].tolist() == [ACCOUNTS.index("failure")] * 3 + [ACCOUNTS.index("record")]
    assert [f["source_line"] for f in got.failures] == [1, 3]


def test_bibtex_comments_and_strings_are_layout(tmp_path):
    path = tmp_path / "commented.bib"
    text = "% Encoding: UTF-8\n@string{j = {Journal}}\n@article{a, title={x}}\n@comment{meta}\n"
    path.write_text(text, encoding="utf-8")
    got = account(path)
    assert got.counts == {"layout": 3, "record": 1} and got.failures == []


@pytest.mark.parametrize(
    "name,text,counts",
    [
        ("rows.csv", 'title,year\n"A",2020\n,\n"B\nsplit",2021\n', {"layout": 2, "record": 3}),
        ("items.json", '[\n{"title": "A"},\n{"title":\n "B"}\n]\n', {"layout": 2, "record": 3}),
        ("export.ris", "TY  - JOUR\nTI  - A\nER  - \n\nTY  - JOUR\nTI  - B\n", None),
    ],
    ids=["csv-header-empty-row-multiline-cell", "csl-json-brackets", "ris-unclosed"],
)
def test_layout_lines_and_multi_line_records(tmp_path, name, text, counts):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    got = account(path)
    assert not (got.codes[1:] == ACCOUNTS.index("not_read")).any()
    if counts:
        assert got.counts == counts
    else:  # the unclosed RIS record keeps its lines, and says it has no ER line
        assert got.codes[5:].tolist() == [ACCOUNTS.index("failure"), ACCOUNTS.index("record")]


def test_a_line_no_parser_holds_becomes_a_failure_row(tmp_path, monkeypatch):
    """The safety net: were a parser to forget a line, it would still be reported."""
    from dedupe.parsing.formats import PARSERS

    real = PARSERS["jsonl"].parse

    def forgetful(text, column_map=None):
        out = real(text, column_map)
        out.records = out.records[:1]  # forgets the second record's line
        return out

    monkeypatch.setattr(PARSERS["jsonl"], "parse", forgetful)
    path = tmp_path / "two.jsonl"
    path.write_text('{"title": "A"}\n{"title": "B"}\n', encoding="utf-8")
    got = account(path)
    gap = [f for f in got.failures if f["kind"] == "failure"]
    assert [(f["source_line"], f["raw"]) for f in gap] == [(2, '{"title": "B"}')]
    assert GAP_REASON.format(fmt="jsonl") in gap[0]["reason"]


def test_consecutive_unattached_paragraphs_are_one_warning(tmp_path):
    path = tmp_path / "loose.txt"
    path.write_text(SCHOLARLY_LOOSE, encoding="utf-8")
    parsed = parse_paths([path], cache="off")
    loose = parsed.failures[parsed.failures["kind"] == "unattached"]
    assert len(loose) == 1
    row = loose.iloc[0]
    assert row["source_line"] == 9 and "(lines 9-12)" in row["reason"]
    assert "second paragraph" in row["raw"] and "written over two lines" in row["raw"]
    anomalies = validate_records(parsed.records, parsed.failures)
    warning = anomalies[anomalies["check"] == "unattached_text"]
    assert len(warning) == 1 and warning["severity"].iloc[0] == "warning"
    assert warning["value"].iloc[0].startswith("A second paragraph belongs to no item.")
    assert parsed.lines[str(path)]["unattached"] == 4


def test_a_long_unattached_block_is_an_excerpt_in_the_anomalies(tmp_path):
    path = tmp_path / "long.txt"
    words = " ".join(["Loose words that belong to no item."] * 30)
    path.write_text(SCHOLARLY_LOOSE.replace("A second paragraph", words), encoding="utf-8")
    parsed = parse_paths([path], cache="off")
    anomalies = validate_records(parsed.records, parsed.failures)
    value = anomalies.loc[anomalies["check"] == "unattached_text", "value"].iloc[0]
    assert len(value) == EXCERPT_CHARS and value.endswith("…")
    assert words in parsed.failures.loc[parsed.failures["kind"] == "unattached", "raw"].iloc[0]


def test_line_counts_come_back_from_the_cache(tmp_path):
    path = tmp_path / "headless.bib"
    path.write_text(HEADLESS_BIB, encoding="utf-8")
    cold = parse_paths([path], cache=tmp_path / "c")
    warm = parse_paths([path], cache=tmp_path / "c")
    assert cold.lines == warm.lines and np.sum(list(warm.lines[str(path)].values())) == 14
