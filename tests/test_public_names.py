"""Every course_lib name that the lectures, solutions, exercises and exercise checks use exists.

Re-exports were dropped from the library (one home per name); the names the notebooks and the
submitted exercises import keep working, because a learner's notebook is never rewritten. This
reads every code cell and every ``course_lib/exercises`` module, collects
``from course_lib.X import a, b`` and ``X.a`` for a module X imported from course_lib (under any
alias), and asserts that each of those names can be imported.
"""
from __future__ import annotations

import ast
import importlib
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _sources():
    """(where, python source) for every code cell of the notebooks and each exercise check."""
    for folder in ("notebooks", "solutions", "exercises"):
        for path in sorted((ROOT / folder).glob("*.ipynb")):
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
            # IPython magics and shell lines are not Python
            yield path.relative_to(ROOT), "\n".join(
                line for line in code.splitlines() if not line.lstrip().startswith(("%", "!")))
    for path in sorted((ROOT / "course_lib" / "exercises").glob("*.py")):
        yield path.relative_to(ROOT), path.read_text(encoding="utf-8")


def _used_names(where, source) -> set[tuple[str, str, str]]:
    """{(module, name, where)} of course_lib names that `source` imports or reads as attributes."""
    tree = ast.parse(source)
    package = "course_lib.exercises" if str(where).startswith("course_lib") else ""
    modules, used = {}, set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:                                  # relative, inside course_lib/exercises
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = "course_lib" if node.level >= 2 else base
                module = f"{base}.{module}" if module else base
            if not module.startswith("course_lib"):
                continue
            for alias in node.names:
                if alias.name == "*":
                    continue
                submodule = f"{module}.{alias.name}"
                if importlib.util.find_spec(module) and _is_module(submodule):
                    modules[alias.asname or alias.name] = submodule
                else:
                    used.add((module, alias.name, str(where)))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("course_lib.") and alias.asname:
                    modules[alias.asname] = alias.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules:
            used.add((modules[node.value.id], node.attr, str(where)))
    return used


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


USED = sorted({item for where, source in _sources() for item in _used_names(where, source)})


def test_the_names_were_found():
    """The scan sees the lectures' imports (a scan that finds nothing would pass vacuously)."""
    names = {(module, name) for module, name, _ in USED}
    assert ("course_lib.kernel_shap", "kernel_shap") in names
    assert ("course_lib.cam", "grad_cam") in names
    assert ("course_lib.inspection", "permutation_importance") in names
    assert len(names) > 100


@pytest.mark.parametrize("module, name, where", USED, ids=[f"{m}.{n}" for m, n, _ in USED])
def test_every_name_the_notebooks_use_exists(module, name, where):
    assert hasattr(importlib.import_module(module), name), f"{where} uses {module}.{name}"
