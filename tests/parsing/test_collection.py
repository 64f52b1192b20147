"""parse_paths runs with the garbage collector paused, and restores it."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

import dedupe.parsing.files as files
from dedupe.parsing.cache import ParseCache


def _spy(monkeypatch, owner, name, seen, fail=False):
    original = getattr(owner, name)

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        if fail:
            raise RuntimeError("boom")
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, spy)


def _csv(tmp_path: Path) -> Path:
    path = tmp_path / "in" / "a.csv"
    path.parent.mkdir()
    path.write_text('title,authors,year\nA paper,"Doe, J",2001\n', encoding="utf-8")
    return path


def test_parsing_and_cache_reads_run_with_the_collector_paused(monkeypatch, tmp_path):
    path, cache = _csv(tmp_path), tmp_path / "cache"
    parsing, reading = [], []
    _spy(monkeypatch, files, "parse_lines", parsing)
    _spy(monkeypatch, ParseCache, "get", reading)
    assert gc.isenabled()
    first = files.parse_paths([path.parent], cache=cache)  # parsed, cache written
    second = files.parse_paths([path.parent], cache=cache)  # read from the cache
    assert parsing == [False] and reading == [False, False]
    assert gc.isenabled()
    assert len(first.records) == len(second.records) == 1


def test_collector_restored_when_parsing_fails(monkeypatch, tmp_path):
    _spy(monkeypatch, files, "parse_lines", [], fail=True)
    with pytest.raises(RuntimeError):
        files.parse_paths([_csv(tmp_path).parent], cache="off")
    assert gc.isenabled()


def test_collector_left_off_when_the_caller_turned_it_off(tmp_path):
    gc.disable()
    try:
        files.parse_paths([_csv(tmp_path).parent], cache="off")
        assert not gc.isenabled()
    finally:
        gc.enable()
