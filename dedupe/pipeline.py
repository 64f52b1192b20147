"""The stages wired once: parse, validate, match and merge, as one function returning data.

Every command runs :func:`run_pipeline`: ``parse`` asks for the parse stage only, ``validate``
and ``match`` for theirs, ``run`` for all, and ``check`` for all but the merged corpus, with
its focus files (only they are validated and only pairs touching them compared).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from dedupe.config import Config
from dedupe.gate.incremental import match_focus, remember_model
from dedupe.matching.blocking import BlockStats
from dedupe.matching.engine import Executor, MatchResult, load_decisions, match_records
from dedupe.matching.merge import add_fix_provenance
from dedupe.parsing.files import ParseResult, parse_paths
from dedupe.reporting.prisma import prisma_counts
from dedupe.validation.anomalies import apply_fixes, still_flagged, validate_records

STAGES = ("parse", "validate", "match")


@dataclass
class PipelineResult:
    """Everything one run produced; stages not asked for stay None."""

    config: Config
    parsed: ParseResult
    anomalies: pd.DataFrame | None = None
    matched: MatchResult | None = None
    focus: np.ndarray | None = None
    """Boolean mask over ``parsed.records`` of the focus files' records (None: all)."""
    summary: dict = field(default_factory=dict)
    cleaned: pd.DataFrame | None = None
    """The records with the safe fixes applied (what was matched), when ``config.fix``."""
    changes: pd.DataFrame | None = None
    """Each fix applied: record, field, checks, before and after."""
    warnings: list[str] = field(default_factory=list)
    """One line per problem that does not stop the run (stale decisions)."""
    corpus: pd.DataFrame | None = None
    """The merged corpus restricted to ``config.roles`` (all roles when none are set)."""


def focus_mask(parsed: ParseResult, files: Collection[Path]) -> tuple[np.ndarray, np.ndarray]:
    """Masks over records and failures of those read from ``files`` (compared resolved)."""
    wanted = {Path(f).resolve() for f in files}
    read = set(parsed.records["source_file"]) | set(parsed.failures["source_file"])
    chosen = {f for f in read if Path(f).resolve() in wanted}
    return (
        parsed.records["source_file"].isin(chosen).to_numpy(dtype=bool),
        parsed.failures["source_file"].isin(chosen).to_numpy(dtype=bool),
    )


def stale_decisions(decisions: pd.DataFrame, records: pd.DataFrame, source: object) -> list[str]:
    """One warning per decision naming a record that is no longer in the corpus."""
    ids = pd.Index(records["record_id"])
    gone = ~(decisions["record_id_l"].isin(ids) & decisions["record_id_r"].isin(ids))
    return [
        f"{source}: decision {a} / {b} ({d}) names a record no longer in the corpus "
        "(edited or removed); it is not applied; update or delete it."
        for a, b, d in decisions.loc[gone, ["record_id_l", "record_id_r", "decision"]].itertuples(
            index=False
        )
    ]


def run_pipeline(
    paths: Sequence[Path] | None = None,
    config: Config | None = None,
    *,
    stages: Collection[str] = STAGES,
    focus: Collection[Path] | None = None,
    build_corpus: bool = True,
    progress: Callable[[str], None] | None = None,
    on_blocked: Callable[[list[BlockStats]], None] | None = None,
    exclude: Collection[Path] = (),
    executor: Executor | None = None,
) -> PipelineResult:
    """Run ``stages`` over ``paths`` (default: the configured paths); prints nothing.

    ``progress`` is told each stage as it starts. With ``focus`` files, only their records
    are validated and only pairs touching them are matched (against the whole corpus; with
    ``build_corpus`` off, incrementally: see :mod:`dedupe.gate.incremental`).
    Folders in ``exclude`` (the output folder) are never read.
    """
    config = config or Config()
    say = progress or (lambda stage: None)
    say("parse")
    parsed = parse_paths(
        list(paths or config.paths),
        config.fmt,
        dict(config.column_map),
        config.encoding,
        exclude=list(exclude),
        write_behind=True,  # new cache entries written while the stages run
    )
    result = PipelineResult(config, parsed)
    records, failures = parsed.records, parsed.failures
    if focus is not None:
        result.focus, on_failures = focus_mask(parsed, focus)
        records, failures = records[result.focus], failures[on_failures]
    if "validate" in stages:
        say("validate")
        result.anomalies = validate_records(records, failures, dict(config.severities))
    to_match = parsed.records
    if config.fix and result.anomalies is not None and "match" in stages and build_corpus:
        result.cleaned, result.changes = apply_fixes(parsed.records, result.anomalies)
        to_match = result.cleaned
    if "match" in stages:
        say("match")
        decisions = load_decisions(config.decisions) if config.decisions else None
        if decisions is not None:
            result.warnings += stale_decisions(decisions, parsed.records, config.decisions)
        if result.focus is not None and not build_corpus and executor is None:
            result.matched = match_focus(
                to_match, result.focus, parsed.keys, config.match_settings(), decisions
            )
        else:
            result.matched = match_records(
                to_match,
                config.match_settings(),
                decisions,
                on_blocked=on_blocked,
                focus=result.focus,
                build_corpus=build_corpus,
                executor=executor,
                anomalies=_holding(result),
            )
        if result.focus is None and to_match is parsed.records:  # for later incremental checks
            files = dict.fromkeys(parsed.records["source_file"])
            keys = [parsed.keys.get(f, "") for f in files]
            remember_model(keys, config.match_settings(), decisions, result.matched.estimate)
    if result.matched is not None and build_corpus:
        _finish_corpus(result)
    if set(STAGES) <= set(stages) and build_corpus:
        result.summary = summarise_run(result)
    if parsed.cache_writes is not None:
        parsed.cache_writes.done()
    return result


def _holding(result: PipelineResult) -> pd.DataFrame | None:
    """The anomalies still holding on the records matched (the merge prefers values without
    them); None when validation did not see every record (the merge runs the checks)."""
    if result.anomalies is None or result.focus is not None:
        return None
    return still_flagged(result.anomalies, result.changes)


def _finish_corpus(result: PipelineResult) -> None:
    """Record the fixes in the corpus' provenance and keep the configured roles."""
    matched = result.matched
    assert matched is not None
    if result.changes is not None:
        matched.corpus = add_fix_provenance(matched.corpus, matched.clusters, result.changes)
    roles = result.config.roles
    corpus = matched.corpus
    result.corpus = corpus[corpus["role"].isin(roles)].reset_index(drop=True) if roles else corpus


def summarise_run(result: PipelineResult) -> dict:
    """PRISMA-style counts a reviewer can cite (of a run with every stage)."""
    parsed, anomalies, matched = result.parsed, result.anomalies, result.matched
    assert anomalies is not None and matched is not None
    recs, failures = parsed.records, parsed.failures
    decisions = matched.pairs["decision"].value_counts()
    kinds = failures["kind"].value_counts()
    counted = recs.groupby("source_file").size().to_dict() if len(recs) else {}
    per_file = {f: counted.get(f, 0) for f in sorted({*parsed.files, *counted})}
    return {
        "files": [
            {
                "file": f,
                "format": parsed.files.get(f, ""),
                "encoding": parsed.encodings.get(f, ("", 0.0))[0],
                "encoding_confidence": parsed.encodings.get(f, ("", 0.0))[1],
                "records": int(n),
                "lines": parsed.lines.get(f, {}),
            }
            for f, n in per_file.items()
        ],
        "encoding_warnings": list(parsed.warnings),
        "unreadable_files": [str(e) for e in parsed.errors],
        "records_read": int(len(recs)),
        "parse_failures": int(kinds.get("failure", 0)),
        "lines_dropped_as_chrome": int(kinds.get("dropped", 0)),
        "lines_unattached": sum(n.get("unattached", 0) for n in parsed.lines.values()),
        "stale_decisions": list(result.warnings),
        "files_without_records": [f for f, n in per_file.items() if not n],
        "skipped_paths": [str(e) for e in parsed.skipped],
        "hidden_paths_skipped": len(parsed.hidden),
        "anomalies": int(len(anomalies)),
        "anomalies_by_severity": {
            k: int(v) for k, v in anomalies["severity"].value_counts().items()
        },
        "anomalies_by_check": _by_check(anomalies),
        "anomalies_by_check_total": [
            {"check": k, "count": int(v)} for k, v in anomalies["check"].value_counts().items()
        ],
        "candidate_pairs": int(len(matched.pairs) + matched.unlisted_pairs),
        "pairs_merged": int(decisions.get("merge", 0)),
        "pairs_in_review": int(decisions.get("review", 0)),
        "duplicates_merged": int(len(recs) - len(matched.corpus)),
        "unique_records": int(len(matched.corpus)),
        "merge_threshold": result.config.merge_threshold,
        "review_threshold": result.config.review_threshold,
        "prisma": prisma_counts(
            recs,
            failures,
            parsed.errors,
            parsed.files,
            matched.pairs,
            matched.clusters,
            matched.corpus,
            list(result.config.roles) or None,
        ),
        "fixes_applied": int(len(result.changes)) if result.changes is not None else 0,
        "blocking": [
            {"rule": s.rule, "pairs": s.generated, "new": s.new, "capped_blocks": s.capped_blocks}
            for s in matched.block_stats
        ],
        "model": matched.estimate.summary() if matched.estimate is not None else None,
    }


def _by_check(anomalies: pd.DataFrame) -> list[dict]:
    if anomalies.empty:
        return []
    counts = anomalies.groupby(["check", "severity"]).size().reset_index(name="count")
    return counts.sort_values(["count", "check"], ascending=[False, True]).to_dict("records")
