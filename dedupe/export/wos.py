"""Web of Science tagged format (bibliometrix, VOSviewer, CiteSpace read it as savedrecs.txt).

FN/VR header, one PT J ... ER record per corpus row, EF at the end; multi-valued fields
(authors, addresses) one value a line, continuation lines indented by three spaces. UT holds
the record ids so a later run can trace the entry.
"""

from __future__ import annotations

import re

from dedupe.export.fields import ids, keywords, names, pages

_NEWLINES = re.compile(r"\s*\n\s*")
HEADER = "FN Clarivate Analytics Web of Science\nVR 1.0\n"


def _initials(given: str) -> str:
    """ "Winnie W. S." -> "WWS"."""
    return "".join(p[0] for p in re.split(r"[\s.\-]+", given) if p).upper()


def _tag(tag: str, values: list[str]) -> list[str]:
    values = [_NEWLINES.sub(" ", v).strip() for v in values if v and v.strip()]
    return [f"{tag if i == 0 else '  '} {v}" for i, v in enumerate(values)]


def wos_record(row: dict) -> str:
    """The tagged record of one corpus row."""
    people = names(row)
    first, last = pages(row)
    is_range = last is not None
    lines = ["PT J"]
    for tag, values in (
        ("AU", [f"{f}, {_initials(g)}" for f, g in people if g]),
        ("AF", [f"{f}, {g}" for f, g in people if g]),
        ("CA", [f for f, g in people if not g]),  # group (organisation) authors
        ("TI", [row.get("title") or ""]),
        ("SO", [row.get("journal") or ""]),
        ("LA", [row.get("language") or ""]),
        ("DT", ["Article"]),
        ("DE", ["; ".join(keywords(row))]),
        ("AB", [row.get("abstract") or ""]),
        ("C1", (row.get("affiliations") or "").split(" | ")),
        ("TC", [row.get("times_cited") or row.get("cited_by") or ""]),
        ("PY", [row.get("year") or ""]),
        ("VL", [row.get("volume") or ""]),
        ("IS", [row.get("issue") or ""]),
        ("BP", [first or ""] if is_range else []),
        ("EP", [last or ""]),
        ("AR", [] if is_range else [first or ""]),
        ("DI", [row.get("doi") or ""]),
        ("UT", ["; ".join(ids(row))]),
    ):
        lines.extend(_tag(tag, values))
    return "\n".join(lines) + "\nER\n"


def to_wos(rows: list[dict]) -> str:
    """The corpus as a Web of Science tagged file."""
    return HEADER + "".join(wos_record(r) + "\n" for r in rows) + "EF\n"
