"""BibTeX (LaTeX, JabRef, Zotero): one @article per corpus row, written by bibtexparser.

Non-ASCII text is written as LaTeX macros ("{\\O}g\\r{a}rd") so classic BibTeX reads it;
keys are "familyYEARword", made unique in corpus order.
"""

from __future__ import annotations

import re

import bibtexparser
from anyascii import anyascii
from bibtexparser.library import Library
from bibtexparser.middlewares import LatexEncodingMiddleware
from bibtexparser.model import Entry, Field
from pylatexenc.latexencode import (
    RULE_DICT,
    UnicodeToLatexConversionRule,
    UnicodeToLatexEncoder,
)

from dedupe.export.fields import keywords, names, note, pages

_WORD = re.compile(r"[A-Za-z0-9]+")
# pylatexenc's rules, but a straight double quote stays one (as {"}), not ''
ENCODER = UnicodeToLatexEncoder(
    conversion_rules=[UnicodeToLatexConversionRule(RULE_DICT, {ord('"'): '{"}'}), "defaults"],
    unknown_char_policy="keep",
)
_STOP = {"a", "an", "the", "of", "on", "in", "and", "for", "to"}


def cite_key(row: dict, taken: set[str]) -> str:
    """A readable key, unique within ``taken``.

    >>> row = {"authors_norm": ["Øgård-Repål, Anita"], "year": "2022", "title": "The peer"}
    >>> cite_key(row, set())
    'ogardrepal2022peer'
    """
    who = names(row)
    family = "".join(_WORD.findall(anyascii(who[0][0]))).lower() if who else "anon"
    words = [w for w in _WORD.findall(anyascii(row.get("title") or "").lower()) if w not in _STOP]
    base = f"{family or 'anon'}{row.get('year') or ''}{words[0] if words else ''}"
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}{chr(ord('a') + n - 2)}" if n <= 27 else f"{base}-{n}"
    taken.add(key)
    return key


def bibtex_entry(row: dict, key: str) -> Entry:
    """The BibTeX entry of one corpus row."""
    first, last = pages(row)
    values = {
        "author": " and ".join(f"{f}, {g}" if g else f"{{{f}}}" for f, g in names(row)),
        "title": row.get("title"),
        "journal": row.get("journal"),
        "year": row.get("year"),
        "volume": row.get("volume"),
        "number": row.get("issue"),
        "pages": f"{first}--{last}" if last else first,
        "doi": row.get("doi"),
        "abstract": row.get("abstract"),
        "keywords": ", ".join(keywords(row)),
        "language": row.get("language"),
        "url": row.get("url"),
        "note": note(row),
    }
    return Entry("article", key, [Field(k, v) for k, v in values.items() if v])


def to_bibtex(rows: list[dict]) -> str:
    """The corpus as BibTeX text."""
    lib, taken = Library(), set[str]()
    for row in rows:
        lib.add(bibtex_entry(row, cite_key(row, taken)))
    return bibtexparser.write_string(
        lib, prepend_middleware=[LatexEncodingMiddleware(encoder=ENCODER)]
    )
