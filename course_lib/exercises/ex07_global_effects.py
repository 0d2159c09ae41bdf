"""Exercises for notebook 07, global effects and interactions: six checked questions.

Every check runs your function on fresh problems it builds itself (never the example the notebook
shows you), chosen so that the usual slips give different numbers: rows exactly on a bin edge,
grid values equal to a recorded pressure, pairs other than (0, 1), groups of unequal size with
labels that are not 0..k-1. It compares with the definition (``course_lib.tree_shap`` for SHAP
values) and refuses an answer that changes its inputs in place.
"""
from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace

import numpy as np

from ..tree_shap import tree_shap, tree_shap_interactions
from . import (PLACEHOLDER, Incorrect, Question, as_array, as_callable, as_number, call_fresh,
               forbidden, is_close, plain, same_seed_same_answer, mistake_from)

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6", "QUESTIONS", "PLACEHOLDER", "pressure_table",
           "interaction_example", "drop_column_example"]


# ------------------------------------------------------------------------------- examples
def _pressure_rows(seed: int, n: int = 500) -> np.ndarray:
    """(age in years, ap_hi, ap_lo) with ap_lo following ap_hi, rounded to whole mm Hg as recorded."""
    rng = np.random.default_rng(seed)
    ap_hi = np.round(rng.normal(128, 15, n))
    ap_lo = np.round(0.55 * ap_hi + 12 + rng.normal(0, 6, n))
    age = np.round(rng.uniform(30, 65, n), 1)
    return np.column_stack([age, ap_hi, ap_lo])


@lru_cache(maxsize=None)
def pressure_table():
    """q2: 500 rows of (age in years, ap_hi, ap_lo) with ap_lo following ap_hi, as in the twin."""
    return _pressure_rows(7)


def _interactions(seed: int, n_rows: int = 20):
    from sklearn.ensemble import GradientBoostingRegressor

    rng = np.random.default_rng(seed)
    X = rng.normal(size=(400, 4))
    y = X[:, 0] + X[:, 1] * X[:, 2] + 0.5 * np.abs(X[:, 3])
    model = GradientBoostingRegressor(n_estimators=40, max_depth=3, random_state=0).fit(X, y)
    rows = X[:n_rows]
    return SimpleNamespace(model=model, X=rows, Phi=tree_shap_interactions(model, rows),
                           phi=tree_shap(model, rows).values)


@lru_cache(maxsize=None)
def interaction_example():
    """q4: a boosted model with one true interaction, its SHAP interaction values on 20 rows."""
    return _interactions(3)


def _drop_column_problem(seed: int, n: int = 300):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    X[:, 2] = X[:, 0] + 0.05 * rng.normal(size=n)
    y = (X[:, 0] + X[:, 1] + 0.5 * rng.normal(size=n) > 0).astype(int)
    cut = 2 * n // 3
    return SimpleNamespace(X_train=X[:cut], y_train=y[:cut], X_test=X[cut:], y_test=y[cut:])


@lru_cache(maxsize=None)
def drop_column_example():
    """q5: a small binary problem split into train and test; feature 2 is a copy of feature 0."""
    return _drop_column_problem(5)


# ------------------------------------------------------------------------------- q1
def _q1_problems():
    """(f, X, j, low, high): correlated columns, and rows placed exactly on both bin edges so
    that low < x <= high (the convention of ALE, course_lib.effects and PyALE) differs from
    low <= x < high, from both ends included and from both excluded."""
    rng = np.random.default_rng(101)
    X = rng.normal(size=(90, 3))
    X[:, 1] = X[:, 0] + 0.5 * rng.normal(size=90)
    # every model interacts with the moved column, so which rows are in the bin matters
    # (and non-linearly with the others, so the average row's step differs from the steps' average)
    fs = [lambda A: A[:, 0] ** 2 * A[:, 1] + A[:, 1] ** 2 * A[:, 0] + A[:, 2],
          lambda A: np.sin(2 * A[:, 0]) * A[:, 2] + A[:, 1] ** 3 + np.exp(A[:, 1]) * A[:, 0] ** 2,
          lambda A: A[:, 0] * A[:, 1] ** 2 + np.exp(A[:, 0]) * A[:, 2] ** 2 + A[:, 1] * A[:, 0] ** 2]
    problems = []
    for f in fs:
        for j, low, high in ((0, -0.5, 0.3), (1, 0.2, 1.4)):
            rows = X.copy()
            rows[:3, j], rows[3:7, j] = low, high   # 3 rows on the lower edge, 4 on the upper
            problems.append((f, rows, j, low, high))
    return problems


def _local_effect(f, X, j, low, high, inside=None):
    if inside is None:
        inside = (X[:, j] > low) & (X[:, j] <= high)
    up, down = X[inside].copy(), X[inside].copy()
    up[:, j], down[:, j] = high, low
    return float(np.mean(f(up) - f(down)))


def _check_q1(local_effect):
    function = as_callable(local_effect, "local_effect")
    problems = _q1_problems()
    got = []
    for f, X, j, low, high in problems:
        call = f"local_effect(f, X, {j}, {low}, {high})"
        got.append(as_number(call_fresh(function, f, X, j, low, high, what=call,
                                        names=["f", "X", "j", "low", "high"]), call))
    got = np.array(got)
    want = np.array([_local_effect(*p) for p in problems])
    if is_close(got, want, atol=1e-9):
        return ("this is one step of ALE (rows on the upper edge in, on the lower edge out); the "
                "ALE curve adds these steps up bin after bin")
    column = lambda p: p[1][:, p[2]]  # noqa: E731
    variants = [
        (-want, "the sign is flipped: the step is f(upper edge) - f(lower edge)"),
        ([_local_effect(*p, inside=np.ones(len(p[1]), bool)) for p in problems],
         "you moved every row, not only the rows inside the bin: that is a PDP difference, and "
         "it uses impossible rows; keep low < x_j <= high"),
        (want / np.array([p[4] - p[3] for p in problems]),
         "you divided by the bin width: that is the local slope; ALE adds up the differences "
         "themselves"),
        ([np.mean(p[0](p[1][(column(p) > p[3]) & (column(p) <= p[4])])) for p in problems],
         "you averaged the predictions of the rows in the bin; the local effect is the average "
         "*difference* f(high) - f(low) with each row moved"),
        ([_local_effect(*p, inside=(column(p) >= p[3]) & (column(p) < p[4])) for p in problems],
         "the bin holds low < x_j <= high: a row on the upper edge belongs to it, a row on the "
         "lower edge to the bin before (you used low <= x_j < high)"),
        ([_local_effect(*p, inside=(column(p) >= p[3]) & (column(p) <= p[4])) for p in problems],
         "a row on the lower edge belongs to the bin before: use low < x_j <= high (you "
         "included both edges)"),
        ([_local_effect(*p, inside=(column(p) > p[3]) & (column(p) < p[4])) for p in problems],
         "a row on the upper edge belongs to this bin: use low < x_j <= high (you excluded "
         "both edges)"),
        ([_local_effect(*p) * np.count_nonzero((column(p) > p[3]) & (column(p) <= p[4]))
          for p in problems], "you summed the differences; ALE averages them over the rows in "
                              "the bin (np.mean, not np.sum)"),
        ([float(np.mean(p[0](_edge(p, p[4])) - p[0](_edge(p, p[3])))) for p in problems],
         "you moved only column j of the average row; move each row in the bin and average the "
         "differences"),
    ]
    for values, message in variants:
        if is_close(got, np.asarray(values, dtype=float), atol=1e-9):
            raise Incorrect(message, mistake=mistake_from(message))
    if len(set(np.round(got, 12))) == 1:
        raise Incorrect(f"local_effect returns {plain(got[0])} for every model, column and bin: "
                        "use the f, X, j, low and high your function is given",
                        mistake="local-effect-model")
    worst = int(np.argmax(np.abs(got - want)))
    f, X, j, low, high = problems[worst]
    raise Incorrect(f"local_effect(f, X, {j}, {low}, {high}) is {plain(want[worst])}, you have "
                    f"{plain(got[worst])}; set x_j to high and to low for the rows with low < "
                    "x_j <= high and average f(up) - f(down)", mistake="local-effect-set")


def _edge(problem, value):
    f, X, j, low, high = problem
    inside = (X[:, j] > low) & (X[:, j] <= high)
    row = X[inside].mean(axis=0, keepdims=True)
    row[:, j] = value
    return row


q1 = Question(
    "q1", "one step of ALE by hand", ["local_effect"], _check_q1,
    hints=["Select the rows in the bin: inside = (X[:, j] > low) & (X[:, j] <= high): a row on "
           "the upper edge is in, a row on the lower edge is not.",
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
    X = _pressure_rows(71, n=240)  # not the notebook's table; pressures are whole mm Hg
    X[:3, 1:] = [[80, 80], [75, 90], [95, 110]]  # the twin's entry errors: ap_lo >= ap_hi
    values = [80.0, 90.0, 100.0, 105.0]  # each also a recorded ap_lo: ties separate > from >=
    got = []
    for v in values:
        call = f"impossible_share(X, {plain(v)})"
        got.append(as_number(call_fresh(function, X, v, what=call, names=["X", "value"]), call))
    got = np.array(got)
    want = np.array([np.mean(X[:, 2] >= v) for v in values])
    if is_close(got, want, atol=1e-12):
        return (f"at ap_hi = 90 the PDP averages over {want[0]:.0%} impossible patients; ALE "
                "only moves rows within their own bin")
    n = len(X)
    variants = [
        (np.zeros(len(values)), "you return 0 at every grid value: an integer division "
                                "(count // n) rounds the share down to 0; use count / n or np.mean"),
        (100 * want, "you return a percentage; return the share, a number between 0 and 1"),
        (1 - want, "you return the share of *possible* rows; the question asks for "
                   "ap_lo >= ap_hi, the impossible ones"),
        ([np.mean(X[:, 2] > v) for v in values], "a diastolic pressure equal to the systolic one "
                                                 "is impossible too: use >=, not >"),
        (np.full(len(values), np.mean(X[:, 2] >= X[:, 1])),
         "you counted impossible rows in the original table, whatever the grid value; set ap_hi "
         "(column 1) to the grid value first, as the PDP does"),
        ([np.sum(X[:, 2] >= v) for v in values], "you return a count; divide by the number of rows"),
        ([np.mean(X[:, 1] >= v) for v in values], "you compared ap_hi (column 1) with the grid "
                                                  "value; the diastolic pressure is ap_lo, "
                                                  "column 2"),
        ([np.mean(X[:, 0] >= v) for v in values], "column 0 is age; the diastolic pressure ap_lo "
                                                  "is column 2"),
        ([np.mean(X[:, 2] <= v) for v in values], "the comparison is turned round: impossible "
                                                  "means ap_lo >= ap_hi, here ap_lo >= value"),
        ([np.sum(X[:, 2] >= v) / (n - 1) for v in values], "divide by the number of rows, n, "
                                                           "not n - 1"),
    ]
    for values_, message in variants:
        if is_close(got, np.asarray(values_, dtype=float), atol=1e-12):
            raise Incorrect(message, mistake=mistake_from(message))
    if len(set(got)) == 1:
        raise Incorrect(f"impossible_share returns {plain(got[0])} at every grid value: set "
                        "ap_hi to `value` and compare ap_lo with it",
                        mistake="impossible-share-grid")
    raise Incorrect(f"at ap_hi = {plain(values[0])} the share is {plain(want[0])}, you have "
                    f"{plain(got[0])}", mistake="ap-hi-share")


q2 = Question(
    "q2", "how many rows a PDP invents", ["impossible_share"], _check_q2,
    hints=["The PDP at ap_hi = v sets column 1 to v for every row and keeps ap_lo (column 2).",
           "np.mean(X[:, 2] >= value) is the share of rows whose diastolic is not below v."],
    solution_code='''def impossible_share(X, value):
    rows = X.copy()
    rows[:, 1] = value
    return np.mean(rows[:, 2] >= rows[:, 1])''')


# ------------------------------------------------------------------------------- q3
def _pd_rows(f, X, features, centre=True):
    out = []
    for x in X:
        rows = X.copy()
        rows[:, features] = x[features]
        out.append(f(rows).mean())
    out = np.array(out)
    return out - out.mean() if centre else out


def _h(f, X, j, k, centre=True, denominator="joint", squared=False):
    joint, a, b = (_pd_rows(f, X, s, centre) for s in ([j, k], [j], [k]))
    top = np.sum((joint - a - b) ** 2)
    if denominator == "joint":
        bottom = np.sum(joint ** 2)
    elif denominator == "prediction":
        prediction = f(X)
        bottom = np.sum((prediction - prediction.mean()) ** 2)
    else:
        bottom = 1.0
    value = top / bottom
    return value if squared else np.sqrt(value)


def _q3_problems():
    rng = np.random.default_rng(19)
    X = rng.uniform(-1, 1, size=(30, 3))
    X[:, 2] = 0.6 * X[:, 0] + 0.4 * rng.uniform(-1, 1, 30)
    fs = [lambda A: A[:, 0] * A[:, 1] + A[:, 2],
          lambda A: A[:, 1] * A[:, 2] + A[:, 1] + 2 * A[:, 2] + 1,
          lambda A: np.exp(A[:, 0]) + 0.5 * A[:, 1] * A[:, 2] + A[:, 0] * A[:, 2]]
    return [(fs[0], X, 0, 1), (fs[1], X, 1, 2), (fs[2], X, 2, 0)]


def _check_q3(h_pair):
    function = as_callable(h_pair, "h_pair")
    problems = _q3_problems()
    got = []
    with forbidden(["course_lib.effects.h_statistic", "course_lib.effects.h_statistic_total",
                    "sklearn.inspection.partial_dependence"], learner=function,
                   compare="course_lib.effects.h_statistic"):
        for f, X, j, k in problems:
            call = f"h_pair(f, X, {j}, {k})"
            got.append(as_number(call_fresh(function, f, X, j, k, what=call,
                                            names=["f", "X", "j", "k"]), call))
    got = np.array(got)
    want = np.array([_h(*p) for p in problems])
    if is_close(got, want, atol=1e-8):
        return ("a pure product x0*x1 on centred data gives H near 1; adding main effects "
                "lowers H although the interaction is the same: H is a share, not a size")
    variants = [
        ([_h(*p, squared=True) for p in problems], "you return H squared; take the square root"),
        ([_h(*p, centre=False) for p in problems], "centre each PD (subtract its mean over the "
                                                   "rows) before comparing them"),
        ([_h(*p, denominator="prediction") for p in problems],
         "the denominator is the centred joint PD of the pair, squared and summed, not the "
         "model's predictions"),
        ([_h(*p, denominator="none") for p in problems],
         "you return the unnormalised H (the square root of the numerator alone); divide by "
         "sum PD_jk^2 before the square root"),
        ([_h(f, X, 0, 1) for f, X, _, _ in problems],
         "you computed H for features 0 and 1 whatever j and k are; use the pair (j, k) given"),
        ([_h(*p) ** 0.5 for p in problems],
         "you took the square root twice; H = sqrt(numerator / denominator)"),
    ]
    for values, message in variants:
        if is_close(got, np.asarray(values, dtype=float), atol=1e-8):
            raise Incorrect(message, mistake=mistake_from(message))
    worst = int(np.argmax(np.abs(got - want)))
    f, X, j, k = problems[worst]
    raise Incorrect(f"h_pair(f, X, {j}, {k}) is {plain(want[worst])}, you have "
                    f"{plain(got[worst])}: PD_S at row i sets columns S of every row to row i's "
                    "values; centre the three PD vectors; H^2 = sum (PD_jk - PD_j - PD_k)^2 / "
                    "sum PD_jk^2", mistake="pair-pd-row")


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
def _q4_arrays():
    """Interaction values of a fresh boosted model (not the notebook's), and a random symmetric
    array with a large diagonal and a different number of rows and features."""
    fresh = _interactions(8, n_rows=9)
    rng = np.random.default_rng(4)
    A = rng.normal(size=(6, 5, 5))
    A = A + A.transpose(0, 2, 1) + 3 * np.eye(5)
    return [(fresh.Phi, fresh.phi), (A, A.sum(axis=2))]


def _check_q4(shap_from_interactions):
    function = as_callable(shap_from_interactions, "shap_from_interactions")
    for Phi, want in _q4_arrays():
        call = f"shap_from_interactions(Phi of shape {Phi.shape})"
        answer = call_fresh(function, Phi, what=call, names=["Phi"])
        array = as_array(answer, call, finite=False)
        got = array if array.shape == want.shape and np.all(np.isfinite(array)) else None
        if got is not None and is_close(got, want, atol=1e-8):
            continue
        diagonal = np.einsum("nii->ni", Phi)
        if got is not None:
            variants = [
                (diagonal, "the diagonal is only the main effect; add the interaction cells of "
                           "the row (sum over the last axis)"),
                (Phi.sum(axis=2) - diagonal, "you left the diagonal (the main effect) out; sum "
                                             "the whole row"),
                (2 * Phi.sum(axis=2) - diagonal, "you counted each interaction twice; shap "
                                                 "already splits it in half between (i, j) and "
                                                 "(j, i)"),
                (Phi.mean(axis=2), "you averaged the row; the SHAP value is its sum"),
                (diagonal + 0.5 * (Phi.sum(axis=2) - diagonal),
                 "you halved the interaction cells; each already holds half of the pair's "
                 "interaction, so sum them as they are"),
            ]
            for values, message in variants:
                if is_close(got, values, atol=1e-8):
                    raise Incorrect(message, mistake=mistake_from(message))
        shape = array.shape
        if tuple(shape) in ((Phi.shape[0],), (Phi.shape[1], Phi.shape[2]),
                                                 (Phi.shape[1],)):
            raise Incorrect(f"{call} has shape {tuple(shape)}, not {want.shape}: sum over the "
                            "last axis only (axis=2), keeping one value per row and feature",
                            mistake="shape-sum-last")
        if tuple(shape) != want.shape and len(shape) == 2:
            raise Incorrect(f"{call} has shape {tuple(shape)}, not {want.shape}: return one value "
                            "per row and feature of the Phi your function is given (not the "
                            "notebook's example)", mistake="shape-value-per")
        as_array(answer, call, shape=want.shape)
        raise Incorrect(f"{call}: these are not the SHAP values; sum Phi over its last axis, "
                        "Phi.sum(axis=2)", mistake="shap-values-sum")
    return "each row of the matrix adds up to that feature's SHAP value (efficiency, twice)"


q4 = Question(
    "q4", "SHAP values from SHAP interaction values", ["shap_from_interactions"], _check_q4,
    hints=["Phi has shape (n, M, M); the SHAP value of feature i is a sum over one axis.",
           "Phi[:, i, :].sum(axis=1) is feature i's SHAP value: its main effect Phi[:, i, i] "
           "plus its half of every interaction."],
    solution_code='''def shap_from_interactions(Phi):
    return Phi.sum(axis=2)''')


# ------------------------------------------------------------------------------- q5
def _drop_column_reference(example, j, refit=True, metric="loss", fit_on="train"):
    import warnings

    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, log_loss

    X_fit, y_fit = ((example.X_train, example.y_train) if fit_on == "train"
                    else (example.X_test, example.y_test))
    X_eval, y_eval = ((example.X_train, example.y_train) if fit_on == "score on train"
                      else (example.X_test, example.y_test))
    if fit_on == "score on train":
        X_fit, y_fit = example.X_train, example.y_train
    keep = [c for c in range(X_fit.shape[1]) if c != j]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full = LogisticRegression().fit(X_fit, y_fit)
        if refit:
            reduced = LogisticRegression().fit(X_fit[:, keep], y_fit)
            p_without = reduced.predict_proba(X_eval[:, keep])[:, 1]
        else:
            zeroed = X_eval.copy()
            zeroed[:, j] = 0.0
            p_without = full.predict_proba(zeroed)[:, 1]
        p_full = full.predict_proba(X_eval)[:, 1]
    if metric == "accuracy":
        return accuracy_score(y_eval, p_full > 0.5) - accuracy_score(y_eval, p_without > 0.5)
    if metric == "ratio":
        return log_loss(y_eval, p_without) / log_loss(y_eval, p_full)
    return log_loss(y_eval, p_without) - log_loss(y_eval, p_full)


def _check_q5(drop_column_loss):
    function = as_callable(drop_column_loss, "drop_column_loss")
    example = _drop_column_problem(55, n=240)  # not the notebook's split
    got = []
    for j in range(4):
        call = f"drop_column_loss(X_train, y_train, X_test, y_test, {j})"
        got.append(as_number(call_fresh(function, example.X_train, example.y_train,
                                        example.X_test, example.y_test, j, what=call,
                                        names=["X_train", "y_train", "X_test", "y_test", "j"]),
                             call))
    got = np.array(got)
    want = np.array([_drop_column_reference(example, j) for j in range(4)])
    if is_close(got, want, atol=1e-6, rtol=1e-4):
        return ("feature 0 barely matters once dropped: its near-copy, feature 2, takes over. "
                "Permutation importance would call both important")
    close = lambda values: is_close(got, np.asarray(values, dtype=float), atol=1e-6, rtol=1e-4)  # noqa: E731
    if close(-want):
        raise Incorrect("the sign is flipped: importance = loss without the feature - loss "
                        "with all features (positive when dropping it hurts)",
                        mistake="sign-flipped-importance")
    variants = [
        (dict(refit=False), "you set the column to zero in the fitted model; drop-column "
                            "importance fits a new model without the column"),
        (dict(metric="accuracy"), "you measured accuracy; the question asks for the log loss "
                                  "(sklearn.metrics.log_loss on predicted probabilities)"),
        (dict(fit_on="test"), "you fitted the models on the test rows; fit on X_train, y_train "
                              "and measure the loss on X_test, y_test"),
        (dict(fit_on="score on train"), "you measured the loss on the training rows; measure it "
                                        "on X_test, y_test, which the models have not seen"),
        (dict(metric="ratio"), "you divided the two losses; the importance is their difference, "
                               "without - with"),
    ]
    for settings, message in variants:
        if close([_drop_column_reference(example, j, **settings) for j in range(4)]):
            raise Incorrect(message, mistake=mistake_from(message))
    if close(np.roll(want, -1)) or close(np.roll(want, 1)):
        raise Incorrect("your values belong to the neighbouring column: drop column j itself "
                        "(np.delete(X_train, j, axis=1)), counting from 0",
                        mistake="values-belong-neighbouring")
    if len(set(np.round(got, 12))) == 1:
        raise Incorrect(f"drop_column_loss returns {plain(got[0])} for every column j: drop the "
                        "column j your function is given", mistake="drop-column-loss")
    raise Incorrect(f"for feature 1 the rise in log loss is {plain(want[1])}, you have "
                    f"{plain(got[1])}; fit LogisticRegression() on the training rows without "
                    "column j and compare log losses on the test rows", mistake="feature-rise-log")


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
def _q6_problem(seed: int):
    """A column and group labels that are not 0..k-1, of unequal sizes, one group a single row."""
    rng = np.random.default_rng(1100 + seed)
    column = np.round(rng.normal(size=60), 6)
    groups = rng.choice(np.array([3, 7, 12, 40]), size=60, p=[0.5, 0.3, 0.15, 0.05])
    groups[17] = 99  # a group of one row: it cannot move
    return column, groups


def _check_q6(permute_within):
    function = as_callable(permute_within, "permute_within")
    column, groups = _q6_problem(0)
    results = same_seed_same_answer(
        function, lambda seed: (column, groups, seed), seeds=(5, 5, 6),
        what="permute_within(column, groups, {seed})", names=["column", "groups", "seed"],
        read=lambda answer: as_array(answer, "permute_within(column, groups, seed)",
                                     shape=column.shape))
    first = results[0]
    labels = list(dict.fromkeys(groups))
    if np.array_equal(first, column):
        raise Incorrect("nothing moved: the column comes back unchanged",
                        mistake="nothing-moved-column")
    if sorted(first) != sorted(column):
        raise Incorrect("the values changed: a permutation only reorders the column's own values",
                        mistake="values-changed-permutation")
    moved = [g for g in labels if sorted(first[groups == g]) != sorted(column[groups == g])]
    if moved:
        in_order = np.concatenate([column[groups == g] for g in np.unique(groups)])
        if sorted(first[:len(in_order)]) == sorted(in_order) and any(
                np.array_equal(np.sort(first[:np.sum(groups == g)]), np.sort(column[groups == g]))
                for g in labels):
            raise Incorrect("your result lists the groups one after another; put each shuffled "
                            "value back in the rows of its own group (new[rows] = ...)",
                            mistake="result-lists-groups")
        raise Incorrect(f"values moved between groups (group {moved[0]} holds other values now): "
                        "shuffle each group's rows among themselves only",
                        mistake="values-moved-between")
    still = [g for g in labels if np.sum(groups == g) > 1
             and np.array_equal(first[groups == g], column[groups == g])]
    if still:
        raise Incorrect(f"group {still[0]} (of {int(np.sum(groups == still[0]))} rows) was not "
                        "shuffled: a `return` inside the loop, or a loop over range(k) that "
                        "misses labels that are not 0..k-1? Loop over np.unique(groups) and "
                        "return after the loop", mistake="group-shuffled-inside")
    if all(np.all(np.diff(first[groups == g]) >= 0) for g in labels):
        raise Incorrect("each group is sorted, not shuffled: draw a random permutation",
                        mistake="group-sorted-shuffled")
    return "a shuffled value stays among rows like its own, so the model sees no impossible rows"


q6 = Question(
    "q6", "shuffle a column within groups", ["permute_within"], _check_q6,
    hints=["Loop over np.unique(groups); rows = np.flatnonzero(groups == g).",
           "new[rows] = column[rng.permutation(rows)] with rng = np.random.default_rng(seed), "
           "made once before the loop."],
    solution_code='''def permute_within(column, groups, seed):
    rng = np.random.default_rng(seed)
    new = column.copy()
    for g in np.unique(groups):
        rows = np.flatnonzero(groups == g)
        new[rows] = column[rng.permutation(rows)]
    return new''')


QUESTIONS = [q1, q2, q3, q4, q5, q6]
