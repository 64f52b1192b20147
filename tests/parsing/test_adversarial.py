"""Hostile lines cannot stall the gate: every parser and every check is linear on them.

Runs of 100,000 spaces, tabs, separators, brackets, digits or words (adversarial_inputs.py)
through every parser (sniff, parse, record rows with names) and every check (detection,
suggested fix, report highlight patterns). Before the patterns were rewritten, single cases
took from 20 seconds to hours; the bound here is generous, and counts CPU time (not wall
time) so that other jobs on a loaded machine cannot make it fail.
"""

from __future__ import annotations

import time
from pathlib import Path

import adversarial_inputs
import pandas as pd
import pytest

from dedupe.core.patterns import COMPILED, EXACT
from dedupe.core.records import RECORD_COLUMNS
from dedupe.parsing.files import parse_text
from dedupe.parsing.formats import PARSERS, sniff
from dedupe.validation.anomalies import validate_records
from dedupe.validation.checks import CHECKS

BOUND_S = 10.0


def test_every_parser_has_hostile_cases():
    assert set(adversarial_inputs.HEADS) == set(PARSERS)


@pytest.mark.parametrize("parser", list(PARSERS))
def test_parser_is_linear_on_hostile_lines(parser):
    start = time.process_time()
    for name, case, text in adversarial_inputs.documents():
        if name != parser:
            continue
        sniff(text)
        rows, fails, _ = parse_text(text, Path("hostile.txt"), name)
        assert rows or fails, case
    assert time.process_time() - start < BOUND_S


def test_checks_are_linear_on_hostile_values():
    values = [v for _, v in adversarial_inputs.values()]
    series = pd.Series(values, dtype=object)
    start = time.process_time()
    for spec in CHECKS.values():
        bad = ~spec.detect(series).to_numpy(dtype=bool)
        if spec.suggest is not None:
            for value in series[bad]:
                spec.suggest(value)
    assert time.process_time() - start < BOUND_S


def test_report_patterns_are_linear_on_hostile_values():
    # runs of 10,000: a quadratic pattern would need about a second for each value
    values = [v for _, v in adversarial_inputs.values(10_000)]
    start = time.process_time()
    for rx in [*COMPILED.values(), *EXACT.values()]:
        for value in values:
            rx.sub("", value)
    assert time.process_time() - start < BOUND_S


def test_validation_of_hostile_records_finishes():
    values = [v for _, v in adversarial_inputs.values(20_000)]
    records = pd.DataFrame({c: values for c in RECORD_COLUMNS}, dtype=object)
    records["record_id"] = [f"h#{i}" for i in range(len(values))]
    records["source_line"] = range(1, len(values) + 1)
    records["role"] = "main"
    start = time.process_time()
    anomalies = validate_records(records)
    assert len(anomalies) > 0
    assert time.process_time() - start < 3 * BOUND_S
