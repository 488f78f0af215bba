"""Imports go one way. What every app shares imports no app (the apps depend on ``voiceassist.common``, never
the other way round), and each app imports only the apps below it: customers ← uploads ← calls ← payments ←
agents, all above exports (export jobs, which know the apps' exports only through their registry). Tests may
reach across to build their data."""

import ast
from pathlib import Path

COMMON = Path(__file__).resolve().parents[1]
APPS = frozenset({"customers", "uploads", "calls", "payments", "agents", "exports"})
ROOT = COMMON.parents[1]
# Each app and the apps it may import.
BELOW = {
    "exports": set(),
    "customers": {"exports"},
    "uploads": {"exports", "customers"},
    "calls": {"exports", "customers", "uploads"},
    "payments": {"exports", "customers", "uploads", "calls"},
    "agents": {"exports", "customers", "uploads", "calls", "payments"},
}


def _modules(package: Path) -> list[Path]:
    return [
        path
        for path in sorted(package.rglob("*.py"))
        if not {"tests", "migrations"} & set(path.relative_to(package).parts[:-1])
    ]


def _common_modules() -> list[Path]:
    return _modules(COMMON)


def _apps_imported(path: Path) -> set[str]:
    """The apps ``path`` imports, at the top of the module or inside a function."""
    imported = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        imported.update(name.split(".")[0] for name in names if name.split(".")[0] in APPS)
    return imported


def test_no_module_of_common_imports_an_app():
    modules = _common_modules()
    assert COMMON / "exports.py" in modules and COMMON / "admin.py" in modules

    offenders = {path.relative_to(COMMON).as_posix(): apps for path in modules if (apps := _apps_imported(path))}

    assert offenders == {}


def test_the_check_sees_an_app_imported_anywhere_in_a_module(tmp_path):
    module = tmp_path / "module.py"
    module.write_text(
        "import json\nimport calls.models\nfrom .exports import EXPORTS\n\n"
        "def later():\n    from customers.services import customer_upsert\n    from agents import views\n"
    )

    assert _apps_imported(module) == {"calls", "customers", "agents"}


def test_each_app_imports_only_the_apps_below_it():
    assert set(BELOW) == APPS
    offenders = {}
    for app, allowed in BELOW.items():
        for path in _modules(ROOT / app):
            if upward := _apps_imported(path) - allowed - {app}:
                offenders[path.relative_to(ROOT).as_posix()] = upward

    assert offenders == {}
