"""The Arrow CSV writer writes exactly the bytes pandas' ``to_csv`` writes (after lists are
joined and formula cells neutralised), on hypothesis-built tables of every dtype we write."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.core.records import written
from dedupe.reporting import csv_writer
from dedupe.reporting.csv_writer import write_csv
from dedupe.reporting.outputs import neutralise_formulas

AWKWARD = st.sampled_from(
    ["", " ", ",", '"', "\n", "\r", "\r\n", "\t", "=", "+", "-", "@", "'", ";", "é", "被", "\x85"]
)
TEXT = st.lists(st.one_of(AWKWARD, st.text(max_size=6)), max_size=4).map("".join)
FLOATS = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([0.0, -0.0, 1e16, 1e-5])


def pandas_bytes(frame: pd.DataFrame, neutralise: bool, path) -> bytes:
    table = written(frame)
    (neutralise_formulas(table) if neutralise else table).to_csv(path, index=False)
    return path.read_bytes()


@st.composite
def tables(draw):
    n = draw(st.integers(0, 12))
    maybe = st.one_of(st.none(), TEXT)

    def column(values):
        return draw(st.lists(values, min_size=n, max_size=n))

    columns = {
        "text": pd.Series(column(maybe), dtype=object),
        "str": pd.Series(column(maybe), dtype="string"),
        "f64": np.array(column(FLOATS), dtype=np.float64),
        "f32": np.array(column(st.floats(width=32)), dtype=np.float32),
        "int": np.array(column(st.integers(-(2**40), 2**40))),
        "flag": np.array(column(st.booleans()), dtype=bool),
        "cat": pd.Categorical(column(maybe)),
        "list": pd.Series(column(st.one_of(st.none(), st.lists(TEXT, max_size=3))), dtype=object),
        "mixed": pd.Series(column(st.one_of(maybe, st.lists(TEXT, max_size=2))), dtype=object),
        "count": pd.Series(column(st.integers(-5, 99)), dtype=object),
    }
    names = draw(st.lists(st.sampled_from(sorted(columns)), min_size=2, max_size=6, unique=True))
    return pd.DataFrame({name: columns[name] for name in names})


@settings(max_examples=300, deadline=None)
@given(table=tables(), neutralise=st.booleans())
def test_same_bytes_as_pandas(table, neutralise, tmp_path_factory):
    folder = tmp_path_factory.mktemp("csv")
    write_csv(table, folder / "arrow.csv", neutralise)
    assert (folder / "arrow.csv").read_bytes() == pandas_bytes(table, neutralise, folder / "pd.csv")


@pytest.mark.parametrize("chunk_bytes", [1, 40, 1000], ids=["rows-3", "rows-3-then-more", "rest"])
def test_chunks_join_into_one_file(tmp_path, monkeypatch, chunk_bytes):
    monkeypatch.setattr(csv_writer, "FIRST_ROWS", 3)
    monkeypatch.setattr(csv_writer, "CHUNK_BYTES", chunk_bytes)
    table = pd.DataFrame({"a": [f"x{i}" for i in range(10)], "b": np.arange(10) / 3})
    write_csv(table, tmp_path / "a.csv")
    assert (tmp_path / "a.csv").read_bytes() == pandas_bytes(table, True, tmp_path / "p.csv")


@pytest.mark.parametrize(
    "table",
    [
        pd.DataFrame({"only": ["", None, "x"]}),  # one column: an empty row is written ""
        pd.DataFrame({"a": [1, 2], "b": [{"k": 1}, None]}),  # a dict: pandas' str of it
        pd.DataFrame({"a": pd.to_datetime(["2020-01-01", None]), "b": ["x", "y"]}),
    ],
    ids=["single-column", "dict-values", "datetime"],
)
def test_tables_it_does_not_render_are_written_by_pandas(table, tmp_path):
    write_csv(table, tmp_path / "a.csv")
    assert (tmp_path / "a.csv").read_bytes() == pandas_bytes(table, True, tmp_path / "p.csv")


def test_quoted_characters_are_probed():
    assert set(csv_writer.QUOTED) >= {",", '"', "\n"}
