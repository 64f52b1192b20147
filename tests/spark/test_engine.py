"""The Spark engine gives exactly the local engine's pairs, decisions and clusters."""

import pandas as pd
import pytest

from dedupe.matching.engine import match_records
from dedupe.parsing.files import parse_paths
from dedupe.spark.engine import match_records_spark
from tests.conftest import SEEDS


def _synthetic() -> pd.DataFrame:
    """3,000 records built in the tests (no benchmark tables needed): distinct papers and two
    papers with hundreds of copies written differently, so the model is estimated."""
    from tests.matching.test_generalise import background, copies, table

    a = copies(
        300,
        "Peer support in community mental health services",
        "Øgård-Repål",
        "Anita",
        "2022",
        seed=1,
    )
    b = copies(
        300, "Recovery colleges in rural Norway: a cohort study", "Strand", "Mette", "2018", seed=2
    )
    return table(background(2400, seed=11) + a + b)


def _corpora():
    yield "seeds", lambda: parse_paths([SEEDS]).records, 10**9
    # components on Spark too (no local shortcut)
    yield "synthetic-3000", _synthetic, 0


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
