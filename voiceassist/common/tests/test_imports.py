"""What every app shares imports no app: the apps depend on ``voiceassist.common``, never the other way round."""

import ast
from pathlib import Path

COMMON = Path(__file__).resolve().parents[1]
APPS = frozenset({"customers", "uploads", "calls", "payments", "agents"})
# The demo data command makes customers through customers' services: a command at the top of the stack, which
# no app imports. Any other module of common importing an app fails this test.
ALLOWED = frozenset({"management/commands/seed_demo.py"})


def _common_modules() -> list[Path]:
    return [
        path
        for path in sorted(COMMON.rglob("*.py"))
        if not {"tests", "migrations"} & set(path.relative_to(COMMON).parts[:-1])
        and path.relative_to(COMMON).as_posix() not in ALLOWED
    ]


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
