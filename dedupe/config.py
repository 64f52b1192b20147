"""One frozen configuration for every command, and its one loader.

Settings come, lowest first, from the defaults below, then ``[tool.dedupe]`` in the working
directory's ``pyproject.toml`` or ``[tool:dedupe]`` in its ``setup.cfg`` (or ``--config FILE``,
either kind), then the command line (an option given, even ``0``, wins). The result is
validated once, when it is built.

Severities have one syntax wherever they are written: ``check:level`` items separated by
commas or new lines (in TOML also a list of such strings).
"""

from __future__ import annotations

import configparser
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any

from dedupe.core.errors import InputError
from dedupe.core.records import ROLES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

FAIL_ON = ("error", "warning", "never")
INI_SECTIONS = ("tool:dedupe", "dedupe")


@dataclass(frozen=True)
class Config:
    """Every setting of a dedupe run; build it with :func:`load_config`."""

    paths: tuple[Path, ...] = (Path("seeds"),)
    """Files and folders to read when a command names none."""
    fmt: str | None = None
    """Parser name for every file (``--format``); None sniffs each file."""
    column_map: Mapping[str, str] = field(default_factory=dict)
    """Source column or field -> canonical field (``--map``)."""
    encoding: str | None = None
    """Text encoding of the inputs; None: byte-order mark, UTF-8, else detected."""
    severities: Mapping[str, str] = field(default_factory=dict)
    """Check name -> severity overrides."""
    fail_on: str | None = None
    """Exit 1 on anomalies at or above this severity; None: the command's own default."""
    merge_threshold: float = 0.99
    """Pairs at or above this match probability are merged (the one home of the default)."""
    review_threshold: float = 0.5
    """Pairs at or above this (and below ``merge_threshold``) await review."""
    estimate: bool | None = None
    """Estimate the matching model from the corpus (``--estimate/--no-estimate``); None: the
    matching engine's default (``dedupe.matching.model.Settings``)."""
    decisions: Path | None = None
    """CSV of reviewed pairs applied before clustering."""
    fix: bool = True
    """``run``: match and merge the records with the safe fixes applied (changes.csv)."""
    roles: tuple[str, ...] = ()
    """Roles that make the corpus (main, related, reference, listed); empty: all."""
    baseline: Path = Path("dedupe-baseline.json")
    """Accepted findings of ``dedupe check``."""
    source: str = "defaults"
    """Where the file settings came from (for messages)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_map", MappingProxyType(dict(self.column_map)))
        object.__setattr__(self, "severities", MappingProxyType(dict(self.severities)))
        object.__setattr__(self, "paths", tuple(Path(p) for p in self.paths))
        object.__setattr__(self, "roles", tuple(self.roles))
        self._check()

    def _check(self) -> None:
        """Raise ConfigError for values no command can use."""
        for name in ("merge_threshold", "review_threshold"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise ConfigError(f"{name} {value} is not a probability; give one in 0..1.")
        if self.review_threshold > self.merge_threshold:
            raise ConfigError(
                f"review threshold {self.review_threshold} is above merge threshold "
                f"{self.merge_threshold}; lower --review-threshold or raise --merge-threshold."
            )
        if self.fail_on is not None and self.fail_on not in FAIL_ON:
            raise ConfigError(
                f"fail_on {self.fail_on!r} is not one of {', '.join(FAIL_ON)} ({self.source})."
            )
        check_severities(self.severities, self.source)
        unknown = [r for r in self.roles if r not in ROLES]
        if unknown:
            raise ConfigError(
                f"role {unknown[0]!r} is not one of {', '.join(ROLES)} ({self.source})."
            )

    def match_settings(self):
        """The matching engine's Settings (the one place they are built from a Config)."""
        from dedupe.matching.model import Settings

        chosen = {"estimate": self.estimate} if self.estimate is not None else {}
        return Settings(
            merge_threshold=self.merge_threshold, review_threshold=self.review_threshold, **chosen
        )

    def fail_level(self, default: str) -> str:
        """``fail_on``, or the command's ``default`` when nothing set it."""
        return self.fail_on if self.fail_on is not None else default


class ConfigError(InputError):
    """Settings that contradict each other or name unknown things (a usage error, exit 2)."""


SETTING_NAMES = {f.name for f in fields(Config)} - {"source", "fmt", "column_map"} | {
    "format",
    "map",
}


def check_severities(severities: Mapping[str, str], source: str) -> dict[str, str]:
    """Check-name -> severity overrides, validated; ConfigError names ``source`` otherwise."""
    if not severities:
        return {}
    from dedupe.validation.checks import CHECKS, ROW_CHECKS, SEVERITIES  # loads pandera

    for check, level in severities.items():
        if check not in CHECKS and check not in ROW_CHECKS:
            raise ConfigError(
                f"{source}: unknown check {check!r} in severities; known: "
                f"{', '.join([*CHECKS, *ROW_CHECKS])}."
            )
        if level not in SEVERITIES:
            raise ConfigError(
                f"{source}: severity {level!r} of {check!r} is not one of {', '.join(SEVERITIES)}."
            )
    return dict(severities)


def parse_pairs(value: str | list, sep: str, what: str, source: str) -> dict[str, str]:
    """``"a<sep>b, c<sep>d"`` (or lines, or a list of such items) -> {a: b, c: d}."""
    items = value if isinstance(value, list) else re.split(r"[,\n]", value)
    out = {}
    for item in filter(None, (str(i).strip() for i in items)):
        key, found, val = item.partition(sep)
        if not found or not key.strip() or not val.strip():
            raise ConfigError(f"{source}: {item!r} in {what} is not KEY{sep}VALUE.")
        out[key.strip()] = val.strip()
    return out


def _line_of(path: Path, key: str) -> int:
    """1-based line where ``key`` is set in a config file (1 when not found)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return 1
    pattern = re.compile(rf"\s*{re.escape(key)}\s*[=:]")
    return next((n for n, ln in enumerate(lines, 1) if pattern.match(ln)), 1)


def _read_ini(path: Path) -> dict[str, Any] | None:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError) as exc:
        first = str(exc).splitlines()[0]
        line = getattr(exc, "lineno", 1)
        raise ConfigError(f"cannot read config ({first}); fix the file.", path, line) from None
    for section in INI_SECTIONS:
        if parser.has_section(section):
            return dict(parser.items(section))
    return None


def _read_toml(path: Path) -> dict[str, Any] | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read config ({exc}); fix the file.", path, 1) from None
    section = data.get("tool", {}).get("dedupe")
    return dict(section) if isinstance(section, dict) else None


def read_settings(path: Path) -> dict[str, Any] | None:
    """The raw dedupe section of an INI or TOML file (None when it has none)."""
    return _read_toml(path) if path.suffix == ".toml" else _read_ini(path)


def _convert(key: str, value: Any, path: Path) -> tuple[str, Any]:
    """One file setting as a Config field name and value; ConfigError with file:line."""
    line = _line_of(path, key)
    where = f"{path}:{line}"
    try:
        if key in ("merge_threshold", "review_threshold"):
            return key, float(value)
        if key in ("estimate", "fix"):
            return key, _boolean(value)
        if key == "roles":
            items = value if isinstance(value, list) else re.split(r"[,\s]+", str(value))
            return key, tuple(str(i).strip() for i in items if str(i).strip())
        if key == "paths":
            return key, tuple(
                Path(p) for p in (value if isinstance(value, list) else value.split())
            )
        if key in ("baseline", "decisions"):
            return key, Path(str(value))
        if key == "severities":
            return key, parse_pairs(value, ":", "severities", where)
        if key == "map":
            return "column_map", parse_pairs(value, "=", "map", where)
        return ("fmt" if key == "format" else key), str(value).strip()
    except (ValueError, AttributeError, TypeError):
        raise ConfigError(f"{key} = {value!r} is not a valid value.", path, line) from None


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text not in ("true", "false", "yes", "no", "1", "0", "on", "off"):
        raise ValueError(text)
    return text in ("true", "yes", "1", "on")


def file_settings(path: Path) -> dict[str, Any]:
    """Config fields from the dedupe section of ``path``, converted and checked by name."""
    raw = read_settings(path)
    if raw is None:
        return {}
    out: dict[str, Any] = {"source": str(path)}
    for key, value in raw.items():
        name = key.replace("-", "_")
        if name not in SETTING_NAMES:
            raise ConfigError(
                f"unknown setting {name!r}; known: {', '.join(sorted(SETTING_NAMES))}.",
                path,
                _line_of(path, key),
            )
        field_name, converted = _convert(name, value, path)
        out[field_name] = converted
    return out


def find_config(cwd: Path) -> Path | None:
    """The file in ``cwd`` holding dedupe settings: pyproject.toml or setup.cfg, not both."""
    found = [p for p in (cwd / "pyproject.toml", cwd / "setup.cfg") if p.is_file()]
    with_section = [p for p in found if read_settings(p) is not None]
    if len(with_section) > 1:
        first, second = with_section
        raise ConfigError(
            f"dedupe settings in both {first.name} and {second.name}; keep them in one.", first, 1
        )
    return with_section[0] if with_section else None


def load_config(config_file: Path | None = None, cwd: Path = Path("."), **overrides: Any) -> Config:
    """The configuration: defaults, then the settings file, then ``overrides`` not None."""
    if config_file is not None and not config_file.is_file():
        raise ConfigError("no such config file; check the --config path.", config_file)
    path = config_file or find_config(cwd)
    values = file_settings(path) if path else {}
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Config(**values)
