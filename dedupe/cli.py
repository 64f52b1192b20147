"""Command-line interface: a thin click layer over the library.

Exit codes: 0 clean, 1 findings, 2 bad input or usage. This is the only module that turns
library errors into messages and exit codes.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import click

from dedupe import __version__
from dedupe.config import FAIL_ON, Config, load_config, parse_pairs
from dedupe.core.errors import InputError
from dedupe.core.parallel import run_all, threads
from dedupe.core.records import ROLES
from dedupe.export import EXPORTERS, read_corpus, write_exports
from dedupe.gate.formats import FORMATS
from dedupe.parsing.formats import PARSERS

if TYPE_CHECKING:  # the stages are imported by the commands that run them
    import pandas as pd

    from dedupe.matching.engine import MatchResult
    from dedupe.pipeline import PipelineResult
    from dedupe.reporting.outputs import StagedOutputs

EXIT_CLEAN, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2


class BadInput(click.ClickException):
    """A one-line "Error: ..." for bad input or configuration, with exit code 2."""

    exit_code = EXIT_BAD_INPUT


def _column_map(ctx, param, values) -> dict[str, str] | None:
    """--map SOURCE=FIELD options as a dict (None when none given: the config's map stays)."""
    if not values:
        return None
    try:
        return parse_pairs(list(values), "=", "--map", "--map")
    except InputError:
        raise click.BadParameter("give SOURCE=FIELD, e.g. 'Article Title=title'.") from None


def _bundle(*decorators):
    """Several click decorators as one (options shared by commands)."""

    def apply(func):
        for decorate in reversed(decorators):
            func = decorate(func)
        return func

    return apply


FAIL_ON_CHOICE = click.Choice(list(FAIL_ON))

input_options = _bundle(
    click.argument("paths", nargs=-1, type=click.Path(path_type=Path)),
    click.option(
        "--format",
        "fmt",
        type=click.Choice(list(PARSERS)),
        default=None,
        help="Read every file in this format instead of sniffing it [setting: format].",
    ),
    click.option(
        "--map",
        "column_map",
        multiple=True,
        callback=_column_map,
        metavar="SOURCE=FIELD",
        help="Map a CSV/JSON column or RIS/BibTeX field to a canonical field "
        "(title, authors, year, journal, volume, issue, pages, doi, abstract) [setting: map].",
    ),
    click.option(
        "--encoding",
        default=None,
        help="Text encoding of the inputs (default: byte-order mark, UTF-8, else detected) "
        "[setting: encoding].",
    ),
    click.option(
        "--config",
        "config_file",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        help="Settings file: [tool.dedupe] of a TOML file or [tool:dedupe] of an INI file "
        "(default: pyproject.toml or setup.cfg here). The command line wins.",
    ),
)

match_options = _bundle(
    click.option(
        "--decisions",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        help="CSV of reviewed pairs (record_id_l, record_id_r, decision same|different)"
        " applied before clustering [setting: decisions].",
    ),
    click.option(
        "--merge-threshold",
        type=click.FloatRange(0, 1),
        default=None,
        help=f"Match probability at or above which pairs merge [setting: merge_threshold; "
        f"{Config.merge_threshold}].",
    ),
    click.option(
        "--review-threshold",
        type=click.FloatRange(0, 1),
        default=None,
        help=f"Match probability at or above which pairs go to review "
        f"[setting: review_threshold; {Config.review_threshold}].",
    ),
    click.option(
        "--estimate/--no-estimate",
        default=None,
        help="Estimate the model from this corpus (u from random pairs, m by EM), or use the "
        "shipped values [setting: estimate; default: estimate].",
    ),
)


def _roles(ctx, param, value: str | None) -> tuple[str, ...] | None:
    """--roles main,related as a tuple (None when not given: the setting stays)."""
    if value is None:
        return None
    return tuple(r.strip() for r in value.split(",") if r.strip())


roles_option = click.option(
    "--roles",
    callback=_roles,
    default=None,
    metavar="ROLE[,ROLE...]",
    help=f"Roles that make the corpus, comma-separated: {', '.join(ROLES)} "
    "[setting: roles; default all, each row tagged with its role].",
)


def export_formats(what: str, default: str):
    """The repeatable option naming export formats."""
    return click.option(
        what,
        "formats",
        multiple=True,
        type=click.Choice(list(EXPORTERS)),
        help="Write the corpus in this format (repeatable): "
        + "; ".join(f"{k}: {e.filename}, {e.description}" for k, e in EXPORTERS.items())
        + f". {default}",
    )


def out_option(what: str):
    """The --out folder option, saying what goes there, and --raw-csv."""
    return _bundle(
        click.option(
            "--out",
            "out_dir",
            type=click.Path(path_type=Path),
            default=Path("reports"),
            show_default=True,
            help=f"Folder for {what}.",
        ),
        click.option(
            "--raw-csv",
            is_flag=True,
            expose_value=False,
            callback=lambda ctx, param, value: ctx.meta.update(raw_csv=value),
            help="Write CSV cells verbatim; by default a cell starting with = + - @ tab or CR "
            "gets a leading ' so that spreadsheets do not run it as a formula.",
        ),
    )


PAIR_FLOOR = 0.01
"""Distinct pairs scored under this are left out of pairs.csv unless --all-pairs (and left on
the executors by the Spark engine)."""

all_pairs_option = click.option(
    "--all-pairs",
    is_flag=True,
    expose_value=False,
    callback=lambda ctx, param, value: ctx.meta.update(all_pairs=value),
    help=f"Write every candidate pair to pairs.csv; by default distinct pairs scored under "
    f"{PAIR_FLOOR:.0%} (clear non-matches: most candidates of a large corpus) are left out.",
)


def written_pairs(pairs: pd.DataFrame) -> pd.DataFrame:
    """The pairs pairs.csv holds: merged, to review, reviewed, or scored at least
    ``PAIR_FLOOR``; every pair with --all-pairs."""
    if click.get_current_context().meta.get("all_pairs"):
        return pairs
    keep = (
        (pairs["decision"] != "distinct").to_numpy()
        | (pairs["probability"] >= PAIR_FLOOR).to_numpy()
        | (pairs["reviewed"] != "").to_numpy()
    )
    return pairs[keep]


def fail_on_option(default: str):
    """The --fail-on option; ``default`` applies when neither it nor the settings set it."""
    return click.option(
        "--fail-on",
        type=FAIL_ON_CHOICE,
        default=None,
        help=f"Exit 1 when an anomaly at or above this severity exists "
        f"[setting: fail_on; default {default}].",
    )


def configure(config_file: Path | None, **overrides) -> Config:
    """The configuration of this command: settings file, then the options given."""
    paths = overrides.pop("paths", None)
    try:
        return load_config(config_file, paths=tuple(paths) if paths else None, **overrides)
    except InputError as exc:
        raise BadInput(str(exc)) from None


@contextmanager
def imports_settled() -> Iterator[None]:
    """Keep what is loaded so far out of the garbage collector's sight while the block runs
    (``gc.freeze``): each full collection during a command's work would otherwise walk the
    ~100,000 objects of the imported modules again (about 0.3 s CPU of a ``dedupe check``).
    Unfrozen afterwards, so nothing frozen stays uncollectable (tests run many commands)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def arrow_memory_returned() -> None:
    """Arrow's buffers from the system allocator unless ``ARROW_DEFAULT_MEMORY_POOL``
    says otherwise: pyarrow's default (mimalloc) keeps freed pages, which raised the peak
    of ``dedupe match`` on 200,000 records from about 0.96 to 1.10 GiB."""
    import pyarrow as pa

    if not os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        pa.set_memory_pool(pa.system_memory_pool())


def run_stages(config: Config, **options) -> PipelineResult:
    """Run the pipeline, printing one error line per unusable file to stderr."""
    from dedupe.pipeline import run_pipeline

    arrow_memory_returned()
    try:
        threads()  # a wrong $DEDUPE_THREADS is named before any work
        with imports_settled():
            result = run_pipeline(config.paths, config, **options)
    except InputError as exc:
        raise BadInput(str(exc)) from None
    for skipped in result.parsed.skipped:
        click.echo(f"Note: {skipped}", err=True)
    for warning in [*result.parsed.warnings, *result.warnings]:
        click.echo(f"Warning: {warning}", err=True)
    for err in result.parsed.errors:
        click.echo(f"Error: {err}", err=True)
    return result


@contextmanager
def outputs(out_dir: Path) -> Iterator[StagedOutputs]:
    """Outputs staged beside ``out_dir``, moved into place when the block succeeds."""
    from dedupe.reporting.outputs import StagedOutputs

    raw = bool(click.get_current_context().meta.get("raw_csv"))
    try:
        with StagedOutputs(out_dir, raw) as out:
            yield out
    except InputError as exc:
        raise BadInput(str(exc)) from None
    except OSError as exc:  # from other writers into the staging folder (exports)
        where = exc.filename or out_dir
        raise BadInput(f"{where}: cannot write output ({exc.strerror or exc}).") from None


def finish(result: PipelineResult, fail_on: str | None) -> None:
    """Exit 2 on unusable files, 1 on anomalies at or above ``fail_on``, else 0."""
    from dedupe.validation.anomalies import severity_at_least

    if result.parsed.errors:
        sys.exit(EXIT_BAD_INPUT)
    anomalies = result.anomalies
    failing = (
        fail_on not in (None, "never")
        and anomalies is not None
        and bool(severity_at_least(anomalies["severity"], fail_on).any())
    )
    sys.exit(EXIT_FINDINGS if failing else EXIT_CLEAN)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dedupe")
def main() -> None:
    """Parse, validate and deduplicate bibliographic records scraped from academic pages.

    Exit codes: 0 clean, 1 findings, 2 bad input or usage.
    """


@main.command("parse")
@input_options
@out_option("records.csv and parse_failures.csv")
def parse_cmd(config_file, out_dir: Path, **options) -> None:
    """Parse seed files and exports (files or folders) into one record table.

    Writes records.csv (one row per record, traceable to file and line) and
    parse_failures.csv (lines that could not be read, and lines dropped as page chrome).
    Exits 2 when a file cannot be used (the other files are still parsed), 1 when some
    content could not be read or a file yielded no records, else 0.
    """
    result = run_stages(configure(config_file, **options), stages=["parse"], exclude=[out_dir])
    parsed = result.parsed
    with outputs(out_dir) as out:
        out.csv("records.csv", parsed.records)
        out.csv("parse_failures.csv", parsed.failures)
    kinds = parsed.failures["kind"]
    n_fail, n_empty = (
        int(kinds.isin(["failure", "no_records"]).sum()),
        int((kinds == "no_records").sum()),
    )
    click.echo(
        f"{len(parsed.records)} records from {len(parsed.files)} files; "
        f"{n_fail} parse failures ({n_empty} file(s) without records); written to {out_dir}/",
        err=True,
    )
    if n_fail and not parsed.errors:
        sys.exit(EXIT_FINDINGS)  # as documented: 1 when content could not be read
    finish(result, None)


@main.command("validate")
@input_options
@out_option("anomalies.csv (and the --fix outputs)")
@fail_on_option("error")
@click.option(
    "--fix",
    is_flag=True,
    help="Also write records.cleaned.csv with the safe "
    "fixes applied and changes.csv listing each change.",
)
def validate_cmd(config_file, out_dir: Path, fix: bool, **options) -> None:
    """Validate records against the schemas in schemas/ and list every broken field.

    Writes anomalies.csv (record_id, source_file, source_line, field, check, severity,
    value, message, suggestion, span_start, span_end: the flagged part of the value) and
    prints counts by check and severity; check severities
    come from the 'severities' setting ("check:level, ...").
    Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it,
    2 bad input or usage.
    """
    from dedupe.validation.anomalies import apply_fixes, summarise

    config = configure(config_file, **options)
    result = run_stages(config, stages=["parse", "validate"], exclude=[out_dir])
    records, anomalies = result.parsed.records, result.anomalies
    assert anomalies is not None
    with outputs(out_dir) as out:
        out.csv("anomalies.csv", anomalies)
        if fix:
            cleaned, changes = apply_fixes(records, anomalies)
            out.csv("records.cleaned.csv", cleaned)
            out.csv("changes.csv", changes)
    for row in summarise(anomalies).itertuples(index=False):
        click.echo(f"{row.severity:8} {row.check:22} {row.count}")
    click.echo(
        f"{len(anomalies)} anomalies in {len(records)} records; written to {out_dir}/anomalies.csv",
        err=True,
    )
    finish(result, config.fail_level("error"))


def review_entries(pairs, records):
    """The review-band pairs as ready-to-edit decision rows (decision left blank)."""
    import pandas as pd

    review = pairs[pairs["decision"] == "review"]
    named = records["record_id"].isin(
        pd.unique(review[["record_id_l", "record_id_r"]].values.ravel())
    )
    title = records[named].set_index("record_id")["title"].fillna("(no title)")
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
        skipped = (
            f", {s.capped_blocks} oversized blocks compared as a sorted neighbourhood"
            if s.capped_blocks
            else ""
        )
        click.echo(
            f"blocking {s.rule:18} {s.generated:>9,} pairs ({s.new:,} new){skipped}", err=True
        )


def spark_executor_or_exit(engine: str, collect: bool = True):
    """None for the local engine; else the Spark engine's executor, said on stderr;
    BadInput (exit 2) when PySpark or Java is missing. Clear non-matches stay on the
    executors unless --all-pairs; without ``collect`` (Parquet outputs) every table stays
    there (written from Spark), the driver collecting only the pairs to review."""
    if engine != "spark":
        return None
    try:
        from dedupe.spark.engine import spark_executor
        from dedupe.spark.session import get_session

        spark = get_session(os.environ.get("DEDUPE_SPARK_MASTER", "local[*]"))
    except InputError as exc:
        raise BadInput(str(exc)) from None
    connect = " (Spark Connect)" if type(spark).__module__.startswith("pyspark.sql.connect") else ""
    master = spark.conf.get("spark.master", "a remote session")
    click.echo(f"Spark engine on {master}{connect}", err=True)
    every_pair = bool(click.get_current_context().meta.get("all_pairs"))
    return spark_executor(spark, floor=None if every_pair else PAIR_FLOOR, collect=collect)


def parquet_stages(config: Config, path: Path, executor) -> PipelineResult:
    """Match the record table in Parquet file or folder ``path`` (no parsing), read and
    kept on Spark; the driver gets the titles of the pairs to review."""
    import pandas as pd

    from dedupe.core.records import FAILURE_COLUMNS
    from dedupe.matching.engine import load_decisions
    from dedupe.parsing.files import ParseResult
    from dedupe.pipeline import PipelineResult, stale_decisions
    from dedupe.spark.io import read_frame, records_named
    from dedupe.spark.session import get_session

    warnings: list[str] = []
    try:
        records = read_frame(get_session(None), path)  # stays on Spark
        decisions = load_decisions(config.decisions) if config.decisions else None
        if decisions is not None:  # the records they name, looked up on Spark
            known = records_named(records, [*decisions["record_id_l"], *decisions["record_id_r"]])
            warnings = stale_decisions(decisions, known, config.decisions)
        for warning in warnings:
            click.echo(f"Warning: {warning}", err=True)
        settings = config.match_settings()
        matched = executor.match(records, settings, decisions, print_block_stats, True, None)
    except InputError as exc:
        raise BadInput(str(exc)) from None
    review = matched.pairs[matched.pairs["decision"] == "review"]
    named = records_named(records, [*review["record_id_l"], *review["record_id_r"]])
    parsed = ParseResult(named, pd.DataFrame(columns=FAILURE_COLUMNS))  # review's titles
    return PipelineResult(config, parsed, matched=matched, warnings=warnings)


engine_option = click.option(
    "--engine",
    type=click.Choice(["local", "spark"]),
    default="local",
    show_default=True,
    help="Where normalisation, blocking, the per-pair comparison and the clustering run: "
    "this process, or Spark (the [spark] extra; master from $DEDUPE_SPARK_MASTER, default "
    "local[*]).",
)


WRITE_ORDER = ("pairs", "corpus", "clusters")
"""``match``'s tables, largest first (written at once, two files at a time on two cores)."""


def _write_match_output(out: StagedOutputs, name: str, matched: MatchResult, parquet: bool):
    """Write one of ``match``'s tables; the number of pairs pairs.csv lists (it leaves out
    the clear non-matches), None for the other outputs."""
    frame = getattr(matched, name)
    if parquet and name == "pairs" and matched.write_pairs is not None:
        matched.write_pairs(out.path("pairs.parquet"))  # every pair, from Spark
    elif parquet and name == "corpus" and matched.write_corpus is not None:
        matched.write_corpus(out.path("corpus.parquet"))  # merged on Spark
    elif parquet and name == "clusters" and matched.write_clusters is not None:
        matched.write_clusters(out.path("clusters.parquet"))  # found on Spark
    elif parquet:  # Parquet keeps every pair (for programs)
        frame.to_parquet(out.path(f"{name}.parquet"), index=False)
    elif name == "pairs":
        frame = written_pairs(frame)
        out.csv("pairs.csv", frame)
        return len(frame)
    else:
        out.csv(f"{name}.csv", frame)
    return None


@main.command("match")
@input_options
@out_option("pairs.csv, clusters.csv, corpus.csv, review.csv")
@all_pairs_option
@match_options
@engine_option
@click.option(
    "--in-parquet",
    type=click.Path(path_type=Path),
    default=None,
    help="Match a record table in Parquet (a file or a folder of parts, with record_id and "
    "the bibliographic columns of records.csv) instead of parsing PATHS; needs --engine spark.",
)
@click.option(
    "--out-parquet",
    is_flag=True,
    help="Write pairs, clusters and corpus as Parquet (pairs.parquet, clusters.parquet, "
    "corpus.parquet) instead of CSV; review.csv stays CSV.",
)
def match_cmd(
    config_file,
    out_dir: Path,
    engine: str = "local",
    in_parquet: Path | None = None,
    out_parquet: bool = False,
    **options,
) -> None:
    """Find and merge duplicate records (one row per paper), explained and reviewable.

    Writes pairs.csv (the candidate pairs with per-field levels and weights, probability,
    veto and decision merge/review/distinct; clear non-matches only with --all-pairs),
    clusters.csv (record_id, cluster_id),
    corpus.csv (one merged row per cluster with the ids it merged and their values) and
    review.csv (the uncertain pairs, ready to decide and pass back with --decisions).
    """
    config = configure(config_file, **options)
    if in_parquet is not None and engine != "spark":
        raise click.UsageError("--in-parquet needs --engine spark.")
    executor = spark_executor_or_exit(engine, collect=not out_parquet)
    if in_parquet is not None:
        result = parquet_stages(config, in_parquet, executor)
    else:
        result = run_stages(
            config,
            stages=["parse", "match"],
            on_blocked=print_block_stats,
            exclude=[out_dir],
            executor=executor,
        )
    matched = result.matched
    assert matched is not None
    ctx = click.get_current_context()  # its options, seen from the writing threads

    def write(name: str) -> int | None:
        with ctx.scope(cleanup=False):
            return _write_match_output(out, name, matched, out_parquet)

    def review() -> None:
        out.csv("review.csv", review_entries(matched.pairs, result.parsed.records))

    with outputs(out_dir) as out:
        listed = run_all(  # the files at once (mostly Arrow kernels), largest first
            *(partial(write, name) for name in WRITE_ORDER), review
        )
    total = len(matched.pairs) + matched.unlisted_pairs
    written = next((n for n in listed if n is not None), total)
    counts = matched.decision_counts or matched.pairs["decision"].value_counts()
    records, unique = len(matched.clusters), len(matched.corpus)
    if matched.sizes is not None:  # the clusters and corpus stayed on Spark
        records, unique = matched.sizes
    click.echo(
        f"{records} records -> {unique} unique; "
        f"{counts.get('merge', 0)} pairs merged, {counts.get('review', 0)} to review; "
        f"{written} of {total} candidate pairs written "
        f"(--all-pairs for all) to {out_dir}/",
        err=True,
    )
    finish(result, None)


@main.command("run")
@input_options
@out_option("every output and report.html")
@all_pairs_option
@click.option("--force", is_flag=True, help="Replace a report.html this tool did not write.")
@match_options
@fail_on_option("never (the CI gate is 'dedupe check')")
@click.option(
    "--fix/--no-fix",
    default=None,
    help="Match and merge the records with the safe fixes applied, each listed in "
    "changes.csv and the corpus' provenance [setting: fix; default --fix].",
)
@roles_option
@export_formats("--export", "Default: none.")
@engine_option
def run_cmd(
    config_file, out_dir: Path, force: bool, formats, engine: str = "local", **options
) -> None:
    """The whole job: parse, validate, fix, match and merge, with an HTML report.

    PATHS default to the 'paths' setting (seeds/). Writes records.csv, parse_failures.csv,
    anomalies.csv, records.cleaned.csv, changes.csv, pairs.csv, clusters.csv, corpus.csv,
    review.csv, summary.json and a self-contained report.html to --out (default reports/),
    plus each --export format. An existing report.html is replaced only when this tool
    wrote it, or with --force.
    """
    import json

    from dedupe.reporting.html import render_report, written_by_us

    report = out_dir / "report.html"
    if report.exists() and not force and not written_by_us(report):
        raise click.UsageError(
            f"{report} exists and was not written by dedupe; pass --force to replace it."
        )
    config = configure(config_file, **options)
    executor = spark_executor_or_exit(engine)
    with (
        click.progressbar(length=4, label="dedupe run", file=sys.stderr, show_pos=True)
        if sys.stderr.isatty()
        else _quiet() as bar
    ):
        result = run_stages(
            config, progress=lambda stage: bar.update(1), exclude=[out_dir], executor=executor
        )
        html = render_report(result)
        bar.update(1)
    assert result.anomalies is not None and result.matched is not None
    matched = result.matched
    tables = {  # each made as it is written (a copy of the pairs freed after)
        "records.csv": lambda: result.parsed.records,
        "parse_failures.csv": lambda: result.parsed.failures,
        "anomalies.csv": lambda: result.anomalies,
        "pairs.csv": lambda: written_pairs(matched.pairs),
        "clusters.csv": lambda: matched.clusters,
        "corpus.csv": lambda: result.corpus,
        "review.csv": lambda: review_entries(matched.pairs, result.parsed.records),
        "records.cleaned.csv": lambda: result.cleaned,
        "changes.csv": lambda: result.changes,
    }
    assert result.corpus is not None
    with outputs(out_dir) as out:
        for name, table in tables.items():
            frame = table()
            if frame is not None:
                out.csv(name, frame)
            del frame
        write_exports(result.corpus, list(formats), out.staging)
        out.text("summary.json", json.dumps(result.summary, indent=2, ensure_ascii=False))
        out.text("report.html", html)
    s = result.summary
    click.echo(
        f"{s['records_read']} records read, {s['anomalies']} anomalies, "
        f"{s['duplicates_merged']} duplicates merged, {s['pairs_in_review']} pairs to "
        f"review, {s['unique_records']} unique; report: {report}",
        err=True,
    )
    finish(result, config.fail_level("never"))


@main.command("export")
@click.argument(
    "corpus",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("reports/corpus.csv"),
)
@export_formats("--format", "Default: all four.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder for the exported files [default: the corpus' folder].",
)
@roles_option
def export_cmd(corpus: Path, formats, out_dir: Path | None, roles) -> None:
    """Write a merged corpus as RIS, BibTeX, CSL-JSON or Web of Science tagged files.

    CORPUS is a corpus.csv written by 'dedupe run' or 'dedupe match' (default
    reports/corpus.csv). Every entry keeps its record ids in a note (UT in the WoS file) so
    a later run can trace it. The same corpus gives byte-identical files.
    """
    try:
        frame = read_corpus(corpus)
    except InputError as exc:
        raise BadInput(str(exc)) from None
    if roles:
        unknown = [r for r in roles if r not in ROLES]
        if unknown:
            raise BadInput(f"--roles: {unknown[0]!r} is not one of {', '.join(ROLES)}.")
        frame = frame[frame["role"].isin(roles)] if "role" in frame.columns else frame
    target = out_dir or corpus.parent
    with outputs(target) as out:
        written = write_exports(frame, list(formats or EXPORTERS), out.staging)
    for path in written:
        click.echo(f"{len(frame)} records -> {target / path.name}", err=True)


@main.command("check")
@input_options
@match_options
@fail_on_option("error")
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
def check_cmd(
    config_file, update_baseline, changed, since, exit_zero, output_format, **options
) -> None:
    """CI gate: fail only on findings that are new since the committed baseline.

    Parses, validates and matches PATHS (default: the 'paths' setting, seeds/), then
    compares every finding with the baseline by a fingerprint of its check, field and the
    record's content, so editing or reordering a seed file does not bring accepted findings
    back. It fails on a new anomaly at or above --fail-on, a new duplicate of a record
    already in the corpus (naming both records, their files and lines and the probability)
    and a file that cannot be read.

    Settings come from [tool.dedupe] in pyproject.toml or [tool:dedupe] in setup.cfg (or
    --config): paths, baseline, fail_on, merge_threshold, review_threshold, severities
    ("check:level, ..."), format, map, encoding, decisions; the command line wins.

    Exit codes: 0 nothing new, 1 new findings, 2 bad input, usage or configuration.
    """
    from dedupe.gate.check import files_changed_since, run_check, write_baseline
    from dedupe.gate.formats import RENDER

    config = configure(config_file, **options)
    try:
        chosen = list(changed) if changed else None
        if since:
            chosen = (chosen or []) + files_changed_since(since, list(config.paths))
        with imports_settled():
            result = run_check(config, chosen)
        if update_baseline:
            write_baseline(config.baseline, result.findings, result.corpus_files)
    except InputError as exc:
        raise BadInput(str(exc)) from None
    if update_baseline:
        n = len(result.findings)
        click.echo(f"baseline {config.baseline}: {n} findings accepted.", err=True)
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


def program(args: list[str] | None = None) -> None:
    """The ``dedupe`` program (its console script): ``main``, then the process ends with
    ``exit_fast``."""
    try:
        main(args, prog_name="dedupe")
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            exit_fast(exc.code or 0)
        raise


def exit_fast(code: int) -> None:
    """End the process now, its output flushed, without freeing its tables one Python
    object at a time: a million-record ``dedupe match`` holds tens of millions of objects,
    and the interpreter's teardown took about 2.5 s. Every output is written
    and moved into place by then, and threads joined. Not where exit handlers still
    have work (a Spark session: the JVM is stopped by one): a normal exit there."""
    if "pyspark" in sys.modules:
        sys.exit(code)
    from dedupe.parsing.cache import settle_writes

    settle_writes()  # a failing run may leave a cache entry being written
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing more to say
            pass
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    program()
