"""One local[2] SparkSession for all Spark tests (shuffle partitions 2, UI off).

Without PySpark or Java these tests skip with the reason locally; with
``DEDUPE_REQUIRE_SPARK=1`` (as ``.ci/run`` sets it) they fail instead, so the Spark engine
is never left untested silently.
"""

import importlib.util
import os
import shutil

import pytest


def _missing() -> str | None:
    if importlib.util.find_spec("pyspark") is None:
        return "PySpark is not installed (pip install -e '.[spark]')"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java runtime (apt-get install openjdk-17-jre-headless)"
    return None


@pytest.fixture(scope="session")
def spark():
    reason = _missing()
    if reason:
        if os.environ.get("DEDUPE_REQUIRE_SPARK"):
            pytest.fail(f"Spark tests cannot run in CI: {reason}")
        pytest.skip(reason)
    from dedupe.spark.session import get_session

    session = get_session(
        "local[2]",
        shuffle_partitions=2,
        conf={
            "spark.driver.memory": "1g",
            "spark.sql.adaptive.coalescePartitions.enabled": "true",
        },
    )
    yield session
    session.stop()
