"""Spark benchmark: match N generated records (default 1,000,000) with the Spark engine.

Usage: python benchmarks/bench_spark.py [N] [--master local[2]] [--partitions P]
          [--driver-memory 4g]
Prints the time of each stage, the peak memory of the driver's Python process, of the JVM
(driver and executors share it in local mode) and of the Python workers running the
``mapInArrow`` batches, pairwise P/R/F1, and the per-partition figures the README's sizing
of a 100M-record run starts from (normalised bytes per record, pairs per record, pairs
compared per second and core).
"""

from __future__ import annotations

import argparse
import os
import re
import time
from pathlib import Path

import pyarrow as pa
from bench_scale import pair_scores, peak_mib
from generate import generate

from dedupe.matching.normalise import normalise_records
from dedupe.spark.engine import _arrow_safe, match_records_spark
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, nargs="?", default=1_000_000)
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--partitions", type=int, default=8)
    ap.add_argument("--driver-memory", default="4g")
    args = ap.parse_args()
    t0 = time.perf_counter()
    spark = get_session(
        args.master,
        shuffle_partitions=args.partitions,
        conf={"spark.driver.memory": args.driver_memory},
    )
    t1 = time.perf_counter()
    records = generate(args.n)
    truth = records.pop("entity_id").to_numpy()
    t2 = time.perf_counter()
    print(f"session {t1 - t0:.1f} s; generated {args.n:,} records in {t2 - t1:.1f} s")
    result = match_records_spark(records, spark, local_edges=0)
    t3 = time.perf_counter()
    print("stage       seconds")
    for stage, secs in result.timings.items():
        print(f"  {stage:10} {secs:7.1f}")
    scores = pair_scores(result.clusters["cluster_id"].to_numpy(), truth)
    jvm = [_peak_mib(p) for p in _descendants(os.getpid())]
    workers = [mib for name, mib in jvm if name.startswith("python")]
    print(
        f"matched {args.n:,} records on {args.master} in {t3 - t2:.1f} s; "
        f"{len(result.pairs):,} candidate pairs\n"
        f"peak memory: driver Python {peak_mib():,.0f} MiB; JVM (driver + executors) "
        f"{max((m for n, m in jvm if n == 'java'), default=0):,.0f} MiB; Python workers "
        f"{len(workers)} x up to {max(workers, default=0):,.0f} MiB\n"
        f"pairwise precision {scores['precision']:.3f} recall {scores['recall']:.3f} "
        f"F1 {scores['f1']:.3f}"
    )
    norm = normalise_records(records.head(100_000))
    row_bytes = pa.Table.from_pandas(_arrow_safe(norm), preserve_index=False).nbytes / len(norm)
    local = re.fullmatch(r"local\[(\d+)\]", args.master)
    cores = int(local.group(1)) if local else os.cpu_count() or 1
    compare_s = result.timings.get("compare", 0.0)
    print(
        f"per-partition figures: {row_bytes:,.0f} bytes per normalised record (Arrow); "
        f"{len(result.pairs) / args.n:.2f} candidate pairs per record; compare "
        f"{len(result.pairs) / max(compare_s, 1e-9) / cores:,.0f} pairs/s per core "
        f"({cores} cores) including the join and the shuffle of both rows"
    )


if __name__ == "__main__":
    main()
