"""Checks at the boundary: one place for every public function's argument checks.

A public function validates in one to three lines and its algorithm then trusts its inputs
(scikit-learn's ``check_array`` / ``check_is_fitted``; captum's ``_utils/common.py``). Every error
is one line that names the argument, what was wrong and the fix:

* ``TypeError`` for the wrong kind of thing (a string array, a sparse matrix, a float count),
* ``ValueError`` for a wrong value (NaN, a negative seed, a shape that does not fit, a count so
  large that the work could not fit in memory, checked before anything is allocated).
"""
from __future__ import annotations

import numbers
from typing import Callable

import numpy as np
from sklearn.base import is_regressor as sklearn_is_regressor
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

__all__ = ["MAX_ELEMENTS", "BLOCK_ELEMENTS", "check_fitted", "check_table", "check_target",
           "feature_index", "like", "is_regressor", "check_rows", "check_count", "check_budget", "check_seed",
           "check_random_state", "check_callable", "model_outputs", "model_labels", "check_tensor"]

#: Numbers per block when a method builds many model inputs at once (e.g. candidate rows).
BLOCK_ELEMENTS = 2 ** 22
#: The most numbers one call may build (rows x coalitions x background x features, ...):
#: 2**28 float64 values are 2 GiB. Counts that would need more are refused up front.
MAX_ELEMENTS = 2 ** 28


def check_rows(rows, name: str, n_features: int | None = None, expected: str = "",
               allow_nan: bool = False):
    """`rows` as a 2-D finite float array, with a DataFrame's column names (else None).

    n_features, if given, is the number of columns required; `expected` says where it comes from
    in the error (e.g. "X has shape (2, 7)"). allow_nan lets NaN through for models that route
    missing values themselves (infinite values are still refused).
    """
    if hasattr(rows, "toarray") or type(rows).__module__.startswith("scipy.sparse"):
        raise TypeError(f"{name} is a sparse matrix; pass a dense array ({name}.toarray())")
    names = [str(c) for c in rows.columns] if hasattr(rows, "columns") else None
    if hasattr(rows, "detach"):                                   # a torch tensor
        rows = rows.detach().cpu().numpy()
    if hasattr(rows, "to_numpy"):
        rows = rows.to_numpy(dtype=float, na_value=np.nan) if _numeric_frame(rows) else rows.to_numpy()
    try:
        array = np.asarray(rows, dtype=float)
    except (TypeError, ValueError):
        kind = getattr(np.asarray(rows, dtype=object), "dtype", "")
        raise TypeError(f"{name} must hold numbers only, got {type(rows).__name__} of {kind} "
                        "values; encode text or categories as numbers first") from None
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-D (rows, features), got shape {array.shape}; "
                         "for a single row pass row.reshape(1, -1)")
    if n_features is not None and array.shape[1] != n_features:
        expected = expected or f"{n_features} features are expected"
        raise ValueError(f"{name} has shape {array.shape} but {expected}; "
                         f"pass rows with the same {n_features} columns")
    if len(array) == 0:
        raise ValueError(f"{name} has no rows")
    finite = np.isfinite(array) | (np.isnan(array) if allow_nan else False)
    bad = np.flatnonzero(~finite.all(axis=1))
    if len(bad):
        raise ValueError(f"{name} has NaN or infinite values in row {bad[0]}"
                         + (f" (and {len(bad) - 1} more)" if len(bad) > 1 else "")
                         + "; impute or drop them first")
    return array, names


def _numeric_frame(frame) -> bool:
    """True for a DataFrame whose columns are all numbers (pandas NA then becomes NaN)."""
    dtypes = getattr(frame, "dtypes", None)
    kinds = [getattr(d, "kind", "O") for d in np.atleast_1d(dtypes)] if dtypes is not None else []
    return bool(kinds) and all(kind in "biuf" for kind in kinds)


def check_count(value, name: str, minimum: int = 1, maximum: int | None = None) -> int:
    """An integer count with minimum <= value (<= maximum); bools and floats are refused."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name}={value} is too large (at most {maximum:,} here); "
                         f"use a smaller {name}")
    return int(value)


def check_budget(count, name: str, per_unit: int, minimum: int = 1) -> int:
    """check_count with the memory bound: count * per_unit numbers must stay under MAX_ELEMENTS."""
    maximum = max(minimum, MAX_ELEMENTS // max(int(per_unit), 1))
    return check_count(count, name, minimum, maximum)


def check_seed(seed, name: str = "seed") -> int:
    """A seed for ``np.random.default_rng``: an int between 0 and 2**32 - 1."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{name} must be an int (e.g. {name}=0), got {seed!r}")
    if not 0 <= seed < 2 ** 32:
        raise ValueError(f"{name} must be between 0 and 2**32 - 1, got {seed}")
    return int(seed)


def check_random_state(random_state, name: str = "random_state") -> np.random.RandomState:
    """scikit-learn's convention: None (numpy's global RandomState), an int seed, or a RandomState."""
    if random_state is None:
        return np.random.mtrand._rand
    if isinstance(random_state, np.random.RandomState):
        return random_state
    return np.random.RandomState(check_seed(random_state, name))


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


def check_tensor(x, name: str, like=None, ndim: int | None = None):
    """A floating torch tensor on the device and of the dtype of `like` (a model's parameter)."""
    import torch

    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}; "
                        f"use torch.as_tensor({name}, dtype=torch.float32)")
    if ndim is not None and x.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {tuple(x.shape)}")
    if like is not None and x.device != like.device:
        raise ValueError(f"{name} is on {x.device} but the model is on {like.device}; "
                         f"move it with {name}.to({str(like.device)!r})")
    if like is not None and x.dtype != like.dtype:
        raise ValueError(f"{name} is {x.dtype} but the model's weights are {like.dtype}; "
                         f"convert with {name}.to({like.dtype})")
    if not torch.isfinite(x).all():
        raise ValueError(f"{name} has NaN or infinite values")
    return x


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


def check_table(X, name: str = "X"):
    """(values as a float array (n, M), feature names) for a DataFrame or a 2-D array of numbers."""
    if hasattr(X, "toarray"):
        raise TypeError(f"{name} is a sparse matrix; pass a dense array ({name}.toarray())")
    if hasattr(X, "columns") and hasattr(X, "dtypes"):
        bad = [str(c) for c, kind in zip(X.columns, X.dtypes) if getattr(kind, "kind", "O") not in "biuf"]
        if bad:
            raise TypeError(f"{name} has non-numeric columns {bad}; encode them as numbers first "
                            "(e.g. pd.get_dummies or OrdinalEncoder)")
        columns = [str(c) for c in X.columns]
        values = X.to_numpy(dtype=float, na_value=np.nan)   # pandas NA becomes NaN
    else:
        try:
            values = np.asarray(X, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be a DataFrame or an array of numbers; it holds values "
                            "that are not numbers (encode them first)") from None
        if values.ndim != 2:
            raise ValueError(f"{name} must be 2-D (rows x features), got shape {values.shape}; "
                             "use X.reshape(1, -1) for a single row")
        columns = [str(j) for j in range(values.shape[1])]
    if values.shape[0] == 0:
        raise ValueError(f"{name} has no rows")
    if np.any(np.isinf(values)):
        raise ValueError(f"{name} holds infinite values; replace or drop them first")
    return values, columns


def check_target(y, n: int) -> np.ndarray:
    y = np.asarray(y).ravel()
    if len(y) != n:
        raise ValueError(f"y has {len(y)} entries but X has {n} rows; pass the labels of the same rows")
    return y


def feature_index(feature, columns) -> int:
    """Position of `feature` (a column name or an integer position) among `columns`."""
    if isinstance(feature, (int, np.integer)) and not isinstance(feature, bool):
        if not 0 <= feature < len(columns):
            raise ValueError(f"feature {feature} is out of range: X has {len(columns)} columns")
        return int(feature)
    if str(feature) not in columns:
        raise ValueError(f"unknown feature {feature!r}; X has the columns {columns}")
    return columns.index(str(feature))


def like(X, values, columns):
    """`values` in the container the model was given: a DataFrame with X's columns, or an array."""
    if hasattr(X, "columns"):
        return type(X)(values, columns=X.columns)
    return values


def is_regressor(model) -> bool:
    """True for a model with one numeric output (scikit-learn's tags, else: no predict_proba)."""
    try:
        return bool(sklearn_is_regressor(model))
    except Exception:   # an object without scikit-learn tags
        return not hasattr(model, "predict_proba")


# --- shapley and lime
def check_row(x, name: str, n_features: int, expected: str = "") -> np.ndarray:
    """One row of `n_features` finite numbers ((M,) or (1, M): array, list, Series, tensor), 1-D."""
    if hasattr(x, "to_numpy") and not hasattr(x, "columns"):       # a pandas Series
        x = x.to_numpy(dtype=float, na_value=np.nan) if x.dtype.kind in "biuf" else x.to_numpy()
    if hasattr(x, "detach"):                                       # a torch tensor
        x = x.detach().cpu().numpy()
    if isinstance(x, (list, tuple, np.ndarray)) and np.asarray(x, dtype=object).ndim == 1:
        x = [x]
    rows, _ = check_rows(x, name, n_features, expected)
    if len(rows) != 1:
        raise ValueError(f"{name} has shape {rows.shape}; pass one row of {n_features} values "
                         "(X[i], not X[i:i+5])")
    return rows[0]


def check_number(value, name: str, minimum: float = 0.0, strict: bool = True) -> float:
    """A finite real number above `minimum` (or equal to it when strict=False)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}")
    if not np.isfinite(value) or value < minimum or (strict and value == minimum):
        relation = ">" if strict else ">="
        raise ValueError(f"{name} must be a finite number {relation} {minimum:g}, got {value!r}")
    return float(value)


def check_finite(values, name: str) -> np.ndarray:
    """An array (or a number) of finite floats, any shape."""
    if hasattr(values, "toarray"):
        raise TypeError(f"{name} is a sparse matrix; pass a dense array")
    if hasattr(values, "detach"):
        values = values.detach().cpu().numpy()
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must hold numbers only, got {type(values).__name__}") from None
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} has NaN or infinite values; impute or drop them first")
    return array


def check_vector(values, name: str, length: int | None = None, expected: str = "") -> np.ndarray:
    """A 1-D array of finite numbers (of `length` entries, if given)."""
    array = check_finite(values, name)
    if array.ndim != 1 or (length is not None and len(array) != length):
        size = f" of {length} entries" if length is not None else ""
        raise ValueError(f"{name} has shape {array.shape}; pass a 1-D array{size}"
                         + (f" ({expected})" if expected else ""))
    return array


def check_instance(value, name: str, kind: type, hint: str = ""):
    """value itself if it is a `kind`; else a TypeError naming what to pass."""
    if not isinstance(value, kind):
        raise TypeError(f"{name} must be a {kind.__name__}, got {type(value).__name__}"
                        + (f"; {hint}" if hint else ""))
    return value
