"""Column conversions shared by the stages."""

import pandas as pd
import pytest

from dedupe.core.arrays import arrow_lists


class Text(str):
    pass


def test_arrow_lists_keeps_lists_and_nulls():
    column = pd.Series([["Doe, J", "Roe, R"], None, [], ("Ø",)], dtype=object)
    assert arrow_lists(column).to_pylist() == [["Doe, J", "Roe, R"], None, [], ["Ø"]]


@pytest.mark.parametrize("text", ["Doe, J; Roe, R", Text("Doe, J")])
def test_arrow_lists_refuses_text_never_splits_it(text):
    column = pd.Series([["Roe, R"], None, text], dtype=object, name="authors")
    with pytest.raises(TypeError, match="authors holds text"):
        arrow_lists(column)  # Arrow would read a string as a list of its characters
