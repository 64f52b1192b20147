"""PubMed/MEDLINE export (``.nbib``, "MEDLINE" format): PMID- ... records, blank-separated.

Tags are up to four letters padded to four characters, then "- " and the value;
continuation lines are indented by six spaces. Full author names (FAU, "Family, Given") are
preferred over the abbreviated ones (AU, "Family GI"); the DOI comes from LID or AID lines
marked ``[doi]``; MEDLINE's shortened page ranges ("101-10") are written out ("101-110");
a translated title in brackets ("[Peer support in ...].") loses its brackets.
"""

from __future__ import annotations

import re

from dedupe.core.records import RawRecord
from dedupe.parsing.formats.base import ParseOutput, Parser, clean_value, page_range
from dedupe.parsing.formats.tagged import Layout, Tagged, read_tagged

LAYOUT = Layout(
    name="MEDLINE",
    tag=re.compile(r"^([A-Z][A-Z0-9]{1,3}) {0,3}- ?(.*)$"),
    continuation=re.compile(r"^ {2,6}(\S.*)$"),
    opens="PMID",
    closes=None,
    blank_closes=True,
    wraps=True,
)
_YEAR = re.compile(r"\b(1[5-9]\d{2}|20\d{2})\b")
_DOI = re.compile(r"^(10\.\d{4,9}/\S+) \[doi\]$")
_SHORT_RANGE = re.compile(r"^(\d+)-(\d+)$")
_BRACKETED = re.compile(r"^\[(.*)\](\.?)$")


def expand_pages(pages: str | None) -> str | None:
    """MEDLINE's shortened end page written out.

    >>> expand_pages("101-10"), expand_pages("1295-305"), expand_pages("e1234")
    ('101-110', '1295-1305', 'e1234')
    """
    m = _SHORT_RANGE.match(pages or "")
    if not m:
        return page_range(pages)
    first, last = m.groups()
    if len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    return f"{first}-{last}"


class PubmedParser(Parser):
    name = "pubmed"
    description = "PubMed/MEDLINE export (.nbib: PMID-, TI  -, FAU -, JT  - ...)"
    extensions = (".nbib", ".medline")

    def sniff(self, text: str) -> float:
        head = text.lstrip("\ufeff \n")[:5000]
        if not head.startswith("PMID-"):
            return 0.0
        return 1.0 if re.search(r"^(?:TI|FAU|AU|JT|DP)  ?- ", head, re.M) else 0.6

    def parse(self, text: str, column_map=None) -> ParseOutput:
        out = ParseOutput()
        for tagged in read_tagged(text, LAYOUT, out):
            out.records.append(pubmed_record(tagged))
        return out


def _doi(t: Tagged) -> str | None:
    for value in t.values("LID") + t.values("AID"):
        m = _DOI.match(value)
        if m:
            return m.group(1)
    return None


def _title(t: Tagged) -> str | None:
    title = clean_value(t.first("TI", "BTI"))
    m = _BRACKETED.match(title or "")
    return clean_value(m.group(1) + m.group(2)) if m else title


def pubmed_record(t: Tagged) -> RawRecord:
    """A record from one MEDLINE record."""
    full = t.values("FAU")
    rec = RawRecord(
        line=t.line, role="main", name_order="auto" if full else "family_first", end=t.end
    )
    rec.authors = full or t.values("AU")
    m = _YEAR.search(t.first("DP") or "")
    rec.fields = {
        "title": _title(t),
        "year": m.group(1) if m else None,
        "journal": clean_value(t.first("JT", "TA")),
        "volume": clean_value(t.first("VI")),
        "issue": clean_value(t.first("IP")),
        "pages": expand_pages(clean_value(t.first("PG"))),
        "doi": _doi(t),
        "abstract": clean_value(t.first("AB")),
        "keywords": clean_value("; ".join(t.values("OT"))),
        "classification": clean_value("; ".join(t.values("MH"))),
        "affiliations": clean_value(" | ".join(t.values("AD"))),
        "language": clean_value(t.first("LA")),
        "publisher": clean_value(t.first("PB")),
        "source_id": f"PMID:{t.first('PMID')}" if t.first("PMID") else None,
    }
    return rec
