"""Check at the door, trust inside: every argument is scanned once, where the user passed it.

Each check function of ``course_lib._validation`` is wrapped, in every course_lib module that
imported it, by a counter that records which argument (by identity) it was given. A composite
such as ``kernel_shap`` calls the private cores of the functions it builds on (``_coalition_values``,
``_solve_efficient_wls``), so that X and the background are each checked once, and ``grad_cam``
scans its image batch once, not again inside ``grad_cam_weights`` or ``upsample_and_normalise``.
"""
from __future__ import annotations

import importlib
import inspect
import sys
from collections import Counter

import numpy as np
import pytest
import torch
from sklearn.datasets import load_diabetes
from sklearn.ensemble import GradientBoostingRegressor
from torch import nn

import course_lib
from course_lib import _validation, cam, kernel_shap, shapley_model

#: course_lib modules whose checks are counted (views and teaching code are outside the rule).
MODULES = ("game", "shapley", "shapley_model", "kernel_shap", "explanation", "hooks", "cam",
           "metrics", "kernels", "lime.core", "lime.tabular", "lime.text", "lime.image",
           "lime.diagnostics", "inspection", "counterfactual", "effects", "anchors", "surrogate",
           "baselines", "concepts", "attention", "faithfulness", "examples", "tree_shap", "warp")


class Scans:
    """Counts calls into _validation, by check function and by the argument checked."""

    def __init__(self):
        self.calls = []                                   # (function name, positional args)

    def of(self, value) -> int:
        """How many checks were given `value` (or a view of the same array) as the thing to check.

        The thing checked is a check's first argument (``check_background(background, X)`` scans
        the background and reads only X's width); ``check_model_game`` scans its x and background.
        """
        return sum(any(_same(arg, value) for arg in (args[1:3] if name == "check_model_game" else args[:1]))
                   for name, args in self.calls)

    def names(self) -> Counter:
        return Counter(name for name, _ in self.calls)


def _same(arg, value) -> bool:
    if arg is value:
        return True
    if isinstance(arg, np.ndarray) and isinstance(value, np.ndarray):
        return arg.shape == value.shape and np.shares_memory(arg, value)
    if isinstance(arg, torch.Tensor) and isinstance(value, torch.Tensor):
        return arg.shape == value.shape and arg.data_ptr() == value.data_ptr()
    return False


@pytest.fixture
def scans(monkeypatch):
    """Wrap every _validation function (defined in one of its modules: arrays, seeds, tables...)
    bound in a course_lib module with a counter."""
    record = Scans()
    checks = {name: obj for name, obj in vars(_validation).items()
              if inspect.isfunction(obj) and obj.__module__.startswith(_validation.__name__ + ".")}

    def counting(name, function):
        def wrapper(*args, **kwargs):
            record.calls.append((name, args + tuple(kwargs.values())))
            return function(*args, **kwargs)
        return wrapper

    assert len(checks) > 100, "the check functions of _validation were not found"
    for module_name in MODULES:
        module = importlib.import_module(f"course_lib.{module_name}")
        for attribute, obj in list(vars(module).items()):
            if any(obj is check for check in checks.values()):
                monkeypatch.setattr(module, attribute, counting(obj.__name__, obj))
    return record


@pytest.fixture(scope="module")
def regression():
    X, y = load_diabetes(return_X_y=True)
    X = np.ascontiguousarray(X[:, :6])
    model = GradientBoostingRegressor(n_estimators=20, max_depth=3, random_state=0).fit(X, y)
    return model, X


def test_the_counter_sees_the_checks(scans, regression):
    """The wrapper is in place: a public function's own checks are counted."""
    model, X = regression
    shapley_model.coalition_values(model.predict, X[:3], X[10:20], np.eye(6, dtype=bool))
    assert scans.names()["check_rows"] == 1 and scans.names()["check_background"] == 1
    assert scans.names()["check_coalitions"] == 1


@pytest.mark.parametrize("n_samples", [None, 20])
def test_kernel_shap_checks_x_and_the_background_once(scans, regression, n_samples):
    model, X = regression
    rows, background = X[:4], X[50:70]
    kernel_shap.kernel_shap(model.predict, rows, background, n_samples=n_samples)
    assert scans.of(rows) == 1, scans.calls
    assert scans.of(background) == 1, scans.calls
    # nothing inside scans its intermediate arrays again (coalitions, values, the regression)
    assert set(scans.names()) <= {"check_rows", "check_background", "check_callable",
                                  "check_budget", "check_seed", "model_outputs", "check_array"}
    assert scans.names()["check_rows"] == 1 and scans.names()["check_background"] == 1
    assert "check_array" not in scans.names() or scans.names()["check_array"] == 2  # Attributions


def test_kernel_shap_loss_checks_x_and_the_background_once(scans, regression):
    model, X = regression
    rows, background = X[:6], X[50:70]
    labels = np.array([0, 1, 0, 1, 1, 0])

    def predict_proba(inputs):
        p = 1 / (1 + np.exp(-inputs[:, 0] * 10))
        return np.column_stack([1 - p, p])

    kernel_shap.kernel_shap_loss(predict_proba, rows, labels, background, n_samples=20)
    assert scans.of(rows) == 1 and scans.of(background) == 1, scans.calls
    assert scans.names()["check_rows"] == 1 and scans.names()["check_background"] == 1


def test_a_model_game_checks_the_background_once_not_per_coalition(scans, regression):
    model, X = regression
    background = X[50:70]
    game = shapley_model.model_game(model.predict, X[0], background)
    game.value_table()
    for coalition in [(), ("x0",), ("x1", "x2")]:
        game(coalition)
    assert scans.of(background) == 1, scans.calls
    assert scans.names()["check_model_game"] == 1 and "check_rows" not in scans.names()


class _Net(nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.relu = nn.ReLU()
        self.head = nn.Linear(4, 3)

    def forward(self, x):
        return self.head(self.relu(self.conv(x)).mean(dim=(2, 3)))


@pytest.fixture(scope="module")
def network():
    return _Net().eval(), torch.randn(2, 3, 8, 8, generator=torch.Generator().manual_seed(0))


def test_grad_cam_checks_x_once(scans, network):
    model, x = network
    cam.grad_cam(model, model.conv, x, target=1)
    assert scans.of(x) == 1, scans.calls
    # its own intermediate tensors (gradients, the small map) are not checked again; the hooks
    # check that they were given a module (an isinstance test, no data); what the model returns
    # (the class scores) is checked once, and target against the number of classes
    assert scans.names()["check_images"] == 1 and scans.names()["check_layer"] == 1
    assert set(scans.names()) == {"check_images", "check_layer", "check_module", "check_class_scores",
                                  "check_class_index"}


def test_guided_grad_cam_checks_x_once(scans, network):
    model, x = network
    cam.guided_grad_cam(model, model.conv, x, target=[0, 2])
    assert scans.of(x) == 1, scans.calls
    assert scans.names()["check_images"] == 1 and scans.names()["check_layer"] == 1
    assert "check_tensor" not in scans.names() and "check_shape" not in scans.names()


def test_the_results_are_those_of_the_checked_public_pieces(network, regression):
    """The cores compute what the public functions compute (the checks change nothing)."""
    model, x = network
    maps = cam.grad_cam(model, model.conv, x, target=1)
    guided = cam.guided_grad_cam(model, model.conv, x, target=1)
    torch.testing.assert_close(guided, cam.guided_backprop(model, x, 1) * maps[:, None])
    reg, X = regression
    Z, weights = kernel_shap.coalition_plan(6, None)
    values = shapley_model.coalition_values(reg.predict, X[:2], X[50:60], Z)[..., :]
    base = reg.predict(X[50:60]).mean()
    phi = kernel_shap.solve_efficient_wls(Z, weights, values - base, reg.predict(X[:2])[:, None] - base)
    np.testing.assert_allclose(phi[..., 0], kernel_shap.kernel_shap(reg.predict, X[:2], X[50:60]).values,
                               atol=1e-10)
