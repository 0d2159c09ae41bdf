"""Exercises for notebook 03, LIME: seven checked questions, from the kernel to choosing its width.

Every check recomputes the answer with ``course_lib.lime`` (or scikit-learn) on inputs it builds
for your function, or on your own explanations, and tests properties; no stored answers.
"""
from __future__ import annotations

import re
from functools import lru_cache
from types import SimpleNamespace

import numpy as np
from sklearn.linear_model import Ridge

from ..lime import (Explanation, LimeTabular, Neighbourhood, exponential_kernel, perturbed_images,
                    split_words, texts_from_masks, weighted_r2)
from ..lime.diagnostics import local_fidelity_error, local_fit_2d, stability
from . import (PLACEHOLDER, Incorrect, Question, as_array, as_callable, as_number, call_fresh,
               forbidden, is_close)

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6", "q7", "QUESTIONS", "PLACEHOLDER", "curved_model",
           "POINT", "RADIUS", "WIDTHS", "cardio_setup"]


# ------------------------------------------------------------------------------- shared inputs
def curved_model(points):
    """A black box with a curved boundary: P(class 1) = sigmoid(4 (x2 - sin(2 x1)))."""
    points = np.asarray(points, dtype=float)
    return 1 / (1 + np.exp(-4 * (points[:, 1] - np.sin(2 * points[:, 0]))))


#: Question 6's point, the radius that defines "near it", and the candidate kernel widths.
POINT = np.array([0.6, 0.9])
RADIUS = 0.4
WIDTHS = [0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2]


@lru_cache(maxsize=1)
def cardio_setup() -> SimpleNamespace:
    """Questions 5 and 7's data, built as in the notebook: the cardio twin without impossible
    rows, a small random forest, and the patient (row 10)."""
    from sklearn.ensemble import RandomForestClassifier

    from .. import data
    from ..cardio_rules import drop_impossible

    cardio = drop_impossible(data.load_cardio(source="synthetic", n=6000, seed=0, verbose=False))
    names = list(data.CARDIO_FEATURES)
    X_small = cardio[names].to_numpy(dtype=float)
    forest = RandomForestClassifier(n_estimators=30, min_samples_leaf=20, random_state=0).fit(
        X_small, cardio["cardio"])
    categorical = ["gender", "cholesterol", "gluc", "smoke", "alco", "active"]
    return SimpleNamespace(X_small=X_small, names=names, categorical=categorical,
                           predict=forest.predict_proba, x_patient=X_small[10])


# ------------------------------------------------------------------------------- q1: the kernel
def _check_q1(kernel):
    kernel = as_callable(kernel, "kernel")
    d = np.array([0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0])
    for width in (0.25, 1.0, 3.0):
        got = as_array(call_fresh(kernel, d, width, what="kernel(d, width)"),
                       f"kernel(d, {width})", shape=d.shape)
        expected = exponential_kernel(d, width)
        if is_close(got, expected, atol=1e-10):
            continue
        if abs(got[0] - 1) > 1e-9:
            raise Incorrect(f"kernel(0, {width}) = {got[0]:.4g}, but a neighbour at distance 0 is the "
                            "point itself and must get weight 1",
                            mistake="kernel-neighbour-distance")
        if is_close(got, np.exp(-d ** 2 / width ** 2), atol=1e-10):
            raise Incorrect("you computed exp(-d²/w²); lime takes the square root of that, "
                            "sqrt(exp(-d²/w²)) = exp(-d²/(2w²)), so weights fall off more slowly",
                            mistake="computed-exp-lime")
        if (is_close(got, np.exp(-d / width), atol=1e-10)
                or is_close(got, np.sqrt(np.exp(-d / width)), atol=1e-10)):
            raise Incorrect("your kernel uses the distance d, not its square d²: the exponential "
                            "kernel is a Gaussian bump in d", mistake="kernel-uses-distance")
        if np.any(np.diff(got) > 1e-12):
            raise Incorrect(f"kernel(d, {width}) grows with d somewhere; farther neighbours must "
                            "never weigh more than closer ones", mistake="kernel-grows-somewhere")
        worst = int(np.argmax(np.abs(got - expected)))
        raise Incorrect(f"kernel({d[worst]}, {width}) = {got[worst]:.6g}, expected "
                        f"{expected[worst]:.6g}: check where the width enters (d² / w²)",
                        mistake="kernel-width-enters")
    return "at d = w the weight is exp(-1/2) ≈ 0.61; at d = 2w it is already 0.14"


q1 = Question(
    "q1", "LIME's exponential kernel", ["kernel"], _check_q1,
    hints=["The weight of a neighbour at distance d is a Gaussian bump: 1 at d = 0, "
           "falling with d² / width².",
           "lime writes it as np.sqrt(np.exp(-d ** 2 / width ** 2)).",
           "def kernel(d, width): return np.sqrt(np.exp(-np.asarray(d) ** 2 / width ** 2))"],
    solution_code="def kernel(d, width):\n    d = np.asarray(d, dtype=float)\n"
                  "    return np.sqrt(np.exp(-d ** 2 / width ** 2))")


# ------------------------------------------------------------------------------- q2: weighted ridge
def _read_fit(result, m: int, what: str):
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Incorrect(f"{what} should return a pair (coef, intercept), but it returned "
                        f"{type(result).__name__}", mistake="not-a-pair")
    coef = as_array(result[0], "coef", shape=(m,))
    intercept = as_number(result[1], "intercept")
    return coef, intercept


def _check_q2(fit):
    fit = as_callable(fit, "weighted_ridge_by_hand")
    rng = np.random.RandomState(3)
    n, m = 40, 3
    Z = rng.randint(0, 2, size=(n, m)).astype(float)
    Z[:, 2] = rng.normal(size=n)
    y = Z @ np.array([1.5, -2.0, 0.7]) + 3 + 0.3 * rng.normal(size=n)
    w = exponential_kernel(rng.uniform(0, 2, n), 0.75)
    for alpha in (1.0, 0.0):
        with forbidden(["sklearn.linear_model.Ridge", "sklearn.linear_model._ridge.Ridge",
                        "sklearn.linear_model.LinearRegression", "sklearn.linear_model.RidgeCV",
                        "sklearn.linear_model._ridge.ridge_regression"], fit,
                       compare="sklearn.linear_model.Ridge"):
            result = call_fresh(fit, Z, y, w, alpha,
                                  what="weighted_ridge_by_hand(Z, y, w, alpha)")
        coef, intercept = _read_fit(result, m, "weighted_ridge_by_hand")
        reference = Ridge(alpha=alpha).fit(Z, y, sample_weight=w)
        if is_close(coef, reference.coef_, atol=1e-6) and abs(intercept - reference.intercept_) < 1e-6:
            continue
        unweighted = Ridge(alpha=alpha).fit(Z, y)
        if is_close(coef, unweighted.coef_, atol=1e-6):
            raise Incorrect(f"with alpha={alpha} your coefficients equal an unweighted fit: every "
                            "neighbour must count with its weight w (multiply rows by sqrt(w), or use Z'WZ)",
                            mistake="alpha-coefficients-equal")
        design = np.column_stack([np.ones(n), Z]) * np.sqrt(w)[:, None]
        penalty = alpha * np.eye(m + 1)
        both = np.linalg.solve(design.T @ design + penalty, design.T @ (y * np.sqrt(w)))
        if alpha > 0 and is_close(coef, both[1:], atol=1e-6):
            raise Incorrect("your fit penalises the intercept too: centre Z and y at their weighted "
                            "means first, solve for coef, then intercept = mean_w(y) - mean_w(Z)·coef",
                            mistake="fit-penalises-intercept")
        origin = Ridge(alpha=alpha, fit_intercept=False).fit(Z, y, sample_weight=w)
        if alpha > 0 and is_close(coef, origin.coef_, atol=1e-6):
            raise Incorrect("your fit has no intercept (it goes through the origin): centre Z and y "
                            "at their weighted means before solving", mistake="fit-no-intercept")
        worst = int(np.argmax(np.abs(coef - reference.coef_)))
        raise Incorrect(f"with alpha={alpha}, coef[{worst}] = {coef[worst]:.5g} but sklearn's "
                        f"Ridge(alpha={alpha}).fit(Z, y, sample_weight=w) gives "
                        f"{reference.coef_[worst]:.5g} (intercept {reference.intercept_:.5g}, yours "
                        f"{intercept:.5g})", mistake="alpha-coef-sklearn")
    return "equal to scikit-learn's Ridge with sample weights, with and without the penalty"


q2 = Question(
    "q2", "Weighted ridge regression by hand, against sklearn's Ridge", ["weighted_ridge_by_hand"], _check_q2,
    hints=["Centre: Zc = Z - average(Z, weights=w), yc = y - average(y, weights=w).",
           "Solve (Zc.T @ (w[:, None] * Zc) + alpha * I) coef = Zc.T @ (w * yc).",
           "intercept = average(y, weights=w) - average(Z, axis=0, weights=w) @ coef."],
    solution_code="def weighted_ridge_by_hand(Z, y, w, alpha):\n"
                  "    Z_mean = np.average(Z, axis=0, weights=w)\n"
                  "    y_mean = np.average(y, weights=w)\n"
                  "    Zc, yc = Z - Z_mean, y - y_mean\n"
                  "    A = Zc.T @ (w[:, None] * Zc) + alpha * np.eye(Z.shape[1])\n"
                  "    coef = np.linalg.solve(A, Zc.T @ (w * yc))\n"
                  "    return coef, y_mean - Z_mean @ coef")


# ------------------------------------------------------------------------------- q3: text masks
Q3_TEXTS = ["For Christmas Song visit my channel! ;) my channel, my song",
            "myself, I like my song... my   song!",
            "free free FREE gifts: visit, visit"]


def _check_q3(remove_words):
    remove_words = as_callable(remove_words, "remove_words")
    rng = np.random.RandomState(0)
    for text in Q3_TEXTS:
        tokens, word_of_token, vocabulary = split_words(text)
        for _ in range(4):
            z = rng.randint(0, 2, len(vocabulary))
            expected = texts_from_masks(tokens, word_of_token, z[None, :])[0]
            got = call_fresh(remove_words, text, list(vocabulary), z,
                               what="remove_words(text, vocabulary, z)")
            if not isinstance(got, str):
                raise Incorrect(f"remove_words should return a string, got {type(got).__name__}",
                                mistake="remove-words-string")
            if got == expected:
                continue
            removed = [v for v, keep in zip(vocabulary, z) if not keep]
            where = f"for text {text!r}, vocabulary {vocabulary} and z = {z.tolist()}"
            if got == texts_from_masks(tokens, word_of_token, 1 - z[None, :])[0]:
                raise Incorrect(f"{where} you removed the words with z = 1 and kept the others: "
                                "z_j = 1 means word j stays, 0 means it goes",
                                mistake="removed-words-kept")
            if re.findall(r"\w+", got) == re.findall(r"\w+", expected):
                raise Incorrect(f"{where} the words are right but the spacing or punctuation is not: "
                                f"keep every separator as it is (expected {expected!r}, got {got!r})",
                                mistake="words-right-spacing")
            if set(removed) & set(split_words(got)[2]):
                raise Incorrect(f"{where} a removed word is still there: with a bag of words every "
                                f"occurrence goes (expected {expected!r}, got {got!r})",
                                mistake="removed-word-bag")
            if len(got) < len(expected):
                raise Incorrect(f"{where} you removed too much, perhaps a word inside another word "
                                f"('my' inside 'myself'): remove whole words only (expected {expected!r}, "
                                f"got {got!r})", mistake="removed-too-much")
            raise Incorrect(f"{where} expected {expected!r}, got {got!r}", mistake="wrong-text")
    return "every occurrence removed, separators kept: lime's bag-of-words perturbation"


q3 = Question(
    "q3", "Text perturbation: remove the words a mask switches off", ["remove_words"], _check_q3,
    hints=["Split with the separators kept: re.split(r'(\\W+)', text) gives words and separators in turn.",
           "A token is removed when it is a word (not a separator) whose entry in z is 0.",
           "off = {w for w, keep in zip(vocabulary, z) if not keep}; "
           "''.join(t for t in re.split(r'(\\W+)', text) if t not in off)"],
    solution_code="import re\n\ndef remove_words(text, vocabulary, z):\n"
                  "    off = {word for word, keep in zip(vocabulary, z) if not keep}\n"
                  "    return ''.join(t for t in re.split(r'(\\W+)', text) if t not in off)")


# ------------------------------------------------------------------------------- q4: superpixels
def _q4_cases():
    """Fresh inputs for each check: a uint8 picture on a 3 x 4 grid of square superpixels with
    three masks (mixed, all shown, all hidden), and a float picture in [0, 1] whose six
    superpixels are irregular blobs, hidden by their mean colour as lime does."""
    rng = np.random.RandomState(4)
    image = rng.randint(0, 256, size=(12, 16, 3)).astype(np.uint8)
    segments = (np.arange(12)[:, None] // 4) * 4 + np.arange(16)[None, :] // 4   # a 3 x 4 grid
    hidden = rng.randint(0, 256, size=image.shape).astype(np.uint8)
    cases = [(image, segments, z, hidden) for z in (np.array([1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0]),
                                                    np.ones(12, int), np.zeros(12, int))]
    rows, cols = np.mgrid[0:10, 0:9]
    centres = np.array([[1, 1], [2, 7], [5, 4], [8, 1], [9, 8], [6, 0]])
    blobs = np.argmin((rows[..., None] - centres[:, 0]) ** 2 + 2 * (cols[..., None] - centres[:, 1]) ** 2,
                      axis=-1)                                       # nearest centre: irregular
    picture = np.random.default_rng(44).uniform(0, 1, size=(10, 9, 3))
    means = np.stack([picture[blobs == k].mean(axis=0) for k in range(6)])[blobs]
    return cases + [(picture, blobs, np.array([0, 1, 1, 0, 1, 0]), means)]


def _check_q4(mask_superpixels):
    mask_superpixels = as_callable(mask_superpixels, "mask_superpixels")
    call = "mask_superpixels(image, segments, z, hidden)"
    for image, segments, z, hidden in _q4_cases():
        kind = "uint8" if image.dtype == np.uint8 else "float"
        try:
            got = call_fresh(mask_superpixels, image, segments, z, hidden, what=call,
                             names=["image", "segments", "z", "hidden"])
        except Incorrect as wrong:
            if "broadcast" in str(wrong) and "in place" not in str(wrong):
                raise Incorrect("the (H, W) mask and the (H, W, 3) images do not broadcast: give "
                                "the mask a channel axis, mask[..., None]",
                                mistake="mask-images-broadcast") from None
            raise
        got = as_array(got, "mask_superpixels(...)", shape=image.shape)
        expected = perturbed_images(image, hidden, segments, z[None, :])[0]
        if np.array_equal(got, expected):
            continue
        if np.array_equal(got, perturbed_images(image, hidden, segments, 1 - z[None, :])[0]):
            raise Incorrect(f"for z = {z.tolist()} you hid the superpixels with z = 1; z'_j = 1 "
                            "means superpixel j is shown, 0 means hidden",
                            mistake="hid-superpixels-means")
        if np.array_equal(got, np.where((z[segments] == 0)[..., None], 0, image)):
            raise Incorrect("you blacked out the hidden superpixels; take their pixels from `hidden` "
                            "(the image as each superpixel looks when it is off)",
                            mistake="blacked-hidden-superpixels")
        if kind == "float" and np.allclose(got, expected, atol=1.0) and np.all(got == np.round(got)):
            raise Incorrect("on a float picture in [0, 1] your result holds whole numbers only: the "
                            "result must keep the image's dtype (np.where keeps it; an array made "
                            "with dtype=np.uint8 rounds every pixel down to 0)",
                            mistake="float-picture-result")
        wrong = int(np.sum(np.any(got != expected, axis=-1)))
        where = "" if kind == "uint8" else (" on a float picture whose 6 superpixels are "
                                            "irregular blobs (segments is any label map, not a grid)")
        raise Incorrect(f"for z = {z.tolist()}{where}, {wrong} of {segments.size} pixels differ from "
                        "the expected image: pixel (i, j) comes from hidden when z[segments[i, j]] == 0",
                        mistake="pixels-differ-image")
    return "one line of numpy: np.where((z[segments] == 0)[..., None], hidden, image)"


q4 = Question(
    "q4", "Image perturbation: hide the superpixels a mask switches off", ["mask_superpixels"], _check_q4,
    hints=["z[segments] is an (H, W) array: each pixel gets the mask value of its superpixel.",
           "Where that is 0, the pixel comes from `hidden`; elsewhere from `image`.",
           "np.where((z[segments] == 0)[..., None], hidden, image) (the [..., None] covers the 3 channels)."],
    solution_code="def mask_superpixels(image, segments, z, hidden):\n"
                  "    off = np.asarray(z)[segments] == 0\n"
                  "    return np.where(off[..., None], hidden, image)")


# ------------------------------------------------------------------------------- q5: stability
Q5_SEEDS, Q5_SAMPLES, Q5_LABEL = 10, 500, 1


def _check_q5_settings(explanations):
    """The question fixes the patient, the label, the categorical features, 10 seeds and 500
    samples; each leaves its trace in the explanations."""
    setup = cardio_setup()
    if len(explanations) != Q5_SEEDS:
        raise Incorrect(f"`explanations` holds {len(explanations)}; the question asks for "
                        f"{Q5_SEEDS} seeds (seed=seed for seed in range({Q5_SEEDS}))",
                        mistake="holds-seeds-random")
    labels = {e.label for e in explanations}
    if labels != {Q5_LABEL}:
        raise Incorrect(f"your explanations are of label {sorted(labels, key=str)}; the question "
                        f"asks for the probability of disease, label={Q5_LABEL} (explain's default)",
                        mistake="explanations-label-probability")
    hoods = [e.neighbourhood for e in explanations]
    if any(h is None for h in hoods):
        raise Incorrect("make each explanation with explainer.explain(x_patient, predict, ...)",
                        mistake="explanation-explainer-explain")
    sizes = {len(h.Z) for h in hoods}
    if sizes != {Q5_SAMPLES}:
        raise Incorrect(f"your explanations use num_samples={sorted(sizes)}; the question asks "
                        f"for num_samples={Q5_SAMPLES}", mistake="explanations-num-samples")
    columns = list(hoods[0].extra.get("columns", []))
    if columns != setup.names:
        if columns and all(c.isdigit() for c in columns):
            raise Incorrect("your explainer has no feature names: pass feature_names=names so "
                            "that the top 5 are named features", mistake="explainer-no-feature")
        raise Incorrect(f"your explanations are of a table with the columns {columns}; explain "
                        "with LimeTabular(X_small, feature_names=names, ...)",
                        mistake="explanations-table-columns")
    rows = [np.asarray(h.inputs, dtype=float)[0] for h in hoods]
    if any(not np.allclose(row, rows[0]) for row in rows):
        raise Incorrect("your explanations are not all of the same patient: explain x_patient "
                        "each time and change only seed",
                        mistake="explanations-patient-explain")
    if not np.allclose(rows[0], setup.x_patient):
        raise Incorrect("you explained another patient; the question asks for x_patient "
                        "(X_small[10])", mistake="explained-another-patient")
    named = [n for e in explanations[:1] for n in e.feature_names]
    missing = [c for c in setup.categorical if not any(str(n).startswith(c + "=") for n in named)]
    if missing:
        raise Incorrect(f"{missing} are explained as numbers; declare them categorical, "
                        "categorical_features=categorical, as the question says",
                        mistake="explained-numbers-declare")


def _check_q5(explanations, top5_agreement):
    if not isinstance(explanations, (list, tuple)) or not all(isinstance(e, Explanation) for e in explanations):
        raise Incorrect("`explanations` should be a list of explanations, one per seed, each from "
                        "explainer.explain(...)", mistake="list-explanations-per")
    if len(explanations) < 5:
        raise Incorrect(f"`explanations` holds {len(explanations)}; use {Q5_SEEDS} seeds",
                        mistake="holds-seeds")
    if len({(tuple(e.feature_names), round(e.prediction, 12)) for e in explanations}) > 1:
        raise Incorrect("your explanations are not all of the same point and label: explain the "
                        "same x each time and change only seed",
                        mistake="explanations-point-label")
    if all(e.weights == explanations[0].weights for e in explanations):
        raise Incorrect("all your explanations are identical: did you pass the same seed "
                        "each time? Use a different seed per run (seed=seed)",
                        mistake="explanations-identical-random")
    _check_q5_settings(explanations)
    hoods = [np.asarray(e.neighbourhood.Z) for e in explanations]
    if any(np.array_equal(a, b) for i, a in enumerate(hoods) for b in hoods[i + 1:]):
        raise Incorrect("two of your runs drew the same neighbours: give each run its own seed, "
                        f"seed=seed for seed in range({Q5_SEEDS})",
                        mistake="runs-drew-neighbours")
    agreement = as_number(top5_agreement, "top5_agreement")
    expected = stability(explanations, k=5).same_top_k
    if abs(agreement - expected) < 1e-9:
        return (f"in {expected:.0%} of your {len(explanations)} runs the top 5 was the most common "
                "set; the rest disagree on at least one feature")
    if abs(agreement - 100 * expected) < 1e-6:
        raise Incorrect(f"that is a percentage ({agreement:g}); give the share between 0 and 1",
                        mistake="percentage-share-between")
    ordered = [tuple(n for n, _ in e.as_list()[:5]) for e in explanations]
    mode_count = max(ordered.count(o) for o in ordered)
    if abs(agreement - mode_count / len(ordered)) < 1e-9:
        raise Incorrect("you compared the top 5 as ordered lists; compare them as sets "
                        "(frozenset), the order inside the top 5 does not matter here",
                        mistake="compared-top-ordered")
    sets = [frozenset(n for n, _ in e.as_list()[:5]) for e in explanations]
    if abs(agreement - max(sets.count(t) for t in sets)) < 1e-9:
        raise Incorrect(f"that is a count ({agreement:g}); divide by the number of runs "
                        f"({len(sets)})", mistake="count-divide-number")
    raise Incorrect(f"top5_agreement = {agreement:.4g}, but from your explanations it is "
                    f"{expected:.4g}: the share of runs whose top-5 set equals the most common top-5 set",
                    mistake="top5-agreement-explanations")


q5 = Question(
    "q5", "How stable is the top 5 across seeds?", ["explanations", "top5_agreement"], _check_q5,
    hints=["explanations = [LimeTabular(X_small, feature_names=names, categorical_features=categorical, "
           "seed=seed).explain(x_patient, predict, num_samples=500) for seed in range(10)]",
           "The top 5 of one explanation: frozenset(name for name, _ in e.as_list()[:5]).",
           "collections.Counter(sets).most_common(1)[0][1] / len(sets)"],
    solution_code="from collections import Counter\n"
                  "explanations = [LimeTabular(X_small, feature_names=names, categorical_features=categorical,\n"
                  "                            seed=seed)\n"
                  "                .explain(x_patient, predict, num_samples=500) for seed in range(10)]\n"
                  "sets = [frozenset(name for name, _ in e.as_list()[:5]) for e in explanations]\n"
                  "top5_agreement = Counter(sets).most_common(1)[0][1] / len(sets)")


# ------------------------------------------------------------------------------- q6: kernel width
def _check_q6(errors, best_width):
    errors = as_array(errors, "errors", shape=(len(WIDTHS),))
    width = as_number(best_width, "best_width")
    expected = np.array([local_fidelity_error(curved_model, POINT, w, radius=RADIUS) for w in WIDTHS])
    if not is_close(errors, expected, atol=1e-8, rtol=1e-5):
        worst = int(np.argmax(np.abs(errors - expected)))
        raise Incorrect(f"errors[{worst}] (width {WIDTHS[worst]}) is {errors[worst]:.5g}, expected "
                        f"{expected[worst]:.5g}: fit with local_fit_2d(curved_model, POINT, width) "
                        "(seed 0) and take the mean squared gap f - g on eval_points",
                        mistake="errors-fit-local")
    best = WIDTHS[int(np.argmin(expected))]
    if width == best:
        return (f"width {best} is the most faithful near the point: narrower fits noise, "
                "wider bends towards the global picture")
    scores = []
    for w in WIDTHS:
        samples, outputs, proximity, coef, intercept = local_fit_2d(curved_model, POINT, w)
        scores.append(weighted_r2(outputs, intercept + (samples - POINT) @ coef, proximity))
    r2_trap = ("LIME's own R² is weighted by the very kernel you are tuning, so it cannot "
               "compare widths; use the errors on eval_points")
    if width == WIDTHS[int(np.argmax(expected))]:
        also = (f" (it is also the width with the best R² under its own kernel: {r2_trap})"
                if width == WIDTHS[int(np.argmax(scores))] else "")
        raise Incorrect(f"that width has the *largest* error; you want the smallest (np.argmin){also}",
                        mistake="width-largest-error")
    if width == WIDTHS[int(np.argmax(scores))]:
        raise Incorrect(f"that width maximises LIME's own R²: {r2_trap}",
                        mistake="width-maximises-lime")
    raise Incorrect(f"best_width should be the width with the smallest error in `errors`, "
                    f"one of {WIDTHS}; yours is {width:g}", mistake="best-width-width")


q6 = Question(
    "q6", "Pick the kernel width that is most faithful near a point", ["errors", "best_width"], _check_q6,
    hints=["For each width: samples, outputs, proximity, coef, intercept = local_fit_2d(curved_model, POINT, width).",
           "g(p) = intercept + (p - POINT) @ coef; error = np.mean((curved_model(eval_points) - g(eval_points)) ** 2).",
           "best_width = WIDTHS[int(np.argmin(errors))]"],
    solution_code="errors = []\nfor width in WIDTHS:\n"
                  "    _, _, _, coef, intercept = local_fit_2d(curved_model, POINT, width)\n"
                  "    g = intercept + (eval_points - POINT) @ coef\n"
                  "    errors.append(np.mean((curved_model(eval_points) - g) ** 2))\n"
                  "best_width = WIDTHS[int(np.argmin(errors))]")


# ------------------------------------------------------------------------------- q7: impossible rows
Q7_SAMPLES = 2000


def _check_q7_settings(neighbourhood, columns):
    """lime's defaults (nothing categorical), x_patient, 2000 samples, seed=0."""
    declared = [str(n).split("=")[0] for n in neighbourhood.feature_names
                if "=" in str(n) and not any(sign in str(n) for sign in "<>")]
    if declared:
        raise Incorrect(f"you declared {declared} categorical; the question asks for lime's "
                        "defaults: LimeTabular(X_small, feature_names=names, seed=0), "
                        "no categorical_features", mistake="declared-categorical-lime")
    if len(neighbourhood.Z) != Q7_SAMPLES:
        raise Incorrect(f"your neighbourhood has {len(neighbourhood.Z)} rows; the question asks "
                        f"for num_samples={Q7_SAMPLES}", mistake="neighbourhood-rows-num")
    setup = cardio_setup()
    if columns != setup.names:
        return  # another table: the share is checked on the learner's own rows
    rows = np.asarray(neighbourhood.inputs, dtype=float)
    if not np.allclose(rows[0], setup.x_patient):
        raise Incorrect("you sampled around another patient; the question asks for x_patient "
                        "(X_small[10])", mistake="sampled-around-another")
    reference = LimeTabular(setup.X_small, feature_names=setup.names, seed=0).sample(
        setup.x_patient, setup.predict, num_samples=Q7_SAMPLES)
    if not np.allclose(rows, reference.inputs):
        raise Incorrect("your neighbours differ from LimeTabular(X_small, feature_names=names, "
                        "seed=0).sample(x_patient, predict, num_samples=2000): use "
                        "seed=0 and the whole X_small",
                        mistake="neighbours-differ-limetabular")


def _check_q7(neighbourhood, share_impossible):
    if not isinstance(neighbourhood, Neighbourhood) or "columns" not in neighbourhood.extra:
        raise Incorrect("`neighbourhood` should be what LimeTabular(...).sample(x, predict, ...) returns",
                        mistake="limetabular-sample")
    columns = list(neighbourhood.extra["columns"])
    if columns and all(str(c).isdigit() for c in columns):
        raise Incorrect("your explainer has no feature names, so the columns are called "
                        f"{columns[:3]}...: pass feature_names=names to LimeTabular",
                        mistake="explainer-no-feature")
    if "ap_hi" not in columns or "ap_lo" not in columns:
        raise Incorrect(f"the table you sampled from has no ap_hi and ap_lo columns (it has {columns}); "
                        "sample from the cardio table", mistake="table-sampled-no")
    _check_q7_settings(neighbourhood, columns)
    rows = np.asarray(neighbourhood.inputs, dtype=float)
    share = as_number(share_impossible, "share_impossible")
    flags = rows[:, columns.index("ap_lo")] > rows[:, columns.index("ap_hi")]
    expected = float(flags.mean())
    if abs(share - expected) < 1e-9:
        return (f"{expected:.1%} of the patients LIME asked the model about have a diastolic "
                "pressure above the systolic one: each feature was drawn on its own")
    if abs(share - float(flags.sum())) < 1e-9:
        raise Incorrect(f"that is a count ({share:g}); divide by the number of rows ({len(rows)})",
                        mistake="count-divide-number")
    Z = np.asarray(neighbourhood.Z)
    if abs(share - float((Z[:, columns.index("ap_lo")] > Z[:, columns.index("ap_hi")]).mean())) < 1e-9:
        raise Incorrect("you compared the binary z' columns; compare the values the model saw, "
                        "neighbourhood.inputs", mistake="compared-binary-columns")
    raise Incorrect(f"share_impossible = {share:.4g}, but in neighbourhood.inputs "
                    f"ap_lo > ap_hi in {expected:.4g} of the rows",
                    mistake="share-impossible-neighbourhood")


q7 = Question(
    "q7", "How many impossible patients does LIME invent?", ["neighbourhood", "share_impossible"], _check_q7,
    hints=["neighbourhood.inputs holds the rows the model saw, one column per feature, in the table's order.",
           "rows[:, i_lo] > rows[:, i_hi] with i_lo = names.index('ap_lo'), i_hi = names.index('ap_hi').",
           "share_impossible = np.mean(rows[:, i_lo] > rows[:, i_hi])"],
    solution_code="neighbourhood = LimeTabular(X_small, feature_names=names, seed=0).sample(\n"
                  "    x_patient, predict, num_samples=2000)\n"
                  "rows = neighbourhood.inputs\n"
                  "share_impossible = np.mean(rows[:, names.index('ap_lo')] > rows[:, names.index('ap_hi')])")


QUESTIONS = [q1, q2, q3, q4, q5, q6, q7]
