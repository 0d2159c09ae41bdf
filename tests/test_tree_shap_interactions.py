"""SHAP interaction values: equal to shap's shap_interaction_values, efficient, and the
Shapley interaction index by brute force on a tiny tree."""
from itertools import combinations
from math import factorial

import numpy as np
import pytest
import shap
from sklearn.ensemble import (GradientBoostingClassifier, GradientBoostingRegressor,
                              RandomForestClassifier, RandomForestRegressor)
from sklearn.tree import DecisionTreeRegressor

from course_lib.tree_shap import tree_shap, tree_shap_interactions


def _data(n=300, m=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, m))
    y = X[:, 0] * X[:, 1] + X[:, 2] + (X[:, 3] > 0) - 0.5 * X[:, 1] * X[:, m - 1]
    return X, y


MODELS = {
    "tree": lambda: DecisionTreeRegressor(max_depth=5, random_state=0),
    "boosting": lambda: GradientBoostingRegressor(n_estimators=40, max_depth=3, random_state=0),
    "forest": lambda: RandomForestRegressor(n_estimators=15, max_depth=6, random_state=0),
    "log-odds": lambda: GradientBoostingClassifier(n_estimators=30, max_depth=3, random_state=0),
    "forest classifier": lambda: RandomForestClassifier(n_estimators=8, max_depth=5,
                                                        random_state=0),
}


@pytest.mark.parametrize("name", list(MODELS))
def test_equals_shap(name):
    X, y = _data()
    model = MODELS[name]()
    model.fit(X, y if "classifier" not in name and name != "log-odds" else (y > 0.5))
    ours = tree_shap_interactions(model, X[:60])
    reference = np.asarray(shap.TreeExplainer(model).shap_interaction_values(X[:60]))
    assert ours.shape == reference.shape
    np.testing.assert_allclose(ours, reference, rtol=0, atol=1e-8)


def test_rows_sum_to_shap_values_and_matrix_is_symmetric():
    X, y = _data(seed=1)
    model = GradientBoostingRegressor(n_estimators=30, max_depth=4, random_state=1).fit(X, y)
    Phi = tree_shap_interactions(model, X[:40])
    phi = tree_shap(model, X[:40])
    np.testing.assert_allclose(Phi.sum(axis=2), phi.values, atol=1e-10)
    np.testing.assert_allclose(Phi, Phi.transpose(0, 2, 1), atol=1e-12)
    np.testing.assert_allclose(Phi.sum(axis=(1, 2)) + phi.base_values,
                               model.predict(X[:40]), atol=1e-8)


def _path_dependent_value(tree, x, S):
    """v(S) by walking the tree: known features follow x, unknown ones split by cover."""
    def walk(node):
        if tree.children_left[node] == -1:
            return tree.value[node].ravel()[0]
        d, left, right = tree.feature[node], tree.children_left[node], tree.children_right[node]
        if d in S:
            return walk(left if np.float32(x[d]) <= tree.threshold[node] else right)
        cover = tree.weighted_n_node_samples
        return (cover[left] * walk(left) + cover[right] * walk(right)) / cover[node]
    return walk(0)


def test_brute_force_shapley_interaction_index_on_a_tiny_tree():
    X, y = _data(n=200, m=4, seed=2)
    model = DecisionTreeRegressor(max_depth=4, random_state=0).fit(X, y)
    M = 4
    for x in X[:5]:
        v = {S: _path_dependent_value(model.tree_, x, set(S))
             for k in range(M + 1) for S in combinations(range(M), k)}
        Phi = tree_shap_interactions(model, x[None])[0]
        for i, j in combinations(range(M), 2):
            rest = [d for d in range(M) if d not in (i, j)]
            expected = 0.0
            for k in range(len(rest) + 1):
                weight = factorial(k) * factorial(M - k - 2) / (2 * factorial(M - 1))
                for S in combinations(rest, k):
                    key = lambda extra: tuple(sorted(S + extra))
                    expected += weight * (v[key((i, j))] - v[key((i,))] - v[key((j,))] + v[key(())])
            assert Phi[i, j] == pytest.approx(expected, abs=1e-10)


def test_a_stump_has_no_interactions_and_bad_input_is_refused():
    X, y = _data(seed=3)
    stump = DecisionTreeRegressor(max_depth=1).fit(X, y)
    Phi = tree_shap_interactions(stump, X[:10])
    off = Phi - np.einsum("nii->ni", Phi)[:, :, None] * np.eye(5)
    assert np.abs(off).max() == 0
    with pytest.raises(ValueError, match="5 features"):
        tree_shap_interactions(stump, X[:10, :3])
    with pytest.raises(TypeError, match="supports"):
        tree_shap_interactions(object(), X)
