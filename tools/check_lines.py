"""Count the argument-check lines in course_lib's method modules, now or at a git commit.

A check line is a line of
* a statement that calls a check (a function imported from ``_validation``, or one named
  ``check_*`` / ``_check*``),
* a ``raise TypeError(...)`` or ``raise ValueError(...)`` statement (every line of it),
* the body of a check helper defined in the module itself (``check_*`` / ``_check*``, unless
  the module lists it in ``__all__``: ``shapley.check_axioms`` is a method the course teaches).
``_validation`` itself is the one place checks live and is not counted. The rule the count
follows: check at the door, trust inside (design.md), so that nested calls add no checks.

    python -m tools.check_lines [REF]      # REF: a commit (default: the working tree)
"""
from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The method layer of tests/test_layers.py (lime is a package: all its modules count).
METHODS = ("game", "shapley", "shapley_model", "kernels", "lime", "kernel_shap", "tree_shap", "hooks",
           "cam", "metrics", "inspection", "surrogate", "counterfactual", "warp", "shortcut",
           "effects", "examples", "anchors", "faithfulness", "attention", "baselines", "concepts")


def _is_check_name(name: str) -> bool:
    return name.startswith(("check_", "_check")) or name == "model_outputs"


def count(source: str) -> tuple[int, int]:
    """(check lines, code lines) of one module's source."""
    checks, code = line_numbers(source)
    return len(checks & code), len(code)


def line_numbers(source: str) -> tuple[set, set]:
    """(check line numbers, code line numbers) of one module's source, counted from 1."""
    tree = ast.parse(source)
    validation = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                  and (node.module or "").rsplit(".", 1)[-1] in ("_validation", "_checks")
                  for alias in node.names}
    public = {element.value for node in tree.body if isinstance(node, ast.Assign)
              and any(getattr(target, "id", "") == "__all__" for target in node.targets)
              for element in getattr(node.value, "elts", []) if isinstance(element, ast.Constant)}
    lines: set[int] = set()

    def span(node):
        lines.update(range(node.lineno, node.end_lineno + 1))

    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _is_check_name(node.name) \
                and node.name not in public:
            span(node)
        elif isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and \
                getattr(node.exc.func, "id", "") in ("TypeError", "ValueError"):
            span(node)
        elif isinstance(node, ast.stmt) and not isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.If,
                                                                  ast.For, ast.While, ast.With, ast.Try)):
            for call in ast.walk(node):
                if isinstance(call, ast.Call):
                    name = getattr(call.func, "id", None) or getattr(call.func, "attr", "")
                    if (name in validation or _is_check_name(name)) and name not in public:
                        span(node)
                        break
    docstrings = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and \
                isinstance(getattr(body[0], "value", None), ast.Constant) and isinstance(body[0].value.value, str):
            docstrings.update(range(body[0].lineno, body[0].end_lineno + 1))
    code = {i + 1 for i, text in enumerate(source.splitlines())
            if text.strip() and not text.strip().startswith("#")} - docstrings
    return lines, code


def printed_check_lines(obj) -> int:
    """The check lines of what ``course.show_source(obj)`` prints: the function, method or class,
    and the unchecked core a public function hands its arguments to, counted as above in the
    source of the module that defines them."""
    from course_lib.course import _core_of

    total = 0
    for shown in (obj, _core_of(obj)):
        if shown is None:
            continue
        shown = inspect.unwrap(shown)
        checks, code = line_numbers(Path(inspect.getsourcefile(shown)).read_text(encoding="utf-8"))
        body, first = inspect.getsourcelines(shown)
        total += len(checks & code & set(range(first, first + len(body))))
    return total


def sources(ref: str | None) -> dict[str, str]:
    """{path: source} of the method modules in the working tree or at commit `ref`."""
    if ref is None:
        paths = [p for name in METHODS for p in sorted((ROOT / "course_lib").glob(f"{name}.py"))
                 + sorted((ROOT / "course_lib" / name).glob("*.py"))]
        return {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in paths}
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-tree", "-r", "--name-only", ref, "course_lib"],
                            check=True, capture_output=True, text=True).stdout.split()
    wanted = [p for p in listed if p.endswith(".py") and p.split("/")[1].removesuffix(".py") in METHODS]
    return {p: subprocess.run(["git", "-C", str(ROOT), "show", f"{ref}:{p}"], check=True,
                              capture_output=True, text=True).stdout for p in wanted}


def main(argv: list[str]) -> None:
    ref = argv[0] if argv else None
    total_checks = total_code = 0
    for path, source in sorted(sources(ref).items()):
        checks, code = count(source)
        total_checks, total_code = total_checks + checks, total_code + code
        print(f"{path:40s} {checks:5d} check lines of {code:5d}")
    share = total_checks / max(total_code, 1)
    print(f"{'total':40s} {total_checks:5d} check lines of {total_code:5d} ({share:.0%})")


if __name__ == "__main__":
    main(sys.argv[1:])
