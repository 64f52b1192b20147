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
from importlib import metadata
from pathlib import Path

import pandas as pd
import pyarrow as pa

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


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """The toolkit version plus a hash of the source of everything parsing runs."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    try:
        digest.update(metadata.version("bibdedupe-toolkit").encode())
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a checkout
        pass
    for part in _CODE:
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
                self.folder.mkdir(parents=True)
                (self.folder.parent / ".gitignore").write_text("# dedupe's parse cache\n*\n")
            both = pd.concat([records, failures.add_prefix("_f_")], ignore_index=True)
            table = pa.Table.from_pandas(_strings(both), preserve_index=False)
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


def _path_id(path: Path) -> str:
    return hashlib.sha1(str(path).encode("utf-8")).hexdigest()[:12]


def _strings(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column as text (or None) except the integer line numbers: one Arrow type
    per column."""
    out = {}
    for name, col in frame.items():
        if name in ("source_line", "_f_source_line"):
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
        {c: table.column(c).to_numpy(zero_copy_only=False) for c in columns}, dtype=object
    )
    for name in ("source_line", "_f_source_line"):
        if name in frame:
            frame[name] = frame[name].astype("int64")
    return frame
