"""KernelSHAP: exact mode equals brute-force Shapley and shap.KernelExplainer; sampling is sane."""
import itertools
import math
import warnings

import numpy as np
import pytest
import shap
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_breast_cancer, load_diabetes, make_classification
from sklearn.ensemble import GradientBoostingRegressor, RandomForestClassifier
from sklearn.linear_model import LogisticRegression

from course_lib.explanation import Attributions, to_explanation
from course_lib.kernel_shap import (coalition_plan, kernel_shap, kernel_shap_loss, shapley_kernel,
                                    solve_efficient_wls)
from course_lib.shapley_model import coalition_values


def brute_force_shapley(f, x, background):
    """phi_j = sum_S |S|!(M-|S|-1)!/M! (v(S+j) - v(S)), v(S) = mean_b f(x_S, b_rest): (M, K)."""
    M = len(x)

    def v(S):
        hybrid = background.copy()
        hybrid[:, list(S)] = x[list(S)]
        return np.atleast_2d(np.asarray(f(hybrid), float).T).T.mean(axis=0)

    phi = []
    for j in range(M):
        others = [k for k in range(M) if k != j]
        total = 0.0
        for size in range(M):
            weight = math.factorial(size) * math.factorial(M - size - 1) / math.factorial(M)
            for S in itertools.combinations(others, size):
                total = total + weight * (v(S + (j,)) - v(S))
        phi.append(total)
    return np.array(phi)


@pytest.fixture(scope="module")
def diabetes_model():
    X, y = load_diabetes(return_X_y=True)
    X = X[:, :7]
    model = GradientBoostingRegressor(n_estimators=40, max_depth=3, random_state=0).fit(X, y)
    return model, X


@pytest.fixture(scope="module")
def multiclass_model():
    X, y = make_classification(400, 6, n_informative=4, n_classes=3, random_state=3)
    model = RandomForestClassifier(20, max_depth=5, random_state=0).fit(X, y)
    return model, X


# ------------------------------------------------------------------------- exactness
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exact_equals_brute_force(diabetes_model, seed):
    model, X = diabetes_model
    rng = np.random.default_rng(seed)
    background = X[rng.choice(len(X), 15, replace=False)]
    rows = X[rng.choice(len(X), 3, replace=False)]
    result = kernel_shap(model.predict, rows, background)
    for r in range(len(rows)):
        expected = brute_force_shapley(model.predict, rows[r], background)[:, 0]
        np.testing.assert_allclose(result.values[r], expected, atol=1e-10, rtol=0)
    np.testing.assert_allclose(result.base_values, model.predict(background).mean(), atol=1e-12)


def test_exact_multi_output_equals_brute_force(multiclass_model):
    model, X = multiclass_model
    background, rows = X[:12], X[100:103]
    result = kernel_shap(model.predict_proba, rows, background)
    assert result.values.shape == (3, 6, 3) and result.base_values.shape == (3, 3)
    for r in range(len(rows)):
        expected = brute_force_shapley(model.predict_proba, rows[r], background)
        np.testing.assert_allclose(result.values[r], expected, atol=1e-10, rtol=0)


@pytest.mark.parametrize("seed", [0, 1])
def test_exact_equals_shap_kernel_explainer_regression(diabetes_model, seed):
    model, X = diabetes_model
    rng = np.random.default_rng(seed)
    background = X[rng.choice(len(X), 20, replace=False)]
    rows = X[rng.choice(len(X), 6, replace=False)]
    M = X.shape[1]
    explainer = shap.KernelExplainer(model.predict, background)
    reference = explainer.shap_values(rows, nsamples=2 ** M - 2, l1_reg=False, silent=True)
    ours = kernel_shap(model.predict, rows, background)
    assert ours.values.shape == reference.shape
    np.testing.assert_allclose(ours.values, reference, atol=1e-10, rtol=0)
    np.testing.assert_allclose(ours.base_values, explainer.expected_value, atol=1e-10)


def test_exact_equals_shap_kernel_explainer_multiclass(multiclass_model):
    model, X = multiclass_model
    background, rows = X[:25], X[200:208]
    explainer = shap.KernelExplainer(model.predict_proba, background)
    reference = explainer.shap_values(rows, nsamples=2 ** 6 - 2, l1_reg=False, silent=True)
    ours = kernel_shap(model.predict_proba, rows, background)
    assert ours.values.shape == reference.shape == (8, 6, 3)
    np.testing.assert_allclose(ours.values, reference, atol=1e-10, rtol=0)
    np.testing.assert_allclose(ours.base_values[0], explainer.expected_value, atol=1e-12)


def test_exact_equals_shap_on_breast_cancer_logistic():
    X, y = load_breast_cancer(return_X_y=True)
    X = (X[:, :9] - X[:, :9].mean(0)) / X[:, :9].std(0)
    model = LogisticRegression(max_iter=500).fit(X, y)
    f = lambda Z: model.predict_proba(Z)[:, 1]  # noqa: E731
    background, rows = X[::40], X[5:10]
    reference = shap.KernelExplainer(f, background).shap_values(rows, nsamples=2 ** 9 - 2,
                                                                 l1_reg=False, silent=True)
    np.testing.assert_allclose(kernel_shap(f, rows, background).values, reference, atol=1e-10)


def test_exact_equals_course_lib_shapley(diabetes_model):
    shapley = pytest.importorskip("course_lib.shapley")
    model, X = diabetes_model
    background, rows = X[:10], X[50:53]
    ours = kernel_shap(model.predict, rows, background)
    for r in range(len(rows)):
        game = shapley.model_game(model.predict, rows[r], background)
        values = shapley.shapley_values(game)
        np.testing.assert_allclose(ours.values[r], [values[p] for p in game.players], atol=1e-10)
    np.testing.assert_allclose(ours.values, shapley.model_shapley(model.predict, rows, background).values,
                               atol=1e-10)


def test_linear_model_is_exact_even_when_sampling():
    rng = np.random.default_rng(0)
    weights = rng.normal(size=14)
    X, background = rng.normal(size=(5, 14)), rng.normal(size=(30, 14))
    f = lambda Z: Z @ weights + 3.0  # noqa: E731
    result = kernel_shap(f, X, background, n_samples=200, seed=1)
    np.testing.assert_allclose(result.values, (X - background.mean(0)) * weights, atol=1e-10)


# ------------------------------------------------------------------------- sampling
def test_sampling_is_seeded_and_converges(diabetes_model):
    model, X = diabetes_model
    background, rows = X[:20], X[100:130]
    exact = kernel_shap(model.predict, rows, background).values
    a = kernel_shap(model.predict, rows, background, n_samples=30, seed=4).values
    b = kernel_shap(model.predict, rows, background, n_samples=30, seed=4).values
    c = kernel_shap(model.predict, rows, background, n_samples=30, seed=5).values
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    rough = np.abs(a - exact).mean()
    finer = np.abs(kernel_shap(model.predict, rows, background, n_samples=100, seed=4).values
                   - exact).mean()
    assert finer < rough


def test_sampling_error_is_comparable_to_shap():
    X, y = make_classification(300, 12, n_informative=8, random_state=0)
    model = LogisticRegression().fit(X, y)
    f = lambda Z: model.predict_proba(Z)[:, 1] + 0.1 * Z[:, 0] * Z[:, 1]  # noqa: E731
    background, rows = X[:20], X[100:120]
    exact = kernel_shap(f, rows, background).values
    ours = kernel_shap(f, rows, background, n_samples=300, seed=0).values
    np.random.seed(0)
    theirs = shap.KernelExplainer(f, background).shap_values(rows, nsamples=300, l1_reg=False,
                                                             silent=True)
    assert np.abs(ours - exact).mean() < 2 * np.abs(theirs - exact).mean()


# ------------------------------------------------------------------------- the pieces
def test_shapley_kernel_formula_and_symmetry():
    M = 7
    sizes = np.arange(1, M)
    expected = [(M - 1) / (math.comb(M, s) * s * (M - s)) for s in sizes]
    np.testing.assert_allclose(shapley_kernel(M, sizes), expected)
    np.testing.assert_allclose(shapley_kernel(M, sizes), shapley_kernel(M, M - sizes))
    assert np.isinf(shapley_kernel(M, [0, M])).all()


def test_exact_plan_lists_every_coalition_once():
    Z, weights = coalition_plan(5)
    assert Z.shape == (30, 5)
    assert len({tuple(z) for z in Z}) == 30
    assert 0 < Z.sum(axis=1).min() and Z.sum(axis=1).max() < 5
    np.testing.assert_allclose(weights, shapley_kernel(5, Z.sum(axis=1)))


@pytest.mark.parametrize("n_samples", [10, 101, 700, 2048])
def test_budget_plan_spends_the_budget_in_complementary_pairs(n_samples):
    M = 12
    Z, weights = coalition_plan(M, n_samples, seed=3)
    assert n_samples - 1 <= len(Z) <= n_samples
    counts = {}
    for z in map(tuple, Z):
        counts[z] = counts.get(z, 0) + 1
    for z, count in counts.items():  # every coalition comes with its complement
        assert counts.get(tuple(not b for b in z), 0) == count
    np.testing.assert_allclose(weights.sum(), 1.0)


def test_solver_satisfies_the_constraint_and_fits_additive_games():
    rng = np.random.default_rng(0)
    Z, weights = coalition_plan(6)
    phi_true = rng.normal(size=(2, 6, 1))
    y = np.einsum("cm,nmk->nck", Z.astype(float), phi_true)
    phi = solve_efficient_wls(Z, weights, y, phi_true.sum(axis=1))
    np.testing.assert_allclose(phi, phi_true, atol=1e-12)


def test_coalition_values_match_a_loop():
    rng = np.random.default_rng(1)
    X, background = rng.normal(size=(3, 4)), rng.normal(size=(5, 4))
    Z, _ = coalition_plan(4)
    f = lambda A: np.sin(A).sum(axis=1) * A[:, 0]  # noqa: E731
    values = coalition_values(f, X, background, Z)
    for r, c in [(0, 0), (2, 7), (1, 13)]:
        hybrid = np.where(Z[c], X[r], background)
        assert values[r, c, 0] == pytest.approx(f(hybrid).mean(), abs=1e-14)


@settings(max_examples=25, deadline=None)
@given(M=st.integers(2, 8), n_samples=st.one_of(st.none(), st.integers(2, 300)),
       seed=st.integers(0, 10_000), outputs=st.integers(1, 3))
def test_efficiency_always_holds(M, n_samples, seed, outputs):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(M, outputs))
    f = lambda Z: np.tanh(Z @ A) + (Z[:, :1] * Z[:, -1:]) ** 2  # noqa: E731
    X, background = rng.normal(size=(4, M)), rng.normal(size=(6, M))
    result = kernel_shap(f, X, background, n_samples=n_samples, seed=seed)
    assert np.abs(result.efficiency_gap(f(X))).max() < 1e-10


def test_result_converts_for_shap_plots(diabetes_model):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    model, X = diabetes_model
    result = kernel_shap(model.predict, X[:2], X[:10])
    assert isinstance(result, Attributions)
    explanation = to_explanation(result, feature_names=[f"f{j}" for j in range(7)])
    shap.plots.waterfall(explanation[0], show=False)
    plt.close("all")


def test_dataframe_names_travel():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(6, 3)), columns=["a", "b", "c"])
    result = kernel_shap(lambda Z: Z.sum(axis=1), frame.iloc[:2], frame)
    assert result.feature_names == ["a", "b", "c"]


# ------------------------------------------------------------------------- clear errors
def test_clear_errors(diabetes_model):
    model, X = diabetes_model
    with pytest.raises(TypeError, match="model.predict"):
        kernel_shap(model, X[:2], X[:5])
    bad = X[:3].copy()
    bad[1, 2] = np.nan
    with pytest.raises(ValueError, match="row 1"):
        kernel_shap(model.predict, bad, X[:5])
    with pytest.raises(ValueError, match=r"\(5, 6\) but X has shape \(2, 7\)"):
        kernel_shap(model.predict, X[:2], X[:5, :6])
    with pytest.raises(ValueError, match="2-D"):
        kernel_shap(model.predict, X[0], X[:5])
    with pytest.raises(ValueError, match="n_samples"):
        kernel_shap(model.predict, X[:2], X[:5], n_samples=1)
    with pytest.raises(ValueError, match="returned shape"):
        kernel_shap(lambda Z: np.ones((1, 1)), X[:2], X[:5])
    with pytest.raises(ValueError, match="pass n_samples"):
        coalition_plan(25)


def test_one_feature_gets_everything():
    X, background = np.array([[2.0], [3.0]]), np.array([[0.0], [1.0]])
    result = kernel_shap(lambda Z: Z[:, 0] ** 2, X, background)
    np.testing.assert_allclose(result.values[:, 0], [4 - 0.5, 9 - 0.5])


def test_no_warnings_in_exact_mode(diabetes_model):
    model, X = diabetes_model
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        kernel_shap(model.predict, X[:2], X[:5])


# ------------------------------------------------------------------------------ the loss
def test_loss_shap_adds_up_to_each_rows_log_loss_and_equals_shap(multiclass_model):
    model, X = multiclass_model
    y = model.predict(X[300:309])
    y[:3] = (y[:3] + 1) % 3                            # a few wrong predictions
    rows, background = X[300:309], X[:15]
    result = kernel_shap_loss(model.predict_proba, rows, y, background)
    p = np.clip(model.predict_proba(rows)[np.arange(len(rows)), y], 1e-15, 1)
    np.testing.assert_allclose(result.predictions, -np.log(p), atol=1e-10)
    assert result.values.shape == (9, 6)
    label = int(y[0])
    loss = lambda Z: -np.log(np.clip(model.predict_proba(Z)[:, label], 1e-15, 1))  # noqa: E731
    reference = shap.KernelExplainer(loss, background).shap_values(
        rows[y == label], nsamples=2 ** 6 - 2, l1_reg=False, silent=True)
    np.testing.assert_allclose(result.values[y == label], reference, atol=1e-10)


def test_loss_shap_errors(multiclass_model):
    model, X = multiclass_model
    with pytest.raises(ValueError, match="class indices 0..2"):
        kernel_shap_loss(model.predict_proba, X[:2], [0, 3], X[:5])
    with pytest.raises(ValueError, match="shape \\(2,\\)"):
        kernel_shap_loss(model.predict_proba, X[:2], [0, 1, 1], X[:5])
    with pytest.raises(ValueError, match="encode string labels"):
        kernel_shap_loss(model.predict_proba, X[:2], ["a", "b"], X[:5])


def test_notebook_plots_draw():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from course_lib.plots import shap as shap_plots

    rng = np.random.default_rng(0)
    X, background = rng.normal(size=(30, 4)), rng.normal(size=(10, 4))
    f = lambda Z: Z[:, 0] * Z[:, 1] + Z[:, 2]  # noqa: E731
    result = kernel_shap(f, X, background)
    explanation = to_explanation(result, feature_names=list("abcd"))
    for order in ("similarity", "prediction"):
        ax = shap_plots.stacked_force(explanation, max_display=2, order=order)
        assert len(ax.collections) >= 3
    with pytest.raises(ValueError, match="order"):
        shap_plots.stacked_force(explanation, order="random")
    multi = kernel_shap(lambda Z: np.c_[f(Z), -f(Z)], X[:3], background)
    with pytest.raises(ValueError, match="one output"):
        shap_plots.stacked_force(multi.to_shap())
    Z, weights = coalition_plan(4)
    values = coalition_values(f, X[:1], background, Z)[0, :, 0] - result.base_values[0]
    shap_plots.plot_regression_view(Z, weights, values, result.values[0])
    shap_plots.plot_shapley_kernel(6)
    shap_plots.plot_convergence([10, 20], {"a": [0.2, 0.1]}, exact_at=14)
    shap_plots.plot_cost([2, 4], {"a": [0.1, 0.2]})
    shap_plots.plot_methods({"x": result.values[0], "y": -result.values[0]}, list("abcd"))
    plt.close("all")
