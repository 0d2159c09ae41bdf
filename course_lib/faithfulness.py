"""Is an explanation faithful to the model? Metrics that perturb the input and watch the output.

An attribution ranks the features. If the ranking is faithful, removing the top features
first should hurt the prediction fastest, and keeping only them should preserve it:

* :func:`deletion_curve` / :func:`insertion_curve` and their :func:`auc` (Petsiuk, Das &
  Saenko 2018, "RISE"): remove (insert) features in the attribution's order and record the
  score; a low deletion AUC and a high insertion AUC are good;
* :func:`road` (Rong et al. 2022, "A consistent and efficient evaluation strategy for
  attribution methods"): deletion with *noisy linear imputation* instead of a constant fill,
  so the removed region does not leak its shape to the model;
* :func:`comprehensiveness` and :func:`sufficiency` (DeYoung et al. 2020, ERASER) for tokens,
  and their AOPC forms over the top 1/5/10/20/50 % of the tokens (:func:`aopc_comprehensiveness`,
  :func:`aopc_sufficiency`);
* :func:`infidelity` and :func:`sensitivity_max` (Yeh et al. 2019), equal to
  ``captum.metrics.infidelity`` / ``sensitivity_max`` for the same perturbation draws;
* :func:`rank_agreement`, :func:`top_k_agreement`, :func:`noise_stability` (Krishna et al. 2022, "The
  disagreement problem"), and :func:`bootstrap_ci` for the sanity-check correlations.

Models are plain functions ``f(batch) -> scores`` of shape (n,): the score of the class being
explained (a probability or a logit). None of these metrics proves an explanation right; each
measures one property under one way of "removing" a feature. A constant attribution (an "empty
map") ranks nothing: the scores that need a ranking are NaN for it, never a number that reads as
a result.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
from scipy import sparse
from scipy.sparse.linalg import spsolve
from scipy.stats import rankdata

from ._validation import (check_aopc, check_array, check_budget, check_callable, check_count,
                          check_infidelity, check_instance, check_mask, check_rationale, check_real,
                          check_seed, check_tensor, model_outputs)

__all__ = ["Curve", "deletion_curve", "insertion_curve", "auc", "removal_order", "road",
           "noisy_linear_impute", "comprehensiveness", "sufficiency", "top_k_rationale",
           "aopc_comprehensiveness", "aopc_sufficiency", "AOPC_BINS",
           "infidelity", "sensitivity_max", "rank_agreement", "top_k_agreement", "noise_stability",
           "bootstrap_ci"]


@dataclass
class Curve:
    """Scores after removing (or inserting) a growing share of the features."""

    fractions: np.ndarray  # (steps + 1,) share of features changed, 0 to 1
    scores: np.ndarray     # (steps + 1,) the model's score at each step
    ranked: bool = True    # False for a constant attribution: the order is arbitrary, AUC NaN

    @property
    def auc(self) -> float:
        return auc(self)


# ---------------------------------------------------------------------- deletion and insertion
def deletion_curve(f: Callable, x, attribution, steps: int = 20, baseline=0.0,
                   batch_size: int = 64) -> Curve:
    """Replace the features by `baseline`, most important first, and record f after each step.

    With features ordered by decreasing attribution, step k of `steps` replaces the first
    round(k M / steps) of the M features:  x_k = x  with  x_k[order[:m_k]] = baseline.
    `x` is one input (a feature vector, or an image (C, H, W)); `attribution` has the shape of
    `x` or of its trailing axes ((H, W) for an image: a pixel is removed in every channel).
    A faithful ranking makes the curve fall fast: a small :func:`auc` (Petsiuk et al. 2018).
    """
    x, order, baseline, ranked = _check_curve_inputs(x, attribution, baseline)
    counts = _step_counts(order.size, steps, x.size)
    batch = _masked_copies(x, baseline, order, counts)
    return Curve(counts / order.size, _scores(f, batch, batch_size), ranked)


def insertion_curve(f: Callable, x, attribution, steps: int = 20, baseline=0.0,
                    batch_size: int = 64) -> Curve:
    """The reverse of :func:`deletion_curve`: start from `baseline` (Petsiuk et al. use a blurred
    copy of the image) and put back the features of `x`, most important first. A faithful
    ranking makes the curve rise fast: a large :func:`auc`."""
    x, order, baseline, ranked = _check_curve_inputs(x, attribution, baseline)
    counts = _step_counts(order.size, steps, x.size)
    batch = _masked_copies(np.broadcast_to(baseline, x.shape).copy(), x, order, counts)
    return Curve(counts / order.size, _scores(f, batch, batch_size), ranked)


def auc(curve) -> float:
    """Area under a :class:`Curve` by the trapezoid rule, over the fraction axis [0, 1]. A plain
    1-D array of scores is taken as evenly spaced on [0, 1]. NaN for the curve of a constant
    attribution, whose removal order is arbitrary."""
    if isinstance(curve, Curve):
        if not curve.ranked:
            return float("nan")
        fractions, scores = curve.fractions, curve.scores
    else:
        scores = check_array(curve, "curve")
        if scores.ndim != 1 or scores.size < 2:
            raise ValueError(f"curve must be a Curve or a 1-D array of >= 2 scores, got shape "
                             f"{scores.shape}")
        fractions = np.linspace(0, 1, scores.size)
    return float(np.trapezoid(scores, fractions))


def removal_order(attribution) -> np.ndarray:
    """Feature indices (into the flattened attribution) from most to least important; ties keep
    their original order, so the order is reproducible."""
    return np.argsort(-check_array(attribution, "attribution").ravel(), kind="stable")


def _step_counts(n_features: int, steps: int, size: int) -> np.ndarray:
    steps = check_budget(steps, "steps", per_unit=size)            # steps + 1 copies of x
    return np.round(np.linspace(0, n_features, steps + 1)).astype(int)


def _masked_copies(start, fill, order, counts):
    """(len(counts), *start.shape): copy k has the features order[:counts[k]] taken from fill."""
    feature_shape = start.shape[start.ndim - _feature_ndim(start, order):]
    copies = np.repeat(start[None], len(counts), axis=0)
    flat_start = copies.reshape(len(counts), -1, int(np.prod(feature_shape)))
    flat_fill = np.broadcast_to(fill, start.shape).reshape(-1, int(np.prod(feature_shape)))
    for k, m in enumerate(counts):  # one copy per step: `steps` is small
        flat_start[k][:, order[:m]] = flat_fill[:, order[:m]]
    return flat_start.reshape(copies.shape)


def _feature_ndim(x, order):
    size, ndim = 1, 0
    while size < order.size:
        ndim += 1
        size *= x.shape[-ndim]
    return ndim


# ---------------------------------------------------------------------- ROAD
def road(f: Callable, x, attribution, fractions=(0.1, 0.2, 0.3, 0.5, 0.7, 0.9), seed: int = 0,
         noise: float = 0.01, most_relevant_first: bool = True, batch_size: int = 64) -> Curve:
    """RemOve And Debias (Rong et al. 2022): the score after imputing the top `fractions` of
    pixels by :func:`noisy_linear_impute` instead of a constant. `x` is an image (C, H, W) and
    `attribution` (H, W). ``most_relevant_first=False`` removes the least relevant first (LeRF);
    MoRF should fall fast, LeRF slowly, and Rong et al. ask that the two orders rank methods
    consistently. A fraction 0 is added in front."""
    x, attribution = check_array(x, "x"), check_array(attribution, "attribution")
    seed, noise = check_seed(seed), check_real(noise, "noise", low=0)
    if x.ndim != 3 or attribution.shape != x.shape[1:]:
        raise ValueError(f"road needs an image x (C, H, W) and an attribution (H, W); got "
                         f"{x.shape} and {attribution.shape}")
    fractions = np.concatenate([[0.0], check_array(fractions, "fractions").ravel()])
    if ((fractions < 0) | (fractions >= 1)).any():
        raise ValueError("fractions must lie in [0, 1): some pixels must stay to impute from")
    order = removal_order(attribution if most_relevant_first else -attribution)
    rng = np.random.default_rng(seed)
    batch = []
    for fraction in fractions:  # one imputed image per fraction
        removed = np.zeros(attribution.size, bool)
        removed[order[:int(round(fraction * attribution.size))]] = True
        batch.append(noisy_linear_impute(x, removed.reshape(attribution.shape), noise, rng))
    return Curve(fractions, _scores(f, np.stack(batch), batch_size), not _is_constant(attribution))


def noisy_linear_impute(image, removed, noise: float = 0.01, seed=0) -> np.ndarray:
    """Fill the `removed` pixels of `image` (C, H, W) so that each equals the weighted mean of its
    8 neighbours (weight 1/6 for the 4 sides, 1/12 for the 4 corners), solved as one sparse
    linear system per channel, then add N(0, noise^2) to the filled values (Rong et al. 2022)."""
    image = check_array(image, "image", ndim=3)
    removed, noise = check_mask(removed, image), check_real(noise, "noise", low=0)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(check_seed(seed))
    channels, height, width = image.shape
    unknown = np.flatnonzero(removed)
    if unknown.size == 0:
        return image.copy()
    index = -np.ones(height * width, int)
    index[unknown] = np.arange(unknown.size)
    rows, cols = np.divmod(unknown, width)
    flat = image.reshape(channels, -1)
    diagonal = np.zeros(unknown.size)
    off_rows, off_cols, off_values = [], [], []
    b = np.zeros((unknown.size, channels))
    for dr, dc, weight in _NEIGHBOURS:  # sum_j w_ij (x_i - x_j) = 0 for each unknown pixel i
        r, c = rows + dr, cols + dc
        inside = (r >= 0) & (r < height) & (c >= 0) & (c < width)
        me, other = np.flatnonzero(inside), (r * width + c)[inside]
        diagonal[me] += weight
        known = index[other] < 0
        off_rows.append(me[~known])
        off_cols.append(index[other[~known]])
        off_values.append(np.full((~known).sum(), -weight))
        b[me[known]] += weight * flat[:, other[known]].T  # known neighbours go to the right side
    A = sparse.coo_matrix((np.concatenate([diagonal] + off_values),
                           (np.concatenate([np.arange(unknown.size)] + off_rows),
                            np.concatenate([np.arange(unknown.size)] + off_cols))),
                          shape=(unknown.size, unknown.size))
    solution = spsolve(A.tocsc(), b).reshape(unknown.size, channels)
    filled = flat.copy()
    filled[:, unknown] = solution.T
    filled[:, unknown] += noise * rng.standard_normal((channels, unknown.size))
    return filled.reshape(image.shape)


_NEIGHBOURS = [(-1, 0, 1 / 6), (1, 0, 1 / 6), (0, -1, 1 / 6), (0, 1, 1 / 6),
               (-1, -1, 1 / 12), (-1, 1, 1 / 12), (1, -1, 1 / 12), (1, 1, 1 / 12)]


# ---------------------------------------------------------------------- rationales (text)
def comprehensiveness(f: Callable, tokens, rationale) -> float:
    """How much the score drops when the rationale is deleted (DeYoung et al. 2020):

        comprehensiveness = f(x) - f(x without r)        (high is faithful)

    `f` maps a list of token lists to scores (n,); `tokens` is one token list; `rationale` a
    boolean mask over the tokens or a list of token positions."""
    tokens, keep = check_rationale(tokens, rationale)
    full, without = _scores(f, [tokens, [t for t, r in zip(tokens, keep) if not r]], None)
    return float(full - without)


def sufficiency(f: Callable, tokens, rationale) -> float:
    """How much the score drops when only the rationale is kept (DeYoung et al. 2020):

        sufficiency = f(x) - f(r alone)                  (low is faithful)"""
    tokens, keep = check_rationale(tokens, rationale)
    full, alone = _scores(f, [tokens, [t for t, r in zip(tokens, keep) if r]], None)
    return float(full - alone)


#: DeYoung et al.'s (2020) bins: the top 1, 5, 10, 20 and 50 % of the tokens.
AOPC_BINS = (0.01, 0.05, 0.10, 0.20, 0.50)


def aopc_comprehensiveness(f: Callable, tokens, attribution, bins=AOPC_BINS) -> float:
    """Comprehensiveness averaged over rationales of growing size (DeYoung et al. 2020, sec. 4.2,
    "area over the perturbation curve"):

        AOPC_comp = mean over k in bins of  f(x) - f(x without its top ceil(k n) tokens)

    `attribution` has one value per token (n of them); the top tokens are the largest values.
    `f` scores the class being explained (DeYoung et al. use the predicted class). NaN for a
    constant attribution, which ranks nothing."""
    tokens, attribution, sizes = check_aopc(tokens, attribution, bins)
    return _aopc(f, tokens, attribution, sizes, keep=False)


def aopc_sufficiency(f: Callable, tokens, attribution, bins=AOPC_BINS) -> float:
    """Sufficiency averaged over the same bins (DeYoung et al. 2020):

        AOPC_suff = mean over k in bins of  f(x) - f(only the top ceil(k n) tokens, in order)

    Low is faithful. NaN for a constant attribution."""
    tokens, attribution, sizes = check_aopc(tokens, attribution, bins)
    return _aopc(f, tokens, attribution, sizes, keep=True)


def _aopc(f, tokens, attribution, sizes, keep):
    if _is_constant(attribution):
        return float("nan")
    rank = np.empty(len(tokens), int)
    rank[removal_order(attribution)] = np.arange(len(tokens))  # 0 = the most important token
    batch = [tokens] + [[t for t, r in zip(tokens, rank) if (r < m) == keep] for m in sizes]
    scores = _scores(f, batch, None)
    return float(np.mean(scores[0] - scores[1:]))


def top_k_rationale(attribution, k: int) -> np.ndarray:
    """Boolean mask of the k tokens with the largest attribution (ties: the earlier token)."""
    attribution = check_array(attribution, "attribution", min_size=1).ravel()
    k = check_count(k, "k")
    mask = np.zeros(attribution.size, bool)
    mask[removal_order(attribution)[:k]] = True
    return mask


# ---------------------------------------------------------------------- infidelity, sensitivity
def infidelity(model: Callable, x: torch.Tensor, attribution: torch.Tensor, n_perturb: int = 10,
               seed: int = 0, noise: float = 0.1, target=None, normalize: bool = False,
               perturbation: str = "gaussian", share: float = 0.25, baseline: float = 0.0,
               multiply_by_inputs: bool = False) -> torch.Tensor:
    """Infidelity (Yeh et al. 2019, eq. 2): how badly attribution . I predicts the output change
    when the input moves by a random perturbation I,

        INFD(a, f, x) = E_I [ (I . a  -  (f(x) - f(x - I)))^2 ],

    estimated with `n_perturb` draws per example, shape (N,). Two perturbations:
    ``"gaussian"``, I ~ N(0, noise^2) (small moves, where the gradient is optimal by
    construction); ``"baseline"``, I = M * (x - baseline) with M a Bernoulli(`share`) mask, so
    x - I has a random `share` of its features set to the baseline (a removal, as in Yeh et al.'s
    square-removal experiments, feature by feature). An attribution multiplied by the input
    (integrated gradients, input x gradient) sets ``multiply_by_inputs=True``: I is then divided
    by (x - baseline) (0 / 0 read as I), as captum's ``infidelity_perturb_func_decorator(True)``
    does. ``normalize=True`` first rescales a by the beta minimising the error (captum's
    `normalize`), so that only the direction of a is judged, not its scale.
    Equal to ``captum.metrics.infidelity`` given a `perturb_func` with the same draws (one torch
    Generator seeded with `seed`, of the shape of ``x.repeat_interleave(n_perturb, 0)``).
    """
    x, attribution, model, n_perturb, seed, noise, share, baseline, perturbation = check_infidelity(
        x, attribution, model, n_perturb, seed, noise, share, baseline, perturbation, normalize, multiply_by_inputs)
    generator = torch.Generator(device=x.device).manual_seed(int(seed))
    expanded = x.repeat_interleave(n_perturb, dim=0)
    if perturbation == "gaussian":
        moves = noise * torch.randn(expanded.shape, generator=generator, device=x.device,
                                    dtype=x.dtype)
    else:
        mask = torch.rand(expanded.shape, generator=generator, device=x.device) < share
        moves = mask.to(x.dtype) * (expanded - baseline)
    with torch.no_grad():
        change = (_target(model(x), target).repeat_interleave(n_perturb)
                  - _target(model(expanded - moves), _repeat(target, n_perturb)))
    if multiply_by_inputs:  # a = (x - baseline) * local attribution: divide I by the same factor
        gap = expanded - baseline
        moves = moves / torch.where(gap != 0, gap, torch.ones_like(gap))
    predicted = (attribution.repeat_interleave(n_perturb, 0) * moves).flatten(1).sum(1)
    predicted, change = predicted.view(len(x), n_perturb), change.view(len(x), n_perturb)
    if normalize:  # beta = E[(I.a) delta] / E[(I.a)^2]
        numerator, denominator = (predicted * change).sum(1), predicted.pow(2).sum(1)
        beta = numerator / torch.where(denominator == 0, torch.ones_like(denominator), denominator)
        predicted = beta[:, None] * predicted
    return _finite((predicted - change).pow(2).sum(1) / n_perturb, "model")


def sensitivity_max(explain: Callable, x: torch.Tensor, radius: float = 0.02, n_perturb: int = 10,
                    seed: int = 0, relative: bool = True) -> torch.Tensor:
    """Max-sensitivity: the largest change of the explanation when the input moves by uniform
    noise in [-radius, radius]^d, estimated with `n_perturb` draws per example, shape (N,).

    Yeh et al. (2019, eq. 3) define it unnormalised, SENS_max = max_{|y - x| <= r}
    ||explain(y) - explain(x)|| (``relative=False``). captum divides by ||explain(x)||
    (a zero norm read as 1), the default here:

        SENS_max = max_{|y - x|_inf <= r}  || explain(y) - explain(x) ||_2 / || explain(x) ||_2.

    A maximum over `n_perturb` random draws is a lower bound of the true maximum. With
    ``relative=True`` equal to ``torch.manual_seed(seed); captum.metrics.sensitivity_max(explain,
    x, perturb_radius=radius, n_perturb_samples=n_perturb)`` (captum draws from the global torch
    generator)."""
    x, explain = check_tensor(x, "x"), check_callable(explain, "explain", "an explainer")
    n_perturb, seed = check_budget(n_perturb, "n_perturb", per_unit=x.numel()), check_seed(seed)
    generator = torch.Generator(device="cpu").manual_seed(int(seed))
    expanded = x.repeat_interleave(n_perturb, dim=0)
    radius = check_real(radius, "radius", low=0)
    check_instance(relative, "relative", bool, "pass True or False")
    uniform = torch.empty(expanded.shape, dtype=torch.float32).uniform_(-radius, radius,
                                                                       generator=generator)
    with torch.no_grad():
        reference = explain(x).flatten(1)
        moved = explain(expanded + uniform.to(x.device)).flatten(1)
    norm = reference.norm(dim=1) if relative else torch.ones(len(reference), device=x.device)
    norm = torch.where(norm == 0, torch.ones_like(norm), norm)
    change = (reference.repeat_interleave(n_perturb, 0) - moved).norm(dim=1)
    return _finite((change / norm.repeat_interleave(n_perturb)).view(len(x), n_perturb).max(dim=1).values,
                   "explain")


# ---------------------------------------------------------------------- agreement and stability
def rank_agreement(a, b) -> float:
    """Spearman's rank correlation between two attributions of the same input (ties: average
    rank); NaN when either is constant (an empty map ranks nothing)."""
    return _rank_agreement(check_array(a, "a").ravel(), check_array(b, "b").ravel())


def _rank_agreement(a, b) -> float:
    if a.shape != b.shape:
        raise ValueError(f"the attributions differ in size: {a.size} vs {b.size}")
    ra, rb = rankdata(a) - (a.size + 1) / 2, rankdata(b) - (b.size + 1) / 2
    norm = np.sqrt((ra ** 2).sum() * (rb ** 2).sum())
    return float((ra * rb).sum() / norm) if norm > 0 else float("nan")


def top_k_agreement(a, b, k: int) -> float:
    """Feature agreement (Krishna et al. 2022): the share of the k most important features of
    `a` that are also among the k most important of `b`, by absolute value, in [0, 1]; NaN when
    either is constant in absolute value (its top k would be an arbitrary pick)."""
    a, b, k = check_array(a, "a"), check_array(b, "b"), check_count(k, "k")
    if a.size != b.size:
        raise ValueError(f"the attributions differ in size: {a.size} vs {b.size}")
    if _is_constant(np.abs(a)) or _is_constant(np.abs(b)):
        return float("nan")
    top_a, top_b = set(removal_order(np.abs(a))[:k]), set(removal_order(np.abs(b))[:k])
    return len(top_a & top_b) / k


def noise_stability(explain: Callable, x, noise: float, n_samples: int = 10, seed: int = 0) -> np.ndarray:
    """Rank agreement between explain(x) and explain(x + eps), eps ~ N(0, noise^2), for
    `n_samples` draws: values near 1 mean the explanation is stable under small input noise;
    NaN where an explanation is constant."""
    x, explain = check_array(x, "x"), check_callable(explain, "explain")
    noise, seed = check_real(noise, "noise", low=0), check_seed(seed)
    n_samples = check_budget(n_samples, "n_samples", per_unit=x.size)
    rng = np.random.default_rng(seed)
    reference = _explanation(explain, x)
    return np.array([_rank_agreement(reference,
                                     _explanation(explain, x + noise * rng.standard_normal(x.shape)))
                     for _ in range(n_samples)])


def bootstrap_ci(values, n_boot: int = 1000, level: float = 0.95, seed: int = 0):
    """Mean of `values` and a percentile bootstrap confidence interval: (mean, low, high)."""
    values = check_array(values, "values", min_size=1).ravel()
    n_boot, level = check_budget(n_boot, "n_boot", per_unit=values.size), check_real(level, "level", 0, 1)
    rng = np.random.default_rng(check_seed(seed))
    means = values[rng.integers(0, values.size, (n_boot, values.size))].mean(axis=1)
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return float(values.mean()), float(low), float(high)


# ---------------------------------------------------------------------- helpers
def _scores(f, batch, batch_size):
    check_callable(f, "f", "a function f(batch) -> scores of shape (n,)")
    n = len(batch)
    size = n if batch_size is None else check_count(batch_size, "batch_size")
    parts = [f(batch[start:start + size]) for start in range(0, n, size)]
    parts = [p.detach().cpu().numpy() if isinstance(p, torch.Tensor) else np.asarray(p, float)
             for p in parts]
    scores = np.concatenate([p.reshape(-1) for p in parts])
    if scores.shape != (n,):
        raise ValueError(f"f returned {scores.size} scores for {n} inputs; return one score "
                         "(the explained class) per input")
    return model_outputs(scores, n, "f", n_outputs=1)[:, 0]          # refuses NaN scores


def _check_curve_inputs(x, attribution, baseline):
    x, attribution = check_array(x, "x"), check_array(attribution, "attribution")
    if attribution.shape != x.shape[x.ndim - attribution.ndim:]:
        raise ValueError(f"attribution has shape {attribution.shape} but x {x.shape}; give one "
                         "value per feature (the shape of x, or of its last axes)")
    baseline = check_array(baseline, "baseline")
    try:
        np.broadcast_to(baseline, x.shape)
    except ValueError:
        raise ValueError(f"baseline of shape {baseline.shape} does not fit x {x.shape}; give a "
                         "number or an array shaped like x") from None
    return x, removal_order(attribution), baseline, not _is_constant(attribution)


def _is_constant(values) -> bool:
    values = np.asarray(values).ravel()
    return bool((values == values[0]).all())


def _explanation(explain, x):
    return check_array(explain(x), "explain's output").ravel()


def _finite(result, name):
    if not torch.isfinite(result).all():
        raise ValueError(f"{name} returned NaN or infinite values; check it on these inputs")
    return result


def _target(scores, target):
    if target is None:
        return scores.reshape(len(scores))
    index = torch.as_tensor(target, device=scores.device).long().reshape(-1)
    return scores.gather(1, index.expand(len(scores))[:, None])[:, 0]


def _repeat(target, n):
    if target is None or isinstance(target, (int, np.integer)):
        return target
    return torch.as_tensor(target).reshape(-1).repeat_interleave(n)
