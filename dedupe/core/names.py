"""Author names: split raw author lists and normalise each name to "Family, Given".

The order a source writes a name in is a property of the layout, so callers may pass
``order="family_first"`` or ``"given_first"``; ``"auto"`` decides from the name's shape:

>>> normalise_name("Ogard-Repal, Anita")
'Ogard-Repal, Anita'
>>> normalise_name("Anita Øgård-Repål")
'Øgård-Repål, Anita'
>>> normalise_name("Mirbahaeddin E")
'Mirbahaeddin, E'
>>> normalise_name("Mirbahaeddin Elmira", order="family_first")
'Mirbahaeddin, Elmira'
>>> normalise_name("K. Selçuk Candan"), normalise_name("T. J. Craig")
('Candan, K. Selçuk', 'Craig, T. J.')
>>> normalise_name("Ludwig van Beethoven")
'van Beethoven, Ludwig'
>>> normalise_name("World Health Organization,")  # EndNote's mark of an organisation
'World Health Organization'
"""

from __future__ import annotations

import html
import re

PARTICLES = {
    "van",
    "von",
    "de",
    "der",
    "den",
    "da",
    "di",
    "du",
    "la",
    "le",
    "dos",
    "das",
    "del",
    "della",
    "ter",
    "ten",
    "bin",
    "al",
    "el",
    "st",
    "st.",
    "dem",
    "zu",
}
TRUNCATION_MARKS = ("...", "…", "et al.", "et al")

_INITIALS = re.compile(r"^(?:[A-Z]\.?){1,3}$")
_AFFIL_CHARS = frozenset("0123456789, \t")


def strip_affiliation_index(name: str) -> tuple[str, str]:
    """Split "Rao, Sandy [1 ,2 ]" into ("Rao, Sandy", "1,2").

    String methods, not a regex: linear on any input (names come from untrusted pages).

    >>> strip_affiliation_index("Rao, Sandy [1 ,2 ]"), strip_affiliation_index("Doe [x]")
    (('Rao, Sandy', '1,2'), ('Doe [x]', ''))
    """
    if "]" not in name:  # no index (most names): as the general case returns them
        return name.strip(), ""
    text = name.rstrip()
    start = text.rfind("[")
    inner = text[start + 1 : -1] if start >= 0 and text.endswith("]") else ""
    if not inner.strip() or not _AFFIL_CHARS.issuperset(inner):
        return name.strip(), ""
    idx = ",".join(p.strip() for p in inner.split(",") if p.strip())
    return text[:start].strip(), idx


def is_truncation(token: str) -> bool:
    """True for a list-truncation marker such as "...", "…" or "et al."."""
    return token.strip().lower() in TRUNCATION_MARKS


def split_author_list(raw: str) -> list[str]:
    """Split a one-string author list whichever separator the source used.

    >>> split_author_list("Doe, John and Smith, Ann")
    ['Doe, John', 'Smith, Ann']
    >>> split_author_list("Gottfried Vossen, Mathias Weske")
    ['Gottfried Vossen', 'Mathias Weske']
    >>> split_author_list("Vossen, Gottfried, Weske, Mathias")
    ['Vossen, Gottfried', 'Weske, Mathias']
    >>> split_author_list("Yip, Chi Bun"), split_author_list("Lemoncello, Richard R.")
    (['Yip, Chi Bun'], ['Lemoncello, Richard R.'])
    """
    raw = html.unescape(raw or "").strip()  # "H&#233;ctor": entities hold semicolons
    if not raw:
        return []
    for sep in (";", " and ", "◽", "|"):
        if sep in raw:
            return [p.strip() for p in raw.split(sep) if p.strip()]
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    if _family_given_pairs(parts):
        return [f"{parts[i]}, {parts[i + 1]}" for i in range(0, len(parts), 2)]
    return parts


def _family_given_pairs(parts: list[str]) -> bool:
    """True where comma-separated ``parts`` read as family, given, family, given ...: every
    second part given names, and the others family names (one word, at least one of them;
    all of them where a given part has several full words, as "Yip, Chi Bun", which
    "Gottfried Vossen, Mathias Weske" must not be read as)."""
    if len(parts) < 2 or len(parts) % 2:
        return False
    family, given = parts[::2], parts[1::2]
    one_word = [len(p.split()) == 1 for p in family]
    if not any(one_word) or not all(_given_names(p) for p in given):
        return False
    several = any(len(p.split()) > 1 and not _INITIALS.match(p.replace(" ", "")) for p in given)
    return all(one_word) or not several


def _given_names(part: str) -> bool:
    """True where a part reads as given names: one word, initials, or up to three
    capitalised words with no full word after an initial ("Chi Bun", "Richard R.", not
    "L Anselin" or "Helen M. Thomas", which are whole names)."""
    words = part.split()
    if len(words) == 1 or _INITIALS.match(part.replace(" ", "")):
        return True
    initial = [bool(_INITIALS.match(w)) for w in words]
    after_initial = any(not b and any(initial[:i]) for i, b in enumerate(initial))
    return len(words) <= 3 and all(w[:1].isupper() for w in words) and not after_initial


def _split_given_first(tokens: list[str]) -> tuple[str, str]:
    cut = len(tokens) - 1
    while cut > 1 and tokens[cut - 1].lower() in PARTICLES:
        cut -= 1
    return " ".join(tokens[cut:]), " ".join(tokens[:cut])


def _initials(token: str) -> bool:
    """True for one to three capitals, each maybe with a dot ("J", "JA", "J.A."); a token
    longer than six or with a lower-case second letter ("Murray") skips the regex."""
    return len(token) <= 6 and not token[1:2].islower() and bool(_INITIALS.match(token))


def split_name(name: str, order: str = "auto") -> tuple[str, str]:
    """(family, given) of one name; ("", "") for an empty one."""
    # str.split() splits on exactly the characters the regex \s matches (every code point
    # checked), so this is ``re.sub(r"\s+", " ", ...).strip()`` without the regex
    raw = " ".join((strip_affiliation_index(name)[0] if "]" in name else name).split())
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
    if order == "auto" and _initials(tokens[-1]) and not _initials(tokens[0]):
        return " ".join(tokens[:-1]), tokens[-1]
    return _split_given_first(tokens)


def normalise_name(name: str, order: str = "auto") -> str:
    """The name as "Family, Given" (or just "Family" when no given name is known)."""
    family, given = split_name(name, order)
    return f"{family}, {given}" if given else family


def normalise_authors(names: list[str], order: str = "auto") -> list[str]:
    """Normalise a list of raw names, dropping truncation markers and empty entries."""
    return [norm for n in names if (norm := normalise_author(n, order))]


def normalise_author(name: str, order: str = "auto") -> str | None:
    """One raw name as "Family, Given"; None for a truncation marker or an empty name."""
    text = name.strip()
    if not text or text.lower() in TRUNCATION_MARKS:  # is_truncation(name), inlined
        return None
    family, given = split_name(name, order)
    return (f"{family}, {given}" if given else family) or None
