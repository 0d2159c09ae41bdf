"""Exercises for the warm-up: five short questions on the course's shared tools.

Each of q1-q4 calls your function on fresh inputs the check builds itself (tables with readings
at every limit, models with text labels, random models and coalitions) and compares it with
``course_lib``; an answer that changes its inputs in place is refused, and no answer is a stored
number. q5 matches methods to stated needs.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from ..cardio_rules import DIASTOLIC_RANGE, SYSTOLIC_RANGE
from ..cardio_rules import impossible_pressure as _impossible_pressure
from ..cardio_twin import make_cardio_twin
from ..shapley import model_game
from . import (PLACEHOLDER, Incorrect, Question, as_array, as_callable, as_mapping, as_number,
               call_fresh, forbidden, plain, mistake_from)

__all__ = ["q1", "q2", "q3", "q4", "QUESTIONS", "PLACEHOLDER", "SYSTOLIC_RANGE",
           "DIASTOLIC_RANGE", "impossible_pressure"]

#: Plausible blood pressures in mm Hg, both ends included (systolic ap_hi, diastolic ap_lo): the
#: course's one rule, ``course_lib.cardio_rules``.
#: Ranges some tables and older notes use instead; an answer built on them gets a pointer to the rule.
_OTHER_RANGES = [((50, 250), (30, 200)), ((80, 220), (40, 140)), ((60, 240), (40, 140))]


def _pressures(table: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    return (pd.to_numeric(table["ap_hi"], errors="coerce"),
            pd.to_numeric(table["ap_lo"], errors="coerce"))


def impossible_pressure(table: pd.DataFrame) -> pd.Series:
    """True for rows whose blood pressure cannot be real (``course_lib.cardio_rules``)."""
    return _impossible_pressure(table)


def _length(value) -> int:
    try:
        return len(value)
    except TypeError:
        return -1


# ------------------------------------------------------------------------------- q1
def _q1_tables() -> list[pd.DataFrame]:
    """Fresh tables for q1: crafted rows at every limit, then twin rows with entry errors.

    The crafted rows are the twin's documented entry errors (``cardio_twin.ERROR_RATES``: a digit
    lost or added, swapped columns, a minus sign) plus the readings that separate the
    conventions: each limit itself (plausible, the ranges include their ends), one step past it,
    and ap_lo == ap_hi (impossible). Every typical slip miscounts at least one of these tables
    (tests/test_ex00.py proves it).
    """
    crafted = pd.DataFrame({
        "ap_hi": [120, 70, 250, 130, 140, 69, 251, 120, 12, 130, 80, 16020, -120, 100, 150, 110],
        "ap_lo": [80, 40, 160, 40, 160, 50, 90, 120, 80, 800, 120, 90, 80, 100, 39, 161],
    }, index=np.arange(100, 116))  # an index that is not 0..n-1
    twin = make_cardio_twin(n=1500, seed=23)[["age", "ap_hi", "ap_lo"]].copy()
    rows = twin.index[:6]
    twin.loc[rows, ["ap_hi", "ap_lo"]] = [[250, 160], [70, 40], [110, 110], [161, 161],
                                          [120, 161], [71, 70]]
    small = crafted.iloc[[0, 1, 7, 13]].copy()  # limits and equal pressures only
    return [crafted, twin, small]


def _q1_variants(table: pd.DataFrame) -> list[tuple[int, str]]:
    """(count, what the learner's function does) for the typical slips on `table`."""
    hi, lo = _pressures(table)
    out_of_range = ~hi.between(*SYSTOLIC_RANGE) | ~lo.between(*DIASTOLIC_RANGE)
    swapped = lo >= hi
    expected = int((out_of_range | swapped).sum())
    n = len(table)
    strict = (~((hi > SYSTOLIC_RANGE[0]) & (hi < SYSTOLIC_RANGE[1]) & (lo > DIASTOLIC_RANGE[0])
                & (lo < DIASTOLIC_RANGE[1]))) | swapped
    variants = [
        (n - expected, "counts the plausible rows; count the impossible ones (those that break "
                       "at least one rule)"),
        (int(out_of_range.sum()) + int(swapped.sum()),
         "counts a row that breaks two rules twice: combine the rules with | into one mask, then "
         "count each row once"),
        (int(strict.sum()), "counts readings exactly at a limit (70 or 250 for ap_hi, 40 or 160 "
                            "for ap_lo) as impossible; the ranges include both ends "
                            "(Series.between includes them)"),
        (int((out_of_range | (lo > hi)).sum()), "misses the rows with ap_lo == ap_hi: equal "
                                                "pressures are impossible too, use >= not >"),
        (int(out_of_range.sum()), "counts only the out-of-range readings; add the rows where the "
                                  "diastolic pressure ap_lo is not below the systolic ap_hi"),
        (int(swapped.sum()), "counts only the rows with ap_lo >= ap_hi; add the readings outside "
                             f"{SYSTOLIC_RANGE} (ap_hi) and {DIASTOLIC_RANGE} (ap_lo)"),
        (int((out_of_range & swapped).sum()), "counts only the rows that break both rules at "
                                              "once; a row is impossible when it breaks either "
                                              "(| not &)"),
        (int((~hi.between(*SYSTOLIC_RANGE) | swapped).sum()),
         f"never tests ap_lo against its range {DIASTOLIC_RANGE}"),
        (int((~lo.between(*DIASTOLIC_RANGE) | swapped).sum()),
         f"never tests ap_hi against its range {SYSTOLIC_RANGE}"),
        (int((~hi.between(*DIASTOLIC_RANGE) | ~lo.between(*SYSTOLIC_RANGE) | swapped).sum()),
         "tests ap_hi against the diastolic range and ap_lo against the systolic one; ap_hi is "
         f"the systolic pressure, {SYSTOLIC_RANGE}"),
    ]
    for hi_range, lo_range in _OTHER_RANGES:
        other = int((~hi.between(*hi_range) | ~lo.between(*lo_range) | swapped).sum())
        variants.append((other, f"uses the ranges {hi_range} and {lo_range}; the course's rule "
                                f"(course_lib.cardio_rules) is ap_hi in {SYSTOLIC_RANGE} and ap_lo "
                                f"in {DIASTOLIC_RANGE} mm Hg"))
    return variants


def _check_q1(count_impossible_pressure):
    function = as_callable(count_impossible_pressure, "count_impossible_pressure")
    tables, answers = _q1_tables(), []
    for table in tables:
        call = f"count_impossible_pressure(table of {len(table)} rows)"
        got = call_fresh(function, table, what=call, names=["table"])
        if (hasattr(got, "__len__") and not isinstance(got, (str, bytes, dict))
                and _length(got) == len(table)):
            raise Incorrect(f"{call} returns one value per row: that is the mask. Return the "
                            "number of True values, mask.sum()", mistake="value-per-row")
        answers.append(as_number(got, call))
    expected_counts = [int(impossible_pressure(table).sum()) for table in tables]
    if len(set(answers)) == 1 and len(set(expected_counts)) > 1:
        raise Incorrect(f"count_impossible_pressure returns {plain(answers[0])} for tables of "
                        f"{', '.join(str(len(t)) for t in tables)} rows alike: count the rows of "
                        "the table your function is given (`table`), not of the notebook's `cardio`",
                        mistake="count-impossible-pressure")
    variants = [_q1_variants(table) for table in tables]
    for k, (_, message) in enumerate(variants[0]):  # a slip is one rule: it fits every table
        counts = [v[k][0] for v in variants]
        if counts == answers and counts != expected_counts:
            where = next(i for i, (c, e) in enumerate(zip(counts, expected_counts)) if c != e)
            raise Incorrect(f"count_impossible_pressure(table of {len(tables[where])} rows) "
                            f"returns {int(counts[where])}, expected {expected_counts[where]}: "
                            f"your function {message}", mistake=mistake_from(message))
    for table, count, expected in zip(tables, answers, expected_counts):
        call = f"count_impossible_pressure(table of {len(table)} rows)"
        if count == expected:
            continue
        if count != int(count):
            if math.isclose(count, expected / len(table), rel_tol=1e-9):
                raise Incorrect(f"{call} returns {plain(count)}, the share of impossible rows; "
                                "the question asks for their number (.sum(), not .mean())",
                                mistake="share-impossible-rows")
            raise Incorrect(f"{call} returns {plain(count)}, but a number of rows is a whole "
                            "number", mistake="number-rows-whole")
        raise Incorrect(f"{call} returns {int(count)}, expected {expected}: test ap_hi against "
                        f"{SYSTOLIC_RANGE}, ap_lo against {DIASTOLIC_RANGE} (ends included) and "
                        "ap_lo >= ap_hi, then count the rows where any holds", mistake="test-ap-hi")
    return ("right on tables with readings exactly at each limit, equal pressures and the twin's "
            "typing slips (800 for 80, 12 for 120): rows to clean or drop before a model sees them")


q1 = Question(
    "q1", "count the rows with impossible blood pressure", ["count_impossible_pressure"],
    _check_q1,
    hints=["Build one True/False Series per rule, combine them with | (not `or`), and count the "
           "Trues.",
           "table['ap_hi'].between(70, 250) is True where systolic pressure is plausible (both "
           "ends included); ~ turns it around. The ranges are SYSTOLIC_RANGE and DIASTOLIC_RANGE.",
           "return int((~table['ap_hi'].between(*SYSTOLIC_RANGE) | "
           "~table['ap_lo'].between(*DIASTOLIC_RANGE) | (table['ap_lo'] >= table['ap_hi'])).sum())"],
    solution_code='''def count_impossible_pressure(table):
    impossible = (~table["ap_hi"].between(*SYSTOLIC_RANGE)      # 70-250 mm Hg
                  | ~table["ap_lo"].between(*DIASTOLIC_RANGE)   # 40-160 mm Hg
                  | (table["ap_lo"] >= table["ap_hi"]))
    return int(impossible.sum())''')


# ------------------------------------------------------------------------------- q2
_METRICS = ["sklearn.metrics.accuracy_score", "sklearn.metrics.balanced_accuracy_score",
            "sklearn.metrics.confusion_matrix", "sklearn.metrics.zero_one_loss"]


def _q2_cases():
    """(model, X, y, X_fit, y_fit) built here: labels 0/1, text labels and 1/0, classes of unequal
    size, a pandas index that is not 0..n-1, and models that are neither always right nor wrong."""
    from sklearn.tree import DecisionTreeClassifier

    cases = []
    for seed, labels, n in ((0, (0, 1), 37), (1, ("healthy", "ill"), 53), (2, (1, 0), 40)):
        rng = np.random.default_rng(seed)
        X = pd.DataFrame(rng.normal(size=(3 * n, 3)), columns=["age", "ap_hi", "weight"])
        score = X["age"] + 0.8 * X["ap_hi"] + rng.normal(0, 0.8, 3 * n)
        y = pd.Series(np.where(score > 0.6, labels[1], labels[0]), name="cardio")
        model = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X.iloc[n:], y.iloc[n:])
        X_test = X.iloc[:n].set_axis(np.arange(1000, 1000 + n))
        y_test = y.iloc[:n].set_axis(X_test.index)
        cases.append((model, X_test, y_test))
    return cases


def _check_q2(accuracy):
    function = as_callable(accuracy, "accuracy")
    cases, answers = _q2_cases(), []
    for model, X, y in cases:
        call = f"accuracy(model, X, y) on {len(y)} rows labelled {sorted(map(str, set(y)))}"
        with forbidden(_METRICS, learner=function,
                       compare="sklearn.metrics.accuracy_score (model.score calls it too)"):
            got = call_fresh(function, model, X, y, what=call, names=["model", "X", "y"])
        answers.append(as_number(got, call))
    rights = [float(np.mean(m.predict(X) == y.to_numpy())) for m, X, y in cases]
    if len(set(answers)) == 1 and len(set(rights)) > 1 and 0 <= answers[0] <= 1:
        raise Incorrect(f"accuracy returns {plain(answers[0])} for every model and table: score "
                        "the `model`, `X` and `y` your function is given, not the notebook's "
                        "model, X_test and y_test", mistake="accuracy-model-table")
    for (model, X, y), answer in zip(cases, answers):
        call = f"accuracy(model, X, y) on {len(y)} rows labelled {sorted(map(str, set(y)))}"
        labels = y.to_numpy()
        predicted = model.predict(X)
        right = float(np.mean(predicted == labels))
        if math.isclose(answer, right, abs_tol=1e-12):
            continue
        shares = y.value_counts(normalize=True)
        refit = type(model)(**model.get_params()).fit(X, y)
        suspects = [
            (100 * right, "a percentage; give the share between 0 and 1"),
            (1 - right, "the error rate (the share of wrong predictions); accuracy counts the "
                        "right ones"),
            (float(shares.max()), "the share of the most common label in y: what always "
                                  "answering that label scores; compare model.predict(X) with y"),
            (float(np.mean(refit.predict(X) == labels)),
             "the accuracy of a model refitted on the rows it should only score; call "
             "model.predict(X), never model.fit"),
            (float(np.sum(predicted == labels)), "the number of right predictions; divide by "
                                                 "len(y)"),
            (float(np.mean(predicted == labels[0])), "a comparison of every prediction with the "
                                                     "first label; compare each prediction with "
                                                     "its own label (model.predict(X) == y)"),
        ]
        for value, message in suspects:
            if math.isclose(answer, value, abs_tol=1e-12):
                raise Incorrect(f"{call} returns {plain(answer)}, {message}",
                                mistake=mistake_from(message))
        if any(math.isclose(answer, round(right, digits), abs_tol=1e-12) for digits in range(4)):
            raise Incorrect(f"{call} returns {plain(answer)}, the accuracy rounded; return it "
                            "unrounded (round only when you print it)",
                            mistake="accuracy-rounded-unrounded")
        if not 0 <= answer <= 1:
            raise Incorrect(f"{call} returns {plain(answer)}, but an accuracy is a share between "
                            "0 and 1", mistake="accuracy-share-between")
        raise Incorrect(f"{call} returns {plain(answer)}, but the model is right on "
                        f"{plain(right)} of the rows: the mean of (model.predict(X) == y)",
                        mistake="model-right-rows")
    return ("right on three models, with labels 0/1 and text labels; in the notebook, compare it "
            "with always answering the most common class")


q2 = Question(
    "q2", "a model's accuracy, written with model.predict", ["accuracy"], _check_q2,
    hints=["Accuracy is the share of rows where the prediction equals the true label.",
           "model.predict(X) == np.asarray(y) is True where the model is right.",
           "return float(np.mean(model.predict(X) == np.asarray(y)))"],
    solution_code='''def accuracy(model, X, y):
    return float(np.mean(model.predict(X) == np.asarray(y)))''')


# ------------------------------------------------------------------------------- q3
def _q3_case(seed: int):
    """A random small model, a row x, a background and a random coalition of feature indices."""
    rng = np.random.default_rng(seed)
    n_features = int(rng.integers(3, 6))
    weights = rng.normal(size=n_features)

    def f(X):  # a non-linear model, so that averaging inputs and averaging predictions differ
        X = np.asarray(X, dtype=float)
        return 1 / (1 + np.exp(-(X @ weights + 1.5 * X[:, 0] * X[:, 1])))

    x = rng.normal(size=n_features)
    background = rng.normal(size=(int(rng.integers(5, 30)), n_features))
    coalition = sorted(int(j) for j in np.flatnonzero(rng.random(n_features) < 0.5))
    return f, x, background, coalition


def _is_vector(value, length: int) -> bool:
    try:
        array = np.asarray(value.detach() if hasattr(value, "detach") else value, dtype=float)
    except Exception:
        return False
    return array.shape == (length,) and length > 1


def _check_q3(coalition_value):
    function = as_callable(coalition_value, "coalition_value")
    cases = [_q3_case(seed) for seed in range(30, 42)]
    f0, x0, b0, _ = cases[0]
    cases[1] = (f0, x0, b0, [])                      # the empty coalition: mean prediction
    cases[2] = (f0, x0, b0, list(range(len(x0))))    # the full coalition: f(x)
    for f, x, background, coalition in cases:
        call = f"coalition_value(f, x, background, {coalition})"
        got = call_fresh(function, f, x, background, list(coalition), what=call,
                         names=["f", "x", "background", "coalition"])
        if _is_vector(got, len(background)):
            raise Incorrect(f"{call} returns one prediction per background row; v(S) is their mean",
                            mistake="prediction-per-background")
        value = as_number(got, call)
        game = model_game(f, x, background)
        expected = game([f"x{j}" for j in coalition])
        if math.isclose(value, expected, rel_tol=1e-9, abs_tol=1e-12):
            continue
        hybrid = background.copy()
        hybrid[:, coalition] = x[coalition]
        others = [j for j in range(len(x)) if j not in coalition]
        flipped = game([f"x{j}" for j in others])
        if math.isclose(value, float(f(hybrid.mean(axis=0, keepdims=True))[0]), rel_tol=1e-9):
            raise Incorrect(f"{call}: you average the rows, then predict; v(S) averages the "
                            "predictions of the rows (f is not linear, so the two differ)",
                            mistake="average-rows-predict")
        if coalition and len(others) and math.isclose(value, flipped, rel_tol=1e-9):
            raise Incorrect(f"{call}: you take the features in the coalition from the background "
                            "and the others from x; it is the other way round",
                            mistake="take-features-coalition")
        if coalition != list(range(len(x))) and math.isclose(value, float(f(x[None])[0]), rel_tol=1e-9):
            raise Incorrect(f"{call} returns f(x), whatever the coalition; only the features in "
                            "the coalition come from x, the rest from each background row",
                            mistake="whatever-coalition-features")
        if math.isclose(value, float(np.mean(f(background))), rel_tol=1e-9):
            raise Incorrect(f"{call} returns the mean prediction of the background, whatever the "
                            "coalition; set the coalition's columns to x's values first",
                            mistake="mean-prediction-background")
        raise Incorrect(f"{call} should be {plain(expected)}, you return {plain(value)}; copy the "
                        "background, set the coalition's columns to x's values, average f",
                        mistake="copy-background-set")
    return ("right on 12 random models, rows and coalitions; in notebook 01 this value function "
            "turns a model into a game whose players are features")


q3 = Question(
    "q3", "the value of a coalition of features", ["coalition_value"], _check_q3,
    hints=["Start from a copy of the background rows; overwrite the coalition's columns with x's "
           "values.",
           "rows = background.copy(); rows[:, coalition] = x[coalition]",
           "return float(np.mean(f(rows)))  (average the predictions, not the rows)"],
    solution_code='''def coalition_value(f, x, background, coalition):
    rows = np.array(background, dtype=float)  # a copy: the caller's background stays as it is
    rows[:, coalition] = x[coalition]
    return float(np.mean(f(rows)))''')


# ------------------------------------------------------------------------------- q4
def _shares(phi, names: list[str], what: str) -> np.ndarray:
    """The learner's Shapley values as an array in feature order."""
    if hasattr(phi, "values") and hasattr(phi, "base_values"):  # Attributions or shap.Explanation
        phi = getattr(phi, "values")
    if isinstance(phi, (dict, pd.Series)):
        mapping = as_mapping(phi, what, keys=names)
        return np.array([as_number(mapping[name], f"{what}[{name!r}]") for name in names])
    values = as_array(phi, what)
    if values.shape == (1, len(names)):
        values = values[0]
    if values.ndim == 1 and len(values) != len(names):
        raise Incorrect(f"{what} returns {len(values)} shares for a background with "
                        f"{len(names)} columns {names}: one share per column of the `background` "
                        "your function is given (not the notebook's features)",
                        mistake="shares-background-columns")
    return as_array(values, what, shape=(len(names),))


def _q4_cases():
    """(model, patient, background) built here: cardio-like tables with 4 or 5 named features,
    classifiers with a non-linear predicted risk, patients far from the background mean."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.tree import DecisionTreeClassifier

    cases = []
    for seed, columns in ((4, ["age", "ap_hi", "weight", "smoke"]),
                          (5, ["age", "height", "ap_hi", "ap_lo", "active"])):
        rng = np.random.default_rng(seed)
        X = pd.DataFrame(rng.normal(size=(300, len(columns))), columns=columns)
        y = (X.iloc[:, 0] * X.iloc[:, 1] + X.iloc[:, 2] + rng.normal(0, 0.5, 300) > 0).astype(int)
        model = (DecisionTreeClassifier(max_depth=4, random_state=0) if seed == 4
                 else LogisticRegression()).fit(X, y)
        cases.append((model, X.iloc[7] * 1.5, X.iloc[50:50 + 12 + 6 * (seed - 4)]))
    return cases


def _check_q4(shapley_values):
    with warnings.catch_warnings():  # feature-name warnings of sklearn: not the learner's concern
        warnings.simplefilter("ignore", UserWarning)
        return _check_q4_quietly(as_callable(shapley_values, "shapley_values"))


def _check_q4_quietly(function):
    cases, answers = _q4_cases(), []
    for model, patient, background in cases:
        call = f"shapley_values(model, patient, background of {len(background)} rows)"
        got = call_fresh(function, model, patient, background, what=call,
                         names=["model", "patient", "background"])
        answers.append(_shares(got, [str(c) for c in background.columns], call))
    if all(a.shape == answers[0].shape and np.allclose(a, answers[0]) for a in answers[1:]):
        raise Incorrect("shapley_values returns the same shares for two different models and "
                        "patients: explain the `model`, `patient` and `background` your "
                        "function is given, not the notebook's", mistake="shapley-values-shares")
    for (model, patient, background), shares in zip(cases, answers):
        names = [str(c) for c in background.columns]
        call = f"shapley_values(model, patient, background of {len(background)} rows)"
        row = patient.to_numpy(dtype=float)
        game_of = lambda f: model_game(f, row, background)  # noqa: E731
        game = game_of(lambda X: model.predict_proba(X)[:, 1])
        reference = game.attributions().values[0]
        if np.allclose(shares, reference, rtol=1e-6, atol=1e-9):
            continue
        gap = float(game(game.players) - game(()))
        if np.allclose(shares, -reference, rtol=1e-6, atol=1e-9):
            raise Incorrect(f"{call}: these are the shares of P(class 0); explain the probability "
                            "of disease, model.predict_proba(X)[:, 1]",
                            mistake="shares-explain-probability")
        hard = game_of(lambda X: model.predict(X).astype(float)).attributions().values[0]
        if np.allclose(shares, hard, rtol=1e-6, atol=1e-9):
            raise Incorrect(f"{call}: you explain the hard label model.predict (0 or 1); explain "
                            "the predicted risk, model.predict_proba(X)[:, 1]",
                            mistake="explain-hard-label")
        logit = lambda X: np.log(np.clip(model.predict_proba(X)[:, 1], 1e-12, 1)  # noqa: E731
                                 / np.clip(model.predict_proba(X)[:, 0], 1e-12, 1))
        if np.allclose(shares, game_of(logit).attributions().values[0], rtol=1e-6, atol=1e-9):
            raise Incorrect(f"{call}: you explain the log-odds; explain the predicted risk "
                            "itself, model.predict_proba(X)[:, 1]", mistake="explain-log-odds")
        if np.allclose(shares, row):
            raise Incorrect(f"{call} returns the patient's feature values; return each "
                            "feature's share of the predicted risk (model_game(...).attributions())",
                            mistake="patient-feature-values")
        if np.allclose(shares, 0):
            raise Incorrect(f"{call} returns zeros; each share is the feature's part of "
                            f"f(patient) - mean f(background) = {plain(gap)}",
                            mistake="zeros-share-feature")
        f_patient = float(model.predict_proba(row[None])[0, 1])
        risks = model.predict_proba(background.to_numpy())[:, 1]
        implied = f_patient - float(shares.sum())  # the mean prediction the learner's shares imply
        if (not math.isclose(float(shares.sum()), gap, abs_tol=1e-6)
                and risks.min() - 1e-9 <= implied <= risks.max() + 1e-9):
            raise Incorrect(f"{call}: your shares add up to f(patient) minus {plain(implied)}, "
                            f"but the given background's mean prediction is "
                            f"{plain(risks.mean())}: you explained against other background "
                            "rows (a new sample?); use the `background` your function is given",
                            mistake="shares-add-minus")
        if not math.isclose(float(shares.sum()), gap, abs_tol=1e-6):
            raise Incorrect(f"{call}: your shares add up to {plain(shares.sum())}, but Shapley "
                            f"values share exactly f(patient) - mean f(background) = {plain(gap)} "
                            "(efficiency)", mistake="shares-add-shapley")
        worst = int(np.argmax(np.abs(shares - reference)))
        raise Incorrect(f"{call}: the shares add up, but {names[worst]}'s is "
                        f"{plain(shares[worst])} instead of {plain(reference[worst])}: use "
                        "model_game(f, patient, background).attributions()",
                        mistake="shares-add-model")
    return ("right on a tree and a logistic regression; the shares add up to f(patient) - mean "
            "f(background) (efficiency)")


q4 = Question(
    "q4", "share one patient's predicted risk among the features (course_lib.shapley)",
    ["shapley_values"], _check_q4,
    hints=["f = lambda X: model.predict_proba(X)[:, 1] is the model's predicted risk.",
           "game = model_game(f, patient, background) is the game of q3 with the model as f.",
           "return model_game(f, patient, background).attributions()"],
    solution_code='''def shapley_values(model, patient, background):
    f = lambda X: model.predict_proba(X)[:, 1]
    return model_game(f, patient, background).attributions()''')

QUESTIONS = [q1, q2, q3, q4]


# ------------------------------------------------------------------------------- q5
#: What each method on the menu answers: (scope, intrinsic or post-hoc, the question it answers).
METHODS = {
    "logistic regression": ("global and local", "intrinsic",
                            "the model itself is the explanation: one weight per feature"),
    "depth-3 tree": ("global and local", "intrinsic",
                     "the model itself is the explanation: at most three questions per decision"),
    "permutation importance": ("global", "post-hoc",
                               "how much the score suffers when one feature's information is broken"),
    "drop-column importance": ("global", "post-hoc, one refit per feature",
                               "how much the held-out score suffers when the model is refitted "
                               "without one feature"),
    "PDP/ICE": ("global (PDP) and per row (ICE)", "post-hoc",
                "how the prediction changes, on average and per row, as one feature varies"),
    "TreeSHAP": ("local", "post-hoc, trees only",
                 "how much each feature moved this prediction of a tree model, exactly"),
    "LIME": ("local", "post-hoc, any model",
             "a sampled linear approximation of any model around one input"),
    "Grad-CAM": ("local", "post-hoc, convolutional networks",
                 "which region of this image drove a CNN's class score"),
    "counterfactual": ("local", "post-hoc, any model",
                       "the smallest change to this input that would change the decision"),
    "no explanation": ("-", "-", "nothing: the stakes are low or the problem is well studied"),
}

#: The stated needs: key -> (the need, the accepted methods).
NEEDS = {
    "a": ("A bank refused Anna a loan. She asks what she would have to change to be accepted.",
          {"counterfactual"}),
    "b": ("A radiologist wants to see which part of a chest X-ray made the hospital's CNN say "
          "'pneumothorax'.", {"Grad-CAM", "LIME"}),
    "c": ("A regulator wants every decision of a credit-scoring model on five features to be "
          "checkable by hand, with the model itself as the explanation.",
          {"logistic regression", "depth-3 tree"}),
    "d": ("A developer wants the exact contribution of each feature, in log-odds, to one "
          "prediction of a gradient-boosted tree model.", {"TreeSHAP"}),
    "e": ("A data scientist wants to know which features a neural network relies on overall: how "
          "much the held-out loss grows without each one.",
          {"permutation importance", "drop-column importance"}),
    "f": ("A team wants to know how the predicted price of a flat changes, on average, as its "
          "area grows, and whether every flat follows that average.", {"PDP/ICE"}),
    "g": ("A postal sorter's digit reader has been tested on millions of envelopes for years; a "
          "misread digit costs one re-sort.", {"no explanation"}),
}

#: Typical mistakes, (need, chosen method) -> what is off.
_MISTAKES = {
    ("a", "TreeSHAP"): "SHAP says which features pushed the score, not what Anna could change; "
                       "she asks for recourse: a counterfactual",
    ("a", "LIME"): "LIME's weights say what pushed the score near Anna, not which change flips "
                   "the decision; she asks for recourse: a counterfactual",
    ("a", "permutation importance"): "permutation importance is global (what the model uses on "
                                     "average); Anna asks about her own decision",
    ("b", "TreeSHAP"): "TreeSHAP needs a tree model; for a CNN's image take Grad-CAM (or LIME "
                       "on superpixels)",
    ("b", "permutation importance"): "permutation importance is global; the radiologist asks "
                                     "about this one image",
    ("c", "TreeSHAP"): "a post-hoc explanation describes a black box, it is not the model; the "
                       "regulator wants an intrinsically interpretable model (Rudin 2019)",
    ("c", "LIME"): "a post-hoc, sampled approximation is not the model; the regulator wants an "
                   "intrinsically interpretable model (Rudin 2019)",
    ("d", "LIME"): "LIME is a sampled linear approximation, in the units you give it; the need "
                   "asks exact log-odds contributions of a tree model: TreeSHAP",
    ("d", "permutation importance"): "permutation importance is global; the developer asks "
                                     "about one prediction",
    ("e", "TreeSHAP"): "TreeSHAP needs a tree model and explains one prediction at a time; the "
                       "need is global, for a neural network, measured as loss",
    ("e", "LIME"): "LIME is local (one input); the need is global",
    ("f", "permutation importance"): "permutation importance gives one number per feature, not "
                                     "how the prediction changes along the feature",
    ("f", "drop-column importance"): "drop-column importance gives one number per feature, not "
                                     "how the prediction changes along the feature",
    ("a", "drop-column importance"): "drop-column importance is global (what the model needs on "
                                     "average); Anna asks about her own decision",
    ("g", "LIME"): "when errors are cheap and the problem is well studied, no explanation is "
                   "needed (Doshi-Velez and Kim 2017)",
}


def _method_key(text: str) -> str:
    return "".join(ch for ch in str(text).lower() if ch.isalnum())


_BY_KEY = {_method_key(name): name for name in METHODS}
_BY_KEY.update({"dropcolumn": "drop-column importance", "treeshapley": "TreeSHAP",
                "pdp": "PDP/ICE", "ice": "PDP/ICE",
                "partialdependence": "PDP/ICE", "gradcam": "Grad-CAM", "none": "no explanation",
                "decisiontree": "depth-3 tree", "tree": "depth-3 tree", "linearmodel":
                "logistic regression", "counterfactuals": "counterfactual"})


def _check_q5(choices):
    if isinstance(choices, pd.Series):
        choices = choices.to_dict()
    mapping = as_mapping(choices, "choices", keys=list(NEEDS))
    picked = {}
    for need in NEEDS:
        method = mapping[need]
        if not isinstance(method, str):
            raise Incorrect(f"choices[{need!r}] should be a method name (a string) from METHODS, "
                            f"got {type(method).__name__}", mistake="choices-method-name")
        if _method_key(method) in ("shap", "shapley", "shapleyvalues"):
            raise Incorrect(f"choices[{need!r}] = {method!r}: which one, TreeSHAP (trees, exact) "
                            "or LIME? The menu has TreeSHAP", mistake="choices-treeshap-lime")
        if _method_key(method) not in _BY_KEY:
            raise Incorrect(f"choices[{need!r}] = {method!r} is not on the menu: {list(METHODS)}",
                            mistake="choices-menu")
        picked[need] = _BY_KEY[_method_key(method)]
    wrong = [need for need, (_, accepted) in NEEDS.items() if picked[need] not in accepted]
    if not wrong:
        return ("every need matched: local needs got local methods, the regulator an intrinsic "
                "model, and the well-tested digit reader no explanation at all")
    need, method = wrong[0], picked[wrong[0]]
    scope, kind, answers = METHODS[method]
    why = _MISTAKES.get((need, method),
                        f"{method} ({scope}, {kind}) answers: {answers}; reread the need")
    others = f" ({len(wrong) - 1} more to fix after this one)" if len(wrong) > 1 else ""
    raise Incorrect(f"need ({need}): {why}{others}", mistake=f"need-{need}-{_method_key(method)}")


q5 = Question(
    "q5", "choose a method for a stated need (notebook 00's taxonomy)", ["choices"], _check_q5,
    hints=["For each need ask first: one decision (local) or the whole model (global)? Then: may "
           "the model itself be the explanation (intrinsic), or must a black box be explained "
           "(post-hoc)? Then: what kind of model and data?",
           "Exactly one need is an image, one asks what to change, one is a low-stakes, "
           "well-tested system, and one asks for a model you can read.",
           "a: counterfactual, b: Grad-CAM (LIME on superpixels also works); c: an intrinsic model; d: the exact method for trees; "
           "e: a global loss-based score (shuffle the feature, or refit without it); f: curves along one feature; g: none."],
    solution_code='''choices = {"a": "counterfactual", "b": "Grad-CAM", "c": "logistic regression",
           "d": "TreeSHAP", "e": "permutation importance", "f": "PDP/ICE", "g": "no explanation"}''')

QUESTIONS = [*QUESTIONS, q5]
__all__ += ["q5", "METHODS", "NEEDS"]
