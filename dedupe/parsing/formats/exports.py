"""Standard exports: RIS (rispy), BibTeX (bibtexparser v2), CSV/TSV and JSON Lines.

Columns and tags are mapped to the canonical field names through ``ALIASES``; a user's
``column_map`` (source name -> canonical name) wins over it.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re

import bibtexparser
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware

from dedupe.core.records import RawRecord
from dedupe.parsing.formats.base import (
    ParseOutput,
    Parser,
    clean_value,
    numbered_lines,
    page_range,
)

CANONICAL = ("title", "authors", "year", "journal", "volume", "issue", "pages", "doi", "abstract")
ALIASES = {
    "title": "title",
    "primary_title": "title",
    "ti": "title",
    "article title": "title",
    "authors": "authors",
    "author": "authors",
    "au": "authors",
    "first_authors": "authors",
    "author full names": "authors",
    "creators": "authors",
    "year": "year",
    "publication_year": "year",
    "publication year": "year",
    "py": "year",
    "date": "year",
    "journal": "journal",
    "venue": "journal",
    "journal_name": "journal",
    "secondary_title": "journal",
    "source title": "journal",
    "booktitle": "journal",
    "source": "journal",
    "container-title": "journal",
    "so": "journal",
    "volume": "volume",
    "vl": "volume",
    "issue": "issue",
    "number": "issue",
    "is": "issue",
    "pages": "pages",
    "page": "pages",
    "doi": "doi",
    "di": "doi",
    "abstract": "abstract",
    "ab": "abstract",
    "url": "url",
    "urls": "url",
    "id": "source_id",
    "key": "source_id",
    "record_id": "source_id",
}
_YEAR = re.compile(r"(1[5-9]\d{2}|20\d{2})")


def canonical_name(column: str, column_map: dict[str, str] | None) -> str | None:
    """The canonical field a source column maps to, or None to ignore it."""
    if column_map and column in column_map:
        return column_map[column]
    return ALIASES.get(column.strip().lower())


def record_from_mapping(line: int, data: dict, column_map=None) -> RawRecord:
    """A record from one row or entry, whatever its column names."""
    return record_from_items(
        line, ((canonical_name(str(col), column_map), value) for col, value in data.items())
    )


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
    if rec.fields.get("year"):
        m = _YEAR.search(rec.fields["year"])
        rec.fields["year"] = m.group(1) if m else rec.fields["year"]
    rec.fields["pages"] = page_range(rec.fields.get("pages"))
    return rec


def _text(value) -> str | None:
    if isinstance(value, (list, tuple)):
        return clean_value("; ".join(str(v) for v in value))
    return clean_value(str(value))


def _author_list(value) -> list[str]:
    from dedupe.core.names import split_author_list

    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return split_author_list(str(value))


class CsvParser(Parser):
    name = "csv"
    description = "CSV with a header row (title, authors, year, journal, ... or mapped names)"
    extensions = (".csv",)
    delimiter = ","

    def sniff(self, text: str) -> float:
        first = text.split("\n", 1)[0].lower()
        cols = [c.strip(' "') for c in first.split(self.delimiter)]
        return 0.9 if len(cols) > 1 and "title" in cols else 0.0

    def parse(self, text: str, column_map=None) -> ParseOutput:
        out = ParseOutput()
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=self.delimiter)
        try:
            header = next(reader)
        except (StopIteration, csv.Error) as exc:
            out.fail(1, text.split("\n", 1)[0], f"cannot read header: {exc}")
            return out
        start = reader.line_num + 1
        keys = [canonical_name(h, column_map) for h in header]  # once per file
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                out.fail(start, "", f"malformed {self.name.upper()} row: {exc}")
                start = reader.line_num + 1
                continue
            if any(cell.strip() for cell in row):
                if len(row) != len(header):
                    out.fail(
                        start,
                        self.delimiter.join(row),
                        f"row has {len(row)} fields, header has {len(header)}",
                    )
                out.records.append(record_from_items(start, zip(keys, row)))
            start = reader.line_num + 1
        return out


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
    _TAG = re.compile(r"^([A-Z][A-Z0-9])  -( (.*))?$")

    def sniff(self, text: str) -> float:
        return 1.0 if re.search(r"^TY  - ", text[:5000], re.M) else 0.0

    def parse(self, text: str, column_map=None) -> ParseOutput:
        out = ParseOutput()
        chunk, start = [], None
        for no, line in numbered_lines(text):
            if line.startswith("TY  -"):
                if chunk:
                    out.fail(start, chunk[0], "RIS record without ER line; read up to here")
                    self._read(chunk, start, out, column_map)
                chunk, start = [line], no
            elif start is not None:
                chunk.append(line)
                if line.startswith("ER  -"):
                    self._read(chunk, start, out, column_map)
                    chunk, start = [], None
            elif line.strip():
                out.fail(no, line, "text outside any RIS record (no TY line before it)")
        if chunk:
            out.fail(start, chunk[0], "RIS record without ER line")
            self._read(chunk + ["ER  - "], start, out, column_map)
        return out

    def _read(self, chunk, start, out, column_map):
        try:
            entries = rispy.loads("\n".join(chunk))
        except Exception as exc:  # rispy raises plain exceptions on bad tags
            out.fail(start, chunk[0], f"unreadable RIS record: {exc}")
            return
        for entry in entries:
            e = dict(entry)
            if "start_page" in e:
                e["pages"] = "-".join(str(e.pop(k)) for k in ("start_page", "end_page") if k in e)
            for alt in ("journal_name", "secondary_title", "alternate_title3", "alternate_title1"):
                if alt in e and "journal" not in e:
                    e["journal"] = e.pop(alt)
            out.records.append(record_from_mapping(start, e, column_map))


class BibtexParser(Parser):
    name = "bibtex"
    description = "BibTeX export, read with bibtexparser v2 (LaTeX decoded)"
    extensions = (".bib", ".bibtex")

    def sniff(self, text: str) -> float:
        return 1.0 if re.search(r"^\s*@\w+\s*\{", text[:5000], re.M) else 0.0

    def parse(self, text: str, column_map=None) -> ParseOutput:
        out = ParseOutput()
        logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
        lib = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
        for block in lib.failed_blocks:
            raw = getattr(block, "raw", "") or ""
            out.fail(
                (block.start_line or 0) + 1,
                raw.split("\n", 1)[0],
                f"unreadable BibTeX block: {type(getattr(block, 'error', block)).__name__}",
            )
        for entry in lib.entries:
            data = {k: f.value for k, f in entry.fields_dict.items()}
            data = {k: re.sub(r"[{}]", "", str(v)) for k, v in data.items()}
            data.setdefault("key", entry.key)
            rec = record_from_mapping(entry.start_line + 1, data, column_map)
            rec.fields.setdefault("source_id", entry.key)
            out.records.append(rec)
        out.records.sort(key=lambda r: r.line)
        return out
