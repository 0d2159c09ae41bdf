"""Checks of exercise notebook 02: right answers pass, typical wrong answers get the right message."""
import numpy as np
import pytest
import torch

from course_lib.exercises import CheckFailed, NotAttempted
from course_lib.exercises import ex02_kernels as ex
from course_lib.kernels import (is_linearly_separable, kernel_approximation_error, quadratic_features,
                                rotation)
from exercise_helpers import fails, passes, stub


# --------------------------------------------------------------------- q1: a 2x2 map
def test_q1():
    passes(ex.q1, np.array([[1.0, -1.0], [0.0, 1.0]]), np.array([1.0, 0.0]))
    passes(ex.q1, rotation(np.pi / 4), [1 / np.sqrt(2), 7.0])  # any map with the gap on z1 = 0
    passes(ex.q1, torch.tensor([[2.0, -2.0], [1.0, 1.0]]), torch.tensor([2.0, 0.0]))
    passes(ex.q1, [[1, -1], [2, -2]], [1, 0])   # singular, yet every point on its side: right
    passes(ex.q1, [[1, -1], [0, 1]], 1.0)       # one number for b: the same offset on both axes
    fails(ex.q1, np.eye(2), np.zeros(2), match="turn A's first row", mistake="points-wrong-side")
    fails(ex.q1, np.eye(2), [-1, 0], match="turn A's first row", mistake="points-wrong-side")
    fails(ex.q1, [[1, -1], [0, 1]], [0, 0], match="the gap already runs up-down",
          mistake="points-wrong-side")
    fails(ex.q1, [[-1, 1], [0, 1]], [-1, 0], match="the wrong way round",
          mistake="axis-separates-classes")
    fails(ex.q1, [[0, 0], [1, 1]], [1, 0], match="the first row of A is zero",
          mistake="first-row-zero")
    fails(ex.q1, np.eye(3), np.zeros(2), match="`A` should have shape (2, 2)",
          mistake="wrong-shape")
    fails(ex.q1, np.eye(2), [np.nan, 0], match="NaN", mistake="not-finite")
    fails(ex.q1, np.eye(2), [1, 2, 3], match="`b` should have shape (2,)", mistake="wrong-shape")
    fails(ex.q1, "rotate", [1, 0], match="`A` should be an array", mistake="not-an-array")
    message = fails(ex.q1, [[1, -1], [0, 1]], [0.2, 0], match="shift it onto z1 = 0",
                    mistake="points-wrong-side")
    assert "np.float64" not in message


# --------------------------------------------------------------------- q2: polar
def to_polar(X):
    x, y = X[:, 0], X[:, 1]
    return np.column_stack([np.hypot(x, y), np.arctan2(y, x)])


def test_q2():
    passes(ex.q2, to_polar)
    passes(ex.q2, lambda X: np.column_stack([np.sqrt((X ** 2).sum(1)), np.angle(X[:, 0] + 1j * X[:, 1])]))
    fails(ex.q2, lambda X: np.column_stack([np.sqrt((X ** 2).sum(1)), np.arctan2(X[:, 1], X[:, 0]) % (2 * np.pi)]),
          match="outside (-pi, pi]", mistake="theta-right-direction")

    def in_place(X):
        X[:, 0] = np.hypot(X[:, 0], X[:, 1])
        return to_polar(X)

    fails(ex.q2, in_place, match="changed its input `X` in place", mistake="changed-input")
    passes(ex.q2, lambda X: torch.as_tensor(to_polar(X)))
    with np.errstate(divide="ignore"):
        fails(ex.q2, lambda X: np.column_stack([np.hypot(*X.T), np.arctan(X[:, 1] / X[:, 0])]), match="off by pi",
              mistake="theta-off-pi")
    fails(ex.q2, lambda X: np.column_stack([np.hypot(*X.T), np.arctan2(X[:, 0], X[:, 1])]), match="swapped the arguments",
          mistake="swapped-arguments-np")
    fails(ex.q2, lambda X: np.column_stack([(X ** 2).sum(1), np.arctan2(X[:, 1], X[:, 0])]), match="squared radius",
          mistake="squared-radius-take")
    fails(ex.q2, lambda X: to_polar(X)[:, ::-1], match="columns are (theta, r)",
          mistake="columns-swapped")
    fails(ex.q2, lambda X: to_polar(X).T, match="one row per point", mistake="polar-shape-row")
    fails(ex.q2, lambda X: np.column_stack([np.hypot(*X.T), np.degrees(np.arctan2(X[:, 1], X[:, 0]))]), match="degrees",
          mistake="theta-degrees-keep")
    fails(ex.q2, lambda X: np.column_stack([np.hypot(*X.T), np.zeros(len(X))]), match="radians, you have 0",
          mistake="theta-point-radians")
    with pytest.raises(NotAttempted):
        ex.q2.check(stub)


# --------------------------------------------------------------------- q3: explicit feature map
def phi(X):
    x1, x2 = X[:, 0], X[:, 1]
    s = np.sqrt(2)
    return np.column_stack([np.ones(len(X)), s * x1, s * x2, x1 ** 2, x2 ** 2, s * x1 * x2])


def test_q3():
    passes(ex.q3, phi)
    passes(ex.q3, quadratic_features)  # other feature order, same dot products
    passes(ex.q3, lambda X: np.column_stack([phi(X), np.zeros(len(X))]))  # an idle extra feature is fine
    no_constant = lambda X: phi(X)[:, 1:]
    no_sqrt2 = lambda X: np.column_stack([np.ones(len(X)), X, X ** 2, np.sqrt(2) * X[:, 0] * X[:, 1]])
    no_cross_sqrt2 = lambda X: np.column_stack([phi(X)[:, :5], X[:, 0] * X[:, 1]])
    fails(ex.q3, no_constant, match="a constant feature 1", mistake="no-constant-feature")
    fails(ex.q3, no_sqrt2, match="sqrt(2) x1 next to x1^2", mistake="yours-feature-sqrt")
    fails(ex.q3, no_cross_sqrt2, match="cross term 2 x1 x2 y1 y2 needs sqrt(2) x1 x2",
          mistake="kernel-not-matched")
    fails(ex.q3, lambda X: phi(X)[:3], match="rows for 12 points", mistake="rows-points-row")
    fails(ex.q3, lambda X: phi(X)[:, [0, 1, 2, 5]], match="needs the feature sqrt(2) x1 next to x1^2",
          mistake="yours-feature-sqrt")
    fails(ex.q3, lambda X: (X @ X.T + 1) ** 2, match="returns the Gram matrix",
          mistake="gram-matrix-itself")
    fails(ex.q3, lambda X: phi(X)[:, 3:], match="without the + 1", mistake="features-without-add")

    def in_place(X):
        X *= 1.0
        X[0] = 5.0
        return phi(X)

    fails(ex.q3, in_place, match="changed its input `X` in place", mistake="changed-input")


# --------------------------------------------------------------------- q4: RBF Gram matrix
def rbf_gram(X, gamma):
    return np.exp(-gamma * ((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))


def test_q4():
    passes(ex.q4, rbf_gram)
    squares = lambda X: (X ** 2).sum(1)
    passes(ex.q4, lambda X, g: np.exp(-g * np.maximum(0, squares(X)[:, None] + squares(X)[None, :] - 2 * X @ X.T)))
    passes(ex.q4, lambda X, g: np.exp(-g * np.einsum("ijk,ijk->ij", X[:, None] - X[None], X[:, None] - X[None])))
    from scipy.spatial.distance import cdist
    fails(ex.q4, lambda X, g: np.exp(-g * cdist(X, X, "sqeuclidean")), match="write it yourself",
          mistake="forbidden-shortcut")
    from sklearn.metrics.pairwise import rbf_kernel
    fails(ex.q4, lambda X, g: rbf_kernel(X, gamma=g), match="write it yourself; `sklearn.metrics.pairwise.rbf_kernel`",
          mistake="forbidden-shortcut")
    d2 = lambda X: ((X[:, None, :] - X[None, :, :]) ** 2).sum(-1)
    fails(ex.q4, lambda X, g: np.exp(-g * np.sqrt(d2(X))), match="not its square",
          mistake="used-distance-square")
    fails(ex.q4, lambda X, g: np.exp(g * d2(X)), match="needs a minus sign",
          mistake="exponent-minus-sign")
    fails(ex.q4, lambda X, g: np.exp(-d2(X) / g), match="you divided by gamma",
          mistake="divided-gamma-gamma")
    fails(ex.q4, lambda X, g: np.exp(-d2(X) / (2 * g)), match="with no 2", mistake="exp-exp-no")
    fails(ex.q4, lambda X, g: np.exp(-g * (X - X.mean(0)) ** 2), match="one entry per pair of points: (5, 5)",
          mistake="shape-points-gram")
    fails(ex.q4, lambda X, g: rbf_gram(X, g) * 0.99, match="the diagonal k(x, x) must be 1",
          mistake="entry-diagonal")
    fails(ex.q4, lambda X, g: np.exp(-d2(X)), match="you left out gamma", mistake="left-gamma-exp")
    fails(ex.q4, lambda X, g: np.exp(-g * X @ X.T), match="the dot product", mistake="used-exp-dot")

    def double_loop(X, gamma):
        n = len(X)
        K = np.zeros((n, n))
        for i in range(n):
            for j in range(n):
                K[i, j] = np.exp(-gamma * np.sum((X[i] - X[j]) ** 2))
        return K

    fails(ex.q4, double_loop, match="uses a Python loop (a for loop", mistake="rbf-gram-uses")
    fails(ex.q4, lambda X, g: np.array([[np.exp(-g * np.sum((a - b) ** 2)) for b in X] for a in X]),
          match="uses a Python loop (a comprehension", mistake="rbf-gram-uses")


# --------------------------------------------------------------------- q5: random features from W, b
def random_features(X, W, b):
    return np.sqrt(2 / W.shape[1]) * np.cos(X @ W + b)


def test_q5():
    passes(ex.q5, random_features)
    passes(ex.q5, lambda X, W, b: np.sqrt(2.0 / len(b)) * np.cos(np.dot(X, W) + b[None, :]))
    fails(ex.q5, lambda X, W, b: np.cos(X @ W + b), match="scale by sqrt(2 / D)",
          mistake="scale-sqrt-without")
    fails(ex.q5, lambda X, W, b: np.cos(X @ W + b) / np.sqrt(W.shape[1]), match="not sqrt(1 / D)",
          mistake="factor-sqrt-sqrt")
    fails(ex.q5, lambda X, W, b: np.sqrt(2 / W.shape[1]) * np.sin(X @ W + b), match="not the sine",
          mistake="use-cosine-sine")
    fails(ex.q5, lambda X, W, b: np.sqrt(2 / W.shape[1]) * np.cos(X @ W), match="add the offset b",
          mistake="add-offset-inside")
    fails(ex.q5, lambda X, W, b: random_features(X, W, b).T, match="should be (6, 50)",
          mistake="shape-row-per")
    fails(ex.q5, lambda X, W, b: np.sqrt(2 / W.shape[1]) * np.cos(X @ W.T + b), match="raised ValueError",
          mistake="learner-raised")
    fails(ex.q5, lambda X, W, b: np.sqrt(2 / W.shape[1]) * np.cos(X @ W) + b, match="not after it",
          mistake="offset-goes-inside")
    fails(ex.q5, lambda X, W, b: np.sqrt(2 / len(X)) * np.cos(X @ W + b), match="not the number of points",
          mistake="number-features-shape")
    fails(ex.q5, lambda X, W, b: 2 / W.shape[1] * np.cos(X @ W + b), match="use the square root",
          mistake="use-square-root")

    def in_place(X, W, b):
        W *= np.sqrt(2 / W.shape[1])
        return np.cos(X @ W + b) * 1.0

    fails(ex.q5, in_place, match="changed its input `W` in place", mistake="changed-input")


# --------------------------------------------------------------------- q6: draw W and b
def draw_weights(n_features, n_components, gamma, seed):
    rng = np.random.default_rng(seed)
    W = rng.normal(0.0, np.sqrt(2 * gamma), size=(n_features, n_components))
    return W, rng.uniform(0.0, 2 * np.pi, size=n_components)


def test_q6():
    passes(ex.q6, draw_weights)

    def legacy(n_features, n_components, gamma, seed):  # RBFSampler's way: also right
        rng = np.random.RandomState(seed)
        return np.sqrt(2 * gamma) * rng.normal(size=(n_features, n_components)), rng.uniform(0, 2 * np.pi, n_components)

    passes(ex.q6, legacy)

    def with_scale(scale):
        def draw(n_features, n_components, gamma, seed):
            W, b = draw_weights(n_features, n_components, gamma, seed)
            return W / np.sqrt(2 * gamma) * scale(gamma), b
        return draw

    fails(ex.q6, with_scale(lambda g: 2 * g), match="(that is 2 gamma)",
          mistake="gamma-normal-mean")
    fails(ex.q6, with_scale(lambda g: g), match="(that is gamma)", mistake="gamma-normal-mean")
    fails(ex.q6, with_scale(lambda g: np.sqrt(g)), match="(that is sqrt(gamma))",
          mistake="gamma-normal-mean")
    fails(ex.q6, with_scale(lambda g: 1.0), match="(that is 1)", mistake="gamma-normal-mean")

    def uniform_W(n_features, n_components, gamma, seed):  # right spread, wrong distribution
        rng = np.random.default_rng(seed)
        half_width = np.sqrt(3 * 2 * gamma)
        return rng.uniform(-half_width, half_width, (n_features, n_components)), rng.uniform(0, 2 * np.pi, n_components)

    fails(ex.q6, uniform_W, match="is W normal (not uniform)", mistake="features-approximate-exp")
    shared = np.random.default_rng(0)
    fails(ex.q6, lambda n, D, g, seed: draw_weights(n, D, g, int(shared.integers(1000))),
          match="two calls with seed=0 give different draws", mistake="calls-seed-different")
    fails(ex.q6, lambda n, D, g, seed: draw_weights(n, D, g, 0), match="seed=0 and seed=1 give the same W",
          mistake="seed-seed-draw")
    fails(ex.q6, lambda n, D, g, seed: (draw_weights(n, D, g, seed)[0], np.zeros(D)), match="uniform on [0, 2 pi)",
          mistake="uniform-pi-yours")
    fails(ex.q6, lambda n, D, g, seed: (draw_weights(n, D, g, seed)[0], np.random.default_rng(seed).uniform(0, 1, D)),
          match="uniform on [0, 2 pi)", mistake="uniform-pi-yours")
    fails(ex.q6, lambda n, D, g, seed: draw_weights(n, D, g, seed)[0], match="should return two arrays (W, b)",
          mistake="not-two-arrays")
    fails(ex.q6, lambda n, D, g, seed: (draw_weights(n, D, g, seed)[0].T, np.zeros(D)), match="should have shape (2, 20000)",
          mistake="wrong-shape")
    with pytest.raises(NotAttempted):
        ex.q6.check(stub)


# --------------------------------------------------------------------- q7: smallest D
def test_q7():
    errors = {D: np.mean([kernel_approximation_error(ex.q7_X, D, ex.q7_gamma, seed=s) for s in ex.q7_seeds])
              for D in ex.D_grid}
    smallest = min(D for D, error in errors.items() if error < ex.q7_bound)
    assert errors[smallest] == pytest.approx(ex.q7_error(smallest), rel=1e-12)
    passes(ex.q7, smallest)
    passes(ex.q7, float(smallest))
    alone = {s: min(D for D in ex.D_grid if kernel_approximation_error(ex.q7_X, D, ex.q7_gamma, seed=s)
                    < ex.q7_bound) for s in ex.q7_seeds}
    assert alone[ex.q7_seeds[0]] != smallest  # one seed alone gives another answer
    assert sum(a != smallest for a in alone.values()) >= 3
    fails(ex.q7, alone[ex.q7_seeds[0]], match=f"seed={ex.q7_seeds[0]} alone",
          mistake="smallest-random-state")
    fails(ex.q7, max(alone.values()), match="alone", mistake="smallest-random-state")
    fails(ex.q7, smallest * 4, match="already gets", mistake="already-want-smallest")
    fails(ex.q7, smallest + 1, match="pick smallest_D from D_grid", mistake="pick-smallest-grid")
    fails(ex.q7, "256", match="should be a single number", mistake="not-a-number")
    fails(ex.q7, ex.D_grid[0], match="go further along D_grid", mistake="error-averaged-q7")
    fails(ex.q7, 4, match="averaged over q7_seeds", mistake="error-averaged-q7")
    fails(ex.q7, 0, match="pick smallest_D from D_grid", mistake="pick-smallest-grid")
    fails(ex.q7, 2.5, match="whole number", mistake="not-whole")


# --------------------------------------------------------------------- q8: which datasets
def test_q8():
    truth = {name for name, (X, y) in ex.q8_datasets.items() if is_linearly_separable(quadratic_features(X), y)}
    assert truth == {"blobs", "circles", "xor"}
    passes(ex.q8, truth)
    passes(ex.q8, ["xor", "circles", "blobs"])
    passes(ex.q8, {"blobs": True, "circles": True, "xor": True, "moons": False, "spirals": False})
    fails(ex.q8, truth | {"moons"}, match="you included 'moons'", mistake="included-no-hyperplane")
    fails(ex.q8, {"blobs", "circles"}, match="you left out 'xor': x1 * x2",
          mistake="left-hyperplane-separates")
    fails(ex.q8, {"xor", "circles"}, match="you left out 'blobs'",
          mistake="left-hyperplane-separates")
    fails(ex.q8, "circles", match="not a single string", mistake="separable-not-names")
    fails(ex.q8, {"circle"}, match="is not one of the datasets", mistake="unknown-dataset")
    fails(ex.q8, 3, match="should be a set of dataset names", mistake="separable-not-a-set")
    fails(ex.q8, truth | {"spirals"}, match="you included 'spirals'",
          mistake="included-no-hyperplane")
    fails(ex.q8, set(), match="you left out 'blobs'", mistake="left-hyperplane-separates")
    message = fails(ex.q8, "blobs, circles, xor", match="one string per name",
                    mistake="separable-not-names")
    assert "{'blobs, circles, xor'}" not in message
