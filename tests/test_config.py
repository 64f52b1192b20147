"""One configuration: loaded from pyproject.toml / setup.cfg / --config, overridden by options."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SEEDS

from dedupe.cli import main
from dedupe.config import Config, ConfigError, load_config

CAPS = (
    "title,authors,year,journal\n"
    '"THE POWER OF PEER SUPPORT IN RURAL FIRE BRIGADES","Ek, Per",2018,Fire Journal\n'
)


def test_defaults_without_settings_file(tmp_path):
    config = load_config(cwd=tmp_path)
    assert config == Config()
    assert config.match_settings().merge_threshold == config.merge_threshold


def test_zero_on_the_command_line_is_zero_not_the_default(tmp_path):
    config = load_config(cwd=tmp_path, merge_threshold=0.0, review_threshold=0.0)
    assert config.merge_threshold == 0 and config.match_settings().merge_threshold == 0


def test_setup_cfg_then_command_line(tmp_path):
    (tmp_path / "setup.cfg").write_text(
        "[tool:dedupe]\nmerge_threshold = 0.9\nseverities = all_caps_title: error,\n"
        "  mojibake:warning\nmap = Article Title=title\n"
    )
    config = load_config(cwd=tmp_path, merge_threshold=0.95)
    assert config.merge_threshold == 0.95 and config.review_threshold == 0.5
    assert dict(config.severities) == {"all_caps_title": "error", "mojibake": "warning"}
    assert dict(config.column_map) == {"Article Title": "title"}
    assert config.source.endswith("setup.cfg")


def test_pyproject_table_with_the_same_severities_syntax(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.dedupe]\npaths = ["a", "b"]\nseverities = ["mojibake:info"]\nestimate = true\n'
    )
    config = load_config(cwd=tmp_path)
    assert config.paths == (Path("a"), Path("b")) and config.estimate
    assert dict(config.severities) == {"mojibake": "info"}


@pytest.mark.parametrize(
    "text,message",
    [
        ("nonsense = 1\n", r"setup.cfg:2: unknown setting 'nonsense'"),
        ("merge_threshold = high\n", r"setup.cfg:2: merge_threshold = 'high' is not a valid"),
        ("severities = mojibake\n", r"'mojibake' in severities is not KEY:VALUE"),
        ("severities = nocheck:error\n", r"unknown check 'nocheck'"),
        ("severities = mojibake:fatal\n", r"severity 'fatal' of 'mojibake'"),
        ("fail_on = sometimes\n", r"fail_on 'sometimes' is not one of"),
        ("review_threshold = 0.995\n", r"review threshold 0.995 is above merge threshold"),
    ],
    ids=["unknown", "not-a-number", "no-colon", "unknown-check", "bad-level", "fail-on", "order"],
)
def test_bad_settings_are_one_clear_error(tmp_path, text, message):
    (tmp_path / "setup.cfg").write_text("[tool:dedupe]\n" + text)
    with pytest.raises(ConfigError, match=message):
        load_config(cwd=tmp_path)


def test_settings_in_two_files_are_refused(tmp_path):
    (tmp_path / "setup.cfg").write_text("[tool:dedupe]\npaths = a\n")
    (tmp_path / "pyproject.toml").write_text('[tool.dedupe]\npaths = ["b"]\n')
    with pytest.raises(ConfigError, match="keep them in one"):
        load_config(cwd=tmp_path)


def test_config_is_frozen():
    config = Config()
    with pytest.raises(AttributeError):
        config.merge_threshold = 0.5  # type: ignore[misc]
    with pytest.raises(TypeError):
        config.severities["mojibake"] = "info"  # type: ignore[index]


@pytest.mark.parametrize("command", ["parse", "validate", "match", "run", "check"])
def test_review_above_merge_is_a_usage_error_in_every_command(tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "setup.cfg").write_text("[tool:dedupe]\nmerge_threshold = 0.7\n")
    out = [] if command == "check" else ["--out", str(tmp_path / "out")]
    res = CliRunner().invoke(main, [command, str(SEEDS), *out, "--config", "setup.cfg"])
    assert res.exit_code != 2, res.output
    (tmp_path / "setup.cfg").write_text(
        "[tool:dedupe]\nmerge_threshold = 0.7\nreview_threshold = 0.8\n"
    )
    res = CliRunner().invoke(main, [command, str(SEEDS), *out, "--config", "setup.cfg"])
    assert res.exit_code == 2, res.output
    assert "review threshold 0.8 is above merge threshold 0.7" in res.output
    assert "Traceback" not in res.output


def test_check_honours_merge_threshold_zero(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    base = ["check", str(SEEDS), "--baseline", "b.json", "--output-format", "json"]
    runner = CliRunner()
    assert runner.invoke(main, [*base, "--update-baseline"]).exit_code == 0
    default = json.loads(runner.invoke(main, base).output)
    zero = json.loads(
        runner.invoke(main, [*base, "--merge-threshold", "0", "--review-threshold", "0"]).output
    )
    dup = [f for f in zero["findings"] if f["check"] == "duplicate" and f["new"]]
    assert default["failing"] == 0 and dup and zero["failing"] >= len(dup)


def test_input_options_reach_check(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.csv").write_text("Headline,authors,year,journal\n" + CAPS.split("\n")[1])
    runner = CliRunner()
    base = ["check", "in.csv", "--baseline", "b.json", "--output-format", "json"]
    plain = json.loads(runner.invoke(main, base).output)
    mapped = json.loads(runner.invoke(main, [*base, "--map", "Headline=title"]).output)
    checks = lambda data: {f["check"] for f in data["findings"]}  # noqa: E731
    assert "missing_title" in checks(plain)
    assert "missing_title" not in checks(mapped) and "all_caps_title" in checks(mapped)


def test_estimate_follows_the_engine_unless_set(tmp_path):
    from dedupe.matching.model import Settings

    assert load_config(cwd=tmp_path).match_settings().estimate == Settings.default().estimate
    assert load_config(cwd=tmp_path, estimate=False).match_settings().estimate is False
    assert load_config(cwd=tmp_path, estimate=True).match_settings().estimate is True


def test_match_settings_take_their_defaults_from_the_config():
    from dedupe.matching.model import Settings

    default = Settings.default()
    assert (default.merge_threshold, default.review_threshold) == (
        Config().merge_threshold,
        Config().review_threshold,
    )
    with pytest.raises(TypeError):  # no second home for the thresholds' defaults
        Settings()  # type: ignore[call-arg]
