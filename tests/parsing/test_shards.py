"""A large export's rows worked in two processes give exactly the one-process table."""

from __future__ import annotations

import os
import random
import tempfile
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

import dedupe.parsing.shards as shards
from dedupe.core.forked import Forked, can_fork
from dedupe.parsing.files import parse_paths

pytestmark = pytest.mark.skipif(not can_fork(), reason="forked shares need Linux's fork")

HEADER = "title,authors,year,journal,pages,doi,keywords,role,listed_by,note\n"


def _export(path: Path, n: int, seed: int = 0) -> Path:
    """A CSV export with what crosses a cut between shares: equal records (their ids
    are numbered through the whole file), entries listed by the latest main record, blank,
    malformed and wrong-width rows, author cells of every shape, repeated and unique
    values, quoted cells over two lines."""
    rng = random.Random(seed)
    names = ["Doe, J", "Øgård-Repål, Anita", "Rao, Sandy [1 ,2 ]", "OGARD-REPAL, ANITA", ""]
    rows = [HEADER]
    for i in range(n):
        k = rng.randrange(12)
        if k == 0:
            rows.append(",,,,,,,,,\n")  # a blank row
        elif k == 1:
            rows.append('Broken "quote" title,Doe J,2001,J,,,,,,\n')  # malformed (strict)
        elif k == 2:
            rows.append("Too,few\n")  # wrong width
        elif k == 3:
            rows.append("Same paper,Doe J; Roe R,1999,Journal A,1-2,,,,,\n")  # equal records
        else:
            authors = "; ".join(rng.sample(names, rng.randrange(4)))
            title = f'"Title {i}\nsecond line"' if k == 4 else f"Title {rng.randrange(n)}"
            role = rng.choice(["main", "main", "related", "reference", ""])
            rows.append(
                f'{title},"{authors}",{rng.choice(["1999", "2000", "in 2001", ""])},'
                f"{rng.choice(['Journal A', 'J B', ''])},{rng.choice(['5 - 9', '', '12'])},"
                f"{rng.choice(['', 'https://doi.org/10.1000/x' + str(i)])},"
                f"{rng.choice(['a|b', '', 'c'])},{role},,\n"
            )
    path.write_text("".join(rows), encoding="utf-8")
    return path


def _parse(path: Path, threads: str, monkeypatch) -> tuple:
    monkeypatch.setenv("DEDUPE_THREADS", threads)
    result = parse_paths([path], cache="off")
    return result.records, result.failures, result.lines


def test_shares_equal_one_process(tmp_path, monkeypatch):
    monkeypatch.setattr(shards, "SHARD_ROWS", 50)
    path = _export(tmp_path / "export.csv", 600)
    records, failures, lines = _parse(path, "2", monkeypatch)
    one = _parse(path, "1", monkeypatch)
    pd.testing.assert_frame_equal(records, one[0])
    pd.testing.assert_frame_equal(failures, one[1])
    assert lines == one[2]
    # the fixture holds what the cut must not change
    assert records["record_id"].str.contains(r"-\d+$").sum() > 10  # equal records numbered
    assert records["listed_by"].notna().any() and len(failures) > 10


def test_failing_child_costs_time_not_data(tmp_path, monkeypatch):
    monkeypatch.setattr(shards, "SHARD_ROWS", 50)
    path = _export(tmp_path / "export.csv", 300, seed=1)
    one = _parse(path, "1", monkeypatch)

    def broken(columns):
        raise TypeError("the child cannot write its share")

    monkeypatch.setattr(shards, "to_arrow", broken)  # the forked child runs this copy
    calls = []
    work_in = shards.in_shares

    def counted(n, work):
        return work_in(n, lambda a, b: calls.append((a, b)) or work(a, b))

    monkeypatch.setattr("dedupe.parsing.files.in_shares", counted)
    records, failures, _ = _parse(path, "2", monkeypatch)
    assert len(calls) == 2 and calls[0][0] == 0 and calls[1][1] == len(records)  # both here
    pd.testing.assert_frame_equal(records, one[0])
    pd.testing.assert_frame_equal(failures, one[1])


def test_one_process_when_small_or_one_thread(tmp_path, monkeypatch):
    path = _export(tmp_path / "export.csv", 100)
    forks = []
    monkeypatch.setattr(shards, "Forked", lambda func: forks.append(func))
    _parse(path, "2", monkeypatch)  # below SHARD_ROWS
    monkeypatch.setattr(shards, "SHARD_ROWS", 10)
    _parse(path, "1", monkeypatch)  # one thread allowed
    assert forks == []


def test_arrow_round_trip_keeps_python_values():
    columns = {
        "text": ["a", None, "b" * 3, ""],
        "repeated": ["2001"] * 3 + [None],
        "lists": [["Doe, J", "Roe, R"], None, [], ["Ø"]],
        "empty_lists": [[], [], None, []],
        "none": [None] * 4,
        "line": [2, 3, 5, 9],
    }
    back = shards.from_arrow(shards.to_arrow(columns))
    assert back == columns
    assert back["repeated"][0] is back["repeated"][1]  # one object per repeated value
    with pytest.raises(TypeError):
        shards.to_arrow({"score": [0.5, 1.0]})  # not a kind it can give back


def test_forked_result_failure_and_cancel():
    before = set(os.listdir(tempfile.gettempdir()))
    ok = Forked(lambda: pa.table({"x": [1, 2, 3]}))
    assert ok.result().column("x").to_pylist() == [1, 2, 3]

    def fail():
        raise RuntimeError("no table")

    assert Forked(fail).result() is None
    slow = Forked(lambda: (time.sleep(60), pa.table({}))[1])
    slow.cancel()
    assert slow.result() is None
    stuck = Forked(lambda: (time.sleep(60), pa.table({}))[1])
    started = time.monotonic()
    assert stuck.result(timeout=0.3) is None  # stopped, not waited for
    assert time.monotonic() - started < 5
    assert set(os.listdir(tempfile.gettempdir())) - before == set()  # nothing left behind


def test_stuck_child_is_stopped_and_its_share_done_here(monkeypatch):
    monkeypatch.setattr(shards, "SHARD_ROWS", 10)
    monkeypatch.setattr(shards, "WAIT_AT_LEAST", 0.2)
    monkeypatch.setenv("DEDUPE_THREADS", "2")
    parent = os.getpid()

    def work(start, stop):
        if os.getpid() != parent:
            time.sleep(60)  # as a child stuck on a lock would
        return {"line": list(range(start, stop)), "text": [f"r{i}" for i in range(start, stop)]}

    started = time.monotonic()
    assert shards.in_shares(100, work) == work(0, 100)
    assert time.monotonic() - started < 10


def test_no_temporary_file_means_one_process(monkeypatch):
    monkeypatch.setattr(shards, "SHARD_ROWS", 10)
    monkeypatch.setenv("DEDUPE_THREADS", "2")

    def no_file(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tempfile, "mkstemp", no_file)

    def work(start, stop):
        return {"line": list(range(start, stop))}

    assert shards.in_shares(100, work) == {"line": list(range(100))}


def test_forked_with_closed_standard_output(monkeypatch):
    closed = open(os.devnull, "w")  # noqa: SIM115
    closed.close()
    monkeypatch.setattr("sys.stdout", closed)
    monkeypatch.setattr("sys.stderr", None)
    assert Forked(lambda: pa.table({"x": [1]})).result().num_rows == 1
