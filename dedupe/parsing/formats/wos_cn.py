"""The Web of Science mirror with a Chinese interface: a main record and related papers.

Sections are found by their labels (作者, 机构, 来源 …), so their order may vary; the
related-papers list holds bullet entries "• [n] Title" with authors one per line and a
source line "[J]. JOURNAL, 2022, 43 (04) : 344 - 355" (marker, year and parts optional).
"""

from __future__ import annotations

import re

from dedupe.core.labels import WOS_CN_CHROME, WOS_CN_INLINE, WOS_CN_SECTIONS
from dedupe.core.records import RawRecord
from dedupe.parsing.formats.base import (
    DOI_RE,
    ParseOutput,
    Parser,
    clean_value,
    numbered_lines,
    page_range,
)

_INLINE = re.compile(r"^\s*(" + "|".join(WOS_CN_INLINE) + r")\s*[:：]\s*(.*)$")
# Patterns see untrusted lines: each is written so that no two quantifiers can share the
# same characters (no backtracking blow-up); values are stripped in Python first.
_ENTRY = re.compile(r"^(?:[•·●▪*-]\s*)?\[(\d+)\]\s*(.*)$")
_COUNTER = re.compile(r"^\s*共\s*\d+\s*条\s*$")
_UNIT_SPLIT = re.compile(r"[\s/年卷期]+")
_YEAR_IN_SOURCE = re.compile(r",\s*((?:1[5-9]|20)\d{2})\s*(?:,|$)")
_VOL_ISS_PAGES = re.compile(r"^([^\s(:,]+)?\s*(?:\(([^)]*)\))?[\s:]*(.*)$")
_NAME_LIKE = re.compile(r"^[^\d,;:|]+,[^\d,;:|]+$|^(?:[^\W\d_][\w.'’-]*\s+){1,4}[^\W\d_][\w.'’-]*$")


def split_related_source(line: str) -> dict:
    """Fields of a related paper's source line.

    >>> split_related_source("[J]. ISSUES IN MENTAL HEALTH NURSING, 2022, 43 (04) : 344 - 355")
    {'journal': 'ISSUES IN MENTAL HEALTH NURSING', 'year': '2022', 'volume': '43', 'issue': '04', 'pages': '344-355'}
    >>> split_related_source("[J]. BMC Health Services Research, 22")["volume"]
    '22'
    """
    text = re.sub(r"^\s*\[[A-Z]\]\.?\s*", "", line).strip()
    m = _YEAR_IN_SOURCE.search(text)
    if m:
        journal, year, rest = text[: m.start()], m.group(1), text[m.end() :]
    else:
        journal, _, rest = text.partition(",")
        year = None
    parts = _VOL_ISS_PAGES.match(rest.strip().strip(" ,").strip())
    volume, issue, pages = parts.groups() if parts else (None, None, None)
    pages = pages.strip() if pages else pages
    return {
        "journal": clean_value(journal.strip(" ,")),
        "year": year,
        "volume": clean_value(volume),
        "issue": clean_value(issue),
        "pages": page_range(pages),
    }


def source_units(rest: str) -> tuple[str | None, str | None, str | None]:
    """(year, volume, issue) of a main source's tail, each the token before 年 / 卷 / 期.

    >>> source_units(" 2021年 / 75卷 / 3期")
    ('2021', '75', '3')
    >>> source_units("2019年/卷/期")
    ('2019', None, None)
    """
    found = []
    for unit in "年卷期":
        head, sep, _ = rest.rpartition(unit)
        tokens = [t for t in _UNIT_SPLIT.split(head) if t] if sep else []
        empty = head.rstrip().endswith(("/", *"年卷期"))  # "2019年/卷/期": no volume
        found.append(tokens[-1] if tokens and not empty else None)
    year = found[0] if found[0] and len(found[0]) == 4 and found[0].isdigit() else None
    return year, found[1], found[2]


def is_source_line(line: str) -> bool:
    """True when a related-paper line is its source (journal, year …) rather than an author."""
    s = line.strip()
    return bool(
        re.match(r"^\[[A-Z]\]", s)
        or _YEAR_IN_SOURCE.search(s)
        or re.search(r"\d", s)
        or not _NAME_LIKE.match(s)
    )


class WosCnParser(Parser):
    name = "wos-cn"
    description = "Web of Science mirror with Chinese labels (main record + related papers)"

    def sniff(self, text: str) -> float:
        lines = {ln.strip() for ln in text.splitlines()[:400]}
        hits = sum(label in lines for label in ("作者", "机构", "摘要", "相关论文", "关键词"))
        hits += bool(re.search(r"^被引\s*[:：]", text, re.M))
        return min(1.0, hits / 3)

    def parse(self, text: str, column_map=None) -> ParseOutput:
        out = ParseOutput()
        lines = numbered_lines(text)
        main = RawRecord(line=1, role="main", name_order="auto")
        out.records.append(main)
        section: str | None = "title"
        sections: dict[str, list[tuple[int, str]]] = {}
        entry: list[tuple[int, str]] = []
        for no, raw in lines:
            s = raw.strip()
            if section == "related":
                m = _ENTRY.match(s)
                if m:
                    self._flush_entry(entry, out)
                    entry = [(no, m.group(2).strip())]
                elif _COUNTER.match(s):
                    out.drop(no, raw, "related-papers counter (interface text)", page=True)
                elif s and entry:
                    entry.append((no, s))
                elif s:
                    out.unattached(no, raw, "line in related papers before any entry")
                continue
            if not s:
                if section == "title" and sections.get("title"):
                    section = None
                continue
            if s in WOS_CN_SECTIONS:
                section = WOS_CN_SECTIONS[s]
                sections.setdefault(section, [])
                if section == "related":
                    out.drop(no, raw, "section label 相关论文 (interface text)")
                else:
                    out.take(no, no, 0)
                continue
            m = _INLINE.match(s)
            if m:
                main.fields[WOS_CN_INLINE[m.group(1)]] = m.group(2).strip()
                out.take(no, no, 0)
                continue
            if s in WOS_CN_CHROME:
                out.drop(no, raw, "interface action or separator", page=True)
                continue
            if section is None:
                out.unattached(no, raw, "text outside any labelled section")
                continue
            if section == "title" and not sections.get("title"):
                main.line = no
            sections.setdefault(section, []).append((no, s))
            out.take(no, no, 0)
        self._flush_entry(entry, out)
        self._fill_main(main, sections)
        return out

    @staticmethod
    def _fill_main(main: RawRecord, sections: dict) -> None:
        text = {k: [s for _, s in v] for k, v in sections.items()}
        f = main.fields
        f["title"] = clean_value(" ".join(text.get("title", [])))
        for _no, s in sections.get("authors", []):
            main.authors.append(s)
        f["affiliations"] = clean_value(" | ".join(text.get("affiliations", [])))
        f["keywords"] = clean_value(" ".join(text.get("keywords", [])))
        doi = " ".join(text.get("doi", []))
        m = DOI_RE.search(doi)
        f["doi"] = m.group(1) if m else clean_value(doi)
        f["classification"] = clean_value(" ".join(text.get("classification", [])))
        f["subject_code"] = clean_value(" ".join(text.get("subject_code", [])))
        f["abstract"] = clean_value(" ".join(text.get("abstract", [])))
        f["pages"] = page_range(f.get("pages"))
        source = " ".join(text.get("source", []))
        if source:
            journal, _, rest = source.partition("|")
            y, v, i = source_units(rest)
            f.update(journal=clean_value(journal), year=y, volume=v, issue=i)

    @staticmethod
    def _flush_entry(entry: list[tuple[int, str]], out: ParseOutput) -> None:
        if not entry:
            return
        (no, title), rest = entry[0], entry[1:]
        rec = RawRecord(no, "related", {"title": clean_value(title)}, end=entry[-1][0])
        if rest and is_source_line(rest[-1][1]):
            rec.fields.update(split_related_source(rest[-1][1]))
            rest = rest[:-1]
        rec.authors = [s for _, s in rest]
        out.records.append(rec)
