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


def _old_strip_affiliation_index(name):
    """The function before its fast path for names without "]" (the oracle)."""
    text = name.rstrip()
    start = text.rfind("[")
    inner = text[start + 1 : -1] if start >= 0 and text.endswith("]") else ""
    if not inner.strip() or not frozenset("0123456789, \t").issuperset(inner):
        return name.strip(), ""
    idx = ",".join(p.strip() for p in inner.split(",") if p.strip())
    return text[:start].strip(), idx


def _old_split_name(name, order="auto"):
    """split_name before white space was collapsed without a regex (the oracle)."""
    import re

    from dedupe.core.names import _INITIALS, _split_given_first

    raw = re.sub(r"\s+", " ", _old_strip_affiliation_index(name)[0]).strip()
    name = raw.strip(" ,;")
    if not name:
        return "", ""
    if order == "corporate" or (raw.endswith(",") and "," not in name):
        return name, ""
    if "," in name:
        family, given = name.split(",", 1)
        return family.strip(), given.strip()
    tokens = name.split(" ")
    if len(tokens) == 1:
        return tokens[0], ""
    if order == "family_first":
        return tokens[0], " ".join(tokens[1:])
    if order == "auto" and _INITIALS.match(tokens[-1]) and not _INITIALS.match(tokens[0]):
        return " ".join(tokens[:-1]), tokens[-1]
    return _split_given_first(tokens)


NAME_PARTS = ["A", "J", "K", "a", "e", "é", " ", ".", ",", ";", "-", "[", "]", "1", "2"]
WHITE = ["\t", "\n", "\u00a0", "\u2028", "\x1c", "\u3000", "\x85", "  "]
NAME_TEXT = st.lists(
    st.sampled_from([*NAME_PARTS, *WHITE, "van ", "De ", "et al.", "Doe", "[1 ,2 ]"]),
    max_size=12,
).map("".join) | st.text(max_size=12)


@given(NAME_TEXT, st.sampled_from(["auto", "family_first", "given_first", "corporate"]))
def test_names_read_as_before_the_fast_paths(name, order):
    from dedupe.core.names import normalise_author, split_name, strip_affiliation_index

    assert strip_affiliation_index(name) == _old_strip_affiliation_index(name)
    family, given = _old_split_name(name, order)
    assert split_name(name, order) == (family, given)
    assert normalise_author(name, order) == (
        None
        if name.strip().lower() in ("...", "…", "et al.", "et al") or not name.strip()
        else (f"{family}, {given}" if given else family) or None
    )
