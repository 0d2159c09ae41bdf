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
    fails(ex.q1, lambda d, width: np.exp(-np.asarray(d) ** 2 / width ** 2), match="square root",
          mistake="computed-exp-lime")
    fails(ex.q1, lambda d, width: np.exp(-np.asarray(d) / width), match="not its square",
          mistake="kernel-uses-distance")
    fails(ex.q1, lambda d, width: 1 - np.exp(-np.asarray(d) ** 2 / width ** 2), match="must get weight 1",
          mistake="kernel-neighbour-distance")
    fails(ex.q1, lambda d, width: np.exp(-np.asarray(d) ** 2 / (2 * width)), match="where the width enters",
          mistake="kernel-width-enters")
    fails(ex.q1, lambda d, width: 1.0, match="should have shape (7,)", mistake="wrong-dimensions")
    fails(ex.q1, 0.5, match="should be a function", mistake="not-a-function")

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

    from sklearn.linear_model import Ridge

    def with_sklearn(Z, y, w, alpha):
        model = Ridge(alpha=alpha).fit(Z, y, sample_weight=w)
        return model.coef_, model.intercept_

    def via_sqrt_rows(Z, y, w, alpha):
        root = np.sqrt(w)
        design = np.column_stack([np.ones(len(Z)), Z]) * root[:, None]
        penalty = np.diag([0.0] + [alpha] * Z.shape[1])
        both = np.linalg.solve(design.T @ design + penalty, design.T @ (y * root))
        return both[1:], float(both[0])

    passes(ex.q2, via_sqrt_rows)
    fails(ex.q2, with_sklearn, match="write it yourself; `sklearn.linear_model.Ridge`",
          mistake="forbidden-shortcut")
    fails(ex.q2, unweighted, match="unweighted fit", mistake="alpha-coefficients-equal")
    fails(ex.q2, penalised_intercept, match="penalises the intercept",
          mistake="fit-penalises-intercept")
    fails(ex.q2, through_origin, match="no intercept", mistake="fit-no-intercept")
    fails(ex.q2, squared_weights, match="sklearn's", mistake="alpha-coef-sklearn")
    fails(ex.q2, lambda Z, y, w, alpha: weighted_ridge_by_hand(Z, y, w, alpha)[0], match="pair (coef, intercept)",
          mistake="not-a-pair")
    fails(ex.q2, lambda Z, y, w, alpha: (np.zeros(2), 0.0), match="shape (3,)",
          mistake="wrong-shape")


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

    fails(ex.q3, with_str_replace, match="inside another word", mistake="removed-too-much")
    fails(ex.q3, first_occurrence_only, match="every occurrence", mistake="removed-word-bag")
    fails(ex.q3, joined_with_spaces, match="keep every separator", mistake="words-right-spacing")
    fails(ex.q3, keeps_the_off_words, match="z_j = 1 means word j stays",
          mistake="removed-words-kept")

    def by_word_regex(text, vocabulary, z):
        off = [re.escape(w) for w, keep in zip(vocabulary, z) if not keep]
        return re.sub(r"\b(?:" + "|".join(off) + r")\b", "", text) if off else text

    passes(ex.q3, by_word_regex)

    def case_blind(text, vocabulary, z):
        off = {word.lower() for word, keep in zip(vocabulary, z) if not keep}
        return "".join(t for t in re.split(r"(\W+)", text) if t.lower() not in off)

    fails(ex.q3, case_blind, match="removed too much", mistake="removed-too-much")
    fails(ex.q3, lambda text, vocabulary, z: list(vocabulary), match="should return a string",
          mistake="remove-words-string")


# --------------------------------------------------------------------- q4: superpixels
def test_q4():
    passes(ex.q4, lambda image, segments, z, hidden: np.where((np.asarray(z)[segments] == 0)[..., None], hidden, image))

    def in_place(image, segments, z, hidden):
        off = np.asarray(z)[segments] == 0
        image[off] = hidden[off]
        return image

    fails(ex.q4, in_place, match="in place", mistake="changed-input")
    fails(ex.q4, lambda image, segments, z, hidden: np.where(np.asarray(z)[segments] == 0, hidden, image),
          match="give the mask a channel axis", mistake="mask-images-broadcast")

    def with_a_copy(image, segments, z, hidden):
        out = image.copy()
        off = np.asarray(z)[segments] == 0
        out[off] = hidden[off]
        return out

    passes(ex.q4, with_a_copy)
    fails(ex.q4, lambda image, segments, z, hidden: np.where((np.asarray(z)[segments] == 1)[..., None], hidden, image),
          match="z = 1", mistake="hid-superpixels-means")
    fails(ex.q4, lambda image, segments, z, hidden: np.where((np.asarray(z)[segments] == 0)[..., None], 0, image),
          match="blacked out", mistake="blacked-hidden-superpixels")
    fails(ex.q4, lambda image, segments, z, hidden: image[..., 0], match="should have shape (12, 16, 3)",
          mistake="wrong-dimensions")

    def transposed_segments(image, segments, z, hidden):
        off = np.asarray(z)[segments.T.reshape(segments.shape)] == 0
        return np.where(off[..., None], hidden, image)

    fails(ex.q4, transposed_segments, match="pixels differ", mistake="pixels-differ-image")


def test_q4_fresh_inputs_and_inputs_left_alone():
    """The check's second picture is a float image with irregular superpixels: an answer that
    writes into a uint8 array passes the first only."""
    def into_uint8(image, segments, z, hidden):
        out = np.zeros(image.shape, dtype=np.uint8)
        off = np.asarray(z)[segments] == 0
        out[off], out[~off] = hidden[off], image[~off]
        return out

    def hides_into_hidden(image, segments, z, hidden):
        shown = np.asarray(z)[segments] == 1
        hidden[shown] = image[shown]
        return hidden

    def changes_z(image, segments, z, hidden):
        z -= 1                                   # 0 where shown, -1 where hidden
        return np.where((z[segments] < 0)[..., None], hidden, image)

    fails(ex.q4, into_uint8, match="keep the image's dtype", mistake="float-picture-result")
    fails(ex.q4, hides_into_hidden, match="changed its input `hidden` in place",
          mistake="changed-input")
    fails(ex.q4, changes_z, match="z = z.copy()", mistake="changed-input")
    passes(ex.q4, lambda image, segments, z, hidden: np.choose(
        np.asarray(z)[segments][..., None], [hidden, image]))


# --------------------------------------------------------------------- q5: stability
def explain_patient(seeds=range(10), label=1, num_samples=500, categorical=True, row=10, names=True):
    setup = ex.cardio_setup()
    options = {"categorical_features": setup.categorical if names else
               [setup.names.index(c) for c in setup.categorical]} if categorical else {}
    if names:
        options["feature_names"] = setup.names
    return [LimeTabular(setup.X_small, seed=seed, **options)
            .explain(setup.X_small[row], setup.predict, label=label, num_samples=num_samples)
            for seed in seeds]


def top5_share(explanations):
    sets = [frozenset(n for n, _ in e.as_list()[:5]) for e in explanations]
    return Counter(sets).most_common(1)[0][1] / len(sets)


@pytest.fixture(scope="module")
def explanations():
    return explain_patient()


def test_q5(explanations):
    share = top5_share(explanations)
    assert 0 < share < 1, "the question's setting should disagree across seeds"
    passes(ex.q5, explanations, share)
    passes(ex.q5, tuple(explanations), np.float64(share))
    from course_lib.lime.diagnostics import stability
    passes(ex.q5, explanations, stability(explanations, k=5).same_top_k)
    fails(ex.q5, explanations, 100 * share, match="percentage", mistake="percentage-share-between")
    fails(ex.q5, explanations, share * len(explanations), match="count",
          mistake="count-divide-number")
    fails(ex.q5, explanations[:3], share, match="use 10 seeds", mistake="holds-seeds")
    fails(ex.q5, explanations[:6], top5_share(explanations[:6]), match="asks for 10 seeds",
          mistake="holds-seeds-random")
    fails(ex.q5, explain_patient(label=0), 0.5, match="label=1",
          mistake="explanations-label-probability")
    fails(ex.q5, explain_patient(num_samples=5000 // 10 + 1), 0.5, match="num_samples=500",
          mistake="explanations-num-samples")
    fails(ex.q5, explain_patient(categorical=False), 0.5, match="categorical_features=categorical",
          mistake="explained-numbers-declare")
    fails(ex.q5, explain_patient(row=11), 0.5, match="another patient",
          mistake="explained-another-patient")
    fails(ex.q5, explain_patient(names=False), 0.5, match="feature_names=names",
          mistake="explainer-no-feature")
    fails(ex.q5, explain_patient(seeds=[1] * 10), 1.0, match="same seed",
          mistake="explanations-identical-random")
    fails(ex.q5, explanations[:9] + explain_patient(seeds=[0], row=11), 0.2, match="same point",
          mistake="explanations-point-label")
    fails(ex.q5, explanations[:9] + explanations[:1], 0.5, match="same neighbours",
          mistake="runs-drew-neighbours")
    fails(ex.q5, [1, 2, 3, 4, 5], 0.5, match="list of explanations",
          mistake="list-explanations-per")
    fails(ex.q5, explanations, share + 0.05, match="most common top-5 set",
          mistake="top5-agreement-explanations")
    ordered = [tuple(n for n, _ in e.as_list()[:5]) for e in explanations]
    ordered_share = max(ordered.count(o) for o in ordered) / len(ordered)
    if ordered_share != share:
        fails(ex.q5, explanations, ordered_share, match="as sets", mistake="compared-top-ordered")


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
    fails(ex.q6, errors, ex.WIDTHS[int(np.argmax(errors))], match="largest",
          mistake="width-largest-error")
    fails(ex.q6, errors[::-1], best, match="errors[0]", mistake="errors-fit-local")
    fails(ex.q6, errors[:3], best, match="should have shape (7,)", mistake="wrong-shape")
    wrong = [w for w in ex.WIDTHS if w not in (best, ex.WIDTHS[int(np.argmax(errors))])]
    messages = {fails(ex.q6, errors, w, match="best_width",
                      mistake="best-width-width") if w != _r2_choice() else
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
    fails(ex.q6, errors, _r2_choice(), match="own R²", mistake="width-largest-error")


# --------------------------------------------------------------------- q7: impossible rows
def sample_patient(num_samples=2000, seed=0, row=10, **options):
    setup = ex.cardio_setup()
    options.setdefault("feature_names", setup.names)
    return LimeTabular(setup.X_small, seed=seed, **options).sample(
        setup.X_small[row], setup.predict, num_samples=num_samples)


def test_q7():
    setup = ex.cardio_setup()
    nb = sample_patient()
    hi, lo = setup.names.index("ap_hi"), setup.names.index("ap_lo")
    flags = nb.inputs[:, lo] > nb.inputs[:, hi]
    assert 0 < flags.mean() < 0.5
    passes(ex.q7, nb, flags.mean())
    passes(ex.q7, nb, float(np.count_nonzero(flags)) / len(flags))
    fails(ex.q7, nb, float(flags.sum()), match="count", mistake="count-divide-number")
    fails(ex.q7, nb, float((nb.Z[:, lo] > nb.Z[:, hi]).mean()), match="binary z'",
          mistake="compared-binary-columns")
    fails(ex.q7, nb, 0.9, match="in neighbourhood.inputs", mistake="share-impossible-neighbourhood")
    fails(ex.q7, nb, float((nb.inputs[:, lo] >= nb.inputs[:, hi]).mean()) + 0.5, match="in neighbourhood.inputs",
          mistake="share-impossible-neighbourhood")
    fails(ex.q7, "neighbourhood", 0.1, match="LimeTabular", mistake="limetabular-sample")
    fails(ex.q7, sample_patient(categorical_features=setup.categorical), 0.1, match="lime's defaults",
          mistake="declared-categorical-lime")
    fails(ex.q7, sample_patient(feature_names=None), 0.1, match="pass feature_names=names",
          mistake="explainer-no-feature")
    fails(ex.q7, sample_patient(num_samples=500), 0.1, match="num_samples=2000",
          mistake="neighbourhood-rows-num")
    fails(ex.q7, sample_patient(row=11), 0.1, match="another patient",
          mistake="sampled-around-another")
    fails(ex.q7, sample_patient(seed=1), 0.1, match="seed=0",
          mistake="neighbours-differ-limetabular")
    X = setup.X_small[:, :2]
    no_bp = LimeTabular(X, feature_names=["age", "weight"], seed=0).sample(
        X[0], lambda rows: np.ones((len(rows), 2)) / 2, num_samples=20)
    fails(ex.q7, no_bp, 0.0, match="no ap_hi and ap_lo", mistake="table-sampled-no")


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
