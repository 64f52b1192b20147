"""Validate the record table against the pandera schema and collect one anomaly table."""

from __future__ import annotations

import re
from collections.abc import Collection
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from dedupe.core.arrays import is_list_column
from dedupe.core.errors import InputError
from dedupe.core.patterns import COMPILED, EXACT, RX, as_strings, search_mask
from dedupe.core.records import BIB_COLUMNS, EXTRA_COLUMNS, LIST_SEP, joined
from dedupe.validation import checks as _checks  # noqa: F401  registers the check methods before from_yaml
from dedupe.validation.checks import (
    CHECKS,
    FAILURE_CHECKS,
    ROLE_SEVERITY,
    ROW_CHECKS,
    SEVERITIES,
    detect_in,
    flagged_items,
    list_ends,
    lists_flattened_once,
)
from dedupe.validation.mojibake import SINGLE_BYTE

ANOMALY_COLUMNS = [
    "record_id",
    "source_file",
    "source_line",
    "field",
    "check",
    "severity",
    "value",
    "message",
    "suggestion",
    "span_start",
    "span_end",
]
"""``span_start``/``span_end``: the flagged part of ``value`` (character offsets, end
exclusive); empty when the whole value is the finding."""
CHECK_ERROR_SOURCE = "(validation)"
"""source_file of an anomaly that belongs to no record: a check that could not run."""
FORMULA_FIELDS = [c for c in [*BIB_COLUMNS, *EXTRA_COLUMNS] if c != "authors_norm"]
ROLE_FIELDS = {"missing_title": "title", "missing_year": "year", "missing_journal": "journal"}


def load_schema(name: str = "records", schema_dir: Path | None = None) -> pa.DataFrameSchema:
    """A schema from ``schemas/NAME.yaml`` (shipped inside the package)."""
    path = (
        (schema_dir / f"{name}.yaml")
        if schema_dir
        else resources.files("dedupe") / "schemas" / f"{name}.yaml"
    )
    try:
        return pa.DataFrameSchema.from_yaml(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, AttributeError) as exc:
        raise InputError(f"{path}: cannot load schema ({exc}).") from None


def _schema_anomalies(
    records: pd.DataFrame, schema: pa.DataFrameSchema
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(failures per record, failure cases of no record: checks that raised)."""
    cols = [c for c in schema.columns if c in records.columns]
    try:
        schema.select_columns(cols).validate(records[cols], lazy=True)
        return pd.DataFrame(columns=["index", "field", "check", "value"]), pd.DataFrame()
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
    broken = fc[fc["index"].isna()]  # a check that raised, or a column-level failure
    fc = fc[fc["index"].notna()]
    found = pd.DataFrame(
        {
            "index": fc["index"].astype("int64").to_numpy(),
            "field": fc["column"].to_numpy(),
            "check": fc["check"].astype(str).str.split("(").str[0].to_numpy(),
            "value": fc["failure_case"].to_numpy(),
        }
    )
    return found, broken


def _check_errors(broken: pd.DataFrame) -> pd.DataFrame:
    """One error row per check that could not run: reported, never dropped."""
    return pd.DataFrame(
        {
            "record_id": None,
            "source_file": CHECK_ERROR_SOURCE,
            "source_line": 0,
            "field": broken["column"].astype(object).to_numpy(),
            "check": "check_error",
            "severity": "error",
            "value": broken["failure_case"].astype(str).to_numpy(),
            "message": [
                f"check {str(c).split('(')[0]} could not run on this column; fix the check "
                "or the column's values"
                for c in broken["check"]
            ],
            "suggestion": None,
        },
        columns=ANOMALY_COLUMNS,
    )


def _role_anomalies(records: pd.DataFrame) -> pd.DataFrame:
    parts = []
    for check, field in ROLE_FIELDS.items():
        missing = records[field].isna() | (records[field].astype("string").str.strip() == "")
        idx = records.index[missing.fillna(True).astype(bool)]
        parts.append(
            pd.DataFrame(
                {
                    "index": idx,
                    "field": field,
                    "check": check,
                    "value": None,
                    "severity": records.loc[idx, "role"].map(ROLE_SEVERITY),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _formula_anomalies(records: pd.DataFrame) -> pd.DataFrame:
    """Fields that start like a spreadsheet formula (neutralised in CSV outputs); a list
    starts where its first item does when written."""
    parts = []
    for field in FORMULA_FIELDS:
        if field in records.columns:
            col = records[field]
            start = list_ends(col) if is_list_column(col) else col
            hit = search_mask(as_strings(start), RX["formula"])
            idx = records.index[hit]
            parts.append(
                pd.DataFrame(
                    {
                        "index": idx,
                        "field": field,
                        "check": "formula_cell",
                        "value": records.loc[idx, field].to_numpy(dtype=object),
                        "severity": "warning",
                    }
                )
            )
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


EXCERPT_CHARS = 200
"""Longest value of an unattached-text anomaly: the block's text, spaces collapsed, cut with
"…" (the whole text is in parse_failures.csv)."""


def excerpt(raw: str | None) -> str | None:
    """The text of a block on one line, at most ``EXCERPT_CHARS`` characters.

    >>> excerpt("first line\\n  second   line"), excerpt("x" * 300)[-3:]
    ('first line second line', 'xx…')
    """
    if raw is None:
        return None
    text = " ".join(raw.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def _failure_anomalies(failures: pd.DataFrame) -> pd.DataFrame:
    if failures is None or failures.empty:
        return pd.DataFrame(columns=ANOMALY_COLUMNS)
    kind = failures["kind"].where(failures["kind"].isin(list(FAILURE_CHECKS)), "failure")
    raw = failures["raw"].astype(object)
    value = raw.where(kind != "unattached", raw.map(excerpt))
    return pd.DataFrame(
        {
            "record_id": failures["record_id"],
            "source_file": failures["source_file"],
            "source_line": failures["source_line"],
            "field": None,
            "check": kind.map({k: c for k, (c, _) in FAILURE_CHECKS.items()}),
            "severity": kind.map({k: s for k, (_, s) in FAILURE_CHECKS.items()}),
            "value": value,
            "message": failures["reason"],
            "suggestion": None,
        }
    )


# The part of a value each check flags, found once here so later stages (the report's
# highlighting, the merge's value quality) read it from the anomaly table.
SPAN_PATTERNS: dict[str, list[re.Pattern]] = {
    "mojibake": [COMPILED["latin_pair"], COMPILED["gbk_garbled"], COMPILED["cjk"], SINGLE_BYTE],
    "ui_label": [COMPILED["ui_label"]],
    "page_chrome": [COMPILED["page_chrome"]],
    "glued_label": [COMPILED["glued_label"]],
    "spaced_label": [COMPILED["spaced_label"]],
    "truncated_authors": [COMPILED["truncated"]],
    "doubled_initials": [EXACT["doubled_initials"]],
    "lowercase_name_part": [EXACT["lowercase_part"]],
    "not_a_name": [COMPILED["not_a_name"]],
    "stray_separator": [COMPILED["stray_separator"]],
}


def find_span(check: str, value) -> tuple[int | None, int | None]:
    """(start, end) of the part of ``value`` that ``check`` flags; (None, None): all of it."""
    if not isinstance(value, str):
        return None, None
    for rx in SPAN_PATTERNS.get(check, []):
        m = rx.search(value)
        if m and m.end() > m.start():
            return m.start(), m.end()
    return None, None


def flagged_positions(checks: list[str], values: list) -> list[int | None]:
    """For each list value, the position of the item its check flags (None otherwise);
    one vectorised pass per check."""
    out: list[int | None] = [None] * len(values)
    by_check: dict[str, list[int]] = {}
    for i, (c, v) in enumerate(zip(checks, values)):
        if isinstance(v, list) and c in CHECKS:
            by_check.setdefault(c, []).append(i)
    for check, rows in by_check.items():
        for i, k in zip(rows, flagged_items(CHECKS[check], [values[i] for i in rows])):
            out[i] = k
    return out


def describe(check: str, value, k: int | None = None) -> tuple:
    """(value as text, message, suggestion as text, span start, span end) of one finding.

    A list value (authors) is judged at the item the check flags: its message and span are
    that item's (the span placed in the list as written, "; "-joined); its suggestion is the
    list with every item fixed, as written.
    """
    if not isinstance(value, list):
        return (value, _message(check, value), _suggest(check, value), *find_span(check, value))
    if k is None:
        return joined(value), _message(check, None), joined(_suggest(check, value)), None, None
    a, b = find_span(check, value[k])
    start, end = (a, b) if a is not None and b is not None else (0, len(value[k]))
    offset = len(joined(value[:k])) + (len(LIST_SEP) if k else 0)
    return (
        joined(value),
        _message(check, value[k]),
        joined(_suggest(check, value)),
        offset + start,
        offset + end,
    )


def _message(check: str, value) -> str:
    spec = CHECKS.get(check)
    if spec is None:
        return ROW_CHECKS.get(check, check)
    said = spec.explain(value) if spec.explain and isinstance(value, str) else None
    return said or spec.message


def _suggest(check: str, value):
    """The safe fix of a value (of each item of a list, empty items dropped), or None."""
    spec = CHECKS.get(check)
    if spec is None or spec.suggest is None:
        return None
    if isinstance(value, list):
        fixed = [spec.suggest(v) if isinstance(v, str) else None for v in value]
        if all(f is None or f == v for f, v in zip(fixed, value)):
            return None
        return [
            f if f is not None else v for f, v in zip(fixed, value) if (f if f is not None else v)
        ]
    return spec.suggest(value) if isinstance(value, str) else None


def validate_records(
    records: pd.DataFrame,
    failures: pd.DataFrame | None = None,
    severities: dict[str, str] | None = None,
    schema: pa.DataFrameSchema | None = None,
) -> pd.DataFrame:
    """The anomaly table of a record table (and its parse failures), sorted by file and line.

    ``severities`` overrides the default severity of named checks.
    """
    records = records.reset_index(drop=True)
    with lists_flattened_once():
        found, broken = _schema_anomalies(records, schema or load_schema())
        found["severity"] = found["check"].map(
            lambda c: CHECKS[c].severity if c in CHECKS else "error"
        )
        found = pd.concat(
            [found, _role_anomalies(records), _formula_anomalies(records)], ignore_index=True
        )
    rows = records.loc[found["index"]]
    checks, values = found["check"].tolist(), found["value"].tolist()
    said = [describe(*cvk) for cvk in zip(checks, values, flagged_positions(checks, values))]
    out = pd.DataFrame(
        {
            "record_id": rows["record_id"].to_numpy(),
            "source_file": rows["source_file"].to_numpy(),
            "source_line": rows["source_line"].to_numpy(),
            "field": found["field"].to_numpy(),
            "check": found["check"].to_numpy(),
            "severity": found["severity"].to_numpy(),
            **{
                name: pd.Series([d[k] for d in said], dtype=object)
                for k, name in enumerate(["value", "message", "suggestion"])
            },
            "span_start": pd.array([d[3] for d in said], dtype="Int64"),
            "span_end": pd.array([d[4] for d in said], dtype="Int64"),
        }
    )
    parts = [out, _failure_anomalies(failures)]
    if len(broken):
        parts.append(_check_errors(broken))
    out = pd.concat(parts, ignore_index=True)
    if severities:
        over = out["check"].map(severities)
        out["severity"] = over.where(over.notna(), out["severity"])
    out = out.sort_values(
        ["source_file", "source_line", "field", "check"], kind="stable", na_position="first"
    )
    out = out.reset_index(drop=True).astype(object).where(lambda d: d.notna(), None)
    return out[ANOMALY_COLUMNS]


def flagged_by(
    records: pd.DataFrame, checks: Collection[str], schema: pa.DataFrameSchema | None = None
) -> dict[str, np.ndarray]:
    """Per column, where any of ``checks`` (those the schema enables on it) flags the value:
    the detectors alone, without building anomaly rows."""
    out = {}
    with lists_flattened_once():
        for name, column in (schema or load_schema()).columns.items():
            if name not in records.columns:
                continue
            bad = np.zeros(len(records), dtype=bool)
            for check in column.checks:
                if check.name in checks and check.statistics.get("enabled", True):
                    bad |= ~detect_in(CHECKS[check.name], records[name]).to_numpy(dtype=bool)
            out[name] = bad
    return out


def still_flagged(anomalies: pd.DataFrame, changes: pd.DataFrame | None) -> pd.DataFrame:
    """The anomalies that still hold after ``apply_fixes``: a finding whose fix was applied
    to its field is gone."""
    if changes is None or changes.empty:
        return anomalies
    fixed = pd.MultiIndex.from_frame(changes[["record_id", "field"]])
    at = pd.MultiIndex.from_frame(anomalies[["record_id", "field"]])
    return anomalies[~(at.isin(fixed) & anomalies["suggestion"].notna().to_numpy())]


def severity_at_least(severity: pd.Series, threshold: str) -> pd.Series:
    """True where ``severity`` is at or above ``threshold`` (error > warning > info)."""
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    return severity.map(rank) <= rank[threshold]


def apply_fixes(
    records: pd.DataFrame, anomalies: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(cleaned records, changes) with every safe suggestion applied, in check order.

    Each flagged cell is rewritten by the fix of every check that flagged it, applied to the
    current value, so fixes compose; cells no check can fix safely are left alone.
    """
    cleaned = records.copy()
    pos = {rid: i for i, rid in enumerate(cleaned["record_id"])}
    order = list(CHECKS)
    todo = anomalies[anomalies["suggestion"].notna() & anomalies["field"].notna()]
    changes = []
    for (rid, field), grp in todo.groupby(["record_id", "field"], sort=False):
        i = pos[rid]
        before = value = cleaned.at[i, field]
        applied: list[str] = []
        for check in sorted(set(grp["check"]), key=order.index):
            new = _suggest(check, value)
            if new is not None and new != value:
                value, applied = new, applied + [check]
        if value != before:
            cleaned.at[i, field] = value
            changes.append(
                {
                    "record_id": rid,
                    "source_file": cleaned.at[i, "source_file"],
                    "source_line": cleaned.at[i, "source_line"],
                    "field": field,
                    "checks": applied,  # a list until written
                    "before": before,
                    "after": value,
                }
            )
    return cleaned, pd.DataFrame(
        changes,
        columns=["record_id", "source_file", "source_line", "field", "checks", "before", "after"],
    )


def summarise(anomalies: pd.DataFrame) -> pd.DataFrame:
    """Counts of anomalies by check and severity."""
    if anomalies.empty:
        return pd.DataFrame(columns=["check", "severity", "count"])
    counts = anomalies.groupby(["check", "severity"]).size().rename("count").reset_index()
    counts["rank"] = counts["severity"].map({s: i for i, s in enumerate(SEVERITIES)})
    return (
        counts.sort_values(["rank", "count", "check"], ascending=[True, False, True])
        .drop(columns="rank")
        .reset_index(drop=True)
    )
