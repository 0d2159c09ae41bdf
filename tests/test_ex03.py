"""Checks of exercise notebook 03 (LIME): right answers pass, typical wrong answers get the right message."""
import re
from collections import Counter

import numpy as np
import pytest

from course_lib.exercises import NotAttempted
from course_lib.exercises import ex03_lime as ex
from course_lib.lime import LimeTabular
from course_lib.lime.diagnostics import local_fit_2d
from exercise_helpers import fails, never_crashes, passes


# --------------------------------------------------------------------- q1: the kernel
def test_q1():
    passes(ex.q1, lambda d, width: np.sqrt(np.exp(-np.asarray(d) ** 2 / width ** 2)))
    passes(ex.q1, lambda d, width: np.exp(-np.asarray(d) ** 2 / (2 * width ** 2)))
    fails(ex.q1, lambda d, width: np.exp(-np.asarray(d) ** 2 / width ** 2), match="square root")
    fails(ex.q1, lambda d, width: np.exp(-np.asarray(d) / width), match="not its square")
    fails(ex.q1, lambda d, width: 1 - np.exp(-np.asarray(d) ** 2 / width ** 2), match="must get weight 1")
    fails(ex.q1, lambda d, width: np.exp(-np.asarray(d) ** 2 / (2 * width)), match="where the width enters")
    fails(ex.q1, lambda d, width: 1.0, match="should have shape (7,)")
    fails(ex.q1, 0.5, match="should be a function")

    def stub(d, width):
        raise NotImplementedError

    with pytest.raises(NotAttempted):
        ex.q1.check(stub)


# --------------------------------------------------------------------- q2: weighted ridge
def weighted_ridge_by_hand(Z, y, w, alpha):
    Z_mean, y_mean = np.average(Z, axis=0, weights=w), np.average(y, weights=w)
    Zc, yc = Z - Z_mean, y - y_mean
    coef = np.linalg.solve(Zc.T @ (w[:, None] * Zc) + alpha * np.eye(Z.shape[1]), Zc.T @ (w * yc))
    return coef, y_mean - Z_mean @ coef


def test_q2():
    passes(ex.q2, weighted_ridge_by_hand)

    def unweighted(Z, y, w, alpha):
        return weighted_ridge_by_hand(Z, y, np.ones_like(w), alpha)

    def penalised_intercept(Z, y, w, alpha):
        design = np.column_stack([np.ones(len(Z)), Z]) * np.sqrt(w)[:, None]
        both = np.linalg.solve(design.T @ design + alpha * np.eye(Z.shape[1] + 1), design.T @ (y * np.sqrt(w)))
        return both[1:], both[0]

    def through_origin(Z, y, w, alpha):
        A = Z * np.sqrt(w)[:, None]
        return np.linalg.solve(A.T @ A + alpha * np.eye(Z.shape[1]), A.T @ (y * np.sqrt(w))), 0.0

    def squared_weights(Z, y, w, alpha):
        return weighted_ridge_by_hand(Z, y, w ** 2, alpha)

    fails(ex.q2, unweighted, match="unweighted fit")
    fails(ex.q2, penalised_intercept, match="penalises the intercept")
    fails(ex.q2, through_origin, match="no intercept")
    fails(ex.q2, squared_weights, match="sklearn's")
    fails(ex.q2, lambda Z, y, w, alpha: weighted_ridge_by_hand(Z, y, w, alpha)[0], match="pair (coef, intercept)")
    fails(ex.q2, lambda Z, y, w, alpha: (np.zeros(2), 0.0), match="shape (3,)")


# --------------------------------------------------------------------- q3: text masks
def remove_words(text, vocabulary, z):
    off = {word for word, keep in zip(vocabulary, z) if not keep}
    return "".join(t for t in re.split(r"(\W+)", text) if t not in off)


def test_q3():
    passes(ex.q3, remove_words)

    def with_str_replace(text, vocabulary, z):
        for word, keep in zip(vocabulary, z):
            if not keep:
                text = text.replace(word, "")
        return text

    def first_occurrence_only(text, vocabulary, z):
        tokens = re.split(r"(\W+)", text)
        for word, keep in zip(vocabulary, z):
            if not keep and word in tokens:
                tokens[tokens.index(word)] = ""
        return "".join(tokens)

    def joined_with_spaces(text, vocabulary, z):
        off = {word for word, keep in zip(vocabulary, z) if not keep}
        return " ".join(t for t in re.findall(r"\w+|[^\w\s]+", text) if t not in off)

    def keeps_the_off_words(text, vocabulary, z):
        return remove_words(text, vocabulary, 1 - np.asarray(z))

    fails(ex.q3, with_str_replace, match="inside another word")
    fails(ex.q3, first_occurrence_only, match="every occurrence")
    fails(ex.q3, joined_with_spaces, match="keep every separator")
    fails(ex.q3, keeps_the_off_words, match="still there")
    fails(ex.q3, lambda text, vocabulary, z: list(vocabulary), match="should return a string")


# --------------------------------------------------------------------- q4: superpixels
def test_q4():
    passes(ex.q4, lambda image, segments, z, hidden: np.where((np.asarray(z)[segments] == 0)[..., None], hidden, image))

    def in_place(image, segments, z, hidden):
        off = np.asarray(z)[segments] == 0
        image[off] = hidden[off]
        return image

    fails(ex.q4, in_place, match="in place")
    fails(ex.q4, lambda image, segments, z, hidden: np.where((np.asarray(z)[segments] == 1)[..., None], hidden, image),
          match="z = 1")
    fails(ex.q4, lambda image, segments, z, hidden: np.where((np.asarray(z)[segments] == 0)[..., None], 0, image),
          match="blacked out")
    fails(ex.q4, lambda image, segments, z, hidden: image[..., 0], match="should have shape (12, 16, 3)")

    def transposed_segments(image, segments, z, hidden):
        off = np.asarray(z)[segments.T.reshape(segments.shape)] == 0
        return np.where(off[..., None], hidden, image)

    fails(ex.q4, transposed_segments, match="pixels differ")


# --------------------------------------------------------------------- q5: stability
@pytest.fixture(scope="module")
def small_problem():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 8))

    def predict(rows):
        p = 1 / (1 + np.exp(-(rows[:, 0] + 0.8 * rows[:, 1] + 0.6 * rows[:, 2] + 0.5 * rows[:, 3] + 0.4 * rows[:, 4]
                              + 0.3 * rows[:, 5])))
        return np.column_stack([1 - p, p])

    explanations = [LimeTabular(X, random_state=seed).explain(X[0], predict, num_samples=150) for seed in range(8)]
    return X, predict, explanations


def test_q5(small_problem):
    X, predict, explanations = small_problem
    sets = [frozenset(n for n, _ in e.as_list()[:5]) for e in explanations]
    share = Counter(sets).most_common(1)[0][1] / len(sets)
    assert 0 < share < 1, "the fixture should disagree across seeds for the wrong answers below"
    passes(ex.q5, explanations, share)
    fails(ex.q5, explanations, 100 * share, match="percentage")
    fails(ex.q5, explanations[:3], share, match="at least 5")
    same_seed = [LimeTabular(X, random_state=1).explain(X[0], predict, num_samples=150) for _ in range(5)]
    fails(ex.q5, same_seed, 1.0, match="same random_state")
    other_point = explanations[:4] + [LimeTabular(X, random_state=0).explain(X[1], predict, num_samples=150)]
    fails(ex.q5, other_point, 0.2, match="same point")
    fails(ex.q5, [1, 2, 3, 4, 5], 0.5, match="list of explanations")
    fails(ex.q5, explanations, share + 0.5, match="most common top-5 set")
    ordered = [tuple(n for n, _ in e.as_list()[:5]) for e in explanations]
    ordered_share = max(ordered.count(o) for o in ordered) / len(ordered)
    if ordered_share != share:
        fails(ex.q5, explanations, ordered_share, match="as sets")


# --------------------------------------------------------------------- q6: kernel width
def errors_by_hand():
    points = ex.POINT + ex.RADIUS * np.random.RandomState(1).normal(size=(1000, 2))
    errors = []
    for width in ex.WIDTHS:
        _, _, _, coef, intercept = local_fit_2d(ex.curved_model, ex.POINT, width)
        errors.append(np.mean((ex.curved_model(points) - intercept - (points - ex.POINT) @ coef) ** 2))
    return np.array(errors)


def test_q6():
    errors = errors_by_hand()
    best = ex.WIDTHS[int(np.argmin(errors))]
    assert best not in (ex.WIDTHS[0], ex.WIDTHS[-1]), "the sweet spot should be inside the range"
    passes(ex.q6, errors, best)
    passes(ex.q6, list(errors), best)
    fails(ex.q6, errors, ex.WIDTHS[int(np.argmax(errors))], match="largest")
    fails(ex.q6, errors[::-1], best, match="errors[0]")
    fails(ex.q6, errors[:3], best, match="should have shape (7,)")
    wrong = [w for w in ex.WIDTHS if w not in (best, ex.WIDTHS[int(np.argmax(errors))])]
    messages = {fails(ex.q6, errors, w, match="best_width") if w != _r2_choice() else
                fails(ex.q6, errors, w, match="own R²") for w in wrong}
    assert messages


def _r2_choice():
    from course_lib.lime import weighted_r2
    scores = []
    for width in ex.WIDTHS:
        samples, outputs, proximity, coef, intercept = local_fit_2d(ex.curved_model, ex.POINT, width)
        scores.append(weighted_r2(outputs, intercept + (samples - ex.POINT) @ coef, proximity))
    return ex.WIDTHS[int(np.argmax(scores))]


def test_q6_r2_trap_is_a_real_trap():
    errors = errors_by_hand()
    assert _r2_choice() != ex.WIDTHS[int(np.argmin(errors))]
    fails(ex.q6, errors, _r2_choice(), match="own R²")


# --------------------------------------------------------------------- q7: impossible rows
def test_q7():
    rng = np.random.RandomState(0)
    ap_hi = np.round(rng.normal(128, 18, 300))
    X = np.column_stack([rng.uniform(30, 65, 300), ap_hi, np.round(ap_hi * 0.5 + rng.normal(18, 9, 300))])
    names = ["age", "ap_hi", "ap_lo"]
    nb = LimeTabular(X, feature_names=names, random_state=0).sample(
        X[0], lambda rows: np.column_stack([np.zeros(len(rows)), np.ones(len(rows))]), num_samples=2000)
    flags = nb.inputs[:, 2] > nb.inputs[:, 1]
    assert 0 < flags.mean() < 0.5
    passes(ex.q7, nb, flags.mean())
    fails(ex.q7, nb, float(flags.sum()), match="count")
    fails(ex.q7, nb, float((nb.Z[:, 2] > nb.Z[:, 1]).mean()), match="binary z'")
    fails(ex.q7, nb, 0.9, match="in neighbourhood.inputs")
    fails(ex.q7, "neighbourhood", 0.1, match="LimeTabular")
    no_bp = LimeTabular(X[:, :2], feature_names=["age", "weight"], random_state=0).sample(
        X[0, :2], lambda rows: np.ones((len(rows), 2)) / 2, num_samples=20)
    fails(ex.q7, no_bp, 0.0, match="no ap_hi and ap_lo")


# --------------------------------------------------------------------- robustness
GARBAGE = [None, "text", 3, -1.5, float("nan"), [], [1, 2], {}, np.zeros((2, 2)), np.zeros((2000, 2000)),
           np.array([np.nan]), lambda *a: None, lambda *a: 1 / 0, lambda *a: "x", lambda *a: (None, None),
           lambda *a: np.full((12, 16, 3), np.nan), object()]


@pytest.mark.parametrize("question", ex.QUESTIONS, ids=lambda q: q.name)
def test_garbage_never_crashes(question):
    torch = pytest.importorskip("torch")
    never_crashes(question, GARBAGE + [torch.zeros(7)])


def test_every_question_has_hints_and_a_solution():
    assert len(ex.QUESTIONS) >= 6
    for question in ex.QUESTIONS:
        assert question.hints and question.solution_code.strip()
        assert question.name in ex.__all__
