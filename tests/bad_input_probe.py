"""The rule every bad-input probe checks, and the public callables that must be probed.

A probe is one entry of a ``CASES`` dict in a ``tests/test_bad_inputs*.py`` file, keyed
``"module.name: what is wrong"`` (``module`` relative to ``course_lib``, e.g. ``"lime.LimeTabular"``
or ``"kernels.rbf_kernel"``), whose value calls the function with one class of bad input: wrong
shape, NaN, pandas NA, strings, a sparse matrix, an unfitted model, the wrong kind of argument, a
negative or float seed, an absurd count, a model that returns the wrong shape or NaN, a double
tensor, a list or a tensor for a row. ``assert_clear_error`` requires a one-line ``TypeError`` or
``ValueError`` raised by course_lib (or scikit-learn's own check) within a second.
"""
from __future__ import annotations

import importlib
import inspect
import time

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression

#: The modules whose public callables (``__all__``, else the functions and classes they define)
#: must each have at least one probe. Plots, widgets, exercises and grading draw, show or check
#: what these return; they are outside this contract.
PROBED_MODULES = (
    "game", "shapley", "shapley_model", "kernels", "warp", "lime", "lime.core", "lime.diagnostics",
    "kernel_shap", "tree_shap", "explanation", "hooks", "cam", "metrics", "inspection",
    "surrogate", "counterfactual", "effects", "examples", "anchors", "faithfulness", "attention",
    "shortcut", "cardio_rules", "cardio_twin", "data", "baselines", "concepts",
)


def assert_clear_error(call, case: str = "") -> str:
    """call() raises a one-line TypeError/ValueError of ours within 1 s; returns the message."""
    start = time.perf_counter()
    with pytest.raises((TypeError, ValueError)) as error:
        call()
    elapsed = time.perf_counter() - start
    message = str(error.value)
    assert elapsed < 1.0, f"{case}: {elapsed:.2f} s before the error"
    assert "\n" not in message.strip() and 15 < len(message) < 400, (case, message)
    frames = []
    tb = error.value.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame.f_code.co_filename)
        tb = tb.tb_next
    # the error is ours (raised in course_lib), not numpy's or torch's from deep inside
    assert "course_lib" in frames[-1] or "sklearn" in frames[-1], (case, frames[-1], message)
    return message


def public_callables(module_name: str) -> dict:
    """name -> object for the functions and classes `module_name` makes public."""
    module = importlib.import_module(f"course_lib.{module_name}")
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n, obj in vars(module).items() if not n.startswith("_")
                 and (inspect.isfunction(obj) or inspect.isclass(obj))
                 and obj.__module__ == module.__name__]
    return {name: getattr(module, name) for name in names
            if inspect.isfunction(getattr(module, name)) or inspect.isclass(getattr(module, name))}


def resolve(key: str):
    """The object a probe key names: "lime.LimeTabular: ..." -> course_lib.lime.LimeTabular."""
    target = key.split(":", 1)[0].strip()
    module_name, _, name = target.rpartition(".")
    return getattr(importlib.import_module(f"course_lib.{module_name}"), name)


# ----------------------------------------------------------------------------- models that misbehave
def wrong_shape(rows):
    """A model function that returns (n, 2, 2) instead of (n,) or (n, K)."""
    return np.zeros((len(rows), 2, 2))


def too_few(rows):
    """A model function that returns one prediction too few."""
    return np.zeros(len(rows) - 1)


def with_nan(rows):
    """A model function that returns NaN."""
    return np.full(len(rows), np.nan)


class WrongShapeRegressor(LinearRegression):
    def predict(self, X):
        return np.zeros((len(X), 3))


class NaNRegressor(LinearRegression):
    def predict(self, X):
        return np.full(len(X), np.nan)


class NaNProba(LogisticRegression):
    def predict_proba(self, X):
        return np.full((len(X), 2), np.nan)


class WrongPredict(LogisticRegression):
    def predict(self, X):
        return np.zeros((len(X), 2))
