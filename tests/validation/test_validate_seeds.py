"""The anomalies the seeds really carry, each on the right record and line."""

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import SEEDS

from dedupe.cli import main
from dedupe.validation.anomalies import apply_fixes, validate_records


@pytest.fixture(scope="module")
def anomalies(seed_result):
    a = validate_records(seed_result.records, seed_result.failures)
    a["file"] = a["source_file"].str.extract(r"(\d{3})_")[0]
    return a


def found(a, file, line, check, field=None):
    hit = a[(a.file == file) & (a.source_line == line) & (a.check == check)]
    if field:
        hit = hit[hit.field == field]
    return len(hit)


@pytest.mark.parametrize(
    "file,line,check,field",
    [
        ("000", 25, "dropped_line", None),  # Chinese footer
        ("000", 26, "dropped_line", None),
        ("000", 1, "missing_title", "title"),
        ("001", 1, "page_chrome", "title"),  # "scholarly journals" breadcrumb
        ("001", 93, "dropped_line", None),  # Sign in / Sign up
        ("001", 95, "dropped_line", None),
        ("001", 97, "dropped_line", None),
        ("001", 38, "truncated_authors", "authors"),
        ("001", 80, "truncated_authors", "authors"),
        ("001", 62, "glued_label", "abstract"),  # AbstractThis study
        ("001", 9, "missing_title", "title"),
        ("001", 19, "malformed_pages", "pages"),  # pp. 030802262110181
        ("002", 33, "doubled_initials", "authors"),
        ("003", 1, "missing_journal", "journal"),
        ("003", 1, "missing_year", "year"),
        ("003", 62, "lowercase_name_part", "authors"),  # Malene ostergaard
    ],
    ids=lambda v: str(v),
)
def test_seed_anomaly(anomalies, file, line, check, field):
    assert found(anomalies, file, line, check, field) == 1


def test_every_untitled_listed_item_is_reported(anomalies, seed_result):
    listed = seed_result.records[seed_result.records.role == "listed"]
    untitled = set(listed[listed.title.isna()].record_id)
    assert len(untitled) == 8
    assert untitled <= set(anomalies[anomalies.check == "missing_title"].record_id)


def test_no_anomaly_on_correct_diacritics(anomalies):
    assert not anomalies["value"].fillna("").str.contains("Øgård-Repål").any()
    assert not (anomalies.check == "mojibake").any()


def test_anomaly_table_matches_its_schema(anomalies):
    from dedupe.validation.anomalies import load_schema

    load_schema("anomalies").validate(anomalies.drop(columns="file"))


def test_footer_points_at_the_main_record(anomalies, seed_result):
    main_id = seed_result.records.query("role == 'main'").record_id
    footer = anomalies[(anomalies.file == "000") & (anomalies.source_line == 26)]
    assert footer.record_id.iloc[0] in set(main_id)


def test_fix_is_idempotent(seed_result, anomalies):
    once, changes = apply_fixes(seed_result.records, anomalies)
    assert {c for checks in changes.checks for c in checks} == {"page_chrome", "glued_label"}
    again, changes2 = apply_fixes(once, validate_records(once, seed_result.failures))
    assert changes2.empty
    pd.testing.assert_frame_equal(once, again)
    title = once.loc[once.title.fillna("").str.startswith("Service Users Experience")]
    assert len(title) == 1


def test_validate_cli_exit_codes_and_outputs(tmp_path):
    runner = CliRunner()
    res = runner.invoke(main, ["validate", str(SEEDS), "--out", str(tmp_path), "--fix"])
    assert res.exit_code == 1, res.output
    assert "page_chrome" in res.stdout
    for name in ("anomalies.csv", "records.cleaned.csv", "changes.csv"):
        assert (tmp_path / name).exists()
    res = runner.invoke(
        main, ["validate", str(SEEDS), "--out", str(tmp_path), "--fail-on", "never"]
    )
    assert res.exit_code == 0
    cfg = tmp_path / "dedupe.cfg"
    cfg.write_text(
        "[tool:dedupe]\nseverities = missing_title:info, missing_year:info,\n"
        "  missing_journal:info, page_chrome:warning\n"
    )
    res = runner.invoke(
        main, ["validate", str(SEEDS), "--out", str(tmp_path), "--config", str(cfg)]
    )
    assert res.exit_code == 0, res.output
    cfg.write_text("[tool:dedupe]\nseverities = nonsense:info\n")
    res = runner.invoke(main, ["validate", str(SEEDS), "--config", str(cfg)])
    assert res.exit_code == 2 and "unknown check 'nonsense'" in res.output
