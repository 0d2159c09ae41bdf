"""Checks of exercise notebook 07: right answers pass, typical wrong answers get the right message."""
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss

from course_lib.effects import h_statistic
from course_lib.exercises import ex07_global_effects as ex
from exercise_helpers import (fails, never_crashes, not_attempted, passes, solution_namespace,
                              stub)


def test_every_solution_passes():
    ns = solution_namespace(ex, np=np)
    for question in ex.QUESTIONS:
        passes(question, *[ns[name] for name in question.vars])


def test_odd_inputs_get_feedback_not_a_crash():
    for question in ex.QUESTIONS:
        never_crashes(question, [None, 3, "text", np.nan, [1, 2], lambda *a: None])


# --------------------------------------------------------------------- q1: one ALE step
def test_q1():
    def right(f, X, j, low, high):
        inside = (X[:, j] > low) & (X[:, j] <= high)
        up, down = X[inside].copy(), X[inside].copy()
        up[:, j], down[:, j] = high, low
        return np.mean(f(up) - f(down))

    def loop(f, X, j, low, high):
        steps = []
        for x in X:
            if low < x[j] <= high:
                a, b = x.copy(), x.copy()
                a[j], b[j] = high, low
                steps.append(f(a[None])[0] - f(b[None])[0])
        return sum(steps) / len(steps)

    def every_row(f, X, j, low, high):
        up, down = X.copy(), X.copy()
        up[:, j], down[:, j] = high, low
        return np.mean(f(up) - f(down))

    passes(ex.q1, right)
    passes(ex.q1, loop)
    fails(ex.q1, lambda f, X, j, low, high: -right(f, X, j, low, high), match="sign is flipped")
    fails(ex.q1, every_row, match="moved every row")
    fails(ex.q1, lambda f, X, j, low, high: right(f, X, j, low, high) / (high - low),
          match="divided by the bin width")
    fails(ex.q1, lambda f, X, j, low, high: np.mean(f(X[(X[:, j] > low) & (X[:, j] <= high)])),
          match="average *difference*")
    fails(ex.q1, lambda f, X, j, low, high: 0.0, match="for the first problem")
    fails(ex.q1, lambda f, X, j, low, high: [1.0, 2.0], match="single number")
    not_attempted(ex.q1, stub)


# --------------------------------------------------------------------- q2: impossible rows
def test_q2():
    passes(ex.q2, lambda X, value: np.mean(X[:, 2] >= value))

    def counted(X, value):
        rows = X.copy()
        rows[:, 1] = value
        return sum(1 for a, b in zip(rows[:, 1], rows[:, 2]) if b >= a) / len(rows)

    passes(ex.q2, counted)
    fails(ex.q2, lambda X, value: 100 * np.mean(X[:, 2] >= value), match="percentage")
    fails(ex.q2, lambda X, value: np.mean(X[:, 2] < value), match="*possible* rows")
    fails(ex.q2, lambda X, value: np.mean(X[:, 2] > value), match="use >=")
    fails(ex.q2, lambda X, value: np.mean(X[:, 2] >= X[:, 1]), match="original table")
    fails(ex.q2, lambda X, value: np.sum(X[:, 2] >= value), match="return a count")
    fails(ex.q2, lambda X, value: 0.5, match="the share is")
    not_attempted(ex.q2, stub)


# --------------------------------------------------------------------- q3: H by definition
def pd_rows(f, X, features, centre=True):
    out = []
    for x in X:
        rows = X.copy()
        rows[:, features] = x[features]
        out.append(f(rows).mean())
    out = np.array(out)
    return out - out.mean() if centre else out


def test_q3():
    def right(f, X, j, k):
        joint, a, b = pd_rows(f, X, [j, k]), pd_rows(f, X, [j]), pd_rows(f, X, [k])
        return np.sqrt(np.sum((joint - a - b) ** 2) / np.sum(joint ** 2))

    passes(ex.q3, right)
    passes(ex.q3, lambda f, X, j, k: h_statistic(f, X, features=(j, k)))

    def uncentred(f, X, j, k):
        joint, a, b = (pd_rows(f, X, s, centre=False) for s in ([j, k], [j], [k]))
        return np.sqrt(np.sum((joint - a - b) ** 2) / np.sum(joint ** 2))

    def over_predictions(f, X, j, k):
        joint, a, b = pd_rows(f, X, [j, k]), pd_rows(f, X, [j]), pd_rows(f, X, [k])
        p = f(X) - f(X).mean()
        return np.sqrt(np.sum((joint - a - b) ** 2) / np.sum(p ** 2))

    fails(ex.q3, lambda f, X, j, k: right(f, X, j, k) ** 2, match="H squared")
    fails(ex.q3, uncentred, match="centre each PD")
    fails(ex.q3, over_predictions, match="not the model's predictions")
    fails(ex.q3, lambda f, X, j, k: 1.0, match="the H statistic is")
    fails(ex.q3, lambda f, X, j, k: np.sqrt(-1.0), match="finite number")
    not_attempted(ex.q3, stub)


# --------------------------------------------------------------------- q4: rows sum to SHAP
def test_q4():
    passes(ex.q4, lambda Phi: Phi.sum(axis=2))
    passes(ex.q4, lambda Phi: np.einsum("nij->ni", Phi))
    fails(ex.q4, lambda Phi: np.einsum("nii->ni", Phi), match="only the main effect")
    fails(ex.q4, lambda Phi: Phi.sum(axis=2) - np.einsum("nii->ni", Phi), match="left the diagonal")
    fails(ex.q4, lambda Phi: 2 * Phi.sum(axis=2) - np.einsum("nii->ni", Phi), match="twice")
    fails(ex.q4, lambda Phi: Phi.sum(axis=(1, 2)), match="should have shape (20, 4)")
    fails(ex.q4, lambda Phi: Phi.sum(axis=0), match="should have shape (20, 4)")
    fails(ex.q4, lambda Phi: Phi.sum(axis=2) + 1, match="not the SHAP values")
    not_attempted(ex.q4, stub)


# --------------------------------------------------------------------- q5: drop-column
def drop(X_train, y_train, X_test, y_test, j, sign=1, refit=True, metric="loss"):
    full = LogisticRegression().fit(X_train, y_train)
    keep = [c for c in range(X_train.shape[1]) if c != j]
    if refit:
        reduced = LogisticRegression().fit(X_train[:, keep], y_train)
        p_without = reduced.predict_proba(X_test[:, keep])[:, 1]
    else:
        zeroed = X_test.copy()
        zeroed[:, j] = 0
        p_without = full.predict_proba(zeroed)[:, 1]
    p_full = full.predict_proba(X_test)[:, 1]
    if metric == "accuracy":
        return accuracy_score(y_test, p_full > 0.5) - accuracy_score(y_test, p_without > 0.5)
    return sign * (log_loss(y_test, p_without) - log_loss(y_test, p_full))


def test_q5():
    passes(ex.q5, drop)
    ns = solution_namespace(ex, np=np)
    passes(ex.q5, ns["drop_column_loss"])
    fails(ex.q5, lambda *a: drop(*a, sign=-1), match="sign is flipped")
    fails(ex.q5, lambda *a: drop(*a, refit=False), match="fits a new model")
    fails(ex.q5, lambda *a: drop(*a, metric="accuracy"), match="measured accuracy")
    fails(ex.q5, lambda *a: 0.1, match="rise in log loss")

    def trained_on_test(X_train, y_train, X_test, y_test, j):
        return drop(X_test, y_test, X_test, y_test, j)

    fails(ex.q5, trained_on_test, match="rise in log loss")
    fails(ex.q5, lambda *a: "big", match="should be a single number")
    not_attempted(ex.q5, stub)


# --------------------------------------------------------------------- q6: within groups
def test_q6():
    def right(column, groups, seed):
        rng = np.random.default_rng(seed)
        new = column.copy()
        for g in np.unique(groups):
            rows = np.flatnonzero(groups == g)
            new[rows] = column[rng.permutation(rows)]
        return new

    def by_sorting_keys(column, groups, seed):
        keys = np.random.default_rng(seed).uniform(size=len(column))
        order = np.lexsort((keys, groups))             # rows grouped, random order inside
        new = column.copy()
        new[np.sort(order)] = column[order]            # put back by group position
        target = np.empty_like(column)
        for g in np.unique(groups):
            rows = np.flatnonzero(groups == g)
            target[rows] = column[order[groups[order] == g]]
        return target

    passes(ex.q6, right)
    passes(ex.q6, by_sorting_keys)
    fails(ex.q6, lambda column, groups, seed: np.random.default_rng(seed).permutation(column),
          match="moved between groups")
    fails(ex.q6, lambda column, groups, seed: column, match="nothing moved")
    fails(ex.q6, lambda column, groups, seed: right(column, groups, 0), match="same order")

    def sorted_groups(column, groups, seed):
        new = column.copy()
        for g in np.unique(groups):
            rows = np.flatnonzero(groups == g)
            new[rows] = np.sort(column[rows])
        return new

    fails(ex.q6, sorted_groups, match="sorted, not shuffled")

    def concatenated(column, groups, seed):
        rng = np.random.default_rng(seed)
        return np.concatenate([rng.permutation(column[groups == g]) for g in np.unique(groups)])

    fails(ex.q6, concatenated, match="moved between groups")
    fails(ex.q6, lambda column, groups, seed: column + 1, match="values changed")
    fails(ex.q6, lambda column, groups, seed: column[:10], match="shape (200,)")
    not_attempted(ex.q6, stub)
