"""`dedupe check`: a CI gate that fails only on what is new since the committed baseline.

Findings are anomalies, duplicates and unreadable files. Each has a stable fingerprint built
from its check, its field and a hash of the record's *content* (not its file name or line),
so editing, reordering, renaming or moving a seed file does not resurrect accepted findings.
Findings of the same content are told apart by their occurrence (oldest first, the new or
changed files last): a further copy is a new finding. The baseline is a sorted,
diff-friendly JSON list of accepted fingerprints; those of baselines written before
fingerprints left out file names (version 1) are still accepted.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from dedupe.config import Config
from dedupe.core.errors import InputError
from dedupe.pipeline import run_pipeline
from dedupe.validation.anomalies import severity_at_least

BASELINE_VERSION = 2
FILE_LEVEL_CHECKS = (
    "dropped_line",
    "unattached_text",
    "parse_failure",
    "no_records",
    "check_error",
)
"""Anomalies keyed by file name and text (they belong to no record's content)."""
DECISION_RANK = {"merge": 0, "review": 1}


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
    corpus_files: list[str] = field(default_factory=list)
    """Every file read (the corpus the changed files were checked against)."""


def _hash(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def content_hashes(records: pd.DataFrame, ids: pd.Series | None = None) -> dict[str, str]:
    """record_id -> the record's stored ``content_hash`` (of the records ``ids`` names, e.g.
    those with anomalies; every record when None)."""
    if ids is not None:
        records = records[records["record_id"].isin(ids)]
    return dict(zip(records["record_id"], records["content_hash"].fillna("")))


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


def baseline_files(path: Path) -> set[str] | None:
    """Names of the files the baseline was written from (None: not recorded)."""
    try:
        files = json.loads(path.read_text(encoding="utf-8")).get("files")
    except (OSError, ValueError, AttributeError):
        return None
    return set(files) if isinstance(files, list) else None


def write_baseline(path: Path, findings: list[Finding], files: list[str] | None = None) -> None:
    """Write every current finding as accepted: sorted, one entry a few lines, no line numbers
    (they would change on every edit); ``files`` (names) tells later checks which are new."""
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
    if files is not None:
        data["files"] = sorted({Path(f).name for f in files})
    text = json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    staged = path.with_name(f".{path.name}.tmp")
    try:  # written beside and renamed: an interrupted update keeps the old baseline
        staged.write_text(text, encoding="utf-8")
        os.replace(staged, path)
    except OSError as exc:
        raise InputError(
            f"cannot write the baseline ({exc.strerror or exc}); check --baseline.", path
        ) from None


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


def occurrences(keys: pd.DataFrame, new: np.ndarray) -> np.ndarray:
    """The occurrence number of each row among rows with equal ``keys``, counting the oldest
    first: rows outside the ``new`` files, then by file and line (columns ``file``, ``line``).
    """
    order = keys.assign(_new=new).sort_values(["_new", "file", "line"], kind="stable").index
    ranked = keys.loc[order].drop(columns=["file", "line"])
    counts = ranked.groupby(list(ranked.columns), sort=False, dropna=False).cumcount()
    return counts.reindex(keys.index).to_numpy()


def _anomaly_findings(
    anomalies: pd.DataFrame, digests: dict[str, str], new: np.ndarray, legacy: dict[str, str]
) -> list[Finding]:
    """Findings of the anomaly table; ``new`` marks rows in new or changed files; ``legacy``
    gets the version-1 fingerprint of each file-level finding."""
    values = anomalies["value"].map(lambda v: "" if v is None else str(v))
    keys = pd.DataFrame(
        {"check": anomalies["check"], "value": values, "file": anomalies["source_file"]}
    ).assign(line=anomalies["source_line"])
    nth = occurrences(keys, new) if len(keys) else np.zeros(0, dtype=int)
    out = []
    for a, value, n in zip(anomalies.to_dict("records"), values, nth):
        if a["check"] in FILE_LEVEL_CHECKS:  # no record: keyed by its text and occurrence
            fp = _hash(a["check"], value, str(n))
            legacy[fp] = _hash(a["check"], Path(a["source_file"]).name, value)
        else:
            fp = _hash(a["check"], a["field"] or "", digests.get(a["record_id"], ""))
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


def duplicate_partners(
    pairs: pd.DataFrame, records: pd.DataFrame, focus: np.ndarray | None = None
) -> pd.DataFrame:
    """For each *new* record that duplicates another, its one best earlier partner.

    A record is newer than its partner when it is in a focus file and the partner is not,
    else when it comes later (file, line). So a duplicate is always reported at the new or
    changed file, naming the existing record, and a cluster of n copies gives n - 1 rows,
    not n(n-1)/2. Columns: rec, other (record positions), decision, probability.
    """
    hits = pairs[pairs["decision"].isin(list(DECISION_RANK))]
    ids = pd.Index(records["record_id"])
    left, right = ids.get_indexer(hits["record_id_l"]), ids.get_indexer(hits["record_id_r"])
    seen = np.unique(np.concatenate([left, right]))  # only these records' ages are compared
    both = pd.DataFrame(
        {
            "rec": np.concatenate([left, right]),
            "other": np.concatenate([right, left]),
            "rank": np.tile(hits["decision"].map(DECISION_RANK).to_numpy(), 2),
            "decision": np.tile(hits["decision"].to_numpy(), 2),
            "probability": np.tile(hits["probability"].to_numpy(dtype=float), 2),
        }
    )
    order = np.zeros(len(records), dtype=np.int64)
    order[seen] = _age(records.iloc[seen], None if focus is None else np.asarray(focus)[seen])
    both = both[order[both["other"].to_numpy()] < order[both["rec"].to_numpy()]]
    both = both.assign(other_age=order[both["other"].to_numpy()])
    best = both.sort_values(["rec", "rank", "probability", "other_age"], ascending=[1, 1, 0, 1])
    return best.drop_duplicates("rec")[["rec", "other", "decision", "probability"]]


def _age(records: pd.DataFrame, focus: np.ndarray | None) -> np.ndarray:
    """Each record's rank from oldest to newest: outside the focus first, then file, line."""
    new = np.zeros(len(records), dtype=bool) if focus is None else np.asarray(focus, dtype=bool)
    keys = pd.DataFrame(
        {"new": new, "file": records["source_file"].to_numpy(), "line": records["source_line"]}
    ).reset_index(drop=True)
    ranked = keys.sort_values(["new", "file", "line"], kind="stable").index.to_numpy()
    age = np.empty(len(records), dtype="int64")
    age[ranked] = np.arange(len(records))
    return age


def _duplicate_findings(
    pairs: pd.DataFrame,
    records: pd.DataFrame,
    focus: np.ndarray | None = None,
    legacy: dict[str, str] | None = None,
) -> list[Finding]:
    """One finding per new record that duplicates an older one, fingerprinted by the
    record's content and its occurrence among the records of that content (the whole
    corpus is read, also with --changed, so the count is the same in every mode)."""
    recs = records.reset_index(drop=True)
    partners = duplicate_partners(pairs, recs, focus)
    content = recs["content_hash"].fillna("")
    # occurrences count among records of the same content: only the reported ones' matter
    same = content.isin(set(content.iloc[partners["rec"]])).to_numpy()
    keys = pd.DataFrame(
        {
            "content": content.to_numpy()[same],
            "file": recs["source_file"].to_numpy()[same],
            "line": recs["source_line"].to_numpy()[same],
        },
        index=np.flatnonzero(same),
    )
    new = np.zeros(len(recs), bool) if focus is None else np.asarray(focus, bool)
    nth = np.zeros(len(recs), dtype=np.int64)
    nth[same] = occurrences(keys, new[same]) if len(keys) else np.zeros(0, dtype=np.int64)
    out = []
    for p in partners.to_dict("records"):
        a, b = recs.iloc[p["rec"]], recs.iloc[p["other"]]
        merge = p["decision"] == "merge"
        kind = "duplicate" if merge else "possible_duplicate"
        fp = _hash(kind, a["content_hash"] or "", str(nth[p["rec"]]))
        if legacy is not None:
            legacy[fp] = _hash(kind, Path(a["source_file"]).name, a["content_hash"] or "")
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
                f"{a['record_id']} {'duplicates' if merge else 'may duplicate'} "
                f"{b['record_id']} at {b['source_file']}:{b['source_line']} "
                f"(probability {p['probability']:.3f}): {title}",
                str(title),
                a["record_id"],
                b["record_id"],
                b["source_file"],
                int(b["source_line"]),
                float(p["probability"]),
            )
        )
    return out


def _new_records(result) -> np.ndarray | None:
    """Records of files that are new: the focus files, else those the baseline has not seen."""
    if result.focus is not None:
        return result.focus
    known = baseline_files(result.config.baseline)
    if known is None:
        return None
    names = result.parsed.records["source_file"].map(lambda f: Path(f).name)
    return ~names.isin(known).to_numpy(dtype=bool)


def _new_files(result, changed: list[Path] | None) -> set[str]:
    """Files read that are new: those named by --changed, else those the baseline has not
    seen (none when it does not record its files)."""
    if changed is not None:
        named = {Path(c).resolve() for c in changed}
        return {f for f in result.parsed.files if Path(f).resolve() in named}
    known = baseline_files(result.config.baseline)
    return {f for f in result.parsed.files if known is not None and Path(f).name not in known}


def run_check(config: Config, changed: list[Path] | None = None) -> CheckResult:
    """Check the configured paths against the baseline; with ``changed``, only those files
    (fully, against the whole corpus)."""
    paths = list(config.paths)
    if changed is not None:
        missing = [c for c in changed if not Path(c).is_file()]
        if missing:
            raise InputError("no such file; --changed takes files that exist.", missing[0])
        paths += list(changed)  # checked wherever they are, even outside the paths
    result = run_pipeline(paths, config, focus=changed, build_corpus=False)
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
    new_records = _new_records(result)
    legacy: dict[str, str] = {}
    findings += _anomaly_findings(
        result.anomalies,
        content_hashes(records, result.anomalies["record_id"]),
        result.anomalies["source_file"].isin(_new_files(result, changed)).to_numpy(),
        legacy,
    )
    findings += _duplicate_findings(result.matched.pairs, records, new_records, legacy)
    findings = [
        Finding(**{**asdict(f), "new": not {f.fingerprint, legacy.get(f.fingerprint)} & accepted})
        for f in findings
    ]
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
        else sorted({*parsed.files, *(e.path for e in parsed.errors)})
    )
    return CheckResult(findings, failing, bool(parsed.errors), files, sorted(parsed.files))
