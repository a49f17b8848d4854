"""The house's shape (ARCHITECTURE.md), checked: imports run downward and pure means pure.

Layers, top to bottom: views (HTTP: ``*views*``, ``web``, ``refusals``, ``filters``, the
factory) → services and read models → rules, models and pure modules. Read from the source
(imports inside functions included), so a lazy import cannot slip past.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "resolutions"

# Modules that decide without Flask and without a database: imported alone, they load neither.
PURE_MODULES = (
    "resolutions.errors",
    "resolutions.messages",
    "resolutions.enums",
    "resolutions.rules.roles",
    "resolutions.rules.visibility",
    "resolutions.rules.accounts",
    "resolutions.voting.majority",
    "resolutions.drafting.text",
    "resolutions.drafting.docx_import",
    "resolutions.conferences.csv_import",
    "resolutions.documents.heading",
    "resolutions.documents.resolution_data",
    "resolutions.documents.akoma_ntoso",
)
FORBIDDEN_IN_PURE = ("flask", "flask_babel", "flask_login", "flask_sqlalchemy", "sqlalchemy")

# The HTTP layer: only these may handle requests, flash, redirect or pick templates.
HTTP_MODULES = frozenset(
    {
        "resolutions.app",
        "resolutions.web",
        "resolutions.refusals",
        "resolutions.filters",
        "resolutions.health",
        "resolutions.cli",
    }
)
# What a service may take from Flask: the application's configuration, nothing of the request.
SERVICE_FLASK_NAMES = frozenset({"current_app"})
AREAS = ("auth", "admin", "conferences", "drafting", "voting", "documents")


def _name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_http(module: str) -> bool:
    if module == "resolutions":  # the package: only its lazy ``create_app`` is the factory
        return False
    # ``drafting/views.py``, or a module of a ``views/`` package split by audience
    return module in HTTP_MODULES or any(part.endswith("views") for part in module.split("."))


def _imports(path: Path) -> list[tuple[str, str | None]]:
    """(module, name) for every import in the file, at any depth."""
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.module, alias.name) for alias in node.names]
    return found


MODULES = {_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def test_no_module_below_the_views_imports_a_view():
    wrong = [
        f"{module} imports {target}{'.' + name if name else ''}"
        for module, path in MODULES.items()
        if not _is_http(module) and module != "resolutions"
        for target, name in _imports(path)
        if _is_http(target) or (name is not None and _is_http(f"{target}.{name}"))
    ]
    assert wrong == []


def _is_service(module: str) -> bool:
    parts = module.split(".")
    return "service" in parts or module.startswith("resolutions.rules")


def test_services_and_rules_never_touch_the_request():
    """No ``request``, ``flash``, ``abort``, ``g`` or ``current_user`` in a service: they take
    plain arguments and raise ``resolutions.errors``; the views do HTTP."""
    wrong = [
        f"{module}: from {target} import {name}"
        for module, path in MODULES.items()
        if _is_service(module)
        for target, name in _imports(path)
        if target in ("flask", "flask_login") and name not in SERVICE_FLASK_NAMES
    ]
    assert wrong == []


def test_models_and_rules_import_no_area():
    """Rules and tables sit at the bottom: they know no area's service or view."""
    wrong = [
        f"{module} imports {target}"
        for module, path in MODULES.items()
        if module.startswith(("resolutions.models", "resolutions.rules", "resolutions.enums"))
        for target, _ in _imports(path)
        if any(target.startswith(f"resolutions.{area}") for area in AREAS)
    ]
    assert wrong == []


def test_one_error_hierarchy():
    """Every exception a service raises for the user derives from ``DomainError``: no area
    defines its own base (three hierarchies, two ``PermissionDenied``, were the past)."""
    defined = [
        f"{module}.{node.name}"
        for module, path in MODULES.items()
        if module != "resolutions.errors"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ClassDef)
        and any(ast.unparse(base) in ("Exception", "PermissionDenied") for base in node.bases)
    ]
    # Failures of the machinery, never shown to a user as a refusal.
    assert sorted(defined) == ["resolutions.backup.BackupError"]


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_module_is_listed_in_the_package(module):
    assert module in MODULES


def test_pure_modules_load_no_flask_and_no_database():
    """Imported one after the other in a fresh interpreter, none loads Flask or SQLAlchemy."""
    script = f"""
import importlib, sys
forbidden = {FORBIDDEN_IN_PURE!r}
for module in {PURE_MODULES!r}:
    importlib.import_module(module)
    loaded = sorted(name for name in forbidden if name in sys.modules)
    if loaded:
        print(module, "loads", ", ".join(loaded))
        break
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=PACKAGE.parent,
        timeout=60,
    )
    assert result.stdout == ""


def test_template_filters_are_registered_in_one_place():
    """No blueprint registers a filter as a side effect of being imported: the PDF templates
    find the same filters as the pages, from ``filters.register_filters``."""
    elsewhere = [
        module
        for module, path in MODULES.items()
        if module != "resolutions.filters" and "template_filter" in path.read_text()
    ]
    assert elsewhere == []


# What a view may do with the session: commit the service's transaction once (or roll it back).
VIEW_SESSION_CALLS = frozenset({"commit", "rollback"})


def _queries(path: Path) -> list[str]:
    """Every query a module builds or runs: ``db.session.<anything but commit>``, ``select(``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        called = ast.unparse(node.func)
        owner, _, method = called.rpartition(".")
        if method == "select" or (owner == "db.session" and method not in VIEW_SESSION_CALLS):
            found.append(f"{path.name}:{node.lineno} {called}(")
    return found


def test_views_build_no_queries():
    """Views parse and translate HTTP: loading and listing rows is the service's or the read
    model's (an object from the URL through ``get_in_conference``)."""
    views = {m: p for m, p in MODULES.items() if _is_http(m) and m.split(".")[1] in AREAS}
    assert len(views) > 10  # every area's views, found
    wrong = [f"{module}: {query}" for module, path in views.items() for query in _queries(path)]
    assert wrong == []


def test_tests_share_helpers_through_helper_modules_not_conftest_or_other_tests():
    """Fixtures come from conftest by name; helpers from helper modules (tests/objects/,
    tests/e2e/browser.py…), never ``from tests.conftest import`` or from another test file."""
    tests = Path(__file__).resolve().parent
    offenders = []
    for path in sorted(tests.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                last = node.module.rsplit(".", 1)[-1]
                if node.module.startswith("tests") and (
                    last == "conftest" or last.startswith("test_")
                ):
                    offenders.append(f"{path.relative_to(tests)}: from {node.module}")
    assert offenders == []


# "No module over about 500 lines": a module past this is split by topic behind its facade.
MAX_MODULE_LINES = 550


def test_no_module_is_too_long_to_read():
    long = {
        module: lines
        for module, path in MODULES.items()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}
