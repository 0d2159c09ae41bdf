"""Model inspection from scratch: what a fitted model does with each feature, globally.

* :func:`mean_target`: the data alone, before any model: target rate per bin of a feature.
* :func:`permutation_importance`: how much the score drops when one column is shuffled
  (Breiman, "Random forests", Machine Learning 2001; Fisher, Rudin, Dominici, JMLR 2019).
  Equal to ``sklearn.inspection.permutation_importance`` for the same arguments.
* :func:`partial_dependence`: the average prediction when one feature is set to each grid value
  for every row (Friedman, Annals of Statistics 2001), and the per-row ICE curves (Goldstein et
  al., JCGS 2015). Equal to ``sklearn.inspection.partial_dependence(method="brute")``.
* :func:`best_worst_points`: the most confident right and wrong predictions.

The surrogate and error-analysis trees live in :mod:`course_lib.surrogate`, the counterfactual
search in :mod:`course_lib.counterfactual`; both are importable from here too.

Inputs are NumPy arrays or pandas DataFrames of numbers; a DataFrame is handed back to the model
as a DataFrame with the same columns, so models fitted with feature names stay quiet.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats.mstats import mquantiles
from sklearn.metrics import check_scoring

from ._validation import (BLOCK_ELEMENTS, check_array, check_bins, check_budget, check_count, check_fitted,
                          check_mean_target, check_partial_dependence, check_random_state, check_supervised,
                          is_regressor, like, model_outputs, seed_alias)
# lecture 06 imports these four from here; they live in counterfactual.py and surrogate.py
from .counterfactual import counterfactual, ordered  # noqa: F401
from .surrogate import error_tree, global_surrogate  # noqa: F401

__all__ = ["permutation_importance", "PermutationImportance", "partial_dependence",
           "PartialDependence", "pdp_grid", "mean_target", "MeanTarget", "best_worst_points",
           "BestWorst", "model_output"]

#: Rows x features held in memory at once when many copies of X are predicted in one call.


# ============================================================================ permutation importance
@dataclass
class PermutationImportance:
    """Score drops when each column is shuffled: ``importances[j, r]`` for feature j, repeat r."""

    importances: np.ndarray
    baseline_score: float
    feature_names: list

    @property
    def importances_mean(self) -> np.ndarray:
        return self.importances.mean(axis=1)

    @property
    def importances_std(self) -> np.ndarray:
        return self.importances.std(axis=1)

    def to_frame(self):
        """A table sorted by mean importance: feature, mean, std, one column per repeat."""
        import pandas as pd

        table = pd.DataFrame(self.importances, index=self.feature_names,
                             columns=[f"repeat_{r}" for r in range(self.importances.shape[1])])
        table.insert(0, "std", self.importances_std)
        table.insert(0, "mean", self.importances_mean)
        return table.sort_values("mean", ascending=False)


@seed_alias
def permutation_importance(model, X, y, scoring=None, n_repeats=5, seed=None) -> PermutationImportance:
    """Permutation importance: score(model, X, y) - score(model, X with column j shuffled, y).

        importance[j, r] = s(f, X, y) - s(f, X^{(j, r)}, y)

    where X^{(j, r)} is X with column j permuted (Breiman 2001; Fisher, Rudin, Dominici 2019,
    "model reliance"). ``scoring`` is anything sklearn accepts: None (``model.score``: accuracy
    or R^2), a name such as ``"roc_auc"`` or ``"neg_log_loss"``, or ``scorer(model, X, y)``.
    Same numbers as ``sklearn.inspection.permutation_importance`` for the same arguments (our
    ``seed`` is its ``random_state``).
    """
    values, columns, y = check_supervised(model, X, y)
    n_repeats, scorer = check_budget(n_repeats, "n_repeats", per_unit=len(values)), check_scoring(model, scoring=scoring)
    baseline = scorer(model, X, y)

    # scikit-learn draws ONE seed and gives every column a fresh RandomState(seed), so all
    # columns see the same sequence of shuffles; each shuffle is applied to the column as it
    # was left by the previous repeat (the permutations compose)
    drawn = check_random_state(seed, "seed").randint(np.iinfo(np.int32).max + 1)
    shuffles = _cumulative_shuffles(len(values), n_repeats, drawn)
    is_frame = hasattr(X, "columns")                # a DataFrame is shuffled as one: dtypes kept
    importances = np.empty((values.shape[1], n_repeats))
    for j in range(values.shape[1]):
        permuted = X.copy() if is_frame else values.copy()
        column = X.iloc[:, j].to_numpy() if is_frame else values[:, j]
        for r, order in enumerate(shuffles):
            column = column[order]
            _set_column(permuted, j, column)
            importances[j, r] = baseline - scorer(model, permuted, y)
    return PermutationImportance(importances, float(baseline), columns)


def _set_column(table, j: int, column) -> None:
    """Write `column` into column j of a DataFrame or an array, in place."""
    if hasattr(table, "columns"):
        table[table.columns[j]] = column
    else:
        table[:, j] = column


def _cumulative_shuffles(n: int, n_repeats: int, seed: int) -> list:
    """The index arrays scikit-learn applies, repeat after repeat: one arange shuffled in place."""
    rng = np.random.RandomState(seed)
    order, shuffles = np.arange(n), []
    for _ in range(n_repeats):
        rng.shuffle(order)
        shuffles.append(order.copy())
    return shuffles


# ============================================================================ partial dependence
@dataclass
class PartialDependence:
    """PDP and ICE of one feature.

    grid : (G,) the values the feature was set to.
    average : (G,) the partial dependence, the mean of the ICE curves.
    individual : (n, G) one ICE curve per row (None when ``kind="average"``).
    """

    feature: str
    grid: np.ndarray
    average: np.ndarray
    individual: np.ndarray | None
    output: str

    def centered(self) -> np.ndarray:
        """ICE curves shifted to start at 0 (c-ICE): individual - individual[:, :1]."""
        if self.individual is None:
            raise ValueError("no ICE curves: call partial_dependence(..., kind='individual' or 'both')")
        return self.individual - self.individual[:, :1]


def partial_dependence(model, X, feature, grid_resolution=100, kind="average",
                       percentiles=(0.05, 0.95), grid=None, target=None,
                       response_method="auto") -> PartialDependence:
    """Partial dependence (PDP) and individual conditional expectation (ICE) by brute force.

        ICE_i(v) = f(x_i with x_{i,feature} := v),    PD(v) = (1/n) sum_i ICE_i(v)

    (Friedman, "Greedy function approximation", Annals of Statistics 2001; Goldstein, Kapelner,
    Bleich, Pitkin, "Peeking inside the black box", JCGS 2015). f is ``predict`` for regressors
    and the probability of class `target` (default: the positive class of a binary classifier)
    for classifiers (``response_method="decision_function"``: the log-odds, where an additive
    model's PDP is its shape function). The grid is :func:`pdp_grid` unless given. Equal to
    ``sklearn.inspection.partial_dependence(..., method="brute")``.
    """
    values, columns, j, grid = check_partial_dependence(kind, X, feature, grid)
    f, output = model_output(model, target, response_method)
    grid = pdp_grid(values[:, j], grid_resolution, percentiles) if grid is None else grid

    n, G = len(values), len(grid)
    ice = np.empty((G, n))                         # row g: every patient with feature := grid[g]
    per_block = max(1, BLOCK_ELEMENTS // max(1, values.size))
    for start in range(0, G, per_block):
        block = grid[start:start + per_block]
        outputs = model_outputs(f(_grid_copies(X, values, j, block)), len(block) * n, f"the model ({output})", 1)
        ice[start:start + len(block)] = outputs.reshape(len(block), n)
    average = ice.mean(axis=1)
    individual = None if kind == "average" else ice.T.copy()
    return PartialDependence(columns[j], grid, average, individual, output)


def _grid_copies(X, values, j, block):
    """len(block) copies of X stacked, column j set to block[g] in copy g (a DataFrame keeps dtypes)."""
    n = len(values)
    if hasattr(X, "columns"):
        copies = X.iloc[np.tile(np.arange(n), len(block))].copy()
        copies[X.columns[j]] = np.repeat(block, n)
        return copies
    copies = np.repeat(values[None], len(block), axis=0)
    copies[:, :, j] = block[:, None]
    return copies.reshape(-1, values.shape[1])


def pdp_grid(column, grid_resolution=100, percentiles=(0.05, 0.95)) -> np.ndarray:
    """scikit-learn's PDP grid: the unique values if fewer than `grid_resolution`, else
    `grid_resolution` evenly spaced points between two quantiles.

    The quantiles are ``scipy.stats.mstats.mquantiles`` (plotting positions alpha = beta = 0.4),
    not ``np.percentile``: that is what scikit-learn uses, and the grids differ.
    """
    column = check_array(column, "column (the feature's values)", ndim=1)
    grid_resolution = check_budget(grid_resolution, "grid_resolution", per_unit=len(column), minimum=2)
    if np.ndim(percentiles) != 1 or len(percentiles) != 2 or not 0 <= percentiles[0] < percentiles[1] <= 1:
        raise ValueError(f"percentiles must be two increasing numbers in [0, 1], got {percentiles!r}")
    uniques = np.unique(column)
    if len(uniques) < grid_resolution:
        return uniques
    low, high = np.asarray(mquantiles(column, prob=percentiles))
    if np.isclose(low, high):
        raise ValueError(f"percentiles {percentiles} give the same value {low}; widen them")
    return np.linspace(low, high, grid_resolution)


def model_output(model, target=None, response_method="auto"):
    """The function a PDP averages and its name: ``predict`` for a regressor, else P(target).

    Like scikit-learn's ``response_method="auto"``: ``predict_proba`` when the classifier has it
    (column of `target`, default the second class of a binary problem), else
    ``decision_function``; or the one named by `response_method`.
    """
    check_fitted(model)
    if response_method not in ("auto", "predict_proba", "decision_function"):
        raise ValueError("response_method must be 'auto', 'predict_proba' or 'decision_function', "
                         f"got {response_method!r}")
    if is_regressor(model) or not (hasattr(model, "predict_proba") or hasattr(model, "decision_function")):
        if target is not None or response_method != "auto":
            raise ValueError("target and response_method are for classifiers; a regressor has one output")
        return model.predict, "prediction"
    if response_method != "auto" and not hasattr(model, response_method):
        raise ValueError(f"{type(model).__name__} has no {response_method}()")
    classes = list(getattr(model, "classes_", []))
    if target is None:
        if len(classes) != 2:
            raise ValueError(f"the model has {len(classes)} classes {classes}; pass target= the "
                             "class whose probability to show")
        target = classes[1]
    if target not in classes:
        raise ValueError(f"target {target!r} is not one of the model's classes {classes}")
    k = classes.index(target)
    if hasattr(model, "predict_proba") and response_method != "decision_function":
        return (lambda rows: model.predict_proba(rows)[:, k]), f"P(class {target})"
    if len(classes) != 2:
        raise ValueError("a multiclass model without predict_proba has no single output to show")
    sign = 1.0 if k == 1 else -1.0
    return (lambda rows: sign * model.decision_function(rows)), f"log-odds of {target}"


# ============================================================================ mean-target plot
@dataclass
class MeanTarget:
    """Target mean per bin of one feature: bin ``k`` holds low[k] <= x < high[k] (last bin closed).

    ``one_value`` is True when every bin holds a single value (few distinct values); then
    ``low`` is that value and ``high`` the next one.
    """

    feature: str
    low: np.ndarray
    high: np.ndarray
    count: np.ndarray
    target_mean: np.ndarray
    feature_mean: np.ndarray
    one_value: bool = False

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame({"low": self.low, "high": self.high, "count": self.count,
                             "target_mean": self.target_mean, "feature_mean": self.feature_mean})


def mean_target(X, y, feature, bins=10) -> MeanTarget:
    """The mean of y per bin of one feature, with counts: the first plot of any tabular project.

        target_mean[k] = mean{ y_i : low_k <= x_i < high_k },  count[k] = #{i : low_k <= x_i < high_k}

    `bins`: an int gives equal-count bins (edges at data quantiles; every distinct value its own
    bin when there are at most `bins` of them); a sequence gives the edges. The last bin
    includes its upper edge; values outside the edges are left out. Empty bins are dropped.
    """
    values, columns, y, j = check_mean_target(X, y, feature)
    bins, edges = check_bins(bins)                # (a number, None) or (None, the edges given)
    x = values[:, j]
    finite = np.isfinite(x)
    one_value = False
    if edges is None:
        distinct = np.unique(x[finite])
        if len(distinct) <= bins:     # one bin per value: its upper edge is the next value
            edges, one_value = np.append(distinct, np.inf), True
        else:                         # quantiles that are data values, so no bin is empty
            edges = np.unique(np.quantile(x[finite], np.linspace(0, 1, bins + 1), method="inverted_cdf"))
    k = np.searchsorted(edges, x, side="right") - 1
    k[x == edges[-1]] = len(edges) - 2                        # the last bin is closed
    inside = finite & (k >= 0) & (k < len(edges) - 1)
    k, x, y = k[inside], x[inside], y[inside]
    count = np.bincount(k, minlength=len(edges) - 1)
    keep = count > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        target_mean = np.bincount(k, weights=y, minlength=len(count)) / count
        feature_mean = np.bincount(k, weights=x, minlength=len(count)) / count
    return MeanTarget(columns[j], edges[:-1][keep], edges[1:][keep],
                      count[keep], target_mean[keep], feature_mean[keep], one_value)


# ============================================================================ best and worst points
@dataclass
class BestWorst:
    """Indices (positions) of the most confident right and wrong predictions.

    proba_true : (n,) the probability the model gave to each row's true class.
    best : rows predicted right, most confident first; worst : rows predicted wrong, most
    confident first (lowest probability of the true class).
    """

    proba_true: np.ndarray
    correct: np.ndarray
    best: np.ndarray
    worst: np.ndarray


def best_worst_points(model, X, y, n=5) -> BestWorst:
    """The n most confident correct and the n most confident wrong predictions of a classifier.

        p_i = P_model(y_i | x_i);  best: correct rows with the largest p_i;
        worst: wrong rows with the smallest p_i (the model was sure, and wrong)

    A smoke test before any explanation: the worst points are where labels, data errors and
    model blind spots show up first. Ties keep the order of the rows.
    """
    values, columns, y = check_supervised(model, X, y, "predict_proba")
    n = check_count(n, "n", minimum=1)
    classes = np.asarray(model.classes_)
    proba = model_outputs(model.predict_proba(like(X, values, columns)), len(values),
                          "model.predict_proba", n_outputs=len(classes))
    if not np.all(np.isin(y, classes)):
        raise ValueError(f"y holds labels that are not among the model's classes {classes.tolist()}")
    proba_true = proba[np.arange(len(y)), np.searchsorted(classes, y)]
    correct = classes[proba.argmax(axis=1)] == y
    order = np.argsort(-proba_true, kind="stable")              # most confident of the truth first
    best = order[correct[order]][:n]
    reverse = np.argsort(proba_true, kind="stable")
    worst = reverse[~correct[reverse]][:n]
    return BestWorst(proba_true, correct, best, worst)
