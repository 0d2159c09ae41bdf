"""Arrays, counts and numbers: rows as float arrays, bounded counts (nothing too large is
allocated), reals in a range, shapes and torch tensors."""
from __future__ import annotations

import numbers

import numpy as np

from .tables import like

__all__ = ["BLOCK_ELEMENTS", "MAX_ELEMENTS", "check_rows", "check_count", "check_budget",
           "check_tensor", "check_real", "check_scalar", "check_positive", "check_size",
           "check_shape", "check_array", "check_indices"]


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


def check_budget(count, name: str, per_unit: int, minimum: int = 1, optional: bool = False):
    """check_count with the memory bound: count * per_unit numbers must stay under MAX_ELEMENTS.

    optional lets None through (e.g. n_samples=None: enumerate everything).
    """
    if optional and count is None:
        return None
    maximum = max(minimum, MAX_ELEMENTS // max(int(per_unit), 1))
    return check_count(count, name, minimum, maximum)


def check_tensor(x, name: str, like=None, ndim: int | None = None, shape: tuple | None = None):
    """A floating torch tensor on the device and of the dtype of `like` (a model's parameter)."""
    import torch

    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}; "
                        f"use torch.as_tensor({name}, dtype=torch.float32)")
    if ndim is not None and x.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {tuple(x.shape)}")
    if shape is not None and tuple(x.shape) != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}, got {tuple(x.shape)}")
    if like is not None and x.device != like.device:
        raise ValueError(f"{name} is on {x.device} but the model is on {like.device}; "
                         f"move it with {name}.to({str(like.device)!r})")
    if like is not None and x.dtype != like.dtype:
        raise ValueError(f"{name} is {x.dtype} but the model's weights are {like.dtype}; "
                         f"convert with {name}.to({like.dtype})")
    if not torch.isfinite(x).all():
        raise ValueError(f"{name} has NaN or infinite values")
    return x


# ----------------------------------------------------------------------------- numbers, arrays, tensors and layers


def check_real(value, name: str, low: float | None = None, high: float | None = None,
               open_interval: bool = False) -> float:
    """A finite real number (not a bool) with low <= value <= high; strict if open_interval."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}")
    below = low is not None and (value <= low if open_interval else value < low)
    above = high is not None and (value >= high if open_interval else value > high)
    if not np.isfinite(value) or below or above:
        signs = (">", "<") if open_interval else (">=", "<=")
        bounds = " and ".join(([f"{signs[0]} {low:g}"] if low is not None else [])
                              + ([f"{signs[1]} {high:g}"] if high is not None else [])) or "finite"
        raise ValueError(f"{name} must be a number {bounds}, got {value!r}")
    return float(value)


def check_scalar(value, what: str) -> float:
    """A finite real number (a one-element array counts), or a one-line error naming `what`.

    For values a user's function returned, e.g. a coalition's value in a cooperative game.
    """
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(()).item()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what} is {value!r}; it must be a real number")
    if not np.isfinite(value):
        raise ValueError(f"{what} is {value}; it must be finite")
    return float(value)


def check_positive(value, name: str) -> float:
    """A finite real number > 0 (a learning rate, a regularisation strength)."""
    if check_real(value, name) <= 0:
        raise ValueError(f"{name} must be a number > 0, got {value!r}")
    return float(value)


def check_size(n_numbers: int, what: str) -> None:
    """Refuse, before allocating, a result of more than MAX_ELEMENTS numbers."""
    if n_numbers > MAX_ELEMENTS:
        raise ValueError(f"{what} would hold {n_numbers:,} numbers (at most {MAX_ELEMENTS:,}); "
                         "use fewer rows, features or steps")


def check_shape(shape, name: str, length: int, per_unit: int = 1) -> tuple:
    """`length` positive integers (an image size (H, W), ...) whose product x per_unit fits memory."""
    if isinstance(shape, (str, bytes)) or not hasattr(shape, "__len__") or len(shape) != length:
        raise TypeError(f"{name} must be {length} integers, got {shape!r}")
    shape = tuple(check_count(value, f"{name}[{i}]") for i, value in enumerate(shape))
    check_size(int(np.prod(shape, dtype=float)) * max(int(per_unit), 1), name)
    return shape


def check_array(values, name: str, ndim=None, shape=None, min_size: int = 1,
                keep_tensor: bool = False) -> np.ndarray:
    """`values` (an array, list, Series, DataFrame or tensor) as a finite float array.

    ndim: the dimensions allowed (an int or a tuple); shape: the exact shape required; at least
    `min_size` numbers. A tensor keeps its float dtype (keep_tensor returns it unchanged once
    checked); everything else becomes float64, pandas NA becoming NaN (and so refused).
    """
    tensor = values if hasattr(values, "detach") else None
    if hasattr(values, "toarray") or type(values).__module__.startswith("scipy.sparse"):
        raise TypeError(f"{name} is a sparse matrix; pass a dense array ({name}.toarray())")
    elif tensor is not None:
        if tensor.dtype.is_complex or str(tensor.dtype) == "torch.bool":
            raise TypeError(f"{name} must hold real numbers, got {tensor.dtype}")
        array = tensor.detach().cpu().numpy()
        array = array if array.dtype.kind == "f" else array.astype(float)
    else:
        if hasattr(values, "to_numpy") and _numeric_frame(values):
            values = values.to_numpy(dtype=float, na_value=np.nan)
        try:
            array = np.asarray(values, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must hold numbers only, got {type(values).__name__}; "
                            "encode text or categories as numbers first") from None
    allowed = (ndim,) if isinstance(ndim, int) else ndim
    if allowed is not None and array.ndim not in allowed:
        raise ValueError(f"{name} must have {' or '.join(map(str, allowed))} dimensions, got shape "
                         f"{array.shape}")
    if shape is not None and array.shape != tuple(shape):
        raise ValueError(f"{name} has shape {array.shape}, expected {tuple(shape)}")
    if array.size < min_size:
        raise ValueError(f"{name} must hold at least {min_size} numbers, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} has NaN or infinite values; impute or drop them first")
    return tensor if keep_tensor and tensor is not None else array


def check_indices(ids, name: str, upper: int, ndim: int | None = None):
    """An integer torch tensor with every value in [0, upper) (token ids, class labels)."""
    import torch

    if not isinstance(ids, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of integers, got {type(ids).__name__}; "
                        f"use torch.as_tensor({name}, dtype=torch.long)")
    if ids.is_floating_point() or ids.is_complex() or ids.dtype == torch.bool:
        raise TypeError(f"{name} must hold integer indices, got {ids.dtype}; use {name}.long()")
    if ndim is not None and ids.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {tuple(ids.shape)}")
    if ids.numel() == 0:
        raise ValueError(f"{name} is empty (shape {tuple(ids.shape)})")
    low, high = int(ids.min()), int(ids.max())
    if low < 0 or high >= upper:
        raise ValueError(f"{name} holds {low if low < 0 else high}, outside 0 to {upper - 1}")
    return ids
