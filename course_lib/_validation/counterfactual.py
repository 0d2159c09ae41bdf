"""Counterfactuals (lecture 06): the grid, the scale, the target, directions."""
from __future__ import annotations

import math

import numpy as np

from .arrays import check_array, check_budget, check_count
from .models import check_fitted
from .tables import check_finite_table, feature_index
from .values import check_instance

__all__ = ["check_one_row", "check_counterfactual", "check_grid", "check_scale",
           "check_counterfactual_target", "check_directions"]


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
