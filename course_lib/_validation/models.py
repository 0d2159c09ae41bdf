"""Models and what they return: callables, fitted estimators, predictions and labels."""
from __future__ import annotations

from typing import Callable

import numpy as np
from sklearn.base import is_regressor as sklearn_is_regressor
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

__all__ = ["check_callable", "model_outputs", "model_labels", "check_fitted", "is_regressor",
           "check_predictions", "check_tree", "check_estimator"]


def check_callable(f, name: str = "f", example: str = "model.predict") -> Callable:
    """f itself, if it can be called; a fitted model passed whole gets the hint to pass a method."""
    if not callable(f):
        hint = f" (pass {example}, not the model)" if hasattr(f, "predict") else ""
        raise TypeError(f"{name} must be a function of an (n, M) array, got "
                        f"{type(f).__name__}{hint}")
    return f


def model_outputs(output, n_rows: int, name: str = "f", n_outputs: int | None = None) -> np.ndarray:
    """What a model call returned, as a finite float array (n_rows, K); else a one-line error.

    n_outputs, if given, is the K required (1 for a regressor's predict or one class's score).
    """
    if hasattr(output, "detach") and hasattr(output, "cpu"):       # a torch tensor
        output = output.detach().cpu().numpy()
    try:
        output = np.asarray(output, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must return numbers, got {type(output).__name__}") from None
    if output.ndim == 1:
        output = output[:, None]
    if output.ndim != 2 or output.shape[0] != n_rows:
        raise ValueError(f"{name} returned shape {output.shape} for {n_rows} rows; it must return "
                         f"({n_rows},) or ({n_rows}, K), one prediction per row")
    if n_outputs is not None and output.shape[1] != n_outputs:
        raise ValueError(f"{name} returned {output.shape[1]} outputs per row, {n_outputs} expected")
    if not np.all(np.isfinite(output)):
        raise ValueError(f"{name} returned NaN or infinite values; check the model on these rows")
    return output


def model_labels(output, n_rows: int, name: str = "model.predict") -> np.ndarray:
    """What predict returned: one label or number per row, shape (n_rows,), no NaN."""
    output = np.asarray(output.detach().cpu() if hasattr(output, "detach") else output)
    if output.ndim == 2 and output.shape[1] == 1:
        output = output[:, 0]
    if output.shape != (n_rows,):
        raise ValueError(f"{name} returned shape {output.shape} for {n_rows} rows; "
                         f"it must return one prediction per row, shape ({n_rows},)")
    if output.dtype.kind in "fc" and not np.all(np.isfinite(output)):
        raise ValueError(f"{name} returned NaN or infinite values; check the model on these rows")
    return output


# ----------------------------------------------------------------------------- fitted models and tables
def check_fitted(model) -> None:
    """A one-line error for an unfitted model or something that cannot predict."""
    if not hasattr(model, "predict"):
        raise TypeError(f"model must be a fitted estimator with predict(), got {type(model).__name__}")
    if hasattr(model, "fit"):
        try:
            check_is_fitted(model)
        except NotFittedError:
            raise NotFittedError(f"this {type(model).__name__} is not fitted yet; call "
                                 "model.fit(X_train, y_train) first") from None
        except TypeError:   # not a scikit-learn estimator: trust that it predicts
            pass


def is_regressor(model) -> bool:
    """True for a model with one numeric output (scikit-learn's tags, else: no predict_proba)."""
    try:
        return bool(sklearn_is_regressor(model))
    except Exception:   # an object without scikit-learn tags
        return not hasattr(model, "predict_proba")


def check_predictions(output, n_rows: int, name: str = "f") -> np.ndarray:
    """What a model of one output returned: finite numbers, shape (n_rows,) (or (n_rows, 1))."""
    return model_outputs(output, n_rows, name, n_outputs=1)[:, 0]


def check_tree(tree, name: str = "tree"):
    """A fitted scikit-learn decision tree (it has ``tree_`` and ``apply``)."""
    if not (hasattr(tree, "tree_") and hasattr(tree, "apply")):
        raise TypeError(f"{name} must be a fitted scikit-learn decision tree, got "
                        f"{type(tree).__name__}; fit a DecisionTreeClassifier/Regressor first")
    return tree


def check_estimator(estimator, name: str = "estimator"):
    """An unfitted scikit-learn-style estimator: it has fit() and predict()."""
    if not (hasattr(estimator, "fit") and hasattr(estimator, "predict")):
        raise TypeError(f"{name} must be an estimator with fit() and predict() (it is refitted), "
                        f"got {type(estimator).__name__}")
    return estimator
