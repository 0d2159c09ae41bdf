"""Comparing a loaded ``course_lib`` module with a fresh compilation of its source.

Run inside the learner's kernel by :mod:`~course_lib.grading.checkrun`, which executes this
file from its (hash-checked) source in a fresh namespace: it imports nothing from the course.
A module differs from its source when a function or method defined there has other bytecode,
names or constants (a fingerprint), is gone or is no longer a function (a ``functools.partial``
in its place); when a class defined there holds a function defined elsewhere (a method assigned
onto a class that only inherited it); when an upper-case constant no function rebinds
(``SYSTOLIC_RANGE = (70, 250)``) holds another value; or when a function or class the module
imports from the course (and re-exports) is no longer the one it imported.
"""
from __future__ import annotations

import ast
import contextlib
import functools
import hashlib
import re
import sys
import types

_CONSTANT = re.compile(r"^[A-Z][A-Z0-9_]*$")
_IMMUTABLE = (int, float, complex, str, bytes, bool, type(None))


def fingerprint(code: types.CodeType) -> str:
    parts = [code.co_code.hex(), repr(code.co_names), repr(code.co_varnames)]
    for const in code.co_consts:
        parts.append(fingerprint(const) if isinstance(const, types.CodeType) else repr(const))
    return hashlib.sha256("\x00".join(parts).encode("utf-8", "replace")).hexdigest()


def compiled(source: bytes, filename: str) -> dict[str, set[str]]:
    """qualname -> fingerprints of the functions defined at module or class level in `source`."""
    found: dict[str, set[str]] = {}

    def walk(code):
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                name = const.co_qualname
                if "<" not in name:
                    found.setdefault(name, set()).add(fingerprint(const))
                    walk(const)
    walk(compile(source, filename, "exec", dont_inherit=True))
    return found


# The code object every @contextlib.contextmanager wrapper shares: for such a wrapper the code to
# compare is the generator function it wraps (a patched one then still differs).
_CONTEXT_MANAGER_HELPER = contextlib.contextmanager(lambda: iter(())).__code__


def _library(filename: str) -> bool:
    """Whether code comes from an installed library (not the course, not a notebook cell)."""
    return filename.startswith((sys.prefix, sys.base_prefix)) and "/course_lib/" not in filename


#: Fingerprints of the course's one wrapper, ``_validation.seeds.seed_alias`` (``random_state=``
#: passed on as ``seed``), read by :func:`trust_wrappers` from that file's hash-checked source.
_WRAPPERS: set[str] = set()


def trust_wrappers(source: bytes, filename: str) -> None:
    """Learn the fingerprint of ``seed_alias``'s wrapper from the source of its module."""
    def walk(code):
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                if const.co_qualname.endswith("<locals>.with_alias"):
                    _WRAPPERS.add(fingerprint(const))
                walk(const)
    walk(compile(source, filename, "exec", dont_inherit=True))


def unwrapped(value):
    """The function the course's ``seed_alias`` wrapper `value` calls: only when the wrapper's
    code is the source's and its closure holds exactly what ``__wrapped__`` names; else `value`."""
    inner, code = getattr(value, "__wrapped__", None), getattr(value, "__code__", None)
    if inner is None or code is None or fingerprint(code) not in _WRAPPERS:
        return value
    cells = [cell.cell_contents for cell in (getattr(value, "__closure__", None) or ())]
    return inner if len(cells) == 1 and cells[0] is inner else value


def code_of(value):
    """The code to compare for `value`: of a method's function, a property's getter, and through
    a library's decorator (``torch.no_grad()``, scikit-learn's ``set_output`` wrapper) or the
    course's ``seed_alias`` the decorated function's; None for what holds no code."""
    value = unwrapped(value)
    for attribute in ("__func__", "fget", "__wrapped__"):
        value = getattr(value, attribute, value) if not hasattr(value, "__code__") else value
    for _ in range(8):
        code, inner = getattr(value, "__code__", None), getattr(value, "__wrapped__", None)
        if inner is None or code is None or not (code is _CONTEXT_MANAGER_HELPER
                                                 or _library(code.co_filename)):
            break
        value = inner
    return getattr(value, "__code__", None)


def same_class(old: type, new: type) -> bool:
    """Whether `old` is an unpatched earlier copy of the class `new` (objects made before an
    ``importlib.reload`` keep the class they were made with): the same name and the same code in
    every function, dataclass-made ones included. `new` itself is compared with the source."""
    if (old.__module__, old.__qualname__) != (new.__module__, new.__qualname__):
        return False

    def codes(kind):
        return {name: fingerprint(code) for name, value in vars(kind).items()
                if (code := code_of(value)) is not None}
    return codes(old) == codes(new)


def _same(mine, original) -> bool:
    if mine is original:
        return True
    if isinstance(original, type):
        return isinstance(mine, type) and same_class(mine, original)
    theirs, ours = code_of(original), code_of(mine)
    return theirs is not None and ours is not None and fingerprint(theirs) == fingerprint(ours)


def _genuine(value, name: str) -> bool:
    """Whether `value` is the course's function or class `name`, found where it says it was
    defined (that module is compared with its own source in turn)."""
    home = sys.modules.get(getattr(value, "__module__", None) or "")
    if home is None or not home.__name__.startswith("course_lib") or getattr(value, "__name__", None) != name:
        return False
    holder = home
    for part in getattr(value, "__qualname__", "").split("."):
        holder = getattr(holder, part, None)
    return holder is not None and _same(value, holder)


def _declared(tree: ast.Module, package: str):
    """(constants {name: value}, course imports {local name: (module, name)}, class names)."""
    rebound = {n for node in ast.walk(tree) if isinstance(node, ast.Global) for n in node.names}
    counts: dict[str, int] = {}
    constants, imported, classes = {}, {}, []
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            counts[name] = counts.get(name, 0) + 1
            try:
                value = ast.literal_eval(node.value)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                continue
            if _CONSTANT.match(name) and name not in rebound and _frozen(value):
                constants[name] = value
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            if base == "course_lib" or base.startswith("course_lib."):
                for alias in node.names:
                    if alias.name != "*":
                        imported[alias.asname or alias.name] = (base, alias.name)
        elif isinstance(node, ast.ClassDef):
            classes.append(node.name)
    return {k: v for k, v in constants.items() if counts[k] == 1}, imported, classes


def _frozen(value) -> bool:
    if isinstance(value, tuple):
        return all(_frozen(v) for v in value)
    return isinstance(value, _IMMUTABLE)


def _foreign(code, package_dir: str) -> bool:
    """Whether a function's code comes from outside the course and the Python installation (a
    notebook cell, for instance; dataclass-made methods say "<string>")."""
    filename = code.co_filename
    return filename != "<string>" and not filename.startswith(
        tuple(p for p in (sys.prefix, sys.base_prefix, package_dir) if p))


def compare_module(module, source: bytes, problems: list[str], package_dir: str = "") -> None:
    """Append to `problems` every way `module` differs from `source` (see the module's doc);
    `package_dir` is course_lib's folder (functions from there are the course's own)."""
    name = module.__name__
    functions = compiled(source, module.__file__)
    space = vars(module)
    for qualname, prints in functions.items():
        owner, _, attribute = qualname.rpartition(".")
        if "." in owner:
            continue  # nested classes: covered by their parent's fingerprint
        if owner and not isinstance(space.get(owner), type):
            problems.append(f"{name}.{owner} replaced")
            continue
        holder = vars(space[owner]) if owner else space
        if attribute not in holder:
            problems.append(f"{name}.{qualname} removed")
            continue
        value = holder[attribute]
        code = code_of(value)
        if isinstance(value, functools.partial):
            problems.append(f"{name}.{qualname} replaced")
        elif code is not None and fingerprint(code) not in prints:
            problems.append(f"{name}.{qualname} patched")
    tree = ast.parse(source)
    package = name if hasattr(module, "__path__") else name.rpartition(".")[0]
    constants, imported, classes = _declared(tree, package)
    for constant, value in constants.items():
        mine = space.get(constant)
        if type(mine) is not type(value) or mine != value:
            problems.append(f"{name}.{constant} changed")
    for local, (origin, attribute) in imported.items():
        source_module = sys.modules.get(origin)
        original = getattr(source_module, attribute, None) if source_module is not None else None
        mine = space.get(local)
        if ((isinstance(original, type) or code_of(original) is not None or callable(mine))
                and not isinstance(mine, types.ModuleType) and not _genuine(mine, attribute)):
            problems.append(f"{name}.{local} replaced")
    for owner in classes:
        kind = space.get(owner)
        if not isinstance(kind, type):
            continue
        for attribute, value in vars(kind).items():
            code = code_of(value)
            if ((code is not None and f"{owner}.{attribute}" not in functions and _foreign(code, package_dir))
                    or (isinstance(value, functools.partial) and f"{owner}.{attribute}" not in functions)):
                problems.append(f"{name}.{owner}.{attribute} added")
