from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXPECTED = Path(__file__).resolve().parent / "expected"
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def seed_result():
    from dedupe.parse import parse_paths
    return parse_paths([SEEDS])
