"""The PRISMA 2020-style identification flow: the counts and the geometry of its SVG.

Counts: records identified per source file, files that could not be read, content that
could not be parsed, duplicates removed automatically and after review, pairs still awaiting
review, and the unique records out (by role, and those left out by ``--roles``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath

import numpy as np
import pandas as pd

from dedupe.core.records import ROLES
from dedupe.matching.cluster import components

MAX_SOURCES = 8
LINE = 16
WIDTH = 340


def auto_duplicates(pairs: pd.DataFrame, clusters: pd.DataFrame) -> int:
    """Records removed by merges the model accepted on its own (no reviewer decision)."""
    pos = pd.Series(np.arange(len(clusters)), index=clusters["record_id"].to_numpy())
    cluster = clusters["cluster_id"].to_numpy()
    auto = pairs[(pairs["decision"] == "merge") & (pairs["reviewed"].fillna("") != "same")]
    a = pos.reindex(auto["record_id_l"]).to_numpy()
    b = pos.reindex(auto["record_id_r"]).to_numpy()
    ok = ~(np.isnan(a) | np.isnan(b))
    a, b = a[ok].astype(np.int64), b[ok].astype(np.int64)
    inside = cluster[a] == cluster[b]  # an edge the chaining guard refused removes nothing
    n = len(clusters)
    return n - len(np.unique(components(n, a[inside], b[inside]))) if n else 0


def prisma_counts(
    records: pd.DataFrame,
    failures: pd.DataFrame,
    errors: Sequence[object],
    files: dict[str, str],
    pairs: pd.DataFrame,
    clusters: pd.DataFrame,
    corpus: pd.DataFrame,
    roles: list[str] | None = None,
) -> dict:
    """The numbers of the identification flow, as summary.json states them."""
    counted = records.groupby("source_file").size().to_dict() if len(records) else {}
    per_file = {f: counted.get(f, 0) for f in sorted({*files, *counted})}
    removed = len(records) - len(corpus)
    auto = auto_duplicates(pairs, clusters) if len(pairs) else 0
    role = corpus["role"] if "role" in corpus.columns else pd.Series(["main"] * len(corpus))
    role = pd.Series(pd.Categorical(role, categories=ROLES), index=role.index)
    kept = role.isin(roles) if roles else pd.Series(True, index=role.index)
    return {
        "sources": [
            {"source": f, "format": files.get(f, ""), "records": int(n)}
            for f, n in dict(per_file).items()
        ],
        "records_identified": int(len(records)),
        "unreadable_files": len(errors),
        "parse_failures": int((failures["kind"] == "failure").sum()) if len(failures) else 0,
        "duplicates_removed": int(removed),
        "duplicates_removed_automatically": int(auto),
        "duplicates_removed_by_review": int(removed - auto),
        "pairs_awaiting_review": int((pairs["decision"] == "review").sum()) if len(pairs) else 0,
        "unique_records": int(len(corpus)),
        "excluded_by_role": int((~kept).sum()),
        "records_out": int(kept.sum()),
        "records_out_by_role": {
            r: int(n) for r, n in role[kept].value_counts(sort=False).items() if n
        },
    }


def _box(title: str, lines: list[str]) -> dict:
    return {"title": title, "lines": lines, "w": WIDTH, "h": 14 + LINE * (1 + len(lines))}


def _rows(c: dict) -> list[tuple[dict, dict | None]]:
    """(main box, side box) of each step of the flow."""
    sources = [
        f"{PurePath(s['source']).name} ({s['format']}): n = {s['records']}" for s in c["sources"]
    ]
    if len(sources) > MAX_SOURCES:
        sources = sources[:MAX_SOURCES] + [f"… and {len(sources) - MAX_SOURCES} more files"]
    n_id, n_out = c["records_identified"], c["records_out"]
    by_role = [f"{role}: n = {n}" for role, n in c["records_out_by_role"].items()]
    return [
        (
            _box(f"Records identified (n = {n_id})", sources),
            _box(
                "Not read",
                [
                    f"unreadable files: n = {c['unreadable_files']}",
                    f"content that could not be parsed: n = {c['parse_failures']}",
                ],
            ),
        ),
        (
            _box(
                f"Records matched (n = {n_id})",
                [f"pairs awaiting review: n = {c['pairs_awaiting_review']}"],
            ),
            _box(
                f"Duplicates removed (n = {c['duplicates_removed']})",
                [
                    f"automatically: n = {c['duplicates_removed_automatically']}",
                    f"after review: n = {c['duplicates_removed_by_review']}",
                ],
            ),
        ),
        (
            _box(f"Unique records out (n = {n_out})", by_role),
            _box("Left out by --roles", [f"n = {c['excluded_by_role']}"])
            if c["excluded_by_role"]
            else None,
        ),
    ]


def prisma_flow(counts: dict, gap: int = 32) -> dict:
    """Boxes and arrows of the flow diagram, laid out top to bottom (drawn as inline SVG)."""
    boxes, arrows, y, above = [], [], 0, None
    for main, side in _rows(counts):
        boxes.append({**main, "x": 0, "y": y})
        mid = y + main["h"] // 2
        if side:
            boxes.append({**side, "x": WIDTH + 40, "y": y})
            arrows.append({"x1": WIDTH, "y1": mid, "x2": WIDTH + 38, "y2": mid})
        if above is not None:  # from the bottom of the step above
            arrows.append({"x1": WIDTH // 2, "y1": above, "x2": WIDTH // 2, "y2": y - 2})
        above = y + main["h"]
        y += max(main["h"], side["h"] if side else 0) + gap
    return {"boxes": boxes, "arrows": arrows, "width": 2 * WIDTH + 42, "height": y - gap + 2}
