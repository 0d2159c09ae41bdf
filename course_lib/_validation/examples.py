"""Explaining with examples and anchors (lecture 08)."""
from __future__ import annotations

import numpy as np

from .arrays import (check_budget, check_count, check_real, check_rows)
from .models import check_callable
from .seeds import check_seed
from .tables import check_length
from .values import check_row

__all__ = ["check_targets", "check_checkpoints", "check_row_indices", "check_known_labels",
           "check_nearest", "check_search"]


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


# ----------------------------------------------------------------------------- anchors
def check_search(predict, threshold, seed, delta, epsilon, batch_size, beam_size, width):
    """The search settings, checked: (threshold, seed, batch_size, beam_size)."""
    check_callable(predict, "predict", "model.predict")
    check_real(delta, "delta", 0, 1, open_interval=True), check_real(epsilon, "epsilon", low=0)
    return (check_real(threshold, "threshold", 0, 1, open_interval=True), check_seed(seed),
            check_budget(batch_size, "batch_size", per_unit=width), check_count(beam_size, "beam_size"))
