"""Blocking on Spark: the local engine's rules (``dedupe.matching.blocking``) as joins.

Each rule gives every record zero or more keys; block sizes are counted per key. A block of
2..cap records becomes all its pairs (a self-join on the key); a block over the cap (a paper
with hundreds of copies, a common "Wang 2020") is never joined with itself: its records are
numbered in (title, first author, year, position) order inside the block and each meets the
``WINDOW`` records after it (a join on the key and the number), exactly the sorted
neighbourhood of the local engine, so skewed keys cost ``size x WINDOW`` pairs and no
quadratic task. A pair found by several rules keeps the first rule's name.

Word codes of the local engine are first-appearance order in the titles, so "rarest word,
ties by code" is "rarest word, ties by its first (record, position)" here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from dedupe.matching.blocking import (
    ABSTRACT_WORD_MAX_DF,
    LOOSE_MAX_BLOCK,
    WINDOW,
    BlockStats,
)
from dedupe.matching.tokens import STOPWORDS

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import Column, DataFrame

ROW = "_row"
RULES = (
    "doi", "title_exact", "title_rare_words", "title_start", "title_end",
    "first_author_rare_word", "first_author_year", "abstract_title",
)  # fmt: skip
TITLE_MIN_LEN = 3  # title words shorter than this are not blocking words (as locally)


def _words(norm: DataFrame, column: str, min_len: int) -> DataFrame:
    """(row, w, pos) of every significant word of ``column`` (stop words and words shorter
    than ``min_len`` dropped)."""
    from pyspark.sql import functions as F

    split = norm.where(F.col(column).isNotNull()).select(
        ROW, F.posexplode(F.split(F.col(column), " ")).alias("pos", "w")
    )
    return split.where(
        (F.length("w") >= min_len) & ~F.col("w").isin(sorted(STOPWORDS)) & (F.col("w") != "")
    )


def _title_tokens(norm: DataFrame) -> DataFrame:
    """Distinct (row, w) title words with their document frequency ``df`` and first
    appearance ``first`` (record, position): the local engine's word order."""
    from pyspark.sql import functions as F

    words = _words(norm, "title", TITLE_MIN_LEN)
    first = words.groupBy("w").agg(
        F.min(F.struct(F.col(ROW), F.col("pos"))).alias("first"),
        F.count_distinct(ROW).alias("df"),
    )
    return words.select(ROW, "w").distinct().join(first, "w")


def _rarest(tokens: DataFrame) -> DataFrame:
    """(row, w0, w1, w2): each titled record's three rarest words (ties by first
    appearance), null where it has fewer."""
    from pyspark.sql import functions as F

    top = tokens.groupBy(ROW).agg(
        F.slice(F.array_sort(F.collect_list(F.struct("df", "first", "w"))), 1, 3).alias("top")
    )
    return top.select(ROW, *[F.get("top", k)["w"].alias(f"w{k}") for k in range(3)])


def _pair_key(a: Column, b: Column) -> Column:
    """One key for an unordered pair of words (null where either is missing)."""
    from pyspark.sql import functions as F

    return F.when(a.isNotNull() & b.isNotNull(), F.concat_ws(" ", F.least(a, b), F.greatest(a, b)))


def _joint(a: Column, b: Column) -> Column:
    """One key for a pair of values (null where either is missing)."""
    from pyspark.sql import functions as F

    return F.when(a.isNotNull() & b.isNotNull(), F.concat_ws("\x1f", a, b.cast("string")))


def _rank_order() -> list[Column]:
    """The local engine's ``sort_rank``: title, first author, year (missing first), then
    position."""
    from pyspark.sql import functions as F

    return [F.col(c).asc_nulls_first() for c in ("title", "first_family", "year", ROW)]


def key_pairs(
    entries: DataFrame, order: DataFrame, window: int = WINDOW
) -> tuple[DataFrame, DataFrame]:
    """(pairs ``i_l < i_r`` of records sharing a key, one row per key over its cap), all
    rules at once. ``entries``: (rule, row, k, cap); ``order``: (row, title, first_family,
    year) for the sorted neighbourhood."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    key = ["rule", "k"]
    entries = entries.where(F.col("k").isNotNull())
    sizes = (
        entries.groupBy(*key)
        .agg(F.count("*").alias("size"), F.first("cap").alias("cap"))
        .where(F.col("size") > 1)
        .localCheckpoint()
    )
    sized = entries.drop("cap").join(sizes, key)
    small = sized.where((F.col("size") > 1) & (F.col("size") <= F.col("cap"))).select(*key, ROW)
    full = (
        small.alias("a")
        .join(small.alias("b"), key)
        .where(F.col(f"a.{ROW}") < F.col(f"b.{ROW}"))
        .select("rule", F.col(f"a.{ROW}").alias("i_l"), F.col(f"b.{ROW}").alias("i_r"))
    )
    big = sized.where(F.col("size") > F.col("cap")).select(*key, ROW).join(order, ROW)
    numbered = big.withColumn(
        "n", F.row_number().over(Window.partitionBy(*key).orderBy(*_rank_order()))
    ).select(*key, ROW, "n")
    ahead = numbered.select(
        *key,
        F.col(ROW).alias("a"),
        F.explode(F.sequence(F.col("n") + 1, F.col("n") + window)).alias("n"),
    )
    windowed = ahead.join(numbered, [*key, "n"]).select(
        "rule", F.least("a", ROW).alias("i_l"), F.greatest("a", ROW).alias("i_r")
    )
    capped = sizes.where(F.col("size") > F.col("cap")).select("rule")
    return full.unionByName(windowed), capped


def _abstract_title(norm: DataFrame, tokens: DataFrame, min_coverage: float = 0.5) -> DataFrame:
    """Untitled records with an abstract against titled records whose significant words
    (each in at most ``ABSTRACT_WORD_MAX_DF`` titles) the abstract mostly contains."""
    from pyspark.sql import functions as F

    untitled = norm.where(F.col("title").isNull() & F.col("abstract").isNotNull())
    ab = _words(untitled, "abstract", TITLE_MIN_LEN).select(F.col(ROW).alias("j"), "w").distinct()
    per_record = tokens.groupBy(ROW).agg(F.count("*").alias("words"))
    usable = tokens.where(F.col("df") <= ABSTRACT_WORD_MAX_DF).select(F.col(ROW).alias("i"), "w")
    hits = ab.join(usable, "w").groupBy("i", "j").agg(F.count("*").alias("hits"))
    need = F.greatest(F.lit(2.0), F.lit(min_coverage) * F.col("words"))
    ok = hits.join(per_record.withColumnRenamed(ROW, "i"), "i").where(F.col("hits") >= need)
    return ok.select(F.least("i", "j").alias("i_l"), F.greatest("i", "j").alias("i_r"))


def _rule_keys(norm: DataFrame, tokens: DataFrame) -> dict[str, DataFrame]:
    """(row, k) entries of every key rule."""
    from pyspark.sql import functions as F

    rare = _rarest(tokens)
    rare_keys = rare.select(
        ROW,
        F.explode(
            F.array(
                _pair_key(F.col("w0"), F.col("w1")),
                _pair_key(F.col("w0"), F.col("w2")),
                _pair_key(F.col("w1"), F.col("w2")),
            )
        ).alias("k"),
    )
    with_rare = norm.join(rare.select(ROW, "w0"), ROW, "left")
    return {
        "doi": norm.select(ROW, F.col("doi").alias("k")),
        "title_exact": norm.select(ROW, F.col("title").alias("k")),
        "title_rare_words": rare_keys,
        "title_start": norm.select(ROW, F.col("_title_start").alias("k")),
        "title_end": norm.select(ROW, F.col("_title_end").alias("k")),
        "first_author_rare_word": with_rare.select(
            ROW, _joint(F.col("first_family"), F.col("w0")).alias("k")
        ),
        "first_author_year": norm.select(
            ROW, _joint(F.col("first_family"), F.col("year")).alias("k")
        ),
    }


def spark_block(norm: DataFrame, max_block: int) -> tuple[DataFrame, list[BlockStats]]:
    """Candidate pairs (``i_l < i_r``, ``rule``: the index in ``RULES`` of the first rule
    that found the pair) and per-rule counts, from normalised records with ``_row`` and the
    per-record keys of ``dedupe.spark.normalise``."""
    from pyspark.sql import functions as F

    norm = norm.select(
        ROW, "title", "abstract", "first_family", "year", "doi", "_title_start", "_title_end"
    )
    tokens = _title_tokens(norm).localCheckpoint()
    order = norm.select(ROW, "title", "first_family", "year")
    loose = min(max_block, LOOSE_MAX_BLOCK)
    caps = {"doi": max_block, "title_exact": max_block}
    entries = _union(
        [
            keys.select(
                F.lit(RULES.index(name)).alias("rule"),
                ROW,
                "k",
                F.lit(caps.get(name, loose)).alias("cap"),
            )
            for name, keys in _rule_keys(norm, tokens).items()
        ]
    ).localCheckpoint()
    pairs, capped = key_pairs(entries, order)
    abstract = _abstract_title(norm, tokens)
    pairs = pairs.unionByName(abstract.withColumn("rule", F.lit(RULES.index("abstract_title"))))
    found = pairs.groupBy("i_l", "i_r").agg(
        F.min("rule").alias("rule"), F.bit_or(F.expr("shiftleft(1, rule)")).alias("rules")
    )
    found = found.localCheckpoint()
    return found.select("i_l", "i_r", "rule"), _stats(found, capped)


def _union(frames: list[DataFrame]) -> DataFrame:
    """The rows of all ``frames`` (same columns)."""
    out = frames[0]
    for frame in frames[1:]:
        out = out.unionByName(frame)
    return out


def _stats(found: DataFrame, capped: DataFrame) -> list[BlockStats]:
    """Per rule: pairs it generated, pairs it found first, keys over its cap."""
    from pyspark.sql import functions as F

    sums = []
    for k in range(len(RULES)):
        sums += [
            F.sum((F.col("rules").bitwiseAND(1 << k) != 0).cast("long")),
            F.sum((F.col("rule") == k).cast("long")),
        ]
    row = found.agg(*sums).collect()[0]
    big: dict[int, int] = {r["rule"]: r["count"] for r in capped.groupBy("rule").count().collect()}
    return [
        BlockStats(name, int(row[2 * k] or 0), int(row[2 * k + 1] or 0), int(big.get(k, 0)))
        for k, name in enumerate(RULES)
    ]


def collect_pairs(pairs: DataFrame) -> pd.DataFrame:
    """The candidate pairs on the driver in the local engine's order (rule, then
    positions), ``match_key`` the rule's name."""
    import numpy as np

    frame = pairs.select("i_l", "i_r", "rule").toArrow().to_pandas()
    frame = frame.sort_values(["rule", "i_l", "i_r"], kind="stable").reset_index(drop=True)
    names = np.array(RULES, dtype=object)
    return pd.DataFrame(
        {
            "i_l": frame["i_l"].to_numpy(np.int64),
            "i_r": frame["i_r"].to_numpy(np.int64),
            "match_key": names[frame["rule"].to_numpy()],
        }
    )
