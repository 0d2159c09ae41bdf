"""What a lecture prints is the method: every object a notebook prints with ``course.show_source``
shows one to three check lines (README, "The library"), counted as tools/check_lines.py counts them.

The objects are found by reading the notebooks: each ``show_source(...)`` argument is evaluated
after the notebook's own ``course_lib`` imports, so a new printed function is counted without
editing this file.
"""
from __future__ import annotations

import ast
import json
import re

import pytest

from tools import check_lines, notebook_tools

MAX_CHECK_LINES = 3


def _course_imports(code: str) -> list[str]:
    """The notebook's top-level imports from course_lib, as statements."""
    kept = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith(("%", "!")))
    try:
        tree = ast.parse(kept)
    except SyntaxError:
        return []
    return [ast.unparse(node) for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))
            and any(name.startswith("course_lib") for name in
                    ([node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]))]


def printed_objects() -> list[tuple[str, str]]:
    """(notebook, expression) for every show_source call in the committed notebooks."""
    found = []
    for path in notebook_tools.all_notebooks():
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            if cell["cell_type"] == "code":
                for expression in re.findall(r"show_source\(([^()]+)\)", notebook_tools.cell_source(cell)):
                    found.append((path.parent.name + "/" + path.stem, expression.strip()))
    return sorted(set(found))


def resolve(notebook: str, expression: str):
    path = notebook_tools.ROOT / f"{notebook}.ipynb"
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    namespace: dict = {}
    for cell in cells:
        if cell["cell_type"] == "code":
            for statement in _course_imports(notebook_tools.cell_source(cell)):
                exec(statement, namespace)
    return eval(expression, namespace)


PRINTED = printed_objects()


def test_the_printed_objects_were_found():
    assert len(PRINTED) >= 50, PRINTED
    assert ("notebooks/06_cardio_case", "counterfactual") in PRINTED


@pytest.mark.parametrize("notebook, expression", PRINTED, ids=[f"{n[10:12]}-{e}" for n, e in PRINTED])
def test_a_printed_object_shows_at_most_three_check_lines(notebook, expression):
    obj = resolve(notebook, expression)
    n = check_lines.printed_check_lines(obj)
    assert n <= MAX_CHECK_LINES, (
        f"{notebook} prints {expression} with {n} check lines: move its argument checks into one "
        f"composite check in course_lib._validation (at most {MAX_CHECK_LINES})")


def test_the_count_sees_check_lines():
    """The counter is not blind: two check calls and a two-line raise are four check lines."""
    source = '''from course_lib._validation import check_rows, check_seed
def f(X, seed, n):
    X = check_rows(X, "X")
    seed = check_seed(seed)
    if n < 1:
        raise ValueError(
            "n must be positive")
    return X[:n]
'''
    checks, code = check_lines.line_numbers(source)
    assert sorted(checks & code) == [3, 4, 6, 7]      # the two checks and the raise, not the if
