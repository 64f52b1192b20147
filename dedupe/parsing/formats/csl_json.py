"""CSL-JSON (Zotero, pandoc, citeproc): a JSON array of items, each read with its line.

Authors are ``{"family", "given"}`` or ``{"literal"}`` (an organisation, kept whole); the
year is the first ``issued`` date part (or its literal); ``keyword`` is comma-separated.
"""

from __future__ import annotations

import json
import re

from dedupe.parsing.formats.base import ParseOutput, Parser
from dedupe.parsing.formats.exports import record_from_items

_WS = re.compile(r"[\s,]*")
FIELDS = {
    "title": "title",
    "container-title": "journal",
    "volume": "volume",
    "issue": "issue",
    "page": "pages",
    "DOI": "doi",
    "abstract": "abstract",
    "language": "language",
    "URL": "url",
    "publisher": "publisher",
    "note": "note",
    "id": "source_id",
}


def _names(people: list) -> list[str]:
    out = []
    for p in people if isinstance(people, list) else []:
        if not isinstance(p, dict):
            continue
        if p.get("family"):
            out.append(f"{p['family']}, {p['given']}" if p.get("given") else f"{p['family']},")
        elif p.get("literal"):
            out.append(f"{p['literal']},")  # an organisation: family name only
    return out


def _year(issued) -> str | None:
    if not isinstance(issued, dict):
        return None
    parts = issued.get("date-parts") or [[None]]
    first = parts[0][0] if parts and parts[0] else None
    return str(first) if first else issued.get("literal") or issued.get("raw")


def csl_items(item: dict) -> list[tuple[str, object]]:
    """(canonical field, value) pairs of one CSL item."""
    pairs: list[tuple[str, object]] = [(FIELDS[k], v) for k, v in item.items() if k in FIELDS]
    pairs.append(("authors", _names(item.get("author", []))))
    pairs.append(("year", _year(item.get("issued"))))
    keywords = item.get("keyword")
    if isinstance(keywords, str):
        pairs.append(("keywords", "; ".join(k.strip() for k in keywords.split(",") if k.strip())))
    return pairs


def _trailing(text: str, end: int, out: ParseOutput) -> ParseOutput:
    """Report any text after the array's closing bracket (its line is layout)."""
    out.skip(text.count("\n", 0, end - 1) + 1)
    rest = text[end:]
    if rest.strip():
        at = end + len(rest) - len(rest.lstrip())
        first, last = text.count("\n", 0, at) + 1, _last_line(text)
        out.fail(first, rest.strip()[:80], "text after the CSL-JSON array", last)
    return out


def _last_line(text: str) -> int:
    """The number of the file's last line (a final newline ends it, opens none)."""
    return text.rstrip("\n").count("\n") + 1


class CslJsonParser(Parser):
    name = "csl-json"
    description = "CSL-JSON: a JSON array of citation items (Zotero, pandoc, citeproc)"
    extensions = (".json",)

    def sniff(self, text: str) -> float:
        head = text.lstrip()[:2000]
        return 0.95 if head.startswith("[") and '"type"' in head else 0.0

    def parse(self, text: str, column_map=None) -> ParseOutput:
        out = ParseOutput()
        decoder, pos = json.JSONDecoder(), text.find("[") + 1
        last = _last_line(text)
        if pos == 0 or text[: pos - 1].strip():
            why = "CSL-JSON must be a JSON array of items; nothing read"
            out.fail(1, text.split("\n", 1)[0], why, last)
            return out
        line = text.count("\n", 0, pos) + 1  # counted incrementally: linear in the file
        while True:
            start, pos = pos, _WS.match(text, pos).end()  # type: ignore[union-attr]
            at = line + text.count("\n", start, pos)
            out.skip(line, at)  # the opening bracket, commas between items
            line = at
            if pos < len(text) and text[pos] == "]":
                return _trailing(text, pos + 1, out)
            if pos >= len(text):
                tail = text.rstrip().rsplit("\n", 1)[-1][:80]
                out.fail(min(line, last), tail, "CSL-JSON array not closed (no ])", last)
                return out
            try:
                item, end = decoder.raw_decode(text, pos)
            except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
                why = getattr(exc, "msg", None) or type(exc).__name__
                why = f"invalid CSL-JSON item: {why}; not read from here to the end"
                out.fail(line, text[pos : pos + 80], why, last)
                return out
            first, line, pos = line, line + text.count("\n", pos, end), end
            if isinstance(item, dict):
                rec = record_from_items(first, csl_items(item))
                rec.end = line
                out.records.append(rec)
            else:
                out.fail(first, str(item)[:80], "a CSL-JSON item must be an object", line)
