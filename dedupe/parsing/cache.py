"""A parse cache: each file's records and failures, keyed by what determines them.

The key is a hash of the file's bytes, its path (records carry it), the parse options
(format, column map, encoding) and the toolkit: its version and a hash of the parsing code,
so an edited parser never serves stale records. Reruns and ``dedupe check --changed`` then
parse only the files that changed. Entries are Arrow IPC files (data, not code; read
memory-mapped) under ``<cache>/parse/``; an entry for the same path with other content is
replaced.

The folder is ``.dedupe-cache`` in the working directory, or the ``DEDUPE_CACHE``
environment variable (a folder, or ``off`` to disable caching).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import uuid
import weakref
from concurrent.futures import Future
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dedupe.core.parallel import pool, threads
from dedupe.core.records import list_columns

CACHE_ENV = "DEDUPE_CACHE"
DEFAULT_DIR = Path(".dedupe-cache")
OFF = ("off", "0", "no", "false", "")
_CODE = ("parsing", "core/records.py", "core/names.py", "core/labels.py", "core/patterns.py")


def cache_dir(setting: str | Path | None = None) -> Path | None:
    """The cache folder for ``setting`` (None: the environment, then the default); None
    when caching is off."""
    value = str(setting) if setting is not None else os.environ.get(CACHE_ENV)
    if value is None:
        return DEFAULT_DIR
    return None if value.strip().lower() in OFF else Path(value)


@functools.lru_cache(maxsize=4)
def code_fingerprint(parts: tuple[str, ...] = _CODE) -> str:
    """The toolkit version plus a hash of the source of ``parts`` (default: everything
    parsing runs)."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    try:
        digest.update(metadata.version("bibdedupe-toolkit").encode())
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a checkout
        pass
    for part in parts:
        path = root / part
        for source in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(source.relative_to(root).as_posix().encode())
            digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


class ParseCache:
    """Per-file parse results stored under ``root/parse``."""

    def __init__(self, root: Path):
        self.folder = Path(root) / "parse"

    def key(self, path: Path, data: bytes, options: dict) -> str:
        """The entry key of ``path`` with content ``data`` parsed with ``options``."""
        digest = hashlib.sha256(data)
        digest.update(json.dumps([str(path), options, code_fingerprint()], sort_keys=True).encode())
        return digest.hexdigest()[:32]

    def _entry(self, path: Path, key: str) -> Path:
        return self.folder / f"{_path_id(path)}-{key}.arrow"

    def get(self, path: Path, key: str) -> tuple[pd.DataFrame, pd.DataFrame, dict] | None:
        """(records, failures, the ``info`` stored with them) for ``key``, or None."""
        entry = self._entry(path, key)
        try:
            with pa.memory_map(str(entry)) as source:
                table = pa.ipc.open_file(source).read_all()
        except (OSError, pa.ArrowException):
            return None
        meta = json.loads(table.schema.metadata[b"dedupe"])
        n = meta["records"]
        records = _frame(table.slice(0, n), meta["record_columns"])
        failures = _frame(table.slice(n), meta["failure_columns"]).astype(object)
        failures.columns = [c.removeprefix("_f_") for c in failures.columns]
        return records, failures, meta["info"]

    def put(
        self, path: Path, key: str, records: pd.DataFrame, failures: pd.DataFrame, info: dict
    ) -> None:
        """Store one file's result atomically, replacing older entries of the same path."""
        try:
            if not self.folder.exists():
                self.folder.mkdir(parents=True, exist_ok=True)
                (self.folder.parent / ".gitignore").write_text("# dedupe's parse cache\n*\n")
            table = _table(records, failures)
            meta = {
                "records": len(records),
                "record_columns": list(records.columns),
                "failure_columns": ["_f_" + c for c in failures.columns],
                "info": info,
            }
            table = table.replace_schema_metadata({"dedupe": json.dumps(meta)})
            entry = self._entry(path, key)
            tmp = entry.with_suffix(f".{uuid.uuid4().hex}.tmp")
            with pa.OSFile(str(tmp), "wb") as sink, pa.ipc.new_file(sink, table.schema) as out:
                out.write_table(table)
            for old in self.folder.glob(f"{_path_id(path)}-*.arrow"):
                old.unlink(missing_ok=True)
            os.replace(tmp, entry)
        except OSError:  # a read-only or full disk: run without the cache
            return


class CacheWrites:
    """Cache entries written in a thread, one after another, while the caller goes on
    (``dedupe match`` writes a million-record entry, about 4 s, while it normalises): each
    ``put`` gets copies of the tables, so nothing the caller does to its own reaches the
    entry; ``done()`` waits for them all (and raises what a write raised, beyond the disk
    errors ``put`` ignores). With one thread allowed, ``put`` writes at once."""

    def __init__(self, store: ParseCache) -> None:
        self.store = store
        self.pending: list[Future] = []
        self._pool = pool(1, "dedupe-cache") if threads() > 1 else None
        _OPEN.add(self)

    def put(
        self, path: Path, key: str, records: pd.DataFrame, failures: pd.DataFrame, info: dict
    ) -> None:
        if self._pool is None:
            self.store.put(path, key, records, failures, info)
        else:
            copies = (records.copy(), failures.copy())
            self.pending.append(self._pool.submit(self.store.put, path, key, *copies, info))

    def done(self) -> None:
        while self.pending:
            self.pending.pop(0).result()
        if self._pool is not None:
            self._pool.shutdown()

    def settle(self) -> None:
        """Wait for the writes, whatever their outcome (when the caller is failing)."""
        if self._pool is not None:
            self._pool.shutdown()


_OPEN: weakref.WeakSet[CacheWrites] = weakref.WeakSet()


def settle_writes() -> None:
    """Wait for every cache write still under way (before the process ends at once)."""
    for writes in list(_OPEN):
        writes.settle()


def _path_id(path: Path) -> str:
    return hashlib.sha1(str(path).encode("utf-8")).hexdigest()[:12]


def _table(records: pd.DataFrame, failures: pd.DataFrame) -> pa.Table:
    """The records, then the failures (columns prefixed "_f_"), as one Arrow table, each
    column converted on its own: no concatenated frame, no copy of the whole table."""
    n, m = len(records), len(failures)
    names, arrays = [], []
    for frame, prefix, before, after in ((records, "", 0, m), (failures, "_f_", n, 0)):
        for name, col in frame.items():
            values = np.full(before + len(col) + after, None, dtype=object)
            values[before : before + len(col)] = col.to_numpy(dtype=object)
            names.append(prefix + str(name))
            arrays.append(_arrow_column(names[-1], values))
    return pa.Table.from_arrays(arrays, names=names)


def _arrow_column(name: str, values: np.ndarray) -> pa.Array:
    """One column as ``_strings`` and ``Table.from_pandas`` make it: line numbers as
    integers, text as strings, lists as lists; anything else through ``_strings``."""
    if name in ("source_line", "_f_source_line"):
        return pa.array(values, type=pa.int64(), from_pandas=True)
    try:
        arr = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        arr = None
    if arr is not None and (
        pa.types.is_string(arr.type) or pa.types.is_null(arr.type) or pa.types.is_list(arr.type)
    ):
        return arr
    frame = _strings(pd.DataFrame({name: pd.Series(values, dtype=object)}))
    return pa.Table.from_pandas(frame, preserve_index=False).column(0).combine_chunks()


def _strings(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column as text (or None) except the integer line numbers and the list columns
    (Arrow lists of strings): one Arrow type per column."""
    out = {}
    lists = set(list_columns(frame))
    for name, col in frame.items():
        if name in lists:
            out[name] = col.astype(object)
        elif name in ("source_line", "_f_source_line"):
            out[name] = pd.array(col, dtype="Int64")
        elif pd.api.types.infer_dtype(col, skipna=True) in ("string", "empty"):
            out[name] = col.astype(object)
        else:
            out[name] = col.map(lambda v: v if v is None or isinstance(v, str) else str(v))
    return pd.DataFrame(out)


def _frame(table: pa.Table, columns: list[str]) -> pd.DataFrame:
    """Columns of ``table`` as Python objects with None for missing, as parsers make them
    (line numbers as int64)."""
    frame = pd.DataFrame(
        {
            c: table.column(c).to_pylist()
            if pa.types.is_list(table.column(c).type)
            else table.column(c).to_numpy(zero_copy_only=False)
            for c in columns
        },
        dtype=object,
    )
    for name in ("source_line", "_f_source_line"):
        if name in frame:
            frame[name] = frame[name].astype("int64")
    return frame


class DerivedCache:
    """Tables and JSON derived from parsed files (``dedupe check``'s normalised features and
    corpus models), stored under ``root/<kind>`` as Arrow IPC files and JSON: data, never
    code. An entry put for a ``group`` (a file's path) replaces that group's older entries."""

    def __init__(self, root: Path, kind: str):
        self.folder = Path(root) / kind

    def _path(self, key: str, name: str, group: str = "") -> Path:
        prefix = f"{_path_id(Path(group))}-" if group else ""
        return self.folder / f"{prefix}{key}.{name}"

    def get_tables(self, key: str, names: list[str], group: str = "") -> dict | None:
        """The frames stored as ``names`` under ``key``, or None if any is missing or broken."""
        out = {}
        for name in names:
            try:
                with pa.memory_map(str(self._path(key, name + ".arrow", group))) as source:
                    table = pa.ipc.open_file(source).read_all()
                out[name] = _restore(table)
            except (OSError, pa.ArrowException, KeyError, ValueError):
                return None
        return out

    def put_tables(self, key: str, tables: dict[str, pd.DataFrame], group: str = "") -> None:
        """Store frames under ``key`` atomically; older entries of ``group`` are removed."""
        try:
            self._prepare()
            if group:
                for old in self.folder.glob(f"{_path_id(Path(group))}-*"):
                    if not old.name.startswith(f"{_path_id(Path(group))}-{key}."):
                        old.unlink(missing_ok=True)
            for name, frame in tables.items():
                table = _typed(frame)
                tmp = self.folder / f".{uuid.uuid4().hex}.tmp"
                with pa.OSFile(str(tmp), "wb") as sink, pa.ipc.new_file(sink, table.schema) as w:
                    w.write_table(table)
                os.replace(tmp, self._path(key, name + ".arrow", group))
        except (OSError, pa.ArrowException):  # a read-only or full disk: run without it
            return

    def get_json(self, key: str) -> dict | None:
        """The JSON stored under ``key``, or None."""
        try:
            return json.loads(self._path(key, "json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def put_json(self, key: str, data: dict, keep: int = 16) -> None:
        """Store ``data`` under ``key`` atomically, keeping the ``keep`` newest entries."""
        try:
            self._prepare()
            tmp = self.folder / f".{uuid.uuid4().hex}.tmp"
            tmp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
            os.replace(tmp, self._path(key, "json"))
            entries = sorted(self.folder.glob("*.json"), key=lambda p: p.stat().st_mtime)
            for old in entries[:-keep]:
                old.unlink(missing_ok=True)
        except OSError:
            return

    def _prepare(self) -> None:
        if not self.folder.exists():
            self.folder.mkdir(parents=True)
            (self.folder.parent / ".gitignore").write_text("# dedupe's parse cache\n*\n")


def _typed(frame: pd.DataFrame) -> pa.Table:
    """``frame`` as an Arrow table whose metadata says each column's pandas dtype."""
    dtypes = {str(c): str(t) for c, t in frame.dtypes.items()}
    cols = {}
    for name, col in frame.items():
        if dtypes[str(name)] == "object":
            cols[str(name)] = pa.array(
                col.to_numpy(dtype=object), from_pandas=True, type=pa.string()
            )
        else:
            cols[str(name)] = pa.array(col, from_pandas=True)
    table = pa.table(cols) if cols else pa.table({})
    return table.replace_schema_metadata({"dtypes": json.dumps(dtypes)})


def _restore(table: pa.Table) -> pd.DataFrame:
    """The frame ``_typed`` stored: text columns as Python strings and None, nullable
    integers as ``Int64``, other columns as their numpy dtype."""
    dtypes = json.loads(table.schema.metadata[b"dtypes"])
    out = {}
    for name, dtype in dtypes.items():
        col = table.column(name)
        if dtype == "object":
            out[name] = pd.Series(col.to_numpy(zero_copy_only=False), dtype=object)
        elif dtype == "Int64":
            values = pc.fill_null(col, 0).to_numpy(zero_copy_only=False).astype("int64")
            mask = pc.is_null(col).to_numpy(zero_copy_only=False)
            out[name] = pd.Series(pd.arrays.IntegerArray(values, mask))
        else:
            out[name] = pd.Series(col.to_numpy(zero_copy_only=False).astype(dtype))
    return pd.DataFrame(out, index=pd.RangeIndex(table.num_rows))
