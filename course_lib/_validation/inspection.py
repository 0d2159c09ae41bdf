"""Inspection and global effects (lectures 06 and 07): supervised data, bins, partial
dependence, permutation importance."""
from __future__ import annotations

import numpy as np
from sklearn.metrics import check_scoring

from .arrays import check_array, check_budget, check_count
from .models import check_fitted
from .seeds import check_seed
from .tables import check_table, check_target, feature_index

__all__ = ["check_edges", "check_category_order", "check_importance", "check_supervised",
           "check_mean_target", "check_bins", "check_partial_dependence"]


# ----------------------------------------------------------------------------- effects
def check_edges(edges):
    edges = check_array(edges, "edges", ndim=1, min_size=2)
    if np.any(np.diff(edges) <= 0):
        raise ValueError("edges must be at least two strictly increasing numbers")
    return edges


def check_category_order(order, column):
    order = check_array(order, "order", ndim=1, min_size=1)
    if not np.isin(column, order).all():
        raise ValueError(f"order must list every level of the feature; missing "
                         f"{sorted(set(np.unique(column)) - set(order))[:5]}")
    return order


def check_importance(model, X, y, seed, n_repeats, n_bins, scoring):
    """(values, names, y, seed, n_repeats, n_bins, scorer) of a permutation importance: a fitted
    model, a table, one target per row, counts bounded by the number of rows."""
    check_fitted(model)
    values, columns = check_table(X, "X")
    y, seed = check_target(y, len(values)), check_seed(seed)
    n_repeats = check_budget(n_repeats, "n_repeats", per_unit=len(values))
    n_bins = check_budget(n_bins, "n_bins", per_unit=len(values))
    return values, columns, y, seed, n_repeats, n_bins, check_scoring(model, scoring=scoring)


# ----------------------------------------------------------------------------- inspection (lecture 06)
def check_supervised(model, X, y, method: str | None = None):
    """A fitted model (with `method`, e.g. "predict_proba", if given), the table X and its labels y:
    (values (n, M), column names, y (n,))."""
    check_fitted(model)
    if method is not None and not hasattr(model, method):
        raise TypeError(f"model must be a classifier with {method}, got {type(model).__name__}")
    values, columns = check_table(X, "X")
    return values, columns, check_target(y, len(values))


def check_mean_target(X, y, feature):
    """(values, names, y, column index) of a mean-target plot: a table, one number per row."""
    values, columns = check_table(X, "X")
    y = check_array(check_target(y, len(values)), "y")
    return values, columns, y, feature_index(feature, columns)


def check_bins(bins):
    """(number of bins, None) for an int, or (None, edges) for a sequence of increasing edges."""
    if isinstance(bins, (int, np.integer)) and not isinstance(bins, bool):
        return check_count(bins, "bins", minimum=1), None
    edges = np.asarray(bins, dtype=float)
    if edges.ndim != 1 or len(edges) < 2 or np.any(np.diff(edges) <= 0):
        raise ValueError("bins must be an int or a sequence of at least two increasing edges")
    return None, edges


def check_partial_dependence(kind, X, feature, grid):
    """(values, names, column index, grid or None) of a partial dependence."""
    if kind not in ("average", "individual", "both"):
        raise ValueError(f"kind must be 'average', 'individual' or 'both', got {kind!r}")
    values, columns = check_table(X, "X")
    j = feature_index(feature, columns)
    return values, columns, j, None if grid is None else check_array(grid, "grid", ndim=1)
