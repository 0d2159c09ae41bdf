"""Plumbing shared by the three representations: checking inputs, calling the model in batches.

Validation happens once, at the boundary, with one-line errors that name the argument, what was
expected and the fix (scikit-learn style); the algorithm in :mod:`.core` can then trust its inputs.
"""
from __future__ import annotations

import numbers
from typing import Callable

import numpy as np

from .._validation import check_seed

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
        outputs.append(_check_output(predict_fn(make_inputs(rows)), len(rows)))
    return np.concatenate(outputs, axis=0)


def _check_output(output, expected_rows: int) -> np.ndarray:
    if hasattr(output, "detach") and hasattr(output, "cpu"):  # a torch tensor
        output = output.detach().cpu().numpy()
    try:
        output = np.asarray(output, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("predict_fn must return numbers, an array of shape (n_inputs, n_outputs); "
                         f"got {type(output).__name__}") from None
    if output.ndim == 1:
        output = output[:, None]
    if output.ndim != 2 or output.shape[0] != expected_rows:
        raise ValueError(f"predict_fn returned shape {output.shape} for {expected_rows} inputs; "
                         f"expected ({expected_rows}, n_outputs), one row per input "
                         "(for a classifier, pass predict_proba, not predict)")
    if not np.all(np.isfinite(output)):
        raise ValueError("predict_fn returned NaN or infinite values; check the model on "
                         "perturbed inputs (for example with missing words or grey patches)")
    return output



def check_random_state(seed) -> np.random.RandomState:
    """A RandomState: a fresh one from an int (so a call repeats exactly), the one given, or a new one."""
    if seed is None:
        return np.random.RandomState()
    if isinstance(seed, np.random.RandomState):
        return seed
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        return np.random.RandomState(check_seed(seed, "random_state"))
    raise TypeError(f"random_state must be None, an int or a numpy RandomState, got {type(seed).__name__}")


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


def check_positive_int(value, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def check_positive_number(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return float(value)


def check_predict_fn(predict_fn) -> Callable:
    if not callable(predict_fn):
        raise TypeError("predict_fn must be a function from a batch of inputs to an (n, n_outputs) "
                        f"array (for example model.predict_proba), got {type(predict_fn).__name__}")
    return predict_fn


def check_feature_selection(method: str) -> str:
    if method not in FEATURE_SELECTIONS:
        raise ValueError(f"feature_selection={method!r} is not known; use one of {FEATURE_SELECTIONS}")
    return method
