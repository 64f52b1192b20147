"""CSV files written by Arrow string kernels, byte for byte as pandas' ``to_csv`` writes them.

``DataFrame.to_csv`` hands every cell to Python's csv module (about 3 s per million corpus
rows, most of ``dedupe match``'s write stage). Here each column becomes an Arrow string array
of the text pandas would write (numbers through the same numpy conversion, lists joined as
:func:`dedupe.core.records.written` joins them), formula cells get their ``'`` and cells
holding a character the csv module quotes for are quoted, all with pyarrow.compute; rows
are then joined and written in chunks. Arrow's own CSV writer is not used: it quotes every
string and writes floats differently. A table this cannot render exactly (a single column,
other dtypes, values of mixed types) is written by pandas as before.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dedupe.core.arrays import value_types
from dedupe.core.records import LIST_SEP, joined

CHUNK_BYTES = 4 << 20
"""About how much text is rendered and written at a time: the rows per chunk follow from
the first chunk's bytes per row (a corpus row is ten times a pair's), which bounds the
memory of each column's intermediate texts and keeps them in cache."""
FIRST_ROWS = 2_000
"""Rows of the first chunk, whose size sets the others'."""
MAX_ROWS = 100_000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet treat a cell as a formula (OWASP)."""


def _quoted_characters() -> str:
    """The characters that make the csv module (as pandas configures it) quote a cell,
    probed once on this Python rather than assumed (``,``, ``"`` and ``\\n`` on 3.11)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    found = []
    for c in map(chr, [*range(128), 0x85, 0xA0, 0x2028, 0x2029]):
        out.seek(0)
        out.truncate()
        writer.writerow([f"x{c}y", "1"])
        if out.getvalue().startswith('"'):
            found.append(c)
    return "".join(found)


QUOTED = _quoted_characters()
QUOTE_RX = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in QUOTED) + "]"
FORMULA_RX = "^[" + "".join(f"\\x{{{ord(c):x}}}" for c in FORMULA_START) + "]"


def _objects_text(values: np.ndarray) -> pa.Array | None:
    """An object column's text: strings as they are, Python ints and bools as ``str``
    writes them, lists joined; None for anything else."""
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind in ("string", "empty"):
        return pa.array(values, pa.string(), from_pandas=True)
    if kind == "integer":
        return pc.cast(pa.array(values, pa.int64(), from_pandas=True), pa.string())
    if kind == "boolean":
        flags = pa.array(values, pa.bool_(), from_pandas=True)
        return pc.if_else(flags, "True", "False")
    if kind != "mixed":
        return None
    present = values[~pd.isna(values)] if len(values) else values
    if all(issubclass(kind, (list, tuple)) for kind in value_types(present)):
        return pc.binary_join(pa.array(values, pa.list_(pa.string()), from_pandas=True), LIST_SEP)
    text = np.array([joined(v) for v in values], dtype=object)
    if pd.api.types.infer_dtype(text, skipna=True) not in ("string", "empty"):
        return None
    return pa.array(text, pa.string(), from_pandas=True)


def cell_text(column: pd.Series) -> pa.Array | None:
    """The column's cells as the text pandas' ``to_csv`` writes (null where it writes
    nothing); None for a column this module does not render."""
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        names = cell_text(pd.Series(dtype.categories.to_numpy(dtype=object), dtype=object))
        return None if names is None else _coded(names, column.cat.codes.to_numpy())
    if isinstance(dtype, np.dtype) and dtype.kind in "iufb":
        values = column.to_numpy()
        if dtype.kind == "f":  # as pandas: numpy's str of each value, once per distinct value
            codes, uniq = pd.factorize(values.view(f"i{dtype.itemsize}"))  # -0.0 kept apart
            uniq = uniq.view(dtype)
            names = pa.array(uniq.astype(str), pa.string(), mask=np.isnan(uniq))
            return _coded(names, codes)
        if dtype.kind == "b":
            return pa.array(np.where(values, "True", "False"), pa.string())
        return pc.cast(pa.array(values), pa.string())
    if isinstance(dtype, pd.StringDtype) or (
        isinstance(dtype, pd.ArrowDtype) and pa.types.is_string(dtype.pyarrow_dtype)
    ):
        text = column.to_numpy(dtype=object, na_value=None)
        return pa.array(text, pa.string(), from_pandas=True)
    if isinstance(dtype, np.dtype) and dtype.kind == "O":
        return _objects_text(column.to_numpy(dtype=object))
    return None


def _coded(names: pa.Array, codes: np.ndarray) -> pa.Array:
    """``names`` taken by ``codes`` (-1: null); a dictionary array, so the cells' later
    kernels run once per distinct name."""
    return pa.DictionaryArray.from_arrays(pa.array(codes, pa.int32(), mask=codes < 0), names)


def _neutralised(text: pa.Array) -> pa.Array:
    """Cells starting like a formula with a ``'`` before them."""
    if isinstance(text, pa.DictionaryArray):
        return _on_names(text, _neutralised)
    hit = pc.fill_null(pc.match_substring_regex(text, FORMULA_RX), False)
    if not pc.any(hit).as_py():
        return text
    return pc.if_else(hit, pc.binary_join_element_wise("'", text, ""), text)


def _quoted(text: pa.Array) -> pa.Array:
    """Cells the csv module quotes in double quotes (inner quotes doubled); nulls empty."""
    if isinstance(text, pa.DictionaryArray):
        return pc.fill_null(pc.take(_quoted(text.dictionary), text.indices), "")
    text = pc.fill_null(text, "")
    hit = pc.match_substring_regex(text, QUOTE_RX)
    if not pc.any(hit).as_py():
        return text
    escaped = pc.replace_substring(text, '"', '""')
    return pc.if_else(hit, pc.binary_join_element_wise('"', escaped, '"', ""), text)


def _on_names(text: pa.DictionaryArray, change: Callable) -> pa.DictionaryArray:
    """A dictionary array with ``change`` applied to its distinct values only."""
    return pa.DictionaryArray.from_arrays(text.indices, change(text.dictionary))


def _header(columns: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(columns)
    return out.getvalue()


def _renderers(frame: pd.DataFrame, neutralise: bool) -> list[Callable] | None:
    """Per column, a function from a row slice to its written cells; None when a column
    cannot be rendered exactly (the caller falls back to pandas)."""
    out: list[Callable] = []
    for _, column in frame.items():
        if cell_text(column.iloc[:0]) is None and column.dtype != object:
            return None
        guard = neutralise and not (
            pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)
        )
        out.append(_renderer(column, guard))
    return out


def _renderer(column: pd.Series, neutralise: bool) -> Callable[[int, int], pa.Array]:
    def render(start: int, stop: int) -> pa.Array:
        text = cell_text(column.iloc[start:stop])
        if text is None:
            raise TypeError(f"column {column.name!r} holds values of mixed types")
        return _quoted(_neutralised(text) if neutralise else text)

    return render


def write_csv(frame: pd.DataFrame, path: Path, neutralise: bool = True) -> None:
    """Write ``frame`` as ``frame.to_csv(path, index=False)`` would after formula cells
    got their ``'`` (``neutralise``) and lists were joined, in Arrow rather than Python."""
    columns = list(frame.columns)
    renderers = (
        _renderers(frame, neutralise)
        if len(columns) > 1 and all(isinstance(c, str) for c in columns) and frame.columns.is_unique
        else None
    )
    if renderers is None or not _write_arrow(frame, path, renderers):
        _write_pandas(frame, path, neutralise)


def _write_arrow(frame: pd.DataFrame, path: Path, renderers: list[Callable]) -> bool:
    """Write with the renderers; False (nothing kept) when a chunk turns out mixed."""
    with open(path, "wb") as out:
        out.write(_header(list(frame.columns)).encode("utf-8"))
        start, rows = 0, FIRST_ROWS
        while start < len(frame):
            stop = min(start + rows, len(frame))
            try:
                cells = [render(start, stop) for render in renderers]
            except (TypeError, pa.ArrowException):
                return False
            cells[-1] = pc.binary_join_element_wise(cells[-1], "\n", "")  # the line's end
            text = _text_bytes(pc.binary_join_element_wise(*cells, ","))
            out.write(text)
            rows = int(min(MAX_ROWS, max(FIRST_ROWS, CHUNK_BYTES * (stop - start) // len(text))))
            start = stop
    return True


def _text_bytes(text: pa.Array) -> memoryview:
    """The concatenated UTF-8 of a string array without nulls (its data buffer)."""
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int32)[
        text.offset : text.offset + len(text) + 1
    ]
    return memoryview(text.buffers()[2])[offsets[0] : offsets[-1]]


def _write_pandas(frame: pd.DataFrame, path: Path, neutralise: bool) -> None:
    """The table through pandas' ``to_csv`` (lists joined, formula cells neutralised)."""
    from dedupe.core.records import written
    from dedupe.reporting.outputs import neutralise_formulas

    table = written(frame)
    table = neutralise_formulas(table) if neutralise else table
    table.to_csv(path, index=False)
