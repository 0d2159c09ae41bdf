"""Checks of exercise notebook 08: right answers pass, typical wrong answers get the right
message."""
import numpy as np
from sklearn.linear_model import LogisticRegression

from course_lib import examples
from course_lib.counterfactual import counterfactual_metrics
from course_lib.exercises import ex08_examples as ex
from course_lib.kernels import rbf_kernel, squared_distances
from exercise_helpers import (fails, passes, placeholders_and_odd_values_never_crash,
                              questions_are_listed, solution)

NAMESPACE = dict(np=np, rbf_kernel=rbf_kernel, LogisticRegression=LogisticRegression)


def test_every_question_is_listed():
    questions_are_listed(ex, 6)


def test_placeholders_stubs_and_odd_values_never_crash():
    placeholders_and_odd_values_never_crash(ex, stubbed=5)


def test_the_data_helpers_are_deterministic():
    assert np.array_equal(ex.two_clusters(), ex.two_clusters())
    X, y, x_test, y_test = ex.small_classification()
    assert X.shape == (30, 2) and set(y) == {0, 1} and x_test.shape == (1, 2)


# --------------------------------------------------------------------- q1: MMD²
def mmd2_terms(X, S, gamma, factor=2.0, data_term=True, kernel=None):
    K = rbf_kernel(X, gamma=gamma) if kernel is None else kernel(X, gamma)
    return (K.mean() if data_term else 0.0) - factor * K[:, S].mean() + K[np.ix_(S, S)].mean()


def test_q1():
    passes(ex.q1, solution(ex.q1, "mmd2", **NAMESPACE))
    passes(ex.q1, mmd2_terms)

    def by_loops(X, S, gamma):
        k = lambda a, b: np.exp(-gamma * np.sum((a - b) ** 2))
        n, m = len(X), len(S)
        xx = sum(k(a, b) for a in X for b in X) / n ** 2
        xs = sum(k(a, X[s]) for a in X for s in S) / (n * m)
        ss = sum(k(X[s], X[t]) for s in S for t in S) / m ** 2
        return xx - 2 * xs + ss

    passes(ex.q1, by_loops)
    fails(ex.q1, lambda X, S, g: np.sqrt(mmd2_terms(X, S, g)), match="square root")
    fails(ex.q1, lambda X, S, g: mmd2_terms(X, S, g, factor=1.0), match="cross term counts twice")
    fails(ex.q1, lambda X, S, g: mmd2_terms(X, S, g, data_term=False), match="data's own term")
    fails(ex.q1, lambda X, S, g: mmd2_terms(
        X, S, g, kernel=lambda X, g: np.exp(-g * np.sqrt(squared_distances(X, X)))),
        match="squared distance")
    fails(ex.q1, lambda X, S, g: -mmd2_terms(X, S, g), match="cannot be negative")
    fails(ex.q1, lambda X, S, g: mmd2_terms(X, S, 1.0), match="MMD² is")
    fails(ex.q1, lambda X, S, g: [mmd2_terms(X, S, g)] * 2, match="single number")


# --------------------------------------------------------------------- q2: witness
def witness_by(X, prototypes, gamma, how="right"):
    K = rbf_kernel(X, gamma=gamma)
    data, protos = K.mean(axis=0), K[prototypes].mean(axis=0)
    return {"right": data - protos, "flipped": protos - data, "abs": np.abs(data - protos),
            "sums": K.sum(axis=0) - K[prototypes].sum(axis=0), "no data": -protos}[how]


def test_q2():
    passes(ex.q2, solution(ex.q2, "witness_values", **NAMESPACE))
    passes(ex.q2, lambda X, p, g: examples.witness(rbf_kernel(X, gamma=g), p))
    fails(ex.q2, lambda X, p, g: witness_by(X, p, g, "flipped"), match="sign is flipped")
    fails(ex.q2, lambda X, p, g: witness_by(X, p, g, "abs"), match="|witness|")
    fails(ex.q2, lambda X, p, g: witness_by(X, p, g, "sums"), match="use means, not sums")
    fails(ex.q2, lambda X, p, g: witness_by(X, p, g, "no data"), match="left out the data term")
    fails(ex.q2, lambda X, p, g: witness_by(X, p, g)[p], match="shape")
    fails(ex.q2, lambda X, p, g: witness_by(X, p, 1.0), match="the values differ")
    fails(ex.q2, lambda X, p, g: witness_by(X, [0, 1], g), match="the values differ")


# --------------------------------------------------------------------- q3: leave-one-out
def loss(model, x_test, y_test):
    return -np.log(model.predict_proba(x_test)[0, y_test[0]])


def loo(X, y, x_test, y_test, i, sign=1, shift=0, retrain=True, C=1.0):
    keep = np.arange(len(X)) != i + shift
    full = LogisticRegression(C=C).fit(X, y)
    without = LogisticRegression(C=C).fit(X[keep], y[keep]) if retrain else full
    return sign * (loss(without, x_test, y_test) - loss(full, x_test, y_test))


def test_q3():
    passes(ex.q3, solution(ex.q3, "loo_influence", **NAMESPACE))
    passes(ex.q3, lambda X, y, xt, yt, i: examples.leave_one_out_influence(
        lambda: LogisticRegression(C=1.0), X, y, xt, yt)[i, 0])
    passes(ex.q3, loo)
    fails(ex.q3, lambda *a: loo(*a, sign=-1), match="sign is flipped")
    fails(ex.q3, lambda *a: loo(*a, retrain=False), match="retrain a fresh model")
    fails(ex.q3, lambda *a: loo(*a, shift=1), match="removed row i + 1")

    def probability_change(X, y, x_test, y_test, i):
        keep = np.arange(len(X)) != i
        full = LogisticRegression(C=1.0).fit(X, y)
        without = LogisticRegression(C=1.0).fit(X[keep], y[keep])
        return without.predict_proba(x_test)[0, 1] - full.predict_proba(x_test)[0, 1]

    fails(ex.q3, probability_change, match="probability of class 1")
    fails(ex.q3, lambda *a: loo(*a, C=100.0), match="change of the test loss is")
    fails(ex.q3, lambda X, y, xt, yt, i: examples.leave_one_out_influence(
        lambda: LogisticRegression(C=1.0), X, y, xt, yt)[:, 0], match="single number")


# --------------------------------------------------------------------- q4: precision, coverage
def prec_cov(rule, X, predict, x, label=None, condition=True, share=True):
    inside = rule(X)
    label = predict(x[None])[0] if label is None else label
    agree = predict(X) == label
    precision = agree[inside].mean() if condition else (agree & inside).mean()
    return precision, inside.mean() if share else inside.sum()


def test_q4():
    passes(ex.q4, solution(ex.q4, "precision_coverage", **NAMESPACE))
    passes(ex.q4, prec_cov)
    passes(ex.q4, lambda rule, X, predict, x: np.array(
        [np.sum(rule(X) & (predict(X) == predict(x[None])[0])) / np.sum(rule(X)),
         np.sum(rule(X)) / len(X)]))
    fails(ex.q4, lambda *a: prec_cov(*a)[::-1], match="swapped")
    fails(ex.q4, lambda *a: prec_cov(*a, label=0), match="predicted like x itself")
    fails(ex.q4, lambda r, X, p, x: (np.mean(p(X) == p(x[None])[0]), r(X).mean()),
          match="not on all of X")
    fails(ex.q4, lambda *a: prec_cov(*a, condition=False), match="precision is conditional")
    fails(ex.q4, lambda *a: prec_cov(*a, share=False), match="not a count")
    fails(ex.q4, lambda r, X, p, x: (0.5, 0.5), match="the values differ")
    fails(ex.q4, lambda r, X, p, x: prec_cov(r, X, p, x)[0], match="shape")


# --------------------------------------------------------------------- q5: counterfactual metrics
def metrics(predict, x, cfs, X, target, validity_target=None, scale="mad", norm=1,
            sparsity_share=False):
    mad = np.median(np.abs(X - np.median(X, axis=0)), axis=0)
    s = {"mad": mad, "none": np.ones(X.shape[1]), "std": X.std(axis=0)}[scale]
    validity = np.mean(predict(cfs) == (target if validity_target is None else validity_target))
    gaps = np.abs(cfs - x) / s
    proximity = np.mean(gaps.sum(axis=1) if norm == 1 else np.sqrt((gaps ** 2).sum(axis=1)))
    sparsity = np.mean((cfs != x).sum(axis=1))
    return validity, proximity, sparsity / X.shape[1] if sparsity_share else sparsity


def test_q5():
    passes(ex.q5, solution(ex.q5, "cf_metrics", **NAMESPACE))
    passes(ex.q5, metrics)

    def from_the_library(predict, x, cfs, X, target):
        m = counterfactual_metrics(predict, x, cfs, X, target)
        return [m["validity"], m["proximity"], m["sparsity"]]

    passes(ex.q5, from_the_library)
    fails(ex.q5, lambda p, x, c, X, t: metrics(p, x, c, X, t, validity_target=1 - t),
          match="not the original one")
    fails(ex.q5, lambda *a: metrics(*a, sparsity_share=True), match="not their share")
    fails(ex.q5, lambda *a: metrics(*a, scale="none"), match="median absolute deviation before")
    fails(ex.q5, lambda *a: metrics(*a, scale="std"), match="not the standard deviation")
    fails(ex.q5, lambda *a: metrics(*a, norm=2), match="not L2")
    fails(ex.q5, lambda p, x, c, X, t: metrics(p, x, c, X, t)[:2], match="shape")
    fails(ex.q5, lambda p, x, c, X, t: (1.0,) + metrics(p, x, c, X, t)[1:],
          match="share of counterfactuals predicted")
    fails(ex.q5, lambda p, x, c, X, t: np.add(metrics(p, x, c, X, t), [0, 0.5, 0]),
          match="proximity should be")


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
    fails(ex.q6, answer(k0="criticisms"), match="criticisms are the rows the prototypes")
    fails(ex.q6, answer(k1="prototypes"), match="prototypes summarise the data")
    fails(ex.q6, answer(k2="prototypes"), match="prototypes summarise the data")
    fails(ex.q6, answer(k3="counterfactual"), match="nearby input with another prediction")
    fails(ex.q6, answer(k4="anchor"), match="rule under which the prediction stays put")
    fails(ex.q6, answer(k2="counterfactual"), match="nearby input with another prediction")
    fails(ex.q6, answer(k2="shap"), match="pick one of")
    fails(ex.q6, {KEYS[0]: "prototypes"}, match="missing keys")
