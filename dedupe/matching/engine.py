"""The matching pipeline: normalise, block, compare, decide, cluster, merge."""

from __future__ import annotations

import csv
import threading
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
from dedupe.core.parallel import Background, thread_map
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
    score_arrays,
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
    match: Callable[..., MatchResult] | None = None
    """The whole run elsewhere (``match_records``' records, settings, decisions, on_blocked,
    build_corpus, anomalies), used when the caller passes no focus, table, pairs or model:
    the Spark engine scores and decides on its executors."""


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
    unlisted_pairs: int = 0
    """Candidate pairs not in ``pairs``: distinct, unreviewed and scored under a floor
    (``cli.PAIR_FLOOR``), left where they were scored (the Spark engine's executors)."""
    write_pairs: Callable[[Path], None] | None = None
    """With unlisted pairs: writes every candidate pair (the table ``pairs`` would be) as
    one Parquet file where they are (the Spark engine)."""
    write_corpus: Callable[[Path], None] | None = None
    """When the merged corpus stayed where it was merged (the Spark engine writing Parquet;
    ``corpus`` is then empty): writes it as one Parquet file."""
    write_clusters: Callable[[Path], None] | None = None
    """When the clusters table stayed where it was found (the Spark engine writing
    Parquet; ``clusters`` is then empty): writes it as one Parquet file."""
    sizes: tuple[int, int] | None = None
    """With ``write_clusters``: the number of records and of clusters."""
    decision_counts: dict[str, int] | None = None
    """When ``pairs`` holds only the pairs to review (the Spark engine writing Parquet):
    the number of candidate pairs per decision."""


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


def decided_positions(decisions: pd.DataFrame | None, ids: np.ndarray) -> pd.DataFrame:
    """The (canonical) decisions on records of ``ids`` as positions (``i_l <= i_r``) with
    their ``REVIEWED`` code (1 same, 2 different), in the decisions' order."""
    if decisions is None or decisions.empty:
        return pd.DataFrame({"i_l": [], "i_r": [], "code": []}, dtype=np.int64)
    pos = pd.Series(np.arange(len(ids)), index=ids)
    known = decisions[
        decisions["record_id_l"].isin(pos.index) & decisions["record_id_r"].isin(pos.index)
    ]
    a, b = pos[known["record_id_l"]].to_numpy(), pos[known["record_id_r"]].to_numpy()
    code = np.where(known["decision"].to_numpy() == "same", 1, 2)
    return pd.DataFrame({"i_l": np.minimum(a, b), "i_r": np.maximum(a, b), "code": code})


def reviewed_codes(il: np.ndarray, ir: np.ndarray, decided: pd.DataFrame, n: int) -> np.ndarray:
    """Per pair (positions ``il < ir`` among ``n`` records), its ``REVIEWED`` code from the
    ``decided_positions`` (0 where none)."""
    out = np.zeros(len(il), dtype=np.int8)
    if len(decided) == 0 or len(il) == 0:
        return out
    keys = decided["i_l"].to_numpy(np.int64) * n + decided["i_r"].to_numpy(np.int64)
    order = np.argsort(keys, kind="stable")
    keys, codes = keys[order], decided["code"].to_numpy(np.int8)[order]
    query = np.asarray(il, np.int64) * n + np.asarray(ir, np.int64)
    at = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
    hit = keys[at] == query
    out[hit] = codes[at[hit]]
    return out


def _add_decided_pairs(pairs: pd.DataFrame, decided: pd.DataFrame) -> pd.DataFrame:
    extra = pd.DataFrame({"i_l": decided["i_l"], "i_r": decided["i_r"], "match_key": "decision"})
    merged = pd.concat([pairs, extra], ignore_index=True)
    return merged.drop_duplicates(["i_l", "i_r"], keep="first").reset_index(drop=True)


def record_kinds(records: pd.DataFrame) -> pd.DataFrame:
    """Per record, its source file as a code (``file``) and ``kind``: 1 a page's main
    record, 2 an entry of its lists (reference, related), 0 other."""
    role = records["role"]
    kind = np.where(role == "main", 1, np.where(role.isin(["reference", "related"]), 2, 0))
    return pd.DataFrame(
        {"file": pd.factorize(records["source_file"])[0], "kind": kind.astype(np.int8)}
    )


def own_reference(file_l, kind_l, file_r, kind_r) -> np.ndarray:
    """True where one side is a page's main record and the other from its own lists."""
    main_child = ((kind_l == 1) & (kind_r == 2)) | ((kind_l == 2) & (kind_r == 1))
    return np.asarray((file_l == file_r) & main_child, dtype=bool)


def _own_reference(records: pd.DataFrame, pairs: pd.DataFrame) -> np.ndarray:
    """True where one record is a page's main record and the other from its own lists."""
    k = record_kinds(records)
    f, kind = k["file"].to_numpy(), k["kind"].to_numpy()
    a, b = pairs["i_l"].to_numpy(), pairs["i_r"].to_numpy()
    return own_reference(f[a], kind[a], f[b], kind[b])


SCORE_COLUMNS = ("title_score", "title_abstract_score", "authors_score")


def pair_codes(
    levels: pd.DataFrame,
    own_ref: np.ndarray,
    reviewed: np.ndarray,
    settings: Settings,
    n_records: int,
) -> pd.DataFrame:
    """Per pair, as numbers: each field's level and weight, the similarity scores, match
    weight, probability and the codes of veto, decision and reviewed (``reviewed``: 1 same,
    2 different). Each row depends on its own pair only, so an engine may run it per
    partition; ``labelled`` turns it into the pair table."""
    scored = score_arrays(levels, settings, n_records)
    hard, soft = vetoes(levels, own_ref)
    decision = decide(scored["probability"], hard, soft, settings)
    decision[reviewed == 1] = DECISIONS.index("merge")
    decision[reviewed == 2] = DECISIONS.index("distinct")
    out: dict[str, np.ndarray] = {}
    for name in LEVELS:
        out[f"{name}_level"] = levels[f"{name}_level"].to_numpy(dtype=np.int8)
        out[f"{name}_weight"] = scored.pop(f"{name}_weight")
    for col in SCORE_COLUMNS:
        out[col] = levels[col].to_numpy(dtype=np.float32).round(3)
    out["match_weight"] = scored.pop("match_weight")
    out["probability"] = scored.pop("probability").round(6)
    out["veto"] = np.where(hard != NO_VETO, hard, soft).astype(np.int16) + 1
    out["decision"] = decision.astype(np.int8)
    out["reviewed"] = np.asarray(reviewed, dtype=np.int8)
    return pd.DataFrame(out, copy=False)  # no second copy of millions of rows


def labelled(
    codes: pd.DataFrame,
    id_l: np.ndarray,
    id_r: np.ndarray,
    match_key,
    keys=None,
    order: np.ndarray | None = None,
) -> pd.DataFrame:
    """The pair table from ``pair_codes``: record ids, ``match_key`` (categories ``keys``,
    default those present; or a Categorical already), levels, veto, decision and reviewed
    as their names.

    ``order`` (positions into ``codes``) takes its rows in that order, column by column,
    each column of ``codes`` dropped from it once taken: sorting the finished table, or
    holding both tables whole, would double the memory of millions of pairs. The ids and
    keys are given in the table's order. Ids stay the records' own string objects (a string
    column would copy every id for every pair)."""

    weights = {f"{name}_weight" for name in LEVELS}
    taking = threading.Lock()  # a DataFrame's pop is not thread-safe: one at a time

    def column(name: str) -> np.ndarray:
        dtype = np.float32 if name in weights else None
        with taking:
            values = (codes[name] if order is None else codes.pop(name)).to_numpy(dtype=dtype)
        return values if order is None else values[order]  # the gather: in parallel

    if not isinstance(match_key, pd.Categorical):
        match_key = pd.Categorical(np.asarray(match_key, dtype=object), categories=keys)
    out: dict = {
        "record_id_l": pd.Series(id_l, dtype=object, copy=False),
        "record_id_r": pd.Series(id_r, dtype=object, copy=False),
        "match_key": match_key,
    }
    names = [c for name in LEVELS for c in (f"{name}_level", f"{name}_weight")]
    names += [*SCORE_COLUMNS, "match_weight", "probability", "veto", "decision", "reviewed"]
    # the gathers leave the interpreter: columns taken in threads (8M pairs: 3.3 -> 0.9 s)
    out.update(zip(names, thread_map(column, names)))
    for name, levels in LEVELS.items():
        out[f"{name}_level"] = pd.Categorical.from_codes(out[f"{name}_level"], levels)
    for col, labels in (("veto", VETO_REASONS), ("decision", DECISIONS), ("reviewed", REVIEWED)):
        out[col] = pd.Categorical.from_codes(out[col], labels)
    return pd.DataFrame(out, copy=False)  # pandas would copy each column again


def refuse_weak_links(out: pd.DataFrame, il: np.ndarray, ir: np.ndarray, n: int) -> np.ndarray:
    """Rows of ``out`` (positions ``il``/``ir`` among ``n`` records) whose merge clustering
    keeps; a weak single link between two groups is refused and sent to review (in
    ``out``)."""
    accepted = np.flatnonzero((out["decision"] == "merge").to_numpy())
    strength = out["probability"].to_numpy() + (out["reviewed"] == "same").to_numpy()
    kept = guarded(n, il[accepted], ir[accepted], strength[accepted])
    send_to_review(out, accepted[~kept])
    return accepted[kept]


def send_to_review(out: pd.DataFrame, refused: np.ndarray) -> None:
    """Rows ``refused`` of ``out`` (merges clustering refused) sent to review as weak links."""
    if len(refused):
        for col, value in (("decision", "review"), ("veto", WEAK_LINK)):
            # a copy: the table's columns may be read-only Arrow buffers (Spark's collect)
            changed = out[col].copy()
            changed.iloc[refused] = value
            out[col] = changed


def in_output_order(out: pd.DataFrame, il: np.ndarray, ir: np.ndarray, ids) -> pd.DataFrame:
    """The pair table in ``output_order``."""
    order = output_order(out["probability"].to_numpy(), il, ir, ids)
    return out.take(order).reset_index(drop=True)


def output_order(
    probability: np.ndarray, il: np.ndarray, ir: np.ndarray, ids, rank: np.ndarray | None = None
) -> np.ndarray:
    """Positions of pairs most probable first, then by record ids (ranked once: sorting
    millions of id strings per pair would dominate; ``rank``: ``id_rank(ids)`` when the
    caller has it). Probabilities of six decimals and the two ranks are one integer key
    where it fits (one sort instead of three)."""
    rank = id_rank(ids) if rank is None else rank
    n = int(rank.max(initial=0)) + 1
    micro = np.rint(np.asarray(probability, dtype=np.float64) * 1e6)
    if (PROBABILITY_STEPS + 1) * n * n < 2**62 and np.array_equal(micro / 1e6, probability):
        key = (PROBABILITY_STEPS - micro.astype(np.int64)) * (n * n) + rank[il] * n + rank[ir]
        return np.argsort(key, kind="stable")
    return np.lexsort((rank[ir], rank[il], -probability))


PROBABILITY_STEPS = 1_000_000
"""Pair probabilities are rounded to six decimals (``pair_codes``)."""


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
    run = executor or Executor()
    if run.match is not None and all(x is None for x in (focus, norm, blocked, model)):
        return run.match(records, settings, decisions, on_blocked, build_corpus, anomalies)
    clock = _Clock()
    norm = run.normalise(records) if norm is None else norm.reset_index(drop=True)
    clock.lap("normalise")
    # the compared columns need only the normalised records: encoded beside blocking
    encoded = Background(column_arrays, norm) if run.compare is None and model is None else None
    pairs, stats = run.block(norm, settings.max_block) if blocked is None else blocked
    if focus is not None:
        touch = focus[pairs["i_l"].to_numpy()] | focus[pairs["i_r"].to_numpy()]
        pairs = pairs[touch].reset_index(drop=True)
    clock.lap("block")
    if on_blocked:
        on_blocked(stats)
    ids = records["record_id"].to_numpy()
    if decisions is not None and not decisions.empty:
        decisions = canonical_decisions(decisions)
    decided = decided_positions(decisions, ids)
    if len(decided):
        pairs = _add_decided_pairs(pairs, decided)
    if run.compare is None and model is not None:  # nothing else to compare: only these
        compare_pairs = partial(compare, norm)
    elif run.compare is not None:
        compare_pairs = partial(run.compare, norm)
    else:
        assert encoded is not None
        compare_pairs = partial(compare_encoded, encoded.result())
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
    il, ir = pairs["i_l"].to_numpy(), pairs["i_r"].to_numpy()
    reviewed = reviewed_codes(il, ir, decided, len(records))
    del norm, compare_pairs, encoded  # the normalised and encoded tables: freed first
    rank = Background(id_rank, ids)  # the ids' order, while the pairs are scored
    codes = pair_codes(levels, _own_reference(records, pairs), reviewed, settings, len(records))
    del levels
    # the table is built in its output order: sorting it after the merge copied all of it
    order = output_order(codes["probability"].to_numpy(), il, ir, ids, rank.result())
    il, ir = il[order], ir[order]
    key_codes, key_names = sorted_codes(pairs["match_key"])  # not a str per pair
    match_key = pd.Categorical.from_codes(key_codes[order], key_names)
    del pairs, key_codes
    out = labelled(codes, ids[il], ids[ir], match_key, order=order)
    del codes, order, match_key
    clock.lap("decide")
    kept = refuse_weak_links(out, il, ir, len(records))
    labels = run.components(len(records), il[kept], ir[kept])
    cluster_ids = pd.Series(ids[labels], name="cluster_id")
    cl = pd.DataFrame({"record_id": ids, "cluster_id": cluster_ids})
    clock.lap("cluster")
    corpus = merge_clusters(records, cluster_ids, anomalies) if build_corpus else pd.DataFrame()
    clock.lap("merge")
    return MatchResult(out, cl, corpus, stats, clock.laps, clock.peaks, estimate)


def sorted_codes(keys: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """``pd.factorize(keys, sort=True)``, from a categorical's codes when it is one."""
    if not isinstance(keys.dtype, pd.CategoricalDtype):
        return pd.factorize(keys, sort=True)
    codes = keys.cat.codes.to_numpy()
    names = keys.cat.categories
    used = np.bincount(codes[codes >= 0], minlength=len(names)) > 0  # no sort of the codes
    kept = names[used]
    order = kept.argsort()
    new = np.full(len(names) + 1, -1, dtype=codes.dtype)  # the last: missing (-1)
    new[np.flatnonzero(used)[order]] = np.arange(len(kept))
    return new[codes], kept[order]


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
