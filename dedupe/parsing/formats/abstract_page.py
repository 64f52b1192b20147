"""The abstract page with a reference list: labelled sections and numbered references.

Labels ("Author:", "Abstract", "Funder", "Publisher", "Reference54 articles.", "Cited by")
stand alone on a line, or with the value after a colon. Names in its author line are written
family name first ("Mirbahaeddin Elmira,Chreim Samia"). Each numbered reference in
Vancouver style becomes a record of its own.
"""

from __future__ import annotations

import re

from dedupe.core.labels import ABSTRACT_PAGE_LABELS, ENGLISH_CHROME
from dedupe.core.records import RawRecord
from dedupe.parsing.formats.base import (
    DOI_RE,
    ParseOutput,
    Parser,
    clean_value,
    has_cjk,
    numbered_lines,
    page_range,
)

_LABEL = re.compile(
    r"^\s*("
    + "|".join(re.escape(k) for k in sorted(ABSTRACT_PAGE_LABELS, key=len, reverse=True))
    + r")\s*(?::\s*(.*))?$",
    re.I,
)
# Patterns see untrusted lines: each is matched against a stripped value and written so that
# no two quantifiers can take the same characters (no backtracking blow-up).
_REFS = re.compile(r"^References?(?:\s*(\d+))?(?:\s*articles?)?\.?$", re.I)
_REF_ITEM = re.compile(r"^(\d+)\.\s+(.+)$")
_COUNT = re.compile(r"^(\d+)(?:\s*(?:articles?|citations?))?\.?$", re.I)
_YEAR_SEG = re.compile(r"^(.*?)\b((?:1[5-9]|20)\d{2})[a-z]?(?:/\d{2,4})?\b\s*(?:;(.*))?$")
_ARTICLE_TAIL = re.compile(r"^([^(:]*)(?:\(([^)]*)\))?[^:]*(?::(.*))?$")
_AUTHOR_LINE = re.compile(r"^Authors?\s*:", re.I)
_VANCOUVER_NAME = re.compile(r"^[\w'’ -]+ [A-Z]{1,4}$|^et al$")
_CHROME = {c.lower() for c in ENGLISH_CHROME}


def split_trailing_url(text: str) -> tuple[str, str | None]:
    """(text before, URL) when the text ends with an http(s) URL, else (text, None).

    >>> split_trailing_url("A title. 2020. https://doi.org/10.1/x ")
    ('A title. 2020.', 'https://doi.org/10.1/x')
    """
    stripped = text.rstrip()
    parts = stripped.rsplit(None, 1)
    if parts and parts[-1].startswith(("http://", "https://")):
        return stripped[: len(stripped) - len(parts[-1])].rstrip(), parts[-1]
    return text, None


def parse_vancouver(text: str) -> tuple[dict, list[str], str]:
    """(fields, raw author names, name order) of one Vancouver-style reference.

    >>> f, a, _ = parse_vancouver("Mirbahaeddin E, Chreim S. A narrative review. "
    ...     "Adm Policy Ment Health. 2022;49(4):596–612.")
    >>> f["title"], f["journal"], f["year"], f["volume"], f["issue"], f["pages"], a
    ('A narrative review', 'Adm Policy Ment Health', '2022', '49', '4', '596-612', ['Mirbahaeddin E', 'Chreim S'])
    """
    fields: dict = {}
    text, url = split_trailing_url(text)
    if url:
        fields["url"] = url
    doi = DOI_RE.search(text)
    if doi:
        fields["doi"] = doi.group(1).rstrip(".")
    segs = [s.strip() for s in re.split(r"\.\s+", text.strip().rstrip(".")) if s.strip()]
    authors_seg = segs.pop(0) if len(segs) > 1 else ""
    names = [n.strip() for n in authors_seg.split(",") if n.strip()]
    vancouver = bool(names) and all(_VANCOUVER_NAME.match(n) for n in names)
    year_at = next((i for i in range(len(segs) - 1, -1, -1) if _YEAR_SEG.match(segs[i])), None)
    middle = segs if year_at is None else segs[:year_at]
    found = _YEAR_SEG.match(segs[year_at]) if year_at is not None else None
    if found:
        before, year, tail = found.groups()
        fields["year"] = year
        article = _ARTICLE_TAIL.match(tail.strip()) if tail is not None else None
        if article and not before.strip(" ;,") and middle:
            fields["journal"] = middle.pop()
            vol, iss, pages = article.groups()
            pages = pages.strip().removesuffix(".") if pages else None
            fields.update(volume=clean_value(vol), issue=clean_value(iss), pages=page_range(pages))
            fields["title"] = clean_value(". ".join(middle))
        else:
            fields["publisher"] = clean_value(before.strip(" ;,")) or (
                middle.pop() if len(middle) > 1 else None
            )
    if "title" not in fields:
        cands = [s for s in middle if not s.lower().startswith("in:")]
        fields["title"] = max(cands, key=len) if cands else None
    return (
        fields,
        (names if vancouver else [authors_seg] if authors_seg else []),
        ("auto" if vancouver else "corporate"),
    )


class AbstractPageParser(Parser):
    name = "abstract-page"
    description = "abstract page with labelled sections and a numbered reference list"

    def sniff(self, text: str) -> float:
        head = text[:50000]
        lines = [ln.strip() for ln in head.split("\n")]
        score = 0.3 * any(_AUTHOR_LINE.match(ln) for ln in lines)
        score += 0.3 * any(ln.lower() == "abstract" for ln in lines)
        score += 0.3 * any(_REFS.match(ln) for ln in lines)
        score += 0.2 * any(ln in ("Funder", "Publisher", "Cited by") for ln in lines)
        return min(1.0, score)

    def parse(self, text: str, column_map=None) -> ParseOutput:
        out = ParseOutput()
        main = RawRecord(line=1, role="main", name_order="family_first")
        out.records.append(main)
        section: str | None = None
        values: dict[str, list[tuple[int, str]]] = {}
        first = True
        for no, raw in numbered_lines(text):
            s = raw.strip()
            if not s:
                continue
            if first:
                main.line = no
            label, refs, item = _LABEL.match(s), _REFS.match(s), _REF_ITEM.match(s)
            if refs:
                section = "references"
                main.fields["reference_count"] = refs.group(1)
                out.take(no, no, 0)
            elif section == "references" and item:
                fields, names, order = parse_vancouver(item.group(2))
                out.records.append(RawRecord(no, "reference", fields, names, order))
            elif label:
                section = ABSTRACT_PAGE_LABELS[label.group(1).lower()]
                if label.group(2):
                    values.setdefault(section, []).append((no, label.group(2)))
                out.take(no, no, 0)
            elif has_cjk(s) or s.lower() in _CHROME:
                out.drop(no, raw, "page chrome (interface text)", page=True)
            elif section in (None, "references"):
                if first and section is None:
                    values["title"] = [(no, s)]
                    out.take(no, no, 0)
                else:
                    out.unattached(no, raw, "text outside any labelled section")
            else:
                values.setdefault(section, []).append((no, s))
                out.take(no, no, 0)
            first = False
        self._fill_main(main, values)
        return out

    @staticmethod
    def _fill_main(main: RawRecord, values: dict) -> None:
        text = {k: " ".join(s for _, s in v) for k, v in values.items()}
        for key in ("title", "abstract", "funder", "publisher", "journal", "year"):
            main.fields[key] = clean_value(text.get(key))
        doi = DOI_RE.search(text.get("doi", ""))
        main.fields["doi"] = doi.group(1) if doi else clean_value(text.get("doi"))
        m = _COUNT.match(text.get("cited_by", "").strip())
        main.fields["cited_by"] = m.group(1) if m else clean_value(text.get("cited_by"))
        for _, line in values.get("authors", []):
            sep = ";" if ";" in line else ","
            main.authors.extend(p.strip() for p in line.split(sep) if p.strip())
