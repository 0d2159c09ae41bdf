"""Counterfactual explanations: the smallest plausible change that flips a model's prediction.

"You were refused; had your systolic pressure been 130 instead of 150, you would not have been."
Wachter, Mittelstadt and Russell ("Counterfactual explanations without opening the black box",
Harvard Journal of Law & Technology 2018) find such a point by minimising a distance to x
(L1, each feature scaled by its median absolute deviation) while pushing the prediction to the
wanted class. Their search uses gradients; trees have none, so we search a *grid*: every
combination of realistic values of the actionable features, checked against the constraints,
all predicted in one batch. Exhaustive, so the answer is the cheapest on the grid, and it never
proposes an impossible patient: only actionable features move, only to values on their grid,
and every constraint (e.g. diastolic below systolic pressure) holds.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._validation import (BLOCK_ELEMENTS, MAX_ELEMENTS, check_array, check_callable, check_count,
                          check_counterfactual, check_counterfactual_target, check_directions, check_names,
                          check_one_row, check_real, check_rows, check_seed, feature_index, like,
                          model_labels, model_outputs)

__all__ = ["counterfactual", "Counterfactual", "ordered", "satisfies", "diverse_counterfactuals",
           "DiverseCounterfactuals", "counterfactual_metrics"]


@dataclass
class Counterfactual:
    """The result of :func:`counterfactual`; ``found`` is False when no grid point flips f."""

    found: bool
    x: np.ndarray
    x_new: np.ndarray | None
    feature_names: list
    target: object
    prediction: object
    prediction_new: object
    probability: float | None
    probability_new: float | None
    cost: float
    n_candidates: int
    n_valid: int
    template: object = field(default=None, repr=False)

    @property
    def changes(self) -> dict:
        """{feature: (old value, new value)} for the features that moved."""
        if not self.found:
            return {}
        return {name: (float(old), float(new)) for name, old, new
                in zip(self.feature_names, self.x, self.x_new) if old != new}

    def new_row(self):
        """The counterfactual as a one-row input for the model (a DataFrame if x was one)."""
        if not self.found:
            raise ValueError("no counterfactual was found on this grid; widen the grid or allow "
                             "more features to change")
        return like(self.template, self.x_new[None, :], self.feature_names)


def counterfactual(model, x, grid, constraints=(), scale=None, max_changes=None, target=None,
                   max_candidates=500_000) -> Counterfactual:
    """The cheapest change of the actionable features, on a grid of values, that flips f(x).

        x' = argmin_{x' in C} sum_j |x'_j - x_j| / s_j   subject to  f(x') = target,  c(x') for all c

    C: x with each actionable feature (a key of `grid`) set to one of its grid values or left as
    it is; the other features never move. s_j: `scale` (per feature; default the range of the
    feature's grid, so crossing the whole range costs 1; Wachter et al. use the median absolute
    deviation). `constraints`: functions of ``rows`` (a dict name -> column array) returning a
    boolean array, e.g. :func:`ordered`. `max_changes`: at most this many features move.
    `target`: the wanted class (default: the other class of a binary classifier).
    Ties in cost go to fewer changes, then to the first candidate in grid order.
    """
    template, x_values, columns, actionable, candidates, scale, max_changes, n_candidates = \
        check_counterfactual(model, x, grid, scale, max_changes, max_candidates)
    predicted = _labels(model, template, x_values[None, :], columns)[0]
    target = check_counterfactual_target(model, predicted, target)

    # every combination of candidate values (x's own value means "unchanged")
    mesh = np.meshgrid(*candidates, indexing="ij")
    rows = np.repeat(x_values[None, :], n_candidates, axis=0)
    rows[:, actionable] = np.column_stack([m.ravel() for m in mesh])
    moved = rows[:, actionable] != x_values[actionable]
    cost = np.sum(np.abs(rows[:, actionable] - x_values[actionable]) / scale, axis=1)

    valid = moved.any(axis=1) & _satisfies(rows, columns, constraints)
    if max_changes is not None:
        valid &= moved.sum(axis=1) <= max_changes
    index = np.flatnonzero(valid)
    flips = np.zeros(len(index), dtype=bool)
    per_block = max(1, BLOCK_ELEMENTS // len(columns))
    for start in range(0, len(index), per_block):
        block = rows[index[start:start + per_block]]
        flips[start:start + len(block)] = _labels(model, template, block, columns) == target
    winners = index[flips]

    probability = _probability(model, template, x_values[None, :], columns, target)
    if len(winners) == 0:
        return Counterfactual(False, x_values, None, columns, target, predicted, None,
                              probability, None, np.inf, n_candidates, int(valid.sum()), template)
    best = winners[np.lexsort((winners, moved[winners].sum(axis=1), cost[winners]))[0]]
    new = rows[best]
    return Counterfactual(True, x_values, new, columns, target, predicted,
                          _labels(model, template, new[None, :], columns)[0], probability,
                          _probability(model, template, new[None, :], columns, target),
                          float(cost[best]), n_candidates, int(valid.sum()), template)


def ordered(lower: str, upper: str, gap: float = 0.0):
    """A constraint: ``rows[upper] - rows[lower] > gap``.

    Diastolic below systolic pressure: ``ordered("ap_lo", "ap_hi")``.
    """
    if not (isinstance(lower, str) and isinstance(upper, str)):
        raise TypeError(f"lower and upper must be column names, got {lower!r} and {upper!r}")
    gap = check_real(gap, "gap")

    def constraint(rows):
        return np.asarray(rows[upper], dtype=float) - np.asarray(rows[lower], dtype=float) > gap

    constraint.__name__ = f"{lower} < {upper}" if gap == 0 else f"{upper} - {lower} > {gap:g}"
    return constraint


def satisfies(rows, feature_names, constraints) -> np.ndarray:
    """Boolean array: which rows (n, M) meet every constraint."""
    rows, _ = check_rows(rows if np.ndim(rows) == 2 else [rows], "rows")
    return _satisfies(rows, check_names(feature_names, range(rows.shape[1])), constraints)


def _satisfies(rows, feature_names, constraints) -> np.ndarray:
    columns = dict(zip(feature_names, rows.T))
    ok = np.ones(len(rows), dtype=bool)
    for constraint in [constraints] if callable(constraints) else constraints:
        if not callable(constraint):
            raise TypeError(f"constraints must be functions of rows (a dict name -> column), "
                            f"got {type(constraint).__name__}")
        result = np.asarray(constraint(columns), dtype=bool)
        if result.shape != (len(rows),):
            raise ValueError(f"constraint {getattr(constraint, '__name__', constraint)} returned "
                             f"shape {result.shape}; it must return one boolean per row")
        ok &= result
    return ok


# ----------------------------------------------------------------------------- checks
def _labels(model, template, rows, columns) -> np.ndarray:
    """The model's labels for rows, in the model's input type, one per row (checked)."""
    return model_labels(model.predict(like(template, rows, columns)), len(rows))


def _probability(model, template, rows, columns, target):
    if not hasattr(model, "predict_proba"):
        return None
    k = list(model.classes_).index(target)
    proba = model_outputs(model.predict_proba(like(template, rows, columns)), len(rows),
                          "model.predict_proba", n_outputs=len(model.classes_))
    return float(proba[0, k])


# ----------------------------------------------------------------------------- diverse counterfactuals
@dataclass
class DiverseCounterfactuals:
    """The result of :func:`diverse_counterfactuals`: `counterfactuals` (k, M) rows, with the
    four measures of Mothilal et al. (see :func:`counterfactual_metrics`)."""

    x: np.ndarray
    counterfactuals: np.ndarray
    feature_names: list
    target: object
    metrics: dict
    n_candidates: int
    n_valid: int


def diverse_counterfactuals(predict, x, X, k=4, immutable=(), constraints=(), seed=0,
                            target=None, n_candidates=3000, proximity_weight=0.5,
                            diversity_weight=1.0, directions=None) -> DiverseCounterfactuals:
    """k counterfactuals that flip `predict` (rows -> labels) *and* differ from each other.

    DiCE (Mothilal, Sharma and Tan, "Explaining machine learning classifiers through diverse
    counterfactual explanations", FAT* 2020) finds k counterfactuals c_1..c_k at once by gradient
    descent on

        1/k sum_i yloss(f(c_i), y)  +  lambda_1/k sum_i dist(c_i, x)  -  lambda_2 dpp_diversity(c_1..c_k),
        dpp_diversity = det(K),  K_ij = 1 / (1 + dist(c_i, c_j))   (a determinantal point process)

    (yloss a hinge loss pushing f(c_i) to the wanted class), then a post-hoc pass that moves
    changed features back to x's values where the prediction allows (sparsity). Trees have no
    gradient, so we keep the objective and change the search. Like dice-ml's "random" method we
    draw `n_candidates` random edits of x (a random subset of the mutable features set to values
    seen in X); validity becomes a hard filter (keep the edits predicted `target` that satisfy
    every constraint, e.g. ``ordered("ap_lo", "ap_hi")``), and C is picked greedily, the closest
    first, then each time the edit that raises

        - proximity_weight * mean_i dist(c_i, x)  +  diversity_weight * det(K)

    most. dist is the L1 distance scaled by each feature's median absolute deviation in X.
    Feasibility (Ustun, Spangher and Liu 2019): features in `immutable` (age, gender) never move;
    `directions` maps a feature to +1 (may only rise, e.g. ``"active": +1``) or -1 (may only fall,
    e.g. ``"smoke": -1``): a drawn value on the wrong side of x's is put back to x's. Values come
    from X, so X's range bounds every feature (pass clean data). Same `seed`, same set.
    """
    template, x_values, columns = check_one_row(x)
    data = check_rows(X, "X", len(columns), f"x has {len(columns)} columns")[0]
    predict, seed = check_callable(predict, "predict", "model.predict"), check_seed(seed)
    k = check_count(k, "k", minimum=1)
    proximity_weight = check_real(proximity_weight, "proximity_weight", low=0)
    diversity_weight = check_real(diversity_weight, "diversity_weight", low=0)
    n_candidates = check_count(n_candidates, "n_candidates", minimum=k,
                               maximum=MAX_ELEMENTS // max(1, len(columns)))
    fixed = [feature_index(f, columns) for f in immutable]
    mutable = np.array([j for j in range(len(columns)) if j not in fixed])
    if len(mutable) == 0:
        raise ValueError("every feature is immutable; leave at least one free to change")
    sign = check_directions(directions, columns, fixed)
    predicted = model_labels(predict(like(template, x_values[None, :], columns)), 1, "predict")[0]
    if target is None:
        seen = model_labels(predict(like(template, data[:500], columns)), len(data[:500]), "predict")
        others = [c for c in np.unique(seen) if c != predicted]
        if len(others) != 1:
            raise ValueError("pass target=: the wanted class cannot be guessed from the predictions")
        target = others[0]

    rng = np.random.default_rng(seed)
    # each candidate: a random number (1..all) of the mutable features, set to values drawn from X
    n_moved = rng.integers(1, len(mutable) + 1, n_candidates)
    rank = np.argsort(rng.random((n_candidates, len(mutable))), axis=1).argsort(axis=1)
    drawn = data[rng.integers(0, len(data), (n_candidates, len(mutable))), mutable]
    rows = np.repeat(x_values[None, :], n_candidates, axis=0)
    rows[:, mutable] = np.where(rank < n_moved[:, None], drawn, x_values[mutable])
    # one-directional features: a value on the wrong side of x's goes back to x's
    rows = np.where(sign * (rows - x_values) < 0, x_values, rows)
    rows = np.unique(rows, axis=0)
    keep = _satisfies(rows, columns, constraints) & (rows != x_values).any(axis=1)
    rows = rows[keep]
    if len(rows):
        rows = rows[model_labels(predict(like(template, rows, columns)), len(rows), "predict") == target]
    scale = _mad(data)
    if len(rows) < k:
        raise ValueError(f"only {len(rows)} of {n_candidates} random edits flip the prediction "
                         f"within the constraints; raise n_candidates or loosen the constraints")

    distance_to_x = np.sum(np.abs(rows - x_values) / scale, axis=1)
    chosen = [int(np.argmin(distance_to_x))]
    for _ in range(k - 1):
        value = _dice_objective_added(rows, chosen, distance_to_x, scale, proximity_weight,
                                      diversity_weight)
        value[chosen] = -np.inf
        chosen.append(int(np.argmax(value)))
    found = rows[chosen]
    return DiverseCounterfactuals(x_values, found, columns, target,
                                  counterfactual_metrics(predict, x_values, found, data, target,
                                                         columns, template),
                                  n_candidates, len(rows))


def counterfactual_metrics(predict, x, counterfactuals, X, target, feature_names=None,
                           template=None) -> dict:
    """Mothilal et al.'s four measures of a set of counterfactuals of x:
    validity (share predicted `target`), proximity (mean MAD-scaled L1 distance to x; lower is
    closer), sparsity (mean number of features changed) and diversity (mean MAD-scaled L1
    distance between pairs)."""
    predict, data = check_callable(predict, "predict", "model.predict"), check_rows(X, "X")[0]
    x = check_array(x, "x", ndim=(1, 2)).ravel()
    if x.shape != (data.shape[1],):
        raise ValueError(f"x has {x.size} values but X has {data.shape[1]} columns; pass one row of X")
    cfs = check_rows(np.atleast_2d(check_array(counterfactuals, "counterfactuals", ndim=(1, 2))),
                     "counterfactuals", data.shape[1], f"X has {data.shape[1]} columns")[0]
    scale = _mad(data)
    rows = cfs if template is None else like(template, cfs, feature_names)
    pairs = [(i, j) for i in range(len(cfs)) for j in range(i + 1, len(cfs))]
    return {
        "validity": float(np.mean(model_labels(predict(rows), len(cfs), "predict") == target)),
        "proximity": float(np.mean(np.sum(np.abs(cfs - x) / scale, axis=1))),
        "sparsity": float(np.mean(np.sum(~np.isclose(cfs, x), axis=1))),
        "diversity": float(np.mean([np.sum(np.abs(cfs[i] - cfs[j]) / scale) for i, j in pairs]))
        if pairs else 0.0,
    }


def _dice_objective(rows, distance_to_x, scale, proximity_weight, diversity_weight):
    """-proximity_weight * mean dist(c_i, x) + diversity_weight * det(K) of one set of rows."""
    pairwise = np.abs(rows[:, None, :] - rows[None, :, :]) / scale
    K = 1.0 / (1.0 + pairwise.sum(axis=2))
    return -proximity_weight * distance_to_x.mean() + diversity_weight * np.linalg.det(K)


def _dice_objective_added(rows, chosen, distance_to_x, scale, proximity_weight, diversity_weight):
    """:func:`_dice_objective` of chosen + [c], for every candidate c at once (batched det)."""
    size = len(chosen) + 1
    to_chosen = np.abs(rows[:, None, :] - rows[chosen][None, :, :]) / scale     # (n, |C|, M)
    K = np.ones((len(rows), size, size))
    among_chosen = np.abs(rows[chosen][:, None, :] - rows[chosen][None, :, :]) / scale
    K[:, :-1, :-1] = 1.0 / (1.0 + among_chosen.sum(axis=2))
    K[:, -1, :-1] = K[:, :-1, -1] = 1.0 / (1.0 + to_chosen.sum(axis=2))
    proximity = (distance_to_x[chosen].sum() + distance_to_x) / size
    return -proximity_weight * proximity + diversity_weight * np.linalg.det(K)


def _mad(data):
    """Median absolute deviation of each column; 1 where it is 0 (binary or constant columns)."""
    mad = np.median(np.abs(data - np.median(data, axis=0)), axis=0)
    return np.where(mad > 0, mad, 1.0)
