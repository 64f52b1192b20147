"""The Spark engine through Spark Connect (no RDD, no py4j): ``SPARK_REMOTE`` makes the
session a Connect client, here of a server started in a child process."""

import os
import subprocess
import sys

from click.testing import CliRunner

from dedupe.cli import main
from tests.conftest import SEEDS
from tests.spark.test_engine import parquet_match

PROGRAM = "from dedupe.cli import program; program()"


def _program(argv: list[str], code: str = PROGRAM) -> subprocess.CompletedProcess:
    """The ``dedupe`` program (or ``code``) in a child process whose Spark session is a
    Spark Connect client (``SPARK_REMOTE=local[2]``: a server started in the child)."""
    env = {**os.environ, "SPARK_REMOTE": "local[2]", "DEDUPE_SPARK_MASTER": "not-used"}
    return subprocess.run(
        [sys.executable, "-c", code, *argv], env=env, capture_output=True, text=True, timeout=600
    )


def test_run_on_spark_connect_writes_the_local_outputs(spark, tmp_path):
    """``dedupe run --engine spark`` with ``SPARK_REMOTE=local[2]`` (a Spark Connect
    session) writes the local engine's pairs, clusters, corpus and review byte for byte."""
    local = CliRunner().invoke(main, ["run", str(SEEDS), "--out", str(tmp_path / "local")])
    done = _program(["run", str(SEEDS), "--out", str(tmp_path / "connect"), "--engine", "spark"])
    assert done.returncode == local.exit_code, done.stderr[-3000:]
    assert "(Spark Connect)" in done.stderr
    for name in ("pairs.csv", "clusters.csv", "corpus.csv", "review.csv"):
        got = (tmp_path / "connect" / name).read_bytes()
        assert got == (tmp_path / "local" / name).read_bytes(), name


def test_parquet_in_and_out_on_spark_connect(spark, tmp_path):
    """``match --in-parquet --out-parquet`` over Spark Connect: the local engine's pairs,
    clusters and corpus as Parquet, its review list and counts."""

    def run(argv: list[str]) -> str:
        done = _program(argv)
        assert done.returncode == 0, done.stderr[-3000:]
        assert "(Spark Connect)" in done.stderr
        return done.stderr

    on_spark, on_driver = parquet_match(tmp_path, run)
    assert on_spark == on_driver


def test_session_is_a_connect_client_with_spark_remote(spark):
    """``get_session`` honours ``SPARK_REMOTE`` (a child process: this one holds a classic
    session)."""
    code = (
        "from dedupe.spark.session import get_session; s = get_session('local[1]', 2); "
        "print(type(s).__module__, s.conf.get('spark.sql.shuffle.partitions')); s.stop()"
    )
    done = _program([], code)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["pyspark.sql.connect.session", "2"]


def test_an_unreachable_connect_server_is_one_error_line():
    """``SPARK_REMOTE=sc://…`` where nothing listens: an InputError naming it at once (the
    client would retry for minutes), and a malformed address likewise."""
    import socket

    import pytest

    from dedupe.core.errors import InputError
    from dedupe.spark.session import _reachable

    with socket.socket() as probe:  # a port nothing listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(
        InputError, match=f"cannot reach a Spark Connect server at 127.0.0.1:{port}"
    ):
        _reachable(f"sc://127.0.0.1:{port}/;user_id=me", timeout=2)
    with pytest.raises(InputError, match="not a Spark Connect address"):
        _reachable("sc://[bad")
    with socket.socket() as server:  # and one that listens passes
        server.bind(("127.0.0.1", 0))
        server.listen()
        _reachable(f"sc://127.0.0.1:{server.getsockname()[1]}", timeout=2)
