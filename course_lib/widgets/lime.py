"""An ipywidgets panel for notebook 03: slide LIME's kernel width and watch the local line turn."""
from __future__ import annotations

from ..plots.lime import plot_local_fit

__all__ = ["kernel_width_panel"]


def kernel_width_panel(predict_fn, x, widths=(0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0),
                       num_samples=500, spread=1.0, extent=(-3, 3, -3, 3), true_gradient=None):
    """A slider over kernel widths (and the seed) redrawing :func:`~course_lib.plots.lime.plot_local_fit`."""
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    width = widgets.SelectionSlider(options=list(widths), value=widths[len(widths) // 2],
                                    description="kernel width", continuous_update=False)
    seed = widgets.IntSlider(value=0, min=0, max=20, description="seed", continuous_update=False)
    output = widgets.Output()

    def redraw(change=None):
        with output:
            output.clear_output(wait=True)
            fig, ax = plt.subplots(figsize=(6, 5))
            plot_local_fit(predict_fn, x, width.value, num_samples, spread, seed.value, extent, ax,
                           true_gradient)
            plt.show()

    width.observe(redraw, names="value")
    seed.observe(redraw, names="value")
    redraw()
    panel = widgets.VBox([widgets.HBox([width, seed]), output])
    panel.width, panel.seed, panel.output = width, seed, output  # handles for tests
    return panel
