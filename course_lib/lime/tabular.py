"""LIME for tables: neighbours drawn from the training data's bins, explained in bins.

The interpretable representation (Ribeiro et al. 2016, section 3.1, and ``lime``'s
``LimeTabularExplainer``): each continuous feature is cut at its training quartiles, and
z'_j = 1 when neighbour z falls in the same bin as x ("ap_hi > 140.00"), else 0. Neighbours
are drawn feature by feature, independently: a bin with the training data's frequency, then a
value inside that bin from a truncated normal with the bin's mean and standard deviation.
Distances are Euclidean on z', kernel width 0.75 * sqrt(M).

Without discretisation, z' is the standardised feature value, neighbours are
N(0, 1) * std + mean (or + x), and the weights are per standard deviation.

Same numbers as ``lime`` 0.2.0.1 for the same arguments and ``seed`` (lime's ``random_state``), including its
quirks (documented where they happen): every feature is sampled from its marginal, so
impossible combinations appear (ap_lo > ap_hi); and a bin whose minimum equals its maximum
(for example cholesterol = 1 when a quarter of the patients have 1) is undiscretised to 0.
"""
from __future__ import annotations

import numpy as np
import scipy.stats

from .._validation import (check_columns, check_feature_selection, check_positive, check_random_state,
                           check_row, check_sampling, check_training_data, seed_alias)
from .core import Explanation, Neighbourhood, _euclidean_distances_to_first, predict_in_batches

DISCRETIZER_PERCENTILES = {"quartile": (25, 50, 75), "decile": tuple(range(10, 100, 10))}


class LimeTabular:
    """LIME for one row of a table.

    Parameters
    ----------
    training_data : (n, M) array or DataFrame: where the bins, frequencies and scales come from.
    feature_names : M names (default: the DataFrame's columns, else "0", "1", ...).
    categorical_features : column indices (or names) whose values are categories: sampled with
        their training frequencies, explained as "name=value".
    kernel_width : w in pi(d) = exp(-d^2 / (2 w^2)); default 0.75 * sqrt(M).
    discretize_continuous : explain continuous features by bins (True, lime's default) or by
        standardised values (False).
    discretizer : "quartile" (default) or "decile".
    sample_around_instance : without discretisation, centre the normal draws on x, not the mean.
    feature_selection : "auto", "forward_selection", "highest_weights", "lasso_path" or "none".
    seed : an int makes every ``explain`` call repeat exactly (it equals a fresh
        ``lime`` explainer with that seed); a RandomState is shared and advances; None is random.
    """

    @seed_alias
    def __init__(self, training_data, feature_names=None, categorical_features=None,
                 kernel_width=None, discretize_continuous=True, discretizer="quartile",
                 sample_around_instance=False, feature_selection="auto", seed=None):
        self.training_data = training_data
        self.feature_names = feature_names
        self.categorical_features = categorical_features
        self.kernel_width = kernel_width
        self.discretize_continuous = discretize_continuous
        self.discretizer = discretizer
        self.sample_around_instance = sample_around_instance
        self.feature_selection = check_feature_selection(feature_selection)
        self.seed = seed
        self._fit(training_data)

    # -------------------------------------------------------------- what the training data tells
    def _fit(self, training_data):
        X, names = check_training_data(training_data)
        n, M = X.shape
        self.n_features_in_ = M
        self.feature_names_in_ = [str(f) for f in (self.feature_names if self.feature_names is not None else names)]
        if len(self.feature_names_in_) != M:
            raise ValueError(f"feature_names has {len(self.feature_names_in_)} names for {M} columns")
        self.categorical_ = check_columns(self.categorical_features, self.feature_names_in_)
        if self.discretize_continuous and self.discretizer not in DISCRETIZER_PERCENTILES:
            raise ValueError(f"discretizer={self.discretizer!r} is not supported; "
                             f"use one of {sorted(DISCRETIZER_PERCENTILES)}")
        self.kernel_width_ = (0.75 * np.sqrt(M) if self.kernel_width is None
                              else check_positive(self.kernel_width, "kernel_width"))
        # Standardisation (distances without discretisation): sklearn's StandardScaler(with_mean=False)
        self.mean_, self.scale_ = _mean_and_scale(X)
        self.bins_ = {}
        if self.discretize_continuous:
            for j in range(M):
                if j not in self.categorical_:
                    self.bins_[j] = _Bins(X[:, j], DISCRETIZER_PERCENTILES[self.discretizer])
        # After discretising, every feature is categorical (its values are bin ids), sampled in
        # column order; without, only the categorical ones, in the order given (lime's RNG order)
        self.sampled_as_category_ = list(range(M)) if self.discretize_continuous else self.categorical_
        self.values_, self.frequencies_ = {}, {}
        for j in self.sampled_as_category_:
            column = self.bins_[j].bin_of(X[:, j]) if j in self.bins_ else X[:, j]
            values, counts = np.unique(column, return_counts=True)
            self.values_[j], self.frequencies_[j] = values.astype(float), counts / counts.sum()
            self.mean_[j], self.scale_[j] = 0.0, 1.0
        return self

    # -------------------------------------------------------------- step 1: sample
    def sample(self, x, predict_fn, num_samples=5000, batch_size=None, progress=False) -> Neighbourhood:
        """Draw `num_samples` neighbours of x (row 0 is x itself) and run the model on them."""
        M, x = self.n_features_in_, self._check_row(x)
        predict_fn, num_samples, batch_size = check_sampling(predict_fn, num_samples, batch_size, 3 * M + 8, M)
        rng = check_random_state(self.seed, "seed")
        if self.discretize_continuous:                 # every column is drawn by its bins below
            rows = np.zeros((num_samples, M))
        else:                                          # N(0, 1) scaled back to the data's units
            rows = rng.normal(0, 1, num_samples * M).reshape(num_samples, M) * self.scale_
            rows += x if self.sample_around_instance else self.mean_
        rows[0] = x
        Z = (rows - self.mean_) / self.scale_          # standardised: z' without discretisation
        x_category = self._categories(x)
        for j in self.sampled_as_category_:            # bins and categories: by training frequency
            drawn = rng.choice(self.values_[j], size=num_samples, replace=True, p=self.frequencies_[j])
            drawn[0] = x[j]
            Z[:, j] = (drawn == x_category[j]).astype(int)
            Z[0, j] = 1
            rows[:, j] = drawn
        for j, bins in self.bins_.items():             # a bin id back to a value inside the bin
            rows[1:, j] = bins.value_in_bin(rows[1:, j].astype(int), rng)
        predictions = predict_in_batches(predict_fn, lambda r: rows[r], num_samples, batch_size, progress)
        return Neighbourhood(Z=Z, predictions=predictions, distances=_euclidean_distances_to_first(Z),
                             kernel_width=self.kernel_width_, feature_names=self.explained_names(x),
                             feature_selection=self.feature_selection, inputs=rows,
                             extra={"columns": list(self.feature_names_in_)})

    def explain(self, x, predict_fn, label=1, num_features=10, num_samples=5000,
                batch_size=None, progress=False) -> Explanation:
        """Explain f(x) for one label (output column): sample, then weight and fit (``core``).

        A regressor's 1-D output has one column and `label` is not used; the result equals
        ``lime``'s ``mode="regression"`` explanation of label 1.
        """
        neighbourhood = self.sample(x, predict_fn, num_samples, batch_size, progress)
        return neighbourhood.explain(label, num_features)

    # -------------------------------------------------------------- names and helpers
    def explained_names(self, x) -> list[str]:
        """What z'_j = 1 means for this x: "ap_hi > 140.00", "gender=2", or just the name."""
        x = self._check_row(x)
        names = list(self.feature_names_in_)
        for j in self.categorical_:
            value = x[j]
            names[j] = f"{names[j]}={int(value) if float(value).is_integer() else value}"
        for j, bins in self.bins_.items():
            names[j] = bins.names(names[j])[int(bins.bin_of(x[j]))]
        return names

    def _categories(self, x) -> np.ndarray:
        """x with each binned feature replaced by its bin id."""
        out = np.array(x, dtype=float)
        for j, bins in self.bins_.items():
            out[j] = bins.bin_of(x[j])
        return out

    def _check_row(self, x) -> np.ndarray:
        return check_row(x, "x", self.n_features_in_, f"the training data has {self.n_features_in_} columns")


class _Bins:
    """Quantile bins of one training column, and the statistics to sample inside each bin."""

    def __init__(self, column, percentiles):
        self.edges = np.unique(np.percentile(column, percentiles))   # q_1 < q_2 < q_3
        ids = self.bin_of(column)
        n_bins = len(self.edges) + 1
        self.means = np.array([column[ids == b].mean() if np.any(ids == b) else 0.0 for b in range(n_bins)])
        self.stds = np.array([column[ids == b].std() if np.any(ids == b) else 0.0 for b in range(n_bins)]) + 1e-11
        self.mins = np.concatenate([[column.min()], self.edges])
        self.maxs = np.concatenate([self.edges, [column.max()]])

    def bin_of(self, values):
        """0 for v <= q_1, b for q_b < v <= q_{b+1}, the last bin above the last edge."""
        return np.searchsorted(self.edges, values)

    def names(self, name):
        e = self.edges
        return ([f"{name} <= {e[0]:.2f}"]
                + [f"{e[i]:.2f} < {name} <= {e[i + 1]:.2f}" for i in range(len(e) - 1)]
                + [f"{name} > {e[-1]:.2f}"])

    def value_in_bin(self, bin_ids, rng):
        """A value per bin id: a normal with the bin's mean and std, truncated to the bin.

        As in ``lime``: where the bin's min equals its max the z-score (min - mean) / std is
        returned instead of a value, usually 0; a lime quirk kept so that the numbers agree.
        """
        low = (self.mins[bin_ids] - self.means[bin_ids]) / self.stds[bin_ids]
        high = (self.maxs[bin_ids] - self.means[bin_ids]) / self.stds[bin_ids]
        values = low.copy()
        wide = low != high
        values[wide] = scipy.stats.truncnorm.rvs(low[wide], high[wide], loc=self.means[bin_ids][wide],
                                                 scale=self.stds[bin_ids][wide], random_state=rng)
        return values


def _mean_and_scale(X):
    """Column mean and standard deviation as scikit-learn's StandardScaler computes them.

    var = (sum (x - m)^2 - (sum (x - m))^2 / n) / n, the corrected two-pass formula; a
    (near-)constant column gets scale 1.
    """
    n = X.shape[0]
    mean = X.sum(axis=0) / n
    deviation = X - mean
    var = ((deviation ** 2).sum(axis=0) - deviation.sum(axis=0) ** 2 / n) / n
    eps = np.finfo(np.float64).eps
    constant = var <= n * eps * var + (n * mean * eps) ** 2
    scale = np.sqrt(var)
    scale[constant] = 1.0
    return mean, scale


