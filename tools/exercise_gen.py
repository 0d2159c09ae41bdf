"""Generate the exercise notebooks from the solution notebooks: ``solutions/`` is the single source.

``python -m tools.exercise_gen`` rewrites every ``exercises/NN_topic.ipynb`` from
``solutions/NN_topic.ipynb``; ``python -m tools.exercise_gen --check`` writes nothing and
exits with status 1 when a committed exercise is missing, stale or has no solution (tests run it).

What changes, and nothing else (cells keep their order and count):

* code cells: the lines from ``# BEGIN SOLUTION`` to ``# END SOLUTION`` (markers included) become
  ``# YOUR CODE HERE`` and ``raise NotImplementedError``, indented like the ``BEGIN`` line;
* markdown cells: the lines from ``<!-- BEGIN SOLUTION -->`` to ``<!-- END SOLUTION -->`` become
  the line ``*Your answer here.*``;
* cells whose metadata tags include ``solution-only`` are dropped;
* outputs and execution counts are cleared, and :func:`tools.notebook_tools.normalise` (what
  ``sync`` does) points the title cell's Colab badge at the exercise's own path.

A marker must sit alone on its line; nested, unclosed or unopened markers stop the generator with
an error that names the notebook and the cell. The output is byte-stable: the same solution
always gives the same bytes (nbgrader's "BEGIN SOLUTION" regions work the same way).
"""
from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from pathlib import Path

from tools.notebook_tools import ROOT, badge, cell_source, dumps, normalise

__all__ = ["MarkerError", "strip_code", "strip_markdown", "exercise_notebook", "generate", "main",
           "STUB", "ANSWER_PLACEHOLDER", "SOLUTION_ONLY_TAG"]

STUB = ("# YOUR CODE HERE", "raise NotImplementedError")
ANSWER_PLACEHOLDER = "*Your answer here.*"
SOLUTION_ONLY_TAG = "solution-only"

_CODE_BEGIN = re.compile(r"^(\s*)#+\s*BEGIN SOLUTION\s*$")
_CODE_END = re.compile(r"^\s*#+\s*END SOLUTION\s*$")
_MD_BEGIN = re.compile(r"^\s*<!--\s*BEGIN SOLUTION\s*-->\s*$")
_MD_END = re.compile(r"^\s*<!--\s*END SOLUTION\s*-->\s*$")


class MarkerError(ValueError):
    """Unbalanced or nested solution markers; the message names the notebook and the cell."""


def _strip(source: str, begin: re.Pattern, end: re.Pattern, replacement, where: str) -> str:
    """Replace every begin..end region of `source`; `replacement(indent)` gives the new lines."""
    lines = source.split("\n")
    out, opened = [], None
    for number, line in enumerate(lines, start=1):
        start = begin.match(line)
        if start:
            if opened is not None:
                raise MarkerError(f"{where}, line {number}: BEGIN SOLUTION inside the region opened "
                                  f"on line {opened}; close it with END SOLUTION first")
            opened = number
            out.extend(replacement(start.group(1) if start.groups() else ""))
        elif end.match(line):
            if opened is None:
                raise MarkerError(f"{where}, line {number}: END SOLUTION without a BEGIN SOLUTION "
                                  "above it in the same cell")
            opened = None
        elif opened is None:
            out.append(line)
    if opened is not None:
        raise MarkerError(f"{where}, line {opened}: BEGIN SOLUTION is never closed; add an "
                          "END SOLUTION line in the same cell")
    return "\n".join(out)


def strip_code(source: str, where: str = "code cell") -> str:
    """`source` with each solution region replaced by the stub, at the BEGIN line's indentation."""
    return _strip(source, _CODE_BEGIN, _CODE_END,
                  lambda indent: [indent + line for line in STUB], where)


def strip_markdown(source: str, where: str = "markdown cell") -> str:
    """`source` with each hidden answer replaced by one italic 'Your answer here.' line."""
    return _strip(source, _MD_BEGIN, _MD_END, lambda indent: [ANSWER_PLACEHOLDER], where)


def _describe_cell(name: str, index: int, cell: dict) -> str:
    first = next((line.strip() for line in cell_source(cell).splitlines() if line.strip()), "")
    first = first if len(first) <= 50 else first[:47] + "..."
    return f"{name}, cell {index + 1} ({cell.get('cell_type')}: {first!r})"


def exercise_notebook(solution: dict, name: str = "notebook") -> dict:
    """The exercise version of a solution notebook (a dict in nbformat 4), without the badge fix."""
    notebook = copy.deepcopy(solution)
    cells = []
    for index, cell in enumerate(notebook.get("cells", [])):
        if SOLUTION_ONLY_TAG in cell.get("metadata", {}).get("tags", []):
            continue
        where = _describe_cell(name, index, cell)
        if cell.get("cell_type") == "code":
            text = strip_code(cell_source(cell), where)
            cell["outputs"], cell["execution_count"] = [], None
        elif cell.get("cell_type") == "markdown":
            text = strip_markdown(cell_source(cell), where)
        else:
            text = cell_source(cell)
        cell["source"] = text.splitlines(keepends=True)
        cells.append(cell)
    notebook["cells"] = cells
    return notebook


def _render(solution_path: Path, root: Path) -> str:
    """The exact text of the exercise notebook generated from `solution_path`."""
    relative = solution_path.resolve().relative_to(root.resolve()).as_posix()
    try:
        solution = json.loads(solution_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise MarkerError(f"{relative} is not valid JSON ({error})") from None
    exercise = exercise_notebook(solution, relative)
    if exercise["cells"]:  # point the title cell's badge at the exercise, where it stands
        title = exercise["cells"][0]
        text = cell_source(title).replace(badge(f"solutions/{solution_path.name}"),
                                      badge(f"exercises/{solution_path.name}"))
        title["source"] = text.splitlines(keepends=True)
    return dumps(normalise(exercise, f"exercises/{solution_path.name}"))


def generate(root: Path = ROOT, check: bool = False, out=None) -> int:
    """Regenerate (or, with `check`, verify) every exercise; returns the exit status."""
    root, out = Path(root), sys.stdout if out is None else out
    solutions = sorted((root / "solutions").glob("*.ipynb"))
    exercises_dir = root / "exercises"
    problems, written = [], 0
    for solution in solutions:
        target = exercises_dir / solution.name
        text = _render(solution, root)
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if text == current:
            continue
        if check:
            state = "is missing" if current is None else "is out of date"
            problems.append(f"exercises/{solution.name} {state}: run `make exercises` "
                            "(python -m tools.exercise_gen) and commit the result")
        else:
            exercises_dir.mkdir(exist_ok=True)
            target.write_text(text, encoding="utf-8")
            written += 1
    names = {s.name for s in solutions}
    orphans = sorted(p.name for p in exercises_dir.glob("*.ipynb") if p.name not in names)
    problems += [f"exercises/{name} has no source solutions/{name}: exercises are generated, "
                 "never written by hand; delete it or add the solution" for name in orphans]
    for message in problems:
        print(message, file=out)
    if check:
        if not problems:
            print(f"{len(solutions)} exercise notebook(s) up to date", file=out)
        return 1 if problems else 0
    print(f"generated {len(solutions)} exercise notebook(s), {written} changed", file=out)
    return 1 if orphans else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.exercise_gen",
                                     description="Generate exercises/ from solutions/.")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if an exercise is missing or out of date")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        return generate(args.root, check=args.check)
    except MarkerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
