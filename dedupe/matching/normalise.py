"""Normalisation for matching, kept beside the original values (never replacing them).

Folding is transliteration-aware through anyascii ("Øgård-Repål" -> "ogard repal"), folds
case, quotes and dashes, strips the page chrome the validation checks know (breadcrumbs,
glued labels), unescapes HTML entities and expands common journal abbreviations.
Column work runs on Arrow strings; anyascii runs only on the non-ASCII values.

>>> fold_one("Øgård-Repål")
'ogard repal'
>>> journal_key_one("J MENTAL HEALTH") == journal_key_one("Journal of Mental Health")
True
"""

from __future__ import annotations

import html
import re

import ftfy
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from anyascii import anyascii

from dedupe.core.arrays import arrow_lists, arrow_strings, flatten_lists, map_unique, objects
from dedupe.core.parallel import run_all
from dedupe.core.patterns import COMPILED, RX, STRING_DTYPE, search_mask
from dedupe.matching.fields import (
    id_like,
    leading_number,
    page_numbers,
    placeholder_mask,
    title_noise,
    without_placeholders,
)
from dedupe.matching.tokens import STOPWORDS

# Journal abbreviations (ISO 4 / WoS style) expanded before comparison; data, not logic.
JOURNAL_ABBREVIATIONS = {
    "j": "journal",
    "jnl": "journal",
    "int": "international",
    "intl": "international",
    "res": "research",
    "serv": "services",
    "ment": "mental",
    "hlth": "health",
    "soc": "social",
    "sci": "science",
    "proc": "proceedings",
    "conf": "conference",
    "rev": "review",
    "med": "medicine",
    "psychol": "psychology",
    "psychiatr": "psychiatric",
    "psychiatry": "psychiatry",
    "am": "american",
    "natl": "national",
    "technol": "technology",
    "trans": "transactions",
    "syst": "systems",
    "adm": "administration",
    "nurs": "nursing",
    "q": "quarterly",
    "ann": "annals",
    "bull": "bulletin",
    "commun": "communications",
    "comput": "computing",
    "eng": "engineering",
    "inf": "information",
    "manag": "management",
    "mgmt": "management",
    "dev": "development",
    "educ": "education",
    "environ": "environmental",
    "biol": "biology",
    "chem": "chemistry",
    "phys": "physics",
    "eur": "european",
    "br": "british",
    "brit": "british",
    "can": "canadian",
    "aust": "australian",
    "pract": "practice",
    "stud": "studies",
    "assoc": "association",
    "clin": "clinical",
    "rehabil": "rehabilitation",
    "community": "community",
    "symp": "symposium",
    "db": "database",
    "dbs": "database",
    "acm": "acm",
    "ieee": "ieee",
}
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
# What is left of UTF-8 punctuation (U+2000-U+206F: quotes, dashes) read as Latin-1 once its
# last two bytes were lost to "?" or kept as C1 controls: "Oâ??Neil" for "O’Neil".
# What mojibake ftfy can repair looks like: a UTF-8 lead byte read as Latin-1/cp1252 followed
# by a continuation byte so read ("Ã¶"), C1 controls, cp1251 or Mac Roman readings ("вЂ",
# "√"), a replacement character. Correct accented names ("Øgård") hold none of these.
_MAYBE_MOJIBAKE = re.compile(RX["latin_pair"] + "|[\u0080-\u009f\ufffd\u221a]|\u0432\u0402")
_LOST_PUNCTUATION = re.compile("\u00e2(?:\\?\\?|[\u0080-\u00bf]{2})")


def fold_one(text: str | None) -> str | None:
    """Fold one string: unescape, transliterate, lower-case, punctuation to single spaces."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return None
    return _NON_ALNUM.sub(" ", _transliterate(str(text)).lower()).strip() or None


def fold(series: pd.Series) -> pd.Series:
    """``fold_one`` over a column, vectorised: Python runs only on the values that hold an
    HTML entity or a non-ASCII character (anyascii, ftfy), once per distinct value; the rest
    is Arrow string kernels."""
    return _or_none(folded(series))


def _or_none(text: pd.Series) -> pd.Series:
    """Arrow-backed text as Python objects, None where missing or empty."""
    out = text.astype(object)
    return out.where(out.notna() & (out != ""), None)


def folded(series: pd.Series) -> pd.Series:
    """``fold`` as Arrow-backed strings ("" where nothing is left, missing stays missing)."""
    text = series.astype(STRING_DTYPE)
    special = search_mask(text, "[^\\x00-\\x7f]|&")
    if special.any():
        fixed = map_unique(text.iloc[special.nonzero()[0]], _transliterate)
        text = _replaced(text, special, fixed)
    return text.str.lower().str.replace("[^0-9a-z]+", " ", regex=True).str.strip()


def _replaced(text: pd.Series, where: np.ndarray, values: pd.Series) -> pd.Series:
    """Arrow-backed ``text`` with the values at ``where`` (in order) replaced by ``values``."""
    arr = pc.replace_with_mask(
        arrow_strings(text), pa.array(where), pa.array(values.tolist(), pa.string())
    )
    return pd.Series(pd.arrays.ArrowStringArray(arr), index=text.index)


def _transliterate(text: str) -> str:
    """Unescape HTML, repair mojibake (ftfy), transliterate (anyascii)."""
    text = html.unescape(text)
    if text.isascii():
        return text
    if _MAYBE_MOJIBAKE.search(text):  # ftfy only where mojibake can be: it is slow
        text = ftfy.fix_encoding(text)
    return anyascii(_LOST_PUNCTUATION.sub(" ", text))


def strip_chrome(series: pd.Series) -> pd.Series:
    """Remove breadcrumbs, page chrome and glued labels the checks know, for matching
    (Arrow-backed strings)."""
    arrow = series.astype(STRING_DTYPE)
    hit = search_mask(arrow, RX["page_chrome"]) | search_mask(arrow, RX["glued_label"])
    if hit.any():
        rx = [COMPILED["page_chrome"], COMPILED["glued_label"]]
        cleaned = []
        for t in arrow.iloc[hit.nonzero()[0]]:
            for r in rx:
                t = r.sub(" ", t)
            cleaned.append(t)
        arrow = _replaced(arrow, hit, pd.Series(cleaned, dtype=object))
    return arrow


def title_keys(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Folded titles without chrome, the form titles are compared in: as Python objects
    (None where empty) and as Arrow-backed strings ("" where empty)."""
    text = folded(strip_chrome(series))
    return _or_none(text), text


def journal_key_one(text: str | None) -> str | None:
    """A journal name with abbreviations expanded and stop words dropped."""
    folded = fold_one(text.replace("&", " and ") if isinstance(text, str) else text)
    if not folded:
        return None
    words = [JOURNAL_ABBREVIATIONS.get(w, w) for w in folded.split()]
    return " ".join(w for w in words if w not in STOPWORDS) or None


def journal_key(series: pd.Series) -> pd.Series:
    """``journal_key_one`` over a column, once per distinct value."""
    return map_unique(series, journal_key_one)


def doi_key(series: pd.Series) -> pd.Series:
    """Lower-cased bare DOI ("https://doi.org/10.1/X." -> "10.1/x"), None if not a DOI."""
    text = pc.utf8_trim_whitespace(pc.utf8_lower(arrow_strings(series)))
    doi = pc.struct_field(pc.extract_regex(text, r"(?P<d>10\.\d{4,9}/[^\s\"<>]+)"), [0])
    doi = pc.utf8_rtrim(doi, characters=".,;")
    return pd.Series(doi.to_numpy(zero_copy_only=False), index=series.index, dtype=object)


def present_authors(records: pd.DataFrame) -> pa.ListArray:
    """``authors_norm`` as Arrow lists, null where the raw or normalised list holds nothing
    but placeholders ("[No authors listed]", "Anonymous")."""
    keep = np.ones(len(records), dtype=bool)
    norm = arrow_lists(records["authors_norm"])
    for lists in (arrow_lists(records["authors"]), norm):
        items, parent = flatten_lists(lists)
        total = np.bincount(parent, minlength=len(records))
        stand_ins = np.bincount(parent, weights=placeholder_mask(items), minlength=len(records))
        keep &= ~((total > 0) & (stand_ins == total))
    return pc.if_else(pa.array(keep), norm, pa.scalar(None, norm.type))


def author_keys(
    authors_norm: pd.Series | pa.ListArray, index: pd.Index | None = None
) -> pd.DataFrame:
    """Folded family names of lists of "Family, Given" names: all (space-joined, in source
    order), the first author's, and the first author's initial. Arrow list kernels over the
    names; Python only for transliteration of non-ASCII names. ``authors_norm`` may be
    Arrow lists already (then ``index`` is the rows' index)."""
    if isinstance(authors_norm, pd.Series):
        index, lists = authors_norm.index, arrow_lists(authors_norm)
    else:
        lists = authors_norm
    halves = pc.split_pattern(pc.list_flatten(lists), ",", max_splits=1)
    family = arrow_strings(
        folded(pd.Series(pd.arrays.ArrowStringArray(pc.list_element(halves, 0))))
    )
    family = pc.fill_null(pc.replace_substring(family, " ", ""), "")
    giv = pc.list_element(
        pc.if_else(
            pc.greater(pc.list_value_length(halves), 1),
            halves,
            pa.scalar(["", ""], pa.list_(pa.string())),
        ),
        1,
    )
    initial = pc.utf8_slice_codeunits(
        arrow_strings(folded(pd.Series(pd.arrays.ArrowStringArray(giv)))), 0, 1
    )
    fam_lists = pa.ListArray.from_arrays(lists.offsets, family, mask=pc.is_null(lists))
    families = pc.utf8_trim_whitespace(
        pc.replace_substring_regex(pc.binary_join(fam_lists, " "), r"\s+", " ")
    )
    has = pc.fill_null(pc.greater(pc.list_value_length(lists), 0), False).to_numpy(
        zero_copy_only=False
    )
    first = pa.array(np.asarray(lists.offsets)[:-1][has])  # each first author's name
    first_family = np.full(len(lists), None, dtype=object)
    first_initial = np.full(len(lists), None, dtype=object)
    first_family[has] = pc.take(family, first).to_numpy(zero_copy_only=False)
    first_initial[has] = pc.take(initial, first).to_numpy(zero_copy_only=False)
    out = pd.DataFrame(
        {
            "families": families.to_pylist(),
            "first_family": first_family,
            "first_initial": first_initial,
        },
        index=index,
    )
    out = out.replace("", None)
    return out.apply(objects)


def year_int(series: pd.Series) -> pd.Series:
    """Year as a nullable integer (None where not a plausible year)."""
    num = pd.to_numeric(series, errors="coerce")  # most years are plain numbers
    odd = num.isna() & series.notna()
    if odd.any():
        num[odd] = pd.to_numeric(
            series[odd].astype(STRING_DTYPE).str.extract(r"(\d{4})")[0], errors="coerce"
        ).to_numpy()
    return num.where(num.between(1500, 2200)).astype("Int64")


PART_PATTERN = (
    r"\b(?:part|vol|volume|chapter|no|phase|study|paper)\s+"
    r"(\d+|[ivx]+|one|two|three|four)\b"
)
# Words that make a title another document than the paper it names. Tags that sources
# merely add to the same item ("(Panel)", "(Tutorial)", "Guest Editor's Foreword") are not.
DOCUMENT_TYPE_WORDS = [
    "erratum",
    "errata",
    "corrigendum",
    "correction",
    "retraction",
    "retracted",
    "addendum",
    "reply",
    "rejoinder",
    "comment",
    "comments",
    "commentary",
    "response",
    "protocol",
]
DOCUMENT_TYPE_PATTERN = r"\b(" + "|".join(DOCUMENT_TYPE_WORDS) + r")\b"


def findall_key(titles: pd.Series, pattern: str) -> pd.Series:
    """Sorted distinct matches of ``pattern`` in each folded title, "|"-joined; None if none.

    A vectorised pass picks the few titles that match at all; only those are searched.
    """
    text = titles.astype(STRING_DTYPE)
    hit = search_mask(text, pattern)
    out = pd.Series(None, index=titles.index, dtype=object)
    if hit.any():
        rx = re.compile(pattern)
        out.iloc[hit.nonzero()[0]] = [
            "|".join(sorted(set(rx.findall(t)))) for t in text.iloc[hit.nonzero()[0]]
        ]
    return out


def initials(keys: pd.Series) -> pd.Series:
    """Initials of multi-word keys ("very large data bases" -> "vldb"), else None."""
    return map_unique(keys, lambda u: "".join(w[0] for w in u.split()) if " " in u else None)


MATCH_FIELDS = ["title", "abstract", "authors", "authors_norm", "year", "journal", "doi",
                "volume", "issue", "pages"]  # fmt: skip


def normalise_records(records: pd.DataFrame) -> pd.DataFrame:
    """The matching view of a record table: one folded key column per compared field.

    Placeholders count as missing, annotations and junk prefixes leave the title (the
    annotations go to ``title_note``), mojibake is repaired while folding, and volume, issue
    and pages become numbers.
    """
    records = records.reindex(columns=records.columns.union(MATCH_FIELDS, sort=False))
    index = records.index

    def text(field: str) -> pd.Series:
        """The field as Arrow strings, placeholders as missing, for the kernels below
        (converted in the group that reads it: beside the other groups' kernels)."""
        return without_placeholders(records[field].astype(STRING_DTYPE))

    def titles() -> dict:
        title, note = title_noise(arrow_strings(text("title")))
        keys, folded = title_keys(pd.Series(pd.arrays.ArrowStringArray(title), index=index))
        return {
            "title": keys,
            "title_note": pd.Series(note.to_pandas(), index=index, dtype=object),
            "title_parts": findall_key(folded, PART_PATTERN),
            "title_types": findall_key(folded, DOCUMENT_TYPE_PATTERN),
        }

    def publication() -> dict:
        journal = journal_key(text("journal"))
        pages = page_numbers(text("pages"))
        return {
            "year": year_int(records["year"]),
            "journal": journal,
            "journal_initials": initials(journal),
            "doi": doi_key(records["doi"]),
            "volume": leading_number(text("volume")),
            "issue": leading_number(text("issue")),
            "page": pages["first"].to_numpy(),
            "page_last": pages["last"].to_numpy(),
        }

    # independent groups of fields, in threads (their kernels leave the interpreter)
    title, (abstract,), authors, other = run_all(
        titles,
        lambda: (fold(strip_chrome(text("abstract"))),),
        lambda: author_keys(present_authors(records), index),
        publication,
    )
    columns = {
        "record_id": records["record_id"],
        "title": title["title"],
        "title_note": title["title_note"],
        "abstract": abstract,
        **authors,
        **{f: other[f] for f in ["year", "journal", "journal_initials"]},
        "title_parts": title["title_parts"],
        "title_types": title["title_types"],
        **{f: other[f] for f in ["doi", "volume", "issue", "page", "page_last"]},
    }
    out = pd.DataFrame(columns, index=index)
    return corpus_columns(out, records)


def corpus_columns(out: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    """Set the columns of ``out`` (normalised ``records``, same index) that depend on the
    whole corpus rather than on one record, so parts normalised apart (``dedupe check``'s
    cache) are completed exactly as if normalised together: volume and issue are dropped
    where the column is ID-like (a record number exported under that name, unique per
    record, says nothing about identity), and ``title_carriers``."""
    for name in ("volume", "issue"):
        if id_like(without_placeholders(records[name])):
            out[name] = np.nan
    # How many papers carry each title, counted by its distinct years: a paper's copies
    # share a year (or miss it), even where scraped author strings vary from copy to copy;
    # a recurring column ("Editor's Notes") spans many years.
    title = pd.factorize(out["title"], use_na_sentinel=True)[0].astype(np.int64)
    year = out["year"].to_numpy(dtype=float, na_value=np.nan)
    both = (title >= 0) & ~np.isnan(year)
    pair = np.unique(title[both] * 10_000 + year[both].astype(np.int64))  # years are < 2200
    years = np.bincount(pair // 10_000, minlength=int(title.max(initial=-1)) + 1)
    carriers = np.ones(len(title))
    carriers[title >= 0] = np.maximum(years[title[title >= 0]], 1)
    out["title_carriers"] = carriers
    return out
