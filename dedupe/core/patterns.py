"""Text patterns shared by validation, matching and the report: one home for each judgement.

Patterns in ``RX`` are written in the syntax both Python's ``re`` and RE2 (pyarrow) accept, so
they run vectorised over Arrow strings; ``EXACT`` holds the Python-only refinements (look-arounds,
back-references) applied to the few candidates the vectorised pattern of the same name selected.
"""

from __future__ import annotations

import re
import warnings
from typing import TYPE_CHECKING

import regex

from dedupe.core.labels import (
    BREADCRUMBS,
    CHINESE_UI_PATTERNS,
    CHINESE_UI_WORDS,
    ENGLISH_CHROME,
    GLUED_LABELS,
    SPACED_LABELS,
)
from dedupe.core.names import PARTICLES

if TYPE_CHECKING:  # numpy, pandas and pyarrow are imported by the functions that run the
    import numpy as np  # patterns: the parsers (and `dedupe --help`) only read the tables
    import pandas as pd

STRING_DTYPE = "string[pyarrow]"


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def _garbled(word: str) -> str:
    """How a UTF-8 label reads when decoded as GBK, with undecodable bytes lost ("琚寮")."""
    return word.encode("utf-8").decode("gbk", errors="replace").replace("\ufffd", "")


GARBLED_LABELS = sorted({g for g in map(_garbled, CHINESE_UI_WORDS) if len(g) >= 2})
# Script classes from Unicode properties (RE2 and the ``regex`` module both read \p{...}):
# Han includes CJK extensions B+ and compatibility ideographs; kana and Hangul are their own.
SCRIPT_CLASSES = {
    "han": r"\p{Han}",
    "kana": r"\p{Hiragana}\p{Katakana}",
    "hangul": r"\p{Hangul}",
    "cjk": r"\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\p{Bopomofo}",
}
CJK_PUNCTUATION = "\u3000-\u303f\uff00-\uffef"
"""CJK symbols and punctuation, full-width forms (the Common script, so named by range)."""
_CJK = SCRIPT_CLASSES["cjk"]
# A UTF-8 lead byte read as Latin-1/cp1252 (Â..ô) followed by a continuation byte so read:
# every Latin mojibake holds such a pair, so it preselects the values ftfy has to judge.
_CONT = (
    "\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
)
_PARTICLES = "|".join(sorted(PARTICLES | {"et"})).replace(".", r"\.")

# Patterns in the syntax both Python's re and RE2 (pyarrow) accept: they run vectorised.
RX = {
    "latin_pair": f"[\u00c2-\u00f4][{_CONT}]",
    "cjk": f"[{_CJK}]",
    "gbk_garbled": "锟斤拷|" + _alternation(GARBLED_LABELS),
    "ui_label": "(?:" + _alternation(CHINESE_UI_WORDS) + "|" + "|".join(CHINESE_UI_PATTERNS) + ")",
    "latin_word": "[A-Za-z]{3}",
    # chrome phrases in any case; breadcrumbs only as the sites print them (lower case)
    "page_chrome": r"(?:(?i:"
    + _alternation(ENGLISH_CHROME)
    + r")|^\s*(?:"
    + _alternation(BREADCRUMBS)
    + r")\s+\S|\bReferences?\s?\d+\s*articles?\b)",
    "glued_label": r"^(?:" + _alternation(GLUED_LABELS) + r")[A-Z][a-z]",
    "spaced_label": r"\b(?:" + "|".join(" ".join(w) for w in SPACED_LABELS) + r")\b",
    "truncated": r"(?:\.\.\.|…|\bet al\.?)\s*$",
    "doubled_initials": r"\b[A-Z]\.\s+[A-Z]\.\s*(?:;|$)",
    "lowercase_part": r"(?:^|[\s,;])[a-zà-ÿ][\w'’-]+",
    "not_a_name": r"(?:^|;\s*)[^;]*\d[^;]*(?:;|$)",
    "doi": r"^10\.\d{4,9}/\S+$",
    "stray_separator": "[\u00a0◽|]" + r"|^[\s;,.:/-]+|[\s;,:/]+$|\s{2,}",
    "article_number": r"^\d{8,}$",
    # a cell a spreadsheet would run as a formula (OWASP CSV injection): = + - @ tab CR
    "formula": "^[=+@\t\r-]",
}
# Exact patterns (Python re only: look-arounds, back-references) for the few candidates
# the vectorised pattern of the same name preselected.
EXACT = {
    "doubled_initials": re.compile(r"\b(?P<i>[A-Z])\.\s+(?P=i)\.(?=\s*(?:;|$))"),
    "lowercase_part": re.compile(r"(?:^|[\s,;])(?!(?:" + _PARTICLES + r")\b)[a-zà-ÿ][\w'’-]+"),
}
COMPILED = {k: (regex if r"\p{" in v else re).compile(v) for k, v in RX.items()}
# Python re backtracks: where a vectorised pattern could start inside a run it cannot finish
# (digits before 年, separators not at the end), the Python version starts only at a run's
# first character, so fixes and highlights stay linear on hostile values.
COMPILED["ui_label"] = re.compile(
    RX["ui_label"].replace(r"\d+\s*[年卷期]", r"(?<!\d)\d+\s*[年卷期]")
)
COMPILED["stray_separator"] = re.compile(
    "[\u00a0◽|]" + r"|^[\s;,.:/-]+|(?<![\s;,:/])[\s;,:/]+$|(?<!\s)\s{2,}"
)
COMPILED["not_a_name"] = re.compile(r"(?:^|;)[^;\d]*\d[^;]*")
COMPILED["glued_label"] = re.compile(r"^(?:" + _alternation(GLUED_LABELS) + r")(?=[A-Z][a-z])")
COMPILED["page_chrome"] = re.compile(RX["page_chrome"].replace(r"\s+\S", r"\s+(?=\S)"))


def as_strings(s: pd.Series) -> pd.Series:
    """Text as pandas strings, Arrow-backed when pyarrow is there (vectorised RE2 regex)."""
    return s.astype(STRING_DTYPE)


def search_mask(text: pd.Series, pattern: str) -> np.ndarray:
    """Where ``pattern`` occurs, as a bool array: RE2 over Arrow strings, else Python re.

    RE2's ``\\s``, ``\\d`` and ``\\b`` are ASCII-only; the patterns in ``RX`` are written
    so that this does not matter (no-break spaces are named explicitly).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if text.dtype == STRING_DTYPE:
        found = pc.match_substring_regex(pa.array(text.array), pattern)
        return pc.fill_null(found, False).to_numpy(zero_copy_only=False).astype(bool)
    if r"\p{" in pattern or r"\x{" in pattern:  # Unicode properties: the regex module
        found = regex.compile(pattern)
        return text.map(lambda t: isinstance(t, str) and bool(found.search(t))).to_numpy(bool)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return text.str.contains(pattern, regex=True).fillna(False).to_numpy(dtype=bool)


def count_matches(text: pd.Series, pattern: str) -> np.ndarray:
    """Non-overlapping matches of ``pattern`` in each value (0 for nulls), RE2 when it can."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if text.dtype == STRING_DTYPE:
        found = pc.count_substring_regex(pa.array(text.array), pattern)
        return pc.fill_null(found, 0).to_numpy(zero_copy_only=False).astype("int64")
    return text.str.count(pattern).fillna(0).to_numpy(dtype="int64")


def contains(text: pd.Series, key: str) -> pd.Series:
    """Boolean mask: values matching pattern ``key`` (vectorised, exact pass on candidates)."""
    import pandas as pd

    hit = pd.Series(search_mask(text, RX[key]), index=text.index)
    exact = EXACT.get(key)
    if exact is not None and hit.any():
        idx = hit.to_numpy().nonzero()[0]
        hit.iloc[idx] = [bool(exact.search(t)) for t in text.iloc[idx]]
    return hit
