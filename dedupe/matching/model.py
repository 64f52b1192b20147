"""Decision: a Fellegi-Sunter model turning comparison levels into match probabilities.

Each level of each comparison has ``m`` (how often true matches show it) and ``u`` (how often
non-matches do); its match weight is log2(m/u). A pair's log2 odds are the prior's plus the
sum of its weights, ``null`` levels adding nothing. The parameters are estimated for each
corpus (``estimate.py``); the shipped values (``comparisons.py``) are the fallback for small
corpora. An exact title that several papers carry (seen in different years:
"Editorial", "Book Review Column") has its u raised to its frequency, Splink's
term-frequency adjustment, so a common title counts for less than a rare one.

Vetoes (named records in ``VETOES``) stop the classic false merges: a *hard* veto makes the
pair distinct (two different DOIs, a page's main record against its own reference list,
"Part 1" vs "Part 2", a common title with different volume, issue or pages), a *soft* veto
caps it at review (years more than one apart, different volume or pages), since a
preprint and its article differ there and a person should look.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from dedupe.matching.comparisons import DEFAULT_MU, LEVELS


@dataclass(frozen=True)
class Settings:
    """Thresholds and model parameters of a matching run.

    The thresholds have no default here: they live in ``dedupe.config.Config``, and
    :meth:`default` builds Settings from it.
    """

    merge_threshold: float
    review_threshold: float
    mu: dict = field(default_factory=lambda: {k: list(v) for k, v in DEFAULT_MU.items()})
    prior: float | None = None
    """Probability that two random records match; default 1/(n-1): each record is expected
    to have about half a duplicate."""
    max_block: int = 100
    estimate: bool = True
    """Estimate u, m and the prior from the corpus (``estimate.py``); off: shipped values."""

    def with_(self, **changes) -> Settings:
        """A copy with some values changed."""
        return replace(self, **changes)

    @classmethod
    def default(cls, **changes) -> Settings:
        """The settings of the default configuration (``Config()``), with ``changes``."""
        from dedupe.config import Config  # config imports validation: only when asked

        return Config().match_settings().with_(**changes)


def weight_table(mu: dict) -> dict[str, np.ndarray]:
    """Match weight (log2 m/u) of every level, null first (0)."""
    return {name: np.array([0.0] + [np.log2(m / u) for m, u in mu[name]]) for name in LEVELS}


def prior_log2_odds(prior: float | None, n_records: int) -> float:
    """log2 odds of the prior match probability."""
    p = prior if prior is not None else 1.0 / max(n_records - 1, 1)
    p = min(max(p, 1e-12), 0.5)
    return float(np.log2(p / (1 - p)))


def title_tf_adjustment(levels: pd.DataFrame, mu: dict, n_records: int) -> np.ndarray:
    """log2 weight change of exact-title pairs whose title several papers carry: the level's
    u replaced by the title's frequency (carriers / N) where that is larger."""
    exact = levels["title_level"].to_numpy() == LEVELS["title"].index("exact")
    carriers = levels["title_carriers"].to_numpy(dtype=float)
    u_level = mu["title"][0][1]
    u_tf = np.where(exact & (carriers >= 2), carriers / max(n_records, 1), 0.0)
    return np.where(u_tf > u_level, np.log2(u_level / np.maximum(u_tf, 1e-300)), 0.0)


def score(levels: pd.DataFrame, settings: Settings, n_records: int) -> pd.DataFrame:
    """Per-field weights (``<field>_weight``), total ``match_weight`` and ``probability``."""
    return pd.DataFrame(score_arrays(levels, settings, n_records), index=levels.index)


def score_arrays(levels: pd.DataFrame, settings: Settings, n_records: int) -> dict:
    """``score``'s columns as arrays (no table: at millions of pairs a copy costs)."""
    weights = weight_table(settings.mu)
    out = {}
    total = np.full(len(levels), prior_log2_odds(settings.prior, n_records))
    for name, table in weights.items():
        w = table[levels[f"{name}_level"].to_numpy()]
        if name == "title":
            w = w + title_tf_adjustment(levels, settings.mu, n_records)
        out[f"{name}_weight"] = w.round(3).astype(np.float32)
        total += w
    out["match_weight"] = total.round(3)
    out["probability"] = 1.0 / (1.0 + np.exp2(-total))
    return out


RECURRING_YEARS = 3  # a title seen in this many different years recurs (a column)


@dataclass(frozen=True)
class Veto:
    """A named rule that overrides the score: ``hard`` makes a pair distinct, soft sends a
    would-be merge to review."""

    name: str
    hard: bool
    reason: str


VETOES = (
    Veto("different_doi", True, "different DOIs"),
    Veto("own_reference", True, "a page's record and its own reference"),
    Veto("different_parts", True, "different part numbers in the titles"),
    Veto("titles_differ", True, "titles differ and nothing specific in common"),
    Veto("common_title_numbers_differ", True,
         "a title several papers carry, with different volume, issue or pages"
         " and no page or DOI in common"),
    Veto("years_apart", False, "years more than one apart"),
    Veto("recurring_title", False,
         "a title several papers carry (a recurring column?) and nothing specific in common"),
    Veto("different_volume", False, "different volumes"),
    Veto("different_pages", False, "different pages"),
    Veto("other_venue", False, "a year apart in another venue (conference and journal versions?)"),
    Veto("part_one_side", False, "only one title names a part"),
    Veto("document_types", False,
         "different document types (erratum, reply, demo, editorial ...)"),
    Veto("titles_loose", False, "titles only loosely alike and nothing specific in common"),
)  # fmt: skip


def veto_conditions(levels: pd.DataFrame, own_reference: np.ndarray) -> dict[str, np.ndarray]:
    """Where each veto of ``VETOES`` holds."""
    lv = {name: levels[f"{name}_level"].to_numpy() for name in LEVELS}
    idx = {name: {lvl: i for i, lvl in enumerate(names)} for name, names in LEVELS.items()}

    def level(name: str, value: str) -> np.ndarray:
        return lv[name] == idx[name][value]

    specific = level("doi", "same") | level("volume", "same") | level("issue", "same")
    specific |= level("pages", "same") | level("pages", "compatible")
    numbers_differ = level("volume", "else") | level("issue", "else") | level("pages", "else")
    same_place = level("doi", "same") | level("pages", "same") | level("pages", "compatible")
    same_issue = level("journal", "exact") & level("volume", "same") & level("issue", "same")
    carriers = levels["title_carriers"].to_numpy(dtype=float)
    common = (carriers >= RECURRING_YEARS) & level("title", "exact")
    recurring = (carriers >= RECURRING_YEARS) & (lv["title"] > 0) & ~level("title", "else")
    return {
        "different_doi": level("doi", "else"),
        "own_reference": own_reference,
        "different_parts": levels["title_numbers_differ"].to_numpy(dtype=bool),
        "titles_differ": level("title", "else") & ~specific,
        "common_title_numbers_differ": common & numbers_differ & ~same_place,
        "years_apart": level("year", "else"),
        "recurring_title": recurring & ~specific,
        "different_volume": level("volume", "else"),
        # pages alone differing where journal, volume and issue agree are a slip or a
        # second locator (an e-page against a printed range), not another version
        "different_pages": level("pages", "else") & ~same_issue,
        "other_venue": level("year", "one_apart") & level("journal", "else"),
        "part_one_side": levels["title_part_one_side"].to_numpy(dtype=bool),
        "document_types": levels["title_types_differ"].to_numpy(dtype=bool),
        "titles_loose": level("title", "fuzzy_75") & ~specific,
    }


NO_VETO = -1
DECISIONS = ("merge", "review", "distinct")
MERGE, REVIEW, DISTINCT = range(3)


def vetoes(levels: pd.DataFrame, own_reference: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(hard, soft) veto per pair as an index into ``VETOES`` (``NO_VETO`` where none): the
    first veto of each kind that holds wins. Codes, not strings: a text per pair would take
    gigabytes at millions of pairs."""
    holds = veto_conditions(levels, own_reference)
    out = []
    for hard in (True, False):
        idx = [k for k, v in enumerate(VETOES) if v.hard == hard]
        out.append(np.select([holds[VETOES[k].name] for k in idx], idx, NO_VETO).astype(np.int8))
    return out[0], out[1]


def decide(
    probability: np.ndarray, hard: np.ndarray, soft: np.ndarray, settings: Settings
) -> np.ndarray:
    """Decision code per pair (index into ``DECISIONS``: merge / review / distinct)."""
    p = np.asarray(probability)
    decision = np.where(
        p >= settings.merge_threshold,
        MERGE,
        np.where(p >= settings.review_threshold, REVIEW, DISTINCT),
    ).astype(np.int8)
    decision[(soft != NO_VETO) & (decision == MERGE)] = REVIEW
    decision[hard != NO_VETO] = DISTINCT
    return decision
