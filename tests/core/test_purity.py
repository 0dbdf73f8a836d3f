"""The money and date rules stay pure Python: no Django or DRF import anywhere in them."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE_MODULES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "core").glob("*.py"))
LATER_MODULES = [
    "settlements/calculations.py",
    "settlements/daily_rules.py",
    "kpis/evaluation.py",
    "obligations/cure.py",
    "obligations/schedules.py",
    "banking/matching.py",
]
FORBIDDEN = ("django", "rest_framework")
# Third-party packages each pure module may use besides the standard library.
ALLOWED_THIRD_PARTY = {"core/workdays.py": {"chinese_calendar"}}


def imported_modules(source: str) -> list[str]:
    """Every absolute module name imported anywhere in ``source``, including nested imports
    and ``__import__("x")`` / ``importlib.import_module("x")`` with a literal name."""
    names: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            function = node.func
            called = (
                function.id if isinstance(function, ast.Name) else getattr(function, "attr", "")
            )
            if called in ("__import__", "import_module") and isinstance(node.args[0].value, str):
                names.append(node.args[0].value)
    return names


def forbidden_imports(source: str) -> list[str]:
    """The imported names that belong to Django or Django REST framework."""
    return [
        name
        for name in imported_modules(source)
        if any(name == root or name.startswith(f"{root}.") for root in FORBIDDEN)
    ]


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("import django", ["django"]),
        ("from django.db import models", ["django.db"]),
        ("import os, django.conf as c", ["django.conf"]),
        ("def f():\n    from rest_framework import serializers", ["rest_framework"]),
        ("if True:\n    import django_environ_like\n", []),
        ("import importlib\nimportlib.import_module('django.utils')", ["django.utils"]),
        ("__import__('rest_framework')", ["rest_framework"]),
        ("from . import django", []),  # a relative import of a sibling named django
        ("import decimal\nfrom datetime import date", []),
    ],
)
def test_checker_finds_framework_imports(source: str, found: list[str]) -> None:
    assert forbidden_imports(source) == found


@pytest.mark.parametrize("relative_path", CORE_MODULES)
def test_core_module_imports_only_stdlib(relative_path: str) -> None:
    path = ROOT / relative_path
    assert path.exists(), f"{relative_path} must exist: it holds the pure money and date rules"
    source = path.read_text(encoding="utf-8")
    assert forbidden_imports(source) == []
    allowed = (
        set(sys.stdlib_module_names) | {"core"} | ALLOWED_THIRD_PARTY.get(relative_path, set())
    )
    outside = [name for name in imported_modules(source) if name.split(".")[0] not in allowed]
    assert outside == [], f"{relative_path} imports {outside}: only the standard library is allowed"


@pytest.mark.parametrize("relative_path", LATER_MODULES)
def test_pure_calculation_module_has_no_framework_import(relative_path: str) -> None:
    path = ROOT / relative_path
    if not path.exists():
        pytest.skip(f"{relative_path} does not exist yet; it is checked once it is written")
    assert forbidden_imports(path.read_text(encoding="utf-8")) == []


def test_importing_core_loads_no_django() -> None:
    # Catches an import that reaches Django indirectly, e.g. through a package __init__.
    code = (
        "import sys, core.money, core.workdays, core.periods\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'rest_framework'))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert result.stdout.strip() == ""
