"""KernelSHAP: Shapley values of any model by one weighted linear regression over coalitions.

Lundberg & Lee, "A Unified Approach to Interpreting Model Predictions", NeurIPS 2017, Theorem 2.
A coalition z in {0,1}^M (1 = the feature keeps the explained row's value, 0 = it is replaced by a
background row) has the value of the interventional game

    v(z) = mean_b f(x_z, b_{-z})          (the average over background rows b)

and the Shapley values are the solution of the weighted least squares

    phi = argmin  sum_z  pi(z) * (v(z) - v(0) - z . phi)^2     subject to   sum_j phi_j = f(x) - v(0)

with the Shapley kernel  pi(z) = (M - 1) / (C(M, |z|) * |z| * (M - |z|)).  The constraint is the
efficiency axiom; it replaces the infinite kernel weight of the empty and the full coalition.
With every coalition enumerated the solution *is* the exact Shapley value; with a budget of
``n_samples`` coalitions it is an estimate (the sizes with the most kernel mass are enumerated,
the rest is sampled in complementary pairs, as ``shap.KernelExplainer`` does in
``shap/explainers/_kernel.py``).
"""
from __future__ import annotations

from itertools import combinations
from math import comb

import numpy as np

from ._validation import (check_background, check_budget, check_callable, check_class_labels, check_count,
                          check_loss_game, check_rows, check_seed, check_wls, model_outputs)
from .explanation import Attributions
from .shapley_model import _coalition_values, coalition_values  # noqa: F401  (lecture 04 imports it here)

__all__ = ["kernel_shap", "kernel_shap_loss", "shapley_kernel", "coalition_plan", "solve_efficient_wls"]

#: How many model inputs one call of f may receive (memory stays bounded for big backgrounds).
MAX_BATCH = 2 ** 18
#: Above this many features "enumerate every coalition" is refused: pass n_samples instead.
MAX_EXACT_FEATURES = 20
#: The most features a sampled plan takes (C(M, s) and the size tables stay small).
MAX_FEATURES = 10_000


def kernel_shap(f, X, background, n_samples: int | None = None, seed: int = 0) -> Attributions:
    """KernelSHAP values of f at every row of X against a background sample.

    f : callable taking an (N, M) array and returning (N,) or (N, K) numbers
        (e.g. ``model.predict`` or ``model.predict_proba``).
    X : (n, M) rows to explain.  background : (B, M) rows that stand in for "feature unknown".
    n_samples : coalitions to evaluate; None (or >= 2**M - 2) enumerates them all and is exact.
    seed : seeds the sampled coalitions (unused when exact); one plan serves all rows, so that
        the regression matrix is solved once.

    Returns :class:`Attributions` with values (n, M) or (n, M, K) and base_values = E_b[f(b)].
    """
    X, feature_names = check_rows(X, "X")
    background, f = check_background(background, X), check_callable(f, "f", "model.predict or model.predict_proba")
    n_samples, seed = check_budget(n_samples, "n_samples", len(X) + X.shape[1], 2, optional=True), check_seed(seed)
    single = np.ndim(f(background[:1])) == 1                                  # (N,) or (N, K)?
    base_value = _evaluate(f, background, "f(background)").mean(axis=0)      # v(0), shape (K,)
    prediction = _evaluate(f, X, "f(X)")                                      # v(1), shape (n, K)
    if X.shape[1] == 1:                        # no coalition between empty and full: efficiency
        phi = (prediction - base_value)[:, None, :]
    else:
        Z, weights = _coalition_plan(X.shape[1], n_samples, seed)             # (C, M), (C,)
        values = _coalition_values(f, X, background, Z, MAX_BATCH)            # (n, C, K)
        phi = _solve_efficient_wls(Z, weights, values - base_value, prediction - base_value)

    base_values = np.broadcast_to(base_value, prediction.shape).copy()
    if single:
        phi, base_values = phi[..., 0], base_values[:, 0]
    return Attributions(phi, base_values, data=X, feature_names=feature_names)


def kernel_shap_loss(predict_proba, X, y, background, n_samples: int | None = None,
                     seed: int = 0) -> Attributions:
    """KernelSHAP of each row's log-loss  -log p_y(x)  instead of its prediction.

    Which features raise (positive values) or lower the loss of a row with label y: the game is
    v(z) = mean_b -log p_y(x_z, b_{-z}), so base + sum = the row's own log-loss (Lundberg et al.
    2020, "explaining the loss of a model"). y holds class indices, i.e. columns of
    predict_proba's output. Rows are explained one label at a time; p is clipped at 1e-15.
    """
    X, feature_names = check_rows(X, "X")
    background, y = check_background(background, X), check_class_labels(y, len(X))
    predict_proba, n_samples, seed = check_loss_game(predict_proba, y, background, n_samples, seed, X.shape[1])
    Z, weights = _coalition_plan(X.shape[1], n_samples, seed) if X.shape[1] > 1 else (None, None)
    values, base_values = np.zeros(X.shape), np.zeros(len(X))
    for label in np.unique(y).astype(int):       # one game per label: the loss depends on y
        rows = y == label

        def loss(inputs, label=label):
            return -np.log(np.clip(predict_proba(inputs)[:, label], 1e-15, 1.0))

        base = _evaluate(loss, background, "predict_proba(background)").mean(axis=0)   # (1,)
        total = _evaluate(loss, X[rows], "predict_proba(X)") - base                    # (n_y, 1)
        phi = total[:, None, :] if Z is None else _solve_efficient_wls(
            Z, weights, _coalition_values(loss, X[rows], background, Z, MAX_BATCH) - base, total)
        values[rows], base_values[rows] = phi[..., 0], base[0]
    return Attributions(values, base_values, data=X, feature_names=feature_names)


def shapley_kernel(n_features: int, size) -> np.ndarray:
    """The Shapley kernel weight of a coalition of `size` players out of M:
    (M - 1) / (C(M, s) * s * (M - s)); infinite for the empty and the full coalition."""
    M = check_count(n_features, "n_features", maximum=MAX_FEATURES)
    size = np.asarray(size)
    if size.dtype.kind not in "iu" or np.any(size < 0) or np.any(size > M):
        raise ValueError(f"size must hold coalition sizes, integers 0..{M}, got {size!r}")
    return _shapley_kernel(M, size)


def _shapley_kernel(M: int, size: np.ndarray) -> np.ndarray:
    binomial = np.array([comb(M, int(s)) for s in size.ravel()], dtype=float).reshape(size.shape)
    with np.errstate(divide="ignore"):
        return (M - 1) / (binomial * size * (M - size))


def coalition_plan(n_features: int, n_samples: int | None = None, seed: int = 0):
    """The coalitions to evaluate and their regression weights: (Z (C, M) bool, weights (C,)).

    Exact plan (n_samples None or >= 2**M - 2): every coalition except the empty and the full one,
    weighted by the Shapley kernel. Budget plan: coalition sizes are taken in pairs (s, M - s) from
    the outside in (most kernel mass first) and enumerated while the budget covers them all; the
    rest of the budget draws complementary pairs z, 1 - z from the remaining sizes in proportion to
    their kernel mass, each draw weighted by an equal share of that mass.
    """
    M, seed = check_count(n_features, "n_features", minimum=1, maximum=MAX_FEATURES), check_seed(seed)
    return _coalition_plan(M, check_budget(n_samples, "n_samples", M, 2, optional=True), seed)


def _coalition_plan(M: int, n_samples: int | None, seed: int):
    all_coalitions = 2 ** M - 2 if M < 63 else np.inf
    if n_samples is None or n_samples >= all_coalitions:
        if M > MAX_EXACT_FEATURES:
            raise ValueError(f"n_samples=None enumerates 2**{M} - 2 coalitions; pass n_samples "
                             f"(e.g. 2048) for {M} features")
        codes = np.arange(1, 2 ** M - 1)
        Z = (codes[:, None] >> np.arange(M)) & 1 == 1
        return Z, _shapley_kernel(M, Z.sum(axis=1))

    sizes = np.arange(1, M)
    mass = (M - 1) / (sizes * (M - sizes))                  # kernel weight of all coalitions of size s
    mass = mass / mass.sum()
    blocks, weights, budget = [], [], n_samples
    remaining = list(range(1, M // 2 + 1))                 # size pairs (s, M - s), outside in
    while remaining:
        s = remaining[0]
        pair = [s] if 2 * s == M else [s, M - s]
        count = sum(comb(M, k) for k in pair)
        if count > budget:
            break
        for k in pair:
            Z_k = _all_of_size(M, k)
            blocks.append(Z_k)
            weights.append(np.full(len(Z_k), mass[k - 1] / comb(M, k)))
        budget -= count
        remaining.pop(0)

    left = [k for s in remaining for k in ((s,) if 2 * s == M else (s, M - s))]
    n_pairs = budget // 2
    if left and n_pairs > 0:
        rng = np.random.default_rng(seed)
        p = mass[np.array(left) - 1]
        drawn = rng.choice(left, size=n_pairs, p=p / p.sum())
        ranks = rng.random((n_pairs, M)).argsort(axis=1)    # a random order of the players
        Z_drawn = ranks < drawn[:, None]                      # the first s of them join
        Z_pairs = np.concatenate([Z_drawn, ~Z_drawn])        # and each draw brings its complement
        blocks.append(Z_pairs)
        weights.append(np.full(2 * n_pairs, p.sum() / (2 * n_pairs)))
    if not blocks:
        raise ValueError(f"n_samples={n_samples} is too small for {M} features; use at least 2")
    return np.concatenate(blocks), np.concatenate(weights)


def solve_efficient_wls(Z, weights, y, total) -> np.ndarray:
    """argmin_phi sum_c w_c (y_c - z_c . phi)^2  subject to  sum_j phi_j = total, for many y at once.

    Lagrange: phi = A^-1 (b - lambda 1) with A = Z'WZ, b = Z'Wy and
    lambda = (1'A^-1 b - total) / (1'A^-1 1), so that the constraint holds exactly.
    Z (C, M); weights (C,); y (n, C, K); total (n, K). Returns phi (n, M, K).
    """
    return _solve_efficient_wls(*check_wls(Z, weights, y, total))


def _solve_efficient_wls(Z, weights, y, total) -> np.ndarray:
    n, C, K = y.shape
    M = Z.shape[1]
    A = Z.T @ (weights[:, None] * Z)                                  # (M, M), shared by all rows
    b = (Z.T * weights) @ y.transpose(1, 0, 2).reshape(C, n * K)      # (M, n*K)
    ones = np.ones((M, 1))
    # lstsq rather than solve: a small sample may leave two features never apart (A singular)
    solved = np.linalg.lstsq(A, np.hstack([b, ones]), rcond=None)[0]
    A_inv_b, A_inv_1 = solved[:, :-1], solved[:, -1:]
    lagrange = (A_inv_b.sum(axis=0) - np.asarray(total).reshape(n * K)) / A_inv_1.sum()
    phi = A_inv_b - A_inv_1 * lagrange
    return phi.reshape(M, n, K).transpose(1, 0, 2)


# ----------------------------------------------------------------------------- helpers
def _all_of_size(M: int, size: int) -> np.ndarray:
    """Every coalition of `size` players out of M, as boolean rows."""
    members = np.array(list(combinations(range(M), size)))
    Z = np.zeros((len(members), M), dtype=bool)
    np.put_along_axis(Z, members, True, axis=1)
    return Z


def _evaluate(f, rows, what: str) -> np.ndarray:
    """f(rows) as a finite float array of shape (N, K)."""
    return model_outputs(f(rows), len(rows), what)
