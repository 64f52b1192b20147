"""The Spark engine gives exactly the local engine's pairs, decisions and clusters."""

import sys

import pandas as pd
import pytest

from dedupe.matching.engine import match_records
from dedupe.parsing.files import parse_paths
from dedupe.spark.engine import match_records_spark
from tests.conftest import ROOT, SEEDS


def _corpora():
    yield "seeds", lambda: parse_paths([SEEDS]).records, 10**9
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import generate

    # components on Spark too (no local shortcut)
    yield "generated-3000", lambda: generate(3000, seed=11).drop(columns="entity_id"), 0


@pytest.mark.parametrize("name,load,local_edges", list(_corpora()), ids=[c[0] for c in _corpora()])
def test_spark_engine_equals_local_engine(spark, name, load, local_edges):
    records = load()
    local = match_records(records)
    distributed = match_records_spark(records, spark, local_edges=local_edges)
    pd.testing.assert_frame_equal(distributed.pairs, local.pairs)
    pd.testing.assert_frame_equal(distributed.clusters, local.clusters)
    pd.testing.assert_frame_equal(distributed.corpus, local.corpus)
    assert (local.pairs["decision"] == "merge").any()


def test_match_command_with_spark_engine_writes_the_local_outputs(spark, tmp_path):
    from click.testing import CliRunner

    from dedupe.cli import main

    runner = CliRunner()
    local = runner.invoke(main, ["match", str(SEEDS), "--out", str(tmp_path / "local")])
    on_spark = runner.invoke(
        main, ["match", str(SEEDS), "--out", str(tmp_path / "spark"), "--engine", "spark"]
    )
    assert local.exit_code == on_spark.exit_code, on_spark.output
    for name in ("pairs.csv", "clusters.csv", "corpus.csv", "review.csv"):
        assert (tmp_path / "spark" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()
