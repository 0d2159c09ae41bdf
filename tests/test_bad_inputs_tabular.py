"""Bad input to the tabular, example-based and faithfulness methods gets a clear error, fast.

Probes of inspection, surrogate, counterfactual, effects, examples, anchors, faithfulness and the
cardio twin (the rule: tests/bad_input_probe.py). Each case feeds one class of bad input: wrong
shape, NaN, pandas NA, strings, a sparse matrix, an unfitted model, the wrong kind of argument,
a negative or float seed, an absurd count, a model that returns the wrong shape or NaN.
"""
import numpy as np
import pandas as pd
import pytest
import scipy.sparse
import torch
from sklearn.datasets import make_classification
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.tree import DecisionTreeClassifier
from torch import nn

from bad_input_probe import (NaNProba, NaNRegressor, WrongPredict, WrongShapeRegressor, assert_clear_error,
                             with_nan, wrong_shape)

from course_lib import anchors, cardio_rules, cardio_twin, counterfactual as cf, effects, examples
from course_lib import faithfulness as fm, inspection, surrogate

X, y = make_classification(120, 4, n_informative=3, n_redundant=0, random_state=0)
FRAME = pd.DataFrame(X, columns=list("abcd"))
Xr, yr = X[:, :3], X[:, 3]
CLF = LogisticRegression().fit(X, y)
REG = LinearRegression().fit(Xr, yr)
TREE = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, CLF.predict(X))
SURROGATE = surrogate.global_surrogate(CLF, X, max_depth=2)
NAN_ROWS = X[:10].copy()
NAN_ROWS[1, 2] = np.nan
NA_FRAME = FRAME.iloc[:10].astype("Float64")
NA_FRAME.iloc[1, 2] = pd.NA
TEXT_FRAME = FRAME.iloc[:10].assign(b="x")
STRINGS = np.array([["a", "b", "c", "d"]] * 5)
SPARSE = scipy.sparse.csr_matrix(X[:10])
TWIN = cardio_twin.make_cardio_twin(n=300, seed=0)


def f(rows):
    return np.asarray(rows, dtype=float) @ [1.0, -1.0, 0.5, 0.2]


WRONG_REG = WrongShapeRegressor().fit(Xr, yr)
NAN_REG = NaNRegressor().fit(Xr, yr)
NAN_PROBA = NaNProba().fit(X, y)
WRONG_PREDICT = WrongPredict().fit(X, y)

NET = nn.Linear(3, 2)
CHECKPOINTS = [(NET.state_dict(), 0.1)]
LOADER = [(torch.randn(4, 3), torch.tensor([0, 1, 0, 1]))]
BATCH = torch.rand(2, 3)
IMAGE = np.random.default_rng(0).random((3, 6, 6))
EDGE = np.zeros((6, 6))


class NaNNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 2)

    def forward(self, x):
        return self.fc(x) * float("nan")


NAN_NET = NaNNet()
examples.tracin_self_influence(NET, CHECKPOINTS, LOADER)     # torch.func's first call is slow


CASES = {
    # inspection
    "inspection.permutation_importance: strings": lambda: inspection.permutation_importance(CLF, STRINGS, y[:5]),
    "inspection.permutation_importance: text column": lambda: inspection.permutation_importance(
        CLF, TEXT_FRAME, y[:10]),
    "inspection.permutation_importance: float n_repeats": lambda: inspection.permutation_importance(
        CLF, X, y, n_repeats=2.5),
    "inspection.partial_dependence: unfitted": lambda: inspection.partial_dependence(LogisticRegression(), X, 0),
    "inspection.partial_dependence: grid_resolution=10**12": lambda: inspection.partial_dependence(
        REG, Xr, 0, grid_resolution=10 ** 12),
    "inspection.partial_dependence: NaN grid": lambda: inspection.partial_dependence(REG, Xr, 0, grid=[0, np.nan]),
    "inspection.partial_dependence: sparse": lambda: inspection.partial_dependence(CLF, SPARSE, 0),
    "inspection.partial_dependence: pandas NA": lambda: inspection.partial_dependence(CLF, NA_FRAME, "c"),
    "inspection.partial_dependence: predict_proba NaN": lambda: inspection.partial_dependence(NAN_PROBA, X, 0),
    "inspection.pdp_grid: strings": lambda: inspection.pdp_grid(np.array(["a", "b", "c"])),
    "inspection.pdp_grid: 2-D column": lambda: inspection.pdp_grid(X),
    "inspection.pdp_grid: NaN": lambda: inspection.pdp_grid(NAN_ROWS[:, 2]),
    "inspection.pdp_grid: grid_resolution=10**12": lambda: inspection.pdp_grid(X[:, 0], 10 ** 12),
    "inspection.pdp_grid: percentiles a number": lambda: inspection.pdp_grid(X[:, 0], 10, 0.5),
    "inspection.mean_target: y of strings": lambda: inspection.mean_target(X, np.array(["u"] * len(X)), 0),
    "inspection.mean_target: NaN in y": lambda: inspection.mean_target(X, np.r_[np.nan, y[1:]], 0),
    "inspection.mean_target: unknown feature": lambda: inspection.mean_target(FRAME, y, "zz"),
    "inspection.mean_target: sparse": lambda: inspection.mean_target(SPARSE, y[:10], 0),
    "inspection.mean_target: bins a float": lambda: inspection.mean_target(X, y, 0, bins=2.5),
    "inspection.best_worst_points: unfitted": lambda: inspection.best_worst_points(LogisticRegression(), X, y),
    "inspection.best_worst_points: predict_proba NaN": lambda: inspection.best_worst_points(NAN_PROBA, X, y),
    "inspection.best_worst_points: n a float": lambda: inspection.best_worst_points(CLF, X, y, n=2.5),
    "inspection.model_output: unfitted": lambda: inspection.model_output(LogisticRegression()),
    "inspection.model_output: not a model": lambda: inspection.model_output("model"),
    "inspection.model_output: unknown response_method": lambda: inspection.model_output(CLF, None, "proba"),
    "inspection.model_output: unknown target": lambda: inspection.model_output(CLF, target=7),
    # surrogate
    "surrogate.global_surrogate: unfitted": lambda: surrogate.global_surrogate(LogisticRegression(), X),
    "surrogate.global_surrogate: pandas NA": lambda: surrogate.global_surrogate(CLF, NA_FRAME.astype(object)),
    "surrogate.global_surrogate: strings": lambda: surrogate.global_surrogate(CLF, STRINGS),
    "surrogate.global_surrogate: predict wrong shape": lambda: surrogate.global_surrogate(WRONG_PREDICT, X),
    "surrogate.global_surrogate: float max_depth": lambda: surrogate.global_surrogate(CLF, X, max_depth=2.5),
    "surrogate.Surrogate: rules with an unfitted model": lambda: SURROGATE.rules(LogisticRegression(), X),
    "surrogate.Surrogate: rules with a wrong-shape model": lambda: SURROGATE.rules(WRONG_PREDICT, X),
    "surrogate.Surrogate: fidelity_on sparse rows": lambda: SURROGATE.fidelity_on(CLF, SPARSE),
    "surrogate.fidelity: surrogate not a model": lambda: surrogate.fidelity(CLF, "tree", X),
    "surrogate.fidelity: model returns NaN": lambda: surrogate.fidelity(NAN_REG, TREE, Xr),
    "surrogate.fidelity: unfitted surrogate": lambda: surrogate.fidelity(CLF, DecisionTreeClassifier(), X),
    "surrogate.error_tree: unfitted": lambda: surrogate.error_tree(LogisticRegression(), X, y),
    "surrogate.error_tree: predict wrong shape": lambda: surrogate.error_tree(WRONG_PREDICT, X, y),
    "surrogate.error_tree: labels of other rows": lambda: surrogate.error_tree(CLF, X, y[:10]),
    "surrogate.error_tree: max_depth=0": lambda: surrogate.error_tree(CLF, X, y, max_depth=0),
    "surrogate.leaf_rules: not a tree": lambda: surrogate.leaf_rules(CLF, X, y),
    "surrogate.leaf_rules: unfitted tree": lambda: surrogate.leaf_rules(DecisionTreeClassifier(), X, y),
    "surrogate.leaf_rules: NaN indicator": lambda: surrogate.leaf_rules(TREE, X, np.full(len(X), np.nan)),
    "surrogate.leaf_rules: indicator of other rows": lambda: surrogate.leaf_rules(TREE, X, y[:5]),
    "surrogate.leaf_rules: too few names": lambda: surrogate.leaf_rules(TREE, X, y, ["a"]),
    "surrogate.leaf_rules: strings": lambda: surrogate.leaf_rules(TREE, STRINGS, y[:5]),
    # counterfactual
    "counterfactual.counterfactual: x of strings": lambda: cf.counterfactual(CLF, ["a", "b", "c", "d"],
                                                                              {"0": [0, 1]}),
    "counterfactual.counterfactual: NaN in x": lambda: cf.counterfactual(CLF, NAN_ROWS[1], {"0": [0, 1]}),
    "counterfactual.counterfactual: pandas NA in x": lambda: cf.counterfactual(CLF, NA_FRAME.iloc[[1]],
                                                                                {"a": [0, 1]}),
    "counterfactual.counterfactual: sparse x": lambda: cf.counterfactual(CLF, SPARSE[0], {"0": [0, 1]}),
    "counterfactual.counterfactual: predict wrong shape": lambda: cf.counterfactual(WRONG_PREDICT, X[0],
                                                                                     {"0": [0, 1]}),
    "counterfactual.counterfactual: max_candidates=10**12": lambda: cf.counterfactual(
        CLF, X[0], {"0": [0, 1]}, max_candidates=10 ** 12),
    "counterfactual.counterfactual: grid of 10**40 combinations": lambda: cf.counterfactual(
        LogisticRegression().fit(np.tile(X, 10), y), np.tile(X[0], 10),
        {str(j): np.arange(10 ** 4) for j in range(40)}),
    "counterfactual.counterfactual: NaN grid values": lambda: cf.counterfactual(CLF, X[0], {"0": [0, np.nan]}),
    "counterfactual.counterfactual: float max_changes": lambda: cf.counterfactual(CLF, X[0], {"0": [0, 1]},
                                                                                   max_changes=1.5),
    "counterfactual.ordered: names not strings": lambda: cf.ordered(0, 1),
    "counterfactual.ordered: NaN gap": lambda: cf.ordered("a", "b", gap=np.nan),
    "counterfactual.ordered: gap a string": lambda: cf.ordered("a", "b", gap="5"),
    "surrogate.fidelity_between: different lengths": lambda: surrogate.fidelity_between(y, y[:5], False),
    "surrogate.fidelity_between: NaN predictions": lambda: surrogate.fidelity_between(
        np.full(5, np.nan), np.zeros(5), True),
    "surrogate.fidelity_between: regressor not a bool": lambda: surrogate.fidelity_between(y, y, "yes"),
    "counterfactual.diverse_counterfactuals: predict not a function": lambda: cf.diverse_counterfactuals(
        CLF, X[0], X),
    "counterfactual.diverse_counterfactuals: NaN in X": lambda: cf.diverse_counterfactuals(
        CLF.predict, X[0], NAN_ROWS),
    "counterfactual.diverse_counterfactuals: negative seed": lambda: cf.diverse_counterfactuals(
        CLF.predict, X[0], X, seed=-1),
    "counterfactual.diverse_counterfactuals: n_candidates=10**12": lambda: cf.diverse_counterfactuals(
        CLF.predict, X[0], X, n_candidates=10 ** 12),
    "counterfactual.diverse_counterfactuals: predict wrong shape": lambda: cf.diverse_counterfactuals(
        WRONG_PREDICT.predict, X[0], X),
    "counterfactual.diverse_counterfactuals: negative diversity_weight": lambda: cf.diverse_counterfactuals(
        CLF.predict, X[0], X, diversity_weight=-1.0),
    "counterfactual.diverse_counterfactuals: unknown immutable feature": lambda: cf.diverse_counterfactuals(
        CLF.predict, X[0], X, immutable=["nope"]),
    "counterfactual.diverse_counterfactuals: directions a list": lambda: cf.diverse_counterfactuals(
        CLF.predict, X[0], X, directions=[0, -1]),
    "counterfactual.diverse_counterfactuals: direction 2": lambda: cf.diverse_counterfactuals(
        CLF.predict, X[0], X, directions={0: 2}),
    "counterfactual.diverse_counterfactuals: direction a string": lambda: cf.diverse_counterfactuals(
        CLF.predict, X[0], X, directions={0: "down"}),
    "counterfactual.diverse_counterfactuals: direction NaN": lambda: cf.diverse_counterfactuals(
        CLF.predict, X[0], X, directions={0: np.nan}),
    "counterfactual.diverse_counterfactuals: direction True": lambda: cf.diverse_counterfactuals(
        CLF.predict, X[0], X, directions={0: True}),
    "counterfactual.diverse_counterfactuals: unknown direction feature": lambda: cf.diverse_counterfactuals(
        CLF.predict, X[0], X, directions={"nope": -1}),
    "counterfactual.diverse_counterfactuals: immutable and directed": lambda: cf.diverse_counterfactuals(
        CLF.predict, X[0], X, immutable=[0], directions={0: -1}),
    "counterfactual.counterfactual_metrics: x of the wrong width": lambda: cf.counterfactual_metrics(
        CLF.predict, X[0, :2], X[:3], X, target=1),
    "counterfactual.counterfactual_metrics: NaN counterfactuals": lambda: cf.counterfactual_metrics(
        CLF.predict, X[0], NAN_ROWS, X, target=1),
    "counterfactual.counterfactual_metrics: strings in X": lambda: cf.counterfactual_metrics(
        CLF.predict, X[0], X[:3], STRINGS, target=1),
    "counterfactual.counterfactual_metrics: predict returns NaN": lambda: cf.counterfactual_metrics(
        lambda rows: np.full(len(rows), np.nan), X[0], X[:3], X, target=1),
    "counterfactual.satisfies: strings": lambda: cf.satisfies(STRINGS, list("abcd"), ()),
    "counterfactual.satisfies: NaN rows": lambda: cf.satisfies(NAN_ROWS, list("abcd"), ()),
    "counterfactual.satisfies: too few names": lambda: cf.satisfies(X, ["a"], ()),
    "counterfactual.satisfies: constraint not a function": lambda: cf.satisfies(X, list("abcd"), ["a < b"]),
    "counterfactual.satisfies: constraint wrong shape": lambda: cf.satisfies(X, list("abcd"),
                                                                              [lambda rows: True]),
    # effects
    "effects.ale: f not a function": lambda: effects.ale(CLF, X, 0),
    "effects.ale: f wrong shape": lambda: effects.ale(wrong_shape, X, 0),
    "effects.ale: f returns NaN": lambda: effects.ale(with_nan, X, 0),
    "effects.ale: NaN in X": lambda: effects.ale(f, NAN_ROWS, 0),
    "effects.ale: pandas NA": lambda: effects.ale(f, NA_FRAME, "a"),
    "effects.ale: strings": lambda: effects.ale(f, STRINGS, 0),
    "effects.ale: sparse": lambda: effects.ale(f, SPARSE, 0),
    "effects.ale: unknown feature": lambda: effects.ale(f, FRAME, "zz"),
    "effects.ale: n_bins=10**12": lambda: effects.ale(f, X, 0, n_bins=10 ** 12),
    "effects.ale: NaN edges": lambda: effects.ale(f, X, 0, edges=[0, np.nan, 1]),
    "effects.ale_edges: n_bins=10**12": lambda: effects.ale_edges(X[:, 0], 10 ** 12),
    "effects.ale_edges: float n_bins": lambda: effects.ale_edges(X[:, 0], 2.5),
    "effects.ale_edges: empty": lambda: effects.ale_edges([], 5),
    "effects.ale_edges: NaN": lambda: effects.ale_edges(NAN_ROWS[:, 2], 5),
    "effects.ale_edges: strings": lambda: effects.ale_edges(["a", "b"], 5),
    "effects.ale_categorical: f wrong shape": lambda: effects.ale_categorical(wrong_shape, X.round(), 0),
    "effects.ale_categorical: level missing from order": lambda: effects.ale_categorical(
        f, X.round(), 0, order=[0.0, 1.0]),
    "effects.ale_categorical: NaN in X": lambda: effects.ale_categorical(f, NAN_ROWS, 2),
    "effects.category_order: NaN in X": lambda: effects.category_order(NAN_ROWS, 0),
    "effects.category_order: unknown feature": lambda: effects.category_order(FRAME, "zz"),
    "effects.category_order: text column": lambda: effects.category_order(TEXT_FRAME, "a"),
    "effects.ale_2d: n_bins=10**12": lambda: effects.ale_2d(f, X, (0, 1), n_bins=10 ** 12),
    "effects.ale_2d: one feature": lambda: effects.ale_2d(f, X, 0),
    "effects.ale_2d: f returns NaN": lambda: effects.ale_2d(with_nan, X, (0, 1)),
    "effects.ale_2d: sparse": lambda: effects.ale_2d(f, SPARSE, (0, 1)),
    "effects.partial_dependence_2d: grid_resolution=10**12": lambda: effects.partial_dependence_2d(
        f, X, (0, 1), grid_resolution=10 ** 12),
    "effects.partial_dependence_2d: f wrong shape": lambda: effects.partial_dependence_2d(wrong_shape, X, (0, 1)),
    "effects.partial_dependence_2d: pandas NA": lambda: effects.partial_dependence_2d(f, NA_FRAME, ("a", "b")),
    "effects.partial_dependence_2d: three features": lambda: effects.partial_dependence_2d(f, X, (0, 1, 2)),
    "effects.h_statistic: 20,000 rows without n_rows": lambda: effects.h_statistic(
        REG.predict, np.zeros((20_000, 4)), features=(0, 1)),
    "effects.h_statistic_total: 20,000 rows without n_rows": lambda: effects.h_statistic_total(
        REG.predict, np.zeros((20_000, 4))),
    "effects.h_statistic: negative seed": lambda: effects.h_statistic(f, X, (0, 1), n_rows=20, seed=-1),
    "effects.h_statistic: float seed": lambda: effects.h_statistic(f, X, (0, 1), n_rows=20, seed=1.5),
    "effects.h_statistic: n_rows a string": lambda: effects.h_statistic(f, X, (0, 1), n_rows="all"),
    "effects.h_statistic: f returns NaN": lambda: effects.h_statistic(with_nan, X[:20], (0, 1)),
    "effects.h_statistic: f not a function": lambda: effects.h_statistic(CLF, X[:20], (0, 1)),
    "effects.h_statistic: features an int": lambda: effects.h_statistic(f, X[:20], 3),
    "effects.h_statistic_total: NaN in X": lambda: effects.h_statistic_total(f, NAN_ROWS),
    "effects.h_statistic_total: f wrong shape": lambda: effects.h_statistic_total(wrong_shape, X[:20]),
    "effects.h_statistic_total: negative seed": lambda: effects.h_statistic_total(f, X, n_rows=20, seed=-1),
    "effects.drop_column_importance: not an estimator": lambda: effects.drop_column_importance(f, X, y),
    "effects.drop_column_importance: labels of other rows": lambda: effects.drop_column_importance(
        LogisticRegression(), X, y[:10]),
    "effects.drop_column_importance: strings": lambda: effects.drop_column_importance(
        LogisticRegression(), STRINGS, y[:5]),
    "effects.conditional_permutation_importance: unfitted": lambda: effects.conditional_permutation_importance(
        LogisticRegression(), X, y, {}),
    "effects.conditional_permutation_importance: n_repeats=10**12": lambda:
        effects.conditional_permutation_importance(CLF, X, y, {}, n_repeats=10 ** 12),
    "effects.conditional_permutation_importance: negative seed": lambda:
        effects.conditional_permutation_importance(CLF, X, y, {}, seed=-1),
    "effects.conditional_permutation_importance: n_bins=10**12": lambda:
        effects.conditional_permutation_importance(CLF, X, y, {0: 1}, n_bins=10 ** 12),
    "effects.conditional_permutation_importance: unknown feature": lambda:
        effects.conditional_permutation_importance(CLF, FRAME, y, {"a": "zz"}),
    # examples
    "examples.mmd_critic: NaN": lambda: examples.mmd_critic(NAN_ROWS, 2),
    "examples.mmd_critic: pandas NA": lambda: examples.mmd_critic(NA_FRAME, 2),
    "examples.mmd_critic: strings": lambda: examples.mmd_critic(STRINGS, 2),
    "examples.mmd_critic: sparse": lambda: examples.mmd_critic(SPARSE, 2),
    "examples.mmd_critic: n_prototypes=10**12": lambda: examples.mmd_critic(X, 10 ** 12),
    "examples.mmd_critic: float n_prototypes": lambda: examples.mmd_critic(X, 2.5),
    "examples.mmd_critic: 10**5 rows (n x n kernel)": lambda: examples.mmd_critic(np.zeros((10 ** 5, 1)), 2),
    "examples.mmd_critic: unknown regularizer": lambda: examples.mmd_critic(X, 2, 2, regularizer="det"),
    "examples.mmd_critic: regularizer True": lambda: examples.mmd_critic(X, 2, 2, regularizer=True),
    "examples.witness: K not square": lambda: examples.witness(X, [0]),
    "examples.witness: NaN kernel": lambda: examples.witness(np.full((3, 3), np.nan), [0]),
    "examples.witness: prototype out of range": lambda: examples.witness(np.eye(3), [5]),
    "examples.witness: prototype a float": lambda: examples.witness(np.eye(3), [0.5]),
    "examples.log_loss_per_row: unfitted": lambda: examples.log_loss_per_row(LogisticRegression(), X, y),
    "examples.log_loss_per_row: unknown labels": lambda: examples.log_loss_per_row(CLF, X, y + 5),
    "examples.log_loss_per_row: predict_proba NaN": lambda: examples.log_loss_per_row(NAN_PROBA, X, y),
    "examples.log_loss_per_row: labels of other rows": lambda: examples.log_loss_per_row(CLF, X, y[:5]),
    "examples.leave_one_out_influence: 20,000 x 20,000 changes": lambda: examples.leave_one_out_influence(
        LogisticRegression, np.zeros((20_000, 4)), np.zeros(20_000), np.zeros((20_000, 4)), np.zeros(20_000)),
    "examples.leave_one_out_influence: make_model a model": lambda: examples.leave_one_out_influence(
        LogisticRegression(), X, y, X[:5], y[:5]),
    "examples.leave_one_out_influence: NaN in X": lambda: examples.leave_one_out_influence(
        LogisticRegression, NAN_ROWS, y[:10], X[:5], y[:5]),
    "examples.leave_one_out_influence: X_test of other width": lambda: examples.leave_one_out_influence(
        LogisticRegression, X, y, X[:5, :2], y[:5]),
    "examples.influence_functions: not a logistic regression": lambda: examples.influence_functions(
        REG, Xr, yr, Xr[:5], yr[:5]),
    "examples.influence_functions: X of other width": lambda: examples.influence_functions(
        CLF, X[:, :2], y, X[:5], y[:5]),
    "examples.influence_functions: negative l2": lambda: examples.influence_functions(
        CLF, X, y, X[:5], y[:5], l2=-1.0),
    "examples.influence_functions: pandas NA": lambda: examples.influence_functions(
        CLF, NA_FRAME, y[:10], X[:5], y[:5]),
    "examples.tracin: double test inputs": lambda: examples.tracin(
        NET, CHECKPOINTS, LOADER, BATCH.double(), torch.tensor([0, 1])),
    "examples.tracin: not a module": lambda: examples.tracin(NET.forward, CHECKPOINTS, LOADER, BATCH,
                                                              torch.tensor([0, 1])),
    "examples.tracin: numpy test inputs": lambda: examples.tracin(NET, CHECKPOINTS, LOADER, BATCH.numpy(),
                                                                   torch.tensor([0, 1])),
    "examples.tracin: NaN test inputs": lambda: examples.tracin(NET, CHECKPOINTS, LOADER, BATCH * np.nan,
                                                                 torch.tensor([0, 1])),
    "examples.tracin: targets of other inputs": lambda: examples.tracin(NET, CHECKPOINTS, LOADER, BATCH,
                                                                         torch.tensor([0, 1, 1])),
    "examples.tracin: model gives NaN": lambda: examples.tracin(
        NAN_NET, [(NAN_NET.state_dict(), 0.1)], LOADER, BATCH, torch.tensor([0, 1])),
    "examples.tracin: normalize a string": lambda: examples.tracin(NET, CHECKPOINTS, LOADER, BATCH,
                                                                    torch.tensor([0, 1]), normalize="yes"),
    "examples.fit_network: not a module": lambda: examples.fit_network(CLF, Xr, y, l2=1.0),
    "examples.fit_network: NaN in X": lambda: examples.fit_network(NET, NAN_ROWS[:, :3], y[:10], l2=1.0),
    "examples.fit_network: labels of other rows": lambda: examples.fit_network(NET, Xr, y[:5], l2=1.0),
    "examples.fit_network: string labels": lambda: examples.fit_network(NET, Xr[:3], ["a", "b", "a"], l2=1.0),
    "examples.fit_network: negative l2": lambda: examples.fit_network(NET, Xr, y, l2=-1.0),
    "examples.fit_network: float max_iter": lambda: examples.fit_network(NET, Xr, y, l2=1.0, max_iter=2.5),
    "examples.network_influence: X_test of other width": lambda: examples.network_influence(
        NET, Xr, y, X[:5], y[:5], l2=1.0),
    "examples.network_influence: NaN damping": lambda: examples.network_influence(
        NET, Xr, y, Xr[:5], y[:5], l2=1.0, damping=np.nan),
    "examples.network_influence: negative labels": lambda: examples.network_influence(
        NET, Xr, y - 1, Xr[:5], y[:5], l2=1.0),
    "examples.network_influence: 10**5 parameters (H is P x P)": lambda: examples.network_influence(
        nn.Linear(3, 10 ** 5), Xr, y, Xr[:5], y[:5], l2=1.0),
    "examples.leave_one_out_network: not a module": lambda: examples.leave_one_out_network(
        LogisticRegression, Xr, y, Xr[:5], y[:5], l2=1.0),
    "examples.leave_one_out_network: pandas NA": lambda: examples.leave_one_out_network(
        NET, NA_FRAME.iloc[:, :3], y[:10], Xr[:5], y[:5], l2=1.0),
    "examples.leave_one_out_network: string l2": lambda: examples.leave_one_out_network(
        NET, Xr, y, Xr[:5], y[:5], l2="1"),
    "examples.tracin: no checkpoints": lambda: examples.tracin(NET, [], LOADER, BATCH, torch.tensor([0, 1])),
    "examples.tracin_self_influence: loader a tensor": lambda: examples.tracin_self_influence(
        NET, CHECKPOINTS, BATCH),
    "examples.tracin_self_influence: empty loader": lambda: examples.tracin_self_influence(NET, CHECKPOINTS, []),
    "examples.tracin_self_influence: learning rate a string": lambda: examples.tracin_self_influence(
        NET, [(NET.state_dict(), "fast")], LOADER),
    "examples.tracin_self_influence: layers a string": lambda: examples.tracin_self_influence(
        NET, CHECKPOINTS, LOADER, layers="fc"),
    # anchors
    "anchors.anchor: predict not a function": lambda: anchors.anchor(CLF, X[0], X),
    "anchors.anchor: predict returns probabilities": lambda: anchors.anchor(CLF.predict_proba, X[0], X),
    "anchors.anchor: predict returns NaN": lambda: anchors.anchor(with_nan, X[0], X),
    "anchors.anchor: NaN in X_train": lambda: anchors.anchor(CLF.predict, X[0], NAN_ROWS),
    "anchors.anchor: pandas NA": lambda: anchors.anchor(CLF.predict, X[0], NA_FRAME),
    "anchors.anchor: strings": lambda: anchors.anchor(CLF.predict, X[0], STRINGS),
    "anchors.anchor: sparse": lambda: anchors.anchor(CLF.predict, X[0], SPARSE),
    "anchors.anchor: x with NaN": lambda: anchors.anchor(CLF.predict, NAN_ROWS[1], X),
    "anchors.anchor: negative seed": lambda: anchors.anchor(CLF.predict, X[0], X, seed=-1),
    "anchors.anchor: float seed": lambda: anchors.anchor(CLF.predict, X[0], X, seed=0.5),
    "anchors.anchor: batch_size=10**12": lambda: anchors.anchor(CLF.predict, X[0], X, batch_size=10 ** 12),
    "anchors.anchor: delta=0": lambda: anchors.anchor(CLF.predict, X[0], X, delta=0),
    "anchors.anchor: too few names": lambda: anchors.anchor(CLF.predict, X[0], X, feature_names=["a"]),
    "anchors.anchor_text: text a list": lambda: anchors.anchor_text(lambda t: np.zeros(len(t)), ["a", "b"]),
    "anchors.anchor_text: predict not a function": lambda: anchors.anchor_text("model", "a good film"),
    "anchors.anchor_text: predict wrong shape": lambda: anchors.anchor_text(
        lambda t: np.zeros((len(t), 2)), "a good film"),
    "anchors.anchor_text: negative seed": lambda: anchors.anchor_text(lambda t: np.zeros(len(t)), "a b", seed=-1),
    "anchors.anchor_text: batch_size=10**12": lambda: anchors.anchor_text(
        lambda t: np.zeros(len(t)), "a b", batch_size=10 ** 12),
    "anchors.kl_bernoulli: p above 1": lambda: anchors.kl_bernoulli(1.5, 0.5),
    "anchors.kl_bernoulli: NaN": lambda: anchors.kl_bernoulli(np.nan, 0.5),
    "anchors.kl_bernoulli: a string": lambda: anchors.kl_bernoulli("0.5", 0.5),
    "anchors.kl_bounds: negative level": lambda: anchors.kl_bounds(0.5, -1.0),
    "anchors.kl_bounds: mean an array": lambda: anchors.kl_bounds(np.array([0.5, 0.6]), 1.0),
    # faithfulness
    "faithfulness.deletion_curve: steps=10**12": lambda: fm.deletion_curve(f, X[0], X[1], steps=10 ** 12),
    "faithfulness.deletion_curve: f returns NaN": lambda: fm.deletion_curve(with_nan, X[0], X[1]),
    "faithfulness.deletion_curve: strings": lambda: fm.deletion_curve(f, ["a", "b", "c", "d"], X[1]),
    "faithfulness.deletion_curve: float batch_size": lambda: fm.deletion_curve(f, X[0], X[1], batch_size=2.5),
    "faithfulness.insertion_curve: f wrong shape": lambda: fm.insertion_curve(wrong_shape, X[0], X[1]),
    "faithfulness.insertion_curve: NaN attribution": lambda: fm.insertion_curve(f, X[0], NAN_ROWS[1]),
    "faithfulness.insertion_curve: steps=10**12": lambda: fm.insertion_curve(f, X[0], X[1], steps=10 ** 12),
    "faithfulness.insertion_curve: f not a function": lambda: fm.insertion_curve(CLF, X[0], X[1]),
    "faithfulness.auc: NaN scores": lambda: fm.auc([1.0, np.nan, 0.0]),
    "faithfulness.auc: a string": lambda: fm.auc("curve"),
    "faithfulness.removal_order: NaN": lambda: fm.removal_order(NAN_ROWS[1]),
    "faithfulness.removal_order: strings": lambda: fm.removal_order(["a", "b"]),
    "faithfulness.road: negative seed": lambda: fm.road(lambda b: b.reshape(len(b), -1).mean(1), IMAGE, EDGE,
                                                         seed=-1),
    "faithfulness.road: NaN image": lambda: fm.road(lambda b: b.reshape(len(b), -1).mean(1), IMAGE * np.nan,
                                                     EDGE),
    "faithfulness.road: f returns NaN": lambda: fm.road(with_nan, IMAGE, EDGE),
    "faithfulness.road: negative noise": lambda: fm.road(lambda b: b.reshape(len(b), -1).mean(1), IMAGE, EDGE,
                                                          noise=-1.0),
    "faithfulness.noisy_linear_impute: mask of other shape": lambda: fm.noisy_linear_impute(
        IMAGE, np.zeros((3, 3), bool)),
    "faithfulness.noisy_linear_impute: 2-D image": lambda: fm.noisy_linear_impute(EDGE, EDGE > 0),
    "faithfulness.noisy_linear_impute: negative seed": lambda: fm.noisy_linear_impute(IMAGE, EDGE > 0, seed=-1),
    "faithfulness.noisy_linear_impute: NaN image": lambda: fm.noisy_linear_impute(IMAGE * np.nan, EDGE > 0),
    "faithfulness.noisy_linear_impute: image a nested list of strings": lambda: fm.noisy_linear_impute(
        [[["a"]]], [[True]]),
    "faithfulness.infidelity: NaN noise": lambda: fm.infidelity(lambda b: b.sum(1), BATCH, BATCH, noise=np.nan),
    "faithfulness.infidelity: multiply_by_inputs a string": lambda: fm.infidelity(
        lambda b: b.sum(1), BATCH, BATCH, multiply_by_inputs="yes"),
    "faithfulness.sensitivity_max: relative a number": lambda: fm.sensitivity_max(lambda b: b, BATCH, relative=1),
    "faithfulness.infidelity: unknown perturbation": lambda: fm.infidelity(lambda b: b.sum(1), BATCH, BATCH,
                                                                           perturbation="uniform"),
    "faithfulness.infidelity: share above 1": lambda: fm.infidelity(lambda b: b.sum(1), BATCH, BATCH,
                                                                    perturbation="baseline", share=1.5),
    "faithfulness.infidelity: NaN baseline": lambda: fm.infidelity(lambda b: b.sum(1), BATCH, BATCH,
                                                                   perturbation="baseline", baseline=np.nan),
    "faithfulness.aopc_comprehensiveness: f returns NaN": lambda: fm.aopc_comprehensiveness(
        with_nan, ["a", "b"], [1.0, 0.0]),
    "faithfulness.aopc_comprehensiveness: tokens one string": lambda: fm.aopc_comprehensiveness(
        len, "a b", [1.0, 0.0]),
    "faithfulness.aopc_comprehensiveness: attribution of other length": lambda: fm.aopc_comprehensiveness(
        len, ["a", "b"], [1.0]),
    "faithfulness.aopc_sufficiency: bin of 0": lambda: fm.aopc_sufficiency(len, ["a", "b"], [1.0, 0.0],
                                                                            bins=[0.0]),
    "faithfulness.aopc_sufficiency: NaN attribution": lambda: fm.aopc_sufficiency(len, ["a", "b"], [np.nan, 0.0]),
    "faithfulness.aopc_sufficiency: f wrong shape": lambda: fm.aopc_sufficiency(wrong_shape, ["a", "b"], [1.0, 0.0]),
    "faithfulness.comprehensiveness: f returns NaN": lambda: fm.comprehensiveness(with_nan, ["a", "b"], [0]),
    "faithfulness.comprehensiveness: float positions": lambda: fm.comprehensiveness(len, ["a", "b"], [0.5]),
    "faithfulness.comprehensiveness: tokens a number": lambda: fm.comprehensiveness(len, 3, [0]),
    "faithfulness.sufficiency: f wrong shape": lambda: fm.sufficiency(wrong_shape, ["a", "b"], [0]),
    "faithfulness.sufficiency: mask of other length": lambda: fm.sufficiency(len, ["a", "b"], [True]),
    "faithfulness.sufficiency: tokens one string": lambda: fm.sufficiency(len, "a b", [0]),
    "faithfulness.top_k_rationale: NaN": lambda: fm.top_k_rationale([1.0, np.nan], 1),
    "faithfulness.top_k_rationale: k=0": lambda: fm.top_k_rationale([1.0, 2.0], 0),
    "faithfulness.top_k_rationale: float k": lambda: fm.top_k_rationale([1.0, 2.0], 1.5),
    "faithfulness.infidelity: n_perturb=10**12": lambda: fm.infidelity(lambda b: b.sum(1), BATCH, BATCH,
                                                                        n_perturb=10 ** 12),
    "faithfulness.infidelity: numpy x": lambda: fm.infidelity(lambda b: b.sum(1), BATCH.numpy(), BATCH),
    "faithfulness.infidelity: NaN attribution": lambda: fm.infidelity(lambda b: b.sum(1), BATCH, BATCH * np.nan),
    "faithfulness.infidelity: model returns NaN": lambda: fm.infidelity(lambda b: b.sum(1) * np.nan, BATCH, BATCH),
    "faithfulness.infidelity: negative seed": lambda: fm.infidelity(lambda b: b.sum(1), BATCH, BATCH, seed=-1),
    "faithfulness.infidelity: model not a function": lambda: fm.infidelity(CLF, BATCH, BATCH),
    "faithfulness.sensitivity_max: n_perturb=10**12": lambda: fm.sensitivity_max(lambda b: b, BATCH,
                                                                                  n_perturb=10 ** 12),
    "faithfulness.sensitivity_max: numpy x": lambda: fm.sensitivity_max(lambda b: b, BATCH.numpy()),
    "faithfulness.sensitivity_max: negative radius": lambda: fm.sensitivity_max(lambda b: b, BATCH, radius=-1.0),
    "faithfulness.sensitivity_max: explain returns NaN": lambda: fm.sensitivity_max(lambda b: b * np.nan, BATCH),
    "faithfulness.sensitivity_max: float seed": lambda: fm.sensitivity_max(lambda b: b, BATCH, seed=0.5),
    "faithfulness.rank_agreement: NaN": lambda: fm.rank_agreement([1.0, np.nan], [1.0, 2.0]),
    "faithfulness.rank_agreement: strings": lambda: fm.rank_agreement(["a", "b"], [1.0, 2.0]),
    "faithfulness.rank_agreement: sizes differ": lambda: fm.rank_agreement([1.0, 2.0], [1.0, 2.0, 3.0]),
    "faithfulness.top_k_agreement: NaN": lambda: fm.top_k_agreement([1.0, np.nan], [1.0, 2.0], 1),
    "faithfulness.top_k_agreement: k=0": lambda: fm.top_k_agreement([1.0, 2.0], [1.0, 2.0], 0),
    "faithfulness.top_k_agreement: sizes differ": lambda: fm.top_k_agreement([1.0, 2.0], [1.0, 2.0, 3.0], 1),
    "faithfulness.noise_stability: n_samples=10**12": lambda: fm.noise_stability(lambda v: v, X[0], 0.1, n_samples=10 ** 12),
    "faithfulness.noise_stability: negative seed": lambda: fm.noise_stability(lambda v: v, X[0], 0.1, seed=-1),
    "faithfulness.noise_stability: explain returns NaN": lambda: fm.noise_stability(lambda v: v * np.nan, X[0], 0.1),
    "faithfulness.noise_stability: NaN noise": lambda: fm.noise_stability(lambda v: v, X[0], np.nan),
    "faithfulness.noise_stability: explain not a function": lambda: fm.noise_stability(CLF, X[0], 0.1),
    "faithfulness.bootstrap_ci: n_boot=10**12": lambda: fm.bootstrap_ci(X[:, 0], n_boot=10 ** 12),
    "faithfulness.bootstrap_ci: NaN": lambda: fm.bootstrap_ci(NAN_ROWS[:, 2]),
    "faithfulness.bootstrap_ci: negative seed": lambda: fm.bootstrap_ci(X[:, 0], seed=-1),
    "faithfulness.bootstrap_ci: level 95": lambda: fm.bootstrap_ci(X[:, 0], level=95),
    # cardio rules and the twin
    "cardio_rules.impossible_pressure: an array": lambda: cardio_rules.impossible_pressure(X),
    "cardio_rules.impossible_pressure: no ap_lo column": lambda: cardio_rules.impossible_pressure(
        TWIN.drop(columns="ap_lo")),
    "cardio_rules.impossible_rows: no height column": lambda: cardio_rules.impossible_rows(
        TWIN.drop(columns="height")),
    "cardio_rules.impossible_rows: a dict": lambda: cardio_rules.impossible_rows(dict(TWIN)),
    "cardio_rules.drop_impossible: an array": lambda: cardio_rules.drop_impossible(TWIN.to_numpy()),
    "cardio_rules.drop_impossible: no weight column": lambda: cardio_rules.drop_impossible(
        TWIN.drop(columns="weight")),
    "cardio_twin.make_cardio_twin: n=10**12": lambda: cardio_twin.make_cardio_twin(n=10 ** 12),
    "cardio_twin.make_cardio_twin: negative seed": lambda: cardio_twin.make_cardio_twin(n=10, seed=-1),
    "cardio_twin.make_cardio_twin: float seed": lambda: cardio_twin.make_cardio_twin(n=10, seed=0.5),
    "cardio_twin.make_cardio_twin: float n": lambda: cardio_twin.make_cardio_twin(n=100.0),
    "cardio_twin.effect: unknown name": lambda: cardio_twin.effect("bmi", [1.0]),
    "cardio_twin.effect: NaN values": lambda: cardio_twin.effect("ap_hi", [120.0, np.nan]),
    "cardio_twin.effect: strings": lambda: cardio_twin.effect("ap_hi", ["high"]),
    "cardio_twin.interaction_term: NaN age": lambda: cardio_twin.interaction_term([np.nan], [120.0]),
    "cardio_twin.interaction_term: strings": lambda: cardio_twin.interaction_term(["old"], [120.0]),
    "cardio_twin.cardio_logit: missing column": lambda: cardio_twin.cardio_logit(TWIN.drop(columns="ap_hi")),
    "cardio_twin.cardio_logit: NaN": lambda: cardio_twin.cardio_logit(TWIN.assign(ap_hi=np.nan)),
    "cardio_twin.cardio_logit: wrong width": lambda: cardio_twin.cardio_logit(X),
    "cardio_twin.cardio_logit: strings": lambda: cardio_twin.cardio_logit(TWIN.assign(gluc="normal")),
    "cardio_twin.cardio_truth: background missing a column": lambda: cardio_twin.cardio_truth(
        TWIN, TWIN.drop(columns="age")),
    "cardio_twin.cardio_truth: pandas NA": lambda: cardio_twin.cardio_truth(
        TWIN.astype({"ap_hi": "Int64"}).assign(ap_hi=pd.array([pd.NA] * len(TWIN), "Int64"))),
    "cardio_twin.cardio_truth: sparse": lambda: cardio_twin.cardio_truth(scipy.sparse.csr_matrix(
        TWIN[cardio_twin.FEATURES].to_numpy())),
    "cardio_twin.true_interaction: wrong width": lambda: cardio_twin.true_interaction(X),
    "cardio_twin.true_interaction: NaN background": lambda: cardio_twin.true_interaction(
        TWIN, TWIN.assign(age=np.nan)),
    "cardio_twin.habit_confounding: unknown habit": lambda: cardio_twin.habit_confounding(TWIN, "coffee"),
    "cardio_twin.habit_confounding: an array": lambda: cardio_twin.habit_confounding(TWIN.to_numpy()),
    "cardio_twin.habit_confounding: no cardio column": lambda: cardio_twin.habit_confounding(
        TWIN.drop(columns="cardio")),
    "cardio_twin.habit_confounding: nobody smokes": lambda: cardio_twin.habit_confounding(TWIN.assign(smoke=0)),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_bad_input_gets_a_clear_error_fast(case):
    assert_clear_error(CASES[case], case)
