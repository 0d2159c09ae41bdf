"""KernelSHAP and TreeSHAP: course_lib against shap's KernelExplainer and TreeExplainer (C++).

* KernelSHAP: 12 features, 100 explained rows, 2048 coalitions, a 50-row background, a logistic
  model (cheap, so the explainers' own overhead shows). Both sample coalitions, so the notes give
  each one's mean absolute error against the exact values (all 4094 coalitions) on 10 rows.
* TreeSHAP (path-dependent): a random forest (100 trees, depth 8) and gradient boosting (200 trees,
  depth 3) on 1,000 rows; the notes give the largest difference to shap (it should be ~1e-15).
Both sides include parsing the model (building the explainer) in their time.
"""
from __future__ import annotations

import numpy as np

from harness import Benchmark


def _classification():
    from sklearn.datasets import make_classification

    return make_classification(n_samples=3000, n_features=12, n_informative=8, random_state=0)


# ------------------------------------------------------------------------------- KernelSHAP
def kernel_setup():
    from sklearn.linear_model import LogisticRegression

    X, y = _classification()
    model = LogisticRegression(max_iter=1000).fit(X[:2000], y[:2000])
    return {"f": lambda Z: model.predict_proba(Z)[:, 1], "X": X[2000:2100],
            "background": X[:50], "n_samples": 2048}


def kernel_ours(ctx):
    from course_lib.kernel_shap import kernel_shap

    return kernel_shap(ctx["f"], ctx["X"], ctx["background"], n_samples=ctx["n_samples"],
                       seed=0).values


def kernel_reference(ctx):
    import shap

    np.random.seed(0)
    explainer = shap.KernelExplainer(ctx["f"], ctx["background"])
    return explainer.shap_values(ctx["X"], nsamples=ctx["n_samples"], l1_reg=False, silent=True)


def kernel_notes(ctx):
    from course_lib.kernel_shap import kernel_shap

    rows = dict(ctx, X=ctx["X"][:10])
    exact = kernel_shap(ctx["f"], rows["X"], ctx["background"]).values
    ours = kernel_ours(rows)
    theirs = kernel_reference(rows)
    return {"mean |err| ours": f"{np.abs(ours - exact).mean():.1e}",
            "shap": f"{np.abs(theirs - exact).mean():.1e}"}


# ------------------------------------------------------------------------------- TreeSHAP
def _tree_setup(kind):
    from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier

    X, y = _classification()
    if kind == "forest":
        model = RandomForestClassifier(n_estimators=100, max_depth=8, random_state=0, n_jobs=1)
    else:
        model = GradientBoostingClassifier(n_estimators=200, max_depth=3, random_state=0)
    model.fit(X[:2000], y[:2000])
    return {"model": model, "X": X[2000:3000]}


def tree_ours(ctx):
    from course_lib.tree_shap import tree_shap

    return tree_shap(ctx["model"], ctx["X"]).values


def tree_reference(ctx):
    import shap

    return shap.TreeExplainer(ctx["model"]).shap_values(ctx["X"])


def tree_notes(ctx):
    gap = np.abs(tree_ours(ctx) - tree_reference(ctx)).max()
    leaves = [tree.tree_.n_leaves for tree in np.ravel(ctx["model"].estimators_)]
    return {"max |diff|": f"{gap:.1e}", "leaves": str(int(np.sum(leaves)))}


BENCHMARKS = [
    Benchmark("kernel_shap vs shap.KernelExplainer (M=12, 100 rows, 2048 coalitions, 50 bg)",
              kernel_setup, kernel_ours, kernel_reference, repeat=2, notes=kernel_notes),
    Benchmark("tree_shap vs shap.TreeExplainer (RandomForest 100 trees depth 8, 1000 rows)",
              lambda: _tree_setup("forest"), tree_ours, tree_reference, repeat=3, notes=tree_notes),
    Benchmark("tree_shap vs shap.TreeExplainer (GradientBoosting 200 trees depth 3, 1000 rows)",
              lambda: _tree_setup("boosting"), tree_ours, tree_reference, repeat=3,
              notes=tree_notes),
]
