"""Reading input files as text, with clear errors for what is not text."""

from __future__ import annotations

from pathlib import Path

from dedupe.core.errors import InputError

ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")


def read_text(path: Path, encoding: str | None = None) -> tuple[str, str]:
    """Return (text, encoding) of a file, or raise InputError naming it.

    Tries UTF-8 first, then the Latin code pages that bibliographic exports use (the
    DBLP-ACM benchmark is latin-1), unless ``encoding`` is given (e.g. ``gb18030``).
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read file ({exc.strerror or exc}).") from None
    if not data.strip():
        raise InputError(f"{path}:1: file is empty; remove it or add records.")
    if b"\x00" in data[:8192]:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise InputError(
            f"{path}:{line}: not a text file (contains NUL bytes); "
            "pass seed text, RIS, BibTeX, CSV/TSV or JSON Lines files."
        )
    for enc in (encoding,) if encoding else ENCODINGS:
        try:
            return normalise_newlines(data.decode(enc)), enc
        except (UnicodeDecodeError, LookupError):
            continue
    raise InputError(f"{path}: cannot decode as {encoding}; pass the file's real --encoding.")


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR (old Mac files) become LF, so every parser numbers lines alike.

    >>> normalise_newlines("a\\r\\nb\\rc")
    'a\\nb\\nc'
    """
    return text.replace("\r\n", "\n").replace("\r", "\n")
