"""Random Fourier features: ours against scikit-learn.

1. The transform alone: ``RandomFourierFeatures.transform`` against ``RBFSampler.transform`` with
   the same draws (the notes confirm the outputs agree).
2. The accuracy/time curve: random features (D = 100, 300, 1000) + logistic regression against
   ``SVC(kernel="rbf")`` at the same gamma, fit + predict on noisy two spirals. The ratio is the
   time of the random-feature model over the SVM's; the notes give both test accuracies.
"""
from __future__ import annotations

import numpy as np
from sklearn.kernel_approximation import RBFSampler
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.svm import SVC

from course_lib.kernels import RandomFourierFeatures, make_spirals
from harness import Benchmark

N_TRANSFORM, D_TRANSFORM = 20_000, 1_000
N_TRAIN, N_TEST, GAMMA = 20_000, 5_000, 10.0


# ------------------------------------------------------------------ 1. the transform
def _transform_setup():
    X = np.random.default_rng(0).normal(size=(N_TRANSFORM, 10))
    return {"X": X,
            "ours": RandomFourierFeatures(D_TRANSFORM, gamma=0.1, seed=0).fit(X),
            "reference": RBFSampler(n_components=D_TRANSFORM, gamma=0.1, random_state=0).fit(X)}


def _transform_notes(ctx):
    gap = np.abs(ctx["ours"].transform(ctx["X"][:1000]) - ctx["reference"].transform(ctx["X"][:1000])).max()
    return {"n": N_TRANSFORM, "d": 10, "D": D_TRANSFORM, "max |Δz|": f"{gap:.0e}"}


# ------------------------------------------------------------------ 2. accuracy and time against SVC
def _spirals():
    X, y = make_spirals(N_TRAIN + N_TEST, noise=0.12, seed=1)
    return X[:N_TRAIN], y[:N_TRAIN], X[N_TRAIN:], y[N_TRAIN:]


def _curve_setup(D):
    def setup():
        X_train, y_train, X_test, y_test = _spirals()
        return {"D": D, "data": (X_train, y_train, X_test, y_test)}
    return setup


def _fit_predict(make_model, key):
    def go(ctx):
        X_train, y_train, X_test, y_test = ctx["data"]
        model = make_model(ctx).fit(X_train, y_train)
        ctx[key] = float(np.mean(model.predict(X_test) == y_test))
    return go


_random_features = _fit_predict(lambda ctx: make_pipeline(RandomFourierFeatures(ctx["D"], gamma=GAMMA, seed=0),
                                                          LogisticRegression(max_iter=2000)), "ours_accuracy")
_svc = _fit_predict(lambda ctx: SVC(kernel="rbf", gamma=GAMMA), "svc_accuracy")


def _curve_notes(ctx):
    return {"n_train": N_TRAIN, "accuracy ours": f"{ctx['ours_accuracy']:.3f}",
            "SVC": f"{ctx['svc_accuracy']:.3f}"}


BENCHMARKS = [
    Benchmark(f"kernels: RFF transform vs RBFSampler (n={N_TRANSFORM}, D={D_TRANSFORM})", _transform_setup,
              ours=lambda ctx: ctx["ours"].transform(ctx["X"]),
              reference=lambda ctx: ctx["reference"].transform(ctx["X"]), repeat=5, notes=_transform_notes),
] + [
    Benchmark(f"kernels: RFF(D={D}) + logistic vs SVC rbf, fit+predict", _curve_setup(D),
              ours=_random_features, reference=_svc, repeat=1, notes=_curve_notes)
    for D in (100, 300, 1000)
]
