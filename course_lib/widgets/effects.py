"""ipywidgets panels for notebook 07: pick a feature to compare PDP, ALE and the truth; pick a
pair for its 2-D partial dependence and Friedman's H. Only widgets that ipywidgets 7.7 has."""
from __future__ import annotations

import numpy as np

from ..effects import ale, h_statistic, partial_dependence_2d
from .._validation import check_table, feature_index

__all__ = ["effect_curves", "effect_panel", "pair_panel"]


def effect_curves(f, X, feature, truth=None, n_bins=10, grid_resolution=30):
    """PDP, ALE and (if given) the true shape of one feature, each centred over the rows.

    Returns {"pdp": (grid, values), "ale": (edges, values), "truth": (grid, values) or None}.
    `truth` maps values of the feature to the true effect (e.g. ``lambda v: effect("ap_lo", v)``).
    """
    values, columns = check_table(X, "X")
    j = feature_index(feature, columns)
    x = values[:, j]
    grid = np.linspace(*np.quantile(x, [0.02, 0.98]), grid_resolution)
    copies = np.repeat(values[None], len(grid), axis=0)
    copies[:, :, j] = grid[:, None]
    pdp = np.asarray(f(copies.reshape(-1, values.shape[1]))).reshape(len(grid), -1).mean(axis=1)
    pdp = pdp - np.interp(x, grid, pdp).mean()
    edges, effect = ale(f, values, j, n_bins=n_bins)
    curves = {"pdp": (grid, pdp), "ale": (edges, effect), "truth": None}
    if truth is not None:
        true = np.asarray(truth(grid), dtype=float)
        curves["truth"] = (grid, true - np.asarray(truth(x), dtype=float).mean())
    return curves


def _draw_curves(ax, curves, name):
    ax.plot(*curves["pdp"], label="PDP", lw=2)
    ax.plot(*curves["ale"], "o-", label="ALE", lw=2)
    if curves["truth"] is not None:
        ax.plot(*curves["truth"], "k--", label="truth")
    ax.set_xlabel(name)
    ax.set_ylabel("effect (centred)")
    ax.legend()


def effect_panel(f, X, features, truths=None, n_bins=10):
    """A feature dropdown: PDP, ALE and the true effect of the chosen feature, side by side."""
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import display

    truths = truths or {}
    choice = widgets.Dropdown(options=list(features), description="feature")
    out = widgets.Output()

    def show(change=None):
        with out:
            out.clear_output(wait=True)
            fig, ax = plt.subplots(figsize=(6, 3.5))
            _draw_curves(ax, effect_curves(f, X, choice.value, truths.get(choice.value), n_bins),
                         choice.value)
            plt.show()

    choice.observe(show, names="value")
    show()
    panel = widgets.VBox([choice, out])
    display(panel)
    return panel


def pair_panel(f, X, features, grid_resolution=12, n_rows=100, seed=0):
    """Two dropdowns: the 2-D partial dependence of the pair and its H statistic."""
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import display

    first = widgets.Dropdown(options=list(features), value=features[0], description="feature 1")
    second = widgets.Dropdown(options=list(features), value=features[1], description="feature 2")
    out = widgets.Output()

    def show(change=None):
        with out:
            out.clear_output(wait=True)
            if first.value == second.value:
                print("pick two different features")
                return
            pair = (first.value, second.value)
            surface = partial_dependence_2d(f, X, pair, grid_resolution=grid_resolution)
            h = h_statistic(f, X, features=pair, n_rows=n_rows, seed=seed)
            fig, ax = plt.subplots(figsize=(5, 4))
            image = ax.pcolormesh(surface.grid_1, surface.grid_0, surface.average, shading="auto")
            fig.colorbar(image, ax=ax, label="PD")
            ax.set_xlabel(pair[1])
            ax.set_ylabel(pair[0])
            ax.set_title(f"H = {h:.3f} on {n_rows} rows")
            plt.show()

    first.observe(show, names="value")
    second.observe(show, names="value")
    show()
    panel = widgets.VBox([widgets.HBox([first, second]), out])
    display(panel)
    return panel
