"""Bad input gets a one-line TypeError or ValueError, fast, and never a silent NaN.

Each case feeds a public function one class of bad input: wrong shape, NaN, pandas NA, strings,
a sparse matrix, an unfitted model, the wrong kind of argument, a negative seed, an absurd
sample count, a model that returns the wrong shape or NaN, a double tensor, a list or a tensor
for a row. The error must come within a second (nothing large allocated first).
"""
import numpy as np
import pytest
import scipy.sparse
import torch
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from torch import nn

from bad_input_probe import (NaNProba, NaNRegressor, WrongShapeRegressor, assert_clear_error, too_few,
                             with_nan, wrong_shape)

from course_lib.cam import grad_cam, integrated_gradients, saliency, smooth_grad
from course_lib.cam import quadrature
from course_lib.inspection import (best_worst_points, counterfactual, global_surrogate,
                                   partial_dependence, permutation_importance)
from course_lib.kernel_shap import coalition_plan, kernel_shap
from course_lib.lime import LimeTabular
from course_lib.metrics import pointing_game
from course_lib.shapley import Game, model_game, model_shapley, sample_shapley
from course_lib.tree_shap import tree_shap

pd = pytest.importorskip("pandas")

X, y = make_classification(200, 5, n_informative=3, random_state=0)
Xr, yr = X[:, :4], X[:, 4]
CLF = LogisticRegression().fit(X, y)
REG = LinearRegression().fit(Xr, yr)
FOREST = RandomForestClassifier(5, max_depth=3, random_state=0).fit(X, y)
WIDE = np.random.default_rng(0).normal(size=(5, 40))
NAN_ROWS = X[:5].copy()
NAN_ROWS[1, 2] = np.nan
NA_FRAME = pd.DataFrame(X[:5], columns=list("abcde")).astype("Float64")
NA_FRAME.iloc[1, 2] = pd.NA
STRINGS = np.array([["a", "b", "c", "d", "e"]] * 3)
SPARSE = scipy.sparse.csr_matrix(X[:5])
GAME = Game("ABC", lambda S: float(len(S)))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.head = nn.Linear(4, 2)

    def forward(self, x):
        return self.head(self.conv(x).relu().mean(dim=(2, 3)))


NET = Net().eval()
IMAGES = torch.rand(2, 3, 8, 8)


WRONG_REG = WrongShapeRegressor().fit(Xr, yr)
NAN_REG = NaNRegressor().fit(Xr, yr)

CASES = {
    # KernelSHAP
    "kernel_shap.kernel_shap: X 1-D": lambda: kernel_shap(CLF.predict_proba, X[0], X[:10]),
    "kernel_shap.kernel_shap: NaN in X": lambda: kernel_shap(CLF.predict_proba, NAN_ROWS, X[:10]),
    "kernel_shap.kernel_shap: pandas NA": lambda: kernel_shap(CLF.predict_proba, NA_FRAME, X[:10]),
    "kernel_shap.kernel_shap: strings": lambda: kernel_shap(CLF.predict_proba, STRINGS, X[:10]),
    "kernel_shap.kernel_shap: sparse": lambda: kernel_shap(CLF.predict_proba, SPARSE, X[:10]),
    "kernel_shap.kernel_shap: model not a function": lambda: kernel_shap(CLF, X[:2], X[:10]),
    "kernel_shap.kernel_shap: negative seed": lambda: kernel_shap(CLF.predict_proba, X[:2], X[:10], 20, seed=-1),
    "kernel_shap.kernel_shap: float seed": lambda: kernel_shap(CLF.predict_proba, X[:2], X[:10], 20, seed=1.5),
    "kernel_shap.kernel_shap: n_samples=10**12": lambda: kernel_shap(lambda r: r.sum(axis=1), WIDE, WIDE,
                                                        n_samples=10 ** 12),
    "kernel_shap.kernel_shap: f wrong shape": lambda: kernel_shap(wrong_shape, X[:2], X[:10]),
    "kernel_shap.kernel_shap: f too few rows": lambda: kernel_shap(too_few, X[:2], X[:10]),
    "kernel_shap.kernel_shap: f NaN": lambda: kernel_shap(with_nan, X[:2], X[:10]),
    "kernel_shap.coalition_plan: n_samples=10**12": lambda: coalition_plan(40, 10 ** 12),
    # exact Shapley and the model game
    "shapley.model_game: x a list of wrong length": lambda: model_game(REG.predict, [1.0, 2.0], Xr[:5]),
    "shapley.model_game: x a tensor of wrong length": lambda: model_game(REG.predict, torch.ones(3), Xr[:5]),
    "shapley.model_game: f returns NaN": lambda: model_game(with_nan, Xr[0], Xr[:5])(("x0",)),
    "shapley.model_game: f wrong shape": lambda: model_game(wrong_shape, Xr[0], Xr[:5])(("x0",)),
    "shapley.model_shapley: model not a function": lambda: model_shapley(REG, Xr[:2], Xr[:5]),
    "shapley.model_shapley: NaN background": lambda: model_shapley(REG.predict, Xr[:2], NAN_ROWS[:, :4]),
    "shapley.model_shapley: 40 features": lambda: model_shapley(lambda r: r.sum(axis=1), WIDE, WIDE),
    "shapley.model_shapley: batch_rows=10**12": lambda: model_shapley(REG.predict, Xr[:2], Xr[:5],
                                                             batch_rows=10 ** 12),
    "shapley.sample_shapley: n_permutations=10**12": lambda: sample_shapley(GAME, 10 ** 12, seed=0),
    "shapley.sample_shapley: negative seed": lambda: sample_shapley(GAME, 10, seed=-3),
    "shapley.sample_shapley: seed None": lambda: sample_shapley(GAME, 10, seed=None),
    # TreeSHAP
    "tree_shap.tree_shap: unfitted": lambda: tree_shap(RandomForestClassifier(), X[:2]),
    "tree_shap.tree_shap: not a tree": lambda: tree_shap(CLF, X[:2]),
    "tree_shap.tree_shap: strings": lambda: tree_shap(FOREST, STRINGS),
    "tree_shap.tree_shap: sparse": lambda: tree_shap(FOREST, SPARSE),
    "tree_shap.tree_shap: wrong width": lambda: tree_shap(FOREST, X[:2, :3]),
    # inspection
    "inspection.permutation_importance: n_repeats=10**12": lambda: permutation_importance(
        CLF, X, y, n_repeats=10 ** 12),
    "inspection.permutation_importance: negative random_state": lambda: permutation_importance(
        CLF, X, y, seed=-1),
    "inspection.permutation_importance: unfitted": lambda: permutation_importance(LogisticRegression(), X, y),
    "inspection.permutation_importance: sparse": lambda: permutation_importance(CLF, SPARSE, y[:5]),
    "inspection.partial_dependence: model returns (n, 3)": lambda: partial_dependence(WRONG_REG, Xr, 0),
    "inspection.partial_dependence: model returns NaN": lambda: partial_dependence(NAN_REG, Xr, 0),
    "inspection.partial_dependence: unknown feature": lambda: partial_dependence(REG, Xr, "nope"),
    "inspection.global_surrogate: model returns (n, 3)": lambda: global_surrogate(WRONG_REG, Xr),
    "inspection.global_surrogate: model returns NaN": lambda: global_surrogate(NAN_REG, Xr),
    "inspection.global_surrogate: max_depth=0": lambda: global_surrogate(CLF, X, max_depth=0),
    "inspection.best_worst_points: labels of other rows": lambda: best_worst_points(CLF, X, y[:10]),
    "inspection.best_worst_points: n=-1": lambda: best_worst_points(CLF, X, y, n=-1),
    "inspection.counterfactual: unfitted": lambda: counterfactual(LogisticRegression(), X[0], {"0": [0, 1]}),
    "inspection.counterfactual: predict_proba NaN": lambda: counterfactual(NaNProba().fit(X, y), X[0],
                                                                {"0": [-1.0, 1.0]}),
    # LIME
    "lime.LimeTabular: sparse": lambda: LimeTabular(SPARSE).explain(X[0], CLF.predict_proba),
    "lime.LimeTabular: negative random_state": lambda: LimeTabular(X, seed=-1).explain(
        X[0], CLF.predict_proba, num_samples=50),
    "lime.LimeTabular: predict_fn wrong shape": lambda: LimeTabular(X, seed=0).explain(
        X[0], wrong_shape, num_samples=50),
    "lime.LimeTabular: predict_fn NaN": lambda: LimeTabular(X, seed=0).explain(
        X[0], lambda r: np.full((len(r), 2), np.nan), num_samples=50),
    # CAM and friends
    "cam.saliency: double tensor": lambda: saliency(NET, IMAGES.double()),
    "cam.saliency: numpy images": lambda: saliency(NET, IMAGES.numpy()),
    "cam.saliency: one image without batch axis": lambda: saliency(NET, IMAGES[0]),
    "cam.saliency: NaN image": lambda: saliency(NET, IMAGES * np.nan),
    "cam.grad_cam: double tensor": lambda: grad_cam(NET, NET.conv, IMAGES.double()),
    "cam.integrated_gradients: n_steps=10**12": lambda: integrated_gradients(NET, IMAGES,
                                                                       n_steps=10 ** 12),
    "cam.quadrature: n_steps=10**6": lambda: quadrature(10 ** 6),
    "cam.smooth_grad: n_samples=10**12": lambda: smooth_grad(NET, IMAGES, n_samples=10 ** 12),
    "cam.smooth_grad: negative seed": lambda: smooth_grad(NET, IMAGES, n_samples=2, seed=-1),
    "metrics.pointing_game: NaN maps (all)": lambda: pointing_game(np.full((1, 4, 4), np.nan),
                                                     np.ones((4, 4), bool)),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_bad_input_gets_a_clear_error_fast(case):
    assert_clear_error(CASES[case], case)


def test_lists_tuples_and_tensors_work_as_rows():
    """model_game and model_shapley take x as a list, a tuple or a tensor like an array."""
    expected = model_shapley(REG.predict, Xr[:1], Xr[:20]).values
    for x in (list(Xr[0]), tuple(Xr[0]), torch.as_tensor(Xr[0])):
        game = model_game(REG.predict, x, Xr[:20])
        np.testing.assert_allclose(game.attributions().values, expected, atol=1e-12)
