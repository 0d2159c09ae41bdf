"""Checks of exercise notebook 04: right answers pass, typical wrong answers get the right message."""
import math

import numpy as np
import pytest

from course_lib.exercises import CheckFailed, NotAttempted
from course_lib.exercises import ex04_shap as ex
from course_lib.kernel_shap import kernel_shap
from exercise_helpers import fails, not_attempted, passes, solution_namespace


def test_every_solution_passes():
    ns = solution_namespace(ex, np=np, math=math)
    for question in ex.QUESTIONS:
        passes(question, *[ns[name] for name in question.vars])


# --------------------------------------------------------------------- q1: kernel weight
def test_q1():
    passes(ex.q1, lambda M, s: (M - 1) / (math.comb(M, s) * s * (M - s)))
    fails(ex.q1, lambda M, s: math.factorial(s) * math.factorial(M - s - 1) / math.factorial(M),
          match="Shapley coefficient", mistake="shapley-coefficient-kernel")
    fails(ex.q1, lambda M, s: (M - 1) / (s * (M - s)), match="divided by C(M, s)",
          mistake="weight-coalitions-size")
    fails(ex.q1, lambda M, s: 1 / (math.comb(M, s) * s * (M - s)), match="(M - 1) on top is missing",
          mistake="factor-top-missing")
    fails(ex.q1, lambda M, s: 2 * (M - 1) / (math.comb(M, s) * s * (M - s)), match="wrong constant",
          mistake="weights-kernel-times")
    fails(ex.q1, lambda M, s: 1.0, match="kernel_weight(2, 1) should be 0.5",
          mistake="kernel-weight-formula")
    fails(ex.q1, lambda M, s: (M - 1) // (math.comb(M, s) * s * (M - s)), match="integer division",
          mistake="weights-whole-numbers")
    passes(ex.q1, lambda M, s: (M - 1) * math.factorial(s) * math.factorial(M - s)
           / (math.factorial(M) * s * (M - s)))
    fails(ex.q1, lambda M, s: "a", match="should be a single number", mistake="not-a-number")
    fails(ex.q1, 0.5, match="should be a function", mistake="not-a-function")

    def stub(M, s):
        raise NotImplementedError

    not_attempted(ex.q1, stub)


# --------------------------------------------------------------------- q2: exact KernelSHAP
def weighted_least_squares(f, x, background):
    M = len(x)
    Z = np.array([[(c >> j) & 1 for j in range(M)] for c in range(2 ** M)], dtype=float)
    v = np.array([f(np.where(z == 1, x, background)).mean() for z in Z])
    sizes = Z.sum(axis=1)
    weights = np.array([1e6 if s in (0, M) else (M - 1) / (math.comb(M, int(s)) * s * (M - s))
                        for s in sizes])
    root = np.sqrt(weights)[:, None]
    return np.linalg.lstsq(root * Z, root[:, 0] * (v - v[0]), rcond=None)[0]


def test_q2():
    passes(ex.q2, weighted_least_squares)

    def lagrange(f, x, background):
        M = len(x)
        Z = np.array([[(c >> j) & 1 for j in range(M)] for c in range(1, 2 ** M - 1)], dtype=float)
        v0 = f(background).mean()
        y = np.array([f(np.where(z == 1, x, background)).mean() for z in Z]) - v0
        W = np.diag([(M - 1) / (math.comb(M, int(s)) * s * (M - s)) for s in Z.sum(axis=1)])
        A = np.block([[Z.T @ W @ Z, np.ones((M, 1))], [np.ones((1, M)), np.zeros((1, 1))]])
        b = np.concatenate([Z.T @ W @ y, [f(x[None])[0] - v0]])
        return np.linalg.solve(A, b)[:M]

    passes(ex.q2, lagrange)
    fails(ex.q2, lambda f, x, background: kernel_shap(f, x[None], background).values[0],
          match="write it yourself; `course_lib.kernel_shap`", mistake="forbidden-shortcut")
    shap = pytest.importorskip("shap")
    fails(ex.q2, lambda f, x, background: shap.KernelExplainer(f, background).shap_values(x[None])[0],
          match="write it yourself", mistake="forbidden-shortcut")

    def one_row_at_a_time(f, x, background):
        M = len(x)
        Z = np.array([[(c >> j) & 1 for j in range(M)] for c in range(2 ** M)], dtype=float)
        v = np.array([np.mean([f(np.where(z == 1, x, b)) for b in background]) for z in Z])
        return v[1:4]

    fails(ex.q2, one_row_at_a_time, match="2-D array of rows", mistake="takes-array-rows")

    def no_constraint(f, x, background):
        Z = np.array([[(c >> j) & 1 for j in range(3)] for c in range(1, 7)], dtype=float)
        v = np.array([f(np.where(z == 1, x, background)).mean() for z in Z])
        return np.linalg.lstsq(Z, v - f(background).mean(), rcond=None)[0]

    def mean_row(f, x, background):
        return weighted_least_squares(f, x, background.mean(axis=0, keepdims=True))

    def wrong_values(f, x, background):
        phi = weighted_least_squares(f, x, background)
        return phi + np.array([0.1, -0.1, 0.0])

    fails(ex.q2, no_constraint, match="impose efficiency", mistake="values-add-impose")
    fails(ex.q2, mean_row, match="mean row", mistake="fill-unknown-features")
    fails(ex.q2, wrong_values, match="exact Shapley values are", mistake="test-problem-exact")
    fails(ex.q2, lambda f, x, background: [1.0, 2.0], match="shape (3,)", mistake="wrong-shape")
    fails(ex.q2, lambda f, x, background: 1 / 0, match="ZeroDivisionError",
          mistake="learner-raised")


# --------------------------------------------------------------------- q3: waterfall
def test_q3():
    example = ex.waterfall_example()
    phi, names = example.result.values[0], example.feature_names
    top = int(np.argmax(np.abs(phi)))
    total = float(phi.sum())
    passes(ex.q3, names[top], bool(phi[top] > 0), round(total, 3))
    assert phi[top] < 0 < phi.max()  # the example has a blue top bar and a red one below it
    fails(ex.q3, names[int(np.argmax(phi))], False, total, match="largest *positive*",
          mistake="largest-positive-value")
    second = names[int(np.argsort(-np.abs(phi))[1])]
    fails(ex.q3, second, False, total, match="top bar", mistake="bar-top-bar")
    fails(ex.q3, names[top], True, total, match="pushes the prediction down",
          mistake="wrong-direction")
    fails(ex.q3, names[top], False, -total, match="sign is flipped", mistake="sign-flipped")
    fails(ex.q3, names[top], False, total + 5, match="read f(x)", mistake="read-top-bottom")
    fails(ex.q3, "BMI ", False, total, match="one of the feature names", mistake="feature-names")
    fails(ex.q3, names[top], "no", total, match="True or False", mistake="true-false")
    passes(ex.q3, names[top], np.bool_(phi[top] > 0), np.float64(total))


# --------------------------------------------------------------------- q4: background
def test_q4():
    example = ex.sign_flip_example()
    j = example.feature_names.index("ap_hi")
    pool = example.pool
    low, high = pool[pool[:, j] < 120][:100], pool[pool[:, j] > 140][:100]
    passes(ex.q4, low, high)
    passes(ex.q4, pool[pool[:, j] <= 110][:40], pool[pool[:, j] >= 150][:40])
    fails(ex.q4, pool[:100], pool[100:200], match="clearly below, then clearly above",
          mistake="shap-value-background")
    fails(ex.q4, high, low, match="swap the two", mistake="signs-wrong-way")
    fails(ex.q4, low, low[:50], match="clearly below, then clearly above",
          mistake="shap-value-background")
    fails(ex.q4, low[:3], high, match="at least 5 patients", mistake="row-least-patients")
    fails(ex.q4, low[:, :5], high, match="7 columns", mistake="columns-shape")
    fails(ex.q4, low[:, 0], high, match="2 dimension", mistake="wrong-dimensions")


# --------------------------------------------------------------------- q5: tiny tree by hand
def test_q5():
    passes(ex.q5, [15, -19])
    passes(ex.q5, np.array([15.0, -19.0]))
    fails(ex.q5, [-19, 15], match="swapped", mistake="values-swapped-phi")
    fails(ex.q5, [20, -24], match="path attribution", mistake="path-attribution-shap")
    fails(ex.q5, [10, -10], match="add up to 0", mistake="values-add-cover")
    fails(ex.q5, [16, -20], match="values add up, but", mistake="values-add-unknown")
    fails(ex.q5, [15], match="shape (2,)", mistake="wrong-shape")
    fails(ex.q5, [np.nan, 1], match="NaN", mistake="not-finite")


# --------------------------------------------------------------------- q6: loss
def test_q6():
    example = ex.loss_example()
    values, names = example.result.values, example.feature_names
    r, j = np.unravel_index(int(np.argmax(values)), values.shape)
    passes(ex.q6, int(r), names[j])
    passes(ex.q6, np.int64(r), names[j])
    a, b = np.unravel_index(int(np.argmax(np.abs(values))), values.shape)
    assert values[a, b] < 0  # the example separates |value| from the largest increase
    fails(ex.q6, int(a), names[b], match="lowers* the loss", mistake="row-largest-value")
    worst_total = int(np.argmax(example.result.predictions))
    assert worst_total != r  # ... and the largest total loss from the largest contribution
    other = names[int(np.argmax(values[worst_total]))]
    fails(ex.q6, worst_total, other, match="largest log-loss in total", mistake="row-largest-log")
    wrong_feature = names[(j + 1) % len(names)]
    fails(ex.q6, int(r), wrong_feature, match="right row", mistake="right-row-row")
    fails(ex.q6, 999, names[j], match="between 0 and 29", mistake="row-index-between")
    fails(ex.q6, 1.5, names[j], match="row index", mistake="row-index-between")
    fails(ex.q6, int(r), "blood pressure", match="one of", mistake="unknown-feature")


def test_examples_are_deterministic():
    assert ex.waterfall_example() is ex.waterfall_example()  # cached
    example = ex.tiny_tree_example()
    assert example.tree.tree_.feature[0] == 0 and example.tree.tree_.n_leaves == 4
    assert example.tree.predict(example.x)[0] == 30
    assert ex.sign_flip_example().patient[0, 4] == 130
