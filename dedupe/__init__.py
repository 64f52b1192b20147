"""dedupe: parse, validate and deduplicate scraped bibliographic records.

The library in four calls, each taking and returning plain data::

    import dedupe
    parsed = dedupe.parse(["seeds/"])                 # ParseResult: records, failures, files
    anomalies = dedupe.validate(parsed.records)       # one anomaly table
    matched = dedupe.match(parsed.records)            # MatchResult: pairs, clusters, corpus
    result = dedupe.run(["seeds/"])                   # all three, with a summary

The subpackages follow the pipeline: ``core`` (record table, errors, patterns, names, labels),
``parsing``, ``validation``, ``matching``, ``reporting`` and ``gate`` (the CI check).
"""

from __future__ import annotations

__version__ = "0.1.0"


def parse(paths, **options):
    """Parse files and folders into one record table (see :func:`dedupe.parsing.parse_paths`)."""
    from pathlib import Path

    from dedupe.parsing import parse_paths

    return parse_paths([Path(p) for p in paths], **options)


def validate(records, failures=None, **options):
    """The anomaly table of a record table (see :func:`dedupe.validation.validate_records`)."""
    from dedupe.validation import validate_records

    return validate_records(records, failures, **options)


def match(records, **options):
    """Pairs, clusters and the merged corpus (see :func:`dedupe.matching.match_records`)."""
    from dedupe.matching import match_records

    return match_records(records, **options)


def run(paths, **options):
    """Parse, validate and match in one call (see :func:`dedupe.pipeline.run_pipeline`)."""
    from pathlib import Path

    from dedupe.pipeline import run_pipeline

    return run_pipeline([Path(p) for p in paths], **options)


__all__ = ["__version__", "match", "parse", "run", "validate"]
