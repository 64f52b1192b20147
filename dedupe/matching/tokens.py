"""Word tokens of a text column as integer codes: the shared basis of rare-word blocking
and abstract-contains-title blocking.

Words are split and dictionary-encoded with Arrow kernels, so a million titles become two
integer arrays (record position, word code) without a Python object per word.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dedupe.core.arrays import arrow_strings, run_starts

STOPWORDS = {
    "a",
    "an",
    "the",
    "of",
    "and",
    "in",
    "on",
    "for",
    "to",
    "with",
    "by",
    "at",
    "from",
    "its",
    "is",
    "as",
    "or",
    "de",
    "la",
    "und",
    "der",
}


@dataclass(frozen=True)
class Tokens:
    """Distinct (record, word) pairs of a text column, as codes into ``vocab``."""

    rec: np.ndarray
    code: np.ndarray
    vocab: pa.Array
    n_records: int

    @property
    def doc_freq(self) -> np.ndarray:
        """How many records hold each vocabulary word."""
        return np.bincount(self.code, minlength=len(self.vocab))

    def per_record(self) -> np.ndarray:
        """How many distinct words each record has."""
        return np.bincount(self.rec, minlength=self.n_records)


def tokenize(
    texts: pd.Series | pa.Array, min_len: int = 1, vocab: pa.Array | None = None
) -> Tokens:
    """The distinct significant words of each text (stop words and words shorter than
    ``min_len`` dropped; ``texts`` may be Arrow strings already). With ``vocab``, words are
    coded against it and unknown ones dropped."""
    arr = texts if isinstance(texts, pa.Array) else arrow_strings(texts)
    lists = pc.split_pattern(arr, " ")
    words = pc.list_flatten(lists)
    rec = pc.list_parent_indices(lists).to_numpy().astype(np.int64)
    if vocab is None:
        enc = (
            pc.dictionary_encode(words).combine_chunks()
            if isinstance(words, pa.ChunkedArray)
            else pc.dictionary_encode(words)
        )
        codes, vocab = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64), enc.dictionary
        known = np.ones(len(codes), dtype=bool)
    else:
        idx = pc.index_in(words, value_set=vocab)
        known = pc.is_valid(idx).to_numpy(zero_copy_only=False)
        codes = pc.fill_null(idx, 0).to_numpy(zero_copy_only=False).astype(np.int64)
    usable = pc.and_(
        pc.greater_equal(pc.utf8_length(vocab), min_len),
        pc.invert(pc.is_in(vocab, value_set=pa.array(sorted(STOPWORDS)))),
    )
    usable = pc.fill_null(usable, False).to_numpy(zero_copy_only=False)
    keep = known & usable[codes]
    size = max(len(vocab), 1)
    key = unique_ints(rec[keep] * size + codes[keep])
    return Tokens(key // size, key % size, vocab, len(texts))


def unique_ints(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values of an integer array (a sort beats numpy 2's hash-based
    ``np.unique`` here by a wide margin)."""
    values = np.sort(values)
    return values[np.r_[True, values[1:] != values[:-1]]] if len(values) else values


def rarest(tokens: Tokens, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rec, code, rank) of each record's ``n`` rarest title words: see ``rarest_entries``."""
    return rarest_entries(tokens.rec, tokens.code, tokens.doc_freq, n)


def rarest_entries(
    rec: np.ndarray, code: np.ndarray, doc_freq: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rec, code, rank) of each record's ``n`` rarest words among the distinct (record,
    word) entries given (fewer if it has fewer): rarest first by ``doc_freq``, ties by word
    code; sorted by record, rank 0 the rarest."""
    # each word's rank by (document frequency, code): one integer sort key per entry
    by_rarity = np.lexsort((np.arange(len(doc_freq)), doc_freq))
    rank_of = np.empty(len(doc_freq), dtype=np.int64)
    rank_of[by_rarity] = np.arange(len(doc_freq))
    size = np.int64(max(len(doc_freq), 1))
    key = np.sort(np.asarray(rec, dtype=np.int64) * size + rank_of[code])
    rec, code = key // size, by_rarity[key % size]
    starts = run_starts(rec)
    rank = np.arange(len(rec)) - np.repeat(starts, np.diff(np.r_[starts, len(rec)]))
    keep = rank < n
    return rec[keep], code[keep], rank[keep]
