"""Web of Science tagged export (``savedrecs.txt``): FN/VR header, PT ... ER records, EF.

Each field is a two-character tag, a space and the value; further values of the same field
(one author per line, long titles) are continuation lines indented by three spaces. Full
author names (AF) are preferred over the abbreviated list (AU), group authors (CA) follow
them; pages come from BP/EP, or
the article number (AR) when the journal has no pages; an early-access record without PY
takes its year from EA.
"""

from __future__ import annotations

import re

from dedupe.core.records import RawRecord
from dedupe.parsing.formats.base import DOI_RE, ParseOutput, Parser, clean_value, page_range
from dedupe.parsing.formats.tagged import Layout, Tagged, read_tagged

LAYOUT = Layout(
    name="Web of Science",
    tag=re.compile(r"^([A-Z][A-Z0-9])(?: (.*))?$"),
    continuation=re.compile(r"^ {2,3}(\S.*)$"),
    opens="PT",
    closes="ER",
    header=frozenset({"FN", "VR", "EF"}),
)
_YEAR = re.compile(r"\b(1[5-9]\d{2}|20\d{2})\b")
_SNIFF = re.compile(r"^(?:\ufeff)?FN [^\n]*\nVR ", re.M)


class WosTaggedParser(Parser):
    name = "wos-tagged"
    description = "Web of Science tagged export (savedrecs.txt: FN, PT/AU/TI/SO ... ER, EF)"
    extensions = (".ciw",)

    def sniff(self, text: str) -> float:
        head = text[:20000]
        if _SNIFF.search(head):
            return 1.0
        return 0.9 if re.search(r"^PT [A-Z]$", head, re.M) and "\nER" in head else 0.0

    def parse(self, text: str, column_map=None) -> ParseOutput:
        out = ParseOutput()
        for tagged in read_tagged(text, LAYOUT, out):
            out.records.append(wos_record(tagged))
        return out


def wos_record(t: Tagged) -> RawRecord:
    """A record from one WoS tagged record."""
    rec = RawRecord(line=t.line, role="main", name_order="family_first", end=t.end)
    people = t.values("AF") or t.values("AU")
    rec.authors = people + [f"{g}," for g in t.values("CA") if f"{g}," not in people]
    year = t.first("PY") or t.first("EA")
    m = _YEAR.search(year or "")
    doi = DOI_RE.search(t.first("DI") or "")
    pages = (
        "-".join(p for p in (t.first("BP"), t.first("EP")) if p) if t.first("BP") else t.first("AR")
    )
    rec.fields = {
        "title": clean_value(t.first("TI")),
        "year": m.group(1) if m else None,
        "journal": clean_value(t.first("SO")),
        "volume": clean_value(t.first("VL")),
        "issue": clean_value(t.first("IS")),
        "pages": page_range(pages),
        "doi": doi.group(1) if doi else None,
        "abstract": clean_value(t.first("AB")),
        "keywords": clean_value(t.first("DE") or t.first("ID")),
        "affiliations": clean_value(" | ".join(t.values("C1"))),
        "times_cited": clean_value(t.first("TC")),
        "reference_count": clean_value(t.first("NR")),
        "publisher": clean_value(t.first("PU")),
        "funder": clean_value(t.first("FU")),
        "language": clean_value(t.first("LA")),
        "page_count": clean_value(t.first("PG")),
        "source_id": clean_value(t.first("UT")),
    }
    return rec
