"""Parse files and folders into one record table, with parse failures kept as data."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dedupe.core.errors import FileError, InputError
from dedupe.core.names import normalise_authors, strip_affiliation_index
from dedupe.core.records import (
    AUTHOR_SEP,
    FAILURE_COLUMNS,
    RECORD_COLUMNS,
    make_record_id,
    to_frame,
)
from dedupe.parsing.cache import ParseCache, cache_dir
from dedupe.parsing.decode import Decoded, check_encoding, read_text
from dedupe.parsing.formats import PARSERS, sniff
from dedupe.parsing.formats.base import ParseOutput


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


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files named, and every non-hidden file below the folders named, sorted."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file()
                    and not any(part.startswith(".") for part in p.relative_to(path).parts)
                )
            )
        elif path.exists():
            files.append(path)
        else:
            raise InputError("no such file or folder.", path)
    return files


def _rows(out: ParseOutput, source: str, fmt: str) -> tuple[list[dict], list[dict]]:
    rows, ids, taken = [], [], set()
    lister = None  # the latest main record: the page that lists the entries after it
    for rec in out.records:
        names, affils = [], []
        for raw in rec.authors:
            name, idx = strip_affiliation_index(raw)
            names.append(name)
            affils.append(idx)
        row = dict(rec.fields)
        row.update(source_file=source, source_line=rec.line, source_format=fmt, role=rec.role)
        row["authors"] = AUTHOR_SEP.join(names) or None
        row["authors_norm"] = AUTHOR_SEP.join(normalise_authors(names, rec.name_order)) or None
        row["author_affiliations"] = AUTHOR_SEP.join(affils) if any(affils) else None
        row["record_id"] = make_record_id(source, row, taken)
        ids.append(row["record_id"])
        if rec.role == "main":
            lister = row["record_id"]
        elif not row.get("listed_by"):
            row["listed_by"] = lister
        rows.append({c: row.get(c) for c in RECORD_COLUMNS})
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
    return rows, fails


def parse_file(
    path: Path, fmt: str | None = None, column_map: dict | None = None, encoding: str | None = None
) -> tuple[list[dict], list[dict], str]:
    """Record rows, failure rows and the format name of one file; InputError if unusable."""
    return parse_text(read_text(path, check_encoding(encoding)).text, path, fmt, column_map)


def parse_text(
    text: str, path: Path, fmt: str | None = None, column_map: dict | None = None
) -> tuple[list[dict], list[dict], str]:
    """Record rows, failure rows and the format name of the decoded text of ``path``."""
    if fmt:
        parser = PARSERS[fmt]
    else:
        parser = sniff(text, path.suffix)
        if parser is None:
            raise InputError(
                f"unknown layout; pass --format with one of {', '.join(PARSERS)}.", path, 1
            )
    out = parser.parse(text, column_map)
    return (*_rows(out, str(path), parser.name), parser.name)


def parse_paths(
    paths: list[Path],
    fmt: str | None = None,
    column_map: dict | None = None,
    encoding: str | None = None,
    cache: str | Path | None = None,
) -> ParseResult:
    """Parse every file below ``paths``; unusable files become error lines, not exceptions.

    An unknown ``encoding`` is one InputError (a usage error), raised before any file is read.
    Files unchanged since a previous run come from the parse cache (``cache``: a folder or
    ``"off"``; None: ``$DEDUPE_CACHE``, else ``.dedupe-cache``; see :mod:`.cache`).
    """
    encoding = check_encoding(encoding)
    folder = cache_dir(cache)
    store = ParseCache(folder) if folder is not None else None
    recs: list[pd.DataFrame] = []
    fails: list[pd.DataFrame] = []
    errors: list[FileError] = []
    files: dict[str, str] = {}
    encodings: dict[str, tuple[str, float]] = {}
    warnings: list[str] = []
    for path in expand_paths([Path(p) for p in paths]):
        try:
            r, f, name, decoded = _parse_cached(path, fmt, column_map, encoding, store)
        except InputError as exc:
            errors.append(exc.error or FileError(str(path), None, exc.message))
            continue
        recs.append(r)
        fails.append(f)
        files[str(path)] = name
        encodings[str(path)] = (decoded.encoding, decoded.confidence)
        if decoded.doubtful:
            warnings.append(encoding_warning(path, decoded))
    records = _concat(recs, RECORD_COLUMNS)
    records["source_line"] = records["source_line"].astype("int64")
    failures = _concat(fails, FAILURE_COLUMNS)
    return ParseResult(records, failures, errors, files, encodings, warnings)


def _parse_cached(
    path: Path,
    fmt: str | None,
    column_map: dict | None,
    encoding: str | None,
    store: ParseCache | None,
) -> tuple[pd.DataFrame, pd.DataFrame, str, Decoded]:
    """One file's records, failures, format and decoding, from the cache when it has them."""
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
                return records, failures, info["format"], Decoded("", **info["decoded"])
    decoded = read_text(path, encoding)
    r, f, name = parse_text(decoded.text, path, fmt, column_map)
    records, failures = to_frame(r, RECORD_COLUMNS), to_frame(f, FAILURE_COLUMNS)
    if store is not None:
        how = {"encoding": decoded.encoding, "confidence": decoded.confidence, "how": decoded.how}
        store.put(path, key, records, failures, {"format": name, "decoded": how})
    return records, failures, name, decoded


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
