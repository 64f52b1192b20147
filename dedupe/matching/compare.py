"""Comparison: each field of each candidate pair as an ordered list of levels.

Like Splink, every comparison starts with an explicit ``null`` level (a missing value is
never scored as a different one) and ends with ``else``. Similarities are computed for all
pairs at once with rapidfuzz's ``process.cpdist`` (aligned pairs, all cores).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler

from dedupe.core.arrays import objects
from dedupe.core.parallel import thread_map
from dedupe.matching.comparisons import LEVELS


def _pair_keys(cl: np.ndarray, cr: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (left code, right code) pairs and, per pair, its position among them."""
    inverse, distinct = pd.factorize(cl.astype(np.int64) * width + cr)
    return np.asarray(distinct, dtype=np.int64), inverse


def _scores(
    left: Coded, right: Coded, scorer, where: np.ndarray, cutoff: float | None = None
) -> np.ndarray:
    """Scores in 0..1 of aligned pairs where ``where`` holds (0 elsewhere), computed once per
    distinct pair of values; equal values score 1 without calling the scorer (every scorer
    here gives equal strings full marks). With ``cutoff``, scores below it are 0 (the
    scorer may stop early): for scores only ever compared with that bar."""
    out = np.zeros(len(where))
    equal = where & (left.codes == right.codes) if left.uniques is right.uniques else None
    if equal is not None:
        out[equal] = 1.0
        where = where & ~equal
    idx = np.flatnonzero(where)
    if len(idx):
        width = len(right.uniques)
        distinct, inverse = _pair_keys(left.codes[idx], right.codes[idx], width)
        a, b = left.uniques[distinct // width], right.uniques[distinct % width]
        scale = 1.0 if scorer is JaroWinkler.normalized_similarity else 100.0
        bar = None if cutoff is None else cutoff * scale
        scores = process.cpdist(a.tolist(), b.tolist(), scorer=scorer, workers=-1, score_cutoff=bar)
        scores = scores / scale
        out[idx] = scores[inverse]
    return out


def _levels(name: str, conditions: list[tuple[np.ndarray, str]], null: np.ndarray) -> np.ndarray:
    """Level index per pair: null first, then the first condition that holds, else last."""
    names = LEVELS[name]
    choices = [names.index(level) for _, level in conditions]
    lv = np.select([c for c, _ in conditions], choices, default=len(names) - 1)
    return np.where(null, 0, lv).astype("int8")


@dataclass(frozen=True)
class Coded:
    """A text column as integer codes (-1 missing) into its distinct values."""

    codes: np.ndarray
    uniques: np.ndarray

    @property
    def present(self) -> np.ndarray:
        return self.codes >= 0

    def take(self, idx: np.ndarray) -> Coded:
        """The codes at ``idx`` (one side of the pairs), sharing the distinct values."""
        return Coded(self.codes[idx], self.uniques)

    def equal(self, other: Coded) -> np.ndarray:
        """Both present and the same value (the two must share their distinct values)."""
        return (self.codes == other.codes) & (self.codes >= 0)


def encode(values: pd.Series | np.ndarray, uniques: np.ndarray | None = None) -> Coded:
    """Dictionary-encode a text column (into ``uniques`` extended with new values if given)."""
    vals = objects(pd.Series(values)).to_numpy(dtype=object)
    if uniques is None:
        codes, distinct = pd.factorize(vals)
        return Coded(codes.astype(np.int32), np.asarray(distinct, dtype=object))
    codes, distinct = pd.factorize(np.concatenate([uniques, vals]))
    return Coded(codes[len(uniques) :].astype(np.int32), np.asarray(distinct, dtype=object))


Columns = dict[str, "Coded | np.ndarray"]
TEXT_COLUMNS = ["abstract", "first_family", "doi", "title_parts", "title_types"]
NUMBER_COLUMNS = ["year", "volume", "issue", "page", "page_last", "title_carriers"]


def column_arrays(norm: pd.DataFrame) -> Columns:
    """The compared columns of ``norm``, encoded once: text as integer codes into its distinct
    values (comparing and gathering integers, and scoring each distinct pair of values once),
    numbers as float arrays (NaN missing)."""
    out: Columns = {}
    for col in NUMBER_COLUMNS:
        out[col] = pd.to_numeric(norm[col]).astype("float64").to_numpy(na_value=np.nan)
    for col in TEXT_COLUMNS:
        out[col] = encode(norm[col])
    title, families = encode(norm["title"]), encode(norm["families"])
    journal = encode(norm["journal"])
    # a journal and the other side's initials are compared in one code space
    initials = encode(norm["journal_initials"], journal.uniques)
    out.update(
        title=title,
        title_nospace=_recoded(title, lambda t: t.replace(" ", "")),
        title_sorted=_recoded(title, sorted_words),
        families=families,
        families_sorted=_recoded(families, sorted_words),
        journal=Coded(journal.codes, initials.uniques),
        journal_sorted=_recoded(journal, sorted_words),
        journal_initials=initials,
    )
    return out


def sorted_words(text: str) -> str:
    """The words of ``text`` in sorted order, single-spaced: ``fuzz.ratio`` of two such
    strings is rapidfuzz's ``token_sort_ratio`` of the originals, with the sorting done
    once per distinct value instead of once per pair."""
    return " ".join(sorted(text.split()))


def _recoded(column: Coded, func) -> Coded:
    """The column with ``func`` applied to each distinct value, re-encoded (values that
    become equal share a code)."""
    codes, distinct = pd.factorize(np.array([func(v) for v in column.uniques], dtype=object))
    mapped = np.append(codes, -1).astype(np.int32)[column.codes]
    return Coded(mapped, np.asarray(distinct, dtype=object))


class Side:
    """One side of the pairs: its codes and numbers gathered on demand, once per column."""

    def __init__(self, columns: Columns, idx: np.ndarray):
        self.columns, self.idx = columns, idx
        self._taken: Columns = {}

    def _get(self, col: str) -> Coded | np.ndarray:
        if col not in self._taken:
            c = self.columns[col]
            self._taken[col] = c.take(self.idx) if isinstance(c, Coded) else c[self.idx]
        return self._taken[col]

    def text(self, col: str) -> Coded:
        """The text column's codes for this side."""
        out = self._get(col)
        assert isinstance(out, Coded)
        return out

    def number(self, col: str) -> np.ndarray:
        """The numeric column for this side (NaN missing)."""
        out = self._get(col)
        assert isinstance(out, np.ndarray)
        return out


def compare(norm: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """Per-field levels (``<field>_level``) and similarity scores for every pair; only the
    records the pairs hold are encoded (a few pairs against a large corpus stay cheap)."""
    rows, local = np.unique(
        np.concatenate([pairs["i_l"].to_numpy(), pairs["i_r"].to_numpy()]), return_inverse=True
    )
    if len(rows) < len(norm):
        norm = norm.iloc[rows].reset_index(drop=True)
        sides = local.reshape(2, -1)
        pairs = pd.DataFrame({"i_l": sides[0], "i_r": sides[1]}, index=pairs.index)
    return compare_encoded(column_arrays(norm), pairs)


CHUNK = 1_000_000
"""Pairs compared at a time: each side's gathered columns take about 100 bytes per pair,
so chunks bound the memory while every pair is still computed the same way."""


def compare_encoded(cols: Columns, pairs: pd.DataFrame) -> pd.DataFrame:
    """``compare`` on columns already encoded by ``column_arrays`` (encode once, compare
    several sets of pairs), ``CHUNK`` pairs at a time, chunks in concurrent threads."""
    if len(pairs) <= CHUNK:
        return _compare_chunk(cols, pairs)
    parts = thread_map(
        lambda i: _compare_chunk(cols, pairs.iloc[i : i + CHUNK]), range(0, len(pairs), CHUNK)
    )
    return pd.concat(parts).set_axis(pairs.index)


def _compare_chunk(cols: Columns, pairs: pd.DataFrame) -> pd.DataFrame:
    """Levels and scores of one set of pairs."""
    L, R = Side(cols, pairs["i_l"].to_numpy()), Side(cols, pairs["i_r"].to_numpy())
    out = pd.DataFrame(index=pairs.index)
    tl, tr = L.text("title"), R.text("title")
    has_t = tl.present & tr.present
    # words in any order, or the same letters with spaces/hyphens dropped ("mentor lite")
    t = np.maximum(
        _scores(L.text("title_sorted"), R.text("title_sorted"), fuzz.ratio, has_t),
        _scores(L.text("title_nospace"), R.text("title_nospace"), fuzz.ratio, has_t),
    )
    # one title is the other plus a tag or subtitle ("X (Panel)", "X - Book Review"); only
    # where the titles are not already alike enough for a higher level
    contained = _scores(tl, tr, fuzz.token_set_ratio, has_t & (t < 0.88), 0.97) >= 0.97
    out["title_score"] = t.astype(np.float32)  # levels are read from the float64 scores
    out["title_level"] = _levels(
        "title",
        [
            (tl.equal(tr), "exact"),
            (t >= 0.95, "fuzzy_95"),
            (t >= 0.88, "fuzzy_88"),
            (contained, "contained"),
            (t >= 0.75, "fuzzy_75"),
        ],
        ~has_t,
    )
    ta, out["title_abstract_level"] = _title_abstract(L, R)
    fam, out["authors_level"] = _authors(L, R)
    out["title_abstract_score"] = ta.astype(np.float32)
    out["authors_score"] = fam.astype(np.float32)
    yl, yr = L.number("year"), R.number("year")
    has_y = ~np.isnan(yl) & ~np.isnan(yr)
    gap = np.where(has_y, np.abs(yl - yr), 99.0)
    out["year_level"] = _levels("year", [(gap == 0, "same"), (gap == 1, "one_apart")], ~has_y)
    jl, jr = L.text("journal"), R.text("journal")
    has_j = jl.present & jr.present
    j = _scores(L.text("journal_sorted"), R.text("journal_sorted"), fuzz.ratio, has_j, 0.85)
    acronym = jl.equal(R.text("journal_initials")) | jr.equal(L.text("journal_initials"))
    out["journal_level"] = _levels(
        "journal", [(jl.equal(jr), "exact"), ((j >= 0.85) | acronym, "fuzzy")], ~has_j
    )
    for field in ("volume", "issue"):
        vl, vr = L.number(field), R.number(field)
        both = ~np.isnan(vl) & ~np.isnan(vr)
        out[f"{field}_level"] = _levels(field, [(vl == vr, "same")], ~both)
    dl, dr = L.text("doi"), R.text("doi")
    out["doi_level"] = _levels("doi", [(dl.equal(dr), "same")], ~(dl.present & dr.present))
    out["pages_level"] = _pages_levels(L, R)
    pl, pr = L.text("title_parts"), R.text("title_parts")
    out["title_numbers_differ"] = pl.present & pr.present & ~pl.equal(pr)
    out["title_part_one_side"] = has_t & (pl.present != pr.present)
    out["title_types_differ"] = has_t & (L.text("title_types").codes != R.text("title_types").codes)
    carriers = np.maximum(L.number("title_carriers"), R.number("title_carriers"))
    out["title_carriers"] = carriers.astype(np.float32)
    return out


def _title_abstract(L: Side, R: Side) -> tuple[np.ndarray, np.ndarray]:
    """One side untitled: its abstract against the other's title (score, level)."""
    tl, tr = L.text("title"), R.text("title")
    al, ar = L.text("abstract"), R.text("abstract")
    l_only = tr.present & ~tl.present & al.present
    r_only = tl.present & ~tr.present & ar.present
    # the titled side's title against the untitled side's abstract, titles as the left
    titles = Coded(np.where(l_only, tr.codes, tl.codes), tl.uniques)
    abstracts = Coded(np.where(l_only, al.codes, ar.codes), al.uniques)
    ta = _scores(titles, abstracts, fuzz.token_set_ratio, l_only | r_only)
    level = _levels(
        "title_abstract", [(ta >= 0.85, "high"), (ta >= 0.80, "medium")], ~(l_only | r_only)
    )
    return ta, level


def _authors(L: Side, R: Side) -> tuple[np.ndarray, np.ndarray]:
    """Family names: the same names in any order, the same first author and most names,
    most, some (score, level)."""
    fl, fr = L.text("families"), R.text("families")
    has_a = fl.present & fr.present
    fam = _scores(fl, fr, fuzz.token_set_ratio, has_a)
    # "all" is the same names in any order; token_set_ratio alone would also give 1.0 to a
    # list that is part of the other (one author against five)
    whole = L.text("families_sorted").equal(R.text("families_sorted"))
    most = has_a & (fam >= 0.8) & ~whole
    first = _scores(
        L.text("first_family"),
        R.text("first_family"),
        JaroWinkler.normalized_similarity,
        most,
        0.9,
    )
    level = _levels(
        "authors",
        [
            (whole, "all"),
            ((first >= 0.9) & most, "first_and_most"),
            (fam >= 0.8, "most"),
            (fam >= 0.5, "some"),
        ],
        ~has_a,
    )
    return fam, level


def _pages_levels(L: Side, R: Side) -> np.ndarray:
    """Pages: the same first page, compatible ranges (overlapping, or one holding the other's
    single page), or else."""
    fl, ll = L.number("page"), L.number("page_last")
    fr, lr = R.number("page"), R.number("page_last")
    both = ~np.isnan(fl) & ~np.isnan(fr)
    with np.errstate(invalid="ignore"):
        overlap = (fl <= lr) & (fr <= ll)
    return _levels("pages", [(fl == fr, "same"), (overlap, "compatible")], ~both)
