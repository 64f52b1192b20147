"""Matching quality on every set in ../shared/bench, default settings, one configuration.

Usage: python benchmarks/bench_quality.py [SET ...] [--bench DIR]

Protocol (../shared/bench/README.md): each set becomes one table (two-table sets are
concatenated, the source kept in the key); the toolkit's matching runs on it as one corpus
with default settings; every pair of records placed in one cluster is a predicted pair, every
pair of records of one true entity a true pair. Prints pairwise precision, recall and F1,
candidate-pair recall (per blocking rule, by the rule that found the pair first), wall time
and the process's peak memory per set.
"""

from __future__ import annotations

import argparse
import resource
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dedupe.matching import match_records
from dedupe.parsing import parse_paths

BENCH = Path(__file__).resolve().parents[1].parent / "shared" / "bench"


@dataclass
class Corpus:
    """A benchmark set as the toolkit sees it, with its truth."""

    records: pd.DataFrame
    key: np.ndarray  # the set's own id of each record ("dblp:..." for two-table sets)
    entity: np.ndarray  # true entity label per record (unique label for singletons)
    scored: np.ndarray | None = None  # records whose pairs count (None: all)


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _entities_from_pairs(keys: np.ndarray, a: list[str], b: list[str]) -> np.ndarray:
    """Entity labels: connected components of the truth mapping over ``keys``."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    pos = pd.Series(np.arange(len(keys)), index=keys)
    ia, ib = pos.reindex(a).to_numpy(), pos.reindex(b).to_numpy()
    ok = ~(np.isnan(ia) | np.isnan(ib))
    ia, ib = ia[ok].astype(int), ib[ok].astype(int)
    graph = coo_matrix((np.ones(len(ia)), (ia, ib)), shape=(len(keys), len(keys)))
    return connected_components(graph, directed=False)[1]


def two_tables(folder: Path, left: str, right: str, mapping: str, scored_left: bool) -> Corpus:
    parsed = parse_paths([folder / left, folder / right])
    recs = parsed.records
    is_left = recs["source_file"].str.endswith(left).to_numpy()
    key = np.where(is_left, "l:" + recs["source_id"], "r:" + recs["source_id"])
    truth = pd.read_csv(folder / mapping, encoding="latin-1", dtype=str)
    entity = _entities_from_pairs(key, list("l:" + truth.iloc[:, 0]), list("r:" + truth.iloc[:, 1]))
    return Corpus(recs, key, entity, is_left if scored_left else None)


def review_set(folder: Path) -> Corpus:
    parsed = parse_paths([folder / "records_pre_merged.csv"])
    recs = parsed.records
    key = recs["source_id"].to_numpy(dtype=object)
    groups = pd.read_csv(folder / "merged_record_ids.csv", dtype=str)["merged_ids"]
    a, b = [], []
    for ids in groups.str.split(";"):
        a += [ids[0]] * (len(ids) - 1)
        b += ids[1:]
    return Corpus(recs, key, _entities_from_pairs(key, a, b))


SETS = {
    "dblp_acm": lambda d: two_tables(
        d, "DBLP2.csv", "ACM.csv", "DBLP-ACM_perfectMapping.csv", False
    ),
    "dblp_scholar": lambda d: two_tables(
        d, "DBLP1.csv", "Scholar.csv", "DBLP-Scholar_perfectMapping.csv", True
    ),
    "sr_respiratory": review_set,
    "sr_stroke": review_set,
}


def pair_codes(labels: np.ndarray, scored: np.ndarray | None) -> np.ndarray:
    """Codes i*n+j (i<j) of all pairs sharing a label, restricted to scored pairs."""
    n = len(labels)
    order = np.argsort(labels, kind="stable")
    lab = labels[order]
    starts = np.flatnonzero(np.r_[True, lab[1:] != lab[:-1]])
    sizes = np.diff(np.r_[starts, n])
    out = []
    for s, k in zip(starts[sizes > 1], sizes[sizes > 1]):
        members = np.sort(order[s : s + k])
        i, j = np.triu_indices(k, 1)
        out.append(members[i] * n + members[j])
    codes = np.concatenate(out) if out else np.array([], dtype=np.int64)
    if scored is not None:
        codes = codes[scored[codes // n] | scored[codes % n]]
    return codes


def candidate_recall(result, recs: pd.DataFrame, truth: np.ndarray) -> dict[str, float]:
    """Share of true pairs among the candidate pairs, by the rule that found them first."""
    n = len(recs)
    pos = pd.Series(np.arange(n), index=recs["record_id"].to_numpy())
    a = pos[result.pairs["record_id_l"].to_numpy()].to_numpy()
    b = pos[result.pairs["record_id_r"].to_numpy()].to_numpy()
    codes = np.minimum(a, b) * n + np.maximum(a, b)
    hit = np.isin(codes, truth)
    keys = result.pairs["match_key"].to_numpy()
    out = {str(k): hit[keys == k].sum() / max(len(truth), 1) for k in pd.unique(keys)}
    out["all"] = hit.sum() / max(len(truth), 1)
    return out


def score_set(name: str, bench: Path) -> dict:
    t0 = time.perf_counter()
    corpus = SETS[name](bench / name)
    t1 = time.perf_counter()
    result = match_records(corpus.records)
    t2 = time.perf_counter()
    recs = corpus.records.reset_index(drop=True)
    labels = pd.factorize(result.clusters["cluster_id"])[0]
    pred = pair_codes(labels, corpus.scored)
    truth = pair_codes(corpus.entity, corpus.scored)
    tp = len(np.intersect1d(pred, truth))
    p = tp / len(pred) if len(pred) else 1.0
    r = tp / len(truth) if len(truth) else 1.0
    f1 = 2 * p * r / (p + r) if tp else 0.0
    return {
        "set": name,
        "records": len(recs),
        "true_pairs": len(truth),
        "predicted": len(pred),
        "precision": p,
        "recall": r,
        "f1": f1,
        "candidates": len(result.pairs),
        "candidate_recall": candidate_recall(result, recs, truth),
        "review": int((result.pairs["decision"] == "review").sum()),
        "parse_s": t1 - t0,
        "match_s": t2 - t1,
        "peak_mib": peak_mib(),
        "result": result,
        "corpus": corpus,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sets", nargs="*", default=list(SETS))
    ap.add_argument("--bench", type=Path, default=BENCH)
    args = ap.parse_args()
    print(
        f"{'set':15} {'records':>8} {'true':>7} {'P':>6} {'R':>6} {'F1':>6} "
        f"{'cand.R':>6} {'review':>6} {'match s':>7} {'peak MiB':>8}"
    )
    for name in args.sets:
        s = score_set(name, args.bench)
        print(
            f"{name:15} {s['records']:>8,} {s['true_pairs']:>7,} {s['precision']:6.4f} "
            f"{s['recall']:6.4f} {s['f1']:6.4f} {s['candidate_recall']['all']:6.4f} "
            f"{s['review']:>6,} {s['match_s']:7.1f} {s['peak_mib']:8,.0f}"
        )
        rules = "  ".join(f"{k} {v:.3f}" for k, v in s["candidate_recall"].items() if k != "all")
        print(f"{'':15} candidate recall by rule: {rules}")


if __name__ == "__main__":
    main()
