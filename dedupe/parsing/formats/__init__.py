"""The parser registry: every layout and export format by the name users pass to --format."""

from __future__ import annotations

from dedupe.parsing.formats.abstract_page import AbstractPageParser
from dedupe.parsing.formats.base import Parser
from dedupe.parsing.formats.csl_json import CslJsonParser
from dedupe.parsing.formats.exports import (
    BibtexParser,
    CsvParser,
    JsonLinesParser,
    RisParser,
    TsvParser,
)
from dedupe.parsing.formats.pubmed import PubmedParser
from dedupe.parsing.formats.scholarly import ScholarlyParser
from dedupe.parsing.formats.wos_cn import WosCnParser
from dedupe.parsing.formats.wos_tagged import WosTaggedParser

PARSERS: dict[str, Parser] = {
    p.name: p
    for p in (
        WosCnParser(),
        WosTaggedParser(),
        PubmedParser(),
        ScholarlyParser(),
        AbstractPageParser(),
        RisParser(),
        BibtexParser(),
        CsvParser(),
        TsvParser(),
        JsonLinesParser(),
        CslJsonParser(),
    )
}
SNIFF_THRESHOLD = 0.5


def sniff(text: str, suffix: str = "") -> Parser | None:
    """The parser for a text: by file extension for exports, else the best-scoring layout."""
    for parser in PARSERS.values():
        if suffix.lower() in parser.extensions:
            return parser
    score, best = max((p.sniff(text), i) for i, p in enumerate(PARSERS.values()))
    return list(PARSERS.values())[best] if score >= SNIFF_THRESHOLD else None
