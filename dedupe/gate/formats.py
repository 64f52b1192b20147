"""Output formats of `dedupe check`: human, json, junit, sarif (2.1.0) and github."""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote
from xml.etree import ElementTree as ET

from dedupe import __version__

if TYPE_CHECKING:
    from dedupe.gate.check import CheckResult, Finding

SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
FORMATS = ("human", "json", "junit", "sarif", "github")


def _describe(f: Finding) -> str:
    where = f" {f.field}" if f.field and f.kind == "anomaly" else ""
    value = f": {f.value[:100]!r}" if f.value and f.kind == "anomaly" else ""
    return f"{f.check}{where}: {f.message}{value}"


def human(result: CheckResult) -> str:
    """Failing findings first, one line each, then a one-line verdict."""
    lines = [f"{f.file}:{f.line}: {f.severity}: {_describe(f)}" for f in result.failing]
    new = sum(f.new for f in result.findings)
    verdict = (
        f"{len(result.failing)} new finding(s) fail the check"
        if result.failing
        else "no new findings at or above the threshold"
    )
    lines.append(
        f"{verdict}; {len(result.findings)} findings in all, {new} new, "
        f"{len(result.findings) - new} accepted by the baseline; "
        f"{len(result.checked_files)} file(s) checked."
    )
    return "\n".join(lines)


def as_json(result: CheckResult) -> str:
    """Every finding with its ``new`` and ``failing`` flags."""
    failing = {id(f) for f in result.failing}
    return json.dumps(
        {
            "failing": len(result.failing),
            "checked_files": result.checked_files,
            "findings": [{**asdict(f), "failing": id(f) in failing} for f in result.findings],
        },
        indent=2,
        ensure_ascii=False,
    )


def junit(result: CheckResult) -> str:
    """One test case per finding; failing findings are failures."""
    failing = {id(f) for f in result.failing}
    suite = ET.Element(
        "testsuite",
        name="dedupe check",
        tests=str(len(result.findings)),
        failures=str(len(result.failing)),
        errors="0",
        skipped="0",
    )
    for f in result.findings:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"dedupe.{f.check}",
            name=f"{f.file}:{f.line} {f.field}".strip(),
            file=f.file,
            line=str(f.line),
        )
        if id(f) in failing:
            ET.SubElement(
                case, "failure", message=_describe(f)[:500], type=f.check
            ).text = f"{f.file}:{f.line}: {_describe(f)}"
    root = ET.Element("testsuites")
    root.append(suite)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def _relative(path: str) -> str:
    """The file's path relative to the working folder when inside it, else as given."""
    p = Path(path)
    try:
        return p.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return p.as_posix()


def _uri(path: str) -> str:
    """A SARIF artifact URI: the relative path percent-encoded (RFC 3986), so spaces, '#',
    '%' and non-ASCII names stay one path; a file outside the working folder as file: URI.

    >>> _uri("seeds/a b#1%.csv")
    'seeds/a%20b%231%25.csv'
    """
    rel = _relative(path)
    return Path(rel).as_uri() if Path(rel).is_absolute() else quote(rel, safe="/")


def sarif(result: CheckResult) -> str:
    """A SARIF 2.1.0 log: one rule per check, one result per new finding, with file and
    line so code scanning shows it on the seed file."""
    from dedupe.validation.checks import CHECKS, ROW_CHECKS

    rules_used = sorted({f.check for f in result.findings})
    rules = [
        {
            "id": c,
            "name": c,
            "shortDescription": {
                "text": CHECKS[c].message if c in CHECKS else ROW_CHECKS.get(c, c.replace("_", " "))
            },
        }
        for c in rules_used
    ]
    index = {c: i for i, c in enumerate(rules_used)}
    results = []
    for f in result.findings:
        if not f.new:
            continue
        results.append(
            {
                "ruleId": f.check,
                "ruleIndex": index[f.check],
                "level": SARIF_LEVEL.get(f.severity, "warning"),
                "message": {"text": _describe(f)},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": _uri(f.file)},
                            "region": {"startLine": max(1, f.line)},
                        }
                    }
                ],
                "partialFingerprints": {"dedupeFingerprint/v1": f.fingerprint},
            }
        )
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "dedupe",
                        "version": __version__,
                        "informationUri": "https://pypi.org/",
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False)


def _escape_github(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def github(result: CheckResult) -> str:
    """Workflow annotations for new findings; a summary table goes to $GITHUB_STEP_SUMMARY."""
    failing = {id(f) for f in result.failing}
    lines = []
    for f in result.findings:
        if not f.new:
            continue
        level = (
            "error"
            if id(f) in failing
            else ("warning" if f.severity in ("error", "warning") else "notice")
        )
        lines.append(
            f"::{level} file={_escape_github(_relative(f.file), True)},line={f.line},"
            f"title={_escape_github(f.check, True)}::{_escape_github(_describe(f))}"
        )
    summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        counts = Counter((f.check, f.severity, f.new) for f in result.findings)
        table = [
            "## dedupe check",
            "",
            f"{len(result.failing)} new finding(s) fail the check.",
            "",
            "| check | severity | new | accepted |",
            "|---|---|---:|---:|",
        ]
        for check, sev in sorted({(c, s) for c, s, _ in counts}):
            table.append(
                f"| {check} | {sev} | {counts[(check, sev, True)]} | "
                f"{counts[(check, sev, False)]} |"
            )
        with open(summary_path, "a", encoding="utf-8") as fh:
            fh.write("\n".join(table) + "\n")
    lines.append(human(result).splitlines()[-1])
    return "\n".join(lines)


RENDER = {"human": human, "json": as_json, "junit": junit, "sarif": sarif, "github": github}
