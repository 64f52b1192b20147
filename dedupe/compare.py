"""Comparison: each field of each candidate pair as an ordered list of levels.

Like Splink, every comparison starts with an explicit ``null`` level (a missing value is
never scored as a different one) and ends with ``else``. Similarities are computed for all
pairs at once with rapidfuzz's ``process.cpdist`` (aligned pairs, all cores).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler

# comparison -> ordered level names; the first is always "null", the last "else"
LEVELS: dict[str, list[str]] = {
    "title": ["null", "exact", "fuzzy_95", "fuzzy_88", "contained", "fuzzy_75", "else"],
    "title_abstract": ["null", "high", "medium", "else"],
    "authors": ["null", "all", "first_and_most", "most", "some", "else"],
    # "all": the same family names, in any order (sources reorder authors)
    "year": ["null", "same", "one_apart", "else"],
    "journal": ["null", "exact", "fuzzy", "else"],
    "volume": ["null", "same", "else"],
    "issue": ["null", "same", "else"],
    "pages": ["null", "same", "else"],
    "doi": ["null", "same", "else"],
}


def _cpdist(left: pd.Series, right: pd.Series, scorer, both: np.ndarray) -> np.ndarray:
    """Scores in 0..1 for aligned pairs where ``both`` is True (0 elsewhere)."""
    out = np.zeros(len(left))
    idx = both.nonzero()[0]
    if len(idx):
        out[idx] = process.cpdist(left.to_numpy()[idx].tolist(), right.to_numpy()[idx].tolist(),
                                  scorer=scorer, workers=-1) / (
            1.0 if scorer is JaroWinkler.normalized_similarity else 100.0)
    return out


def _levels(name: str, conditions: list[tuple[np.ndarray, str]], null: np.ndarray) -> np.ndarray:
    """Level index per pair: null first, then the first condition that holds, else last."""
    names = LEVELS[name]
    choices = [names.index(level) for _, level in conditions]
    lv = np.select([c for c, _ in conditions], choices, default=len(names) - 1)
    return np.where(null, 0, lv).astype("int8")


def _notna(s: pd.Series) -> np.ndarray:
    return s.notna().to_numpy(dtype=bool)


def _equal(l: pd.Series, r: pd.Series) -> np.ndarray:
    return (l.to_numpy(dtype=object) == r.to_numpy(dtype=object)) & _notna(l) & _notna(r)


def side(norm: pd.DataFrame, idx: np.ndarray) -> pd.DataFrame:
    """The rows of ``norm`` (by position) for one side of the pairs."""
    return norm.iloc[idx].reset_index(drop=True)


def compare(norm: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """Per-field levels (``<field>_level``) and similarity scores for every pair."""
    L, R = side(norm, pairs["i_l"].to_numpy()), side(norm, pairs["i_r"].to_numpy())
    out = pd.DataFrame(index=pairs.index)
    has_t = _notna(L["title"]) & _notna(R["title"])
    # words in any order, or the same letters with spaces/hyphens dropped ("mentor lite")
    t = np.maximum(_cpdist(L["title"], R["title"], fuzz.token_sort_ratio, has_t),
                   _cpdist(L["title"].str.replace(" ", "", regex=False),
                           R["title"].str.replace(" ", "", regex=False), fuzz.ratio, has_t))
    # one title is the other plus a tag or subtitle ("X (Panel)", "X - Book Review")
    contained = _cpdist(L["title"], R["title"], fuzz.token_set_ratio, has_t) >= 0.97
    out["title_score"] = t
    out["title_level"] = _levels("title", [(_equal(L["title"], R["title"]), "exact"),
                                           (t >= 0.95, "fuzzy_95"), (t >= 0.88, "fuzzy_88"),
                                           (contained, "contained"), (t >= 0.75, "fuzzy_75")],
                                 ~has_t)
    # one side untitled: its abstract against the other's title
    l_only = _notna(R["title"]) & ~_notna(L["title"]) & _notna(L["abstract"])
    r_only = _notna(L["title"]) & ~_notna(R["title"]) & _notna(R["abstract"])
    titles = R["title"].where(l_only, L["title"])
    abstracts = L["abstract"].where(l_only, R["abstract"])
    ta = _cpdist(titles, abstracts, fuzz.token_set_ratio, l_only | r_only)
    out["title_abstract_score"] = ta
    out["title_abstract_level"] = _levels("title_abstract", [(ta >= 0.85, "high"),
                                                             (ta >= 0.80, "medium")],
                                          ~(l_only | r_only))
    has_a = _notna(L["families"]) & _notna(R["families"])
    fam = _cpdist(L["families"], R["families"], fuzz.token_set_ratio, has_a)
    first = _cpdist(L["first_family"], R["first_family"], JaroWinkler.normalized_similarity,
                    has_a)
    out["authors_score"] = fam
    out["authors_level"] = _levels("authors", [
        (fam >= 0.999, "all"),
        ((first >= 0.9) & (fam >= 0.8), "first_and_most"), (fam >= 0.8, "most"),
        (fam >= 0.5, "some")], ~has_a)
    yl, yr = L["year"].astype("Float64"), R["year"].astype("Float64")
    has_y = (yl.notna() & yr.notna()).to_numpy(dtype=bool)
    gap = (yl - yr).abs().fillna(99).to_numpy(dtype=float)
    out["year_gap"] = np.where(has_y, gap, np.nan)
    out["year_level"] = _levels("year", [(gap == 0, "same"), (gap == 1, "one_apart")], ~has_y)
    has_j = _notna(L["journal"]) & _notna(R["journal"])
    j = _cpdist(L["journal"], R["journal"], fuzz.token_sort_ratio, has_j)
    acronym = acronym_of(L["journal"], R["journal_initials"]) | acronym_of(
        R["journal"], L["journal_initials"])
    out["journal_level"] = _levels("journal", [(_equal(L["journal"], R["journal"]), "exact"),
                                               ((j >= 0.85) | acronym, "fuzzy")], ~has_j)
    for field, col in (("volume", "volume"), ("issue", "issue"), ("pages", "page"),
                       ("doi", "doi")):
        both = _notna(L[col]) & _notna(R[col])
        out[f"{field}_level"] = _levels(field, [(_equal(L[col], R[col]), "same")], ~both)
    both_t = _notna(L["title"]) & _notna(R["title"])
    pl, pr = _notna(L["title_parts"]), _notna(R["title_parts"])
    out["title_numbers_differ"] = pl & pr & ~_equal(L["title_parts"], R["title_parts"])
    out["title_part_one_side"] = both_t & (pl != pr)
    out["title_types_differ"] = both_t & (L["title_types"].fillna("").to_numpy(dtype=object)
                                          != R["title_types"].fillna("").to_numpy(dtype=object))
    out["title_info"] = np.minimum(L["title_info"].to_numpy(), R["title_info"].to_numpy())
    out["title_count"] = np.maximum(L["title_count"].fillna(0).to_numpy(dtype=float),
                                    R["title_count"].fillna(0).to_numpy(dtype=float))
    return out


def acronym_of(short: pd.Series, long_initials: pd.Series) -> np.ndarray:
    """True where one journal key is a single word, the initials of the other's words
    ("vldb" ~ "very large data bases")."""
    return _equal(short, long_initials)
