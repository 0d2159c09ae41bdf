"""Exercises for notebook 08, explaining with examples: six checked questions, easy to hard.

Every check runs your function on fresh inputs it builds itself (point clouds with two and three
features, kernel widths other than the default, test rows of both labels, several rules and
counterfactual sets) and compares it with a direct computation on the same inputs; it refuses an
answer that changes its inputs in place. Nothing is compared with stored numbers.
"""
from __future__ import annotations

import warnings

import numpy as np
from sklearn.linear_model import LogisticRegression

from ..kernels import rbf_kernel, squared_distances
from . import (PLACEHOLDER, Incorrect, Question, as_array, as_callable, as_mapping, as_number,
               as_string, call_fresh, is_close, plain, mistake_from)

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


def _clouds():
    """(X, gamma) pairs: two and three features, gammas far from rbf_kernel's default 1/M."""
    rng = np.random.default_rng(81)
    three = np.vstack([rng.normal(0, 0.6, (20, 3)), rng.normal(2, 0.5, (8, 3)), [[3, -2, 1]]])
    return [(two_clusters(11), 0.8), (three, 2.0), (two_clusters(12), 0.15)]


def _terms(K, S, cross=2.0, own=True, diagonal_of_S="ix"):
    """MMD² from the kernel matrix, with the usual slips as options."""
    S = np.asarray(S)
    K_SS = K[np.ix_(S, S)] if diagonal_of_S == "ix" else K[S, S]
    data = K.mean() if own else 0.0
    return data - cross * K[:, S].mean() + K_SS.mean()


def _unbiased(K, S):
    n, m = len(K), len(S)
    K_SS = K[np.ix_(S, S)]
    return ((K.sum() - np.trace(K)) / (n * (n - 1)) - 2 * K[:, S].mean()
            + (K_SS.sum() - np.trace(K_SS)) / (m * (m - 1)))


# ------------------------------------------------------------------------------- q1
def _check_q1(mmd2):
    function = as_callable(mmd2, "mmd2")
    cases = []
    for X, gamma in _clouds():
        for S in (np.array([0, 5, len(X) - 3]), np.array([len(X) - 1, 2, 9, 20])):
            cases.append((X, S, gamma))
    got = []
    for X, S, gamma in cases:
        call = f"mmd2(X, S={S.tolist()}, gamma={gamma})"
        got.append(as_number(call_fresh(function, X, S, gamma, what=call,
                                        names=["X", "S", "gamma"]), call))
    got = np.array(got)
    kernels = [rbf_kernel(X, gamma=gamma) for X, _, gamma in cases]
    want = np.array([_terms(K, S) for K, (_, S, _) in zip(kernels, cases)])
    if is_close(got, want, rtol=1e-6, atol=1e-10):
        return (f"MMD² on two clouds and three kernel widths (gamma = 0.8, 2, 0.15); a prototype "
                f"set that misses a cluster scores higher")
    default = [rbf_kernel(X) for X, _, _ in cases]
    laplace = [np.exp(-gamma * np.sqrt(squared_distances(X, X))) for X, _, gamma in cases]
    variants = [
        ([_terms(K, S) for K, (_, S, _) in zip(default, cases)],
         "you left out gamma: rbf_kernel(X) then uses its default 1 / n_features; pass "
         "rbf_kernel(X, gamma=gamma)"),
        (np.sqrt(np.clip(want, 0, None)), "that is the MMD, the square root; return MMD² itself"),
        ([_terms(K, S, cross=1.0) for K, (_, S, _) in zip(kernels, cases)],
         "the cross term counts twice: MMD² = mean K(x, x') - 2 mean K(x, s) + mean K(s, s')"),
        ([_terms(K, S, own=False) for K, (_, S, _) in zip(kernels, cases)],
         "you left out mean K(x, x'), the data's own term: MMD² has three terms"),
        ([_terms(K, S, diagonal_of_S="pairs") for K, (_, S, _) in zip(kernels, cases)],
         "K[S, S] picks only the pairs (S[0], S[0]), (S[1], S[1]), ...: the diagonal, all ones; "
         "the prototype term averages every pair, K[np.ix_(S, S)]"),
        ([_terms(K, S) for K, (_, S, _) in zip(laplace, cases)],
         "the RBF kernel uses the squared distance: exp(-gamma ||x - y||²)"),
        ([_unbiased(K, S) for K, (_, S, _) in zip(kernels, cases)],
         "you left the diagonal out of the two means (the unbiased estimator); MMD-critic and "
         "course_lib use the biased one, every pair i, j included"),
        ([-_terms(K, S) for K, (_, S, _) in zip(kernels, cases)],
         "the sign is flipped: MMD² = mean K(x, x') - 2 mean K(x, s) + mean K(s, s')"),
        ([_terms(np.exp(-squared_distances(X, X) / gamma), S) for X, S, gamma in cases],
         "gamma multiplies the squared distance, exp(-gamma d²), it does not divide it"),
    ]
    for values, message in variants:
        if is_close(got, np.asarray(values, dtype=float), rtol=1e-6, atol=1e-10):
            raise Incorrect(message, mistake=mistake_from(message))
    worst = int(np.argmax(np.abs(got - want)))
    X, S, gamma = cases[worst]
    raise Incorrect(f"for S = {S.tolist()} and gamma = {gamma}, MMD² is {plain(want[worst])}, "
                    f"you have {plain(got[worst])}: K = exp(-gamma * squared distances), then "
                    "K.mean() - 2 * K[:, S].mean() + K[np.ix_(S, S)].mean()",
                    mistake="gamma-mmd-exp")


q1 = Question(
    "q1", "MMD² of a prototype set", ["mmd2"], _check_q1,
    hints=["K = rbf_kernel(X, gamma=gamma) holds k(x_i, x_j) for every pair of rows (pass gamma: "
           "the default is 1 / n_features).",
           "The three terms: K.mean(), K[:, S].mean() and K[np.ix_(S, S)].mean() (K[S, S] would "
           "pick only the diagonal pairs).",
           "MMD² = K.mean() - 2 * K[:, S].mean() + K[np.ix_(S, S)].mean()."],
    solution_code='''def mmd2(X, S, gamma):
    K = rbf_kernel(X, gamma=gamma)
    return K.mean() - 2 * K[:, S].mean() + K[np.ix_(S, S)].mean()''')


# ------------------------------------------------------------------------------- q2
def _check_q2(witness_values):
    function = as_callable(witness_values, "witness_values")
    for X, gamma in _clouds():
        prototypes = np.array([1, len(X) - 4])
        call = f"witness_values(X of {X.shape}, prototypes={prototypes.tolist()}, gamma={gamma})"
        got = as_array(call_fresh(function, X, prototypes, gamma, what=call,
                                  names=["X", "prototypes", "gamma"]), call, shape=(len(X),))
        K = rbf_kernel(X, gamma=gamma)
        expected = K.mean(axis=0) - K[prototypes].mean(axis=0)
        if is_close(got, expected):
            continue
        K0 = rbf_kernel(X)
        variants = [
            (K0.mean(axis=0) - K0[prototypes].mean(axis=0),
             "you left out gamma: rbf_kernel(X) then uses its default 1 / n_features; pass "
             "rbf_kernel(X, gamma=gamma)"),
            (-expected, "the sign is flipped: witness = mean over the data - mean over the "
                        "prototypes (positive where the prototypes miss data)"),
            (np.abs(expected), "you took |witness|; the criticisms are chosen by |witness|, but "
                               "the witness itself has a sign that says which way the prototypes "
                               "are wrong"),
            (K.sum(axis=0) - K[prototypes].sum(axis=0),
             "use means, not sums: the data has many more rows than the prototypes"),
            (-K[prototypes].mean(axis=0), "you left out the data term mean_i k(x_i, c)"),
            (K.mean(axis=0), "you left out the prototype term mean_s k(s, c)"),
            (K.mean(axis=0) - K[prototypes[:1]].mean(axis=0),
             "you used only the first prototype; average k(s, c) over every prototype s"),
            (K.mean() - K[prototypes].mean(axis=0),
             "the data term is one value per row c, K.mean(axis=0), not the mean of the whole "
             "matrix"),
        ]
        for values, message in variants:
            if is_close(got, values):
                raise Incorrect(message, mistake=mistake_from(message))
        worst = int(np.argmax(np.abs(got - expected)))
        raise Incorrect(f"{call}: at row {worst} the witness is {plain(expected[worst])}, you "
                        f"have {plain(got[worst])}; witness(c) = mean_i k(x_i, c) - mean_s "
                        "k(s, c), one value per row c of X", mistake="row-witness-witness")
    return ("+ where the data is denser than the prototypes say, - where the prototypes "
            "over-represent it; the criticisms are the rows with the largest |witness|")


q2 = Question(
    "q2", "the witness function", ["witness_values"], _check_q2,
    hints=["K = rbf_kernel(X, gamma=gamma); column c holds k(x_i, c) for every row i.",
           "K.mean(axis=0) is the data term; K[prototypes].mean(axis=0) the prototype term.",
           "Return their difference, data minus prototypes."],
    solution_code='''def witness_values(X, prototypes, gamma):
    K = rbf_kernel(X, gamma=gamma)
    return K.mean(axis=0) - K[prototypes].mean(axis=0)''')


# ------------------------------------------------------------------------------- q3
def _fit(X, y, C=1.0):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return LogisticRegression(C=C).fit(X, y)


def _loss(model, x_test, y_test):
    proba = model.predict_proba(x_test)[0]
    return -np.log(proba[list(model.classes_).index(y_test[0])])


def _q3_cases():
    """Test rows of both labels (0 and 1), and rows i whose removal moves the loss either way."""
    X, y, _, _ = small_classification(13)
    return [(X, y, np.array([[0.4, -0.3]]), np.array([1]), 4),
            (X, y, np.array([[-0.6, 0.9]]), np.array([0]), 17),
            (X, y, np.array([[0.1, 0.2]]), np.array([0]), 0)]


def _check_q3(loo_influence):
    function = as_callable(loo_influence, "loo_influence")
    cases = _q3_cases()
    got = []
    for X, y, x_test, y_test, i in cases:
        call = f"loo_influence(X, y, x_test, y_test={y_test.tolist()}, i={i})"
        got.append(as_number(call_fresh(function, X, y, x_test, y_test, i, what=call,
                                        names=["X", "y", "x_test", "y_test", "i"]), call))
    got = np.array(got)

    def influence(X, y, x_test, y_test, i, drop=None, label=None, C=1.0, measure=_loss):
        keep = np.arange(len(X)) != (i if drop is None else drop)
        y_eval = y_test if label is None else np.array([label])
        return measure(_fit(X[keep], y[keep], C), x_test, y_eval) - measure(
            _fit(X, y, C), x_test, y_eval)

    want = np.array([influence(*c) for c in cases])
    if is_close(got, want, rtol=1e-4, atol=1e-9):
        return ("exact leave-one-out on test rows of both labels: two fits, the loss difference "
                "on the test row")
    proba1 = lambda model, x_test, y_test: model.predict_proba(x_test)[0, 1]  # noqa: E731
    variants = [
        (-want, "the sign is flipped: influence = loss without row i - loss with all rows "
                "(positive: row i helped)"),
        (np.zeros(len(cases)), "you got 0: retrain a fresh model on the rows without i; the "
                               "model fitted on all rows gives the same loss both times"),
        ([influence(*c, label=1) for c in cases],
         "you took the probability of class 1 whatever y_test is; the loss is -log p(y_test | "
         "x_test), the probability of the test row's own label (here some are 0)"),
        ([influence(*c, measure=proba1) for c in cases],
         "that is the change of the probability of class 1; influence measures the change of "
         "the test loss -log p(y_test | x_test)"),
        ([influence(*c, drop=c[4] + 1) for c in cases], "you removed row i + 1: keep = "
                                                          "np.arange(len(X)) != i"),
        ([influence(*c, C=1e4) for c in cases],
         "fit LogisticRegression(C=1.0) as the question says (you used another C or no "
         "regularisation)"),
    ]
    for values, message in variants:
        if is_close(got, np.asarray(values, dtype=float), rtol=1e-4, atol=1e-9):
            raise Incorrect(message, mistake=mistake_from(message))
    worst = int(np.argmax(np.abs(got - want)))
    X, y, x_test, y_test, i = cases[worst]
    raise Incorrect(f"for i = {i} and a test row labelled {y_test[0]}, the change of the test "
                    f"loss is {plain(want[worst])}, you have {plain(got[worst])}: fit "
                    "LogisticRegression(C=1.0) with and without row i and subtract the two "
                    "-log p(y_test | x_test)", mistake="test-row-labelled")


q3 = Question(
    "q3", "leave-one-out influence of one training row", ["loo_influence"], _check_q3,
    hints=["keep = np.arange(len(X)) != i selects every row but i.",
           "Fit LogisticRegression(C=1.0) on (X, y) and on (X[keep], y[keep]); the loss is "
           "-log of the probability of the test row's own label y_test[0] (0 or 1).",
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


def _q4_rule_low(rows):
    rows = np.asarray(rows, float)
    return rows[:, 0] < -0.2


def _q4_cases():
    """A row predicted 1 under one rule, a row predicted 0 under another (both labels)."""
    rng = np.random.default_rng(44)
    X = rng.normal(size=(160, 3))
    return [(_q4_rule, X, _q4_predict, np.array([0.0, 2.5, 0.0])),
            (_q4_rule_low, X, _q4_predict, np.array([-1.0, 0.5, 0.3]))]


def _check_q4(precision_coverage):
    function = as_callable(precision_coverage, "precision_coverage")
    for rule, X, predict, x in _q4_cases():
        label = predict(x[None])[0]
        call = f"precision_coverage(rule, X, predict, x predicted {label})"
        got = as_array(call_fresh(function, rule, X, predict, x, what=call,
                                  names=["rule", "X", "predict", "x"]), call, shape=(2,))
        inside = rule(X)
        expected = np.array([np.mean(predict(X[inside]) == label), inside.mean()])
        if is_close(got, expected):
            continue
        variants = [
            (expected[::-1], "the two are swapped: return (precision, coverage)"),
            ([np.mean(predict(X[inside]) == 1), expected[1]],
             "precision counts the rows predicted like x itself, predict(x), not class 1 (this "
             "x is predicted 0)", "precision-of-class-1"),
            ([np.mean(predict(X[inside]) == 1 - label), expected[1]],
             "precision counts the rows predicted like x itself, predict(x), not the other class",
             "precision-of-other-class"),
            ([np.mean(predict(X) == label), expected[1]],
             "precision is measured only on the rows where the rule holds, not on all of X"),
            ([np.mean(inside & (predict(X) == label)), expected[1]],
             "precision is conditional: divide by the rows meeting the rule, not by all rows"),
            ([expected[0], inside.sum()], "coverage is a share of X (between 0 and 1), not a "
                                          "count of rows"),
            ([expected[0], np.mean(predict(X[inside]) == label) * inside.mean()],
             "coverage is the share of X where the rule holds, mean(rule(X)), whatever the "
             "predictions", "coverage-times-precision"),
            ([expected[0], np.mean(predict(X) == label)],
             "coverage is the share of X where the rule holds, not the share predicted like x",
             "coverage-of-predicted-class"),
        ]
        for values, message, *named in variants:  # a row may name its mistake itself
            if is_close(got, np.asarray(values, dtype=float)):
                raise Incorrect(message, mistake=named[0] if named else mistake_from(message))
        raise Incorrect(f"{call} gives ({plain(got[0])}, {plain(got[1])}), expected "
                        f"({plain(expected[0])}, {plain(expected[1])}): inside = rule(X); "
                        "precision = mean(predict(X[inside]) == predict(x)), coverage = "
                        "mean(inside)", mistake="inside-rule-precision")
    return "precision and coverage for a row of each label, under two rules"


q4 = Question(
    "q4", "precision and coverage of a rule", ["precision_coverage"], _check_q4,
    hints=["rule(X) is a boolean mask: True where the rule holds.",
           "label = predict(x[None])[0]: the prediction the rule should keep (0 or 1).",
           "precision = np.mean(predict(X[inside]) == label); coverage = np.mean(inside)."],
    solution_code='''def precision_coverage(rule, X, predict, x):
    inside = rule(X)
    label = predict(x[None])[0]
    return np.mean(predict(X[inside]) == label), np.mean(inside)''')


# ------------------------------------------------------------------------------- q5
def _q5_predict(rows):
    rows = np.asarray(rows, float)
    return (rows[:, 0] - rows[:, 1] + 0.3 * rows[:, 2] > 2.0).astype(int)


def _q5_cases():
    """Data whose features have very different spreads (MAD 2, 0.5, 0.5), counterfactual sets
    of three, one counterfactual that is not valid, and both targets."""
    rng = np.random.default_rng(55)
    X = np.column_stack([rng.normal(1, 3, 100), rng.normal(0, 0.5, 100), rng.uniform(0, 2, 100)])
    return [(_q5_predict, np.array([1.0, 0.0, 0.0]),
             np.array([[3.5, 0.0, 0.0], [2.0, -0.6, 1.0], [1.0, -0.4, 1.0]]), X, 1),
            (_q5_predict, np.array([4.0, 0.5, 1.0]),
             np.array([[1.0, 0.5, 1.0], [4.0, 1.8, 0.2], [2.0, 0.5, 0.5]]), X, 0)]


def _mad(X):
    return np.median(np.abs(X - np.median(X, axis=0)), axis=0)


def _check_q5(cf_metrics):
    function = as_callable(cf_metrics, "cf_metrics")
    for predict, x, cfs, X, target in _q5_cases():
        call = f"cf_metrics(predict, x, {len(cfs)} counterfactuals, X, target={target})"
        got = as_array(call_fresh(function, predict, x, cfs, X, target, what=call,
                                  names=["predict", "x", "cfs", "X", "target"]), call, shape=(3,))
        mad = _mad(X)
        distances = np.abs(cfs - x)
        expected = np.array([np.mean(predict(cfs) == target),
                             np.mean(np.sum(distances / mad, axis=1)),
                             np.mean(np.sum(cfs != x, axis=1))])
        if is_close(got, expected):
            continue
        if not np.isclose(got[0], expected[0]):
            if np.isclose(got[0], np.mean(predict(cfs) == 1)):
                raise Incorrect(f"{call}: validity is the share predicted `target` (here "
                                f"{target}), not the share predicted 1",
                                mistake="validity-of-class-1")
            if np.isclose(got[0], np.mean(predict(cfs) == 1 - target)):
                raise Incorrect(f"{call}: validity is the share predicted the target class "
                                f"({target}), not the other one",
                                mistake="validity-of-other-class")
            if np.isclose(got[0], np.sum(predict(cfs) == target)):
                raise Incorrect(f"{call}: validity is a share (mean), not a count",
                                mistake="validity-share-count")
            raise Incorrect(f"{call}: validity should be the share of counterfactuals predicted "
                            f"`target`, {plain(expected[0])}; you have {plain(got[0])}",
                            mistake="validity-share-counterfactuals")
        if not np.isclose(got[2], expected[2]):
            if np.isclose(got[2], expected[2] / X.shape[1]):
                raise Incorrect(f"{call}: sparsity here is the mean number of features changed, "
                                "not their share", mistake="sparsity-as-share")
            if np.isclose(got[2], np.sum(cfs != x)):
                raise Incorrect(f"{call}: sparsity is the mean number of changed features per "
                                "counterfactual, not the total over all of them",
                                mistake="sparsity-as-total")
            raise Incorrect(f"{call}: sparsity should be the mean number of features that differ "
                            f"from x, {plain(expected[2])}; you have {plain(got[2])}",
                            mistake="sparsity-off")
        variants = [
            (np.mean(distances.sum(axis=1)), "scale each feature by its median absolute "
                                             "deviation before adding the distances, or the "
                                             "feature with the widest range dominates"),
            (np.mean((distances / X.std(axis=0)).sum(axis=1)),
             "scale by the median absolute deviation (MAD), not the standard deviation"),
            (np.mean(np.sqrt(((distances / mad) ** 2).sum(axis=1))),
             "proximity uses the L1 distance (sum of |differences| / MAD), not L2"),
            (np.mean((distances / np.median(np.abs(X), axis=0)).sum(axis=1)),
             "the MAD is the median of |X - median(X)|, centred first; you took the median "
             "of |X|"),
            (np.sum(distances / mad), "proximity is the mean over the counterfactuals, not the "
                                      "sum"),
        ]
        for value, message in variants:
            if np.isclose(got[1], value):
                raise Incorrect(f"{call}: {message}", mistake=mistake_from(message))
        raise Incorrect(f"{call}: proximity should be {plain(expected[1])}, you have "
                        f"{plain(got[1])}: mean over the counterfactuals of sum_j |cf_j - x_j| "
                        "/ MAD_j", mistake="proximity-mean-counterfactuals")
    return ("validity, proximity (MAD-scaled L1) and sparsity (features changed) as "
            "course_lib.counterfactual computes them, for both targets")


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
            raise Incorrect(f"method_for[{question!r}] is {given!r}; pick one of {METHODS}",
                            mistake="method-pick")
        if given != right:
            raise Incorrect(f"for {question!r} you chose {given!r}, but {_WHY[given]}",
                            mistake=mistake_from(f"chose {given}", 4))
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
