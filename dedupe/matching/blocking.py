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

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dedupe.core.arrays import arrow_strings, run_starts
from dedupe.core.parallel import run_all, thread_map
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
    full = block_pairs(k[small], i[small], max(n, 1))
    rank = np.arange(n) if rank is None else rank
    windowed = _window_pairs(k[big], i[big], rank[i[big]], n, window)
    return np.concatenate([full, windowed]), int((sizes > max_block).sum())


def block_pairs(k: np.ndarray, i: np.ndarray, n: int) -> np.ndarray:
    """Codes ``min * n + max`` of every pair of distinct records ``i`` sharing a block ``k``:
    each unordered pair generated once, straight from the blocks' sizes (no self-join,
    which made every ordered pair and its three index arrays: four times the memory)."""
    if not len(k):
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(k, kind="stable")
    k, i = k[order], i[order]
    starts = run_starts(k)
    ends = np.append(starts[1:], len(k))
    after = np.repeat(ends, ends - starts) - np.arange(len(k)) - 1  # partners after each
    left = np.repeat(np.arange(len(k)), after)
    first = np.cumsum(after) - after  # where each left's run of partners starts
    right = left + 1 + np.arange(len(left)) - np.repeat(first, after)
    a, b = i[left], i[right]
    keep = a != b  # a record holding one key twice is not its own pair
    return np.minimum(a[keep], b[keep]) * n + np.maximum(a[keep], b[keep])


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


def rarest_words(tokens: Tokens, n: int = 3) -> list[np.ndarray]:
    """Per record, the code of its k-th rarest title word for k < ``n`` (-1 where it has
    fewer words)."""
    rec, code, rank = rarest(tokens, n)  # rank 0 = rarest word of its record
    out = []
    for k in range(n):
        word = np.full(tokens.n_records, -1, dtype=np.int64)
        word[rec[rank == k]] = code[rank == k]
        out.append(word)
    return out


def rare_word_keys(words: list[np.ndarray], vocab_size: int) -> list[np.ndarray]:
    """Per record, one key per pair of its rarest title ``words`` (-1 where it has too few):
    robust to word order, and to a typo in any one word, since the other pairs survive it."""
    size = np.int64(max(vocab_size, 1))
    keys = []
    for x, y in itertools.combinations(range(len(words)), 2):
        cx, cy = words[x], words[y]
        ok = (cx >= 0) & (cy >= 0)
        keys.append(np.where(ok, np.minimum(cx, cy) * size + np.maximum(cx, cy), -1))
    return keys


def significant(titles: pd.Series | pa.Array) -> pa.Array:
    """The titles without stop words, single-spaced (Arrow strings)."""
    stop = r"\b(?:" + "|".join(sorted(STOPWORDS)) + r")\b"
    arr = titles if isinstance(titles, pa.Array) else arrow_strings(titles)
    arr = pc.replace_substring_regex(arr, stop, " ")
    return pc.utf8_trim_whitespace(pc.replace_substring_regex(arr, r"\s+", " "))


def end_words(plain: pa.Array, words: int = 4, at_end: bool = False) -> pd.Series:
    """The first (or last) ``words`` of ``significant`` titles: junk before a title or a
    truncation after it leaves one of the two intact. None for shorter titles."""
    body = r"(?P<w>(?:\S+ ){" + str(words - 1) + r"}\S+)"
    found = pc.extract_regex(plain, body + "$" if at_end else "^" + body)
    return pd.Series(pc.struct_field(found, [0]).to_pandas())


def title_ends(titles: pd.Series, arrow: pa.Array | None = None) -> tuple[pd.Series, pd.Series]:
    """The first and the last four significant words of each title (``end_words``),
    indexed as ``titles``; stop words are stripped once for both (``arrow``: the titles
    already as Arrow strings)."""
    plain = significant(titles if arrow is None else arrow)
    first = end_words(plain).set_axis(titles.index)
    return first, end_words(plain, at_end=True).set_axis(titles.index)


def sort_rank(norm: pd.DataFrame, title: pa.Array | None = None) -> np.ndarray:
    """Each record's rank in (title, first author, year) order: copies of a paper sit side by
    side, which is what a capped block's window relies on (``title``: the titles already
    as Arrow strings)."""
    title = arrow_strings(norm["title"]) if title is None else title
    # missing first ("" sorts before any folded value, which is never empty)
    table = pa.table(
        {
            "title": pc.fill_null(title, ""),
            "first_family": pc.fill_null(arrow_strings(norm["first_family"]), ""),
            "year": pd.to_numeric(norm["year"]).astype("float64").fillna(-np.inf).to_numpy(),
        }
    )
    keys = [(c, "ascending") for c in table.column_names]
    order = pc.sort_indices(table, sort_keys=keys).to_numpy()
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
    return covered_pairs(hits, tokens, len(norm), min_coverage)


def covered_pairs(hits: pd.DataFrame, tokens: Tokens, n: int, min_coverage: float) -> np.ndarray:
    """Pair codes of titled records ``i`` and untitled ``j`` where the (``i``, ``j``, word)
    ``hits`` cover ``min_coverage`` of the title's words, at least two of them."""
    counts = hits.groupby(["i", "j"]).size()
    i = counts.index.get_level_values("i").to_numpy()
    j = counts.index.get_level_values("j").to_numpy()
    need = np.maximum(2, min_coverage * tokens.per_record()[i])
    ok = counts.to_numpy() >= need
    return np.minimum(i[ok], j[ok]) * n + np.maximum(i[ok], j[ok])


def block(norm: pd.DataFrame, max_block: int = MAX_BLOCK) -> tuple[pd.DataFrame, list[BlockStats]]:
    """Candidate pairs (positions ``i_l < i_r`` into ``norm``) and per-rule counts."""
    norm = norm.reset_index(drop=True)
    n = max(len(norm), 1)
    title = arrow_strings(norm["title"])  # once for the words, the order and the ends

    def title_words() -> tuple[Tokens, list[np.ndarray]]:
        tokens = tokenize(title, min_len=3)
        return tokens, rarest_words(tokens, 3)

    # independent, their kernels outside the interpreter: at once
    (tokens, words), rank, (start, end) = run_all(
        title_words, lambda: sort_rank(norm, title), lambda: title_ends(norm["title"], title)
    )

    loose = min(max_block, LOOSE_MAX_BLOCK)

    def on(key, cap: int = loose) -> tuple[np.ndarray, int]:
        return pairs_on_key(key, cap, rank)

    def keyed(codes: np.ndarray) -> pd.Series:
        return pd.Series(codes).where(codes >= 0)

    author = norm["first_family"].astype(object)  # factorised once for both author rules
    author = pd.Series(pd.factorize(author, use_na_sentinel=True)[0]).where(author.notna())
    rules = {
        "doi": lambda: on(norm["doi"], max_block),
        "title_exact": lambda: on(norm["title"], max_block),
        "title_rare_words": lambda: pairs_on_keys(
            np.tile(np.arange(len(norm)), 3),
            keyed(np.concatenate(rare_word_keys(words, len(tokens.vocab)))),
            len(norm),
            loose,
            rank,
        ),
        "title_start": lambda: on(start),
        "title_end": lambda: on(end),
        "first_author_rare_word": lambda: on(joint_key(author, keyed(words[0]))),
        "first_author_year": lambda: on(joint_key(author, norm["year"])),
        "abstract_title": lambda: (abstract_title_pairs(norm, tokens), 0),
    }
    return run_rules(rules, n)


def run_rules(
    rules: dict[str, Callable[[], tuple[np.ndarray, int]]], n: int
) -> tuple[pd.DataFrame, list[BlockStats]]:
    """Run the rules (each gives pair codes ``i_l * n + i_r`` and its count of capped
    blocks; independent, so run concurrently): every pair once, under the first rule in
    order that found it, per rule in pair order, with each rule's statistics."""

    def made(make: Callable[[], tuple[np.ndarray, int]]) -> tuple[np.ndarray, int]:
        codes, big = make()
        return unique_ints(codes), big

    results = thread_map(made, rules.values())
    found, capped = [f for f, _ in results], [c for _, c in results]
    codes = np.concatenate(found).astype(np.int64)
    rule = np.repeat(np.arange(len(found), dtype=np.int8), [len(f) for f in found])
    order = np.argsort(codes, kind="stable")
    first = order[run_starts(codes[order])]
    first = first[np.argsort(rule[first], kind="stable")]
    new = np.bincount(rule[first], minlength=len(found))
    stats = [
        BlockStats(name, len(f), int(k), c) for name, f, k, c in zip(rules, found, new, capped)
    ]
    codes = codes[first]
    pairs = pd.DataFrame(
        {
            "i_l": codes // n,
            "i_r": codes % n,
            "match_key": pd.Categorical.from_codes(  # not a string object per pair
                np.repeat(np.arange(len(found), dtype=np.int8), new), categories=list(rules)
            ),
        }
    )
    return pairs, stats


def joint_key(a: pd.Series, b: pd.Series) -> pd.Series:
    """Integer codes of the value pairs (a, b); missing where either is missing."""
    ca = pd.factorize(a.astype(object), use_na_sentinel=True)[0].astype(np.int64)
    cb = pd.factorize(b.astype(object), use_na_sentinel=True)[0].astype(np.int64)
    code = ca * (cb.max(initial=0) + 1) + cb
    return pd.Series(code).where((ca >= 0) & (cb >= 0))
