"""Decision: a Fellegi-Sunter model turning comparison levels into match probabilities.

Each level of each comparison has ``m`` (how often true matches show it) and ``u`` (how often
non-matches do); its match weight is log2(m/u). A pair's log2 odds are the prior's plus the
sum of its weights, ``null`` levels adding nothing. The shipped defaults below are
judgement-based and work on a 40-record corpus; ``estimate_u`` re-estimates the u values
from random pairs and ``estimate_m`` runs EM over the candidate pairs of a large corpus.

Vetoes stop the classic false merges: a *hard* veto makes the pair distinct (two different
DOIs, a page's main record against its own reference list, "Part 1" vs "Part 2"), a *soft*
veto caps it at review (years more than one apart, different volume or first page), since
a preprint and its article differ there and a person should look.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from dedupe.matching.compare import LEVELS

# (m, u) per non-null level, in LEVELS order (the "null" level has weight 0). u is the
# chance that two *random* records show the level, matching the prior below, which is
# also taken over all pairs; m the chance that two records of one paper do.
DEFAULT_MU: dict[str, list[tuple[float, float]]] = {
    "title": [
        (0.80, 2e-5),
        (0.10, 1e-5),
        (0.05, 2e-5),
        (0.02, 1e-4),
        (0.02, 1e-3),
        (0.01, 0.99886),
    ],
    "title_abstract": [(0.60, 2e-3), (0.25, 1e-2), (0.15, 0.988)],
    "authors": [(0.78, 1e-4), (0.10, 1e-4), (0.05, 5e-4), (0.06, 0.005), (0.01, 0.9943)],
    "year": [(0.90, 0.06), (0.07, 0.11), (0.03, 0.83)],
    "journal": [(0.50, 0.02), (0.20, 0.03), (0.30, 0.95)],
    "volume": [(0.90, 0.03), (0.10, 0.97)],
    "issue": [(0.85, 0.10), (0.15, 0.90)],
    "pages": [(0.85, 0.001), (0.08, 0.002), (0.07, 0.997)],
    "doi": [(0.99, 1e-7), (0.01, 0.9999999)],
}


@dataclass(frozen=True)
class Settings:
    """Thresholds and model parameters of a matching run."""

    merge_threshold: float = 0.99
    review_threshold: float = 0.50
    mu: dict = field(default_factory=lambda: {k: list(v) for k, v in DEFAULT_MU.items()})
    prior: float | None = None
    """Probability that two random records match; default 1/(n-1): each record is expected
    to have about half a duplicate."""
    max_block: int = 100
    estimate: bool = False
    """Re-estimate u from random pairs and m by EM over the candidate pairs (large corpora)."""

    def with_(self, **changes) -> Settings:
        """A copy with some values changed."""
        return replace(self, **changes)


def weight_table(mu: dict) -> dict[str, np.ndarray]:
    """Match weight (log2 m/u) of every level, null first (0)."""
    return {name: np.array([0.0] + [np.log2(m / u) for m, u in mu[name]]) for name in LEVELS}


def prior_log2_odds(prior: float | None, n_records: int) -> float:
    """log2 odds of the prior match probability."""
    p = prior if prior is not None else 1.0 / max(n_records - 1, 1)
    p = min(max(p, 1e-12), 0.5)
    return float(np.log2(p / (1 - p)))


def score(levels: pd.DataFrame, settings: Settings, n_records: int) -> pd.DataFrame:
    """Per-field weights (``<field>_weight``), total ``match_weight`` and ``probability``."""
    weights = weight_table(settings.mu)
    out = pd.DataFrame(index=levels.index)
    total = np.full(len(levels), prior_log2_odds(settings.prior, n_records))
    for name, table in weights.items():
        w = table[levels[f"{name}_level"].to_numpy()]
        out[f"{name}_weight"] = w.round(3)
        total += w
    out["match_weight"] = total.round(3)
    out["probability"] = 1.0 / (1.0 + np.exp2(-total))
    return out


def vetoes(
    levels: pd.DataFrame, own_reference: np.ndarray, n_records: int, generic_factor: float = 2.5
) -> tuple[np.ndarray, np.ndarray]:
    """(hard, soft) veto reason per pair ("" where none).

    A title is *generic* when it holds fewer than ``generic_factor * log2(N)`` bits while
    three or more records carry it or one side names no authors ("Book Review Column",
    "Reports", "Calls for Papers"): such a title with
    the same authors and year is what a recurring column looks like, so without a DOI,
    volume, issue or page in common the pair goes to review. So does a pair whose titles
    are only loosely alike (the same authors write similar titles in the same year and
    venue); two titles that do not match at all, with nothing specific in common, name two
    papers: distinct, however alike the authors.
    """
    lv = {name: levels[f"{name}_level"].to_numpy() for name in LEVELS}
    idx = {name: {lvl: i for i, lvl in enumerate(names)} for name, names in LEVELS.items()}
    specific = np.zeros(len(levels), dtype=bool)
    for name in ("doi", "volume", "issue", "pages"):
        specific |= lv[name] == idx[name]["same"]
    bits = np.log2(n_records + 1)
    info = levels["title_info"].to_numpy()
    weakly_identified = (levels["title_count"].to_numpy() >= 3) | (lv["authors"] == 0)
    titles_match = (lv["title"] > 0) & (lv["title"] != idx["title"]["else"])
    generic = titles_match & ~specific & (info < generic_factor * bits) & weakly_identified
    titles_loose = (lv["title"] == idx["title"]["fuzzy_75"]) & ~specific
    titles_differ = (lv["title"] == idx["title"]["else"]) & ~specific
    hard = np.select(
        [
            lv["doi"] == idx["doi"]["else"],
            own_reference,
            levels["title_numbers_differ"].to_numpy(dtype=bool),
            titles_differ,
        ],
        [
            "different DOIs",
            "a page's record and its own reference",
            "different part numbers in the titles",
            "titles differ and nothing specific in common",
        ],
        default="",
    )
    other_venue = (lv["year"] == idx["year"]["one_apart"]) & (
        lv["journal"] == idx["journal"]["else"]
    )
    soft = np.select(
        [
            lv["year"] == idx["year"]["else"],
            lv["volume"] == idx["volume"]["else"],
            lv["pages"] == idx["pages"]["else"],
            generic,
            other_venue,
            levels["title_part_one_side"].to_numpy(dtype=bool),
            levels["title_types_differ"].to_numpy(dtype=bool),
            titles_loose,
        ],
        [
            "years more than one apart",
            "different volumes",
            "different first pages",
            "generic title and nothing specific in common",
            "a year apart in another venue (conference and journal versions?)",
            "only one title names a part",
            "different document types (erratum, reply, demo, editorial ...)",
            "titles only loosely alike and nothing specific in common",
        ],
        default="",
    )
    return hard, soft


def decide(
    probability: np.ndarray, hard: np.ndarray, soft: np.ndarray, settings: Settings
) -> np.ndarray:
    """merge / review / distinct for each pair."""
    p = np.asarray(probability)
    decision = np.where(
        p >= settings.merge_threshold,
        "merge",
        np.where(p >= settings.review_threshold, "review", "distinct"),
    )
    decision = np.where((soft != "") & (decision == "merge"), "review", decision)
    return np.where(hard != "", "distinct", decision).astype(object)


def estimate_m(
    levels: pd.DataFrame, settings: Settings, n_records: int, iterations: int = 10
) -> Settings:
    """Re-estimate the m values by expectation-maximisation over the candidate pairs.

    u values stay as given (they are better estimated from random pairs, see
    ``estimate_u``); null levels are ignored, as in Splink.
    """
    mu = {k: list(v) for k, v in settings.mu.items()}
    for _ in range(iterations):
        p = score(levels, settings.with_(mu=mu), n_records)["probability"].to_numpy()
        for name, names in LEVELS.items():
            lv = levels[f"{name}_level"].to_numpy()
            seen = lv > 0
            if p[seen].sum() < 1:
                continue
            counts = np.array([p[lv == k].sum() for k in range(1, len(names))]) + 1e-3
            ms = counts / counts.sum()
            mu[name] = [(float(m), u) for m, (_, u) in zip(ms, mu[name])]
    return settings.with_(mu=mu)


def estimate_u(levels_random: pd.DataFrame, settings: Settings) -> Settings:
    """Re-estimate the u values from the levels of random (almost surely distinct) pairs."""
    mu = {k: list(v) for k, v in settings.mu.items()}
    for name, names in LEVELS.items():
        lv = levels_random[f"{name}_level"].to_numpy()
        counts = np.array([(lv == k).sum() for k in range(1, len(names))]) + 1.0
        us = counts / counts.sum()
        mu[name] = [(m, float(u)) for (m, _), u in zip(mu[name], us)]
    return settings.with_(mu=mu)
