"""One result shape for every local explainer: attributions plus a base value.

Whatever the method (exact Shapley, KernelSHAP, TreeSHAP, LIME), a local explanation of the
prediction f(x) splits it into a base value and one number per feature. For additive methods
the split is exact (efficiency):

    base_value + sum_j values[j] = f(x)

so :meth:`Attributions.efficiency_gap` can be checked everywhere, and :meth:`to_shap` hands
the numbers to ``shap.Explanation`` so that shap's maintained plots (waterfall, beeswarm,
force, bar, scatter) draw ours.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ._validation import check_array, check_instance


@dataclass
class Attributions:
    """Per-feature attributions for n explained rows.

    values : (n, M) for one output, (n, M, K) for K outputs.
    base_values : (n,) or (n, K): the value the attributions start from (E[f(X)] for SHAP).
    data : (n, M) feature values of the explained rows, for plots (optional).
    feature_names : M names (optional).
    """

    values: np.ndarray
    base_values: np.ndarray
    data: np.ndarray | None = None
    feature_names: Sequence[str] | None = None

    def __post_init__(self):
        self.values = check_array(self.values, "values", min_size=0)
        self.base_values = check_array(self.base_values, "base_values", min_size=0)
        if self.values.ndim not in (2, 3):
            raise ValueError(f"values must have shape (n, M) or (n, M, K), got {self.values.shape}")
        n = self.values.shape[0]
        expected = (n,) + self.values.shape[2:]
        if self.base_values.shape != expected:
            self.base_values = _broadcast(self.base_values, expected)
        if self.data is not None:
            self.data = np.asarray(self.data)
            if self.data.shape[:2] != self.values.shape[:2]:
                raise ValueError(f"data has shape {self.data.shape}, values {self.values.shape}; "
                                 "pass the rows that were explained")
        if self.feature_names is not None:
            self.feature_names = [str(name) for name in self.feature_names]
            if len(self.feature_names) != self.values.shape[1]:
                raise ValueError(f"{len(self.feature_names)} feature_names for "
                                 f"{self.values.shape[1]} features")

    @property
    def predictions(self) -> np.ndarray:
        """base_values + sum over features: what the attributions add up to."""
        return self.base_values + self.values.sum(axis=1)

    def efficiency_gap(self, predictions) -> np.ndarray:
        """base + sum(values) - f(x), per row (and output): zero for an exact Shapley split."""
        predictions = check_array(predictions, "predictions", min_size=0)
        if predictions.size != self.predictions.size:
            raise ValueError(f"predictions has {predictions.size} values for {self.predictions.shape} "
                             "explained outputs; pass f(x) of the explained rows")
        return self.predictions - predictions.reshape(self.predictions.shape)

    def __len__(self) -> int:
        return self.values.shape[0]

    def __getitem__(self, index) -> "Attributions":
        """Rows by index or slice, keeping two dimensions."""
        rows = np.arange(len(self))[index]
        rows = np.atleast_1d(rows)
        return Attributions(self.values[rows], self.base_values[rows],
                            None if self.data is None else self.data[rows], self.feature_names)

    def to_shap(self, output: int | None = None):
        """A ``shap.Explanation`` (one output: pick `output`); the same as :func:`to_explanation`."""
        return to_explanation(self, output=output)


def to_explanation(result: Attributions, X=None, feature_names=None, output: int | None = None):
    """The one converter to ``shap.Explanation`` (one output: pick `output` when there are several).

    X and feature_names, if given, replace the rows and names stored in `result` (a DataFrame's
    columns become the names), so that shap's plots can colour and label the points.
    """
    check_instance(result, "result", Attributions, "pass what kernel_shap, tree_shap or .attributions() return")
    if output is not None and result.values.ndim == 3 and output not in range(result.values.shape[2]):
        raise ValueError(f"output={output!r} but the values have shape {result.values.shape}; "
                         "pick an output column 0..K-1 of (n, M, K) values, or output=None")
    if feature_names is None and hasattr(X, "columns"):
        feature_names = list(X.columns)
    data = result.data if X is None else np.asarray(X)
    names = result.feature_names if feature_names is None else [str(n) for n in feature_names]
    values, base = result.values, result.base_values
    if values.ndim == 3 and output is not None:
        values, base = values[:, :, output], base[:, output]
    if data is not None and np.shape(data)[:2] != values.shape[:2]:
        raise ValueError(f"X has shape {np.shape(data)} but the values {values.shape}; "
                         "pass the rows that were explained")
    import shap  # only here: the rest of the course does not need it

    return shap.Explanation(values=values, base_values=base, data=data, feature_names=names)


def _broadcast(base_values: np.ndarray, shape: tuple) -> np.ndarray:
    """base_values repeated to `shape` ((n,) or (n, K)), or a one-line error."""
    try:
        return np.broadcast_to(base_values, shape).copy()
    except ValueError:
        raise ValueError(f"base_values has shape {base_values.shape} but the values need {shape}: "
                         "one base value per row (and output)") from None
