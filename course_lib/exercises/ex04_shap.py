"""Exercises for notebook 04, SHAP: six checked questions, from the kernel weight to the loss.

Every check recomputes the answer with ``course_lib.kernel_shap`` / ``course_lib.tree_shap`` on the
question's model (or on problems it builds for your function) and tests properties of your answer;
no stored answers. The small models the questions use are built by the ``*_example()`` functions
below (deterministic, cached), so the notebook and the checks see the same objects.
"""
from __future__ import annotations

import math
from functools import lru_cache
from types import SimpleNamespace

import numpy as np

from ..kernel_shap import kernel_shap, kernel_shap_loss, shapley_kernel
from ..tree_shap import tree_shap
from . import (PLACEHOLDER, Incorrect, Question, as_array, as_callable, as_number, as_string,
               call_fresh, call_learner, forbidden)

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6", "QUESTIONS", "PLACEHOLDER", "waterfall_example",
           "sign_flip_example", "tiny_tree_example", "loss_example"]


# ------------------------------------------------------------------------------- examples
@lru_cache(maxsize=None)
def waterfall_example():
    """q3: a gradient-boosted regressor on scikit-learn's diabetes table, one patient explained."""
    from sklearn.datasets import load_diabetes
    from sklearn.ensemble import GradientBoostingRegressor

    data = load_diabetes(as_frame=True)
    X, y = data.data.to_numpy(), data.target.to_numpy()
    model = GradientBoostingRegressor(n_estimators=50, max_depth=3, random_state=0).fit(X, y)
    result = tree_shap(model, X[[42]])
    result.feature_names = list(data.data.columns)
    return SimpleNamespace(model=model, X=X, row=42, result=result,
                           feature_names=list(data.data.columns))


@lru_cache(maxsize=None)
def _twin_model():
    """A small classifier on the cardio twin (seven features), log-odds output."""
    from sklearn.ensemble import GradientBoostingClassifier

    from ..cardio_twin import make_cardio_twin

    twin = make_cardio_twin(n=4000, seed=4, errors=False)
    names = ["age", "gender", "height", "weight", "ap_hi", "ap_lo", "cholesterol"]
    X = twin[names].astype(float).assign(age=(twin.age / 365.25).round(1)).to_numpy()
    y = twin.cardio.to_numpy()
    model = GradientBoostingClassifier(n_estimators=50, max_depth=3, random_state=0).fit(X[:3000], y[:3000])
    return model, X, y, names


@lru_cache(maxsize=None)
def sign_flip_example():
    """q4: a patient whose ap_hi value can be made to look high or low by the background."""
    model, X, _, names = _twin_model()
    feature = names.index("ap_hi")
    patient = X[3000:][np.flatnonzero(X[3000:, feature] == 130)[:1]]
    return SimpleNamespace(model=model, patient=patient, pool=X[:3000], feature_names=names,
                           feature="ap_hi")


@lru_cache(maxsize=None)
def tiny_tree_example():
    """q5: a depth-2 regression tree on two 0/1 features with round covers and leaf values."""
    from sklearn.tree import DecisionTreeRegressor

    cells = {(0, 0): (30, 10.0), (0, 1): (20, 20.0), (1, 0): (10, 30.0), (1, 1): (40, 60.0)}
    X = np.array([cell for cell, (count, _) in cells.items() for _ in range(count)], dtype=float)
    y = np.array([value for _, (count, value) in cells.items() for _ in range(count)])
    tree = DecisionTreeRegressor(max_depth=2, random_state=0).fit(X, y)
    return SimpleNamespace(tree=tree, x=np.array([[1.0, 0.0]]), feature_names=["a", "b"])


@lru_cache(maxsize=None)
def loss_example():
    """q6: test patients of the twin model, their labels and a small background.

    The 30 rows are chosen so that the usual slips give other answers: the largest |value|
    lowers the loss (it is negative), and the patient with the largest loss in total is not the
    one holding the largest single contribution (tests/test_ex04.py asserts both).
    """
    model, X, y, names = _twin_model()
    rows, labels, background = X[3060:3090], y[3060:3090], X[:10]
    result = kernel_shap_loss(model.predict_proba, rows, labels, background)
    return SimpleNamespace(model=model, X=rows, y=labels, background=background,
                           feature_names=names, result=result)


def _show(values) -> str:
    return "[" + ", ".join(f"{v:.4g}" for v in np.ravel(values)) + "]"


# ------------------------------------------------------------------------------- q1
def _check_q1(kernel_weight):
    function = as_callable(kernel_weight, "kernel_weight")
    pairs = [(M, s) for M in range(2, 13) for s in range(1, M)]
    got = np.array([as_number(call_learner(function, M, s, what=f"kernel_weight({M}, {s})"),
                              f"kernel_weight({M}, {s})") for M, s in pairs])
    want = np.array([float(shapley_kernel(M, s)) for M, s in pairs])
    if np.allclose(got, want, rtol=1e-9, atol=0):
        return ("right for every M up to 12; coalitions of size 1 and M-1 get the most weight "
                "each")
    coefficient = np.array([math.factorial(s) * math.factorial(M - s - 1) / math.factorial(M)
                            for M, s in pairs])
    size_mass = np.array([(M - 1) / (s * (M - s)) for M, s in pairs])
    if np.allclose(got, coefficient, rtol=1e-9):
        raise Incorrect("you return the Shapley coefficient |S|!(M-|S|-1)!/M!; the kernel is a "
                        "different weight: (M-1) / (C(M,s) * s * (M-s))",
                        mistake="shapley-coefficient-kernel")
    if np.allclose(got, size_mass, rtol=1e-9):
        raise Incorrect("you return (M-1)/(s(M-s)), the weight of *all* coalitions of size s "
                        "together; one coalition gets that divided by C(M, s)",
                        mistake="weight-coalitions-size")
    if np.allclose(got * np.array([M - 1 for M, _ in pairs]), want, rtol=1e-9):
        raise Incorrect("the factor (M - 1) on top is missing; it makes no difference to the "
                        "regression (only ratios of weights matter) but it is part of the kernel",
                        mistake="factor-top-missing")
    floored = np.array([(M - 1) // (math.comb(M, s) * s * (M - s)) for M, s in pairs])
    if np.array_equal(got, floored) or (np.all(got == np.round(got)) and np.mean(got == 0) > 0.5):
        raise Incorrect("your weights are whole numbers (mostly 0): `//` is integer division in "
                        "Python; use `/` so that (M-1) / (C(M,s) * s * (M-s)) stays a fraction",
                        mistake="weights-whole-numbers")
    ratio = got / want
    if np.all(np.isfinite(ratio)) and np.allclose(ratio, ratio[0], rtol=1e-9):
        raise Incorrect(f"your weights are the kernel times {ratio[0]:.4g}: right shape, wrong "
                        "constant; check the factor (M - 1) on top", mistake="weights-kernel-times")
    k = int(np.argmax(~np.isclose(got, want, rtol=1e-9, atol=0)))
    M, s = pairs[k]
    raise Incorrect(f"kernel_weight({M}, {s}) should be {want[k]:.6g}, you have {got[k]:.6g}; "
                    "the formula is (M-1) / (C(M,s) * s * (M-s))", mistake="kernel-weight-formula")


q1 = Question(
    "q1", "the Shapley kernel weight of one coalition", ["kernel_weight"], _check_q1,
    hints=["pi(z) = (M - 1) / (C(M, |z|) * |z| * (M - |z|)), with |z| the coalition size s.",
           "math.comb(M, s) is the binomial coefficient C(M, s)."],
    solution_code='''import math

def kernel_weight(M, s):
    return (M - 1) / (math.comb(M, s) * s * (M - s))''')


# ------------------------------------------------------------------------------- q2
def _q2_problems():
    rng = np.random.default_rng(2)
    for k in range(3):
        weights = rng.normal(size=3)
        background = rng.normal(size=(8, 3))
        x = rng.normal(size=3) * 2

        def f(X, weights=weights, k=k):
            X = np.asarray(X, dtype=float)
            return np.tanh(X @ weights) + (k + 1) * 0.5 * X[:, 0] * X[:, 2] - 0.3 * X[:, 1] ** 2

        yield f, x, background


def _rows_only(f):
    """`f` as the learner gets it: a 1-D row gets a nudge instead of an IndexError deep in f."""
    def model(X):
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[-1] != 3:
            raise Incorrect(f"f takes a 2-D array of rows, shape (n, 3), but your function passed "
                            f"shape {X.shape}: give one row as row[None] (shape (1, 3)), or fill all "
                            "background rows at once with np.where(z == 1, x, background)",
                            mistake="takes-array-rows")
        return f(X)
    return model


_REFERENCE_SHAP = ["shap.KernelExplainer", "shap.Explainer", "shap.SamplingExplainer",
                   "shap.PermutationExplainer", "shap.ExactExplainer", "shap.LinearExplainer",
                   "course_lib.kernel_shap.kernel_shap", "course_lib.kernel_shap.exact_shap",
                   "course_lib.shapley.model_game", "course_lib.shapley.shapley_values"]


def _check_q2(exact_kernel_shap):
    function = as_callable(exact_kernel_shap, "exact_kernel_shap")
    for f, x, background in _q2_problems():
        call = "exact_kernel_shap(f, x, background)"
        with forbidden(_REFERENCE_SHAP, function, compare="course_lib.kernel_shap",
                       only_loaded=True):
            result = call_fresh(function, _rows_only(f), x, background, what=call)
        got = as_array(result, call, shape=(3,))
        want = kernel_shap(f, x[None], background).values[0]
        if np.allclose(got, want, atol=1e-6, rtol=1e-6):
            continue
        mean_row = kernel_shap(f, x[None], background.mean(axis=0, keepdims=True)).values[0]
        if np.allclose(got, mean_row, atol=1e-6):
            raise Incorrect("you fill the unknown features with the background's *mean row*; "
                            "v(z) is the mean of f over all background rows, each with x's values "
                            "on the features in z", mistake="fill-unknown-features")
        total = float(f(x[None])[0] - np.mean(f(background)))
        if not math.isclose(got.sum(), total, rel_tol=1e-4, abs_tol=1e-4):
            raise Incorrect(f"your values add up to {got.sum():.6g}, but f(x) - E[f(background)] = "
                            f"{total:.6g}: impose efficiency (a constraint, or a huge weight on the "
                            "empty and the full coalition)", mistake="values-add-impose")
        raise Incorrect(f"on one test problem you return {_show(got)}, the exact Shapley values "
                        f"are {_show(want)}; check v(z) (mean of f over the background rows with "
                        "x's values on the features in z) and the kernel weights",
                        mistake="test-problem-exact")
    return ("equal to course_lib.kernel_shap on three nonlinear models; for M = 3 every coalition "
            "has kernel weight 1/3, so here the efficiency constraint does all the work")


q2 = Question(
    "q2", "exact KernelSHAP for three features by weighted least squares", ["exact_kernel_shap"],
    _check_q2,
    hints=["The 6 coalitions z (all but 000 and 111) are the rows of a 0/1 matrix Z (6 x 3).",
           "v(z) = mean over background rows b of f(np.where(z == 1, x, b)); the target is "
           "v(z) - v(000); with M = 3 your kernel_weight gives 1/3 for every size 1 and 2.",
           "Efficiency: add the rows 000 and 111 with weight 1e6 (targets 0 and f(x) - v(000)) "
           "and solve np.linalg.lstsq(sqrt(W) Z, sqrt(W) y), or use a Lagrange multiplier."],
    solution_code='''def exact_kernel_shap(f, x, background):
    M = len(x)
    Z = np.array([[(c >> j) & 1 for j in range(M)] for c in range(2 ** M)], dtype=float)
    v = np.array([f(np.where(z == 1, x, background)).mean() for z in Z])   # v(000) ... v(111)
    sizes = Z.sum(axis=1)
    weights = np.array([1e6 if s in (0, M) else (M - 1) / (math.comb(M, int(s)) * s * (M - s))
                        for s in sizes])
    root = np.sqrt(weights)[:, None]
    phi, *_ = np.linalg.lstsq(root * Z, root[:, 0] * (v - v[0]), rcond=None)
    return phi''')


# ------------------------------------------------------------------------------- q3
def _check_q3(biggest_feature, pushes_up, prediction_minus_base):
    example = waterfall_example()
    names, phi = example.feature_names, example.result.values[0]
    name = as_string(biggest_feature, "biggest_feature")
    if name not in names:
        raise Incorrect(f"`biggest_feature` should be one of the feature names {names}, "
                        f"got {name!r}", mistake="feature-names")
    top = int(np.argmax(np.abs(phi)))
    if name != names[top]:
        chosen = names.index(name)
        if phi[chosen] == phi.max() and phi[top] < 0:
            raise Incorrect(f"{name} has the largest *positive* value ({phi[chosen]:+.2f}), but "
                            f"the longest bar is blue: the waterfall sorts by |SHAP value|",
                            mistake="largest-positive-value")
        raise Incorrect(f"{name}'s bar is {phi[chosen]:+.2f}; the top bar of the waterfall "
                        "(the largest |SHAP value|) belongs to another feature",
                        mistake="bar-top-bar")
    if not isinstance(pushes_up, (bool, np.bool_)):
        raise Incorrect(f"`pushes_up` should be True or False, got {pushes_up!r}",
                        mistake="true-false")
    if bool(pushes_up) != bool(phi[top] > 0):
        raise Incorrect(f"{name} pushes the prediction {'up' if phi[top] > 0 else 'down'} "
                        f"(its bar is {'red' if phi[top] > 0 else 'blue'}, {phi[top]:+.2f})",
                        mistake="wrong-direction")
    gap = as_number(prediction_minus_base, "prediction_minus_base")
    want = float(phi.sum())
    if abs(gap - want) > 0.01 + 1e-3 * abs(want):          # the plot prints three decimals
        if abs(gap + want) <= 0.01 + 1e-3 * abs(want):
            raise Incorrect(f"the sign is flipped: f(x) - E[f(X)] = {want:+.3f}",
                            mistake="sign-flipped")
        raise Incorrect(f"f(x) - E[f(X)] is {want:+.3f} (read f(x) at the top and E[f(X)] at the "
                        f"bottom of the plot), you have {gap:+.3f}", mistake="read-top-bottom")
    return f"and the bars add up to f(x) - E[f(X)] = {want:+.2f} (efficiency)"


q3 = Question(
    "q3", "reading a waterfall plot", ["biggest_feature", "pushes_up", "prediction_minus_base"],
    _check_q3,
    hints=["The waterfall sorts the features by the size of their push, largest at the top.",
           "Red bars push the prediction up, blue bars down; f(x) is written at the top, "
           "E[f(X)] at the bottom."],
    solution_code='''example = waterfall_example()
phi = example.result.values[0]
top = np.argmax(np.abs(phi))
biggest_feature = example.feature_names[top]
pushes_up = bool(phi[top] > 0)
prediction_minus_base = phi.sum()   # = f(x) - E[f(X)] read off the plot''')


# ------------------------------------------------------------------------------- q4
def _background(value, what: str, n_features: int) -> np.ndarray:
    rows = as_array(value, what, ndim=2)
    if rows.shape[1] != n_features:
        raise Incorrect(f"`{what}` should have {n_features} columns (the features), "
                        f"it has shape {rows.shape}", mistake="columns-shape")
    if len(rows) < 5:
        raise Incorrect(f"`{what}` has {len(rows)} row(s); use at least 5 patients so that the "
                        "background is a group, not a single reference",
                        mistake="row-least-patients")
    if len(rows) > 5000:
        raise Incorrect(f"`{what}` has {len(rows)} rows; a few hundred are plenty",
                        mistake="rows-few-hundred")
    return rows


def _check_q4(background_up, background_down):
    example = sign_flip_example()
    j = example.feature_names.index(example.feature)
    M = len(example.feature_names)
    up = _background(background_up, "background_up", M)
    down = _background(background_down, "background_down", M)
    phi_up = tree_shap(example.model, example.patient, up).values[0, j]
    phi_down = tree_shap(example.model, example.patient, down).values[0, j]
    patient_value = example.patient[0, j]
    if phi_up > 0 and phi_down < 0:
        return (f"the same patient, {example.feature} = {patient_value:g}: SHAP value "
                f"{phi_up:+.3f} against one background and {phi_down:+.3f} against the other")
    mean_up, mean_down = up[:, j].mean(), down[:, j].mean()
    if phi_up <= 0 and phi_down >= 0 and (phi_up < 0 or phi_down > 0):
        raise Incorrect(f"the signs are the wrong way round ({phi_up:+.3f} for background_up, "
                        f"{phi_down:+.3f} for background_down): swap the two",
                        mistake="signs-wrong-way")
    raise Incorrect(f"the SHAP value of {example.feature} is {phi_up:+.3f} with background_up "
                    f"(mean {example.feature} {mean_up:.0f}) and {phi_down:+.3f} with "
                    f"background_down (mean {mean_down:.0f}); the patient has {patient_value:g}. "
                    "A SHAP value compares the patient with the background: choose patients whose "
                    f"{example.feature} is clearly below, then clearly above {patient_value:g}",
                    mistake="shap-value-background")


q4 = Question(
    "q4", "a background that flips the sign of a SHAP value", ["background_up", "background_down"],
    _check_q4,
    hints=["Interventional SHAP values compare x with the background rows: the value of a feature "
           "is positive when x's value raises the prediction compared with the background's.",
           "Select rows of `pool` by their ap_hi: e.g. pool[pool[:, ap_hi] < 120] and "
           "pool[pool[:, ap_hi] > 140]; which one makes the patient look high?"],
    solution_code='''example = sign_flip_example()
ap_hi = example.feature_names.index("ap_hi")
pool = example.pool
background_up = pool[pool[:, ap_hi] < 120][:100]     # against low pressures, 130 looks high
background_down = pool[pool[:, ap_hi] > 140][:100]   # against high pressures, 130 looks low''')


# ------------------------------------------------------------------------------- q5
def _saabas(tree, x) -> np.ndarray:
    """Path attribution: each split on x's path credits its feature with the change of node mean."""
    t = tree.tree_
    phi, node = np.zeros(tree.n_features_in_), 0
    while t.children_left[node] != -1:
        d = t.feature[node]
        child = t.children_left[node] if np.float32(x[d]) <= t.threshold[node] else t.children_right[node]
        phi[d] += t.value[child, 0, 0] - t.value[node, 0, 0]
        node = child
    return phi


def _check_q5(phi_tiny):
    example = tiny_tree_example()
    got = as_array(phi_tiny, "phi_tiny", shape=(2,))
    result = tree_shap(example.tree, example.x)
    want = result.values[0]
    if np.allclose(got, want, atol=1e-6):
        path = _saabas(example.tree, example.x[0])
        return (f"φ_a = {want[0]:g}, φ_b = {want[1]:g}; they add up to f(x) - E[f(X)] = "
                f"{want.sum():g}. The path attribution would say a: {path[0]:+g}, b: {path[1]:+g}")
    total = float(example.tree.predict(example.x)[0] - result.base_values[0])
    if np.allclose(got, want[::-1], atol=1e-6):
        raise Incorrect("you have the two values swapped: phi_tiny = [φ_a, φ_b]",
                        mistake="values-swapped-phi")
    if np.allclose(got, _saabas(example.tree, example.x[0]), atol=1e-6):
        raise Incorrect("that is the path attribution (each split credits its feature with the "
                        "change of the node mean along x's path, in the tree's order); SHAP "
                        "averages over both orders of a and b: compute v(∅), v({a}), v({b}), v({a,b})",
                        mistake="path-attribution-shap")
    if not math.isclose(got.sum(), total, abs_tol=1e-6):
        raise Incorrect(f"your values add up to {got.sum():g}, but f(x) - E[f(X)] = {total:g}: "
                        "E[f(X)] is the cover-weighted mean of the four leaves",
                        mistake="values-add-cover")
    raise Incorrect(f"the values add up, but they are {_show(got)}; for b unknown, average over "
                    "both branches of the b-split weighted by their samples; then "
                    "φ_a = ((v(a) - v(∅)) + (v(ab) - v(b))) / 2", mistake="values-add-unknown")


q5 = Question(
    "q5", "TreeSHAP on a depth-2 tree by hand", ["phi_tiny"], _check_q5,
    hints=["v(S) follows x at splits on features in S, and averages both children (weighted by "
           "their number of samples) at the others.",
           "v(∅) is the sample-weighted mean of the four leaves; v({a, b}) = f(x).",
           "Two players: φ_a = ((v({a}) - v(∅)) + (v({a,b}) - v({b}))) / 2, and φ_b likewise."],
    solution_code='''# leaves as value (samples), for (a, b) = 00: 10 (30), 01: 20 (20), 10: 30 (10), 11: 60 (40)
# x = (a=1, b=0)
v_empty = (30 * 10 + 20 * 20 + 10 * 30 + 40 * 60) / 100     # 34
v_a = (10 * 30 + 40 * 60) / 50                              # follow a = 1: 54
v_b = (50 * 10 + 50 * 30) / 100                             # a unknown, b = 0 on both sides: 20
v_ab = 30
phi_tiny = [((v_a - v_empty) + (v_ab - v_b)) / 2, ((v_b - v_empty) + (v_ab - v_a)) / 2]   # [15, -19]''')


# ------------------------------------------------------------------------------- q6
def _check_q6(worst_row, worst_feature):
    example = loss_example()
    values, names = example.result.values, example.feature_names
    row = as_number(worst_row, "worst_row")
    if row != int(row) or not 0 <= row < len(values):
        raise Incorrect(f"`worst_row` should be a row index between 0 and {len(values) - 1}, "
                        f"got {worst_row!r}", mistake="row-index-between")
    row = int(row)
    name = as_string(worst_feature, "worst_feature")
    if name not in names:
        raise Incorrect(f"`worst_feature` should be one of {names}, got {name!r}",
                        mistake="unknown-feature")
    r, j = np.unravel_index(int(np.argmax(values)), values.shape)
    if (row, names.index(name)) == (r, j):
        return (f"row {r}: {names[j]} adds {values[r, j]:+.3f} to a log-loss of "
                f"{example.result.predictions[r]:.3f} (label {example.y[r]})")
    a, b = np.unravel_index(int(np.argmax(np.abs(values))), values.shape)
    if (row, names.index(name)) == (a, b) and values[a, b] < 0:
        raise Incorrect(f"row {a}'s {names[b]} has the largest |value| ({values[a, b]:+.3f}), but "
                        "it *lowers* the loss; the question asks for the largest increase",
                        mistake="row-largest-value")
    if row == int(np.argmax(example.result.predictions)) and row != r:
        raise Incorrect(f"row {row} has the largest log-loss in total; the question asks for the "
                        "largest single contribution of one feature", mistake="row-largest-log")
    if row == r:
        raise Incorrect(f"right row; but in row {r} the largest contribution comes from another "
                        f"feature than {name} ({values[r, names.index(name)]:+.3f})",
                        mistake="right-row-row")
    raise Incorrect(f"in row {row}, {name} contributes {values[row, names.index(name)]:+.3f}; "
                    "another (row, feature) pair contributes more: take the argmax over the "
                    "whole table of values", mistake="row-contributes-another")


q6 = Question(
    "q6", "the patient and feature behind the largest loss contribution",
    ["worst_row", "worst_feature"], _check_q6,
    hints=["loss_example().result.values is a (rows, features) table of contributions to the "
           "log-loss; positive values raise the loss.",
           "np.unravel_index(np.argmax(values), values.shape) gives (row, feature index)."],
    solution_code='''example = loss_example()
values = example.result.values
worst_row, j = np.unravel_index(np.argmax(values), values.shape)
worst_feature = example.feature_names[j]''')


QUESTIONS = [q1, q2, q3, q4, q5, q6]
