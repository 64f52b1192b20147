"""``--engine spark``: the matching run on Spark, the driver holding only small tables.

The pandas batch functions of :mod:`dedupe.matching` stay the single source of truth.
Records are normalised per Arrow batch in ``mapInArrow`` (corpus-wide figures as
aggregations, :mod:`dedupe.spark.normalise`); blocking is joins on key columns with
block-size counts, oversized blocks as sorted neighbourhoods (:mod:`dedupe.spark.blocking`);
the candidate pairs are joined with both records' normalised rows and
``dedupe.matching.compare.compare`` runs per Arrow batch in ``mapInArrow``. EM reads the
level patterns aggregated on Spark, and scoring, vetoes and decisions run per batch
(:mod:`dedupe.spark.scoring`); the driver collects the patterns, a random sample's levels
and the pairs the outputs list (writing Parquet: the pairs to review), their record ids
joined on Spark; for a large graph the weak-link guard and the connected components of the
merges are joins on Spark (:mod:`dedupe.spark.components`). The clusters stay on Spark and
the merge runs per cluster on the executors (:mod:`dedupe.spark.merge`). Pairs, decisions,
clusters and the merged corpus are exactly the local engine's (tested).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa

from dedupe.matching.blocking import BlockStats
from dedupe.matching.compare import compare
from dedupe.matching.engine import (
    REVIEWED,
    WEAK_LINK,
    Executor,
    MatchResult,
    _Clock,
    canonical_decisions,
    decided_positions,
    in_output_order,
    labelled,
    match_records,
    own_reference,
    record_kinds,
    refuse_weak_links,
    send_to_review,
)
from dedupe.matching.estimate import MIN_RECORDS, estimate_from_patterns, shipped
from dedupe.matching.merge import CORPUS_COLUMNS
from dedupe.matching.model import DECISIONS, Settings
from dedupe.matching.normalise import MATCH_FIELDS, normalise_records
from dedupe.spark.blocking import RULES, collect_pairs, spark_block
from dedupe.spark.io import to_frame
from dedupe.spark.merge import (
    MERGE_COLUMNS,
    ORDER,
    cluster_table,
    collect_corpus,
    named_clusters,
    spark_merge,
)
from dedupe.spark.normalise import (
    arrow_ready,
    batch_schema,
    collect_norm,
    ddl,
    restore,
    spark_normalise,
    with_positions,
)
from dedupe.spark.scoring import (
    LEVEL_COLUMNS,
    OWN,
    PAIR_COLUMNS,
    above_floor,
    collect_listed,
    pair_counts,
    pair_table,
    spark_patterns,
    spark_scored,
    write_one_parquet,
)

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame, SparkSession

ROW = "_row"
PAIR = "_pair"
KIND_COLUMNS = ["l__file", "l__kind", "r__file", "r__kind"]
MATCH_COLUMNS = ["record_id", *MATCH_FIELDS]
RULE_NAMES = np.array([*RULES, "decision"], dtype=object)


def sample_levels(sample: pd.DataFrame) -> pd.DataFrame:
    """``compare``'s output on one pair: the two normalised rows of ``sample``."""
    return compare(sample.iloc[:2].reset_index(drop=True), pd.DataFrame({"i_l": [0], "i_r": [1]}))


def _levels_schema(sample: pd.DataFrame, keep: pa.Schema) -> pa.Schema:
    """The Arrow schema of ``compare``'s output (from a ``sample`` of two normalised
    rows), plus the ``keep`` columns carried through."""
    return batch_schema(sample_levels(sample), after=keep)


def _batch_compare(dtypes: pd.Series, schema: pa.Schema, keep: list[str], kinds: bool = False):
    """The function mapInArrow runs: rebuild both sides of each pair and call compare; the
    ``keep`` columns carried through; with ``kinds``, ``_own`` (a page's record against
    its own list) from each side's ``_file``/``_kind``."""
    left = [f"l_{c}" for c in dtypes.index]
    right = [f"r_{c}" for c in dtypes.index]

    def run(batches):
        for batch in batches:
            frame = batch.to_pandas()
            k = len(frame)
            sides = [frame[cols].set_axis(list(dtypes.index), axis=1) for cols in (left, right)]
            norm = restore(pd.concat(sides, ignore_index=True), dtypes)
            pairs = pd.DataFrame({"i_l": np.arange(k), "i_r": np.arange(k, 2 * k)})
            levels = compare(norm, pairs).assign(**{c: frame[c].to_numpy() for c in keep})
            if kinds:
                levels[OWN] = own_reference(*(frame[c].to_numpy() for c in KIND_COLUMNS))
            yield pa.RecordBatch.from_pandas(levels, schema=schema, preserve_index=False)

    return run


def _sides(rows: DataFrame, cols: list[str]) -> dict[str, DataFrame]:
    """Both sides' columns of the normalised rows, as ``i_l, l_<col>`` and ``i_r, r_<col>``."""
    from pyspark.sql import functions as F

    return {
        p: rows.select(F.col(ROW).alias(f"i_{p}"), *[F.col(c).alias(f"{p}_{c}") for c in cols])
        for p in ("l", "r")
    }


def _compared(
    rows: DataFrame, pairs: DataFrame, sample: pd.DataFrame, keep: pa.Schema
) -> DataFrame:
    """``compare`` of ``pairs`` (``i_l``, ``i_r`` and the ``keep`` columns) per Arrow batch,
    each pair joined with both normalised rows (with ``_file``/``_kind`` when ``rows`` has
    them: then ``_own`` too); ``sample``: two normalised rows giving the dtypes."""
    dtypes = sample.dtypes
    kinds = "_file" in rows.columns
    cols = list(dtypes.index) + (["_file", "_kind"] if kinds else [])
    side = _sides(rows, cols)
    joined = pairs.join(side["l"], "i_l").join(side["r"], "i_r")
    extra = [pa.field(OWN, pa.bool_())] if kinds else []
    schema = _levels_schema(sample, pa.schema([*keep, *extra]))
    run = _batch_compare(dtypes, schema, keep.names, kinds)
    return joined.mapInArrow(run, ddl(schema))


def spark_compare(
    spark: SparkSession, norm: pd.DataFrame, pairs: pd.DataFrame, rows: DataFrame | None = None
) -> pd.DataFrame:
    """``compare(norm, pairs)`` computed on Spark: pairs joined with both rows (``rows``:
    the normalised records on Spark with ``_row``, else ``norm`` uploaded), compared per
    Arrow batch, collected back in the pairs' order."""
    if len(pairs) == 0 or len(norm) < 2:
        return compare(norm, pairs)
    if rows is None:
        rows = spark.createDataFrame(
            arrow_ready(norm).assign(**{ROW: np.arange(len(norm), dtype=np.int64)})
        )
    pair_df = spark.createDataFrame(
        pd.DataFrame(
            {
                PAIR: np.arange(len(pairs), dtype=np.int64),
                "i_l": pairs["i_l"].to_numpy(np.int64),
                "i_r": pairs["i_r"].to_numpy(np.int64),
            }
        )
    )
    keep = pa.schema([pa.field(PAIR, pa.int64())])
    table = _compared(rows.select(ROW, *norm.columns), pair_df, norm.iloc[:2], keep).toArrow()
    levels = table.to_pandas().sort_values(PAIR).drop(columns=PAIR)
    return levels.set_index(pairs.index)


LOCAL_EDGES = 5_000_000
"""Up to this many accepted pairs, the components are computed on the driver (scipy, the
same labels): a few Spark jobs per join round cost more than that."""


def spark_components(
    spark: SparkSession, n: int, left: np.ndarray, right: np.ndarray, local_edges: int = LOCAL_EDGES
) -> np.ndarray:
    """Cluster label (smallest member position) of each of ``n`` nodes, on Spark."""
    from dedupe.matching.cluster import components
    from dedupe.spark.components import label_nodes

    if len(left) <= local_edges:
        return components(n, left, right)
    edges = spark.createDataFrame(
        pd.DataFrame({"src": np.asarray(left, np.int64), "dst": np.asarray(right, np.int64)})
    )
    labels = pd.DataFrame(label_nodes(spark, n, edges).toPandas()).sort_values("node")
    return labels["component"].to_numpy(dtype=np.int64)


class SparkRun:
    """One matching run on Spark: the normalised records, candidate pairs, their levels and
    scores stay on Spark; the driver gets the level patterns, the listed pairs and the
    clusters. ``floor``: distinct, unreviewed pairs scored under it stay on the executors
    (counted in ``MatchResult.unlisted_pairs``); None collects every pair. Without
    ``collect`` (Parquet outputs) the pairs, clusters and merged corpus stay on Spark and
    are written from there (``MatchResult.write_pairs``, ``write_clusters``,
    ``write_corpus``), the driver collecting only the pairs to review."""

    def __init__(
        self,
        spark: SparkSession,
        local_edges: int = LOCAL_EDGES,
        floor: float | None = None,
        collect: bool = True,
    ):
        self.spark = spark
        self.local_edges = local_edges
        self.floor = floor
        self.collect = collect
        self.norm: DataFrame | None = None
        self.source: DataFrame | None = None
        self.sample = pd.DataFrame()

    def _on_spark(self, records: pd.DataFrame) -> DataFrame:
        """The records uploaded to Spark (the columns matching and the merge read, each
        record's file code and kind) and normalised there (``_use``)."""
        frame = records.reindex(columns=[*MATCH_COLUMNS, *_merge_only(records.columns)])
        kinds = record_kinds(records).rename(columns={"file": "_file", "kind": "_kind"})
        upload = arrow_ready(frame).assign(
            **{ROW: np.arange(len(frame), dtype=np.int64)},
            _file=kinds["_file"].to_numpy(np.int64),
            _kind=kinds["_kind"].to_numpy(),
        )
        return self._use(self.spark.createDataFrame(upload))

    def _from_spark(self, records: DataFrame) -> int:
        """The records read by Spark (``--in-parquet``) numbered in their order, with each
        record's file code (its file's first row; -1 without a file) and kind
        (``record_kinds``' codes), normalised there (``_use``); returns their number (the
        driver keeps no column of them)."""
        from pyspark.sql import functions as F

        columns = [*MATCH_COLUMNS, *_merge_only(records.columns)]
        numbered = with_positions(records.select(*columns)).localCheckpoint()
        filed = numbered.where(F.col("source_file").isNotNull())
        files = filed.groupBy("source_file").agg(F.min(ROW).alias("_code"))
        role = F.col("role")
        kind = F.when(role == "main", 1).when(role.isin("reference", "related"), 2).otherwise(0)
        source = numbered.join(files, "source_file", "left").select(
            *numbered.columns,
            F.coalesce(F.col("_code"), F.lit(-1)).cast("long").alias("_file"),
            kind.cast("tinyint").alias("_kind"),
        )
        self._use(source)
        assert self.source is not None
        return self.source.count()

    def _use(self, source: DataFrame) -> DataFrame:
        """``source`` (records with ``_row``, ``_file``, ``_kind``) and its normalised
        records (``normalise_records`` on the executors) kept (cached) on Spark."""
        from pyspark.sql import functions as F

        for table in (self.norm, self.source):
            if table is not None:
                table.unpersist()
        self.source = source.cache()
        first = self.source.where(F.col(ROW) < 2).select(ROW, *MATCH_COLUMNS).toArrow()
        sample = to_frame(first.take(np.argsort(first.column(ROW).to_numpy())))
        sample = sample.drop(columns=ROW)
        self.norm = spark_normalise(self.source.select(ROW, *MATCH_COLUMNS), sample).cache()
        self.sample = normalise_records(sample)
        return self.norm

    def normalise(self, records: pd.DataFrame) -> pd.DataFrame:
        """``normalise_records`` on the executors; the table collected to the driver."""
        return collect_norm(self._on_spark(records), self.sample.dtypes)

    def block(self, norm: pd.DataFrame, max_block: int) -> tuple[pd.DataFrame, list[BlockStats]]:
        """Blocking as joins on Spark; the pairs collected in the local engine's order."""
        assert self.norm is not None, "normalise runs first"
        pairs, stats = spark_block(self.norm, max_block)
        return collect_pairs(pairs), stats

    def compare(self, norm: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
        """The per-pair comparison on Spark."""
        return spark_compare(self.spark, norm, pairs, self.norm)

    def components(self, n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Connected components on Spark (on the driver up to ``local_edges`` edges)."""
        return spark_components(self.spark, n, left, right, self.local_edges)

    def match(
        self,
        records: pd.DataFrame | DataFrame,
        settings: Settings,
        decisions: pd.DataFrame | None = None,
        on_blocked: Callable[[list[BlockStats]], None] | None = None,
        build_corpus: bool = True,
        anomalies: pd.DataFrame | None = None,
    ) -> MatchResult:
        """``match_records`` with estimation from level patterns and scoring, decisions
        and the components' edges on Spark (see the module's docstring). ``records``: a
        table on the driver, or one read by Spark (``io.read_frame``), of which the
        driver then gets only the number."""
        from pyspark.sql import functions as F

        clock = _Clock()
        if isinstance(records, pd.DataFrame):
            n = len(records)
            if n >= 2:
                self._on_spark(records)
        else:
            n = self._from_spark(records)
            if n < 2:
                records = to_frame(records.toArrow())
        if n < 2:  # nothing to distribute
            return match_records(records, settings, decisions, on_blocked,
                                 build_corpus=build_corpus, anomalies=anomalies)  # fmt: skip
        norm = self.norm
        assert self.source is not None and norm is not None
        ids = self.source.select(ROW, "record_id")
        rows = norm.join(self.source.select(ROW, "_file", "_kind"), ROW)
        clock.lap("normalise")
        found, stats = spark_block(norm, settings.max_block)
        clock.lap("block")
        if on_blocked:
            on_blocked(stats)
        decided = self._decided(decisions, ids)
        keep = pa.schema([pa.field(name, kind) for name, kind in PAIR_COLUMNS])
        pairs = self._with_decided(found, decided)
        levels = _compared(rows, pairs, self.sample, keep).localCheckpoint()
        clock.lap("compare")
        estimate = self._estimate(levels, rows, n, settings)
        settings = settings.with_(mu=estimate.mu, prior=estimate.prior)
        clock.lap("estimate")
        sample = sample_levels(self.sample)
        scored = spark_scored(levels, settings, decided, n, sample).localCheckpoint()
        counts = pair_counts(scored)
        per_rule = counts.groupby("rule")["count"].sum().to_dict()
        by_decision = counts.groupby("decision")["count"].sum()
        merges = int(by_decision.get(DECISIONS.index("merge"), 0))
        guard = _Guard(scored) if merges > self.local_edges else None
        listed = collect_listed(self._listed(guard, scored), ids)
        il, ir = listed["i_l"].to_numpy(), listed["i_r"].to_numpy()
        id_l, id_r = listed.pop("record_id_l").to_numpy(), listed.pop("record_id_r").to_numpy()
        keys = sorted(RULE_NAMES[k] for k in per_rule)
        out = labelled(listed, id_l, id_r, RULE_NAMES[listed["rule"].to_numpy()], keys)
        clock.lap("decide")
        if guard is None:
            kept = refuse_weak_links(out, il, ir, n)
            named = self._uploaded(il[kept], ir[kept], ids)
        else:
            named = guard.clusters(out, il, ir, n, ids)
        table = cluster_table(ids, named)
        cl, write_clusters, sizes = pd.DataFrame(columns=["record_id", "cluster_id"]), None, None
        if self.collect:
            cl = _collected(table)
        else:
            write_clusters = partial(write_one_parquet, table.orderBy(ROW).drop(ROW))
            members, groups = named.agg(F.count("*"), F.countDistinct(ORDER)).collect()[0]
            sizes = (n, n - int(members) + int(groups))  # one job
        clock.lap("cluster")
        corpus, write_corpus = pd.DataFrame(), None
        if build_corpus:
            corpus, write_corpus = self._merge(named, anomalies)
        clock.lap("merge")
        weak = (out["veto"] == WEAK_LINK).to_numpy()
        refused = pd.DataFrame({"i_l": il[weak], "i_r": ir[weak]}, dtype=np.int64)
        decided_counts = None
        if not self.collect:  # the driver keeps the pairs to review
            decided_counts = {name: int(by_decision.get(k, 0)) for k, name in enumerate(DECISIONS)}
            decided_counts["merge"] -= int(weak.sum())  # the guard sent them to review
            decided_counts["review"] += int(weak.sum())
            review = (out["decision"] == "review").to_numpy()
            out, id_l, id_r = out[review].reset_index(drop=True), id_l[review], id_r[review]
        codes, uniques = pd.factorize(np.concatenate([id_l, id_r]))
        out = in_output_order(out, codes[: len(out)], codes[len(out) :], uniques)
        unlisted = sum(per_rule.values()) - len(out)
        writer = None
        if self.floor is not None or not self.collect:
            writer = partial(self._write_pairs, scored, ids, refused)
        return MatchResult(
            out,
            cl,
            corpus,
            stats,
            clock.laps,
            clock.peaks,
            estimate,
            unlisted,
            writer,
            write_corpus,
            write_clusters,
            sizes,
            decided_counts,
        )

    def _listed(self, guard: _Guard | None, scored: DataFrame) -> DataFrame:
        """The scored pairs the driver collects: with ``collect``, those ``pairs.csv``
        lists (all without a floor); else (Parquet written from Spark) those the review
        list may hold: the pairs to review and the merges the weak-link guard reads (on
        the driver) or refused (on Spark)."""
        from pyspark.sql import functions as F

        if self.collect:
            return scored if self.floor is None else scored.where(above_floor(self.floor))
        review = F.col("decision") == DECISIONS.index("review")
        if guard is None:
            return scored.where(review | (F.col("decision") == DECISIONS.index("merge")))
        refused = guard.refused.select(F.col("src").alias("i_l"), F.col("dst").alias("i_r"))
        return scored.where(review).unionByName(scored.join(refused, ["i_l", "i_r"], "left_semi"))

    def _decided(self, decisions: pd.DataFrame | None, ids: DataFrame) -> pd.DataFrame:
        """``decided_positions`` of the reviewed decisions, their ids looked up on Spark."""
        from pyspark.sql import functions as F

        if decisions is None or decisions.empty:
            return decided_positions(None, np.array([]))
        decisions = canonical_decisions(decisions)
        frame = pd.DataFrame(
            {
                "_k": np.arange(len(decisions), dtype=np.int64),
                "a": decisions["record_id_l"].to_numpy(str),
                "b": decisions["record_id_r"].to_numpy(str),
                "code": np.where(decisions["decision"].to_numpy() == "same", 1, 2),
            }
        )
        found = self.spark.createDataFrame(frame, "_k long, a string, b string, code long")
        for end in ("a", "b"):
            pos = ids.select(F.col("record_id").alias(end), F.col(ROW).alias(f"{end}_pos"))
            found = found.join(pos, end)
        got = found.select("_k", "a_pos", "b_pos", "code").toArrow().to_pandas()
        got = got.sort_values("_k")
        a, b = got["a_pos"].to_numpy(np.int64), got["b_pos"].to_numpy(np.int64)
        code = got["code"].to_numpy(np.int64)
        return pd.DataFrame({"i_l": np.minimum(a, b), "i_r": np.maximum(a, b), "code": code})

    def _write_pairs(
        self, scored: DataFrame, ids: DataFrame, refused: pd.DataFrame, path: Path
    ) -> None:
        """Every scored pair as the pair table, one Parquet file at ``path``, written from
        Spark (``refused``: the weak links the clustering sent to review, as positions)."""
        weak_df = self.spark.createDataFrame(refused, "i_l long, i_r long")
        write_one_parquet(pair_table(scored, ids, weak_df, RULE_NAMES.tolist()), path)

    def _merge(self, named: DataFrame, anomalies):
        """The merge per cluster on the executors (``spark.merge``; ``named``: the records
        of clusters of 2+ with their cluster): the corpus collected, or (without
        ``collect``) an empty one and the function writing it from Spark."""
        assert self.source is not None
        columns = [c for c in MERGE_COLUMNS if c in self.source.columns]
        merged = spark_merge(self.source.select(ROW, *columns), named, anomalies)
        if self.collect:
            return collect_corpus(merged), None
        ordered = merged.orderBy(ORDER).drop(ORDER)
        return pd.DataFrame(columns=CORPUS_COLUMNS), partial(write_one_parquet, ordered)

    def _with_decided(self, found: DataFrame, decided: pd.DataFrame) -> DataFrame:
        """The candidate pairs plus the reviewed pairs blocking did not find (rule
        ``decision``); a pair found by blocking keeps its rule."""
        from pyspark.sql import functions as F

        if decided.empty:
            return found
        extra = pd.DataFrame(
            {
                "i_l": decided["i_l"].to_numpy(np.int64),
                "i_r": decided["i_r"].to_numpy(np.int64),
                "rule": np.full(len(decided), len(RULES), dtype=np.int32),
            }
        )
        both = found.unionByName(self.spark.createDataFrame(extra))
        return both.groupBy("i_l", "i_r").agg(F.min("rule").alias("rule"))

    def _estimate(self, levels: DataFrame, rows: DataFrame, n: int, settings: Settings):
        """The model for this corpus from the pairs' level patterns (aggregated on Spark)
        and a random sample's levels (compared on Spark), as ``estimate_model``."""
        if not settings.estimate:
            return shipped(settings.mu, n, settings.prior)
        if n < MIN_RECORDS:
            return shipped(settings.mu, n)

        def sample_levels(sample: pd.DataFrame) -> pd.DataFrame:
            pairs = self.spark.createDataFrame(sample.astype(np.int64))
            compared = _compared(rows, pairs, self.sample, pa.schema([]))
            return compared.select(*LEVEL_COLUMNS).toArrow().to_pandas()

        return estimate_from_patterns(n, spark_patterns(levels), settings.mu, sample_levels)

    def _uploaded(self, left: np.ndarray, right: np.ndarray, ids: DataFrame) -> DataFrame:
        """``named_clusters`` of the merges ``left``/``right`` (positions), their
        components found on the driver and the clustered records uploaded."""
        from dedupe.matching.cluster import components

        nodes, ends = np.unique(np.concatenate([left, right]), return_inverse=True)
        k = len(left)
        labels = components(len(nodes), ends[:k], ends[k:])  # nodes sorted: same labels
        members = pd.DataFrame({ROW: nodes, ORDER: nodes[labels]}, dtype=np.int64)
        upload = self.spark.createDataFrame(members, f"{ROW} long, {ORDER} long")
        return named_clusters(upload, ids).localCheckpoint()

    def executor(self) -> Executor:
        """The stages as the matching engine takes them, and the whole run."""
        return Executor(self.normalise, self.block, self.compare, self.components, self.match)


def _merge_only(columns) -> list[str]:
    """The merge's columns among ``columns`` that matching does not read."""
    return [c for c in MERGE_COLUMNS if c in columns and c not in MATCH_COLUMNS]


def spark_executor(
    spark: SparkSession,
    local_edges: int = LOCAL_EDGES,
    floor: float | None = None,
    collect: bool = True,
) -> Executor:
    """The matching run on ``spark`` (``floor`` and ``collect`` as ``SparkRun``'s)."""
    return SparkRun(spark, local_edges, floor, collect).executor()


def match_records_spark(
    records: pd.DataFrame,
    spark: SparkSession | None = None,
    local_edges: int = LOCAL_EDGES,
    floor: float | None = None,
    **options,
) -> MatchResult:
    """``match_records`` on Spark (``options`` as there; ``floor`` as ``SparkRun``'s)."""
    from dedupe.spark.session import get_session

    executor = spark_executor(spark or get_session(), local_edges, floor)
    return match_records(records, executor=executor, **options)


def _collected(table: DataFrame) -> pd.DataFrame:
    """The clusters table (``merge.cluster_table``) on the driver, in row order."""
    frame = table.toArrow().to_pandas()
    frame = frame.sort_values(ROW, kind="stable").drop(columns=ROW)
    return frame.reset_index(drop=True)


class _Guard:
    """The weak-link guard and the components on Spark, from the scored pairs' merges
    (``cluster.clusters`` as joins: ``components.guarded_components``, the merges pinned
    once); the refused links collected only to send them to review."""

    def __init__(self, scored: DataFrame):
        from pyspark.sql import functions as F

        from dedupe.matching.cluster import STRONG
        from dedupe.spark.components import guarded_components

        same = (F.col("reviewed") == REVIEWED.index("same")).cast("double")
        merges = scored.where(F.col("decision") == DECISIONS.index("merge")).select(
            F.col("i_l").alias("src"),
            F.col("i_r").alias("dst"),
            (F.col("probability") + same).alias("strength"),
        )
        self.refused, self.members = guarded_components(merges, STRONG)
        self.weak = self.refused.toArrow()

    def clusters(self, out: pd.DataFrame, il, ir, n: int, ids: DataFrame) -> DataFrame:
        """The refused links sent to review in ``out`` (the collected pairs, at positions
        ``il``/``ir`` among ``n``), and ``named_clusters`` of the other merges."""
        from pyspark.sql import functions as F

        key = il.astype(np.int64) * n + ir
        weak_key = self.weak.column("src").to_numpy() * n + self.weak.column("dst").to_numpy()
        send_to_review(out, np.flatnonzero(np.isin(key, weak_key)))
        members = self.members.select(F.col("node").alias(ROW), F.col("component").alias(ORDER))
        return named_clusters(members, ids).localCheckpoint()
