"""course_lib.kernels and course_lib.warp: agreement with scikit-learn, the 1/sqrt(D) rate,
the space-warping helper, clear errors, and the plots and panels of notebook 02."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.base import clone
from sklearn.datasets import make_blobs, make_circles, make_moons
from sklearn.exceptions import NotFittedError
from sklearn.kernel_approximation import RBFSampler
from sklearn.kernel_ridge import KernelRidge
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import pairwise
from sklearn.pipeline import make_pipeline
from sklearn.svm import SVC
from sklearn.utils.estimator_checks import parametrize_with_checks

from course_lib import kernels as K
from course_lib import warp

TIGHT = dict(rtol=1e-12, atol=1e-12)
points = arrays(np.float64, st.tuples(st.integers(1, 12), st.just(3)),
                elements=st.floats(-5, 5, allow_nan=False, width=64))


# ------------------------------------------------------------------ kernels vs sklearn.metrics.pairwise
@pytest.mark.parametrize("gamma", [None, 0.01, 0.5, 3.0])
def test_rbf_kernel_equals_sklearn(gamma):
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(60, 4)), rng.normal(size=(25, 4))
    np.testing.assert_allclose(K.rbf_kernel(X, Y, gamma=gamma), pairwise.rbf_kernel(X, Y, gamma=gamma), **TIGHT)
    np.testing.assert_allclose(K.rbf_kernel(X, gamma=gamma), pairwise.rbf_kernel(X, gamma=gamma), **TIGHT)


@given(X=points, Y=points, gamma=st.floats(0.0, 4.0))
@settings(max_examples=40, deadline=None)
def test_rbf_kernel_equals_sklearn_on_any_points(X, Y, gamma):
    np.testing.assert_allclose(K.rbf_kernel(X, Y, gamma=gamma), pairwise.rbf_kernel(X, Y, gamma=gamma), **TIGHT)
    gram = K.rbf_kernel(X, gamma=gamma)
    np.testing.assert_array_equal(np.diag(gram), 1.0)  # k(x, x) = 1 exactly
    np.testing.assert_allclose(gram, gram.T, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("degree, gamma, coef0", [(3, None, 1), (2, 1.0, 0.0), (4, 0.3, 2.5), (1.5, 0.2, 3.0)])
def test_polynomial_kernel_equals_sklearn(degree, gamma, coef0):
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(40, 5)), rng.normal(size=(15, 5))
    ours = K.polynomial_kernel(X, Y, degree=degree, gamma=gamma, coef0=coef0)
    np.testing.assert_allclose(ours, pairwise.polynomial_kernel(X, Y, degree=degree, gamma=gamma, coef0=coef0), **TIGHT)


@given(X=points, c=st.floats(0.0, 3.0))
@settings(max_examples=40, deadline=None)
def test_quadratic_features_are_the_degree_2_kernel(X, c):
    """The kernel trick: phi(x) . phi(y) equals (x . y + c)^2 without building phi."""
    Phi = K.quadratic_features(X, c=c)
    assert Phi.shape == (len(X), 1 + 2 * 3 + 3)
    np.testing.assert_allclose(Phi @ Phi.T, pairwise.polynomial_kernel(X, degree=2, gamma=1, coef0=c),
                               rtol=1e-12, atol=1e-10)


def test_kernel_ridge_equals_sklearn():
    rng = np.random.default_rng(2)
    X, Xnew, y = rng.normal(size=(80, 3)), rng.normal(size=(20, 3)), rng.normal(size=80)
    a = K.kernel_ridge_coefficients(K.rbf_kernel(X, gamma=0.4), y, alpha=0.3)
    reference = KernelRidge(alpha=0.3, kernel="rbf", gamma=0.4).fit(X, y)
    np.testing.assert_allclose(a, reference.dual_coef_, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(K.rbf_kernel(Xnew, X, gamma=0.4) @ a, reference.predict(Xnew), rtol=1e-10, atol=1e-10)


def test_svc_on_our_gram_matrix_equals_svc_rbf():
    X, y = make_moons(300, noise=0.2, random_state=0)
    reference = SVC(kernel="rbf", gamma=2.0).fit(X, y)
    ours = SVC(kernel="precomputed").fit(K.rbf_kernel(X, gamma=2.0), y)
    np.testing.assert_array_equal(ours.support_, reference.support_)
    np.testing.assert_allclose(ours.decision_function(K.rbf_kernel(X, X, gamma=2.0)),
                               reference.decision_function(X), atol=1e-10)


# ------------------------------------------------------------------ random Fourier features
@pytest.mark.parametrize("n_components, gamma, seed", [(1, 1.0, 0), (10, 0.1, 3), (500, 2.5, 42)])
def test_random_features_equal_rbfsampler_with_the_same_seed(n_components, gamma, seed):
    """Drawn in the same order from the same RandomState: the same W, b and output."""
    rng = np.random.default_rng(seed)
    X, Xnew = rng.normal(size=(50, 4)), rng.normal(size=(30, 4))
    ours = K.RandomFourierFeatures(n_components, gamma, seed).fit(X)
    reference = RBFSampler(gamma=gamma, n_components=n_components, random_state=seed).fit(X)
    np.testing.assert_array_equal(ours.random_weights_, reference.random_weights_)
    np.testing.assert_array_equal(ours.random_offset_, reference.random_offset_)
    np.testing.assert_allclose(ours.transform(Xnew), reference.transform(Xnew), **TIGHT)
    # a RandomState instance is used as given, as in scikit-learn
    ours = K.RandomFourierFeatures(n_components, gamma, np.random.RandomState(seed)).fit(X)
    np.testing.assert_allclose(ours.transform(Xnew), reference.transform(Xnew), **TIGHT)


def test_random_features_equal_rbfsampler_with_copied_weights():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(40, 3))
    reference = RBFSampler(gamma=0.7, n_components=300, random_state=11).fit(X)
    ours = K.RandomFourierFeatures(300, 0.7, seed=99).fit(X)  # other draws ...
    assert not np.allclose(ours.transform(X), reference.transform(X))
    ours.random_weights_ = reference.random_weights_.copy()  # ... until we copy them over
    ours.random_offset_ = reference.random_offset_.copy()
    np.testing.assert_allclose(ours.transform(X), reference.transform(X), **TIGHT)


@parametrize_with_checks([K.RandomFourierFeatures(n_components=20, gamma=0.5, seed=0)])
def test_random_features_follow_sklearn_conventions(estimator, check):
    check(estimator)


def test_random_features_in_a_pipeline():
    X, y = make_circles(400, noise=0.05, factor=0.4, random_state=0)
    features = K.RandomFourierFeatures(n_components=200, gamma=2.0, seed=0)
    assert features.get_params() == {"n_components": 200, "gamma": 2.0, "seed": 0}
    assert features.fit(X) is features
    model = make_pipeline(clone(features), LogisticRegression()).fit(X, y)
    assert model.score(X, y) > 0.99  # linear on random features separates the circles
    assert LogisticRegression().fit(X, y).score(X, y) < 0.7  # linear on x, y does not


def _mean_squared_errors(X, Ds, gamma, seeds, transform=None):
    K_exact = K.rbf_kernel(X, gamma=gamma)
    out = np.zeros((len(seeds), len(Ds)))
    for i, seed in enumerate(seeds):
        for j, D in enumerate(Ds):
            features = K.RandomFourierFeatures(D, gamma, seed).fit(X)
            Z = features.transform(X) if transform is None else transform(features, X)
            out[i, j] = np.mean((Z @ Z.T - K_exact) ** 2)
    return out.mean(0)


def test_approximation_error_falls_like_one_over_sqrt_D():
    """Over 40 seeds, the mean squared error times D is within a factor 1.25 of its exact
    expectation mean(1 - k^2 + k^4/2), and the log-log slope of the RMS error is -0.5 +- 0.03.

    Tolerances: over 20 blocks of 20 seeds the ratio varied with standard deviation 0.063 and
    the slope with 0.006; 40 seeds shrink the ratio's to about 0.045, so 1.25 is about 5
    standard deviations and 0.03 is 5 as well.
    """
    X, Ds, gamma = np.random.default_rng(0).normal(size=(30, 3)), [16, 64, 256, 1024, 4096], 0.5
    mse = _mean_squared_errors(X, Ds, gamma, seeds=range(40))
    expected = np.array([K.expected_approximation_error(X, D, gamma) ** 2 for D in Ds])
    assert np.all((mse / expected > 0.8) & (mse / expected < 1.25)), mse / expected
    slope = np.polyfit(np.log(Ds), 0.5 * np.log(mse), 1)[0]
    assert abs(slope + 0.5) < 0.03, slope
    # kernel_approximation_error is the root of the same quantity for one seed
    one = K.kernel_approximation_error(X, 64, gamma, seed=3)
    assert one ** 2 == pytest.approx(_mean_squared_errors(X, [64], gamma, seeds=[3])[0], rel=1e-12)


def test_the_rate_test_catches_a_biased_feature_map():
    """Without the random offset b the map is biased: the error stops falling (the test above would fail)."""
    X, Ds, gamma = np.random.default_rng(0).normal(size=(30, 3)), [16, 256, 4096], 0.5
    no_offset = lambda f, X: np.sqrt(2 / f.n_components) * np.cos(X @ f.random_weights_)
    mse = _mean_squared_errors(X, Ds, gamma, seeds=range(10), transform=no_offset)
    assert np.polyfit(np.log(Ds), 0.5 * np.log(mse), 1)[0] > -0.3


# ------------------------------------------------------------------ feature maps and separability
def test_polar_on_known_points():
    X = np.array([[1, 0], [0, 1], [-1, 0], [0, -2], [3, 4]], float)
    expected = np.array([[1, 0], [1, np.pi / 2], [1, np.pi], [2, -np.pi / 2], [5, np.arctan2(4, 3)]])
    np.testing.assert_allclose(K.polar(X), expected, rtol=0, atol=1e-15)


@given(X=arrays(np.float64, st.tuples(st.integers(1, 20), st.just(2)), elements=st.floats(-1e3, 1e3, width=64)))
@settings(max_examples=50, deadline=None)
def test_polar_round_trip(X):
    r, theta = K.polar(X).T
    assert np.all(r >= 0) and np.all((theta > -np.pi - 1e-15) & (theta <= np.pi))
    np.testing.assert_allclose(np.column_stack([r * np.cos(theta), r * np.sin(theta)]), X, rtol=1e-12, atol=1e-9)


def test_invertible_linear_maps_keep_separability_and_polar_creates_it():
    Xb, yb = make_blobs(200, centers=[(-2, 1), (2, -1)], cluster_std=0.5, random_state=0)
    Xc, yc = make_circles(300, noise=0.03, factor=0.4, random_state=0)
    A = K.rotation(0.7) @ K.scaling(2.0, 0.3) @ K.shear(1.5)
    assert K.is_linearly_separable(Xb, yb) and K.is_linearly_separable(K.affine_map(Xb, A, [1, 2]), yb)
    assert not K.is_linearly_separable(Xc, yc)
    assert not K.is_linearly_separable(K.affine_map(Xc, A, [1, 2]), yc)
    assert K.is_linearly_separable(K.polar(Xc), yc)
    assert K.is_linearly_separable(K.quadratic_features(Xc), yc)
    Xx, yx = K.make_xor(300, seed=0)
    assert not K.is_linearly_separable(Xx, yx) and K.is_linearly_separable(K.quadratic_features(Xx), yx)


def test_linear_map_helpers():
    np.testing.assert_allclose(K.rotation(np.pi / 2) @ [1, 0], [0, 1], atol=1e-15)
    np.testing.assert_array_equal(K.scaling(2, 3) @ [1, 1], [2, 3])
    np.testing.assert_array_equal(K.shear(2) @ [1, 1], [3, 1])
    np.testing.assert_array_equal(K.affine_map([[1.0, 2.0]], np.eye(2), [1, -1]), [[2.0, 1.0]])


def test_toy_data_are_seeded():
    for make in (K.make_spirals, K.make_xor):
        X1, y1 = make(101, seed=3)
        X2, y2 = make(101, seed=3)
        assert X1.shape == (101, 2) and set(y1) == {0, 1}
        np.testing.assert_array_equal(X1, X2)
        assert not np.array_equal(X1, make(101, seed=4)[0])


# ------------------------------------------------------------------ clear errors
@pytest.mark.parametrize("call, match", [
    (lambda: K.rbf_kernel(np.ones(3)), "must be 2-D"),
    (lambda: K.rbf_kernel(np.ones((2, 3)), np.ones((2, 2))), "X has 3 columns"),
    (lambda: K.rbf_kernel([[np.nan, 1.0]]), "NaN"),
    (lambda: K.rbf_kernel(np.ones((2, 2)), gamma=-1), "gamma must be a number >= 0"),
    (lambda: K.polar(np.ones((4, 3))), "need 2-D points"),
    (lambda: K.affine_map(np.ones((4, 2)), np.eye(3)), r"A \(k rows of 2 coordinates\) has shape"),
    (lambda: K.affine_map(np.ones((4, 2)), np.eye(2), [1, 2, 3]), r"b \(one offset per output\) has shape \(3,\), expected \(2,\)"),
    (lambda: K.kernel_ridge_coefficients(np.ones((3, 2)), np.ones(3)), "square"),
    (lambda: K.kernel_ridge_coefficients(np.eye(3), np.ones(4)), "y \(one target per training point\)"),
    (lambda: K.RandomFourierFeatures(0).fit(np.ones((3, 2))), "n_components must be an integer >= 1"),
    (lambda: K.RandomFourierFeatures(5, gamma="big").fit(np.ones((3, 2))), "gamma must be a number"),
    (lambda: K.RandomFourierFeatures(5).fit(np.ones((3, 2))).transform(np.ones((3, 4))),
     "X has 4 features, but RandomFourierFeatures is expecting 2"),
    (lambda: K.RandomFourierFeatures(5).fit([[1.0, np.inf]]), "Input X contains infinity"),
    (lambda: K.is_linearly_separable(np.ones((3, 2)), [0, 0, 0]), "two distinct labels"),
])
def test_clear_errors(call, match):
    with pytest.raises((TypeError, ValueError), match=match):
        call()


def test_unfitted_transform_says_so():
    with pytest.raises(NotFittedError, match="not fitted yet"):
        K.RandomFourierFeatures().transform(np.ones((2, 2)))


# ------------------------------------------------------------------ the space-warping helper
def test_layer_images_preserve_shapes_and_are_deterministic():
    model = warp.make_mlp((2, 3, 2, 1), seed=0)
    grid = warp.grid_lines((-1, 1), n_lines=7, n_points=11)
    assert grid.shape == (14, 11, 2)
    images = warp.layer_images(model, grid)
    assert len(images) == 1 + len(model) == len(warp.layer_names(model))
    assert [im.shape for im in images] == [(14, 11, 2), (14, 11, 3), (14, 11, 3), (14, 11, 2), (14, 11, 2), (14, 11, 1)]
    np.testing.assert_array_equal(images[0], grid)
    for first, again in zip(images, warp.layer_images(model, grid)):
        np.testing.assert_array_equal(first, again)
    with torch.no_grad():  # each image is the model applied up to that layer
        direct = model(torch.as_tensor(grid.reshape(-1, 2), dtype=torch.float32)).numpy()
    np.testing.assert_allclose(images[-1].reshape(-1, 1), direct, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(images[2], np.tanh(images[1]), rtol=1e-6, atol=1e-7)
    assert warp.layer_images(model, np.zeros(2))[-1].shape == (1,)  # a single point works too


def test_layer_images_leave_the_model_as_it_was():
    model = warp.make_mlp((2, 4, 1), seed=1)
    model.train()
    warp.layer_images(model, np.zeros((3, 2)))
    assert model.training
    assert all(p.grad is None for p in model.parameters())


def test_make_mlp_is_seeded_and_keeps_the_global_rng():
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a, b = warp.make_mlp((2, 5, 1), seed=7), warp.make_mlp((2, 5, 1), seed=7)
    assert torch.rand(1) == before
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)
    assert not torch.equal(a[0].weight, warp.make_mlp((2, 5, 1), seed=8)[0].weight)
    assert [type(m).__name__ for m in warp.make_mlp((2, 3, 3, 1), activation="relu")] == \
        ["Linear", "ReLU", "Linear", "ReLU", "Linear"]


def test_two_units_cannot_untangle_nested_rings_but_three_can():
    """Olah (2014): a 2-wide tanh net keeps the rings nested; a 3-wide layer separates them."""
    X, y = make_circles(400, noise=0.05, factor=0.4, random_state=0)
    narrow, wide = warp.make_mlp((2, 2, 2, 2, 1), seed=0), warp.make_mlp((2, 3, 2, 1), seed=0)
    h_narrow = warp.train_classifier(narrow, X[:300], y[:300], X[300:], y[300:], epochs=300)
    h_wide = warp.train_classifier(wide, X[:300], y[:300], X[300:], y[300:], epochs=300)
    assert h_wide["train_accuracy"] == 1.0 and h_wide["test_accuracy"] > 0.98
    assert h_narrow["train_accuracy"] < 0.97
    assert len(h_wide["train_loss"]) == len(h_wide["test_loss"]) == 300
    assert h_wide["train_loss"][-1] < h_wide["train_loss"][0] / 10
    again = warp.train_classifier(warp.make_mlp((2, 3, 2, 1), seed=0), X[:300], y[:300], epochs=300)
    assert again["train_loss"] == h_wide["train_loss"]  # full batch: deterministic
    proba = warp.predict_proba(wide, X)
    assert proba.shape == (400,) and np.all((proba >= 0) & (proba <= 1))


@pytest.mark.parametrize("call, error, match", [
    (lambda m: warp.layer_images(m, np.zeros((5, 3))), ValueError, r"shape \(\.\.\., 2\)"),
    (lambda m: warp.layer_images(m, [[np.nan, 0.0]]), ValueError, "NaN"),
    (lambda m: warp.layer_images(torch.nn.ModuleList(list(m)), np.zeros((1, 2))), TypeError, "nn.Sequential"),
    (lambda m: warp.make_mlp((2,)), ValueError, "at least an input and an output"),
    (lambda m: warp.make_mlp((2, 1), activation="gelu"), ValueError, "activation must be one of .*got 'gelu'"),
    (lambda m: warp.train_classifier(m, np.zeros((4, 2)), np.zeros(3)), ValueError, "y has 3 entries but X has 4 rows"),
    (lambda m: warp.train_classifier(m, np.zeros((4, 2)), np.zeros(4), epochs=0), ValueError, "epochs"),
])
def test_warp_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call(warp.make_mlp((2, 3, 1)))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_layer_images_on_the_gpu_match_the_cpu():
    model = warp.make_mlp((2, 8, 2, 1), seed=0)
    grid = warp.grid_lines(n_lines=5, n_points=9)
    cpu = warp.layer_images(model, grid)
    gpu = warp.layer_images(model.to("cuda"), grid)
    for a, b in zip(cpu, gpu):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


# ------------------------------------------------------------------ plots and panels draw
def test_plots_draw(tmp_path):
    import matplotlib.pyplot as plt

    from course_lib.plots import kernels as plots

    X, y = make_circles(120, noise=0.05, factor=0.4, random_state=0)
    model = warp.make_mlp((2, 3, 2, 1), seed=0)
    grid = warp.grid_lines(n_lines=5, n_points=20)
    plots.plot_boundary(SVC(gamma=2).fit(X, y), X, y)
    plots.plot_boundary(lambda Z: Z[:, 0] - 0.1, X, y)
    plots.plot_linear_maps(X, y, {"rotate": (K.rotation(1.0), None), "shift": (np.eye(2), [1, 0])})
    plots.plot_polar_view(X, y, r_threshold=0.7)
    plots.plot_lift(X, y, (X ** 2).sum(1), level=0.5)
    plots.plot_gram(K.rbf_kernel(X))
    plots.plot_error_vs_D([4, 16, 64], [[0.4, 0.2, 0.1], [0.5, 0.25, 0.12]], expected=[0.45, 0.22, 0.11])
    plots.plot_accuracy_time([{"D": 10, "accuracy": 0.8, "seconds": 0.1}, {"D": 100, "accuracy": 0.9, "seconds": 0.2}],
                             {"accuracy": 0.91, "seconds": 0.5})
    plots.plot_warp(warp.layer_images(model, grid), warp.layer_images(model, X), y, warp.layer_names(model))
    plots.plot_loss_curves({"net": {"train_loss": [1, 0.5], "test_loss": [1.1, 0.6]}})
    plots.plot_manifold(n_samples=200)
    fig, agreements = plots.plot_zoom(lambda Z: 0.5 - np.hypot(Z[:, 0], Z[:, 1]), X, y, (0.5, 0), [1.0, 0.1, 0.02])
    assert agreements[0] < agreements[1] < agreements[2] and agreements[2] > 0.99  # zoomed in, a circle looks straight
    plt.close("all")


def test_panels_build_and_redraw():
    pytest.importorskip("ipywidgets")
    import matplotlib.pyplot as plt

    from course_lib.widgets import kernels as panels

    X, y = make_blobs(60, centers=[(-2, 1), (2, -1)], cluster_std=0.5, random_state=0)
    panel = panels.linear_map_panel(X, y)
    panel.controls["angle"].value = 45  # observers redraw without error
    assert panels.line_rule_accuracy(X, y) == 1.0
    assert panels.line_rule_accuracy(-X, y) == 0.0
    panel = panels.random_features_panel(X[:30], gamma=0.5, max_power=6)
    panel.controls["D"].value = 64
    model = warp.make_mlp((2, 3, 2, 1))
    panel = panels.warp_panel(warp.layer_images(model, warp.grid_lines(n_lines=4, n_points=8)),
                              warp.layer_images(model, X), y)
    panel.controls["layer"].value = 2
    plt.close("all")
