import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs the property tests with a fixed seed, so a run is reproducible; locally each run
# explores new examples. No deadline per example in either: a test fails on a wrong
# answer, never on a slow one (speed is measured by the benchmarks; a loaded machine made
# a 7 ms example take 280 ms and fail).
settings.register_profile("ci", derandomize=True, print_blob=True, deadline=None)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

# The parse cache of the whole session goes to a fresh folder, not the working directory.
_CACHE = tempfile.mkdtemp(prefix="dedupe-cache-")
os.environ.setdefault("DEDUPE_CACHE", _CACHE)
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXPECTED = Path(__file__).resolve().parent / "expected"
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def seed_result():
    from dedupe.parsing.files import parse_paths

    return parse_paths([SEEDS])
