"""Errors as data: a place in an input file and what is wrong there.

The library raises :class:`InputError` for bad input; files that cannot be used while others
can are collected as :class:`FileError` values instead. The CLI turns both into one line,
``Error: FILE:LINE: what is wrong, what to do``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FileError:
    """What is wrong (``message``) at ``line`` of the file at ``path`` (line None: the file)."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class InputError(Exception):
    """A file or option the toolkit cannot use; the message says what is wrong and what to do.

    With ``path`` (and ``line``) the error points at a file: :attr:`error` is that
    :class:`FileError`, and the text reads ``path:line: message``.
    """

    def __init__(
        self, message: str, path: str | Path | None = None, line: int | None = None
    ) -> None:
        self.message = message
        self.error = None if path is None else FileError(str(path), line, message)
        super().__init__(str(self.error) if self.error else message)
