"""The house rules a newcomer relies on, checked on the source rather than trusted to prose.

- No module outside migrations is over 600 lines, and no function over 80: a module holds one
  job, and a function can be read on one screen.
- No import of one of our modules is deferred into a function to dodge a cycle: the layer
  order (pyproject's import-linter contracts, run by `make lint`) holds with imports at the
  top. The CLI defers on purpose (each command loads only what it uses, so `safetynet --help`
  starts before Django is set up) and so does `AppConfig.ready()` (Django's app registry).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "safetynet"
MODULE_LINES = 600
FUNCTION_LINES = 80


def _modules() -> Iterator[Path]:
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def _functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def _may_defer(path: Path, function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    relative = path.relative_to(SRC)
    return relative.parts[0] == "cli" or (relative.name == "apps.py" and function.name == "ready")


def test_no_module_is_over_600_lines() -> None:
    long = {
        str(path.relative_to(SRC)): lines
        for path in _modules()
        if (lines := len(path.read_text().splitlines())) > MODULE_LINES
    }
    assert long == {}


def test_no_function_is_over_80_lines() -> None:
    long = {}
    for path in _modules():
        for function in _functions(ast.parse(path.read_text())):
            lines = (function.end_lineno or function.lineno) - function.lineno + 1
            if lines > FUNCTION_LINES:
                long[f"{path.relative_to(SRC)}:{function.lineno} {function.name}"] = lines
    assert long == {}


def test_no_import_of_our_modules_is_deferred_into_a_function() -> None:
    deferred = []
    for path in _modules():
        for function in _functions(ast.parse(path.read_text())):
            if _may_defer(path, function):
                continue
            for node in ast.walk(function):
                module = ""
                if isinstance(node, ast.ImportFrom) and node.level == 0:
                    module = node.module or ""
                elif isinstance(node, ast.Import):
                    module = node.names[0].name
                if module == "safetynet" or module.startswith("safetynet."):
                    deferred.append(f"{path.relative_to(SRC)}:{node.lineno} {module}")
    assert deferred == []


def test_the_checks_read_the_package() -> None:
    # The checks above would pass vacuously if they read nothing.
    modules = list(_modules())
    assert len(modules) > 50
    assert sum(len(list(_functions(ast.parse(p.read_text())))) for p in modules) > 500
