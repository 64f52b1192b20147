"""The parse cache: same tables as parsing, used only while file, options and code match."""

import shutil

import pandas as pd
import pytest

from dedupe.parsing import cache as cache_mod
from dedupe.parsing import files
from dedupe.parsing.files import parse_paths
from tests.conftest import SEEDS


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    (folder / "papers.csv").write_text(
        "title,authors,year,journal\n"
        '"Peer support in fire brigades","Ek, Per",2021,"Fire Journal"\n',
        encoding="utf-8",
    )
    return folder


def _no_parsing(*args, **kwargs):
    raise AssertionError("parsed although the cache holds this file")


def test_warm_cache_gives_the_parsed_tables_without_parsing(corpus, tmp_path, monkeypatch):
    fresh = parse_paths([corpus], cache="off")
    cold = parse_paths([corpus], cache=tmp_path / "c")
    monkeypatch.setattr(files, "parse_lines", _no_parsing)
    warm = parse_paths([corpus], cache=tmp_path / "c")
    for got in (cold, warm):
        pd.testing.assert_frame_equal(got.records, fresh.records)
        pd.testing.assert_frame_equal(got.failures, fresh.failures)
        assert got.files == fresh.files and got.errors == fresh.errors
        assert (got.encodings, got.warnings) == (fresh.encodings, fresh.warnings)
    assert (tmp_path / "c" / ".gitignore").read_text().strip().endswith("*")


def test_changed_file_is_parsed_again_and_replaces_its_entry(corpus, tmp_path):
    parse_paths([corpus], cache=tmp_path / "c")
    entries = len(list((tmp_path / "c" / "parse").iterdir()))
    target = corpus / "papers.csv"
    target.write_text(
        target.read_text(encoding="utf-8") + '"A new paper on caches",Ek Per,2024,J Caches\n',
        encoding="utf-8",
    )
    again = parse_paths([corpus], cache=tmp_path / "c")
    assert "A new paper on caches" in set(again.records["title"])
    assert len(list((tmp_path / "c" / "parse").iterdir())) == entries


def test_options_and_code_are_part_of_the_key(corpus, tmp_path, monkeypatch):
    parse_paths([corpus / "papers.csv"], cache=tmp_path / "c")
    monkeypatch.setattr(files, "parse_lines", _no_parsing)
    with pytest.raises(AssertionError, match="parsed although"):
        parse_paths([corpus / "papers.csv"], column_map={"title": "abstract"}, cache=tmp_path / "c")
    monkeypatch.setattr(cache_mod, "code_fingerprint", lambda: "an edited parser")
    with pytest.raises(AssertionError, match="parsed although"):
        parse_paths([corpus / "papers.csv"], cache=tmp_path / "c")


def test_off_and_environment(corpus, tmp_path, monkeypatch):
    monkeypatch.setenv("DEDUPE_CACHE", "off")
    assert cache_mod.cache_dir() is None
    monkeypatch.setenv("DEDUPE_CACHE", str(tmp_path / "env"))
    parse_paths([corpus / "papers.csv"])
    assert list((tmp_path / "env" / "parse").glob("*.arrow"))
    monkeypatch.delenv("DEDUPE_CACHE")
    assert cache_mod.cache_dir() == cache_mod.DEFAULT_DIR


def test_a_broken_entry_is_ignored(corpus, tmp_path):
    first = parse_paths([corpus / "papers.csv"], cache=tmp_path / "c")
    for entry in (tmp_path / "c" / "parse").iterdir():
        entry.write_bytes(b"not arrow")
    again = parse_paths([corpus / "papers.csv"], cache=tmp_path / "c")
    pd.testing.assert_frame_equal(again.records, first.records)


def test_derived_tables_and_json_round_trip_exactly(tmp_path):
    store = cache_mod.DerivedCache(tmp_path / "c", "features")
    frame = pd.DataFrame(
        {
            "text": pd.Series(["a", None, "ü"], dtype=object),
            "year": pd.array([2020, None, 1999], dtype="Int64"),
            "page": [1.0, float("nan"), 3.5],
            "rec": [0, 1, 2],
        }
    )
    store.put_tables("k1", {"norm": frame}, group="seeds/a.csv")
    got = store.get_tables("k1", ["norm"], group="seeds/a.csv")
    assert got is not None
    pd.testing.assert_frame_equal(got["norm"], frame)
    assert store.get_tables("k1", ["norm", "other"], group="seeds/a.csv") is None
    store.put_tables("k2", {"norm": frame}, group="seeds/a.csv")  # replaces the file's entry
    assert store.get_tables("k1", ["norm"], group="seeds/a.csv") is None
    models = cache_mod.DerivedCache(tmp_path / "c", "model")
    models.put_json("m", {"prior": 0.1, "mu": {"title": [[0.9, 1e-9]]}})
    assert models.get_json("m") == {"prior": 0.1, "mu": {"title": [[0.9, 1e-9]]}}
    for entry in (tmp_path / "c").rglob("*.*"):
        if entry.suffix in (".arrow", ".json"):
            entry.write_bytes(b"broken")
    assert store.get_tables("k2", ["norm"], group="seeds/a.csv") is None
    assert models.get_json("m") is None


def _via_pandas(records, failures):
    """How entries were built before: one concatenated frame through Table.from_pandas."""
    import pyarrow as pa

    both = pd.concat([records, failures.add_prefix("_f_")], ignore_index=True)
    return pa.Table.from_pandas(cache_mod._strings(both), preserve_index=False)


@pytest.mark.parametrize("odd", [False, True], ids=["seeds", "odd-values"])
def test_entry_table_is_the_one_pandas_builds(corpus, odd):
    parsed = parse_paths([corpus], cache="off")
    records, failures = parsed.records.astype(object), parsed.failures
    if odd:  # a column of None, lists that are all empty
        records = records.assign(funder=None, author_affiliations=[[]] * len(records))
    table = cache_mod._table(records, failures)
    assert table.equals(_via_pandas(records, failures))


def test_entry_keeps_numbers_in_text_columns_as_text(corpus):
    parsed = parse_paths([corpus], cache="off")
    cited = pd.Series([7] + [None] * (len(parsed.records) - 1), dtype=object)
    records = parsed.records.assign(times_cited=cited)
    table = cache_mod._table(records, parsed.failures)
    assert table.column("times_cited").to_pylist()[:2] == ["7", None]
    assert set(table.column("times_cited").to_pylist()[1:]) == {None}  # none reads "nan"


@pytest.mark.parametrize("threads", ["1", "2"])
def test_entries_written_behind_hold_the_tables_as_parsed(corpus, tmp_path, monkeypatch, threads):
    """``write_behind``: the entries are written from copies while the caller goes on (and
    may change its tables); ``cache_writes.done()`` waits for them."""
    monkeypatch.setenv("DEDUPE_THREADS", threads)
    release = __import__("threading").Event()
    put = cache_mod.ParseCache.put

    def slow_put(self, *args):
        release.wait(10)  # the caller changes its table first
        put(self, *args)

    monkeypatch.setattr(cache_mod.ParseCache, "put", slow_put)
    if threads == "1":
        release.set()  # written before parse_paths returns
    parsed = parse_paths([corpus], cache=tmp_path / "c", write_behind=True)
    expected = parsed.records.copy()
    parsed.records.loc[:, "title"] = "changed by the caller"
    release.set()
    parsed.cache_writes.done()
    assert not parsed.cache_writes.pending
    monkeypatch.setattr(cache_mod.ParseCache, "put", put)
    monkeypatch.setattr(files, "parse_lines", _no_parsing)
    warm = parse_paths([corpus], cache=tmp_path / "c")
    pd.testing.assert_frame_equal(warm.records, expected)
