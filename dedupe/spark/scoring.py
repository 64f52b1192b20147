"""Estimation, scoring and decisions on Spark: only small tables reach the driver.

- EM reads the candidate pairs' *level patterns* only (``estimate.level_patterns``): they
  are aggregated on the executors (a ``groupBy`` over the level columns) and the few
  thousand distinct patterns collected, as Splink does; u comes from the levels of a fixed
  sample of random pairs, compared on Spark.
- Scoring, vetoes and decisions are ``engine.pair_codes`` per Arrow batch in
  ``mapInArrow``, the model's parameters and the reviewed decisions travelling in the
  function's closure; only the pairs the outputs list are collected (every pair not both
  distinct and scored under the floor, or all of them), with the count of the rest.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa

from dedupe.matching.comparisons import LEVELS
from dedupe.matching.engine import SCORE_COLUMNS, pair_codes, reviewed_codes
from dedupe.matching.model import DECISIONS, Settings
from dedupe.spark.normalise import batch_schema, ddl

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import Column, DataFrame

LEVEL_COLUMNS = [f"{name}_level" for name in LEVELS]
PAIR_COLUMNS = [("i_l", pa.int64()), ("i_r", pa.int64()), ("rule", pa.int32())]
OWN = "_own"


def spark_patterns(levels: DataFrame) -> pd.DataFrame:
    """``estimate.level_patterns`` of the pairs in ``levels``, aggregated on Spark and
    collected in the local function's order and dtypes."""
    from pyspark.sql import functions as F

    exact = LEVELS["title"].index("exact")
    carriers = F.col("title_carriers").cast("double")
    tf = F.when((F.col("title_level") == exact) & (carriers >= 2), carriers).otherwise(0.0)
    keys = [*LEVEL_COLUMNS, "title_carriers"]
    counted = levels.select(*LEVEL_COLUMNS, tf.alias("title_carriers")).groupBy(*keys).count()
    frame = counted.toArrow().to_pandas()
    dtypes = {**dict.fromkeys(LEVEL_COLUMNS, np.int8), "title_carriers": np.float64}
    frame = frame.astype({**dtypes, "count": np.int64})
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


def _codes_schema(levels: pd.DataFrame, settings: Settings) -> pa.Schema:
    """The Arrow schema of the scoring batches: the pair, then ``pair_codes``' columns
    (from ``levels``: ``compare``'s output on a sample pair)."""
    k = len(levels)
    codes = pair_codes(levels, np.zeros(k, bool), np.zeros(k, np.int8), settings, 2)
    return batch_schema(codes, before=[pa.field(n, t) for n, t in PAIR_COLUMNS])


def _batch_score(settings: Settings, decided: pd.DataFrame, n: int, schema: pa.Schema):
    """The function mapInArrow runs: ``pair_codes`` of each batch of compared pairs."""

    def run(batches):
        for batch in batches:
            frame = batch.to_pandas()
            il, ir = frame["i_l"].to_numpy(), frame["i_r"].to_numpy()
            reviewed = reviewed_codes(il, ir, decided, n)
            codes = pair_codes(frame, frame[OWN].to_numpy(), reviewed, settings, n)
            pair = pd.DataFrame({"i_l": il, "i_r": ir, "rule": frame["rule"].to_numpy()})
            out = pd.concat([pair, codes], axis=1)
            yield pa.RecordBatch.from_pandas(out, schema=schema, preserve_index=False)

    return run


def spark_scored(
    levels: DataFrame, settings: Settings, decided: pd.DataFrame, n: int, sample: pd.DataFrame
) -> DataFrame:
    """Every compared pair scored and decided on the executors (``pair_codes``' columns
    after ``i_l``, ``i_r``, ``rule``); ``sample``: ``compare``'s output on a sample pair."""
    schema = _codes_schema(sample, settings)
    return levels.mapInArrow(_batch_score(settings, decided, n, schema), ddl(schema))


def pair_counts(scored: DataFrame) -> pd.DataFrame:
    """The number of scored pairs per ``rule`` and ``decision`` (their codes), collected."""
    return scored.groupBy("rule", "decision").count().toArrow().to_pandas()


def above_floor(floor: float) -> Column:
    """The pairs ``pairs.csv`` lists: those not distinct, reviewed, or scored at least
    ``floor``."""
    from pyspark.sql import functions as F

    distinct = DECISIONS.index("distinct")
    return (
        (F.col("decision") != distinct) | (F.col("probability") >= floor) | (F.col("reviewed") != 0)
    )


def collect_listed(scored: DataFrame, ids: DataFrame) -> pd.DataFrame:
    """The pairs of ``scored`` on the driver with both records' ids (``record_id_l``,
    ``record_id_r`` from ``ids``: ``_row``, ``record_id``)."""
    return with_ids(scored, ids).toArrow().to_pandas()


def with_ids(pairs: DataFrame, ids: DataFrame) -> DataFrame:
    """``pairs`` (``i_l``, ``i_r``) with both records' ids, ``record_id_l`` and
    ``record_id_r`` (``ids``: ``_row``, ``record_id``)."""
    from pyspark.sql import functions as F

    for p in ("l", "r"):
        side = ids.select(F.col("_row").alias(f"i_{p}"), F.col("record_id").alias(f"record_id_{p}"))
        pairs = pairs.join(side, f"i_{p}")
    return pairs


def _named(values, code: Column) -> Column:
    """The name of each code (0-based) among ``values``."""
    from pyspark.sql import functions as F

    return F.array(*[F.lit(v) for v in values])[code]


def pair_table(scored: DataFrame, ids: DataFrame, refused: DataFrame, rules) -> DataFrame:
    """Every scored pair as the local engine's pair table (``engine.labelled``, then
    ``in_output_order``), on Spark: record ids from ``ids`` (``_row``, ``record_id``),
    codes as their names (``rules``: the rule names), the weak links in ``refused``
    (``i_l``, ``i_r``) sent to review, most probable first, then by record ids."""
    from pyspark.sql import functions as F

    from dedupe.matching.engine import REVIEWED, VETO_REASONS, WEAK_LINK

    weak = refused.select("i_l", "i_r", F.lit(True).alias("_weak"))
    joined = with_ids(scored, ids).join(weak, ["i_l", "i_r"], "left")
    is_weak = F.coalesce(F.col("_weak"), F.lit(False))
    cols = [
        F.col("record_id_l"),
        F.col("record_id_r"),
        _named(rules, F.col("rule")).alias("match_key"),
    ]
    for name, levels in LEVELS.items():
        level = _named(levels, F.col(f"{name}_level")).alias(f"{name}_level")
        cols += [level, F.col(f"{name}_weight")]
    cols += [F.col(c) for c in (*SCORE_COLUMNS, "match_weight", "probability")]
    veto = F.when(is_weak, F.lit(WEAK_LINK)).otherwise(_named(VETO_REASONS, F.col("veto")))
    decision = F.when(is_weak, F.lit("review")).otherwise(_named(DECISIONS, F.col("decision")))
    cols += [veto.alias("veto"), decision.alias("decision")]
    cols += [_named(REVIEWED, F.col("reviewed")).alias("reviewed")]
    order = [F.col("probability").desc(), F.col("record_id_l"), F.col("record_id_r")]
    return joined.select(*cols).orderBy(*order)


def write_one_parquet(frame: DataFrame, path: Path) -> None:
    """``frame`` as one Parquet file at ``path``, in its order: written by Spark as parts
    beside it, then their row groups copied into one file a part at a time."""
    import shutil

    import pyarrow.parquet as pq

    parts_dir = path.with_name(path.name + ".parts")
    frame.write.mode("overwrite").parquet(str(parts_dir))
    parts = sorted(parts_dir.glob("part-*.parquet"))
    try:
        schema = pq.read_schema(parts[0]) if parts else pa.schema([])
        with pq.ParquetWriter(path, schema.remove_metadata()) as writer:
            for part in parts:
                for batch in pq.ParquetFile(part).iter_batches():
                    writer.write_batch(batch)
    finally:
        shutil.rmtree(parts_dir, ignore_errors=True)
