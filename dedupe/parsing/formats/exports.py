"""Standard exports: RIS (rispy), BibTeX (bibtexparser v2), CSV/TSV and JSON Lines.

Columns and tags are mapped to the canonical field names through ``ALIASES``; a user's
``column_map`` (source name -> canonical name) wins over it.
"""

from __future__ import annotations

import csv
import functools
import json
import logging
import re
from collections.abc import Callable, Sequence

from dedupe.core.records import Problem, RawRecord
from dedupe.parsing.formats.base import (
    DOI_RE,
    ParseOutput,
    Parser,
    RecordColumns,
    RowCells,
    clean_value,
    numbered_lines,
    page_range,
)

CANONICAL = ("title", "authors", "year", "journal", "volume", "issue", "pages", "doi", "abstract")
# Column names of each field, most specific first: when a file has several columns for one
# field, the earliest in its list wins, so an explicit canonical column beats an alias
# (``journal`` over Scopus' ``Source``), with one exception: Scopus' "Author full names"
# beats its abbreviated "Authors". Names are matched case-insensitively.
# Scopus, Lens.org and OpenAlex CSV exports, WoS tab-delimited names, rispy keys.
FIELD_COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("title", "primary_title", "article title", "display_name", "ti"),
    "authors": (
        "author full names",
        "authors",
        "author",
        "first_authors",
        "author/s",
        "authorships.author.display_name",
        "creators",
        "au",
    ),
    "year": ("year", "publication_year", "publication year", "py", "date published", "date"),
    "journal": (
        "journal",
        "journal_name",
        "source title",
        "secondary_title",
        "container-title",
        "primary_location.source.display_name",
        "host_venue.display_name",
        "venue",
        "booktitle",
        "so",
        "source",
    ),
    "volume": ("volume", "biblio.volume", "vl"),
    "issue": ("issue", "issue number", "biblio.issue", "number", "is"),
    "pages": ("pages", "page"),
    "page_start": ("page start", "start page", "start_page", "biblio.first_page", "bp"),
    "page_end": ("page end", "end page", "end_page", "biblio.last_page", "ep"),
    "article_number": ("article number", "art. no.", "ar"),
    "doi": ("doi", "di"),
    "abstract": ("abstract", "ab"),
    "keywords": (
        "keywords",
        "author keywords",
        "keywords.display_name",
        "de",
        "index keywords",
    ),
    "affiliations": (
        "affiliations",
        "authorships.institutions.display_name",
        "authorships.raw_affiliation_strings",
        "c1",
    ),
    "cited_by": ("cited_by", "cited by", "citing works count", "cited_by_count"),
    "times_cited": ("times_cited", "times cited", "tc"),
    "url": ("url", "urls", "link", "external url", "source urls", "landing_page_url"),
    "language": ("language", "language of original document", "la"),
    "publisher": ("publisher", "pu"),
    "funder": ("funder", "funding details", "funding"),
    "source_id": ("source_id", "eid", "lens id", "ut", "pmid", "id", "key"),
    "classification": ("classification",),
    "subject_code": ("subject_code",),
    "page_count": ("page_count", "page count"),
    "reference_count": ("reference_count",),
    "role": ("role",),
    "listed_by": ("listed_by",),
    "provenance": ("provenance",),
    "note": ("note", "notes"),
}
ALIASES = {name: f for f, names in FIELD_COLUMNS.items() for name in names}
RANK = {name: i for names in FIELD_COLUMNS.values() for i, name in enumerate(names)}
OUR_COLUMNS = ("record_id", "merged_ids", "sources", "source_file", "source_line")
"""Columns of our own outputs: a CSV whose header has ``role`` and ``record_id`` or
``merged_ids`` is read as our dialect (see ``dedupe_csv``)."""
_YEAR = re.compile(r"(1[5-9]\d{2}|20\d{2})")
_SCOPUS_ID = re.compile(r"(?<!\s)\s*\(\d+\)$")  # starts only where a space run starts: linear
_KEEP_ROLES = ("main", "related", "reference", "listed")


def is_our_dialect(header: list[str]) -> bool:
    """True for a header of our own outputs (records.csv, records.cleaned.csv, corpus.csv)."""
    cols = {h.strip() for h in header}
    return "role" in cols and bool(cols & {"record_id", "merged_ids"})


def our_fields(row: dict[str, str]) -> dict[str, str | None]:
    """Provenance of a row of our own outputs: its original ids and where they came from.

    ``source_id`` holds the ids the row had (``merged_ids`` of a corpus row, else its
    ``record_id``); ``provenance`` keeps the row's provenance JSON plus its ``sources``.
    """
    ids = row.get("merged_ids") or row.get("record_id") or None
    where = row.get("sources") or (
        f"{row['source_file']}:{row.get('source_line', '')}" if row.get("source_file") else None
    )
    try:
        prov = json.loads(row.get("provenance") or "{}")
    except json.JSONDecodeError:
        prov = {"text": row["provenance"]}
    if not isinstance(prov, dict):
        prov = {"value": prov}
    if where:
        prov.setdefault("sources", where)
    if ids:
        prov.setdefault("ids", ids)
    provenance = json.dumps(prov, ensure_ascii=False, sort_keys=True) if prov else None
    return {"source_id": ids, "provenance": provenance}


LATEX_BUDGET = 10_000
"""Longest BibTeX value decoded from LaTeX (pylatexenc costs ~30 µs a character); longer
values are kept as written so a hostile file cannot stall the parser."""


@functools.cache
def _bounded_latex_decoding() -> type:
    """bibtexparser's LaTeX decoding of values up to ``LATEX_BUDGET`` characters (built when
    a BibTeX file is first read: commands that read none never import bibtexparser)."""
    from bibtexparser.middlewares import LatexDecodingMiddleware

    class BoundedLatexDecoding(LatexDecodingMiddleware):
        def _transform_python_value_string(self, python_string: str) -> tuple[str, str]:
            if len(python_string) > LATEX_BUDGET:
                return python_string, ""
            return super()._transform_python_value_string(python_string)

    return BoundedLatexDecoding


def canonical_name(column: str, column_map: dict[str, str] | None) -> str | None:
    """The canonical field a source column maps to, or None to ignore it."""
    if column_map and column in column_map:
        return column_map[column]
    return ALIASES.get(column.strip().lower())


def duplicate_columns(header: list[str]) -> list[str]:
    """One message per column whose name repeats an earlier one (only the first is read).

    >>> duplicate_columns(["title", "Year", "title "])
    ["column 3 'title ' repeats column 1 'title'; only the first is read"]
    """
    first: dict[str, int] = {}
    out = []
    for i, name in enumerate(header):
        key = name.strip().lower()
        if key in first:
            j = first[key]
            out.append(
                f"column {i + 1} {name!r} repeats column {j + 1} {header[j]!r}; "
                "only the first is read"
            )
        else:
            first[key] = i
    return out


def resolve_columns(columns: list[str], column_map: dict[str, str] | None) -> list[str | None]:
    """The field of each column, None for ignored ones and for all but the best column of
    a field (the user's ``column_map`` first, then the order of ``FIELD_COLUMNS``)."""
    keys = [canonical_name(str(c), column_map) for c in columns]

    def rank(i: int) -> tuple[int, int]:
        col = str(columns[i])
        mapped = bool(column_map and col in column_map)
        return (-1 if mapped else RANK.get(col.strip().lower(), 99), i)

    best: dict[str, int] = {}
    for i, key in enumerate(keys):
        if key is not None and (key not in best or rank(i) < rank(best[key])):
            best[key] = i
    return [k if k is not None and best[k] == i else None for i, k in enumerate(keys)]


def record_from_mapping(line: int, data: dict, column_map=None) -> RawRecord:
    """A record from one row or entry, whatever its column names."""
    keys = resolve_columns(list(data), column_map)
    return record_from_items(line, zip(keys, data.values()))


def record_from_items(line: int, items) -> RawRecord:
    """A record from (canonical field or None, value) pairs."""
    rec = RawRecord(line=line, role="main")
    for key, value in items:
        if key is None or value is None or value == "":
            continue
        if key == "authors":
            rec.authors.extend(_author_list(value))
        elif key in rec.fields and rec.fields[key]:
            continue
        else:
            rec.fields[key] = _text(value)
    f = rec.fields
    if f.get("year"):
        m = _YEAR.search(f["year"])
        f["year"] = m.group(1) if m else f["year"]
    start, end, number = f.pop("page_start", None), f.pop("page_end", None), None
    number = f.pop("article_number", None)
    if not f.get("pages"):
        f["pages"] = "-".join(p for p in (start, end) if p) if start else number
    f["pages"] = page_range(f.get("pages"))
    if f.get("doi"):
        m = DOI_RE.search(f["doi"])
        f["doi"] = m.group(1) if m else f["doi"]
    if f.get("keywords") and "|" in f["keywords"]:
        f["keywords"] = "; ".join(k.strip() for k in f["keywords"].split("|") if k.strip())
    for key, value in read_trace(f.pop("note", None) or "").items():
        # the traced ids over an entry's own id or key (ours: the cluster id)
        f[key] = value if key in ("source_id", "provenance") else f.get(key) or value
    role = f.pop("role", None)
    rec.role = role if role in _KEEP_ROLES else "main"
    return rec


TRACE_PREFIX = "dedupe ids: "
"""How our exports (RIS ``N1``, BibTeX ``note``) start the note that traces an entry."""


def read_trace(note: str) -> dict[str, str]:
    """Ids, role and lister from the note our exports write; {} for any other note.

    >>> read_trace("dedupe ids: a#1; b#2 (listed by: c#3) (role: related)")["listed_by"]
    'c#3'
    """
    start = note.find(TRACE_PREFIX)
    if start < 0:
        return {}
    body, _, role = note[start + len(TRACE_PREFIX) :].partition(" (role: ")
    ids, _, lister = body.partition(" (listed by: ")
    found = {
        "source_id": ids.strip(" ;"),
        "listed_by": lister.split(")", 1)[0].strip(),
        "role": role.split(")", 1)[0].strip(),
    }
    out = {k: v for k, v in found.items() if v}
    if out.get("source_id"):
        out["provenance"] = json.dumps({"ids": out["source_id"]}, ensure_ascii=False)
    return out


def _text(value) -> str | None:
    if isinstance(value, (list, tuple)):
        return clean_value("; ".join(str(v) for v in value))
    return clean_value(str(value))


def _author_list(value) -> list[str]:
    from dedupe.core.names import split_author_list

    if isinstance(value, (list, tuple)):
        names = [str(v).strip() for v in value]
    else:
        names = split_author_list(str(value))
    # the id's pattern ends with ")": names without one (most) skip the regex
    return [n for n in (_SCOPUS_ID.sub("", n) if n.endswith(")") else n for n in names) if n]


class CsvParser(Parser):
    name = "csv"
    description = "CSV with a header row (title, authors, year, journal, ... or mapped names)"
    extensions: tuple[str, ...] = (".csv",)
    delimiter = ","

    def sniff(self, text: str) -> float:
        first = text.split("\n", 1)[0].lower()
        cols = [c.strip(' "') for c in first.split(self.delimiter)]
        return 0.9 if len(cols) > 1 and "title" in cols else 0.0

    columnar = True
    """Read rows as columns (each field's rules once per distinct value); False: a record
    per row, as our own dialect is always read (both give the same table)."""

    def parse(self, text: str, column_map=None) -> ParseOutput:
        out = ParseOutput()
        # strict: a quote inside an unquoted cell (broken quoting) is an error for that row,
        # never a record whose cells slid into the wrong columns
        # fed one "\n"-ended line at a time, so reader.line_num counts lines as every
        # parser does (a bare CR is not a line break: unquoted, it is a malformed row)
        lines = text.split("\n")
        reader = csv.reader((ln + "\n" for ln in lines), delimiter=self.delimiter, strict=True)
        try:
            header = next(reader)
        except (StopIteration, csv.Error) as exc:
            out.fail(1, lines[0], f"cannot read header: {exc}; nothing read", end=len(lines))
            return out
        out.skip(1, reader.line_num)
        keys = resolve_columns(header, column_map)  # once per file
        for problem in duplicate_columns(header):
            out.unattached(1, self.delimiter.join(header), problem)
        if self.columnar and not is_our_dialect(header):
            self._read_columns(reader, lines, header, keys, out)
        else:
            self._read_rows(reader, lines, header, keys, out)
        return out

    def _read_rows(self, reader, lines: list[str], header: list[str], keys, out) -> None:
        """The records after the header, one ``record_from_items`` per row."""
        start = reader.line_num + 1
        ours = is_our_dialect(header)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                out.fail(start, *self._malformed(lines, start, reader.line_num, exc))
                start = reader.line_num + 1
                continue
            if any(cell.strip() for cell in row):
                if len(row) != len(header):
                    out.fail(start, *self._wrong_width(row, header))
                rec = record_from_items(start, zip(keys, row))
                rec.end = reader.line_num
                if ours:
                    rec.fields.update(our_fields(dict(zip(header, row))))
                out.records.append(rec)
            else:
                out.skip(start, reader.line_num)  # a row of empty cells
            start = reader.line_num + 1

    def _malformed(self, lines: list[str], start: int, end: int, exc: Exception):
        """(raw text, reason, end) of rows ``start``..``end`` the csv module refused."""
        why = f"malformed {self.name.upper()} row (not read): {exc}"
        return "\n".join(lines[start - 1 : end]), why, end

    def _wrong_width(self, row: list[str], header: list[str]) -> tuple[str, str]:
        """(raw text, reason) of a row with more or fewer cells than the header."""
        return self.delimiter.join(row), f"row has {len(row)} fields, header has {len(header)}"

    def _read_columns(self, reader, lines: list[str], header: list[str], keys, out) -> None:
        """The records after the header as columns: rows read by the csv module, then
        each field's rules applied once per distinct value of its column (the table
        ``_read_rows`` makes, without a record object per row)."""
        import numpy as np

        first = reader.line_num + 1
        rows, ends, errors = _read_all(reader)
        starts = np.r_[first, np.add(ends[:-1], 1)].astype(np.int64)[: len(rows)]
        width = len(header)
        odd = {i: r for i, r in enumerate(rows) if r is None or len(r) != width}
        for i, r in odd.items():  # malformed and wrong-width rows: read as the header's width
            rows[i] = ([] if r is None else r[:width]) + [""] * (width - len(r or ()))
        columns = list(zip(*rows)) if width else []
        rows.clear()
        filled = _filled(columns, len(starts))
        for i, r in odd.items():
            filled[i] = r is not None and any(cell.strip() for cell in r)
        before = np.cumsum(filled) - filled  # records before each row
        for blank in np.flatnonzero(~filled).tolist():
            if blank not in errors:
                out.skip(int(starts[blank]), ends[blank])  # a row of empty cells
        for i, r in odd.items():
            at = int(before[i]) - 1 if before[i] else None
            if r is None:
                raw, why, end = self._malformed(lines, int(starts[i]), ends[i], errors[i])
                out.problems.append(Problem(int(starts[i]), "failure", why, raw, at, end))
            elif filled[i]:
                raw, why = self._wrong_width(r, header)
                out.problems.append(Problem(int(starts[i]), "failure", why, raw, at))
        keep = np.flatnonzero(filled)
        cells = {k: _rows(col, keep) for k, col in zip(keys, columns) if k is not None}
        line, end = starts[keep], np.asarray(ends, dtype=np.int64)[keep]
        out.table = RowCells(cells, line, end, records_from_columns)  # rules run later


def _rows(column: Sequence[str], keep) -> Sequence[str]:
    """The cells of rows ``keep`` (sorted positions): a slice when they are one run, as
    when only the empty line after the text's final newline is left out."""
    if len(keep) == len(column):
        return column
    if len(keep) and keep[-1] - keep[0] + 1 == len(keep):
        return column[int(keep[0]) : int(keep[-1]) + 1]
    return [column[i] for i in keep.tolist()]


def _filled(columns: list[tuple[str, ...]], n: int):
    """Which of ``n`` rows hold more than white space in some cell: each column looked at
    only in the rows the columns before it left empty (usually none after the first)."""
    import numpy as np

    filled = np.zeros(n, dtype=bool)
    todo = None  # all rows
    for col in columns:
        if todo is None:
            filled = np.fromiter(map(bool, map(str.strip, col)), dtype=bool, count=n)
        else:
            filled[todo] = [bool(col[i].strip()) for i in todo.tolist()]
        todo = np.flatnonzero(~filled)
        if not len(todo):
            break
    return filled


def _read_all(reader) -> tuple[list[list[str] | None], list[int], dict[int, Exception]]:
    """(rows, last line of each, the csv module's error of each malformed row): a
    malformed row is None in ``rows``."""
    rows: list[list[str] | None] = []
    ends: list[int] = []
    errors: dict[int, Exception] = {}
    while True:
        try:
            for row in reader:
                rows.append(row)
                ends.append(reader.line_num)
            return rows, ends, errors
        except csv.Error as exc:
            errors[len(rows)] = exc
            rows.append(None)
            ends.append(reader.line_num)


def _per_value(values: Sequence, func: Callable) -> list:
    """``func`` of each value, called once per distinct value (equal values get one
    result object: a column of repeated years holds one string per year)."""
    memo: dict = {}
    return [memo[v] if v in memo else memo.setdefault(v, func(v)) for v in values]


def _year(value: str | None) -> str | None:
    """The first plausible year in the value, else the value."""
    m = _YEAR.search(value) if value else None
    return m.group(1) if m else value


def _doi(value: str | None) -> str | None:
    """The DOI in the value (a URL, "doi: ..."), else the value."""
    m = DOI_RE.search(value) if value else None
    return m.group(1) if m else value


def _keyword_list(value: str | None) -> str | None:
    """Keywords separated by "|" as "; "-separated; any other value unchanged."""
    if not value or "|" not in value:
        return value
    return "; ".join(k.strip() for k in value.split("|") if k.strip())


def _role(role: str | None) -> str:
    return role if role in _KEEP_ROLES else "main"


_SHARED = frozenset(
    {"year", "journal", "volume", "issue", "publisher", "language", "subject_code", "role"}
    | {"note", "keywords", "listed_by", "classification", "page_count", "times_cited"}
)
"""Fields whose values repeat from record to record: worked out once per distinct value,
one string object each (as ``files._REPEATED`` keeps them for record parsers)."""
_RULES: dict[str, Callable[[str | None], str | None]] = {
    "year": _year,
    "doi": _doi,
    "keywords": _keyword_list,
}
"""What ``record_from_items`` does to a field's cleaned value beyond ``clean_value``."""


def records_from_columns(cells: dict[str, Sequence[str]], line, end) -> RecordColumns:
    """``record_from_items``' rules applied per column and per distinct value: ``cells``
    maps each canonical field to the raw cell of each record, ``line``/``end`` give each
    record's span."""
    import numpy as np

    from dedupe.parsing.authors import split_cells

    n = len(line)
    authors = cells.pop("authors", None)
    f: dict[str, list] = {}
    for key, col in cells.items():
        rule = _RULES.get(key)
        if key in _SHARED:  # few distinct values: each cleaned once, one string each
            f[key] = _per_value(col, (lambda v, r=rule: r(clean_value(v))) if rule else clean_value)
        elif rule is not None:
            f[key] = [rule(v.strip() or None) for v in col]  # clean_value inlined
        else:
            f[key] = [v.strip() or None for v in col]
    _column_pages(f, n)
    _column_trace(f, n)
    role = f.pop("role", None)
    index: dict[str, int] = {}
    if authors is not None:  # each distinct author cell split once
        of = (index.setdefault(v, len(index)) for v in authors)
        author_of = np.fromiter(of, dtype=np.int64, count=n)
    return RecordColumns(
        f,
        np.asarray(line, dtype=np.int64),
        np.asarray(end, dtype=np.int64),
        ["main"] * n if role is None else _per_value(role, _role),
        [(names, "auto") for names in split_cells(list(index), _author_list)],
        author_of if authors is not None else np.full(n, -1, dtype=np.int64),
    )


def _column_pages(f: dict[str, list], n: int) -> None:
    """The ``pages`` field from pages, else page start-end, else the article number, as
    ``record_from_items`` builds it, each distinct value through ``page_range`` once."""
    none: list = [None] * n
    parts = [f.pop(k, none) for k in ("page_start", "page_end", "article_number")]
    pages = f.get("pages", none)
    if any(any(p) for p in parts):
        pages = [
            p if p else "-".join(x for x in (s, e) if x) if s else a
            for p, s, e, a in zip(pages, *parts)
        ]
    if "pages" in f or any(any(p) for p in parts):
        f["pages"] = _per_value(pages, page_range)


def _column_trace(f: dict[str, list], n: int) -> None:
    """The ids, role and lister our exports' notes trace (``read_trace``), over each
    record's own (ids) or where it has none (role, lister)."""
    note = f.pop("note", None)
    if note is None:
        return
    traces = _per_value(note, lambda v: read_trace(v or ""))
    if not any(traces):
        return
    for key in ("source_id", "listed_by", "role", "provenance"):
        found = [t.get(key) for t in traces]
        old = f.get(key, [None] * n)
        if key in ("source_id", "provenance"):
            f[key] = [o if v is None else v for o, v in zip(old, found)]
        else:
            f[key] = [o if v is None else o or v for o, v in zip(old, found)]


class TsvParser(CsvParser):
    name = "tsv"
    description = "tab-separated values with a header row"
    extensions = (".tsv", ".tab")
    delimiter = "\t"


class JsonLinesParser(Parser):
    name = "jsonl"
    description = "JSON Lines: one JSON object per line"
    extensions = (".jsonl", ".ndjson")

    def sniff(self, text: str) -> float:
        first = text.lstrip().split("\n", 1)[0].strip()
        return 0.9 if first.startswith("{") and first.endswith("}") else 0.0

    def parse(self, text: str, column_map=None) -> ParseOutput:
        out = ParseOutput()
        for no, line in numbered_lines(text):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                out.fail(no, line, f"invalid JSON: {exc.msg} at column {exc.colno}")
                continue
            if not isinstance(data, dict):
                out.fail(no, line, "expected a JSON object")
                continue
            out.records.append(record_from_mapping(no, data, column_map))
        return out


class RisParser(Parser):
    name = "ris"
    description = "RIS export (TY ... ER), read with rispy"
    extensions = (".ris",)

    def sniff(self, text: str) -> float:
        return 1.0 if re.search(r"^TY  - ", text[:5000], re.M) else 0.0

    def parse(self, text: str, column_map=None) -> ParseOutput:
        out = ParseOutput()
        chunk: list[str] = []
        start = 0  # first line of the open record (0: none open)
        for no, line in numbered_lines(text):
            if line.startswith("TY  -"):
                if chunk:
                    out.fail(start, chunk[0], "RIS record without ER line; read up to here")
                    self._read(chunk, start, out, column_map)
                chunk, start = [line], no
            elif start:
                chunk.append(line)
                if line.startswith("ER  -"):
                    self._read(chunk, start, out, column_map)
                    chunk, start = [], 0
            elif line.strip():
                out.fail(no, line, "text outside any RIS record (no TY line before it)")
        if chunk:
            out.fail(start, chunk[0], "RIS record without ER line")
            self._read(chunk, start, out, column_map)
        return out

    def _read(self, chunk: list[str], start: int, out: ParseOutput, column_map) -> None:
        """The records of one TY..ER chunk (lines ``start``.. of the file; closed here when
        its ER line is missing)."""
        end = start + len(chunk) - 1
        if not chunk[-1].startswith("ER  -"):
            chunk = [*chunk, "ER  - "]
        import rispy  # here: commands that read no RIS file never import it

        try:
            entries = rispy.loads("\n".join(chunk))
        except Exception as exc:  # rispy raises plain exceptions on bad tags
            out.fail(start, chunk[0], f"unreadable RIS record: {exc}", end=end)
            return
        if not entries:
            out.fail(start, chunk[0], "RIS record that holds no entry", end=end)
        for entry in entries:
            e = dict(entry)
            if "start_page" in e:
                e["pages"] = "-".join(str(e.pop(k)) for k in ("start_page", "end_page") if k in e)
            for alt in ("journal_name", "secondary_title", "alternate_title3", "alternate_title1"):
                if alt in e and "journal" not in e:
                    e["journal"] = e.pop(alt)
            rec = record_from_mapping(start, e, column_map)
            rec.end = end
            out.records.append(rec)


def bibtex_names(field: str) -> list[str]:
    """The names of a BibTeX author field; a name wholly in braces (an organisation) is
    kept whole, marked by a trailing comma as "Family," with no given name.

    >>> bibtex_names("{World Health Organization} and Doe, Jane")
    ['World Health Organization,', 'Doe, Jane']
    """
    names = [n.strip() for n in re.split(r"(?<!\s)\s+and\s+", field) if n.strip()]
    return [
        n[1:-1].strip() + ","
        if n.startswith("{") and n.endswith("}") and "}" not in n[1:-1]
        else re.sub(r"[{}]", "", n)
        for n in names
    ]


class BibtexParser(Parser):
    name = "bibtex"
    description = "BibTeX export, read with bibtexparser v2 (LaTeX decoded)"
    extensions = (".bib", ".bibtex")

    def sniff(self, text: str) -> float:
        return 1.0 if re.search(r"^[ \t]*@\w+[ \t]*\{", text[:5000], re.M) else 0.0

    def parse(self, text: str, column_map=None) -> ParseOutput:
        import bibtexparser  # here: commands that read no BibTeX file never import it
        from bibtexparser.model import Entry, ImplicitComment

        out = ParseOutput()
        logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
        lib = bibtexparser.parse_string(text, append_middleware=[_bounded_latex_decoding()()])
        failed = {id(b) for b in lib.failed_blocks}
        blocks = sorted(lib.blocks, key=lambda b: b.start_line or 0)
        lines = text.split("\n")
        starts = [(b.start_line or 0) + 1 for b in blocks] + [len(lines) + 1]
        self._between(lines[: starts[0] - 1], 0, out)
        for block, first, after in zip(blocks, starts, starts[1:]):
            raw = getattr(block, "raw", "") or ""
            last = first + raw.rstrip().count("\n")
            if id(block) in failed:  # its lines up to the next block: the parser gave up there
                last = max(last, after - 1)
                why = type(getattr(block, "error", block)).__name__
                out.fail(first, raw.split("\n", 1)[0], f"unreadable BibTeX block: {why}", last)
            elif isinstance(block, Entry):
                out.records.append(self._record(block, column_map, last))
            elif isinstance(block, ImplicitComment):
                self._outside(raw, first, last, out)
            else:  # @string, @preamble, @comment
                out.skip(first, last)
            self._between(lines[last : after - 1], last, out)
        return out

    @staticmethod
    def _between(lines: list[str], last: int, out: ParseOutput) -> None:
        """Lines after a block's ``last`` line that no block holds (bibtexparser skips them)."""
        if any(ln.strip() for ln in lines):
            words = next(ln.strip() for ln in lines if ln.strip())
            after = last + len(lines) + 1
            out.fail(last + 1, words[:200], "text outside any BibTeX entry; not read", after - 1)

    @staticmethod
    def _record(entry, column_map, last: int) -> RawRecord:
        """The record of one entry spanning its lines up to ``last``."""
        data: dict = {k: f.value for k, f in entry.fields_dict.items()}
        data = {k: re.sub(r"[{}]", "", str(v)) for k, v in data.items()}
        if "author" in entry.fields_dict:
            data["author"] = bibtex_names(str(entry.fields_dict["author"].value))
        data.setdefault("key", entry.key)
        rec = record_from_mapping(entry.start_line + 1, data, column_map)
        rec.fields.setdefault("source_id", entry.key)
        rec.end = last
        return rec

    @staticmethod
    def _outside(raw: str, first: int, last: int, out: ParseOutput) -> None:
        """Text between entries: "%" comments are layout; anything else (a headless
        ``title = {...}`` block, a stray line) is a failure, never dropped in silence."""
        lines = raw.split("\n")
        if all(not ln.strip() or ln.lstrip().startswith("%") for ln in lines):
            out.skip(first, last)
            return
        text = next(ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("%"))
        out.fail(
            first,
            text[:200],
            "text outside any BibTeX entry (no @type{key, line opens it); not read: "
            "add the entry's first line or delete the text",
            last,
        )
