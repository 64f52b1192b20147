"""Blocking: candidate pairs from several rules, each pair once, tagged with its rule.

Rules run in order; a pair found by an earlier rule keeps that rule's name as its
``match_key``. Blocks larger than ``max_block`` are skipped (and counted), since a key that
common says nothing about identity and would explode the pair count. Keys are integer
codes wherever possible (words are dictionary-encoded once, see ``tokens.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dedupe.core.arrays import arrow_strings
from dedupe.matching.tokens import STOPWORDS, Tokens, rarest, tokenize, unique_ints

MAX_BLOCK = 100
PREFIX_MAX_BLOCK = 50  # a four-word prefix shared by more records is a common phrase
ABSTRACT_WORD_MAX_DF = 100  # title words rarer than this are looked up in abstracts


@dataclass(frozen=True)
class BlockStats:
    """What one rule produced: pairs generated, new pairs kept, blocks skipped as too big."""

    rule: str
    generated: int
    new: int
    skipped_blocks: int


def pairs_on_key(key, max_block: int) -> tuple[np.ndarray, int]:
    """Codes ``i_l * n + i_r`` (i_l < i_r) of all pairs of records sharing a non-null key,
    and the number of blocks skipped as larger than ``max_block``."""
    key = pd.Series(key)
    n = len(key)
    codes, uniques = pd.factorize(key, use_na_sentinel=True)
    df = pd.DataFrame({"k": codes, "i": np.arange(n, dtype=np.int64)})
    df = df[df["k"] >= 0]
    sizes = np.bincount(df["k"], minlength=len(uniques))
    skipped = int((sizes > max_block).sum())
    ok = (sizes > 1) & (sizes <= max_block)
    df = df[ok[df["k"].to_numpy()]]
    m = df.merge(df, on="k", suffixes=("_l", "_r"))
    il, ir = m["i_l"].to_numpy(), m["i_r"].to_numpy()
    keep = il < ir
    return il[keep] * max(n, 1) + ir[keep], skipped


def rare_token_key(tokens: Tokens, n: int = 2) -> np.ndarray:
    """Per record, a code for the set of its ``n`` rarest title words (-1 if it has fewer):
    robust to word order and to typos in common words."""
    rec, code, _ = rarest(tokens, n)
    full = np.bincount(rec, minlength=tokens.n_records) == n
    keep = full[rec]
    order = np.lexsort((code[keep], rec[keep]))  # each record's n codes, sorted
    rows = code[keep][order].reshape(-1, n)
    owners = rec[keep][order][::n]
    size = np.int64(max(len(tokens.vocab), 1))
    combined = np.zeros(len(rows), dtype=np.int64)
    for k in range(n):
        combined = combined * size + rows[:, k]
    key = np.full(tokens.n_records, -1, dtype=np.int64)
    key[owners] = combined
    return key


def prefix_key(titles: pd.Series, words: int = 4) -> pd.Series:
    """The first ``words`` significant title words (catches typos late in a title); None
    for titles with fewer. Arrow kernels throughout."""
    import pyarrow.compute as pc

    arr = arrow_strings(titles)
    stop = r"\b(?:" + "|".join(sorted(STOPWORDS)) + r")\b"
    arr = pc.utf8_trim_whitespace(
        pc.replace_substring_regex(pc.replace_substring_regex(arr, stop, " "), r"\s+", " ")
    )
    lists = pc.split_pattern(arr, " ")
    enough = pc.fill_null(pc.greater_equal(pc.list_value_length(lists), words), False)
    key = pc.if_else(enough, pc.binary_join(pc.list_slice(lists, 0, words), " "), None)
    return pd.Series(key.to_pandas(), index=titles.index)


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
    first_year = norm["first_family"] + " " + norm["year"].astype("string").astype(object)
    rules = {
        "doi": lambda: pairs_on_key(norm["doi"], max_block),
        "title_exact": lambda: pairs_on_key(norm["title"], max_block),
        "title_rare_tokens": lambda: pairs_on_key(
            pd.Series(rare_token_key(tokens)).replace(-1, np.nan), max_block
        ),
        "title_prefix": lambda: pairs_on_key(
            prefix_key(norm["title"], 4), min(max_block, PREFIX_MAX_BLOCK)
        ),
        "first_author_year": lambda: pairs_on_key(first_year, max_block),
        "abstract_title": lambda: (abstract_title_pairs(norm, tokens), 0),
    }
    parts, stats = [], []
    seen = np.array([], dtype=np.int64)
    for name, make in rules.items():
        codes, skipped = make()
        codes = unique_ints(codes)
        new = codes[~np.isin(codes, seen, assume_unique=True, kind="sort")]
        seen = unique_ints(np.concatenate([seen, new]))
        parts.append(pd.DataFrame({"i_l": new // n, "i_r": new % n, "match_key": name}))
        stats.append(BlockStats(name, len(codes), len(new), skipped))
    pairs = pd.concat(parts, ignore_index=True)
    return pairs.astype({"i_l": "int64", "i_r": "int64"}), stats
