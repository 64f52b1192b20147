"""The comparisons, declared: for each compared field its ordered levels, each with the
shipped m and u values and what the level means, in one place.

As in Splink, a comparison's first level is always ``null`` (a value missing on either side,
weight 0) and its last ``else``. ``m`` is the chance that two records of one paper show the
level, ``u`` the chance that two random records do. The shipped values are a judgement that
per-corpus estimation (``estimate.py``) starts from and falls back to on small corpora.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Level:
    """One level of a comparison."""

    name: str
    m: float
    u: float
    meaning: str


@dataclass(frozen=True)
class Comparison:
    """A compared field: its levels after the null level, best first, ``else`` last."""

    name: str
    levels: tuple[Level, ...]
    meaning: str

    @property
    def names(self) -> list[str]:
        """Level names, ``null`` first."""
        return ["null"] + [lv.name for lv in self.levels]


COMPARISONS: tuple[Comparison, ...] = (
    Comparison("title", (
        Level("exact", 0.80, 2e-5, "the same folded title"),
        Level("fuzzy_95", 0.10, 1e-5, "titles at least 95 % alike (word order ignored)"),
        Level("fuzzy_88", 0.05, 2e-5, "titles at least 88 % alike"),
        Level("contained", 0.02, 1e-4, "one title holds the other's words (a tag, a subtitle)"),
        Level("fuzzy_75", 0.02, 1e-3, "titles at least 75 % alike"),
        Level("else", 0.01, 0.99886, "titles not alike"),
    ), "folded titles without annotations and junk"),
    Comparison("title_abstract", (
        Level("high", 0.60, 2e-3, "the untitled side's abstract holds the title (85 %)"),
        Level("medium", 0.25, 1e-2, "the abstract mostly holds the title (80 %)"),
        Level("else", 0.15, 0.988, "the abstract does not hold the title"),
    ), "one side untitled: its abstract against the other's title"),
    Comparison("authors", (
        Level("all", 0.78, 1e-4, "the same family names, in any order"),
        Level("first_and_most", 0.10, 1e-4, "the same first author and most family names"),
        Level("most", 0.05, 5e-4, "most family names (80 %)"),
        Level("some", 0.06, 0.005, "some family names (50 %)"),
        Level("else", 0.01, 0.9943, "different authors"),
    ), "family names of the author lists"),
    Comparison("year", (
        Level("same", 0.90, 0.06, "the same year"),
        Level("one_apart", 0.07, 0.11, "a year apart (online first, conference and journal)"),
        Level("else", 0.03, 0.83, "years further apart"),
    ), "publication year"),
    Comparison("journal", (
        Level("exact", 0.50, 0.02, "the same journal once abbreviations are expanded"),
        Level("fuzzy", 0.20, 0.03, "journal names alike, or one the other's acronym"),
        Level("else", 0.30, 0.95, "different journal names"),
    ), "journal or venue"),
    Comparison("volume", (
        Level("same", 0.90, 0.03, "the same volume number"),
        Level("else", 0.10, 0.97, "different volume numbers"),
    ), "volume number"),
    Comparison("issue", (
        Level("same", 0.85, 0.10, "the same issue number"),
        Level("else", 0.15, 0.90, "different issue numbers"),
    ), "issue number"),
    Comparison("pages", (
        Level("same", 0.85, 0.001, "the same first page"),
        Level("compatible", 0.08, 0.002, "ranges that overlap, or an end page given alone"),
        Level("else", 0.07, 0.997, "different pages"),
    ), "page numbers"),
    Comparison("doi", (
        Level("same", 0.99, 1e-7, "the same DOI"),
        Level("else", 0.01, 0.9999999, "different DOIs"),
    ), "DOI"),
)  # fmt: skip

# comparison -> ordered level names; the first is always "null", the last "else"
LEVELS: dict[str, list[str]] = {c.name: c.names for c in COMPARISONS}
DEFAULT_MU: dict[str, list[tuple[float, float]]] = {
    c.name: [(lv.m, lv.u) for lv in c.levels] for c in COMPARISONS
}
