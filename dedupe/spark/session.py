"""A SparkSession set up for dedupe: Arrow on, UI off by default, sensible partitions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from dedupe.core.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import SparkSession

DEFAULTS = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.adaptive.enabled": "true",
    "spark.sql.session.timeZone": "UTC",
}


def require_pyspark() -> None:
    """Raise InputError with the install line when PySpark (or Java) is missing."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise InputError(
            "--engine spark needs PySpark; install it with: pip install 'bibdedupe-toolkit[spark]'"
            " (and a Java 17+ runtime)."
        ) from None


def get_session(
    master: str | None = "local[2]",
    shuffle_partitions: int | None = None,
    conf: Mapping[str, str] | None = None,
    app_name: str = "dedupe",
) -> SparkSession:
    """The active session, or a new one on ``master`` (None: whatever spark-submit set)."""
    require_pyspark()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    builder = SparkSession.builder.appName(app_name)
    if master:
        builder = builder.master(master)
    settings = dict(DEFAULTS)
    if shuffle_partitions:
        settings["spark.sql.shuffle.partitions"] = str(shuffle_partitions)
    settings.update(conf or {})
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()
