"""ipywidgets panels for notebook 02: move the data with a 2x2 map, choose the number of
random features D, and step through a network's layers."""
from __future__ import annotations

import numpy as np

from .._validation import seed_alias
from ..kernels import RandomFourierFeatures, affine_map, rbf_kernel, rotation, scaling, shear

__all__ = ["linear_map_panel", "random_features_panel", "warp_panel", "line_rule_accuracy"]


def line_rule_accuracy(Z, y) -> float:
    """Accuracy of the fixed rule "class 1 right of the vertical axis" (z_1 > 0) on mapped points Z."""
    return float(np.mean((np.asarray(Z)[:, 0] > 0) == (np.asarray(y) == 1)))


def _panel(controls, draw, title: str):
    """Sliders on the left, a figure redrawn on every change on the right."""
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import display

    output = widgets.Output()

    def update(change=None):
        output.clear_output(wait=True)
        with output:
            fig = draw(**{name: control.value for name, control in controls.items()})
            display(fig)
            plt.close(fig)

    for control in controls.values():
        control.observe(update, names="value")
    update()
    panel = widgets.HBox([widgets.VBox([widgets.HTML(f"<b>{title}</b>"), *controls.values()]), output])
    panel.controls, panel.output = controls, output  # handles for tests and curious learners
    return panel


def linear_map_panel(X, y):
    """Sliders for z = R(angle) S(sx, sy) H(shear) x + (shift_x, shift_y); the classifier stays
    fixed (the vertical axis), the data moves. Can you make the axis separate the classes?"""
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    from ..plots.kernels import scatter_classes
    from ..warp import grid_lines

    X, y = np.asarray(X, float), np.asarray(y)
    grid = grid_lines((-3, 3), n_lines=13, n_points=40)
    slider = lambda d, lo, hi, v, step: widgets.FloatSlider(value=v, min=lo, max=hi, step=step,
                                                            description=d, continuous_update=False)
    controls = {"angle": slider("angle (deg)", -180, 180, 0, 5), "sx": slider("scale x", 0.1, 3, 1, 0.1),
                "sy": slider("scale y", 0.1, 3, 1, 0.1), "k": slider("shear", -2, 2, 0, 0.1),
                "tx": slider("shift x", -3, 3, 0, 0.1), "ty": slider("shift y", -3, 3, 0, 0.1)}

    def draw(angle, sx, sy, k, tx, ty):
        A = rotation(np.deg2rad(angle)) @ scaling(sx, sy) @ shear(k)
        b = np.array([tx, ty])
        Z = affine_map(X, A, b)
        fig, ax = plt.subplots(figsize=(4.2, 4.2))
        for line in grid @ A.T + b:
            ax.plot(*line.T, color="0.8", lw=0.5)
        scatter_classes(Z, y, ax=ax, s=8)
        ax.axvline(0, color="black", lw=1.5)
        ax.set(xlim=(-5, 5), ylim=(-5, 5))
        ax.set_title(f"rule z1 > 0 is right on {line_rule_accuracy(Z, y):.0%}\n"
                     f"A = [[{A[0, 0]:.2f}, {A[0, 1]:.2f}], [{A[1, 0]:.2f}, {A[1, 1]:.2f}]]", fontsize=9)
        return fig

    return _panel(controls, draw, "z = A x + b: rotate, squash, shear, shift")


@seed_alias
def random_features_panel(X, gamma: float, max_power: int = 12, seed: int = 0):
    """A slider for D = 2^k: the approximate Gram matrix Z Z^T next to the exact RBF kernel."""
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    from ..plots.kernels import plot_gram

    X = np.asarray(X, float)
    K = rbf_kernel(X, gamma=gamma)
    options = [2 ** k for k in range(0, max_power + 1)]
    controls = {"D": widgets.SelectionSlider(options=options, value=options[len(options) // 2],
                                             description="D", continuous_update=False)}

    def draw(D):
        Z = RandomFourierFeatures(D, gamma, seed).fit_transform(X)
        approx = Z @ Z.T
        rms = float(np.sqrt(np.mean((approx - K) ** 2)))
        fig, axes = plt.subplots(1, 2, figsize=(8, 3.4))
        plot_gram(approx, ax=axes[0], title=f"Z Z^T with D = {D} (RMS error {rms:.3f})", vmin=-0.2, vmax=1)
        plot_gram(K, ax=axes[1], title="exact RBF kernel", vmin=-0.2, vmax=1)
        fig.tight_layout()
        return fig

    return _panel(controls, draw, "random Fourier features")


def warp_panel(grid_images, data_images, y, titles=None):
    """A slider over the layers of a network: the grid and the data as each layer sees them."""
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    from ..plots.kernels import plot_warp_layer

    titles = titles or [f"layer {k}" for k in range(len(grid_images))]
    controls = {"layer": widgets.IntSlider(value=0, min=0, max=len(grid_images) - 1,
                                           description="layer", continuous_update=False)}

    def draw(layer):
        fig = plt.figure(figsize=(4.2, 4.2))
        three_d = data_images[layer].shape[-1] == 3
        ax = fig.add_subplot(projection="3d" if three_d else None)
        plot_warp_layer(grid_images[layer], data_images[layer], y, ax=ax, title=titles[layer])
        return fig

    return _panel(controls, draw, "step through the layers")
