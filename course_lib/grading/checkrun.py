"""The grader's checks that still run in the learner's kernel: the integrity check, and the
questions of :data:`course_lib.grading.remote.IN_KERNEL` (answers the check uses as objects).
Every other question is judged outside the kernel, in the harness (:mod:`.remote`).

The grader sends one cell per such question and a last cell for integrity. Each cell reads this file
(from the read-only ``course_lib``), runs it in a fresh namespace and calls :func:`report`:

* ``report(..., question="q1")`` builds *fresh* copies of ``course_lib.exercises`` and the
  topic's checker module from their source files (after checking each file's sha256 against the
  hash the grader computed outside), reads the learner's answers from the notebook's namespace
  and runs the fresh checker. The learner's own ``q1`` object, ``Question`` class and checker
  module are not used, so patching them cannot change the outcome;
* ``report(..., question=None)`` compares every ``course_lib`` module loaded in the kernel with a
  fresh compilation of its source (:mod:`~course_lib.grading.integrity`: functions, methods,
  constants, re-exported names), and the topic's question objects with theirs: any difference
  is "tampering".

Each report is one line ``COURSE-GRADE <json> <hmac>`` written to a file of its own (never
printed: learner prints cannot interleave with it or push it out), signed with a key that exists
only in the grader and in the cell that asks for the report, so learner cells that ran before
cannot forge one. The key is the run's *kernel key*: an input transformer or a hook in the
kernel can read it, so these reports count only for the in-kernel questions and the integrity
check (:mod:`.decide`), never for a question judged in the clean process. The cell itself resolves
no name in the learner's namespace. What a learner can still do is documented in the README's
grading section.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import sys
import types
from pathlib import Path

MARK = "COURSE-GRADE "


def _helpers(package_dir: Path, expected: dict) -> dict:
    """The comparison functions of ``grading/integrity.py``, run from its hash-checked source in
    a fresh namespace (never the module a learner's cell could have imported and patched)."""
    path = package_dir / "grading" / "integrity.py"
    space = {"__name__": "__course_integrity__", "__builtins__": sys.modules["builtins"]}
    exec(compile(_source(package_dir, "grading/integrity.py", expected), str(path), "exec",
                 dont_inherit=True), space)
    return space


def _source(package_dir: Path, relative: str, expected: dict) -> bytes:
    data = (package_dir / relative).read_bytes()
    if hashlib.sha256(data).hexdigest() != expected.get(relative):
        raise RuntimeError(f"course_lib/{relative} differs from the grader's copy")
    return data


def _fresh(package_dir: Path, module: str, expected: dict):
    """Fresh copies of course_lib.exercises and course_lib.exercises.<module>, from source."""
    saved = {k: sys.modules.get(k) for k in ("course_lib.exercises", f"course_lib.exercises.{module}")}
    package = types.ModuleType("course_lib.exercises")
    package.__path__ = [str(package_dir / "exercises")]
    package.__file__ = str(package_dir / "exercises" / "__init__.py")
    package.__package__ = "course_lib.exercises"
    checker = types.ModuleType(f"course_lib.exercises.{module}")
    checker.__file__ = str(package_dir / "exercises" / f"{module}.py")
    checker.__package__ = "course_lib.exercises"
    try:
        sys.modules["course_lib.exercises"] = package
        exec(compile(_source(package_dir, "exercises/__init__.py", expected), package.__file__,
                     "exec", dont_inherit=True), vars(package))
        sys.modules[checker.__name__] = checker
        exec(compile(_source(package_dir, f"exercises/{module}.py", expected), checker.__file__,
                     "exec", dont_inherit=True), vars(checker))
    finally:
        for key, value in saved.items():
            if value is None:
                sys.modules.pop(key, None)
            else:
                sys.modules[key] = value
    return package, checker


def _check(namespace: dict, package, checker, question: str) -> tuple[str, str, str]:
    """Run the fresh question's own ``check()`` on the learner's namespace (a shallow copy);
    (outcome, the message the learner saw, the id of the mistake the check recognised).

    Anything the learner's code raises while the check runs, ``SystemExit`` and other
    ``BaseException`` included, fails the question; only the grader's interrupt (a timeout) goes
    through."""
    scope = dict(namespace)
    scope["__course_question__"] = getattr(checker, question)
    try:
        exec("__course_question__.check()", scope)
    except package.NotAttempted as failed:
        return "not attempted", failed.message, failed.mistake
    except package.CheckCrashed as failed:
        return "error (the checker crashed)", failed.message, failed.mistake
    except package.CheckFailed as failed:
        return "incorrect", failed.message, failed.mistake
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # noqa: B036 - sys.exit() in a stub is a failed question
        return f"error ({type(error).__name__})", f"{type(error).__name__}: {error}", ""
    return "passed", "", ""


def _integrity(package_dir: Path, module: str, expected: dict) -> list[str]:
    helpers = _helpers(package_dir, expected)
    compare, code_of, fingerprint = (helpers[k] for k in ("compare_module", "code_of", "fingerprint"))
    problems: list[str] = []
    try:
        helpers["trust_wrappers"](_source(package_dir, "_validation/seeds.py", expected),
                                  str(package_dir / "_validation" / "seeds.py"))
    except (OSError, RuntimeError) as error:
        problems.append(str(error))
    for name, loaded in sorted(sys.modules.items()):
        if not (name == "course_lib" or name.startswith("course_lib.")) or loaded is None:
            continue
        path = getattr(loaded, "__file__", None)
        try:
            relative = Path(path).resolve().relative_to(package_dir).as_posix()
        except (TypeError, ValueError):
            problems.append(f"{name} is not loaded from course_lib")
            continue
        try:
            source = _source(package_dir, relative, expected)
        except (OSError, RuntimeError) as error:
            problems.append(str(error))
            continue
        compare(loaded, source, problems, str(package_dir))
    live = sys.modules.get(f"course_lib.exercises.{module}")
    base = sys.modules.get("course_lib.exercises")
    if live is not None and base is not None:
        fresh_package, fresh = _fresh(package_dir, module, expected)
        for question in getattr(fresh, "QUESTIONS", []):
            mine = getattr(live, question.name, None)
            if type(mine) is not base.Question and not helpers["same_class"](type(mine), base.Question):
                problems.append(f"{module}.{question.name} replaced")
            elif "check" in vars(mine) or code_of(mine.checker) is None or (
                    fingerprint(code_of(mine.checker)) != fingerprint(question.checker.__code__)):
                problems.append(f"{module}.{question.name} patched")
    return problems


def report(namespace: dict, key: str, package_dir: str, module: str, question: str | None,
           expected: dict, out: str) -> None:
    """Write one signed line to the file `out`: the outcome of `question`, or (None) the integrity
    findings. The file is the report's own channel: what the learner's code prints (to a
    replaced ``sys.stdout``, from a thread, without a newline, in any amount) cannot reach it."""
    package_dir = Path(package_dir)
    try:
        if question is None:
            payload = {"integrity": _integrity(package_dir, module, expected)}
        else:
            package, checker = _fresh(package_dir, module, expected)
            outcome, message, mistake = _check(namespace, package, checker, question)
            payload = {"question": question, "outcome": outcome, "message": str(message)[:500],
                       "mistake": str(mistake)[:60]}
    except RuntimeError as error:
        payload = {"question": question, "integrity": [str(error)]}
    with open(out, "a", encoding="utf-8") as handle:
        handle.write(signed(payload, key))


def signed(payload: dict, key: str) -> str:
    """One report line: ``COURSE-GRADE <json> <hmac>``."""
    text = json.dumps(payload, sort_keys=True)
    signature = hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest()
    return MARK + text + " " + signature + "\n"


def verify(line: str, key: str) -> dict | None:
    """The payload of a report line when its signature is right, else None."""
    if not line.startswith(MARK):
        return None
    text, _, signature = line[len(MARK):].strip().rpartition(" ")
    good = hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(good, signature):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


#: An expression for the ``sys`` module that looks up no name at all: the cell that asks for a
#: report runs in the learner's namespace, where `open`, `exec` or `sys` may be anything.
_SYS = ("[_c for _c in ().__class__.__base__.__subclasses__() if _c.__name__ == 'BuiltinImporter']"
        "[0].find_spec.__func__.__globals__['sys']")


def cell(key: str, package_dir: str, module: str, question: str | None, expected: dict,
         out: str) -> str:
    """The code of the cell the grader sends to ask for one report (written to the file `out`).

    It resolves no name in the learner's namespace: ``sys`` is reached from a literal, and this
    file runs in a fresh namespace with the real builtins; lambda parameters hold the rest."""
    path = str(Path(package_dir) / "grading" / "checkrun.py")
    arguments = ", ".join(map(repr, (key, package_dir, module, question, expected, out)))
    return (f"(lambda S: (lambda B, ns: (B.exec(B.compile(B.open({path!r}, 'rb').read(), {path!r}, "
            f"'exec', dont_inherit=True), ns), ns['report'](S._getframe(0).f_globals, {arguments}),"
            f" None)[-1])(S.modules['builtins'], {{'__name__': '__course_checkrun__', "
            f"'__builtins__': S.modules['builtins']}}))({_SYS})\n")
