"""The readable versions the lectures print are equal to the fast ones the library runs."""
import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.tree import DecisionTreeRegressor

from course_lib.shapley_model import coalition_value, model_game
from course_lib.tree_shap import readable_tree_shap, tree_shap


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True)
    return X, y


@pytest.mark.parametrize("depth", [1, 2, 3, 6, None])
def test_readable_tree_shap_equals_tree_shap_on_one_tree(diabetes, depth):
    X, y = diabetes
    tree = DecisionTreeRegressor(max_depth=depth, random_state=0).fit(X, y)
    fast = tree_shap(tree, X[:15]).values
    readable = np.array([readable_tree_shap(tree.tree_, row) for row in X[:15]])
    np.testing.assert_allclose(readable, fast, atol=1e-8)


def test_readable_tree_shap_handles_a_feature_used_twice_on_a_path():
    # one feature only: every path splits on it repeatedly (the UNWIND-before-EXTEND branch)
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(size=300), rng.normal(size=300)])
    y = np.sin(3 * X[:, 0]) + 0.3 * X[:, 1]
    tree = DecisionTreeRegressor(max_depth=5, random_state=0).fit(X, y)
    assert np.sum(tree.tree_.feature == 0) > 3             # x0 is split on again and again
    readable = np.array([readable_tree_shap(tree.tree_, row) for row in X[:20]])
    np.testing.assert_allclose(readable, tree_shap(tree, X[:20]).values, atol=1e-10)
    # efficiency: base + sum = prediction
    base = tree_shap(tree, X[:1]).base_values[0]
    np.testing.assert_allclose(base + readable.sum(axis=1), tree.predict(X[:20]), atol=1e-10)


def test_readable_tree_shap_summed_over_a_boosted_ensemble(diabetes):
    X, y = diabetes
    model = GradientBoostingRegressor(n_estimators=20, max_depth=3, random_state=0).fit(X, y)
    rows = X[:5]
    readable = sum(model.learning_rate * np.array([readable_tree_shap(t.tree_, row) for row in rows])
                   for t in model.estimators_[:, 0])
    np.testing.assert_allclose(readable, tree_shap(model, rows).values, atol=1e-8)


def test_readable_tree_shap_equals_shap(diabetes):
    shap = pytest.importorskip("shap")
    X, y = diabetes
    tree = DecisionTreeRegressor(max_depth=4, random_state=0).fit(X, y)
    np.testing.assert_allclose(readable_tree_shap(tree.tree_, X[3]),
                               shap.TreeExplainer(tree).shap_values(X[3:4])[0], atol=1e-8)


def test_coalition_value_equals_the_batched_game(diabetes):
    X, y = diabetes
    model = GradientBoostingRegressor(n_estimators=20, max_depth=3, random_state=0).fit(X[:, :4], y)
    x, background = X[7, :4], X[100:130, :4]
    game = model_game(model.predict, x, background)
    for coalition in [(), (0,), (1, 3), (0, 1, 2), (0, 1, 2, 3)]:
        expected = game(tuple(game.players[j] for j in coalition))
        assert coalition_value(model.predict, x, background, coalition) == pytest.approx(expected, abs=1e-10)
    assert coalition_value(model.predict, x, background, range(4)) == pytest.approx(model.predict(x[None])[0])


@pytest.mark.parametrize("kwargs, message", [
    (dict(coalition=[4]), "coalition must hold feature indices 0..3"),
    (dict(background=np.zeros((3, 2))), r"background must have shape \(n, 4\)"),
])
def test_coalition_value_errors(kwargs, message):
    arguments = dict(f=lambda X: X.sum(axis=1), x=np.ones(4), background=np.zeros((3, 4)), coalition=[0])
    arguments.update(kwargs)
    with pytest.raises(ValueError, match=message):
        coalition_value(**arguments)
