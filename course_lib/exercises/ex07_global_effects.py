"""Exercises for notebook 07, global effects and interactions: six checked questions.

Every check runs your function on problems it builds (small models and tables, fixed seeds) and
compares it with ``course_lib.effects`` / ``course_lib.tree_shap`` on the same inputs, or tests
the property the question is about; no stored answers.
"""
from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace

import numpy as np

from ..effects import h_statistic
from ..tree_shap import tree_shap, tree_shap_interactions
from . import (PLACEHOLDER, Incorrect, Question, as_array, as_callable, as_number, call_learner,
               is_close)

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6", "QUESTIONS", "PLACEHOLDER", "pressure_table",
           "interaction_example", "drop_column_example"]


# ------------------------------------------------------------------------------- examples
@lru_cache(maxsize=None)
def pressure_table():
    """q2: 500 rows of (age in years, ap_hi, ap_lo) with ap_lo following ap_hi, as in the twin."""
    rng = np.random.default_rng(7)
    ap_hi = np.round(rng.normal(128, 15, 500))
    ap_lo = np.round(0.55 * ap_hi + 12 + rng.normal(0, 6, 500))
    age = np.round(rng.uniform(30, 65, 500), 1)
    return np.column_stack([age, ap_hi, ap_lo])


@lru_cache(maxsize=None)
def interaction_example():
    """q4: a boosted model with one true interaction, its SHAP interaction values on 20 rows."""
    from sklearn.ensemble import GradientBoostingRegressor

    rng = np.random.default_rng(3)
    X = rng.normal(size=(400, 4))
    y = X[:, 0] + X[:, 1] * X[:, 2] + 0.5 * np.abs(X[:, 3])
    model = GradientBoostingRegressor(n_estimators=40, max_depth=3, random_state=0).fit(X, y)
    rows = X[:20]
    return SimpleNamespace(model=model, X=rows, Phi=tree_shap_interactions(model, rows),
                           phi=tree_shap(model, rows).values)


@lru_cache(maxsize=None)
def drop_column_example():
    """q5: a small binary problem split into train and test; feature 2 is a copy of feature 0."""
    rng = np.random.default_rng(5)
    X = rng.normal(size=(300, 4))
    X[:, 2] = X[:, 0] + 0.05 * rng.normal(size=300)
    y = (X[:, 0] + X[:, 1] + 0.5 * rng.normal(size=300) > 0).astype(int)
    return SimpleNamespace(X_train=X[:200], y_train=y[:200], X_test=X[200:], y_test=y[200:])


def _problems(seed, n=120):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    X[:, 1] = X[:, 0] + 0.5 * rng.normal(size=n)
    fs = [lambda A: A[:, 0] ** 2 + A[:, 1],
          lambda A: np.sin(2 * A[:, 0]) * A[:, 2] + A[:, 1] ** 3,
          lambda A: A[:, 0] * A[:, 1] + A[:, 2]]
    return X, fs


# ------------------------------------------------------------------------------- q1
def _local_effect(f, X, j, low, high, how="right"):
    inside = (X[:, j] > low) & (X[:, j] <= high)
    rows = X[inside] if how != "all" else X
    up, down = rows.copy(), rows.copy()
    up[:, j], down[:, j] = high, low
    return np.mean(f(up) - f(down))


def _check_q1(local_effect):
    function = as_callable(local_effect, "local_effect")
    X, fs = _problems(1)
    cases = [(f, j, low, high) for f in fs for j, (low, high) in ((0, (-0.5, 0.3)), (1, (0.2, 1.4)))]
    got, want, every, plain = [], [], [], []
    for f, j, low, high in cases:
        answer = call_learner(function, f, X.copy(), j, low, high,
                              what=f"local_effect(f, X, {j}, {low}, {high})")
        got.append(as_number(answer, "local_effect(...)"))
        want.append(_local_effect(f, X, j, low, high))
        every.append(_local_effect(f, X, j, low, high, how="all"))
        inside = (X[:, j] > low) & (X[:, j] <= high)
        plain.append(np.mean(f(X[inside])))
    got, want = np.array(got), np.array(want)
    if is_close(got, want, atol=1e-9):
        return "this is one step of ALE; the ALE curve adds these steps up bin after bin"
    if is_close(got, -want, atol=1e-9):
        raise Incorrect("the sign is flipped: the step is f(upper edge) - f(lower edge)")
    if is_close(got, np.array(every), atol=1e-9):
        raise Incorrect("you moved every row, not only the rows inside the bin: that is a PDP "
                        "difference, and it uses impossible rows; keep low < x_j <= high")
    widths = np.array([high - low for _, _, low, high in cases])
    if is_close(got, want / widths, atol=1e-9):
        raise Incorrect("you divided by the bin width: that is the local slope; ALE adds up "
                        "the differences themselves")
    if is_close(got, np.array(plain), atol=1e-9):
        raise Incorrect("you averaged the predictions of the rows in the bin; the local effect "
                        "is the average *difference* f(high) - f(low) with each row moved")
    raise Incorrect(f"for the first problem the local effect is {want[0]:.6g}, you have "
                    f"{got[0]:.6g}; set x_j to high and to low for the rows with low < x_j <= high")


q1 = Question(
    "q1", "one step of ALE by hand", ["local_effect"], _check_q1,
    hints=["Select the rows in the bin: inside = (X[:, j] > low) & (X[:, j] <= high).",
           "Copy those rows twice, set column j to high in one copy and to low in the other, and "
           "average f(up) - f(down)."],
    solution_code='''def local_effect(f, X, j, low, high):
    inside = (X[:, j] > low) & (X[:, j] <= high)
    up, down = X[inside].copy(), X[inside].copy()
    up[:, j], down[:, j] = high, low
    return np.mean(f(up) - f(down))''')


# ------------------------------------------------------------------------------- q2
def _check_q2(impossible_share):
    function = as_callable(impossible_share, "impossible_share")
    X = pressure_table()
    values = [90.0, 100.0, 110.0, 120.0]
    got = np.array([as_number(call_learner(function, X.copy(), v, what=f"impossible_share(X, {v})"),
                              f"impossible_share(X, {v})") for v in values])
    want = np.array([np.mean(X[:, 2] >= v) for v in values])
    if is_close(got, want, atol=1e-12):
        return (f"at ap_hi = 90 the PDP averages over {want[0]:.0%} impossible patients; ALE "
                "only moves rows within their own bin")
    if is_close(got, 100 * want, atol=1e-9):
        raise Incorrect("you return a percentage; return the share, a number between 0 and 1")
    if is_close(got, 1 - want, atol=1e-12):
        raise Incorrect("you return the share of *possible* rows; the question asks for "
                        "ap_lo >= ap_hi, the impossible ones")
    strict = np.array([np.mean(X[:, 2] > v) for v in values])
    if is_close(got, strict, atol=1e-12):
        raise Incorrect("a diastolic pressure equal to the systolic one is impossible too: "
                        "use >=, not >")
    original = np.mean(X[:, 2] >= X[:, 1])
    if is_close(got, np.full(len(values), original), atol=1e-12):
        raise Incorrect("you counted impossible rows in the original table; set ap_hi "
                        "(column 1) to the grid value first, as the PDP does")
    counts = np.array([np.sum(X[:, 2] >= v) for v in values])
    if is_close(got, counts, atol=1e-9):
        raise Incorrect("you return a count; divide by the number of rows")
    raise Incorrect(f"at ap_hi = {values[0]:g} the share is {want[0]:.4g}, you have {got[0]:.4g}")


q2 = Question(
    "q2", "how many rows a PDP invents", ["impossible_share"], _check_q2,
    hints=["The PDP at ap_hi = v sets column 1 to v for every row and keeps ap_lo (column 2).",
           "np.mean(X[:, 2] >= value) is the share of rows whose diastolic is not below v."],
    solution_code='''def impossible_share(X, value):
    rows = X.copy()
    rows[:, 1] = value
    return np.mean(rows[:, 2] >= rows[:, 1])''')


# ------------------------------------------------------------------------------- q3
def _pd_rows(f, X, features):
    out = []
    for x in X:
        rows = X.copy()
        rows[:, features] = x[features]
        out.append(f(rows).mean())
    return np.array(out)


def _check_q3(h_pair):
    function = as_callable(h_pair, "h_pair")
    rng = np.random.default_rng(9)
    X = rng.uniform(-1, 1, size=(40, 3))
    fs = [lambda A: A[:, 0] * A[:, 1] + A[:, 2], lambda A: A[:, 0] * A[:, 1] + A[:, 0] + 2 * A[:, 1],
          lambda A: np.exp(A[:, 0]) + A[:, 1] * A[:, 2] * 0.5 + A[:, 0] * A[:, 1]]
    got, want, squared, raw, prediction = [], [], [], [], []
    for f in fs:
        got.append(as_number(call_learner(function, f, X.copy(), 0, 1, what="h_pair(f, X, 0, 1)"),
                             "h_pair(f, X, 0, 1)"))
        h = h_statistic(f, X, features=(0, 1))
        want.append(h)
        squared.append(h ** 2)
        joint, a, b = _pd_rows(f, X, [0, 1]), _pd_rows(f, X, [0]), _pd_rows(f, X, [1])
        raw.append(np.sqrt(np.sum((joint - a - b) ** 2) / np.sum(joint ** 2)))
        c = lambda v: v - v.mean()
        prediction.append(np.sqrt(np.sum((c(joint) - c(a) - c(b)) ** 2) / np.sum(c(f(X)) ** 2)))
    got = np.array(got)
    if is_close(got, want, atol=1e-8):
        return ("a pure product x0*x1 on centred data gives H near 1; adding main effects "
                "lowers H although the interaction is the same: H is a share, not a size")
    if is_close(got, squared, atol=1e-8):
        raise Incorrect("you return H squared; take the square root")
    if is_close(got, raw, atol=1e-8):
        raise Incorrect("centre each PD (subtract its mean over the rows) before comparing them")
    if is_close(got, prediction, atol=1e-8):
        raise Incorrect("the denominator is the centred joint PD of the pair, squared and "
                        "summed, not the model's predictions")
    raise Incorrect(f"for f = x0*x1 + x2 the H statistic is {want[0]:.4g}, you have {got[0]:.4g}")


q3 = Question(
    "q3", "Friedman's H of a pair from its definition", ["h_pair"], _check_q3,
    hints=["PD_S at row i: copy X, set the columns S to row i's values, average f over the copy.",
           "Centre the three PD vectors, then H^2 = sum (PD_jk - PD_j - PD_k)^2 / sum PD_jk^2; "
           "return H = sqrt(H^2)."],
    solution_code='''def h_pair(f, X, j, k):
    def pd_at_rows(features):
        values = []
        for x in X:
            rows = X.copy()
            rows[:, features] = x[features]
            values.append(f(rows).mean())
        values = np.array(values)
        return values - values.mean()
    joint, first, second = pd_at_rows([j, k]), pd_at_rows([j]), pd_at_rows([k])
    return np.sqrt(np.sum((joint - first - second) ** 2) / np.sum(joint ** 2))''')


# ------------------------------------------------------------------------------- q4
def _check_q4(shap_from_interactions):
    function = as_callable(shap_from_interactions, "shap_from_interactions")
    example = interaction_example()
    Phi = example.Phi
    answer = call_learner(function, Phi.copy(), what="shap_from_interactions(Phi)")
    want = example.phi
    got = np.asarray(answer, dtype=float) if np.shape(answer) == want.shape else None
    if got is not None and is_close(got, want, atol=1e-8):
        return "each row of the matrix adds up to that feature's SHAP value (efficiency, twice)"
    if got is not None:
        diagonal = np.einsum("nii->ni", Phi)
        if is_close(got, diagonal, atol=1e-8):
            raise Incorrect("the diagonal is only the main effect; add the interaction cells of "
                            "the row (sum over the last axis)")
        if is_close(got, Phi.sum(axis=2) - diagonal, atol=1e-8):
            raise Incorrect("you left the diagonal (the main effect) out; sum the whole row")
        if is_close(got, Phi.sum(axis=2) + Phi.sum(axis=2) - diagonal, atol=1e-8):
            raise Incorrect("you counted each interaction twice; shap already splits it in "
                            "half between (i, j) and (j, i)")
    as_array(answer, "shap_from_interactions(Phi)", shape=want.shape)
    raise Incorrect("these are not the SHAP values: sum Phi over its last axis, Phi.sum(axis=2)")


q4 = Question(
    "q4", "SHAP values from SHAP interaction values", ["shap_from_interactions"], _check_q4,
    hints=["Phi has shape (n, M, M); the SHAP value of feature i is a sum over one axis.",
           "Phi[:, i, :].sum(axis=1) is feature i's SHAP value: its main effect Phi[:, i, i] "
           "plus its half of every interaction."],
    solution_code='''def shap_from_interactions(Phi):
    return Phi.sum(axis=2)''')


# ------------------------------------------------------------------------------- q5
def _drop_column_reference(example, j, refit=True, metric="loss"):
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, log_loss

    keep = [c for c in range(example.X_train.shape[1]) if c != j]
    full = LogisticRegression().fit(example.X_train, example.y_train)
    if refit:
        reduced = LogisticRegression().fit(example.X_train[:, keep], example.y_train)
        p_without = reduced.predict_proba(example.X_test[:, keep])[:, 1]
    else:
        zeroed = example.X_test.copy()
        zeroed[:, j] = 0.0
        p_without = full.predict_proba(zeroed)[:, 1]
    p_full = full.predict_proba(example.X_test)[:, 1]
    if metric == "accuracy":
        return accuracy_score(example.y_test, p_full > 0.5) - accuracy_score(example.y_test, p_without > 0.5)
    return log_loss(example.y_test, p_without) - log_loss(example.y_test, p_full)


def _check_q5(drop_column_loss):
    function = as_callable(drop_column_loss, "drop_column_loss")
    example = drop_column_example()
    got = np.array([as_number(call_learner(function, example.X_train, example.y_train,
                                           example.X_test, example.y_test, j,
                                           what=f"drop_column_loss(..., {j})"),
                              f"drop_column_loss(..., {j})") for j in range(4)])
    want = np.array([_drop_column_reference(example, j) for j in range(4)])
    if is_close(got, want, atol=1e-6, rtol=1e-4):
        return ("feature 0 barely matters once dropped: its near-copy, feature 2, takes over. "
                "Permutation importance would call both important")
    if is_close(got, -want, atol=1e-6, rtol=1e-4):
        raise Incorrect("the sign is flipped: importance = loss without the feature - loss "
                        "with all features (positive when dropping it hurts)")
    if is_close(got, [_drop_column_reference(example, j, refit=False) for j in range(4)], atol=1e-6, rtol=1e-4):
        raise Incorrect("you set the column to zero in the fitted model; drop-column "
                        "importance fits a new model without the column")
    if is_close(got, [_drop_column_reference(example, j, metric="accuracy") for j in range(4)], atol=1e-9):
        raise Incorrect("you measured accuracy; the question asks for the log loss "
                        "(sklearn.metrics.log_loss on predicted probabilities)")
    raise Incorrect(f"for feature 1 the rise in log loss is {want[1]:.5g}, you have {got[1]:.5g}; "
                    "fit LogisticRegression() on the training rows without column j and "
                    "compare log losses on the test rows")


q5 = Question(
    "q5", "drop-column importance by hand, with a loss", ["drop_column_loss"], _check_q5,
    hints=["Fit LogisticRegression() twice on the training rows: with all columns, and with "
           "np.delete(X_train, j, axis=1).",
           "log_loss(y_test, model.predict_proba(...)[:, 1]) for each; return without - with."],
    solution_code='''from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss

def drop_column_loss(X_train, y_train, X_test, y_test, j):
    full = LogisticRegression().fit(X_train, y_train)
    reduced = LogisticRegression().fit(np.delete(X_train, j, axis=1), y_train)
    with_all = log_loss(y_test, full.predict_proba(X_test)[:, 1])
    without = log_loss(y_test, reduced.predict_proba(np.delete(X_test, j, axis=1))[:, 1])
    return without - with_all''')


# ------------------------------------------------------------------------------- q6
def _check_q6(permute_within):
    function = as_callable(permute_within, "permute_within")
    rng = np.random.default_rng(11)
    column = np.round(rng.normal(size=200), 6)
    groups = rng.integers(0, 4, 200)
    results = []
    for seed in (0, 1):
        answer = call_learner(function, column.copy(), groups.copy(), seed,
                              what=f"permute_within(column, groups, {seed})")
        results.append(as_array(answer, "permute_within(...)", shape=column.shape))
    first, second = results
    if np.array_equal(first, column):
        raise Incorrect("nothing moved: the column comes back unchanged")
    if sorted(first) != sorted(column):
        raise Incorrect("the values changed: a permutation only reorders the column's own values")
    moved = [g for g in np.unique(groups) if sorted(first[groups == g]) != sorted(column[groups == g])]
    if moved:
        raise Incorrect(f"values moved between groups (group {moved[0]} holds other values "
                        "now): shuffle each group's rows among themselves only")
    if all(np.all(np.diff(first[groups == g]) >= 0) for g in np.unique(groups)):
        raise Incorrect("each group is sorted, not shuffled: draw a random permutation")
    if np.array_equal(first, second):
        raise Incorrect("seeds 0 and 1 give the same order: use the seed "
                        "(np.random.default_rng(seed)) to draw a random permutation")
    return "a shuffled value stays among rows like its own, so the model sees no impossible rows"


q6 = Question(
    "q6", "shuffle a column within groups", ["permute_within"], _check_q6,
    hints=["Loop over np.unique(groups); rows = np.flatnonzero(groups == g).",
           "new[rows] = column[rng.permutation(rows)] with rng = np.random.default_rng(seed)."],
    solution_code='''def permute_within(column, groups, seed):
    rng = np.random.default_rng(seed)
    new = column.copy()
    for g in np.unique(groups):
        rows = np.flatnonzero(groups == g)
        new[rows] = column[rng.permutation(rows)]
    return new''')


QUESTIONS = [q1, q2, q3, q4, q5, q6]
