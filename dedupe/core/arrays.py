"""Column conversions shared by the vectorised stages."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def objects(series: pd.Series) -> pd.Series:
    """The column as Python objects with None (not NaN/NA) for missing values."""
    return series.astype(object).where(series.notna(), None)


def arrow_strings(series: pd.Series) -> pa.Array:
    """The column as an Arrow string array (nulls kept), for pyarrow compute kernels."""
    return pa.array(objects(series).tolist(), type=pa.string())


def map_unique(series: pd.Series, func: Callable) -> pd.Series:
    """``func`` applied once per distinct non-missing value; missing values stay None."""
    values = objects(series)
    uniq = pd.unique(values.dropna())
    return values.map(dict(zip(uniq, map(func, uniq)))).astype(object)


def is_list_column(series: pd.Series) -> bool:
    """True when the column holds lists (judged by its first present value)."""
    if series.dtype != object:
        return False
    first = series.first_valid_index()
    return first is not None and isinstance(series.at[first], (list, tuple))


def arrow_lists(series: pd.Series) -> pa.ListArray:
    """A column of lists of strings as an Arrow list array (None stays null); TypeError
    for a text value (a list written as one string is never split back)."""
    values = series.tolist()
    for v in values:
        if isinstance(v, str):
            raise TypeError(
                f"{series.name or 'a list column'} holds text ({v[:40]!r}), not a list of "
                "names; build the table with dedupe.parse or give lists"
            )
    values = [None if v is None or v is pd.NA or v != v else list(v) for v in values]
    return pa.array(values, type=pa.list_(pa.string()))


def flatten_lists(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """(every item of a column of lists, the row position of each), in order."""
    lists = arrow_lists(series)
    items = pc.list_flatten(lists)
    parent = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False).astype(np.int64)
    return pd.Series(items.to_pylist(), dtype=object), parent


def end_items(series: pd.Series, last: bool = False) -> pd.Series:
    """The first (or last) item of each list; None for a missing or empty list."""
    lists = arrow_lists(series)
    size = pc.fill_null(pc.list_value_length(lists), 0).to_numpy(zero_copy_only=False)
    offsets = np.asarray(lists.offsets)
    at = (offsets[1:] - 1) if last else offsets[:-1]
    items = np.asarray(pc.list_flatten(lists).to_pylist() + [None], dtype=object)
    pick = np.where(size > 0, at - offsets[0], len(items) - 1)
    return pd.Series(items[pick], index=series.index, dtype=object)
