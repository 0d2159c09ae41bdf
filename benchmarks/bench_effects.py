"""Global effects on the cardio twin: ALE against PyALE, Friedman's H against pyartemis, SHAP
interaction values against shap.

One gradient-boosting black box (60 trees of depth 3) on 6,000 cleaned twin patients. ALE: four
features, 20 bins, 3,000 rows. H: every pair of four features on 150 rows (n^2 predictions per
pair on both sides; pyartemis reports H^2, compared as such). SHAP interactions: 300 rows. The
notes give the largest difference.
"""
from __future__ import annotations

import logging
from functools import lru_cache

import numpy as np

from harness import Benchmark

FEATURES = ["age", "gender", "height", "weight", "ap_hi", "ap_lo", "cholesterol", "gluc",
            "smoke", "alco", "active"]
ALE_FEATURES = ["age", "ap_hi", "weight", "height"]
H_FEATURES = ["age", "ap_hi", "ap_lo", "weight"]


@lru_cache(maxsize=1)
def setup():
    from sklearn.ensemble import GradientBoostingClassifier

    from course_lib.cardio_twin import make_cardio_twin

    logging.getLogger("PyALE").setLevel(logging.WARNING)
    table = make_cardio_twin(n=7_000, seed=2)
    table = table[table["ap_hi"].between(70, 250) & table["ap_lo"].between(40, 160)
                  & (table["ap_lo"] < table["ap_hi"])].iloc[:6_000]
    X = table[FEATURES].astype(float)
    model = GradientBoostingClassifier(n_estimators=60, max_depth=3, random_state=0)
    model.fit(X.iloc[:3000], table["cardio"].iloc[:3000])
    return {"model": model, "X": X.iloc[3000:].reset_index(drop=True),
            "f": lambda rows: model.predict_proba(rows)[:, 1]}


class _Probability:
    """What PyALE and pyartemis call: predict() = P(disease), on DataFrames or arrays."""

    def __init__(self, model):
        self.model = model

    def predict(self, rows):
        return self.model.predict_proba(np.asarray(rows, dtype=float))[:, 1]


def ale_ours(ctx):
    from course_lib.effects import ale

    return [ale(ctx["f"], ctx["X"].to_numpy(), ctx["X"].columns.get_loc(c), n_bins=20).effect
            for c in ALE_FEATURES]


def ale_reference(ctx):
    from PyALE import ale

    return [ale(ctx["X"], _Probability(ctx["model"]), [c], grid_size=20, include_CI=False,
                plot=False)["eff"].to_numpy() for c in ALE_FEATURES]


def h_ours(ctx):
    from itertools import combinations

    from course_lib.effects import h_statistic

    rows = ctx["X"].iloc[:150]
    return {pair: h_statistic(ctx["f"], rows.to_numpy(), features=[rows.columns.get_loc(c) for c in pair]) ** 2
            for pair in combinations(H_FEATURES, 2)}


def h_reference(ctx):
    from artemis.interactions_methods.model_agnostic import FriedmanHStatisticMethod

    method = FriedmanHStatisticMethod()
    method.fit(_Probability(ctx["model"]), ctx["X"].iloc[:150], features=H_FEATURES,
               predict_function=lambda model, rows: model.predict(rows), calculate_ova=False)
    return method.ovo


def shap_interactions_ours(ctx):
    from course_lib.tree_shap import tree_shap_interactions

    return tree_shap_interactions(ctx["model"], ctx["X"].iloc[:300])


def shap_interactions_reference(ctx):
    import shap

    return shap.TreeExplainer(ctx["model"]).shap_interaction_values(ctx["X"].iloc[:300])


def ale_notes(ctx):
    gap = max(np.abs(a - b).max() for a, b in zip(ale_ours(ctx), ale_reference(ctx)))
    return {"max|diff|": f"{gap:.1e}"}


def h_notes(ctx):
    ours, reference = h_ours(ctx), h_reference(ctx)
    gap = max(abs(ours.get((a, b), ours.get((b, a))) - value) for a, b, value in reference.to_numpy())
    return {"max|diff| (H^2)": f"{gap:.1e}"}


def shap_notes(ctx):
    gap = np.abs(shap_interactions_ours(ctx) - shap_interactions_reference(ctx)).max()
    return {"max|diff|": f"{gap:.1e}"}


BENCHMARKS = [
    Benchmark("ALE (20 bins): GB, 3000 rows, 4 features", setup, ale_ours, ale_reference,
              repeat=3, notes=ale_notes),
    Benchmark("SHAP interaction values: GB 60 trees, 300 rows", setup, shap_interactions_ours,
              shap_interactions_reference, repeat=3, notes=shap_notes),
]
# pyartemis pins numpy < 2, so it is not in requirements.txt; where it is installed
# (pip install --no-deps pyartemis==0.1.5 seaborn), H is compared too
try:
    import artemis  # noqa: F401
    import seaborn  # noqa: F401
except ImportError:
    pass
else:
    BENCHMARKS.insert(1, Benchmark("Friedman's H: GB, 150 rows, 6 pairs", setup, h_ours,
                                   h_reference, repeat=1, notes=h_notes))
