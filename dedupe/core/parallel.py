"""Threads for independent pieces of work whose time is spent outside the interpreter.

The hot paths are numpy sorts, pandas hash tables, Arrow kernels and rapidfuzz: all release
the GIL while they run, so two independent pieces of such work (two blocking rules, two
chunks of pairs, two output files, the merge's checks beside its provenance) use two cores
from threads, without copying the tables into other processes. Every use keeps its
results in the order of its inputs, so the outputs are the same for any number of threads;
``DEDUPE_THREADS=1`` runs everything in the calling thread (as on a one-core machine).
"""

from __future__ import annotations

import ctypes
import functools
import os
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any, TypeVar

from dedupe.core.errors import InputError

THREADS_ENV = "DEDUPE_THREADS"

T = TypeVar("T")
R = TypeVar("R")


def threads() -> int:
    """How many threads may work at once: ``$DEDUPE_THREADS``, else the cores this
    process may run on."""
    setting = os.environ.get(THREADS_ENV, "").strip()
    if setting:
        if not setting.isdigit() or int(setting) < 1:
            raise InputError(f"{THREADS_ENV} must be a whole number of threads, 1 or more "
                             f"(it is {setting!r}); unset it to use every core.")  # fmt: skip
        return int(setting)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


M_ARENA_MAX = -8
"""glibc's ``mallopt`` parameter for the most malloc arenas (malloc.h)."""


@functools.cache
def _one_malloc_arena() -> None:
    """One malloc arena for every thread, set before the first thread starts, unless
    ``MALLOC_ARENA_MAX`` says otherwise. glibc gives each thread that allocates an arena of
    its own, and memory freed into one is not reused by the others: with the stages'
    threads, the peak of ``dedupe match`` on a million records rose from 3.2 to 3.8 GiB.
    (The threads' large buffers are mapped anyway and the interpreter's small objects are
    serialised by the GIL, so one arena costs no time.) Not glibc: nothing to do."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return
    try:
        ctypes.CDLL(None).mallopt(M_ARENA_MAX, 1)
    except (OSError, AttributeError):
        return


def pool(workers: int, name: str = "dedupe") -> ThreadPoolExecutor:
    """A thread pool (after the allocator is set up for threads)."""
    _one_malloc_arena()
    return ThreadPoolExecutor(workers, thread_name_prefix=name)


def thread_map(func: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """``[func(x) for x in items]``, the calls spread over ``threads()`` threads; the first
    exception (in input order) is raised once all calls are done."""
    items = list(items)
    workers = min(threads(), len(items))
    if workers <= 1:
        return [func(x) for x in items]
    with pool(workers) as executor:
        futures = [executor.submit(func, x) for x in items]
    return [f.result() for f in futures]


def run_all(*calls: Callable[[], Any]) -> list[Any]:
    """The results of calling each of ``calls`` (no arguments), concurrently."""
    return thread_map(lambda call: call(), calls)


class Background:
    """``func(*args)`` started in a thread now (in this thread when only one is allowed);
    ``result()`` waits for it and returns its value or raises its exception."""

    def __init__(self, func: Callable[..., R], *args: Any) -> None:
        self._pool: ThreadPoolExecutor | None = None
        if threads() > 1:
            self._pool = pool(1, "dedupe-background")
            self._future: Future = self._pool.submit(func, *args)
            self._pool.shutdown(wait=False)
        else:
            self._future = Future()
            try:
                self._future.set_result(func(*args))
            except Exception as exc:  # kept for result(), as a thread would
                self._future.set_exception(exc)

    def result(self) -> Any:
        return self._future.result()

    def wait(self) -> None:
        """Wait until it is done, whatever the outcome."""
        wait([self._future])
