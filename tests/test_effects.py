"""Global effects: ALE equals PyALE, 2-D PD equals scikit-learn, H equals pyartemis, importances
by refit and by conditional shuffles behave as defined."""
import logging

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.inspection import partial_dependence
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import KFold, cross_val_score

from course_lib import effects
from course_lib.effects import (ale, ale_2d, ale_categorical, ale_edges, category_order,
                                conditional_permutation_importance, drop_column_importance,
                                h_statistic, h_statistic_total, partial_dependence_2d)

PyALE = pytest.importorskip("PyALE")
logging.getLogger("PyALE").setLevel(logging.WARNING)


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(0)
    n = 400
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.uniform(size=n),
                      "c": rng.integers(0, 4, n).astype(float)})
    X["d"] = X.a + 0.3 * rng.normal(size=n)            # a correlated partner of a
    y = X.a * X.b + np.sin(X.d) + 0.5 * X.c
    model = GradientBoostingRegressor(n_estimators=50, random_state=0).fit(X, y)
    f = lambda rows: model.predict(pd.DataFrame(rows, columns=X.columns))
    return X, y, model, f


@pytest.mark.parametrize("feature,n_bins", [("a", 10), ("d", 20), ("b", 7)])
def test_ale_equals_pyale(fitted, feature, n_bins):
    X, _, model, f = fitted
    reference = PyALE.ale(X, model, [feature], grid_size=n_bins, include_CI=False, plot=False)
    ours = ale(f, X, feature, n_bins=n_bins)
    np.testing.assert_array_equal(ours.edges, reference.index.to_numpy())
    np.testing.assert_allclose(ours.effect, reference["eff"].to_numpy(), rtol=0, atol=1e-10)


def test_ale_edges_follow_pyale_quantiles_with_ties():
    from PyALE._src.lib import quantile_ied
    x = pd.Series(np.random.default_rng(1).integers(0, 30, 257).astype(float))
    q = np.linspace(0, 1, 16)
    expected = np.unique([x.min()] + quantile_ied(x, q).to_list())
    np.testing.assert_array_equal(ale_edges(x, 15), expected)


def test_discrete_ale_equals_pyale(fitted):
    X, _, model, f = fitted
    reference = PyALE.ale(X, model, ["c"], feature_type="discrete", include_CI=False, plot=False)
    ours = ale_categorical(f, X, "c")
    np.testing.assert_allclose(ours.effect, reference["eff"].to_numpy(), rtol=0, atol=1e-10)


def test_category_order_equals_pyale_up_to_direction():
    from PyALE._src.lib import order_groups
    rng = np.random.default_rng(2)
    level = rng.integers(0, 5, 600)
    X = pd.DataFrame({"level": level.astype(float),
                      "x": rng.normal(size=600) + np.array([0, 3, 1, 4, 2])[level],
                      "k": (rng.uniform(size=600) < np.array([.1, .9, .3, .95, .5])[level]).astype(float)})
    expected = order_groups(X, "level").index.to_numpy()
    ours = category_order(X, "level")
    assert list(ours) in (list(expected), list(expected[::-1]))
    assert list(ours) in ([0, 2, 4, 1, 3], [3, 1, 4, 2, 0])       # the hidden ordering


@pytest.mark.parametrize("n_bins", [4, 5])  # PyALE 1.2.0 breaks at 6 (float arange)
def test_second_order_ale_equals_pyale(fitted, n_bins):
    X, _, model, f = fitted
    reference = PyALE.ale(X, model, ["a", "b"], grid_size=n_bins, plot=False)
    ours = ale_2d(f, X, ["a", "b"], n_bins=n_bins)
    np.testing.assert_allclose(ours.edges_0, reference.index.to_numpy())
    np.testing.assert_allclose(ours.effect, reference.to_numpy(), rtol=0, atol=1e-10)


def test_second_order_ale_fills_empty_cells_like_pyale(fitted):
    X, _, model, f = fitted                              # a and d are correlated: empty corners
    reference = PyALE.ale(X, model, ["a", "d"], grid_size=8, plot=False)
    ours = ale_2d(f, X, ["a", "d"], n_bins=8)
    np.testing.assert_allclose(ours.effect, reference.to_numpy(), rtol=0, atol=1e-10)


def test_ale_of_a_linear_model_is_the_line():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(500, 3))
    X[:, 1] = X[:, 0] + 0.1 * rng.normal(size=500)      # correlation does not bend ALE
    f = lambda rows: 2.0 * rows[:, 0] - rows[:, 1]
    edges, effect = ale(f, X, 0, n_bins=12)
    np.testing.assert_allclose(np.diff(effect) / np.diff(edges), 2.0, rtol=0, atol=1e-9)
    pure = ale_2d(lambda rows: rows[:, 0] * rows[:, 2], X, [0, 2], n_bins=5)
    assert np.abs(pure.effect).max() > 0.1
    no_pair = ale_2d(lambda rows: rows[:, 0] ** 2 + np.sin(rows[:, 2]), X, [0, 2], n_bins=5)
    assert np.abs(no_pair.effect).max() < 1e-12


def test_partial_dependence_2d_equals_sklearn(fitted):
    X, _, model, f = fitted
    reference = partial_dependence(model, X, [(0, 1)], grid_resolution=12, method="brute")
    ours = partial_dependence_2d(f, X, ["a", "b"], grid_resolution=12)
    np.testing.assert_array_equal(ours.grid_0, reference["grid_values"][0])
    np.testing.assert_array_equal(ours.grid_1, reference["grid_values"][1])
    np.testing.assert_allclose(ours.average, reference["average"][0], rtol=0, atol=1e-12)
    reference = partial_dependence(model, X, [(2, 3)], grid_resolution=8, method="brute",
                                   percentiles=(0.1, 0.9))
    ours = partial_dependence_2d(f, X, [2, 3], grid_resolution=8, percentiles=(0.1, 0.9))
    np.testing.assert_allclose(ours.average, reference["average"][0], rtol=0, atol=1e-12)


def test_h_statistic_equals_pyartemis(fitted):
    pytest.importorskip("artemis")     # pyartemis pins numpy<2: installed with --no-deps
    from artemis.interactions_methods.model_agnostic import FriedmanHStatisticMethod
    X, _, model, f = fitted
    rows = X.iloc[:60]
    reference = FriedmanHStatisticMethod()
    reference.fit(model, rows)
    ours = h_statistic(f, rows)
    column = reference.ovo.columns[-1]
    for _, pair in reference.ovo.iterrows():
        assert ours.loc[pair["Feature 1"], pair["Feature 2"]] ** 2 == pytest.approx(pair[column], abs=1e-12)
    total = h_statistic_total(f, rows)
    for _, row in reference.ova.iterrows():
        assert total[row["Feature"]] ** 2 == pytest.approx(row.iloc[1], abs=1e-12)
    assert h_statistic(f, rows, features=("b", "a")) == pytest.approx(ours.loc["a", "b"], abs=1e-14)


def test_h_statistic_on_known_models():
    rng = np.random.default_rng(4)
    X = rng.uniform(-1, 1, size=(200, 3))
    product = lambda rows: rows[:, 0] * rows[:, 1]
    additive = lambda rows: rows[:, 0] ** 2 + 3 * rows[:, 1] - rows[:, 2]
    assert h_statistic(product, X, features=(0, 1)) == pytest.approx(1.0, abs=0.05)
    assert h_statistic(additive, X, features=(0, 1)) == pytest.approx(0.0, abs=1e-7)
    assert np.isnan(h_statistic(lambda rows: rows[:, 0], X, features=(1, 2)))   # flat PD: 0/0
    a, b = h_statistic(product, X, n_rows=50, seed=1), h_statistic(product, X, n_rows=50, seed=1)
    pd.testing.assert_frame_equal(a, b)


def test_drop_column_importance_by_hand():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(150, 3))
    y = (X[:, 0] + 0.5 * X[:, 1] + 0.3 * rng.normal(size=150) > 0).astype(int)
    cv = KFold(4, shuffle=True, random_state=0)
    result = drop_column_importance(LogisticRegression(), X, y, scoring="neg_log_loss", cv=cv)
    full = cross_val_score(LogisticRegression(), X, y, scoring="neg_log_loss", cv=cv)
    without_1 = cross_val_score(LogisticRegression(), X[:, [0, 2]], y, scoring="neg_log_loss", cv=cv)
    np.testing.assert_allclose(result.importances[1], full - without_1, atol=1e-12)
    assert result.baseline_score == pytest.approx(full.mean())
    assert result.importances_mean[0] > result.importances_mean[1] > result.importances_mean[2]
    assert abs(result.importances_mean[2]) < 0.05


def test_conditional_permutation_shuffles_within_bins_only():
    rng = np.random.default_rng(6)
    x0 = rng.normal(size=400)
    X = np.column_stack([x0, x0 + 0.1 * rng.normal(size=400), rng.normal(size=400)])
    y = X[:, 0] + X[:, 2]
    model = LinearRegression().fit(X, y)
    seen = []

    def scorer(est, rows, target):
        seen.append(rows.copy())
        return -np.mean((est.predict(rows) - target) ** 2)

    result = conditional_permutation_importance(model, X, y, given={0: 1}, scoring=scorer,
                                                n_bins=4, n_repeats=2, seed=0)
    bins = np.clip(np.searchsorted(ale_edges(X[:, 1], 4), X[:, 1]), 1, 4)
    permuted = seen[1]                                   # feature 0, first repeat
    for b in np.unique(bins):
        assert sorted(permuted[bins == b, 0]) == sorted(X[bins == b, 0])
    assert not np.array_equal(permuted[:, 0], X[:, 0])
    free = conditional_permutation_importance(model, X, y, given={}, scoring=scorer, seed=0)
    assert result.importances_mean[0] < 0.5 * free.importances_mean[0]
    again = conditional_permutation_importance(model, X, y, given={0: 1}, scoring=scorer,
                                               n_bins=4, n_repeats=2, seed=0)
    np.testing.assert_array_equal(result.importances, again.importances)


def test_bad_input_gets_one_line_errors(fitted):
    X, _, model, f = fitted
    with pytest.raises(ValueError, match="unknown feature"):
        ale(f, X, "zzz")
    with pytest.raises(ValueError, match="n_bins"):
        ale(f, X, "a", n_bins=0)
    with pytest.raises(ValueError, match="pair"):
        ale_2d(f, X, ["a"])
    with pytest.raises(ValueError, match="f returned 4 outputs per row, 1 expected"):
        ale(lambda rows: rows, X, "a")
    with pytest.raises(TypeError, match="given must be a dict"):
        conditional_permutation_importance(model, X, X.a, given=["a"])
    with pytest.raises(ValueError, match="pair"):
        h_statistic(f, X, features=("a",))
    assert set(effects.__all__) >= {"ale", "ale_2d", "partial_dependence_2d", "h_statistic",
                                     "drop_column_importance"}


def test_h_statistic_equals_the_definition_written_as_loops():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(15, 3))
    f = lambda rows: rows[:, 0] * rows[:, 1] + np.exp(rows[:, 2] / 2) + rows[:, 1] ** 2

    def pd_at(S, x):          # PD_S at the values x_S, averaged over all rows' other features
        total = 0.0
        for r in X:
            row = r.copy()
            row[S] = x[S]
            total += f(row[None])[0]
        return total / len(X)

    joint = np.array([pd_at([0, 1], x) for x in X])
    first = np.array([pd_at([0], x) for x in X])
    second = np.array([pd_at([1], x) for x in X])
    c = lambda v: v - v.mean()
    expected = np.sqrt(np.sum((c(joint) - c(first) - c(second)) ** 2) / np.sum(c(joint) ** 2))
    assert h_statistic(f, X, features=(0, 1)) == pytest.approx(expected, abs=1e-12)
    rest = np.array([pd_at([1, 2], x) for x in X])
    total = np.sqrt(np.sum((c(f(X)) - c(first) - c(rest)) ** 2) / np.sum(c(f(X)) ** 2))
    assert h_statistic_total(f, X).iloc[0] == pytest.approx(total, abs=1e-12)


def test_pyale_suite_design_four_features_one_discrete():
    """The data design of PyALE's own 1-D tests: three uniform features, one with ten levels,
    y = x1 + 2 x2^2 + log(x4 + 1) + noise; five equal bins of 40 rows and ten discrete levels."""
    from sklearn.ensemble import RandomForestRegressor

    rng = np.random.default_rng(876)
    X = pd.DataFrame({"x1": rng.uniform(size=200), "x2": rng.uniform(size=200),
                      "x3": rng.uniform(size=200), "x4": rng.integers(0, 10, 200).astype(float)})
    y = X.x1 + 2 * X.x2 ** 2 + np.log(X.x4 + 1) + rng.normal(size=200)
    model = RandomForestRegressor(n_estimators=30, random_state=0).fit(X, y)
    f = lambda rows: model.predict(pd.DataFrame(rows, columns=X.columns))
    edges, effect = ale(f, X, "x1", n_bins=5)
    k = np.clip(np.searchsorted(edges, X.x1), 1, len(edges) - 1)
    assert len(edges) == 6 and list(np.bincount(k)[1:]) == [40] * 5
    reference = PyALE.ale(X, model, ["x1"], grid_size=5, include_CI=False, plot=False)
    np.testing.assert_allclose(effect, reference["eff"].to_numpy(), rtol=0, atol=1e-10)
    levels, steps = ale_categorical(f, X, "x4")
    reference = PyALE.ale(X, model, ["x4"], feature_type="discrete", include_CI=False, plot=False)
    assert list(levels) == list(range(10))
    np.testing.assert_allclose(steps, reference["eff"].to_numpy(), rtol=0, atol=1e-10)
    assert steps[-1] - steps[0] > 1.0          # log(10) rises over the levels


def test_ale_centring_differs_from_the_papers_eq16_by_half_a_step_per_row(fitted):
    """ALEPlot/PyALE centre at bin midpoints; Apley & Zhu eq. 16 subtract the mean of the step
    function A(z_k(x_i)). The two curves differ by the constant sum_k n_k d_k / (2 n)."""
    X, _, _, f = fitted
    edges, effect = ale(f, X, "a", n_bins=9)
    k = np.clip(np.searchsorted(edges, X.a), 1, len(edges) - 1)
    steps = np.diff(effect)
    uncentred = np.concatenate([[0.0], np.cumsum(steps)])
    eq16 = uncentred - uncentred[k].mean()                   # the paper's constant
    shift = np.sum(np.bincount(k, minlength=len(edges))[1:] * steps) / (2 * len(X))
    np.testing.assert_allclose(eq16, effect - shift, rtol=0, atol=1e-12)
    assert abs(eq16[k].mean()) < 1e-12 and abs(shift) > 1e-3  # the constants really differ


def test_unnormalised_h_is_the_size_of_the_interaction():
    rng = np.random.default_rng(8)
    X = rng.uniform(-1, 1, size=(120, 3))
    product = lambda rows: 0.5 * rows[:, 0] * rows[:, 1]
    big_main = lambda rows: product(rows) + 10 * rows[:, 0] + 10 * rows[:, 1]
    share = h_statistic(product, X, features=(0, 1)), h_statistic(big_main, X, features=(0, 1))
    size = (h_statistic(product, X, features=(0, 1), normalize=False),
            h_statistic(big_main, X, features=(0, 1), normalize=False))
    assert share[1] < 0.05 * share[0]               # large main effects shrink the share ...
    assert size[1] == pytest.approx(size[0], abs=1e-9)   # ... not the size (additive terms cancel)
    # the size is the RMS of the centred interaction part; for f = x0 x1 / 2, PD_jk - PD_j - PD_k
    # at row i is (a_i b_i - a_i mean(b) - mean(a) b_i) / 2, written out here
    a, b = X[:, 0], X[:, 1]
    joint = 0.5 * (a * b) - 0.5 * a * b.mean() - 0.5 * a.mean() * b + 0.5 * a.mean() * b.mean()
    assert size[0] == pytest.approx(np.sqrt(np.mean((joint - joint.mean()) ** 2)), abs=1e-12)
    squared_share = size[0] ** 2 / np.mean((product(X) - product(X).mean()) ** 2)
    assert share[0] == pytest.approx(np.sqrt(squared_share), abs=1e-9)
    table = h_statistic(big_main, X, normalize=False)
    assert table.iloc[0, 1] == pytest.approx(size[1], abs=1e-12) and table.iloc[0, 2] < 1e-9
    assert h_statistic(lambda rows: rows[:, 0], X, features=(1, 2), normalize=False) < 1e-12
    with pytest.raises(TypeError, match="normalize must be a bool"):
        h_statistic(product, X, features=(0, 1), normalize="no")


def test_conditional_permutation_on_a_set_shuffles_within_every_combination():
    rng = np.random.default_rng(9)
    n = 600
    group = rng.integers(1, 3, n).astype(float)                    # two levels: grouped by value
    partner = rng.normal(size=n)
    X = np.column_stack([partner + 3 * group + 0.2 * rng.normal(size=n), group, partner,
                         rng.normal(size=n)])                   # feature 0 follows 1 and 2
    y = X[:, 0] + X[:, 3]
    model = LinearRegression().fit(X, y)
    seen = []

    def scorer(est, rows, target):
        seen.append(rows.copy())
        return -np.mean((est.predict(rows) - target) ** 2)

    result = conditional_permutation_importance(model, X, y, given={0: [1, 2], 3: []},
                                                scoring=scorer, n_bins=4, n_repeats=1, seed=0)
    bins = np.clip(np.searchsorted(ale_edges(X[:, 2], 4), X[:, 2]), 1, 4)
    permuted = seen[1]
    for g in (1.0, 2.0):
        for b in range(1, 5):
            cell = (X[:, 1] == g) & (bins == b)
            assert sorted(permuted[cell, 0]) == sorted(X[cell, 0])
    assert not np.array_equal(permuted[:, 0], X[:, 0])
    by_name = conditional_permutation_importance(model, pd.DataFrame(X, columns=list("abcd")), y,
                                                 given={"a": ("b", "c"), "d": []}, scoring=scorer,
                                                 n_bins=4, n_repeats=1, seed=0)
    np.testing.assert_allclose(by_name.importances, result.importances, rtol=0, atol=1e-12)
    single = conditional_permutation_importance(model, X, y, given={0: 2}, scoring=scorer,
                                                n_bins=4, n_repeats=1, seed=0)
    free = conditional_permutation_importance(model, X, y, given={}, scoring=scorer, n_bins=4,
                                              n_repeats=1, seed=0)
    assert result.importances[0, 0] < single.importances[0, 0] < free.importances[0, 0]
    assert result.importances[3, 0] == pytest.approx(free.importances[3, 0], rel=0.5)
    with pytest.raises(ValueError, match="on itself"):
        conditional_permutation_importance(model, X, y, given={0: [0, 1]})


def test_h_statistic_on_a_list_of_features_is_the_sub_table():
    rng = np.random.default_rng(10)
    X = pd.DataFrame(rng.uniform(-1, 1, size=(40, 4)), columns=list("abcd"))
    f = lambda rows: rows[:, 0] * rows[:, 1] + rows[:, 2] ** 2 + 0.3 * rows[:, 1] * rows[:, 3]
    full = h_statistic(f, X)
    for normalize in (True, False):
        sub = h_statistic(f, X, features=["d", "a", "b"], normalize=normalize)
        assert list(sub.index) == ["d", "a", "b"]
        for p, q in [("d", "a"), ("a", "b"), ("d", "b")]:
            assert sub.loc[p, q] == pytest.approx(h_statistic(f, X, features=(p, q), normalize=normalize), abs=1e-14)
    pd.testing.assert_frame_equal(h_statistic(f, X, features=list("abcd")), full)
    with pytest.raises(ValueError, match="twice"):
        h_statistic(f, X, features=["a", "b", "a"])
