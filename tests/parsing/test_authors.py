"""Author cells split and names normalised per distinct value give what the per-value
Python functions give (``exports._author_list``, ``authors.python_parts``)."""

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedupe.parsing import authors
from dedupe.parsing.formats.exports import _author_list

PIECES = [
    "Doe", "John", "J.", "JA", "van", "de", "Øgård", "Li", ";", "; ", ",", ", ", " and ",
    "◽", "|", "&amp;", "&#233;", " (123)", "(x)", "[1,2]", "]", " ", "  ", "\t", "\n",
    "\u00a0", "\u3000", "\x1c", "et al.", "...", "…",
]  # fmt: skip
CELL = st.lists(st.sampled_from(PIECES), max_size=10).map("".join) | st.text(max_size=10)


def test_other_space_is_every_white_space_but_the_space():
    import pyarrow as pa
    import pyarrow.compute as pc

    chars = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]
    found = pc.match_substring_regex(pa.array(chars), authors.OTHER_SPACE)
    matched = {c for c, hit in zip(chars, found.to_pylist()) if hit}
    assert matched == {c for c in chars if c.isspace()} - {" "}


@settings(max_examples=200, deadline=None)
@given(st.lists(CELL, max_size=30))
def test_cells_split_as_one_by_one(monkeypatch_small, cells):
    assert authors.split_cells(cells, _author_list) == [_author_list(c) for c in cells]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(CELL, max_size=5),
            st.sampled_from(["auto", "auto", "family_first", "given_first"]),
        ),
        max_size=20,
    )
)
def test_names_normalised_as_one_by_one(monkeypatch_small, cells):
    assert authors.author_parts(cells) == authors.python_parts(cells)


@pytest.fixture(scope="module")
def monkeypatch_small():
    """Every input goes the way of large ones (not straight to the Python functions)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(authors, "SMALL", 0)
        yield
