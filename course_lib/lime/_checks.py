"""What only LIME checks, and its batched model calls; everything else is ``course_lib._validation``.

Validation happens once, at the boundary, with one-line errors that name the argument, what was
expected and the fix; the algorithm in :mod:`.core` can then trust its inputs. Here: the feature
selections, the label, categorical columns, images and their superpixels, the regression inputs.
"""
from __future__ import annotations

import numbers
from typing import Callable

import numpy as np

from .._validation import check_budget, check_callable, check_rows, check_vector, model_outputs

FEATURE_SELECTIONS = ("auto", "forward_selection", "highest_weights", "lasso_path", "none")


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


def column_indices(columns, names) -> list[int]:
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
    """The interpretable representation (n, M) as finite floats; a float array is checked fast."""
    if isinstance(Z, np.ndarray) and Z.dtype == np.float64 and Z.ndim == 2 and len(Z) and np.isfinite(Z).all():
        return Z                              # the usual case: forward selection checks it often
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
