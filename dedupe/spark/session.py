"""A SparkSession set up for dedupe: Arrow on, UI off by default, sensible partitions."""

from __future__ import annotations

import os
import warnings
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
    "spark.log.level": "ERROR",  # Spark's WARN lines (plans truncated, …) are not the user's
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
    """The active session, or a new one on ``master`` (None: whatever spark-submit set).

    With ``SPARK_REMOTE`` set (PySpark's own variable: ``sc://host:port`` of a Spark Connect
    server, or ``local[N]`` for one started in this process) the session is a Spark
    Connect client instead, ``master`` ignored; a remote server gets only the
    ``spark.sql.*`` settings (it owns the rest), a local one all of them."""
    require_pyspark()
    # PySpark warns on every pandas conversion that it is not tested with pandas 3 (the
    # engine's results are, against the local engine's): said once in the README, not here
    warnings.filterwarnings("ignore", "PySpark does not yet fully support", FutureWarning)
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    remote = os.environ.get("SPARK_REMOTE")
    if remote and remote.startswith("sc://"):
        _reachable(remote)
    builder = SparkSession.builder.appName(app_name)
    if master and not remote:
        builder = builder.master(master)
    settings = dict(DEFAULTS)
    if shuffle_partitions:
        settings["spark.sql.shuffle.partitions"] = str(shuffle_partitions)
    settings.update(conf or {})
    server = not remote or remote.startswith("local")  # a local Connect server takes all
    for key, value in settings.items():
        if server or key.startswith("spark.sql."):
            builder = builder.config(key, value)
    try:
        return builder.getOrCreate()
    except ImportError as exc:  # Spark Connect's client packages
        raise InputError(
            f"SPARK_REMOTE={remote} needs Spark Connect's client: pip install "
            f"'bibdedupe-toolkit[spark]' ({exc})."
        ) from None


CONNECT_PORT = 15002
"""Spark Connect's default port."""


def _reachable(remote: str, timeout: float = 10.0) -> None:
    """InputError naming ``remote`` (``sc://host:port/;params``) when nothing listens
    there: the client would otherwise retry for minutes before failing."""
    import socket
    from urllib.parse import urlsplit

    try:
        url = urlsplit(remote.split(";", 1)[0])
        host, port = url.hostname or "localhost", url.port or CONNECT_PORT
    except ValueError as exc:
        raise InputError(f"SPARK_REMOTE={remote}: not a Spark Connect address ({exc}).") from None
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        raise InputError(
            f"SPARK_REMOTE={remote}: cannot reach a Spark Connect server at {host}:{port} "
            f"({exc.strerror or exc})."
        ) from None
