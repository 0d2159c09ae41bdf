"""Kernels and feature maps (lecture 02): affine maps, pairs of rows, Gram matrices, the
random features, the warp's widths and labels."""
from __future__ import annotations

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .arrays import (check_array, check_budget, check_count, check_real, check_rows, check_size)
from .seeds import check_random_state
from .tables import check_target

__all__ = ["check_widths", "check_binary_labels", "check_affine", "check_row_pairs", "check_gram",
           "check_features_in", "check_fourier_fit", "check_fourier_transform"]


# ----------------------------------------------------------------------------- warp
def check_widths(widths) -> list:
    if isinstance(widths, (str, bytes)) or not hasattr(widths, "__len__"):
        raise TypeError(f"widths must be a list of layer widths such as (2, 3, 1), got {widths!r}")
    if len(widths) < 2:
        raise ValueError(f"widths must list at least an input and an output width, got {widths!r}")
    widths = [check_count(w, f"widths[{i}]") for i, w in enumerate(widths)]
    check_size(sum(a * b for a, b in zip(widths[:-1], widths[1:])), "the network's weights")
    return widths


def check_binary_labels(y, X) -> np.ndarray:
    y = check_array(check_target(y, len(X)), "y")
    if not np.isin(y, (0, 1)).all():
        raise ValueError(f"y must hold the labels 0 and 1, got {np.unique(y)[:5]}")
    return y


# ----------------------------------------------------------------------------- kernels (lecture 02)
def check_affine(X, A, b):
    """Points X (n, d), a matrix A (k, d) and an offset b (k,) (None: zeros) for x -> A x + b."""
    X, A = check_rows(X, "X")[0], check_array(A, "A", ndim=2)
    A = check_array(A, f"A (k rows of {X.shape[1]} coordinates)", shape=(len(A), X.shape[1]))
    b = np.zeros(A.shape[0]) if b is None else check_array(b, "b (one offset per output)", shape=(len(A),))
    return X, A, b


def check_row_pairs(X, Y=None):
    """Rows X (n, d) and Y (m, d) (Y None: X itself) whose n x m matrix of pairs fits in memory."""
    X = check_rows(X, "X")[0]
    Y = X if Y is None else check_rows(Y, "Y", X.shape[1], f"X has {X.shape[1]} columns")[0]
    check_size(len(X) * len(Y), "the matrix of pairs")
    return X, Y


def check_gram(K, y):
    """A square Gram matrix K (n, n) and targets y (n,) or (n, k), one per training point."""
    K = check_array(K, "K (the square Gram matrix of the training points)", ndim=2)
    K = check_array(K, "K (the square Gram matrix of the training points)", shape=(len(K),) * 2)
    y = check_array(y, "y", ndim=(1, 2))
    return K, check_array(y, "y (one target per training point)", shape=(len(K),) + y.shape[1:])


def check_features_in(estimator, X, reset: bool) -> np.ndarray:
    """X for a scikit-learn transformer: fit (reset) records n_features_in_, transform checks it."""
    from sklearn.utils.validation import check_array as sklearn_check_array

    X = sklearn_check_array(X, dtype=np.float64, input_name="X")
    if reset:
        estimator.n_features_in_ = X.shape[1]
    elif X.shape[1] != estimator.n_features_in_:
        raise ValueError(f"X has {X.shape[1]} features, but {type(estimator).__name__} is expecting "
                         f"{estimator.n_features_in_} features as input (the columns it was fitted on)")
    return X


def check_fourier_fit(estimator, X):
    """(X, D, gamma, rng) for drawing random Fourier features; D is bounded by X's width."""
    X = check_features_in(estimator, X, reset=True)
    D = check_budget(estimator.n_components, "n_components", per_unit=X.shape[1] + 1)
    return X, D, check_real(estimator.gamma, "gamma", low=0), check_random_state(estimator.seed, "seed")


def check_fourier_transform(estimator, X) -> np.ndarray:
    """X for a fitted random Fourier map: as wide as at fit, its (n, D) output bounded."""
    check_is_fitted(estimator)
    X = check_features_in(estimator, X, reset=False)
    check_size(len(X) * estimator.random_weights_.shape[1], "the transformed X")
    return X
