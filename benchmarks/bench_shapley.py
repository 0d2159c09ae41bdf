"""Exact Shapley values of a 10-feature model with a 50-row background: ours against shap's Exact.

Both evaluate the same 2**10 coalitions x 50 background rows per explained row; the notes give
the largest difference and the share of each side's time spent inside the model (the rest is
overhead: building masked inputs, averaging, the Shapley sum).
"""
from __future__ import annotations

import time

import numpy as np

from harness import Benchmark, TimedModel

N_EXPLAINED = 10


def setup():
    from sklearn.datasets import make_friedman1
    from sklearn.neural_network import MLPRegressor

    X, y = make_friedman1(n_samples=2000, n_features=10, random_state=0)
    model = MLPRegressor(hidden_layer_sizes=(32, 32), max_iter=300, random_state=0).fit(X, y)
    return {"f": model.predict, "X": X[1000:1000 + N_EXPLAINED], "background": X[:50]}


def ours(ctx, f=None):
    from course_lib.shapley import model_shapley

    return model_shapley(f or ctx["f"], ctx["X"], ctx["background"]).values


def reference(ctx, f=None):
    import shap

    return shap.explainers.Exact(f or ctx["f"], ctx["background"])(ctx["X"]).values


def notes(ctx):
    shares = {}
    for name, run in (("ours", ours), ("shap", reference)):
        timed = TimedModel(ctx["f"])
        start = time.perf_counter()
        values = run(ctx, timed)
        total = time.perf_counter() - start
        shares[name] = (timed.seconds / total, timed.calls, values)
    gap = np.abs(shares["ours"][2] - shares["shap"][2]).max()
    return {"max|diff|": f"{gap:.1e}",
            "in model": f"ours {shares['ours'][0]:.0%} ({shares['ours'][1]} calls), "
                        f"shap {shares['shap'][0]:.0%} ({shares['shap'][1]} calls)"}


BENCHMARKS = [
    Benchmark(f"shapley exact: 10 features, 50 background rows, {N_EXPLAINED} rows",
              setup, ours, reference, repeat=3, notes=notes),
]
