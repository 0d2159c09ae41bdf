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

__all__ = ["MAX_ELEMENTS", "BLOCK_ELEMENTS", "check_rows", "check_count", "check_budget",
           "check_seed", "check_random_state", "check_callable", "model_outputs", "model_labels",
           "check_tensor", "check_fitted", "check_table", "check_target", "feature_index",
           "like", "is_regressor", "check_choice", "check_device", "check_rgb_image",
           "check_texts", "check_real", "check_scalar", "check_positive", "check_size",
           "check_shape", "check_array", "check_module", "check_layer", "check_images",
           "check_indices", "check_class_index", "check_generator", "check_finite_table",
           "check_predictions", "check_frame", "check_length", "check_names", "check_tree",
           "check_estimator", "check_pair", "check_row", "check_vector", "check_instance",
           "check_like_images", "check_reference_images", "check_window", "check_supported_layers",
           "check_background", "check_class_labels", "check_coalitions", "check_wls",
           "check_model_game"]

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


# ----------------------------------------------------------------------------- choices, devices, images, texts
def _short(value) -> str:
    """repr(value), cut to a few dozen characters for a one-line message."""
    import reprlib

    return reprlib.repr(value)


def check_choice(value, name: str, choices) -> str:
    """`value` if it is one of the strings `choices`; else a one-line error listing them."""
    choices = tuple(choices)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {choices}, got {type(value).__name__} "
                        f"{_short(value)}")
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {_short(value)}")
    return value


def check_device(device, name: str = "device"):
    """A ``torch.device`` that exists here: "cpu", "cuda[:i]" with that GPU present, or "mps"."""
    import torch

    if isinstance(device, bool) or not isinstance(device, (str, torch.device, numbers.Integral)):
        raise TypeError(f"{name} must be a string such as 'cpu' or 'cuda' (or a torch.device), "
                        f"got {type(device).__name__}")
    try:
        device = torch.device(device)
    except (RuntimeError, ValueError):
        raise ValueError(f"{name}={_short(device)} is not a torch device; use 'cpu', "
                         "'cuda' or course_lib.env.DEVICE") from None
    backends = {"cpu": lambda: True, "cuda": torch.cuda.is_available,
                "mps": lambda: torch.backends.mps.is_available()}
    index_ok = device.type != "cuda" or device.index is None or \
        device.index < torch.cuda.device_count()
    if not backends.get(device.type, lambda: False)() or not index_ok:
        raise ValueError(f"{name}={str(device)!r} is not available on this machine; "
                         "use course_lib.env.DEVICE (the GPU when there is one, else 'cpu')")
    return device


def check_rgb_image(image, name: str = "image") -> np.ndarray:
    """An RGB photo as a numpy uint8 array of shape (H, W, 3) with H, W >= 1."""
    if not isinstance(image, np.ndarray):
        raise TypeError(f"{name} must be an RGB uint8 numpy array (H, W, 3), got "
                        f"{type(image).__name__}")
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8 or 0 in image.shape:
        raise ValueError(f"{name} must be an RGB uint8 array of shape (H, W, 3), got "
                         f"{image.dtype} {image.shape}; try np.asarray(pil.convert('RGB'))")
    return image


def check_texts(texts, name: str = "texts", of=str) -> list:
    """A list of texts whose items are `of` (str; None allows any, e.g. token lists).

    One bare string is refused rather than split into letters.
    """
    if isinstance(texts, (str, bytes)) or not hasattr(texts, "__len__") or getattr(texts, "ndim", 1) != 1:
        raise TypeError(f"{name} must be a list of texts, got {type(texts).__name__}; "
                        f"wrap a single one as [{name}], or use list(frame['text'].astype(str))")
    texts = list(texts)
    kinds = {type(t).__name__ for t in texts if not isinstance(t, of)} if of is not None else ()
    if kinds:
        raise TypeError(f"{name} must hold {of.__name__} items only, got {sorted(kinds)}; "
                        "convert them first, e.g. [str(t) for t in texts]")
    return texts


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
    if isinstance(values, np.ndarray) and values.dtype == np.float64:    # the usual case, fast
        array = values
    elif hasattr(values, "toarray") or type(values).__module__.startswith("scipy.sparse"):
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


def check_module(model, name: str = "model"):
    """A torch.nn.Module, else a TypeError naming the fix."""
    from torch import nn

    if not isinstance(model, nn.Module):
        hint = " (for a fastai Learner pass learn.model)" if hasattr(model, "model") else ""
        raise TypeError(f"{name} must be a torch.nn.Module (the network itself), got "
                        f"{type(model).__name__}{hint}")
    return model


def check_layer(model, layer, name: str = "target_layer"):
    """A submodule of `model`, given as the module or its name in ``model.named_modules()``."""
    from torch import nn

    if isinstance(layer, str):
        try:
            return model.get_submodule(layer)
        except AttributeError:
            raise ValueError(f"{name} {layer!r} is not a submodule of the model; "
                             "see [name for name, _ in model.named_modules()]") from None
    if not isinstance(layer, nn.Module):
        raise TypeError(f"{name} must be a module of the model (or its name), got "
                        f"{type(layer).__name__}")
    if not any(module is layer for module in model.modules()):
        raise ValueError(f"{name} ({type(layer).__name__}) is not a submodule of the model; "
                         "pass a module reached from it, e.g. model.layer4[-1]")
    return layer


def check_images(x, model, name: str = "x"):
    """A non-empty float batch (N, C, H, W) on the device and of the dtype of model's weights."""
    import torch

    check_module(model)
    if isinstance(x, torch.Tensor) and x.ndim == 3:
        raise ValueError(f"{name} must be a batch of images (N, C, H, W), got shape "
                         f"{tuple(x.shape)}; for one image add the batch axis with {name}[None]")
    if isinstance(x, torch.Tensor) and not x.is_floating_point():
        raise TypeError(f"{name} must be a float tensor (preprocessed images), got {x.dtype}")
    check_tensor(x, name, like=next(model.parameters(), None), ndim=4)   # kind, device, dtype, NaN
    if x.shape[0] == 0:
        raise ValueError(f"{name} is an empty batch (N = 0)")
    return x


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


def check_class_index(target, n: int, n_classes: int | None = None, name: str = "target",
                      items: str = "items"):
    """One class index per item as a long tensor (n,): from an int for all or one int per item."""
    import torch

    if isinstance(target, (bool, np.bool_)):
        raise TypeError(f"{name} must be a class index, got {target!r}")
    if isinstance(target, (int, np.integer)):
        index = torch.full((n,), int(target), dtype=torch.long)
    else:
        try:
            index = torch.as_tensor(target)
        except (TypeError, ValueError, RuntimeError):
            raise TypeError(f"{name} must be an int or one int per item, got "
                            f"{type(target).__name__}") from None
        if index.is_floating_point() or index.is_complex() or index.dtype == torch.bool:
            raise TypeError(f"{name} must hold integer class indices, got {index.dtype}")
        index = index.long().reshape(-1)
        if index.numel() == 1:
            index = index.expand(n)
        if index.numel() != n:
            raise ValueError(f"{name} has {index.numel()} entries for a batch of {n} {items}; "
                             "give one int for all or one per item")
    if (index < 0).any():
        raise ValueError(f"{name} {index[index < 0][0].item()} is negative; class indices "
                         "start at 0")
    bad = (index >= n_classes) if n_classes is not None else torch.zeros_like(index, dtype=bool)
    if bad.any():
        raise ValueError(f"{name} {index[bad][0].item()} is out of range: the model has "
                         f"{n_classes} classes (0 to {n_classes - 1})")
    return index


def check_generator(rng, name: str = "rng") -> np.random.Generator:
    """numpy's Generator from None, an int seed or a Generator (``np.random.default_rng``'s rule)."""
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(None if rng is None else check_seed(rng, name))


# ----------------------------------------------------------------------------- tables, predictions and estimators
def check_finite_table(X, name: str = "X"):
    """check_table for methods that cannot route missing values: NaN and pandas NA are refused."""
    values, columns = check_table(X, name)
    bad = np.flatnonzero(np.isnan(values).any(axis=1))
    if len(bad):
        raise ValueError(f"{name} has NaN or missing values in row {bad[0]}"
                         + (f" (and {len(bad) - 1} more)" if len(bad) > 1 else "")
                         + "; impute or drop them first")
    return values, columns


def check_predictions(output, n_rows: int, name: str = "f") -> np.ndarray:
    """What a model of one output returned: finite numbers, shape (n_rows,) (or (n_rows, 1))."""
    return model_outputs(output, n_rows, name, n_outputs=1)[:, 0]


def check_frame(table, columns, name: str = "table"):
    """`table` itself if it is a DataFrame holding every name in `columns`."""
    if not hasattr(table, "columns") or not hasattr(table, "loc"):
        raise TypeError(f"{name} must be a pandas DataFrame with the columns {list(columns)}, "
                        f"got {type(table).__name__}")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{name} lacks the columns {missing}; pass a table with {list(columns)}")
    return table


def check_length(values, n: int, name: str, rows: str = "X") -> np.ndarray:
    """`values` as a 1-D array with one entry per row of `rows` (n entries)."""
    values = np.asarray(values).ravel()
    if len(values) != n:
        raise ValueError(f"{name} has {len(values)} entries but {rows} has {n} rows; "
                         "pass one per row")
    return values


def check_names(feature_names, columns) -> list:
    """Feature names: `columns` if None, else one name per column."""
    if feature_names is None:
        return list(columns)
    if isinstance(feature_names, str) or len(feature_names) != len(columns):
        raise ValueError(f"feature_names must be a list of {len(columns)} names, one per column, "
                         f"got {feature_names!r}")
    return [str(name) for name in feature_names]


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


def check_pair(features, columns) -> tuple:
    """Positions of a pair of features (names or positions) among `columns`."""
    if isinstance(features, (str, bytes)) or not hasattr(features, "__len__"):
        raise TypeError(f"features must be a pair of columns such as ('age', 'ap_hi'), got {features!r}")
    if len(features) != 2:
        raise ValueError(f"features must be a pair of columns, got {features!r}")
    return tuple(feature_index(feature, columns) for feature in features)


# ----------------------------------------------------------------------------- rows, vectors and instances
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


def check_vector(values, name: str, length: int | None = None, expected: str = "") -> np.ndarray:
    """A 1-D array of finite numbers (of `length` entries, if given)."""
    array = check_array(values, name, min_size=0)
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


# ----------------------------------------------------------------------------- attribution baselines and concepts (lecture 10)
def check_like_images(value, x, name: str = "baseline"):
    """A reference of x's shape: a number, one image (C, H, W) or a batch like x; on x's device
    and dtype, expanded to x's shape (occlusion's fill value, DeepLIFT's baseline)."""
    import torch

    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return torch.full_like(x, check_real(value, name))
    value = check_tensor(value, name).to(device=x.device, dtype=x.dtype)
    if value.shape == x.shape[1:]:
        value = value.expand_as(x)
    if value.shape != x.shape:
        raise ValueError(f"{name} has shape {tuple(value.shape)}; expected a number, one image "
                         f"{tuple(x.shape[1:])} or a batch {tuple(x.shape)}")
    return value


def check_reference_images(references, x, name: str = "baselines"):
    """A batch of reference images (B, C, H, W) with x's image shape, moved to x's device and dtype."""
    check_tensor(references, name, ndim=4)
    if references.shape[1:] != x.shape[1:] or references.shape[0] == 0:
        raise ValueError(f"{name} has shape {tuple(references.shape)}; pass B >= 1 reference "
                         f"images of x's shape, (B, {', '.join(map(str, x.shape[1:]))})")
    return references.to(device=x.device, dtype=x.dtype)


def check_window(window, name: str, image_size) -> tuple:
    """A window (height, width) that fits in an image of `image_size` (H, W): an int or a pair."""
    pair = (window, window) if isinstance(window, numbers.Integral) and not isinstance(window, bool) \
        else window
    height, width = check_shape(pair, name, length=2)
    if height > image_size[0] or width > image_size[1]:
        raise ValueError(f"{name}={tuple(pair)} is larger than the images "
                         f"({image_size[0]} x {image_size[1]}); use a smaller {name}")
    return height, width


def check_supported_layers(model, supported: tuple, method: str):
    """model's leaf modules, in order, if every one is of a `supported` type (nn.Sequential only)."""
    from torch import nn

    check_module(model)
    if not isinstance(model, nn.Sequential):
        raise TypeError(f"{method} needs the network as an nn.Sequential of layers, got "
                        f"{type(model).__name__}; rebuild it as nn.Sequential(conv, relu, ...)")
    leaves = [m for m in model.modules() if not any(True for _ in m.children())]
    bad = [type(m).__name__ for m in leaves if not isinstance(m, supported)]
    if bad:
        raise ValueError(f"{method} has no rule for the layer {bad[0]}; supported: "
                         f"{sorted({t.__name__ for t in supported})}")
    if len({id(m) for m in leaves}) != len(leaves):
        raise ValueError(f"a layer appears twice in the model; {method} needs each layer once")
    return leaves


# ----------------------------------------------------------------------------- Shapley values by regression (lecture 04)
def check_background(background, X, name: str = "background") -> np.ndarray:
    """Background rows (B, M) with the columns of the checked rows X (n, M), as floats."""
    return check_rows(background, name, X.shape[1], f"X has shape {X.shape}")[0]


def check_class_labels(y, n_rows: int) -> np.ndarray:
    """One class index per row, as floats holding integers."""
    try:
        y = np.asarray(y, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("y must hold class indices (0, 1, ...); encode string labels first, "
                         "e.g. with model.classes_") from None
    if y.shape != (n_rows,) or not np.all(np.isfinite(y)) or np.any(y != np.round(y)):
        raise ValueError(f"y must hold one class index per row of X, shape ({n_rows},); "
                         f"got shape {y.shape}")
    return y


def check_coalitions(Z, n_features: int, name: str = "Z") -> np.ndarray:
    """Coalitions as rows of 0/1 (True: the feature keeps x's value), shape (C, n_features), bool."""
    Z = np.asarray(Z)
    if Z.ndim != 2 or Z.shape[1] != n_features or Z.dtype.kind not in "biuf" or not np.all((Z == 0) | (Z == 1)):
        raise ValueError(f"{name} must be coalitions of 0/1 (True: keep x's value), shape (C, {n_features}); "
                         f"got shape {Z.shape}")
    return Z.astype(bool)


def check_wls(Z, weights, y, total):
    """A weighted least squares with an efficiency constraint: Z (C, M), weights (C,) >= 0,
    values y (n, C, K) and totals (n, K)."""
    Z = check_array(Z, "Z", min_size=0)
    if Z.ndim != 2:
        raise ValueError(f"Z must be 2-D (coalitions, features), got shape {Z.shape}")
    weights = check_vector(weights, "weights", len(Z), "one per coalition")
    y, total = check_array(y, "y", min_size=0), check_array(total, "total", min_size=0)
    if y.ndim != 3 or y.shape[1] != len(Z) or total.size != y.shape[0] * y.shape[2] or np.any(weights < 0):
        raise ValueError(f"y must be (n, {len(Z)}, K) with total (n, K) and weights >= 0; got y "
                         f"{y.shape}, total {total.shape}")
    return Z, weights, y, total


def check_model_game(f, x, background, feature_names, one_row: bool):
    """A model game's inputs (f, rows, background, names): 2-D float x and background, the
    feature names (given, else the frame's columns or the Series' index, else x0, x1, ...) and
    the background's DataFrame (None for an array), so that f is called with what it was given."""
    check_callable(f, "f", "model.predict, or lambda X: model.predict_proba(X)[:, 1]")
    frame = background if hasattr(background, "columns") else None
    background, _ = check_rows(background, "background")
    fits = f"background has {background.shape[1]} features; x and background must share their columns"
    X = (check_row(x, "x", background.shape[1], fits)[None] if one_row or np.ndim(x) == 1
         else check_rows(x, "X", background.shape[1], fits)[0])
    names = feature_names
    if names is None:
        source = frame if frame is not None else x
        names = list(source.columns) if hasattr(source, "columns") else (
            list(source.index) if hasattr(source, "to_numpy") and one_row else None)  # a Series
    names = [f"x{j}" for j in range(X.shape[1])] if names is None else list(names)
    if len(names) != X.shape[1] or len(set(names)) != len(names):
        raise ValueError(f"feature_names must be {X.shape[1]} distinct names, got {names!r}")
    return X, background, names, frame
