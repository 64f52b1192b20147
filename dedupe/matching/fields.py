"""Field preparation before comparison: what bibliographic sources add to a value that is
not part of it.

Each function names one kind of noise and removes it, vectorised over a column:

- placeholders that stand for "no value" ("N/A", "[No authors listed]", "Anonymous");
- bibliographic annotations in titles (MEDLINE's "[Erratum appears in ...]", "[Chinese]",
  "[abstract no: 134]", WoS's "(vol 12, pg 34, 2019)" correction notes), kept in a field of
  their own; MEDLINE's brackets around a translated title;
- junk scraped before a title ("1994 . The impact of ...", "[C] ", "[PDF] ");
- volume, issue and pages reduced to numbers: the leading number of "vol. 6" or "6(1)",
  Roman numerals, letters around page numbers ("e12724", "c37-c42", "S27"), an end page
  written short ("106-11" is 106-111), spreadsheet dates that were page ranges ("01-Jun");
- columns whose values are (nearly) unique per record, such as a record number exported as
  ``number``, which say nothing about identity and are ignored.

>>> titles = pd.Series(["[Erratum appears in J X 1989;24:629] A study. [Chinese]"])
>>> strip_title_noise(titles)[0].tolist()
['A study']
>>> page_numbers(pd.Series(["106-11", "e12724", "c37-c42", "945", "01-Jun"])).values.tolist()
[[106.0, 111.0], [12724.0, 12724.0], [37.0, 42.0], [945.0, 945.0], [nan, nan]]
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dedupe.core.arrays import arrow_strings

# Values that stand for "no value" in exports and scraped pages (compared folded, lower case).
PLACEHOLDERS = [
    "n/a", "na", "n.a.", "n. a.", "none", "null", "nan", "unknown", "not available",
    "anonymous", "anon", "[anonymous]", "no authors listed", "[no authors listed]",
    "no author", "et al", "et al.", "-", "--", "?", "??", ".", "[s.n.]", "s.n.", "[untitled]",
    "untitled", "no title", "[no title available]", "not applicable", "unspecified",
]  # fmt: skip

# Bracketed notes the databases add to titles (MEDLINE, Embase, WoS), case-insensitive.
_NOTE_WORDS = (
    r"erratum|errata|corrected|correction|comment|see comments?|retracted|retraction|"
    r"published erratum|abstract|abstract no|review|editorial|letter|note|conference abstract|"
    r"summary|author'?s? transl|original|with|in process|epub"
)
_LANGUAGES = (
    r"chinese|german|french|spanish|italian|japanese|russian|polish|portuguese|dutch|danish|"
    r"swedish|norwegian|finnish|czech|hungarian|turkish|korean|hebrew|greek|croatian|serbian|"
    r"slovak|slovenian|romanian|bulgarian|ukrainian|persian|arabic|lithuanian|estonian|"
    r"latvian|icelandic|catalan|english abstract"
)
ANNOTATION_PATTERNS = [
    # [Erratum appears in ... [added]], [abstract]: one level of nested brackets allowed
    r"\[(?:" + _NOTE_WORDS + r")\b(?:[^\[\]]|\[[^\[\]]*\])*\]",
    r"\[(?:" + _LANGUAGES + r")\]",  # [Chinese]
    r"\(vol \d+[^()]{0,40}\bpg\b[^()]{0,40}\)",  # WoS correction note (vol 12, pg 34, 2019)
    r"<(?:original|orig|abstract)>.{0,300}$",  # Embase's original-language tail
]
# Junk before a title: a year with a full stop ("1994 . "), a short bracketed tag ("[C] ").
JUNK_PREFIX = r"^\s*(?:(?:1[5-9]|20)\d\d\s*[.:,]\s+|\[[A-Za-z]{1,8}\]\s*)+"
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
ROMAN_RX = r"^[ivxlcdm]{1,8}$"


def placeholder_mask(series: pd.Series) -> np.ndarray:
    """True where the value is a placeholder for "no value"."""
    text = pc.utf8_lower(pc.utf8_trim_whitespace(arrow_strings(series)))
    hit = pc.is_in(text, value_set=pa.array(PLACEHOLDERS))
    return pc.fill_null(hit, False).to_numpy(zero_copy_only=False)


def without_placeholders(series: pd.Series) -> pd.Series:
    """The column with placeholder values as missing."""
    return series.where(~placeholder_mask(series), None)


def strip_title_noise(titles: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(title without annotations and junk prefixes, the annotations removed; None if none)."""
    arr, note = title_noise(arrow_strings(titles))
    return (
        pd.Series(arr.to_pandas(), index=titles.index, dtype=object),
        pd.Series(note.to_pandas(), index=titles.index, dtype=object),
    )


def title_noise(arr: pa.Array) -> tuple[pa.Array, pa.Array]:
    """``strip_title_noise`` on Arrow strings: (the titles, the annotations), as Arrow.
    The annotation patterns run only on the titles one of them matches (a title none
    matches is left as it is by all of them)."""
    hit = pc.fill_null(pc.match_substring_regex(arr, _ANY_ANNOTATION), False)
    note = pa.nulls(len(arr), pa.string())
    if pc.any(hit).as_py():
        annotated, found = _annotations(arr.filter(hit))
        arr = pc.replace_with_mask(arr, hit, annotated)
        note = pc.replace_with_mask(note, hit, found)
    whole = pc.extract_regex(arr, r"^\s*\[(?P<t>[^\[\]]+)\][\s.]*$")  # MEDLINE: translated title
    arr = pc.if_else(pc.is_valid(whole), pc.struct_field(whole, [0]), arr)
    arr = pc.replace_substring_regex(arr, JUNK_PREFIX, "")
    arr = pc.utf8_trim(arr, characters=" .;:,-")
    arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
    return arr, note


_ANY_ANNOTATION = "(?i)" + "|".join(f"(?:{rx})" for rx in ANNOTATION_PATTERNS)


def _annotations(arr: pa.Array) -> tuple[pa.Array, pa.Array]:
    """(the titles with every annotation pattern replaced by a space, in turn; the first
    pattern's annotation found, else the next's)."""
    notes = []
    for rx in ANNOTATION_PATTERNS:
        found = pc.extract_regex(arr, f"(?i)(?P<n>{rx})")
        notes.append(pc.struct_field(found, [0]))
        arr = pc.replace_substring_regex(arr, f"(?i){rx}", " ")
    note = notes[0]
    for extra in notes[1:]:
        note = pc.coalesce(note, extra)
    return arr, note


def roman_to_int(text: str) -> int | None:
    """The value of a lower-case Roman numeral ("xiv" -> 14), None if it is not one."""
    total, prev = 0, 0
    for ch in reversed(text):
        v = _ROMAN.get(ch)
        if v is None:
            return None
        total, prev = (total - v, prev) if v < prev else (total + v, v)
    return total or None


def leading_number(series: pd.Series) -> pd.Series:
    """The leading number of a volume or issue ("vol. 6" -> 6, "6(1)" -> 6, "30a" -> 30,
    "XIV" -> 14) as float; NaN where there is none."""
    text = pc.utf8_lower(pc.utf8_trim_whitespace(arrow_strings(series)))
    text = pc.replace_substring_regex(text, r"^(?:vol(?:ume)?|no|nr|issue|iss|n)\.?\s*", "")
    digits = pc.struct_field(pc.extract_regex(text, r"^(?P<d>\d{1,9})"), [0])
    out = pd.Series(_numbers(digits), index=series.index)
    roman = pc.fill_null(pc.match_substring_regex(text, ROMAN_RX), False)
    idx = np.flatnonzero(roman.to_numpy(zero_copy_only=False) & out.isna().to_numpy())
    if len(idx):
        values = text.take(pa.array(idx)).to_pylist()
        out.iloc[idx] = [roman_to_int(v) for v in values]
    return out.astype(float)


def _numbers(digits: pa.Array) -> np.ndarray:
    """Runs of at most nine digits as floats, NaN for null or "" (a group that took no
    part in the match): an exact cast."""
    digits = pc.if_else(pc.equal(digits, ""), pa.scalar(None, pa.string()), digits)
    return pc.cast(digits, pa.float64()).to_numpy(zero_copy_only=False)


def page_numbers(series: pd.Series) -> pd.DataFrame:
    """First and last page as numbers ("106-11" -> 106, 111; "e12724" -> 12724 both; letters
    around numbers dropped: "c37-c42", "S27", "viii108"); NaN where there are none, and for
    spreadsheet dates that replaced a range ("01-Jun") and page counts ("215 p")."""
    text = pc.utf8_lower(pc.utf8_trim_whitespace(arrow_strings(series)))
    date = pc.fill_null(
        pc.match_substring_regex(
            text, r"^\d{1,2}[-/ ](?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
        ),
        False,
    )
    # a page count ("215 p", "12 pp.") is not a page range: a thesis or book says how long
    count = pc.fill_null(pc.match_substring_regex(text, r"^\d+\s*(?:p|pp|pages)\.?$"), False)
    text = pc.if_else(pc.or_(date, count), pa.scalar(None, pa.string()), text)
    rx = "^[a-z]*(?P<a>\\d{1,9})[a-z]*(?:\\s*[-\u2010-\u2015]+\\s*[a-z]*(?P<b>\\d{1,9}))?"
    found = pc.extract_regex(text, rx)
    first = pd.Series(_numbers(pc.struct_field(found, [0])))
    end = pc.struct_field(found, [1])
    last = pd.Series(_numbers(end))
    # an end page written short keeps the first page's leading digits: 106-11 -> 111
    a_len = pc.utf8_length(pc.struct_field(found, [0])).to_numpy(zero_copy_only=False)
    b_len = pc.utf8_length(end).to_numpy(zero_copy_only=False)
    short = np.nan_to_num(b_len, nan=99) < np.nan_to_num(a_len, nan=0)
    scale = np.power(10.0, np.where(short, np.nan_to_num(b_len), 0))
    f, last_v = first.to_numpy(float), last.to_numpy(float)
    last_v = np.where(short, f - f % scale + last_v, last_v)
    last_v = np.where(short & (last_v < f), last_v + scale, last_v)
    last_v = np.where(np.isnan(last_v), f, last_v)
    return pd.DataFrame({"first": f, "last": last_v}, index=series.index)


def id_like(values: pd.Series, min_values: int = 50, unique_share: float = 0.95) -> bool:
    """True when a column's values are (nearly) all distinct over many records: a record
    number, not a volume or issue; such a column is evidence of nothing."""
    present = values.dropna()
    return len(present) >= min_values and present.nunique() >= unique_share * len(present)
