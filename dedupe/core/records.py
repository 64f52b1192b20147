"""The record table: fixed column names and helpers to build it from parser output.

Every record carries ``record_id``, ``source_file``, ``source_line`` (1-based line where it
starts), ``source_format`` and ``role``. Bibliographic fields hold the raw text the parser
found (``None`` where the source has nothing); ``authors`` is the list of raw names,
``authors_norm`` the same names normalised to "Family, Given" and ``author_affiliations``
each name's affiliation indices: Python lists (``LIST_COLUMNS``) through every stage, joined
with "; " only by the writers (CSV, exports, the report), never split back.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported by the helpers that build tables: the names and
    import pandas as pd  # constants here are read by `dedupe --help` and every parser

ROLES = ("main", "related", "reference", "listed")

ID_COLUMNS = ["record_id", "source_file", "source_line", "source_format", "role"]
BIB_COLUMNS = [
    "title",
    "authors",
    "authors_norm",
    "year",
    "journal",
    "volume",
    "issue",
    "pages",
    "doi",
    "abstract",
]
EXTRA_COLUMNS = [
    "author_affiliations",
    "affiliations",
    "keywords",
    "classification",
    "subject_code",
    "times_cited",
    "page_count",
    "funder",
    "publisher",
    "cited_by",
    "url",
    "reference_count",
    "source_id",
    "language",
    "listed_by",
    "provenance",
    "content_hash",
]
"""``listed_by``: for a reference, related or listed entry, the id of the record whose page
lists it (the main record of its file); ``provenance``: where a row read back from our own
outputs came from (JSON); ``content_hash``: the digest in ``record_id``, kept as data for
whoever needs to know records by content (the CI gate's fingerprints)."""
RECORD_COLUMNS = ID_COLUMNS + BIB_COLUMNS + EXTRA_COLUMNS

FAILURE_COLUMNS = [
    "source_file",
    "source_line",
    "source_format",
    "kind",
    "reason",
    "raw",
    "record_id",
]
"""Parse failures (kind ``failure``) and lines dropped as page chrome (kind ``dropped``)."""

LIST_COLUMNS = ("authors", "authors_norm", "author_affiliations")
"""Record columns holding a list of strings per record (None when there is none)."""
LIST_SEP = "; "
"""How writers join a list into one text cell."""


def joined(value, sep: str = LIST_SEP):
    """A list value as the text writers put in one cell; any other value as it is.

    >>> joined(["Doe, J", "Roe, R"]), joined("x"), joined(None)
    ('Doe, J; Roe, R', 'x', None)
    """
    return sep.join(value) if isinstance(value, (list, tuple)) else value


def list_columns(frame: pd.DataFrame) -> list[str]:
    """The columns of ``frame`` whose values are lists (judged by the first present value)."""
    out = []
    for name, col in frame.items():
        if col.dtype == object:
            first = col.first_valid_index()
            if first is not None and isinstance(col.at[first], (list, tuple)):
                out.append(name)
    return out


def written(frame: pd.DataFrame, sep: str = LIST_SEP) -> pd.DataFrame:
    """The table as writers put it in text: every list cell joined with ``sep`` (also in
    columns that mix lists and text, as ``changes.csv``'s before and after)."""
    import pandas as pd

    cols = [
        c
        for c, col in frame.items()
        if col.dtype == object and pd.api.types.infer_dtype(col, skipna=True) == "mixed"
    ]
    if not cols:
        return frame
    return frame.assign(**{c: [joined(v, sep) for v in frame[c]] for c in cols})


@dataclass
class RawRecord:
    """One record as a parser found it, before it gets its id."""

    line: int
    role: str
    fields: dict = field(default_factory=dict)
    authors: list[str] = field(default_factory=list)
    name_order: str = "auto"
    end: int = 0
    """Last line of the record's span (0: its first line only)."""


@dataclass
class Problem:
    """A line the parser could not read (``failure``) or dropped as chrome (``dropped``)."""

    line: int
    kind: str
    reason: str
    raw: str
    record_index: int | None = None
    end: int = 0
    """Last line the problem covers (0: its first line only)."""


CONTENT_FIELDS = (
    "role",
    "title",
    "authors",
    "year",
    "journal",
    "volume",
    "issue",
    "pages",
    "doi",
    "abstract",
)


def content_hash(rec: dict) -> str:
    """A digest of a record's role and bibliographic fields (not its file or line)."""
    return content_hashes({c: [rec.get(c)] for c in CONTENT_FIELDS})[0]


def content_hashes(columns: dict[str, list]) -> list[str]:
    """``content_hash`` of every row of a table given as columns (``CONTENT_FIELDS`` read)."""
    # lists hashed as their written text: ids stay what they were when lists were strings
    texts = [
        ["" if not v else v if type(v) is str else str(joined(v) or "") for v in columns[c]]
        for c in CONTENT_FIELDS
    ]
    sha1 = hashlib.sha1
    return [sha1("\x1f".join(t).encode("utf-8")).hexdigest()[:10] for t in zip(*texts)]


def make_record_id(stem: str, digest: str, taken: dict[str, int]) -> str:
    """A stable id from the file's name without its suffix (``stem``) and the record's
    ``content_hash``, unique within ``taken`` (the count of each id so far: the n-th
    identical record gets "-n").

    Content-based, so reordering lines of a file keeps each record's id.
    """
    base = f"{stem}#{digest}"
    n = taken[base] = taken.get(base, 0) + 1  # a count per id: linear in identical records
    return base if n == 1 else f"{base}-{n}"


def to_frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    """Rows as a DataFrame with exactly ``columns`` (missing ones filled with None)."""
    import pandas as pd

    if not rows:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    return (
        pd.DataFrame(rows).reindex(columns=columns).astype(object).where(lambda d: d.notna(), None)
    )
