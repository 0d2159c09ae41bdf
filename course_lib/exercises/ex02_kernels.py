"""Exercises for notebook 02, linear separability and the kernel trick: eight checked questions.

Every check recomputes what it needs with ``course_lib.kernels`` (itself tested equal to
scikit-learn) on your own inputs or on data it generates, and tests properties of your answer;
no stored answers.
"""
from __future__ import annotations

import functools

import numpy as np
from sklearn.datasets import make_blobs, make_circles, make_moons
from sklearn.linear_model import LogisticRegression

from ..kernels import (RandomFourierFeatures, affine_map, expected_approximation_error,
                       is_linearly_separable, kernel_approximation_error, make_spirals, make_xor,
                       polar, polynomial_kernel, quadratic_features, rbf_kernel, rotation)
from . import (PLACEHOLDER, Incorrect, Question, as_array, as_callable, as_int, call_learner,
               forbidden)

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "QUESTIONS", "PLACEHOLDER",
           "q1_X", "q1_y", "q7_X", "q7_gamma", "q7_bound", "q7_seeds", "D_grid", "q8_datasets"]

#: Question 1's blobs: long and thin along the diagonal, class 0 above class 1; neither x nor y
#: alone separates them, the direction (1, -1) does.
q1_y = np.repeat([0, 1], 60)
q1_X = ((np.random.RandomState(0).normal(size=(120, 2)) * [1.0, 0.2]) @ rotation(np.pi / 4).T
        + np.where(q1_y[:, None] == 1, [1.5, 1.5], [0.5, 2.5]))

#: Question 7: the points, the kernel width, the error bound, the seeds to average over, the Ds.
q7_X = np.random.RandomState(7).uniform(-1, 1, size=(40, 2))
q7_gamma, q7_bound, q7_seeds = 2.0, 0.06, (0, 1, 2, 3, 4)
D_grid = [2 ** k for k in range(1, 14)]

#: Question 8's datasets, name -> (X, y).
q8_datasets = {
    "blobs": make_blobs(200, centers=[(-1.5, -1), (1.5, 1)], cluster_std=0.4, random_state=0),
    "circles": make_circles(200, noise=0.04, factor=0.5, random_state=0),
    "xor": make_xor(200, margin=0.15, random_state=0),
    "moons": make_moons(200, noise=0.0, random_state=0),
    "spirals": make_spirals(200, noise=0.0, random_state=0),
}

_PROBE = np.vstack([[[1, 0], [0, 1], [-1, 0], [0, -2], [-3, -4], [-2, 1e-3], [-2, -1e-3], [0.5, 0.5]],
                    np.random.RandomState(2).normal(size=(12, 2)) * 2])  # every quadrant, and both sides of theta = pi


def _worst(gap) -> tuple:
    return np.unravel_index(int(np.argmax(gap)), gap.shape)


# ------------------------------------------------------------------------------- q1
def _check_q1(A, b):
    A = as_array(A, "A", shape=(2, 2))
    b = as_array(b, "b", shape=(2,))
    if abs(np.linalg.det(A)) < 1e-9 * max(1.0, np.abs(A).max() ** 2):
        raise Incorrect("your A has determinant 0: it squashes the whole plane onto a line (or a point), "
                        "where the classes pile up; use an invertible map (rotate, scale, shear)")
    Z = affine_map(q1_X, A, b)
    right = (Z[:, 0] > 0) == (q1_y == 1)
    if right.all():
        return "every red point is right of the axis z1 = 0, every blue one left of it"
    if (~right).all():
        raise Incorrect("the axis separates the classes, but the wrong way round: class 1 must be on the "
                        "right (z1 > 0); turn by another 180 degrees or flip the sign of A's first row")
    # an invertible map keeps linear separability, so a line does separate Z: is it vertical?
    low, high = Z[q1_y == 0, 0].max(), Z[q1_y == 1, 0].min()
    if low < high:
        todo = (f"the gap already runs up-down, between z1 = {low:.3g} and {high:.3g}: shift it onto "
                f"z1 = 0 with b[0] (e.g. b[0] = {b[0] - (low + high) / 2:.3g})")
    else:
        todo = "rotate first so that the gap between the classes runs up-down, then shift it onto z1 = 0 with b"
    raise Incorrect(f"{int((~right).sum())} of {len(right)} points are on the wrong side of the axis z1 = 0. "
                    f"A line does separate your mapped points (an invertible map never changes that), "
                    f"but not the vertical axis: {todo}")


q1 = Question(
    "q1", "a 2x2 map that moves the blobs to the two sides of the vertical axis", ["A", "b"], _check_q1,
    hints=["Plot q1_X: the classes are split by a diagonal gap. Which direction is across the gap?",
           "The first row of A decides z1 = A[0] . x + b[0]. Across the gap is the direction (1, -1).",
           "With A[0] = (1, -1), class 0 gets z1 near -2 and class 1 near 0: b[0] = 1 centres the gap. "
           "The second row can be anything that keeps A invertible, e.g. (0, 1)."],
    solution_code="A = np.array([[1.0, -1.0], [0.0, 1.0]])\nb = np.array([1.0, 0.0])")


# ------------------------------------------------------------------------------- q2
def _check_q2(to_polar):
    function = as_callable(to_polar, "to_polar")
    got = call_learner(function, _PROBE.copy(), what="to_polar(X)")
    got = as_array(got, "to_polar(X)", finite=False)
    if got.shape == (2, len(_PROBE)):
        raise Incorrect(f"to_polar(X) has shape {got.shape}: one row per point, please, with columns "
                        "(r, theta); np.column_stack([r, theta]) builds that")
    got = as_array(got, "to_polar(X)", shape=(len(_PROBE), 2))
    want = polar(_PROBE)
    r, theta = got[:, 0], got[:, 1]
    if np.allclose(got[:, ::-1], want, atol=1e-9):
        raise Incorrect("your columns are (theta, r); the question asks for (r, theta)")
    if not np.allclose(r, want[:, 0], atol=1e-9):
        if np.allclose(r, want[:, 0] ** 2, atol=1e-9):
            raise Incorrect("your r is the squared radius x^2 + y^2: take its square root (or np.hypot)")
        k = int(np.argmax(np.abs(r - want[:, 0])))
        raise Incorrect(f"r of the point {tuple(_PROBE[k].round(3))} should be {want[k, 0]:.4g}, you have {r[k]:.4g}")
    if np.allclose(theta, np.degrees(want[:, 1]), atol=1e-7):
        raise Incorrect("your theta is in degrees; keep radians (np.arctan2 returns radians)")
    gap = np.abs(np.angle(np.exp(1j * (theta - want[:, 1]))))  # angles equal modulo 2 pi
    if np.all(gap < 1e-9):
        note = "" if np.allclose(theta, want[:, 1], atol=1e-9) else \
            " (your angles differ from np.arctan2's by whole turns, which is the same direction)"
        return "r >= 0 and theta in the right quadrant for every test point" + note
    if np.allclose(theta, np.arctan2(_PROBE[:, 0], _PROBE[:, 1]), atol=1e-9):
        raise Incorrect("you swapped the arguments: np.arctan2(y, x) takes y first")
    k = int(np.argmax(gap))
    if np.all((gap < 1e-9) | (np.abs(gap - np.pi) < 1e-9)):
        raise Incorrect(f"theta of {tuple(_PROBE[k].round(3))} is off by pi: np.arctan(y / x) cannot tell "
                        "(1, 1) from (-1, -1); np.arctan2(y, x) looks at both signs")
    raise Incorrect(f"theta of the point {tuple(_PROBE[k].round(3))} should be {want[k, 1]:.4g} radians, "
                    f"you have {theta[k]:.4g}")


q2 = Question(
    "q2", "the polar map (x, y) -> (r, theta)", ["to_polar"], _check_q2,
    hints=["r is the distance from the origin; theta the angle from the positive x axis.",
           "np.hypot(x, y) and np.arctan2(y, x) (y first!) do it for whole columns at once."],
    solution_code='''def to_polar(X):
    x, y = X[:, 0], X[:, 1]
    return np.column_stack([np.hypot(x, y), np.arctan2(y, x)])''')


# ------------------------------------------------------------------------------- q3
def _check_q3(phi):
    function = as_callable(phi, "phi")
    X = np.vstack([[[0, 0], [1, 0], [2, 0], [0, 1], [1, 1], [1, -1]], np.random.RandomState(3).normal(size=(6, 2))])
    features = as_array(call_learner(function, X.copy(), what="phi(X)"), "phi(X)", ndim=2)
    if features.shape[0] != len(X):
        raise Incorrect(f"phi(X) has {features.shape[0]} rows for {len(X)} points; return one row of "
                        "features per point")
    gram = features @ features.T
    want = polynomial_kernel(X, degree=2, gamma=1.0, coef0=1.0)
    if np.allclose(gram, want, rtol=1e-9, atol=1e-9):
        return (f"{features.shape[1]} features whose dot products are exactly (x.y + 1)^2; the kernel "
                "computes the same number from x.y alone")
    if abs(gram[0, 0] - 1) > 1e-9:
        raise Incorrect(f"phi(0) . phi(0) should be (0 + 1)^2 = 1, yours is {gram[0, 0]:.4g}: a constant "
                        "feature 1 gives the 1 in (x.y + 1)^2")
    if abs(gram[1, 2] - 9) > 1e-9:  # x = (1, 0), y = (2, 0): only the x1 terms matter
        raise Incorrect(f"for x = (1, 0), y = (2, 0), (x.y + 1)^2 = 9, yours gives {gram[1, 2]:.4g}: "
                        "(t + 1)^2 = 1 + 2t + t^2 needs the feature sqrt(2) x1 next to x1^2")
    i, j = _worst(np.abs(gram - want))
    raise Incorrect(f"phi(x) . phi(y) should be (x.y + 1)^2; for x = {tuple(X[i].round(3))}, y = "
                    f"{tuple(X[j].round(3))} that is {want[i, j]:.4g}, yours gives {gram[i, j]:.4g}. "
                    "Expand (x1 y1 + x2 y2 + 1)^2: the cross term 2 x1 x2 y1 y2 needs sqrt(2) x1 x2")


q3 = Question(
    "q3", "an explicit feature map for the kernel (x.y + 1)^2", ["phi"], _check_q3,
    hints=["Expand (x1 y1 + x2 y2 + 1)^2 into six terms, and write each as (something of x) times "
           "(the same thing of y).",
           "1 + 2 x1 y1 + 2 x2 y2 + x1^2 y1^2 + x2^2 y2^2 + 2 x1 x2 y1 y2: the features are 1, sqrt(2) x1, "
           "sqrt(2) x2, x1^2, x2^2, sqrt(2) x1 x2."],
    solution_code='''def phi(X):
    x1, x2 = X[:, 0], X[:, 1]
    s = np.sqrt(2)
    return np.column_stack([np.ones(len(X)), s * x1, s * x2, x1 ** 2, x2 ** 2, s * x1 * x2])''')


# ------------------------------------------------------------------------------- q4
def _check_q4(rbf_gram):
    function = as_callable(rbf_gram, "rbf_gram")
    X = np.random.RandomState(4).normal(size=(7, 3))
    for gamma in (0.5, 2.0):
        call = f"rbf_gram(X, gamma={gamma})"
        with forbidden(["sklearn.metrics.pairwise.rbf_kernel", "course_lib.kernels.rbf_kernel"],
                       function, compare="sklearn.metrics.pairwise.rbf_kernel"):
            result = call_learner(function, X.copy(), gamma, what=call)
        got = as_array(result, call, finite=False)
        if got.shape != (7, 7):
            raise Incorrect(f"{call} has shape {got.shape} for 7 points; the Gram matrix holds one entry "
                            "per pair of points: (7, 7)")
        got = as_array(got, call)
        want = rbf_kernel(X, gamma=gamma)
        if np.allclose(got, want, rtol=1e-9, atol=1e-12):
            continue
        d2 = ((X[:, None, :] - X[None, :, :]) ** 2).sum(-1)
        suspects = {
            "you used the distance ||x - y||, not its square": np.exp(-gamma * np.sqrt(d2)),
            "the exponent needs a minus sign: exp(-gamma d^2) is at most 1": np.exp(gamma * d2),
            "you divided by gamma; here gamma multiplies: exp(-gamma ||x - y||^2)": np.exp(-d2 / gamma),
            "that is exp(-d^2 / (2 gamma)); here k = exp(-gamma ||x - y||^2) with no 2": np.exp(-d2 / (2 * gamma)),
        }
        for message, values in suspects.items():
            if np.allclose(got, values, rtol=1e-9, atol=1e-12):
                raise Incorrect(message)
        i, j = _worst(np.abs(got - want))
        raise Incorrect(f"entry [{i}, {j}] of {call} should be {want[i, j]:.6g}, you have {got[i, j]:.6g}"
                        + ("; the diagonal k(x, x) must be 1" if i == j else ""))
    return "equal to sklearn.metrics.pairwise.rbf_kernel for two values of gamma"


q4 = Question(
    "q4", "the RBF Gram matrix", ["rbf_gram"], _check_q4,
    hints=["You need ||x_i - x_j||^2 for every pair: X[:, None, :] - X[None, :, :] has shape (n, n, d).",
           "Square, sum over the last axis, multiply by -gamma, take np.exp."],
    solution_code='''def rbf_gram(X, gamma):
    squared_distances = ((X[:, None, :] - X[None, :, :]) ** 2).sum(axis=-1)
    return np.exp(-gamma * squared_distances)''')


# ------------------------------------------------------------------------------- q5
def _check_q5(random_features):
    function = as_callable(random_features, "random_features")
    X = np.random.RandomState(5).normal(size=(6, 2))
    reference = RandomFourierFeatures(50, gamma=0.5, random_state=5).fit(X)
    W, b = reference.random_weights_, reference.random_offset_
    call = "random_features(X, W, b)"
    got = as_array(call_learner(function, X.copy(), W.copy(), b.copy(), what=call), call, finite=False)
    if got.shape != (6, 50):
        raise Incorrect(f"{call} has shape {got.shape}; with 6 points and W of shape (2, 50) it should be "
                        "(6, 50): one row per point, one column per random feature")
    got = as_array(got, call)
    want = reference.transform(X)
    if np.allclose(got, want, rtol=1e-9, atol=1e-12):
        return "z(x) = sqrt(2/D) cos(x W + b): equal to scikit-learn's RBFSampler with the same W and b"
    D, projection = W.shape[1], X @ W + b
    suspects = {
        "scale by sqrt(2 / D): without it z(x).z(y) adds up D terms instead of averaging them": np.cos(projection),
        "the factor is sqrt(2 / D), not sqrt(1 / D): with 1/D, z(x).z(y) approximates k / 2": np.cos(projection) / np.sqrt(D),
        "use the cosine, not the sine": np.sqrt(2 / D) * np.sin(projection),
        "add the offset b inside the cosine: cos(x W + b)": np.sqrt(2 / D) * np.cos(X @ W),
    }
    for message, values in suspects.items():
        if np.allclose(got, values, rtol=1e-9, atol=1e-12):
            raise Incorrect(message)
    i, j = _worst(np.abs(got - want))
    raise Incorrect(f"feature {j} of point {i} should be {want[i, j]:.6g}, you have {got[i, j]:.6g}; "
                    "z(x) = sqrt(2 / D) * np.cos(x @ W + b)")


q5 = Question(
    "q5", "random Fourier features from given weights", ["random_features"], _check_q5,
    hints=["X @ W has shape (n, D); adding b (shape (D,)) broadcasts over the rows.",
           "D = W.shape[1]; return np.sqrt(2 / D) * np.cos(X @ W + b)."],
    solution_code='''def random_features(X, W, b):
    D = W.shape[1]
    return np.sqrt(2 / D) * np.cos(X @ W + b)''')


# ------------------------------------------------------------------------------- q6
def _draw(function, n_features, D, gamma, seed):
    call = f"draw_weights({n_features}, {D}, {gamma}, {seed})"
    got = call_learner(function, n_features, D, gamma, seed, what=call)
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise Incorrect(f"{call} should return two arrays (W, b), got {type(got).__name__}")
    W = as_array(got[0], f"W from {call}", shape=(n_features, D))
    b = as_array(got[1], f"b from {call}", shape=(D,))
    return W, b


def _check_q6(draw_weights):
    function = as_callable(draw_weights, "draw_weights")
    W, b = _draw(function, 2, 20_000, 0.5, 0)
    W_again, b_again = _draw(function, 2, 20_000, 0.5, 0)
    if not (np.array_equal(W, W_again) and np.array_equal(b, b_again)):
        raise Incorrect("two calls with seed=0 give different draws: make rng = np.random.default_rng(seed) "
                        "inside the function and draw from it")
    if np.array_equal(W, _draw(function, 2, 20_000, 0.5, 1)[0]):
        raise Incorrect("seed=0 and seed=1 give the same W: draw from a generator seeded with `seed`")
    if b.min() < 0 or b.max() >= 2 * np.pi or abs(b.mean() - np.pi) > 0.1 or abs(b.std() - 2 * np.pi / np.sqrt(12)) > 0.1:
        raise Incorrect(f"b should be uniform on [0, 2 pi) (mean about 3.14, values between 0 and 6.28); yours "
                        f"has mean {b.mean():.3g}, min {b.min():.3g}, max {b.max():.3g}")
    for gamma in (3.0, 0.5):  # 3 first: gamma, sqrt(gamma), 2 gamma and 1 all differ
        W, b = _draw(function, 2, 20_000, gamma, 0)
        spread, want = W.std(), np.sqrt(2 * gamma)
        if abs(W.mean()) > 0.1 * want or abs(spread / want - 1) > 0.05:
            named = {1.0: "1", gamma: "gamma", np.sqrt(gamma): "sqrt(gamma)", 2 * gamma: "2 gamma"}
            guess = min(named, key=lambda v: abs(v - spread))
            like = f" (that is {named[guess]})" if abs(guess / spread - 1) < 0.05 else ""
            raise Incorrect(f"with gamma={gamma}, W should be normal with mean 0 and standard deviation "
                            f"sqrt(2 gamma) = {want:.3g}; yours has mean {W.mean():.3g} and standard "
                            f"deviation {spread:.3g}{like}")
    # the whole point: the features must approximate the RBF kernel
    X = np.random.RandomState(6).uniform(-1, 1, size=(20, 2))
    W, b = _draw(function, 2, 4000, 1.0, 0)
    Z = np.sqrt(2 / 4000) * np.cos(X @ W + b)
    error = float(np.sqrt(np.mean((Z @ Z.T - rbf_kernel(X, gamma=1.0)) ** 2)))
    expected = expected_approximation_error(X, 4000, 1.0)
    if error > 3 * expected:
        raise Incorrect(f"with D = 4000 your features approximate exp(-||x - y||^2) with an RMS error of "
                        f"{error:.3g}, more than 3 times the {expected:.3g} expected: is W normal (not "
                        "uniform) and drawn independently for every entry?")
    return f"the kernel is approximated to {error:.3f} with D = 4000 (expected about {expected:.3f})"


q6 = Question(
    "q6", "draw the random weights W and offsets b", ["draw_weights"], _check_q6,
    hints=["rng = np.random.default_rng(seed); rng.normal(0, scale, size=...) and rng.uniform(low, high, size=...).",
           "W ~ N(0, 2 gamma): its standard deviation (numpy's `scale`) is sqrt(2 gamma), not 2 gamma.",
           "W has shape (n_features, n_components) and b shape (n_components,), uniform on [0, 2 pi)."],
    solution_code='''def draw_weights(n_features, n_components, gamma, seed):
    rng = np.random.default_rng(seed)
    W = rng.normal(0.0, np.sqrt(2 * gamma), size=(n_features, n_components))
    b = rng.uniform(0.0, 2 * np.pi, size=n_components)
    return W, b''')


# ------------------------------------------------------------------------------- q7
@functools.lru_cache(maxsize=None)
def q7_error(D: int) -> float:
    """The question's error at D: the RMS kernel error on q7_X averaged over the seeds q7_seeds."""
    return float(np.mean([kernel_approximation_error(q7_X, D, q7_gamma, random_state=s) for s in q7_seeds]))


def _check_q7(smallest_D):
    D = as_int(smallest_D, "smallest_D")
    if D not in D_grid:
        raise Incorrect(f"pick smallest_D from D_grid (powers of two from 2 to {D_grid[-1]}), got {D}")
    if q7_error(D) >= q7_bound:
        raise Incorrect(f"at D = {D} the error is {q7_error(D):.4f}, not below {q7_bound}: "
                        "the error falls like 1/sqrt(D), so go further along D_grid")
    k = D_grid.index(D)
    smaller = [d for d in D_grid[:k] if q7_error(d) < q7_bound]
    if smaller:
        raise Incorrect(f"D = {smaller[0]} already gets {q7_error(smaller[0]):.4f} < {q7_bound}; "
                        "you want the smallest such D")
    before = f"{q7_error(D_grid[k - 1]):.4f} at D = {D_grid[k - 1]}, " if k > 0 else ""
    return f"{before}{q7_error(D):.4f} at D = {D}: four times the features, half the error"


q7 = Question(
    "q7", "the smallest D whose kernel error is below the bound", ["smallest_D"], _check_q7,
    hints=["For each D in D_grid, average kernel_approximation_error(q7_X, D, q7_gamma, random_state=s) "
           "over s in q7_seeds, and compare with q7_bound.",
           "Or use the rate to guess first: the error at D is about error_16 * sqrt(16 / D); then check the "
           "D_grid values around your guess, because each D has its own random draws."],
    solution_code='''errors = {D: np.mean([kernel_approximation_error(q7_X, D, q7_gamma, random_state=s)
                     for s in q7_seeds]) for D in D_grid}
smallest_D = min(D for D, error in errors.items() if error < q7_bound)''')


# ------------------------------------------------------------------------------- q8
@functools.lru_cache(maxsize=None)
def _q8_truth() -> dict:
    return {name: is_linearly_separable(quadratic_features(X), y) for name, (X, y) in q8_datasets.items()}


def _names(value) -> set:
    if isinstance(value, (str, bytes)):
        raise Incorrect(f"separable should be a set of names such as {{'{value if isinstance(value, str) else 'xor'}'}}, "
                        "not a single string")
    if isinstance(value, dict):
        value = [k for k, v in value.items() if v is True]
    if isinstance(value, np.ndarray):
        value = value.ravel().tolist() if value.size < 100 else None
    if not isinstance(value, (set, frozenset, list, tuple)):
        raise Incorrect(f"separable should be a set of dataset names (e.g. {{'blobs'}}), got {type(value).__name__}")
    unknown = [v for v in value if not isinstance(v, str) or v not in q8_datasets]
    if unknown:
        raise Incorrect(f"{str(unknown[0])[:30]!r} is not one of the datasets {sorted(q8_datasets)}")
    return set(value)


def _accuracy(name) -> float:
    X, y = q8_datasets[name]
    features = quadratic_features(X)
    return LogisticRegression(C=1e4, max_iter=5000).fit(features, y).score(features, y)


def _check_q8(separable):
    answer = _names(separable)
    truth = {name for name, ok in _q8_truth().items() if ok}
    for name in sorted(answer - truth):
        raise Incorrect(f"you included '{name}', but no hyperplane separates quadratic_features of it: the "
                        f"best logistic regression on those features gets only {_accuracy(name):.0%} right")
    reasons = {"blobs": "x1 and x2 are among the features, so any line that worked before still works",
               "circles": "x1^2 + x2^2 = r^2 is a sum of two features, and r separates the circles",
               "xor": "x1 * x2 is (up to sqrt 2) a feature, and its sign is the label"}
    for name in sorted(truth - answer):
        raise Incorrect(f"you left out '{name}': " + reasons.get(name, "a hyperplane separates it after the map"))
    return ("a quadratic map bends the boundary into a conic section (circle, ellipse, hyperbola, two lines); "
            "moons and spirals need more")


q8 = Question(
    "q8", "which datasets become linearly separable after the quadratic map", ["separable"], _check_q8,
    hints=["A hyperplane in the quadratic features is a curve a x1^2 + b x2^2 + c x1 x2 + d x1 + e x2 + f = 0 "
           "in the plane: an ellipse, a hyperbola, a parabola or a pair of lines.",
           "You can test it: is_linearly_separable(quadratic_features(X), y) for each (X, y) in q8_datasets."],
    solution_code='''separable = {name for name, (X, y) in q8_datasets.items()
             if is_linearly_separable(quadratic_features(X), y)}   # {'blobs', 'circles', 'xor'}''')


QUESTIONS = [q1, q2, q3, q4, q5, q6, q7, q8]
