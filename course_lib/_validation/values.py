"""Choices, devices, images, texts, single rows and vectors, and instances of a type."""
from __future__ import annotations

import numbers

import numpy as np

from .arrays import check_array, check_rows

__all__ = ["check_choice", "check_device", "check_rgb_image", "check_texts", "check_row",
           "check_vector", "check_instance"]


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
