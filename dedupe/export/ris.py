"""RIS (EndNote, Zotero, Mendeley): one TY JOUR ... ER entry per corpus row, written by rispy."""

from __future__ import annotations

import re

import rispy
from rispy.writer import RisWriter

from dedupe.export.fields import keywords, names, note, pages

_NEWLINES = re.compile(r"\s*\n\s*")


class _Writer(RisWriter):
    """rispy's RIS writer without the "1." counter line before each entry."""

    def set_header(self, count: int) -> str:
        return ""


def _one_line(value):
    if isinstance(value, list):
        return [_one_line(v) for v in value]
    return _NEWLINES.sub(" ", value) if isinstance(value, str) else value


def ris_entry(row: dict) -> dict:
    """The rispy entry of one corpus row (tags by rispy's names)."""
    first, last = pages(row)
    entry = {
        "type_of_reference": "JOUR",
        # EndNote's convention: an organisation as author ends with a comma
        "authors": [f"{f}, {g}" if g else f"{f}," for f, g in names(row)],
        "title": row.get("title"),
        "secondary_title": row.get("journal"),
        "year": row.get("year"),
        "volume": row.get("volume"),
        "number": row.get("issue"),
        "start_page": first,
        "end_page": last,
        "doi": row.get("doi"),
        "abstract": row.get("abstract"),
        "keywords": keywords(row),
        "language": row.get("language"),
        "author_address": row.get("affiliations"),
        "urls": [row["url"]] if row.get("url") else [],
        "notes": [note(row)],
        "id": row.get("cluster_id"),
    }
    return {k: _one_line(v) for k, v in entry.items() if v not in (None, [], "")}


def to_ris(rows: list[dict]) -> str:
    """The corpus as RIS text."""
    return rispy.dumps([ris_entry(r) for r in rows], implementation=_Writer)
