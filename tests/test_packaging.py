"""Packaging: every third-party module the library imports is declared, and nothing else."""

import ast
import configparser
import re
import sys
from importlib import metadata

from conftest import ROOT

PACKAGE = ROOT / "dedupe"
SPARK = PACKAGE / "spark"  # the optional engine: its imports belong to the [spark] extra


def imported_top_level(folder, exclude=None) -> set[str]:
    """Top-level module names imported anywhere below ``folder`` (absolute imports only)."""
    names = set()
    for path in folder.rglob("*.py"):
        if exclude is not None and path.is_relative_to(exclude):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def canonical(name: str) -> str:
    """A distribution name as PEP 503 compares it."""
    return re.sub(r"[-_.]+", "-", name).lower()


def declared_requirements(extra: str | None = None) -> set[str]:
    """Distribution names in setup.cfg's install_requires (or in one extra)."""
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    section = cfg["options.extras_require"][extra] if extra else cfg["options"]["install_requires"]
    lines = section.strip().splitlines()
    return {canonical(re.split(r"[<>=!~;\s\[]", ln.strip(), maxsplit=1)[0]) for ln in lines}


def distribution_of(module: str) -> str:
    """The distribution providing ``module`` (its own name when it is not installed)."""
    dists = metadata.packages_distributions().get(module, [module])
    return canonical(dists[0])


def third_party_modules(folder=PACKAGE, exclude=SPARK) -> set[str]:
    """Imported modules that are neither the standard library nor dedupe itself."""
    found = imported_top_level(folder, exclude)
    return found - set(sys.stdlib_module_names) - {"dedupe", "__future__"}


def test_every_imported_module_is_declared():
    declared = declared_requirements()
    missing = {m: distribution_of(m) for m in third_party_modules()}
    missing = {m: d for m, d in missing.items() if d not in declared}
    assert not missing, f"imported but not in install_requires: {missing}"


def test_the_spark_engine_imports_only_core_and_spark_extra_modules():
    allowed = declared_requirements() | declared_requirements("spark")
    used = {distribution_of(m) for m in third_party_modules(SPARK, None)}
    assert used - allowed == set()
    assert declared_requirements("spark") <= used


def test_every_declared_dependency_is_imported():
    used = {distribution_of(m) for m in third_party_modules()}
    assert declared_requirements() - used == set()


def test_every_requirement_has_a_lower_bound():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    for line in cfg["options"]["install_requires"].strip().splitlines():
        assert ">=" in line, f"{line.strip()!r} has no lower bound"


def test_the_scan_sees_imports_inside_functions(tmp_path):
    (tmp_path / "m.py").write_text("def f():\n    import yaml.loader\n    from . import x\n")
    assert imported_top_level(tmp_path) == {"yaml"}
