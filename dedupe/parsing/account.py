"""Where every line of a parsed file went: a record, layout, blank, chrome, unattached text
or a failure.

Parsers state it (records' spans, ``take``, ``skip`` and problems in ``ParseOutput``); this
module turns that into one code per line, makes any line no parser accounted for a failure
row (so nothing is lost even through a parser's oversight), and merges consecutive
unattached lines into one block.
"""

from __future__ import annotations

import numpy as np

from dedupe.core.records import Problem
from dedupe.parsing.formats.base import ParseOutput

ACCOUNTS = ("not_read", "layout", "record", "blank", "chrome", "unattached", "failure")
"""Where a line can go: ``layout`` (header rows, record separators, comments), a
``record``'s span, ``blank``, page ``chrome`` (kind ``dropped``), ``unattached`` text,
a ``failure``; ``not_read`` only before the gaps are made failures."""
_CODE = {name: i for i, name in enumerate(ACCOUNTS)}
_KIND_CODE = {
    "dropped": _CODE["chrome"],
    "unattached": _CODE["unattached"],
    "failure": _CODE["failure"],
}
GAP_REASON = "not read by the {fmt} parser (a gap in the parser; please report it)"


def line_account(out: ParseOutput, lines: list[str]) -> np.ndarray:
    """The account code of every line (index = 1-based line number): later kinds win, in
    the order layout, record, blank, chrome, unattached, failure."""
    codes = np.zeros(len(lines) + 1, dtype=np.int8)

    def mark(first: int, last: int, code: int) -> None:
        codes[max(first, 1) : max(first, last) + 1] = code

    for first, last in out.layout:
        mark(first, last, _CODE["layout"])
    for rec in out.records:
        mark(rec.line, rec.end, _CODE["record"])
    if out.table is not None:
        codes[_spans(out.table.line, out.table.end, len(codes))] = _CODE["record"]
    for first, last, _ in out.taken:
        mark(first, last, _CODE["record"])
    blank = np.fromiter((not ln.strip() for ln in lines), dtype=bool, count=len(lines))
    codes[1:][blank] = _CODE["blank"]
    for p in out.problems:
        if p.kind in _KIND_CODE:
            mark(p.line, p.end, _KIND_CODE[p.kind])
    return codes


def _spans(first: np.ndarray, last: np.ndarray, size: int) -> np.ndarray:
    """Which of ``size`` line numbers lie in a span ``first``..``last`` (as ``mark`` reads
    them: ``last`` below ``first`` is ``first`` alone), without a loop per span."""
    lo = np.clip(np.maximum(first, 1), 0, size)
    hi = np.clip(np.maximum(first, last) + 1, 0, size)
    keep = lo < hi
    delta = np.bincount(lo[keep], minlength=size + 1) - np.bincount(hi[keep], minlength=size + 1)
    return np.cumsum(delta[:size]) > 0


def gaps(codes: np.ndarray, lines: list[str], fmt: str) -> list[Problem]:
    """One failure per run of lines nothing accounts for."""
    missing = np.flatnonzero(codes == _CODE["not_read"])
    missing = missing[missing > 0]
    if not len(missing):
        return []
    runs = np.split(missing, np.flatnonzero(np.diff(missing) > 1) + 1)
    return [
        Problem(
            int(run[0]),
            "failure",
            f"{_span_words(int(run[0]), int(run[-1]))} {GAP_REASON.format(fmt=fmt)}",
            "\n".join(lines[run[0] - 1 : run[-1]]),
            None,
            int(run[-1]),
        )
        for run in runs
    ]


def _span_words(first: int, last: int) -> str:
    return f"line {first}" if last <= first else f"lines {first}-{last}"


def group_unattached(problems: list[Problem], codes: np.ndarray) -> list[Problem]:
    """Unattached problems with the same reason and only blank lines between them merged
    into one block: first line, last line, the text of every line."""
    out: list[Problem] = []
    last: Problem | None = None
    blank = codes == _CODE["blank"]
    for p in sorted(problems, key=lambda p: p.line):
        end = max(p.line, p.end)
        if (
            last is not None
            and p.kind == "unattached"
            and p.reason == last.reason
            and p.line > last.end
            and blank[last.end + 1 : p.line].all()
        ):
            last.end, last.raw = end, f"{last.raw}\n{p.raw}"
            continue
        out.append(p)
        if p.kind == "unattached":
            last = Problem(p.line, p.kind, p.reason, p.raw, p.record_index, end)
            out[-1] = last
        else:
            last = None
    for p in out:
        if p.kind == "unattached" and p.end > p.line:
            p.reason = f"{p.reason} ({_span_words(p.line, p.end)})"
    return out
