"""What every export needs from a corpus row: names, pages, keywords and the ids note."""

from __future__ import annotations

import re

import pandas as pd

from dedupe.core.names import split_name
from dedupe.parsing.formats.exports import TRACE_PREFIX

_RANGE = re.compile(r"^([A-Za-z]*\d+[A-Za-z]*)-([A-Za-z]*\d+[A-Za-z]*)$")
NOTE_PREFIX = TRACE_PREFIX  # read back by the RIS and BibTeX parsers


def _cell(value):
    """A corpus value for the writers: a list of texts stays a list, else text or None."""
    if isinstance(value, list):
        return [str(v) for v in value if v is not None and str(v).strip()] or None
    return None if value is None or str(value).strip() == "" else str(value)


def corpus_rows(corpus: pd.DataFrame) -> list[dict]:
    """The corpus as dicts, missing values as None, lists (authors, ids) as lists of text
    and every other value as text."""
    frame = corpus.astype(object).where(corpus.notna(), None)
    return [{k: _cell(v) for k, v in row.items()} for row in frame.to_dict("records")]


def names(row: dict) -> list[tuple[str, str]]:
    """(family, given) of each author, from the ``authors_norm`` list ("Family, Given").

    A name without a comma (an organisation, or a family name alone) stays whole.

    >>> names({"authors_norm": ["Øgård-Repål, Anita", "World Health Organization"]})
    [('Øgård-Repål', 'Anita'), ('World Health Organization', '')]
    """
    return [
        split_name(n, "corporate" if "," not in n else "family_first")
        for n in row.get("authors_norm") or []
        if n.strip()
    ]


def pages(row: dict) -> tuple[str | None, str | None]:
    """(first page, last page); an article number or odd text is a first page alone.

    >>> pages({"pages": "53-61"}), pages({"pages": "e1042"}), pages({})
    (('53', '61'), ('e1042', None), (None, None))
    """
    value = row.get("pages")
    if not value:
        return None, None
    m = _RANGE.match(value)
    return (m.group(1), m.group(2)) if m else (value, None)


def keywords(row: dict) -> list[str]:
    """The keywords as a list (sources separate them with ";"), in order, once each.

    >>> keywords({"keywords": "Peer support; Recovery; ; RECOVERY;"})
    ['Peer support', 'Recovery', 'RECOVERY']
    """
    seen: dict[str, None] = {}
    for k in (row.get("keywords") or "").split(";"):
        if k.strip():
            seen.setdefault(k.strip(), None)
    return list(seen)


def ids(row: dict) -> list[str]:
    """The record ids a corpus row merged (its own id for a single record)."""
    merged = row.get("merged_ids") or ([row["cluster_id"]] if row.get("cluster_id") else [])
    return [i.strip() for i in merged if i.strip()]


def note(row: dict) -> str:
    """The note that lets a later run trace an exported entry back to its records.

    >>> note({"merged_ids": ["a#1", "b#2"], "role": "main"})
    'dedupe ids: a#1; b#2 (role: main)'
    """
    text = NOTE_PREFIX + "; ".join(ids(row))
    listed_by = row.get("listed_by")
    if listed_by:
        listers = [listed_by] if isinstance(listed_by, str) else listed_by
        text += f" (listed by: {'; '.join(listers)})"
    if row.get("role"):
        text += f" (role: {row['role']})"
    return text
