"""The pipeline's handling of the garbage collector around parsing."""

from __future__ import annotations

import gc

import pytest
from conftest import SEEDS

import dedupe.pipeline as pipeline
from dedupe.config import Config


def test_parse_runs_with_the_collector_paused_and_restores_it(monkeypatch):
    seen = []
    parse = pipeline.parse_paths

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return parse(*args, **kwargs)

    monkeypatch.setattr(pipeline, "parse_paths", spy)
    assert gc.isenabled()
    result = pipeline.run_pipeline([SEEDS], Config(), stages=("parse",))
    assert seen == [False]
    assert gc.isenabled()
    assert len(result.parsed.records)


def test_collector_restored_when_parsing_fails(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(pipeline, "parse_paths", broken)
    with pytest.raises(RuntimeError):
        pipeline.run_pipeline([SEEDS], Config(), stages=("parse",))
    assert gc.isenabled()


def test_collector_left_off_when_the_caller_turned_it_off():
    gc.disable()
    try:
        with pipeline.collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
