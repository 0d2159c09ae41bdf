"""The LIME core, the same for tables, text and images: sample, weight, fit, read.

LIME (Ribeiro, Singh & Guestrin, "Why Should I Trust You?", KDD 2016) explains one prediction
f(x) with a linear model g that is faithful *near x*:

    g = argmin_g  sum_z  pi_x(z) * (f(z) - g(z'))^2  +  Omega(g)

1. **sample**: perturb x into neighbours z, each described by an interpretable vector z'
   (which words are kept, which superpixels are on, which quartile bins equal x's), and ask
   the model for f(z);
2. **weight**: pi_x(z) = exp(-D(x, z)^2 / (2 w^2)), the exponential kernel of width w;
3. **fit**: keep at most K features (the complexity Omega), then a weighted ridge regression
   of f(z) on z';
4. **read**: the coefficients are the explanation; the weighted R^2 says how linear the
   neighbourhood really was, and g(x') (``local_pred``) how close g gets to f(x).

Each representation (``tabular``, ``text``, ``image``) only does step 1 and returns a
:class:`Neighbourhood`; steps 2-4 live here, once. The numbers equal those of ``lime`` 0.2.0.1
(``lime/lime_base.py``) for the same neighbourhood.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import scipy.linalg
from sklearn.linear_model import lars_path

from .._validation import (check_array, check_count, check_explain, check_feature_selection, check_positive,
                           check_real, check_regression, check_representation, check_vector, check_weights,
                           model_outputs)


# ------------------------------------------------------------------ the algorithm, top to bottom
def fit_surrogate(Z, y, distances, kernel_width, num_features=10, feature_selection="auto",
                  alpha=1.0):
    """Steps 2-4: weight the neighbours, select features, fit the weighted ridge g.

    Z : (n, M) interpretable representation, row 0 = the explained instance x'.
    y : (n,) the model's output for the label being explained.
    distances : (n,) D(x, z) for each neighbour.
    Returns (coef, intercept, score, local_pred, used_features): coefficients of the selected
    features in the order they were selected, the weighted R^2 of g, and g(x').
    """
    Z, y, distances = check_regression(Z, y, distances, "distances")
    num_features, alpha = check_count(num_features, "num_features"), check_real(alpha, "alpha", low=0)
    kernel_width, method = check_positive(kernel_width, "kernel_width"), check_feature_selection(feature_selection)
    return _fit_surrogate(Z, y, distances, kernel_width, num_features, method, alpha)


def _fit_surrogate(Z, y, distances, kernel_width, num_features, feature_selection, alpha=1.0):
    proximity = _exponential_kernel(distances, kernel_width)          # pi_x(z)
    used = _select_features(Z, y, proximity, num_features, feature_selection)
    coef, intercept = _weighted_ridge(Z[:, used], y, proximity, alpha)  # g(z') = b + coef . z'
    prediction = Z[:, used] @ coef + intercept
    score = _weighted_r2(y, prediction, proximity)
    local_pred = float(prediction[0])                                 # g at x' (row 0)
    return coef, intercept, score, local_pred, used


def exponential_kernel(distances, kernel_width):
    """LIME's proximity pi_x(z) = sqrt(exp(-d^2 / w^2)) = exp(-d^2 / (2 w^2)).

    Written with the square root as ``lime`` writes it, so that the floats agree.
    """
    distances, kernel_width = check_array(distances, "distances", min_size=0), check_positive(kernel_width, "kernel_width")
    return _exponential_kernel(distances, kernel_width)


def _exponential_kernel(distances, kernel_width):
    return np.sqrt(np.exp(-(distances ** 2) / kernel_width ** 2))


def weighted_ridge(Z, y, sample_weight, alpha=1.0):
    """Ridge regression with an intercept, each row weighted: argmin sum_i w_i (y_i - b - z_i.c)^2 + alpha |c|^2.

    Centre Z and y at their weighted means, solve (Zc' W Zc + alpha I) c = Zc' W yc, then
    b = mean_w(y) - mean_w(Z) . c (the intercept is not penalised). Equal to scikit-learn's
    ``Ridge(alpha, fit_intercept=True).fit(Z, y, sample_weight=w)``: a Cholesky solve, and the
    minimum-norm (SVD) solution when the system is singular (possible with alpha = 0).
    """
    Z, y, sample_weight = check_regression(Z, y, sample_weight)
    return _weighted_ridge(Z, y, sample_weight, check_real(alpha, "alpha", low=0))


def _weighted_ridge(Z, y, w, alpha):
    Z_mean = np.average(Z, axis=0, weights=w)
    y_mean = np.average(y, weights=w)
    root_w = np.sqrt(w)
    A = (Z - Z_mean) * root_w[:, None]            # rows scaled by sqrt(w): A'A = Zc' W Zc
    b = (y - y_mean) * root_w
    try:
        gram = A.T @ A + alpha * np.eye(Z.shape[1])
        coef = scipy.linalg.solve(gram, A.T @ b, assume_a="pos")
    except np.linalg.LinAlgError:                 # singular: the minimum-norm solution
        U, s, Vt = np.linalg.svd(A, full_matrices=False)
        keep = s > 1e-15
        shrink = np.zeros_like(s)
        shrink[keep] = s[keep] / (s[keep] ** 2 + alpha)
        coef = Vt.T @ (shrink * (U.T @ b))
    intercept = float(y_mean - Z_mean @ coef)
    return coef, intercept


def weighted_r2(y, prediction, sample_weight):
    """Weighted coefficient of determination: 1 - sum w (y - g)^2 / sum w (y - mean_w y)^2."""
    y = check_vector(y, "y")
    prediction, sample_weight = check_vector(prediction, "prediction", len(y)), check_weights(sample_weight, len(y))
    return _weighted_r2(y, prediction, sample_weight)


def _weighted_r2(y, prediction, w):
    residual = np.sum(w * (y - prediction) ** 2)
    total = np.sum(w * (y - np.average(y, weights=w)) ** 2)
    if total == 0:  # a constant target: perfect when the fit is exact (scikit-learn's convention)
        return 1.0 if residual == 0 else 0.0
    return float(1.0 - residual / total)


# ------------------------------------------------------------------ feature selection (Omega)
def select_features(Z, y, sample_weight, num_features, method="auto"):
    """Indices of at most `num_features` columns of Z to keep (LIME's complexity limit K).

    'auto' uses forward selection for K <= 6 and 'highest_weights' above, as ``lime`` does.
    """
    Z, y, sample_weight = check_regression(Z, y, sample_weight)
    num_features, method = check_count(num_features, "num_features"), check_feature_selection(method)
    return _select_features(Z, y, sample_weight, num_features, method)


def _select_features(Z, y, sample_weight, num_features, method):
    if method == "auto":
        method = "forward_selection" if num_features <= 6 else "highest_weights"
    if method == "none":
        return np.arange(Z.shape[1])
    if method == "forward_selection":
        return _forward_selection(Z, y, sample_weight, num_features)
    if method == "highest_weights":
        return _highest_weights(Z, y, sample_weight, num_features)
    return _lasso_path_selection(Z, y, sample_weight, num_features)


def forward_selection(Z, y, sample_weight, num_features):
    """Greedy: add, one at a time, the feature whose unregularised weighted fit has the best R^2."""
    Z, y, sample_weight = check_regression(Z, y, sample_weight)
    return _forward_selection(Z, y, sample_weight, check_count(num_features, "num_features"))


def _forward_selection(Z, y, sample_weight, num_features):
    chosen: list[int] = []
    for _ in range(min(num_features, Z.shape[1])):
        best, best_score = 0, -np.inf
        for candidate in range(Z.shape[1]):
            if candidate in chosen:
                continue
            columns = chosen + [candidate]
            coef, intercept = _weighted_ridge(Z[:, columns], y, sample_weight, 0.0)
            score = _weighted_r2(y, Z[:, columns] @ coef + intercept, sample_weight)
            if score > best_score:  # strict: ties keep the lower index, as lime does
                best, best_score = candidate, score
        chosen.append(best)
    return np.array(chosen, dtype=int)


def highest_weights(Z, y, sample_weight, num_features):
    """Fit all features (ridge, alpha=0.01); keep the K largest |coef_j * z'_0j| (stable order)."""
    Z, y, sample_weight = check_regression(Z, y, sample_weight)
    return _highest_weights(Z, y, sample_weight, check_count(num_features, "num_features"))


def _highest_weights(Z, y, sample_weight, num_features):
    coef, _ = _weighted_ridge(Z, y, sample_weight, alpha=0.01)
    contribution = np.abs(coef * np.asarray(Z[0], dtype=float))
    return np.argsort(-contribution, kind="stable")[:num_features]


def lasso_path_selection(Z, y, sample_weight, num_features):
    """Walk the weighted lasso path back from the full model to the last step with <= K features."""
    Z, y, sample_weight = check_regression(Z, y, sample_weight)
    return _lasso_path_selection(Z, y, sample_weight, check_count(num_features, "num_features"))


def _lasso_path_selection(Z, y, w, num_features):
    Zc = (Z - np.average(Z, axis=0, weights=w)) * np.sqrt(w)[:, None]
    yc = (y - np.average(y, weights=w)) * np.sqrt(w)
    _, _, coefs = lars_path(Zc, yc, method="lasso", verbose=False)
    nonzero = np.arange(Z.shape[1])
    for step in range(coefs.shape[1] - 1, 0, -1):
        nonzero = coefs[:, step].nonzero()[0]
        if len(nonzero) <= num_features:
            break
    return nonzero


# ------------------------------------------------------------------ distances
def cosine_distances_to_first(Z):
    """1 - cos(z_i, z_0) for every row (rows of zeros are at distance 1)."""
    return _cosine_distances_to_first(check_representation(Z))


def _cosine_distances_to_first(Z):
    norms = np.linalg.norm(Z, axis=1)
    dot = Z @ Z[0]
    with np.errstate(invalid="ignore", divide="ignore"):
        similarity = np.where(norms > 0, dot / (norms * norms[0]), 0.0)
    return np.clip(1.0 - similarity, 0.0, 2.0)


def euclidean_distances_to_first(Z):
    """||z_i - z_0|| for every row."""
    return _euclidean_distances_to_first(check_representation(Z))


def _euclidean_distances_to_first(Z):
    return np.sqrt(np.sum((Z - Z[0]) ** 2, axis=1))


# ------------------------------------------------------------------ the result
@dataclass
class Explanation:
    """A LIME explanation of one label: g(z') = intercept + sum_j weights[j] * z'_j.

    weights : feature (or word, or superpixel) index -> coefficient, largest |weight| first,
        as ``lime``'s ``as_map()[label]``.
    intercept, score, local_pred : ``lime``'s ``intercept[label]``, ``score`` (the weighted R^2
        of g on the neighbourhood) and ``local_pred`` (g at the instance).
    prediction : the model's own output f(x) for this label, to compare with local_pred.
    feature_names : a readable name per index ("ap_hi > 140.00", "channel", "superpixel 7").
    """

    label: Any
    weights: dict
    intercept: float
    score: float
    local_pred: float
    prediction: float
    feature_names: list
    instance: np.ndarray                        # x' (row 0 of Z): all ones except without discretising
    neighbourhood: "Neighbourhood | None" = field(default=None, repr=False)

    def __post_init__(self):
        self.instance = check_vector(self.instance, "instance", len(self.feature_names), "one per feature name")
        if not isinstance(self.weights, dict) or any(
                not isinstance(j, (int, np.integer)) or not 0 <= j < len(self.feature_names) for j in self.weights):
            raise ValueError(f"weights must be a dict feature index (0..{len(self.feature_names) - 1}) -> weight")

    def as_list(self) -> list[tuple[str, float]]:
        """(name, weight) pairs, largest |weight| first, like ``lime``'s ``as_list``."""
        return [(self.feature_names[j], w) for j, w in self.weights.items()]

    def to_attributions(self):
        """An :class:`~course_lib.explanation.Attributions` of g at x: weight_j * x'_j, base = intercept.

        Its ``.predictions`` equal ``local_pred`` (g's value), not the model's f(x): LIME is
        local, not additive, so ``efficiency_gap(prediction)`` measures how far g is from f at x.
        """
        from ..explanation import Attributions

        values = np.zeros(len(self.feature_names))
        for j, w in self.weights.items():
            values[j] = w * self.instance[j]
        return Attributions(values[None, :], np.array([self.intercept]),
                            feature_names=[str(n) for n in self.feature_names])

    def __repr__(self) -> str:
        top = ", ".join(f"{self.feature_names[j]!s}: {w:+.3f}" for j, w in list(self.weights.items())[:5])
        return (f"Explanation(label={self.label!r}, intercept={self.intercept:.3f}, "
                f"score={self.score:.3f}, local_pred={self.local_pred:.3f}, "
                f"prediction={self.prediction:.3f}, weights={{{top}{', ...' if len(self.weights) > 5 else ''}}})")


@dataclass
class Neighbourhood:
    """Step 1's output, ready for steps 2-4: neighbours, the model's answers, distances.

    Z : (n, M) interpretable representation (row 0 = the instance).
    predictions : (n, K) the model's outputs f(z) on the perturbed inputs.
    distances : (n,) distances D(x, z) that the kernel turns into weights.
    kernel_width : the kernel's width w.
    feature_names : a name per column of Z.
    inputs : the perturbed inputs themselves when they are small (rows, or strings), else None.
    extra : what the representation wants to keep (segments, the hidden image, ...).
    """

    Z: np.ndarray
    predictions: np.ndarray
    distances: np.ndarray
    kernel_width: float
    feature_names: list
    feature_selection: str = "auto"
    inputs: Any = None
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        self.Z = check_representation(self.Z)
        self.predictions = model_outputs(self.predictions, len(self.Z), "predictions")
        self.distances = check_weights(self.distances, len(self.Z), "distances")
        self.kernel_width = check_positive(self.kernel_width, "kernel_width")
        if len(self.feature_names) != self.Z.shape[1]:
            raise ValueError(f"{len(self.feature_names)} feature_names for {self.Z.shape[1]} columns of Z")

    @property
    def proximity(self) -> np.ndarray:
        """pi_x(z): the kernel weight of each neighbour."""
        return _exponential_kernel(self.distances, self.kernel_width)

    def explain(self, label=1, num_features=10, feature_selection=None, kernel_width=None) -> Explanation:
        """Steps 2-4 for one label; reuse the same neighbourhood for other labels or widths.

        num_features=None keeps every feature (lime's image default, num_features=100000).
        """
        column, num_features, method, width = check_explain(self, label, num_features, feature_selection, kernel_width)
        y = self.predictions[:, column]
        coef, intercept, score, local_pred, used = _fit_surrogate(
            self.Z, y, self.distances, width, num_features, method)
        order = np.argsort(-np.abs(coef), kind="stable")
        weights = {int(used[i]): float(coef[i]) for i in order}
        return Explanation(label=label, weights=weights, intercept=intercept, score=score,
                           local_pred=local_pred, prediction=float(y[0]),
                           feature_names=list(self.feature_names), instance=np.asarray(self.Z[0], dtype=float),
                           neighbourhood=self)


# ------------------------------------------------------------------ model calls
def predict_in_batches(predict_fn: Callable, make_inputs: Callable, n: int,
                       batch_size: int | None = None, progress: bool = False) -> np.ndarray:
    """Call ``predict_fn(make_inputs(rows))`` on consecutive slices of rows 0..n-1; stack the outputs.

    Returns an (n, K) float array (a 1-D output becomes one column). Checks what comes back:
    one row per input, finite numbers. `progress` shows a tqdm bar over the batches.
    """
    size = n if not batch_size else int(batch_size)
    starts = range(0, n, size)
    if progress:
        from tqdm.auto import tqdm  # only when asked: tests and quick runs stay quiet

        starts = tqdm(starts, total=-(-n // size), desc="LIME: model calls", unit="batch")
    outputs = []
    for start in starts:
        rows = np.arange(start, min(start + size, n))
        outputs.append(model_outputs(predict_fn(make_inputs(rows)), len(rows), "predict_fn"))
    return np.concatenate(outputs, axis=0)


__all__ = [
    "fit_surrogate", "exponential_kernel", "weighted_ridge", "weighted_r2", "select_features",
    "forward_selection", "highest_weights", "lasso_path_selection", "cosine_distances_to_first",
    "euclidean_distances_to_first", "Explanation", "Neighbourhood",
]
