"""Record checks: vectorised detectors registered once as pandera check methods.

Each check has a stable name (used in ``schemas/*.yaml`` and in the anomaly table), a
default severity, a message and, where a fix is safe, a ``suggest`` function. Detectors take
a Series and return True where the value is *valid*, as pandera expects; nulls are valid
(missing fields have checks of their own). Hot paths are pandas string operations with one
compiled regex; per-cell Python runs only on the few candidates a regex prefilter selects.
"""

from __future__ import annotations

import datetime as _dt
import re
import warnings
from dataclasses import dataclass
from typing import Callable

import ftfy
import ftfy.badness
import pandas as pd
from pandera import extensions

from .labels import (BREADCRUMBS, CHINESE_UI_PATTERNS, CHINESE_UI_WORDS, ENGLISH_CHROME,
                     GLUED_LABELS, SPACED_LABELS)
from .names import PARTICLES

SEVERITIES = ("error", "warning", "info")


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def _garbled(word: str) -> str:
    """How a UTF-8 label reads when decoded as GBK, with undecodable bytes lost ("琚寮")."""
    return word.encode("utf-8").decode("gbk", errors="replace").replace("\ufffd", "")


GARBLED_LABELS = sorted({g for g in map(_garbled, CHINESE_UI_WORDS) if len(g) >= 2})
_CJK = "\u3400-\u9fff"
RX = {
    "latin_bad": ftfy.badness.BADNESS_RE.pattern,
    "cjk": f"[{_CJK}]",
    "gbk_garbled": "锟斤拷|" + _alternation(GARBLED_LABELS),
    "ui_label": "(?:" + _alternation(CHINESE_UI_WORDS) + "|" + "|".join(
        CHINESE_UI_PATTERNS) + ")",
    # chrome phrases in any case; breadcrumbs only as the sites print them (lower case)
    "page_chrome": r"(?:(?i:" + _alternation(ENGLISH_CHROME) + r")|^\s*(?:" + _alternation(
        BREADCRUMBS) + r")\s+(?=\S)|\bReferences?\s?\d+\s*articles?\b)",
    "glued_label": r"^(?:" + _alternation(GLUED_LABELS) + r")(?=[A-Z][a-z])",
    "spaced_label": r"\b(?:" + "|".join(" ".join(w) for w in SPACED_LABELS) + r")\b",
    "truncated": r"(?:\.\.\.|…|\bet al\.?)\s*$",
    "doubled_initials": r"\b(?P<i>[A-Z])\.\s+(?P=i)\.(?=\s*(?:;|$))",
    "lowercase_part": r"(?:^|[\s,;])(?!(?:" + "|".join(sorted(PARTICLES | {"et"})).replace(".", r"\.")
                      + r")\b)[a-zà-ÿ][\w'’-]+",
    "not_a_name": r"(?:^|;\s*)[^;]*\d[^;]*(?:;|$)",
    "doi": r"^10\.\d{4,9}/\S+$",
    "stray_separator": r"[\u00a0◽|]|^[\s;,.:/-]+|[\s;,:/]+$|\s{2,}",
    "article_number": r"^\d{8,}$",
}
COMPILED = {k: re.compile(v) for k, v in RX.items()}
COMPILED["latin_bad"] = ftfy.badness.BADNESS_RE  # a verbose pattern: keep it compiled


def _str(s: pd.Series) -> pd.Series:
    return s.astype("string")


def _valid(mask_bad: pd.Series) -> pd.Series:
    return ~mask_bad.fillna(False).astype(bool)


# --- detectors: True where the value is fine --------------------------------------------

def gbk_repair(text: str) -> str | None:
    """UTF-8 text that was decoded as GBK, repaired; None when that is not what happened."""
    try:
        fixed = text.encode("gb18030").decode("utf-8")
    except (UnicodeDecodeError, UnicodeEncodeError):
        return None
    cjk = COMPILED["cjk"]
    return fixed if fixed != text and len(cjk.findall(fixed)) < len(cjk.findall(text)) else None


def mojibake_repair(text: str) -> str | None:
    """The repaired text if ``text`` is mojibake (Latin or GBK), else None."""
    if COMPILED["latin_bad"].search(text):
        fixed = ftfy.fix_encoding(text)
        if fixed != text and ftfy.badness.is_bad(text):
            return fixed
    if COMPILED["cjk"].search(text):
        fixed = gbk_repair(text)
        if fixed is not None:
            return fixed
        if COMPILED["gbk_garbled"].search(text):
            return ""
    return None


def detect_mojibake(s: pd.Series) -> pd.Series:
    text = _str(s)
    cand = text.str.contains(COMPILED["latin_bad"], regex=True) | text.str.contains(
        RX["cjk"], regex=True)
    bad = pd.Series(False, index=s.index)
    idx = cand.fillna(False).to_numpy().nonzero()[0]
    if len(idx):
        sub = text.iloc[idx]
        bad.iloc[idx] = [mojibake_repair(t) is not None for t in sub]
    return ~bad


def _regex_detector(key: str, latin_only: bool = False):
    def detect(s: pd.Series) -> pd.Series:
        text = _str(s)
        with warnings.catch_warnings():  # a back-reference needs a group; pandas warns
            warnings.simplefilter("ignore", UserWarning)
            bad = text.str.contains(RX[key], regex=True)
        if latin_only:
            bad &= text.str.contains(r"[A-Za-z]{3}", regex=True)
        return _valid(bad)
    return detect


def detect_ui_label(s: pd.Series) -> pd.Series:
    text = _str(s)
    bad = text.str.contains(RX["ui_label"], regex=True) & text.str.contains("[A-Za-z]{3}",
                                                                            regex=True)
    return _valid(bad)


def detect_lowercase_part(s: pd.Series) -> pd.Series:
    return _valid(_str(s).str.contains(RX["lowercase_part"], regex=True))


def detect_doi(s: pd.Series) -> pd.Series:
    text = _str(s)
    return _valid(text.notna() & ~text.str.strip().str.match(RX["doi"]))


def detect_year(s: pd.Series) -> pd.Series:
    num = pd.to_numeric(_str(s).str.strip(), errors="coerce")
    bad = _str(s).notna() & ~num.between(1800, _dt.date.today().year + 1).fillna(False)
    return _valid(bad)


def page_bounds(s: pd.Series) -> pd.DataFrame:
    """First and last page as numbers, the last expanded when abbreviated ("337-56" -> 356)."""
    parts = _str(s).str.extract(r"^\D*?(\d+)\s*[-–]\s*\D*?(\d+)$")
    first, last = parts[0], parts[1].copy()
    short = (last.str.len() < first.str.len()).fillna(False).astype(bool)
    if short.any():
        last[short] = [a[: len(a) - len(b)] + b for a, b in zip(first[short], last[short])]
    return pd.DataFrame({"first": pd.to_numeric(first, errors="coerce"),
                         "last": pd.to_numeric(last, errors="coerce")})


def detect_pages(s: pd.Series) -> pd.Series:
    b = page_bounds(s)
    backwards = (b["last"] < b["first"]).fillna(False)
    article_no = _str(s).str.strip().str.match(RX["article_number"]).fillna(False)
    return _valid(backwards | article_no)


def detect_all_caps(s: pd.Series) -> pd.Series:
    text = _str(s)
    letters = text.str.replace(r"[^A-Za-zÀ-ÿ]", "", regex=True)
    bad = (letters.str.len() >= 12) & (letters == letters.str.upper())
    return _valid(bad)


# --- suggestions: the safe fix of one value, or None ------------------------------------

def _strip(key: str) -> Callable[[str], str | None]:
    def fix(text: str) -> str | None:
        out = re.sub(r"\s{2,}", " ", COMPILED[key].sub(" ", text)).strip()
        return out if out != text else None
    return fix


def fix_mojibake(text: str) -> str | None:
    fixed = mojibake_repair(text)
    return fixed or None


def fix_glued(text: str) -> str | None:
    return COMPILED["glued_label"].sub("", text) or None


def fix_spaced(text: str) -> str | None:
    return COMPILED["spaced_label"].sub(lambda m: m.group(0).replace(" ", ""), text)


def fix_separator(text: str) -> str | None:
    out = re.sub(r"\s{2,}", " ", text.replace("\u00a0", " ").replace("◽", " "))
    return out.strip(" ;,:/|") or None


def fix_doi(text: str) -> str | None:
    m = re.search(r"(10\.\d{4,9}/[^\s\"<>]+)", text)
    return m.group(1).rstrip(".,;") if m and m.group(1) != text else None


@dataclass(frozen=True)
class CheckSpec:
    """A named check: its detector, default severity, message and safe fix (if any)."""

    name: str
    detect: Callable[[pd.Series], pd.Series]
    severity: str
    message: str
    suggest: Callable[[str], str | None] | None = None


CHECKS: dict[str, CheckSpec] = {c.name: c for c in [
    CheckSpec("mojibake", detect_mojibake, "error",
              "text decoded with the wrong charset (mojibake)", fix_mojibake),
    CheckSpec("ui_label", detect_ui_label, "error",
              "Chinese interface label leaked into a Latin-script field", _strip("ui_label")),
    CheckSpec("page_chrome", _regex_detector("page_chrome"), "error",
              "page chrome or breadcrumb leaked into the value", _strip("page_chrome")),
    CheckSpec("glued_label", _regex_detector("glued_label"), "warning",
              "a label is glued to the value that follows it", fix_glued),
    CheckSpec("spaced_label", _regex_detector("spaced_label"), "warning",
              "a label spelled out letter by letter", fix_spaced),
    CheckSpec("truncated_authors", _regex_detector("truncated"), "warning",
              "author list truncated by the site (\"...\", \"…\" or \"et al.\")"),
    CheckSpec("doubled_initials", _regex_detector("doubled_initials"), "warning",
              "an initial repeated at the end of a name (\"R. R.\")"),
    CheckSpec("lowercase_name_part", detect_lowercase_part, "warning",
              "a name part starts lower-case and is not a particle"),
    CheckSpec("not_a_name", _regex_detector("not_a_name"), "error",
              "an author entry holds digits, not a name"),
    CheckSpec("malformed_doi", detect_doi, "error", "not a DOI (10.NNNN/suffix)", fix_doi),
    CheckSpec("year_range", detect_year, "error",
              "year is not a number between 1800 and next year"),
    CheckSpec("malformed_pages", detect_pages, "warning",
              "page range runs backwards or is an article number"),
    CheckSpec("stray_separator", _regex_detector("stray_separator"), "warning",
              "stray separator, no-break space or doubled space inside the value",
              fix_separator),
    CheckSpec("all_caps_title", detect_all_caps, "info", "title in ALL CAPS"),
]}
# Checks computed outside the schema (they need the record's role or the parser's output).
ROW_CHECKS = {
    "missing_title": "no title", "missing_year": "no year", "missing_journal": "no journal",
    "dropped_line": "line dropped by the parser as page chrome or unreadable text",
    "parse_failure": "content the parser could not read",
}
ROLE_SEVERITY = {"main": "error", "listed": "warning", "related": "warning",
                 "reference": "info"}


def _register(spec: CheckSpec) -> None:
    def method(pandas_obj, *, enabled=True, _detect=spec.detect):
        return _detect(pandas_obj) if enabled else pd.Series(True, index=pandas_obj.index)
    method.__name__ = spec.name
    extensions.register_check_method(statistics=["enabled"], check_type="vectorized")(method)


for _spec in CHECKS.values():
    _register(_spec)
