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
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandera import extensions

from dedupe.core.arrays import arrow_lists, end_items, flatten_lists, is_list_column
from dedupe.core.names import TRUNCATION_MARKS
from dedupe.core.patterns import (  # noqa: F401
    COMPILED,
    EXACT,
    RX,
    STRING_DTYPE,
    as_strings,
    contains,
    count_matches,
    search_mask,
)
from dedupe.validation.mojibake import HINT, diagnose

SEVERITIES = ("error", "warning", "info")


def _valid(mask_bad: pd.Series) -> pd.Series:
    return ~mask_bad.fillna(False).astype(bool)


# --- detectors: True where the value is fine --------------------------------------------


def mojibake_repair(text: str) -> str | None:
    """The repaired text if ``text`` is mojibake, "" when it cannot be repaired, else None."""
    found = diagnose(text)
    return None if found is None else found.fixed or ""


def explain_mojibake(text: str) -> str | None:
    """The finding's message: the codec pair believed to have happened and the repair."""
    found = diagnose(text)
    return found.message if found else None


def detect_mojibake(s: pd.Series) -> pd.Series:
    """Vectorised hint (RE2 over Arrow strings), then the detectors on the few candidates."""
    text = as_strings(s)
    bad = np.zeros(len(s), dtype=bool)
    idx = search_mask(text, HINT).nonzero()[0]
    if len(idx):
        bad[idx] = [diagnose(t) is not None for t in text.iloc[idx]]
    return pd.Series(~bad, index=s.index)


def _regex_detector(key: str):
    def detect(s: pd.Series) -> pd.Series:
        return ~contains(as_strings(s), key)

    detect.__name__ = f"detect_{key}"
    return detect


def detect_ui_label(s: pd.Series) -> pd.Series:
    text = as_strings(s)
    return ~(contains(text, "ui_label") & contains(text, "latin_word"))


def detect_doi(s: pd.Series) -> pd.Series:
    text = as_strings(s)
    return ~(text.notna().to_numpy() & ~contains(text.str.strip(), "doi"))


def detect_year(s: pd.Series) -> pd.Series:
    num = pd.to_numeric(as_strings(s).str.strip(), errors="coerce")
    bad = as_strings(s).notna() & ~num.between(1800, _dt.date.today().year + 1).fillna(False)
    return _valid(bad)


def page_bounds(s: pd.Series) -> pd.DataFrame:
    """First and last page as numbers, the last expanded when abbreviated ("337-56" -> 356)."""
    # \D and \d never overlap, so this cannot backtrack (linear on hostile values)
    parts = as_strings(s).str.extract(r"^\D*(\d+)\s*[-–]\D*(\d+)$")
    first, last = parts[0], parts[1].copy()
    short = (last.str.len() < first.str.len()).fillna(False).astype(bool)
    if short.any():
        fixed = [a[: len(a) - len(b)] + b for a, b in zip(first[short], last[short])]
        last = last.mask(short, pd.Series(fixed, index=last.index[short], dtype=last.dtype))
    return pd.DataFrame(
        {
            "first": pd.to_numeric(first, errors="coerce"),
            "last": pd.to_numeric(last, errors="coerce"),
        }
    )


def detect_pages(s: pd.Series) -> pd.Series:
    b = page_bounds(s)
    backwards = (b["last"] < b["first"]).fillna(False)
    article_no = contains(as_strings(s).str.strip(), "article_number")
    return _valid(backwards | article_no)


def detect_all_caps(s: pd.Series) -> pd.Series:
    """At least 12 letters (A-Z, À-ÿ) and none of them lower-case; RE2 counts, linear."""
    text = as_strings(s)
    letters = count_matches(text, "[A-Za-z\u00c0-\u00ff]")
    lower = search_mask(text, "[a-z\u00df-\u00f6\u00f8-\u00ff]")
    return _valid(pd.Series((letters >= 12) & ~lower, index=s.index))


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
    explain: Callable[[str], str | None] | None = None
    """A message naming what is wrong with this value (default: ``message``)."""
    on_lists: str = "each"
    """On a list column (authors): judge ``each`` item, or only the ``last`` (the place a
    truncated list says so)."""


CHECKS: dict[str, CheckSpec] = {
    c.name: c
    for c in [
        CheckSpec(
            "mojibake",
            detect_mojibake,
            "error",
            "text decoded with the wrong charset (mojibake)",
            fix_mojibake,
            explain_mojibake,
        ),
        CheckSpec(
            "ui_label",
            detect_ui_label,
            "error",
            "Chinese interface label leaked into a Latin-script field",
            _strip("ui_label"),
        ),
        CheckSpec(
            "page_chrome",
            _regex_detector("page_chrome"),
            "error",
            "page chrome or breadcrumb leaked into the value",
            _strip("page_chrome"),
        ),
        CheckSpec(
            "glued_label",
            _regex_detector("glued_label"),
            "warning",
            "a label is glued to the value that follows it",
            fix_glued,
        ),
        CheckSpec(
            "spaced_label",
            _regex_detector("spaced_label"),
            "warning",
            "a label spelled out letter by letter",
            fix_spaced,
        ),
        CheckSpec(
            "truncated_authors",
            _regex_detector("truncated"),
            "warning",
            'author list truncated by the site ("...", "…" or "et al.")',
            on_lists="last",
        ),
        CheckSpec(
            "doubled_initials",
            _regex_detector("doubled_initials"),
            "warning",
            'an initial repeated at the end of a name ("R. R.")',
        ),
        CheckSpec(
            "lowercase_name_part",
            _regex_detector("lowercase_part"),
            "warning",
            "a name part starts lower-case and is not a particle",
        ),
        CheckSpec(
            "not_a_name",
            _regex_detector("not_a_name"),
            "error",
            "an author entry holds digits, not a name",
        ),
        CheckSpec("malformed_doi", detect_doi, "error", "not a DOI (10.NNNN/suffix)", fix_doi),
        CheckSpec(
            "year_range", detect_year, "error", "year is not a number between 1800 and next year"
        ),
        CheckSpec(
            "malformed_pages",
            detect_pages,
            "warning",
            "page range runs backwards or is an article number",
        ),
        CheckSpec(
            "stray_separator",
            _regex_detector("stray_separator"),
            "warning",
            "stray separator, no-break space or doubled space inside the value",
            fix_separator,
        ),
        CheckSpec("all_caps_title", detect_all_caps, "info", "title in ALL CAPS"),
    ]
}
# Checks computed outside the schema (they need the record's role or the parser's output).
ROW_CHECKS = {
    "missing_title": "no title",
    "missing_year": "no year",
    "missing_journal": "no journal",
    "dropped_line": "line dropped by the parser as page chrome",
    "unattached_text": "text the parser could not attach to any record (kept here only)",
    "parse_failure": "content the parser could not read",
    "no_records": "the file yielded no records",
    "check_error": "a check could not run on this column",
    "formula_cell": "starts with = + - @ tab or CR, which a spreadsheet runs as a formula; "
    "CSV outputs write it with a leading ' (--raw-csv: verbatim)",
}
# Rows of the parse-failure table by kind: (check, severity).
FAILURE_CHECKS = {
    "dropped": ("dropped_line", "info"),
    "unattached": ("unattached_text", "warning"),
    "failure": ("parse_failure", "error"),
    "no_records": ("no_records", "error"),
}
ROLE_SEVERITY = {"main": "error", "listed": "warning", "related": "warning", "reference": "info"}


_FLAT = threading.local()
"""While validating: list columns already flattened, by their array (kept alive here); per
thread, so checks run in a background thread (the merge's flags) keep their own."""


@contextmanager
def lists_flattened_once() -> Iterator[None]:
    """Within this block each list column is flattened once for all the checks pandera runs
    on it (it hands every check the same column)."""
    _FLAT.memo = {}
    try:
        yield
    finally:
        _FLAT.memo = None


def _once(s: pd.Series, what: str, make: Callable):
    """``make(s)``, computed once per column and ``what`` while ``lists_flattened_once``."""
    memo = getattr(_FLAT, "memo", None)
    if memo is None:
        return make(s)
    arr = s.to_numpy(dtype=object)
    key = (arr.__array_interface__["data"][0], len(arr), what)
    if key not in memo:
        memo[key] = (arr, make(s))  # the array kept alive: its address stays its own
    return memo[key][1]


def list_ends(s: pd.Series, last: bool = False) -> pd.Series:
    """The first (or last) item of each list of a column (see ``end_items``)."""
    lists = _once(s, "lists", arrow_lists)
    return _once(s, f"end{last}", lambda col: end_items(col, last, lists))


def _items(s: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """(the items of a list column as judged, the row of each, which are truncation
    markers)."""
    lists = _once(s, "lists", arrow_lists)
    return _once(s, "items", lambda col: _prepared(lists))


def _prepared(lists) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """A truncation marker ("...", "et al.") is an item of its own, judged only by
    truncated_authors; the comma that marks an organisation ("World Health Organization,",
    EndNote's and CSL's literal) is no stray separator."""
    items, parent = flatten_lists(lists)
    text = pa.array(items.array)
    folded = pc.utf8_lower(pc.utf8_trim_whitespace(text))
    marker = pc.fill_null(pc.is_in(folded, value_set=pa.array(TRUNCATION_MARKS)), False)
    names = pc.replace_substring_regex(text, r"(\w),$", r"\1")
    judged = pd.Series(pd.arrays.ArrowStringArray(names))
    return judged, parent, marker.to_numpy(zero_copy_only=False)


def detect_in(spec: CheckSpec, s: pd.Series) -> pd.Series:
    """``spec``'s detector on a column; on a column of lists (authors), on its items: a
    record is flagged when any item is (``on_lists="last"``: when its last item is)."""
    if not is_list_column(s):
        return spec.detect(s)
    if spec.on_lists == "last":
        return spec.detect(list_ends(s, last=True)).set_axis(s.index)
    items, parent, marker = _items(s)
    bad = np.zeros(len(s), dtype=bool)
    bad[parent[~spec.detect(items).to_numpy(dtype=bool) & ~marker]] = True
    return pd.Series(~bad, index=s.index)


def flagged_items(spec: CheckSpec, values: list[list[str]]) -> list[int | None]:
    """For each list value, the position of the first item ``spec`` flags (None: none);
    one vectorised pass over all of them."""
    if spec.on_lists == "last":
        return [len(v) - 1 if v else None for v in values]
    lists = pd.Series(values, dtype=object)
    items, parent, marker = _prepared(lists)
    bad = np.flatnonzero(~spec.detect(items).to_numpy(dtype=bool) & ~marker)
    starts = np.concatenate([[0], np.cumsum([len(v) for v in values])])
    first: dict[int, int] = {}
    for i in bad:
        first.setdefault(int(parent[i]), int(i - starts[parent[i]]))
    return [first.get(k) for k in range(len(values))]


def _register(spec: CheckSpec) -> None:
    def method(pandas_obj, *, enabled=True, _spec=spec):
        return detect_in(_spec, pandas_obj) if enabled else pd.Series(True, index=pandas_obj.index)

    method.__name__ = spec.name
    extensions.register_check_method(statistics=["enabled"], check_type="vectorized")(method)


for _spec in CHECKS.values():
    _register(_spec)
