"""Figures for notebook 05: pictures, gradient images and heatmap overlays.

The overlays and the gradient images use pytorch-grad-cam's own drawing
(``show_cam_on_image``, ``deprocess_image``), so ours and the reference look alike.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
from pytorch_grad_cam.utils.image import deprocess_image, show_cam_on_image

__all__ = ["to_rgb", "normalise", "gradient_image", "overlay", "show_maps", "cat_dog_figure",
           "plot_sanity_check", "show_pictures"]


def _numpy(a) -> np.ndarray:
    return a.detach().cpu().float().numpy() if isinstance(a, torch.Tensor) else np.asarray(a)


def to_rgb(x, mean=0.5, std=0.5) -> np.ndarray:
    """A preprocessed image (C, H, W) or (1, C, H, W) back to (H, W, 3) floats in [0, 1]."""
    a = _numpy(x)
    a = a[0] if a.ndim == 4 else a
    a = a.transpose(1, 2, 0) * np.asarray(std) + np.asarray(mean)
    return np.clip(a, 0, 1)


def normalise(heatmap, percentile: float = 99.0) -> np.ndarray:
    """Scale a non-negative map (H, W) or (N, H, W) to [0, 1] for display: divide each map by
    its `percentile`-th percentile and clip, so that a few extreme pixels do not hide the rest."""
    a = np.abs(_numpy(heatmap)).astype(np.float32)
    flat = a.reshape(-1, a.shape[-2] * a.shape[-1])
    top = np.percentile(flat, percentile, axis=1).reshape(-1, 1, 1)
    top = np.where(top > 0, top, flat.max(axis=1).reshape(-1, 1, 1) + 1e-12)
    return np.clip(a.reshape(-1, *a.shape[-2:]) / top, 0, 1).reshape(a.shape)


def gradient_image(attribution) -> np.ndarray:
    """A signed (C, H, W) gradient as an RGB picture (pytorch-grad-cam's ``deprocess_image``)."""
    a = _numpy(attribution)
    a = a[0] if a.ndim == 4 else a
    return deprocess_image(a.transpose(1, 2, 0).copy())


def overlay(image, heatmap, ax=None, title=None, alpha: float = 0.5):
    """Draw `heatmap` (H, W) in [0, 1] over `image` (H, W, 3) in [0, 1], jet colours."""
    ax = ax or plt.gca()
    heat = _numpy(heatmap)
    heat = heat[0] if heat.ndim == 3 else heat
    ax.imshow(show_cam_on_image(np.float32(image), np.float32(heat), use_rgb=True,
                                image_weight=1 - alpha))
    _tidy(ax, title)
    return ax


def _tidy(ax, title):
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    if title:
        ax.set_title(title, fontsize=9)


def _draw(ax, image, panel, title):
    """A panel: a picture (H, W, 3), a heatmap (H, W) overlaid, or a gradient (C, H, W)."""
    a = _numpy(panel)
    a = a[0] if a.ndim == 4 or (a.ndim == 3 and a.shape[0] == 1) else a
    if a.ndim == 2:
        overlay(image, a, ax, title)
    elif a.ndim == 3 and a.shape[0] in (1, 3):
        ax.imshow(gradient_image(a))
        _tidy(ax, title)
    else:
        ax.imshow(np.clip(a, 0, 1) if a.dtype.kind == "f" else a)
        _tidy(ax, title)


def show_maps(image, maps: dict, ncols: int | None = None, size: float = 2.4, suptitle=None):
    """The picture, then one panel per entry of `maps` {title: map}."""
    panels = {"picture": image, **maps}
    ncols = ncols or len(panels)
    nrows = int(np.ceil(len(panels) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.3),
                             squeeze=False)
    for ax, (title, panel) in zip(axes.flat, panels.items()):
        _draw(ax, image, panel, title)
    for ax in axes.flat[len(panels):]:
        ax.axis("off")
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


def cat_dog_figure(image, rows: dict, size: float = 2.4):
    """Selvaraju et al.'s figure 1: one row per class {class name: {column title: map}}."""
    columns = max(len(panels) for panels in rows.values()) + 1
    fig, axes = plt.subplots(len(rows), columns, figsize=(size * columns, size * len(rows) + 0.2),
                             squeeze=False)
    for axes_row, (name, panels) in zip(axes, rows.items()):
        _draw(axes_row[0], image, image, f"picture ({name})")
        for ax, (title, panel) in zip(axes_row[1:], panels.items()):
            _draw(ax, image, panel, f"{title}: {name}")
    fig.tight_layout()
    return fig


def plot_sanity_check(results: dict, image, steps: int = 6, size: float = 1.8):
    """Maps as layers are randomised (rows = methods) and the rank correlation with the
    trained model's map, from :func:`course_lib.metrics.cascading_randomization` results."""
    methods = list(results)
    first = results[methods[0]]
    picks = np.unique(np.linspace(0, len(first.layers) - 1, min(steps, len(first.layers)))
                      .round().astype(int))
    fig = plt.figure(figsize=(size * (len(picks) + 3), size * len(methods) + 0.4))
    grid = fig.add_gridspec(len(methods), len(picks) + 3)
    for row, method in enumerate(methods):
        result = results[method]
        for col, step in enumerate(picks):
            ax = fig.add_subplot(grid[row, col])
            ax.imshow(normalise(result.maps[step, 0]), cmap="gray", vmin=0, vmax=1)
            _tidy(ax, (result.layers[step] or "trained") if row == 0 else None)
            if col == 0:
                ax.set_ylabel(method)
    ax = fig.add_subplot(grid[:, len(picks):])
    for method in methods:
        result = results[method]
        ax.plot(range(len(result.layers)), result.mean_correlation, marker="o", label=method)
    ax.set_xticks(range(len(first.layers)))
    ax.set_xticklabels([name or "trained" for name in first.layers], rotation=70, fontsize=7)
    ax.set_ylabel("Spearman rank correlation with the trained map")
    ax.set_ylim(-1.05, 1.05)
    ax.axhline(0, color="k", lw=0.8)
    ax.legend(loc="best")
    fig.tight_layout()
    return fig


def show_pictures(images, titles=None, ncols: int = 8, size: float = 1.6, masks=None):
    """A grid of uint8 pictures (N, H, W, 3), optionally with region outlines from `masks`."""
    images = _numpy(images)
    n = len(images)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.2),
                             squeeze=False)
    for i, ax in enumerate(axes.flat):
        if i >= n:
            ax.axis("off")
            continue
        ax.imshow(images[i])
        if masks is not None:
            ax.contour(_numpy(masks[i]).astype(float), levels=[0.5], colors="w", linewidths=0.8)
        _tidy(ax, None if titles is None else titles[i])
    fig.tight_layout()
    return fig
