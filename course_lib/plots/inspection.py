"""Plots for notebook 06 (the cardio case study): mean-target bars, importances, PDP/ICE, trees,
best and worst points, counterfactuals, and explanations held against the known truth."""
from __future__ import annotations

import numpy as np

__all__ = ["plot_mean_target", "plot_mean_target_grid", "plot_importances", "plot_pdp",
           "plot_pdp_grid", "plot_tree", "plot_error_leaves", "plot_best_worst",
           "plot_counterfactual", "plot_truth_scatter", "plot_fidelity_by_depth", "bin_labels"]

BAR, LINE, ICE = "#c9d6e3", "#d1495b", "#7a8a99"


def bin_labels(result) -> list:
    """'[110, 120)' for an interval bin, the value itself for a one-value bin."""
    if result.one_value:
        return [_short(low) for low in result.low]
    return [f"[{_short(low)}, {_short(high)}{']' if k == len(result.low) - 1 else ')'}"
            for k, (low, high) in enumerate(zip(result.low, result.high))]


def _short(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _panel_grid(n_panels, ncols, width, height):
    """A figure of `n_panels` panels in rows of `ncols` (each width x height inches), spares hidden."""
    import matplotlib.pyplot as plt

    nrows = int(np.ceil(n_panels / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False)
    axes = axes.ravel()
    for ax in axes[n_panels:]:
        ax.set_visible(False)
    return fig, axes


def plot_mean_target(result, ax=None, target_name="target mean", overall=None):
    """Bars: how many rows per bin (left axis); line: the target mean in each bin (right axis)."""
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    positions = np.arange(len(result.count))
    ax.bar(positions, result.count, color=BAR, width=0.8)
    ax.set_ylabel("rows", color="#5a6b7b")
    ax.set_xticks(positions, bin_labels(result), rotation=60, ha="right", fontsize=7)
    ax.set_title(result.feature)
    ax.grid(False)
    twin = ax.twinx()
    twin.plot(positions, result.target_mean, "o-", color=LINE, lw=2, markersize=4)
    if overall is not None:
        twin.axhline(overall, color=LINE, ls=":", lw=1)
    twin.set_ylim(0, 1.02 if np.nanmax(result.target_mean) <= 1 else None)
    twin.set_ylabel(target_name, color=LINE)
    twin.spines["right"].set_visible(True)
    return ax


def plot_mean_target_grid(results, ncols=4, target_name="target mean", overall=None):
    """One :func:`plot_mean_target` panel per feature (`results`: a list of MeanTarget)."""
    fig, axes = _panel_grid(len(results), ncols, 3.6, 2.9)
    for ax, result in zip(axes, results):
        plot_mean_target(result, ax, target_name, overall)
    fig.tight_layout()
    return fig


def plot_importances(results: dict, ax=None, top=None):
    """Grouped horizontal bars (mean +- std over repeats), one colour per result, e.g. train/test."""
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    first = next(iter(results.values()))
    order = np.argsort(first.importances_mean)
    if top is not None:
        order = order[-top:]
    height = 0.8 / len(results)
    for k, (name, result) in enumerate(results.items()):
        ax.barh(np.arange(len(order)) + k * height, result.importances_mean[order], height,
                xerr=result.importances_std[order], label=name, capsize=2)
    ax.set_yticks(np.arange(len(order)) + 0.4 - height / 2, [first.feature_names[j] for j in order])
    ax.axvline(0, color="k", lw=0.8)
    ax.set_xlabel("drop in score when the column is shuffled")
    ax.legend()
    return ax


def plot_pdp(result, ax=None, n_ice=100, centered=False, seed=0, x_values=None, label=None):
    """Thin grey lines: ICE curves of `n_ice` rows; thick line: their mean, the PDP; ticks: deciles."""
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    if result.individual is not None and n_ice:
        curves = result.centered() if centered else result.individual
        rows = np.random.RandomState(seed).permutation(len(curves))[:n_ice]
        ax.plot(result.grid, curves[rows].T, color=ICE, lw=0.5, alpha=0.35)
        average = curves.mean(axis=0)
    else:
        average = result.average - (result.average[0] if centered else 0)
    ax.plot(result.grid, average, color=LINE, lw=2.5, label=label or "partial dependence")
    if x_values is not None:
        deciles = np.percentile(np.asarray(x_values, dtype=float), np.arange(10, 100, 10))
        low = ax.get_ylim()[0]
        ax.plot(deciles, np.full_like(deciles, low), "|", color="k", markersize=10)
    ax.set(xlabel=result.feature, ylabel=("change in " if centered else "") + result.output)
    return ax


def plot_pdp_grid(results, X=None, ncols=4, **kwargs):
    """One :func:`plot_pdp` panel per result (deciles of each feature from X, if given)."""
    fig, axes = _panel_grid(len(results), ncols, 3.6, 3.0)
    for ax, result in zip(axes, results):
        plot_pdp(result, ax, x_values=None if X is None else X[result.feature], **kwargs)
    fig.tight_layout()
    return fig


def plot_tree(tree, feature_names, class_names=None, ax=None, fontsize=7):
    """scikit-learn's own tree drawing, filled by class, proportions instead of counts."""
    import matplotlib.pyplot as plt
    from sklearn.tree import plot_tree as sklearn_plot_tree

    ax = ax or plt.gca()
    sklearn_plot_tree(tree, feature_names=list(feature_names), class_names=class_names,
                      filled=True, impurity=False, proportion=True, rounded=True,
                      fontsize=fontsize, ax=ax)
    return ax


def plot_error_leaves(result, ax=None, top=8):
    """Each leaf of an error tree: its error rate (bar) against the overall rate (dashed line)."""
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    leaves = result.leaves[:top][::-1]
    positions = np.arange(len(leaves))
    ax.barh(positions, [leaf.rate for leaf in leaves], color=LINE, alpha=0.75)
    for y, leaf in zip(positions, leaves):
        share = leaf.rate * leaf.n / max(result.n_errors, 1)
        ax.text(leaf.rate + 0.01, y, f"n={leaf.n}, {share:.0%} of errors", va="center", fontsize=7)
    ax.set_yticks(positions, [leaf.rule for leaf in leaves], fontsize=7)
    ax.axvline(result.error_rate, color="k", ls="--", lw=1, label=f"overall {result.error_rate:.1%}")
    ax.set_xlim(0, min(1, max(leaf.rate for leaf in leaves) + 0.3))
    ax.set_xlabel("error rate in the leaf")
    ax.legend(loc="lower right")
    return ax


def plot_best_worst(result, ax=None):
    """Histogram of P(true class): right answers (green) and wrong ones (red); best/worst marked."""
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    bins = np.linspace(0, 1, 41)
    ax.hist(result.proba_true[result.correct], bins=bins, color="#2a9d3a", alpha=0.6, label="right")
    ax.hist(result.proba_true[~result.correct], bins=bins, color=LINE, alpha=0.6, label="wrong")
    for index in result.worst:
        ax.axvline(result.proba_true[index], color=LINE, lw=0.8)
    for index in result.best:
        ax.axvline(result.proba_true[index], color="#2a9d3a", lw=0.8)
    ax.set(xlabel="probability the model gave to the true class", ylabel="rows")
    ax.legend()
    return ax


def plot_counterfactual(result, ax=None, threshold=0.5, class_names=None):
    """The wanted class's probability before and after the change, the changes in the title."""
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    before = result.probability if result.probability is not None else np.nan
    after = result.probability_new if result.probability_new is not None else np.nan
    ax.bar(["patient", "counterfactual"], [before, after], color=[BAR, LINE])
    ax.axhline(threshold, color="k", ls="--", lw=1)
    ax.set_ylim(0, 1)
    name = class_names.get(result.target, result.target) if class_names else result.target
    ax.set_ylabel(f"P({name})")
    changes = ", ".join(f"{name} {old:g} -> {new:g}" for name, (old, new) in result.changes.items())
    ax.set_title(changes or "no counterfactual on this grid", fontsize=9)
    return ax


def plot_truth_scatter(truth, estimates: dict, features, ncols=4, max_points=600, seed=0):
    """Per feature: the true contribution (x) against each method's attribution (y); y = x is perfect.

    truth : (n, M) DataFrame of true contributions; estimates : {method: (n, M) DataFrame}.
    """
    rows = np.random.RandomState(seed).permutation(len(truth))[:max_points]
    fig, axes = _panel_grid(len(features), ncols, 3.3, 3.0)
    for ax, feature in zip(axes, features):
        x = np.asarray(truth[feature])[rows]
        for name, values in estimates.items():
            ax.scatter(x, np.asarray(values[feature])[rows], s=5, alpha=0.5, label=name)
        low = min(ax.get_xlim()[0], ax.get_ylim()[0])
        high = max(ax.get_xlim()[1], ax.get_ylim()[1])
        ax.plot([low, high], [low, high], color="k", lw=0.8)
        ax.set(title=feature, xlabel="true contribution (logit)")
    axes[0].set_ylabel("attribution")
    axes[0].legend(fontsize=7, markerscale=3)
    fig.tight_layout()
    return fig


def plot_fidelity_by_depth(depths, fidelity, accuracy, black_box_accuracy=None, ax=None):
    """Fidelity to the black box and accuracy on the labels, as the surrogate tree deepens."""
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    ax.plot(depths, fidelity, "o-", label="fidelity (agrees with the black box)")
    ax.plot(depths, accuracy, "s-", label="accuracy (agrees with the labels)")
    if black_box_accuracy is not None:
        ax.axhline(black_box_accuracy, color="k", ls="--", lw=1, label="black box accuracy")
    ax.set(xlabel="surrogate depth", ylabel="share of test rows", ylim=(0.5, 1.0))
    ax.legend(loc="lower right")
    return ax
