"""Parse files and folders into one record table, with parse failures kept as data."""

from __future__ import annotations

import os
import stat
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePath

import numpy as np
import pandas as pd

from dedupe.core.collector import collection_paused
from dedupe.core.errors import FileError, InputError
from dedupe.core.records import (
    FAILURE_COLUMNS,
    RECORD_COLUMNS,
    Problem,
    RawRecord,
    content_hashes,
    make_record_id,
    to_frame,
)
from dedupe.parsing.account import ACCOUNTS, gaps, group_unattached, line_account
from dedupe.parsing.authors import author_parts
from dedupe.parsing.cache import CacheWrites, ParseCache, cache_dir
from dedupe.parsing.decode import Decoded, check_encoding, read_text
from dedupe.parsing.formats import PARSERS, sniff
from dedupe.parsing.formats.base import ParseOutput, RecordColumns, RowCells, text_lines
from dedupe.parsing.shards import in_shares


@dataclass
class ParseResult:
    """Records and failures of every file read, plus one error line per unusable file."""

    records: pd.DataFrame
    failures: pd.DataFrame
    errors: list[FileError] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    """source_file -> format name, for every file parsed."""
    encodings: dict[str, tuple[str, float]] = field(default_factory=dict)
    """source_file -> (encoding, confidence) it was read with (1.0 unless guessed)."""
    warnings: list[str] = field(default_factory=list)
    """One line per file whose encoding was a doubtful guess."""
    skipped: list[FileError] = field(default_factory=list)
    """Paths below the folders named that were not read, each with its reason."""
    keys: dict[str, str] = field(default_factory=dict)
    """source_file -> its parse cache key (content, options, code), when caching is on."""
    hidden: list[str] = field(default_factory=list)
    """Hidden entries below the folders named (.git, .dedupe-cache, dotfiles): not read,
    not reported one by one (counted in the summary)."""
    lines: dict[str, dict[str, int]] = field(default_factory=dict)
    """source_file -> how many of its lines went to each account (see ``ACCOUNTS``)."""
    cache_writes: CacheWrites | None = None
    """Cache entries still being written (``parse_paths(write_behind=True)``)."""


OUTPUT_MARKER = ".dedupe-output"
"""A file dedupe leaves in every folder it writes outputs to; such folders are never read."""


def expand_paths(paths: list[Path], exclude: list[Path] | None = None) -> list[Path]:
    """Files named, and every non-hidden file below the folders named, sorted."""
    return walk_paths(paths, exclude)[0]


def walk_paths(
    paths: list[Path], exclude: list[Path] | None = None
) -> tuple[list[Path], list[FileError], list[FileError], list[str]]:
    """(files, skipped, unreadable, hidden): files named and every file below the folders
    named.

    Nothing is passed over silently: output folders (those holding ``OUTPUT_MARKER`` or
    named in ``exclude``), symbolic-link loops, folders reached twice and broken links are
    *skipped* with their reason; folders that cannot be listed are *unreadable*. Hidden
    entries (names starting with ".") are listed apart in *hidden*: they are expected
    (.git, caches) and only counted. A named path that does not exist is an InputError.
    """
    files: list[Path] = []
    skipped: list[FileError] = []
    unreadable: list[FileError] = []
    hidden: list[str] = []
    seen: set[tuple[int, int]] = set()
    outputs = {p.resolve() for p in exclude or []}
    for path in map(Path, paths):
        if path.is_dir():
            _walk_folder(path, outputs, seen, files, (skipped, unreadable, hidden))
        elif path.exists():
            files.append(path)
        else:
            raise InputError("no such file or folder.", path)
    unique: dict[Path, Path] = {}
    for f in files:  # a file named twice, or named and below a folder named, is read once
        unique.setdefault(f.resolve(), f)
    return sorted(unique.values()), skipped, unreadable, sorted(hidden)


def _walk_folder(
    root: Path,
    outputs: set[Path],
    seen: set[tuple[int, int]],
    files: list[Path],
    passed: tuple[list[FileError], list[FileError], list[str]],
) -> None:
    """Collect the files below ``root`` (following links, each folder once) and the paths
    ``passed`` over: (skipped, unreadable, hidden)."""
    skipped, unreadable, hidden = passed

    def cannot_list(exc: OSError) -> None:
        reason = exc.strerror or type(exc).__name__
        unreadable.append(FileError(str(exc.filename), None, f"cannot list folder ({reason})."))

    for dirpath, dirnames, filenames in os.walk(root, onerror=cannot_list, followlinks=True):
        here = Path(dirpath)
        why = _skip_folder(here, outputs, seen)
        if why:
            skipped.append(FileError(dirpath, None, f"skipped: {why}"))
            dirnames[:] = []
            continue
        for name in sorted(n for n in [*dirnames, *filenames] if n.startswith(".")):
            if name != OUTPUT_MARKER:
                hidden.append(str(here / name))
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(f for f in filenames if not f.startswith(".")):
            path = here / name
            try:
                regular = stat.S_ISREG(path.stat().st_mode)
                why = "not a regular file"
            except OSError as exc:
                regular, why = False, f"cannot follow ({exc.strerror or exc})"
            if regular:
                files.append(path)
            else:
                skipped.append(FileError(str(path), None, f"skipped: {why}"))


def _skip_folder(folder: Path, outputs: set[Path], seen: set[tuple[int, int]]) -> str | None:
    """Why a folder is not read (None: read it)."""
    try:
        st = folder.stat()
    except OSError as exc:
        return f"cannot follow ({exc.strerror or exc})"
    if (st.st_dev, st.st_ino) in seen:
        return "folder already read (a symbolic link loop or a second link to it)"
    seen.add((st.st_dev, st.st_ino))
    if folder.resolve() in outputs or (folder / OUTPUT_MARKER).exists():
        return "output folder of dedupe (never read as input)"
    return None


def _columns(out: ParseOutput, source: str, fmt: str) -> tuple[dict[str, list], list[dict]]:
    """The record table of one parsed file as columns (one list per ``RECORD_COLUMNS``
    entry), and its failure rows. Columns, not a dict per record: a million rows of dicts
    take gigabytes before the table exists. ``out.records`` is consumed: each parser record
    is let go as its row is taken, so the two never both hold a large file whole. The rows
    of a large export are worked in two processes (:mod:`.shards`)."""
    table = out.table if out.table is not None else _as_columns(out.records)
    out.records, out.table = [], None
    if isinstance(table, RowCells):
        cells = table
        cols = in_shares(len(cells), lambda a, b: _row_columns(cells.columns(a, b), source, fmt))
    else:
        cols = _row_columns(table, source, fmt)
    hashes = cols["content_hash"]
    taken: dict[str, int] = {}
    stem = PurePath(source).stem
    cols["record_id"] = ids = [make_record_id(stem, h, taken) for h in hashes]
    _fill_listers(cols["role"], ids, cols["listed_by"])
    fails = [
        dict(
            source_file=source,
            source_line=p.line,
            source_format=fmt,
            kind=p.kind,
            reason=p.reason,
            raw=p.raw,
            record_id=ids[p.record_index]
            if p.record_index is not None and p.record_index < len(ids)
            else None,
        )
        for p in out.problems
    ]
    return cols, fails


def _row_columns(table: RecordColumns, source: str, fmt: str) -> dict[str, list]:
    """The columns of ``table``'s records, each worked out from its own row (all but the
    record id, which numbers equal records of the whole file)."""
    n = len(table)
    cols: dict[str, list] = {
        c: list(table.fields[c]) if c in table.fields else [None] * n for c in RECORD_COLUMNS
    }
    cols["authors"], cols["author_affiliations"], cols["authors_norm"] = _authors(table)
    cols["source_line"], cols["role"] = table.line.tolist(), list(table.role)
    cols["source_file"] = [source] * n
    cols["source_format"] = [fmt] * n
    cols["content_hash"] = content_hashes(cols)
    return cols


def _as_columns(recs: list[RawRecord]) -> RecordColumns:
    """Parser records as columns (each record let go as its row is taken)."""
    n = len(recs)
    fields: dict[str, list] = {}
    line, end, role = [0] * n, [0] * n, [""] * n
    authors: list[tuple[list[str], str]] = []
    shared: dict[str, str] = {}  # one string object per distinct short value ("2003")
    for i, rec in enumerate(recs):
        for key, value in rec.fields.items():
            if key in _RECORD_COLUMN_SET:
                col = fields.get(key) or fields.setdefault(key, [None] * n)
                col[i] = shared.setdefault(value, value) if key in _REPEATED else value
        authors.append((rec.authors, rec.name_order))
        line[i], end[i], role[i] = rec.line, rec.end, rec.role
        recs[i] = None  # type: ignore[call-overload]  # freed as its row is taken
    ids = np.arange(n)
    return RecordColumns(
        fields, np.array(line, np.int64), np.array(end, np.int64), role, authors, ids
    )


def _authors(table: RecordColumns) -> tuple[list, list, list]:
    """(names, affiliation indexes, normalised names) of each record, each distinct author
    list and each distinct name worked out once; every record gets lists of its own."""
    done = author_parts(table.authors)
    of = np.asarray(table.author_of, dtype=np.int64)
    _, first = np.unique(of, return_index=True)
    again = np.ones(len(of), dtype=bool)
    again[first] = False  # a record whose author list an earlier record had: copies
    out = []
    for part in range(3):
        col = _take([d[part] for d in done], of)
        for i in np.flatnonzero(again):
            if col[i] is not None:
                col[i] = list(col[i])
        out.append(col)
    return out[0], out[1], out[2]


def _take(values: list, index: np.ndarray) -> list:
    """``values[i]`` for each ``i`` of ``index`` (None for -1) as a list."""
    table = np.empty(len(values) + 1, dtype=object)
    table[: len(values)] = values
    return table[index].tolist()


def _fill_listers(roles: list[str], ids: list[str], listed_by: list) -> None:
    """Each record that is not a main record and names no lister is listed by the latest
    main record before it (the page that lists the entries after it)."""
    if all(r == "main" for r in roles):
        return
    lister = None
    for i, role in enumerate(roles):
        if role == "main":
            lister = ids[i]
        elif not listed_by[i]:
            listed_by[i] = lister


_REPEATED = frozenset(
    {"year", "journal", "volume", "issue", "publisher", "language", "subject_code"}
)
"""Columns whose values repeat from record to record: kept as one string object each."""
_RECORD_COLUMN_SET = frozenset(RECORD_COLUMNS)


def parse_file(
    path: Path, fmt: str | None = None, column_map: dict | None = None, encoding: str | None = None
) -> tuple[list[dict], list[dict], str]:
    """Record rows, failure rows and the format name of one file; InputError if unusable."""
    return parse_text(read_text(path, check_encoding(encoding)).text, path, fmt, column_map)


def parse_text(
    text: str, path: Path, fmt: str | None = None, column_map: dict | None = None
) -> tuple[list[dict], list[dict], str]:
    """Record rows, failure rows and the format name of the decoded text of ``path``."""
    parsed = parse_lines(text, path, fmt, column_map)
    return parsed.rows, parsed.failures, parsed.fmt


@dataclass
class ParsedText:
    """One decoded file parsed: its rows, and where each of its lines went."""

    columns: dict[str, list]
    """The records, one list per column of ``RECORD_COLUMNS``."""
    failures: list[dict]
    fmt: str
    codes: np.ndarray
    """The account of each line (index = line number; index 0 unused): see ``ACCOUNTS``."""

    @property
    def rows(self) -> list[dict]:
        """The records as one dict per record."""
        return [dict(zip(self.columns, values)) for values in zip(*self.columns.values())]

    @property
    def records(self) -> pd.DataFrame:
        """The records as a table (object columns, None for missing values)."""
        return pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in self.columns.items()})

    @property
    def counts(self) -> dict[str, int]:
        """Lines by account (accounts with no line left out)."""
        found = np.bincount(self.codes[1:], minlength=len(ACCOUNTS))
        return {name: int(n) for name, n in zip(ACCOUNTS, found) if n}


def parse_lines(
    text: str, path: Path, fmt: str | None = None, column_map: dict | None = None
) -> ParsedText:
    """Parse the decoded text of ``path`` and account for every line.

    A line that no record, problem, layout span or blank holds (a parser's oversight)
    becomes a failure row, so nothing is lost even then; unattached lines separated only by
    blank lines are reported as one block.
    """
    parser = PARSERS[fmt] if fmt else sniff(text, path.suffix)
    if parser is None:
        raise InputError(
            f"unknown layout; pass --format with one of {', '.join(PARSERS)}.", path, 1
        )
    out = parser.parse(text, column_map)
    lines = text_lines(text)
    codes = line_account(out, lines)
    out.problems.extend(gaps(codes, lines, parser.name))
    out.problems = group_unattached(out.problems, codes)
    codes = line_account(out, lines)
    if not out.count:
        out.problems.insert(0, _no_records(out, text, parser.name))
    columns, fails = _columns(out, str(path), parser.name)
    return ParsedText(columns, fails, parser.name, codes)


def _no_records(out: ParseOutput, text: str, fmt: str) -> Problem:
    """The finding for a file that yields no record: it must not vanish silently."""
    kinds = Counter(p.kind for p in out.problems)
    lines = {"failure": "unreadable", "unattached": "unattached", "dropped": "dropped as chrome"}
    told = ", ".join(f"{kinds[k]} {v}" for k, v in lines.items() if kinds[k]) or "nothing"
    return Problem(
        1,
        "no_records",
        f"no records found reading it as {fmt} (lines: {told}); check the file's layout "
        "or pass --format",
        text.split("\n", 1)[0][:200],
    )


@collection_paused()
def parse_paths(
    paths: list[Path],
    fmt: str | None = None,
    column_map: dict | None = None,
    encoding: str | None = None,
    cache: str | Path | None = None,
    exclude: list[Path] | None = None,
    write_behind: bool = False,
) -> ParseResult:
    """Parse every file below ``paths``; unusable files become error lines, not exceptions.

    An unknown ``encoding`` is one InputError (a usage error), raised before any file is read.
    Files unchanged since a previous run come from the parse cache (``cache``: a folder or
    ``"off"``; None: ``$DEDUPE_CACHE``, else ``.dedupe-cache``; see :mod:`.cache`).
    Folders in ``exclude`` (the output folder) are not read; every path passed over is listed
    with its reason in ``skipped``. A file that yields no records gets a ``no_records``
    failure row. With ``write_behind``, new cache entries are written in a thread: the
    caller waits with ``result.cache_writes.done()``.
    """
    encoding = check_encoding(encoding)
    folder = cache_dir(cache)
    store = ParseCache(folder) if folder is not None else None
    writes = CacheWrites(store) if store is not None and write_behind else None
    recs: list[pd.DataFrame] = []
    fails: list[pd.DataFrame] = []
    files: dict[str, str] = {}
    encodings: dict[str, tuple[str, float]] = {}
    warnings: list[str] = []
    keys: dict[str, str] = {}
    found, skipped, errors, hidden = walk_paths([Path(p) for p in paths], exclude)
    lines: dict[str, dict[str, int]] = {}
    for path in found:
        try:
            r, f, name, decoded, (keys[str(path)], counts) = _parse_cached(
                path, fmt, column_map, encoding, store, writes
            )
        except InputError as exc:
            errors.append(exc.error or FileError(str(path), None, exc.message))
            continue
        recs.append(r)
        fails.append(f)
        files[str(path)] = name
        lines[str(path)] = counts
        encodings[str(path)] = (decoded.encoding, decoded.confidence)
        if decoded.doubtful:
            warnings.append(encoding_warning(path, decoded))
    records = _concat(recs, RECORD_COLUMNS)
    records["source_line"] = records["source_line"].astype("int64")
    failures = _concat(fails, FAILURE_COLUMNS)
    keys = {f: k for f, k in keys.items() if k and f in files}
    return ParseResult(
        records, failures, errors, files, encodings, warnings, skipped, keys, hidden, lines, writes
    )


def _parse_cached(
    path: Path,
    fmt: str | None,
    column_map: dict | None,
    encoding: str | None,
    store: ParseCache | None,
    writes: CacheWrites | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, str, Decoded, tuple[str, dict[str, int]]]:
    """One file's records, failures, format, decoding, and its cache key ("" without a
    cache) with its line account, from the cache when it has them."""
    key = ""
    if store is not None:
        try:
            options = {"format": fmt, "map": dict(column_map or {}), "encoding": encoding}
            key = store.key(path, path.read_bytes(), options)
        except OSError:
            store = None  # unreadable: read_text says why
        else:
            hit = store.get(path, key)
            if hit is not None:
                records, failures, info = hit
                decoded = Decoded("", **info["decoded"])
                return records, failures, info["format"], decoded, (key, info.get("lines", {}))
    decoded = read_text(path, encoding)
    parsed = parse_lines(decoded.text, path, fmt, column_map)
    records = parsed.records
    failures = to_frame(parsed.failures, FAILURE_COLUMNS)
    if store is not None:
        how = {"encoding": decoded.encoding, "confidence": decoded.confidence, "how": decoded.how}
        info = {"format": parsed.fmt, "decoded": how, "lines": parsed.counts}
        (writes or store).put(path, key, records, failures, info)
    return records, failures, parsed.fmt, decoded, (key, parsed.counts)


def _concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    if not frames:
        return to_frame([], columns)
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def encoding_warning(path: Path, decoded: Decoded) -> str:
    """The warning line for a file whose encoding is a low-confidence guess."""
    return (
        f"{path}: encoding guessed as {decoded.encoding} with low confidence "
        f"({decoded.confidence:.2f}); if its text looks wrong, pass --encoding with the "
        "file's real encoding."
    )
