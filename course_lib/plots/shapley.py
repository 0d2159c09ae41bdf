"""Plots for notebook 01: the cost of exact Shapley values, sampling convergence, sharing rules."""
from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["plot_cost", "plot_convergence", "plot_shares"]


def plot_cost(max_players: int = 12, ax=None):
    """Terms to sum for n players: n! · n marginal contributions over orders, n · 2**(n-1) over coalitions."""
    ax = ax or plt.subplots(figsize=(6, 3.5))[1]
    n = np.arange(1, max_players + 1)
    ax.semilogy(n, [math.factorial(k) * k for k in n], "o-", label="over orders: n! · n")
    ax.semilogy(n, [k * 2 ** (k - 1) for k in n], "s-", label="over coalitions: n · 2^(n-1)")
    ax.set(xlabel="number of players n", ylabel="marginal contributions to sum",
           title="Exact Shapley values: orders against coalitions")
    ax.legend()
    return ax


def plot_convergence(estimates: dict, exact: dict | None = None, players=None, ax=None):
    """Running Monte Carlo estimates with ±2 standard-error bands, against the exact values.

    estimates : {label: ShapleyEstimate}, e.g. {"plain": ..., "antithetic": ...}; the x axis
        counts orders, so that plain and antithetic sampling are compared at equal cost.
    """
    ax = ax or plt.subplots(figsize=(7, 4))[1]
    players = list(players) if players is not None else list(next(iter(estimates.values())).players)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    styles = ["-", "--", ":", "-."]
    for (label, estimate), style in zip(estimates.items(), styles):
        per_sample = 2 if estimate.antithetic else 1
        orders = per_sample * np.arange(1, len(estimate.samples) + 1)
        mean, error = estimate.running_mean(), estimate.running_std_error()
        for k, player in enumerate(players):
            j = list(estimate.players).index(player)
            colour = colours[k % len(colours)]
            ax.plot(orders, mean[:, j], style, color=colour, lw=1.2,
                    label=f"{player} ({label})")
            ax.fill_between(orders, mean[:, j] - 2 * error[:, j], mean[:, j] + 2 * error[:, j],
                            color=colour, alpha=0.12)
    if exact is not None:
        for k, player in enumerate(players):
            ax.axhline(exact[player], color=colours[k % len(colours)], lw=0.8, alpha=0.8)
    ax.set_xscale("log")
    ax.set(xlabel="orders sampled", ylabel="estimated Shapley value",
           title="Monte Carlo estimates (bands: ±2 standard errors; lines: exact)")
    ax.legend(fontsize=8, ncol=2)
    return ax


def plot_shares(rules: dict, ax=None, title: str = "How each rule shares the prize"):
    """Grouped bars: {rule name: {player: share}}, one group per player."""
    ax = ax or plt.subplots(figsize=(6, 3.5))[1]
    names = list(rules)
    players = list(next(iter(rules.values())))
    width = 0.8 / len(names)
    for k, name in enumerate(names):
        positions = np.arange(len(players)) + (k - (len(names) - 1) / 2) * width
        shares = [rules[name][p] for p in players]
        bars = ax.bar(positions, shares, width, label=name)
        ax.bar_label(bars, fmt="%.2f", fontsize=7)
    ax.set_xticks(np.arange(len(players)), [str(p) for p in players])
    ax.set(ylabel="share", title=title)
    ax.axhline(0, color="black", lw=0.6)
    ax.legend(fontsize=8)
    return ax
