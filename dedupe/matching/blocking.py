"""Blocking: candidate pairs from several rules, each pair once, tagged with its rule.

Rules run in order; a pair found by an earlier rule keeps that rule's name as its
``match_key``. No block is ever dropped: a block larger than ``max_block`` (a paper with
hundreds of copies, or a common key such as "Wang 2020") is compared as a sorted
neighbourhood instead, each record against the ``window`` records next to it in an order
that puts likely copies side by side (title, then first author, then year), so the pair
count stays bounded while a true cluster of any size stays connected. Such blocks are
counted as *capped* in the statistics.

The keys are chosen to survive the usual damage: the exact folded title; every pair of a
title's three rarest words (one typo in any one word leaves a pair intact); the first and
the last significant title words (junk before or a truncation after the title); the first
author with the rarest title word (no year needed); the first author with the year; the
DOI; and an untitled record's abstract against titles. Keys are integer codes wherever
possible (words are dictionary-encoded once, see ``tokens.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dedupe.core.arrays import arrow_strings
from dedupe.matching.tokens import STOPWORDS, Tokens, rarest, tokenize, unique_ints

MAX_BLOCK = 100
WINDOW = 10  # neighbours each record meets inside a capped block
# Keys that only suggest a match (shared words, an author and a year) are capped lower: a
# block of s records costs s(s-1)/2 comparisons in full but s*WINDOW as a neighbourhood, and
# in title order a paper's copies sit side by side anyway.
LOOSE_MAX_BLOCK = 30
ABSTRACT_WORD_MAX_DF = 100  # title words rarer than this are looked up in abstracts


@dataclass(frozen=True)
class BlockStats:
    """What one rule produced: pairs generated, new pairs kept, and blocks larger than the
    block cap, compared as a sorted neighbourhood rather than in full."""

    rule: str
    generated: int
    new: int
    capped_blocks: int


def pairs_on_key(
    key, max_block: int, rank: np.ndarray | None = None, window: int = WINDOW
) -> tuple[np.ndarray, int]:
    """Codes ``i_l * n + i_r`` (i_l < i_r) of the pairs of records sharing a non-null key,
    and the number of capped blocks: blocks over ``max_block`` records yield only the pairs
    of records at most ``window`` apart when sorted by ``rank`` (default: position)."""
    key = pd.Series(key)
    return pairs_on_keys(np.arange(len(key)), key, len(key), max_block, rank, window)


def pairs_on_keys(
    rec: np.ndarray,
    key,
    n: int,
    max_block: int,
    rank: np.ndarray | None = None,
    window: int = WINDOW,
) -> tuple[np.ndarray, int]:
    """As ``pairs_on_key``, for records with several keys each: ``rec[j]`` holds ``key[j]``."""
    codes, uniques = pd.factorize(pd.Series(key), use_na_sentinel=True)
    ok = codes >= 0
    i = np.asarray(rec, dtype=np.int64)[ok]
    k = codes[ok].astype(np.int64)
    sizes = np.bincount(k, minlength=len(uniques))
    big = sizes[k] > max_block
    small = (sizes[k] > 1) & ~big
    df = pd.DataFrame({"k": k[small], "i": i[small]})
    m = df.merge(df, on="k", suffixes=("_l", "_r"))
    il, ir = m["i_l"].to_numpy(), m["i_r"].to_numpy()
    keep = il < ir
    full = il[keep] * max(n, 1) + ir[keep]
    rank = np.arange(n) if rank is None else rank
    windowed = _window_pairs(k[big], i[big], rank[i[big]], n, window)
    return np.concatenate([full, windowed]), int((sizes > max_block).sum())


def _window_pairs(
    k: np.ndarray, i: np.ndarray, rank: np.ndarray, n: int, window: int
) -> np.ndarray:
    """Pairs of records of one block (``k``) at most ``window`` apart in ``rank`` order."""
    order = np.lexsort((i, rank, k))
    k, i = k[order], i[order]
    out = [np.array([], dtype=np.int64)]
    for d in range(1, min(window, max(len(k) - 1, 0)) + 1):
        same = k[d:] == k[:-d]
        a, b = i[:-d][same], i[d:][same]
        out.append(np.minimum(a, b) * n + np.maximum(a, b))
    return np.concatenate(out)


def rare_word_keys(tokens: Tokens, n: int = 3) -> list[np.ndarray]:
    """Per record, one key per pair of its ``n`` rarest title words (-1 where it has too
    few words): robust to word order, and to a typo in any one word, since the other pairs
    survive it."""
    rec, code, _ = rarest(tokens, n)
    rank = np.arange(len(rec)) - np.searchsorted(rec, rec)  # 0 = rarest word of its record
    size = np.int64(max(len(tokens.vocab), 1))
    keys = []
    for x, y in ((0, 1), (0, 2), (1, 2))[: n * (n - 1) // 2]:
        cx, cy = (
            _word_at(rec, code, rank, x, tokens.n_records),
            _word_at(rec, code, rank, y, tokens.n_records),
        )
        ok = (cx >= 0) & (cy >= 0)
        keys.append(np.where(ok, np.minimum(cx, cy) * size + np.maximum(cx, cy), -1))
    return keys


def _word_at(rec: np.ndarray, code: np.ndarray, rank: np.ndarray, k: int, n: int) -> np.ndarray:
    """Per record, the code of its ``k``-th rarest word (-1 where it has fewer)."""
    out = np.full(n, -1, dtype=np.int64)
    out[rec[rank == k]] = code[rank == k]
    return out


def end_words_key(titles: pd.Series, words: int = 4, at_end: bool = False) -> pd.Series:
    """The first (or last) ``words`` significant title words: junk before a title or a
    truncation after it leaves one of the two intact. None for shorter titles."""
    import pyarrow.compute as pc

    arr = arrow_strings(titles)
    stop = r"\b(?:" + "|".join(sorted(STOPWORDS)) + r")\b"
    arr = pc.utf8_trim_whitespace(
        pc.replace_substring_regex(pc.replace_substring_regex(arr, stop, " "), r"\s+", " ")
    )
    body = r"(?P<w>(?:\S+ ){" + str(words - 1) + r"}\S+)"
    found = pc.extract_regex(arr, body + "$" if at_end else "^" + body)
    return pd.Series(pc.struct_field(found, [0]).to_pandas(), index=titles.index)


def sort_rank(norm: pd.DataFrame) -> np.ndarray:
    """Each record's rank in (title, first author, year) order: copies of a paper sit side by
    side, which is what a capped block's window relies on."""
    cols = [pd.factorize(norm[c], sort=True)[0] for c in ("year", "first_family", "title")]
    order = np.lexsort(cols)
    rank = np.empty(len(norm), dtype=np.int64)
    rank[order] = np.arange(len(norm))
    return rank


def abstract_title_pairs(
    norm: pd.DataFrame,
    tokens: Tokens,
    min_coverage: float = 0.5,
    max_df: int = ABSTRACT_WORD_MAX_DF,
) -> np.ndarray:
    """Untitled records with an abstract meet titled records whose title the abstract
    mostly contains (``min_coverage`` of the title's words, at least two of them)."""
    untitled = np.flatnonzero(norm["title"].isna().to_numpy() & norm["abstract"].notna().to_numpy())
    if len(untitled) == 0 or len(tokens.rec) == 0:
        return np.array([], dtype=np.int64)
    ab = tokenize(norm["abstract"].iloc[untitled], vocab=tokens.vocab)
    usable = tokens.doc_freq <= max_df
    title = pd.DataFrame({"i": tokens.rec, "c": tokens.code})[usable[tokens.code]]
    hits = pd.DataFrame({"j": untitled[ab.rec], "c": ab.code}).merge(title, on="c")
    counts = hits.groupby(["i", "j"]).size()
    i = counts.index.get_level_values("i").to_numpy()
    j = counts.index.get_level_values("j").to_numpy()
    need = np.maximum(2, min_coverage * tokens.per_record()[i])
    ok = counts.to_numpy() >= need
    n = len(norm)
    return np.minimum(i[ok], j[ok]) * n + np.maximum(i[ok], j[ok])


def block(norm: pd.DataFrame, max_block: int = MAX_BLOCK) -> tuple[pd.DataFrame, list[BlockStats]]:
    """Candidate pairs (positions ``i_l < i_r`` into ``norm``) and per-rule counts."""
    norm = norm.reset_index(drop=True)
    n = max(len(norm), 1)
    tokens = tokenize(norm["title"], min_len=3)
    rank = sort_rank(norm)

    loose = min(max_block, LOOSE_MAX_BLOCK)

    def on(key, cap: int = loose) -> tuple[np.ndarray, int]:
        return pairs_on_key(key, cap, rank)

    def keyed(codes: np.ndarray) -> pd.Series:
        return pd.Series(codes).where(codes >= 0)

    rare = rarest(tokens, 1)
    rarest_word = np.full(len(norm), -1, dtype=np.int64)
    rarest_word[rare[0]] = rare[1]
    rules = {
        "doi": lambda: on(norm["doi"], max_block),
        "title_exact": lambda: on(norm["title"], max_block),
        "title_rare_words": lambda: pairs_on_keys(
            np.tile(np.arange(len(norm)), 3),
            keyed(np.concatenate(rare_word_keys(tokens))),
            len(norm),
            loose,
            rank,
        ),
        "title_start": lambda: on(end_words_key(norm["title"])),
        "title_end": lambda: on(end_words_key(norm["title"], at_end=True)),
        "first_author_rare_word": lambda: on(joint_key(norm["first_family"], keyed(rarest_word))),
        "first_author_year": lambda: on(joint_key(norm["first_family"], norm["year"])),
        "abstract_title": lambda: (abstract_title_pairs(norm, tokens), 0),
    }
    parts, stats = [], []
    seen = np.array([], dtype=np.int64)
    for name, make in rules.items():
        codes, capped = make()
        codes = unique_ints(codes)
        new = codes[~np.isin(codes, seen, assume_unique=True, kind="sort")]
        seen = unique_ints(np.concatenate([seen, new]))
        parts.append(pd.DataFrame({"i_l": new // n, "i_r": new % n, "match_key": name}))
        stats.append(BlockStats(name, len(codes), len(new), capped))
    pairs = pd.concat(parts, ignore_index=True)
    return pairs.astype({"i_l": "int64", "i_r": "int64"}), stats


def joint_key(a: pd.Series, b: pd.Series) -> pd.Series:
    """Integer codes of the value pairs (a, b); missing where either is missing."""
    ca = pd.factorize(a.astype(object), use_na_sentinel=True)[0].astype(np.int64)
    cb = pd.factorize(b.astype(object), use_na_sentinel=True)[0].astype(np.int64)
    code = ca * (cb.max(initial=0) + 1) + cb
    return pd.Series(code).where((ca >= 0) & (cb >= 0))
