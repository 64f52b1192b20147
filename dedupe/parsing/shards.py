"""A large export's rows worked in two processes: the parent's share and a forked child's.

Reading a CSV export's rows is quick; what follows for each row is Python through and
through: each field's rules, the author names split and normalised, the content hash (a
million rows: about ten seconds on one core, which threads cannot share). The rows after a
cut go to a forked child (:mod:`dedupe.core.forked`) while the parent works on the rows
before it; the child's columns come back as Arrow and are turned into the same Python
values the parent would have made (text that repeats, as years and journals do, as one
object per distinct value, as the parent's columns hold it). Every step is row by row, so
the two shares joined equal the whole worked in one process; what depends on the rows
together (record ids numbered among equal records, the lister of each entry, failure rows)
is done afterwards on the joined columns.
A child that fails costs time, not data: the parent then works its share too.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dedupe.core.forked import Forked, can_fork
from dedupe.core.parallel import threads

SHARD_ROWS = 200_000
"""Below this many rows one process works them all (forking costs more than it saves)."""
CHILD_SHARE = 0.46
"""The child's share of the rows: a little under half, as it also writes its share out and
the parent reads it back."""

WAIT_AT_LEAST = 10.0
"""Seconds the parent waits for the child after its own share, at least (see in_shares)."""

Columns = dict[str, list]
TYPES = (pa.string(), pa.null(), pa.list_(pa.string()), pa.list_(pa.null()), pa.int64())
"""The Arrow types a share's columns may take (text, lists of text, line numbers): anything
else could not be turned back into the same Python values, and the child gives up."""


def in_shares(n: int, work: Callable[[int, int], Columns]) -> Columns:
    """``work(0, n)``: the columns of rows 0..n, from ``work(start, stop)`` on shares of
    them, the last share in a forked child when there are enough rows and cores."""
    if n < SHARD_ROWS or threads() < 2 or not can_fork():
        return work(0, n)
    cut = n - int(n * CHILD_SHARE)
    try:
        child = Forked(lambda: to_arrow(work(cut, n)))
    except OSError:  # no temporary file or no process: one process does it all
        return work(0, n)
    try:
        start = time.monotonic()
        mine = work(0, cut)
        # the child's share is smaller: far slower means it is stuck (a lock held by
        # another thread when it was forked), and this process does its share instead
        theirs = child.result(timeout=max(WAIT_AT_LEAST, 2 * (time.monotonic() - start)))
    finally:
        child.cancel()
    rest = from_arrow(theirs) if theirs is not None else None
    if rest is None or list(rest) != list(mine):
        rest = work(cut, n)  # the child delivered nothing usable: this process does it
    for name, values in mine.items():
        values.extend(rest.pop(name))
    return mine


def to_arrow(columns: Columns) -> pa.Table:
    """The columns as an Arrow table; TypeError for a value of another kind than ``TYPES``."""
    arrays = {}
    for name, values in columns.items():
        arr = pa.array(values)
        if arr.type not in TYPES:
            raise TypeError(f"column {name} holds {arr.type}")
        arrays[name] = arr
    return pa.table(arrays)


def from_arrow(table: pa.Table) -> Columns:
    """The Python columns ``to_arrow`` was given (lists of str, None and int)."""
    out: Columns = {}
    for name in table.column_names:
        values: list = []
        for chunk in table.column(name).chunks:
            if pa.types.is_null(chunk.type):
                values.extend([None] * len(chunk))
            else:
                values.extend(_shared(chunk) if _repeats(chunk) else chunk.to_pylist())
        out[name] = values
    return out


SAMPLE = 1_000


def _repeats(arr: pa.Array) -> bool:
    """True for text whose values repeat (years, journals, the file's name), judged on its
    first ``SAMPLE`` values: worth one object per distinct value."""
    if not pa.types.is_string(arr.type):
        return False
    head = arr.slice(0, SAMPLE)
    return len(pc.unique(head)) * 2 <= len(head)


def _shared(arr: pa.Array) -> list:
    """The strings as Python objects (None for null), one object per distinct value."""
    coded = pc.dictionary_encode(arr)
    names = np.empty(len(coded.dictionary) + 1, dtype=object)  # the last: null
    names[:-1] = coded.dictionary.to_numpy(zero_copy_only=False)
    codes = pc.fill_null(coded.indices, len(coded.dictionary)).to_numpy(zero_copy_only=False)
    return names[codes].tolist()
