"""`check --changed` matches incrementally: cached features and model, focus-only blocking,
with exactly the results of computing everything afresh."""

import sys
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dedupe.config import Config
from dedupe.core.records import joined, written
from dedupe.gate import incremental
from dedupe.gate.check import run_check
from dedupe.gate.focus_blocking import focus_block
from dedupe.gate.incremental import combine, corpus_model, file_features, match_focus
from dedupe.matching import engine, estimate
from dedupe.matching.blocking import block
from dedupe.matching.engine import match_records
from dedupe.matching.model import Settings
from dedupe.matching.normalise import normalise_records
from dedupe.matching.tokens import tokenize
from dedupe.parsing.files import parse_paths
from tests.conftest import ROOT, SEEDS
from tests.matching.test_generalise import background, copies, table


def _synthetic() -> pd.DataFrame:
    """1,340 records in two files: distinct papers, two papers with 120 copies each (capped
    blocks), and untitled records whose abstract holds a title (the abstract rule)."""
    rows = background(1000, seed=5)
    rows += copies(120, "Peer support in community mental health services", "Øgård-Repål",
                   "Anita", "2022", seed=1)  # fmt: skip
    rows += copies(120, "Recovery colleges in rural Norway", "Strand", "Mette", "2018", seed=2)
    for k, r in enumerate(rows[:1000:10]):
        r["title"] = f"Fjord{k} lichens on moraine{k} and tundra{k} slopes"
        abstract = f"We report on {r['title']} and more."
        rows.append({"title": None, "abstract": abstract, "journal": r["journal"]})
    recs = table(rows)
    rng = np.random.default_rng(3)
    recs["source_file"] = np.where(rng.random(len(recs)) < 0.15, "b.csv", "a.csv")
    return recs


def _tables():
    seeds = parse_paths([SEEDS]).records
    for f in sorted(set(seeds["source_file"])):
        yield f"seeds-{Path(f).name[:3]}", seeds, f
    synthetic = _synthetic()
    yield "synthetic-b", synthetic, "b.csv"
    yield "synthetic-a", synthetic, "a.csv"


def _ordered(records: pd.DataFrame, focus_file: str) -> tuple[pd.DataFrame, np.ndarray]:
    focus = (records["source_file"] == focus_file).to_numpy()
    ordered = pd.concat([records[~focus], records[focus]], ignore_index=True)
    return ordered, np.r_[np.zeros((~focus).sum(), bool), np.ones(focus.sum(), bool)]


def _parts(records: pd.DataFrame) -> list:
    files = dict.fromkeys(records["source_file"])
    return [file_features(records[records["source_file"] == f]) for f in files]


@pytest.mark.parametrize("name,records,focus_file", list(_tables()), ids=[t[0] for t in _tables()])
def test_features_by_file_and_focus_blocking_equal_the_whole_table(name, records, focus_file):
    stats, got = _assert_exact(records, focus_file)
    if name.startswith("synthetic"):  # the corpus exercises capped blocks and abstracts
        assert any(s.capped_blocks for s in stats)
        assert (got["match_key"] == "abstract_title").any()


@pytest.mark.parametrize("focus_file", ["a.csv", "b.csv"])
def test_focus_blocking_on_a_generated_corpus(focus_file):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    generate = pytest.importorskip("generate")
    if not (generate.BENCH / "dblp_acm").exists():  # pragma: no cover
        pytest.skip(f"{generate.BENCH}: benchmark tables missing (set DEDUPE_BENCH_DIR)")
    records = generate.generate(3000, seed=4).reset_index(drop=True)
    records["record_id"] = [f"r{i}" for i in range(len(records))]
    rng = np.random.default_rng(5)
    records["source_file"] = np.where(rng.random(len(records)) < 0.1, "b.csv", "a.csv")
    assert any(s.capped_blocks for s in _assert_exact(records, focus_file)[0])


def _assert_exact(records: pd.DataFrame, focus_file: str) -> tuple[list, pd.DataFrame]:
    """Assert the per-file features and focus blocking equal the whole table's; block's
    statistics of the whole table and the focus pairs."""
    table, mask = _ordered(records, focus_file)
    norm, ends, tokens = combine(_parts(table), table)
    whole = normalise_records(table)
    pd.testing.assert_frame_equal(norm, whole)
    words = tokenize(whole["title"], min_len=3)
    assert tokens.vocab.to_pylist() == words.vocab.to_pylist()
    assert set(zip(tokens.rec, tokens.code)) == set(zip(words.rec, words.code))
    full, stats = block(whole)
    touch = mask[full["i_l"].to_numpy()] | mask[full["i_r"].to_numpy()]
    got, _ = focus_block(norm, ends, tokens, mask)
    want = full[touch].reset_index(drop=True)
    pd.testing.assert_frame_equal(_plain(got), _plain(want))
    assert len(got) > 0
    return stats, got


def test_the_corpus_model_is_a_full_runs_and_decides_the_focus_pairs_as_it(tmp_path):
    records = _synthetic()
    table, mask = _ordered(records, "b.csv")
    corpus = table[~mask].reset_index(drop=True)
    settings = Settings.default()
    model = corpus_model(corpus, _parts(corpus), [], settings, None, None)
    assert model == match_records(corpus, settings, build_corpus=False).estimate
    assert model.estimated
    got = match_focus(records, (records["source_file"] == "b.csv").to_numpy(), {}, settings)
    full = match_records(table, settings, build_corpus=False, model=model).pairs
    ids = set(table.loc[mask, "record_id"])
    touch = full["record_id_l"].isin(ids) | full["record_id_r"].isin(ids)
    cols = [c for c in full.columns if c not in ("decision", "veto")]
    pd.testing.assert_frame_equal(got.pairs[cols], full.loc[touch, cols].reset_index(drop=True))
    merged = set(got.pairs.loc[got.pairs["decision"] == "merge", ["record_id_l", "record_id_r"]]
                 .itertuples(index=False))  # fmt: skip
    assert len(merged) > 100


def _write_corpus(folder: Path) -> Path:
    """The synthetic corpus as two CSV exports plus a new file repeating two of its papers."""
    records = _synthetic()
    folder.mkdir()
    cols = ["title", "authors", "year", "journal", "abstract"]
    for name, part in records.groupby("source_file"):
        written(part[cols]).to_csv(folder / name, index=False)  # lists as the writer joins
    new = folder / "new.csv"
    new.write_text(
        "title,authors,year,journal\n"
        '"PEER SUPPORT IN COMMUNITY MENTAL HEALTH SERVICES","Ogard-Repal, Anita",2022,'
        '"Scand J Caring Sci"\n'
        f'"{records["title"][7]}","{joined(records["authors"][7])}",{records["year"][7]},x\n'
        '"A clean new paper about peer support in fire brigades","Ek, Per",2021,'
        '"Fire Journal"\n',
        encoding="utf-8",
    )
    return new


def _findings(config: Config, new: Path) -> list[dict]:
    return [asdict(f) for f in run_check(config, [new]).findings]


def test_warm_incremental_check_equals_a_cold_one_and_skips_the_corpus(tmp_path, monkeypatch):
    new = _write_corpus(tmp_path / "corpus")
    config = Config(paths=(new.parent,), baseline=tmp_path / "baseline.json")
    monkeypatch.setenv("DEDUPE_CACHE", "off")
    fresh = _findings(config, new)
    monkeypatch.setenv("DEDUPE_CACHE", str(tmp_path / "cache"))
    assert _findings(config, new) == fresh  # cold cache: computed and stored
    normalised = []
    real = incremental.file_features
    monkeypatch.setattr(incremental, "file_features", lambda r: normalised.append(r) or real(r))

    def no_estimate(*args, **kwargs):
        raise AssertionError("estimated the model although the cache holds it")

    monkeypatch.setattr(engine, "estimate_model", no_estimate)
    monkeypatch.setattr(estimate, "estimate_model", no_estimate)
    assert _findings(config, new) == fresh  # warm
    assert normalised == []
    dups = [f for f in fresh if f["kind"] == "duplicate"]
    assert {Path(f["file"]).name for f in dups} == {"new.csv"} and len(dups) == 2
    assert all(Path(f["other_file"]).name in ("a.csv", "b.csv") for f in dups)
    new.write_text(new.read_text(encoding="utf-8") + '"Another paper",x,2020,y\n', "utf-8")
    _findings(config, new)  # a changed focus file: only it is normalised again
    assert [set(r["source_file"]) for r in normalised] == [{str(new)}]


def test_a_full_check_leaves_the_model_for_later_incremental_checks(tmp_path, monkeypatch):
    new = _write_corpus(tmp_path / "corpus")
    monkeypatch.setenv("DEDUPE_CACHE", str(tmp_path / "cache"))
    moved = tmp_path / "new.csv"
    new.rename(moved)
    run_check(Config(paths=(new.parent,), baseline=tmp_path / "b.json"))  # the corpus only

    def no_estimate(*args, **kwargs):
        raise AssertionError("estimated the model although a full check cached it")

    monkeypatch.setattr(engine, "estimate_model", no_estimate)
    result = run_check(Config(paths=(new.parent,), baseline=tmp_path / "b.json"), [moved])
    assert sum(f.kind == "duplicate" for f in result.failing) == 2


def test_untitled_records_normalise_with_one_title_carrier():
    records = table([{"title": None, "abstract": "An abstract"}, {"title": None}])
    assert normalise_records(records)["title_carriers"].tolist() == [1.0, 1.0]


def _plain(pairs: pd.DataFrame) -> pd.DataFrame:
    """Rule names as Python strings (an empty selection keeps another text dtype)."""
    return pairs.astype({"match_key": object})
