"""Plots for notebook 02: decision boundaries, maps of the plane, Gram matrices, the 1/sqrt(D)
rate, a grid bent by a network layer by layer, and a zoom into a curved boundary."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .._validation import seed_alias

__all__ = ["CLASS_COLOURS", "scatter_classes", "plot_boundary", "plot_linear_maps",
           "plot_polar_view", "plot_lift", "plot_gram", "plot_error_vs_D", "plot_accuracy_time",
           "plot_warp_layer", "plot_warp", "plot_loss_curves", "plot_manifold", "plot_zoom"]

CLASS_COLOURS = ("#1f77b4", "#d62728")
_CMAP = "RdBu_r"


def scatter_classes(X, y, ax=None, title=None, s: float = 10, alpha: float = 0.8):
    """The points of class 0 in blue and of class 1 in red."""
    ax = ax or plt.subplots(figsize=(4, 4))[1]
    X, y = np.asarray(X), np.asarray(y)
    for label, colour in zip((0, 1), CLASS_COLOURS):
        ax.scatter(*X[y == label, :2].T, s=s, color=colour, alpha=alpha, edgecolors="none",
                   label=f"class {label}")
    ax.set_aspect("equal", adjustable="box")
    if title:
        ax.set_title(title)
    return ax


def _scores_on_grid(model, xlim, ylim, resolution):
    xs, ys = np.linspace(*xlim, resolution), np.linspace(*ylim, resolution)
    xx, yy = np.meshgrid(xs, ys)
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    if hasattr(model, "decision_function"):
        scores, level = model.decision_function(grid), 0.0
    elif hasattr(model, "predict_proba"):
        scores, level = model.predict_proba(grid)[:, 1], 0.5
    else:  # a plain function: scores with the boundary at 0
        scores, level = np.asarray(model(grid), dtype=float), 0.0
    return xx, yy, np.asarray(scores).reshape(xx.shape), level


def plot_boundary(model, X, y, ax=None, title=None, resolution: int = 200, margin: float = 0.3,
                  xlim=None, ylim=None, s: float = 10):
    """Colour the plane by the model's score and draw its decision boundary over the points.

    model: a fitted classifier (decision_function or predict_proba) or a function from an
    (m, 2) array to scores whose boundary is 0.
    """
    ax = ax or plt.subplots(figsize=(4, 4))[1]
    X = np.asarray(X)
    xlim = xlim or (X[:, 0].min() - margin, X[:, 0].max() + margin)
    ylim = ylim or (X[:, 1].min() - margin, X[:, 1].max() + margin)
    xx, yy, scores, level = _scores_on_grid(model, xlim, ylim, resolution)
    spread = np.abs(scores - level).max() or 1.0
    ax.contourf(xx, yy, scores, levels=20, cmap=_CMAP, alpha=0.35, vmin=level - spread, vmax=level + spread)
    ax.contour(xx, yy, scores, levels=[level], colors="black", linewidths=1.5)
    scatter_classes(X, y, ax=ax, s=s)
    ax.set(xlim=xlim, ylim=ylim)
    if title:
        ax.set_title(title)
    return ax


def plot_linear_maps(X, y, maps: dict, grid=None, size: float = 3.0):
    """One panel per 2x2 map {title: (A, b)}: the image of a grid and of the points under z = A x + b."""
    from ..warp import grid_lines

    grid = grid_lines((-3, 3), n_lines=13, n_points=50) if grid is None else grid
    fig, axes = plt.subplots(1, len(maps), figsize=(size * len(maps), size), squeeze=False)
    for ax, (title, (A, b)) in zip(axes[0], maps.items()):
        A, b = np.asarray(A, float), np.zeros(2) if b is None else np.asarray(b, float)
        for line in grid @ A.T + b:
            ax.plot(*line.T, color="0.75", lw=0.6)
        scatter_classes(np.asarray(X) @ A.T + b, y, ax=ax, s=6)
        ax.axvline(0, color="black", lw=1)
        ax.set_title(title, fontsize=9)
        ax.set(xlim=(-4, 4), ylim=(-4, 4))
    fig.tight_layout()
    return fig


def plot_polar_view(X, y, r_threshold: float | None = None, size: float = 3.6):
    """Left: the points in (x, y). Right: the same points in polar coordinates (theta, r)."""
    from ..kernels import polar

    X = np.asarray(X)
    rt = polar(X)
    fig, (left, right) = plt.subplots(1, 2, figsize=(2.3 * size, size))
    scatter_classes(X, y, ax=left, title="cartesian (x, y): no line separates")
    scatter_classes(rt[:, ::-1], y, ax=right, title="polar (theta, r): one threshold on r does")
    right.set_aspect("auto")
    right.set(xlabel="theta (radians)", ylabel="r")
    if r_threshold is not None:
        left.add_patch(plt.Circle((0, 0), r_threshold, fill=False, color="black", lw=1.5))
        right.axhline(r_threshold, color="black", lw=1.5)
    fig.tight_layout()
    return fig


def plot_lift(X, y, height, ax=None, title="lifted: a plane separates", level: float | None = None):
    """A 3-D view of the points raised to `height` (e.g. x^2 + y^2), with an optional flat plane."""
    if ax is None:
        ax = plt.figure(figsize=(4.5, 4)).add_subplot(projection="3d")
    X, y, height = np.asarray(X), np.asarray(y), np.asarray(height)
    for label, colour in zip((0, 1), CLASS_COLOURS):
        ax.scatter(*X[y == label].T, height[y == label], s=6, color=colour)
    if level is not None:
        xx, yy = np.meshgrid(np.linspace(*ax.get_xlim(), 2), np.linspace(*ax.get_ylim(), 2))
        ax.plot_surface(xx, yy, np.full_like(xx, level), alpha=0.25, color="0.4")
    ax.set(xlabel="x", ylabel="y", zlabel="height", title=title)
    return ax


def plot_gram(K, ax=None, title="Gram matrix K[i, j] = k(x_i, x_j)", vmin=None, vmax=None):
    """The Gram matrix as an image (sort the points by class first to see the blocks)."""
    ax = ax or plt.subplots(figsize=(3.8, 3.4))[1]
    image = ax.imshow(K, cmap="viridis", vmin=vmin, vmax=vmax, interpolation="nearest")
    plt.colorbar(image, ax=ax, fraction=0.046)
    ax.set_title(title, fontsize=9)
    ax.grid(False)
    return ax


def plot_error_vs_D(Ds, errors, expected=None, ax=None):
    """Kernel approximation error against D on log-log axes: one light line per seed, the mean
    in bold, the expected rate c/sqrt(D) dashed."""
    ax = ax or plt.subplots(figsize=(5.5, 3.8))[1]
    Ds, errors = np.asarray(Ds, float), np.atleast_2d(np.asarray(errors, float))
    for row in errors:
        ax.plot(Ds, row, color="C0", alpha=0.15, lw=0.8)
    ax.plot(Ds, errors.mean(0), "o-", color="C0", lw=2, label="measured (mean over seeds)")
    if expected is not None:
        ax.plot(Ds, expected, "--", color="black", label="expected: c / sqrt(D)")
    slope = np.polyfit(np.log(Ds), np.log(errors.mean(0)), 1)[0]
    ax.set(xscale="log", yscale="log", xlabel="number of random features D",
           ylabel="RMS error of z(x).z(y) - k(x, y)",
           title=f"Random Fourier features: log-log slope {slope:.2f} (theory -0.5)")
    ax.legend()
    return ax


def plot_accuracy_time(rows, svc_row, axes=None):
    """Accuracy (left) and fit + predict time (right) of random features + a linear model as D
    grows, with the kernel SVM as a horizontal reference line."""
    if axes is None:
        axes = plt.subplots(1, 2, figsize=(10, 3.6))[1]
    Ds = [r["D"] for r in rows]
    for ax, key, label in zip(axes, ("accuracy", "seconds"), ("test accuracy", "fit + predict time (s)")):
        ax.plot(Ds, [r[key] for r in rows], "o-", label="random features + logistic regression")
        ax.axhline(svc_row[key], color="C3", ls="--", label='SVC(kernel="rbf")')
        ax.set(xscale="log", xlabel="number of random features D", ylabel=label)
    axes[1].set_yscale("log")
    axes[0].legend(fontsize=8)
    axes[0].set_title("accuracy approaches the kernel machine's")
    axes[1].set_title("time grows with D, not with n squared")
    return axes


def _project(image, basis_points):
    """Coordinates to draw a layer: itself when 2-D, else its top-2 principal components."""
    width = image.shape[-1]
    if width == 2:
        return image, ""
    if width == 1:
        return np.concatenate([image, np.zeros_like(image)], axis=-1), ""
    centre = basis_points.reshape(-1, width).mean(0)
    _, _, Vt = np.linalg.svd(basis_points.reshape(-1, width) - centre, full_matrices=False)
    return (image - centre) @ Vt[:2].T, f" (PCA of {width} dims)"


def plot_warp_layer(grid_image, data_image, y, ax=None, title="", s: float = 6):
    """One layer: the bent grid lines and the data points as they sit in that layer's space.

    Width 2 is drawn as is, width 3 in 3-D (when `ax` is a 3-D axis or None), width 1 on a line
    (class 0 below, class 1 above) and wider layers by their top two principal components."""
    y = np.asarray(y)
    width = data_image.shape[-1]
    if width == 3 and (ax is None or getattr(ax, "name", "") == "3d"):
        ax = ax or plt.figure(figsize=(4, 4)).add_subplot(projection="3d")
        for line in grid_image:
            ax.plot(*line.T, color="0.6", lw=0.4)
        for label, colour in zip((0, 1), CLASS_COLOURS):
            ax.scatter(*data_image[y == label].T, s=s, color=colour)
        ax.set_title(title, fontsize=9)
        return ax
    ax = ax or plt.subplots(figsize=(4, 4))[1]
    grid_xy, note = _project(grid_image, data_image)
    data_xy, _ = _project(data_image, data_image)
    if width == 1:
        data_xy = data_xy + np.column_stack([np.zeros(len(y)), 0.2 * (y - 0.5)])
        ax.axvline(0, color="black", lw=1)
    else:
        for line in grid_xy:
            ax.plot(*line.T, color="0.6", lw=0.5)
    scatter_classes(data_xy, y, ax=ax, s=s)
    ax.set_aspect("auto")  # a squashed layer stays readable
    ax.set_title(title + note, fontsize=9)
    return ax


def plot_warp(grid_images, data_images, y, titles=None, ncols: int = 4, size: float = 2.8):
    """Every layer's image of the grid and of the data, left to right (see ``warp.layer_images``)."""
    n = len(grid_images)
    titles = titles or [f"layer {k}" for k in range(n)]
    nrows = int(np.ceil(n / ncols))
    fig = plt.figure(figsize=(size * ncols, size * nrows))
    for k, (grid, data, title) in enumerate(zip(grid_images, data_images, titles)):
        three_d = data.shape[-1] == 3
        ax = fig.add_subplot(nrows, ncols, k + 1, projection="3d" if three_d else None)
        plot_warp_layer(grid, data, y, ax=ax, title=title, s=4)
        if not three_d:
            ax.set_xticks([]), ax.set_yticks([])
    fig.tight_layout()
    return fig


def plot_loss_curves(histories: dict, ax=None):
    """Training (solid) and test (dashed) loss per epoch, one colour per model."""
    ax = ax or plt.subplots(figsize=(6, 3.5))[1]
    for k, (name, history) in enumerate(histories.items()):
        ax.plot(history["train_loss"], color=f"C{k}", label=f"{name}: train")
        if history.get("test_loss"):
            ax.plot(history["test_loss"], color=f"C{k}", ls="--", label=f"{name}: test")
    ax.set(xlabel="epoch (full batch)", ylabel="cross-entropy", yscale="log",
           title="Loss while the network learns")
    ax.legend(fontsize=8)
    return ax


@seed_alias
def plot_manifold(n_samples: int = 1500, seed: int = 0):
    """The manifold hypothesis in one picture: a 2-D sheet rolled up in 3-D (the swiss roll),
    and the same points unrolled onto their own two coordinates."""
    from sklearn.datasets import make_swiss_roll

    X, t = make_swiss_roll(n_samples, noise=0.05, random_state=seed)
    fig = plt.figure(figsize=(9, 3.8))
    ax = fig.add_subplot(1, 2, 1, projection="3d")
    ax.scatter(X[:, 0], X[:, 1], X[:, 2], c=t, cmap="viridis", s=4)
    ax.set_title("data in 3-D ...", fontsize=10)
    ax.view_init(10, -70)
    flat = fig.add_subplot(1, 2, 2)
    flat.scatter(t, X[:, 1], c=t, cmap="viridis", s=4)
    flat.set(xlabel="position along the roll", ylabel="height",
             title="... lives on a 2-D sheet: unrolled")
    fig.tight_layout()
    return fig


def plot_zoom(model, X, y, centre, radii, resolution: int = 120, size: float = 3.0):
    """Zoom into a curved decision boundary around `centre`: at each radius, the model's
    boundary (solid) and the best straight line (dashed: a logistic regression fitted to the
    model's own labels in the window). Returns (fig, agreements): the share of the window
    where the straight line and the model agree, for each radius."""
    from sklearn.linear_model import LogisticRegression

    centre = np.asarray(centre, float)
    fig, axes = plt.subplots(1, len(radii), figsize=(size * len(radii), size), squeeze=False)
    agreements = []
    for ax, radius in zip(axes[0], radii):
        xlim, ylim = (centre[0] - radius, centre[0] + radius), (centre[1] - radius, centre[1] + radius)
        xx, yy, scores, level = _scores_on_grid(model, xlim, ylim, resolution)
        labels = (scores > level).ravel().astype(int)
        grid = np.column_stack([xx.ravel(), yy.ravel()])
        agree = 1.0
        ax.contourf(xx, yy, scores, levels=20, cmap=_CMAP, alpha=0.35)
        if 0 < labels.sum() < len(labels):
            ax.contour(xx, yy, scores, levels=[level], colors="black", linewidths=1.5)
            line = LogisticRegression(C=1e4, max_iter=1000).fit((grid - centre) / radius, labels)
            agree = float(np.mean(line.predict((grid - centre) / radius) == labels))
            ax.contour(xx, yy, line.decision_function((grid - centre) / radius).reshape(xx.shape),
                       levels=[0], colors="C2", linestyles="--", linewidths=1.5)
        inside = np.all(np.abs(np.asarray(X) - centre) < radius, axis=1)
        scatter_classes(np.asarray(X)[inside], np.asarray(y)[inside], ax=ax, s=8)
        ax.set(xlim=xlim, ylim=ylim)
        ax.set_title(f"window ±{radius:g}: a line agrees on {agree:.1%}", fontsize=9)
        agreements.append(agree)
    fig.tight_layout()
    return fig, agreements
