"""Exercises for notebook 08, explaining with examples: six checked questions, easy to hard.

Every check runs your code on inputs it builds (small point clouds, a logistic regression, a
rule, a handful of counterfactuals) and compares it with ``course_lib.examples``,
``course_lib.counterfactual`` or a direct computation on the same inputs; nothing is compared
with stored numbers.
"""
from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression

from .. import examples
from ..counterfactual import counterfactual_metrics
from ..kernels import rbf_kernel, squared_distances
from . import (PLACEHOLDER, Incorrect, Question, as_array, as_callable, as_mapping, as_number,
               as_string, call_learner, is_close)

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6", "QUESTIONS", "PLACEHOLDER", "METHODS",
           "two_clusters", "small_classification"]


def two_clusters(seed: int = 0) -> np.ndarray:
    """40 points in 2-D: a big cluster, a small one, and two stray points."""
    rng = np.random.default_rng(seed)
    return np.vstack([rng.normal(0, 0.5, (28, 2)), rng.normal([3, 3], 0.4, (10, 2)),
                      [[-2.5, 3.0], [3.5, -2.0]]])


def small_classification(seed: int = 0):
    """(X, y, x_test, y_test): 30 training rows of 2 features, one test row."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(30, 2))
    y = (X @ [1.5, -1.0] + rng.normal(0, 0.8, 30) > 0).astype(int)
    return X, y, np.array([[0.4, -0.3]]), np.array([1])


def _mmd2(K_xx, K_xs, K_ss, factor=2.0):
    return K_xx.mean() - factor * K_xs.mean() + K_ss.mean()


# ------------------------------------------------------------------------------- q1
def _check_q1(mmd2):
    function = as_callable(mmd2, "mmd2")
    X, gamma = two_clusters(1), 0.5
    chosen, _ = examples.mmd_critic(X, 3, gamma=gamma)
    values = []
    for S in (chosen, np.array([28, 38, 39])):
        K = rbf_kernel(X, gamma=gamma)
        expected = _mmd2(K, K[:, S], K[np.ix_(S, S)])
        got = call_learner(function, X.copy(), S.copy(), gamma, what="mmd2(X, S, gamma)")
        got = as_number(got, "mmd2(X, S, gamma)")
        values.append(got)
        if np.isclose(got, expected, rtol=1e-6, atol=1e-10):
            continue
        if np.isclose(got, np.sqrt(max(expected, 0))):
            raise Incorrect("that is the MMD, the square root; return MMD² itself")
        if np.isclose(got, _mmd2(K, K[:, S], K[np.ix_(S, S)], factor=1.0)):
            raise Incorrect("the cross term counts twice: MMD² = mean K(x, x') - 2 mean K(x, s) "
                            "+ mean K(s, s')")
        if np.isclose(got, expected - K.mean()):
            raise Incorrect("you left out mean K(x, x'), the data's own term: MMD² has three terms")
        D = np.exp(-gamma * np.sqrt(squared_distances(X, X)))
        if np.isclose(got, _mmd2(D, D[:, S], D[np.ix_(S, S)])):
            raise Incorrect("the RBF kernel uses the squared distance: exp(-gamma ||x - y||²)")
        if got < 0:
            raise Incorrect("MMD² is a squared distance between kernel means and cannot be "
                            "negative: check the signs of the three terms")
        raise Incorrect(f"for S = {S.tolist()} MMD² is {expected:.5f}, you have {got:.5f}: "
                        "K = exp(-gamma * squared distances), then mean K[X, X] - 2 mean "
                        "K[X, S] + mean K[S, S]")
    return (f"mmd_critic's three prototypes: MMD² = {values[0]:.4f}; three stray points: "
            f"{values[1]:.4f}")


q1 = Question(
    "q1", "MMD² of a prototype set", ["mmd2"], _check_q1,
    hints=["K = rbf_kernel(X, gamma=gamma) holds k(x_i, x_j) for every pair of rows.",
           "The three terms: K.mean(), K[:, S].mean() and K[np.ix_(S, S)].mean().",
           "MMD² = K.mean() - 2 * K[:, S].mean() + K[np.ix_(S, S)].mean()."],
    solution_code='''def mmd2(X, S, gamma):
    K = rbf_kernel(X, gamma=gamma)
    return K.mean() - 2 * K[:, S].mean() + K[np.ix_(S, S)].mean()''')


# ------------------------------------------------------------------------------- q2
def _check_q2(witness_values):
    function = as_callable(witness_values, "witness_values")
    X, gamma = two_clusters(2), 0.5
    prototypes, criticisms = examples.mmd_critic(X, 2, 2, gamma=gamma)
    K = rbf_kernel(X, gamma=gamma)
    expected = examples.witness(K, prototypes)
    got = call_learner(function, X.copy(), prototypes.copy(), gamma,
                       what="witness_values(X, prototypes, gamma)")
    got = as_array(got, "witness_values(X, prototypes, gamma)", shape=(len(X),))
    if is_close(got, expected):
        signs = ", ".join(f"{c}: {expected[c]:+.3f}" for c in criticisms)
        return (f"the criticisms ({signs}): + where the data is denser than the prototypes say, "
                "- where the prototypes over-represent it")
    if is_close(got, -expected):
        raise Incorrect("the sign is flipped: witness = mean over the data - mean over the "
                        "prototypes (positive where the prototypes miss data)")
    if is_close(got, np.abs(expected)):
        raise Incorrect("you took |witness|; the criticisms are chosen by |witness|, but the "
                        "witness itself has a sign that says which way the prototypes are wrong")
    if is_close(got, K.sum(axis=0) - K[prototypes].sum(axis=0)):
        raise Incorrect("use means, not sums: the data has many more rows than the prototypes")
    if is_close(got, -K[prototypes].mean(axis=0)):
        raise Incorrect("you left out the data term mean_i k(x_i, c)")
    raise Incorrect("the values differ: witness(c) = mean_i k(x_i, c) - mean_s k(s, c), one "
                    "value per row c of X")


q2 = Question(
    "q2", "the witness function", ["witness_values"], _check_q2,
    hints=["K = rbf_kernel(X, gamma=gamma); column c holds k(x_i, c) for every row i.",
           "K.mean(axis=0) is the data term; K[prototypes].mean(axis=0) the prototype term.",
           "Return their difference, data minus prototypes."],
    solution_code='''def witness_values(X, prototypes, gamma):
    K = rbf_kernel(X, gamma=gamma)
    return K.mean(axis=0) - K[prototypes].mean(axis=0)''')


# ------------------------------------------------------------------------------- q3
def _fit(X, y):
    return LogisticRegression(C=1.0).fit(X, y)


def _check_q3(loo_influence):
    function = as_callable(loo_influence, "loo_influence")
    X, y, x_test, y_test = small_classification(3)
    base = examples.log_loss_per_row(_fit(X, y), x_test, y_test)[0]
    for i in (4, 17):
        keep = np.arange(len(X)) != i
        without = _fit(X[keep], y[keep])
        expected = examples.log_loss_per_row(without, x_test, y_test)[0] - base
        got = call_learner(function, X.copy(), y.copy(), x_test.copy(), y_test.copy(), i,
                           what="loo_influence(X, y, x_test, y_test, i)")
        got = as_number(got, "loo_influence(X, y, x_test, y_test, i)")
        if np.isclose(got, expected, rtol=1e-4, atol=1e-9):
            continue
        if np.isclose(got, -expected, rtol=1e-4, atol=1e-9):
            raise Incorrect("the sign is flipped: influence = loss without row i - loss with "
                            "all rows (positive: row i helped)")
        if abs(got) < 1e-12:
            raise Incorrect("you got 0: retrain a fresh model on the rows without i; the model "
                            "fitted on all rows gives the same loss both times")
        p_full = _fit(X, y).predict_proba(x_test)[0, 1]
        if np.isclose(got, without.predict_proba(x_test)[0, 1] - p_full, rtol=1e-4):
            raise Incorrect("that is the change of the probability of class 1; influence "
                            "measures the change of the test loss -log p(y_test | x_test)")
        other = np.arange(len(X)) != i + 1
        wrong_row = examples.log_loss_per_row(_fit(X[other], y[other]), x_test, y_test)[0] - base
        if np.isclose(got, wrong_row, rtol=1e-4):
            raise Incorrect("you removed row i + 1: keep = np.arange(len(X)) != i")
        raise Incorrect(f"for i = {i} the change of the test loss is {expected:.5f}, you have "
                        f"{got:.5f}: fit LogisticRegression(C=1.0) with and without row i and "
                        "subtract the two -log p(y_test | x_test)")
    return "exact leave-one-out: two fits, the loss difference on the test row"


q3 = Question(
    "q3", "leave-one-out influence of one training row", ["loo_influence"], _check_q3,
    hints=["keep = np.arange(len(X)) != i selects every row but i.",
           "Fit LogisticRegression(C=1.0) on (X, y) and on (X[keep], y[keep]); the loss is "
           "-log of the probability of y_test: examples.log_loss_per_row(model, x_test, y_test).",
           "Return loss(model without i) - loss(model with all rows)."],
    solution_code='''def loo_influence(X, y, x_test, y_test, i):
    keep = np.arange(len(X)) != i
    full = LogisticRegression(C=1.0).fit(X, y)
    without = LogisticRegression(C=1.0).fit(X[keep], y[keep])
    loss = lambda model: -np.log(model.predict_proba(x_test)[0, y_test[0]])
    return loss(without) - loss(full)''')


# ------------------------------------------------------------------------------- q4
def _q4_predict(rows):
    rows = np.asarray(rows, float)
    return (rows[:, 0] + 0.5 * rows[:, 1] > 1.0).astype(int)


def _q4_rule(rows):
    rows = np.asarray(rows, float)
    return (rows[:, 1] > 0.8) & (rows[:, 2] > -0.5)


def _check_q4(precision_coverage):
    function = as_callable(precision_coverage, "precision_coverage")
    rng = np.random.default_rng(4)
    X = rng.normal(size=(200, 3))
    x = np.array([0.0, 2.5, 0.0])       # predicted 1; the rule holds at x
    label = _q4_predict(x[None])[0]
    inside = _q4_rule(X)
    expected = (np.mean(_q4_predict(X[inside]) == label), inside.mean())
    got = call_learner(function, _q4_rule, X.copy(), _q4_predict, x.copy(),
                       what="precision_coverage(rule, X, predict, x)")
    got = as_array(got, "precision_coverage(rule, X, predict, x)", shape=(2,))
    if is_close(got, expected):
        return (f"precision {expected[0]:.2f} (not yet an anchor: most rules need more than one predicate), "
                f"coverage {expected[1]:.2f}")
    if is_close(got, expected[::-1]):
        raise Incorrect("the two are swapped: return (precision, coverage)")
    if np.isclose(got[0], np.mean(_q4_predict(X[inside]) == 1 - label)):
        raise Incorrect("precision counts the rows predicted like x itself, predict(x), "
                        "not the other class")
    if np.isclose(got[0], np.mean(_q4_predict(X) == label)):
        raise Incorrect("precision is measured only on the rows where the rule holds, "
                        "not on all of X")
    if np.isclose(got[0], np.mean(inside & (_q4_predict(X) == label))):
        raise Incorrect("precision is conditional: divide by the rows meeting the rule, "
                        "not by all rows")
    if np.isclose(got[1], inside.sum()):
        raise Incorrect("coverage is a share of X (between 0 and 1), not a count of rows")
    raise Incorrect("the values differ: inside = rule(X); precision = mean(predict(X[inside]) "
                    "== predict(x)), coverage = mean(inside)")


q4 = Question(
    "q4", "precision and coverage of a rule", ["precision_coverage"], _check_q4,
    hints=["rule(X) is a boolean mask: True where the rule holds.",
           "label = predict(x[None])[0]: the prediction the rule should keep.",
           "precision = np.mean(predict(X[inside]) == label); coverage = np.mean(inside)."],
    solution_code='''def precision_coverage(rule, X, predict, x):
    inside = rule(X)
    label = predict(x[None])[0]
    return np.mean(predict(X[inside]) == label), np.mean(inside)''')


# ------------------------------------------------------------------------------- q5
def _q5_predict(rows):
    rows = np.asarray(rows, float)
    return (rows[:, 0] - rows[:, 1] + 0.3 * rows[:, 2] > 2.0).astype(int)


def _q5_data():
    rng = np.random.default_rng(5)
    X = np.column_stack([rng.normal(1, 2, 100), rng.normal(0, 0.5, 100), rng.uniform(0, 2, 100)])
    x = np.array([1.0, 0.0, 0.0])
    cfs = np.array([[3.5, 0.0, 0.0], [2.0, -0.6, 1.0], [1.0, -0.4, 1.0]])
    return X, x, cfs


def _check_q5(cf_metrics):
    function = as_callable(cf_metrics, "cf_metrics")
    X, x, cfs = _q5_data()
    reference = counterfactual_metrics(_q5_predict, x, cfs, X, target=1)
    expected = (reference["validity"], reference["proximity"], reference["sparsity"])
    got = call_learner(function, _q5_predict, x.copy(), cfs.copy(), X.copy(), 1,
                       what="cf_metrics(predict, x, cfs, X, target)")
    got = as_array(got, "cf_metrics(predict, x, cfs, X, target)", shape=(3,))
    if is_close(got, expected):
        return ("validity, proximity (MAD-scaled L1) and sparsity (features changed) as "
                "counterfactual_metrics computes them")
    if not np.isclose(got[0], expected[0]):
        if np.isclose(got[0], np.mean(_q5_predict(cfs) == 0)):
            raise Incorrect("validity is the share predicted the target class, not the "
                            "original one")
        raise Incorrect("validity should be the share of counterfactuals predicted `target`")
    if not np.isclose(got[2], expected[2]):
        if np.isclose(got[2], expected[2] / X.shape[1]):
            raise Incorrect("sparsity here is the mean number of features changed, not their share")
        raise Incorrect("sparsity should be the mean number of features that differ from x")
    mad = np.median(np.abs(X - np.median(X, axis=0)), axis=0)
    if np.isclose(got[1], np.mean(np.abs(cfs - x).sum(axis=1))):
        raise Incorrect("scale each feature by its median absolute deviation before adding "
                        "the distances, or the feature with the widest range dominates")
    if np.isclose(got[1], np.mean((np.abs(cfs - x) / X.std(axis=0)).sum(axis=1))):
        raise Incorrect("scale by the median absolute deviation (MAD), not the standard deviation")
    if np.isclose(got[1], np.mean(np.sqrt(((cfs - x) / mad) ** 2 @ np.ones(3)))):
        raise Incorrect("proximity uses the L1 distance (sum of |differences| / MAD), not L2")
    raise Incorrect(f"proximity should be {expected[1]:.4f}, you have {got[1]:.4f}: mean over "
                    "the counterfactuals of sum_j |cf_j - x_j| / MAD_j")


q5 = Question(
    "q5", "validity, proximity and sparsity of counterfactuals", ["cf_metrics"], _check_q5,
    hints=["validity = np.mean(predict(cfs) == target).",
           "mad = np.median(np.abs(X - np.median(X, axis=0)), axis=0) (here no column has MAD 0).",
           "proximity = np.mean(np.sum(np.abs(cfs - x) / mad, axis=1)); sparsity = "
           "np.mean(np.sum(cfs != x, axis=1))."],
    solution_code='''def cf_metrics(predict, x, cfs, X, target):
    mad = np.median(np.abs(X - np.median(X, axis=0)), axis=0)
    validity = np.mean(predict(cfs) == target)
    proximity = np.mean(np.sum(np.abs(cfs - x) / mad, axis=1))
    sparsity = np.mean(np.sum(cfs != x, axis=1))
    return validity, proximity, sparsity''')


# ------------------------------------------------------------------------------- q6
METHODS = ("prototypes", "criticisms", "influence", "anchor", "counterfactual")
_QUESTIONS = {
    "which few patients summarise the whole data set?": "prototypes",
    "which patients does that summary represent worst?": "criticisms",
    "which training patients pushed the model towards this prediction?": "influence",
    "under which conditions does this prediction stay the same?": "anchor",
    "what is the smallest change that would flip this prediction?": "counterfactual",
}
_WHY = {
    "prototypes": "prototypes summarise the data, whatever the model does",
    "criticisms": "criticisms are the rows the prototypes explain worst",
    "influence": "influence ranks training rows by how much they changed a prediction",
    "anchor": "an anchor is a rule under which the prediction stays put",
    "counterfactual": "a counterfactual is a nearby input with another prediction",
}


def _check_q6(method_for):
    answers = as_mapping(method_for, "method_for", keys=list(_QUESTIONS))
    for question, right in _QUESTIONS.items():
        given = as_string(answers[question], f"method_for[{question!r}]").lower()
        if given not in METHODS:
            raise Incorrect(f"method_for[{question!r}] is {given!r}; pick one of {METHODS}")
        if given != right:
            raise Incorrect(f"for {question!r} you chose {given!r}, but {_WHY[given]}")
    return "prototypes and criticisms describe the data; the other three explain the model"


q6 = Question(
    "q6", "which example method answers which question", ["method_for"], _check_q6,
    hints=["Two questions are about the data set alone, three about one prediction.",
           "'Stay the same' asks for a rule; 'flip' asks for a changed input.",
           "Training patients that pushed the model: influence."],
    solution_code='''method_for = {
    "which few patients summarise the whole data set?": "prototypes",
    "which patients does that summary represent worst?": "criticisms",
    "which training patients pushed the model towards this prediction?": "influence",
    "under which conditions does this prediction stay the same?": "anchor",
    "what is the smallest change that would flip this prediction?": "counterfactual",
}''')

QUESTIONS = [q1, q2, q3, q4, q5, q6]
