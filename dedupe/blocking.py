"""Blocking: candidate pairs from several rules, each pair once, tagged with its rule.

Rules run in order; a pair found by an earlier rule keeps that rule's name as its
``match_key``. Blocks larger than ``max_block`` are skipped (and counted), since a key that
common says nothing about identity and would explode the pair count.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .checks import STRING_DTYPE
from .normalise import STOPWORDS, explode_words

MAX_BLOCK = 400
RARE_TOKENS = 3
PREFIX_MAX_BLOCK = 50  # a four-word prefix shared by more records is a common phrase


@dataclass(frozen=True)
class BlockStats:
    """What one rule produced: pairs generated, new pairs kept, blocks skipped as too big."""

    rule: str
    generated: int
    new: int
    skipped_blocks: int


def _pairs_on_key(key: pd.Series, max_block: int) -> tuple[pd.DataFrame, int]:
    """All pairs (i_l < i_r, positions) of records sharing a non-null key."""
    df = pd.DataFrame({"k": key.to_numpy(), "i": np.arange(len(key))}).dropna(subset=["k"])
    sizes = df.groupby("k")["i"].transform("size")
    skipped = int(df.loc[sizes > max_block, "k"].nunique())
    df = df[(sizes > 1) & (sizes <= max_block)]
    return _self_join(df, "k"), skipped


def _self_join(df: pd.DataFrame, on: str) -> pd.DataFrame:
    m = df.merge(df, on=on, suffixes=("_l", "_r"))
    m = m[m["i_l"] < m["i_r"]]
    return m[["i_l", "i_r"]]


def title_tokens(titles: pd.Series) -> pd.DataFrame:
    """(i, token) rows: the distinct, non-stop-word title tokens of each record."""
    df = explode_words(titles)
    return df[(df["t"].str.len() >= 3) & ~df["t"].isin(STOPWORDS)].drop_duplicates()


def rarest_tokens(tokens: pd.DataFrame, n: int = RARE_TOKENS) -> pd.DataFrame:
    """Each record's ``n`` rarest title tokens, with their document frequency."""
    tokens = tokens.assign(df=tokens.groupby("t")["i"].transform("size"))
    return tokens.sort_values(["i", "df", "t"]).groupby("i").head(n)


def rare_token_key(tokens: pd.DataFrame, n_records: int, n: int = 2) -> pd.Series:
    """Key of each record's ``n`` rarest title tokens, sorted (robust to word order)."""
    rare = rarest_tokens(tokens, n).sort_values(["i", "t"])
    rare = rare.assign(k=rare.groupby("i").cumcount())
    wide = rare.pivot(index="i", columns="k", values="t")
    if wide.shape[1] < n:
        return pd.Series(None, index=pd.RangeIndex(n_records), dtype=object)
    key = wide[0].str.cat([wide[k] for k in range(1, n)], sep=" ")
    return key.reindex(pd.RangeIndex(n_records)).astype(object).where(lambda k: k.notna(),
                                                                       None)


def prefix_key(titles: pd.Series, words: int = 4) -> pd.Series:
    """The first ``words`` significant title tokens (catches typos late in a title); None
    for titles with fewer. Arrow kernels throughout."""
    import pyarrow as pa
    import pyarrow.compute as pc
    arr = pa.array(titles.astype(object).where(titles.notna(), None).tolist(), type=pa.string())
    stop = r"\b(?:" + "|".join(sorted(STOPWORDS)) + r")\b"
    arr = pc.utf8_trim_whitespace(pc.replace_substring_regex(
        pc.replace_substring_regex(arr, stop, " "), r"\s+", " "))
    lists = pc.split_pattern(arr, " ")
    enough = pc.fill_null(pc.greater_equal(pc.list_value_length(lists), words), False)
    key = pc.if_else(enough, pc.binary_join(pc.list_slice(lists, 0, words), " "), None)
    return pd.Series(key.to_pylist(), index=titles.index, dtype=object)


def abstract_title_pairs(norm: pd.DataFrame, tokens: pd.DataFrame, max_block: int,
                         min_coverage: float = 0.5) -> pd.DataFrame:
    """Untitled records with an abstract meet titled records whose title the abstract
    mostly contains (at least ``min_coverage`` of the title's significant tokens)."""
    untitled = norm[norm["title"].isna() & norm["abstract"].notna()]
    if untitled.empty or tokens.empty:
        return pd.DataFrame({"i_l": [], "i_r": []}, dtype="int64")
    ab = explode_words(untitled["abstract"]).drop_duplicates()
    ab = ab.assign(j=untitled.index.to_numpy()[ab["i"].to_numpy()])[["j", "t"]]
    df = tokens.groupby("t")["i"].transform("size")
    usable = tokens[df <= max_block]
    n_tokens = tokens.groupby("i").size()
    hits = ab.merge(usable, on="t").groupby(["i", "j"]).size().reset_index(name="hits")
    hits = hits[hits["hits"] >= min_coverage * n_tokens.loc[hits["i"]].to_numpy()]
    lo, hi = np.minimum(hits["i"], hits["j"]), np.maximum(hits["i"], hits["j"])
    return pd.DataFrame({"i_l": lo.to_numpy(), "i_r": hi.to_numpy()})


def block(norm: pd.DataFrame, max_block: int = MAX_BLOCK) -> tuple[pd.DataFrame,
                                                                   list[BlockStats]]:
    """Candidate pairs (positions ``i_l < i_r`` into ``norm``) and per-rule counts."""
    norm = norm.reset_index(drop=True)
    tokens = title_tokens(norm["title"])
    first_year = norm["first_family"] + " " + norm["year"].astype(STRING_DTYPE)
    rules = {
        "doi": lambda: _pairs_on_key(norm["doi"], max_block),
        "title_exact": lambda: _pairs_on_key(norm["title"], max_block),
        "title_rare_tokens": lambda: _pairs_on_key(rare_token_key(tokens, len(norm), 2),
                                                   max_block),
        "title_prefix": lambda: _pairs_on_key(prefix_key(norm["title"], 4),
                                              min(max_block, PREFIX_MAX_BLOCK)),
        "first_author_year": lambda: _pairs_on_key(first_year.astype(object), max_block),
        "abstract_title": lambda: (abstract_title_pairs(norm, tokens, max_block), 0),
    }
    seen = pd.DataFrame({"i_l": [], "i_r": [], "match_key": []})
    parts, stats = [], []
    seen_codes = np.array([], dtype="int64")
    n = max(len(norm), 1)
    for name, make in rules.items():
        pairs, skipped = make()
        codes = pairs["i_l"].to_numpy(dtype="int64") * n + pairs["i_r"].to_numpy(dtype="int64")
        codes = np.unique(codes)
        new = codes[~np.isin(codes, seen_codes)]
        seen_codes = np.concatenate([seen_codes, new])
        parts.append(pd.DataFrame({"i_l": new // n, "i_r": new % n, "match_key": name}))
        stats.append(BlockStats(name, len(codes), len(new), skipped))
    del seen
    pairs = pd.concat(parts, ignore_index=True)
    return pairs.astype({"i_l": "int64", "i_r": "int64"}), stats
