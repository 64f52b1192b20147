"""`dedupe check`: a CI gate that fails only on what is new since the committed baseline.

Findings are anomalies, duplicates and unreadable files. Each has a stable fingerprint built
from its check, its field and a hash of the record's *content* (not its file name or line),
so editing or reordering a seed file does not resurrect accepted findings. The baseline is
a sorted, diff-friendly JSON list of accepted fingerprints.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from dedupe.config import Config
from dedupe.core.errors import InputError
from dedupe.parsing.files import expand_paths
from dedupe.pipeline import run_pipeline
from dedupe.validation.anomalies import severity_at_least

BASELINE_VERSION = 1


@dataclass(frozen=True)
class Finding:
    """One thing the gate reports; ``new`` when the baseline does not accept it."""

    fingerprint: str
    kind: str  # anomaly | duplicate | possible_duplicate | unreadable
    check: str
    severity: str
    file: str
    line: int
    field: str
    message: str
    value: str = ""
    record_id: str = ""
    other_record_id: str = ""
    other_file: str = ""
    other_line: int = 0
    probability: float | None = None
    new: bool = True


@dataclass
class CheckResult:
    """All findings, and which of them fail the gate."""

    findings: list[Finding]
    failing: list[Finding] = field(default_factory=list)
    unreadable: bool = False
    checked_files: list[str] = field(default_factory=list)


def _hash(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def content_digest(record_id: str) -> str:
    """The content part of a record id ("stem#digest" -> "digest")."""
    return record_id.rsplit("#", 1)[-1].split("-", 1)[0]


# --- baseline -------------------------------------------------------------------------


def load_baseline(path: Path) -> set[str]:
    """Accepted fingerprints (empty when there is no baseline yet)."""
    if not path.exists():
        return set()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {f["fingerprint"] for f in data["findings"]}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(
            f"{path}: not a dedupe baseline ({exc}); regenerate it with --update-baseline."
        ) from None


def write_baseline(path: Path, findings: list[Finding]) -> None:
    """Write every current finding as accepted: sorted, one entry a few lines, no line numbers
    (they would change on every edit)."""
    entries = {
        f.fingerprint: {
            "fingerprint": f.fingerprint,
            "kind": f.kind,
            "check": f.check,
            "file": Path(f.file).name,
            "field": f.field,
            "value": f.value[:80],
        }
        for f in findings
        if f.kind != "unreadable"
    }
    data = {"version": BASELINE_VERSION, "findings": [entries[k] for k in sorted(entries)]}
    path.write_text(
        json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
    )


# --- changed files --------------------------------------------------------------------


def files_changed_since(rev: str, paths: list[Path]) -> list[Path]:
    """Files under ``paths`` changed since git revision ``rev``, plus untracked ones."""

    def git(*args: str) -> list[str]:
        try:
            out = subprocess.run(["git", *args], capture_output=True, text=True, check=True)
        except (OSError, subprocess.CalledProcessError) as exc:
            msg = getattr(exc, "stderr", "") or str(exc)
            raise InputError(f"git {' '.join(args)}: {msg.strip().splitlines()[-1]}") from None
        return [ln for ln in out.stdout.splitlines() if ln.strip()]

    root = Path(git("rev-parse", "--show-toplevel")[0])
    names = git("diff", "--name-only", "--diff-filter=ACMR", rev, "--", *map(str, paths))
    names += git("ls-files", "--others", "--exclude-standard", "--", *map(str, paths))
    return sorted({(root / n).resolve() for n in names if (root / n).exists()})


# --- findings -------------------------------------------------------------------------


def _anomaly_findings(anomalies: pd.DataFrame) -> list[Finding]:
    out = []
    for a in anomalies.to_dict("records"):
        value = "" if a["value"] is None else str(a["value"])
        if a["check"] in ("dropped_line", "parse_failure"):
            fp = _hash(a["check"], Path(a["source_file"]).name, value)
        else:
            fp = _hash(a["check"], a["field"] or "", content_digest(a["record_id"] or ""))
        out.append(
            Finding(
                fp,
                "anomaly",
                a["check"],
                a["severity"],
                a["source_file"],
                int(a["source_line"]),
                a["field"] or "",
                a["message"],
                value,
                a["record_id"] or "",
            )
        )
    return out


def _duplicate_findings(pairs: pd.DataFrame, records: pd.DataFrame) -> list[Finding]:
    where = records.set_index("record_id")[["source_file", "source_line", "title"]]
    out = []
    for p in pairs[pairs["decision"].isin(["merge", "review"])].to_dict("records"):
        a, b = where.loc[p["record_id_l"]], where.loc[p["record_id_r"]]
        merge = p["decision"] == "merge"
        kind = "duplicate" if merge else "possible_duplicate"
        fp = _hash(
            kind, *sorted([content_digest(p["record_id_l"]), content_digest(p["record_id_r"])])
        )
        title = a["title"] or b["title"] or "(no title)"
        out.append(
            Finding(
                fp,
                kind,
                kind,
                "error" if merge else "warning",
                a["source_file"],
                int(a["source_line"]),
                "record",
                f"{p['record_id_l']} {'duplicates' if merge else 'may duplicate'} "
                f"{p['record_id_r']} at {b['source_file']}:{b['source_line']} "
                f"(probability {p['probability']:.3f}): {title}",
                str(title),
                p["record_id_l"],
                p["record_id_r"],
                b["source_file"],
                int(b["source_line"]),
                float(p["probability"]),
            )
        )
    return out


def run_check(config: Config, changed: list[Path] | None = None) -> CheckResult:
    """Check the configured paths against the baseline; with ``changed``, only those files
    (fully, against the whole corpus)."""
    result = run_pipeline(config.paths, config, focus=changed, build_corpus=False)
    parsed, records = result.parsed, result.parsed.records
    assert result.anomalies is not None and result.matched is not None
    accepted = load_baseline(config.baseline)
    findings = [
        Finding(
            _hash("unreadable", str(e)),
            "unreadable",
            "unreadable_file",
            "error",
            e.path,
            e.line or 1,
            "",
            str(e),
        )
        for e in parsed.errors
    ]
    findings += _anomaly_findings(result.anomalies)
    findings += _duplicate_findings(result.matched.pairs, records)
    findings = [Finding(**{**asdict(f), "new": f.fingerprint not in accepted}) for f in findings]
    findings.sort(key=lambda f: (f.file, f.line, f.check, f.field))
    fail_on = config.fail_level("error")
    failing = [
        f
        for f in findings
        if f.new
        and (
            f.kind in ("unreadable", "duplicate")
            or (fail_on != "never" and severity_at_least(pd.Series([f.severity]), fail_on)[0])
        )
    ]
    files = (
        sorted({str(c) for c in changed})
        if changed is not None
        else sorted(str(p) for p in expand_paths(list(config.paths)))
    )
    return CheckResult(findings, failing, bool(parsed.errors), files)
