"""The "scholarly journals" listing: an optional heading record and listed items.

Each item starts with a year line "2018 ◽", then optional "Vol 5 (1) ◽" and "pp. 53-61",
"Author(s):" with one author a line (separated by ◽, "..." when the site truncated the
list), and a paragraph of abstract. A short paragraph right before a year line is the next
item's title; a "scholarly journals" breadcrumb marks the page heading.
"""

from __future__ import annotations

import re

from dedupe.core.labels import BREADCRUMBS, ENGLISH_CHROME
from dedupe.core.records import RawRecord
from dedupe.parsing.formats.base import (
    DOI_RE,
    ParseOutput,
    Parser,
    clean_value,
    numbered_lines,
    page_range,
)

# Patterns see untrusted lines: each is matched against a stripped line and written so that
# no two quantifiers can take the same characters (no backtracking blow-up).
_YEAR = re.compile(r"^((?:1[5-9]|20)\d{2})(?:\s*◽)?$")
_VOL = re.compile(r"^Vol\.?(?:\s*([^\s(◽]+))?(?:\s*\(([^)]*)\))?(?:\s*◽)?$", re.I)
_PAGES = re.compile(r"^pp?\.\s*(.+)$")
_AUTHORS = re.compile(r"^Authors?(?:\(s\))?\s*:(.*)$", re.I)
_DOI = re.compile(r"^(?:doi(?:\s*:)?\s*|https?://(?:dx\.)?doi\.org/)(10\.\S+)$", re.I)
_SNIFF_YEAR = re.compile(r"^\d{4}\s*◽")
_CHROME = {c.lower() for c in ENGLISH_CHROME}
TITLE_MAX = 300
Paragraph = tuple[int, int, str]
"""(first line, last line, text joined with spaces)."""


def _without_mark(value: str) -> str:
    """The value without a trailing "◽" separator and surrounding spaces."""
    value = value.strip()
    return value[:-1].rstrip() if value.endswith("◽") and len(value) > 1 else value


def _is_title_like(text: str) -> bool:
    return len(text) <= TITLE_MAX and text.count(". ") < 2


def _starts_with_breadcrumb(text: str) -> bool:
    low = text.lower()
    return any(low.startswith(b + " ") for b in BREADCRUMBS)


class ScholarlyParser(Parser):
    name = "scholarly"
    description = '"scholarly journals" listing pages (heading record + listed items)'

    def sniff(self, text: str) -> float:
        head = text[:20000]
        lines = [ln.strip() for ln in head.split("\n")]
        score = 0.4 * any(ln.startswith("Author(s):") for ln in lines)
        score += 0.3 * any(_SNIFF_YEAR.match(ln) for ln in lines)
        score += 0.2 * ("◽" in head) + 0.2 * bool(re.search(r"scholarly journals", head, re.I))
        return min(1.0, score)

    def parse(self, text: str, column_map=None) -> ParseOutput:
        out = ParseOutput()
        current: RawRecord | None = None
        state = "free"
        paragraphs: list[Paragraph] = []
        para: list[tuple[int, str]] = []
        for no, raw in [*numbered_lines(text), (0, "")]:
            s = raw.strip()
            if state == "authors" and current is not None and s and not _YEAR.match(s):
                current.authors.extend(p.strip() for p in s.split("◽") if p.strip())
                current.end = no
                continue
            if not s or _YEAR.match(s):
                if para:
                    paragraphs.append((para[0][0], para[-1][0], " ".join(t for _, t in para)))
                    para = []
            if not no or not s:
                if state == "authors":
                    state = "free"
                continue
            m = _YEAR.match(s)
            authors = _AUTHORS.match(s)
            if m:
                title = self._settle(current, paragraphs, out, before_item=True)
                paragraphs = []
                role = "listed" if out.records or not title else "main"
                current = RawRecord(
                    line=title[0] if title else no, role=role, name_order="given_first", end=no
                )
                current.fields.update(year=m.group(1), title=title[2] if title else None)
                out.records.append(current)
                state = "meta"
            elif state in ("meta", "authors") and current is not None and self._meta(current, s):
                current.end = no
            elif current is not None and authors:
                inline = authors.group(1).strip()
                current.authors.extend(p.strip() for p in inline.split("◽") if p.strip())
                current.end, state = no, "authors"
            elif s.lower() in _CHROME:
                out.drop(no, raw, "page chrome", page=True)
            else:
                para.append((no, s))
                state = "free"
        self._settle(current, paragraphs, out, before_item=False)
        return out

    @staticmethod
    def _meta(rec: RawRecord | None, s: str) -> bool:
        """Read a volume, pages or DOI line into ``rec``; False if ``s`` is none of them."""
        if rec is None:
            return False
        for rx, keys in ((_VOL, ("volume", "issue")), (_PAGES, ("pages",)), (_DOI, ("doi",))):
            m = rx.match(s)
            if m:
                for k, v in zip(keys, m.groups()):
                    if k == "pages":
                        rec.fields[k] = page_range(_without_mark(v))
                    else:
                        rec.fields[k] = clean_value(v)
                return True
        return False

    @staticmethod
    def _settle(
        rec: RawRecord | None, paragraphs: list[Paragraph], out: ParseOutput, before_item: bool
    ) -> Paragraph | None:
        """Give free paragraphs to ``rec`` (abstract) and return the next item's title."""
        title = None
        if before_item and paragraphs:
            last = paragraphs[-1]
            fits = _is_title_like(last[2])
            if (
                rec is None  # the first paragraph of the file
                or _starts_with_breadcrumb(last[2])
                or (fits and (len(paragraphs) > 1 or rec.fields.get("abstract")))
                or (fits and not rec.authors)
            ):
                title = last
                paragraphs = paragraphs[:-1]
        for first, end, text in paragraphs:
            if rec is not None and not rec.fields.get("abstract"):
                rec.fields["abstract"] = text
                out.take(first, end)  # rec is the latest record
                m = DOI_RE.search(text) if not rec.fields.get("doi") else None
                if m and text.strip().startswith(m.group(1)):
                    rec.fields["doi"] = m.group(1)
            else:
                out.unattached(first, text, "text not attached to any record", end)
        return title
