"""The vectorised folding of a column agrees with the scalar fold of each value."""

import pandas as pd
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dedupe.matching.normalise import fold, fold_one

# Text as scraped pages give it: ASCII, Latin diacritics, CJK, entities, dashes, odd spaces.
PIECES = st.sampled_from(
    ["Øgård", "&amp;", "&#233;", "é", "–", "\u00a0", "脴g氓rd", "Ã˜", "ß", "İ", " ", "-", "Ω"]
)
TEXT = st.lists(st.one_of(st.text(max_size=12), PIECES), max_size=6).map("".join)
VALUES = st.lists(st.one_of(st.none(), TEXT), min_size=1, max_size=20)


@settings(max_examples=200, deadline=None)
@given(VALUES)
@example(["Øgård-Repål", "ogard repal", None, "", "   ", "&lt;b&gt;", "ＡＢＣ", "ǅ", "ΐ"])
def test_fold_of_a_column_is_fold_one_of_each_value(values):
    folded = fold(pd.Series(values, dtype=object)).tolist()
    assert folded == [fold_one(v) for v in values]
