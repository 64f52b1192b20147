"""Column conversions shared by the vectorised stages."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dedupe.core.patterns import STRING_DTYPE


def objects(series: pd.Series) -> pd.Series:
    """The column as Python objects with None (not NaN/NA) for missing values."""
    return series.astype(object).where(series.notna(), None)


def arrow_strings(series: pd.Series) -> pa.Array:
    """The column as an Arrow string array (nulls kept), for pyarrow compute kernels; a
    column already Arrow-backed is taken as it is, not converted through Python objects."""
    if series.dtype == STRING_DTYPE:
        arr = pa.array(series.array)
        arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
        return arr.cast(pa.string())
    return pa.array(objects(series).tolist(), type=pa.string())


def map_unique(series: pd.Series, func: Callable) -> pd.Series:
    """``func`` applied once per distinct non-missing value, as Python objects; missing
    values stay None."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    mapped = np.full(len(uniques) + 1, None, dtype=object)  # the last: code -1, missing
    for i, value in enumerate(np.asarray(uniques, dtype=object)):
        mapped[i] = func(value)
    return pd.Series(mapped[codes], index=series.index, dtype=object)


def run_starts(keys: np.ndarray) -> np.ndarray:
    """Where each run of equal values starts in an array grouped by value (e.g. sorted)."""
    return np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else np.arange(0)


def is_list_column(series: pd.Series) -> bool:
    """True when the column holds lists (judged by its first present value)."""
    if series.dtype != object:
        return False
    for v in series.to_numpy(dtype=object):
        if isinstance(v, (list, tuple, np.ndarray)):  # numpy arrays: Arrow lists to pandas
            return True
        if v is not None and v is not pd.NA and not (isinstance(v, float) and v != v):
            return False
    return False


def value_types(values: np.ndarray) -> set[type]:
    """The types of the values of an object array, found in C (a tenth of the time of an
    ``isinstance`` per value in Python)."""
    return set(map(type, values.tolist()))


def arrow_lists(series: pd.Series) -> pa.ListArray:
    """A column of lists of strings as an Arrow list array (None stays null); TypeError
    for a text value (a list written as one string is never split back)."""
    values = series.to_numpy(dtype=object)
    if any(issubclass(kind, str) for kind in value_types(values)):
        text = next(v for v in values if isinstance(v, str))
        raise TypeError(
            f"{series.name or 'a list column'} holds text ({text[:40]!r}), not a list of "
            "names; build the table with dedupe.parse or give lists"
        )
    return pa.array(values, type=pa.list_(pa.string()), from_pandas=True)


def flatten_lists(series: pd.Series | pa.ListArray) -> tuple[pd.Series, np.ndarray]:
    """(every item of a column of lists as Arrow-backed strings, the row position of each)."""
    lists = series if isinstance(series, pa.ListArray) else arrow_lists(series)
    items = pc.list_flatten(lists)
    parent = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False).astype(np.int64)
    return pd.Series(pd.arrays.ArrowStringArray(items)), parent


def end_items(
    series: pd.Series, last: bool = False, lists: pa.ListArray | None = None
) -> pd.Series:
    """The first (or last) item of each list; None for a missing or empty list (``lists``:
    the column already as Arrow lists)."""
    lists = arrow_lists(series) if lists is None else lists
    size = pc.fill_null(pc.list_value_length(lists), 0).to_numpy(zero_copy_only=False)
    offsets = np.asarray(lists.offsets)
    at = np.where(size > 0, (offsets[1:] - 1) if last else offsets[:-1], -1)
    index = pa.array(np.maximum(at - offsets[0], 0), pa.int64(), mask=at < 0)
    picked = pc.take(pc.list_flatten(lists), index)
    return pd.Series(pd.arrays.ArrowStringArray(picked), index=series.index)
