"""Explaining with examples: ours against the references.

1. MMD-critic: ``mmd_critic`` against the ``mmd-critic`` package (prototypes and criticisms) on
   the same RBF kernel and data; the notes say whether the indices agree.
2. Influence: ``influence_functions`` (one Hessian solve) against exact leave-one-out
   retraining (n + 1 logistic-regression fits); the notes give their correlation.
3. Anchors: ``anchor`` against ``anchor-exp``'s ``AnchorTabularExplainer`` on the same forest and
   patient of the cardio twin; the notes give both rules' precision and coverage.
"""
from __future__ import annotations

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression

from course_lib.anchors import anchor
from course_lib.data import load_cardio
from course_lib.examples import influence_functions, leave_one_out_influence, mmd_critic
from harness import Benchmark

N_MMD, SIGMA = 2_000, 1.5
N_INFLUENCE, N_TEST = 300, 20
N_ANCHOR = 5_000


# ------------------------------------------------------------------ 1. MMD-critic
def _mmd_setup():
    from mmd_critic import MMDCritic
    from mmd_critic.kernels import RBFKernel
    rng = np.random.default_rng(0)
    X = rng.normal(size=(N_MMD, 5)) + 3 * rng.integers(0, 3, (N_MMD, 1))
    return {"X": X, "MMDCritic": MMDCritic, "kernel": RBFKernel(sigma=SIGMA)}


def _mmd_ours(ctx):
    ctx["ours"] = mmd_critic(ctx["X"], 10, 5, gamma=1 / (2 * SIGMA ** 2))


def _mmd_reference(ctx):
    reference = ctx["MMDCritic"](ctx["X"], ctx["kernel"])
    protos, _ = reference.select_prototypes(10)
    ctx["reference"] = (protos, reference.select_criticisms(5, protos)[0])


def _mmd_notes(ctx):
    X = ctx["X"]
    same = all(np.array_equal(X[ours], theirs) for ours, theirs in zip(ctx["ours"], ctx["reference"]))
    return {"n": N_MMD, "same indices": str(same)}


# ------------------------------------------------------------------ 2. influence vs leave-one-out
def _influence_setup():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(N_INFLUENCE + N_TEST, 5))
    y = (X @ [1.0, -1.0, 0.5, 0.0, 2.0] + rng.normal(size=len(X)) > 0).astype(int)
    return {"data": (X[:N_INFLUENCE], y[:N_INFLUENCE], X[N_INFLUENCE:], y[N_INFLUENCE:])}


def _make():
    return LogisticRegression(C=1.0, tol=1e-10, max_iter=10_000)


def _influence_ours(ctx):
    X, y, X_test, y_test = ctx["data"]
    ctx["ours"] = influence_functions(_make().fit(X, y), X, y, X_test, y_test)


def _leave_one_out(ctx):
    ctx["reference"] = leave_one_out_influence(_make, *ctx["data"])


def _influence_notes(ctx):
    r = np.corrcoef(ctx["ours"].ravel(), ctx["reference"].ravel())[0, 1]
    return {"n_train": N_INFLUENCE, "n_test": N_TEST, "corr with LOO": f"{r:.4f}"}


# ------------------------------------------------------------------ 3. Anchors
def _anchor_setup():
    table = load_cardio(source="synthetic", n=N_ANCHOR, seed=0, verbose=False)
    X = table.drop(columns=["id", "cardio"]).astype(float)
    names, X = list(X.columns), X.to_numpy()
    model = RandomForestClassifier(50, max_depth=6, random_state=0).fit(X, table["cardio"])
    x = X[int(np.flatnonzero(model.predict(X) == 1)[0])]
    return {"X": X, "names": names, "predict": model.predict, "x": x}


def _anchor_ours(ctx):
    ctx["ours"] = anchor(ctx["predict"], ctx["x"], ctx["X"], feature_names=ctx["names"], seed=0,
                         max_categories=0)


def _anchor_reference(ctx):
    from anchor.anchor_tabular import AnchorTabularExplainer
    np.random.seed(0)
    explainer = AnchorTabularExplainer(["0", "1"], ctx["names"], ctx["X"])
    ctx["reference"] = explainer.explain_instance(ctx["x"], ctx["predict"], threshold=0.95)


def _anchor_notes(ctx):
    ours, theirs = ctx["ours"], ctx["reference"]
    return {"ours": f"{' AND '.join(ours.rule)} p={ours.precision:.2f} c={ours.coverage:.2f}",
            "anchor-exp": f"{' AND '.join(theirs.names())} p={theirs.precision():.2f} "
                          f"c={theirs.coverage():.2f}"}


BENCHMARKS = [
    Benchmark(f"examples: mmd_critic vs mmd-critic (n={N_MMD}, 10 prototypes, 5 criticisms)",
              _mmd_setup, ours=_mmd_ours, reference=_mmd_reference, repeat=3, notes=_mmd_notes),
    Benchmark(f"examples: influence functions vs leave-one-out retraining (n={N_INFLUENCE})",
              _influence_setup, ours=_influence_ours, reference=_leave_one_out, repeat=1,
              notes=_influence_notes),
    Benchmark("examples: anchor vs anchor-exp on a cardio forest", _anchor_setup,
              ours=_anchor_ours, reference=_anchor_reference, repeat=1, notes=_anchor_notes),
]
