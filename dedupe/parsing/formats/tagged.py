"""Line-tagged exports (Web of Science, PubMed/MEDLINE): records as lists of (tag, value).

A tagged record is a run of lines "TAG value" whose continuation lines are indented; each
layout states its tag pattern, the tag that opens a record and the one that closes it.
The patterns are anchored and linear (no nested or overlapping quantifiers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dedupe.parsing.formats.base import ParseOutput, numbered_lines


@dataclass
class Tagged:
    """One record: its first line and its (tag, value) items, continuations as items."""

    line: int
    items: list[tuple[str, str]] = field(default_factory=list)
    end: int = 0
    """The record's last line (its closing tag, or its last item)."""

    def values(self, tag: str) -> list[str]:
        """Every value of ``tag``, continuation lines included, in file order."""
        return [v for t, v in self.items if t == tag and v]

    def first(self, *tags: str) -> str | None:
        """The first tag of ``tags`` present, its lines joined with spaces."""
        for tag in tags:
            vals = self.values(tag)
            if vals:
                return " ".join(vals)
        return None


@dataclass(frozen=True)
class Layout:
    """How one tagged format writes records."""

    name: str
    tag: re.Pattern
    continuation: re.Pattern
    opens: str
    closes: str | None
    header: frozenset[str] = frozenset()
    blank_closes: bool = False
    wraps: bool = False
    """True when continuation lines wrap the previous value (MEDLINE); False when each is
    one more value of the same tag (Web of Science: one author or address a line)."""


def read_tagged(text: str, layout: Layout, out: ParseOutput) -> list[Tagged]:
    """Split a tagged export into records; stray lines become failures in ``out``."""
    records: list[Tagged] = []
    current: Tagged | None = None
    last_tag = ""
    for no, line in numbered_lines(text):
        if not line.strip():
            if current is not None and layout.blank_closes:
                records.append(current)
                current = None
            continue
        m = layout.tag.match(line)
        if m:
            tag, value = m.group(1), (m.group(2) or "").strip()
            if tag == layout.opens:
                if current is not None:
                    _unclosed(current, layout, out)
                    records.append(current)
                current, last_tag = Tagged(no, [(tag, value)], no), tag
            elif tag == layout.closes and current is not None:
                current.end = no
                records.append(current)
                current = None
            elif current is not None:
                current.items.append((tag, value))
                current.end, last_tag = no, tag
            elif tag in layout.header:
                out.skip(no)
            else:
                out.fail(no, line, f"{layout.name} tag {tag} outside any record")
            continue
        c = layout.continuation.match(line)
        if c and current is not None:
            _continue(current, last_tag, c.group(1).strip(), layout.wraps)
            current.end = no
        else:
            out.fail(no, line, f"line is neither a {layout.name} tag nor a continuation")
    if current is not None:
        if layout.closes and not layout.blank_closes:
            _unclosed(current, layout, out)
        records.append(current)
    return records


def _continue(rec: Tagged, tag: str, text: str, wraps: bool) -> None:
    if wraps and rec.items:
        prev_tag, prev = rec.items[-1]
        rec.items[-1] = (prev_tag, f"{prev} {text}".strip())
    else:
        rec.items.append((tag, text))


def _unclosed(rec: Tagged, layout: Layout, out: ParseOutput) -> None:
    out.fail(
        rec.line,
        f"{layout.opens} {rec.items[0][1]}",
        f"{layout.name} record without its {layout.closes} line; read up to the next record",
    )
