"""What every parser shares: its interface and small line helpers."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import regex

from dedupe.core.patterns import CJK_PUNCTUATION, SCRIPT_CLASSES
from dedupe.core.records import Problem, RawRecord

if TYPE_CHECKING:  # numpy is imported by the parsers that build columns, not by every command
    import numpy as np

_PAGE_RANGE = re.compile(r"^([A-Za-z]*\d+[A-Za-z]*)\s*(?:-|–|—|/|:)\s*([A-Za-z]*\d+[A-Za-z]*)$")
_CJK = regex.compile(f"[{SCRIPT_CLASSES['cjk']}{CJK_PUNCTUATION}]")
DOI_RE = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)", re.I)


@dataclass
class RecordColumns:
    """Records as columns, one entry per record: what a columnar parser returns instead of
    a ``RawRecord`` per record (a million rows of dicts take seconds and gigabytes)."""

    fields: Mapping[str, Sequence]
    """Canonical field -> the value of each record (None: none)."""
    line: np.ndarray
    """First line of each record (int64)."""
    end: np.ndarray
    """Last line of each record's span (int64)."""
    role: Sequence[str]
    authors: list[tuple[list[str], str]]
    """Distinct raw author lists, each with its name order ("auto", "family_first", ...)."""
    author_of: np.ndarray
    """For each record, its entry of ``authors`` (-1: no authors)."""

    def __len__(self) -> int:
        return len(self.line)


@dataclass
class RowCells:
    """A columnar export's records before its field rules ran: the raw cells, each
    record's span, and the function making ``RecordColumns`` of any run of the records
    (the rules work row by row, so a large file's rows can be worked in shares)."""

    cells: Mapping[str, Sequence[str]]
    """Canonical field -> the raw cell of each record."""
    line: np.ndarray
    end: np.ndarray
    build: Callable[[dict[str, Sequence[str]], np.ndarray, np.ndarray], RecordColumns]

    def __len__(self) -> int:
        return len(self.line)

    def columns(self, start: int = 0, stop: int | None = None) -> RecordColumns:
        """The records ``start``..``stop`` with their fields worked out."""
        part = slice(start, len(self) if stop is None else stop)
        cells = {k: v[part] for k, v in self.cells.items()}
        return self.build(cells, self.line[part], self.end[part])


@dataclass
class ParseOutput:
    """What a parser returns for one file: records and problem lines, in file order.

    Every line of the file is accounted for: it lies in a record's span (``line`` to
    ``end``, or a span given with ``take``), in a problem's span, in a ``layout`` span
    (header rows, record separators, comments: structure without bibliographic text), or is
    blank. ``dedupe.parsing.files`` turns any other line into a failure row.
    """

    records: list[RawRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    taken: list[tuple[int, int, int]] = field(default_factory=list)
    """(first, last, record index): lines a record read outside its own span."""
    layout: list[tuple[int, int]] = field(default_factory=list)
    """(first, last): lines read as structure of the layout, holding no record text."""
    table: RecordColumns | RowCells | None = None
    """Records given as columns (they follow ``records`` in the table); None: none."""

    @property
    def count(self) -> int:
        """How many records the parser found (``records`` and ``table``)."""
        return len(self.records) + (len(self.table) if self.table is not None else 0)

    def drop(
        self,
        line: int,
        raw: str,
        reason: str,
        kind: str = "dropped",
        page: bool = False,
        end: int = 0,
    ) -> None:
        """Report lines ``line``..``end`` the parser did not use.

        They are attached to the latest record, or with ``page=True`` (page chrome) to the
        page's first record.
        """
        rec = (0 if page else len(self.records) - 1) if self.records else None
        self.problems.append(Problem(line, kind, reason, raw, rec, end))

    def unattached(self, line: int, raw: str, reason: str, end: int = 0) -> None:
        """Report text that looks like content but belongs to no record (not page chrome)."""
        self.drop(line, raw, reason, kind="unattached", end=end)

    def fail(self, line: int, raw: str, reason: str, end: int = 0) -> None:
        """Report content the parser could not read."""
        self.drop(line, raw, reason, kind="failure", end=end)

    def take(self, first: int, last: int = 0, record: int = -1) -> None:
        """Lines ``first``..``last`` belong to record number ``record`` (default: latest)."""
        self.taken.append((first, last or first, record % max(1, len(self.records))))

    def skip(self, first: int, last: int = 0) -> None:
        """Lines ``first``..``last`` are structure of the layout (header, separator, comment)."""
        self.layout.append((first, last or first))


class Parser:
    """A parser: ``sniff`` scores how well a text fits the layout, ``parse`` extracts."""

    name = ""
    description = ""
    extensions: tuple[str, ...] = ()

    def sniff(self, text: str) -> float:
        """A score in 0..1 that ``text`` is in this layout."""
        return 0.0

    def parse(self, text: str, column_map: dict[str, str] | None = None) -> ParseOutput:
        """Extract records; never raise on bad content."""
        raise NotImplementedError


def numbered_lines(text: str) -> list[tuple[int, str]]:
    """(1-based line number, line without its newline) for every line.

    Splits on "\\n" only, so numbers agree with editors even when a value holds U+2028.
    """
    return list(enumerate(text_lines(text), start=1))


def text_lines(text: str) -> list[str]:
    """The lines of ``numbered_lines`` without their numbers (each "\\r" end stripped only
    when the text holds one: a million-line export is split at C speed)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [ln.rstrip("\r") for ln in lines] if "\r" in text else lines


def page_range(raw: str | None) -> str | None:
    """ "538 / 548" -> "538-548"; any other text is returned stripped, unchanged.

    >>> page_range(" 54 - 56"), page_range("030802262110181"), page_range("")
    ('54-56', '030802262110181', None)
    """
    if raw is None or not raw.strip():
        return None
    m = _PAGE_RANGE.match(raw.strip())
    return f"{m.group(1)}-{m.group(2)}" if m else raw.strip()


def has_cjk(text: str) -> bool:
    """True when the text holds CJK characters (Han, kana, Hangul) or full-width punctuation.

    >>> has_cjk("𠀀"), has_cjk("한국어"), has_cjk("カタカナ"), has_cjk("Øgård")
    (True, True, True, False)
    """
    return bool(_CJK.search(text))


def clean_value(text: str | None) -> str | None:
    """Strip the value; None for an empty one."""
    if text is None:
        return None
    text = text.strip()
    return text or None
