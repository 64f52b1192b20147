"""Merge each cluster into one canonical record, keeping every source value as provenance.

Text fields (title, authors, abstract) are chosen one by one: a present value over a missing
one, a clean value over one a check flags, mixed case over ALL CAPS, diacritics kept
("Øgård-Repål" over "Ogard-Repal"), then the longer. Publication fields (year, journal,
volume, issue, pages, doi) come together from the most complete record, the later year
winning a tie, so a published version wins over its preprint and its parts stay consistent;
the journal name is then taken in its best-written form among the records naming the same
journal (title case over ALL CAPS).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dedupe.core.arrays import arrow_lists, arrow_strings, is_list_column, objects, run_starts
from dedupe.core.patterns import STRING_DTYPE
from dedupe.core.records import LIST_SEP
from dedupe.matching.normalise import journal_key

TEXT_FIELDS = ["title", "authors", "authors_norm", "abstract"]
PUBLICATION_FIELDS = ["year", "journal", "volume", "issue", "pages", "doi"]
FLAG_CHECKS = (
    "mojibake",
    "ui_label",
    "page_chrome",
    "glued_label",
    "truncated_authors",
    "doubled_initials",
    "stray_separator",
)
"""Checks whose findings make a value a worse choice (read from the anomaly table)."""
FLAG_SOURCE = {"authors_norm": "authors"}
"""A field derived from another is flagged where its source is."""


def flagged_values(records: pd.DataFrame, anomalies: pd.DataFrame | None) -> dict:
    """Per text field (and journal), which records' values validation flagged: from the
    anomaly table when the pipeline passes it, else by running the same checks' detectors
    on these records (``match`` used alone)."""
    fields = [*TEXT_FIELDS, "journal"]
    if anomalies is None:
        from dedupe.validation.anomalies import flagged_by  # the checks, not a copy of them

        judged = [c for c in dict.fromkeys(FLAG_SOURCE.get(f, f) for f in fields) if c in records]
        found = flagged_by(records[judged], FLAG_CHECKS)  # only the fields the merge judges
        none = np.zeros(len(records), dtype=bool)
        return {f: found.get(FLAG_SOURCE.get(f, f), none) for f in fields}
    hit = anomalies[anomalies["check"].isin(FLAG_CHECKS)]
    ids = records["record_id"]
    return {
        f: ids.isin(hit.loc[hit["field"] == FLAG_SOURCE.get(f, f), "record_id"]).to_numpy()
        for f in fields
    }


def text_quality(values: pd.Series, flagged: np.ndarray) -> np.ndarray:
    """A sortable quality score of each value (higher is better): present, not ``flagged``
    by validation, not ALL CAPS, with diacritics, longer; a list judged as written."""
    if is_list_column(values):  # as written, joined by Arrow's list kernel
        written = pc.binary_join(arrow_lists(values), LIST_SEP)
        text = pd.Series(pd.arrays.ArrowStringArray(written), index=values.index)
    else:
        text = values.astype(STRING_DTYPE)
    present = text.notna().to_numpy()
    letters = text.str.replace(r"[^A-Za-zÀ-ÿ]", "", regex=True)
    caps = (letters.str.len() >= 4).fillna(False).to_numpy(dtype=bool) & (
        letters == letters.str.upper()
    ).fillna(False).to_numpy(dtype=bool)
    accented = text.str.contains(r"[À-ɏ]", regex=True).fillna(False).to_numpy(dtype=bool)
    length = text.str.len().fillna(0).to_numpy(dtype=float)
    return present * 1e6 + ~flagged * 1e5 + ~caps * 1e4 + accented * 1e3 + np.minimum(length, 999)


def completeness(records: pd.DataFrame) -> np.ndarray:
    """How complete each record's publication fields are, later year breaking ties."""
    filled = records[PUBLICATION_FIELDS].notna().sum(axis=1).to_numpy()
    year = pd.to_numeric(records["year"], errors="coerce").fillna(0).to_numpy()
    return filled * 10000 + year


def merge_clusters(
    records: pd.DataFrame, cluster_ids: pd.Series, anomalies: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per cluster: the canonical values, the ids merged and the provenance.

    ``anomalies``: the validation's findings on these records (values it flagged are the
    worse choice); None: the checks are run here on the records of merged clusters.
    """
    fields = ["record_id", "source_file", "source_line", *TEXT_FIELDS, *PUBLICATION_FIELDS]
    cid = cluster_ids.to_numpy(dtype=object)
    code, uniques = pd.factorize(cid)
    counts = np.bincount(code, minlength=len(uniques))
    single = counts[code] == 1
    multi_rows = np.flatnonzero(~single)
    merged = None
    if len(multi_rows):
        multi = records[fields].iloc[multi_rows].reset_index(drop=True)
        flags = flagged_values(multi, anomalies)
        merged = _merge_multi(multi[fields].assign(cluster_id=cid[multi_rows]), flags)
    rows = np.flatnonzero(single)
    out = pd.DataFrame({"cluster_id": cid[rows], "n_records": 1})
    alone = records[fields].iloc[rows]  # the records no other joined
    for f in ["title", "authors", "authors_norm", *PUBLICATION_FIELDS, "abstract"]:
        out[f] = objects(alone[f]).to_numpy(dtype=object)
    out["merged_ids"] = [[v] for v in alone["record_id"].to_numpy(dtype=object)]
    where = alone["source_file"].astype(str) + ":" + alone["source_line"].astype(str)
    out["sources"] = [[v] for v in where.to_numpy(dtype=object)]
    out["provenance"] = None
    if merged is not None:
        out = pd.concat([merged, out], ignore_index=True)
    # clusters in order of first appearance, as the records came
    out = out.iloc[np.argsort(pd.Index(uniques).get_indexer(out["cluster_id"]), kind="stable")]
    return add_corpus_columns(out.reset_index(drop=True), records, cluster_ids)


ROLE_ORDER = ["main", "related", "listed", "reference"]
"""A cluster's role is the first its records have: a paper found as a page's main record
and as another page's reference is a main record."""
EXTRA_FIELDS = ["keywords", "affiliations", "url", "cited_by", "times_cited", "language"]
CORPUS_COLUMNS = [
    "cluster_id",
    "n_records",
    "role",
    "title",
    "authors",
    "authors_norm",
    *PUBLICATION_FIELDS,
    "abstract",
    *EXTRA_FIELDS,
    "listed_by",
    "merged_ids",
    "sources",
    "provenance",
]


def _column(records: pd.DataFrame, name: str) -> pd.Series:
    """A record column, all None when the table does not have it."""
    if name in records.columns:
        return objects(records[name]).reset_index(drop=True)
    return pd.Series([None] * len(records), dtype=object)


def add_corpus_columns(
    corpus: pd.DataFrame, records: pd.DataFrame, cluster_ids: pd.Series
) -> pd.DataFrame:
    """The corpus with each cluster's role, extras (the longest value among its records),
    ``listed_by`` (the clusters of the records that list it) and read-back provenance."""
    cid = pd.Series(cluster_ids.to_numpy(dtype=object))
    code, uniques = pd.factorize(cid)
    row = pd.Index(uniques).get_indexer(corpus["cluster_id"])  # corpus row -> cluster code
    rank = _column(records, "role").map({r: i for i, r in enumerate(ROLE_ORDER)})
    best = rank.fillna(0).to_numpy(dtype=np.int64)
    low = np.full(len(uniques), len(ROLE_ORDER) - 1, dtype=np.int64)
    np.minimum.at(low, code, best)
    out = corpus.assign(role=np.array(ROLE_ORDER, dtype=object)[low[row]])
    for f in EXTRA_FIELDS:
        out[f] = _longest(_column(records, f), code, len(uniques))[row]
    out["listed_by"] = _listed_by(records, code, uniques)[row]
    out["provenance"] = _with_inputs(out, records, cid)
    new = ["role", *EXTRA_FIELDS, "listed_by", "provenance"]
    return out.assign(**{c: objects(out[c]) for c in new})[CORPUS_COLUMNS]


def _longest(values: pd.Series, code: np.ndarray, n: int) -> np.ndarray:
    """Per cluster code, the longest value among its records (None when all are missing)."""
    out = np.full(n, None, dtype=object)
    present = np.flatnonzero(values.notna().to_numpy())
    if not len(present):
        return out
    length = values.iloc[present].astype(STRING_DTYPE).str.len().to_numpy(dtype=np.int64)
    order = np.lexsort((-length, code[present]))  # longest first within each cluster
    codes, first = np.unique(code[present][order], return_index=True)
    out[codes] = values.to_numpy(dtype=object)[present[order[first]]]
    return out


def _listed_by(records: pd.DataFrame, code: np.ndarray, uniques) -> np.ndarray:
    """Per cluster code, the clusters of the records that list its records (a list); an id
    not among the records (read back from an earlier run) is kept as it is."""
    out = np.full(len(uniques), None, dtype=object)
    raw = _column(records, "listed_by")
    has = np.flatnonzero(raw.notna().to_numpy())
    if not len(has):
        return out
    ids = raw.to_numpy(dtype=object)[has]
    pos = pd.Index(_column(records, "record_id")).get_indexer(ids)
    names = np.asarray(uniques, dtype=object)
    lister = np.where(pos >= 0, names[code[np.maximum(pos, 0)]], ids)
    pairs = pd.DataFrame({"cluster": code[has], "lister": lister})
    pairs = pairs[pairs["lister"] != names[pairs["cluster"].to_numpy()]]
    pairs = pairs.drop_duplicates().sort_values(["cluster", "lister"], kind="stable")
    listers = group_lists(pairs["lister"].astype(str), pairs["cluster"])
    out[listers.index.to_numpy(dtype=np.int64)] = listers.to_numpy(dtype=object)
    return out


def _with_inputs(out: pd.DataFrame, records: pd.DataFrame, cid: pd.Series) -> np.ndarray:
    """Provenance with the provenance of records read back from our own outputs kept:
    a single record's as it was, a cluster's under ``inputs`` by record id."""
    prov = out["provenance"].to_numpy(dtype=object).copy()
    given = _column(records, "provenance")
    has = np.flatnonzero(given.notna().to_numpy())
    if not len(has):
        return prov
    pos = {c: i for i, c in enumerate(out["cluster_id"])}
    ids = _column(records, "record_id").to_numpy(dtype=object)
    for i in has:  # only rows read back from our outputs carry provenance
        k = pos[cid[i]]
        if out["n_records"].iat[k] == 1:
            prov[k] = given[i]
            continue
        merged = json.loads(prov[k] or "{}")
        merged.setdefault("inputs", {})[ids[i]] = json.loads(given[i])
        prov[k] = json.dumps(merged, ensure_ascii=False, sort_keys=True)
    return prov


def add_fix_provenance(
    corpus: pd.DataFrame, clusters: pd.DataFrame, changes: pd.DataFrame
) -> pd.DataFrame:
    """The corpus with each safe fix applied to its records listed in its provenance,
    under ``fixed``: {record_id: {field: {"before", "after", "checks"}}}."""
    if changes is None or changes.empty:
        return corpus
    cluster_of = dict(zip(clusters["record_id"], clusters["cluster_id"]))
    fixed: dict[str, dict] = {}
    for ch in changes.to_dict("records"):
        entry = fixed.setdefault(cluster_of[ch["record_id"]], {})
        entry.setdefault(ch["record_id"], {})[ch["field"]] = {
            "before": ch["before"],
            "after": ch["after"],
            "checks": ch["checks"],
        }
    out = corpus.copy()
    prov = out["provenance"].to_numpy(dtype=object).copy()
    for k, c in enumerate(out["cluster_id"]):
        if c in fixed:
            merged = json.loads(prov[k] or "{}")
            merged["fixed"] = fixed[c]
            prov[k] = json.dumps(merged, ensure_ascii=False, sort_keys=True)
    out["provenance"] = prov
    return out


def _merge_multi(recs: pd.DataFrame, flags: dict) -> pd.DataFrame:
    """Canonical rows of the clusters with more than one record (``flags``: per field, the
    values validation flagged)."""
    size = recs.groupby("cluster_id", sort=False).size()
    best = {}
    for f in TEXT_FIELDS:
        q = pd.Series(text_quality(recs[f], flags[f]), index=recs.index)
        best[f] = q.groupby(recs["cluster_id"], sort=False).idxmax()
    pub = pd.Series(completeness(recs), index=recs.index)
    pub_best = pub.groupby(recs["cluster_id"], sort=False).idxmax()
    out = recs.loc[pub_best.to_numpy(), ["cluster_id"] + PUBLICATION_FIELDS].reset_index(drop=True)
    # the same journal, in its best-written form ("BMC Health Services Research")
    jkey = journal_key(recs["journal"])
    chosen = pd.Series(jkey.loc[pub_best.to_numpy()].to_numpy(), index=pub_best.index)
    same = (jkey == recs["cluster_id"].map(chosen)).fillna(False).to_numpy(dtype=bool)
    jq = pd.Series(text_quality(recs["journal"], flags["journal"]) + same * 1e7, index=recs.index)
    out["journal"] = recs.loc[
        jq.groupby(recs["cluster_id"], sort=False).idxmax().reindex(out["cluster_id"]).to_numpy(),
        "journal",
    ].to_numpy()
    for f in TEXT_FIELDS:
        out[f] = recs.loc[best[f].reindex(out["cluster_id"]).to_numpy(), f].to_numpy()
    ordered = recs.sort_values("cluster_id", kind="stable")
    ids = group_lists(ordered["record_id"], ordered["cluster_id"])
    src = group_lists(
        ordered["source_file"].astype(str) + ":" + ordered["source_line"].astype(str),
        ordered["cluster_id"],
    )
    out["n_records"] = size.reindex(out["cluster_id"]).to_numpy()
    out["merged_ids"] = ids.reindex(out["cluster_id"]).to_numpy()
    out["sources"] = src.reindex(out["cluster_id"]).to_numpy()
    out["provenance"] = (
        _provenance(recs, set(size[size > 1].index)).reindex(out["cluster_id"]).to_numpy()
    )
    cols = [
        "cluster_id",
        "n_records",
        "title",
        "authors",
        "authors_norm",
        *PUBLICATION_FIELDS,
        "abstract",
        "merged_ids",
        "sources",
        "provenance",
    ]
    out = out[cols]
    return out.apply(objects)


def group_lists(values: pd.Series, keys: pd.Series) -> pd.Series:
    """The values as one list per key (rows already grouped by key, in order)."""
    v, k = values.to_numpy(dtype=object), keys.to_numpy()
    if len(v) == 0:
        return pd.Series(dtype=object)
    starts = run_starts(k)
    ends = np.append(starts[1:], len(v))
    lists = [v[a:b].tolist() for a, b in zip(starts, ends)]
    return pd.Series(lists, index=k[starts], dtype=object)


def _field_text(values: pd.Series) -> pa.Array:
    """A field's values for the provenance as an Arrow string array, as written (lists
    "; "-joined)."""
    if is_list_column(values):
        return pc.binary_join(arrow_lists(values), LIST_SEP)
    return pa.array(values.to_numpy(dtype=object), pa.string(), from_pandas=True)


def json_strings(values: pd.Series | pa.Array) -> pa.Array:
    """Each value as a JSON literal (a string, or null), as an Arrow string array.

    Backslashes, quotes and the common control characters are escaped with Arrow string
    kernels; values holding any other control character go through ``json.dumps``.
    """
    text = values if isinstance(values, pa.Array) else arrow_strings(values)
    for old, new in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
        text = pc.replace_substring(text, old, new)
    out = pc.binary_join_element_wise('"', text, '"', "")
    odd = pc.fill_null(pc.match_substring_regex(text, "[\x00-\x08\x0b\x0c\x0e-\x1f]"), False)
    if pc.any(odd).as_py():
        raw = (values if isinstance(values, pa.Array) else arrow_strings(values)).to_pylist()
        fixed = out.to_pylist()
        for k in np.flatnonzero(odd.to_numpy(zero_copy_only=False)):
            fixed[k] = json.dumps(raw[k], ensure_ascii=False)
        out = pa.array(fixed, pa.string())
    return pc.fill_null(out, "null")


def _joined(items: pa.Array, starts: np.ndarray, sep: str) -> pa.Array:
    """The items joined with ``sep`` per run, runs starting at ``starts`` (Arrow's list
    join: no Python per group)."""
    offsets = pa.array(np.append(starts, len(items)).astype(np.int32))
    return pc.binary_join(pa.ListArray.from_arrays(offsets, items), sep)


PROVENANCE_CLUSTERS = 50_000
"""Clusters whose provenance JSON is assembled at a time (bounds the Arrow intermediates)."""


def _provenance(recs: pd.DataFrame, multi: set) -> pd.Series:
    """JSON {field: {record_id: value}} of the fields whose values differ in a cluster.

    Rows are sorted by cluster and record id once, then the JSON is assembled with Arrow
    string kernels a chunk of clusters at a time (see :func:`_provenance_chunk`), so no
    Python runs per record or cluster and the intermediates stay the size of one chunk.
    """
    fields = sorted(TEXT_FIELDS + PUBLICATION_FIELDS)
    sub = recs.loc[recs["cluster_id"].isin(multi), ["cluster_id", "record_id", *fields]]
    if sub.empty:
        return pd.Series(dtype=object)
    cluster_code, clusters = pd.factorize(sub["cluster_id"])
    ids = sub["record_id"].astype(str).to_numpy(dtype=object)
    order = np.lexsort((ids, cluster_code))
    group = cluster_code[order]
    sub = sub.iloc[order].reset_index(drop=True)
    bounds = np.searchsorted(
        group, np.arange(0, len(clusters) + PROVENANCE_CLUSTERS, PROVENANCE_CLUSTERS)
    )
    bodies: list[str] = []
    for a, b in zip(bounds[:-1], bounds[1:]):
        if a < b:
            bodies += _provenance_chunk(sub.iloc[a:b], group[a:b] - group[a], fields)
    out = pd.Series(bodies, index=np.asarray(clusters, dtype=object), dtype=object)
    return out.reindex(list(multi)).fillna("{}")


def _provenance_chunk(sub: pd.DataFrame, group: np.ndarray, fields: list[str]) -> list[str]:
    """The provenance JSON of each cluster of ``sub`` (rows sorted by dense cluster code
    ``group``, then record id): per field, a cluster's values differ where their codes'
    minimum and maximum differ; each field's entry (", " first) is placed at its clusters,
    empty elsewhere, and the fields are joined in name order."""
    starts = run_starts(group)
    n = len(starts)
    id_json = json_strings(pa.array(sub["record_id"].astype(str).tolist(), pa.string()))
    parts = []
    for name in fields:
        values = pc.dictionary_encode(_field_text(sub[name]))  # JSON once per distinct value
        codes = pc.fill_null(values.indices, -1).to_numpy(zero_copy_only=False)
        differs = np.minimum.reduceat(codes, starts) != np.maximum.reduceat(codes, starts)
        if not differs.any():
            continue
        rows = np.flatnonzero(differs[group])  # cluster codes are dense: code = run
        picked = pc.take(values.indices, pa.array(rows))
        value_json = pc.fill_null(pc.take(json_strings(values.dictionary), picked), "null")
        items = pc.binary_join_element_wise(pc.take(id_json, pa.array(rows)), value_json, ": ")
        entry = pc.binary_join_element_wise(
            f', "{name}": {{', _joined(items, run_starts(group[rows]), ", "), "}", ""
        )
        at = np.full(n, -1, dtype=np.int64)
        at[np.flatnonzero(differs)] = np.arange(len(entry))
        parts.append(pc.fill_null(pc.take(entry, pa.array(at, mask=at < 0)), ""))
    if not parts:
        return ["{}"] * n
    body = pc.utf8_slice_codeunits(pc.binary_join_element_wise(*parts, ""), 2)  # first ", "
    return pc.binary_join_element_wise("{", body, "}", "").to_pylist()
