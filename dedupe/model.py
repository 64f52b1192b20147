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

from .compare import LEVELS

# (m, u) per non-null level, in LEVELS order (the "null" level has weight 0)
DEFAULT_MU: dict[str, list[tuple[float, float]]] = {
    "title": [(0.80, 0.0005), (0.10, 0.001), (0.05, 0.004), (0.03, 0.02), (0.02, 0.9745)],
    "title_abstract": [(0.60, 0.02), (0.25, 0.05), (0.15, 0.93)],
    "authors": [(0.70, 0.0005), (0.15, 0.001), (0.05, 0.002), (0.05, 0.02), (0.05, 0.9765)],
    "year": [(0.85, 0.08), (0.12, 0.15), (0.03, 0.77)],
    "journal": [(0.50, 0.02), (0.20, 0.05), (0.30, 0.93)],
    "volume": [(0.90, 0.05), (0.10, 0.95)],
    "issue": [(0.85, 0.10), (0.15, 0.90)],
    "pages": [(0.90, 0.005), (0.10, 0.995)],
    "doi": [(0.99, 0.00001), (0.01, 0.99999)],
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
    max_block: int = 400

    def with_(self, **changes) -> "Settings":
        """A copy with some values changed."""
        return replace(self, **changes)


def weight_table(mu: dict) -> dict[str, np.ndarray]:
    """Match weight (log2 m/u) of every level, null first (0)."""
    return {name: np.array([0.0] + [np.log2(m / u) for m, u in mu[name]])
            for name in LEVELS}


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


def vetoes(levels: pd.DataFrame, own_reference: np.ndarray, n_records: int,
           generic_factor: float = 2.5) -> tuple[np.ndarray, np.ndarray]:
    """(hard, soft) veto reason per pair ("" where none).

    A title is *generic* when it carries fewer than ``generic_factor * log2(N)`` bits
    ("Reports", "Chair's Message"): such a title with the same authors and year is what a
    recurring column looks like, so without a DOI, volume, issue or page in common the pair
    goes to review.
    """
    lv = {name: levels[f"{name}_level"].to_numpy() for name in LEVELS}
    idx = {name: {lvl: i for i, lvl in enumerate(names)} for name, names in LEVELS.items()}
    specific = np.zeros(len(levels), dtype=bool)
    for name in ("doi", "volume", "issue", "pages"):
        specific |= lv[name] == idx[name]["same"]
    generic = (lv["title"] > 0) & (levels["title_info"].to_numpy()
                                   < generic_factor * np.log2(n_records + 1)) & ~specific
    hard = np.select([lv["doi"] == idx["doi"]["else"], own_reference,
                      levels["title_numbers_differ"].to_numpy(dtype=bool)],
                     ["different DOIs", "a page's record and its own reference",
                      "different part numbers in the titles"], default="")
    soft = np.select([lv["year"] == idx["year"]["else"],
                      lv["volume"] == idx["volume"]["else"],
                      lv["pages"] == idx["pages"]["else"], generic],
                     ["years more than one apart", "different volumes",
                      "different first pages", "generic title and nothing specific in common"],
                     default="")
    return hard, soft


def decide(probability: np.ndarray, hard: np.ndarray, soft: np.ndarray,
           settings: Settings) -> np.ndarray:
    """merge / review / distinct for each pair."""
    p = np.asarray(probability)
    decision = np.where(p >= settings.merge_threshold, "merge",
                        np.where(p >= settings.review_threshold, "review", "distinct"))
    decision = np.where((soft != "") & (decision == "merge"), "review", decision)
    return np.where(hard != "", "distinct", decision).astype(object)


def estimate_m(levels: pd.DataFrame, settings: Settings, n_records: int,
               iterations: int = 10) -> Settings:
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
