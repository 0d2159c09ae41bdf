"""Global effects and interactions from scratch: ALE, 2-D PDP, Friedman's H, importance by refit.

Partial dependence (``course_lib.inspection``) averages f over rows whose feature was set to a
value they may never take together with their other features (a diastolic pressure above the
systolic one). The tools here answer the same questions without that extrapolation, or measure
what PD leaves out:

* :func:`ale`, :func:`ale_categorical`, :func:`ale_2d`: accumulated local effects (Apley & Zhu,
  "Visualizing the effects of predictor variables in black box supervised learning models",
  JRSS-B 2020): average *differences* of f across small bins, where the data live. Equal to
  PyALE on the same bins.
* :func:`partial_dependence_2d`: PD over a grid of two features (Friedman 2001); equal to
  ``sklearn.inspection.partial_dependence`` with a feature pair.
* :func:`h_statistic`, :func:`h_statistic_total`: Friedman & Popescu, "Predictive learning via
  rule ensembles", Annals of Applied Statistics 2008, section 8; equal to pyartemis.
* :func:`drop_column_importance` (refit without the feature, "LOFO") and
  :func:`conditional_permutation_importance` (shuffle within bins of a correlated feature;
  Strobl et al., BMC Bioinformatics 2008).

``f`` is a callable from an (N, M) array to (N,) predictions, as everywhere in the course.
"""
from __future__ import annotations

from itertools import combinations
from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import check_scoring
from sklearn.model_selection import check_cv

from ._validation import (MAX_ELEMENTS, check_array, check_budget, check_callable, check_category_order,
                          check_count, check_edges, check_estimator, check_finite_table, check_importance,
                          check_instance, check_pair, check_predictions, check_seed, check_table,
                          check_target, feature_index)
from .inspection import PermutationImportance, pdp_grid

__all__ = ["ale", "ALE", "ale_edges", "ale_categorical", "category_order", "ale_2d", "ALE2D",
           "partial_dependence_2d", "PartialDependence2D", "h_statistic", "h_statistic_total",
           "drop_column_importance", "conditional_permutation_importance"]


# ============================================================================ first-order ALE
class ALE(NamedTuple):
    """First-order ALE: ``effect[k]`` is the centred accumulated effect at ``edges[k]``."""

    edges: np.ndarray
    effect: np.ndarray


def ale(f, X, feature, n_bins=10, edges=None) -> ALE:
    """Accumulated local effect of one numeric feature, centred (Apley & Zhu 2020, eq. 15).

    Bins (z_{k-1}, z_k] from quantiles (:func:`ale_edges`); the first bin also holds z_0 = min.

        local effect   d_k = mean over rows i in bin k of f(z_k, x_{i,-j}) - f(z_{k-1}, x_{i,-j})
        accumulated    A(z_k) = d_1 + ... + d_k,   A(z_0) = 0
        centred        ALE(z_k) = A(z_k) - sum_k n_k (A(z_{k-1}) + A(z_k)) / 2 / n

    The centring constant counts each row at the midpoint value of its bin, (A(z_{k-1}) + A(z_k)) / 2:
    the rule of ALEPlot (Apley's R package) and of PyALE, whose numbers this equals on the same
    edges. The paper's eq. 16 subtracts instead the data mean of the step function, each row of
    bin k counted at A(z_k); that curve is this one minus sum_k n_k d_k / (2 n). Only the constant
    differs: the shape, and every difference ALE(a) - ALE(b), are the same.
    """
    values, columns = check_finite_table(X, "X")
    j, f = feature_index(feature, columns), check_callable(f)
    x = values[:, j]
    edges = ale_edges(x, n_bins) if edges is None else check_edges(edges)
    k = np.clip(np.searchsorted(edges, x, side="left"), 1, len(edges) - 1)   # bin of each row
    lower, upper = values.copy(), values.copy()
    lower[:, j], upper[:, j] = edges[k - 1], edges[k]
    difference = _predict(f, upper) - _predict(f, lower)
    counts = np.bincount(k, minlength=len(edges))[1:]
    local = np.bincount(k, weights=difference, minlength=len(edges))[1:] / np.maximum(counts, 1)
    accumulated = np.concatenate([[0.0], np.cumsum(local)])
    midpoints = (accumulated[:-1] + accumulated[1:]) / 2
    return ALE(edges, accumulated - np.sum(counts * midpoints) / counts.sum())


def ale_edges(x, n_bins=10) -> np.ndarray:
    """Bin edges at the quantiles 0, 1/K, ..., 1 of x, duplicates removed (with ties, fewer bins).

    The quantile q is the order statistic x_(ceil((n-1) q)) (1-based; the minimum at q = 0), the
    inverse empirical CDF of R's type 1 taken over n - 1 points: PyALE's rule, so that both
    packages cut the same bins.
    """
    x = np.sort(check_array(x, "x", ndim=1, min_size=1))
    n_bins = check_budget(n_bins, "n_bins", per_unit=len(x))
    q = np.linspace(0, 1, n_bins + 1)
    rank = (len(x) - 1) * q
    position = np.maximum(np.ceil(rank).astype(int) - 1, 0)
    return np.unique(np.concatenate([[x[0]], x[position[:-1]], [x[-1]]]))


# ============================================================================ categorical ALE
def category_order(X, feature) -> np.ndarray:
    """Order the categories of a feature so that neighbours are alike in the other features.

    Apley & Zhu 2020, section 5.2 (and PyALE): the distance between categories a and b sums,
    over the other features, the Kolmogorov-Smirnov distance of their distributions within a
    and within b (numeric features), or the total-variation distance of the proportions (features
    with at most 10 integer values); the categories are then sorted by their coordinate on the
    first axis of classical multidimensional scaling. (The axis' sign is arbitrary.)
    """
    values, columns = check_finite_table(X, "X")
    j = feature_index(feature, columns)
    groups = pd.unique(values[:, j])
    members = [values[:, j] == g for g in groups]
    distance = np.zeros((len(groups), len(groups)))
    for other in (c for c in range(values.shape[1]) if c != j):
        column = values[:, other]
        levels = np.unique(column)
        if len(levels) <= 10 and np.all(column == np.round(column)):
            share = np.array([[np.mean(column[m] == v) for v in levels] for m in members])
            distance += np.abs(share[:, None] - share[None]).sum(axis=2) / 2
        else:
            points = np.quantile(column, np.arange(0, 1, 0.01))
            cdf = np.array([np.searchsorted(np.sort(column[m]), points, side="right") / m.sum()
                            for m in members])
            distance += np.abs(cdf[:, None] - cdf[None]).max(axis=2)
    centring = np.eye(len(groups)) - 1 / len(groups)
    eigenvalues, eigenvectors = np.linalg.eigh(-centring @ distance ** 2 @ centring / 2)
    first_axis = eigenvectors[:, -1] * np.sqrt(eigenvalues[-1])
    return groups[np.argsort(first_axis)]


def ale_categorical(f, X, feature, order=None) -> ALE:
    """ALE of a feature with a few ordered levels (PyALE's "discrete" ALE; Apley & Zhu sec. 5).

    Levels c_1 < ... < c_K (``order``, default sorted; :func:`category_order` for categories).
    The step into level k averages f(c_k) - f(c_{k-1}) over the rows in levels k-1 and k, each
    row moved one level; steps are accumulated and centred by the level frequencies:

        ALE(c_k) = sum_{l <= k} d_l - sum_k p_k sum_{l <= k} d_l.
    """
    values, columns = check_finite_table(X, "X")
    j, f = feature_index(feature, columns), check_callable(f)
    levels = np.unique(values[:, j]) if order is None else check_category_order(order, values[:, j])
    position = np.searchsorted(levels, values[:, j]) if order is None else \
        np.array([np.flatnonzero(levels == v)[0] for v in values[:, j]])
    K = len(levels)
    step_sum, step_count = np.zeros(K), np.zeros(K)
    for k in range(1, K):                     # rows in k-1 move up, rows in k move down
        near = np.flatnonzero((position == k) | (position == k - 1))
        up, down = values[near].copy(), values[near].copy()
        up[:, j], down[:, j] = levels[k], levels[k - 1]
        step_sum[k], step_count[k] = np.sum(_predict(f, up) - _predict(f, down)), len(near)
    accumulated = np.cumsum(step_sum / np.maximum(step_count, 1))
    share = np.bincount(position, minlength=K) / len(values)
    return ALE(levels, accumulated - np.sum(share * accumulated))


# ============================================================================ second-order ALE
class ALE2D(NamedTuple):
    """Second-order ALE on the grid ``edges_0`` x ``edges_1``: the pure interaction effect."""

    edges_0: np.ndarray
    edges_1: np.ndarray
    effect: np.ndarray          # (len(edges_0), len(edges_1))


def ale_2d(f, X, features, n_bins=10) -> ALE2D:
    """Second-order ALE of two numeric features (Apley & Zhu 2020, eq. 18-20).

        cell effect  D_kl = mean over rows in cell (k, l) of the second difference
                     f(z_k, w_l) - f(z_{k-1}, w_l) - f(z_k, w_{l-1}) + f(z_{k-1}, w_{l-1})
        accumulated  A_kl = sum_{k' <= k, l' <= l} D_k'l'
        then the first-order effects of A along each feature are subtracted, and the result
        centred by the cell counts (the mean of each cell's four corners).

    Empty cells take the value of the nearest non-empty cell (cell centres scaled by the range),
    as in PyALE; a first-order ALE is what is left out, so ``ale_2d`` is the interaction alone.
    """
    values, columns = check_finite_table(X, "X")
    (j0, j1), f = check_pair(features, columns), check_callable(f)
    n_bins = check_count(n_bins, "n_bins", maximum=_MAX_BINS_2D)
    z, w = ale_edges(values[:, j0], n_bins), ale_edges(values[:, j1], n_bins)
    k = np.clip(np.searchsorted(z, values[:, j0]), 1, len(z) - 1)
    l = np.clip(np.searchsorted(w, values[:, j1]), 1, len(w) - 1)
    corners = {}
    for a, b in ((0, 0), (0, 1), (1, 0), (1, 1)):
        moved = values.copy()
        moved[:, j0], moved[:, j1] = z[k - 1 + a], w[l - 1 + b]
        corners[a, b] = _predict(f, moved)
    second = corners[1, 1] - corners[0, 1] - corners[1, 0] + corners[0, 0]
    K, L = len(z) - 1, len(w) - 1
    counts = np.zeros((K, L))
    np.add.at(counts, (k - 1, l - 1), 1)
    cell = np.zeros((K, L))
    np.add.at(cell, (k - 1, l - 1), second)
    cell = _fill_empty_cells(cell / np.maximum(counts, 1), counts, z, w)
    A = np.zeros((K + 1, L + 1))
    A[1:, 1:] = cell.cumsum(axis=0).cumsum(axis=1)
    step_0 = np.diff(A, axis=0)                                    # (K, L+1)
    main_0 = np.sum(counts * (step_0[:, 1:] + step_0[:, :-1]) / 2, axis=1) / np.maximum(counts.sum(axis=1), 1)
    step_1 = np.diff(A, axis=1)                                    # (K+1, L)
    main_1 = np.sum(counts * (step_1[1:] + step_1[:-1]) / 2, axis=0) / np.maximum(counts.sum(axis=0), 1)
    A = A - np.concatenate([[0], np.cumsum(main_0)])[:, None] - np.concatenate([[0], np.cumsum(main_1)])[None]
    corner_mean = (A[:-1, :-1] + A[1:, 1:] + A[:-1, 1:] + A[1:, :-1]) / 4
    return ALE2D(z, w, A - np.sum(counts * corner_mean) / counts.sum())


def _fill_empty_cells(cell, counts, z, w):
    """Give each empty cell the value of the nearest non-empty one (centres scaled by range)."""
    empty = counts == 0
    if not empty.any():
        return cell
    centre_0 = (z[:-1] + z[1:]) / (2 * (z[-1] - z[0]))
    centre_1 = (w[:-1] + w[1:]) / (2 * (w[-1] - w[0]))
    grid = np.stack(np.meshgrid(centre_0, centre_1, indexing="ij"), axis=-1)
    full, holes = grid[~empty], grid[empty]
    nearest = np.argmin(((holes[:, None] - full[None]) ** 2).sum(axis=2), axis=1)
    cell = cell.copy()
    cell[empty] = cell[~empty][nearest]
    return cell


# ============================================================================ 2-D partial dependence
class PartialDependence2D(NamedTuple):
    """PD(u, v) = mean_i f(x_i with the two features set to (u, v)) on ``grid_0`` x ``grid_1``."""

    grid_0: np.ndarray
    grid_1: np.ndarray
    average: np.ndarray         # (len(grid_0), len(grid_1))


def partial_dependence_2d(f, X, features, grid_resolution=20,
                          percentiles=(0.05, 0.95)) -> PartialDependence2D:
    """Two-feature partial dependence by brute force (Friedman 2001, section 8.2).

        PD(u, v) = (1/n) sum_i f(u, v, x_{i, -(j,k)})

    on scikit-learn's grid for each feature (:func:`course_lib.inspection.pdp_grid`); equal to
    ``sklearn.inspection.partial_dependence(model, X, [(j, k)], method="brute")``.
    """
    values, columns = check_finite_table(X, "X")
    (j0, j1), f = check_pair(features, columns), check_callable(f)
    check_budget(grid_resolution, "grid_resolution", per_unit=values.size, minimum=2)
    grid_0 = pdp_grid(values[:, j0], grid_resolution, percentiles)
    grid_1 = pdp_grid(values[:, j1], grid_resolution, percentiles)
    average = np.empty((len(grid_0), len(grid_1)))
    for a, u in enumerate(grid_0):            # one copy of X per grid row keeps memory small
        copies = np.repeat(values[None], len(grid_1), axis=0)
        copies[:, :, j0], copies[:, :, j1] = u, grid_1[:, None]
        average[a] = _predict(f, copies.reshape(-1, values.shape[1])).reshape(len(grid_1), -1).mean(axis=1)
    return PartialDependence2D(grid_0, grid_1, average)


# ============================================================================ Friedman's H
def h_statistic(f, X, features=None, n_rows=None, seed=0, normalize=True):
    """Friedman's pairwise H: how much of the joint PD of two features is not the sum of theirs.

        H^2_jk = sum_i [PD_jk(x_ij, x_ik) - PD_j(x_ij) - PD_k(x_ik)]^2 / sum_i PD_jk(x_ij, x_ik)^2

    with every PD centred to mean zero over the rows and evaluated at the rows themselves
    (Friedman & Popescu 2008, eq. 44). Returns H (the square root, between 0 and 1 in the usual
    case): a float for ``features=(j, k)``; a symmetric DataFrame for every pair of a longer list
    of features, or of all columns when ``features`` is None (each single PD computed once).
    ``n_rows`` rows drawn with ``seed`` keep the cost (n^2 predictions per PD) down. H is NaN when
    the joint PD is flat (0/0): there is no effect to share out. pyartemis reports H^2.

    ``normalize=False`` returns the size of the interaction instead of its share: the root mean
    square of the numerator, sqrt(mean_i [PD_jk - PD_j - PD_k]^2), in the units of f (log-odds for
    a classifier's decision function), comparable across pairs (the square root of the R package
    hstats' ``normalize = FALSE``). It is 0, not NaN, for a flat PD.
    """
    values, columns = check_finite_table(X, "X")
    values, f = _sample_rows(values, n_rows, seed), check_callable(f)
    statistic = _h_squared if check_instance(normalize, "normalize", bool) else _interaction_mean_square
    if features is not None and not (isinstance(features, (list, tuple)) and len(features) > 2):
        j, k = check_pair(features, columns)
        return float(np.sqrt(statistic(_pd_at_rows(f, values, [j, k]),
                                       _pd_at_rows(f, values, [j]), _pd_at_rows(f, values, [k]))))
    chosen = list(range(values.shape[1])) if features is None else _distinct_features(features, columns)
    names = [columns[j] for j in chosen]
    single = {j: _pd_at_rows(f, values, [j]) for j in chosen}
    table = pd.DataFrame(np.nan, index=names, columns=names)
    for (a, j), (b, k) in combinations(enumerate(chosen), 2):
        h = np.sqrt(statistic(_pd_at_rows(f, values, [j, k]), single[j], single[k]))
        table.iloc[a, b] = table.iloc[b, a] = h
    return table


def _distinct_features(features, columns) -> list:
    positions = [feature_index(feature, columns) for feature in features]
    if len(set(positions)) != len(positions):
        raise ValueError(f"features lists a column twice: {features!r}; name each feature once")
    return positions


def h_statistic_total(f, X, n_rows=None, seed=0) -> pd.Series:
    """Friedman's total H of each feature: how much of f is not PD_j + PD_{-j} (eq. 46).

        H^2_j = sum_i [f(x_i) - PD_j(x_ij) - PD_{-j}(x_{i,-j})]^2 / sum_i f(x_i)^2   (all centred)
    """
    values, columns = check_finite_table(X, "X")
    values = _sample_rows(values, n_rows, seed)
    prediction = _predict(check_callable(f), values)
    everything_else = lambda j: [c for c in range(values.shape[1]) if c != j]
    total = [np.sqrt(_h_squared(prediction, _pd_at_rows(f, values, [j]),
                                _pd_at_rows(f, values, everything_else(j))))
             for j in range(values.shape[1])]
    return pd.Series(total, index=columns, name="H total")


def _pd_at_rows(f, values, features):
    """PD_S(x_{i,S}) for every row i: mean over rows r of f(x_{i,S}, x_{r,-S}). (n,)"""
    n, out = len(values), np.empty(len(values))
    block = max(1, 2 ** 20 // max(1, values.size))
    for start in range(0, n, block):          # rows i in blocks; each block holds block * n rows
        rows = values[start:start + block]
        copies = np.repeat(values[None], len(rows), axis=0)
        copies[:, :, features] = rows[:, None, features]
        out[start:start + block] = _predict(f, copies.reshape(-1, values.shape[1])).reshape(len(rows), n).mean(axis=1)
    return out


def _h_squared(joint, part_a, part_b):
    centre = lambda v: v - v.mean()
    numerator = np.sum((centre(joint) - centre(part_a) - centre(part_b)) ** 2)
    denominator = np.sum(centre(joint) ** 2)
    return numerator / denominator if denominator > 1e-12 * max(1.0, numerator) else np.nan


def _interaction_mean_square(joint, part_a, part_b):
    centre = lambda v: v - v.mean()
    return np.mean((centre(joint) - centre(part_a) - centre(part_b)) ** 2)


def _sample_rows(values, n_rows, seed):
    """n_rows rows drawn with seed (all when None); H costs n^2 predictions per PD, so n is bounded."""
    seed = check_seed(seed)
    n = len(values) if n_rows is None else min(check_count(n_rows, "n_rows", minimum=2), len(values))
    if n * n > MAX_ELEMENTS:
        raise ValueError(f"H on {n:,} rows needs {n * n:,} predictions per partial dependence; "
                         "pass n_rows (e.g. n_rows=1000) to draw fewer rows")
    if n == len(values):
        return values
    return values[np.sort(np.random.default_rng(seed).choice(len(values), n, replace=False))]


# ============================================================================ importance
def drop_column_importance(estimator, X, y, scoring=None, cv=None) -> PermutationImportance:
    """Drop-column ("leave one feature out") importance: refit without the feature.

        importance_j = CV score of the model on all features - CV score refitted without j

    (Breiman 2001 discusses it; often called LOFO). The same folds are used for every refit.
    ``scoring`` as in scikit-learn; pass a loss scorer (``"neg_log_loss"``, ``"neg_brier_score"``)
    to measure the rise in loss. ``cv``: folds as in ``cross_val_score`` (default 5-fold).
    Returns :class:`~course_lib.inspection.PermutationImportance` with one column per fold.
    Unlike permutation, it asks what the *model class* can do without the feature: a
    correlated partner can take its place, so shared information counts for neither.
    """
    values, columns = check_table(X, "X")
    y, estimator = check_target(y, len(values)), check_estimator(estimator)
    splitter = check_cv(cv, y, classifier=hasattr(estimator, "predict_proba"))
    folds = list(splitter.split(values, y))
    scorer = check_scoring(estimator, scoring=scoring)

    def fold_scores(keep):
        return np.array([scorer(clone(estimator).fit(values[train][:, keep], y[train]),
                                values[test][:, keep], y[test]) for train, test in folds])

    everything = np.arange(values.shape[1])
    baseline = fold_scores(everything)
    importances = np.array([baseline - fold_scores(np.delete(everything, j)) for j in everything])
    return PermutationImportance(importances, float(baseline.mean()), columns)


def conditional_permutation_importance(model, X, y, given, scoring=None, n_bins=5,
                                       n_repeats=5, seed=0) -> PermutationImportance:
    """Permutation importance with each column shuffled only among rows alike in other features.

        importance[j, r] = s(f, X, y) - s(f, X with x_j permuted inside each stratum of given(j), y)

    (Strobl, Boulesteix, Kneib et al., "Conditional variable importance for random forests",
    BMC Bioinformatics 2008.) ``given`` maps a feature to the feature, or the list of features, it
    is conditioned on (``{"ap_lo": "ap_hi", "height": ["gender", "weight"]}``); features not in
    ``given`` (or given an empty list) are shuffled freely, as in ordinary permutation importance.
    A stratum is one combination of the conditioning features' groups: a feature with at most
    ``n_bins`` distinct values is grouped by value, any other by its ``n_bins`` quantile bins.
    A shuffled diastolic pressure so stays near the systolic one it came with. The answer depends
    on the conditioning set: conditioned on the wrong features, the shuffle still invents rows.
    """
    values, columns, y, seed, n_repeats, n_bins, scorer = check_importance(model, X, y, seed, n_repeats, n_bins,
                                                                           scoring)
    condition = _conditions(given, columns)
    baseline = scorer(model, values, y)
    rng = np.random.default_rng(seed)
    importances = np.empty((values.shape[1], n_repeats))
    for j in range(values.shape[1]):
        strata = _strata(values, condition.get(j, []), n_bins)
        for r in range(n_repeats):
            permuted = values.copy()
            for g in np.unique(strata):
                rows = np.flatnonzero(strata == g)
                permuted[rows, j] = values[rng.permutation(rows), j]
            importances[j, r] = baseline - scorer(model, permuted, y)
    return PermutationImportance(importances, float(baseline), columns)


def _strata(values, features, n_bins):
    """One stratum number per row: its combination of groups of the conditioning features."""
    groups = [np.zeros(len(values), dtype=int)]
    for c in features:
        column = values[:, c]
        levels = np.unique(column)
        if len(levels) <= n_bins:                      # few values (gender, cholesterol): by value
            groups.append(np.searchsorted(levels, column))
        else:                                          # quantile bins, as ALE cuts them
            edges = ale_edges(column, n_bins)
            groups.append(np.clip(np.searchsorted(edges, column), 1, len(edges) - 1))
    return np.unique(np.column_stack(groups), axis=0, return_inverse=True)[1].ravel()


def _predict(f, rows) -> np.ndarray:
    return check_predictions(f(rows), len(rows), "f")


# ----------------------------------------------------------------------------- checks
#: ale_2d fills empty cells by comparing every pair of cell centres: (K L)^2 <= MAX_ELEMENTS.
_MAX_BINS_2D = 128


def _conditions(given, columns) -> dict:
    """{feature position: [positions of the features it is conditioned on]}."""
    if not isinstance(given, dict):
        raise TypeError(f"given must be a dict such as {{'ap_lo': 'ap_hi'}} or "
                        f"{{'height': ['gender', 'weight']}}, got {type(given).__name__}")
    as_list = lambda b: list(b) if isinstance(b, (list, tuple)) else [b]
    condition = {feature_index(a, columns): [feature_index(b, columns) for b in as_list(bs)]
                 for a, bs in given.items()}
    for j, others in condition.items():
        if j in others:
            raise ValueError(f"given conditions feature {columns[j]!r} on itself; "
                             "condition it on other features")
    return condition
