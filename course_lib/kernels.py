"""Feature maps and kernels: linear maps of the plane, polar coordinates, the kernel trick and
random Fourier features ("random kitchen sinks").

A linear classifier draws one straight line (a hyperplane). Learning is building a map phi of
the inputs in which such a line separates the classes:

* a linear map z = A x + b rotates, shifts and squashes; an invertible one never changes
  whether a line can separate the classes;
* a nonlinear map can: polar coordinates (r, theta) turn two concentric circles into two
  bands that one threshold on r separates;
* the kernel trick never builds phi: a kernel k(x, y) = phi(x) . phi(y) is all that a kernel
  machine (SVM, kernel ridge) needs, even when phi is infinite-dimensional (RBF);
* random Fourier features (Rahimi & Recht, "Random Features for Large-Scale Kernel
  Machines", NIPS 2007; "Weighted Sums of Random Kitchen Sinks", NIPS 2008) draw a finite
  random phi with phi(x) . phi(y) ~ k_rbf(x, y), so that a *linear* model on it approximates
  the kernel machine; the error falls like 1 / sqrt(D).
"""
from __future__ import annotations

import time

import numpy as np
import scipy.linalg
import scipy.optimize
from sklearn.base import BaseEstimator, TransformerMixin

from ._validation import (check_affine, check_budget, check_count, check_fourier_fit,
                          check_fourier_transform, check_gram, check_positive, check_random_state,
                          check_real, check_row_pairs, check_rows, check_size, check_target, seed_alias)

__all__ = [
    "rotation", "scaling", "shear", "affine_map", "polar", "quadratic_features",
    "squared_distances", "rbf_kernel", "polynomial_kernel", "kernel_ridge_coefficients",
    "RandomFourierFeatures", "kernel_approximation_error", "expected_approximation_error",
    "fit_and_score", "is_linearly_separable", "make_spirals", "make_xor",
]


# ------------------------------------------------------------------ linear maps of the plane
def rotation(angle: float) -> np.ndarray:
    """The 2x2 matrix that turns the plane by `angle` radians (counter-clockwise)."""
    c, s = np.cos(check_real(angle, "angle")), np.sin(angle)
    return np.array([[c, -s], [s, c]])


def scaling(sx: float, sy: float) -> np.ndarray:
    """The 2x2 matrix that stretches x by `sx` and y by `sy` ("squash" when below 1)."""
    return np.array([[check_real(sx, "sx"), 0.0], [0.0, check_real(sy, "sy")]])


def shear(k: float) -> np.ndarray:
    """The 2x2 matrix that slides each point sideways by k times its height: (x + k y, y)."""
    return np.array([[1.0, check_real(k, "k")], [0.0, 1.0]])


def affine_map(X, A, b=None) -> np.ndarray:
    """z = A x + b for every row x of X (shape (n, d) -> (n, k) for A of shape (k, d))."""
    X, A, b = check_affine(X, A, b)
    return X @ A.T + b


# ------------------------------------------------------------------ explicit feature maps
def polar(X) -> np.ndarray:
    """Polar coordinates of 2-D points: columns r = sqrt(x^2 + y^2) and theta = atan2(y, x) in (-pi, pi]."""
    X = check_rows(X, "X", n_features=2, expected="polar coordinates need 2-D points")[0]
    return np.column_stack([np.hypot(X[:, 0], X[:, 1]), np.arctan2(X[:, 1], X[:, 0])])


def quadratic_features(X, c: float = 1.0) -> np.ndarray:
    """The explicit map phi with phi(x) . phi(y) = (x . y + c)^2, the degree-2 polynomial kernel.

    phi(x) = (c, sqrt(2c) x_i, x_i^2, sqrt(2) x_i x_j for i < j): 1 + 2d + d(d-1)/2 features.
    """
    X, c = check_rows(X, "X")[0], check_real(c, "c", low=0)
    check_size(len(X) * (1 + 2 * X.shape[1] + X.shape[1] * (X.shape[1] - 1) // 2), "the features")
    i, j = np.triu_indices(X.shape[1], k=1)
    return np.column_stack([np.full(len(X), float(c)), np.sqrt(2 * c) * X, X ** 2,
                            np.sqrt(2.0) * X[:, i] * X[:, j]])


# ------------------------------------------------------------------ kernels: phi(x) . phi(y) without phi
def squared_distances(X, Y=None) -> np.ndarray:
    """||x - y||^2 for every pair of rows, as ||x||^2 - 2 x . y + ||y||^2 (clipped at 0)."""
    return _squared_distances(*check_row_pairs(X, Y))


def _squared_distances(X, Y) -> np.ndarray:
    d2 = (X ** 2).sum(1)[:, None] - 2 * X @ Y.T + (Y ** 2).sum(1)[None, :]
    np.maximum(d2, 0, out=d2)  # rounding can make a tiny distance negative
    if Y is X:
        np.fill_diagonal(d2, 0.0)
    return d2


def rbf_kernel(X, Y=None, gamma: float | None = None) -> np.ndarray:
    """The Gaussian (RBF) kernel k(x, y) = exp(-gamma ||x - y||^2); gamma defaults to 1 / n_features.

    Its feature map is infinite-dimensional, yet k costs one distance per pair.
    """
    X, Y = check_row_pairs(X, Y)
    return _rbf_kernel(X, Y, 1.0 / X.shape[1] if gamma is None else check_real(gamma, "gamma", low=0))


def _rbf_kernel(X, Y, gamma: float) -> np.ndarray:
    return np.exp(-gamma * _squared_distances(X, Y))


def polynomial_kernel(X, Y=None, degree: float = 3, gamma: float | None = None,
                      coef0: float = 1.0) -> np.ndarray:
    """The polynomial kernel k(x, y) = (gamma x . y + coef0)^degree; gamma defaults to 1 / n_features."""
    X, Y = check_row_pairs(X, Y)
    gamma = 1.0 / X.shape[1] if gamma is None else check_real(gamma, "gamma", low=0)
    degree, coef0 = check_real(degree, "degree", low=0), check_real(coef0, "coef0")
    return (gamma * (X @ Y.T) + coef0) ** degree


def kernel_ridge_coefficients(K, y, alpha: float = 1.0) -> np.ndarray:
    """Dual coefficients of kernel ridge regression: a = (K + alpha I)^-1 y.

    The prediction at new points is K(new, train) @ a: the model never sees a feature, only
    kernel values (the kernel trick; Schoelkopf & Smola, "Learning with Kernels", 2002).
    """
    K, y, alpha = *check_gram(K, y), check_positive(alpha, "alpha")
    return scipy.linalg.solve(K + alpha * np.eye(len(K)), y, assume_a="pos")


# ------------------------------------------------------------------ random kitchen sinks
class RandomFourierFeatures(TransformerMixin, BaseEstimator):
    """Random Fourier features z(x) = sqrt(2/D) cos(x W + b), with z(x) . z(y) ~ exp(-gamma ||x - y||^2).

    By Bochner's theorem k(x - y) = E_w,b[2 cos(w.x + b) cos(w.y + b)] with w ~ N(0, 2 gamma I)
    and b ~ Uniform[0, 2 pi); averaging D draws gives a D-dimensional feature map whose dot
    products approximate the RBF kernel with an error of order 1/sqrt(D)
    (Rahimi & Recht, NIPS 2007). The draws are made in the same order as
    ``sklearn.kernel_approximation.RBFSampler`` (all of W, then b, from one RandomState).

    Parameters: n_components (D), gamma, seed (RBFSampler's random_state). Learned: random_weights_ (d, D),
    random_offset_ (D,), n_features_in_.
    """

    @seed_alias
    def __init__(self, n_components: int = 100, gamma: float = 1.0, seed=None):
        self.n_components = n_components
        self.gamma = gamma
        self.seed = seed

    def fit(self, X, y=None):
        """Draw W ~ N(0, 2 gamma) of shape (n_features, D) and b ~ Uniform[0, 2 pi) of shape (D,)."""
        X, D, gamma, rng = check_fourier_fit(self, X)
        self.random_weights_ = np.sqrt(2.0 * gamma) * rng.normal(size=(X.shape[1], D))
        self.random_offset_ = rng.uniform(0, 2 * np.pi, size=D)
        return self

    def transform(self, X) -> np.ndarray:
        """z(x) = sqrt(2 / D) cos(x W + b) for every row x of X."""
        X, D = check_fourier_transform(self, X), self.random_weights_.shape[1]
        projection = X @ self.random_weights_
        projection += self.random_offset_    # in place, here and below: the (n, D) array is
        np.cos(projection, out=projection)   # the big one, and a fresh copy per step would
        projection *= np.sqrt(2.0 / D)       # double the time
        return projection


@seed_alias
def kernel_approximation_error(X, n_components: int, gamma: float, seed=None) -> float:
    """Root-mean-square gap between z(x) . z(y) and k_rbf(x, y) over all pairs of rows of X."""
    X = check_rows(X, "X")[0]
    check_budget(n_components, "n_components", per_unit=len(X)), check_size(len(X) ** 2, "the kernel matrix")
    Z = RandomFourierFeatures(n_components, gamma, seed).fit_transform(X)
    return float(np.sqrt(np.mean((Z @ Z.T - _rbf_kernel(X, X, gamma)) ** 2)))


def expected_approximation_error(X, n_components: int, gamma: float) -> float:
    """The root of the expected squared gap: sqrt(mean over pairs of (1 - k^2 + k^4 / 2) / D).

    One feature gives 2 cos(w.x + b) cos(w.y + b) = cos(w.(x - y)) + cos(w.(x + y) + 2b),
    of mean k and variance 1 - k^2 + k(2(x - y)) / 2 with k(2(x - y)) = k^4; D features
    divide the variance by D, hence the 1/sqrt(D) rate.
    """
    D = check_count(n_components, "n_components")
    K = rbf_kernel(X, gamma=gamma)
    return float(np.sqrt(np.mean(1 - K ** 2 + K ** 4 / 2) / D))


def fit_and_score(model, X_train, y_train, X_test, y_test) -> dict:
    """Fit `model`, then score it on the test set: {"accuracy": ..., "seconds": fit + predict wall time}."""
    if not (hasattr(model, "fit") and hasattr(model, "score")):
        raise TypeError(f"model must be an estimator with fit() and score(), got {type(model).__name__}")
    start = time.perf_counter()
    accuracy = model.fit(X_train, y_train).score(X_test, y_test)
    return {"accuracy": float(accuracy), "seconds": time.perf_counter() - start}


# ------------------------------------------------------------------ separability and toy data
def is_linearly_separable(X, y) -> bool:
    """True when some hyperplane w . x + c puts the two classes of y strictly on its two sides.

    Exact: the linear programme "find w, c with s_i (w . x_i + c) >= 1", s_i = +-1, is feasible.
    """
    X = check_rows(X, "X")[0]
    y = check_target(y, len(X))
    labels = np.unique(y)
    if len(labels) != 2 or (labels.dtype.kind == "f" and np.isnan(labels).any()):
        raise ValueError(f"y must hold two distinct labels (no NaN), got {labels[:5]}")
    sign = np.where(np.asarray(y) == labels[1], 1.0, -1.0)
    scale = np.abs(X).max() or 1.0  # rescale: the LP is then well conditioned
    A = -sign[:, None] * np.column_stack([X / scale, np.ones(len(X))])
    result = scipy.optimize.linprog(np.zeros(X.shape[1] + 1), A_ub=A, b_ub=-np.ones(len(X)),
                                    bounds=(None, None), method="highs")
    return bool(result.status == 0)


@seed_alias
def make_spirals(n_samples: int = 400, noise: float = 0.0, turns: float = 1.5, seed=None):
    """Two interleaved spirals (class 0 and class 1, half each): (t cos(2 pi turns t), ...) and its 180-degree turn."""
    n, rng = check_budget(n_samples, "n_samples", per_unit=8), check_random_state(seed, "seed")
    noise, turns = check_real(noise, "noise", low=0), check_real(turns, "turns")
    t = np.sqrt(rng.uniform(0.02, 1.0, size=n))  # sqrt: evenly spread along the arm
    y = rng.permutation(np.arange(n) % 2)  # shuffled: every slice holds both classes
    angle = 2 * np.pi * turns * t + np.pi * y
    X = np.column_stack([t * np.cos(angle), t * np.sin(angle)])
    return X + noise * rng.normal(size=X.shape), y


@seed_alias
def make_xor(n_samples: int = 400, margin: float = 0.1, seed=None):
    """Points in the square [-1, 1]^2 at least `margin` from both axes; class 1 where x * y > 0."""
    n, rng = check_budget(n_samples, "n_samples", per_unit=8), check_random_state(seed, "seed")
    margin = check_real(margin, "margin", low=0, high=1)
    X = rng.uniform(margin, 1.0, size=(n, 2)) * rng.choice([-1.0, 1.0], size=(n, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(int)


# ------------------------------------------------------------------ validation helpers
