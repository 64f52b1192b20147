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

from dedupe.core.arrays import objects
from dedupe.matching.comparisons import LEVELS


def _cpdist(left: pd.Series, right: pd.Series, scorer, both: np.ndarray) -> np.ndarray:
    """Scores in 0..1 for aligned pairs where ``both`` is True (0 elsewhere); equal values
    score 1 without calling the scorer (every scorer here gives equal strings full marks)."""
    out = np.zeros(len(left))
    lv, rv = left.to_numpy(), right.to_numpy()
    equal = both & (lv == rv)
    out[equal] = 1.0
    idx = (both & ~equal).nonzero()[0]
    if len(idx):
        out[idx] = process.cpdist(lv[idx].tolist(), rv[idx].tolist(), scorer=scorer, workers=-1) / (
            1.0 if scorer is JaroWinkler.normalized_similarity else 100.0
        )
    return out


def _levels(name: str, conditions: list[tuple[np.ndarray, str]], null: np.ndarray) -> np.ndarray:
    """Level index per pair: null first, then the first condition that holds, else last."""
    names = LEVELS[name]
    choices = [names.index(level) for _, level in conditions]
    lv = np.select([c for c, _ in conditions], choices, default=len(names) - 1)
    return np.where(null, 0, lv).astype("int8")


def _notna(s: pd.Series) -> np.ndarray:
    return s.notna().to_numpy(dtype=bool)


def _equal(left: pd.Series, right: pd.Series) -> np.ndarray:
    same = left.to_numpy(dtype=object) == right.to_numpy(dtype=object)
    return same & _notna(left) & _notna(right)


class Side:
    """One side of the pairs: ``side[col]`` gathers that column of ``norm`` for the pair
    positions on demand, so only the columns in use are held at any time."""

    def __init__(self, columns: dict[str, np.ndarray], idx: np.ndarray):
        self.columns, self.idx = columns, idx
        self._present: dict[str, np.ndarray] = {}

    def present(self, col: str) -> np.ndarray:
        """Where the column has a value (computed once per column)."""
        if col not in self._present:
            self._present[col] = self.columns[f"{col}__present"][self.idx]
        return self._present[col]

    def __getitem__(self, col: str) -> pd.Series:
        values = self.columns[col][self.idx]
        return pd.Series(values, dtype=values.dtype if values.dtype != object else object)


def column_arrays(norm: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each column of ``norm`` as one numpy array (text as Python objects, converted once:
    pandas would otherwise re-infer Arrow strings on every gather)."""
    out = {}
    for col in norm.columns:
        s = norm[col]
        if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_extension_array_dtype(
            s.dtype
        ):
            out[col] = s.to_numpy()
        elif pd.api.types.is_float_dtype(s.dtype) or pd.api.types.is_integer_dtype(s.dtype):
            out[col] = s.astype("float64").to_numpy()
        else:
            out[col] = objects(s).to_numpy(dtype=object)
        out[f"{col}__present"] = s.notna().to_numpy(dtype=bool)
    out["title_nospace"] = np.array(
        [t.replace(" ", "") if t is not None else None for t in out["title"]], dtype=object
    )
    return out


def compare(norm: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """Per-field levels (``<field>_level``) and similarity scores for every pair."""
    cols = column_arrays(norm)
    L, R = Side(cols, pairs["i_l"].to_numpy()), Side(cols, pairs["i_r"].to_numpy())
    out = pd.DataFrame(index=pairs.index)
    has_t = L.present("title") & R.present("title")
    # words in any order, or the same letters with spaces/hyphens dropped ("mentor lite")
    t = np.maximum(
        _cpdist(L["title"], R["title"], fuzz.token_sort_ratio, has_t),
        _cpdist(L["title_nospace"], R["title_nospace"], fuzz.ratio, has_t),
    )
    # one title is the other plus a tag or subtitle ("X (Panel)", "X - Book Review")
    contained = _cpdist(L["title"], R["title"], fuzz.token_set_ratio, has_t) >= 0.97
    out["title_score"] = t
    out["title_level"] = _levels(
        "title",
        [
            (_equal(L["title"], R["title"]), "exact"),
            (t >= 0.95, "fuzzy_95"),
            (t >= 0.88, "fuzzy_88"),
            (contained, "contained"),
            (t >= 0.75, "fuzzy_75"),
        ],
        ~has_t,
    )
    # one side untitled: its abstract against the other's title
    l_only = R.present("title") & ~L.present("title") & L.present("abstract")
    r_only = L.present("title") & ~R.present("title") & R.present("abstract")
    titles = R["title"].where(l_only, L["title"])
    abstracts = L["abstract"].where(l_only, R["abstract"])
    ta = _cpdist(titles, abstracts, fuzz.token_set_ratio, l_only | r_only)
    out["title_abstract_score"] = ta
    out["title_abstract_level"] = _levels(
        "title_abstract", [(ta >= 0.85, "high"), (ta >= 0.80, "medium")], ~(l_only | r_only)
    )
    has_a = L.present("families") & R.present("families")
    fam = _cpdist(L["families"], R["families"], fuzz.token_set_ratio, has_a)
    first = _cpdist(L["first_family"], R["first_family"], JaroWinkler.normalized_similarity, has_a)
    # "all" is the same names in any order; token_set_ratio alone would also give 1.0 to a
    # list that is part of the other (one author against five)
    whole = _cpdist(L["families"], R["families"], fuzz.token_sort_ratio, has_a)
    out["authors_score"] = fam
    out["authors_level"] = _levels(
        "authors",
        [
            (whole >= 0.999, "all"),
            ((first >= 0.9) & (fam >= 0.8), "first_and_most"),
            (fam >= 0.8, "most"),
            (fam >= 0.5, "some"),
        ],
        ~has_a,
    )
    yl, yr = L["year"].to_numpy(dtype=float), R["year"].to_numpy(dtype=float)
    has_y = ~np.isnan(yl) & ~np.isnan(yr)
    gap = np.where(has_y, np.abs(yl - yr), 99.0)
    out["year_gap"] = np.where(has_y, gap, np.nan)
    out["year_level"] = _levels("year", [(gap == 0, "same"), (gap == 1, "one_apart")], ~has_y)
    has_j = L.present("journal") & R.present("journal")
    j = _cpdist(L["journal"], R["journal"], fuzz.token_sort_ratio, has_j)
    acronym = acronym_of(L["journal"], R["journal_initials"]) | acronym_of(
        R["journal"], L["journal_initials"]
    )
    out["journal_level"] = _levels(
        "journal",
        [(_equal(L["journal"], R["journal"]), "exact"), ((j >= 0.85) | acronym, "fuzzy")],
        ~has_j,
    )
    for field in ("volume", "issue", "doi"):
        both = L.present(field) & R.present(field)
        out[f"{field}_level"] = _levels(field, [(_equal(L[field], R[field]), "same")], ~both)
    out["pages_level"] = _pages_levels(L, R)
    both_t = L.present("title") & R.present("title")
    pl, pr = L.present("title_parts"), R.present("title_parts")
    out["title_numbers_differ"] = pl & pr & ~_equal(L["title_parts"], R["title_parts"])
    out["title_part_one_side"] = both_t & (pl != pr)
    out["title_types_differ"] = both_t & (
        L["title_types"].fillna("").to_numpy(dtype=object)
        != R["title_types"].fillna("").to_numpy(dtype=object)
    )
    out["title_carriers"] = np.maximum(
        L["title_carriers"].to_numpy(dtype=float), R["title_carriers"].to_numpy(dtype=float)
    )
    return out


def _pages_levels(L: Side, R: Side) -> np.ndarray:
    """Pages: the same first page, compatible ranges (overlapping, or one holding the other's
    single page), or else."""
    fl, ll = L["page"].to_numpy(dtype=float), L["page_last"].to_numpy(dtype=float)
    fr, lr = R["page"].to_numpy(dtype=float), R["page_last"].to_numpy(dtype=float)
    both = ~np.isnan(fl) & ~np.isnan(fr)
    with np.errstate(invalid="ignore"):
        overlap = (fl <= lr) & (fr <= ll)
    return _levels("pages", [(fl == fr, "same"), (overlap, "compatible")], ~both)


def acronym_of(short: pd.Series, long_initials: pd.Series) -> np.ndarray:
    """True where one journal key is a single word, the initials of the other's words
    ("vldb" ~ "very large data bases")."""
    return _equal(short, long_initials)
