"""TreeSHAP: path-dependent equals shap.TreeExplainer; interventional equals exact enumeration."""
import itertools
import math

import numpy as np
import pytest
import shap
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_breast_cancer, load_diabetes, make_classification
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import (BaggingClassifier, BaggingRegressor, ExtraTreesClassifier,
                              ExtraTreesRegressor, GradientBoostingClassifier,
                              GradientBoostingRegressor, HistGradientBoostingClassifier,
                              HistGradientBoostingRegressor, IsolationForest,
                              RandomForestClassifier, RandomForestRegressor)
from sklearn.ensemble._iforest import _average_path_length
from sklearn.linear_model import LinearRegression
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from course_lib.explanation import Attributions, to_explanation
from course_lib.tree_shap import leaf_table, tree_shap


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
    with pytest.raises(Exception, match="not fitted"):
        tree_shap(RandomForestRegressor(), X[:2])
    model = DecisionTreeClassifier(max_depth=3).fit(X, y)
    with pytest.raises(ValueError, match=r"\(2, 5\).*8 features"):
        tree_shap(model, X[:2, :5])
    bad = X[:4].copy()
    bad[2, 1] = np.nan          # GradientBoosting (unlike the trees) does not route NaN
    with pytest.raises(ValueError, match="row 2"):
        tree_shap(GradientBoostingRegressor(n_estimators=3).fit(X, y), bad)
    bad[2, 1] = np.inf
    with pytest.raises(ValueError, match="row 2"):
        tree_shap(model, bad)
    with pytest.raises(ValueError, match=r"background has shape \(3, 4\)"):
        tree_shap(model, X[:2], background=X[:3, :4])
    with pytest.raises(ValueError, match="2-D"):
        tree_shap(model, X[0])
    with pytest.raises(ValueError, match="multi-output"):
        tree_shap(DecisionTreeClassifier().fit(X, np.c_[y, y]), X[:2])
    with pytest.raises(TypeError, match="estimator is a decision tree.*LinearRegression"):
        tree_shap(BaggingRegressor(LinearRegression(), n_estimators=2).fit(X, y), X[:2])
    categorical = HistGradientBoostingClassifier(max_iter=2, categorical_features=[0])
    with pytest.raises(ValueError, match="categorical features"):
        tree_shap(categorical.fit(np.c_[np.arange(len(X)) % 3, X[:, 1:]], y), X[:2])


# ------------------------------------------------------------------------- more ensembles
def tree_arrays(tree, features=None, normalise=False):
    """A scikit-learn tree_ as plain arrays, columns mapped to the model's (bagging)."""
    feature = tree.feature if features is None else np.where(
        tree.feature >= 0, np.asarray(features)[np.maximum(tree.feature, 0)], -2)
    value = tree.value.reshape(tree.node_count, -1)
    if normalise:
        value = value / value.sum(axis=1, keepdims=True)
    return dict(left=tree.children_left, right=tree.children_right, feature=feature,
                threshold=tree.threshold, nan_left=tree.missing_go_to_left.astype(bool),
                cover=tree.weighted_n_node_samples, value=value, float32=True)


def hist_arrays(predictor):
    nodes = predictor.nodes
    leaf = nodes["is_leaf"].astype(bool)
    return dict(left=np.where(leaf, -1, nodes["left"].astype(int)),
                right=np.where(leaf, -1, nodes["right"].astype(int)), feature=nodes["feature_idx"],
                threshold=nodes["num_threshold"], nan_left=nodes["missing_go_to_left"].astype(bool),
                cover=nodes["count"].astype(float), value=nodes["value"].reshape(-1, 1),
                float32=False)


def path_value(t, x, S, node=0):
    """E[f(x) | x_S] along the tree's paths, NaN sent the way the split learned."""
    left, right = t["left"][node], t["right"][node]
    if left == -1:
        return t["value"][node]
    d = t["feature"][node]
    if d in S:
        v = np.float32(x[d]) if t["float32"] else x[d]
        child = (left if t["nan_left"][node] else right) if np.isnan(v) else (
            left if v <= t["threshold"][node] else right)
        return path_value(t, x, S, child)
    cover = t["cover"]
    return (cover[left] * path_value(t, x, S, left)
            + cover[right] * path_value(t, x, S, right)) / cover[node]


def check_against_enumeration(result, value_of, rows, atol=1e-10):
    M = rows.shape[1]
    for r in range(len(rows)):
        outputs = np.size(value_of(rows[r], set()))
        expected = np.array([shapley_by_enumeration(lambda S: np.atleast_1d(
            value_of(rows[r], S))[k], M) for k in range(outputs)]).T
        np.testing.assert_allclose(result.values[r], expected.reshape(result.values[r].shape),
                                   atol=atol, rtol=0)


@pytest.fixture(scope="module")
def with_missing():
    """Diabetes (6 features) and a 3-class problem, 10 % of entries missing."""
    rng = np.random.default_rng(0)
    X, y = load_diabetes(return_X_y=True)
    X = X[:, :6].copy()
    Xm, ym = make_classification(500, 6, n_informative=4, n_classes=3, n_clusters_per_class=1,
                                 random_state=0)
    for A in (X, Xm):
        A[rng.random(A.shape) < 0.1] = np.nan
    return X, y, Xm, ym


@pytest.mark.parametrize("kind", ["regression", "binary", "multiclass"])
def test_hist_gradient_boosting_equals_shap_and_enumeration(with_missing, kind):
    """shap's test_HistGradientBoosting{Regressor,Classifier_multidim} cases, with NaN in X."""
    X, y, Xm, ym = with_missing
    if kind == "regression":
        model = HistGradientBoostingRegressor(max_iter=60, max_depth=4, random_state=0).fit(X, y)
        rows, output = X[:120], model.predict
    else:
        target = ym if kind == "multiclass" else ym > 0
        model = HistGradientBoostingClassifier(max_iter=30, max_depth=4,
                                               random_state=0).fit(Xm, target)
        rows, output = Xm[:120], model.decision_function
    assert np.isnan(rows).any()
    ours = tree_shap(model, rows)
    explainer = shap.TreeExplainer(model, model_output="raw")
    reference = explainer.shap_values(rows)
    assert ours.values.shape == np.shape(reference)
    np.testing.assert_allclose(ours.values, reference, atol=1e-8, rtol=0)
    np.testing.assert_allclose(ours.base_values[0], np.ravel(explainer.expected_value)
                               if kind == "multiclass" else np.ravel(explainer.expected_value)[0],
                               atol=1e-8)
    np.testing.assert_allclose(ours.efficiency_gap(output(rows)), 0, atol=1e-8)
    K = model.n_trees_per_iteration_
    trees = [[hist_arrays(p[k]) for p in model._predictors] for k in range(K)]
    base = np.ravel(model._baseline_prediction)

    def value_of(x, S):
        return np.array([base[k] + sum(path_value(t, x, S)[0] for t in trees[k])
                         for k in range(K)])

    check_against_enumeration(ours, value_of, rows[:3])


def test_hist_gradient_boosting_interventional_with_missing(with_missing):
    X, y, _, _ = with_missing
    model = HistGradientBoostingRegressor(max_iter=20, max_depth=3, random_state=0).fit(X, y)
    background, rows = X[200:210], X[:4]
    assert np.isnan(rows).any() and np.isnan(background).any()
    ours = tree_shap(model, rows, background=background)
    for r in range(len(rows)):
        expected = interventional_by_enumeration(model.predict, rows[r], background)
        np.testing.assert_allclose(ours.values[r], expected[:, 0], atol=1e-10)
    np.testing.assert_allclose(ours.efficiency_gap(model.predict(rows)), 0, atol=1e-10)


def test_sklearn_tree_with_missing_values_like_shap():
    """shap's test_sklearn_tree_explainer_with_missing_values."""
    X = np.array([[1], [None], [np.nan], [float("nan")], [100]], dtype=float)
    model = DecisionTreeClassifier().fit(X, [1, 0, 0, 0, 0])
    result = tree_shap(model, X)
    np.testing.assert_allclose(result.values[:, 0, 1], [4 / 5, -1 / 5, -1 / 5, -1 / 5, -1 / 5],
                               atol=1e-12)
    np.testing.assert_allclose(result.efficiency_gap(model.predict_proba(X)), 0, atol=1e-12)


@pytest.mark.parametrize("make", [
    lambda: RandomForestRegressor(10, max_depth=6, random_state=0),
    lambda: DecisionTreeRegressor(max_depth=6, random_state=0),
])
def test_forests_route_missing_values_like_shap(with_missing, make):
    X, y, _, _ = with_missing
    model = make().fit(X, y)
    ours = tree_shap(model, X[:100])
    np.testing.assert_allclose(ours.values, shap.TreeExplainer(model).shap_values(X[:100]),
                               atol=1e-8)
    np.testing.assert_allclose(ours.efficiency_gap(model.predict(X[:100])), 0, atol=1e-8)


def test_multiclass_gradient_boosting_equals_enumeration(data):
    X, y = data["multiclass"]
    model = GradientBoostingClassifier(n_estimators=15, max_depth=3, random_state=0).fit(X, y)
    rows = X[:60]
    ours = tree_shap(model, rows)
    assert ours.values.shape == (60, 7, 3)
    np.testing.assert_allclose(ours.efficiency_gap(model.decision_function(rows)), 0, atol=1e-10)
    base = model._raw_predict_init(rows[:1])[0]

    def value_of(x, S):
        return np.array([base[k] + model.learning_rate * sum(
            path_value(tree_arrays(e.tree_), x, S)[0] for e in model.estimators_[:, k])
            for k in range(3)])

    check_against_enumeration(ours, value_of, rows[:2])
    # each class's trees alone are an ordinary boosted regression: shap agrees on the values
    one_class = GradientBoostingRegressor(n_estimators=15, max_depth=3).fit(X[:50], y[:50])
    one_class.estimators_ = model.estimators_[:, 1:2]
    np.testing.assert_allclose(ours.values[..., 1],
                               shap.TreeExplainer(one_class).shap_values(rows), atol=1e-8)


@pytest.mark.parametrize("init, loss, multiclass", [
    (DummyClassifier(strategy="prior"), "log_loss", False),
    (DummyClassifier(strategy="uniform"), "log_loss", False),
    (DummyClassifier(strategy="uniform"), "exponential", False),
    (DummyClassifier(strategy="most_frequent"), "exponential", False),
    (DummyClassifier(strategy="most_frequent"), "log_loss", False),
    (DummyClassifier(strategy="uniform"), "log_loss", True),
    (DummyClassifier(strategy="most_frequent"), "log_loss", True),
    ("zero", "log_loss", True),
    ("zero", "log_loss", False),
])
def test_gradient_boosting_starts_from_its_init_estimator(data, init, loss, multiclass):
    """base + sum = decision_function whatever constant init the booster was given."""
    X, y = data["multiclass"]
    target = y if multiclass else y > 0
    model = GradientBoostingClassifier(n_estimators=10, init=init, loss=loss,
                                       random_state=0).fit(X, target)
    ours = tree_shap(model, X[:50])
    # a one-hot init (most_frequent) makes leaves of size ~1/eps: compare relative to them
    scale = max(1.0, np.abs(ours.values).max())
    np.testing.assert_allclose(ours.efficiency_gap(model.decision_function(X[:50])), 0,
                               atol=1e-12 * scale)
    if not multiclass and init != "zero":   # shap reads a Dummy init (as the prior): values agree
        np.testing.assert_allclose(ours.values, shap.TreeExplainer(model).shap_values(X[:50]),
                                   atol=1e-8 * scale)


def test_gradient_boosting_regressor_with_dummy_init(data):
    X, y = data["diabetes"]
    for init in (DummyRegressor(strategy="median"), DummyRegressor(strategy="quantile",
                                                                   quantile=0.3)):
        model = GradientBoostingRegressor(n_estimators=10, init=init, random_state=0).fit(X, y)
        ours = tree_shap(model, X[:40])
        np.testing.assert_allclose(ours.efficiency_gap(model.predict(X[:40])), 0, atol=1e-10)
        np.testing.assert_allclose(ours.values, shap.TreeExplainer(model).shap_values(X[:40]),
                                   atol=1e-8)


def test_gradient_boosting_refuses_a_random_or_fitted_init(data):
    X, y = data["binary"]
    stratified = GradientBoostingClassifier(n_estimators=3, init=DummyClassifier(
        strategy="stratified", random_state=0)).fit(X, y)
    with pytest.raises(TypeError, match="stratified.*not one constant"):
        tree_shap(stratified, X[:2])
    linear = GradientBoostingRegressor(n_estimators=3, init=LinearRegression()).fit(X, y)
    with pytest.raises(TypeError, match="LinearRegression.*not one constant"):
        tree_shap(linear, X[:2])


@pytest.mark.parametrize("classifier", [False, True])
def test_bagging_of_trees_equals_enumeration(data, classifier):
    """Each bag sees a subset of the columns (max_features), its trees number them from 0."""
    if classifier:
        X, y = data["multiclass"]
        model = BaggingClassifier(DecisionTreeClassifier(max_depth=4), n_estimators=12,
                                  max_features=0.7, max_samples=8, random_state=0).fit(X, y)
        output = model.predict_proba
    else:
        X, y = data["diabetes"]
        X = X[:, :6]
        model = BaggingRegressor(DecisionTreeRegressor(max_depth=5), n_estimators=10,
                                 max_features=0.6, random_state=0).fit(X, y)
        output = model.predict
    rows = X[:50]
    ours = tree_shap(model, rows)
    np.testing.assert_allclose(ours.efficiency_gap(output(rows)), 0, atol=1e-10)
    K = len(model.classes_) if classifier else 1

    def value_of(x, S):
        total = np.zeros(K)
        for e, f in zip(model.estimators_, model.estimators_features_):
            v = path_value(tree_arrays(e.tree_, f, normalise=classifier), x, S)
            total += v
        return total / len(model.estimators_)

    check_against_enumeration(ours, value_of, rows[:2])


@pytest.mark.parametrize("max_features", [1.0, 0.75])
def test_isolation_forest_equals_shap(data, max_features):
    """shap's test_isolation_forest: the values add up to the mean path length."""
    X, _ = data["diabetes"]
    model = IsolationForest(n_estimators=30, max_features=max_features, random_state=0).fit(X)
    ours = tree_shap(model, X[:150])
    explainer = shap.TreeExplainer(model)
    np.testing.assert_allclose(ours.values, explainer.shap_values(X[:150]), atol=1e-8)
    np.testing.assert_allclose(ours.base_values, np.ravel(explainer.expected_value)[0], atol=1e-8)
    c = _average_path_length(np.array([model.max_samples_]))[0]
    np.testing.assert_allclose(-(2 ** (-ours.predictions / c)), model.score_samples(X[:150]),
                               atol=1e-10)
