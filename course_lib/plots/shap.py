"""Plots for notebook 04 that shap does not draw: the Shapley kernel, KernelSHAP as a regression,
convergence and cost, methods side by side, and a static stacked force plot.

Everything shap draws well (waterfall, force, beeswarm, bar, scatter, image_plot) is drawn by
shap itself from ``result.to_shap()``; shap's stacked force plot of many samples is JavaScript
only, so :func:`stacked_force` draws the same picture with matplotlib (it renders everywhere).
"""
from __future__ import annotations

from math import comb

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["plot_shapley_kernel", "plot_regression_view", "plot_convergence", "plot_cost",
           "plot_methods", "stacked_force"]


def plot_shapley_kernel(n_features: int, ax=None):
    """Kernel weight of one coalition, and of all coalitions of that size, against the size."""
    from ..kernel_shap import shapley_kernel

    ax = ax or plt.subplots(figsize=(7, 3.5))[1]
    sizes = np.arange(1, n_features)
    one = shapley_kernel(n_features, sizes)
    count = np.array([comb(n_features, int(s)) for s in sizes])
    ax.semilogy(sizes, one / one.sum(), "o-", label="one coalition of this size")
    ax.semilogy(sizes, one * count / (one * count).sum(), "s--", label="all coalitions of this size")
    ax.set(xlabel="coalition size |z|", ylabel="share of kernel weight",
           title=f"The Shapley kernel, M = {n_features} (sizes 0 and M: infinite weight)")
    ax.set_xticks(sizes)
    ax.legend()
    return ax


def plot_regression_view(Z, weights, y, phi, ax=None):
    """Coalition values v(z) - v(0) against the linear fit z . phi; dot area ~ kernel weight."""
    ax = ax or plt.subplots(figsize=(5, 4.5))[1]
    Z = np.asarray(Z, float)
    fit = Z @ np.asarray(phi, float)
    sizes = Z.sum(axis=1)
    area = 300 * np.asarray(weights) / np.max(weights)
    points = ax.scatter(fit, y, s=area, c=sizes, cmap="viridis", alpha=0.7)
    low, high = min(fit.min(), np.min(y)), max(fit.max(), np.max(y))
    ax.plot([low, high], [low, high], "k--", lw=1, label="perfect fit")
    ax.set(xlabel="z · φ (the additive model)", ylabel="v(z) − v(∅) (the game)",
           title="KernelSHAP is a weighted linear regression")
    plt.colorbar(points, ax=ax, label="coalition size")
    ax.legend(loc="upper left")
    return ax


def plot_convergence(budgets, errors: dict, ax=None, exact_at=None):
    """Mean absolute error against the number of coalitions, one line per method."""
    ax = ax or plt.subplots(figsize=(6, 4))[1]
    for (label, values), marker in zip(errors.items(), "osd^v"):
        ax.loglog(budgets, values, marker=marker, label=label)
    if exact_at is not None:
        ax.axvline(exact_at, color="grey", ls=":", label=f"all {exact_at} coalitions")
    ax.set(xlabel="coalitions evaluated (n_samples)", ylabel="mean |φ − φ_exact|",
           title="Sampled KernelSHAP converges to the exact values")
    ax.legend()
    return ax


def plot_cost(sizes, times: dict, ax=None, xlabel="number of features M"):
    """Seconds against problem size, one line per method (log scale)."""
    ax = ax or plt.subplots(figsize=(6, 4))[1]
    for (label, values), marker in zip(times.items(), "osd^v"):
        ax.semilogy(sizes, values, marker=marker, label=label)
    ax.set(xlabel=xlabel, ylabel="seconds", title="Cost of exact Shapley values")
    ax.legend()
    return ax


def plot_methods(values: dict, feature_names, ax=None, title=None):
    """Horizontal grouped bars: one group per feature, one bar per method (one explained row)."""
    names = list(feature_names)
    ax = ax or plt.subplots(figsize=(7, 0.5 * len(names) + 1.5))[1]
    height = 0.8 / len(values)
    positions = np.arange(len(names))
    for k, (label, phi) in enumerate(values.items()):
        ax.barh(positions + (k - (len(values) - 1) / 2) * height, np.asarray(phi, float),
                height=height, label=label)
    ax.set_yticks(positions, names)
    ax.invert_yaxis()
    ax.axvline(0, color="black", lw=0.8)
    ax.set(xlabel="SHAP value", title=title or "One row, several ways to value a coalition")
    ax.legend(loc="best", fontsize=8)
    return ax


def stacked_force(explanation, max_display: int = 6, order: str = "similarity", ax=None):
    """Many force plots turned vertical and stacked side by side (shap's JS view, in matplotlib).

    Each column is one sample: red bands push its prediction above the base value, blue bands
    below; the black line is the prediction. ``order="similarity"`` puts samples with similar
    explanations next to each other (hierarchical clustering of the SHAP values, as shap does);
    ``"prediction"`` sorts by the prediction. The largest `max_display` features get their own
    band, the rest are summed into "other features".
    """
    values = np.asarray(explanation.values, float)
    if values.ndim != 2:
        raise ValueError(f"stacked_force needs one output, values of shape (n, M); got "
                         f"{values.shape}: pick an output, e.g. result.to_shap(output=1)")
    base = np.asarray(explanation.base_values, float).reshape(-1)
    base = np.broadcast_to(base, (len(values),))
    names = list(explanation.feature_names or [f"x{j}" for j in range(values.shape[1])])
    if order == "similarity":
        from scipy.cluster.hierarchy import leaves_list, linkage

        sequence = leaves_list(linkage(values, "complete")) if len(values) > 2 else np.arange(len(values))
    elif order == "prediction":
        sequence = np.argsort(base + values.sum(axis=1))
    else:
        raise ValueError(f"order must be 'similarity' or 'prediction', got {order!r}")
    values, base = values[sequence], base[sequence]
    top = np.argsort(-np.abs(values).mean(axis=0))[:max_display]
    rest = np.setdiff1d(np.arange(values.shape[1]), top)
    bands = [values[:, j] for j in top] + ([values[:, rest].sum(axis=1)] if len(rest) else [])
    labels = [names[j] for j in top] + (["other features"] if len(rest) else [])
    ax = ax or plt.subplots(figsize=(10, 4.5))[1]
    samples = np.arange(len(values))
    reds, blues = plt.get_cmap("Reds"), plt.get_cmap("Blues")
    up, down = base.copy(), base.copy()
    for k, (band, label) in enumerate(zip(bands, labels)):
        shade = 0.85 - 0.6 * k / max(len(bands), 1)
        positive, negative = np.clip(band, 0, None), np.clip(band, None, 0)
        ax.fill_between(samples, up, up + positive, color=reds(shade), step="mid", lw=0,
                        label=label)
        ax.fill_between(samples, down, down + negative, color=blues(shade), step="mid", lw=0)
        up, down = up + positive, down + negative
    ax.step(samples, base + values.sum(axis=1), where="mid", color="black", lw=1,
            label="prediction f(x)")
    ax.plot(samples, base, color="grey", lw=1, ls="--", label="base value")
    ax.set(xlabel=f"samples ordered by {order}", ylabel="model output",
           title="Stacked force plot: red pushes up, blue pushes down")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8)
    ax.grid(False)
    return ax
