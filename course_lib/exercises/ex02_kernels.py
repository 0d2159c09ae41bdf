"""Exercises for notebook 02, linear separability and the kernel trick: eight checked questions.

The function questions (q2-q6) call your function on fresh inputs the check builds itself (points
in every quadrant and on both sides of theta = pi, several point sets and widths) and refuse an
answer that changes its inputs in place; the others check your values against
``course_lib.kernels`` (itself tested equal to scikit-learn); no stored answers.
"""
from __future__ import annotations

import functools

import numpy as np
from sklearn.datasets import make_blobs, make_circles, make_moons
from sklearn.linear_model import LogisticRegression

from ..kernels import (RandomFourierFeatures, affine_map, expected_approximation_error,
                       is_linearly_separable, kernel_approximation_error, make_spirals, make_xor,
                       polar, polynomial_kernel, quadratic_features, rbf_kernel, rotation)
from . import (PLACEHOLDER, Incorrect, Question, as_array, as_callable, as_int, call_fresh,
               call_learner, forbidden, plain, uses_python_loop, mistake_from)

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "QUESTIONS", "PLACEHOLDER",
           "q1_X", "q1_y", "q7_X", "q7_gamma", "q7_bound", "q7_seeds", "D_grid", "q8_datasets"]

#: Question 1's blobs: long and thin along the diagonal, class 0 above class 1; neither x nor y
#: alone separates them, the direction (1, -1) does.
q1_y = np.repeat([0, 1], 60)
q1_X = ((np.random.RandomState(0).normal(size=(120, 2)) * [1.0, 0.2]) @ rotation(np.pi / 4).T
        + np.where(q1_y[:, None] == 1, [1.5, 1.5], [0.5, 2.5]))

#: Question 7: the points, the kernel width, the error bound, the seeds to average over, the Ds.
q7_X = np.random.RandomState(7).uniform(-1, 1, size=(40, 2))
q7_gamma, q7_bound, q7_seeds = 2.0, 0.07, (1, 2, 3, 5, 8)  # one seed alone gives another D
D_grid = [2 ** k for k in range(1, 14)]

#: Question 8's datasets, name -> (X, y).
q8_datasets = {
    "blobs": make_blobs(200, centers=[(-1.5, -1), (1.5, 1)], cluster_std=0.4, random_state=0),
    "circles": make_circles(200, noise=0.04, factor=0.5, random_state=0),
    "xor": make_xor(200, margin=0.15, seed=0),
    "moons": make_moons(200, noise=0.0, random_state=0),
    "spirals": make_spirals(200, noise=0.0, seed=0),
}

_PROBE = np.vstack([[[1, 0], [0, 1], [-1, 0], [0, -2], [-3, -4], [-2, 1e-3], [-2, -1e-3], [0.5, 0.5]],
                    np.random.RandomState(2).normal(size=(12, 2)) * 2])  # every quadrant, and both sides of theta = pi


def _worst(gap) -> tuple:
    return np.unravel_index(int(np.argmax(gap)), gap.shape)


# ------------------------------------------------------------------------------- q1
def _check_q1(A, b):
    A = as_array(A, "A", shape=(2, 2))
    b = as_array(b, "b")
    if b.shape in ((), (1,)):  # one number: the same offset on both coordinates
        b = np.full(2, float(b.reshape(-1)[0]))
    b = as_array(b, "b", shape=(2,))
    Z = affine_map(q1_X, A, b)
    right = (Z[:, 0] > 0) == (q1_y == 1)
    if right.all():
        return "every red point is right of the axis z1 = 0, every blue one left of it"
    if (~right).all():
        raise Incorrect("the axis separates the classes, but the wrong way round: class 1 must be on the "
                        "right (z1 > 0); turn by another 180 degrees or flip the sign of A's first row",
                        mistake="axis-separates-classes")
    if np.allclose(A[0], 0):
        raise Incorrect("the first row of A is zero, so z1 = b[0] for every point and all land on one side: "
                        "z1 = A[0] . x + b[0] must grow across the gap between the classes",
                        mistake="first-row-zero")
    # z1 = A[0] . x + b[0]: a line separates the classes along A[0] when the projections do not overlap
    low, high = Z[q1_y == 0, 0].max(), Z[q1_y == 1, 0].min()
    if low < high:
        todo = (f"the gap already runs up-down, between z1 = {plain(low, 3)} and {plain(high, 3)}: shift it "
                f"onto z1 = 0 with b[0] (e.g. b[0] = {plain(b[0] - (low + high) / 2, 3)})")
    else:
        todo = "turn A's first row so that it points across the gap between the classes, then shift with b"
    raise Incorrect(f"{int((~right).sum())} of {len(right)} points are on the wrong side of the axis z1 = 0: "
                    f"{todo}", mistake="points-wrong-side")


q1 = Question(
    "q1", "a 2x2 map that moves the blobs to the two sides of the vertical axis", ["A", "b"], _check_q1,
    hints=["Plot q1_X: the classes are split by a diagonal gap. Which direction is across the gap?",
           "The first row of A decides z1 = A[0] . x + b[0]. Across the gap is the direction (1, -1).",
           "With A[0] = (1, -1), class 0 gets z1 near -2 and class 1 near 0: b[0] = 1 centres the gap. "
           "Only the first row decides the side; the second can be anything, e.g. (0, 1)."],
    solution_code="A = np.array([[1.0, -1.0], [0.0, 1.0]])\nb = np.array([1.0, 0.0])  # a number works too: b = 1.0")


# ------------------------------------------------------------------------------- q2
def _point(row) -> str:
    return "(" + ", ".join(plain(v, 3) for v in row) + ")"


def _q2_sets():
    """Points in every quadrant, on the axes, just above and below the negative x axis (theta
    near pi and near -pi), and one point on it (theta = pi exactly, inside (-pi, pi])."""
    return [_PROBE, np.array([[-1.0, 0.0], [-3.0, 1e-9], [-3.0, -1e-9], [0.0, 3.0], [0.0, -0.5],
                              [2.0, 2.0], [-2.0, -2.0], [1e-3, -4.0]]),
            np.random.RandomState(22).uniform(-5, 5, size=(9, 2))]


def _check_q2(to_polar):
    function = as_callable(to_polar, "to_polar")
    for X in _q2_sets():
        call = f"to_polar(X of {len(X)} points)"
        got = as_array(call_fresh(function, X, what=call, names=["X"]), call, finite=False)
        if got.shape == (2, len(X)):
            raise Incorrect(f"to_polar(X) has shape {got.shape}: one row per point, please, with "
                            "columns (r, theta); np.column_stack([r, theta]) builds that",
                            mistake="polar-shape-row")
        got = as_array(got, call, shape=(len(X), 2))
        want = polar(X)
        r, theta = got[:, 0], got[:, 1]
        if np.allclose(got[:, ::-1], want, atol=1e-9):
            raise Incorrect("your columns are (theta, r); the question asks for (r, theta)",
                            mistake="columns-swapped")
        if not np.allclose(r, want[:, 0], atol=1e-9):
            if np.allclose(r, want[:, 0] ** 2, atol=1e-9):
                raise Incorrect("your r is the squared radius x^2 + y^2: take its square root (or np.hypot)",
                                mistake="squared-radius-take")
            k = int(np.argmax(np.abs(r - want[:, 0])))
            raise Incorrect(f"r of the point {_point(X[k])} should be {plain(want[k, 0], 4)}, you have "
                            f"{plain(r[k], 4)}", mistake="radius-off")
        if np.allclose(theta, want[:, 1], atol=1e-9):
            continue
        if np.allclose(theta, np.degrees(want[:, 1]), atol=1e-7):
            raise Incorrect("your theta is in degrees; keep radians (np.arctan2 returns radians)",
                            mistake="theta-degrees-keep")
        gap = np.abs(np.angle(np.exp(1j * (theta - want[:, 1]))))  # equal modulo 2 pi
        if np.all(gap < 1e-9):
            k = int(np.argmax(np.abs(theta - want[:, 1])))
            raise Incorrect(f"theta of {_point(X[k])} is {plain(theta[k], 4)}, the right direction but "
                            f"outside (-pi, pi]: the question asks for np.arctan2's range (no % (2 pi), "
                            f"no + 2 pi); here theta = {plain(want[k, 1], 4)}",
                            mistake="theta-right-direction")
        if np.allclose(theta, np.arctan2(X[:, 0], X[:, 1]), atol=1e-9):
            raise Incorrect("you swapped the arguments: np.arctan2(y, x) takes y first",
                            mistake="swapped-arguments-np")
        k = int(np.argmax(gap))
        if np.all((gap < 1e-9) | (np.abs(gap - np.pi) < 1e-9)):
            raise Incorrect(f"theta of {_point(X[k])} is off by pi: np.arctan(y / x) cannot tell "
                            "(1, 1) from (-1, -1); np.arctan2(y, x) looks at both signs",
                            mistake="theta-off-pi")
        raise Incorrect(f"theta of the point {_point(X[k])} should be {plain(want[k, 1], 4)} radians, "
                        f"you have {plain(theta[k], 4)}", mistake="theta-point-radians")
    return "r >= 0 and theta in (-pi, pi] in every quadrant, and on both sides of theta = pi"


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
    sets = [np.vstack([[[0, 0], [1, 0], [2, 0], [0, 1], [1, 1], [1, -1]],
                       np.random.RandomState(3).normal(size=(6, 2))]),
            np.random.RandomState(33).uniform(-2, 2, size=(9, 2))]
    for X in sets:
        call = f"phi(X of {len(X)} points)"
        features = as_array(call_fresh(function, X, what=call, names=["X"]), call, ndim=2)
        want = polynomial_kernel(X, degree=2, gamma=1.0, coef0=1.0)
        if features.shape == (len(X), len(X)) and np.allclose(features, want, atol=1e-9):
            raise Incorrect(f"{call} returns the Gram matrix (x.y + 1)^2 itself, shape {features.shape}; "
                            "the question asks for the features phi(X): one row per point, six columns, "
                            "whose dot products give that matrix", mistake="gram-matrix-itself")
        if features.shape[0] != len(X):
            raise Incorrect(f"{call} has {features.shape[0]} rows for {len(X)} points; return one row of "
                            "features per point", mistake="rows-points-row")
        gram = features @ features.T
        if np.allclose(gram, want, rtol=1e-9, atol=1e-9):
            continue
        if np.allclose(gram, (X @ X.T) ** 2, atol=1e-9):
            raise Incorrect("your features give (x.y)^2, without the + 1: add the constant feature 1 and "
                            "sqrt(2) x1, sqrt(2) x2", mistake="features-without-add")
        if abs(gram[0, 0] - (X[0] @ X[0] + 1) ** 2) > 1e-9 and np.allclose(X[0], 0):
            raise Incorrect(f"phi(0) . phi(0) should be (0 + 1)^2 = 1, yours is {plain(gram[0, 0], 4)}: a "
                            "constant feature 1 gives the 1 in (x.y + 1)^2",
                            mistake="no-constant-feature")
        if np.allclose(X[1], [1, 0]) and abs(gram[1, 2] - 9) > 1e-9:
            raise Incorrect(f"for x = (1, 0), y = (2, 0), (x.y + 1)^2 = 9, yours gives {plain(gram[1, 2], 4)}: "
                            "(t + 1)^2 = 1 + 2t + t^2 needs the feature sqrt(2) x1 next to x1^2",
                            mistake="yours-feature-sqrt")
        i, j = _worst(np.abs(gram - want))
        raise Incorrect(f"phi(x) . phi(y) should be (x.y + 1)^2; for x = {_point(X[i])}, y = "
                        f"{_point(X[j])} that is {plain(want[i, j], 4)}, yours gives "
                        f"{plain(gram[i, j], 4)}. Expand (x1 y1 + x2 y2 + 1)^2: the cross term "
                        "2 x1 x2 y1 y2 needs sqrt(2) x1 x2", mistake="kernel-not-matched")
    return ("six features whose dot products are exactly (x.y + 1)^2; the kernel computes the same "
            "number from x.y alone")


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
    loop = uses_python_loop(function)
    if loop:
        raise Incorrect(f"rbf_gram uses a Python loop ({loop}); the question asks for numpy only: "
                        "X[:, None, :] - X[None, :, :] gives every difference at once",
                        mistake="rbf-gram-uses")
    for X, gamma in ((np.random.RandomState(44).normal(size=(5, 2)), 2.0),  # 2: d/(2 gamma) != d
                     (np.random.RandomState(4).normal(size=(7, 3)), 0.5),
                     (np.random.RandomState(45).normal(size=(4, 5)), 0.1)):
        n = len(X)
        call = f"rbf_gram(X of shape {X.shape}, gamma={gamma})"
        with forbidden(["sklearn.metrics.pairwise.rbf_kernel", "course_lib.kernels.rbf_kernel",
                        "scipy.spatial.distance.cdist", "scipy.spatial.distance.pdist",
                        "sklearn.metrics.pairwise.euclidean_distances"],
                       function, compare="sklearn.metrics.pairwise.rbf_kernel"):
            result = call_fresh(function, X, gamma, what=call, names=["X", "gamma"])
        got = as_array(result, call, finite=False)
        if got.shape != (n, n):
            raise Incorrect(f"{call} has shape {got.shape} for {n} points; the Gram matrix holds one "
                            f"entry per pair of points: ({n}, {n})", mistake="shape-points-gram")
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
            "you left out gamma (or used 1): k = exp(-gamma ||x - y||^2)": np.exp(-d2),
            "you summed the squared differences over the points, not over the coordinates: "
            "sum over the last axis (axis=-1)": np.exp(-gamma * ((X[:, None, :] - X[None, :, :]) ** 2).sum(0))
            if X.shape[0] == X.shape[1] else np.full((n, n), np.nan),
            "you used exp(-gamma * x . y), the dot product; the RBF kernel uses the squared distance "
            "||x - y||^2": np.exp(-gamma * X @ X.T),
        }
        for message, values in suspects.items():
            if np.allclose(got, values, rtol=1e-9, atol=1e-12):
                raise Incorrect(message, mistake=mistake_from(message))
        i, j = _worst(np.abs(got - want))
        raise Incorrect(f"entry [{i}, {j}] of {call} should be {plain(want[i, j])}, you have {plain(got[i, j])}"
                        + ("; the diagonal k(x, x) must be 1" if i == j else ""),
                        mistake="entry-diagonal")
    return "equal to sklearn.metrics.pairwise.rbf_kernel for three point sets and values of gamma"


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
    for seed, n, d, D in ((5, 6, 2, 50), (55, 4, 3, 7)):
        X = np.random.RandomState(seed).normal(size=(n, d))
        reference = RandomFourierFeatures(D, gamma=0.5, seed=seed).fit(X)
        W, b = reference.random_weights_, reference.random_offset_
        _check_q5_case(function, X, W, b, reference.transform(X))
    return "z(x) = sqrt(2/D) cos(x W + b): equal to scikit-learn's RBFSampler with the same W and b"


def _check_q5_case(function, X, W, b, want):
    call = f"random_features(X of shape {X.shape}, W of shape {W.shape}, b)"
    got = as_array(call_fresh(function, X, W, b, what=call, names=["X", "W", "b"]), call, finite=False)
    n, D = len(X), W.shape[1]
    if got.shape != (n, D):
        raise Incorrect(f"{call} has shape {got.shape}; it should be ({n}, {D}): one row per point, one "
                        "column per random feature", mistake="shape-row-per")
    got = as_array(got, call)
    if np.allclose(got, want, rtol=1e-9, atol=1e-12):
        return
    projection = X @ W + b
    suspects = {
        "scale by sqrt(2 / D): without it z(x).z(y) adds up D terms instead of averaging them": np.cos(projection),
        "the factor is sqrt(2 / D), not sqrt(1 / D): with 1/D, z(x).z(y) approximates k / 2": np.cos(projection) / np.sqrt(D),
        "use the cosine, not the sine": np.sqrt(2 / D) * np.sin(projection),
        "add the offset b inside the cosine: cos(x W + b)": np.sqrt(2 / D) * np.cos(X @ W),
        "the offset goes inside the cosine, cos(x W + b), not after it": np.sqrt(2 / D) * np.cos(X @ W) + b,
        "D is the number of features, W.shape[1], not the number of points": np.sqrt(2 / n) * np.cos(projection),
        "use the square root: sqrt(2 / D)": 2 / D * np.cos(projection),
    }
    for message, values in suspects.items():
        if np.allclose(got, values, rtol=1e-9, atol=1e-12):
            raise Incorrect(message, mistake=mistake_from(message))
    i, j = _worst(np.abs(got - want))
    raise Incorrect(f"feature {j} of point {i} should be {plain(want[i, j])}, you have {plain(got[i, j])}; "
                    "z(x) = sqrt(2 / D) * np.cos(x @ W + b)", mistake="feature-point-sqrt")


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
        raise Incorrect(f"{call} should return two arrays (W, b), got {type(got).__name__}",
                        mistake="not-two-arrays")
    W = as_array(got[0], f"W from {call}", shape=(n_features, D))
    b = as_array(got[1], f"b from {call}", shape=(D,))
    return W, b


def _check_q6(draw_weights):
    function = as_callable(draw_weights, "draw_weights")
    W, b = _draw(function, 2, 20_000, 0.5, 0)
    W_again, b_again = _draw(function, 2, 20_000, 0.5, 0)
    if not (np.array_equal(W, W_again) and np.array_equal(b, b_again)):
        raise Incorrect("two calls with seed=0 give different draws: make rng = np.random.default_rng(seed) "
                        "inside the function and draw from it", mistake="calls-seed-different")
    if np.array_equal(W, _draw(function, 2, 20_000, 0.5, 1)[0]):
        raise Incorrect("seed=0 and seed=1 give the same W: draw from a generator seeded with `seed`",
                        mistake="seed-seed-draw")
    if b.min() < 0 or b.max() >= 2 * np.pi or abs(b.mean() - np.pi) > 0.1 or abs(b.std() - 2 * np.pi / np.sqrt(12)) > 0.1:
        raise Incorrect(f"b should be uniform on [0, 2 pi) (mean about 3.14, values between 0 and 6.28); yours "
                        f"has mean {b.mean():.3g}, min {b.min():.3g}, max {b.max():.3g}",
                        mistake="uniform-pi-yours")
    for gamma in (3.0, 0.5):  # 3 first: gamma, sqrt(gamma), 2 gamma and 1 all differ
        W, b = _draw(function, 2, 20_000, gamma, 0)
        spread, want = W.std(), np.sqrt(2 * gamma)
        if abs(W.mean()) > 0.1 * want or abs(spread / want - 1) > 0.05:
            named = {1.0: "1", gamma: "gamma", np.sqrt(gamma): "sqrt(gamma)", 2 * gamma: "2 gamma"}
            guess = min(named, key=lambda v: abs(v - spread))
            like = f" (that is {named[guess]})" if abs(guess / spread - 1) < 0.05 else ""
            raise Incorrect(f"with gamma={gamma}, W should be normal with mean 0 and standard deviation "
                            f"sqrt(2 gamma) = {want:.3g}; yours has mean {W.mean():.3g} and standard "
                            f"deviation {spread:.3g}{like}", mistake="gamma-normal-mean")
    # the whole point: the features must approximate the RBF kernel
    X = np.random.RandomState(6).uniform(-1, 1, size=(20, 2))
    W, b = _draw(function, 2, 4000, 1.0, 0)
    Z = np.sqrt(2 / 4000) * np.cos(X @ W + b)
    error = float(np.sqrt(np.mean((Z @ Z.T - rbf_kernel(X, gamma=1.0)) ** 2)))
    expected = expected_approximation_error(X, 4000, 1.0)
    if error > 3 * expected:
        raise Incorrect(f"with D = 4000 your features approximate exp(-||x - y||^2) with an RMS error of "
                        f"{error:.3g}, more than 3 times the {expected:.3g} expected: is W normal (not "
                        "uniform) and drawn independently for every entry?",
                        mistake="features-approximate-exp")
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
    return float(np.mean([kernel_approximation_error(q7_X, D, q7_gamma, seed=s) for s in q7_seeds]))


@functools.lru_cache(maxsize=None)
def _seed_error(D: int, seed: int) -> float:
    return float(kernel_approximation_error(q7_X, D, q7_gamma, seed=seed))


def _check_q7(smallest_D):
    D = as_int(smallest_D, "smallest_D")
    if D not in D_grid:
        raise Incorrect(f"pick smallest_D from D_grid (powers of two from 2 to {D_grid[-1]}), got {D}",
                        mistake="pick-smallest-grid")
    k = D_grid.index(D)
    right = next(d for d in D_grid if q7_error(d) < q7_bound)
    if D != right:
        for seed in q7_seeds:  # the answer of one seed alone, not of the average
            if _seed_error(D, seed) < q7_bound and all(_seed_error(d, seed) >= q7_bound
                                                       for d in D_grid[:k]):
                raise Incorrect(f"{D} is the smallest D for seed={seed} alone; the question "
                                "averages the error over every seed in q7_seeds, and one seed's draws "
                                "are luckier or unluckier than the average",
                                mistake="smallest-random-state")
    if q7_error(D) >= q7_bound:
        raise Incorrect(f"at D = {D} the error averaged over q7_seeds is {q7_error(D):.4f}, not below "
                        f"{q7_bound}: the error falls like 1/sqrt(D), so go further along D_grid",
                        mistake="error-averaged-q7")
    if D != right:
        raise Incorrect(f"D = {right} already gets {q7_error(right):.4f} < {q7_bound}; "
                        "you want the smallest such D", mistake="already-want-smallest")
    before = f"{q7_error(D_grid[k - 1]):.4f} at D = {D_grid[k - 1]}, " if k > 0 else ""
    return f"{before}{q7_error(D):.4f} at D = {D}: four times the features, half the error"


q7 = Question(
    "q7", "the smallest D whose kernel error is below the bound", ["smallest_D"], _check_q7,
    hints=["For each D in D_grid, average kernel_approximation_error(q7_X, D, q7_gamma, seed=s) "
           "over s in q7_seeds, and compare with q7_bound.",
           "Or use the rate to guess first: the error at D is about error_16 * sqrt(16 / D); then check the "
           "D_grid values around your guess, because each D has its own random draws."],
    solution_code='''errors = {D: np.mean([kernel_approximation_error(q7_X, D, q7_gamma, seed=s)
                     for s in q7_seeds]) for D in D_grid}
smallest_D = min(D for D, error in errors.items() if error < q7_bound)''')


# ------------------------------------------------------------------------------- q8
@functools.lru_cache(maxsize=None)
def _q8_truth() -> dict:
    return {name: is_linearly_separable(quadratic_features(X), y) for name, (X, y) in q8_datasets.items()}


def _names(value) -> set:
    if isinstance(value, (str, bytes)):
        raise Incorrect("separable should be a set of dataset names, one string per name, such as "
                        "{'blobs', 'xor'}, not a single string", mistake="separable-not-names")
    if isinstance(value, dict):
        value = [k for k, v in value.items() if v is True]
    if isinstance(value, np.ndarray):
        value = value.ravel().tolist() if value.size < 100 else None
    if not isinstance(value, (set, frozenset, list, tuple)):
        raise Incorrect(f"separable should be a set of dataset names (e.g. {{'blobs'}}), got {type(value).__name__}",
                        mistake="separable-not-a-set")
    unknown = [v for v in value if not isinstance(v, str) or v not in q8_datasets]
    if unknown:
        raise Incorrect(f"{str(unknown[0])[:30]!r} is not one of the datasets {sorted(q8_datasets)}",
                        mistake="unknown-dataset")
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
                        f"best logistic regression on those features gets only {_accuracy(name):.0%} right",
                        mistake="included-no-hyperplane")
    reasons = {"blobs": "x1 and x2 are among the features, so any line that worked before still works",
               "circles": "x1^2 + x2^2 = r^2 is a sum of two features, and r separates the circles",
               "xor": "x1 * x2 is (up to sqrt 2) a feature, and its sign is the label"}
    for name in sorted(truth - answer):
        raise Incorrect(f"you left out '{name}': " + reasons.get(name, "a hyperplane separates it after the map"),
                        mistake="left-hyperplane-separates")
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
