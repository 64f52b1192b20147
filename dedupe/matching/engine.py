"""The matching pipeline: normalise, block, compare, decide, cluster, merge."""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dedupe.core.errors import InputError
from dedupe.matching.blocking import BlockStats, block
from dedupe.matching.cluster import clusters, guarded
from dedupe.matching.compare import column_arrays, compare, compare_encoded
from dedupe.matching.comparisons import LEVELS
from dedupe.matching.estimate import Estimate, estimate_model, shipped
from dedupe.matching.merge import merge_clusters
from dedupe.matching.model import (
    DECISIONS,
    NO_VETO,
    VETOES,
    Settings,
    decide,
    score,
    vetoes,
)
from dedupe.matching.normalise import normalise_records

DECISION_VALUES = {"same", "different"}
DECISION_COLUMNS = ["record_id_l", "record_id_r", "decision", "note"]


@dataclass(frozen=True)
class Executor:
    """Where the heavy stages run: normalisation, blocking, the per-pair comparison and the
    connected components. Local by default; ``dedupe.spark`` passes Spark versions of the
    same functions."""

    normalise: Callable[[pd.DataFrame], pd.DataFrame] = normalise_records
    block: Callable[[pd.DataFrame, int], tuple[pd.DataFrame, list[BlockStats]]] = block
    compare: Callable[[pd.DataFrame, pd.DataFrame], pd.DataFrame] | None = None
    """None: this process, on columns encoded once for all comparisons."""
    components: Callable[[int, np.ndarray, np.ndarray], np.ndarray] = clusters


@dataclass
class MatchResult:
    """Everything a matching run produced."""

    pairs: pd.DataFrame
    clusters: pd.DataFrame
    corpus: pd.DataFrame
    block_stats: list[BlockStats]
    timings: dict[str, float]
    """Seconds per stage."""
    peaks: dict[str, float]
    """Peak memory (MiB) of the process at the end of each stage."""
    estimate: Estimate | None = None
    """The model's parameters for this corpus, and whether they were estimated."""


def load_decisions(path: Path) -> pd.DataFrame:
    """Reviewed pair decisions (record_id_l, record_id_r, decision same|different, note)."""
    rows = []
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            missing = {"record_id_l", "record_id_r", "decision"} - set(reader.fieldnames or [])
            if missing:
                raise InputError(
                    f"{path}:1: decisions file lacks column(s) {', '.join(sorted(missing))}."
                )
            for row in reader:
                value = (row.get("decision") or "").strip().lower()
                if value not in DECISION_VALUES:
                    raise InputError(
                        f"{path}:{reader.line_num}: decision {value!r} is not "
                        "'same' or 'different'."
                    )
                rows.append(
                    {
                        "record_id_l": row["record_id_l"].strip(),
                        "record_id_r": row["record_id_r"].strip(),
                        "decision": value,
                        "note": row.get("note") or "",
                    }
                )
    except OSError as exc:
        raise InputError(f"{path}: cannot read decisions ({exc.strerror}).") from None
    return canonical_decisions(pd.DataFrame(rows, columns=DECISION_COLUMNS))


def canonical_decisions(decisions: pd.DataFrame) -> pd.DataFrame:
    """Decisions with each pair's ids in sorted order, the last word on a pair winning."""
    a = decisions["record_id_l"].astype(str).to_numpy()
    b = decisions["record_id_r"].astype(str).to_numpy()
    out = decisions.assign(record_id_l=np.where(a < b, a, b), record_id_r=np.where(a < b, b, a))
    return out.drop_duplicates(["record_id_l", "record_id_r"], keep="last")


def _add_decided_pairs(
    pairs: pd.DataFrame, decisions: pd.DataFrame, ids: pd.Series
) -> pd.DataFrame:
    pos = pd.Series(np.arange(len(ids)), index=ids.to_numpy())
    known = decisions[
        decisions["record_id_l"].isin(pos.index) & decisions["record_id_r"].isin(pos.index)
    ]
    a, b = pos[known["record_id_l"]].to_numpy(), pos[known["record_id_r"]].to_numpy()
    extra = pd.DataFrame(
        {"i_l": np.minimum(a, b), "i_r": np.maximum(a, b), "match_key": "decision"}
    )
    merged = pd.concat([pairs, extra], ignore_index=True)
    return merged.drop_duplicates(["i_l", "i_r"], keep="first").reset_index(drop=True)


def _own_reference(records: pd.DataFrame, pairs: pd.DataFrame) -> np.ndarray:
    """True where one record is a page's main record and the other from its own lists."""
    f = pd.factorize(records["source_file"])[0]
    role = records["role"]
    main = (role == "main").to_numpy(dtype=bool)
    child = role.isin(["reference", "related"]).to_numpy(dtype=bool)
    a, b = pairs["i_l"].to_numpy(), pairs["i_r"].to_numpy()
    return (f[a] == f[b]) & ((main[a] & child[b]) | (main[b] & child[a]))


class _Clock:
    """Seconds per stage, and the process's peak memory (MiB) at the end of each stage."""

    def __init__(self):
        self.laps: dict[str, float] = {}
        self.peaks: dict[str, float] = {}
        self._t = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self._t, 3)
        self.peaks[name] = round(peak_memory_mib(), 1)
        self._t = now


def peak_memory_mib() -> float:
    """Peak resident memory of this process so far, in MiB (0 where unknown)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Windows
        return 0.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def match_records(
    records: pd.DataFrame,
    settings: Settings | None = None,
    decisions: pd.DataFrame | None = None,
    on_blocked: Callable[[list[BlockStats]], None] | None = None,
    focus: np.ndarray | None = None,
    build_corpus: bool = True,
    executor: Executor | None = None,
    norm: pd.DataFrame | None = None,
    blocked: tuple[pd.DataFrame, list[BlockStats]] | None = None,
    model: Estimate | None = None,
    anomalies: pd.DataFrame | None = None,
) -> MatchResult:
    """Find duplicate records, cluster them and merge each cluster into one record.

    With ``focus`` (a boolean mask over the records), only pairs touching a focused record
    are compared: how a new file is checked against a whole corpus quickly. Without
    ``build_corpus`` the merge stage is skipped (``corpus`` is empty). A caller that has
    them (``dedupe check``'s cache) may pass the normalised records, the candidate pairs
    with their statistics, and the model to use instead of estimating one. ``anomalies``
    (the validation's findings that still hold) tell the merge which values are flagged.
    """
    settings = settings or Settings.default()
    records = records.reset_index(drop=True)
    clock = _Clock()
    run = executor or Executor()
    norm = run.normalise(records) if norm is None else norm.reset_index(drop=True)
    clock.lap("normalise")
    pairs, stats = run.block(norm, settings.max_block) if blocked is None else blocked
    if focus is not None:
        touch = focus[pairs["i_l"].to_numpy()] | focus[pairs["i_r"].to_numpy()]
        pairs = pairs[touch].reset_index(drop=True)
    clock.lap("block")
    if on_blocked:
        on_blocked(stats)
    if decisions is not None and not decisions.empty:
        decisions = canonical_decisions(decisions)
        pairs = _add_decided_pairs(pairs, decisions, records["record_id"])
    if run.compare is None and model is not None:  # nothing else to compare: only these
        compare_pairs = partial(compare, norm)
    elif run.compare is None:
        compare_pairs = partial(compare_encoded, column_arrays(norm))
    else:
        compare_pairs = partial(run.compare, norm)
    levels = compare_pairs(pairs)
    clock.lap("compare")
    if model is not None:
        estimate = model
    elif settings.estimate:
        estimate = estimate_model(len(norm), levels, settings.mu, compare_pairs)
    else:
        estimate = shipped(settings.mu, len(records), settings.prior)
    settings = settings.with_(mu=estimate.mu, prior=estimate.prior)
    clock.lap("estimate")
    scored = score(levels, settings, len(records))
    hard, soft = vetoes(levels, _own_reference(records, pairs))
    decision = decide(scored["probability"].to_numpy(), hard, soft, settings)
    ids = records["record_id"].to_numpy()
    out = pd.DataFrame(
        {
            "record_id_l": ids[pairs["i_l"]],
            "record_id_r": ids[pairs["i_r"]],
            "match_key": pd.Categorical(pairs["match_key"].to_numpy()),
        }
    )
    for name, names in LEVELS.items():
        out[f"{name}_level"] = pd.Categorical.from_codes(levels[f"{name}_level"], names)
        out[f"{name}_weight"] = scored[f"{name}_weight"].to_numpy(dtype=np.float32)
    for col in ("title_score", "title_abstract_score", "authors_score"):
        out[col] = levels[col].to_numpy(dtype=np.float32).round(3)
    out["match_weight"] = scored["match_weight"]
    out["probability"] = scored["probability"].round(6)
    del norm, levels, scored, compare_pairs  # free the per-pair intermediates before clustering
    veto = np.where(hard != NO_VETO, hard, soft).astype(np.int16) + 1
    out["veto"] = pd.Categorical.from_codes(veto, VETO_REASONS)
    out["decision"] = pd.Categorical.from_codes(decision, DECISIONS)
    out["reviewed"] = pd.Categorical.from_codes(np.zeros(len(out), np.int8), REVIEWED)
    if decisions is not None and not decisions.empty:
        out = _apply_decisions(out, decisions)
    clock.lap("decide")
    accepted = np.flatnonzero((out["decision"] == "merge").to_numpy())
    strength = out["probability"].to_numpy() + (out["reviewed"] == "same").to_numpy()
    il, ir = pairs["i_l"].to_numpy()[accepted], pairs["i_r"].to_numpy()[accepted]
    kept = guarded(len(records), il, ir, strength[accepted])
    refused = accepted[~kept]
    out.loc[refused, "decision"] = "review"
    out.loc[refused, "veto"] = WEAK_LINK
    labels = run.components(len(records), il[kept], ir[kept])
    cluster_ids = pd.Series(ids[labels], name="cluster_id")
    cl = pd.DataFrame({"record_id": ids, "cluster_id": cluster_ids})
    clock.lap("cluster")
    corpus = merge_clusters(records, cluster_ids, anomalies) if build_corpus else pd.DataFrame()
    clock.lap("merge")
    # most probable first, then by record ids (ranked once: sorting millions of id strings
    # per pair would dominate)
    rank = id_rank(ids)
    order = np.lexsort(
        (
            rank[pairs["i_r"].to_numpy()],
            rank[pairs["i_l"].to_numpy()],
            -out["probability"].to_numpy(),
        )
    )
    out = out.take(order).reset_index(drop=True)
    return MatchResult(out, cl, corpus, stats, clock.laps, clock.peaks, estimate)


def id_rank(ids: np.ndarray) -> np.ndarray:
    """Each record id's rank in sorted order (equal ids share a rank)."""
    codes, uniques = pd.factorize(ids)
    order = pc.sort_indices(pa.array(np.asarray(uniques, dtype=object).tolist(), pa.string()))
    rank_of = np.empty(len(uniques), dtype=np.int64)
    rank_of[order.to_numpy()] = np.arange(len(uniques))
    return rank_of[codes]


WEAK_LINK = "a weak single link between two groups"
VETO_REASONS = [""] + [v.reason for v in VETOES] + [WEAK_LINK]
REVIEWED = ["", "same", "different"]


def _apply_decisions(out: pd.DataFrame, decisions: pd.DataFrame) -> pd.DataFrame:
    key = (
        out["record_id_l"].where(out["record_id_l"] < out["record_id_r"], out["record_id_r"])
        + "\x1f"
        + out["record_id_r"].where(out["record_id_l"] < out["record_id_r"], out["record_id_l"])
    )
    dec = pd.Series(
        decisions["decision"].to_numpy(),
        index=decisions["record_id_l"] + "\x1f" + decisions["record_id_r"],
    )
    reviewed = key.map(dec).fillna("")
    out["reviewed"] = reviewed.to_numpy()
    out.loc[reviewed == "same", "decision"] = "merge"
    out.loc[reviewed == "different", "decision"] = "distinct"
    return out
