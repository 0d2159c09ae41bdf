"""Exercises for notebook 06, the cardio case study: eight checked questions along the workflow.

Function answers are called on inputs the check builds itself and compared with
``course_lib.inspection`` (and friends); answers about the notebook's own patients are checked by
their properties (the prediction flips, the constraints hold) or recomputed from the notebook's
own model and rows. No stored answers.
"""
from __future__ import annotations

from functools import lru_cache, partial

import numpy as np

from ..cardio_rules import PLAUSIBLE_RANGES
from ..cardio_rules import impossible_rows as _impossible_rows
from ..counterfactual import ordered, satisfies
from ..inspection import mean_target, partial_dependence
from ..shapley import model_shapley
from ..surrogate import global_surrogate
from . import (PLACEHOLDER, Incorrect, Question, as_array, as_callable, as_number, as_string,
               call_fresh, forbidden, is_close)

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "QUESTIONS", "PLACEHOLDER", "FEATURES",
           "PLAUSIBLE", "ACTIONABLE", "MIN_PULSE_PRESSURE"]

FEATURES = ["age", "gender", "height", "weight", "ap_hi", "ap_lo", "cholesterol", "gluc",
            "smoke", "alco", "active"]
#: Question 1: a value outside these ranges (ends included as possible) is impossible; so is
#: a diastolic pressure at or above the systolic one. The course's one rule: course_lib.cardio_rules.
PLAUSIBLE = dict(PLAUSIBLE_RANGES)
#: Question 7: what a counterfactual may change, and to which values.
ACTIONABLE = {"ap_hi": (90, 180), "ap_lo": (60, 110), "weight": (45, 130), "active": (0, 1)}
MIN_PULSE_PRESSURE = 10     # ap_hi - ap_lo must be larger than this


#: is_close with an absolute tolerance only, 1e-10 unless a check says otherwise.
_close = partial(is_close, atol=1e-10, rtol=0.0)


def _frame(columns, rows):
    import pandas as pd

    return pd.DataFrame(rows, columns=columns)


# ------------------------------------------------------------------------------- q1: impossible rows
def impossible_rows(table) -> np.ndarray:
    """The reference: True for rows breaking at least one plausibility rule (``cardio_rules``)."""
    return _impossible_rows(table).to_numpy()


@lru_cache(maxsize=1)
def _q1_tables():
    from ..cardio_twin import make_cardio_twin

    crafted = _frame(["id", "age", "gender", "height", "weight", "ap_hi", "ap_lo", "cholesterol",
                      "gluc", "smoke", "alco", "active", "cardio"], [
        [1, 18000, 1, 165, 70, 120, 80, 1, 1, 0, 0, 1, 0],     # fine
        [2, 18000, 1, 165, 70, 70, 40, 1, 1, 0, 0, 1, 0],      # on the lower edges: fine
        [3, 18000, 1, 210, 180, 250, 160, 1, 1, 0, 0, 1, 1],   # on the upper edges: fine
        [4, 18000, 1, 165, 70, 120, 120, 1, 1, 0, 0, 1, 0],    # equal pressures: impossible
        [5, 18000, 1, 165, 70, 80, 120, 1, 1, 0, 0, 1, 0],     # swapped
        [6, 18000, 2, 55, 10, 12, 800, 1, 1, 0, 0, 1, 1],      # four rules at once
        [7, 18000, 2, 250, 70, 16020, 80, 1, 1, 0, 0, 1, 1],   # two rules
        [8, 18000, 1, 165, 200, 130, 85, 1, 1, 0, 0, 1, 0],    # heavy
        [9, 18000, 1, 165, 70, -150, -70, 1, 1, 0, 0, 1, 0],   # negative
    ])
    return crafted, make_cardio_twin(n=3000, seed=6)


def _check_q1(count_impossible):
    count_impossible = as_callable(count_impossible, "count_impossible")
    for table in _q1_tables():
        try:
            got = call_fresh(count_impossible, table, what="count_impossible(table)", names=["table"])
        except Incorrect as wrong:
            if "truth value of a Series is ambiguous" in str(wrong) and "in place" not in str(wrong):
                raise Incorrect("Python's `or` / `and` cannot combine two Series; use | and & "
                                "between the masks, each in parentheses: (t.ap_lo >= t.ap_hi) | "
                                "~t.ap_hi.between(70, 250)",
                                mistake="python-cannot-combine") from None
            raise
        if hasattr(got, "dtype") and getattr(got, "ndim", 0) == 1 and len(got) == len(table):
            raise Incorrect("count_impossible returned one value per row (a mask); return the "
                            "number of impossible rows, e.g. mask.sum()",
                            mistake="count-impossible-value")
        got = as_number(got, "count_impossible(table)")
        expected = int(impossible_rows(table).sum())
        if got == expected:
            continue
        # the typical slips: one mask per rule, summed; range ends excluded; the order rule left out
        out_of_range = [((table[c] < lo) | (table[c] > hi)).to_numpy() for c, (lo, hi) in PLAUSIBLE.items()]
        at_an_end = [((table[c] <= lo) | (table[c] >= hi)).to_numpy() for c, (lo, hi) in PLAUSIBLE.items()]
        swapped = (table["ap_lo"] >= table["ap_hi"]).to_numpy()
        per_rule = int(np.sum(out_of_range)) + int(swapped.sum())
        strict = np.logical_or.reduce(at_an_end) | swapped
        without_order = np.logical_or.reduce(out_of_range)
        where = f"on a table of {len(table)} rows you counted {got:g}, expected {expected}"
        if got == len(table) - expected:
            raise Incorrect(f"{where}: you counted the rows that pass every rule; count those that "
                            "break at least one", mistake="counted-rows-rule")
        if got == per_rule and per_rule != expected:
            raise Incorrect(f"{where}: a row that breaks two rules counts once; combine the rules "
                            "with | into one mask before summing", mistake="row-breaks-rules")
        if got == int(strict.sum()):
            raise Incorrect(f"{where}: the range ends are plausible (70 and 250 mm Hg are allowed); "
                            "use < low and > high, or Series.between(low, high)",
                            mistake="range-ends-plausible")
        only_greater = without_order | (table["ap_lo"] > table["ap_hi"]).to_numpy()
        if got in (int(without_order.sum()), int(only_greater.sum())):
            raise Incorrect(f"{where}: a diastolic pressure at or above the systolic one "
                            "(ap_lo >= ap_hi) is impossible too",
                            mistake="diastolic-pressure-above")
        raise Incorrect(f"{where}. Check each rule against the list above the question",
                        mistake="rule-against-list")
    return "every rule once, ends included, equal pressures excluded"


q1 = Question(
    "q1", "Count the impossible rows", ["count_impossible"], _check_q1,
    hints=["Build one boolean mask per rule, e.g. ~table['ap_hi'].between(*PLAUSIBLE['ap_hi']); "
           "PLAUSIBLE holds the ranges of course_lib.cardio_rules.",
           "Combine the masks with | (not Python's `or`), so that a row breaking two rules counts "
           "once; add table['ap_lo'] >= table['ap_hi'].",
           "bad = ~t.ap_hi.between(70, 250) | ~t.ap_lo.between(40, 160) | (t.ap_lo >= t.ap_hi) | "
           "~t.height.between(120, 210) | ~t.weight.between(35, 180); return int(bad.sum())"],
    solution_code="def count_impossible(table):\n"
                  "    bad = table['ap_lo'] >= table['ap_hi']\n"
                  "    for column, (low, high) in PLAUSIBLE.items():\n"
                  "        bad |= ~table[column].between(low, high)\n"
                  "    return int(bad.sum())")


# ------------------------------------------------------------------------------- q2: mean-target table
def _q2_cases():
    """Fresh inputs: 407 readings with values on every edge and outside them, and a small table
    of whole-number readings (as in the cardio table) whose edges are a Python list, as the
    notebook passes them, with its last bin holding values on its upper edge."""
    rng = np.random.RandomState(2)
    x = np.concatenate([rng.choice(np.arange(80, 200, 5), 400), [90, 110, 120, 130, 160, 60, 250]])
    y = (rng.uniform(size=len(x)) < 1 / (1 + np.exp(-(x - 130) / 12))).astype(int)
    small_x = np.array([60, 80, 80, 95, 100, 100, 120, 120, 120, 135, 140, 150, 160, 160, 170])
    small_y = np.array([0, 0, 1, 0, 1, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1])
    return [(x.astype(float), y, np.array([90.0, 110, 120, 130, 140, 160])),
            (small_x, small_y, [80, 100, 120, 160])]


def _check_q2(target_rate_by_bin):
    target_rate_by_bin = as_callable(target_rate_by_bin, "target_rate_by_bin")
    notes = [_check_q2_on(target_rate_by_bin, x, y, edges) for x, y, edges in _q2_cases()]
    return notes[0]


def _check_q2_on(target_rate_by_bin, x, y, edges):
    """One input set of question 2."""
    as_list = isinstance(edges, list)
    try:
        result = call_fresh(target_rate_by_bin, x, y, edges, what="target_rate_by_bin(x, y, edges)",
                            names=["x", "y", "edges"])
    except Incorrect as wrong:
        if as_list and "in place" not in str(wrong):
            raise Incorrect(f"with edges given as a list, {edges} (as the notebook passes them): "
                            f"{wrong} Read them with edges = np.asarray(edges) first",
                            mistake="edges-given-list") from None
        raise
    edges = np.asarray(edges, dtype=float)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Incorrect(f"target_rate_by_bin should return a pair (counts, rates), got "
                        f"{type(result).__name__}", mistake="target-rate-bin")
    k = len(edges) - 1
    counts = as_array(result[0], "counts", shape=(k,))
    rates = as_array(result[1], "rates", shape=(k,), finite=False)
    reference = mean_target(x[:, None].astype(float), y, 0, bins=edges)
    if _close(counts, reference.count) and _close(rates, reference.target_mean):
        return (f"{int(counts.sum())} of {len(x)} values fall inside the edges; the rate climbs "
                f"from {rates[0]:.2f} to {rates[-1]:.2f}")
    positives = np.array([y[(x >= lo) & ((x < hi) if j < k - 1 else (x <= hi))].sum()
                          for j, (lo, hi) in enumerate(zip(edges[:-1], edges[1:]))])
    if _close(rates, positives):
        raise Incorrect("your rates are counts of sick patients per bin; divide them by the bin's "
                        "count to get a rate", mistake="rates-counts-sick")
    if _close(counts, reference.count / len(x)) or _close(counts, reference.count / reference.count.sum()):
        raise Incorrect("your counts are shares; return the number of patients in each bin",
                        mistake="counts-shares-number")
    open_last = np.array([((x >= lo) & (x < hi)).sum() for lo, hi in zip(edges[:-1], edges[1:])])
    if _close(counts, open_last):
        raise Incorrect(f"the last bin must include its upper edge ({edges[-1]:g} belongs to "
                        f"[{edges[-2]:g}, {edges[-1]:g}]), as np.histogram does",
                        mistake="last-bin-include")
    right_closed = np.array([((x > lo) & (x <= hi)).sum() for lo, hi in zip(edges[:-1], edges[1:])])
    if _close(counts, right_closed):
        raise Incorrect("your bins are (low, high] (pd.cut's default); here they are [low, high): "
                        "a value equal to an edge belongs to the bin on its right",
                        mistake="bins-low-high")
    if not _close(counts, reference.count):
        worst = int(np.argmax(np.abs(counts - reference.count)))
        raise Incorrect(f"bin [{edges[worst]:g}, {edges[worst + 1]:g}) should hold "
                        f"{reference.count[worst]} values, you have {counts[worst]:g}; values "
                        "outside the edges belong to no bin", mistake="bin-hold-values")
    rates = as_array(rates, "rates")               # NaN: a division by an empty count
    worst = int(np.argmax(np.abs(rates - reference.target_mean)))
    raise Incorrect(f"the rate of bin [{edges[worst]:g}, {edges[worst + 1]:g}) should be "
                    f"{reference.target_mean[worst]:.4f}, you have {rates[worst]:.4f}",
                    mistake="rate-bin-gg")


q2 = Question(
    "q2", "A mean-target table", ["target_rate_by_bin"], _check_q2,
    hints=["np.histogram(x, bins=edges) counts values in [e0, e1), ..., [e_{k-1}, e_k] (last closed).",
           "The same call with weights=y counts the sick patients per bin; divide by the counts.",
           "counts, _ = np.histogram(x, edges); sick, _ = np.histogram(x, edges, weights=y); "
           "return counts, sick / counts"],
    solution_code="def target_rate_by_bin(x, y, edges):\n"
                  "    counts, _ = np.histogram(x, bins=edges)\n"
                  "    sick, _ = np.histogram(x, bins=edges, weights=y)\n"
                  "    return counts, sick / counts")


# ------------------------------------------------------------------------------- q3: permutation by hand
@lru_cache(maxsize=1)
def _q3_inputs():
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    rng = np.random.RandomState(3)
    X = pd.DataFrame(rng.normal(size=(300, 4)), columns=["age", "ap_hi", "weight", "height"],
                     index=np.arange(1000, 1300))                # not 0..n-1, like a sampled table
    y = (X["ap_hi"] + 0.5 * X["age"] + 0.4 * rng.normal(size=300) > 0).astype(int)
    return X, y, LogisticRegression().fit(X, y)


def _expected_drop(model, X, y, column, seed):
    order = np.random.default_rng(seed).permutation(len(X))
    shuffled = X.copy()
    shuffled[column] = X[column].to_numpy()[order]
    return model.score(X, y) - model.score(shuffled, y), order


def _check_q3(permutation_drop):
    permutation_drop = as_callable(permutation_drop, "permutation_drop")
    X, y, model = _q3_inputs()
    for column, seed in (("ap_hi", 0), ("age", 5), ("height", 1)):
        with forbidden(["sklearn.inspection.permutation_importance",
                        "course_lib.inspection.permutation_importance"], permutation_drop,
                       compare="course_lib.inspection.permutation_importance"):
            got = call_fresh(permutation_drop, model, X, y, column, seed,
                             what=f"permutation_drop(model, X, y, {column!r}, {seed})",
                             names=["model", "X", "y", "column", "seed"])
        got = as_number(got, "permutation_drop(...)")
        expected, order = _expected_drop(model, X, y, column, seed)
        if abs(got - expected) <= 1e-12:
            continue
        baseline = model.score(X, y)
        call = f"for column {column!r} and seed {seed}"
        if abs(got + expected) <= 1e-12 and expected != 0:
            raise Incorrect(f"{call} you returned {got:.4f}, expected {expected:.4f}: the sign is "
                            "flipped; importance = baseline score - score after shuffling",
                            mistake="sign-flipped-importance")
        if abs(got - (baseline - expected)) <= 1e-12:
            raise Incorrect(f"{call} you returned the score after shuffling ({got:.4f}); return "
                            "the drop, baseline - shuffled", mistake="score-after-shuffling")
        if got == 0 and expected != 0:
            raise Incorrect(f"{call} your drop is 0: the column went back to its place. Assigning "
                            "X[column].iloc[order] aligns on the index; assign "
                            "X[column].to_numpy()[order] instead", mistake="drop-column-went")
        whole = X.iloc[order]
        if abs(got - (baseline - model.score(whole, y))) <= 1e-12:
            raise Incorrect(f"{call} you shuffled whole rows, so the labels no longer match any "
                            "column; shuffle only the one column", mistake="shuffled-whole-rows")
        raise Incorrect(f"{call} you returned {got:.6f}, expected {expected:.6f}; use "
                        "order = np.random.default_rng(seed).permutation(len(X)) and model.score",
                        mistake="order-np-random")
    return "this is one repeat of permutation_importance, with a different random generator"


q3 = Question(
    "q3", "Permutation importance by hand, one feature", ["permutation_drop"], _check_q3,
    hints=["Score the model on X, then on a copy of X whose column is shuffled, and subtract.",
           "Shuffle the values, not the index: shuffled[column] = X[column].to_numpy()[order].",
           "order = np.random.default_rng(seed).permutation(len(X)); shuffled = X.copy(); "
           "shuffled[column] = X[column].to_numpy()[order]; "
           "return model.score(X, y) - model.score(shuffled, y)"],
    solution_code="def permutation_drop(model, X, y, column, seed):\n"
                  "    order = np.random.default_rng(seed).permutation(len(X))\n"
                  "    shuffled = X.copy()\n"
                  "    shuffled[column] = X[column].to_numpy()[order]\n"
                  "    return model.score(X, y) - model.score(shuffled, y)")


# ------------------------------------------------------------------------------- q4: one ICE curve
@lru_cache(maxsize=1)
def _q4_inputs():
    from sklearn.ensemble import GradientBoostingClassifier

    X, y, _ = _q3_inputs()
    return X, GradientBoostingClassifier(n_estimators=20, max_depth=2, random_state=0).fit(X, y)


def _check_q4(ice_curve):
    ice_curve = as_callable(ice_curve, "ice_curve")
    X, model = _q4_inputs()
    grid = np.linspace(-2, 2, 9)
    for row, feature in ((3, "ap_hi"), (150, "age")):
        call = f"ice_curve(model, X, {row}, {feature!r}, grid)"
        try:
            with forbidden(["course_lib.inspection.partial_dependence",
                            "sklearn.inspection.partial_dependence"], ice_curve,
                           compare="course_lib.inspection.partial_dependence"):
                got = call_fresh(ice_curve, model, X, row, feature, grid, what=call,
                                 names=["model", "X", "row", "feature", "grid"])
        except Incorrect as wrong:
            text = str(wrong)
            error = text.partition("raised KeyError:")[2]
            if error and "in place" not in text and feature not in error:
                raise Incorrect(f"`row` is a position (row {row}, counted from 0), not an index "
                                f"label: this X's index starts at {X.index[0]}; use "
                                "X.iloc[[row]], not X.loc",
                                mistake="position-index-label") from None
            raise
        got = as_array(got, f"ice_curve(model, X, {row}, {feature!r}, grid)", shape=grid.shape)
        expected = partial_dependence(model, X.iloc[[row]], feature, grid=grid, kind="individual").individual[0]
        if _close(got, expected):
            continue
        if _close(got, 1 - expected):
            raise Incorrect("your curve is P(class 0); use predict_proba(...)[:, 1], the "
                            "probability of disease", mistake="curve-predict-proba")
        if _close(got, partial_dependence(model, X, feature, grid=grid).average):
            raise Incorrect("that is the partial dependence (the average over every patient); an "
                            "ICE curve varies the feature for one patient only, X.iloc[[row]]",
                            mistake="partial-dependence-ice")
        if set(np.unique(got)) <= {0.0, 1.0}:
            raise Incorrect("your curve holds only 0 and 1: use predict_proba, not predict",
                            mistake="curve-holds-predict")
        raise Incorrect(f"for row {row} and {feature!r} the curve should be "
                        f"{np.round(expected, 3).tolist()}, you have {np.round(got, 3).tolist()}",
                        mistake="row-curve")
    return "one patient's curve; the PDP is the mean of all of them"


q4 = Question(
    "q4", "One patient's ICE curve", ["ice_curve"], _check_q4,
    hints=["Repeat the patient's row once per grid value: X.iloc[[row] * len(grid)].",
           "Set the feature column of those copies to the grid, then predict_proba(...)[:, 1].",
           "copies = X.iloc[[row] * len(grid)].copy(); copies[feature] = grid; "
           "return model.predict_proba(copies)[:, 1]"],
    solution_code="def ice_curve(model, X, row, feature, grid):\n"
                  "    copies = X.iloc[[row] * len(grid)].copy()\n"
                  "    copies[feature] = grid\n"
                  "    return model.predict_proba(copies)[:, 1]")


# ------------------------------------------------------------------------------- q5: surrogate fidelity
@lru_cache(maxsize=1)
def _q5_inputs():
    from sklearn.ensemble import RandomForestClassifier

    X, y, _ = _q3_inputs()
    model = RandomForestClassifier(n_estimators=25, max_depth=6, random_state=0).fit(X.iloc[:200], y.iloc[:200])
    return model, X.iloc[:200], X.iloc[200:]


def _check_q5(surrogate_fidelity):
    surrogate_fidelity = as_callable(surrogate_fidelity, "surrogate_fidelity")
    model, X_fit, X_eval = _q5_inputs()
    for depth in (3, 1):
        with forbidden(["course_lib.surrogate.global_surrogate"], surrogate_fidelity,
                       compare="course_lib.surrogate.global_surrogate"):
            result = call_fresh(surrogate_fidelity, model, X_fit, X_eval,
                                  depth, what=f"surrogate_fidelity(model, X_fit, X_eval, {depth})")
        got = as_number(result, "surrogate_fidelity(...)")
        expected = global_surrogate(model, X_fit, max_depth=depth, seed=0).fidelity_on(model, X_eval)
        if abs(got - expected) <= 1e-12:
            continue
        on_fit = global_surrogate(model, X_fit, max_depth=depth, seed=0).fidelity
        if abs(got - on_fit) <= 1e-12 and on_fit != expected:
            raise Incorrect(f"depth {depth}: {got:.3f} is the agreement on X_fit, the rows the tree "
                            f"was fitted to; measure it on X_eval (expected {expected:.3f})",
                            mistake="depth-agreement-fit")
        if abs(got - (1 - expected)) <= 1e-12:
            raise Incorrect(f"depth {depth}: {got:.3f} is the share of disagreements; fidelity is "
                            "the share of rows where tree and model agree",
                            mistake="depth-share-disagreements")
        unlimited = global_surrogate(model, X_fit, max_depth=None, seed=0).fidelity_on(model, X_eval)
        if abs(got - unlimited) <= 1e-12:
            raise Incorrect(f"depth {depth}: your tree ignores max_depth; pass "
                            "DecisionTreeClassifier(max_depth=max_depth, random_state=0)",
                            mistake="depth-tree-ignores")
        if got > 1 or got < 0:
            raise Incorrect(f"a fidelity is a share of rows, between 0 and 1; you returned {got:g}",
                            mistake="fidelity-share-rows")
        raise Incorrect(f"depth {depth}: expected a fidelity of {expected:.4f}, you have {got:.4f}. "
                        "Fit the tree to model.predict(X_fit) (not to the labels), with "
                        "random_state=0, then compare tree and model on X_eval",
                        mistake="depth-fidelity-fit")
    return "fidelity is agreement with the model, measured on rows the tree has not seen"


q5 = Question(
    "q5", "The fidelity of a depth-3 surrogate", ["surrogate_fidelity"], _check_q5,
    hints=["The surrogate learns the model's answers: its targets are model.predict(X_fit).",
           "Fidelity: np.mean(tree.predict(X_eval) == model.predict(X_eval)).",
           "tree = DecisionTreeClassifier(max_depth=max_depth, random_state=0).fit(X_fit, "
           "model.predict(X_fit)); return np.mean(tree.predict(X_eval) == model.predict(X_eval))"],
    solution_code="from sklearn.tree import DecisionTreeClassifier\n\n"
                  "def surrogate_fidelity(model, X_fit, X_eval, max_depth):\n"
                  "    tree = DecisionTreeClassifier(max_depth=max_depth, random_state=0)\n"
                  "    tree.fit(X_fit, model.predict(X_fit))\n"
                  "    return np.mean(tree.predict(X_eval) == model.predict(X_eval))")


# ------------------------------------------------------------------------------- q6: the worst points
def _q6_cases():
    rng = np.random.RandomState(6)
    proba = np.round(rng.uniform(0.01, 0.99, 60), 2)           # rounded: ties happen
    proba[proba == 0.5] = 0.51
    y = rng.randint(0, 2, 60)
    few = np.array([0.9, 0.2, 0.8, 0.3, 0.7])
    return [(proba, y, 5), (proba, y, 12), (few, np.array([1, 0, 0, 1, 1]), 4)]


def _check_q6(worst_points):
    worst_points = as_callable(worst_points, "worst_points")
    for proba, y, k in _q6_cases():
        got = call_fresh(worst_points, proba, y, k, what=f"worst_points(proba, y, {k})")
        got = as_array(got, f"worst_points(proba, y, {k})", ndim=1)
        if got.size and (np.any(got != np.round(got)) or got.min() < 0 or got.max() >= len(y)):
            raise Incorrect(f"return positions (integers from 0 to {len(y) - 1}), not "
                            "probabilities or labels", mistake="positions-probabilities-labels")
        got = got.astype(int)
        p_true = np.where(y == 1, proba, 1 - proba)
        wrong = p_true < 0.5
        n_expected = min(k, int(wrong.sum()))
        if len(got) != n_expected:
            raise Incorrect(f"with k={k} and {int(wrong.sum())} wrong predictions you should return "
                            f"{n_expected} positions, you returned {len(got)}"
                            + (" (there are fewer wrong rows than k: return them all)" if wrong.sum() < k else ""),
                            mistake="wrong-predictions-positions")
        if len(set(got.tolist())) != len(got):
            raise Incorrect("a position appears twice; each worst point once",
                            mistake="position-appears-twice")
        if not np.all(wrong[got]):
            right = got[~wrong[got]]
            raise Incorrect(f"position {int(right[0])} was predicted right (P(true class) = "
                            f"{p_true[right[0]]:.2f}); the worst points are wrong predictions",
                            mistake="position-predicted-right")
        if np.any(np.diff(p_true[got]) < 0):
            raise Incorrect("put the most confident mistake first: sort by the probability given to "
                            "the true class, smallest first", mistake="put-confident-mistake")
        expected = np.sort(p_true[wrong])[:n_expected]
        if not _close(p_true[got], expected):
            raise Incorrect("these are wrong predictions, but not the most confident ones: the "
                            "worst have the smallest probability of the true class (the model was "
                            "sure, and wrong)", mistake="wrong-predictions-confident")
    return "the model was sure and wrong on these; read them before any explanation"


q6 = Question(
    "q6", "The worst points", ["worst_points"], _check_q6,
    hints=["The probability given to the true class: np.where(y == 1, proba, 1 - proba).",
           "A prediction is wrong when that probability is below 0.5; the most confident mistakes "
           "have the smallest one.",
           "p_true = np.where(y == 1, proba, 1 - proba); order = np.argsort(p_true, kind='stable'); "
           "return order[p_true[order] < 0.5][:k]"],
    solution_code="def worst_points(proba, y, k):\n"
                  "    p_true = np.where(y == 1, proba, 1 - proba)\n"
                  "    order = np.argsort(p_true, kind='stable')\n"
                  "    return order[p_true[order] < 0.5][:k]")


# ------------------------------------------------------------------------------- q7: a counterfactual
def _one_patient(value, what):
    """A one-row DataFrame with the FEATURES from a DataFrame, Series or dict, else Incorrect."""
    import pandas as pd

    if isinstance(value, dict):
        value = pd.Series(value)
    if isinstance(value, pd.Series):
        value = value.to_frame().T
    if not isinstance(value, pd.DataFrame) or len(value) != 1:
        raise Incorrect(f"`{what}` should be one patient: a one-row DataFrame (X.iloc[[i]]), a "
                        "Series or a dict of feature values", mistake="patient-row-dataframe")
    missing = [f for f in FEATURES if f not in value.columns]
    if missing:
        raise Incorrect(f"`{what}` lacks the features {missing}; keep every feature of the patient",
                        mistake="lacks-features-keep")
    try:
        row = value[FEATURES].astype(float)
    except Exception:
        raise Incorrect(f"`{what}` holds values that are not numbers",
                        mistake="holds-values-numbers") from None
    if not np.all(np.isfinite(row.to_numpy())):
        raise Incorrect(f"`{what}` holds NaN or infinite values", mistake="holds-nan-infinite")
    return row


def _predict(model, row, what="black_box"):
    if not hasattr(model, "predict") or isinstance(model, type):
        raise Incorrect(f"`{what}` should be the fitted model from the setup cell",
                        mistake="fitted-model-setup")
    try:
        value = np.asarray(model.predict(row)).ravel()[0]
        return value.item() if hasattr(value, "item") else value
    except Exception as error:
        raise Incorrect(f"`{what}` could not predict this patient ({type(error).__name__}); "
                        "re-run the setup cells", mistake="predict-patient-re") from None


def _check_q7(counterfactual_patient, black_box, patient):
    original = _one_patient(patient, "patient")
    new = _one_patient(counterfactual_patient, "counterfactual_patient")
    before, after = _predict(black_box, original), _predict(black_box, new)
    old_values, new_values = original.iloc[0], new.iloc[0]
    moved = [f for f in FEATURES if new_values[f] != old_values[f]]
    fixed = [f for f in moved if f not in ACTIONABLE]
    if fixed:
        raise Incorrect(f"you changed {fixed}, which a patient cannot act on; change only "
                        f"{list(ACTIONABLE)}", mistake="changed-patient-cannot")
    if not moved:
        raise Incorrect("counterfactual_patient is the patient unchanged; change at least one of "
                        f"{list(ACTIONABLE)}", mistake="counterfactual-patient-patient")
    for feature in moved:
        low, high = ACTIONABLE[feature]
        if not low <= new_values[feature] <= high:
            raise Incorrect(f"{feature} = {new_values[feature]:g} is outside the realistic range "
                            f"[{low}, {high}]", mistake="outside-realistic-range")
    if "active" in moved and new_values["active"] not in (0, 1):
        raise Incorrect("active is 0 or 1", mistake="active-not-binary")
    if not satisfies(new[["ap_lo", "ap_hi"]].to_numpy(), ["ap_lo", "ap_hi"],
                     [ordered("ap_lo", "ap_hi", gap=MIN_PULSE_PRESSURE)])[0]:
        raise Incorrect(f"ap_hi = {new_values['ap_hi']:g} and ap_lo = {new_values['ap_lo']:g}: the "
                        f"diastolic pressure must stay more than {MIN_PULSE_PRESSURE} mm Hg below the "
                        "systolic one", mistake="ap-hi-ap")
    if after == before:
        raise Incorrect(f"the model still predicts {before!r} for your patient; change more (a "
                        "lower ap_hi is usually the strongest lever)",
                        mistake="model-predicts-patient")
    changes = ", ".join(f"{f} {old_values[f]:g} -> {new_values[f]:g}" for f in moved)
    return f"the prediction flips from {before!r} to {after!r} with {changes}"


q7 = Question(
    "q7", "A counterfactual that respects the constraints", ["counterfactual_patient", "black_box", "patient"],
    _check_q7,
    hints=["Start from patient.copy() and change only ap_hi, ap_lo, weight or active, inside ACTIONABLE.",
           "counterfactual(black_box, patient, grid, constraints=[ordered('ap_lo', 'ap_hi', gap=10)]) "
           "searches a grid for you; build the grid from ACTIONABLE.",
           "grid = {'ap_hi': np.arange(90, 181, 5), 'ap_lo': np.arange(60, 111, 5), 'weight': "
           "np.arange(45, 131), 'active': [0, 1]}; result = counterfactual(...); "
           "counterfactual_patient = result.new_row()"],
    solution_code="grid = {'ap_hi': np.arange(90, 181, 5), 'ap_lo': np.arange(60, 111, 5),\n"
                  "        'weight': np.arange(45, 131), 'active': [0, 1]}\n"
                  "result = counterfactual(black_box, patient, grid,\n"
                  "                        constraints=[ordered('ap_lo', 'ap_hi', gap=MIN_PULSE_PRESSURE)])\n"
                  "counterfactual_patient = result.new_row()")


# ------------------------------------------------------------------------------- q8: loss contributions
def _loss_shapley(model, rows, labels, background):
    values = np.zeros(rows.shape)
    for label in np.unique(labels):
        mine = labels == label
        k = list(model.classes_).index(label)
        values[mine] = model_shapley(lambda X: -np.log(model.predict_proba(X)[:, k]), rows[mine],
                                     background).values
    return values


def _check_q8(loss_values, largest_loss_feature, black_box, worst_rows, worst_labels, background):
    import pandas as pd

    if not isinstance(loss_values, pd.DataFrame):
        raise Incorrect("`loss_values` should be a DataFrame: one row per patient of worst_rows, "
                        "one column per feature", mistake="dataframe-row-per")
    name = as_string(largest_loss_feature, "largest_loss_feature")
    if list(loss_values.columns) != FEATURES:
        raise Incorrect(f"`loss_values` should have the columns {FEATURES}", mistake="loss-columns")
    values = as_array(loss_values, "loss_values", ndim=2)
    for thing, what in ((worst_rows, "worst_rows"), (background, "background")):
        if not isinstance(thing, pd.DataFrame) or list(thing.columns) != FEATURES or len(thing) == 0:
            raise Incorrect(f"`{what}` should be the DataFrame from the setup cell; re-run it",
                            mistake="dataframe-setup-cell")
    if len(worst_rows) > 50 or len(background) > 50:
        raise Incorrect("worst_rows and background should be the small tables of the setup cell",
                        mistake="worst-rows-background")
    labels = as_array(worst_labels, "worst_labels", shape=(len(worst_rows),))
    if values.shape != (len(worst_rows), len(FEATURES)):
        raise Incorrect(f"`loss_values` has shape {values.shape}; expected one row per patient of "
                        f"worst_rows: {(len(worst_rows), len(FEATURES))}", mistake="shape-row-per")
    if not loss_values.index.equals(worst_rows.index):
        if list(loss_values.index) == list(range(len(loss_values))):
            raise Incorrect("`loss_values` has the index 0, 1, 2, ... (reset_index or a new "
                            "DataFrame from an array); keep the patients' index, "
                            "index=worst_rows.index, so each row says which patient it is",
                            mistake="index-keep-patients")
        raise Incorrect("`loss_values` should have the index of worst_rows, in the same order",
                        mistake="index-worst-rows")
    _predict(black_box, worst_rows.iloc[[0]])
    classes = set(getattr(black_box, "classes_", []))
    if not hasattr(black_box, "predict_proba") or not set(np.unique(labels)) <= classes:
        raise Incorrect("`black_box` should be the classifier of the setup cell, and worst_labels "
                        "its classes", mistake="classifier-setup-cell")
    try:
        expected = _loss_shapley(black_box, worst_rows, labels, background)
    except Exception as error:
        raise Incorrect(f"the setup tables could not be explained ({type(error).__name__}); "
                        "re-run the setup cells", mistake="setup-tables-explained") from None
    if not _close(values, expected, atol=1e-8):
        prediction = model_shapley(lambda X: black_box.predict_proba(X)[:, 1], worst_rows, background).values
        if _close(values, prediction, atol=1e-8):
            raise Incorrect("these explain the prediction P(cardio); explain the loss, "
                            "-log P(true label | x), with one function per label",
                            mistake="explain-prediction-explain")
        one_class = model_shapley(lambda X: -np.log(black_box.predict_proba(X)[:, 1]), worst_rows,
                                  background).values
        if _close(values, one_class, atol=1e-8):
            raise Incorrect("you used -log P(cardio) for every patient; for a patient with label 0 "
                            "the loss is -log P(class 0)", mistake="log-patient-patient")
        gap = float(np.abs(values - expected).max())
        raise Incorrect(f"`loss_values` is off by up to {gap:.3g}: use model_shapley(loss, rows, "
                        "background) with loss = lambda X: -np.log(black_box.predict_proba(X)[:, label])",
                        mistake="off-model-shapley")
    means = pd.Series(values.mean(axis=0), index=FEATURES)
    if name not in FEATURES:
        raise Incorrect(f"{name!r} is not a feature; pick one of {FEATURES}",
                        mistake="feature-pick")
    best = means.idxmax()
    if name == best:
        return f"{best} adds {means[best]:.2f} to the log loss of these patients on average"
    if name == pd.Series(np.abs(values).mean(axis=0), index=FEATURES).idxmax():
        raise Incorrect("you ranked by mean |contribution|; the question asks which feature *adds* "
                        "most loss on average (the signed mean)",
                        mistake="ranked-mean-contribution")
    if name == means.idxmin():
        raise Incorrect(f"{name} has the smallest mean contribution; it *lowers* the loss. Take the "
                        "largest, loss_values.mean().idxmax()",
                        mistake="smallest-mean-contribution")
    raise Incorrect(f"{name} adds {means[name]:.3f} on average; another feature adds more",
                    mistake="adds-average-another")


q8 = Question(
    "q8", "The feature with the largest loss contribution",
    ["loss_values", "largest_loss_feature", "black_box", "worst_rows", "worst_labels", "background"],
    _check_q8,
    hints=["For a patient with label y the loss is -log P(y | x): one function for label 0, one for label 1.",
           "Explain the rows of each label with model_shapley(loss_of_label, rows, background).values "
           "and put them back in the order of worst_rows.",
           "loss_values.mean().idxmax() names the feature that adds most loss on average."],
    solution_code="loss_values = pd.DataFrame(0.0, index=worst_rows.index, columns=FEATURES)\n"
                  "for label in np.unique(worst_labels):\n"
                  "    rows = worst_rows[worst_labels == label]\n"
                  "    loss = lambda X, label=label: -np.log(black_box.predict_proba(X)[:, label])\n"
                  "    loss_values.loc[rows.index] = model_shapley(loss, rows, background).values\n"
                  "largest_loss_feature = loss_values.mean().idxmax()")


QUESTIONS = [q1, q2, q3, q4, q5, q6, q7, q8]
