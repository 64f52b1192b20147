"""Python's cyclic garbage collector paused around blocks that build millions of objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collection_paused() -> Iterator[None]:
    """The garbage collector off while the block runs (as it was after): parsing files, or
    reading them from the cache, or building a list per cluster makes millions of lists and
    strings and no reference cycles worth collecting, and each full collection would walk
    every one made so far (a third of the CPU time of parsing a million-row CSV, three
    quarters of building the merge's lists). Any cyclic garbage left is collected by the
    first automatic collection afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
