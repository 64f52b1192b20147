"""The self-contained HTML report: summary, anomalies, merges and the review band.

Rendered from a Jinja2 template with autoescaping; scraped text only ever reaches the page
as escaped text or through ``tojson``. Inline CSS and JS, no request to any other host (a
Content-Security-Policy allows only the report's own script, by hash). Long lists are capped
(saying so); the counts stay complete and the CSVs hold everything.
"""

from __future__ import annotations

import base64
import hashlib
import re
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from dedupe import __version__
from dedupe.core.records import joined
from dedupe.matching.compare import LEVELS
from dedupe.matching.engine import MatchResult
from dedupe.pipeline import PipelineResult
from dedupe.reporting.prisma import prisma_counts, prisma_flow
from dedupe.validation.checks import CHECKS, ROW_CHECKS

GENERATOR = "dedupe report"
TEMPLATES = resources.files("dedupe.reporting") / "templates"
MAX_ANOMALIES_PER_CHECK = 200
MAX_CLUSTERS = 300
MAX_REVIEW = 300
SHOWN_FIELDS = ["title", "authors", "year", "journal", "volume", "issue", "pages", "doi"]


def highlight(value, start, end) -> tuple[str, str, str]:
    """(before, flagged part, after) of a value from its anomaly's span; all of it without one."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "", "", ""
    text = str(value)
    if start is None or end is None or pd.isna(start) or pd.isna(end):
        return "", text, ""
    return text[: int(start)], text[int(start) : int(end)], text[int(end) :]


def _matched(result: PipelineResult) -> MatchResult:
    if result.matched is None:
        raise ValueError("the report needs a pipeline result with the match stage")
    return result.matched


def _anomalies(result: PipelineResult) -> pd.DataFrame:
    if result.anomalies is None:
        raise ValueError("the report needs a pipeline result with the validate stage")
    return result.anomalies


def _loc(row) -> str:
    return f"{row['source_file']}:{row['source_line']}"


def anomaly_groups(anomalies: pd.DataFrame) -> list[dict]:
    """Anomalies by check, most frequent first, each list capped."""
    groups = []
    for check, grp in anomalies.groupby("check", sort=False):
        rows = [
            {
                "record_id": r["record_id"] or "",
                "loc": _loc(r),
                "field": r["field"] or "",
                "severity": r["severity"],
                "parts": highlight(r["value"], r["span_start"], r["span_end"]),
                "suggestion": r["suggestion"],
            }
            for r in grp.head(MAX_ANOMALIES_PER_CHECK).to_dict("records")
        ]
        groups.append(
            {
                "check": check,
                "count": len(grp),
                "rows": rows,
                "message": CHECKS[check].message
                if check in CHECKS
                else ROW_CHECKS.get(check, grp["message"].iloc[0]),
                "severity": grp["severity"].value_counts().idxmax(),
                "hidden": max(0, len(grp) - MAX_ANOMALIES_PER_CHECK),
            }
        )
    return sorted(groups, key=lambda g: (-g["count"], g["check"]))


def _levels(pair) -> list[dict]:
    return [
        {"field": name, "level": pair[f"{name}_level"], "weight": pair[f"{name}_weight"]}
        for name in LEVELS
        if pair[f"{name}_level"] != "null"
    ]


def merged_clusters(result: PipelineResult) -> tuple[list[dict], int]:
    """Clusters of more than one record: records side by side, pairs and canonical values."""
    recs = result.parsed.records.set_index("record_id", drop=False)
    corpus = _matched(result).corpus
    multi = corpus[corpus["n_records"] > 1]
    pairs = _matched(result).pairs
    merged_pairs = pairs[pairs["decision"] == "merge"]
    clusters = _matched(result).clusters
    shown = clusters[clusters["cluster_id"].isin(multi["cluster_id"].head(MAX_CLUSTERS))]
    members_of = shown.groupby("cluster_id", sort=False)["record_id"].agg(list)
    out = []
    for row in multi.head(MAX_CLUSTERS).to_dict("records"):
        ids = members_of[row["cluster_id"]]  # from the cluster table, not the joined string
        members = recs.loc[ids]
        fields = []
        for f in SHOWN_FIELDS:
            values = [joined(v) if isinstance(v, (str, list)) else "" for v in members[f]]
            fields.append(
                {
                    "name": f,
                    "cells": values,
                    "canonical": joined(row.get(f)) or "",
                    "differ": len({v for v in values if v}) > 1,
                }
            )
        inside = merged_pairs[
            merged_pairs["record_id_l"].isin(ids) & merged_pairs["record_id_r"].isin(ids)
        ]
        out.append(
            {
                "cluster_id": row["cluster_id"],
                "ids": ids,
                "locs": [_loc(m) for m in members.to_dict("records")],
                "fields": fields,
                "pairs": [
                    {
                        "l": p["record_id_l"],
                        "r": p["record_id_r"],
                        "probability": p["probability"],
                        "match_key": p["match_key"],
                        "levels": _levels(p),
                    }
                    for p in inside.to_dict("records")
                ],
            }
        )
    return out, max(0, len(multi) - MAX_CLUSTERS)


def review_pairs(result: PipelineResult) -> tuple[list[dict], int]:
    """The uncertain pairs, each with its explanation and the decisions-file line."""
    recs = result.parsed.records.set_index("record_id", drop=False)
    pairs = _matched(result).pairs
    review = pairs[pairs["decision"] == "review"]
    out = []
    for p in review.head(MAX_REVIEW).to_dict("records"):
        left, right = recs.loc[p["record_id_l"]], recs.loc[p["record_id_r"]]
        out.append(
            {
                "l": p["record_id_l"],
                "r": p["record_id_r"],
                "loc_l": _loc(left),
                "loc_r": _loc(right),
                "title_l": left["title"] or "(no title)",
                "title_r": right["title"] or "(no title)",
                "probability": p["probability"],
                "veto": p["veto"],
                "levels": _levels(p),
                "match_key": p["match_key"],
                "entry": f"{p['record_id_l']},{p['record_id_r']},same,",
            }
        )
    return out, max(0, len(review) - MAX_REVIEW)


def bar_chart(items: list[tuple[str, int]], width: int = 460, bar: int = 18) -> dict:
    """Geometry of a horizontal bar chart (label, count) for inline SVG."""
    top = max([c for _, c in items] or [1])
    bars = [
        {
            "label": label,
            "count": c,
            "y": i * (bar + 6),
            "w": max(1, round((width - 200) * c / top)),
        }
        for i, (label, c) in enumerate(items)
    ]
    return {"bars": bars, "height": max(1, len(items)) * (bar + 6), "width": width, "bar": bar}


def histogram(
    probabilities: np.ndarray,
    merge: float,
    review: float,
    bins: int = 20,
    width: int = 460,
    height: int = 140,
    unlisted: int = 0,
) -> dict:
    """Geometry of the pair-probability histogram with both thresholds marked; ``unlisted``
    pairs (scored under ``cli.PAIR_FLOOR``, not in the table) count in the first bar."""
    counts, _ = np.histogram(probabilities, bins=bins, range=(0.0, 1.0))
    counts[0] += unlisted
    top = max(int(counts.max()) if len(counts) else 0, 1)
    step = width / bins
    bars = [
        {
            "x": round(i * step, 1),
            "w": round(step - 2, 1),
            "count": int(c),
            "h": round((height - 20) * c / top, 1),
            "lo": round(i / bins, 2),
            "hi": round((i + 1) / bins, 2),
        }
        for i, c in enumerate(counts)
    ]
    return {
        "bars": bars,
        "width": width,
        "height": height,
        "merge_x": round(merge * width, 1),
        "review_x": round(review * width, 1),
    }


def run_counts(result: PipelineResult) -> dict:
    """The identification-flow counts of a run (as summary.json's ``prisma``)."""
    p, m = result.parsed, result.matched
    assert m is not None
    roles = list(result.config.roles) or None
    return prisma_counts(
        p.records, p.failures, p.errors, p.files, m.pairs, m.clusters, m.corpus, roles
    )


def render_report(result: PipelineResult) -> str:
    """The report as one HTML string."""
    env = Environment(
        loader=PackageLoader("dedupe.reporting", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    script = (TEMPLATES / "report.js").read_text(encoding="utf-8")
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    clusters, hidden_clusters = merged_clusters(result)
    review, hidden_review = review_pairs(result)
    summary = result.summary
    return env.get_template("report.html.j2").render(
        prisma=prisma_flow(summary.get("prisma") or run_counts(result)),
        version=__version__,
        generator=GENERATOR,
        script=script,
        css=css,
        script_hash=f"sha256-{digest}",
        summary=summary,
        anomaly_groups=anomaly_groups(_anomalies(result)),
        anomaly_chart=bar_chart(
            [(g["check"], g["count"]) for g in summary["anomalies_by_check_total"]]
        ),
        probability_chart=histogram(
            _matched(result).pairs["probability"].to_numpy(),
            summary["merge_threshold"],
            summary["review_threshold"],
            unlisted=_matched(result).unlisted_pairs,
        ),
        clusters=clusters,
        hidden_clusters=hidden_clusters,
        review=review,
        hidden_review=hidden_review,
    )


def written_by_us(path: Path) -> bool:
    """True when ``path`` is a report this tool wrote (safe to replace)."""
    try:
        head = path.read_text(encoding="utf-8", errors="replace")[:2000]
    except OSError:
        return False
    return bool(re.search(r'<meta name="generator" content="dedupe report', head))
