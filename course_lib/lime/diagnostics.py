"""Measuring where LIME breaks: stability across seeds, kernel width and fidelity, impossible neighbours.

LIME's answer is a random variable (the neighbourhood is sampled) that also depends on a
free parameter (the kernel width). Alvarez-Melis & Jaakkola ("On the Robustness of
Interpretability Methods", 2018) and Visani et al. ("Statistical stability indices for LIME",
2022) measure the first; Garreau & von Luxburg ("Explaining the Explainer", AISTATS 2020)
show how the width decides which features LIME can see at all.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from .._validation import (check_budget, check_callable, check_count, check_instance, check_positive,
                           check_seed, check_vector, model_outputs)
from .core import Explanation, _exponential_kernel, _weighted_ridge

__all__ = ["top_features", "stability", "Stability", "local_fit_2d", "local_fidelity_error",
           "impossible_share"]


def top_features(explanation: Explanation, k=5) -> list:
    """The names of the k features with the largest |weight|."""
    check_instance(explanation, "explanation", Explanation, "pass what a LIME explain() returns")
    k = check_count(k, "k")
    return [name for name, _ in explanation.as_list()[:k]]


@dataclass
class Stability:
    """How much explanations of one point agree across seeds.

    same_top_k : share of runs whose top-k *set* equals the most common top-k set.
    mean_jaccard : mean over pairs of runs of |A ∩ B| / |A ∪ B| for their top-k sets.
    frequency : feature name -> in how many runs it was in the top k.
    """

    k: int
    n_runs: int
    same_top_k: float
    mean_jaccard: float
    frequency: dict

    def __repr__(self) -> str:
        return (f"Stability(top-{self.k} over {self.n_runs} runs: same set in {self.same_top_k:.0%}, "
                f"mean Jaccard {self.mean_jaccard:.2f})")


def stability(explanations, k=5) -> Stability:
    """Agreement of the top-k features of several explanations of the same point."""
    if isinstance(explanations, Explanation) or not hasattr(explanations, "__iter__"):
        raise TypeError("explanations must be a list of Explanations (one per seed)")
    sets = [frozenset(top_features(e, k)) for e in explanations]
    if len(sets) < 2:
        raise ValueError("stability needs at least two explanations (one per seed)")
    most_common = Counter(sets).most_common(1)[0][1]
    pairs = [len(a & b) / len(a | b) for a, b in combinations(sets, 2)]
    frequency = Counter(name for s in sets for name in s)
    return Stability(k=k, n_runs=len(sets), same_top_k=most_common / len(sets),
                     mean_jaccard=float(np.mean(pairs)), frequency=dict(frequency.most_common()))


def local_fit_2d(predict_fn, x, kernel_width, num_samples=500, spread=1.0, seed=0):
    """LIME by hand on continuous features: sample N(x, spread^2 I), weight, fit.

    Returns (samples, outputs, proximity, coef, intercept) with the surrogate
    g(z) = intercept + coef . (z - x), a weighted least-squares line (no penalty).
    """
    x, predict_fn, seed = check_vector(x, "x"), check_callable(predict_fn, "predict_fn"), check_seed(seed)
    spread, kernel_width = check_positive(spread, "spread"), check_positive(kernel_width, "kernel_width")
    return _local_fit_2d(predict_fn, x, kernel_width, check_budget(num_samples, "num_samples", 3 * x.size + 8, 2),
                         spread, seed)


def _local_fit_2d(predict_fn, x, kernel_width, num_samples, spread, seed):
    rng = np.random.RandomState(seed)
    samples = x + spread * rng.normal(size=(num_samples, x.size))
    samples[0] = x
    outputs = model_outputs(predict_fn(samples), num_samples, "predict_fn", n_outputs=1)[:, 0]
    proximity = _exponential_kernel(np.linalg.norm(samples - x, axis=1), kernel_width)
    coef, intercept = _weighted_ridge(samples - x, outputs, proximity, alpha=0.0)
    return samples, outputs, proximity, coef, intercept


def local_fidelity_error(predict_fn, x, kernel_width, radius=0.5, num_samples=500, spread=1.0,
                         seed=0, n_eval=1000):
    """Mean squared gap between g and f on fresh points N(x, radius^2 I): low = faithful near x.

    Unlike LIME's own R^2 (weighted by the kernel being tuned, so not comparable across
    widths), this measures every width on the same yardstick.
    """
    x, predict_fn, seed = check_vector(x, "x"), check_callable(predict_fn, "predict_fn"), check_seed(seed)
    spread, kernel_width = check_positive(spread, "spread"), check_positive(kernel_width, "kernel_width")
    num_samples, n_eval = check_budget(num_samples, "num_samples", 3 * x.size + 8, 2), check_budget(n_eval, "n_eval", 2 * x.size + 8)
    _, _, _, coef, intercept = _local_fit_2d(predict_fn, x, kernel_width, num_samples, spread, seed)
    radius = check_positive(radius, "radius")
    points = x + radius * np.random.RandomState(seed + 1).normal(size=(n_eval, x.size))
    gap = model_outputs(predict_fn(points), n_eval, "predict_fn", n_outputs=1)[:, 0] - (intercept + (points - x) @ coef)
    return float(np.mean(gap ** 2))


def impossible_share(rows, rule) -> float:
    """Share of (perturbed) rows for which `rule(rows)` is True, e.g. ap_lo > ap_hi."""
    rule = check_callable(rule, "rule", "lambda rows: rows[:, 1] > rows[:, 0]")
    flags = model_outputs(rule(rows), len(rows), "rule", n_outputs=1)[:, 0] != 0
    return float(flags.mean())
