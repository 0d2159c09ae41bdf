"""course_lib.lime.LimeImage equals lime's LimeImageExplainer on superpixels, with numpy and torch models."""
import numpy as np
import pytest
from lime.lime_image import LimeImageExplainer
from skimage import data
from skimage.segmentation import slic
from skimage.transform import resize

from course_lib.lime import LimeImage, hide_superpixels, perturbed_images, superpixel_mask
from test_lime import TOL


def assert_same_image(ours, reference, label):
    expected = dict(reference.local_exp[label])
    assert sorted(expected) == sorted(ours.weights)
    np.testing.assert_allclose([ours.weights[j] for j in expected], list(expected.values()), rtol=0, atol=TOL)
    assert ours.intercept == pytest.approx(reference.intercept[label], abs=TOL)
    assert ours.score == pytest.approx(reference.score, abs=TOL)
    assert ours.local_pred == pytest.approx(float(np.ravel(reference.local_pred)[0]), abs=TOL)


@pytest.fixture(scope="module")
def cat():
    return (resize(data.chelsea(), (48, 72), anti_aliasing=True) * 255).astype(np.uint8)


@pytest.fixture(scope="module")
def coffee():
    return (resize(data.coffee(), (40, 60), anti_aliasing=True) * 255).astype(np.uint8)


@pytest.fixture(scope="module")
def colour_model():
    """A 4-class softmax of colour statistics in different parts of the image."""
    weights = np.random.RandomState(0).normal(size=(4, 4)) * 6

    def predict(batch):
        b = np.asarray(batch, dtype=float) / 255
        half = b.shape[2] // 2
        features = np.stack([b[..., 0].mean((1, 2)), b[:, :, :half, 1].mean((1, 2)),
                             b[:, :, half:, 2].mean((1, 2)), b.std((1, 2, 3))], axis=1)
        logits = features @ weights
        e = np.exp(logits - logits.max(1, keepdims=True))
        return e / e.sum(1, keepdims=True)

    return predict


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("options", [{}, {"hide_color": 0}, {"num_features": 3},
                                     {"hide_color": (255, 0, 0), "num_features": 7}], ids=str)
def test_image_equals_lime_with_quickshift(cat, colour_model, seed, options):
    reference = LimeImageExplainer(random_state=seed).explain_instance(
        cat, colour_model, labels=(2,), top_labels=None, num_samples=120, **options)
    ours = LimeImage(seed=seed).explain(cat, colour_model, label=2, num_samples=120, **options)
    assert_same_image(ours, reference, 2)


@pytest.mark.parametrize("seed", [0, 5])
def test_image_equals_lime_with_given_superpixels_and_a_float_image(cat, colour_model, seed):
    def segmenter(image):
        return slic(image, n_segments=20, start_label=0)

    as_float = cat.astype(np.float32)
    reference = LimeImageExplainer(random_state=seed).explain_instance(
        as_float, colour_model, labels=(1,), top_labels=None, num_samples=100, segmentation_fn=segmenter)
    ours = LimeImage(seed=seed).explain(as_float, colour_model, label=1, num_samples=100, segments=segmenter)
    assert_same_image(ours, reference, 1)
    segments = segmenter(as_float)
    fixed = LimeImage(seed=seed).explain(as_float, colour_model, label=1, num_samples=100, segments=segments)
    assert fixed.weights == ours.weights


@pytest.mark.parametrize("seed", [0, 3])
def test_image_equals_lime_on_a_second_photo(coffee, colour_model, seed):
    reference = LimeImageExplainer(random_state=seed).explain_instance(
        coffee, colour_model, labels=(0, 3), top_labels=None, num_samples=150, num_features=5)
    ours = LimeImage(seed=seed).explain(coffee, colour_model, label=3, num_samples=150, num_features=5)
    assert_same_image(ours, reference, 3)


def test_one_neighbourhood_explains_several_labels_like_lime(cat, colour_model):
    reference = LimeImageExplainer(random_state=4).explain_instance(
        cat, colour_model, labels=(0, 1, 3), top_labels=None, num_samples=100)
    nb = LimeImage(seed=4).sample(cat, colour_model, num_samples=100)
    for label in (0, 1, 3):
        ours = nb.explain(label, num_features=None)
        assert dict(reference.local_exp[label]) == pytest.approx(ours.weights, abs=TOL)
        assert ours.intercept == pytest.approx(reference.intercept[label], abs=TOL)
    assert ours.score == pytest.approx(reference.score, abs=TOL)  # lime keeps the last label's score


def test_default_label_is_the_top_class_and_lime_top_labels_agree(cat, colour_model):
    reference = LimeImageExplainer(random_state=0).explain_instance(cat, colour_model, top_labels=1, num_samples=80)
    ours = LimeImage(seed=0).explain(cat, colour_model, num_samples=80)
    assert ours.label == reference.top_labels[0]
    assert_same_image(ours, reference, ours.label)


def test_torch_model_returning_tensors(cat):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 5, stride=4), torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1),
                              torch.nn.Flatten(), torch.nn.Linear(4, 3), torch.nn.Softmax(dim=1)).eval()

    def predict(batch):
        with torch.no_grad():
            return net(torch.as_tensor(batch, dtype=torch.float32).permute(0, 3, 1, 2) / 255)

    reference = LimeImageExplainer(random_state=1).explain_instance(
        cat, lambda b: predict(b).numpy(), labels=(0,), top_labels=None, num_samples=60)
    ours = LimeImage(seed=1).explain(cat, predict, label=0, num_samples=60)
    assert_same_image(ours, reference, 0)


def test_hiding_and_masks(cat):
    segments = np.repeat(np.arange(4), cat.shape[0] * cat.shape[1] // 4).reshape(cat.shape[:2])
    hidden = hide_superpixels(cat, segments)
    assert hidden.dtype == np.uint8
    for k in range(4):
        means = cat[segments == k].mean(axis=0)
        np.testing.assert_array_equal(hidden[segments == k][0], means.astype(np.uint8))
    images = perturbed_images(cat, hidden, segments, np.array([[1, 0, 1, 1], [0, 0, 0, 0]]))
    np.testing.assert_array_equal(images[0][segments != 1], cat[segments != 1])
    np.testing.assert_array_equal(images[0][segments == 1], hidden[segments == 1])
    np.testing.assert_array_equal(images[1], hidden)


def test_superpixel_mask_marks_the_top_superpixels(cat, colour_model):
    ours = LimeImage(seed=0).explain(cat, colour_model, label=2, num_samples=80)
    segments = ours.neighbourhood.extra["segments"]
    mask = superpixel_mask(ours, num_features=2, positive_only=True)
    positive = [j for j, w in ours.weights.items() if w > 0][:2]
    assert set(np.unique(segments[mask == 1])) == set(positive)
    both = superpixel_mask(ours, num_features=len(ours.weights), positive_only=False)
    assert np.all(both != 0) or 0.0 in ours.weights.values()


def test_superpixel_plots_draw(cat, colour_model):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from course_lib.plots.lime import plot_segments, plot_superpixels

    ours = LimeImage(seed=0).explain(cat, colour_model, label=2, num_samples=40)
    fig, axes = plt.subplots(1, 3)
    plot_segments(cat, ours.neighbourhood.extra["segments"], ax=axes[0])
    plot_superpixels(ours, num_features=3, ax=axes[1])
    plot_superpixels(ours, num_features=3, positive_only=False, ax=axes[2])
    assert "superpixels" in axes[0].get_title() and len(axes[1].images) == 1
    plt.close(fig)


def test_clear_errors_on_bad_images(cat, colour_model):
    explainer = LimeImage(seed=0)
    with pytest.raises(ValueError, match="greyscale image; LIME expects RGB"):
        explainer.explain(cat[..., 0], colour_model, num_samples=10)
    with pytest.raises(ValueError, match=r"must have shape \(height, width, 3\)"):
        explainer.explain(np.stack([cat, cat]), colour_model, num_samples=10)
    with pytest.raises(ValueError, match="segments has shape"):
        explainer.explain(cat, colour_model, segments=np.zeros((3, 3), int), num_samples=10)
    with pytest.raises(TypeError, match="integer superpixel labels"):
        explainer.explain(cat, colour_model, segments=np.zeros(cat.shape[:2]) + 0.5, num_samples=10)
    with pytest.raises(ValueError, match="predict_fn returned shape"):
        explainer.explain(cat, lambda b: colour_model(b)[0], num_samples=10)
    with pytest.raises(ValueError, match="NaN or infinite"):
        explainer.explain(cat, lambda b: colour_model(b) * np.nan, num_samples=10)
    with pytest.raises(TypeError, match="not a tensor"):
        torch = pytest.importorskip("torch")
        explainer.explain(torch.zeros(8, 8, 3), colour_model, num_samples=10)
