"""course_lib.lime: the shared core, and LIME for tables, equal to lime 0.2.0.1.

Text and images are in test_lime_text.py and test_lime_image.py.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lime.lime_base import LimeBase
from lime.lime_tabular import LimeTabularExplainer
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import r2_score

from course_lib.explanation import Attributions
from course_lib.lime import LimeTabular, core, diagnostics

TOL = 1e-10


def assert_same(ours, reference, label):
    """Ours equals lime's as_map()[label], intercept[label], score and local_pred to TOL."""
    expected = dict(reference.as_map()[label])
    assert list(ours.weights) == [j for j, _ in reference.as_map()[label]], "same features, same order"
    np.testing.assert_allclose([ours.weights[j] for j in expected], list(expected.values()), rtol=0, atol=TOL)
    assert ours.intercept == pytest.approx(reference.intercept[label], abs=TOL)
    assert ours.score == pytest.approx(reference.score, abs=TOL)
    assert ours.local_pred == pytest.approx(float(np.ravel(reference.local_pred)[0]), abs=TOL)


# ---------------------------------------------------------------------------------- data
@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    model = RandomForestClassifier(n_estimators=30, random_state=0).fit(X, y)
    return X, model


@pytest.fixture(scope="module")
def wine():
    X, y = load_wine(return_X_y=True)
    X = X[:, :6]
    model = LogisticRegression(max_iter=2000).fit((X - X.mean(0)) / X.std(0), y)
    mean, std = X.mean(0), X.std(0)
    return X, lambda rows: model.predict_proba((rows - mean) / std)


@pytest.fixture(scope="module")
def cardio_like():
    """A small cardio-shaped table with integer categories (cholesterol 1-3, gender 1-2)."""
    rng = np.random.RandomState(0)
    n = 400
    age = rng.uniform(30, 65, n)
    gender = rng.choice([1, 2], n, p=[0.65, 0.35])
    ap_hi = np.round(rng.normal(128, 18, n))
    ap_lo = np.round(ap_hi * 0.5 + rng.normal(18, 9, n))
    cholesterol = rng.choice([1, 2, 3], n, p=[0.75, 0.14, 0.11])
    X = np.column_stack([age, gender, ap_hi, ap_lo, cholesterol])

    def predict(rows):
        logit = 0.06 * (rows[:, 0] - 50) + 0.05 * (rows[:, 2] - 125) + 0.5 * (rows[:, 4] - 1)
        p = 1 / (1 + np.exp(-logit))
        return np.column_stack([1 - p, p])

    return X, predict, ["age", "gender", "ap_hi", "ap_lo", "cholesterol"]


# ---------------------------------------------------------------------------------- the core
@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(5, 60), m=st.integers(1, 6),
       alpha=st.sampled_from([0.0, 0.01, 1.0, 10.0]))
def test_weighted_ridge_equals_sklearn(seed, n, m, alpha):
    rng = np.random.RandomState(seed)
    Z, y, w = rng.normal(size=(n, m)), rng.normal(size=n), rng.uniform(0.01, 1, n)
    if alpha == 0.0 and n <= m + 1:
        alpha = 1.0  # an unpenalised fit needs more rows than columns to be unique
    coef, intercept = core.weighted_ridge(Z, y, w, alpha)
    reference = Ridge(alpha=alpha).fit(Z, y, sample_weight=w)
    np.testing.assert_allclose(coef, reference.coef_, atol=1e-9)
    assert intercept == pytest.approx(reference.intercept_, abs=1e-9)


def test_weighted_ridge_singular_design_takes_minimum_norm_like_sklearn():
    rng = np.random.RandomState(1)
    Z = np.column_stack([np.ones(30), rng.randint(0, 2, 30), rng.randint(0, 2, 30)])  # a constant column
    y, w = rng.normal(size=30), rng.uniform(0.1, 1, 30)
    coef, intercept = core.weighted_ridge(Z, y, w, alpha=0.0)
    reference = Ridge(alpha=0.0).fit(Z, y, sample_weight=w)
    np.testing.assert_allclose(coef, reference.coef_, atol=1e-10)
    assert coef[0] == pytest.approx(0.0, abs=1e-12)
    assert intercept == pytest.approx(reference.intercept_, abs=1e-10)


def test_weighted_r2_equals_sklearn():
    rng = np.random.RandomState(2)
    y, g, w = rng.normal(size=50), rng.normal(size=50), rng.uniform(size=50)
    assert core.weighted_r2(y, g, w) == pytest.approx(r2_score(y, g, sample_weight=w), abs=1e-14)
    assert core.weighted_r2(np.ones(5), np.ones(5), np.ones(5)) == 1.0


def test_exponential_kernel_is_a_gaussian_of_width_w():
    d = np.linspace(0, 5, 11)
    np.testing.assert_allclose(core.exponential_kernel(d, 2.0), np.exp(-d ** 2 / (2 * 2.0 ** 2)), rtol=1e-14)
    assert core.exponential_kernel(0.0, 0.3) == 1.0


@pytest.mark.parametrize("method,num_features", [("auto", 3), ("auto", 8), ("forward_selection", 4),
                                                 ("highest_weights", 5), ("lasso_path", 4), ("none", 2)])
@pytest.mark.parametrize("seed", [0, 1])
def test_fit_surrogate_equals_lime_base_on_the_same_neighbourhood(method, num_features, seed):
    rng = np.random.RandomState(seed)
    Z = rng.randint(0, 2, size=(300, 10)).astype(float)
    Z[0] = 1
    labels = np.column_stack([Z @ rng.normal(size=10) + 0.3 * rng.normal(size=300), rng.uniform(size=300)])
    distances = np.sqrt(((Z - Z[0]) ** 2).sum(1))
    width = 0.75 * np.sqrt(10)
    base = LimeBase(lambda d: np.sqrt(np.exp(-d ** 2 / width ** 2)), random_state=0)
    intercept, pairs, score, local_pred = base.explain_instance_with_data(
        Z, labels, distances, 0, num_features, feature_selection=method)
    coef, our_intercept, our_score, our_local_pred, used = core.fit_surrogate(
        Z, labels[:, 0], distances, width, num_features, method)
    ours = dict(zip(used.tolist(), coef))
    assert sorted(ours) == sorted(j for j, _ in pairs)
    for j, w in pairs:
        assert ours[j] == pytest.approx(w, abs=TOL)
    assert (our_intercept, our_score, our_local_pred) == pytest.approx(
        (intercept, score, float(local_pred[0])), abs=TOL)


def test_select_features_rejects_an_unknown_method():
    with pytest.raises(ValueError, match="feature_selection='best'"):
        core.select_features(np.ones((3, 2)), np.ones(3), np.ones(3), 1, "best")


# ---------------------------------------------------------------------------------- tabular vs lime
@pytest.mark.parametrize("options", [
    {}, {"discretize_continuous": False}, {"discretize_continuous": False, "sample_around_instance": True},
    {"categorical_features": [7, 2]}, {"discretizer": "decile"}, {"kernel_width": 1.5},
    {"feature_selection": "highest_weights"}, {"feature_selection": "lasso_path"},
], ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()) or "defaults")
@pytest.mark.parametrize("seed", [0, 7])
def test_tabular_equals_lime_on_breast_cancer(cancer, options, seed):
    X, model = cancer
    for num_features in (3, 10):
        reference = LimeTabularExplainer(X, random_state=seed, **options).explain_instance(
            X[11], model.predict_proba, num_features=num_features, num_samples=400)
        ours = LimeTabular(X, seed=seed, **options).explain(
            X[11], model.predict_proba, num_features=num_features, num_samples=400)
        assert_same(ours, reference, 1)


@pytest.mark.parametrize("seed", [0, 3, 11])
@pytest.mark.parametrize("label", [0, 2])
def test_tabular_equals_lime_on_wine_three_classes(wine, seed, label):
    X, predict = wine
    reference = LimeTabularExplainer(X, random_state=seed).explain_instance(
        X[100], predict, labels=(label,), num_features=4, num_samples=600)
    ours = LimeTabular(X, seed=seed).explain(X[100], predict, label=label, num_features=4, num_samples=600)
    assert_same(ours, reference, label)


@pytest.mark.parametrize("seed", [0, 5])
def test_tabular_equals_lime_on_integer_categories(cardio_like, seed):
    X, predict, names = cardio_like
    for categorical in (None, [1, 4]):
        reference = LimeTabularExplainer(X, feature_names=names, categorical_features=categorical,
                                         random_state=seed).explain_instance(X[3], predict, num_samples=500)
        ours = LimeTabular(X, feature_names=names, categorical_features=categorical,
                           seed=seed).explain(X[3], predict, num_samples=500)
        assert_same(ours, reference, 1)
        assert [n for n, _ in ours.as_list()] == [n for n, _ in reference.as_list()]


def test_tabular_regression_output_equals_lime_regression_mode():
    X, y = load_diabetes(return_X_y=True)
    model = Ridge(alpha=0.1).fit(X, y)
    for seed in (0, 1):
        reference = LimeTabularExplainer(X, mode="regression", random_state=seed).explain_instance(
            X[4], model.predict, num_features=5, num_samples=500)
        ours = LimeTabular(X, seed=seed).explain(X[4], model.predict, num_features=5, num_samples=500)
        assert_same(ours, reference, 1)


def test_dataframe_input_gives_names_and_the_same_numbers(cardio_like):
    pd = pytest.importorskip("pandas")
    X, predict, names = cardio_like
    frame = pd.DataFrame(X, columns=names)
    a = LimeTabular(frame, seed=0).explain(frame.iloc[3], predict, num_samples=300)
    b = LimeTabular(X, feature_names=names, seed=0).explain(X[3], predict, num_samples=300)
    assert a.weights == b.weights and a.feature_names == b.feature_names
    assert any(name.startswith("ap_hi") for name in a.feature_names)


# ---------------------------------------------------------------------------------- behaviour
def test_an_int_seed_repeats_and_a_random_state_advances(cancer):
    X, model = cancer
    explainer = LimeTabular(X, seed=3)
    first = explainer.explain(X[0], model.predict_proba, num_samples=300)
    assert explainer.explain(X[0], model.predict_proba, num_samples=300).weights == first.weights
    shared = LimeTabular(X, seed=np.random.RandomState(3))
    one = shared.explain(X[0], model.predict_proba, num_samples=300)
    two = shared.explain(X[0], model.predict_proba, num_samples=300)
    assert one.weights == first.weights and two.weights != one.weights


def test_neighbourhood_rows_are_what_the_model_saw(cardio_like):
    X, predict, names = cardio_like
    seen = []
    nb = LimeTabular(X, feature_names=names, seed=0).sample(
        X[3], lambda rows: (seen.append(rows.copy()), predict(rows))[1], num_samples=1000)
    np.testing.assert_array_equal(seen[0], nb.inputs)
    np.testing.assert_array_equal(nb.inputs[0], X[3])
    assert nb.Z.shape == (1000, 5) and np.all(nb.Z[0] == 1) and set(np.unique(nb.Z)) <= {0.0, 1.0}
    # lime's quirk, kept for agreement: cholesterol's first bin has min == max and comes back as 0
    assert np.any(nb.inputs[1:, 4] == 0)
    # the marginal sampling invents patients with ap_lo > ap_hi
    assert diagnostics.impossible_share(nb.inputs, lambda r: r[:, 3] > r[:, 2]) > 0


def test_batches_and_progress_bar_give_the_same_answer(cancer, capsys):
    X, model = cancer
    one = LimeTabular(X, seed=0).explain(X[0], model.predict_proba, num_samples=300)
    batched = LimeTabular(X, seed=0).explain(X[0], model.predict_proba, num_samples=300,
                                                     batch_size=64, progress=True)
    assert batched.weights == pytest.approx(one.weights, abs=1e-14)
    assert "LIME" in capsys.readouterr().err


def test_attributions_add_up_to_the_local_prediction(cancer):
    X, model = cancer
    explanation = LimeTabular(X, seed=0).explain(X[0], model.predict_proba, num_samples=300)
    attributions = explanation.to_attributions()
    assert isinstance(attributions, Attributions)
    assert attributions.predictions[0] == pytest.approx(explanation.local_pred, abs=1e-12)
    assert attributions.efficiency_gap([explanation.prediction])[0] == pytest.approx(
        explanation.local_pred - explanation.prediction, abs=1e-12)
    assert "Explanation(label=1" in repr(explanation)


def test_neighbourhood_explain_reuses_samples_for_other_widths(wine):
    X, predict = wine
    nb = LimeTabular(X, seed=0).sample(X[0], predict, num_samples=300)
    narrow, wide = nb.explain(1, kernel_width=0.5), nb.explain(1, kernel_width=50.0)
    assert narrow.weights != wide.weights and narrow.prediction == wide.prediction


def test_stability_counts_top_k_sets():
    def fake(weights):
        return core.Explanation(label=1, weights=weights, intercept=0, score=1, local_pred=0, prediction=0,
                                feature_names=["a", "b", "c", "d"], instance=np.ones(4))
    runs = [fake({0: 3, 1: 2, 2: 1}), fake({0: 3, 1: 2, 2: 1}), fake({0: 3, 3: 2, 2: 1})]
    report = diagnostics.stability(runs, k=2)
    assert report.same_top_k == pytest.approx(2 / 3)
    assert report.frequency == {"a": 3, "b": 2, "d": 1}
    assert report.mean_jaccard == pytest.approx((1 + 1 / 3 + 1 / 3) / 3)


def test_local_fidelity_prefers_a_local_width_on_a_curved_boundary():
    def predict(points):
        return 1 / (1 + np.exp(-4 * (points[:, 1] - np.sin(2 * points[:, 0]))))
    errors = {w: diagnostics.local_fidelity_error(predict, [0.3, 0.5], w, radius=0.3) for w in (0.05, 0.5, 5.0)}
    assert errors[0.5] < errors[5.0]


# ---------------------------------------------------------------------------------- clear errors
def test_clear_errors_on_bad_input(cancer):
    X, model = cancer
    explainer = LimeTabular(X, seed=0)
    with pytest.raises(ValueError, match=r"x has shape \(5, 30\)"):
        explainer.explain(X[:5], model.predict_proba)
    with pytest.raises(ValueError, match="x has NaN"):
        explainer.explain(np.full(30, np.nan), model.predict_proba)
    with pytest.raises(ValueError, match="predict_fn returned shape"):
        explainer.explain(X[0], lambda rows: model.predict_proba(rows)[:10], num_samples=100)
    with pytest.raises(ValueError, match="NaN or infinite"):
        explainer.explain(X[0], lambda rows: np.full((len(rows), 2), np.nan), num_samples=100)
    with pytest.raises(ValueError, match="predict_fn returned shape"):
        explainer.explain(X[0], lambda rows: np.zeros((len(rows), 2, 2)), num_samples=100)
    with pytest.raises(ValueError, match="label=5 but predict_fn returns 2 outputs"):
        explainer.explain(X[0], model.predict_proba, label=5, num_samples=100)
    with pytest.raises(TypeError, match="predict_fn must be a function"):
        explainer.explain(X[0], model, num_samples=100)
    with pytest.raises(ValueError, match="num_samples must be an integer >= 2"):
        explainer.explain(X[0], model.predict_proba, num_samples=1)
    with pytest.raises(ValueError, match="num_features must be an integer"):
        explainer.explain(X[0], model.predict_proba, num_features=0, num_samples=100)
    with pytest.raises(ValueError, match="training_data has NaN"):
        LimeTabular(np.array([[1.0, np.nan], [2.0, 3.0]]))
    with pytest.raises(ValueError, match="training_data must be 2-D"):
        LimeTabular(np.arange(5.0))
    with pytest.raises(ValueError, match="feature_names has 2 names for 30 columns"):
        LimeTabular(X, feature_names=["a", "b"])
    with pytest.raises(ValueError, match="categorical_features"):
        LimeTabular(X, categorical_features=[30])
    with pytest.raises(ValueError, match="discretizer='entropy' is not supported"):
        LimeTabular(X, discretizer="entropy")
    with pytest.raises(ValueError, match="kernel_width must be a number > 0"):
        LimeTabular(X, kernel_width=-1)
    with pytest.raises(TypeError, match="seed must be"):
        LimeTabular(X, seed="zero").explain(X[0], model.predict_proba, num_samples=100)


# ---------------------------------------------------------------------------------- plots and widget
def test_plots_and_the_kernel_width_panel_draw(cardio_like):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from course_lib.plots import lime as lime_plots
    from course_lib.widgets.lime import kernel_width_panel

    X, predict, names = cardio_like
    explanation = LimeTabular(X, feature_names=names, seed=0).explain(X[0], predict, num_samples=200)
    fig, axes = plt.subplots(1, 4)
    lime_plots.plot_weights(explanation, ax=axes[0])
    assert len(axes[0].patches) == len(explanation.weights)
    box = lambda p: 1 / (1 + np.exp(-6 * (np.linalg.norm(p, axis=1) - 1)))
    lime_plots.plot_local_fit(box, np.array([0.7, 0.6]), 0.5, num_samples=100, ax=axes[1], true_gradient=[0.7, 0.6])
    assert "kernel width 0.5" in axes[1].get_title()
    report = diagnostics.stability([explanation, explanation], k=3)
    lime_plots.plot_top_k_frequency(report.frequency, report.n_runs, ax=axes[2])
    lime_plots.plot_curve([1, 2, 4], {"R²": [0.1, 0.2, 0.3]}, "width", "R²", ax=axes[3])
    plt.close(fig)
    panel = kernel_width_panel(box, np.array([0.7, 0.6]), widths=(0.2, 1.0), num_samples=50)
    panel.width.value = 1.0  # redraws without error
    plt.close("all")
