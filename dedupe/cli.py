"""Command-line interface: a thin click layer over the library.

Exit codes: 0 clean, 1 findings, 2 bad input or usage. This is the only module that turns
library errors into messages and exit codes.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dedupe import __version__
from dedupe.core.errors import InputError
from dedupe.gate.formats import FORMATS, RENDER
from dedupe.parsing.files import ParseResult, parse_paths
from dedupe.parsing.formats import PARSERS
from dedupe.validation.anomalies import (
    apply_fixes,
    severity_at_least,
    summarise,
    validate_records,
)

EXIT_CLEAN, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2


class BadInput(click.ClickException):
    """A one-line "Error: ..." for bad input or configuration, with exit code 2."""

    exit_code = EXIT_BAD_INPUT


def _column_map(ctx, param, values) -> dict[str, str]:
    mapping = {}
    for item in values:
        src, sep, dst = item.partition("=")
        if not sep or not src or not dst:
            raise click.BadParameter(f"{item!r} is not SOURCE=FIELD, e.g. 'Article Title=title'.")
        mapping[src] = dst
    return mapping


INPUT_OPTIONS = [
    click.argument("paths", nargs=-1, type=click.Path(path_type=Path)),
    click.option(
        "--format",
        "fmt",
        type=click.Choice(list(PARSERS)),
        default=None,
        help="Read every file in this format instead of sniffing it.",
    ),
    click.option(
        "--map",
        "column_map",
        multiple=True,
        callback=_column_map,
        metavar="SOURCE=FIELD",
        help="Map a CSV/JSON column or RIS/BibTeX field to a canonical field "
        "(title, authors, year, journal, volume, issue, pages, doi, abstract).",
    ),
    click.option(
        "--encoding",
        default=None,
        help="Text encoding of the inputs (default: UTF-8, then cp1252/latin-1).",
    ),
]


def input_options(func):
    """Options every command that reads records shares."""
    for decorate in reversed(INPUT_OPTIONS):
        func = decorate(func)
    return func


def match_settings(
    merge_threshold: float, review_threshold: float, decisions: Path | None, **extra
):
    """(Settings, decisions table or None) from the matching options of a command."""
    from dedupe.matching.engine import load_decisions
    from dedupe.matching.model import Settings

    if review_threshold > merge_threshold:
        raise click.BadParameter("--review-threshold must not exceed --merge-threshold.")
    try:
        dec = load_decisions(decisions) if decisions else None
    except InputError as exc:
        raise BadInput(str(exc)) from None
    return Settings(
        merge_threshold=merge_threshold, review_threshold=review_threshold, **extra
    ), dec


def read_inputs(paths, fmt, column_map, encoding) -> ParseResult:
    """Parse the inputs, printing one error line per unusable file to stderr."""
    try:
        result = parse_paths(list(paths) or [Path("seeds")], fmt, column_map, encoding)
    except InputError as exc:
        raise BadInput(str(exc)) from None
    for err in result.errors:
        click.echo(f"Error: {err}", err=True)
    return result


def write_csv(frame, path: Path) -> None:
    """Write a table as UTF-8 CSV, creating the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dedupe")
def main() -> None:
    """Parse, validate and deduplicate bibliographic records scraped from academic pages.

    Exit codes: 0 clean, 1 findings, 2 bad input or usage.
    """


@main.command("parse")
@input_options
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("reports"),
    show_default=True,
    help="Folder for records.csv and parse_failures.csv.",
)
def parse_cmd(paths, fmt, column_map, encoding, out_dir: Path) -> None:
    """Parse seed files and exports (files or folders) into one record table.

    Writes records.csv (one row per record, traceable to file and line) and
    parse_failures.csv (lines that could not be read, and lines dropped as page chrome).
    Exits 2 when a file cannot be used; the other files are still parsed.
    """
    result = read_inputs(paths, fmt, column_map, encoding)
    write_csv(result.records, out_dir / "records.csv")
    write_csv(result.failures, out_dir / "parse_failures.csv")
    n_fail = int((result.failures["kind"] == "failure").sum()) if len(result.failures) else 0
    click.echo(
        f"{len(result.records)} records from {len(result.files)} files; "
        f"{n_fail} parse failures; written to {out_dir}/",
        err=True,
    )
    sys.exit(EXIT_BAD_INPUT if result.errors else EXIT_CLEAN)


def load_severities(path: Path | None) -> dict[str, str]:
    """Check -> severity overrides from a YAML config file ({severities: {check: level}})."""
    if path is None:
        return {}
    import yaml

    from dedupe.validation.anomalies import check_severities

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        sev = data.get("severities", {}) if isinstance(data, dict) else {}
        return check_severities(sev, str(path))
    except (OSError, yaml.YAMLError) as exc:
        raise BadInput(f"{path}: cannot read config ({exc}).") from None
    except InputError as exc:
        raise BadInput(str(exc)) from None


@main.command("validate")
@input_options
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("reports"),
    show_default=True,
    help="Folder for anomalies.csv (and the --fix outputs).",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "never"]),
    default="error",
    show_default=True,
    help="Exit 1 when an anomaly at or above this severity exists.",
)
@click.option(
    "--fix",
    is_flag=True,
    help="Also write records.cleaned.csv with the safe "
    "fixes applied and changes.csv listing each change.",
)
@click.option(
    "--config",
    "config",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    default=None,
    help="YAML file whose 'severities' map overrides check severities.",
)
def validate_cmd(
    paths, fmt, column_map, encoding, out_dir: Path, fail_on: str, fix: bool, config
) -> None:
    """Validate records against the schemas in schemas/ and list every broken field.

    Writes anomalies.csv (record_id, source_file, source_line, field, check, severity,
    value, message, suggestion) and prints counts by check and severity.
    Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it,
    2 bad input or usage.
    """
    severities = load_severities(config)
    result = read_inputs(paths, fmt, column_map, encoding)
    try:
        anomalies = validate_records(result.records, result.failures, severities)
    except InputError as exc:
        raise BadInput(str(exc)) from None
    write_csv(anomalies, out_dir / "anomalies.csv")
    if fix:
        cleaned, changes = apply_fixes(result.records, anomalies)
        write_csv(cleaned, out_dir / "records.cleaned.csv")
        write_csv(changes, out_dir / "changes.csv")
    for row in summarise(anomalies).itertuples(index=False):
        click.echo(f"{row.severity:8} {row.check:22} {row.count}")
    click.echo(
        f"{len(anomalies)} anomalies in {len(result.records)} records; "
        f"written to {out_dir}/anomalies.csv",
        err=True,
    )
    if result.errors:
        sys.exit(EXIT_BAD_INPUT)
    failing = fail_on != "never" and severity_at_least(anomalies["severity"], fail_on).any()
    sys.exit(EXIT_FINDINGS if failing else EXIT_CLEAN)


def review_entries(pairs, records):
    """The review-band pairs as ready-to-edit decision rows (decision left blank)."""
    import pandas as pd

    review = pairs[pairs["decision"] == "review"]
    title = records.set_index("record_id")["title"].fillna("(no title)")
    note = [
        f"{title.get(a, '')} | {title.get(b, '')} (p={p:.3f})"
        for a, b, p in zip(review["record_id_l"], review["record_id_r"], review["probability"])
    ]
    return pd.DataFrame(
        {
            "record_id_l": review["record_id_l"],
            "record_id_r": review["record_id_r"],
            "decision": "",
            "note": note,
        }
    )


def print_block_stats(stats) -> None:
    """Candidate pair counts per blocking rule, before scoring (to stderr)."""
    for s in stats:
        skipped = f", {s.skipped_blocks} oversized blocks skipped" if s.skipped_blocks else ""
        click.echo(
            f"blocking {s.rule:18} {s.generated:>9,} pairs ({s.new:,} new){skipped}", err=True
        )


@main.command("match")
@input_options
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("reports"),
    show_default=True,
    help="Folder for pairs.csv, clusters.csv, corpus.csv, review.csv.",
)
@click.option(
    "--decisions",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="CSV of reviewed pairs (record_id_l, record_id_r, decision same|different)"
    " applied before clustering.",
)
@click.option(
    "--merge-threshold",
    type=click.FloatRange(0, 1),
    default=0.99,
    show_default=True,
    help="Match probability at or above which pairs merge.",
)
@click.option(
    "--review-threshold",
    type=click.FloatRange(0, 1),
    default=0.5,
    show_default=True,
    help="Match probability at or above which pairs go to review.",
)
@click.option(
    "--estimate",
    is_flag=True,
    help="Re-estimate the model from this corpus (u from "
    "random pairs, m by EM over candidate pairs); for large corpora.",
)
def match_cmd(
    paths,
    fmt,
    column_map,
    encoding,
    out_dir: Path,
    decisions,
    merge_threshold,
    review_threshold,
    estimate,
) -> None:
    """Find and merge duplicate records (one row per paper), explained and reviewable.

    Writes pairs.csv (every candidate pair with per-field levels and weights, probability,
    veto and decision merge/review/distinct), clusters.csv (record_id, cluster_id),
    corpus.csv (one merged row per cluster with the ids it merged and their values) and
    review.csv (the uncertain pairs, ready to decide and pass back with --decisions).
    """
    from dedupe.matching.engine import match_records

    settings, dec = match_settings(merge_threshold, review_threshold, decisions, estimate=estimate)
    result = read_inputs(paths, fmt, column_map, encoding)
    matched = match_records(result.records, settings, dec, on_blocked=print_block_stats)
    write_csv(matched.pairs, out_dir / "pairs.csv")
    write_csv(matched.clusters, out_dir / "clusters.csv")
    write_csv(matched.corpus, out_dir / "corpus.csv")
    write_csv(review_entries(matched.pairs, result.records), out_dir / "review.csv")
    counts = matched.pairs["decision"].value_counts()
    click.echo(
        f"{len(result.records)} records -> {len(matched.corpus)} unique; "
        f"{counts.get('merge', 0)} pairs merged, {counts.get('review', 0)} to review; "
        f"written to {out_dir}/",
        err=True,
    )
    sys.exit(EXIT_BAD_INPUT if result.errors else EXIT_CLEAN)


@main.command("run")
@input_options
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("reports"),
    show_default=True,
    help="Folder for every output and report.html.",
)
@click.option("--force", is_flag=True, help="Replace a report.html this tool did not write.")
@click.option(
    "--decisions",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="CSV of reviewed pair decisions (see dedupe match).",
)
@click.option(
    "--merge-threshold",
    type=click.FloatRange(0, 1),
    default=0.99,
    show_default=True,
    help="Match probability at or above which pairs merge.",
)
@click.option(
    "--review-threshold",
    type=click.FloatRange(0, 1),
    default=0.5,
    show_default=True,
    help="Match probability at or above which pairs go to review.",
)
@click.option(
    "--config",
    "config",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    default=None,
    help="YAML file with check 'severities'.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "never"]),
    default="never",
    show_default=True,
    help="Exit 1 when an anomaly at or above this severity exists (the CI gate is 'dedupe check').",
)
def run_cmd(
    paths,
    fmt,
    column_map,
    encoding,
    out_dir: Path,
    force: bool,
    decisions,
    merge_threshold,
    review_threshold,
    config,
    fail_on,
) -> None:
    """The whole job: parse, validate, match and merge, with an HTML report.

    PATHS default to seeds/. Writes records.csv, parse_failures.csv, anomalies.csv,
    pairs.csv, clusters.csv, corpus.csv, review.csv, summary.json and a self-contained
    report.html to --out (default reports/). An existing report.html is replaced only when
    this tool wrote it, or with --force.
    """
    import json

    from dedupe.pipeline import run_pipeline
    from dedupe.reporting.html import render_report, written_by_us

    report = out_dir / "report.html"
    if report.exists() and not force and not written_by_us(report):
        raise click.UsageError(
            f"{report} exists and was not written by dedupe; pass --force to replace it."
        )
    settings, dec = match_settings(merge_threshold, review_threshold, decisions)
    severities = load_severities(config)
    stages = ["parse", "validate", "match", "report"]
    with (
        click.progressbar(length=len(stages), label="dedupe run", file=sys.stderr, show_pos=True)
        if sys.stderr.isatty()
        else _quiet() as bar
    ):
        try:
            result = run_pipeline(
                list(paths) or [Path("seeds")],
                settings,
                dec,
                fmt,
                column_map,
                encoding,
                severities,
                progress=lambda stage: bar.update(1),
            )
        except InputError as exc:
            raise BadInput(str(exc)) from None
        html = render_report(result)
    for err in result.parsed.errors:
        click.echo(f"Error: {err}", err=True)
    outputs = {
        "records.csv": result.parsed.records,
        "parse_failures.csv": result.parsed.failures,
        "anomalies.csv": result.anomalies,
        "pairs.csv": result.matched.pairs,
        "clusters.csv": result.matched.clusters,
        "corpus.csv": result.matched.corpus,
        "review.csv": review_entries(result.matched.pairs, result.parsed.records),
    }
    for name, frame in outputs.items():
        write_csv(frame, out_dir / name)
    (out_dir / "summary.json").write_text(
        json.dumps(result.summary, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    report.write_text(html, encoding="utf-8")
    s = result.summary
    click.echo(
        f"{s['records_read']} records read, {s['anomalies']} anomalies, "
        f"{s['duplicates_merged']} duplicates merged, {s['pairs_in_review']} pairs to "
        f"review, {s['unique_records']} unique; report: {report}",
        err=True,
    )
    if result.parsed.errors:
        sys.exit(EXIT_BAD_INPUT)
    failing = fail_on != "never" and severity_at_least(result.anomalies["severity"], fail_on).any()
    sys.exit(EXIT_FINDINGS if failing else EXIT_CLEAN)


@main.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--baseline",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Baseline of accepted findings [setting: baseline; default dedupe-baseline.json].",
)
@click.option(
    "--update-baseline",
    is_flag=True,
    help="Accept every current finding: rewrite the baseline (sorted) and exit 0.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "never"]),
    default=None,
    help="Fail on new anomalies at or above this severity [setting: fail_on; "
    "default error]. New duplicates and unreadable files always fail.",
)
@click.option(
    "--changed",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Check only this new or changed file (repeatable), against the whole corpus.",
)
@click.option(
    "--since",
    metavar="GIT_REV",
    default=None,
    help="Check only the files changed since this git revision (and untracked ones).",
)
@click.option("--exit-zero", is_flag=True, help="Report findings but exit 0.")
@click.option(
    "--output-format",
    type=click.Choice(list(FORMATS)),
    default="human",
    show_default=True,
    help="human, json, junit, sarif (2.1.0) or github annotations "
    "(plus a table in $GITHUB_STEP_SUMMARY when set).",
)
@click.option(
    "--config",
    "config",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="INI file with a [tool:dedupe] section (default: setup.cfg).",
)
@click.option(
    "--merge-threshold",
    type=click.FloatRange(0, 1),
    default=None,
    help="Match probability for duplicates [setting: merge_threshold; 0.99].",
)
@click.option(
    "--review-threshold",
    type=click.FloatRange(0, 1),
    default=None,
    help="Match probability for possible duplicates [setting: review_threshold; 0.5].",
)
def check_cmd(
    paths,
    baseline,
    update_baseline,
    fail_on,
    changed,
    since,
    exit_zero,
    output_format,
    config,
    merge_threshold,
    review_threshold,
) -> None:
    """CI gate: fail only on findings that are new since the committed baseline.

    Parses, validates and matches PATHS (default: the 'paths' setting, seeds/), then
    compares every finding with the baseline by a fingerprint of its check, field and the
    record's content, so editing or reordering a seed file does not bring accepted findings
    back. It fails on a new anomaly at or above --fail-on, a new duplicate of a record
    already in the corpus (naming both records, their files and lines and the probability)
    and a file that cannot be read.

    Settings come from [tool:dedupe] in setup.cfg (or --config): paths, baseline, fail_on,
    merge_threshold, review_threshold, severities ("check:level, ..."); the command line
    wins.

    Exit codes: 0 nothing new, 1 new findings, 2 bad input, usage or configuration.
    """
    from dedupe.gate.check import (
        files_changed_since,
        load_settings,
        parse_severities,
        run_check,
        write_baseline,
    )
    from dedupe.matching.model import Settings

    try:
        conf = load_settings(config)
        source = str(config or "setup.cfg")
        severities = parse_severities(conf["severities"], source)
        paths = list(paths) or [Path(p) for p in conf["paths"].split()]
        baseline = baseline or Path(conf["baseline"])
        fail_on = fail_on or conf["fail_on"]
        if fail_on not in ("error", "warning", "never"):
            raise InputError(f"{source}: fail_on {fail_on!r} is not error, warning or never.")
        settings = Settings(
            merge_threshold=merge_threshold or float(conf["merge_threshold"]),
            review_threshold=review_threshold or float(conf["review_threshold"]),
        )
        chosen = list(changed) if changed else None
        if since:
            chosen = (chosen or []) + files_changed_since(since, paths)
        result = run_check(paths, baseline, fail_on, settings, severities, chosen)
    except (InputError, ValueError) as exc:
        raise BadInput(str(exc)) from None
    if update_baseline:
        write_baseline(baseline, result.findings)
        click.echo(f"baseline {baseline}: {len(result.findings)} findings accepted.", err=True)
        sys.exit(EXIT_BAD_INPUT if result.unreadable else EXIT_CLEAN)
    click.echo(RENDER[output_format](result))
    if result.unreadable:
        sys.exit(EXIT_BAD_INPUT)
    sys.exit(EXIT_FINDINGS if result.failing and not exit_zero else EXIT_CLEAN)


class _quiet:
    """A progress bar that shows nothing (stderr is not a terminal)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n: int) -> None:
        """Ignore progress."""


if __name__ == "__main__":  # pragma: no cover
    main()
