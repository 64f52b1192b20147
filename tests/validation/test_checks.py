"""Each check on cases it must flag and cases it must not (tests/fixtures/checks/cases.json)."""

import json

import pandas as pd
import pandera.pandas as pa
import pytest
from conftest import FIXTURES, ROOT

from dedupe.validation.anomalies import load_schema
from dedupe.validation.checks import CHECKS

CASES = json.loads((FIXTURES / "checks" / "cases.json").read_text(encoding="utf-8"))
FLAG = [(c, v) for c, d in CASES.items() for v in d["flag"]]
OK = [(c, v) for c, d in CASES.items() for v in d["ok"]]


def test_every_check_has_cases():
    assert set(CASES) == set(CHECKS)


@pytest.mark.parametrize("check,value", FLAG, ids=[f"{c}:{v[:30]}" for c, v in FLAG])
def test_flags(check, value):
    valid = CHECKS[check].detect(pd.Series([value, None], dtype=object))
    assert not valid.iloc[0], f"{check} should flag {value!r}"
    assert valid.iloc[1], "a missing value is never flagged by a content check"


@pytest.mark.parametrize("check,value", OK, ids=[f"{c}:{v[:30]}" for c, v in OK])
def test_does_not_flag(check, value):
    assert CHECKS[check].detect(pd.Series([value], dtype=object)).iloc[0], (
        f"{check} must not flag {value!r}"
    )


@pytest.mark.parametrize(
    "value,fixed",
    [
        ("Ã˜gÃ¥rd-RepÃ¥l, Anita", "Øgård-Repål, Anita"),
        ("脴g氓rd-Rep氓l, Anita", "Øgård-Repål, Anita"),
        ("users鈥檚 views", "users’s views"),
    ],
    ids=["latin", "gbk", "gbk-quote"],
)
def test_mojibake_suggestion_is_the_repair(value, fixed):
    assert CHECKS["mojibake"].suggest(value) == fixed


@pytest.mark.parametrize("name", sorted(p.stem for p in (ROOT / "schemas").glob("*.yaml")))
def test_schema_round_trips_through_yaml(name):
    schema = load_schema(name)
    again = pa.DataFrameSchema.from_yaml(schema.to_yaml())
    assert again == schema
    checks = {type(c).__name__ for col in schema.columns.values() for c in col.checks}
    assert checks <= {"Check"}
    if name == "records":
        used = {c.name for col in schema.columns.values() for c in col.checks}
        assert set(CHECKS) <= used
