"""In-notebook exercise checks: ``q1.check()``, ``q1.hint()``, ``q1.solution()``.

A :class:`Question` reads the learner's answer (by variable name from the notebook, or passed
directly), tests *properties* of it and its agreement with ``course_lib`` on the learner's own
inputs, and answers with feedback that teaches:

* correct: a short green confirmation;
* wrong: what is off, by how much, and one nudge; the cell fails (nbval sees it), but the
  learner sees the message, not a traceback (IPython shows ``_render_traceback_``);
* not attempted (the variable is missing, still the placeholder, or the stub still raises
  ``NotImplementedError``): a plain "not attempted yet".

Checkers are plain functions that raise :class:`Incorrect` with a message. The helpers below
(:func:`as_array`, :func:`as_number`, :func:`call_learner`, …) turn any input (None, a string,
NaN, a torch tensor, a wrong shape) into such a message, so that no checker ever shows a
traceback from inside the library. Each topic lists its questions in
``course_lib/exercises/exNN_topic.py`` as ``QUESTIONS``.
"""
from __future__ import annotations

import contextlib
import copy
import html
import importlib
import inspect
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

__all__ = [
    "Question", "Incorrect", "CheckFailed", "NotAttempted", "CheckCrashed", "PLACEHOLDER",
    "UNNAMED", "FORBIDDEN", "mistake_id", "mistake_from",
    "as_array", "as_number", "as_int", "as_mapping", "as_callable", "as_string", "call_learner",
    "assert_close", "is_close", "forbidden", "call_fresh", "same_seed_same_answer", "plain",
    "uses_python_loop", "source_of",
]


class _Placeholder:
    """The ``____`` a learner replaces with an answer."""

    def __repr__(self) -> str:
        return "____"


#: Exercise cells may start as ``answer = ____``; checking it says "not attempted".
PLACEHOLDER = ____ = _Placeholder()


class Incorrect(Exception):
    """Raised by a checker: the answer is wrong, and the message says how.

    `mistake` names the typical mistake the checker recognised, as a short stable slug
    ("equal-split", "wrong-sign"): the grader's class report counts learners per mistake id,
    whatever numbers each learner's message holds. A checker names every mistake it raises
    (a test reads every checker module for it); :data:`UNNAMED` is left only for the rest.
    """

    def __init__(self, message: str = "", mistake: str = ""):
        super().__init__(message)
        self.mistake = mistake


#: The mistake id of an :class:`Incorrect` raised without one.
UNNAMED = "unnamed"

#: What a mistake id may be: lower-case words joined by hyphens (it crosses the grader's wire).
MISTAKE_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


_FILLER = frozenset("""a an the your you is are was of to in it its for but should be has have
with on by from this that each and or as at so than then there these those they their what which
when where will would can could do does did here all any into only own up out about over also
still more most very must need needs not returns return got gives give instead please""".split())


def mistake_from(message: str, words: int = 3) -> str:
    """A mistake id from the first `words` content words of a fixed `message` (names in
    backquotes, parentheses and numbers left out): the id of each row of a checker's table of
    typical mistakes, whose message is written once in the table."""
    text = re.sub(r"`[^`]*`|\([^()]*\)", " ", str(message)).lower()
    kept = [w for w in re.findall(r"[a-z][a-z0-9]*", text) if w not in _FILLER and len(w) > 1]
    return "-".join(kept[:words]) or UNNAMED


def mistake_id(value) -> str:
    """`value` as a mistake id when it is one (at most 60 characters), else :data:`UNNAMED`."""
    text = value if isinstance(value, str) else ""
    return text if len(text) <= 60 and MISTAKE_ID.fullmatch(text) else UNNAMED


class _NotAttemptedSignal(Exception):
    """Raised by helpers when the learner's answer is still the stub."""


class CheckFailed(AssertionError):
    """The cell fails, and the learner sees the feedback instead of a traceback."""

    status = "incorrect"
    colour = "\x1b[1;31m"

    def __init__(self, question: str, message: str, mistake: str = ""):
        super().__init__(f"{question}: {message}")
        self.question = question
        self.message = message
        self.mistake = mistake or self.status.replace(" ", "-")

    def _render_traceback_(self) -> list[str]:
        head = {"incorrect": "✗ Not yet", "not attempted": "… Not attempted yet",
                "crashed": "✗ Could not check"}[self.status]
        return [f"{self.colour}{head} ({self.question})\x1b[0m: {self.message}"]


class NotAttempted(CheckFailed):
    status = "not attempted"
    colour = "\x1b[1;33m"


class CheckCrashed(CheckFailed):
    """The checker itself hit an unexpected error: a bug in the course, reported kindly."""

    status = "crashed"


def _in_notebook() -> bool:
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def _show(text: str, colour: str = "black", plain_prefix: str = "") -> None:
    """Show feedback: coloured HTML in Jupyter, one plain line elsewhere."""
    if _in_notebook():
        from IPython.display import HTML, display

        body = html.escape(text).replace("\n", "<br>")
        display(HTML(f'<div style="color:{colour}">{body}</div>'))
    else:
        print(plain_prefix + text)


@dataclass
class Question:
    """One checked exercise.

    Parameters
    ----------
    name : the label used in the notebook and in grade tables ("q1").
    title : what the question asks, in a few words.
    vars : the notebook variables that ``check()`` reads when called without arguments.
    checker : ``checker(*answers)`` returns an optional success note or raises :class:`Incorrect`.
    hints : from gentle to nearly the answer; ``hint()`` shows the next one.
    solution : the reference code, shown by ``solution()``.
    """

    name: str
    title: str
    vars: Sequence[str]
    checker: Callable[..., str | None]
    hints: Sequence[str] = field(default_factory=list)
    solution_code: str = ""
    _hints_shown: int = 0

    # ------------------------------------------------------------------ reading the answer
    def _answers(self, args: tuple, kwargs: dict, frame) -> list[Any]:
        if args or kwargs:
            if len(args) > len(self.vars):
                raise Incorrect(f"check() takes {len(self.vars)} answer(s) "
                                f"({', '.join(self.vars)}), got {len(args)}", mistake="too-many-answers")
            answers = dict(zip(self.vars, args))
            unknown = set(kwargs) - set(self.vars)
            if unknown:
                raise Incorrect(f"check() got unknown name(s) {sorted(unknown)}; "
                                f"it reads {', '.join(self.vars)}", mistake="unknown-answer-names")
            answers.update(kwargs)
            missing = [v for v in self.vars if v not in answers]
        else:
            namespace = frame.f_globals if frame is not None else {}
            answers = {v: namespace[v] for v in self.vars if v in namespace}
            missing = [v for v in self.vars if v not in answers]
        if missing:
            crash = _answer_cell_crash(missing, frame)
            if crash:
                raise Incorrect(crash, mistake="answer-cell-crashed")
            raise _NotAttemptedSignal(f"define {', '.join(f'`{m}`' for m in missing)} "
                                      "in the cell above, then run this cell again")
        placeholders = [v for v in self.vars if answers[v] is PLACEHOLDER]
        if placeholders:
            raise _NotAttemptedSignal(f"replace ____ in `{placeholders[0]}` with your answer")
        return [answers[v] for v in self.vars]

    # ------------------------------------------------------------------ the three verbs
    def check(self, *args, **kwargs) -> None:
        """Check the answer: passed as arguments, or read from the notebook by name."""
        frame = inspect.currentframe().f_back
        try:
            note = self._verdict(lambda: self._answers(args, kwargs, frame))
        finally:
            del frame
        message = f"✓ Correct ({self.name})" + (f": {note}" if note else "")
        _show(message, colour="green")

    def judge(self, answers: dict) -> str | None:
        """Check `answers` ({variable: value}; a variable left out was never defined) as
        :meth:`check` does, without showing anything: the success note, or :class:`CheckFailed`
        (:class:`NotAttempted`, :class:`CheckCrashed`). The grader's clean process calls this
        with the learner's values and functions as they crossed from the kernel
        (:mod:`course_lib.grading.remote`)."""
        def read():
            missing = [v for v in self.vars if v not in answers]
            if missing:
                raise _NotAttemptedSignal(f"define {', '.join(f'`{m}`' for m in missing)} "
                                          "in the cell above, then run this cell again")
            return self._answers((), {v: answers[v] for v in self.vars}, None)
        return self._verdict(read)

    def _verdict(self, read: Callable[[], list]) -> str | None:
        try:
            answers = read()
            return self.checker(*answers)
        except _NotAttemptedSignal as signal:
            raise NotAttempted(self.name, str(signal)) from None
        except NotImplementedError:
            raise NotAttempted(self.name, "your function still raises NotImplementedError: "
                                          "replace that line with your code") from None
        except Incorrect as wrong:
            raise CheckFailed(self.name, str(wrong), mistake_id(wrong.mistake)) from None
        except Exception as error:  # a checker bug must still not show a library traceback
            raise CheckCrashed(self.name, f"this answer could not be checked "
                                          f"({type(error).__name__}: {error}). Check its type "
                                          "and shape against the question.") from None

    def hint(self, level: int | None = None) -> None:
        """Show the next hint, or hint number `level` (1 is the gentlest)."""
        if not self.hints:
            _show(f"No hint for {self.name}: re-read the question and the section above.")
            return
        if level is None:
            self._hints_shown = min(self._hints_shown + 1, len(self.hints))
            level = self._hints_shown
        if not isinstance(level, int) or not 1 <= level <= len(self.hints):
            _show(f"{self.name} has hints 1 to {len(self.hints)}; try {self.name}.hint(1)")
            return
        more = " (call hint() again for more)" if level < len(self.hints) else ""
        _show(f"Hint {level}/{len(self.hints)} ({self.name}): {self.hints[level - 1]}{more}",
              colour="#1f5fa0")

    def solution(self) -> None:
        """Show the reference solution's code."""
        if _in_notebook():
            from IPython.display import Markdown, display

            display(Markdown(f"**Solution ({self.name})**\n\n```python\n{self.solution_code}\n```"))
        else:
            print(f"Solution ({self.name}):\n{self.solution_code}")

    def __repr__(self) -> str:
        return (f"<Question {self.name}: {self.title}. Use {self.name}.check(), "
                f"{self.name}.hint(), {self.name}.solution()>")


def _answer_cell_crash(missing: Sequence[str], frame) -> str:
    """A message when the cell that should define `missing` stopped with an error ('' if not).

    In IPython the last error of a cell is ``sys.last_value`` and the cells run so far are
    ``In``; when the cell run just before this check names a missing variable and stopped with
    an error other than the stub's NotImplementedError, the answer was attempted and crashed.
    """
    error = getattr(sys, "last_value", None)
    history = (frame.f_globals.get("In") if frame is not None else None) or []
    if (error is None or isinstance(error, (NotImplementedError, CheckFailed, KeyboardInterrupt))
            or not isinstance(history, list) or len(history) < 2):
        return ""
    previous = str(history[-2])
    named = [m for m in missing if m in previous]
    if not named:
        return ""
    return (f"the cell that defines `{named[0]}` stopped with {type(error).__name__}: "
            f"{_short(error) or 'no message'}; fix that cell and run it again (your answer is "
            "not defined until it runs to the end)")


# ---------------------------------------------------------------------- answer readers
def _remote(value: Any) -> bool:
    """Whether `value` is a learner's function or object still in the learner's kernel, reached
    through the grader's channel (:mod:`course_lib.grading.remote`): calls to it cross the process
    boundary, and its result comes back as plain data."""
    return bool(getattr(type(value), "__course_remote__", False))


def _describe(value: Any) -> str:
    if value is None:
        return "None"
    if _remote(value):
        return f"a {value.__course_type__}"
    if isinstance(value, type):
        return f"the class {value.__name__} (call it to make an object?)"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        try:
            return f"a {type(value).__name__} of shape {tuple(value.shape)}"
        except TypeError:
            return f"a {type(value).__name__}"
    if isinstance(value, (str, bytes)):
        text = value if len(value) < 40 else value[:37] + "..."
        return f"the string {text!r}"
    return f"a {type(value).__name__}"


def as_array(value: Any, what: str, shape: tuple | None = None, ndim: int | None = None,
             finite: bool = True, dtype=float) -> np.ndarray:
    """Read `value` as a numpy array, or raise :class:`Incorrect` naming `what` and the fix.

    ``shape`` may hold ``None`` for "any length" along that axis. Torch tensors, pandas objects
    and nested lists are converted; None, strings, ragged lists, NaN and wrong shapes are not.
    """
    if value is None or isinstance(value, (str, bytes, dict, set)) or callable(value):
        raise Incorrect(f"`{what}` should be an array, but it is {_describe(value)}",
                        mistake="not-an-array")
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch tensor
        try:
            try:
                value = value.detach().cpu().numpy()
            except TypeError:  # bfloat16: a dtype numpy lacks
                value = value.detach().cpu().float().numpy()
        except Exception:  # sparse, meta or quantised tensors
            raise Incorrect(f"`{what}` is a tensor numpy cannot read ({_describe(value)}); "
                            "pass a plain numpy array or a dense float tensor", mistake="unreadable-tensor") from None
    if hasattr(value, "to_numpy"):
        value = value.to_numpy()
    try:
        array = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError, OverflowError):
        raise Incorrect(f"`{what}` should hold numbers only, but it is {_describe(value)} "
                        "that numpy cannot turn into a numeric array", mistake="not-numeric") from None
    expected_ndim = len(shape) if shape is not None else ndim
    if expected_ndim is not None and array.ndim != expected_ndim:
        want = f"shape {_shape_text(shape)}" if shape is not None else f"{ndim} dimension(s)"
        raise Incorrect(f"`{what}` should have {want}, but it has shape {array.shape}",
                        mistake="wrong-dimensions")
    if shape is not None and any(s is not None and s != a for s, a in zip(shape, array.shape)):
        raise Incorrect(f"`{what}` should have shape {_shape_text(shape)}, "
                        f"but it has shape {array.shape}", mistake="wrong-shape")
    if finite and array.dtype.kind in "fc" and not np.all(np.isfinite(array)):
        bad = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
        raise Incorrect(f"`{what}` contains {bad} NaN or infinite value(s); "
                        "look for a division by zero or an empty mean", mistake="not-finite")
    return array


def _shape_text(shape) -> str:
    return "(" + ", ".join("any" if s is None else str(s) for s in shape) + (",)" if len(shape) == 1 else ")")


def as_number(value: Any, what: str) -> float:
    """Read `value` as one finite real number (a 1-element array or tensor is fine)."""
    if isinstance(value, (bool, np.bool_)):
        raise Incorrect(f"`{what}` should be a number, but it is the boolean {value}", mistake="boolean-not-number")
    if isinstance(value, (int, float, np.integer, np.floating)):
        try:
            number = float(value)
        except OverflowError:
            raise Incorrect(f"`{what}` is an integer too large for a float; "
                            "it should be a sensible number", mistake="number-too-large") from None
    else:
        array = as_array(value, what, finite=False) if value is not None and not isinstance(
            value, (str, bytes)) else None
        if array is None or array.size != 1:
            raise Incorrect(f"`{what}` should be a single number, but it is {_describe(value)}", mistake="not-a-number")
        number = float(array.reshape(()))
    if not np.isfinite(number):
        raise Incorrect(f"`{what}` is {number}; it should be a finite number", mistake="not-finite")
    return number


def as_int(value: Any, what: str) -> int:
    """Read `value` as a whole number."""
    number = as_number(value, what)
    if number != int(number):
        raise Incorrect(f"`{what}` should be a whole number, but it is {number}", mistake="not-whole")
    return int(number)


def as_string(value: Any, what: str) -> str:
    """Read `value` as a non-empty string."""
    if not isinstance(value, str):
        raise Incorrect(f"`{what}` should be a string, but it is {_describe(value)}", mistake="not-a-string")
    if not value.strip():
        raise Incorrect(f"`{what}` is empty; write your answer between the quotes", mistake="empty-string")
    return value.strip()


def as_mapping(value: Any, what: str, keys: Sequence | None = None) -> dict:
    """Read `value` as a dict, optionally with exactly the given keys."""
    if hasattr(value, "to_dict") and not isinstance(value, dict):
        value = value.to_dict()
    if not isinstance(value, dict):
        raise Incorrect(f"`{what}` should be a dict, but it is {_describe(value)}", mistake="not-a-dict")
    if keys is not None:
        missing = [k for k in keys if k not in value]
        extra = [k for k in value if k not in keys]
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"missing keys {missing}")
            if extra:
                parts.append(f"unexpected keys {extra}")
            raise Incorrect(f"`{what}` has {' and '.join(parts)}; expected keys {list(keys)}", mistake="wrong-keys")
    return dict(value)


def as_callable(value: Any, what: str) -> Callable:
    """Check that `value` is a function the checker can call."""
    if not callable(value):
        raise Incorrect(f"`{what}` should be a function (def {what}(...): ...), "
                        f"but it is {_describe(value)}", mistake="not-a-function")
    return value


def call_learner(function: Callable, *args, what: str = "your function", **kwargs):
    """Call the learner's function; a stub still raising NotImplementedError is 'not attempted'."""
    try:
        return function(*args, **kwargs)
    except Incorrect:  # a guard from :func:`forbidden` already says what is wrong
        raise
    except NotImplementedError as error:
        if _raised_by_stub(function, error):
            raise _NotAttemptedSignal(f"{what} still raises NotImplementedError: "
                                      "replace that line with your code") from None
        raise Incorrect(f"{what} raised NotImplementedError from inside a function it calls "
                        f"({_short(error) or 'no message'}): your code runs, but calls something "
                        "that is not written yet or not supported here", mistake="inner-not-implemented") from None
    except RecursionError:
        raise Incorrect(f"{what} calls itself without end (RecursionError); check the function "
                        "does not call its own name", mistake="endless-recursion") from None
    except Exception as error:
        text = " ".join(str(error).split())
        if len(text) > 160:
            text = text[:157] + "..."
        nudge = ""
        if any(word in text for word in ("broadcast", "matmul", "not aligned", "size of tensor",
                                         "shapes", "dimension")):
            nudge = (". Print the shapes of the arrays you combine (a.shape) and compare them "
                     "with the question")
        elif "truth value of a" in text and "ambiguous" in text:
            nudge = ". Combine masks with | and & (in parentheses), not Python's `or` and `and`"
        raise Incorrect(f"{what} raised {type(error).__name__}: {text}{nudge}", mistake="learner-raised") from None


def _short(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text if len(text) <= 160 else text[:157] + "..."


def _raised_by_stub(function: Callable, error: BaseException) -> bool:
    """True when the learner's own function (its own body) raised the NotImplementedError: the
    untouched stub; False when it came from deeper, from something the learner's code called."""
    stub = getattr(error, "__course_stub__", None)  # raised in the kernel, judged there
    if stub is not None:
        return bool(stub)
    code = getattr(function, "__code__", None)
    frames = []
    tb = error.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame.f_code)
        tb = tb.tb_next
    if not frames:
        return True
    if code is None:  # a callable object or a builtin: trust the stub convention
        return True
    return frames[-1] is code or frames[-1].co_name == code.co_name and len(frames) <= 2


# ---------------------------------------------------------------------- fresh inputs
def plain(value: Any, digits: int = 6) -> str:
    """A number (numpy scalar, 0-d array, int) as plain text: 0.25, not np.float64(0.25)."""
    try:
        number = float(np.asarray(value, dtype=float).reshape(()))
    except (TypeError, ValueError):
        return str(value)
    if number == int(number) and abs(number) < 1e15:
        return str(int(number))
    return f"{number:.{digits}g}"


def _frozen(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, float, complex, str, bytes, range,
                                               np.generic)) or callable(value) and not hasattr(
        value, "__dict__") or isinstance(value, type)


def _copy_of(value: Any) -> Any:
    """A deep copy of a check's own input (models included); functions are shared."""
    if _frozen(value) or inspect.isfunction(value) or inspect.ismethod(value):
        return value
    try:
        return copy.deepcopy(value)
    except Exception:  # an object that cannot be copied: hand it over as it is
        return value


def _copies(args: tuple) -> list:
    """Deep copies of `args` made together, so that objects that refer to each other (a model
    and one of its layers) still do in the copies; functions are shared."""
    try:
        return list(copy.deepcopy(tuple(args)))
    except Exception:  # something that cannot be copied: copy the others one by one
        return [_copy_of(value) for value in args]


def inputs_unchanged(before: Any, after: Any) -> bool:
    """True when `after` (what the learner's function was given) still equals `before`."""
    if before is after or _frozen(before) or inspect.isfunction(before):
        return True
    if isinstance(before, np.ndarray):
        return (isinstance(after, np.ndarray) and before.shape == after.shape
                and before.dtype == after.dtype
                and bool(np.array_equal(before, after, equal_nan=before.dtype.kind in "fc")))
    if hasattr(before, "equals") and hasattr(before, "index"):  # pandas
        try:
            same_labels = before.index.equals(after.index) and (
                not hasattr(before, "columns") or before.columns.equals(after.columns))
            return bool(same_labels and before.equals(after))
        except Exception:
            return False
    if hasattr(before, "detach") and hasattr(before, "shape"):  # torch
        try:
            import torch

            return before.shape == after.shape and bool(torch.equal(before, after))
        except Exception:
            return False
    if isinstance(before, (list, tuple)):
        return (type(before) is type(after) and len(before) == len(after)
                and all(inputs_unchanged(b, a) for b, a in zip(before, after)))
    if isinstance(before, dict):
        return (isinstance(after, dict) and list(before) == list(after)
                and all(inputs_unchanged(before[k], after[k]) for k in before))
    if isinstance(before, set):
        return before == after
    if type(before).__module__.startswith("course_lib.") and hasattr(before, "__dict__"):
        return inputs_unchanged(public_attributes(before), public_attributes(after))  # e.g. a Game
    return True  # models and other objects: a refit in place is the question's business


def public_attributes(value: Any) -> dict:
    """A course object's public instance attributes (a Game's players, not its cache)."""
    return {k: v for k, v in vars(value).items() if not k.startswith("_")}


def _parameter_names(function: Callable, count: int) -> list[str]:
    if _remote(function):
        return list(getattr(function, "parameters", []))
    try:
        names = [p.name for p in inspect.signature(function).parameters.values()
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        names = []
    return names


def call_fresh(function: Callable, *args, what: str = "your function",
               names: Sequence[str] | None = None):
    """Call the learner's function on copies of the check's own `args`, then check none changed.

    The check builds `args` itself (fresh problems, never the notebook's objects); the learner's
    function gets deep copies, and any input it changed in place is named in an :class:`Incorrect`
    with the fix (``.copy()``). `names` are the parameter names the question states; by default
    the learner's own parameter names, then ``argument 1, 2, ...``.
    """
    given, kept = _copies(args), _copies(args)
    result = call_learner(function, *given, what=what)
    stated = list(names or [])
    own = _parameter_names(function, len(args))
    for position, how in _changed_inputs(function, kept, given):
        name = (stated[position] if position < len(stated) else
                own[position] if position < len(own) else f"argument {position + 1}")
        torch = " (a torch tensor copies with .clone())" if any(
            type(a).__module__ == "torch" and hasattr(a, "clone") for a in args) else ""
        raise Incorrect(f"{what} changed its input `{name}` in place ({how}); the caller's "
                        f"`{name}` must stay as it was: work on a copy ({name} = {name}.copy() "
                        f"at the top of your function){torch}", mistake="changed-input")
    return result


def _changed_inputs(function: Callable, kept: list, given: list) -> list[tuple[int, str]]:
    """[(position, how)] of the inputs the last call of `function` changed in place: compared
    here for a direct call, in the learner's kernel (on its own unpickled copies) for a call
    that crossed the grader's channel."""
    if _remote(function):
        found = []
        for item in function.last_changed:
            if (isinstance(item, list) and len(item) == 2 and isinstance(item[0], int)
                    and 0 <= item[0] < len(kept)):
                found.append((item[0], str(item[1])[:80]))
        return found
    found = []
    for position, (before, after) in enumerate(zip(kept, given)):
        if not inputs_unchanged(before, after):
            found.append((position, "a column was added, removed or overwritten"
                          if hasattr(before, "columns") else "its values changed"
                          if isinstance(before, np.ndarray) else "it changed"))
    return found


def same_seed_same_answer(function: Callable, make_args: Callable[[int], tuple], seeds=(3, 3, 4),
                          what: str = "your function", names: Sequence[str] | None = None,
                          read: Callable[[Any], Any] = lambda value: value):
    """Call the learner's seeded function with seeds a, a, b (args built fresh for each seed).

    Returns the three answers (read through `read`); raises :class:`Incorrect` when the same seed
    gives two different answers (a global or unseeded generator) or two seeds give the same one
    (the seed is ignored).
    """
    answers = []
    for seed in seeds:
        answer = call_fresh(function, *make_args(seed), what=what.format(seed=seed), names=names)
        answers.append(read(answer))
    first, again, other = answers
    if not _equal_answers(first, again):
        raise Incorrect(f"{what.format(seed=seeds[0])} gave two different answers for the same "
                        "seed: draw every random number from np.random.default_rng(seed), not "
                        "from np.random or an unseeded generator", mistake="unseeded")
    if seeds[0] != seeds[2] and _equal_answers(first, other):
        raise Incorrect(f"seeds {seeds[0]} and {seeds[2]} give the same answer: your function "
                        "ignores `seed`; make the generator with np.random.default_rng(seed)", mistake="ignores-seed")
    return answers


def source_of(function: Callable) -> str:
    """The source code of the learner's function: ``inspect.getsource`` for a direct call, the
    text the kernel sent for a function reached through the grader's channel; OSError (as
    ``inspect.getsource``) when there is none."""
    if _remote(function):
        if function.source is None:
            raise OSError("the function's source could not be read")
        return function.source
    return inspect.getsource(function)


def uses_python_loop(function: Callable) -> str:
    """'a for loop' (or while loop, comprehension) when the learner's function has one in its own
    source, '' when it has none or its source cannot be read (then nothing is refused)."""
    import ast
    import textwrap

    try:
        tree = ast.parse(textwrap.dedent(source_of(function)))
    except (OSError, TypeError, SyntaxError, IndentationError, ValueError):
        return ""
    names = {ast.For: "a for loop", ast.While: "a while loop", ast.comprehension: "a comprehension",
             ast.AsyncFor: "a for loop"}
    for node in ast.walk(tree):
        for kind, name in names.items():
            if isinstance(node, kind):
                line = getattr(node, "lineno", None)
                return f"{name}, line {line} of the function" if line else name
    return ""


def _equal_answers(a: Any, b: Any) -> bool:
    try:
        return bool(np.array_equal(np.asarray(a, dtype=float), np.asarray(b, dtype=float),
                                   equal_nan=True))
    except (TypeError, ValueError):
        return a == b


def assert_close(actual: Any, expected: Any, what: str, atol: float = 1e-8,
                 rtol: float = 1e-6, hint: str = "", mistake: str = "values-off") -> None:
    """Compare numerically and explain the largest gap in words when they differ (an
    :class:`Incorrect` with the id `mistake`)."""
    expected = np.asarray(expected, dtype=float)
    actual = as_array(actual, what, shape=expected.shape)
    if is_close(actual, expected, atol=atol, rtol=rtol):
        return
    gap = np.abs(actual - expected)
    worst = np.unravel_index(int(np.argmax(gap)), gap.shape) if gap.ndim else ()
    where = f" at index {tuple(int(i) for i in worst)}" if gap.ndim else ""
    raise Incorrect(f"`{what}` is off by up to {float(gap.max()):.4g}{where}: you have "
                    f"{float(actual[worst]):.6g}, expected {float(expected[worst]):.6g}."
                    + (f" {hint}" if hint else ""), mistake=mistake)


def is_close(actual: Any, expected: Any, atol: float = 1e-8, rtol: float = 1e-6) -> bool:
    """True when the shapes agree and |actual - expected| <= atol + rtol |expected| everywhere.

    The quiet twin of :func:`assert_close`, for telling a right answer from the typical wrong
    ones (NaN never counts as close).
    """
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    return actual.shape == expected.shape and bool(
        np.all(np.abs(actual - expected) <= atol + rtol * np.abs(expected)))


# ---------------------------------------------------------------------- forbidden shortcuts
def rebind(functions, original, replacement) -> list[tuple[Any, str, Any]]:
    """Point the names the learner's `functions` bound to `original` (globals, closure cells) at
    `replacement`; returns (owner, name, original) triples for undoing it."""
    patched = []
    for function in functions:
        namespace = getattr(function, "__globals__", None) or {}
        for name, value in list(namespace.items()):
            if value is original:
                patched.append((namespace, name, original))
                namespace[name] = replacement
        for cell in getattr(function, "__closure__", None) or ():
            try:
                if cell.cell_contents is original:
                    patched.append((cell, "cell_contents", original))
                    cell.cell_contents = replacement
            except ValueError:  # an empty cell
                continue
    return patched


#: The mistake id of an answer that called the reference implementation the question forbids.
FORBIDDEN = "forbidden-shortcut"


class ForbiddenGuard:
    """Stands in for a reference implementation while a learner's function runs."""

    def __init__(self, label: str, compare: str):
        self.label, self.compare, self.used = label, compare, False

    def message(self) -> str:
        return (f"this question asks you to write it yourself; `{self.compare}` is what the "
                "next cell compares with")

    def __call__(self, *args, **kwargs):
        self.used = True
        raise Incorrect(self.message(), mistake=FORBIDDEN)

    def __getattr__(self, name):  # class attributes such as Explainer.__call__ or .fit
        if name.startswith("__"):
            raise AttributeError(name)
        return self


def install_guards(paths, functions, make_guard, only_loaded: bool, guards: list, patched: list) -> None:
    """Put ``make_guard(path)`` in place of each importable dotted name in `paths` and of the
    names the learner's `functions` bound to it, appending to `guards` and to `patched` (what
    :func:`restore` undoes) as it goes. With `only_loaded`, a package not imported yet is skipped."""
    for path in paths:
        if only_loaded and path.split(".")[0] not in sys.modules:
            continue
        found = _resolve(path)
        if found is None:
            continue
        owner, attribute, original = found
        guard = make_guard(path)
        guards.append(guard)
        patched.append((owner, attribute, original))
        setattr(owner, attribute, guard)
        patched += rebind(functions, original, guard)


def restore(patched) -> None:
    """Undo :func:`install_guards` and :func:`rebind`, last change first."""
    for owner, attribute, original in reversed(patched):
        if isinstance(owner, dict):
            owner[attribute] = original
        else:
            setattr(owner, attribute, original)


def _resolve(path: str):
    """``"pkg.module.Name"`` -> (owner module, "Name", object), or None when not importable here."""
    module_name, _, attribute = path.rpartition(".")
    module = sys.modules.get(module_name)
    if module is None:
        try:
            module = importlib.import_module(module_name)
        except Exception:
            return None
    if not hasattr(module, attribute):
        return None
    return module, attribute, getattr(module, attribute)


@contextlib.contextmanager
def forbidden(paths: Sequence[str], learner: Any = (), compare: str = "", only_loaded: bool = False):
    """Replace each reference implementation in `paths` by a guard while the block runs.

    `paths` are dotted names ("sklearn.linear_model.Ridge"); every name bound to the same object
    in the learner functions' globals (``from sklearn.linear_model import Ridge`` in the notebook)
    is replaced too. If the learner's code calls one, the block ends with :class:`Incorrect`
    "this question asks you to write it yourself; `compare` is what the next cell compares
    with", even when the learner's code caught the guard's error. Everything is restored in
    ``finally``. With ``only_loaded`` a package not imported yet is skipped (a learner who never
    imported shap cannot call it).
    """
    functions = [f for f in (learner if isinstance(learner, (list, tuple)) else [learner])
                 if callable(f)]
    patched: list[tuple[Any, str, Any]] = []
    guards: list[ForbiddenGuard] = []
    channels = {id(f._channel): f._channel for f in functions if _remote(f) and f._channel}
    for channel in channels.values():  # the same guards, in the learner's kernel
        channel.guards.append((list(paths), compare, only_loaded))
    here = not functions or not all(_remote(f) for f in functions)  # else no learner code runs here
    try:
        install_guards(paths if here else (), functions,
                       lambda path: ForbiddenGuard(path, compare or path), only_loaded, guards, patched)
        yield
        used = next((g for g in guards if g.used), None)
        if used is not None:
            raise Incorrect(used.message(), mistake=FORBIDDEN)
    except Incorrect:
        raise
    except Exception:
        used = next((g for g in guards if g.used), None)
        if used is not None:
            raise Incorrect(used.message(), mistake=FORBIDDEN) from None
        raise
    finally:
        for channel in channels.values():
            channel.guards.pop()
        restore(patched)
