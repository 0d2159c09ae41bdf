"""Checks of exercise notebook 08: right answers pass, typical wrong answers get the message meant
for them (a catalog of at least 8 per question), on check data that separates the conventions."""
import numpy as np
from sklearn.linear_model import LogisticRegression

from course_lib.exercises import ex08_examples as ex
from course_lib.kernels import rbf_kernel, squared_distances
from exercise_helpers import (fails, passes, placeholders_and_odd_values_never_crash,
                              questions_are_listed, run_catalog, solution, wrong)

NAMESPACE = dict(np=np, rbf_kernel=rbf_kernel, LogisticRegression=LogisticRegression)


def test_every_question_is_listed():
    questions_are_listed(ex, 6)


def test_placeholders_stubs_and_odd_values_never_crash():
    placeholders_and_odd_values_never_crash(ex, stubbed=5)


def test_the_data_helpers_are_deterministic():
    assert np.array_equal(ex.two_clusters(), ex.two_clusters())
    X, y, x_test, y_test = ex.small_classification()
    assert X.shape == (30, 2) and set(y) == {0, 1} and x_test.shape == (1, 2)


def test_check_data_separates_the_conventions():
    for X, gamma in ex._clouds():
        assert not np.isclose(gamma, 1 / X.shape[1])           # forgetting gamma shows
    assert {int(c[3][0]) for c in ex._q3_cases()} == {0, 1}    # test rows of both labels
    assert {int(c[2](c[3][None])[0]) for c in ex._q4_cases()} == {0, 1}
    assert {c[4] for c in ex._q5_cases()} == {0, 1}


# --------------------------------------------------------------------- q1: MMD²
def mmd2_terms(X, S, gamma, factor=2.0, data_term=True, kernel=None, pairs=False):
    K = rbf_kernel(X, gamma=gamma) if kernel is None else kernel(X, gamma)
    K_SS = K[S, S] if pairs else K[np.ix_(S, S)]
    return (K.mean() if data_term else 0.0) - factor * K[:, S].mean() + K_SS.mean()


def by_loops(X, S, gamma):  # written differently: the three double sums
    k = lambda a, b: np.exp(-gamma * np.sum((a - b) ** 2))  # noqa: E731
    n, m = len(X), len(S)
    xx = sum(k(a, b) for a in X for b in X) / n ** 2
    xs = sum(k(a, X[s]) for a in X for s in S) / (n * m)
    ss = sum(k(X[s], X[t]) for s in S for t in S) / m ** 2
    return xx - 2 * xs + ss


def unbiased(X, S, gamma):
    K = rbf_kernel(X, gamma=gamma)
    n, m = len(K), len(S)
    K_SS = K[np.ix_(S, S)]
    return ((K.sum() - np.trace(K)) / (n * (n - 1)) - 2 * K[:, S].mean()
            + (K_SS.sum() - np.trace(K_SS)) / (m * (m - 1)))


def sorted_in_place(X, S, gamma):
    S.sort()
    return mmd2_terms(X, S, gamma)


Q1_WRONG = [
    wrong(lambda X, S, g: mmd2_terms(X, S, None), "you left out gamma", mistake="left-gamma-rbf"),
    wrong(lambda X, S, g: np.sqrt(mmd2_terms(X, S, g)), "square root", mistake="mmd-square-root"),
    wrong(lambda X, S, g: mmd2_terms(X, S, g, factor=1.0), "cross term counts twice",
          mistake="cross-term-counts"),
    wrong(lambda X, S, g: mmd2_terms(X, S, g, data_term=False), "data's own term",
          mistake="left-mean-data"),
    wrong(lambda X, S, g: mmd2_terms(X, S, g, pairs=True), "K[np.ix_(S, S)]",
          mistake="picks-pairs-diagonal"),
    wrong(lambda X, S, g: mmd2_terms(X, S, g, kernel=lambda X, g: np.exp(
        -g * np.sqrt(squared_distances(X, X)))), "squared distance", mistake="rbf-kernel-uses"),
    wrong(unbiased, "the unbiased estimator", mistake="left-diagonal-two"),
    wrong(lambda X, S, g: -mmd2_terms(X, S, g), "the sign is flipped", mistake="sign-flipped-mmd"),
    wrong(lambda X, S, g: mmd2_terms(X, S, g, kernel=lambda X, g: np.exp(
        -squared_distances(X, X) / g)), "does not divide it", mistake="gamma-multiplies-squared"),
    wrong(sorted_in_place, "changed its input `S` in place", mistake="changed-input"),
    wrong(lambda X, S, g: [mmd2_terms(X, S, g)] * 2, "single number", mistake="not-a-number"),
    wrong(lambda X, S, g: mmd2_terms(X, S, 1.0), "MMD² is", generic=True, mistake="gamma-mmd-exp"),
]


def test_q1_catalog():
    run_catalog("08", ex.q1, Q1_WRONG, [solution(ex.q1, "mmd2", **NAMESPACE), mmd2_terms,
                                         by_loops])


# --------------------------------------------------------------------- q2: witness
def witness_by(X, prototypes, gamma, how="right"):
    K = rbf_kernel(X, gamma=gamma)
    data, protos = K.mean(axis=0), K[prototypes].mean(axis=0)
    return {"right": data - protos, "flipped": protos - data, "abs": np.abs(data - protos),
            "sums": K.sum(axis=0) - K[prototypes].sum(axis=0), "no data": -protos,
            "no protos": data, "first": data - K[prototypes[:1]].mean(axis=0),
            "scalar data": K.mean() - protos}[how]


def witness_loop(X, prototypes, gamma):  # written differently: one column c at a time
    out = []
    for c in X:
        k = np.exp(-gamma * np.sum((X - c) ** 2, axis=1))
        out.append(k.mean() - k[prototypes].mean())
    return np.array(out)


def witness_in_place(X, prototypes, gamma):
    X -= X.mean(axis=0)
    return witness_by(X, prototypes, gamma)


Q2_WRONG = [
    wrong(lambda X, p, g: witness_by(X, p, None), "you left out gamma", mistake="left-gamma-rbf"),
    wrong(lambda X, p, g: witness_by(X, p, g, "flipped"), "sign is flipped",
          mistake="sign-flipped-witness"),
    wrong(lambda X, p, g: witness_by(X, p, g, "abs"), "|witness|",
          mistake="took-witness-criticisms"),
    wrong(lambda X, p, g: witness_by(X, p, g, "sums"), "use means, not sums",
          mistake="use-means-sums"),
    wrong(lambda X, p, g: witness_by(X, p, g, "no data"), "left out the data term",
          mistake="left-data-term"),
    wrong(lambda X, p, g: witness_by(X, p, g, "no protos"), "left out the prototype term",
          mistake="left-prototype-term"),
    wrong(lambda X, p, g: witness_by(X, p, g, "first"), "only the first prototype",
          mistake="used-first-prototype"),
    wrong(lambda X, p, g: witness_by(X, p, g, "scalar data"), "not the mean of the whole matrix",
          mistake="data-term-one"),
    wrong(witness_in_place, "changed its input `X` in place", mistake="changed-input"),
    wrong(lambda X, p, g: witness_by(X, p, g)[p], "shape", mistake="wrong-shape"),
    wrong(lambda X, p, g: witness_by(X, [0, 1], g), "the witness is", generic=True,
          mistake="row-witness-witness"),
]


def test_q2_catalog():
    run_catalog("08", ex.q2, Q2_WRONG, [solution(ex.q2, "witness_values", **NAMESPACE),
                                         witness_loop])


# --------------------------------------------------------------------- q3: leave-one-out
def loo(X, y, x_test, y_test, i, drop=None, label=None, C=1.0, proba=False, sign=1):
    keep = np.arange(len(X)) != (i if drop is None else drop)
    full = LogisticRegression(C=C).fit(X, y)
    without = LogisticRegression(C=C).fit(X[keep], y[keep])
    column = y_test[0] if label is None else label
    if proba:
        measure = lambda m: m.predict_proba(x_test)[0, 1]  # noqa: E731
    else:
        measure = lambda m: -np.log(m.predict_proba(x_test)[0, column])  # noqa: E731
    return sign * (measure(without) - measure(full))


def loo_log_loss(X, y, x_test, y_test, i):  # written differently: sklearn's log_loss
    from sklearn.metrics import log_loss

    keep = np.delete(np.arange(len(X)), i)
    fit = lambda A, b: LogisticRegression(C=1.0).fit(A, b)  # noqa: E731
    loss = lambda m: log_loss(y_test, m.predict_proba(x_test), labels=[0, 1])  # noqa: E731
    return loss(fit(X[keep], y[keep])) - loss(fit(X, y))


def loo_in_place(X, y, x_test, y_test, i):
    y[i] = 1 - y[i]
    return loo(X, y, x_test, y_test, i)


Q3_WRONG = [
    wrong(lambda *a: loo(*a, sign=-1), "sign is flipped", mistake="sign-flipped-influence"),
    wrong(lambda *a: 0.0, "you got 0", mistake="retrain-fresh-model"),
    wrong(lambda *a: loo(*a, label=1), "whatever y_test is", mistake="took-probability-class"),
    wrong(lambda *a: loo(*a, proba=True), "change of the probability of class 1",
          mistake="change-probability-class"),
    wrong(lambda *a: loo(*a[:4], a[4], drop=a[4] + 1), "removed row i + 1",
          mistake="removed-row-keep"),
    wrong(lambda *a: loo(*a, C=1e4), "C=1.0", mistake="fit-logisticregression-question"),
    wrong(loo_in_place, "changed its input `y` in place", mistake="changed-input"),
    wrong(lambda X, y, xt, yt, i: "big", "single number", mistake="not-a-number"),
    wrong(lambda *a: loo(*a) + 0.01, "the change of the test loss is", generic=True,
          mistake="test-row-labelled"),
]


def test_q3_catalog():
    run_catalog("08", ex.q3, Q3_WRONG, [solution(ex.q3, "loo_influence", **NAMESPACE),
                                         loo, loo_log_loss])


# --------------------------------------------------------------------- q4: anchors
def prec_cov(rule, X, predict, x, label=None, on_all=False, joint=False, count=False):
    inside = rule(X)
    label = predict(x[None])[0] if label is None else label
    rows = X if on_all else X[inside]
    precision = np.mean(inside & (predict(X) == label)) if joint else np.mean(predict(rows) == label)
    return precision, (inside.sum() if count else np.mean(inside))


def prec_cov_loop(rule, X, predict, x):  # written differently: one row at a time
    label = predict(x.reshape(1, -1))[0]
    hits = [row for row, holds in zip(X, rule(X)) if holds]
    same = sum(int(predict(row[None])[0] == label) for row in hits)
    return same / len(hits), len(hits) / len(X)


def prec_cov_in_place(rule, X, predict, x):
    X[:, 0] = 0.0
    return prec_cov(rule, X, predict, x)


Q4_WRONG = [
    wrong(lambda r, X, p, x: prec_cov(r, X, p, x)[::-1], "swapped", mistake="two-swapped"),
    wrong(lambda r, X, p, x: prec_cov(r, X, p, x, label=1), "not class 1",
          mistake="precision-of-class-1"),
    wrong(lambda r, X, p, x: prec_cov(r, X, p, x, label=1 - p(x[None])[0]), "not the other class",
          mistake="precision-of-other-class"),
    wrong(lambda r, X, p, x: prec_cov(r, X, p, x, on_all=True), "not on all of X",
          mistake="precision-measured-rows"),
    wrong(lambda r, X, p, x: prec_cov(r, X, p, x, joint=True), "precision is conditional",
          mistake="precision-conditional-divide"),
    wrong(lambda r, X, p, x: prec_cov(r, X, p, x, count=True), "not a count",
          mistake="coverage-share-count"),
    wrong(lambda r, X, p, x: (prec_cov(r, X, p, x)[0], np.mean(p(X) == p(x[None])[0])),
          "not the share predicted like x", mistake="coverage-of-predicted-class"),
    wrong(lambda r, X, p, x: (prec_cov(r, X, p, x)[0], np.prod(prec_cov(r, X, p, x))),
          "whatever the predictions", mistake="coverage-times-precision"),
    wrong(prec_cov_in_place, "changed its input `X` in place", mistake="changed-input"),
    wrong(lambda r, X, p, x: (0.5, 0.5), "expected", generic=True, mistake="inside-rule-precision"),
]


def test_q4_catalog():
    run_catalog("08", ex.q4, Q4_WRONG, [solution(ex.q4, "precision_coverage", **NAMESPACE),
                                         prec_cov, prec_cov_loop])


# --------------------------------------------------------------------- q5: counterfactuals
def metrics(predict, x, cfs, X, target, validity=None, proximity=None, sparsity=None):
    mad = np.median(np.abs(X - np.median(X, axis=0)), axis=0)
    d = np.abs(cfs - x)
    values = {"validity": np.mean(predict(cfs) == target),
              "proximity": np.mean(np.sum(d / mad, axis=1)),
              "sparsity": np.mean(np.sum(cfs != x, axis=1))}
    overrides = {"validity": validity, "proximity": proximity, "sparsity": sparsity}
    for name, how in overrides.items():
        if how is not None:
            values[name] = how(predict, x, cfs, X, target, mad, d)
    return values["validity"], values["proximity"], values["sparsity"]


def metrics_loop(predict, x, cfs, X, target):  # written differently: per counterfactual
    med = np.median(X, axis=0)
    mad = np.median(np.abs(X - med), axis=0)
    rows = [(predict(c[None])[0] == target, np.sum(np.abs(c - x) / mad), np.count_nonzero(c - x))
            for c in cfs]
    return tuple(float(np.mean(column)) for column in zip(*rows))


def cfs_in_place(predict, x, cfs, X, target):
    cfs[:, 0] = x[0]
    return metrics(predict, x, cfs, X, target)


Q5_WRONG = [
    wrong(lambda *a: metrics(*a, validity=lambda p, x, c, X, t, mad, d: np.mean(p(c) == 1 - t)),
          "not the other one", mistake="validity-of-other-class"),
    wrong(lambda *a: metrics(*a, validity=lambda p, x, c, X, t, mad, d: np.mean(p(c) == 1)),
          "not the share predicted 1", mistake="validity-of-class-1"),
    wrong(lambda *a: metrics(*a, validity=lambda p, x, c, X, t, mad, d: np.sum(p(c) == t)),
          "not a count", mistake="validity-share-count"),
    wrong(lambda *a: metrics(*a, sparsity=lambda p, x, c, X, t, mad, d: np.mean(c != x)),
          "not their share", mistake="sparsity-as-share"),
    wrong(lambda *a: metrics(*a, sparsity=lambda p, x, c, X, t, mad, d: np.sum(c != x)),
          "not the total", mistake="sparsity-as-total"),
    wrong(lambda *a: metrics(*a, proximity=lambda p, x, c, X, t, mad, d: np.mean(d.sum(axis=1))),
          "median absolute deviation before adding", mistake="scale-feature-median"),
    wrong(lambda *a: metrics(*a, proximity=lambda p, x, c, X, t, mad, d: np.mean(
        (d / X.std(axis=0)).sum(axis=1))), "not the standard deviation",
          mistake="scale-median-absolute"),
    wrong(lambda *a: metrics(*a, proximity=lambda p, x, c, X, t, mad, d: np.mean(
        np.sqrt(((d / mad) ** 2).sum(axis=1)))), "not L2", mistake="proximity-uses-l1"),
    wrong(lambda *a: metrics(*a, proximity=lambda p, x, c, X, t, mad, d: np.mean(
        (d / np.median(np.abs(X), axis=0)).sum(axis=1))), "centred first",
          mistake="mad-median-median"),
    wrong(lambda *a: metrics(*a, proximity=lambda p, x, c, X, t, mad, d: np.sum(d / mad)),
          "not the sum", mistake="proximity-mean-counterfactuals"),
    wrong(cfs_in_place, "changed its input `cfs` in place", mistake="changed-input"),
    wrong(lambda *a: metrics(*a, proximity=lambda *b: 1.0), "proximity should be", generic=True,
          mistake="proximity-mean-counterfactuals"),
]


def test_q5_catalog():
    run_catalog("08", ex.q5, Q5_WRONG, [solution(ex.q5, "cf_metrics", **NAMESPACE), metrics,
                                         metrics_loop])


def test_catalog_share_of_specific_messages():
    catalogs = [Q1_WRONG, Q2_WRONG, Q3_WRONG, Q4_WRONG, Q5_WRONG]
    assert all(len(c) >= 8 for c in catalogs)
    specific = [not generic for c in catalogs for _, _, generic, *_ in c]
    assert sum(specific) / len(specific) >= 0.9


# --------------------------------------------------------------------- q6: which method
RIGHT = solution(ex.q6, "method_for")
KEYS = list(RIGHT)


def answer(**changes):
    chosen = dict(RIGHT)
    for index, method in changes.items():
        chosen[KEYS[int(index[1:])]] = method
    return chosen


def test_q6():
    passes(ex.q6, RIGHT)
    passes(ex.q6, {key: f"  {value.upper()} " for key, value in reversed(RIGHT.items())})
    fails(ex.q6, answer(k0="criticisms"), match="criticisms are the rows the prototypes",
          mistake="chose-criticisms")
    fails(ex.q6, answer(k1="prototypes"), match="prototypes summarise the data",
          mistake="chose-prototypes")
    fails(ex.q6, answer(k2="prototypes"), match="prototypes summarise the data",
          mistake="chose-prototypes")
    fails(ex.q6, answer(k3="counterfactual"), match="nearby input with another prediction",
          mistake="chose-counterfactual")
    fails(ex.q6, answer(k4="anchor"), match="rule under which the prediction stays put",
          mistake="chose-anchor")
    fails(ex.q6, answer(k2="counterfactual"), match="nearby input with another prediction",
          mistake="chose-counterfactual")
    fails(ex.q6, answer(k2="shap"), match="pick one of", mistake="method-pick")
    fails(ex.q6, {KEYS[0]: "prototypes"}, match="missing keys", mistake="wrong-keys")
