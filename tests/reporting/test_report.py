"""The HTML report and `dedupe run`: content, escaping, overwrite guard, a real browser."""

import json
import re
import sys

import pytest
from click.testing import CliRunner
from conftest import ROOT, SEEDS

from dedupe.cli import main
from dedupe.pipeline import run_pipeline
from dedupe.reporting.html import render_report

sys.path.insert(0, str(ROOT / "tools"))
from tests_browser import browser_missing, open_browser  # noqa: E402

HOSTILE = (
    "title,authors,year,journal\n"
    '"scholarly journals <script>window.__xss = 1</script> Peer support at work","Doe, Jane",'
    "2020,J Health\n"
    '"<img src=x onerror=""window.__xss = 2""> Peer support at work and beyond ◽","Doe, Jane",'
    "2020,Journal of Health\n"
    '"Another paper entirely about recovery colleges","Roe, Richard",2019,J Health\n'
)


@pytest.fixture(scope="module")
def seed_run():
    return run_pipeline([SEEDS])


@pytest.fixture(scope="module")
def seed_html(seed_run):
    return render_report(seed_run)


def test_report_shows_ogard_repal_merge_with_both_records(seed_run, seed_html):
    ids = [
        r
        for r in seed_run.parsed.records.itertuples()
        if r.source_file.endswith("003_cced5f36f0e6b9f9.txt") and r.source_line in (50, 56)
    ]
    assert len(ids) == 2
    blocks = re.findall(r'<details class="cluster".*?</details>', seed_html, re.S)
    block = [b for b in blocks if all(r.record_id in b for r in ids)]
    assert len(block) == 1
    for rec in ids:
        assert f"003_cced5f36f0e6b9f9.txt:{rec.source_line}" in block[0]
    assert '<td class="value canonical">Anita Øgård-Repål' in block[0]
    assert "probability <b>" in block[0]


@pytest.mark.parametrize(
    "text",
    [
        "seeds/000_96de7f5dc43e5274.txt:25",  # Chinese footer
        "seeds/001_83ddec2a4e93f6b8.txt:93",  # Sign in / Sign up
        "<mark>scholarly journals ",  # breadcrumb highlighted
        "<mark>...</mark>",  # truncated authors
        "<mark>Abstract</mark>This study",  # glued label
        "Weidman, Danielle <mark>R. R.",  # doubled initials
        "malformed_pages",
    ],
    ids=["footer", "chrome", "breadcrumb", "truncation", "glued", "doubled", "pages"],
)
def test_report_lists_the_seed_anomalies(seed_html, text):
    assert text in seed_html


def test_report_counts_match_the_run(seed_run, seed_html):
    s = seed_run.summary
    assert s["records_read"] == 37 and s["duplicates_merged"] == 2
    assert s["unique_records"] == 35 and s["pairs_in_review"] >= 1
    assert f'<b id="n-read">{s["records_read"]}</b>' in seed_html
    assert f'<b id="n-unique">{s["unique_records"]}</b>' in seed_html
    embedded = re.search(
        r'<script type="application/json" id="summary-data">(.*?)</script>', seed_html, re.S
    ).group(1)
    assert json.loads(embedded)["unique_records"] == 35


def test_report_is_self_contained(seed_html):
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', seed_html)
    assert "<link" not in seed_html
    assert "default-src 'none'" in seed_html
    assert '<svg id="chart-anomalies"' in seed_html and '<svg id="chart-probabilities"' in seed_html


def test_scraped_markup_is_escaped(tmp_path):
    (tmp_path / "hostile.csv").write_text(HOSTILE, encoding="utf-8")
    html = render_report(run_pipeline([tmp_path / "hostile.csv"]))
    assert "<script>window.__xss" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;window.__xss" in html
    assert "&lt;img src=x onerror=" in html
    assert html.count("<script>") == 1  # the report's own script only


def _run(runner, out, *extra):
    return runner.invoke(main, ["run", str(SEEDS), "--out", str(out), *extra])


def test_run_writes_every_output(tmp_path):
    res = _run(CliRunner(), tmp_path)
    assert res.exit_code == 0, res.output
    for name in (
        "records.csv",
        "anomalies.csv",
        "pairs.csv",
        "clusters.csv",
        "corpus.csv",
        "summary.json",
        "report.html",
        "review.csv",
        "parse_failures.csv",
    ):
        assert (tmp_path / name).exists(), name
    assert json.loads((tmp_path / "summary.json").read_text())["records_read"] == 37
    assert "\r" not in res.stderr  # no progress bar when stderr is not a terminal


def test_run_replaces_only_its_own_report(tmp_path):
    runner = CliRunner()
    (tmp_path / "report.html").write_text("<html>someone else's work</html>")
    res = _run(runner, tmp_path)
    assert res.exit_code == 2
    assert "exists and was not written by dedupe; pass --force" in res.output
    assert (tmp_path / "report.html").read_text() == "<html>someone else's work</html>"
    assert _run(runner, tmp_path, "--force").exit_code == 0
    assert _run(runner, tmp_path).exit_code == 0  # now it is ours


def test_run_fail_on(tmp_path):
    assert _run(CliRunner(), tmp_path, "--fail-on", "error").exit_code == 1


@pytest.fixture(scope="module")
def browser():
    reason = browser_missing()
    if reason:
        pytest.skip(f"no browser test: {reason}")
    driver = open_browser()
    yield driver
    driver.quit()


def test_report_in_a_real_browser(browser, tmp_path):
    from selenium.webdriver.common.by import By

    (tmp_path / "hostile.csv").write_text(HOSTILE, encoding="utf-8")
    res = CliRunner().invoke(
        main, ["run", str(tmp_path / "hostile.csv"), str(SEEDS), "--out", str(tmp_path / "out")]
    )
    assert res.exit_code == 0, res.output
    browser.get((tmp_path / "out" / "report.html").as_uri())
    assert browser.execute_script("return window.__xss === undefined")
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    shown = lambda: int(browser.find_element(By.ID, "shown").text)  # noqa: E731
    before = shown()
    box = browser.find_element(By.ID, "search")
    box.send_keys("Øgård")
    after = shown()
    assert 0 < after < before
    cluster = browser.find_element(By.CSS_SELECTOR, "details.cluster:not(.hidden)")
    assert cluster.get_attribute("open") is None
    cluster.find_element(By.TAG_NAME, "summary").click()
    assert cluster.get_attribute("open") is not None
    assert cluster.find_element(By.TAG_NAME, "table").is_displayed()


def test_run_on_a_missing_path_is_a_one_line_error(tmp_path):
    res = CliRunner().invoke(main, ["run", str(tmp_path / "nope"), "--out", str(tmp_path)])
    assert res.exit_code == 2
    assert res.output.strip().splitlines() == [
        f"Error: {tmp_path / 'nope'}: no such file or folder."
    ]


def test_histogram_counts_unlisted_pairs_in_its_first_bar():
    """Pairs the Spark engine leaves on its executors (all scored under 1 %) still count."""
    import numpy as np

    from dedupe.reporting.html import histogram

    bars = histogram(np.array([0.004, 0.5, 0.999]), 0.99, 0.5, unlisted=7)["bars"]
    assert [b["count"] for b in bars if b["count"]] == [8, 1, 1]
    assert bars[0]["lo"] == 0.0 and bars[0]["hi"] == 0.05
