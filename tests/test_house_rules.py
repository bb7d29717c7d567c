"""The house style's lint rules (house-style.md), checked over the source tree."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "amends"
# Along the pipeline: an app may import only the apps listed for it (and itself).
ALLOWED_IMPORTS = {
    "core": set(),
    "accounts": {"core"},
    "people": {"core"},
    "referrals": {"core", "accounts", "people"},
    "hub": {"core", "accounts", "people", "referrals"},
    "practitioners": {"core", "accounts", "people"},
    "cases": {"core", "accounts", "people", "referrals", "hub", "practitioners"},
    "events": {"core", "accounts", "people", "practitioners"},
    "demo": {
        "core",
        "accounts",
        "people",
        "referrals",
        "hub",
        "practitioners",
        "events",
        "cases",
    },
    "api": {"core", "accounts", "people", "referrals"},
}
STATE_FIELDS = {"state"}


def source_files(*, include_tests: bool = False) -> list[Path]:
    files = []
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).parts
        if "migrations" in parts or (not include_tests and "tests" in parts):
            continue
        files.append(path)
    return files


def test_every_app_is_covered_by_the_import_rule():
    apps = {p.name for p in PACKAGE.iterdir() if (p / "apps.py").exists()}
    assert apps == set(ALLOWED_IMPORTS)


def test_imports_point_one_way_along_the_pipeline():
    bad = []
    for path in source_files():
        app = path.relative_to(PACKAGE).parts[0]
        if app not in ALLOWED_IMPORTS:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                parts = name.split(".")
                if parts[0] == "amends" and len(parts) > 1 and parts[1] in ALLOWED_IMPORTS:
                    target = parts[1]
                    if target != app and target not in ALLOWED_IMPORTS[app]:
                        bad.append(f"{path.relative_to(PACKAGE)} imports amends.{target}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("name", ["views*.py", "api*.py"])
def test_views_reach_records_only_through_selectors_and_services(name):
    bad = []
    for path in PACKAGE.rglob(name):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in {"objects", "_default_manager"}:
                bad.append(f"{path.relative_to(PACKAGE)}:{node.lineno} uses .{node.attr}")
    assert not bad, "\n".join(bad)


def test_workflow_state_changes_only_through_the_transition_function():
    engine = PACKAGE / "core" / "workflow.py"
    bad = []
    for path in source_files(include_tests=True):
        if path == engine:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            targets = []
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, ast.AugAssign | ast.AnnAssign):
                targets = [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr in STATE_FIELDS:
                    line = getattr(node, "lineno", 0)
                    bad.append(f"{path.relative_to(PACKAGE)}:{line} assigns .{target.attr}")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"update", "create", "update_or_create"}
                and any(kw.arg in STATE_FIELDS for kw in node.keywords)
            ):
                where = f"{path.relative_to(PACKAGE)}:{node.lineno}"
                bad.append(f"{where} sets a state in .{node.func.attr}()")
    assert not bad, "\n".join(bad)
