"""The Spark engine gives exactly the local engine's pairs, decisions and clusters."""

import re

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedupe.cli import PAIR_FLOOR
from dedupe.matching.engine import match_records
from dedupe.matching.estimate import level_patterns
from dedupe.parsing.files import parse_paths
from dedupe.spark.engine import match_records_spark
from dedupe.spark.scoring import spark_patterns
from tests.conftest import SEEDS
from tests.matching.test_generalise import background, copies, table

WORDS = (
    "peer support recovery college mental health rural cohort study trial care nursing "
    "stroke rehabilitation outcomes randomised qualitative children older adults network "
    "database query learning model graph index part"
).split()
FAMILIES = ["Øgård-Repål", "Strand", "Wang", "Müller", "O'Neil", "Nguyen", "Smith"]
GIVEN = ["Anita", "Mette", "Li", "José", "Jan", "Zoë"]


def listed(pairs: pd.DataFrame) -> pd.DataFrame:
    """The local engine's pairs the Spark engine collects with the floor: all but the
    unreviewed distinct pairs scored under it."""
    keep = (
        (pairs["decision"] != "distinct")
        | (pairs["probability"] >= PAIR_FLOOR)
        | (pairs["reviewed"] != "")
    )
    return pairs[keep].reset_index(drop=True)


def _decisions(records: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """Reviewed decisions to pass back: two review pairs same, a merged pair different, and
    two records blocking never paired same (a pair only the decisions add)."""
    picked = [
        (pairs[pairs["decision"] == "review"].head(2), "same"),
        (pairs[pairs["decision"] == "merge"].head(1), "different"),
    ]
    rows = [
        (a, b, verdict)
        for frame, verdict in picked
        for a, b in zip(frame["record_id_l"], frame["record_id_r"])
    ]
    ids = records["record_id"].tolist()
    rows.append((ids[-1], ids[0], "same"))
    return pd.DataFrame(rows, columns=["record_id_l", "record_id_r", "decision"]).assign(note="")


def _assert_same(records: pd.DataFrame, spark, local_edges: int) -> None:
    decisions = _decisions(records, match_records(records).pairs)
    local = match_records(records, decisions=decisions)
    assert (local.pairs["reviewed"] != "").sum() >= 2  # the decisions are applied
    distributed = match_records_spark(
        records, spark, local_edges=local_edges, floor=PAIR_FLOOR, decisions=decisions
    )
    expected = listed(local.pairs)
    assert 0 < len(expected) < len(local.pairs)  # some pairs stay on the executors
    pd.testing.assert_frame_equal(distributed.pairs, expected)
    assert distributed.unlisted_pairs == len(local.pairs) - len(expected)
    pd.testing.assert_frame_equal(distributed.clusters, local.clusters)
    pd.testing.assert_frame_equal(distributed.corpus, local.corpus)
    assert distributed.block_stats == local.block_stats
    assert distributed.estimate == local.estimate


@st.composite
def odd_record(draw) -> dict:
    """A record with drawn fields: titles from a small vocabulary (so blocks form) or any
    text, missing fields, shared DOIs, untitled records whose abstract holds a title."""
    words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(" ".join)
    title = draw(st.one_of(st.none(), words, st.text(max_size=30)))
    family, name = draw(st.sampled_from(FAMILIES)), draw(st.sampled_from(GIVEN))
    return {
        "title": title,
        "abstract": draw(st.one_of(st.none(), words)) if title is None else None,
        "authors": draw(st.sampled_from([None, f"{family}, {name}", f"{name} {family}"])),
        "authors_norm": f"{family}, {name}",
        "year": draw(st.sampled_from([None, "2019", "2020", "n/a", "1999"])),
        "doi": draw(st.sampled_from([None, None, "10.1000/x1", "https://doi.org/10.1000/X2"])),
        "volume": draw(st.sampled_from([None, "12", "vol. 12", "XIV"])),
        "pages": draw(st.sampled_from([None, "106-11", "e12724", "1-10"])),
    }


@st.composite
def corpora(draw) -> pd.DataFrame:
    """A corpus of 500-900 records: background papers, one paper with 150 copies (blocks
    over the cap), a few drawn papers with 2-120 copies and drawn odd records, shuffled."""
    rows = background(draw(st.integers(300, 600)), seed=draw(st.integers(0, 10**6)))
    rows += copies(150, "Peer support in community mental health services", "Øgård-Repål",
                   "Anita", "2022", seed=1)  # fmt: skip
    for k in range(draw(st.integers(1, 3))):
        title = " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=3, max_size=9)))
        rows += copies(
            draw(st.integers(2, 120)),
            title,
            draw(st.sampled_from(FAMILIES)),
            draw(st.sampled_from(GIVEN)),
            str(draw(st.integers(1990, 2025))),
            seed=k,
        )
    rows += draw(st.lists(odd_record(), max_size=40))
    order = draw(st.permutations(range(len(rows))))
    return table([rows[i] for i in order])


def test_level_patterns_aggregated_on_spark_equal_the_local_ones(spark):
    """EM's input: the same patterns, counts, order and dtypes from a groupBy on Spark."""
    from dedupe.matching.blocking import block
    from dedupe.matching.compare import column_arrays, compare_encoded
    from dedupe.matching.normalise import normalise_records

    rows = background(300, seed=3)
    rows += copies(40, "Peer support in rural care", "Strand", "Mette", "2020", seed=2)
    records = table(rows)
    norm = normalise_records(records)
    pairs, _ = block(norm, 100)
    levels = compare_encoded(column_arrays(norm), pairs)
    expected = level_patterns(levels)
    assert expected["count"].sum() == len(levels) and len(expected) < len(levels)
    got = spark_patterns(spark.createDataFrame(levels))
    pd.testing.assert_frame_equal(got, expected)


@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck))
@given(corpora())
def test_spark_engine_equals_local_engine_on_generated_corpora(spark, records):
    # components on Spark too (no local shortcut)
    _assert_same(records, spark, 0)


def test_run_command_with_spark_engine_writes_the_local_outputs(spark, tmp_path):
    """The seeds through ``dedupe run``: byte-identical pairs, clusters, corpus and review
    (``match --engine spark`` takes the same path; the Parquet test runs it)."""
    from click.testing import CliRunner

    from dedupe.cli import main

    runner = CliRunner()
    local = runner.invoke(main, ["run", str(SEEDS), "--out", str(tmp_path / "local")])
    on_spark = runner.invoke(
        main, ["run", str(SEEDS), "--out", str(tmp_path / "spark"), "--engine", "spark"]
    )
    assert "Spark engine on local[2]" in on_spark.output
    assert local.exit_code == on_spark.exit_code, on_spark.output
    for name in ("pairs.csv", "clusters.csv", "corpus.csv", "review.csv"):
        assert (tmp_path / "spark" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()


def parquet_match(tmp_path, run) -> tuple[str, str]:
    """``match --in-parquet --out-parquet`` of the seeds' record table, by ``run`` (argv ->
    its stderr), checked against the local engine: every pair, the clusters and the corpus
    written from Spark as the local engine makes them, and the review list the driver
    collected alone; returns the summary lines of both engines."""
    import pyarrow.parquet as pq
    from click.testing import CliRunner

    from dedupe.cli import main
    from dedupe.spark.io import to_frame

    records = parse_paths([SEEDS]).records
    records.to_parquet(tmp_path / "records.parquet", index=False)
    out = tmp_path / "out"
    # a decision naming a record no longer in the corpus: not applied, and said
    decisions = tmp_path / "decisions.csv"
    decisions.write_text(
        f"record_id_l,record_id_r,decision\n{records['record_id'][0]},gone#1,same\n"
    )
    output = run(
        ["match", "--engine", "spark", "--in-parquet", str(tmp_path / "records.parquet"),
         "--out", str(out), "--out-parquet", "--decisions", str(decisions)]
    )  # fmt: skip
    assert "gone#1 (same) names a record no longer in the corpus" in output
    local = match_records(records)
    # every pair, written from Spark (the driver collected only the pairs to review)
    pairs = pd.read_parquet(out / "pairs.parquet")
    expected = local.pairs.astype(
        {c: str for c in local.pairs.columns if local.pairs[c].dtype == "category"}
    )
    pd.testing.assert_frame_equal(pairs, expected, check_dtype=False)
    assert len(listed(local.pairs)) < len(pairs)
    clusters = pd.read_parquet(out / "clusters.parquet")
    pd.testing.assert_frame_equal(clusters, local.clusters)
    # the corpus merged and written from Spark, as the local engine merges it
    corpus = to_frame(pq.read_table(out / "corpus.parquet"))
    pd.testing.assert_frame_equal(corpus, local.corpus, check_dtype=False)  # ints either way
    assert not (out / "pairs.csv").exists()
    on_driver = CliRunner().invoke(main, ["match", str(SEEDS), "--out", str(tmp_path / "local")])
    assert (out / "review.csv").read_bytes() == (tmp_path / "local" / "review.csv").read_bytes()
    assert (local.pairs["decision"] == "review").any()
    assert f"-> {len(local.corpus)} unique" in output
    summary = re.compile(r"\d+ records -> \d+ unique; \d+ pairs merged, \d+ to review")
    return summary.search(output)[0], summary.search(on_driver.output)[0]


def test_match_reads_and_writes_parquet(spark, tmp_path):
    from click.testing import CliRunner

    from dedupe.cli import main

    def run(argv: list[str]) -> str:
        result = CliRunner().invoke(main, argv)
        assert result.exit_code == 0, result.output
        assert "Spark engine on local[2]" in result.output
        return result.output

    on_spark, on_driver = parquet_match(tmp_path, run)
    assert on_spark == on_driver  # the counts per decision aggregated on Spark


def test_parquet_read_on_spark_as_read_on_the_driver(spark, tmp_path):
    """``read_frame`` (kept on Spark) gives ``read_records``' table: columns as text, the
    record columns added, author names split from text per batch."""
    from dedupe.spark.io import read_frame, read_records, to_frame

    records = parse_paths([SEEDS]).records[["record_id", "title", "authors", "year"]]
    records = records.assign(
        authors=[None if a is None else "; ".join(a) for a in records["authors"]]
    )
    records.assign(times_cited=7).to_parquet(tmp_path / "text.parquet", index=False)
    expected = read_records(spark, tmp_path / "text.parquet")
    assert expected["authors_norm"].map(type).eq(list).any()
    got = to_frame(read_frame(spark, tmp_path / "text.parquet").toArrow())
    pd.testing.assert_frame_equal(got, expected.astype(object).where(expected.notna(), None))


@pytest.mark.parametrize(
    "args,message",
    [
        (["--in-parquet", "{tmp}/none.parquet", "--engine", "spark"], "cannot read as Parquet"),
        (["--in-parquet", "{tmp}/noid.parquet", "--engine", "spark"], "has no record_id"),
        (["--in-parquet", "{tmp}/noid.parquet"], "--in-parquet needs --engine spark"),
        (["--in-parquet", "{tmp}/dup.parquet", "--engine", "spark"], "present and unique"),
    ],
    ids=["missing-file", "no-record-id", "local-engine", "duplicate-id"],
)
def test_bad_parquet_input_is_one_error_line(spark, tmp_path, args, message):
    from click.testing import CliRunner

    from dedupe.cli import main

    pd.DataFrame({"title": ["A study"]}).to_parquet(tmp_path / "noid.parquet", index=False)
    dup = pd.DataFrame({"record_id": ["a", "a"], "title": ["A study", "Another"]})
    dup.to_parquet(tmp_path / "dup.parquet", index=False)
    argv = ["match", "--out", str(tmp_path / "out")] + [a.format(tmp=tmp_path) for a in args]
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_weak_link_guard_and_components_on_spark_match_the_driver(spark):
    """Above ``local_edges`` the guard and the components run on the scored merges on
    Spark: the weak link between two groups is refused there (and sent to review in the
    listed pairs), a reviewed-same link is strong, a distinct pair joins nothing; writing
    Parquet, the driver collects only the pairs to review and the refused links."""
    import numpy as np

    from dedupe.matching.cluster import components
    from dedupe.matching.engine import WEAK_LINK, refuse_weak_links
    from dedupe.spark.engine import SparkRun, _Guard
    from dedupe.spark.merge import cluster_table

    il = np.array([0, 1, 3, 4, 2, 5, 6, 8, 10], dtype=np.int64)
    ir = np.array([1, 2, 4, 5, 3, 6, 7, 9, 11], dtype=np.int64)
    decision = np.array([0, 0, 0, 0, 0, 2, 0, 0, 1], dtype=np.int8)  # 5-6 distinct, 10-11 review
    probability = np.array([1.0, 1.0, 1.0, 1.0, 0.99, 0.2, 1.0, 0.99, 0.5])
    reviewed = np.array([0, 0, 0, 0, 0, 0, 0, 1, 0], dtype=np.int8)  # 8-9 reviewed same
    scored = spark.createDataFrame(
        pd.DataFrame(
            {"i_l": il, "i_r": ir, "decision": decision, "probability": probability,
             "reviewed": reviewed}
        )
    )  # fmt: skip

    def listed():
        names = np.array(["merge", "review", "distinct"])[decision]
        return pd.DataFrame(
            {"decision": names, "veto": [""] * 9, "probability": probability,
             "reviewed": np.array(["", "same"])[reviewed]}
        )  # fmt: skip

    ids = spark.createDataFrame(
        pd.DataFrame({"_row": np.arange(12), "record_id": list("abcdefghijkl")})
    )
    out = listed()
    guard = _Guard(scored)
    named = guard.clusters(out, il, ir, 12, ids)
    table = cluster_table(ids, named).toPandas().sort_values("_row")
    assert table["cluster_id"].tolist() == list("aaadddggiikl")
    local = listed()
    kept = refuse_weak_links(local, il, ir, 12)
    labels = components(12, il[kept], ir[kept])
    assert table["cluster_id"].tolist() == np.array(list("abcdefghijkl"))[labels].tolist()
    pd.testing.assert_frame_equal(out, local)
    assert out["veto"].tolist() == [""] * 4 + [WEAK_LINK] + [""] * 4
    collected = SparkRun(spark, local_edges=0, collect=False)._listed(guard, scored)
    assert sorted((r["i_l"], r["i_r"]) for r in collected.collect()) == [(2, 3), (10, 11)]
