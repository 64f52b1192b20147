"""Blocking restricted to the pairs that touch focus records, for ``dedupe check --changed``.

:func:`focus_block` returns exactly the rows of ``blocking.block(norm)`` whose pair touches
a focus record (same positions, rule names and order), without keying the whole corpus:
each rule looks only at the records that share a key value with a focus record. What makes
that exact: a block's size is counted over every record holding its key (all of them share
the key value, so all are found); a title word's rarity is its document frequency over the
whole table; a record's rarest words are ranked exactly as ``tokens.rarest`` ranks them
(frequency, then vocabulary code); a capped block's neighbourhood only needs its members'
order, which sorting the members alone reproduces. ``tests/gate/test_incremental.py``
holds it to ``block`` on the seeds and on generated corpora.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from dedupe.matching.blocking import (
    ABSTRACT_WORD_MAX_DF,
    LOOSE_MAX_BLOCK,
    MAX_BLOCK,
    WINDOW,
    BlockStats,
    _window_pairs,
    block_pairs,
    covered_pairs,
    rare_word_keys,
    run_rules,
    sort_rank,
)
from dedupe.matching.tokens import Tokens, rarest_entries, tokenize

Codes = tuple[np.ndarray, int]


def focus_block(
    norm: pd.DataFrame,
    ends: pd.DataFrame,
    tokens: Tokens,
    focus: np.ndarray,
    max_block: int = MAX_BLOCK,
) -> tuple[pd.DataFrame, list[BlockStats]]:
    """The candidate pairs of ``block(norm, max_block)`` that touch a ``focus`` record, and
    per-rule counts of those pairs; ``ends`` holds ``title_start``/``title_end`` keys and
    ``tokens`` the title words, as ``block`` computes them."""
    norm = norm.reset_index(drop=True)
    n = max(len(norm), 1)
    focus = np.asarray(focus, dtype=bool)
    loose = min(max_block, LOOSE_MAX_BLOCK)
    df = tokens.doc_freq

    def on(values: pd.Series, cap: int = loose) -> Codes:
        rec, key = _sharing(values, focus)
        return _pairs(rec, key, focus, n, cap, norm)

    rules: dict[str, Callable[[], Codes]] = {
        "doi": lambda: on(norm["doi"], max_block),
        "title_exact": lambda: on(norm["title"], max_block),
        "title_rare_words": lambda: _pairs(
            *_rare_word_keys(tokens, df, focus), focus, n, loose, norm
        ),
        "title_start": lambda: on(ends["title_start"]),
        "title_end": lambda: on(ends["title_end"]),
        "first_author_rare_word": lambda: _pairs(
            *_author_word_keys(norm, tokens, df, focus), focus, n, loose, norm
        ),
        "first_author_year": lambda: on(_joint(norm["first_family"], norm["year"])),
        "abstract_title": lambda: (_abstract_title(norm, tokens, df, focus), 0),
    }
    return run_rules(rules, n)


def _sharing(values: pd.Series, focus: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Records whose value a focus record holds, and their values as integer codes."""
    wanted = pd.unique(values[focus].dropna())
    rec = np.flatnonzero(values.isin(wanted).to_numpy() & values.notna().to_numpy())
    return rec, pd.factorize(values.iloc[rec])[0].astype(np.int64)


def _joint(a: pd.Series, b: pd.Series) -> pd.Series:
    """One text key of the value pairs (a, b); missing where either is."""
    both = a.notna().to_numpy() & b.notna().to_numpy()
    out = pd.Series(None, index=a.index, dtype=object)
    out[both] = a[both].astype(str) + "\x1f" + b[both].astype(str)
    return out


def _pairs(
    rec: np.ndarray, key: np.ndarray, focus: np.ndarray, n: int, cap: int, norm: pd.DataFrame
) -> Codes:
    """As ``blocking.pairs_on_keys`` over entries (``rec[j]`` holds ``key[j]``, -1 none)
    that include every holder of each key a focus record holds: the pair codes touching a
    focus record, and how many of those blocks exceed ``cap``."""
    ok = key >= 0
    rec, key = rec[ok].astype(np.int64), key[ok]
    keep = np.isin(key, key[focus[rec]])
    rec, key = rec[keep], pd.factorize(key[keep])[0].astype(np.int64)
    sizes = np.bincount(key, minlength=int(key.max(initial=-1)) + 1)
    big = sizes[key] > cap
    small = (sizes[key] > 1) & ~big
    full = block_pairs(key[small], rec[small], n)
    windowed = _window_pairs(key[big], rec[big], _rank(norm, rec[big]), n, WINDOW)
    codes = np.concatenate([full, windowed])
    touch = focus[codes // n] | focus[codes % n]
    return codes[touch], int((sizes > cap).sum())


def _rank(norm: pd.DataFrame, rec: np.ndarray) -> np.ndarray:
    """Ranks of ``rec`` among themselves in ``blocking.sort_rank``'s order."""
    uniq = np.unique(rec)
    rank = sort_rank(norm.iloc[uniq].reset_index(drop=True))
    return rank[np.searchsorted(uniq, rec)]


def _holding(tokens: Tokens, words: np.ndarray, also: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The title-word entries of records holding any of ``words``, or in mask ``also``."""
    has = np.zeros(max(len(tokens.vocab), 1), dtype=bool)
    has[words] = True
    mark = also.copy()
    mark[tokens.rec[has[tokens.code]]] = True
    sel = mark[tokens.rec]
    return tokens.rec[sel], tokens.code[sel]


def _rare_word_keys(
    tokens: Tokens, df: np.ndarray, focus: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """As ``blocking.rare_word_keys`` for the records that can share one with a focus
    record (they hold one of its three rarest words): (records, keys), three per record."""
    fsel = focus[tokens.rec]
    frec, fcode, _ = rarest_entries(tokens.rec[fsel], tokens.code[fsel], df, 3)
    rec, code, rank = rarest_entries(*_holding(tokens, fcode, focus), df, 3)
    recs = np.unique(rec)
    at = np.full((3, len(recs)), -1, dtype=np.int64)
    at[rank, np.searchsorted(recs, rec)] = code
    keys = rare_word_keys(list(at), len(tokens.vocab))
    return np.tile(recs, len(keys)), np.concatenate(keys)


def _author_word_keys(
    norm: pd.DataFrame, tokens: Tokens, df: np.ndarray, focus: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(records, keys) of the first author with the rarest title word, for the records that
    can share one with a focus record."""
    fsel = focus[tokens.rec]
    _, fcode, _ = rarest_entries(tokens.rec[fsel], tokens.code[fsel], df, 1)
    rec, code, _ = rarest_entries(*_holding(tokens, fcode, focus), df, 1)
    family = norm["first_family"].iloc[rec]
    key = _joint(family.reset_index(drop=True), pd.Series(code))
    return rec, pd.factorize(key, use_na_sentinel=True)[0].astype(np.int64)


def _abstract_title(
    norm: pd.DataFrame,
    tokens: Tokens,
    df: np.ndarray,
    focus: np.ndarray,
    min_coverage: float = 0.5,
    max_df: int = ABSTRACT_WORD_MAX_DF,
) -> np.ndarray:
    """As ``blocking.abstract_title_pairs``, for pairs with a focus record on either side."""
    untitled = np.flatnonzero(norm["title"].isna().to_numpy() & norm["abstract"].notna().to_numpy())
    if len(untitled) == 0 or len(tokens.rec) == 0:
        return np.array([], dtype=np.int64)
    ab = tokenize(norm["abstract"].iloc[untitled], vocab=tokens.vocab)
    words = pd.DataFrame({"j": untitled[ab.rec], "c": ab.code})
    usable = df <= max_df
    title = pd.DataFrame({"i": tokens.rec, "c": tokens.code})[usable[tokens.code]]
    new_j = focus[words["j"].to_numpy()]
    hits = pd.concat(
        [
            words[new_j].merge(title, on="c"),
            words[~new_j].merge(title[focus[title["i"].to_numpy()]], on="c"),
        ]
    )
    return covered_pairs(hits, tokens, len(norm), min_coverage)
