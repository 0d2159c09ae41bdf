"""The package's layers (design.md): imports only point down, and no two modules import each other.

1 foundation: env, explanation, _validation
2 methods: numpy/scipy/scikit-learn/torch and the foundation only
3 data: loaders, assets, the cardio twin
4 views: plots, widgets
5 teaching: exercises, grading, course, references (repository tools live in tools/, outside the package)
Every ``import`` statement counts, also one inside a function.
"""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "course_lib"

LAYERS = {
    "foundation": {"env", "explanation", "_validation"},
    "methods": {"game", "shapley", "shapley_model", "kernels", "lime", "kernel_shap", "tree_shap",
                "hooks", "cam", "metrics", "inspection", "surrogate", "counterfactual", "warp",
                "shortcut", "effects", "examples", "anchors", "faithfulness", "attention",
                "baselines", "concepts"},
    "data": {"data", "assets", "cardio_sources", "cardio_twin", "cardio_rules"},
    "views": {"plots", "widgets"},
    "teaching": {"exercises", "grading", "course", "references", "__init__", "__main__"},
}
RANK = {name: rank for rank, names in enumerate(LAYERS.values()) for name in names}


def unit_of(path: Path) -> str:
    """The layer unit of a file: a top-level module or a subpackage of course_lib."""
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def imported_units(path: Path) -> set:
    """The course_lib units a file imports, relative or absolute, anywhere in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = list(path.relative_to(PACKAGE).parent.parts)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - (node.level - 1)] if node.level > 1 else package
                parts = base + (node.module.split(".") if node.module else [])
                if not parts:      # from . import x: x is a unit
                    found.update(alias.name for alias in node.names)
                else:
                    found.add(parts[0])
            elif node.module and node.module.split(".")[0] == "course_lib":
                parts = node.module.split(".")[1:]
                found.update([parts[0]] if parts else [a.name for a in node.names])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "course_lib" and len(parts) > 1:
                    found.add(parts[1])
    return found


FILES = sorted(p for p in PACKAGE.rglob("*.py"))


def test_every_module_has_a_layer():
    missing = sorted({unit_of(p) for p in FILES} - set(RANK))
    assert not missing, f"give these modules a layer in tests/test_layers.py: {missing}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down(path):
    unit = unit_of(path)
    if unit not in RANK:
        pytest.skip("no layer yet (see test_every_module_has_a_layer)")
    upward = sorted(other for other in imported_units(path) - {unit}
                    if other in RANK and RANK[other] > RANK[unit])
    assert not upward, (f"{path.relative_to(PACKAGE)} ({[k for k, v in LAYERS.items() if unit in v][0]}) "
                        f"imports {upward} from a higher layer")


def test_no_import_cycles():
    """Between modules (a subpackage counts as one unit): the import graph has no cycle."""
    graph = {}
    for path in FILES:
        graph.setdefault(unit_of(path), set()).update(imported_units(path) - {unit_of(path)})
    visiting, done, cycles = set(), set(), []

    def visit(node, trail):
        if node in done:
            return
        if node in visiting:
            cycles.append(trail[trail.index(node):] + [node])
            return
        visiting.add(node)
        for other in sorted(graph.get(node, ())):
            if other in graph:
                visit(other, trail + [other])
        visiting.discard(node)
        done.add(node)

    for node in sorted(graph):
        if node != "__init__":
            visit(node, [node])
    assert not cycles, f"import cycles: {cycles}"


@pytest.mark.parametrize("path", [p for p in FILES if RANK.get(unit_of(p), 9) <= list(LAYERS).index("methods")],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_methods_import_plainly(path):
    """No import hidden from the walk above: no import_module, no module __getattr__ for names."""
    source = path.read_text(encoding="utf-8")
    assert "import_module(" not in source, f"{path.name}: import the module directly"
    if unit_of(path) != "env":   # env computes DEVICE on first use, it imports nothing
        assert "\ndef __getattr__(" not in source, f"{path.name}: re-export names directly"


def _public_functions(path: Path, module: str | None, level: int) -> set:
    """Names of the functions and classes defined at the top of the module an import names."""
    folder = path.parent
    for _ in range(max(level - 1, 0)):
        folder = folder.parent
    parts = (module or "").split(".") if level else (module or "").split(".")[1:]
    target = folder.joinpath(*parts) if level else PACKAGE.joinpath(*parts)
    source = target / "__init__.py" if target.is_dir() else target.with_suffix(".py")
    if not source.exists():
        return set()
    tree = ast.parse(source.read_text(encoding="utf-8"))
    return {node.name for node in tree.body
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_")}


def test_private_names_stay_in_their_module():
    """No module imports another's _private name (the foundation's own module name aside).

    The one exception is the rule "check at the door, trust inside": ``_name``, the unchecked
    core of a public function ``name`` of that module, is what other modules' methods call.
    """
    crossing = []
    for path in FILES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("course_lib")):
                public = _public_functions(path, node.module, node.level)
                crossing += [f"{path.relative_to(PACKAGE)}: {alias.name} from {node.module}"
                             for alias in node.names
                             if alias.name.startswith("_") and not alias.name.startswith("__")
                             and alias.name[1:] not in public]
    assert not crossing, f"import the public name instead: {crossing}"


GRADING_MAX_LINES = 250


def test_grading_modules_are_short():
    """Each module of the grader does one job (issue 28): none of course_lib/grading is over 250 lines."""
    long = {p.name: n for p in sorted((PACKAGE / "grading").glob("*.py"))
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > GRADING_MAX_LINES}
    assert (PACKAGE / "grading" / "remote.py").exists() and not long, (
        f"split these grading modules by role (at most {GRADING_MAX_LINES} lines): {long}")
