"""Work in a forked copy of this process, handed back as an Arrow table.

Threads share one interpreter: work that is Python code through and through (a parser's
rules applied to each row) runs on one core however many threads there are. A forked
child sees the parent's data without copying it up front, works on its share, and hands
the result back as an Arrow IPC file: written and read without Python objects (reading a
million records' columns back costs a second; pickling them, several). The child never
returns into the caller's code: it ends with ``os._exit``, whatever happens, so no
``finally``, ``atexit`` or buffered output of the parent runs twice.
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable

import pyarrow as pa


def can_fork() -> bool:
    """True where a forked child may run Python safely (Linux; macOS forks badly)."""
    return hasattr(os, "fork") and sys.platform.startswith("linux")


class Forked:
    """``func()`` (giving a ``pyarrow.Table``) run in a forked child from now on (OSError
    when no temporary file or process can be had). ``result()`` waits for it and gives the
    table, or None when the child did not deliver one (it raised, was killed, timed out, or
    the table could not be written): the caller then does the work itself, so a failing
    child costs time, never data. ``cancel()`` stops a child not yet reaped (the caller
    failed before asking for the result)."""

    def __init__(self, func: Callable[[], pa.Table]) -> None:
        fd, self.path = tempfile.mkstemp(prefix="dedupe-part-", suffix=".arrow")
        os.close(fd)
        for stream in (sys.stdout, sys.stderr):  # nothing buffered is written twice
            try:
                stream.flush()
            except (AttributeError, ValueError, OSError):  # None, closed or broken
                pass
        try:
            self.pid: int | None = os.fork()
        except OSError:  # no process to be had (limits, memory): the caller works alone
            self._remove()
            raise
        if self.pid == 0:  # the child
            code = 1
            try:
                signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends it plainly
                table = func()
                with pa.OSFile(self.path, "wb") as sink, pa.ipc.new_file(sink, table.schema) as w:
                    w.write_table(table)
                code = 0
            finally:
                os._exit(code)

    def result(self, timeout: float | None = None) -> pa.Table | None:
        """The child's table; None when it failed, or was still at work after ``timeout``
        seconds (then it is stopped: a child stuck on a lock another thread held when it
        was forked must not hang the command)."""
        if self.pid is None:
            return None
        try:
            status = self._wait(timeout)
            if status is None:
                self.cancel()
                return None
            self.pid = None
            if os.waitstatus_to_exitcode(status) != 0:
                return None
            with pa.memory_map(self.path) as source:
                return pa.ipc.open_file(source).read_all()
        except (OSError, pa.ArrowException):
            return None
        finally:
            self._remove()

    def _wait(self, timeout: float | None) -> int | None:
        """The child's wait status, or None if it is still running after ``timeout``."""
        assert self.pid is not None
        if timeout is None:
            return os.waitpid(self.pid, 0)[1]
        deadline = time.monotonic() + timeout
        while True:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return status
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.01)

    def cancel(self) -> None:
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except OSError:
                pass
            self.pid = None
        self._remove()

    def _remove(self) -> None:
        try:
            os.unlink(self.path)
        except OSError:
            pass
