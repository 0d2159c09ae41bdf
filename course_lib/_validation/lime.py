"""LIME (lecture 03): labels, feature selection, sampling, representations and masks."""
from __future__ import annotations

import numbers

import numpy as np

from .arrays import (check_budget, check_count, check_positive, check_rows)
from .models import check_callable
from .seeds import check_random_state
from .values import check_vector

__all__ = ["FEATURE_SELECTIONS", "check_label", "check_feature_selection", "check_sampling",
           "check_explain", "check_words", "check_columns", "check_regression",
           "check_representation", "check_weights", "check_image", "check_segments", "check_masks",
           "check_colour", "check_perturbation", "check_tokens", "check_training_data"]


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
