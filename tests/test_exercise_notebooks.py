"""Every untouched exercise notebook fails exactly at its stub cells and its check cells.

A stub cell (``raise NotImplementedError`` run at the top level of the cell) and every check cell
(``qN.check()``, which must say "not attempted yet") fail; every other cell must pass. A cell that
fails without being either usually uses a variable defined in an answer region: move that code
into the answer region or into the check. Failures name the notebook and the cell.
"""
import ast
import importlib
import json
import re

import pytest

from course_lib.grading import check_cells, notebook_topic
from notebook_runner import run_notebook
from tools.notebook_tools import ROOT

EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))
IDS = [p.name for p in EXERCISES]
_MAGIC = re.compile(r"^\s*[%!]")


def code_cells(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return notebook, ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]


def raises_when_run(source: str) -> bool:
    """True when the cell runs a ``raise NotImplementedError`` itself (not inside a def)."""
    code = "\n".join("pass" if _MAGIC.match(line) else line for line in source.splitlines())
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return any(line.startswith("raise NotImplementedError") for line in source.splitlines())

    def visit(node, inside_function=False):
        if isinstance(node, ast.Raise) and not inside_function:
            target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(target, ast.Name) and target.id == "NotImplementedError":
                return True
        inside = inside_function or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        return any(visit(child, inside) for child in ast.iter_child_nodes(node))

    return visit(tree)


def expected_failures(path) -> dict[int, str]:
    """Code-cell index -> 'stub' or 'check' for the cells that must fail when untouched."""
    notebook, sources = code_cells(path)
    expected = {i: "stub" for i, source in enumerate(sources) if raises_when_run(source)}
    expected.update({i: "check" for i in check_cells(notebook)})
    return expected


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")[:70]


def test_raises_when_run():
    assert raises_when_run("# YOUR CODE HERE\nraise NotImplementedError")
    assert raises_when_run("for i in range(3):\n    raise NotImplementedError()")
    assert not raises_when_run("def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError")
    assert not raises_when_run("x = 1\n# raise NotImplementedError")
    assert raises_when_run("%matplotlib inline\nraise NotImplementedError")


@pytest.mark.parametrize("path", EXERCISES, ids=IDS)
def test_exercise_structure(path):
    """The notebook names its topic, every question has a plain check cell, and there are stubs."""
    notebook, sources = code_cells(path)
    topic, why = notebook_topic(notebook, path)
    assert topic is not None, f"{path.name}: {why}"
    questions = [q.name for q in importlib.import_module(
        f"course_lib.exercises.{topic.module}").QUESTIONS]
    checks = check_cells(notebook)
    problems = []
    for name in questions:
        cells = [i for i, names in checks.items() if name in names]
        if not cells:
            problems.append(f"{path.name}: no cell calls {name}.check()")
        for i in cells:
            code = [line.strip() for line in sources[i].splitlines()
                    if line.strip() and not line.strip().startswith("#")]
            if code != [f"{name}.check()"]:
                problems.append(f"{path.name}: code cell {i} should hold only `{name}.check()` "
                                f"(comments allowed), it holds {code}")
    unknown = sorted({n for names in checks.values() for n in names} - set(questions))
    if unknown:
        problems.append(f"{path.name}: checks {unknown} are not in {topic.module}.QUESTIONS")
    if not any(raises_when_run(s) or "raise NotImplementedError" in s for s in sources):
        problems.append(f"{path.name}: no stub (raise NotImplementedError) at all")
    assert not problems, "\n".join(problems)


@pytest.mark.slow
@pytest.mark.parametrize("path", EXERCISES, ids=IDS)
def test_untouched_exercise_fails_only_at_stubs_and_checks(path):
    result = run_notebook(path, cell_timeout=300, notebook_timeout=600)
    assert result.status == "ok", f"{path.name}: {result.status}: {result.reason}\n{result.log[-3000:]}"
    _, sources = code_cells(path)
    assert sorted(result.cells) == list(range(len(sources))), "every code cell must have run"
    expected = expected_failures(path)
    failed = {i for i, cell in result.cells.items() if cell.outcome == "failed"}
    problems = []
    for i in sorted(failed - set(expected)):
        message = [line for line in result.cells[i].message.splitlines() if line.strip()]
        problems.append(
            f"exercises/{path.name}, code cell {i} (`{_first_line(sources[i])}`) fails although it "
            f"holds no stub and no check; it probably uses a variable defined in an answer region "
            f"(move that code into the answer region or the check). Last line: "
            f"{message[-1] if message else ''}")
    for i in sorted(set(expected) - failed):
        problems.append(f"exercises/{path.name}, code cell {i} (`{_first_line(sources[i])}`) "
                        f"should fail untouched ({expected[i]}) but {result.cells[i].outcome}"
                        + ("; a check that passes on an untouched notebook checks nothing"
                           if expected[i] == "check" else ""))
    for i in sorted(i for i, kind in expected.items() if kind == "check" and i in failed):
        if "Not attempted yet" not in result.cells[i].message:
            lines = [line for line in result.cells[i].message.splitlines() if line.strip()]
            problems.append(f"exercises/{path.name}, code cell {i} (`{_first_line(sources[i])}`) "
                            f"should say 'Not attempted yet' untouched; it says: "
                            f"{next((l for l in lines if 'Not yet' in l or 'Error' in l), lines[-1] if lines else '')}")
    assert not problems, "\n".join(problems)
