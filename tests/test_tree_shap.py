"""TreeSHAP: path-dependent equals shap.TreeExplainer; interventional equals exact enumeration."""
import itertools
import math

import numpy as np
import pytest
import shap
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_breast_cancer, load_diabetes, make_classification
from sklearn.ensemble import (ExtraTreesClassifier, ExtraTreesRegressor,
                              GradientBoostingClassifier, GradientBoostingRegressor,
                              RandomForestClassifier, RandomForestRegressor)
from sklearn.linear_model import LinearRegression
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from course_lib.tree_shap import Attributions, leaf_table, to_explanation, tree_shap


@pytest.fixture(scope="module")
def data():
    Xd, yd = load_diabetes(return_X_y=True)
    Xc, yc = make_classification(600, 8, n_informative=5, random_state=0)
    Xm, ym = make_classification(600, 7, n_informative=5, n_classes=3, n_clusters_per_class=1,
                                 random_state=1)
    Xb, yb = load_breast_cancer(return_X_y=True)
    return {"diabetes": (Xd, yd), "binary": (Xc, yc), "multiclass": (Xm, ym),
            "cancer": (Xb[:, :12], yb)}


MODELS = [
    ("diabetes", lambda s: DecisionTreeRegressor(max_depth=6, random_state=s)),
    ("diabetes", lambda s: RandomForestRegressor(25, max_depth=8, random_state=s)),
    ("diabetes", lambda s: RandomForestRegressor(5, random_state=s)),  # unlimited depth
    ("diabetes", lambda s: ExtraTreesRegressor(20, max_depth=7, random_state=s)),
    ("diabetes", lambda s: GradientBoostingRegressor(n_estimators=60, max_depth=3, random_state=s)),
    ("diabetes", lambda s: GradientBoostingRegressor(n_estimators=20, loss="huber", subsample=0.7,
                                                     random_state=s)),
    ("binary", lambda s: DecisionTreeClassifier(max_depth=5, random_state=s)),
    ("binary", lambda s: RandomForestClassifier(25, max_depth=8, random_state=s)),
    ("cancer", lambda s: RandomForestClassifier(25, min_samples_leaf=3, random_state=s)),
    ("binary", lambda s: ExtraTreesClassifier(25, max_depth=6, random_state=s)),
    ("binary", lambda s: GradientBoostingClassifier(n_estimators=60, max_depth=3, random_state=s)),
    ("cancer", lambda s: GradientBoostingClassifier(n_estimators=40, max_depth=4, random_state=s)),
    ("multiclass", lambda s: DecisionTreeClassifier(max_depth=6, random_state=s)),
    ("multiclass", lambda s: RandomForestClassifier(25, max_depth=7, random_state=s)),
    ("multiclass", lambda s: ExtraTreesClassifier(20, max_depth=7, random_state=s)),
]


def model_output(model, X):
    """What the trees add up to: probabilities, log-odds for GB classifiers, else predictions."""
    if isinstance(model, GradientBoostingClassifier):
        return model.decision_function(X)
    if hasattr(model, "predict_proba"):
        return model.predict_proba(X)
    return model.predict(X)


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("dataset, make", MODELS,
                         ids=[f"{d}-{m(0).__class__.__name__}-{i}" for i, (d, m) in enumerate(MODELS)])
def test_path_dependent_equals_shap_tree_explainer(data, dataset, make, seed):
    X, y = data[dataset]
    model = make(seed).fit(X, y)
    rows = X[np.random.default_rng(seed).choice(len(X), 150, replace=False)]
    explainer = shap.TreeExplainer(model)
    reference = explainer.shap_values(rows)
    ours = tree_shap(model, rows)
    assert ours.values.shape == np.shape(reference)
    np.testing.assert_allclose(ours.values, reference, atol=1e-8, rtol=0)
    expected = np.ravel(explainer.expected_value)
    np.testing.assert_allclose(ours.base_values, np.broadcast_to(
        expected if ours.values.ndim == 3 else expected[0], ours.base_values.shape), atol=1e-8)
    # efficiency: base + sum = what the model outputs
    np.testing.assert_allclose(ours.efficiency_gap(model_output(model, rows)), 0, atol=1e-8)


def test_multi_output_regressor_equals_shap(data):
    X, y = data["diabetes"]
    model = RandomForestRegressor(10, max_depth=6, random_state=0).fit(X, np.c_[y, np.sqrt(y)])
    ours = tree_shap(model, X[:80])
    reference = shap.TreeExplainer(model).shap_values(X[:80])
    assert ours.values.shape == reference.shape == (80, 10, 2)
    np.testing.assert_allclose(ours.values, reference, atol=1e-8)


def test_pattern_lookup_and_direct_computation_agree(data):
    """Few rows are computed directly, many rows through the 2^l pattern table: same numbers."""
    X, y = data["binary"]
    model = RandomForestClassifier(10, max_depth=6, random_state=0).fit(X, y)
    few = tree_shap(model, X[:3]).values
    many = tree_shap(model, X[:500]).values[:3]
    np.testing.assert_allclose(few, many, atol=1e-14)


# ------------------------------------------------------------------------- against definitions
def conditional_expectation(tree, x, S, node=0):
    """E[f(x) | x_S] along the tree's paths (the path-dependent value function), by recursion."""
    left, right = tree.children_left[node], tree.children_right[node]
    if left == -1:
        return tree.value[node, 0, 0]
    d = tree.feature[node]
    if d in S:
        child = left if np.float32(x[d]) <= tree.threshold[node] else right
        return conditional_expectation(tree, x, S, child)
    cover = tree.weighted_n_node_samples
    return (cover[left] * conditional_expectation(tree, x, S, left)
            + cover[right] * conditional_expectation(tree, x, S, right)) / cover[node]


def shapley_by_enumeration(value, M):
    phi = np.zeros(M)
    for j in range(M):
        others = [k for k in range(M) if k != j]
        for size in range(M):
            weight = math.factorial(size) * math.factorial(M - size - 1) / math.factorial(M)
            for S in itertools.combinations(others, size):
                phi[j] += weight * (value(set(S) | {j}) - value(set(S)))
    return phi


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), depth=st.integers(1, 6), M=st.integers(2, 5))
def test_path_dependent_equals_enumeration_of_its_value_function(seed, depth, M):
    rng = np.random.default_rng(seed)
    X = np.round(rng.normal(size=(120, M)), 1)
    y = X[:, 0] * (X[:, 1] > 0) + rng.normal(size=120)
    model = DecisionTreeRegressor(max_depth=depth, random_state=seed).fit(X, y)
    rows = X[:3]
    ours = tree_shap(model, rows)
    for r in range(len(rows)):
        expected = shapley_by_enumeration(
            lambda S: conditional_expectation(model.tree_, rows[r], S), M)
        np.testing.assert_allclose(ours.values[r], expected, atol=1e-10)
    np.testing.assert_allclose(ours.efficiency_gap(model.predict(rows)), 0, atol=1e-10)


def interventional_by_enumeration(f, x, background):
    M = len(x)

    def value(S):
        hybrid = background.copy()
        hybrid[:, sorted(S)] = x[sorted(S)]
        return np.atleast_1d(np.asarray(f(hybrid), float).mean(axis=0))

    return np.array([shapley_by_enumeration(lambda S: value(S)[k], M)
                     for k in range(np.size(value(set())))]).T


@pytest.mark.parametrize("make, output", [
    (lambda: DecisionTreeRegressor(max_depth=7, random_state=0), "predict"),
    (lambda: RandomForestRegressor(8, max_depth=6, random_state=0), "predict"),
    (lambda: ExtraTreesClassifier(8, max_depth=6, random_state=0), "predict_proba"),
    (lambda: GradientBoostingClassifier(n_estimators=15, max_depth=3, random_state=0),
     "decision_function"),
])
def test_interventional_equals_exact_enumeration(data, make, output):
    X, y = data["diabetes"]
    X = X[:, :6]
    target = y if output == "predict" else (y > 140)
    model = make().fit(X, target)
    background, rows = X[100:112], X[:4]
    ours = tree_shap(model, rows, background=background)
    f = getattr(model, output)
    for r in range(len(rows)):
        expected = interventional_by_enumeration(f, rows[r], background)
        np.testing.assert_allclose(ours.values[r], expected.reshape(ours.values[r].shape),
                                   atol=1e-10)
    base = np.asarray(f(background), float).mean(axis=0)
    np.testing.assert_allclose(ours.base_values, np.broadcast_to(base, ours.base_values.shape),
                               atol=1e-12)
    np.testing.assert_allclose(ours.efficiency_gap(f(rows)), 0, atol=1e-10)


def test_interventional_equals_course_lib_kernel_shap(data):
    from course_lib.kernel_shap import kernel_shap

    X, y = data["multiclass"]
    model = RandomForestClassifier(15, max_depth=6, random_state=0).fit(X, y)
    background, rows = X[300:330], X[:10]
    np.testing.assert_allclose(tree_shap(model, rows, background).values,
                               kernel_shap(model.predict_proba, rows, background).values,
                               atol=1e-10)


def test_float32_thresholds_route_like_sklearn():
    """A value that is above the threshold in float64 but equal to it in float32 goes left."""
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    model = DecisionTreeRegressor(max_depth=1).fit(X, [0.0, 0.0, 10.0, 10.0])
    threshold = model.tree_.threshold[0]
    x = np.nextafter(np.float64(np.float32(threshold)), np.inf)  # > threshold in float64
    assert x > threshold and np.float32(x) <= threshold
    row = np.array([[x]])
    result = tree_shap(model, row)
    np.testing.assert_allclose(result.predictions, model.predict(row))
    np.testing.assert_allclose(tree_shap(model, row, background=X).predictions, model.predict(row))


# ------------------------------------------------------------------------- plumbing
def test_stump_and_single_leaf():
    model = DecisionTreeRegressor().fit(np.zeros((5, 3)), np.arange(5.0))  # no split possible
    result = tree_shap(model, np.ones((2, 3)))
    np.testing.assert_allclose(result.values, 0)
    np.testing.assert_allclose(result.base_values, 2.0)


def test_leaf_table_reads_paths(data):
    X, y = data["binary"]
    model = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y)
    table = leaf_table(model)
    assert table.value.shape == (model.tree_.n_leaves, 2)
    np.testing.assert_allclose(table.value.sum(axis=1), 1)
    # the zero fractions along a path multiply to the leaf's share of the training cover
    cover = model.tree_.weighted_n_node_samples
    leaves = np.flatnonzero(model.tree_.children_left == -1)
    np.testing.assert_allclose(np.sort(table.zero_fraction.prod(axis=1)),
                               np.sort(cover[leaves] / cover[0]))


def test_dataframe_keeps_names_and_converts_to_shap(data):
    pd = pytest.importorskip("pandas")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y = data["diabetes"]
    frame = pd.DataFrame(X, columns=load_diabetes().feature_names)
    model = GradientBoostingRegressor(n_estimators=20, random_state=0).fit(frame, y)
    result = tree_shap(model, frame.iloc[:20])
    assert isinstance(result, Attributions) and result.feature_names[2] == "bmi"
    explanation = to_explanation(result)
    assert explanation.values.shape == (20, 10)
    shap.plots.beeswarm(explanation, show=False)
    plt.close("all")


def test_clear_errors(data):
    X, y = data["binary"]
    with pytest.raises(TypeError, match="RandomForestClassifier"):
        tree_shap(LinearRegression().fit(X, y), X[:2])
    Xm, ym = data["multiclass"]
    with pytest.raises(ValueError, match="binary classification only.*3 classes"):
        tree_shap(GradientBoostingClassifier(n_estimators=3).fit(Xm, ym), Xm[:2])
    with pytest.raises(Exception, match="not fitted"):
        tree_shap(RandomForestRegressor(), X[:2])
    model = DecisionTreeClassifier(max_depth=3).fit(X, y)
    with pytest.raises(ValueError, match=r"\(2, 5\).*8 features"):
        tree_shap(model, X[:2, :5])
    bad = X[:4].copy()
    bad[2, 1] = np.nan
    with pytest.raises(ValueError, match="row 2"):
        tree_shap(model, bad)
    with pytest.raises(ValueError, match=r"background has shape \(3, 4\)"):
        tree_shap(model, X[:2], background=X[:3, :4])
    with pytest.raises(ValueError, match="2-D"):
        tree_shap(model, X[0])
    with pytest.raises(ValueError, match="multi-output"):
        tree_shap(DecisionTreeClassifier().fit(X, np.c_[y, y]), X[:2])
