"""The whole job: parse, validate, match and merge, as one function returning plain data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dedupe.matching.engine import MatchResult, match_records
from dedupe.matching.model import Settings
from dedupe.parsing.files import ParseResult, parse_paths
from dedupe.validation.anomalies import validate_records


@dataclass
class PipelineResult:
    """Everything one run produced."""

    parsed: ParseResult
    anomalies: pd.DataFrame
    matched: MatchResult
    summary: dict


def summarise_run(
    parsed: ParseResult, anomalies: pd.DataFrame, matched: MatchResult, settings: Settings
) -> dict:
    """PRISMA-style counts a reviewer can cite."""
    recs = parsed.records
    decisions = matched.pairs["decision"].value_counts()
    by_check = (
        (
            anomalies.groupby(["check", "severity"])
            .size()
            .reset_index(name="count")
            .sort_values(["count", "check"], ascending=[False, True])
            .to_dict("records")
        )
        if len(anomalies)
        else []
    )
    per_file = recs.groupby("source_file").size().to_dict() if len(recs) else {}
    failures = parsed.failures
    return {
        "files": [
            {"file": f, "format": parsed.files.get(f, ""), "records": int(n)}
            for f, n in per_file.items()
        ],
        "unreadable_files": list(parsed.errors),
        "records_read": int(len(recs)),
        "parse_failures": int((failures["kind"] == "failure").sum()) if len(failures) else 0,
        "lines_dropped_as_chrome": int((failures["kind"] == "dropped").sum())
        if len(failures)
        else 0,
        "anomalies": int(len(anomalies)),
        "anomalies_by_severity": {
            k: int(v) for k, v in anomalies["severity"].value_counts().items()
        },
        "anomalies_by_check": by_check,
        "anomalies_by_check_total": [
            {"check": k, "count": int(v)} for k, v in anomalies["check"].value_counts().items()
        ]
        if len(anomalies)
        else [],
        "candidate_pairs": int(len(matched.pairs)),
        "pairs_merged": int(decisions.get("merge", 0)),
        "pairs_in_review": int(decisions.get("review", 0)),
        "duplicates_merged": int(len(recs) - len(matched.corpus)),
        "unique_records": int(len(matched.corpus)),
        "merge_threshold": settings.merge_threshold,
        "review_threshold": settings.review_threshold,
        "blocking": [
            {"rule": s.rule, "pairs": s.generated, "new": s.new, "skipped_blocks": s.skipped_blocks}
            for s in matched.block_stats
        ],
    }


def run_pipeline(
    paths: list[Path],
    settings: Settings | None = None,
    decisions: pd.DataFrame | None = None,
    fmt: str | None = None,
    column_map: dict | None = None,
    encoding: str | None = None,
    severities: dict | None = None,
    progress: Callable[[str], None] | None = None,
) -> PipelineResult:
    """Parse, validate and match ``paths``; ``progress`` is told each stage as it starts."""
    settings = settings or Settings()
    say = progress or (lambda stage: None)
    say("parse")
    parsed = parse_paths(paths, fmt, column_map, encoding)
    say("validate")
    anomalies = validate_records(parsed.records, parsed.failures, severities)
    say("match")
    matched = match_records(parsed.records, settings, decisions)
    say("report")
    return PipelineResult(
        parsed, anomalies, matched, summarise_run(parsed, anomalies, matched, settings)
    )
