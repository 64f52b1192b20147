"""Author cells to name lists and normalised names, each distinct value worked out once.

A million-row export holds about a million distinct author cells and a million and a half
distinct names. Cells are split by Arrow string kernels where that is exact (a cell
without "&" (HTML entities), ")" (Scopus ids) or white space other than " ", holding ";"
or no separator at all), by ``exports._author_list`` otherwise; each distinct name is
normalised once in Python (Arrow kernels were no quicker for names: the rules need about
twenty passes), and each cell's lists are cut from the flat results without a loop per
name. The results equal the Python functions' for any input
(``tests/parsing/test_authors.py`` checks both ways on generated text).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dedupe.core.names import normalise_author, strip_affiliation_index

OTHER_SPACE = (
    "[\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f\\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}"
    "\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}]"
)
"""Every character ``str.isspace`` accepts except " " (a test checks the list), as an RE2
class: cells holding one are left to Python, whose ``strip`` sees them all."""
SMALL = 2_000
"""Below this many values the Python functions alone are quicker than the set-up."""

Parts = tuple[list | None, list | None, list | None]
"""(names, affiliation indexes, normalised names) of one author list, None for none."""


def split_cells(cells: list[str], split: Callable[[str], list[str]]) -> list[list[str]]:
    """``split(cell)`` (``exports._author_list``) of each cell, by Arrow for simple ones."""
    if len(cells) < SMALL:
        return [split(c) for c in cells]
    arr = pa.array(cells, type=pa.string())
    simple = ~(_has(arr, "&") | _has(arr, ")") | _has_other_space(arr))
    semi = simple & _has(arr, ";")
    single = simple & ~semi
    for sep in (" and ", "◽", "|", ","):
        single &= ~_has(arr, sep)
    out: list[list[str]] = [[] for _ in cells]
    for i in np.flatnonzero(~(semi | single)).tolist():
        out[i] = split(cells[i])
    rows = np.flatnonzero(semi | single)
    lists = pc.split_pattern(arr.take(pa.array(rows)), ";")
    flat = pc.utf8_trim(pc.list_flatten(lists), " ")
    parent = pc.list_parent_indices(lists).to_numpy()
    keep = _np(pc.not_equal(flat, ""))
    names = flat.filter(pa.array(keep)).to_pylist()
    ends = np.cumsum(np.bincount(parent[keep], minlength=len(rows))).tolist()
    for i, a, b in zip(rows.tolist(), [0, *ends[:-1]], ends):
        out[i] = names[a:b]
    return out


def python_parts(cells: list[tuple[list[str], str]]) -> list[Parts]:
    """(names, affiliation indexes, normalised names) of each (raw names, name order) cell,
    each distinct name worked out once by the Python functions."""
    seen: dict[tuple[str, str], tuple[str, str, str | None]] = {}

    def parts(raw: str, order: str) -> tuple[str, str, str | None]:
        found = seen.get((raw, order))
        if found is None:
            name, idx = strip_affiliation_index(raw)
            seen[(raw, order)] = found = (name, idx, normalise_author(name, order))
        return found

    out: list[Parts] = []
    for raw, order in cells:
        done = [parts(r, order) for r in raw]
        names, affils = [p[0] for p in done], [p[1] for p in done]
        norm = [p[2] for p in done if p[2]]
        out.append((names if any(names) else None, affils if any(affils) else None, norm or None))
    return out


def author_parts(cells: list[tuple[list[str], str]]) -> list[Parts]:
    """``python_parts`` of the cells: each distinct (name, order) worked out once, the
    cells' lists cut from the results without a loop per name."""
    flat = [name for names, _ in cells for name in names]
    if len(flat) < SMALL:
        return python_parts(cells)
    orders = {order for _, order in cells}
    if len(orders) == 1:  # one name order (an export's): the names factorised as they are
        codes, names = pd.factorize(np.array(flat, dtype=object), use_na_sentinel=False)
        order = orders.pop()
        distinct: Iterable[tuple[str, str]] = ((name, order) for name in names)
    else:
        index: dict[tuple[str, str], int] = {}
        keys = ((name, order) for names, order in cells for name in names)
        codes = np.fromiter((index.setdefault(k, len(index)) for k in keys), np.int64, len(flat))
        distinct = index
    found: tuple[list, list, list] = ([], [], [])
    for raw, order in distinct:
        name, idx = strip_affiliation_index(raw)
        found[0].append(name)
        found[1].append(idx)
        found[2].append(normalise_author(name, order))
    sizes = np.fromiter((len(names) for names, _ in cells), dtype=np.int64, count=len(cells))
    return _assemble(sizes, codes, *found)


def _assemble(sizes: np.ndarray, codes: np.ndarray, *distinct: list) -> list[Parts]:
    """Each cell's slice of the names (``codes`` into the ``distinct`` names, affiliation
    indexes and normalised names), as ``python_parts`` gives them: lists without a
    present value are None, normalised names without the None ones."""
    ends = np.cumsum(sizes)
    starts = ends - sizes
    seg = starts[sizes > 0]
    flat, flags = [], []
    for values in distinct:
        present = np.fromiter(map(bool, values), dtype=bool, count=len(values))[codes]
        table = np.empty(len(values), dtype=object)
        table[:] = values
        flat.append(table[codes].tolist())
        any_ = np.zeros(len(sizes), dtype=bool)
        all_ = np.ones(len(sizes), dtype=bool)
        if len(seg):
            any_[sizes > 0] = np.logical_or.reduceat(present, seg)
            all_[sizes > 0] = np.logical_and.reduceat(present, seg)
        flags.append((any_.tolist(), all_.tolist()))
    (names, idx, norm), spans = flat, list(zip(starts.tolist(), ends.tolist()))
    return list(
        zip(
            [names[a:b] if ok else None for (a, b), ok in zip(spans, flags[0][0])],
            [idx[a:b] if ok else None for (a, b), ok in zip(spans, flags[1][0])],
            [
                (norm[a:b] if full else [x for x in norm[a:b] if x]) if ok else None
                for (a, b), ok, full in zip(spans, *flags[2])
            ],
        )
    )


def _np(arr: pa.Array) -> np.ndarray:
    """A boolean Arrow array as numpy (nulls as False)."""
    return pc.fill_null(arr, False).to_numpy(zero_copy_only=False)


def _has(arr: pa.Array, text: str) -> np.ndarray:
    return _np(pc.match_substring(arr, text))


def _has_other_space(arr: pa.Array) -> np.ndarray:
    return _np(pc.match_substring_regex(arr, OTHER_SPACE))
