"""Bad input to the Shapley, SHAP and LIME family gets a one-line TypeError/ValueError, fast.

One class of bad input per case (see tests/bad_input_probe.py): the wrong kind of game, order or
table; a value function returning a non-number or NaN; too many players for exact enumeration;
rows with NaN, pandas NA, strings or a sparse matrix; a model that is not a function or returns
the wrong shape or NaN; absurd counts (10**12) refused before anything is allocated; a text that
is not a str, an image of the wrong shape or dtype, superpixels that do not fit the image.
"""
import numpy as np
import pytest
import scipy.sparse
import torch
from sklearn.datasets import make_classification
from sklearn.ensemble import GradientBoostingRegressor, RandomForestClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression

from bad_input_probe import assert_clear_error, with_nan, wrong_shape

from course_lib import explanation, game, kernel_shap, lime, shapley, shapley_model, tree_shap
from course_lib.lime import core, diagnostics

pd = pytest.importorskip("pandas")

X, y = make_classification(120, 4, n_informative=3, n_redundant=0, random_state=0)
CLF = LogisticRegression().fit(X, y)
REG = LinearRegression().fit(X, X[:, 0])
FOREST = RandomForestClassifier(3, max_depth=3, random_state=0).fit(X, y)
BOOST = GradientBoostingRegressor(n_estimators=3, max_depth=2, random_state=0).fit(X, X[:, 0])
TABLE = tree_shap.leaf_table(FOREST)
NAN_ROWS = X[:4].copy()
NAN_ROWS[1, 2] = np.nan
NA_FRAME = pd.DataFrame(X[:4], columns=list("abcd")).astype("Float64")
NA_FRAME.iloc[1, 2] = pd.NA
STRINGS = np.array([["a", "b", "c", "d"]] * 3)
SPARSE = scipy.sparse.csr_matrix(X[:4])
CARD = shapley.Game("ABC", {"": 0, "A": 4, "B": 7, "C": 6, "AB": 7, "AC": 9, "BC": 15, "ABC": 19})
BIG = shapley.Game(range(25), lambda S: float(len(S)))
ROW = X[0]
Z = np.ones((6, 4), dtype=bool)
Z[1:, :3] = np.tri(5, 3, dtype=bool)[:5] == 0
W = np.linspace(1.0, 0.2, 6)
IMAGE = np.zeros((8, 8, 3), dtype=np.uint8)
IMAGE[:, 4:] = 200
SEGMENTS = np.repeat(np.arange(4), 16).reshape(8, 8)
ATTRIBUTIONS = kernel_shap.kernel_shap(REG.predict, X[:2], X[:10])
TABULAR = lime.LimeTabular(X, seed=0)
NEIGHBOURHOOD = TABULAR.sample(ROW, CLF.predict_proba, num_samples=50)
EXPLANATION = NEIGHBOURHOOD.explain(1, 3)


def images_with_nan(batch):
    return np.full((len(batch), 2), np.nan)


CASES = {
    # games
    "game.Game: players not iterable": lambda: game.Game(5, lambda S: 1.0),
    "game.Game: unhashable player": lambda: game.Game([["a"], ["b"]], lambda S: 1.0),
    "game.Game: value a list": lambda: game.Game("AB", [0, 1, 2, 3]),
    "game.Game: value returns NaN": lambda: shapley.Game("AB", lambda S: float("nan"))(("A",)),
    "game.Game: value returns a string": lambda: shapley.Game("AB", lambda S: "many")(("A",)),
    "game.Game: attributions of 25 players": lambda: BIG.attributions(),
    "game.coalition_weight: float size": lambda: game.coalition_weight(1.5, 3),
    "game.coalition_weight: n_players=10**12": lambda: game.coalition_weight(1, 10 ** 12),
    "game.coalition_weight: size >= n_players": lambda: game.coalition_weight(3, 3),
    "game.shapley_from_table: NaN in the table": lambda: game.shapley_from_table([0.0, np.nan, 1.0, 2.0]),
    "game.shapley_from_table: strings": lambda: game.shapley_from_table(["a", "b"]),
    "game.shapley_from_table: 3 rows": lambda: game.shapley_from_table([0.0, 1.0, 2.0]),
    "game.shapley_from_table: n_players=40": lambda: game.shapley_from_table(np.zeros(4), 40),
    "game.shapley_from_table: a number": lambda: game.shapley_from_table(3.0),
    # exact and sampled Shapley values
    "shapley.shapley_values: a dict, not a Game": lambda: shapley.shapley_values({"A": 1}),
    "shapley.shapley_values: 25 players": lambda: shapley.shapley_values(BIG),
    "shapley.shapley_values: unknown method": lambda: shapley.shapley_values(CARD, "banzhaf"),
    "shapley.shapley_values: orderings of 12 players": lambda: shapley.shapley_values(
        shapley.Game(range(12), lambda S: 1.0), "orderings"),
    "shapley.marginal_contributions: order an int": lambda: shapley.marginal_contributions(CARD, 3),
    "shapley.marginal_contributions: order of lists": lambda: shapley.marginal_contributions(CARD, [["A"], ["B"], ["C"]]),
    "shapley.marginal_contributions: not a Game": lambda: shapley.marginal_contributions("ABC", "ABC"),
    "shapley.sample_shapley: float n_permutations": lambda: shapley.sample_shapley(CARD, 10.0, seed=0),
    "shapley.sample_shapley: not a Game": lambda: shapley.sample_shapley(None, 10, seed=0),
    "shapley.check_axioms: values with NaN": lambda: shapley.check_axioms(
        CARD, {"A": np.nan, "B": 1.0, "C": 1.0}),
    "shapley.check_axioms: other not a Game": lambda: shapley.check_axioms(
        CARD, shapley.shapley_values, other={"A": 1}),
    "shapley.check_axioms: negative tol": lambda: shapley.check_axioms(CARD, shapley.shapley_values(CARD), tol=-1),
    "shapley.equal_split: a dict": lambda: shapley.equal_split({"A": 1.0}),
    "shapley.proportional_split: a list": lambda: shapley.proportional_split(["A", "B"]),
    "shapley.proportional_split: zero standalone worth": lambda: shapley.proportional_split(
        shapley.Game("AB", {"": 0, "A": 0, "B": 0, "AB": 1})),
    # features as players
    "shapley_model.ModelGame: sparse background": lambda: shapley_model.ModelGame(REG.predict, ROW, SPARSE),
    "shapley_model.ModelGame: pandas NA background": lambda: shapley_model.ModelGame(REG.predict, ROW, NA_FRAME),
    "shapley_model.ModelGame: model not a function": lambda: shapley_model.ModelGame(REG, ROW, X[:5]),
    "shapley_model.model_game: string row": lambda: shapley_model.model_game(REG.predict, STRINGS[0], X[:5]),
    "shapley_model.model_game: batch_rows=10**12": lambda: shapley_model.model_game(
        REG.predict, ROW, X[:5], batch_rows=10 ** 12),
    "shapley_model.model_game: two outputs": lambda: shapley_model.model_game(
        CLF.predict_proba, ROW, X[:5])(("x0",)),
    "shapley_model.model_shapley: strings": lambda: shapley_model.model_shapley(REG.predict, STRINGS, X[:5]),
    "shapley_model.model_shapley: f returns NaN": lambda: shapley_model.model_shapley(with_nan, X[:2], X[:5]),
    "shapley_model.model_shapley: wrong width": lambda: shapley_model.model_shapley(REG.predict, X[:2, :3], X[:5]),
    "shapley_model.coalition_values: NaN rows": lambda: shapley_model.coalition_values(
        REG.predict, NAN_ROWS, X[:5], Z),
    "shapley_model.coalition_values: Z of the wrong width": lambda: shapley_model.coalition_values(
        REG.predict, X[:2], X[:5], Z[:, :3]),
    "shapley_model.coalition_values: Z not 0/1": lambda: shapley_model.coalition_values(
        REG.predict, X[:2], X[:5], Z * 2.5),
    "shapley_model.coalition_values: f not a function": lambda: shapley_model.coalition_values(
        REG, X[:2], X[:5], Z),
    "shapley_model.coalition_values: f wrong shape": lambda: shapley_model.coalition_values(
        wrong_shape, X[:2], X[:5], Z),
    "shapley_model.coalition_values: batch_rows=0": lambda: shapley_model.coalition_values(
        REG.predict, X[:2], X[:5], Z, batch_rows=0),
    # KernelSHAP
    "kernel_shap.kernel_shap_loss: model not a function": lambda: kernel_shap.kernel_shap_loss(CLF, X[:2], y[:2], X[:5]),
    "kernel_shap.kernel_shap_loss: string background": lambda: kernel_shap.kernel_shap_loss(
        CLF.predict_proba, X[:2], y[:2], STRINGS),
    "kernel_shap.kernel_shap_loss: predict_proba NaN": lambda: kernel_shap.kernel_shap_loss(
        lambda r: np.full((len(r), 2), np.nan), X[:2], y[:2], X[:5]),
    "kernel_shap.kernel_shap_loss: labels of other rows": lambda: kernel_shap.kernel_shap_loss(
        CLF.predict_proba, X[:2], y[:5], X[:5]),
    "kernel_shap.kernel_shap_loss: n_samples=10**12": lambda: kernel_shap.kernel_shap_loss(
        CLF.predict_proba, X[:2], y[:2], X[:5], n_samples=10 ** 12),
    "kernel_shap.shapley_kernel: n_features=10**12": lambda: kernel_shap.shapley_kernel(10 ** 12, [1]),
    "kernel_shap.shapley_kernel: float sizes": lambda: kernel_shap.shapley_kernel(4, [1.5]),
    "kernel_shap.shapley_kernel: size > n_features": lambda: kernel_shap.shapley_kernel(4, [7]),
    "kernel_shap.coalition_plan: n_features=10**9": lambda: kernel_shap.coalition_plan(10 ** 9, 2),
    "kernel_shap.coalition_plan: float n_samples": lambda: kernel_shap.coalition_plan(5, 10.5),
    "kernel_shap.coalition_plan: negative seed": lambda: kernel_shap.coalition_plan(30, 100, seed=-1),
    "kernel_shap.coalition_values: sparse rows": lambda: kernel_shap.coalition_values(REG.predict, SPARSE, X[:5], Z),
    "kernel_shap.solve_efficient_wls: weights of the wrong length": lambda: kernel_shap.solve_efficient_wls(
        Z, W[:3], np.zeros((1, 6, 1)), np.zeros((1, 1))),
    "kernel_shap.solve_efficient_wls: NaN values": lambda: kernel_shap.solve_efficient_wls(
        Z, W, np.full((1, 6, 1), np.nan), np.zeros((1, 1))),
    "kernel_shap.solve_efficient_wls: y 2-D": lambda: kernel_shap.solve_efficient_wls(
        Z, W, np.zeros((6, 1)), np.zeros((1, 1))),
    "kernel_shap.solve_efficient_wls: negative weights": lambda: kernel_shap.solve_efficient_wls(
        Z, -W, np.zeros((1, 6, 1)), np.zeros((1, 1))),
    "kernel_shap.kernel_shap: pandas NA background": lambda: kernel_shap.kernel_shap(REG.predict, X[:2], NA_FRAME),
    # TreeSHAP
    "tree_shap.tree_shap: pandas NA (a model that does not route NaN)": lambda: tree_shap.tree_shap(BOOST, NA_FRAME),
    "tree_shap.tree_shap: NaN background": lambda: tree_shap.tree_shap(BOOST, X[:2], NAN_ROWS),
    "tree_shap.tree_shap_interactions: strings": lambda: tree_shap.tree_shap_interactions(FOREST, STRINGS),
    "tree_shap.tree_shap_interactions: unfitted": lambda: tree_shap.tree_shap_interactions(
        GradientBoostingRegressor(), X[:2]),
    "tree_shap.tree_shap_interactions: wrong width": lambda: tree_shap.tree_shap_interactions(FOREST, X[:2, :2]),
    "tree_shap.leaf_table: not a tree model": lambda: tree_shap.leaf_table(CLF),
    "tree_shap.leaf_table: unfitted": lambda: tree_shap.leaf_table(RandomForestClassifier()),
    "tree_shap.path_dependent_shap: a model, not a LeafTable": lambda: tree_shap.path_dependent_shap(FOREST, X[:2]),
    "tree_shap.path_dependent_shap: NaN rows": lambda: tree_shap.path_dependent_shap(TABLE, NAN_ROWS[:, :4] * np.inf),
    "tree_shap.path_dependent_shap: wrong width": lambda: tree_shap.path_dependent_shap(TABLE, X[:2, :3]),
    "tree_shap.interventional_shap: string background": lambda: tree_shap.interventional_shap(TABLE, X[:2], STRINGS),
    "tree_shap.interventional_shap: 1-D rows": lambda: tree_shap.interventional_shap(TABLE, ROW, X[:5]),
    # the result shape
    "explanation.Attributions: NaN values": lambda: explanation.Attributions(np.full((2, 3), np.nan), np.zeros(2)),
    "explanation.Attributions: base values of other rows": lambda: explanation.Attributions(
        np.zeros((2, 3)), np.zeros(5)),
    "explanation.Attributions: 1-D values": lambda: explanation.Attributions(np.zeros(3), 0.0),
    "explanation.Attributions: data of other rows": lambda: explanation.Attributions(
        np.zeros((2, 3)), np.zeros(2), data=np.zeros((5, 3))),
    "explanation.Attributions: two feature names for three": lambda: explanation.Attributions(
        np.zeros((2, 3)), np.zeros(2), feature_names=["a", "b"]),
    "explanation.Attributions: efficiency_gap of other rows": lambda: ATTRIBUTIONS.efficiency_gap(np.zeros(7)),
    "explanation.Attributions: strings": lambda: explanation.Attributions(STRINGS, np.zeros(3)),
    "explanation.to_explanation: a dict": lambda: explanation.to_explanation({"values": 1}),
    "explanation.to_explanation: X of other rows": lambda: explanation.to_explanation(ATTRIBUTIONS, X[:5]),
    "explanation.to_explanation: output out of range": lambda: explanation.to_explanation(
        kernel_shap.kernel_shap(CLF.predict_proba, X[:2], X[:10]), output=5),
    # LIME for tables
    "lime.LimeTabular: strings": lambda: lime.LimeTabular(STRINGS),
    "lime.LimeTabular: pandas NA": lambda: lime.LimeTabular(NA_FRAME),
    "lime.LimeTabular: one row": lambda: lime.LimeTabular(X[:1]),
    "lime.LimeTabular: categorical_features an int": lambda: lime.LimeTabular(X, categorical_features=2),
    "lime.LimeTabular: kernel_width NaN": lambda: lime.LimeTabular(X, kernel_width=np.nan),
    "lime.LimeTabular: float random_state": lambda: lime.LimeTabular(X, seed=1.5).explain(
        ROW, CLF.predict_proba, num_samples=50),
    "lime.LimeTabular: num_samples=10**12": lambda: TABULAR.explain(ROW, CLF.predict_proba, num_samples=10 ** 12),
    "lime.LimeTabular: num_samples=1.5": lambda: TABULAR.explain(ROW, CLF.predict_proba, num_samples=1.5),
    "lime.LimeTabular: num_features=0": lambda: TABULAR.explain(ROW, CLF.predict_proba, num_features=0,
                                                                num_samples=50),
    "lime.LimeTabular: batch_size=10**12": lambda: TABULAR.explain(ROW, CLF.predict_proba, num_samples=50,
                                                                   batch_size=10 ** 12),
    "lime.LimeTabular: model not a function": lambda: TABULAR.explain(ROW, CLF, num_samples=50),
    "lime.LimeTabular: string row": lambda: TABULAR.explain(STRINGS[0], CLF.predict_proba, num_samples=50),
    "lime.LimeTabular: tensor row of the wrong width": lambda: TABULAR.explain(
        torch.ones(3), CLF.predict_proba, num_samples=50),
    "lime.LimeTabular: five rows": lambda: TABULAR.explain(X[:5], CLF.predict_proba, num_samples=50),
    "lime.LimeTabular: predict_fn returns strings": lambda: TABULAR.explain(
        ROW, lambda r: np.array(["yes"] * len(r)), num_samples=50),
    "lime.LimeTabular: label out of range": lambda: TABULAR.explain(ROW, CLF.predict_proba, label=4,
                                                                    num_samples=50),
    # LIME for text
    "lime.LimeText: text a list": lambda: lime.LimeText(seed=0).explain(["a b"], len),
    "lime.LimeText: text bytes": lambda: lime.LimeText(seed=0).explain(b"good movie", len),
    "lime.LimeText: num_samples=10**12": lambda: lime.LimeText(seed=0).explain(
        "good movie", lambda t: np.ones((len(t), 2)), num_samples=10 ** 12),
    "lime.LimeText: classifier_fn NaN": lambda: lime.LimeText(seed=0).explain(
        "good movie", lambda t: np.full((len(t), 2), np.nan), num_samples=20),
    "lime.LimeText: classifier_fn wrong shape": lambda: lime.LimeText(seed=0).explain(
        "good movie", lambda t: np.ones((1, 2)), num_samples=20),
    "lime.LimeText: split_expression not a regex": lambda: lime.LimeText(split_expression="(["),
    "lime.LimeText: kernel_width 0": lambda: lime.LimeText(kernel_width=0),
    "lime.split_words: text None": lambda: lime.split_words(None),
    "lime.split_words: split_expression an int": lambda: lime.split_words("a b", 3),
    "lime.texts_from_masks: Z of the wrong width": lambda: lime.texts_from_masks(
        *lime.split_words("good bad movie")[:2], np.ones((2, 5))),
    "lime.texts_from_masks: Z not 0/1": lambda: lime.texts_from_masks(
        *lime.split_words("good bad movie")[:2], np.full((2, 3), 0.5)),
    "lime.texts_from_masks: mask_string None": lambda: lime.texts_from_masks(
        *lime.split_words("good bad movie")[:2], np.ones((2, 3)), None),
    # LIME for images
    "lime.LimeImage: greyscale": lambda: lime.LimeImage(seed=0).explain(
        IMAGE[..., 0], lambda b: np.ones((len(b), 2)), segments=SEGMENTS, num_samples=10),
    "lime.LimeImage: string image": lambda: lime.LimeImage(seed=0).explain(
        np.full((8, 8, 3), "a"), lambda b: np.ones((len(b), 2)), segments=SEGMENTS, num_samples=10),
    "lime.LimeImage: segments of another image": lambda: lime.LimeImage(seed=0).explain(
        IMAGE, lambda b: np.ones((len(b), 2)), segments=SEGMENTS[:4], num_samples=10),
    "lime.LimeImage: num_samples=10**12": lambda: lime.LimeImage(seed=0).explain(
        IMAGE, lambda b: np.ones((len(b), 2)), segments=SEGMENTS, num_samples=10 ** 12),
    "lime.LimeImage: batch_size=10**12": lambda: lime.LimeImage(seed=0).explain(
        IMAGE, lambda b: np.ones((len(b), 2)), segments=SEGMENTS, num_samples=10, batch_size=10 ** 12),
    "lime.LimeImage: classifier_fn NaN": lambda: lime.LimeImage(seed=0).explain(
        IMAGE, images_with_nan, segments=SEGMENTS, num_samples=10),
    "lime.LimeImage: negative random_state": lambda: lime.LimeImage(seed=-1).explain(
        IMAGE, lambda b: np.ones((len(b), 2)), segments=SEGMENTS, num_samples=10),
    "lime.LimeImage: feature_selection unknown": lambda: lime.LimeImage(feature_selection="best"),
    "lime.hide_superpixels: segments of another image": lambda: lime.hide_superpixels(IMAGE, SEGMENTS[:4]),
    "lime.hide_superpixels: hide_color of two numbers": lambda: lime.hide_superpixels(IMAGE, SEGMENTS, (1, 2)),
    "lime.hide_superpixels: a tensor": lambda: lime.hide_superpixels(torch.zeros(8, 8, 3), SEGMENTS),
    "lime.perturbed_images: Z of the wrong width": lambda: lime.perturbed_images(
        IMAGE, IMAGE, SEGMENTS, np.ones((2, 7))),
    "lime.perturbed_images: hidden of another shape": lambda: lime.perturbed_images(
        IMAGE, IMAGE[:4], SEGMENTS, np.ones((2, 4))),
    "lime.quickshift_superpixels: channels first": lambda: lime.quickshift_superpixels(np.zeros((3, 8, 8))),
    "lime.quickshift_superpixels: negative ratio": lambda: lime.quickshift_superpixels(IMAGE, ratio=-1),
    "lime.superpixel_mask: a tabular explanation": lambda: lime.superpixel_mask(EXPLANATION),
    "lime.superpixel_mask: a dict": lambda: lime.superpixel_mask({"weights": {}}),
    # the LIME core
    "lime.Explanation: weights for unknown features": lambda: lime.Explanation(
        1, {7: 0.5}, 0.0, 1.0, 0.5, 0.5, ["a", "b"], np.ones(2)),
    "lime.Explanation: instance of the wrong length": lambda: lime.Explanation(
        1, {0: 0.5}, 0.0, 1.0, 0.5, 0.5, ["a", "b"], np.ones(5)),
    "lime.Neighbourhood: predictions of other rows": lambda: lime.Neighbourhood(
        Z, np.ones((3, 2)), W, 1.0, list("abcd")),
    "lime.Neighbourhood: NaN predictions": lambda: lime.Neighbourhood(
        Z, np.full((6, 2), np.nan), W, 1.0, list("abcd")),
    "lime.Neighbourhood: negative kernel_width": lambda: lime.Neighbourhood(Z, np.ones((6, 2)), W, -1.0, list("abcd")),
    "lime.Neighbourhood: explain num_features=1.5": lambda: NEIGHBOURHOOD.explain(1, 1.5),
    "lime.Neighbourhood: explain unknown feature_selection": lambda: NEIGHBOURHOOD.explain(1, 3, "best"),
    "lime.exponential_kernel: NaN distances": lambda: lime.exponential_kernel([0.0, np.nan], 1.0),
    "lime.exponential_kernel: kernel_width 0": lambda: lime.exponential_kernel([0.0, 1.0], 0),
    "lime.exponential_kernel: strings": lambda: lime.exponential_kernel(["a"], 1.0),
    "lime.weighted_ridge: y of other rows": lambda: lime.weighted_ridge(Z, np.ones(3), W),
    "lime.weighted_ridge: NaN in Z": lambda: lime.weighted_ridge(NAN_ROWS, np.ones(4), np.ones(4)),
    "lime.weighted_ridge: negative alpha": lambda: lime.weighted_ridge(Z, np.ones(6), W, alpha=-1),
    "lime.weighted_ridge: all weights zero": lambda: lime.weighted_ridge(Z, np.ones(6), np.zeros(6)),
    "lime.weighted_r2: prediction of other rows": lambda: lime.weighted_r2(np.ones(6), np.ones(4), W),
    "lime.weighted_r2: NaN prediction": lambda: lime.weighted_r2(np.ones(6), np.full(6, np.nan), W),
    "lime.select_features: unknown method": lambda: lime.select_features(Z, np.ones(6), W, 2, "best"),
    "lime.select_features: num_features=0": lambda: lime.select_features(Z, np.ones(6), W, 0),
    "lime.forward_selection: sparse Z": lambda: lime.forward_selection(SPARSE, np.ones(4), np.ones(4), 2),
    "lime.forward_selection: num_features a string": lambda: lime.forward_selection(Z, np.ones(6), W, "2"),
    "lime.highest_weights: negative weights": lambda: lime.highest_weights(Z, np.ones(6), -W, 2),
    "lime.fit_surrogate: distances of other rows": lambda: lime.fit_surrogate(Z, np.ones(6), W[:2], 1.0),
    "lime.fit_surrogate: kernel_width a string": lambda: lime.fit_surrogate(Z, np.ones(6), W, "wide"),
    "lime.fit_surrogate: num_features=-1": lambda: lime.fit_surrogate(Z, np.ones(6), W, 1.0, num_features=-1),
    "lime.core.lasso_path_selection: y with NaN": lambda: core.lasso_path_selection(
        Z, np.full(6, np.nan), W, 2),
    "lime.core.cosine_distances_to_first: 1-D": lambda: core.cosine_distances_to_first(np.ones(4)),
    "lime.core.euclidean_distances_to_first: NaN": lambda: core.euclidean_distances_to_first(NAN_ROWS),
    # LIME diagnostics
    "lime.diagnostics.top_features: a dict": lambda: diagnostics.top_features({"weights": {}}),
    "lime.diagnostics.top_features: k=0": lambda: diagnostics.top_features(EXPLANATION, k=0),
    "lime.diagnostics.stability: one explanation": lambda: diagnostics.stability([EXPLANATION]),
    "lime.diagnostics.stability: not a list": lambda: diagnostics.stability(EXPLANATION),
    "lime.diagnostics.local_fit_2d: num_samples=10**12": lambda: diagnostics.local_fit_2d(
        REG.predict, ROW, 1.0, num_samples=10 ** 12),
    "lime.diagnostics.local_fit_2d: predict_fn two outputs": lambda: diagnostics.local_fit_2d(
        CLF.predict_proba, ROW, 1.0),
    "lime.diagnostics.local_fit_2d: negative seed": lambda: diagnostics.local_fit_2d(REG.predict, ROW, 1.0, seed=-1),
    "lime.diagnostics.local_fit_2d: x 2-D": lambda: diagnostics.local_fit_2d(REG.predict, X[:3], 1.0),
    "lime.diagnostics.local_fidelity_error: n_eval=10**12": lambda: diagnostics.local_fidelity_error(
        REG.predict, ROW, 1.0, n_eval=10 ** 12),
    "lime.diagnostics.local_fidelity_error: predict_fn NaN": lambda: diagnostics.local_fidelity_error(
        with_nan, ROW, 1.0),
    "lime.diagnostics.local_fidelity_error: radius 0": lambda: diagnostics.local_fidelity_error(
        REG.predict, ROW, 1.0, radius=0),
    "lime.diagnostics.impossible_share: rule not a function": lambda: diagnostics.impossible_share(X, "ap_lo > ap_hi"),
    "lime.diagnostics.impossible_share: rule of other rows": lambda: diagnostics.impossible_share(
        X, lambda rows: rows[:3, 0] > 0),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_bad_input_gets_a_clear_error_fast(case):
    assert_clear_error(CASES[case], case)


def test_the_bounds_leave_correct_calls_alone():
    """What the probes refuse stays allowed in the ranges a notebook uses."""
    assert game.coalition_weight(2, 5) == pytest.approx(1 / 30)
    assert kernel_shap.shapley_kernel(4, np.array([0, 2, 4]))[1] == pytest.approx(3 / 24)
    assert len(TABULAR.explain(ROW, CLF.predict_proba, num_samples=60, batch_size=7).weights) == 4
    assert lime.texts_from_masks(*lime.split_words("good bad movie")[:2], np.array([[1, 0, 1]])) == ["good  movie"]
    mask = lime.LimeImage(seed=0).explain(IMAGE, lambda b: b.mean(axis=(1, 2))[:, :2],
                                                  segments=SEGMENTS, num_samples=20)
    assert lime.superpixel_mask(mask).shape == (8, 8)


def test_messages_name_the_problem():
    """A sparse table says "sparse"; 10**12 samples name the bound; too many players name the limit."""
    sparse = assert_clear_error(lambda: lime.LimeTabular(SPARSE))
    assert "sparse" in sparse and "encode text" not in sparse
    assert "at most" in assert_clear_error(CASES["lime.LimeTabular: num_samples=10**12"])
    assert "limit 20" in assert_clear_error(CASES["shapley.shapley_values: 25 players"])
    assert "'many'" in assert_clear_error(CASES["game.Game: value returns a string"])
    assert "finite" in assert_clear_error(CASES["game.Game: value returns NaN"])
