"""Hostile inputs against every parser and check: prints the worst case of each.

    python benchmarks/bench_adversarial.py [N]

Feeds every parser documents whose lines hold runs of N (default 100,000) spaces, tabs,
brackets, separators, digits or words (tests/parsing/adversarial_inputs.py) and every check
values built the same way; prints, per parser and per check, the slowest case and its time.
Every regex that sees input is linear, so each case takes milliseconds (a quadratic pattern
would take minutes at this size).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "parsing")]

import adversarial_inputs  # noqa: E402

from dedupe.core.patterns import COMPILED, EXACT  # noqa: E402
from dedupe.parsing.files import parse_text  # noqa: E402
from dedupe.parsing.formats import sniff  # noqa: E402
from dedupe.validation.checks import CHECKS  # noqa: E402


def time_parsers(n: int) -> dict[str, tuple[float, str]]:
    """Parser name -> (worst seconds, case id) over sniff + parse + record rows."""
    worst: dict[str, tuple[float, str]] = {}
    for name, case, text in adversarial_inputs.documents(n):
        start = time.perf_counter()
        sniff(text)
        parse_text(text, Path("hostile.txt"), name)
        worst[name] = max(worst.get(name, (0.0, "")), (time.perf_counter() - start, case))
    return worst


def time_checks(n: int) -> dict[str, tuple[float, str]]:
    """Check or pattern name -> (worst seconds, case id) over detection and suggestion."""
    worst: dict[str, tuple[float, str]] = {}
    for case, value in adversarial_inputs.values(n):
        series = pd.Series([value], dtype=object)
        for name, spec in CHECKS.items():
            start = time.perf_counter()
            if not spec.detect(series).all() and spec.suggest is not None:
                spec.suggest(value)
            worst[name] = max(worst.get(name, (0.0, "")), (time.perf_counter() - start, case))
        for name, rx in [*COMPILED.items(), *EXACT.items()]:
            start = time.perf_counter()
            rx.sub("", value)
            key = f"pattern {name}"
            worst[key] = max(worst.get(key, (0.0, "")), (time.perf_counter() - start, case))
    return worst


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else adversarial_inputs.N
    start = time.perf_counter()
    for title, worst in (("parser", time_parsers(n)), ("check", time_checks(n))):
        print(f"{title:28} worst case (runs of {n:,} characters)")
        for name, (secs, case) in sorted(worst.items(), key=lambda kv: -kv[1][0]):
            print(f"  {name:26} {secs * 1000:9.1f} ms  {case}")
    print(f"total {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
