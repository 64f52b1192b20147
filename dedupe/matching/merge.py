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
import re
from collections.abc import Callable
from itertools import islice

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dedupe.core.arrays import arrow_lists, arrow_strings, is_list_column, objects, run_starts
from dedupe.core.collector import collection_paused
from dedupe.core.parallel import Background, thread_map
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


LETTER = "A-Za-zÀ-ÿ"
"""The letters judged for ALL CAPS (Latin-1's)."""


def _changed_by_upper(letters: str) -> str:
    """The characters of ``letters`` Arrow's ``utf8_upper`` changes (a value is ALL CAPS
    when it has none of them), found once rather than assumed."""
    chars = [chr(c) for c in range(0x41, 0x100) if re.fullmatch(f"[{letters}]", chr(c))]
    upper = pc.utf8_upper(pa.array(chars)).to_pylist()
    return "".join(c for c, u in zip(chars, upper) if c != u)


FOUR_LETTERS_RX = "(?s)" + ".*".join([f"[{LETTER}]"] * 4)
LOWER_RX = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in _changed_by_upper(LETTER)) + "]"


def text_quality(text: pa.Array, flagged: np.ndarray) -> np.ndarray:
    """A sortable quality score of each value (``text``: as written, lists joined; higher
    is better): present, not ``flagged`` by validation, not ALL CAPS (at least 4 letters,
    none lower case), with diacritics, longer."""
    present = text.is_valid().to_numpy(zero_copy_only=False)
    letters = pc.match_substring_regex(text, FOUR_LETTERS_RX)
    lower = pc.match_substring_regex(text, LOWER_RX)
    caps = pc.fill_null(pc.and_(letters, pc.invert(lower)), False)
    accented = pc.fill_null(pc.match_substring_regex(text, "[À-ɏ]"), False)
    length = pc.fill_null(pc.utf8_length(text), 0).to_numpy(zero_copy_only=False)
    return (
        present * 1e6
        + ~flagged * 1e5
        + ~caps.to_numpy(zero_copy_only=False) * 1e4
        + accented.to_numpy(zero_copy_only=False) * 1e3
        + np.minimum(length, 999)
    )


def completeness(records: pd.DataFrame) -> np.ndarray:
    """How complete each record's publication fields are, later year breaking ties."""
    filled = records[PUBLICATION_FIELDS].notna().sum(axis=1).to_numpy()
    year = pd.to_numeric(records["year"], errors="coerce").fillna(0).to_numpy()
    return filled * 10000 + year


def merge_clusters(
    records: pd.DataFrame, cluster_ids: pd.Series, anomalies: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per cluster, in order of first appearance: the canonical values, the ids
    merged and the provenance.

    ``anomalies``: the validation's findings on these records (values it flagged are the
    worse choice); None: the checks are run here on the records of merged clusters (in a
    thread, beside the work that does not need them).
    Each field's value is taken from one record per cluster (a single record's own), so
    every column is one take from the record table.
    """
    code, uniques = pd.factorize(cluster_ids.to_numpy(dtype=object))
    counts = np.bincount(code, minlength=len(uniques))
    grouped = np.argsort(code, kind="stable")  # rows by cluster, in record order within
    starts = np.cumsum(counts) - counts
    chosen = dict.fromkeys([*TEXT_FIELDS, "journal", "publication"], grouped[starts])
    multi = grouped[np.repeat(counts > 1, counts)]
    provenance = np.full(len(uniques), None, dtype=object)
    finish = _start_groups(records, multi, counts, anomalies) if len(multi) else None
    merged_ids = _split(records["record_id"].to_numpy(dtype=object)[grouped], counts)
    where = records["source_file"].astype(str) + ":" + records["source_line"].astype(str)
    sources = _split(where.to_numpy(dtype=object)[grouped], counts)
    if finish is not None:
        finish(chosen, provenance)
    columns: dict[str, object] = {"cluster_id": np.asarray(uniques, dtype=object)}
    columns["n_records"] = counts
    for f in ["title", "authors", "authors_norm", *PUBLICATION_FIELDS, "abstract"]:
        rows = chosen["publication" if f in PUBLICATION_FIELDS and f != "journal" else f]
        columns[f] = objects(records[f].iloc[rows]).to_numpy(dtype=object)
    columns["merged_ids"], columns["sources"] = merged_ids, sources
    columns["provenance"] = provenance
    out = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in columns.items()})
    if not len(multi):  # as pandas concatenated them: Python ints once a cluster merged
        out["n_records"] = counts
    return add_corpus_columns(out, records, code, uniques)


def _start_groups(
    records: pd.DataFrame, multi: np.ndarray, counts: np.ndarray, anomalies: pd.DataFrame | None
) -> Callable[[dict[str, np.ndarray], np.ndarray], None]:
    """Start the work on the clusters of two or more (records at rows ``multi``, grouped;
    ``counts``: every cluster's size): the checks (mostly Arrow's regex kernels, on the
    text just converted) and the provenance in threads, while the caller does what needs
    neither. Returns the function that waits for them and writes each merged cluster's best
    rows into ``chosen`` and its provenance into ``provenance``."""
    fields = ["record_id", "source_file", "source_line", *TEXT_FIELDS, *PUBLICATION_FIELDS]
    recs = records[fields].iloc[multi].reset_index(drop=True)
    group = np.repeat(np.arange(int((counts > 1).sum())), counts[counts > 1])
    at = np.flatnonzero(counts > 1)  # cluster code of each merged group
    texts = {f: _field_text(recs[f]) for f in [*TEXT_FIELDS, *PUBLICATION_FIELDS]}
    judged = recs.assign(**{f: _arrow_series(texts[f]) for f in ARROW_JUDGED})
    flags = Background(flagged_values, judged, anomalies)
    bodies = Background(_provenance, recs["record_id"], texts, group)

    def finish(chosen: dict[str, np.ndarray], provenance: np.ndarray) -> None:
        for name, best in _best_rows(recs, texts, group, flags.result()).items():
            chosen[name] = chosen[name].copy()
            chosen[name][at] = multi[best]
        provenance[at] = bodies.result()

    return finish


def _split(values: np.ndarray, counts: np.ndarray) -> list[list]:
    """``values`` (grouped) as one list per group of ``counts`` items."""
    items = iter(values.tolist())
    with collection_paused():
        return [list(islice(items, n)) for n in counts.tolist()]


def _group_best(score: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Per group (``group``: dense codes, rows grouped), the position of its first row of
    highest ``score`` (as ``groupby(...).idxmax()``)."""
    starts = run_starts(group)
    top = np.maximum.reduceat(score, starts)
    at = np.where(score == top[group], np.arange(len(score)), len(score))
    return np.minimum.reduceat(at, starts)


def _best_rows(
    recs: pd.DataFrame, texts: dict[str, pa.Array], group: np.ndarray, flags: dict
) -> dict[str, np.ndarray]:
    """Per field (and ``publication``: the publication fields together), the row of
    ``recs`` (grouped by ``group``; ``texts``: its fields as written) whose value each
    group keeps."""
    best = {f: _group_best(text_quality(texts[f], flags[f]), group) for f in TEXT_FIELDS}
    best["publication"] = pub = _group_best(completeness(recs), group)
    # the same journal, in its best-written form ("BMC Health Services Research")
    jkey = journal_key(recs["journal"]).to_numpy(dtype=object)
    same = (jkey == jkey[pub][group]) & pd.notna(jkey)
    jq = text_quality(texts["journal"], flags["journal"]) + same * 1e7
    best["journal"] = _group_best(jq, group)
    return best


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
    corpus: pd.DataFrame, records: pd.DataFrame, code: np.ndarray, uniques
) -> pd.DataFrame:
    """The corpus (one row per cluster code ``code`` of the records, named ``uniques``)
    with each cluster's role, extras (the longest value among its records), ``listed_by``
    (the clusters of the records that list it) and read-back provenance."""
    rank = _column(records, "role").map({r: i for i, r in enumerate(ROLE_ORDER)})
    best = rank.fillna(0).to_numpy(dtype=np.int64)
    low = np.full(len(uniques), len(ROLE_ORDER) - 1, dtype=np.int64)
    np.minimum.at(low, code, best)
    new = {"role": np.array(ROLE_ORDER, dtype=object)[low]}
    for f in EXTRA_FIELDS:
        new[f] = _longest(_column(records, f), code, len(uniques))
    new["listed_by"] = _listed_by(records, code, uniques)
    out = corpus.assign(**{c: _objects(v) for c, v in new.items()})
    out["provenance"] = _objects(_with_inputs(out, records, code))
    return out[CORPUS_COLUMNS]


def _objects(values: np.ndarray) -> pd.Series:
    """Values as an object column with None for missing (not converted to a string
    column, which would copy every text twice)."""
    return objects(pd.Series(values, dtype=object, copy=False))


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


def _with_inputs(out: pd.DataFrame, records: pd.DataFrame, code: np.ndarray) -> np.ndarray:
    """Provenance with the provenance of records read back from our own outputs kept:
    a single record's as it was, a cluster's under ``inputs`` by record id (``out``'s row
    ``k`` is cluster code ``k``)."""
    prov = out["provenance"].to_numpy(dtype=object).copy()
    given = _column(records, "provenance")
    has = np.flatnonzero(given.notna().to_numpy())
    if not len(has):
        return prov
    ids = _column(records, "record_id").to_numpy(dtype=object)
    for i in has:  # only rows read back from our outputs carry provenance
        k = code[i]
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


def group_lists(values: pd.Series, keys: pd.Series) -> pd.Series:
    """The values as one list per key (rows already grouped by key, in order)."""
    v, k = values.to_numpy(dtype=object), keys.to_numpy()
    if len(v) == 0:
        return pd.Series(dtype=object)
    starts = run_starts(k)
    ends = np.append(starts[1:], len(v))
    lists = [v[a:b].tolist() for a, b in zip(starts, ends)]
    return pd.Series(lists, index=k[starts], dtype=object)


ARROW_JUDGED = ("title", "abstract", "journal")
"""Text fields (never lists) the checks read from the Arrow text of the merge: each check
would otherwise convert the Python strings again (and hold another copy meanwhile)."""


def _arrow_series(text: pa.Array) -> pd.Series:
    return pd.Series(pd.arrays.ArrowStringArray(text), dtype=STRING_DTYPE)


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


PROVENANCE_CLUSTERS = 5_000
"""Clusters whose provenance JSON is assembled at a time (bounds the Arrow intermediates)."""


def _provenance(record_ids: pd.Series, texts: dict[str, pa.Array], group: np.ndarray) -> list[str]:
    """Per group of records (rows grouped by dense codes ``group``; ``texts``: their
    fields as written), the JSON {field: {record_id: value}} of the fields whose values
    differ in it.

    Rows are sorted by record id within their group once (Arrow's sort of the ids), then
    the JSON is assembled with Arrow string kernels a chunk of groups at a time (see
    :func:`_provenance_chunk`), so no Python runs per record or cluster and the
    intermediates stay the size of one chunk.
    """
    ids = pa.array(record_ids.astype(str).to_numpy(dtype=object), pa.string())
    rank = np.empty(len(ids), dtype=np.int64)
    rank[pc.sort_indices(ids).to_numpy()] = np.arange(len(ids))  # stable: ties keep order
    order = np.lexsort((rank, group))
    bounds = np.searchsorted(
        group, np.arange(0, group[-1] + 1 + PROVENANCE_CLUSTERS, PROVENANCE_CLUSTERS)
    )

    def chunk(span: tuple[int, int]) -> list[str]:
        a, b = span
        rows = pa.array(order[a:b])
        fields = {f: pc.take(texts[f], rows) for f in sorted(texts)}
        return _provenance_chunk(pc.take(ids, rows), fields, group[a:b] - group[a])

    spans = [(a, b) for a, b in zip(bounds[:-1], bounds[1:]) if a < b]
    return [body for bodies in thread_map(chunk, spans) for body in bodies]  # in order


def _provenance_chunk(ids: pa.Array, texts: dict[str, pa.Array], group: np.ndarray) -> list[str]:
    """The provenance JSON of each cluster of a chunk (rows sorted by dense cluster code
    ``group``, then record id; ``ids`` and ``texts``: their record ids and fields as
    written, by field name): per field, a cluster's values differ where their codes'
    minimum and maximum differ; each field's entry (", " first) is placed at its clusters,
    empty elsewhere, and the fields are joined in name order."""
    starts = run_starts(group)
    n = len(starts)
    id_json = json_strings(ids)
    parts = []
    for name, text in texts.items():
        values = pc.dictionary_encode(text)  # JSON once per distinct value
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
