"""Unsupervised estimation of the model for each corpus, as Splink does it.

- **u** from a large sample of random record pairs, with likely matches (alike titles, the
  same DOI) left out: where a paper has hundreds of copies, random pairs would otherwise hit
  its copies and make agreement look common.
- **m** by expectation-maximisation in two *sessions*, each over the candidate pairs that
  agree on some fields and estimating only the others, so no field estimates itself: pairs
  with the same title estimate the author, year, venue and number comparisons; pairs with
  the same authors and year estimate the title comparisons. Estimates are smoothed towards
  the shipped values with a pseudo-count, so a session with few pairs moves them little.
- **the prior**: the share of candidate pairs that match (by EM, m and u fixed), times the
  candidate count, over all record pairs.
- **u of an exact title** is counted rather than sampled: blocking finds every pair with the
  same title, so the expected number of non-matching ones among them (1 - posterior, summed)
  over all record pairs is its u. Sampling cannot see a chance of one in a billion; counting
  can, and it also sees how often different papers share a title ("Editor's Notes").

Corpora under ``MIN_RECORDS`` keep the shipped values and the prior 1/(N-1): too few pairs to
learn from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dedupe.core.parallel import Background
from dedupe.matching.comparisons import LEVELS

MIN_RECORDS = 500
RANDOM_PAIRS = 200_000
PSEUDO_COUNT = 20.0  # weight of the shipped m values against a session's evidence
TITLE_FIELDS = ("title", "title_abstract")
SESSIONS = {
    # session name -> (fields whose agreement selects the pairs, fields it estimates)
    "same title": (("title",), ("authors", "year", "journal", "volume", "issue", "pages", "doi")),
    "same authors": (("authors",), ("title", "title_abstract")),
}


@dataclass(frozen=True)
class Estimate:
    """What was estimated for one corpus, for the run summary."""

    prior: float
    mu: dict
    estimated: bool
    random_pairs: int = 0
    session_pairs: dict = field(default_factory=dict)
    candidate_match_share: float = 0.0

    def summary(self) -> dict:
        """JSON-ready figures."""
        return {
            "estimated": self.estimated,
            "prior": self.prior,
            "random_pairs": self.random_pairs,
            "session_pairs": self.session_pairs,
            "candidate_match_share": round(self.candidate_match_share, 6),
            "m_u": {k: [[round(m, 6), round(u, 8)] for m, u in v] for k, v in self.mu.items()},
        }


def random_pairs(n: int, count: int, seed: int = 0) -> pd.DataFrame:
    """``count`` random distinct record pairs (fewer for small corpora), ``i_l < i_r``."""
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, n, count), rng.integers(0, n, count)
    keep = a != b
    out = pd.DataFrame({"i_l": np.minimum(a, b)[keep], "i_r": np.maximum(a, b)[keep]})
    return out.drop_duplicates().reset_index(drop=True)


def likely_match(levels: pd.DataFrame, field: str) -> np.ndarray:
    """Pairs that other fields than ``field`` say are probably the same paper: the same DOI,
    alike titles (for the non-title fields), the same authors and year (for the title)."""
    same_doi = levels["doi_level"].to_numpy() == LEVELS["doi"].index("same")
    if field in TITLE_FIELDS:
        authors = levels["authors_level"].to_numpy()
        alike = (authors > 0) & (authors <= LEVELS["authors"].index("most"))
        year_ok = levels["year_level"].to_numpy() != LEVELS["year"].index("else")
        return same_doi | (alike & year_ok)
    title = levels["title_level"].to_numpy()
    return same_doi | ((title > 0) & (title <= LEVELS["title"].index("fuzzy_88")))


def estimate_u(levels: pd.DataFrame, mu: dict) -> dict:
    """u per level from random pairs' levels (null pairs ignored), pairs that other fields
    call likely matches left out; a level never seen counts as half a pair."""
    keep = {
        title: ~likely_match(levels, "title" if title else "authors") for title in (True, False)
    }
    out = {}
    for name, names in LEVELS.items():
        lv = levels[f"{name}_level"].to_numpy()[keep[name in TITLE_FIELDS]]
        counts = np.bincount(lv, minlength=len(names))[1:].astype(float)
        total = counts.sum()
        if total < 100:
            out[name] = list(mu[name])
            continue
        us = np.maximum(counts, 0.5) / total
        out[name] = [(m, float(u)) for (m, _), u in zip(mu[name], us / us.sum())]
    return out


def monotone(mu: dict) -> dict:
    """Weights that never grow down a comparison's ladder of levels (a closer agreement is
    never weaker evidence than a looser one): a level's u is raised where a level never or
    rarely seen among random pairs would otherwise outweigh the level above it."""
    out = {}
    for name, levels in mu.items():
        fixed, cap = [], np.inf
        for m, u in levels[:-1]:
            u = max(u, m / np.exp2(cap)) if np.isfinite(cap) else u
            cap = min(cap, np.log2(m / u))
            fixed.append((m, float(u)))
        out[name] = fixed + [levels[-1]]
    return out


def level_patterns(levels: pd.DataFrame) -> pd.DataFrame:
    """The distinct combinations of levels among the pairs, with how many pairs show each
    (``count``), as Splink aggregates before EM: the weights depend on nothing else, so EM
    runs over a few thousand rows instead of millions of pairs. An exact title keeps its
    carrier count (the term-frequency adjustment reads it); other pairs' count is 0.

    Each pair's combination is one mixed-radix integer (levels are small codes), counted
    with one sort: a group-by over ten columns takes gigabytes at millions of pairs.
    Rows come in the order of the level columns, then the carrier count."""
    cols = [f"{name}_level" for name in LEVELS]
    exact = levels["title_level"].to_numpy() == LEVELS["title"].index("exact")
    carriers = levels["title_carriers"].to_numpy(dtype=float)
    carriers = np.where(exact & (carriers >= 2), carriers, 0.0)
    ccode, cvalues = pd.factorize(carriers, sort=True)
    width = max(len(cvalues), 1)
    key = np.zeros(len(levels), dtype=np.int64)
    for name in LEVELS:
        key = key * len(LEVELS[name]) + levels[f"{name}_level"].to_numpy()
    combos, count = np.unique(key * width + ccode, return_counts=True)
    out = {"title_carriers": np.asarray(cvalues, dtype=float)[combos % width]}
    rest = combos // width
    for name in reversed(LEVELS):
        k = len(LEVELS[name])
        out[f"{name}_level"] = (rest % k).astype(levels[f"{name}_level"].dtype)
        rest //= k
    frame = pd.DataFrame({c: out[c] for c in [*cols, "title_carriers"]})
    return frame.assign(count=count.astype(np.int64))


def level_weights(levels: pd.DataFrame, mu: dict, fields) -> np.ndarray:
    """Sum of log2(m/u) over ``fields`` per pair (null levels add nothing)."""
    total = np.zeros(len(levels))
    for name in fields:
        table = np.array([0.0] + [np.log2(m / u) for m, u in mu[name]])
        total += table[levels[f"{name}_level"].to_numpy()]
    return total


def _posterior(weights: np.ndarray, share: float) -> np.ndarray:
    logit = np.log2(share / (1 - share)) + weights
    return 1.0 / (1.0 + np.exp2(-np.clip(logit, -60, 60)))


def em_session(patterns: pd.DataFrame, mu: dict, fields, iterations: int = 15) -> dict:
    """m values of ``fields`` re-estimated by EM over level ``patterns`` (u fixed), smoothed
    towards the given m values."""
    mu = {k: list(v) for k, v in mu.items()}
    share = 0.5
    count = patterns["count"].to_numpy(dtype=float)
    for _ in range(iterations):
        p = _posterior(level_weights(patterns, mu, fields), share)
        share = float(np.clip(np.average(p, weights=count), 1e-4, 1 - 1e-4))
        for name in fields:
            lv = patterns[f"{name}_level"].to_numpy()
            k = len(LEVELS[name])
            seen = np.bincount(lv, weights=p * count, minlength=k)[1:]
            m0 = np.array([m for m, _ in mu[name]])
            ms = (seen + PSEUDO_COUNT * m0) / (seen.sum() + PSEUDO_COUNT)
            ms = np.maximum(ms, 1e-4)
            mu[name] = [(float(m), u) for m, (_, u) in zip(ms / ms.sum(), mu[name])]
    return mu


def session_mask(levels: pd.DataFrame, agree_on) -> np.ndarray:
    """Pairs that agree on every field of ``agree_on`` (at its best non-null level)."""
    mask = np.ones(len(levels), dtype=bool)
    for name in agree_on:
        mask &= levels[f"{name}_level"].to_numpy() == 1
    return mask


# Title levels so close that blocking finds (nearly) every pair showing them: their u is
# counted over the candidate pairs rather than sampled, where it is too rare to be seen.
BLOCKED_LEVELS = {"title": ("exact",)}


def blocked_level_u(patterns: pd.DataFrame, mu: dict, p: np.ndarray, n: int) -> dict:
    """u of the ``BLOCKED_LEVELS``: the expected number of non-matching candidate pairs
    at the level (1 - posterior, summed) over all record pairs, at least half a pair."""
    total = n * (n - 1) / 2
    mu = {k: list(v) for k, v in mu.items()}
    for name, names in BLOCKED_LEVELS.items():
        lv = patterns[f"{name}_level"].to_numpy()
        non_matches = (1 - p) * patterns["count"].to_numpy(dtype=float)
        for level in names:
            k = LEVELS[name].index(level)
            non_match = float(non_matches[lv == k].sum())
            m, _ = mu[name][k - 1]
            mu[name][k - 1] = (m, max(non_match, 0.5) / total)
    return monotone(mu)


def candidate_share(weights: np.ndarray, count: np.ndarray, iterations: int = 30) -> float:
    """Share of candidate pairs (``count`` of each weight) that match, by EM with m and u
    fixed."""
    share = 0.1
    for _ in range(iterations):
        p = np.average(_posterior(weights, share), weights=count)
        share = float(np.clip(p, 1e-6, 1 - 1e-6))
    return share


def shipped(mu: dict, n: int, prior: float | None = None) -> Estimate:
    """The model as given, not estimated; the prior 1/(N-1) unless one is given (each record
    is expected to have about half a duplicate)."""
    return Estimate(prior=prior or 1.0 / max(n - 1, 1), mu=mu, estimated=False)


def estimate_model(
    n: int,
    levels: pd.DataFrame,
    mu: dict,
    compare: Callable[[pd.DataFrame], pd.DataFrame],
    seed: int = 0,
) -> Estimate:
    """u, m and the prior for a corpus of ``n`` records from its candidate pairs' levels and
    ``compare`` (levels of given record pairs, for the random sample); the shipped values
    for corpora under ``MIN_RECORDS``."""
    if n < MIN_RECORDS:
        return shipped(mu, n)
    # the random sample compared beside the patterns' count (numpy and rapidfuzz both)
    sampled = Background(compare, random_pairs(n, RANDOM_PAIRS, seed))
    patterns = level_patterns(levels)
    return estimate_from_patterns(n, patterns, mu, compare, seed, sampled.result())


def estimate_from_patterns(
    n: int,
    patterns: pd.DataFrame,
    mu: dict,
    compare: Callable[[pd.DataFrame], pd.DataFrame],
    seed: int = 0,
    sampled: pd.DataFrame | None = None,
) -> Estimate:
    """``estimate_model`` from the candidate pairs' ``level_patterns`` (all it reads of them,
    so an engine holding the pairs elsewhere aggregates them there); the shipped values for
    corpora under ``MIN_RECORDS``. ``sampled``: the levels ``compare`` gives the random
    pairs of ``n`` and ``seed``, when the caller has them already."""
    from dedupe.matching.model import title_tf_adjustment

    if n < MIN_RECORDS:
        return shipped(mu, n)
    count = patterns["count"].to_numpy(dtype=float)

    def weights_of(mu: dict) -> np.ndarray:
        return level_weights(patterns, mu, LEVELS) + title_tf_adjustment(patterns, mu, n)

    if sampled is None:
        sampled = compare(random_pairs(n, RANDOM_PAIRS, seed))
    mu = estimate_u(sampled, mu)
    sessions = {}
    for name, (agree_on, fields) in SESSIONS.items():
        mask = session_mask(patterns, agree_on)
        sessions[name] = int(count[mask].sum())
        if sessions[name] >= 50:
            mu = em_session(patterns[mask], mu, fields)
    mu = monotone(mu)
    weights = weights_of(mu)
    share = candidate_share(weights, count)
    for _ in range(3):
        mu = blocked_level_u(patterns, mu, _posterior(weights, share), n)
        weights = weights_of(mu)
        share = candidate_share(weights, count)
    pairs = int(patterns["count"].sum())
    prior = min(max(share * pairs / (n * (n - 1) / 2), 1e-12), 0.5)
    return Estimate(prior, mu, True, len(sampled), sessions, share)
