import pytest
from hypothesis import given
from hypothesis import strategies as st

from dedupe.core.names import normalise_name, split_author_list


@pytest.mark.parametrize(
    "raw,order,expected",
    [
        ("Ogard-Repal, Anita", "auto", "Ogard-Repal, Anita"),
        ("Anita Øgård-Repål", "auto", "Øgård-Repål, Anita"),
        ("Mirbahaeddin Elmira", "family_first", "Mirbahaeddin, Elmira"),
        ("Mirbahaeddin E", "auto", "Mirbahaeddin, E"),
        ("Rao, Sandy [1 ]", "auto", "Rao, Sandy"),
        ("Maj Britt D. Nielsen", "given_first", "Nielsen, Maj Britt D."),
        ("de Wet, Anneliese", "auto", "de Wet, Anneliese"),
        ("Ludwig van Beethoven", "auto", "van Beethoven, Ludwig"),
        ("T. J. Craig", "given_first", "Craig, T. J."),
        ("K. Selçuk Candan", "auto", "Candan, K. Selçuk"),
        ("World Health Organization", "corporate", "World Health Organization"),
    ],
    ids=[
        "family-comma-given",
        "given-family-diacritics",
        "family-first-layout",
        "vancouver-initials",
        "affiliation-index",
        "double-given",
        "particle-with-comma",
        "particle-given-first",
        "initials-first",
        "initial-then-given",
        "corporate",
    ],
)
def test_normalise_name(raw, order, expected):
    assert normalise_name(raw, order) == expected


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("Mirbahaeddin Elmira; Chreim Samia", ["Mirbahaeddin Elmira", "Chreim Samia"]),
        ("Doe, John and Smith, Ann", ["Doe, John", "Smith, Ann"]),
        ("Gottfried Vossen, Mathias Weske", ["Gottfried Vossen", "Mathias Weske"]),
        ("Vossen, Gottfried, Weske, Mathias", ["Vossen, Gottfried", "Weske, Mathias"]),
        ("H&#233;ctor Garc&#237;a-Molina, Luis Gravano", ["Héctor García-Molina", "Luis Gravano"]),
    ],
    ids=["semicolon", "bibtex-and", "comma-full-names", "comma-pairs", "html-entities"],
)
def test_split_author_list(raw, expected):
    assert split_author_list(raw) == expected


@given(
    st.text(alphabet=st.characters(categories=["L", "Zs"], include_characters=",.-"), max_size=40)
)
def test_normalisation_is_idempotent(name):
    once = normalise_name(name)
    assert normalise_name(once) == once


@pytest.mark.parametrize(
    "raw, names",
    [
        ("Yip, Chi Bun", ["Yip, Chi Bun"]),  # one author, family first, full given names
        ("Lemoncello, Richard R.", ["Lemoncello, Richard R."]),
        ("Doe, J., Smith, Ann Marie", ["Doe, J.", "Smith, Ann Marie"]),
        ("J O'Loughlin, L Anselin", ["J O'Loughlin", "L Anselin"]),  # given first
        ("JO'Loughlin, L Anselin", ["JO'Loughlin", "L Anselin"]),  # "L Anselin": a whole name
        ("Gottfried Vossen, Mathias Weske", ["Gottfried Vossen", "Mathias Weske"]),
        ("Suresha, Kaushik Dutta, Krithi Ramamritham, Helen M. Thomas",
         ["Suresha", "Kaushik Dutta", "Krithi Ramamritham", "Helen M. Thomas"]),
    ],
)  # fmt: skip
def test_comma_lists_tell_one_family_first_name_from_several_names(raw, names):
    assert split_author_list(raw) == names
