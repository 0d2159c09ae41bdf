"""Exercises for the warm-up: four short questions on the course's shared tools.

Each check recomputes the answer from the objects in your notebook (your table, your model,
your test rows) or calls your function on fresh random inputs and compares it with
``course_lib.shapley``; no stored answers.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..cardio_rules import DIASTOLIC_RANGE, SYSTOLIC_RANGE
from ..cardio_rules import impossible_pressure as _impossible_pressure
from ..shapley import model_game
from . import (PLACEHOLDER, Incorrect, Question, as_array, as_callable, as_mapping, as_number,
               call_learner)

__all__ = ["q1", "q2", "q3", "q4", "QUESTIONS", "PLACEHOLDER", "SYSTOLIC_RANGE",
           "DIASTOLIC_RANGE", "impossible_pressure"]

#: Plausible blood pressures in mm Hg, both ends included (systolic ap_hi, diastolic ap_lo): the
#: course's one rule, ``course_lib.cardio_rules``.
#: Ranges some tables and older notes use instead; an answer built on them gets a pointer to the rule.
_OTHER_RANGES = [((50, 250), (30, 200)), ((80, 220), (40, 140)), ((60, 240), (40, 140))]


def _is_table(value, what: str, columns) -> pd.DataFrame:
    if not isinstance(value, pd.DataFrame):
        raise Incorrect(f"`{what}` should be a pandas DataFrame, but it is a {type(value).__name__}; "
                        "run the cells above again to rebuild it")
    missing = [c for c in columns if c not in value.columns]
    if missing:
        raise Incorrect(f"`{what}` has no column(s) {missing}; run the cells above again to rebuild it")
    if len(value) == 0:
        raise Incorrect(f"`{what}` has no rows; run the cells above again to rebuild it")
    return value


def _pressures(table: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    try:
        return (pd.to_numeric(table["ap_hi"], errors="coerce"),
                pd.to_numeric(table["ap_lo"], errors="coerce"))
    except (TypeError, ValueError):  # e.g. two columns named ap_hi
        raise Incorrect("the columns ap_hi and ap_lo of your table are not one column of numbers "
                        "each; reload the table with the cell above") from None


def impossible_pressure(table: pd.DataFrame) -> pd.Series:
    """True for rows whose blood pressure cannot be real (``course_lib.cardio_rules``)."""
    _pressures(table)
    return _impossible_pressure(table)


# ------------------------------------------------------------------------------- q1
def _check_q1(cardio, n_impossible):
    table = _is_table(cardio, "cardio", ["ap_hi", "ap_lo"])
    if hasattr(n_impossible, "__len__") and not isinstance(n_impossible, (str, bytes, dict)):
        try:
            size = len(n_impossible)
        except TypeError:
            size = -1
        if size == len(table):
            raise Incorrect("`n_impossible` has one value per row: that is the mask. Count its "
                            "True values with .sum()")
    count = as_number(n_impossible, "n_impossible")
    hi, lo = _pressures(table)
    out_of_range = ~hi.between(*SYSTOLIC_RANGE) | ~lo.between(*DIASTOLIC_RANGE)
    swapped = lo >= hi
    expected = int(impossible_pressure(table).sum())
    n = len(table)
    if count == expected:
        return (f"{expected} of {n:,} rows ({100 * expected / n:.1f} %) cannot be real readings: "
                "typing slips (800 for 80, 12 for 120) and swapped columns, to clean or drop "
                "before any model sees them")
    if count != int(count):
        if math.isclose(count, expected / n, rel_tol=1e-6):
            raise Incorrect(f"{count:.4g} is the share of impossible rows; the question asks for "
                            "their number (use .sum(), not .mean())")
        raise Incorrect(f"`n_impossible` is {count}, but a number of rows is a whole number")
    strict = (~((hi > SYSTOLIC_RANGE[0]) & (hi < SYSTOLIC_RANGE[1]) & (lo > DIASTOLIC_RANGE[0])
                & (lo < DIASTOLIC_RANGE[1]))) | swapped
    suspects = [
        (n - expected, "is the number of plausible rows; count the impossible ones"),
        (int(out_of_range.sum()) + int(swapped.sum()),
         "counts a row that breaks both rules twice: combine the conditions with | and count "
         "each row once"),
        (int(out_of_range.sum()), "counts only the out-of-range readings; add the rows where the "
                                  "diastolic pressure ap_lo is not below the systolic ap_hi"),
        (int(swapped.sum()), "counts only the rows with ap_lo >= ap_hi; add the readings outside "
                             f"{SYSTOLIC_RANGE} (ap_hi) and {DIASTOLIC_RANGE} (ap_lo)"),
        (int((out_of_range | (lo > hi)).sum()), "misses the rows with ap_lo == ap_hi: equal "
                                                "pressures are impossible too, use >="),
        (int(strict.sum()), "counts readings exactly at a limit as impossible; the ranges include "
                            "both ends (Series.between includes them)"),
        (int((out_of_range & swapped).sum()), "counts only the rows that break both rules at once; "
                                              "a row is impossible when it breaks either (| not &)"),
    ]
    for (hi_range, lo_range) in _OTHER_RANGES:
        other = int((~hi.between(*hi_range) | ~lo.between(*lo_range) | swapped).sum())
        suspects.append((other, f"uses the ranges {hi_range} and {lo_range}; the course's rule "
                                f"(course_lib.cardio_rules) is ap_hi in {SYSTOLIC_RANGE} and ap_lo in "
                                f"{DIASTOLIC_RANGE} mm Hg"))
    for value, message in suspects:
        if count == value and value != expected:
            raise Incorrect(f"{int(count)} {message}")
    gap = int(count) - expected
    raise Incorrect(f"`n_impossible` is {int(count)}, off by {gap:+d} in this table of {n:,} rows; "
                    f"test ap_hi against {SYSTOLIC_RANGE}, ap_lo against {DIASTOLIC_RANGE} "
                    "(ends included) and ap_lo >= ap_hi, then count the rows where any holds")


q1 = Question(
    "q1", "count the rows with impossible blood pressure", ["cardio", "n_impossible"], _check_q1,
    hints=["Build one True/False Series per rule, combine them with | (not `or`), and count the "
           "Trues.",
           "cardio['ap_hi'].between(70, 250) is True where systolic pressure is plausible; "
           "~ turns it around. The ranges are SYSTOLIC_RANGE and DIASTOLIC_RANGE.",
           "(~cardio['ap_hi'].between(*SYSTOLIC_RANGE) | ~cardio['ap_lo'].between(*DIASTOLIC_RANGE) "
           "| (cardio['ap_lo'] >= cardio['ap_hi'])).sum()"],
    solution_code='''impossible = (~cardio["ap_hi"].between(*SYSTOLIC_RANGE)      # 70-250 mm Hg
              | ~cardio["ap_lo"].between(*DIASTOLIC_RANGE)   # 40-160 mm Hg
              | (cardio["ap_lo"] >= cardio["ap_hi"]))
n_impossible = int(impossible.sum())''')


# ------------------------------------------------------------------------------- q2
def _labels(value, what: str) -> np.ndarray:
    try:
        if hasattr(value, "to_numpy"):
            value = value.to_numpy()
        array = np.asarray(value) if isinstance(value, (np.ndarray, list, tuple)) else None
    except (TypeError, ValueError):  # ragged lists
        array = None
    if array is None or array.ndim != 1 or len(array) == 0:
        raise Incorrect(f"`{what}` should be the 1-D array of test labels; run the cells above again")
    return array


def _predict(model, X, what: str) -> np.ndarray:
    predict = getattr(model, "predict", None)
    if not callable(predict):
        raise Incorrect("`model` has no predict method; run the cell that trains it again")
    return np.asarray(call_learner(predict, X, what=f"model.predict({what})"))


def _check_q2(model, X_train, y_train, X_test, y_test, test_accuracy):
    y = _labels(y_test, "y_test")
    predicted = _predict(model, X_test, "X_test")
    if predicted.shape != y.shape:
        raise Incorrect(f"model.predict(X_test) gives {predicted.shape[0] if predicted.ndim else 0} "
                        f"predictions for {len(y)} labels; run the cells above again")
    try:
        accuracy = float(np.mean(predicted == y))
        majority = float(max(np.mean(y == label) for label in np.unique(y)))
    except (TypeError, ValueError):
        raise Incorrect("model.predict(X_test) cannot be compared with y_test; run the cells "
                        "above again") from None
    answer = as_number(test_accuracy, "test_accuracy")
    if math.isclose(answer, accuracy, abs_tol=1e-9):
        return (f"{accuracy:.3f}; always answering the most common class would score "
                f"{majority:.3f}, so the model adds {100 * (accuracy - majority):.1f} points")
    if math.isclose(answer, 100 * accuracy, abs_tol=1e-7):
        raise Incorrect(f"{answer:.4g} is a percentage; give the share between 0 and 1")
    if math.isclose(answer, 1 - accuracy, abs_tol=1e-9):
        raise Incorrect(f"{answer:.4g} is the error rate, the share of wrong predictions; "
                        "accuracy counts the right ones")
    try:
        train = float(np.mean(_predict(model, X_train, "X_train") == _labels(y_train, "y_train")))
    except Incorrect:
        train = math.nan
    if math.isclose(answer, train, abs_tol=1e-9):
        raise Incorrect(f"{answer:.4g} is the accuracy on the training rows, which the model has "
                        "seen; measure it on X_test and y_test")
    if math.isclose(answer, majority, abs_tol=1e-9):
        raise Incorrect(f"{answer:.4g} is the share of the most common class in y_test: what a "
                        "model that always gives that class would score; compare model.predict(X_test)")
    if not 0 <= answer <= 1:
        raise Incorrect(f"`test_accuracy` is {answer:.4g}, but an accuracy is a share between 0 and 1")
    raise Incorrect(f"`test_accuracy` is {answer:.4g}, but the model is right on {accuracy:.4g} "
                    "of the test rows: the mean of (model.predict(X_test) == y_test)")


q2 = Question(
    "q2", "the model's accuracy on the test rows",
    ["model", "X_train", "y_train", "X_test", "y_test", "test_accuracy"], _check_q2,
    hints=["Accuracy is the share of rows where the prediction equals the true label.",
           "model.predict(X_test) == y_test is True where the model is right.",
           "test_accuracy = (model.predict(X_test) == y_test).mean()"],
    solution_code="test_accuracy = float((model.predict(X_test) == y_test).mean())")


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
        kept = background.copy()
        got = call_learner(function, f, x.copy(), background, list(coalition), what=call)
        if not np.array_equal(background, kept):
            raise Incorrect(f"{call} changed `background` in place; work on a copy "
                            "(rows = background.copy()) so that the next coalition starts clean")
        if _is_vector(got, len(background)):
            raise Incorrect(f"{call} returns one prediction per background row; v(S) is their mean")
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
                            "predictions of the rows (f is not linear, so the two differ)")
        if coalition and len(others) and math.isclose(value, flipped, rel_tol=1e-9):
            raise Incorrect(f"{call}: you take the features in the coalition from the background "
                            "and the others from x; it is the other way round")
        if coalition != list(range(len(x))) and math.isclose(value, float(f(x[None])[0]), rel_tol=1e-9):
            raise Incorrect(f"{call} returns f(x), whatever the coalition; only the features in "
                            "the coalition come from x, the rest from each background row")
        raise Incorrect(f"{call} should be {expected:.6g}, you return {value:.6g}; copy the "
                        "background, set the coalition's columns to x's values, average f")
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
MAX_BACKGROUND = 200


def _shares(phi, names: list[str]) -> np.ndarray:
    """The learner's Shapley values as an array in feature order."""
    if hasattr(phi, "values") and hasattr(phi, "base_values"):  # Attributions or shap.Explanation
        values = as_array(getattr(phi, "values"), "phi.values")
        if values.shape == (1, len(names)):
            values = values[0]
        return as_array(values, "phi.values", shape=(len(names),))
    if isinstance(phi, dict) or isinstance(phi, pd.Series):
        mapping = as_mapping(phi, "phi", keys=names)
        return np.array([as_number(mapping[name], f"phi[{name!r}]") for name in names])
    return as_array(phi, "phi", shape=(len(names),))


def _check_q4(model, patient, background, phi):
    background = _is_table(background, "background", [])
    if len(background) > MAX_BACKGROUND:
        raise Incorrect(f"`background` has {len(background)} rows; exact Shapley values cost "
                        f"2^M x rows predictions, so keep at most {MAX_BACKGROUND} "
                        "(X_train.sample(50, random_state=0))")
    names = [str(c) for c in background.columns]
    if len(names) > 14:
        raise Incorrect(f"`background` has {len(names)} columns; use the model's feature columns")
    if not callable(getattr(model, "predict_proba", None)):
        raise Incorrect("`model` has no predict_proba method; run the cell that trains it again")
    row = patient.to_numpy() if hasattr(patient, "to_numpy") else patient
    row = as_array(row, "patient")
    if row.ndim == 2 and row.shape[0] == 1:
        row = row[0]
    if row.shape != (len(names),):
        raise Incorrect(f"`patient` should be one row with the {len(names)} feature values "
                        f"(X_test.iloc[0]), but it has shape {row.shape}")
    probability = lambda X: model.predict_proba(X)[:, 1]  # noqa: E731
    try:
        game = model_game(probability, row, background)
        exact = game.attributions()
    except Exception as error:
        raise Incorrect(f"the model could not be explained on `patient` and `background` "
                        f"({type(error).__name__}: {error}); run the cells above again") from None
    shares = _shares(phi, names)
    reference = exact.values[0]
    gap = float(game(game.players) - game(()))
    if np.allclose(shares, reference, rtol=1e-6, atol=1e-9):
        top = int(np.argmax(np.abs(reference)))
        return (f"the shares add up to f(patient) - mean f(background) = {gap:+.3f}; the largest "
                f"is {names[top]} ({reference[top]:+.3f})")
    if np.allclose(shares, -reference, rtol=1e-6, atol=1e-9):
        raise Incorrect("these are the shares of P(cardio = 0): explain the probability of "
                        "disease, model.predict_proba(X)[:, 1]")
    if not math.isclose(float(shares.sum()), gap, abs_tol=1e-6):
        raise Incorrect(f"your shares add up to {shares.sum():.4g}, but Shapley values share "
                        f"exactly f(patient) - mean f(background) = {gap:.4g} (efficiency): "
                        "explain `patient` with `background`, as the question says")
    worst = int(np.argmax(np.abs(shares - reference)))
    raise Incorrect(f"the shares add up, but {names[worst]}'s is {shares[worst]:.4g} instead of "
                    f"{reference[worst]:.4g}: use model_game(f, patient, background).attributions()")


q4 = Question(
    "q4", "share one patient's predicted risk among the features (course_lib.shapley)",
    ["model", "patient", "background", "phi"], _check_q4,
    hints=["f = lambda X: model.predict_proba(X)[:, 1] is the model's predicted risk.",
           "game = model_game(f, patient, background) is the game of q3 with the model as f.",
           "phi = model_game(f, patient, background).attributions()"],
    solution_code='''f = lambda X: model.predict_proba(X)[:, 1]
phi = model_game(f, patient, background).attributions()''')

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
          "much the held-out loss grows without each one.", {"permutation importance"}),
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
    ("g", "LIME"): "when errors are cheap and the problem is well studied, no explanation is "
                   "needed (Doshi-Velez and Kim 2017)",
}


def _method_key(text: str) -> str:
    return "".join(ch for ch in str(text).lower() if ch.isalnum())


_BY_KEY = {_method_key(name): name for name in METHODS}
_BY_KEY.update({"treeshapley": "TreeSHAP", "pdp": "PDP/ICE", "ice": "PDP/ICE",
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
                            f"got {type(method).__name__}")
        if _method_key(method) in ("shap", "shapley", "shapleyvalues"):
            raise Incorrect(f"choices[{need!r}] = {method!r}: which one, TreeSHAP (trees, exact) "
                            "or LIME? The menu has TreeSHAP")
        if _method_key(method) not in _BY_KEY:
            raise Incorrect(f"choices[{need!r}] = {method!r} is not on the menu: {list(METHODS)}")
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
    raise Incorrect(f"need ({need}): {why}{others}")


q5 = Question(
    "q5", "choose a method for a stated need (notebook 00's taxonomy)", ["choices"], _check_q5,
    hints=["For each need ask first: one decision (local) or the whole model (global)? Then: may "
           "the model itself be the explanation (intrinsic), or must a black box be explained "
           "(post-hoc)? Then: what kind of model and data?",
           "Exactly one need is an image, one asks what to change, one is a low-stakes, "
           "well-tested system, and one asks for a model you can read.",
           "a: counterfactual, b: Grad-CAM (LIME on superpixels also works); c: an intrinsic model; d: the exact method for trees; "
           "e: a global loss-based score; f: curves along one feature; g: none."],
    solution_code='''choices = {"a": "counterfactual", "b": "Grad-CAM", "c": "logistic regression",
           "d": "TreeSHAP", "e": "permutation importance", "f": "PDP/ICE", "g": "no explanation"}''')

QUESTIONS = [*QUESTIONS, q5]
__all__ += ["q5", "METHODS", "NEEDS"]
