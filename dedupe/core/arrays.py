"""Column conversions shared by the vectorised stages."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pyarrow as pa


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
