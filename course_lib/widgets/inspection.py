"""An ipywidgets panel for notebook 06: slide the depth of a global surrogate tree."""
from __future__ import annotations

import numpy as np

from .._validation import check_fitted, check_table, is_regressor, like, seed_alias
from ..plots.inspection import plot_tree
from ..surrogate import fidelity_between, global_surrogate

__all__ = ["surrogate_depth_panel", "surrogate_table"]


@seed_alias
def surrogate_table(model, X_fit, X_eval, y_eval, depths=range(1, 9), seed=0):
    """For each depth: the surrogate, its fidelity on X_eval and its accuracy on y_eval.

    The black box predicts X_eval once; each depth only adds a tree and its predictions."""
    check_fitted(model)
    y_eval = np.asarray(y_eval)
    values, columns = check_table(X_eval, "X_eval")
    black_box = model.predict(like(X_eval, values, columns))
    regressor = is_regressor(model)
    rows = []
    for depth in depths:
        surrogate = global_surrogate(model, X_fit, max_depth=depth, seed=seed)
        predicted = surrogate.tree.predict(values)
        rows.append({"depth": depth, "surrogate": surrogate,
                     "fidelity": fidelity_between(black_box, predicted, regressor),
                     "accuracy": float(np.mean(predicted == y_eval))})
    return rows


@seed_alias
def surrogate_depth_panel(model, X_fit, X_eval, y_eval, depths=range(1, 9), class_names=None,
                          seed=0):
    """A depth slider: the surrogate tree, its fidelity to the black box and its accuracy."""
    import ipywidgets as widgets
    import matplotlib.pyplot as plt

    table = {row["depth"]: row for row in surrogate_table(model, X_fit, X_eval, y_eval, depths,
                                                          seed)}
    black_box = float(np.mean(np.asarray(model.predict(X_eval)) == np.asarray(y_eval)))
    depth = widgets.IntSlider(value=min(3, max(table)), min=min(table), max=max(table),
                              description="max depth", continuous_update=False)
    output = widgets.Output()

    def redraw(change=None):
        row = table[depth.value]
        with output:
            output.clear_output(wait=True)
            print(f"depth {depth.value}: fidelity {row['fidelity']:.3f}, surrogate accuracy "
                  f"{row['accuracy']:.3f} (black box {black_box:.3f}), "
                  f"{row['surrogate'].tree.get_n_leaves()} leaves")
            if depth.value <= 4:
                fig, ax = plt.subplots(figsize=(min(4 + 3 * depth.value, 16), 2.2 + depth.value))
                plot_tree(row["surrogate"].tree, row["surrogate"].feature_names, class_names, ax)
                plt.show()
            else:
                print("(too many leaves to draw legibly; read the numbers above)")

    depth.observe(redraw, names="value")
    redraw()
    panel = widgets.VBox([depth, output])
    panel.depth, panel.output, panel.table = depth, output, table  # handles for tests
    return panel
