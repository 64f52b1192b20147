"""Matching for ``dedupe check --changed``: the focus files against a cached corpus.

A change is checked against *the corpus as it stood* (every file read that is not a focus
file): its records come first, the focus files' records after them, and

- each file's matching features (normalised fields, first and last title words, title
  words) are cached per file under the file's parse key and the matching code's hash, so
  only the focus files are normalised; the corpus-wide columns are then completed over the
  whole table (``normalise.corpus_columns``), exactly as one normalisation would give them;
- blocking is :func:`dedupe.gate.focus_blocking.focus_block`: exactly the pairs ``block``
  finds on the whole table that touch a focus record, without keying the whole corpus;
- the model (m, u, prior) is the corpus's own, estimated once as a full run of the corpus
  would and cached under the corpus's file keys, the settings and the decisions: a new file
  never moves the model that judges it, and a warm check decides exactly as a cold one.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dedupe.gate.focus_blocking import focus_block
from dedupe.matching.blocking import title_ends
from dedupe.matching.engine import MatchResult, match_records
from dedupe.matching.estimate import Estimate, shipped
from dedupe.matching.model import Settings
from dedupe.matching.normalise import corpus_columns, normalise_records
from dedupe.matching.tokens import Tokens, tokenize
from dedupe.parsing.cache import DerivedCache, cache_dir, code_fingerprint

MATCHING_CODE = ("matching", "core", "gate/incremental.py", "gate/focus_blocking.py")
FEATURES = ["norm", "ends", "tokens", "vocab"]


def _code() -> str:
    return code_fingerprint(MATCHING_CODE)


def file_features(records: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """One file's matching features: its normalised records (corpus columns still to be
    completed), first and last title words, and title words (codes into its own vocabulary
    in order of first appearance, as ``tokenize`` makes them)."""
    norm = normalise_records(records.reset_index(drop=True))
    start, end = title_ends(norm["title"])
    ends = pd.DataFrame({"title_start": start.astype(object), "title_end": end.astype(object)})
    ends = ends.where(ends.notna(), None)
    tokens = tokenize(norm["title"], min_len=3)
    return {
        "norm": norm,
        "ends": ends,
        "tokens": pd.DataFrame({"rec": tokens.rec, "code": tokens.code}),
        "vocab": pd.DataFrame({"word": pd.Series(tokens.vocab.to_pylist(), dtype=object)}),
    }


def features_of(
    records: pd.DataFrame, files: list[str], keys: dict[str, str], store: DerivedCache | None
) -> list[dict[str, pd.DataFrame]]:
    """Each file's features, in ``files`` order: from the cache when the file's parse key
    has an entry, else computed (and stored)."""
    out = []
    for f in files:
        key = keys.get(f)
        entry = store.get_tables(_feature_key(key), FEATURES, f) if store and key else None
        if entry is None:
            entry = file_features(records[records["source_file"].to_numpy() == f])
            if store and key:
                store.put_tables(_feature_key(key), entry, f)
        out.append(entry)
    return out


def _feature_key(parse_key: str) -> str:
    return hashlib.sha256(f"{parse_key}\x1f{_code()}".encode()).hexdigest()[:32]


def combine(
    parts: list[dict[str, pd.DataFrame]], records: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, Tokens]:
    """The whole table's normalised records, title ends and title words, from its files'
    parts in order: what normalising and tokenising the whole table at once gives."""
    if not parts:
        parts = [file_features(records)]
    norm = corpus_columns(pd.concat([p["norm"] for p in parts], ignore_index=True), records)
    ends = pd.concat([p["ends"] for p in parts], ignore_index=True)
    vocabs = [pa.array(p["vocab"]["word"].to_numpy(dtype=object), pa.string()) for p in parts]
    enc = pc.dictionary_encode(pa.concat_arrays(vocabs)) if vocabs else None
    to_global = np.asarray(enc.indices) if enc is not None else np.array([], dtype=np.int64)
    rec, code, base, offset = [], [], 0, 0
    for p, vocab in zip(parts, vocabs):
        rec.append(p["tokens"]["rec"].to_numpy() + base)
        code.append(to_global[p["tokens"]["code"].to_numpy() + offset].astype(np.int64))
        base, offset = base + len(p["norm"]), offset + len(vocab)
    vocab = enc.dictionary if enc is not None else pa.array([], pa.string())
    tokens = Tokens(
        np.concatenate(rec or [np.array([], np.int64)]),
        np.concatenate(code or [np.array([], np.int64)]),
        vocab,
        len(norm),
    )
    return norm, ends, tokens


def _model_key(keys: list[str], settings: Settings, decisions: pd.DataFrame | None) -> str:
    dec = "" if decisions is None else decisions.to_csv(index=False)
    text = json.dumps([keys, repr(settings), dec, _code()])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _to_json(est: Estimate) -> dict:
    return {
        "prior": est.prior,
        "mu": {k: [list(x) for x in v] for k, v in est.mu.items()},
        "estimated": est.estimated,
        "random_pairs": est.random_pairs,
        "session_pairs": est.session_pairs,
        "candidate_match_share": est.candidate_match_share,
    }


def _from_json(data: dict) -> Estimate:
    mu = {k: [tuple(x) for x in v] for k, v in data["mu"].items()}
    return Estimate(
        data["prior"],
        mu,
        data["estimated"],
        data["random_pairs"],
        data["session_pairs"],
        data["candidate_match_share"],
    )


def remember_model(
    keys: list[str], settings: Settings, decisions: pd.DataFrame | None, est: Estimate | None
) -> None:
    """Cache the model a full run estimated for a corpus of files with parse ``keys``."""
    folder = cache_dir()
    if folder is not None and est is not None and keys and all(keys):
        DerivedCache(folder, "model").put_json(_model_key(keys, settings, decisions), _to_json(est))


def corpus_model(
    records: pd.DataFrame,
    parts: list[dict[str, pd.DataFrame]],
    keys: list[str],
    settings: Settings,
    decisions: pd.DataFrame | None,
    store: DerivedCache | None,
) -> Estimate | None:
    """The model a full run of the corpus (``records``, its files' ``parts``) estimates:
    cached under the files' parse keys, settings and decisions; estimated when missing."""
    if not settings.estimate or records.empty:
        return None
    key = _model_key(keys, settings, decisions) if keys and all(keys) else ""
    cached = store.get_json(key) if store and key else None
    if cached is not None:
        return _from_json(cached)
    norm = combine(parts, records)[0]
    est = match_records(records, settings, decisions, build_corpus=False, norm=norm).estimate
    if store and key and est is not None:
        store.put_json(key, _to_json(est))
    return est


def match_focus(
    records: pd.DataFrame,
    focus: np.ndarray,
    keys: dict[str, str],
    settings: Settings,
    decisions: pd.DataFrame | None = None,
) -> MatchResult:
    """Match the ``focus`` records (a mask over ``records``) against the rest: only pairs
    touching them, decided with the rest's model. Pair positions refer to the order corpus
    first, focus after; results name records by id."""
    folder = cache_dir()
    features = DerivedCache(folder, "features") if folder is not None else None
    models = DerivedCache(folder, "model") if folder is not None else None
    focus = np.asarray(focus, dtype=bool)
    corpus, new = records[~focus].reset_index(drop=True), records[focus].reset_index(drop=True)
    old_files = list(dict.fromkeys(corpus["source_file"]))
    new_files = list(dict.fromkeys(new["source_file"]))
    old_parts = features_of(corpus, old_files, keys, features)
    new_parts = features_of(new, new_files, keys, features)
    model = corpus_model(
        corpus, old_parts, [keys.get(f, "") for f in old_files], settings, decisions, models
    )
    table = pd.concat([corpus, new], ignore_index=True)
    mask = np.r_[np.zeros(len(corpus), bool), np.ones(len(new), bool)]
    norm, ends, tokens = combine(old_parts + new_parts, table)
    if settings.estimate and (model is None or not model.estimated):
        model = shipped(settings.mu, len(table), settings.prior)  # too small to estimate
    blocked = focus_block(norm, ends, tokens, mask, settings.max_block)
    return match_records(
        table,
        settings,
        decisions,
        focus=mask,
        build_corpus=False,
        norm=norm,
        blocked=blocked,
        model=model,
    )
