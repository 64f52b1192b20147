"""Spark benchmark: match N generated records (default 1,000,000) with the Spark engine.

Usage: python benchmarks/bench_spark.py [N] [--master local[2]] [--partitions P]
          [--driver-memory 4g] [--in-parquet [--out-parquet]]
       python benchmarks/bench_spark.py --sets [SET ...]   (equality with the local engine)
Prints the time of each stage, the peak memory of the driver's Python process, of the JVM
(driver and executors share it in local mode) and of the Python workers running the
``mapInArrow`` batches, pairwise P/R/F1, and the per-partition figures the README's sizing
of a 100M-record run starts from (normalised bytes per record, pairs per record, pairs
compared per second and core).

With ``--in-parquet`` the records are generated in a child process and written as Parquet,
which the engine reads on Spark (``match --in-parquet``): the driver's peak is then the
match's alone, without the input. With ``--out-parquet`` too, the pairs, clusters and
merged corpus are written from Spark as ``match --out-parquet`` writes them (timed as
``write``), and the driver collects only the pairs to review.

With ``--sets`` it runs both engines on every set of ``../shared/bench`` (or those named)
and prints, per set, whether the Spark engine's candidate pairs, decisions, clusters and
merged corpus equal the local engine's, with the number of rows that differ.
"""

from __future__ import annotations

import argparse
import os
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from bench_scale import pair_scores, peak_mib
from generate import generate

from dedupe.cli import PAIR_FLOOR
from dedupe.matching.normalise import normalise_records
from dedupe.spark.engine import match_records_spark
from dedupe.spark.normalise import arrow_ready
from dedupe.spark.session import get_session


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (the JVM and its Python workers)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        kids = children.get(todo.pop(), [])
        out += kids
        todo += kids
    return out


def _peak_mib(pid: int) -> tuple[str, float]:
    """(command name, peak resident MiB) of a process, from /proc."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return "", 0.0
    name = status.split("\n", 1)[0].split()[-1]
    hwm = [ln for ln in status.splitlines() if ln.startswith("VmHWM")]
    return name, float(hwm[0].split()[1]) / 1024 if hwm else 0.0


class WorkerPeaks:
    """Peak resident memory of every Python worker below this process, sampled every
    ``every`` seconds in a thread (workers come and go; their peaks die with them)."""

    def __init__(self, every: float = 2.0):
        import threading

        self.peaks: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(every,), daemon=True)
        self._thread.start()

    def _run(self, every: float) -> None:
        while not self._stop.wait(every):
            for pid in _descendants(os.getpid()):
                name, mib = _peak_mib(pid)
                if name.startswith("python"):
                    self.peaks[pid] = max(self.peaks.get(pid, 0.0), mib)

    def stop(self) -> list[float]:
        """The peaks seen, largest first."""
        self._stop.set()
        self._thread.join()
        return sorted(self.peaks.values(), reverse=True)


ENGINE_STAGES = ("normalise", "block", "compare", "estimate", "decide", "cluster", "merge")


def _tag_stages(spark) -> None:
    """Spark jobs grouped by engine stage (the run's clock wrapped to set the next stage's
    job group at each lap), so the UI's REST API can sum their figures per stage
    (benchmark only)."""
    from dedupe.spark import engine

    sc = spark.sparkContext
    lap = engine._Clock.lap

    def tagged(self, name: str, _lap=lap) -> None:
        _lap(self, name)
        later = ENGINE_STAGES[ENGINE_STAGES.index(name) + 1 :] if name in ENGINE_STAGES else ()
        group = later[0] if later else "driver"
        sc.setJobGroup(group, group)

    engine._Clock.lap = tagged  # type: ignore[method-assign]
    sc.setJobGroup(ENGINE_STAGES[0], ENGINE_STAGES[0])


def _rest(spark, path: str) -> list:
    """One call to the session's own UI REST API (localhost)."""
    import json
    import urllib.request

    sc = spark.sparkContext
    url = f"{sc.uiWebUrl}/api/v1/applications/{sc.applicationId}/{path}"
    with urllib.request.urlopen(url, timeout=60) as fh:
        return json.load(fh)


def stage_figures(spark) -> pd.DataFrame:
    """Per engine stage: Spark stages, tasks, input, shuffle read and write, spill, task
    time and the largest per-task peak execution memory, from the REST API."""
    group = {}
    for job in _rest(spark, "jobs"):
        for sid in job.get("stageIds", []):
            group[sid] = job.get("jobGroup") or "driver"
    rows = []
    for st in _rest(spark, "stages?details=false"):
        if st.get("status") != "COMPLETE":
            continue
        rows.append(
            {
                "stage": group.get(st["stageId"], "driver"),
                "spark_stages": 1,
                "tasks": st["numTasks"],
                "input_mib": st["inputBytes"] / 2**20,
                "shuffle_read_mib": st["shuffleReadBytes"] / 2**20,
                "shuffle_write_mib": st["shuffleWriteBytes"] / 2**20,
                "spill_mib": (st["memoryBytesSpilled"] + st["diskBytesSpilled"]) / 2**20,
                "task_s": st["executorRunTime"] / 1000,
                "peak_exec_mib": st.get("peakExecutionMemory", 0) / 2**20,
            }
        )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    agg = {c: "sum" for c in frame.columns if c not in ("stage", "peak_exec_mib")}
    return frame.groupby("stage").agg({**agg, "peak_exec_mib": "max"}).round(1)


def _differing(a: pd.DataFrame, b: pd.DataFrame, on: list[str], cols: list[str]) -> int:
    """Rows of ``a`` and ``b`` (keyed by ``on``) present in one only or differing in
    ``cols``."""
    m = a[on + cols].merge(b[on + cols], on=on, how="outer", indicator=True)
    differ = m["_merge"] != "both"
    for c in cols:
        x, y = m[f"{c}_x"].astype(object), m[f"{c}_y"].astype(object)
        differ |= ~((x == y) | (x.isna() & y.isna()))
    return int(differ.sum())


def _columns_differing(a: pd.DataFrame, b: pd.DataFrame) -> list[str]:
    """Columns of two pair tables that are not identical (all of them if shapes differ)."""
    if a.shape != b.shape or list(a.columns) != list(b.columns):
        return list(a.columns)
    return [c for c in a.columns if not a[c].equals(b[c])]


def _listed(pairs: pd.DataFrame) -> pd.DataFrame:
    """The pairs the Spark engine collects: all but unreviewed distinct ones under the floor."""
    keep = (
        (pairs["decision"] != "distinct")
        | (pairs["probability"] >= PAIR_FLOOR)
        | (pairs["reviewed"] != "")
    )
    return pairs[keep].reset_index(drop=True)


def equality(sets: list[str], spark) -> bool:
    """Both engines on each benchmark set; prints what differs; True when nothing does."""
    from bench_quality import BENCH, SETS

    from dedupe.matching.engine import match_records

    print(f"{'set':15} {'records':>8} {'pairs':>8} {'pairs':>6} {'decis.':>6} {'clust.':>6} "
          f"{'corpus':>6} {'local s':>7} {'spark s':>7}")  # fmt: skip
    same = True
    for name in sets or list(SETS):
        records = SETS[name](BENCH / name).records
        t0 = time.perf_counter()
        local = match_records(records)
        t1 = time.perf_counter()
        dist = match_records_spark(records, spark, local_edges=0, floor=PAIR_FLOOR)
        t2 = time.perf_counter()
        ids = ["record_id_l", "record_id_r"]
        listed = _listed(local.pairs)  # the clear non-matches stay on the executors
        unlisted = abs(dist.unlisted_pairs - (len(local.pairs) - len(listed)))
        diffs = [
            _differing(listed, dist.pairs, ids, ["match_key"]) + unlisted,
            _differing(listed, dist.pairs, ids, ["decision", "probability"]),
            _differing(local.clusters, dist.clusters, ["record_id"], ["cluster_id"]),
            len(local.corpus.compare(dist.corpus)) if local.corpus.shape == dist.corpus.shape
            else max(len(local.corpus), len(dist.corpus)),
        ]  # fmt: skip
        columns = _columns_differing(listed, dist.pairs)
        same &= not any(diffs) and not columns
        verdict = ["equal" if d == 0 else f"{d} rows" for d in diffs]
        cells = " ".join(f"{v:>6}" for v in verdict)
        print(f"{name:15} {len(records):>8,} {len(local.pairs):>8,} {cells} "
              f"{t1 - t0:7.1f} {t2 - t1:7.1f}")  # fmt: skip
        if columns:
            print(f"{'':15} pair table columns not identical: {', '.join(columns)}")
    return same


def _write_generated(n: int, folder: str) -> None:
    """``n`` generated records as ``records.parquet`` and their truth as ``truth.npy``
    (run in a child process, so the driver never holds them)."""
    records = generate(n)
    np.save(Path(folder) / "truth.npy", records.pop("entity_id").to_numpy())
    records.to_parquet(Path(folder) / "records.parquet", index=False)


def _generated_parquet(n: int) -> Path:
    """A folder holding ``n`` generated records as Parquet and their truth, written by a
    child process."""
    import multiprocessing
    import tempfile

    folder = tempfile.mkdtemp(prefix="bench_spark_")
    child = multiprocessing.get_context("spawn").Process(target=_write_generated, args=(n, folder))
    child.start()
    child.join()
    return Path(folder)


def _match_parquet(spark, folder: Path, out: bool):
    """The records in ``folder`` matched as ``match --in-parquet`` does (with ``out``, as
    ``--out-parquet`` does: every table written from Spark into ``folder``, the driver
    collecting the pairs to review only); the seconds the writing took."""
    from dedupe.matching.model import Settings
    from dedupe.spark.engine import SparkRun
    from dedupe.spark.io import read_frame

    run = SparkRun(spark, local_edges=0, floor=PAIR_FLOOR, collect=not out)
    result = run.match(read_frame(spark, folder / "records.parquet"), Settings.default())
    t0 = time.perf_counter()
    if out:
        for name in ("pairs", "clusters", "corpus"):
            getattr(result, f"write_{name}")(folder / f"{name}.parquet")
    return result, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, nargs="?", default=1_000_000)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--partitions", type=int, default=8)
    ap.add_argument("--driver-memory", default="4g")
    ap.add_argument("--sets", nargs="*", default=None, help="compare with the local engine")
    ap.add_argument("--in-parquet", action="store_true", help="records read on Spark")
    ap.add_argument(
        "--out-parquet", action="store_true", help="with --in-parquet: outputs written from Spark"
    )
    args = ap.parse_args()
    if args.sets is not None:
        spark = get_session(args.master, shuffle_partitions=args.partitions,
                            conf={"spark.driver.memory": args.driver_memory})  # fmt: skip
        raise SystemExit(0 if equality(args.sets, spark) else 1)
    t0 = time.perf_counter()
    spark = get_session(
        args.master,
        shuffle_partitions=args.partitions,
        conf={
            "spark.driver.memory": args.driver_memory,
            "spark.ui.enabled": "true",  # for the per-stage figures (REST API, localhost)
            "spark.ui.retainedStages": "100000",
            "spark.ui.retainedJobs": "100000",
        },
    )
    _tag_stages(spark)
    t1 = time.perf_counter()
    sample, folder = None, None
    if args.in_parquet:
        folder = _generated_parquet(args.n)
        truth = np.load(folder / "truth.npy")
    else:
        sample = generate(args.n)
        truth = sample.pop("entity_id").to_numpy()
    t2 = time.perf_counter()
    where = "into Parquet by a child process" if folder else "on the driver"
    print(f"session {t1 - t0:.1f} s; generated {args.n:,} records {where} in {t2 - t1:.1f} s")
    sampler = WorkerPeaks()
    written = None
    if folder is not None:
        result, written = _match_parquet(spark, folder, args.out_parquet)
    else:
        result = match_records_spark(sample, spark, local_edges=0, floor=PAIR_FLOOR)
    t3 = time.perf_counter()
    sampled = sampler.stop()
    driver_peak = peak_mib()  # before reading the clusters back for the scores
    print("stage       seconds")
    for stage, secs in [*result.timings.items(), *([("write", written)] if written else [])]:
        print(f"  {stage:10} {secs:7.1f}")
    clusters = result.clusters
    if result.write_clusters is not None and folder is not None:
        clusters = pd.read_parquet(folder / "clusters.parquet")
    scores = pair_scores(clusters["cluster_id"].to_numpy(), truth)
    jvm = [_peak_mib(p) for p in _descendants(os.getpid())]
    workers = sampled or [mib for name, mib in jvm if name.startswith("python")]
    print(
        f"matched {args.n:,} records on {args.master} in {t3 - t2:.1f} s; "
        f"{len(result.pairs) + result.unlisted_pairs:,} candidate pairs "
        f"({len(result.pairs):,} collected to the driver)\n"
        f"peak memory: driver Python {driver_peak:,.0f} MiB; JVM (driver + executors) "
        f"{max((m for n, m in jvm if n == 'java'), default=0):,.0f} MiB; Python workers "
        f"{len(workers)} x up to {max(workers, default=0):,.0f} MiB\n"
        f"pairwise precision {scores['precision']:.3f} recall {scores['recall']:.3f} "
        f"F1 {scores['f1']:.3f}"
    )
    figures = stage_figures(spark)
    print("Spark figures per engine stage (summed over its Spark stages):")
    print(figures.to_string())
    for stage, row in figures.iterrows():
        print(
            f"  {stage}: per task {row['input_mib'] / max(row['tasks'], 1):.1f} MiB in, "
            f"{row['shuffle_write_mib'] / max(row['tasks'], 1):.1f} MiB shuffle written, "
            f"{row['task_s'] / max(row['tasks'], 1):.1f} s"
        )
    norm = normalise_records((sample if sample is not None else generate(1000)).head(100_000))
    row_bytes = pa.Table.from_pandas(arrow_ready(norm), preserve_index=False).nbytes / len(norm)
    local = re.fullmatch(r"local\[(\d+)\]", args.master)
    cores = int(local.group(1)) if local else os.cpu_count() or 1
    compare_s = result.timings.get("compare", 0.0)
    total = len(result.pairs) + result.unlisted_pairs
    print(
        f"per-partition figures: {row_bytes:,.0f} bytes per normalised record (Arrow); "
        f"{total / args.n:.2f} candidate pairs per record; compare "
        f"{total / max(compare_s, 1e-9) / cores:,.0f} pairs/s per core "
        f"({cores} cores) including the join and the shuffle of both rows"
    )
    if folder is not None:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
