"""Hostile inputs for the parsers and the checks (shared by the test and the benchmark).

Each parser gets a few *heads*: lines that put it in every state (a labelled section, a
reference list, an item) with ``{F}`` where a fill goes; each fill is a long run of what
backtracking regexes choke on: spaces, tabs, repeated separators, unbalanced brackets,
digits, words. A linear parser reads each document in milliseconds; a quadratic pattern
takes minutes at these sizes.
"""

from __future__ import annotations

from collections.abc import Iterator

N = 100_000


def fills(n: int = N) -> dict[str, str]:
    """Fill name -> a run of about ``n`` characters."""
    return {
        "spaces": " " * n,
        "tabs": "\t" * n,
        "open_brackets": "[" * n,
        "close_brackets": "]" * n,
        "open_parens": "(" * n,
        "squares": "◽" * n,
        "bars": "|" * n,
        "commas": ", " * (n // 2),
        "dots": ". " * (n // 2),
        "colons": ": " * (n // 2),
        "semicolons": "; " * (n // 2),
        "dashes": "-" * n,
        "digits": "1" * n,
        "years": "2020 " * (n // 5),
        "words": "ab " * (n // 3),
        "initials": "A. " * (n // 3),
    }


HEADS: dict[str, list[str]] = {
    "wos-cn": [
        "T\n\n作者\nRao, Sandy [1{F}]x\n来源\nNORDIC JOURNAL | 2021年{F}x\n被引{F}:{F}x",
        "T\n\n来源\nJ | {F}x 卷{F}/ 3期",
        "T\n\n相关论文\n• [1] Title{F}\nSmith, J{F}\n[J]. JOURNAL, 2022, 43{F}(04) : 344{F}- 355",
        "T\n\n相关论文\n{F}[1]{F}x\n• [2] T\nAb{F}Cd{F}\n[J]. J, 2022, {F}x",
        "T\n\n相关论文\n• [1] T\n{F}x{F}\n共{F}1{F}x",
    ],
    "abstract-page": [
        "Title\nAuthor:{F}x\nAbstract\nx{F}https://{F}\nCited by\n{F}x\nReferences{F}x",
        "T\nReferences 5 articles.\n1. {F}x\n2. Smith J. T. J. 2020;{F}x",
        "T\nReferences 5 articles.\n1. Smith J{F}. T. J{F}. 2020;{F}(x\n2. A B.{F}2020{F}x",
        "T\nReferences 5 articles.\n1. Smith J. T. J. 2020;49(4):{F}x https://x{F}",
    ],
    "wos-tagged": [
        "FN Clarivate\nVR 1.0\nPT J\nAU {F}x\nAF A{F}B\n   {F}x\nTI {F}x\nPY {F}x\nBP {F}1\n"
        "EP 2{F}\nDI 10.1/{F}x\nER\nPT {F}\nER{F}\nEF"
    ],
    "pubmed": [
        "PMID- 1{F}\nTI  - [{F}x\n      {F}x\nFAU - A{F}, B\nAU  - A{F}B\nDP  - {F}2020\n"
        "PG  - 1{F}-2\nLID - 10.1/{F}x [doi]\n\nPMID-{F}\n{F}x"
    ],
    "scholarly": [
        "scholarly journals{F}x\n2018 ◽\nVol{F}x\nVol 5 ({F}x\npp.{F}x\nAuthor(s):{F}x\ndoi:{F}x",
        "T\n2018{F}◽\nAuthor(s):\nA{F}B\n{F}x\n2019 ◽\npp. 1{F}-{F}2{F}◽",
    ],
    "ris": [
        "TY  - JOUR\nTI  - {F}x\nAU  - {F}x\nPY  - {F}x\nSP  - {F}x\nER  - \nTY  - JOUR{F}\n{F}x"
    ],
    "bibtex": [
        "@article{k, title={{F}x}, author={A{F}and B}, editor={A {F}and B (1)},\n"
        "year={2020{F}}, pages={1{F}--2}}\n"
        "@article{{F}"
    ],
    "csv": [
        'title,authors,year,pages\n"{F}x","A{F}; B","{F}2020","1{F}-{F}2"\n"{F}',
        'Title,Authors,Author full names,Year\n{F}x,"A{F}(1); B {F}(2)",A{F}and B (3),2020',
    ],
    "tsv": ["title\tauthors\tyear\n{F}x\tA{F}, B\t{F}2020"],
    "csl-json": [
        '[{"title": "{F}x", "author": [{"family": "A{F}", "given": "B"}, {"literal": "{F}x"}], '
        '"issued": {"date-parts": [["{F}2020"]]}, "keyword": "a,{F}b", "page": "1{F}-2", '
        '"note": "dedupe ids: {F}x (listed by: {F}x (role: {F}"},{F}{"title": "x"}, {F}x',
        "[{F}",
    ],
    "jsonl": [
        '{"title": "{F}x", "authors": "A{F}and B", "year": "{F}2020", "pages": "1{F}-2"}\n{{F}'
    ],
}

CHECK_HEADS = [
    "{F}x",
    "x{F}",
    "被引 abc {F}1x",
    "abc 共{F}1{F}x",
    "Smith, A.{F}A.x",
    "Smith; {F}1x",
    "10.1234/{F}x",
    "1{F}-{F}2x",
    "scholarly journals{F}x",
    "Reference{F}54{F}articles x",
    "Abstract{F}This",
    "D{F}O I",
    "Ã{F}©",
    "脴{F}g氓rd",
    "x ...{F}x",
]


def documents(n: int = N) -> Iterator[tuple[str, str, str]]:
    """(parser name, case id, text) for every head and fill."""
    for parser, heads in HEADS.items():
        for i, head in enumerate(heads):
            for name, fill in fills(n).items():
                yield parser, f"{parser}-{i}-{name}", head.replace("{F}", fill) + "\n"


def values(n: int = N) -> Iterator[tuple[str, str]]:
    """(case id, value) for every check head and fill."""
    for i, head in enumerate(CHECK_HEADS):
        for name, fill in fills(n).items():
            yield f"check-{i}-{name}", head.replace("{F}", fill)
