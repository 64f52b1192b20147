"""CSL-JSON (Zotero, citeproc, pandoc): a JSON array of items valid against the CSL data schema."""

from __future__ import annotations

import json
import re

from dedupe.export.fields import keywords, names, note, pages

_YEAR = re.compile(r"^\d{4}$")


def csl_item(row: dict) -> dict:
    """The CSL-JSON item of one corpus row."""
    first, last = pages(row)
    item: dict = {
        "id": row.get("cluster_id") or "",
        "type": "article-journal",
        "title": row.get("title"),
        "author": [{"family": f, "given": g} if g else {"literal": f} for f, g in names(row)],
        "container-title": row.get("journal"),
        "volume": row.get("volume"),
        "issue": row.get("issue"),
        "page": f"{first}-{last}" if last else first,
        "page-first": first,
        "DOI": row.get("doi"),
        "abstract": row.get("abstract"),
        "keyword": ", ".join(keywords(row)),
        "language": row.get("language"),
        "URL": row.get("url"),
        "note": note(row),
    }
    year = row.get("year") or ""
    if _YEAR.match(year):
        item["issued"] = {"date-parts": [[int(year)]]}
    elif year:
        item["issued"] = {"literal": year}
    return {k: v for k, v in item.items() if v not in (None, "", [])}


def to_csl_json(rows: list[dict]) -> str:
    """The corpus as CSL-JSON text (stable key order, UTF-8, one trailing newline)."""
    return json.dumps([csl_item(r) for r in rows], ensure_ascii=False, indent=2) + "\n"
