"""Checks at the boundary: one place for every public function's argument checks.

A public function validates in one to three lines and its algorithm then trusts its inputs
(scikit-learn's ``check_array`` / ``check_is_fitted``; captum's ``_utils/common.py``). Every error
is one line that names the argument, what was wrong and the fix:

* ``TypeError`` for the wrong kind of thing (a string array, a sparse matrix, a float count),
* ``ValueError`` for a wrong value (NaN, a negative seed, a shape that does not fit, a count so
  large that the work could not fit in memory, checked before anything is allocated).

Check at the door, trust inside: a public function checks its arguments here, once, and a
function that other library code calls has an unchecked core ``_name`` beside it, which the
composites call (scikit-learn's ``permutation_importance`` -> ``_calculate_permutation_scores``).
So every argument is scanned where the user passed it and never again (tests/test_check_once.py).
The general checks come first; the checks of one method family follow, by lecture.
"""
from __future__ import annotations

import collections.abc
import functools
import math
import numbers
from typing import Callable

import numpy as np
from sklearn.base import is_regressor as sklearn_is_regressor
from sklearn.exceptions import NotFittedError
from sklearn.metrics import check_scoring
from sklearn.utils.validation import check_is_fitted

__all__ = ["MAX_ELEMENTS", "BLOCK_ELEMENTS", "check_rows", "check_count", "check_budget",
           "check_seed", "check_random_state", "seed_alias", "check_callable", "model_outputs", "model_labels",
           "check_tensor", "check_fitted", "check_table", "check_target", "feature_index", "like",
           "is_regressor", "check_choice", "check_device", "check_rgb_image", "check_texts",
           "check_real", "check_scalar", "check_positive", "check_size", "check_shape",
           "check_array", "check_module", "check_layer", "check_images", "check_indices",
           "check_class_index", "check_generator", "check_finite_table", "check_predictions",
           "check_frame", "check_length", "check_names", "check_tree", "check_estimator",
           "check_pair", "check_row", "check_vector", "check_instance", "check_like_images",
           "check_reference_images", "check_window", "check_supported_layers", "check_background",
           "check_class_labels", "check_coalitions", "check_wls", "check_model_game",
           "check_players", "check_supervised", "check_affine", "check_row_pairs", "check_gram",
           "check_features_in", "check_activation_pair", "check_score_samples",
           "check_activation_sets", "check_concept_masks", "check_visualisation",
           "check_class_scores", "check_baseline", "check_training_data", "check_tokens",
           "check_colour", "check_perturbation", "check_search", "check_target_scores",
           "check_widths", "check_binary_labels", "check_pictures", "check_edges",
           "check_category_order", "check_nodes", "check_text_labels", "check_labels_per_text",
           "check_encoder", "check_targets", "check_checkpoints", "check_row_indices",
           "check_known_labels", "check_aopc", "check_mask", "check_rationale", "check_tensor_pair",
           "check_grid", "check_scale", "check_counterfactual_target", "check_directions",
           "FEATURE_SELECTIONS", "check_label", "check_feature_selection", "check_sampling",
           "check_columns", "check_regression", "check_representation", "check_weights",
           "check_image", "check_segments", "check_masks", "check_shapley_method",
           "check_one_output", "check_loss_game", "check_explain", "check_words", "check_one_row",
           "check_counterfactual", "check_infidelity", "check_nearest", "check_embedding_ig",
           "check_scores_per_row", "check_embedding_args", "check_importance", "check_training",
           "check_fourier_fit", "check_fourier_transform", "check_mean_target", "check_bins",
           "check_partial_dependence"]

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


def check_random_state(seed, name: str = "seed") -> np.random.RandomState:
    """scikit-learn's ``random_state`` convention for a seed: None (numpy's global RandomState),
    an int, or a RandomState (shared, and it advances)."""
    if seed is None:
        return np.random.mtrand._rand
    if isinstance(seed, np.random.RandomState):
        return seed
    return np.random.RandomState(check_seed(seed, name))


def seed_alias(function):
    """Let `function` (whose seed is named ``seed``, one name across the course) also be called
    with ``random_state=``, the name it had before: old notebooks and submitted exercises still
    pass it, and it is passed on as ``seed``. Both names at once is a TypeError."""
    @functools.wraps(function)
    def with_alias(*args, **kwargs):
        if "random_state" in kwargs:
            if "seed" in kwargs:
                raise TypeError(f"{function.__qualname__} got both seed and random_state (its old "
                                f"name); pass seed= only")
            kwargs["seed"] = kwargs.pop("random_state")
        return function(*args, **kwargs)
    return with_alias


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


def check_one_output(values) -> np.ndarray:
    """A game's values from f, (n, 1) -> (n,): a game needs one number per coalition."""
    if values.shape[1] != 1:
        raise ValueError(f"f returns {values.shape[1]} outputs per row; a game needs one "
                         "number: pass e.g. lambda X: model.predict_proba(X)[:, 1]")
    return values[:, 0]


def check_loss_game(predict_proba, y, background, n_samples, seed, n_features: int):
    """(predict_proba, n_samples, seed) of KernelSHAP of the log-loss, y and the background checked.

    y (class indices) must name columns of what predict_proba returns; the rows of one label are
    explained at once, so the sample budget counts the most frequent label.
    """
    predict_proba, seed = check_callable(predict_proba, "predict_proba", "model.predict_proba"), check_seed(seed)
    n_classes = model_outputs(predict_proba(background[:1]), 1, "predict_proba").shape[1]
    if y.min() < 0 or y.max() >= n_classes:
        raise ValueError(f"y must hold class indices 0..{n_classes - 1} (columns of "
                         f"predict_proba); got values {np.unique(y)[:5]}")
    most = max(np.unique(y, return_counts=True)[1])
    return predict_proba, check_budget(n_samples, "n_samples", most + n_features, 2, optional=True), seed


# ----------------------------------------------------------------------------- LIME (lecture 03)
#: LIME's rules for keeping at most K features.
FEATURE_SELECTIONS = ("auto", "forward_selection", "highest_weights", "lasso_path", "none")


def check_label(label, n_outputs: int) -> int:
    """The output column to explain; a 1-output model (a regressor) has only column 0."""
    if n_outputs == 1:
        return 0
    if isinstance(label, bool) or not isinstance(label, numbers.Integral):
        raise TypeError(f"label must be an int (the output column to explain), got {label!r}")
    if not 0 <= int(label) < n_outputs:
        raise ValueError(f"label={label} but predict_fn returns {n_outputs} outputs; "
                         f"use a label between 0 and {n_outputs - 1}")
    return int(label)


def check_feature_selection(method) -> str:
    if not isinstance(method, str) or method not in FEATURE_SELECTIONS:
        raise ValueError(f"feature_selection={method!r} is not known; use one of {FEATURE_SELECTIONS}")
    return method


def check_sampling(predict_fn, num_samples, batch_size, per_sample: int, per_input: int):
    """(predict_fn, num_samples, batch_size) checked; the counts are bounded before any draw.

    per_sample: numbers kept per neighbour (rows, Z, outputs); per_input: numbers in one model
    input (batch_size=None sends all neighbours in one call).
    """
    predict_fn = check_callable(predict_fn, "predict_fn", "model.predict_proba")
    num_samples = check_budget(num_samples, "num_samples", per_sample, minimum=2)
    if batch_size is not None:
        batch_size = check_budget(batch_size, "batch_size", per_input)
    return predict_fn, num_samples, batch_size


def check_explain(neighbourhood, label, num_features, feature_selection, kernel_width):
    """(column, num_features, feature_selection, kernel_width) of one LIME fit on a neighbourhood;
    None takes the neighbourhood's own setting (num_features=None: every feature)."""
    column = check_label(label, neighbourhood.predictions.shape[1])
    num_features = neighbourhood.Z.shape[1] if num_features is None else check_count(num_features, "num_features")
    method = check_feature_selection(neighbourhood.feature_selection if feature_selection is None
                                     else feature_selection)
    width = neighbourhood.kernel_width if kernel_width is None else check_positive(kernel_width, "kernel_width")
    return column, num_features, method, width


def check_words(text: str, n_words: int, split_expression, seed) -> np.random.RandomState:
    """The random stream of a text neighbourhood, once the text has a word to remove."""
    if n_words == 0:
        raise ValueError(f"text {text[:40]!r} has no words to remove (split on "
                         f"{split_expression!r}); LIME needs at least one word")
    return check_random_state(seed)


def check_columns(columns, names) -> list[int]:
    """categorical_features as column positions: indices or names, unique, in the order given."""
    if columns is None:
        return []
    if isinstance(columns, (str, numbers.Number)):
        raise TypeError(f"categorical_features must be a list of column indices or names, "
                        f"got {columns!r}; e.g. categorical_features=[{columns!r}]")
    out = []
    for c in columns:
        if isinstance(c, str):
            if c not in names:
                raise ValueError(f"categorical_features names {c!r}, which is not a column; columns are {names}")
            out.append(names.index(c))
        elif isinstance(c, (int, np.integer)) and not isinstance(c, bool) and 0 <= c < len(names):
            out.append(int(c))
        else:
            raise ValueError(f"categorical_features must hold column indices 0..{len(names) - 1} or "
                             f"names, got {c!r}")
    return list(dict.fromkeys(out))


def check_regression(Z, y, weights, name: str = "sample_weight"):
    """(Z (n, M), y (n,), weights (n,)) as finite float arrays for a weighted fit; weights >= 0."""
    Z = check_representation(Z)
    return Z, check_vector(y, "y", len(Z), "one value per row of Z"), check_weights(weights, len(Z), name)


def check_representation(Z, name: str = "Z") -> np.ndarray:
    """LIME's interpretable representation (n, M) as finite floats."""
    return check_rows(Z, name)[0]


def check_weights(weights, n: int, name: str = "sample_weight") -> np.ndarray:
    """n finite weights >= 0 (distances too), not all zero for sample weights."""
    weights = check_vector(weights, name, n, "one per row of Z")
    if np.any(weights < 0) or (name == "sample_weight" and not np.any(weights > 0)):
        raise ValueError(f"{name} must be >= 0" + (" with at least one positive weight"
                                                   if name == "sample_weight" else ""))
    return weights


def check_image(image) -> np.ndarray:
    """An (H, W, 3) RGB image of numbers as a numpy array (a PIL image is converted)."""
    if hasattr(image, "convert") and hasattr(image, "size"):   # a PIL image
        image = np.asarray(image.convert("RGB"))
    if hasattr(image, "detach"):
        raise TypeError("image must be a numpy array (H, W, 3), not a tensor: LIME hides superpixels "
                        "in the raw image; convert inside predict_fn")
    image = np.asarray(image)
    if image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 1):
        raise ValueError(f"image has shape {image.shape}, a greyscale image; LIME expects RGB "
                         "(H, W, 3): use np.stack([image] * 3, axis=-1) or skimage.color.gray2rgb")
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"image must have shape (height, width, 3), got {image.shape} "
                         "(a batch? pass one image; channels first? use image.transpose(1, 2, 0))")
    if image.dtype.kind not in "uif":
        raise TypeError(f"image must hold numbers (uint8 or float), got dtype {image.dtype}")
    if image.dtype.kind == "f" and not np.all(np.isfinite(image)):
        raise ValueError("image contains NaN or infinite values")
    return image


def check_segments(segments, shape) -> np.ndarray:
    """(H, W) integer superpixel labels, renumbered 0..K-1 (lime mismatches other numberings)."""
    segments = np.asarray(segments)
    if segments.shape != tuple(shape):
        raise ValueError(f"segments has shape {segments.shape}; expected one label per pixel, {tuple(shape)}")
    if segments.dtype.kind not in "iub":
        raise TypeError(f"segments must hold integer superpixel labels, got dtype {segments.dtype}")
    _, numbered = np.unique(segments, return_inverse=True)      # renumber as 0..K-1
    return numbered.reshape(shape)


def check_masks(Z, n_columns: int, name: str = "Z") -> np.ndarray:
    """Rows of 0/1 switches, one per interpretable feature: shape (n, n_columns)."""
    Z = np.asarray(Z)
    if Z.ndim != 2 or Z.shape[1] != n_columns:
        raise ValueError(f"{name} has shape {Z.shape}; it needs one 0/1 column per feature, "
                         f"(n, {n_columns})")
    if Z.dtype.kind not in "biuf" or not np.all((Z == 0) | (Z == 1)):
        raise ValueError(f"{name} must hold 0 or 1 (feature off or on)")
    return Z


# ----------------------------------------------------------------------------- counterfactual
def check_one_row(x):
    """(template for the model's input type, values (M,), names) of a row given many ways."""
    if hasattr(x, "to_frame") and not hasattr(x, "columns"):      # a pandas Series
        x = x.to_frame().T
    if hasattr(x, "columns"):
        values, columns = check_finite_table(x, "x")
        if len(x) != 1:
            raise ValueError(f"x must be one row, got {len(x)} rows; pick one with X.iloc[[i]]")
        return x.astype(float), values[0], columns
    values, columns = check_finite_table(np.atleast_2d(check_array(x, "x")), "x")
    if len(values) != 1:
        raise ValueError(f"x must be one row, got shape {np.shape(x)}")
    return values, values[0], columns


def check_counterfactual(model, x, grid, scale, max_changes, max_candidates):
    """The search space of a grid counterfactual, checked before any candidate is built:
    (template, x values, names, actionable columns, candidate values per actionable column
    with x's own value added, scale, max_changes, number of candidate rows)."""
    check_fitted(model)
    template, x_values, columns = check_one_row(x)
    actionable, candidates = check_grid(grid, columns)
    scale = check_scale(scale, actionable, candidates, columns)
    candidates = [np.union1d(c, [x_values[j]]) for c, j in zip(candidates, actionable)]
    max_changes = None if max_changes is None else check_count(max_changes, "max_changes")
    max_candidates = check_budget(max_candidates, "max_candidates", per_unit=len(columns))
    n_candidates = math.prod(len(c) for c in candidates)      # Python ints: no overflow
    if n_candidates > max_candidates:
        raise ValueError(f"the grid gives {n_candidates:,} combinations (more than max_candidates="
                         f"{max_candidates:,}); use coarser grids or fewer actionable features")
    return template, x_values, columns, actionable, candidates, scale, max_changes, n_candidates


def check_grid(grid, columns):
    if not isinstance(grid, dict) or not grid:
        raise TypeError("grid must be a non-empty dict {feature: candidate values} of the "
                        "actionable features")
    actionable, candidates = [], []
    for feature, values in grid.items():
        j = feature_index(feature, columns)
        values = np.unique(np.asarray(values, dtype=float).ravel())
        if values.size == 0 or not np.all(np.isfinite(values)):
            raise ValueError(f"grid[{feature!r}] must hold finite numbers")
        actionable.append(j)
        candidates.append(values)
    if len(set(actionable)) != len(actionable):
        raise ValueError("grid names a feature twice")
    return np.array(actionable), candidates


def check_scale(scale, actionable, candidates, columns):
    if scale is None:
        scale = np.array([np.ptp(c) if np.ptp(c) > 0 else 1.0 for c in candidates])
    else:
        if isinstance(scale, dict):
            scale = [scale[columns[j]] if columns[j] in scale else None for j in actionable]
            if any(s is None for s in scale):
                raise ValueError(f"scale must give a value for every grid feature "
                                 f"{[columns[j] for j in actionable]}")
        scale = np.asarray(scale, dtype=float).ravel()
        if scale.shape != (len(actionable),) or np.any(~np.isfinite(scale)) or np.any(scale <= 0):
            raise ValueError("scale must hold one positive number per grid feature")
    return scale


def check_counterfactual_target(model, predicted, target):
    classes = list(getattr(model, "classes_", []))
    if target is None:
        if len(classes) != 2:
            raise ValueError("pass target= the wanted class (the model is not a binary classifier)")
        return classes[1] if predicted == classes[0] else classes[0]
    if classes and target not in classes:
        raise ValueError(f"target {target!r} is not one of the model's classes {classes}")
    if target == predicted:
        raise ValueError(f"the model already predicts {target!r} for x; nothing to flip")
    return target


def check_directions(directions, columns, fixed):
    """(M,) signs: +1 may only rise, -1 may only fall, 0 free (from {feature: +1 or -1})."""
    sign = np.zeros(len(columns))
    if directions is None:
        return sign
    check_instance(directions, "directions", dict, 'e.g. {"smoke": -1, "active": +1}')
    for feature, direction in directions.items():
        j = feature_index(feature, columns)
        if isinstance(direction, (bool, np.bool_)) or direction not in (-1, 1):
            raise ValueError(f"directions[{feature!r}] must be +1 (may only rise) or -1 (may only "
                             f"fall), got {direction!r}")
        if j in fixed:
            raise ValueError(f"directions[{feature!r}]: the feature is immutable; name it in one "
                             f"of immutable and directions, not both")
        sign[j] = direction
    return sign


# ----------------------------------------------------------------------------- faithfulness
def check_aopc(tokens, attribution, bins):
    if isinstance(tokens, str) or not hasattr(tokens, "__iter__"):
        raise TypeError("tokens must be a list of tokens, not one string; split it first")
    tokens = list(tokens)
    attribution = check_array(attribution, "attribution", min_size=1).ravel()
    if attribution.size != len(tokens):
        raise ValueError(f"attribution has {attribution.size} values for {len(tokens)} tokens; "
                         "give one value per token")
    bins = check_array(bins, "bins", min_size=1).ravel()
    if ((bins <= 0) | (bins > 1)).any():
        raise ValueError(f"bins must be shares of the tokens in (0, 1], got {bins.tolist()}")
    return tokens, attribution, np.ceil(bins * len(tokens) - 1e-9).astype(int)


def check_mask(removed, image):
    removed = np.asarray(removed)
    if removed.dtype != bool or removed.shape != image.shape[1:]:
        raise ValueError(f"removed must be a boolean mask of shape {image.shape[1:]} (H, W), got "
                         f"{removed.dtype} of shape {removed.shape}")
    return removed


def check_rationale(tokens, rationale):
    if isinstance(tokens, str) or not hasattr(tokens, "__iter__"):
        raise TypeError("tokens must be a list of tokens, not one string; split it first")
    tokens = list(tokens)
    mask = np.asarray(rationale)
    if mask.dtype != bool:
        if mask.size and mask.dtype.kind not in "iu":
            raise TypeError(f"rationale must be a boolean mask or a list of token positions, got "
                            f"{mask.dtype} values")
        positions = mask.astype(int).ravel()
        if ((positions < 0) | (positions >= len(tokens))).any():
            raise ValueError(f"rationale positions must lie in [0, {len(tokens) - 1}]")
        mask = np.zeros(len(tokens), bool)
        mask[positions] = True
    if mask.shape != (len(tokens),):
        raise ValueError(f"rationale mask has shape {mask.shape} for {len(tokens)} tokens")
    return tokens, mask


def check_tensor_pair(x, attribution):
    x, attribution = check_tensor(x, "x"), check_tensor(attribution, "attribution")
    if x.shape != attribution.shape:
        raise ValueError(f"attribution has shape {tuple(attribution.shape)}, x "
                         f"{tuple(x.shape)}; they must match")
    return x, attribution


def check_infidelity(x, attribution, model, n_perturb, seed, noise, share, baseline, perturbation,
                     normalize, multiply_by_inputs):
    """(x, attribution, model, n_perturb, seed, noise, share, baseline, perturbation) of infidelity;
    the number of perturbed copies is bounded by x's size before any is drawn."""
    (x, attribution), model = check_tensor_pair(x, attribution), check_callable(model, "model")
    n_perturb, seed = check_budget(n_perturb, "n_perturb", per_unit=x.numel()), check_seed(seed)
    noise, share = check_real(noise, "noise", low=0), check_real(share, "share", 0, 1)
    baseline = check_real(baseline, "baseline")
    perturbation = check_choice(perturbation, "perturbation", ("gaussian", "baseline"))
    for flag, name in ((normalize, "normalize"), (multiply_by_inputs, "multiply_by_inputs")):
        check_instance(flag, name, bool, "pass True or False")
    return x, attribution, model, n_perturb, seed, noise, share, baseline, perturbation


# ----------------------------------------------------------------------------- examples
def check_targets(targets, n):
    import torch

    if not isinstance(targets, torch.Tensor) or targets.shape[:1] != (n,):
        raise ValueError(f"test_targets must be a tensor with one target per input ({n}), got "
                         f"{getattr(targets, 'shape', type(targets).__name__)}")
    return targets


def check_checkpoints(checkpoints):
    if not hasattr(checkpoints, "__iter__"):
        raise TypeError("checkpoints must be a list of (state_dict, learning_rate) pairs, "
                        "e.g. [(copy.deepcopy(model.state_dict()), 0.01), ...]")
    checkpoints = list(checkpoints)
    if not checkpoints:
        raise ValueError("checkpoints must hold at least one (state_dict, learning_rate) pair")
    for item in checkpoints:
        if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], dict)):
            raise TypeError("checkpoints must be a list of (state_dict, learning_rate) pairs, "
                            "e.g. [(copy.deepcopy(model.state_dict()), 0.01), ...]")
    return [(state, check_real(rate, "learning_rate")) for state, rate in checkpoints]


def check_row_indices(indices, n):
    indices = np.asarray(indices).ravel()
    if indices.size == 0 or indices.dtype.kind not in "iu" or indices.min() < 0 or indices.max() >= n:
        raise ValueError(f"prototype_idx must be a non-empty list of row positions in [0, {n - 1}], "
                         f"got {indices[:5]!r}")
    return indices


def check_known_labels(y, classes):
    if not np.isin(y, classes).all():
        raise ValueError(f"y holds labels that are not among the model's classes {list(classes)}")
    return y


def check_nearest(embeddings, labels, query, k):
    """(embeddings, labels, query, k) of a nearest-example search: one label per row, a query
    of the embeddings' width, k at most the number of rows."""
    embeddings, _ = check_rows(embeddings, "embeddings")
    labels = check_length(labels, len(embeddings), "labels", rows="embeddings")
    query = check_row(query, "query", embeddings.shape[1])
    return embeddings, labels, query, check_count(k, "k", maximum=len(embeddings))


# ----------------------------------------------------------------------------- attention
def check_nodes(capacity, source, sink):
    n = len(capacity)
    if capacity.shape != (n, n) or (capacity < 0).any():
        raise ValueError(f"capacity must be a square matrix of numbers >= 0, got {capacity.shape}")
    source, sink = check_count(source, "source", 0, n - 1), check_count(sink, "sink", 0, n - 1)
    if source == sink:
        raise ValueError(f"source and sink must be two different nodes, got {source} twice")
    return source, sink


def check_text_labels(labels, model, ids):
    return check_class_index(labels, len(ids), model.classifier.out_features, "labels", "texts")


def check_labels_per_text(labels, token_lists):
    labels = np.asarray(labels)
    if labels.shape != (len(token_lists),):
        raise ValueError(f"labels has shape {labels.shape}; expected one label per text, "
                         f"({len(token_lists)},)")
    return labels


def check_encoder(model):
    model = check_module(model)
    layers = getattr(getattr(model, "encoder", None), "layer", None)
    if layers is None or not hasattr(model, "config") or \
            not all(hasattr(getattr(layer, "attention", None), "self") for layer in layers):
        raise TypeError("model must be a BERT-style encoder (model.encoder.layer[i].attention.self"
                        "), such as the model returned by course_lib.data.load_text_transformer()")
    return model


def check_embedding_ig(forward, embeddings, baseline, steps, batch_size):
    """(embeddings, baseline, steps, batch_size) of integrated gradients over embeddings; the
    batch of interpolated copies is bounded before any is built."""
    check_callable(forward, "forward", "lambda e: classifier(model(inputs_embeds=e)...)")
    embeddings = check_tensor(embeddings, "embeddings", ndim=3)
    baseline = check_tensor(baseline, "baseline", like=embeddings, shape=embeddings.shape)
    steps = check_count(steps, "steps", maximum=10_000)
    batch_size = check_count(batch_size, "batch_size", maximum=10_000)
    check_budget(batch_size * embeddings.numel(), "batch_size * embeddings.numel()", per_unit=8)
    return embeddings, baseline, steps, batch_size


def check_scores_per_row(scores, n: int):
    """What forward returned for n rows of embeddings: one score per row, shape (n,)."""
    if scores.shape != (n,):
        raise ValueError(f"forward must return one score per row, shape ({n},), got "
                         f"{tuple(scores.shape)}; select the class, e.g. logits[:, target]")
    return scores


def check_embedding_args(model, tokenizer, texts, batch_size):
    """(model, texts, batch_size) of sentence embeddings: an encoder, its tokenizer, texts."""
    model, texts = check_encoder(model), check_texts(texts)
    check_callable(tokenizer, "tokenizer", "the tokenizer returned by load_text_transformer()")
    batch_size = check_count(batch_size, "batch_size", maximum=4096)
    check_count(len(texts), "len(texts)", maximum=1_000_000)
    return model, texts, batch_size


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


# ----------------------------------------------------------------------------- shortcut
def check_pictures(images, name, one=False):
    """uint8 pictures (N, H, W, 3), or one (H, W, 3), as drawn here (numpy or torch)."""
    shape, dtype = getattr(images, "shape", None), str(getattr(images, "dtype", "no dtype"))
    expected = "(H, W, 3)" if one else "(N, H, W, 3)"
    if shape is None or dtype not in ("uint8", "torch.uint8"):
        raise TypeError(f"{name} must be uint8 pictures {expected} as make_shortcut_data draws, "
                        f"got {type(images).__name__} of {dtype}")
    if len(shape) != (3 if one else 4) or shape[-1] != 3 or 0 in shape:
        raise ValueError(f"{name} must have shape {expected}, got {tuple(shape)}")
    return images


def check_training(epochs, lr, batch_size, seed):
    """(epochs, lr, batch_size, seed) of a short training run."""
    epochs = check_count(epochs, "epochs", maximum=1000)
    batch_size = check_count(batch_size, "batch_size")
    return epochs, check_positive(lr, "lr"), batch_size, check_seed(seed)


# ----------------------------------------------------------------------------- warp
def check_widths(widths) -> list:
    if isinstance(widths, (str, bytes)) or not hasattr(widths, "__len__"):
        raise TypeError(f"widths must be a list of layer widths such as (2, 3, 1), got {widths!r}")
    if len(widths) < 2:
        raise ValueError(f"widths must list at least an input and an output width, got {widths!r}")
    widths = [check_count(w, f"widths[{i}]") for i, w in enumerate(widths)]
    check_size(sum(a * b for a, b in zip(widths[:-1], widths[1:])), "the network's weights")
    return widths


def check_binary_labels(y, X) -> np.ndarray:
    y = check_array(check_target(y, len(X)), "y")
    if not np.isin(y, (0, 1)).all():
        raise ValueError(f"y must hold the labels 0 and 1, got {np.unique(y)[:5]}")
    return y


# ----------------------------------------------------------------------------- baselines
def check_target_scores(scores, target):
    import torch

    if not isinstance(scores, torch.Tensor) or scores.ndim != 2:
        raise ValueError(f"the model returns {getattr(scores, 'shape', type(scores).__name__)}; "
                         "expected one score per class, a tensor (N, n_classes)")
    if int(target.max()) >= scores.shape[1]:
        raise ValueError(f"target {int(target.max())} is out of range: the model has "
                         f"{scores.shape[1]} classes (0 to {scores.shape[1] - 1})")
    return scores


# ----------------------------------------------------------------------------- anchors
def check_search(predict, threshold, seed, delta, epsilon, batch_size, beam_size, width):
    """The search settings, checked: (threshold, seed, batch_size, beam_size)."""
    check_callable(predict, "predict", "model.predict")
    check_real(delta, "delta", 0, 1, open_interval=True), check_real(epsilon, "epsilon", low=0)
    return (check_real(threshold, "threshold", 0, 1, open_interval=True), check_seed(seed),
            check_budget(batch_size, "batch_size", per_unit=width), check_count(beam_size, "beam_size"))


# ----------------------------------------------------------------------------- lime/image
def check_colour(hide_color):
    """None, one number, or one number per channel."""
    if hide_color is None:
        return None
    colour = check_vector(np.atleast_1d(hide_color), "hide_color")
    if len(colour) not in (1, 3):
        raise ValueError(f"hide_color must be None, a number or 3 numbers (R, G, B), got {hide_color!r}")
    return colour


def check_perturbation(image, hidden, segments, Z):
    """The image, its hidden version, (H, W) labels 0..K-1 and (n, K) switches."""
    image, hidden, segments = np.asarray(image), np.asarray(hidden), np.asarray(segments)
    if image.ndim != 3 or hidden.shape != image.shape or segments.shape != image.shape[:2]:
        raise ValueError(f"image {image.shape}, hidden {hidden.shape} and segments {segments.shape} "
                         "must share their height and width (hidden = hide_superpixels(image, segments))")
    if segments.dtype.kind not in "iu" or segments.min() < 0:
        raise ValueError("segments must hold superpixel labels 0..K-1; renumber them with "
                         "np.unique(segments, return_inverse=True)")
    return image, segments, check_masks(Z, int(segments.max()) + 1)


# ----------------------------------------------------------------------------- lime/text
def check_tokens(tokens, word_of_token, Z, mask_string):
    """split_words' tokens and word numbers, and one 0/1 row per text to build."""
    tokens = list(tokens)
    if not all(isinstance(t, str) for t in tokens) or not isinstance(mask_string, str):
        raise TypeError("tokens and mask_string must be strings (tokens as split_words returns them)")
    word_of_token = np.asarray(word_of_token)
    if word_of_token.shape != (len(tokens),) or word_of_token.dtype.kind not in "iu":
        raise ValueError(f"word_of_token must hold one integer per token ({len(tokens)}), "
                         f"got shape {word_of_token.shape}; use split_words(text)")
    return tokens, word_of_token, check_masks(Z, int(word_of_token.max(initial=-1)) + 1)


# ----------------------------------------------------------------------------- lime/tabular
def check_training_data(data):
    """(values (n, M) with n >= 2, column names) of the training table."""
    X, names = check_rows(data, "training_data")
    if len(X) < 2:
        raise ValueError(f"training_data has {len(X)} row; LIME needs at least two to learn bins and scales")
    return X, names if names is not None else [str(j) for j in range(X.shape[1])]


# ----------------------------------------------------------------------------- cam
def check_class_scores(scores):
    """What the model returned: finite scores, a tensor (N, n_classes)."""
    import torch

    if not isinstance(scores, torch.Tensor) or scores.ndim != 2:
        raise ValueError(f"the model returns {getattr(scores, 'shape', type(scores).__name__)}; "
                         "expected one score per class, a tensor (N, n_classes)")
    if not torch.isfinite(scores).all():
        raise ValueError("the model returns NaN or infinite scores; check the model and its input")
    return scores


def check_baseline(baseline, x):
    return check_like_images(0.0 if baseline is None else baseline, x, "baseline")


# ----------------------------------------------------------------------------- concepts (lecture 10)
def check_activation_pair(concept_acts, random_acts):
    """Two sets of layer activations (n, F), (m, F) of the same layer, at least 2 rows each."""
    concept = check_array(concept_acts, "concept_acts", ndim=2, min_size=2)
    random = check_array(random_acts, "random_acts", ndim=2, min_size=2)
    if concept.shape[1] != random.shape[1]:
        raise ValueError(f"concept_acts has {concept.shape[1]} features but random_acts has "
                         f"{random.shape[1]}; take both from the same layer")
    if len(concept) < 2 or len(random) < 2:
        raise ValueError("concept_acts and random_acts need at least 2 rows each")
    return concept, random


def check_activation_sets(concept_acts, random_acts_sets):
    """A concept's activations (n, F) and a list of at least 3 random sets (n_i, F) like it."""
    import torch

    concept = check_array(concept_acts, "concept_acts", ndim=2, min_size=2)
    if isinstance(random_acts_sets, (np.ndarray, torch.Tensor)) or len(random_acts_sets) < 3:
        raise ValueError("random_acts_sets must be a list of at least 3 activation arrays "
                         "(one per random image set)")
    randoms = [check_array(r, f"random_acts_sets[{i}]", ndim=2, min_size=2)
               for i, r in enumerate(random_acts_sets)]
    if any(r.shape[1] != concept.shape[1] or len(r) < 2 for r in randoms):
        raise ValueError("every random set needs at least 2 rows and the concept's "
                         f"{concept.shape[1]} features")
    return concept, randoms


def check_score_samples(concept_scores, random_scores):
    """Two samples of TCAV scores for a t-test, at least 2 each."""
    concept = check_vector(concept_scores, "concept_scores")
    random = check_vector(random_scores, "random_scores")
    if len(concept) < 2 or len(random) < 2:
        raise ValueError("the t-test needs at least 2 concept scores and 2 random scores; "
                         "train CAVs against more random sets")
    return concept, random


def check_concept_masks(masks, n_images: int) -> np.ndarray:
    """Concept masks (N, n_concepts, H, W) of 0/1, one stack per image."""
    masks = check_array(masks, "masks", ndim=4)
    if len(masks) != n_images or not np.isin(masks, (0, 1)).all():
        raise ValueError(f"masks must be 0/1 (or bool) of shape (N={n_images}, n_concepts, H, W), "
                         f"one stack per image; got {masks.shape}")
    return masks


def check_visualisation(channel, steps, size, seed, lr, parametrisation, decorrelate, jitter, scales, blur,
                        preprocess, callback, parametrisations):
    """Feature visualisation's settings, checked and in that order (preprocess None: identity)."""
    channel = check_count(channel, "channel", minimum=0)
    steps, size = check_count(steps, "steps", maximum=100_000), check_count(size, "size", 8, 2048)
    seed, lr = check_seed(seed), check_real(lr, "lr", low=0, open_interval=True)
    parametrisation = check_choice(parametrisation, "parametrisation", parametrisations)
    jitter = check_count(jitter, "jitter", minimum=0, maximum=size // 2)
    if isinstance(scales, (str, bytes)) or not hasattr(scales, "__len__") or len(scales) == 0:
        raise TypeError(f"scales must be a list of positive numbers such as (1.0, 0.95), got {scales!r}")
    scales = [check_real(v, "scales[i]", low=0.25, high=4.0) for v in scales]
    blur = check_real(blur, "blur", low=0, high=size)
    if preprocess is None:
        preprocess = lambda image: image  # noqa: E731
    check_callable(preprocess, "preprocess", "lambda x: (x - 0.5) / 0.5")
    if callback is not None:
        check_callable(callback, "callback", "lambda step, value: bar.update()")
    if not isinstance(decorrelate, bool):
        raise TypeError(f"decorrelate must be True or False, got {decorrelate!r}")
    return channel, steps, size, seed, lr, parametrisation, decorrelate, jitter, scales, blur, preprocess, callback


# ----------------------------------------------------------------------------- kernels (lecture 02)
def check_affine(X, A, b):
    """Points X (n, d), a matrix A (k, d) and an offset b (k,) (None: zeros) for x -> A x + b."""
    X, A = check_rows(X, "X")[0], check_array(A, "A", ndim=2)
    A = check_array(A, f"A (k rows of {X.shape[1]} coordinates)", shape=(len(A), X.shape[1]))
    b = np.zeros(A.shape[0]) if b is None else check_array(b, "b (one offset per output)", shape=(len(A),))
    return X, A, b


def check_row_pairs(X, Y=None):
    """Rows X (n, d) and Y (m, d) (Y None: X itself) whose n x m matrix of pairs fits in memory."""
    X = check_rows(X, "X")[0]
    Y = X if Y is None else check_rows(Y, "Y", X.shape[1], f"X has {X.shape[1]} columns")[0]
    check_size(len(X) * len(Y), "the matrix of pairs")
    return X, Y


def check_gram(K, y):
    """A square Gram matrix K (n, n) and targets y (n,) or (n, k), one per training point."""
    K = check_array(K, "K (the square Gram matrix of the training points)", ndim=2)
    K = check_array(K, "K (the square Gram matrix of the training points)", shape=(len(K),) * 2)
    y = check_array(y, "y", ndim=(1, 2))
    return K, check_array(y, "y (one target per training point)", shape=(len(K),) + y.shape[1:])


def check_features_in(estimator, X, reset: bool) -> np.ndarray:
    """X for a scikit-learn transformer: fit (reset) records n_features_in_, transform checks it."""
    from sklearn.utils.validation import check_array as sklearn_check_array

    X = sklearn_check_array(X, dtype=np.float64, input_name="X")
    if reset:
        estimator.n_features_in_ = X.shape[1]
    elif X.shape[1] != estimator.n_features_in_:
        raise ValueError(f"X has {X.shape[1]} features, but {type(estimator).__name__} is expecting "
                         f"{estimator.n_features_in_} features as input (the columns it was fitted on)")
    return X


def check_fourier_fit(estimator, X):
    """(X, D, gamma, rng) for drawing random Fourier features; D is bounded by X's width."""
    X = check_features_in(estimator, X, reset=True)
    D = check_budget(estimator.n_components, "n_components", per_unit=X.shape[1] + 1)
    return X, D, check_real(estimator.gamma, "gamma", low=0), check_random_state(estimator.seed, "seed")


def check_fourier_transform(estimator, X) -> np.ndarray:
    """X for a fitted random Fourier map: as wide as at fit, its (n, D) output bounded."""
    check_is_fitted(estimator)
    X = check_features_in(estimator, X, reset=False)
    check_size(len(X) * estimator.random_weights_.shape[1], "the transformed X")
    return X


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


# ----------------------------------------------------------------------------- cooperative games (lecture 01)
def check_players(players) -> tuple:
    """players as a tuple of distinct, hashable names (a string "ABC" is three players)."""
    if not hasattr(players, "__iter__"):
        raise TypeError(f"players must be a list of player names (or a string such as 'ABC'), got {players!r}")
    players = tuple(players)
    if not players:
        raise ValueError("players is empty; a game needs at least one player")
    seen = set()
    for player in players:
        if not isinstance(player, collections.abc.Hashable):
            raise TypeError(f"players must be names (strings, numbers, tuples), got {player!r}")
        if player in seen:
            raise ValueError(f"players lists {player!r} twice; every player must be unique")
        seen.add(player)
    return players


def check_shapley_method(method, n_players: int) -> str:
    """'coalitions' or 'orderings'; listing the n! orders is refused beyond 9 players."""
    if not isinstance(method, str) or method not in ("coalitions", "orderings"):
        raise ValueError(f"method must be 'coalitions' or 'orderings', got {method!r}")
    if method == "orderings" and n_players > 9:
        raise ValueError(f"{n_players}! orders are too many to list; "
                         "use method='coalitions' or sample_shapley")
    return method
