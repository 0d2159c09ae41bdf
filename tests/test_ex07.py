"""Checks of exercise notebook 07: right answers pass, typical wrong answers get the message meant
for them (a catalog of at least 8 per question), and the check data separates the conventions."""
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss

from course_lib.effects import h_statistic
from course_lib.exercises import ex07_global_effects as ex
from exercise_helpers import (never_crashes, not_attempted, passes, run_catalog,
                              solution_namespace, stub, wrong)


def test_every_solution_passes():
    ns = solution_namespace(ex, np=np)
    for question in ex.QUESTIONS:
        passes(question, *[ns[name] for name in question.vars])


def test_odd_inputs_get_feedback_not_a_crash():
    for question in ex.QUESTIONS:
        never_crashes(question, [None, 3, "text", np.nan, [1, 2], lambda *a: None])
        not_attempted(question, stub)


# --------------------------------------------------------------------- q1: one ALE step
def step(f, X, j, low, high, inside=None):
    if inside is None:
        inside = (X[:, j] > low) & (X[:, j] <= high)
    up, down = X[inside].copy(), X[inside].copy()
    up[:, j], down[:, j] = high, low
    return np.mean(f(up) - f(down))


def step_loop(f, X, j, low, high):  # written differently: one row at a time
    steps = []
    for x in X:
        if low < x[j] <= high:
            a, b = x.copy(), x.copy()
            a[j], b[j] = high, low
            steps.append(f(a[None])[0] - f(b[None])[0])
    return sum(steps) / len(steps)


def step_in_place(f, X, j, low, high):
    inside = (X[:, j] > low) & (X[:, j] <= high)
    X[:, j] = np.where(inside, high, X[:, j])
    return step(f, X, j, low, high)


def mean_row(f, X, j, low, high):
    row = X[(X[:, j] > low) & (X[:, j] <= high)].mean(axis=0, keepdims=True)
    up, down = row.copy(), row.copy()
    up[:, j], down[:, j] = high, low
    return float(f(up)[0] - f(down)[0])


def edges(lower, upper):
    def answer(f, X, j, low, high):
        col = X[:, j]
        inside = (col >= low if lower else col > low) & (col <= high if upper else col < high)
        return step(f, X, j, low, high, inside)
    return answer


Q1_WRONG = [
    wrong(lambda f, X, j, low, high: -step(f, X, j, low, high), "sign is flipped",
          mistake="sign-flipped-step"),
    wrong(lambda f, X, j, low, high: step(f, X, j, low, high, np.ones(len(X), bool)), "moved every row",
          mistake="moved-every-row"),
    wrong(lambda f, X, j, low, high: step(f, X, j, low, high) / (high - low), "divided by the bin width",
          mistake="divided-bin-width"),
    wrong(lambda f, X, j, low, high: np.mean(f(X[(X[:, j] > low) & (X[:, j] <= high)])),
          "average *difference*", mistake="averaged-predictions-rows"),
    wrong(edges(lower=True, upper=False), "you used low <= x_j < high", mistake="bin-holds-low"),
    wrong(edges(lower=True, upper=True), "you included both edges", mistake="row-lower-edge"),
    wrong(edges(lower=False, upper=False), "you excluded both edges", mistake="row-upper-edge"),
    wrong(lambda f, X, j, low, high: step(f, X, j, low, high) * np.sum((X[:, j] > low) & (X[:, j] <= high)),
          "np.mean, not np.sum", mistake="summed-differences-ale"),
    wrong(mean_row, "moved only column j of the average row", mistake="moved-column-average"),
    wrong(step_in_place, "changed its input `X` in place", mistake="changed-input"),
    wrong(lambda f, X, j, low, high: 0.25, "for every model, column and bin",
          mistake="local-effect-model"),
    wrong(lambda f, X, j, low, high: [1.0, 2.0], "single number", mistake="not-a-number"),
    wrong(lambda f, X, j, low, high: step(f, X, j, low, high) + 0.01, "is", generic=True,
          mistake="local-effect-set"),
]


def test_q1_catalog():
    run_catalog("07", ex.q1, Q1_WRONG, [step, step_loop])


def test_q1_rows_sit_on_both_edges():
    for f, X, j, low, high in ex._q1_problems():
        assert np.sum(X[:, j] == low) >= 3 and np.sum(X[:, j] == high) >= 3
        conventions = {round(step(f, X, j, low, high, inside), 12) for inside in (
            (X[:, j] > low) & (X[:, j] <= high), (X[:, j] >= low) & (X[:, j] < high),
            (X[:, j] >= low) & (X[:, j] <= high), (X[:, j] > low) & (X[:, j] < high))}
        assert len(conventions) == 4


# --------------------------------------------------------------------- q2: impossible rows
def share(X, value):
    return np.mean(X[:, 2] >= value)


def share_loop(X, value):  # written differently: set the grid value on a copy, count
    rows = X.copy()
    rows[:, 1] = value
    return sum(1 for a, b in zip(rows[:, 1], rows[:, 2]) if b >= a) / len(rows)


def share_in_place(X, value):
    X[:, 1] = value
    return np.mean(X[:, 2] >= X[:, 1])


Q2_WRONG = [
    wrong(lambda X, value: 100 * share(X, value), "percentage", mistake="percentage-share-number"),
    wrong(lambda X, value: np.mean(X[:, 2] < value), "*possible* rows",
          mistake="share-possible-rows"),
    wrong(lambda X, value: np.mean(X[:, 2] > value), "use >=, not >",
          mistake="diastolic-pressure-equal"),
    wrong(lambda X, value: np.mean(X[:, 2] >= X[:, 1]), "original table",
          mistake="counted-impossible-rows"),
    wrong(lambda X, value: np.sum(X[:, 2] >= value), "return a count",
          mistake="count-divide-number"),
    wrong(lambda X, value: np.sum(X[:, 2] >= value) // len(X), "integer division",
          mistake="every-grid-value"),
    wrong(lambda X, value: np.mean(X[:, 1] >= value), "you compared ap_hi (column 1)",
          mistake="compared-ap-hi"),
    wrong(lambda X, value: np.mean(X[:, 2] <= value), "turned round",
          mistake="comparison-turned-round"),
    wrong(lambda X, value: np.sum(X[:, 2] >= value) / (len(X) - 1), "not n - 1",
          mistake="divide-number-rows"),
    wrong(share_in_place, "changed its input `X` in place", mistake="changed-input"),
    wrong(lambda X, value: 0.5, "at every grid value", mistake="impossible-share-grid"),
    wrong(lambda X, value: share(X, value) + 0.001 * value, "the share is", generic=True,
          mistake="ap-hi-share"),
]


def test_q2_catalog():
    run_catalog("07", ex.q2, Q2_WRONG, [share, share_loop])


# --------------------------------------------------------------------- q3: H by definition
def pd_rows(f, X, features, centre=True):
    out = []
    for x in X:
        rows = X.copy()
        rows[:, features] = x[features]
        out.append(f(rows).mean())
    out = np.array(out)
    return out - out.mean() if centre else out


def h_right(f, X, j, k):
    joint, a, b = pd_rows(f, X, [j, k]), pd_rows(f, X, [j]), pd_rows(f, X, [k])
    return np.sqrt(np.sum((joint - a - b) ** 2) / np.sum(joint ** 2))


def h_vectorised(f, X, j, k):  # written differently: all rows at once with broadcasting
    n = len(X)

    def pd(features):
        grid = np.repeat(X[None], n, axis=0)          # (i, row, feature)
        grid[:, :, features] = X[:, None, features]
        values = f(grid.reshape(n * n, -1)).reshape(n, n).mean(axis=1)
        return values - values.mean()
    joint = pd([j, k])
    return float(np.linalg.norm(joint - pd([j]) - pd([k])) / np.linalg.norm(joint))


def h_uncentred(f, X, j, k):
    joint, a, b = (pd_rows(f, X, s, centre=False) for s in ([j, k], [j], [k]))
    return np.sqrt(np.sum((joint - a - b) ** 2) / np.sum(joint ** 2))


def h_over_predictions(f, X, j, k):
    joint, a, b = pd_rows(f, X, [j, k]), pd_rows(f, X, [j]), pd_rows(f, X, [k])
    p = f(X) - f(X).mean()
    return np.sqrt(np.sum((joint - a - b) ** 2) / np.sum(p ** 2))


def h_unnormalised(f, X, j, k):
    joint, a, b = pd_rows(f, X, [j, k]), pd_rows(f, X, [j]), pd_rows(f, X, [k])
    return np.sqrt(np.sum((joint - a - b) ** 2))


def h_in_place(f, X, j, k):
    value = h_right(f, X, j, k)
    X[:, j] = X[:, j] - X[:, j].mean()
    return value


Q3_WRONG = [
    wrong(lambda f, X, j, k: h_right(f, X, j, k) ** 2, "H squared", mistake="squared-take-square"),
    wrong(h_uncentred, "centre each PD", mistake="centre-pd-before"),
    wrong(h_over_predictions, "not the model's predictions", mistake="denominator-centred-joint"),
    wrong(h_unnormalised, "unnormalised H", mistake="unnormalised-divide-sum"),
    wrong(lambda f, X, j, k: h_right(f, X, 0, 1), "whatever j and k are",
          mistake="computed-features-whatever"),
    wrong(lambda f, X, j, k: h_right(f, X, j, k) ** 0.5, "square root twice",
          mistake="took-square-root"),
    wrong(lambda f, X, j, k: h_statistic(f, X, features=(j, k)), "course_lib.effects.h_statistic",
          mistake="forbidden-shortcut"),
    wrong(h_in_place, "changed its input `X` in place", mistake="changed-input"),
    wrong(lambda f, X, j, k: np.sqrt(-1.0), "finite number", mistake="not-finite"),
    wrong(lambda f, X, j, k: 1.0, "PD_S at row i", generic=True, mistake="pair-pd-row"),
]


def test_q3_catalog():
    run_catalog("07", ex.q3, Q3_WRONG, [h_right, h_vectorised])


# --------------------------------------------------------------------- q4: rows sum to SHAP
def diagonal(Phi):
    return np.einsum("nii->ni", Phi)


def fill_diagonal_in_place(Phi):
    values = Phi.sum(axis=2)
    for row in Phi:
        np.fill_diagonal(row, 0)
    return values


Q4_WRONG = [
    wrong(diagonal, "only the main effect", mistake="diagonal-main-effect"),
    wrong(lambda Phi: Phi.sum(axis=2) - diagonal(Phi), "left the diagonal",
          mistake="left-diagonal-sum"),
    wrong(lambda Phi: 2 * Phi.sum(axis=2) - diagonal(Phi), "twice",
          mistake="counted-interaction-twice"),
    wrong(lambda Phi: Phi.mean(axis=2), "averaged the row", mistake="averaged-row-shap"),
    wrong(lambda Phi: diagonal(Phi) + 0.5 * (Phi.sum(axis=2) - diagonal(Phi)), "halved",
          mistake="halved-interaction-cells"),
    wrong(lambda Phi: Phi.sum(axis=(1, 2)), "sum over the last axis only",
          mistake="shape-sum-last"),
    wrong(lambda Phi: Phi.sum(axis=0), "sum over the last axis only", mistake="shape-sum-last"),
    wrong(lambda Phi: ex.interaction_example().phi, "not the notebook's example",
          mistake="shape-value-per"),
    wrong(fill_diagonal_in_place, "changed its input `Phi` in place", mistake="changed-input"),
    wrong(lambda Phi: Phi.sum(axis=2) + 1, "not the SHAP values", generic=True,
          mistake="shap-values-sum"),
]


def test_q4_catalog():
    run_catalog("07", ex.q4, Q4_WRONG, [lambda Phi: Phi.sum(axis=2),
                                         lambda Phi: np.einsum("nij->ni", Phi)])


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
    if metric == "ratio":
        return log_loss(y_test, p_without) / log_loss(y_test, p_full)
    return sign * (log_loss(y_test, p_without) - log_loss(y_test, p_full))


def drop_in_place(X_train, y_train, X_test, y_test, j):
    X_train[:, j] = 0.0
    return drop(X_train, y_train, X_test, y_test, j)


Q5_WRONG = [
    wrong(lambda *a: drop(*a, sign=-1), "sign is flipped", mistake="sign-flipped-importance"),
    wrong(lambda *a: drop(*a, refit=False), "fits a new model", mistake="set-column-zero"),
    wrong(lambda *a: drop(*a, metric="accuracy"), "measured accuracy",
          mistake="measured-accuracy-question"),
    wrong(lambda *a: drop(*a, metric="ratio"), "divided the two losses",
          mistake="divided-two-losses"),
    wrong(lambda Xa, ya, Xb, yb, j: drop(Xb, yb, Xb, yb, j), "fitted the models on the test rows",
          mistake="fitted-models-test"),
    wrong(lambda Xa, ya, Xb, yb, j: drop(Xa, ya, Xa, ya, j), "measured the loss on the training rows",
          mistake="measured-loss-training"),
    wrong(lambda Xa, ya, Xb, yb, j: drop(Xa, ya, Xb, yb, (j + 1) % 4), "neighbouring column",
          mistake="values-belong-neighbouring"),
    wrong(lambda Xa, ya, Xb, yb, j: drop(Xa, ya, Xb, yb, 1), "for every column j",
          mistake="drop-column-loss"),
    wrong(drop_in_place, "changed its input `X_train` in place", mistake="changed-input"),
    wrong(lambda *a: "big", "should be a single number", mistake="not-a-number"),
    wrong(lambda *a: drop(*a) + 0.05, "rise in log loss", generic=True, mistake="feature-rise-log"),
]


def test_q5_catalog():
    ns = solution_namespace(ex, np=np)
    run_catalog("07", ex.q5, Q5_WRONG, [drop, ns["drop_column_loss"]])


# --------------------------------------------------------------------- q6: within groups
def permute_right(column, groups, seed):
    rng = np.random.default_rng(seed)
    new = column.copy()
    for g in np.unique(groups):
        rows = np.flatnonzero(groups == g)
        new[rows] = column[rng.permutation(rows)]
    return new


def permute_by_keys(column, groups, seed):  # written differently: sort by (group, random key)
    keys = np.random.default_rng(seed).uniform(size=len(column))
    order = np.lexsort((keys, groups))
    target = np.empty_like(column)
    for g in np.unique(groups):
        rows = np.flatnonzero(groups == g)
        target[rows] = column[order[groups[order] == g]]
    return target


def first_group_only(column, groups, seed):
    rng = np.random.default_rng(seed)
    new = column.copy()
    for g in np.unique(groups):
        rows = np.flatnonzero(groups == g)
        new[rows] = column[rng.permutation(rows)]
        return new


def range_of_labels(column, groups, seed):
    rng = np.random.default_rng(seed)
    new = column.copy()
    for g in range(len(np.unique(groups))):
        rows = np.flatnonzero(groups == g)
        new[rows] = column[rng.permutation(rows)]
    return new


def unseeded(column, groups, seed):
    new = column.copy()
    for g in np.unique(groups):
        rows = np.flatnonzero(groups == g)
        new[rows] = column[np.random.permutation(rows)]
    return new


def in_place(column, groups, seed):
    rng = np.random.default_rng(seed)
    for g in np.unique(groups):
        rows = np.flatnonzero(groups == g)
        column[rows] = column[rng.permutation(rows)]
    return column


def sorted_groups(column, groups, seed):
    new = column.copy()
    for g in np.unique(groups):
        rows = np.flatnonzero(groups == g)
        new[rows] = np.sort(column[rows])
    return new


def concatenated(column, groups, seed):
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.permutation(column[groups == g]) for g in np.unique(groups)])


Q6_WRONG = [
    wrong(lambda column, groups, seed: np.random.default_rng(seed).permutation(column),
          "moved between groups", mistake="values-moved-between"),
    wrong(lambda column, groups, seed: column.copy(), "ignores `seed`", mistake="ignores-seed"),
    wrong(lambda column, groups, seed: permute_right(column, groups, 0), "ignores `seed`",
          mistake="ignores-seed"),
    wrong(unseeded, "two different answers for the same seed", mistake="unseeded"),
    wrong(first_group_only, "was not shuffled", mistake="group-shuffled-inside"),
    wrong(range_of_labels, "was not shuffled", mistake="group-shuffled-inside"),
    wrong(in_place, "changed its input `column` in place", mistake="changed-input"),
    wrong(sorted_groups, "ignores `seed`", mistake="ignores-seed"),
    wrong(concatenated, "lists the groups one after another", mistake="result-lists-groups"),
    wrong(lambda column, groups, seed: column + seed, "values changed",
          mistake="values-changed-permutation"),
    wrong(lambda column, groups, seed: column[:10], "shape (60,)", mistake="wrong-shape"),
]


def test_q6_catalog():
    run_catalog("07", ex.q6, Q6_WRONG, [permute_right, permute_by_keys])


def test_catalog_share_of_specific_messages():
    catalogs = [Q1_WRONG, Q2_WRONG, Q3_WRONG, Q4_WRONG, Q5_WRONG, Q6_WRONG]
    assert all(len(c) >= 8 for c in catalogs)
    specific = [not generic for c in catalogs for _, _, generic, *_ in c]
    assert sum(specific) / len(specific) >= 0.9
