"""Permutation importance and PDP/ICE on the cardio twin: course_lib.inspection against scikit-learn.

One gradient-boosting black box (100 trees of depth 3) on 10,000 cleaned twin patients (7,000 to
train, 3,000 to inspect). Both sides compute the same numbers (the notes give the largest
difference); permutation importance calls the scorer once per column and repeat on both sides,
while our PDP predicts all grid copies of the table in a few large calls instead of one call per
grid value. The notes also give the black box's accuracy and a depth-3 surrogate's fidelity.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from harness import Benchmark

FEATURES = ["age", "gender", "height", "weight", "ap_hi", "ap_lo", "cholesterol", "gluc",
            "smoke", "alco", "active"]
PDP_FEATURES = ["age", "ap_hi", "weight", "cholesterol"]
N_REPEATS = 5


@lru_cache(maxsize=1)
def setup():
    from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
    from sklearn.model_selection import train_test_split

    from course_lib.cardio_twin import make_cardio_twin

    table = make_cardio_twin(n=12_000, seed=1)
    table = table[table["ap_hi"].between(70, 250) & table["ap_lo"].between(40, 160)
                  & (table["ap_lo"] < table["ap_hi"])].iloc[:10_000]
    X = table[FEATURES].astype(float).assign(age=lambda t: t["age"] / 365.25)
    X_train, X_test, y_train, y_test = train_test_split(X, table["cardio"], test_size=0.3, random_state=0)
    model = GradientBoostingClassifier(n_estimators=100, max_depth=3, random_state=0).fit(X_train, y_train)
    forest = RandomForestClassifier(n_estimators=100, min_samples_leaf=20, random_state=0).fit(X_train, y_train)
    return {"model": model, "forest": forest, "X_train": X_train, "X": X_test, "y": y_test}


def pi_ours(ctx):
    from course_lib.inspection import permutation_importance

    return permutation_importance(ctx["model"], ctx["X"], ctx["y"], n_repeats=N_REPEATS, seed=0).importances


def pi_reference(ctx):
    from sklearn.inspection import permutation_importance

    return permutation_importance(ctx["model"], ctx["X"], ctx["y"], n_repeats=N_REPEATS, random_state=0).importances


def pdp_ours(ctx):
    from course_lib.inspection import partial_dependence

    return [partial_dependence(ctx["model"], ctx["X"], f, kind="both").individual for f in PDP_FEATURES]


def pdp_reference(ctx):
    from sklearn.inspection import partial_dependence

    return [partial_dependence(ctx["model"], ctx["X"], [f], kind="both", method="brute")["individual"][0]
            for f in PDP_FEATURES]


def _quality(ctx) -> dict:
    from course_lib.surrogate import global_surrogate

    model, X, y = ctx["model"], ctx["X"], ctx["y"]
    surrogate = global_surrogate(model, ctx["X_train"], max_depth=3)
    return {"accuracy": f"GB {model.score(X, y):.3f}, RF {ctx['forest'].score(X, y):.3f}",
            "depth-3 fidelity": f"{surrogate.fidelity_on(model, X):.3f}"}


def pi_notes(ctx):
    gap = np.abs(pi_ours(ctx) - pi_reference(ctx)).max()
    return {"max|diff|": f"{gap:.1e}", **_quality(ctx)}


def pdp_notes(ctx):
    gap = max(np.abs(a - b).max() for a, b in zip(pdp_ours(ctx), pdp_reference(ctx)))
    return {"max|diff|": f"{gap:.1e}"}


BENCHMARKS = [
    Benchmark(f"permutation importance: GB, 3000 rows, 11 features x {N_REPEATS}",
              setup, pi_ours, pi_reference, repeat=3, notes=pi_notes),
    Benchmark("PDP + ICE (brute): GB, 3000 rows, 4 features",
              setup, pdp_ours, pdp_reference, repeat=3, notes=pdp_notes),
]
