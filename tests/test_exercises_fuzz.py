"""Every check of every exercise module answers any input with feedback, never a crash.

The modules are discovered (``course_lib/exercises/exNN_*.py``), so a new topic is covered as
soon as it lists its questions in ``QUESTIONS``. The second half tests the checking core itself:
not attempted, the one-line rendering, hints and solutions.
"""
import contextlib
import copy
import functools
import inspect
import importlib
import io
import math
import pkgutil
import re
import sys
import reprlib

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import course_lib.exercises as core
from course_lib.exercises import (PLACEHOLDER, CheckCrashed, CheckFailed, Incorrect, NotAttempted,
                                  Question, as_array, as_int, as_number, call_learner)

MODULES = sorted(info.name for info in pkgutil.iter_modules(core.__path__)
                 if re.fullmatch(r"ex\d\d_\w+", info.name))
QUESTIONS = [(name, question) for name in MODULES
             for question in importlib.import_module(f"course_lib.exercises.{name}").QUESTIONS]


def test_modules_are_discovered():
    assert "ex00_warmup" in MODULES
    for name in MODULES:
        module = importlib.import_module(f"course_lib.exercises.{name}")
        assert module.QUESTIONS, f"{name} lists no QUESTIONS"
        for question in module.QUESTIONS:
            assert isinstance(question, Question)
            assert question.vars and question.hints and question.solution_code.strip(), \
                f"{name}.{question.name} needs vars, hints and solution code"
            assert question.name in module.__all__, f"{name}.__all__ lacks {question.name}"


# ------------------------------------------------------------------------------ garbage
def _raises(error):
    def function(*args, **kwargs):
        raise error
    return function


def _recurses(*args, **kwargs):
    return _recurses(*args, **kwargs)


FIXED_GARBAGE = [
    None, "", "abc", "0.5", b"bytes", 0, -1, 3, 1.5, -0.0, True, False, math.nan, math.inf,
    -math.inf, 10 ** 400, -10 ** 400, complex(1, 2), [], [1, "a"], [[1, 2], [3]], [None, None],
    {}, {"a": 1}, {1: None}, set(), (1, 2), frozenset({1}), range(5), object(), type,
    np.array([]), np.array(np.nan), np.array([np.nan, 1.0]), np.full((3, 3), np.inf),
    np.zeros((0, 5)), np.ones((2, 3, 4)), np.arange(10), np.array(["a", "b"]),
    np.array([1 + 2j, 3j]), np.zeros(10, dtype=bool), np.zeros(2_000_000),
    np.array([object(), None]), np.float64(np.nan), np.int64(7),
    torch.tensor([1.0, 2.0]), torch.zeros(3, requires_grad=True), torch.tensor(3.0),
    torch.ones(2, 2, dtype=torch.bfloat16), torch.tensor([1, 2], dtype=torch.int64),
    pd.DataFrame(), pd.DataFrame({"a": [1, 2]}), pd.DataFrame({"ap_hi": ["x"], "ap_lo": [None]}),
    pd.Series([1.0, np.nan]), pd.Series(dtype=float),
    _raises(NotImplementedError), _raises(ValueError("bad value")), _raises(ZeroDivisionError),
    _raises(RecursionError), _recurses, lambda *a, **k: None, lambda *a, **k: "garbage",
    lambda *a, **k: math.nan, lambda *a, **k: np.ones(3), lambda *a, **k: [1, "a"],
    lambda *a, **k: {"a": 1}, lambda *a, **k: torch.ones(2), lambda *a, **k: a,
    lambda: 1, print, PLACEHOLDER,
]

numbers = st.one_of(st.integers(-10 ** 6, 10 ** 6), st.floats(allow_nan=True, allow_infinity=True))
arrays = hnp.arrays(dtype=st.sampled_from([np.float64, np.int64, np.bool_, np.float32, np.complex128]),
                    shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=6),
                    elements=None)
garbage = st.one_of(
    st.sampled_from(FIXED_GARBAGE),
    numbers,
    st.text(max_size=20),
    st.lists(numbers, max_size=8),
    st.dictionaries(st.text(max_size=3), numbers, max_size=4),
    arrays,
    arrays.map(torch.from_numpy).filter(lambda t: t.dtype != torch.bool),
    numbers.map(lambda value: (lambda *a, **k: value)),  # a function returning a number
)


def _ids(item):
    return f"{item[0]}.{item[1].name}" if isinstance(item, tuple) else None


@pytest.mark.parametrize("module, question", QUESTIONS, ids=[f"{m}.{q.name}" for m, q in QUESTIONS])
@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_input_gets_feedback_not_a_crash(module, question, data):
    answers = [data.draw(garbage, label=var) for var in question.vars]
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            question.check(*answers)
        except CheckCrashed as crash:
            pytest.fail(f"{module}.{question.name} crashed on {reprlib.repr(answers)}: {crash.message}")
        except CheckFailed as failed:
            assert failed.message.strip(), "feedback must say something"
            assert "Traceback" not in failed.message


@pytest.mark.parametrize("module, question", QUESTIONS, ids=[f"{m}.{q.name}" for m, q in QUESTIONS])
def test_every_fixed_garbage_value_in_every_position(module, question):
    """Each fixed value alone, the other answers None: the common learner mistakes, exhaustively."""
    for position in range(len(question.vars)):
        for value in FIXED_GARBAGE:
            answers = [None] * len(question.vars)
            answers[position] = value
            with contextlib.redirect_stdout(io.StringIO()):
                try:
                    question.check(*answers)
                except CheckCrashed as crash:
                    pytest.fail(f"{module}.{question.name} crashed with {question.vars[position]}="
                                f"{reprlib.repr(value)}: {crash.message}")
                except CheckFailed:
                    pass


# ------------------------------------------------------------------------------ the core
def _checker(answer):
    if answer == "right":
        return "well done"
    raise Incorrect(f"{answer!r} is off by 1")


QUESTION = Question("q9", "a test question", ["answer"], _checker,
                    hints=["first", "second", "third"], solution_code="answer = 'right'")


def run_in_notebook(code: str, **namespace):
    """Run `code` like a notebook cell whose globals are `namespace` (check() reads them)."""
    namespace.setdefault("q9", QUESTION)
    exec(compile(code, "<cell>", "exec"), namespace)


def test_correct_prints_a_confirmation(capsys):
    run_in_notebook("q9.check()", answer="right")
    assert capsys.readouterr().out.strip() == "✓ Correct (q9): well done"


def test_wrong_answer_fails_with_the_message():
    with pytest.raises(CheckFailed) as info:
        run_in_notebook("q9.check()", answer="wrong")
    assert type(info.value) is CheckFailed and info.value.message == "'wrong' is off by 1"
    assert isinstance(info.value, AssertionError)  # nbval and pytest see a failure


@pytest.mark.parametrize("namespace, words", [
    ({}, "define `answer` in the cell above"),
    ({"answer": PLACEHOLDER}, "replace ____ in `answer`"),
])
def test_not_attempted_when_missing_or_placeholder(namespace, words):
    with pytest.raises(NotAttempted) as info:
        run_in_notebook("q9.check()", **namespace)
    assert words in info.value.message


def test_not_attempted_when_a_stub_still_raises():
    def stub(*args):
        raise NotImplementedError

    calling = Question("q8", "calls", ["f"], lambda f: call_learner(f, 1, what="f(1)"))
    with pytest.raises(NotAttempted, match="f\\(1\\) still raises NotImplementedError"):
        calling.check(stub)
    direct = Question("q7", "direct", ["f"], lambda f: f())
    with pytest.raises(NotAttempted, match="still raises NotImplementedError"):
        direct.check(stub)


def test_a_checker_bug_is_reported_as_crashed_in_one_line():
    buggy = Question("q6", "buggy", ["x"], lambda x: 1 / 0)
    with pytest.raises(CheckCrashed) as info:
        buggy.check(1)
    assert "ZeroDivisionError" in info.value.message
    assert len(info.value._render_traceback_()) == 1


@pytest.mark.parametrize("error, head", [
    (CheckFailed("q1", "off by 2"), "✗ Not yet (q1)"),
    (NotAttempted("q1", "define `x`"), "… Not attempted yet (q1)"),
    (CheckCrashed("q1", "oops"), "✗ Could not check (q1)"),
])
def test_render_traceback_is_one_clean_line(error, head):
    lines = error._render_traceback_()
    assert len(lines) == 1 and "\n" not in lines[0]
    plain = re.sub(r"\x1b\[[0-9;]*m", "", lines[0])
    assert plain.startswith(head) and plain.endswith(error.message)


def test_ipython_shows_the_message_not_a_traceback():
    """In a real IPython shell the failing check prints one line and no library traceback."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    shell = InteractiveShell.instance()
    try:
        shell.user_ns.update(q9=QUESTION, answer="wrong")
        with capture_output() as captured:
            result = shell.run_cell("q9.check()")
        assert isinstance(result.error_in_exec, CheckFailed)
        text = re.sub(r"\x1b\[[0-9;]*m", "", captured.stdout + captured.stderr)
        assert "✗ Not yet (q9): 'wrong' is off by 1" in text
        assert "Traceback" not in text and "course_lib" not in text
    finally:
        InteractiveShell.clear_instance()


def test_hints_go_up_one_level_at_a_time(capsys):
    question = Question("q5", "hints", ["x"], _checker, hints=["one", "two", "three"])
    shown = []
    for _ in range(4):
        question.hint()
        shown.append(capsys.readouterr().out.strip())
    assert shown[0] == "Hint 1/3 (q5): one (call hint() again for more)"
    assert shown[1].startswith("Hint 2/3 (q5): two")
    assert shown[2] == shown[3] == "Hint 3/3 (q5): three"
    question.hint(2)
    assert capsys.readouterr().out.startswith("Hint 2/3 (q5): two")
    question.hint(9)
    assert "has hints 1 to 3" in capsys.readouterr().out
    Question("q4", "no hints", ["x"], _checker).hint()
    assert "No hint for q4" in capsys.readouterr().out


def test_solution_shows_the_code(capsys):
    QUESTION.solution()
    assert capsys.readouterr().out == "Solution (q9):\nanswer = 'right'\n"


def test_questions_of_the_modules_show_their_solutions(capsys):
    for _, question in QUESTIONS:
        question.solution()
        assert question.solution_code.strip() in capsys.readouterr().out


def test_passing_answers_directly_and_by_keyword():
    QUESTION.check("right")
    QUESTION.check(answer="right")
    with pytest.raises(CheckFailed, match="unknown name"):
        QUESTION.check(other=1)
    with pytest.raises(CheckFailed, match="takes 1 answer"):
        QUESTION.check(1, 2)


@pytest.mark.parametrize("value", [10 ** 400, -10 ** 400])
def test_huge_integers_are_feedback(value):
    with pytest.raises(Incorrect):
        as_number(value, "x")
    with pytest.raises(Incorrect):
        as_int(value, "x")


def test_unconvertible_tensors_are_feedback():
    array = as_array(torch.ones(2, dtype=torch.bfloat16), "x")
    assert array.tolist() == [1.0, 1.0]
    with pytest.raises(Incorrect, match="NaN"):
        as_array(torch.tensor([float("nan")]), "x")


# --------------------------------------------------------------------- the catalog of mistakes
def _catalog(path):
    """Per question of a tests/test_exNN*.py: how many answers it refuses and accepts by name.

    A call inside a test parametrised over a list counts once per case of that list."""
    import ast

    def cases(function) -> int:
        for decorator in getattr(function, "decorator_list", []):
            if (isinstance(decorator, ast.Call) and getattr(decorator.func, "attr", "") == "parametrize"
                    and len(decorator.args) > 1 and isinstance(decorator.args[1], (ast.List, ast.Tuple))):
                return len(decorator.args[1].elts)
        return 1

    counts = {}
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lists = {target.id: node.value for node in tree.body if isinstance(node, ast.Assign)
             for target in node.targets if isinstance(target, ast.Name)
             and isinstance(node.value, (ast.List, ast.Tuple))}

    def length(node) -> int:  # a list literal, or the name of a module-level one
        node = lists.get(node.id) if isinstance(node, ast.Name) else node
        return len(node.elts) if isinstance(node, (ast.List, ast.Tuple)) else 0

    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)] or [tree]
    for function in functions:
        times = cases(function)
        for node in ast.walk(function):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None)
            if (name == "run_catalog" and len(node.args) == 4
                    and isinstance(node.args[1], ast.Attribute)):  # run_catalog(topic, ex.qN, wrongs, rights)
                question = node.args[1].attr
                wrong, right = counts.get(question, (0, 0))
                counts[question] = (wrong + times * length(node.args[2]),
                                    right + times * length(node.args[3]))
            elif name in ("fails", "passes") and node.args and isinstance(node.args[0], ast.Attribute):
                question = node.args[0].attr
                wrong, right = counts.get(question, (0, 0))
                counts[question] = (wrong + times * (name == "fails"), right + times * (name == "passes"))
            elif (isinstance(node.func, ast.Attribute) and node.func.attr == "check"
                  and isinstance(node.func.value, ast.Attribute)):
                question = node.func.value.attr
                wrong, right = counts.get(question, (0, 0))
                counts[question] = (wrong, right + times)
    return counts


#: Topics whose catalogs were grown from what learners write (issue 27): 8 wrong answers a question.
GROWN_CATALOGS = {"ex00", "ex02", "ex07", "ex08", "ex09"}


@pytest.mark.parametrize("name", MODULES)
def test_every_question_has_a_catalog_of_mistakes(name):
    """At least five wrong answers (each refused with its own message) and two right ones."""
    from pathlib import Path

    counts = {}
    prefix = name.split("_")[0]
    paths = sorted(Path(__file__).parent.glob(f"test_{prefix}.py")) + sorted(
        Path(__file__).parent.glob(f"test_{prefix}_*.py"))
    for path in paths:  # a topic's catalog may span test_exNN.py and test_exNN_*.py
        for question, (wrong, right) in _catalog(path).items():
            before = counts.get(question, (0, 0))
            counts[question] = (before[0] + wrong, before[1] + right)
    least = 8 if prefix in GROWN_CATALOGS else 5
    for question in importlib.import_module(f"course_lib.exercises.{name}").QUESTIONS:
        wrong, right = counts.get(question.name, (0, 0))
        assert wrong >= least and right >= 2, (f"test_{prefix}*.py: {question.name} has {wrong} "
                                               f"wrong and {right} right answers in its catalog "
                                               f"(at least {least} and 2)")


# --------------------------------------------------------------------- forbidden shortcuts
def test_forbidden_guards_names_restores_and_sees_swallowed_calls():
    import math as maths

    original = maths.hypot

    def honest(x):
        return x + 1

    def shortcut(x):
        return maths.hypot(x, 0)

    def swallows(x):
        try:
            return maths.hypot(x, 0)
        except Exception:
            return x + 1

    hypot = maths.hypot

    def closure(x):
        return hypot(x, 0)

    with core.forbidden(["math.hypot"], honest, compare="math.hypot"):
        assert honest(1) == 2
    for learner in (shortcut, swallows, closure):
        with pytest.raises(Incorrect, match="write it yourself; `math.hypot` is what the next"):
            with core.forbidden(["math.hypot"], learner, compare="math.hypot"):
                call_learner(learner, 1.0)
        assert maths.hypot is original and hypot is original
    with core.forbidden(["no_such_package_here.f", "math.no_such_name"], honest):
        assert honest(2) == 3


def test_learner_errors_get_a_nudge():
    def shapes(x):
        return np.ones((2, 3)) + np.ones((2, 2))

    with pytest.raises(Incorrect, match="Print the shapes"):
        call_learner(shapes, 1)

    def python_or(x):
        return bool(pd.Series([True, False]) or pd.Series([False, True]))

    with pytest.raises(Incorrect, match="not Python's `or`"):
        call_learner(python_or, 1)


# --------------------------------------------------------------------- fresh inputs, unchanged
#: Questions whose answer is a value, not a function: the check has no inputs of its own to hand
#: over (it reads what the learner computed from the notebook's objects).
VALUE_ANSWERS = {
    ("ex10_inside", "q6"): "a dict naming the method that answers each stated question",
    ("ex11_embeddings", "q6"): "True or False for each of six stated claims about maps and similarity",
    ("ex00_warmup", "q5"): "a dict of method names for the stated needs",
    ("ex01_shapley", "q1"): "the shares of the notebook's card game",
    ("ex01_shapley", "q5"): "a game and a player the learner builds",
    ("ex01_shapley", "q6"): "numbers read off the notebook's model game",
    ("ex01_shapley", "q7"): "a game the learner builds and its shares",
    ("ex02_kernels", "q1"): "a map (A, b) for the notebook's points, checked by where it sends them",
    ("ex02_kernels", "q7"): "a number read off the notebook's error curve",
    ("ex02_kernels", "q8"): "a set of dataset names",
    ("ex03_lime", "q5"): "explanations computed in the notebook",
    ("ex03_lime", "q6"): "errors computed in the notebook and a chosen width",
    ("ex03_lime", "q7"): "a neighbourhood drawn in the notebook",
    ("ex04_shap", "q3"): "values read off the notebook's waterfall plot",
    ("ex04_shap", "q4"): "two backgrounds the learner builds",
    ("ex04_shap", "q5"): "TreeSHAP values worked out by hand",
    ("ex04_shap", "q6"): "a row and a feature read off the notebook's loss table",
    ("ex05_cam", "q6"): "a box drawn on the notebook's image",
    ("ex05_cam", "q8"): "a verdict on the notebook's sanity check",
    ("ex06_cardio", "q7"): "a counterfactual patient the learner builds",
    ("ex06_cardio", "q8"): "values computed in the notebook",
    ("ex08_examples", "q6"): "a dict of method names for the stated questions",
    ("ex09_evaluating", "q6"): "a dict of evaluations for the stated claims",
}


class _TinyImageNetClassifier(torch.nn.Module):
    """A stand-in for notebook 05's network: ImageNet's 1000 classes, `blocks` of convolutions and
    a `bn2`, small enough to run a 224-pixel Grad-CAM in milliseconds."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.blocks = torch.nn.Sequential(*[torch.nn.Sequential(
            torch.nn.Conv2d(3 if i == 0 else 8, 8, 3, stride=2, padding=1), torch.nn.ReLU())
            for i in range(7)])
        self.bn2 = torch.nn.BatchNorm2d(8)
        self.classifier = torch.nn.Linear(8, 1000)

    def forward(self, x):
        return self.classifier(self.bn2(self.blocks(x)).mean(dim=(2, 3)))


#: What a notebook defines before its questions and a solution uses (the learner's own model).
NOTEBOOK_OBJECTS = {"ex05_cam": lambda: {"model": _TinyImageNetClassifier().eval(), "copy": copy}}


def _solution_functions(module_name, question):
    """The question's answer names that its own solution defines as functions, with the solutions
    of the questions before it run first (a later answer may use an earlier one, as in the
    notebook)."""
    module = importlib.import_module(f"course_lib.exercises.{module_name}")
    namespace = {**vars(module), "np": np, "pd": pd, "torch": torch,
                 **NOTEBOOK_OBJECTS.get(module_name, dict)()}
    for earlier in module.QUESTIONS[:module.QUESTIONS.index(question)]:
        try:
            exec(earlier.solution_code, namespace)
        except Exception:  # a value answer read off the notebook's own objects: not needed here
            continue
    exec(question.solution_code, namespace)
    return namespace, [name for name in question.vars
                       if name in namespace and inspect.isfunction(namespace[name])
                       and namespace[name].__code__.co_filename == "<string>"]


def _mutable(value):
    return isinstance(value, (np.ndarray, pd.DataFrame, pd.Series, list, dict, torch.Tensor))


def _mutate(value):
    """Change `value` in place, as a careless answer would."""
    if isinstance(value, torch.Tensor):
        with torch.no_grad():
            value.view(-1)[0] += 1
    elif isinstance(value, np.ndarray):
        if value.size == 0:
            return
        flat = value.reshape(-1) if value.flags.c_contiguous else None
        if value.dtype.kind == "b":
            value[(0,) * value.ndim] = not value[(0,) * value.ndim]
        elif value.dtype.kind in "iufc":
            value[(0,) * value.ndim] += 1
        else:
            value[(0,) * value.ndim] = "changed"
        del flat
    elif isinstance(value, (pd.DataFrame, pd.Series)):
        value.drop(value.index[-1], inplace=True)
    elif isinstance(value, list):
        value.append(value[0] if value else 0)
    elif isinstance(value, dict):
        value["changed in place"] = 1


def _example_arrays(module):
    """Arrays the module hands to the notebook through its public example builders."""
    found = []
    for name in getattr(module, "__all__", []):
        builder = getattr(module, name, None)
        if not (callable(builder) and hasattr(builder, "cache_info")):
            continue
        try:
            made = builder()
        except TypeError:
            continue
        parts = vars(made).values() if hasattr(made, "__dict__") and not isinstance(
            made, np.ndarray) else made if isinstance(made, tuple) else [made]
        found += [np.asarray(p) for p in parts if isinstance(p, np.ndarray) and p.size > 4]
    return found


FUNCTION_QUESTIONS = [pytest.param(name, q, id=f"{name}-{q.name}") for name, q in QUESTIONS
                      if (name, q.name) not in VALUE_ANSWERS]


@pytest.mark.parametrize("module_name, question", FUNCTION_QUESTIONS)
def test_checks_use_fresh_inputs_and_refuse_answers_that_change_them(module_name, question):
    """Per question: the check calls the answer several times on inputs it builds itself (never
    the arrays it hands to the notebook), and refuses an answer that changes any of its inputs
    in place, naming the input and `.copy()`."""
    namespace, functions = _solution_functions(module_name, question)
    assert functions, (f"{module_name}.{question.name}: the answer is not a function; list it in "
                       "VALUE_ANSWERS with the reason, or make the question ask for a function")
    module = importlib.import_module(f"course_lib.exercises.{module_name}")
    calls = []

    def spy(function, mutate_at=None):
        @functools.wraps(function)  # the check reads the answer's own source (loops refused)
        def wrapper(*args, **kwargs):
            calls.append((args, kwargs))
            result = function(*args, **kwargs)
            if mutate_at is not None:
                mutable = [a for a in args if _mutable(a)]
                if mutate_at < len(mutable):
                    _mutate(mutable[mutate_at])
            return result
        return wrapper

    answers = [namespace[name] for name in question.vars]
    spied = [spy(a) if name in functions else a for name, a in zip(question.vars, answers)]
    with contextlib.redirect_stdout(io.StringIO()):
        question.check(*spied)
    assert len(calls) >= 2, f"{module_name}.{question.name}: the check calls the answer once"
    examples = _example_arrays(module)
    for args, kwargs in calls:
        for value in [*args, *kwargs.values()]:
            if isinstance(value, np.ndarray) and value.size > 4:
                assert not any(value.shape == e.shape and np.array_equal(value, e) for e in examples), \
                    f"{module_name}.{question.name}: the check hands over the notebook's example"
    mutable_positions = max(sum(_mutable(a) for a in args) for args, _ in calls)
    for position in range(mutable_positions):
        spied = [spy(a, mutate_at=position) if name in functions else a
                 for name, a in zip(question.vars, answers)]
        with pytest.raises(CheckFailed) as info:
            with contextlib.redirect_stdout(io.StringIO()):
                question.check(*spied)
        message = info.value.message
        assert "in place" in message and ".copy()" in message, (
            f"{module_name}.{question.name}: an answer that changes its input number "
            f"{position + 1} in place is not refused as such: {message}")


# --------------------------------------------------------------------- crashes, copies, numbers
def test_a_crashed_answer_cell_is_reported_as_such(monkeypatch):
    question = Question("q9", "a crash", ["answer"], lambda answer: None)
    monkeypatch.setattr(sys, "last_value", ValueError("could not convert 'x'"), raising=False)
    namespace = {"q9": question, "In": ["", "answer = float('x')", "q9.check()"]}
    with pytest.raises(CheckFailed) as info:
        exec("q9.check()", namespace)
    assert type(info.value) is CheckFailed
    assert "the cell that defines `answer` stopped with ValueError" in info.value.message
    monkeypatch.setattr(sys, "last_value", NotImplementedError(), raising=False)
    with pytest.raises(NotAttempted):  # the untouched stub: not attempted
        exec("q9.check()", namespace)
    namespace["In"] = ["", "x = 1", "q9.check()"]  # an older error of another cell
    monkeypatch.setattr(sys, "last_value", ValueError("old"), raising=False)
    with pytest.raises(NotAttempted):
        exec("q9.check()", namespace)


def test_not_implemented_deeper_than_the_answer_is_a_crash_not_a_stub():
    def helper(x):
        raise NotImplementedError("sparse input")

    def answer(x):
        return helper(x)

    calling = Question("q9", "calls", ["f"], lambda f: call_learner(f, 1, what="f(1)"))
    with pytest.raises(CheckFailed) as info:
        calling.check(answer)
    assert type(info.value) is CheckFailed and "from inside a function it calls" in info.value.message


def test_call_fresh_names_the_changed_input_and_the_copy():
    from course_lib.exercises import call_fresh

    def careless(table, values):
        values[0] = 9.0
        return 1

    data = np.zeros(3)
    with pytest.raises(Incorrect, match=r"changed its input `values` in place .*values.copy\(\)"):
        call_fresh(careless, pd.DataFrame({"a": [1]}), data, what="careless(table, values)")
    assert data.tolist() == [0.0, 0.0, 0.0]  # the check's own input is never touched
    frame = pd.DataFrame({"a": [1.0, 2.0]})
    with pytest.raises(Incorrect, match="`table` in place"):
        call_fresh(lambda table: table.drop(columns="a", inplace=True), frame, what="f(table)",
                   names=["table"])
    assert call_fresh(lambda table: float(table["a"].sum()), frame, what="f") == 3.0


def test_seeds_are_checked_twice_the_same_and_once_another():
    from course_lib.exercises import same_seed_same_answer

    make = lambda seed: (np.arange(5.0), seed)  # noqa: E731
    good = lambda x, seed: np.random.default_rng(seed).permutation(x)  # noqa: E731
    same_seed_same_answer(good, make, what="f(x, {seed})")
    with pytest.raises(Incorrect, match="ignores `seed`"):
        same_seed_same_answer(lambda x, seed: np.random.default_rng(0).permutation(x), make,
                              what="f(x, {seed})")
    with pytest.raises(Incorrect, match="two different answers for the same seed"):
        same_seed_same_answer(lambda x, seed: np.random.permutation(x), make, what="f(x, {seed})")


def test_plain_numbers():
    from course_lib.exercises import plain

    assert plain(np.float64(-1.0)) == "-1" and plain(np.float32(0.25)) == "0.25"
    assert plain(np.array(1 / 3)) == "0.333333"
