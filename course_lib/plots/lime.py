"""Plots for notebook 03 (LIME): the local fit on a 2-D toy, weight bars, words, superpixels."""
from __future__ import annotations

import html

import numpy as np

from ..lime.diagnostics import local_fit_2d
from ..lime.image import superpixel_mask

__all__ = ["plot_local_fit", "plot_weights", "text_html", "show_text",
           "plot_superpixels", "plot_segments", "plot_top_k_frequency", "plot_curve"]

POSITIVE, NEGATIVE = "#2a9d3a", "#d1495b"


def plot_local_fit(predict_fn, x, kernel_width, num_samples=500, spread=1.0, seed=0,
                   extent=(-3, 3, -3, 3), ax=None, true_gradient=None):
    """The picture of LIME: the model's surface, weighted samples, the local line g = 0.5."""
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    samples, outputs, proximity, coef, intercept = local_fit_2d(predict_fn, x, kernel_width,
                                                                num_samples, spread, seed)
    grid = np.linspace(extent[0], extent[1], 200), np.linspace(extent[2], extent[3], 200)
    g1, g2 = np.meshgrid(*grid)
    surface = np.asarray(predict_fn(np.column_stack([g1.ravel(), g2.ravel()])), float).reshape(g1.shape)
    ax.contourf(g1, g2, surface, levels=20, cmap="RdBu_r", alpha=0.35, vmin=0, vmax=1)
    ax.contour(g1, g2, surface, levels=[0.5], colors="k", linewidths=1.5)
    ax.scatter(samples[:, 0], samples[:, 1], c=outputs, cmap="RdBu_r", vmin=0, vmax=1,
               s=4 + 60 * proximity / proximity.max(), edgecolors="none", alpha=0.8)
    if abs(coef[1]) > 1e-12:  # the surrogate's own boundary: intercept + coef . (z - x) = 0.5
        line = np.linspace(extent[0], extent[1], 2)
        ax.plot(line, x[1] + (0.5 - intercept - coef[0] * (line - x[0])) / coef[1], "--",
                color="#f4a261", lw=2.5, label="LIME's local boundary (g = 0.5)")
    ax.plot(*x, marker="*", color="gold", markersize=18, markeredgecolor="k", label="x")
    if true_gradient is not None:
        ax.annotate("", xy=x + 0.8 * np.asarray(true_gradient) / np.linalg.norm(true_gradient), xytext=x,
                    arrowprops=dict(arrowstyle="->", color="k", lw=1.5))
    ax.set(xlim=extent[:2], ylim=extent[2:], xlabel="x1", ylabel="x2",
           title=f"kernel width {kernel_width:g}: g(z) = {intercept:.2f} "
                 f"{coef[0]:+.2f}·Δx1 {coef[1]:+.2f}·Δx2")
    ax.legend(loc="lower left", fontsize=8)
    return ax


def plot_weights(explanation, max_features=10, ax=None, title=None):
    """Horizontal bars of the surrogate's weights, largest |weight| on top (lime's colours)."""
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    items = explanation.as_list()[:max_features][::-1]
    names = [str(name) for name, _ in items]
    values = [w for _, w in items]
    ax.barh(range(len(values)), values, color=[POSITIVE if v > 0 else NEGATIVE for v in values])
    ax.set_yticks(range(len(values)), names)
    ax.axvline(0, color="k", lw=0.8)
    ax.set_xlabel(f"weight in the local model (label {explanation.label})")
    ax.set_title(title or f"LIME, label {explanation.label}: R² = {explanation.score:.2f}, "
                          f"g(x) = {explanation.local_pred:.2f}, f(x) = {explanation.prediction:.2f}")
    return ax


def text_html(explanation, max_features=10) -> str:
    """The text with its explained words highlighted: green pushes towards the label, red away."""
    extra = explanation.neighbourhood.extra
    top = dict(list(explanation.weights.items())[:max_features])
    scale = max((abs(w) for w in top.values()), default=1.0) or 1.0
    parts = []
    for token, word in zip(extra["tokens"], extra["word_of_token"]):
        text = html.escape(token)
        if word in top:
            w = top[word]
            colour = (42, 157, 58) if w > 0 else (209, 73, 91)
            alpha = 0.25 + 0.75 * abs(w) / scale
            text = (f'<span title="{w:+.3f}" style="background: rgba({colour[0]},{colour[1]},'
                    f'{colour[2]},{alpha:.2f}); padding: 1px 2px; border-radius: 3px">{text}</span>')
        parts.append(text)
    return f'<div style="line-height: 1.8; font-family: sans-serif">{"".join(parts)}</div>'


def show_text(explanation, max_features=10):
    """Display :func:`text_html` in a notebook; print the weights elsewhere."""
    try:
        from IPython import get_ipython
        from IPython.display import HTML, display

        if get_ipython() is not None:
            display(HTML(text_html(explanation, max_features)))
            return
    except ImportError:  # pragma: no cover
        pass
    print(", ".join(f"{name}: {w:+.3f}" for name, w in explanation.as_list()[:max_features]))


def plot_segments(image, segments, ax=None, title="superpixels"):
    """The image with the superpixels' borders drawn (scikit-image's mark_boundaries)."""
    import matplotlib.pyplot as plt
    from skimage.segmentation import mark_boundaries

    ax = ax or plt.gca()
    ax.imshow(mark_boundaries(np.asarray(image), np.asarray(segments)))
    ax.set_title(f"{title} ({len(np.unique(segments))})")
    ax.axis("off")
    return ax


def plot_superpixels(explanation, num_features=5, positive_only=True, ax=None, title=None):
    """The top superpixels for the label in colour, the rest faded (like lime's get_image_and_mask)."""
    import matplotlib.pyplot as plt
    from skimage.segmentation import mark_boundaries

    ax = ax or plt.gca()
    image = explanation.neighbourhood.extra["image"]
    mask = superpixel_mask(explanation, num_features, positive_only)
    shown = np.asarray(image, dtype=float)
    shown = shown / 255.0 if image.dtype.kind in "ui" else shown
    faded = np.where((mask == 0)[..., None], 0.35 * shown + 0.65, shown)
    if not positive_only:
        faded = np.where((mask < 0)[..., None], 0.5 * shown + 0.5 * np.array([0.8, 0.1, 0.1]), faded)
    ax.imshow(mark_boundaries(np.clip(faded, 0, 1), (mask != 0).astype(int), color=(1, 1, 0)))
    ax.set_title(title or f"label {explanation.label}: top {num_features} superpixels")
    ax.axis("off")
    return ax


def plot_top_k_frequency(frequency: dict, n_runs: int, ax=None, title=None):
    """How often each feature was in the top k over `n_runs` seeds (1.0 = always)."""
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    items = sorted(frequency.items(), key=lambda item: -item[1])
    names = [str(name) for name, _ in items][::-1]
    values = [count / n_runs for _, count in items][::-1]
    ax.barh(range(len(values)), values, color="#457b9d")
    ax.set_yticks(range(len(values)), names)
    ax.set_xlim(0, 1)
    ax.set_xlabel(f"share of {n_runs} seeds in which the feature is in the top k")
    ax.set_title(title or "Stability across seeds")
    return ax


def plot_curve(x, ys: dict, xlabel, ylabel, ax=None, title=None, logx=True):
    """Lines of several quantities against one parameter (kernel width, num_samples)."""
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    for name, y in ys.items():
        ax.plot(x, y, marker="o", label=name)
    if logx:
        ax.set_xscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title or "")
    ax.legend()
    return ax
