"""TCAV, network dissection and feature visualisation from scratch (course_lib.concepts).

TCAV is compared with ``captum.concept.TCAV`` on the same layer and concepts: through captum's
custom-classifier hook both use the same CAV, and the scores agree to float32 precision; with
captum's default classifier, our classifier settings reproduce its CAV exactly on its own
training split. Feature visualisation equals torch-lucent (installed with --no-deps: it would pull
kornia 0.4.1 and pytest plugins) step for step without transformations, and is checked on the
properties the paper states; dissection has no reference package, so it is checked on cases whose
answer is known.
"""
import random
import warnings

import numpy as np
import pytest
import torch
from scipy import stats
from sklearn.linear_model import SGDClassifier
from torch import nn
from torch.utils.data import DataLoader, Dataset

from course_lib import concepts as cc

warnings.filterwarnings("ignore", message="Using default classifier for TCAV")
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def small_cnn(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 8, 3, padding=1),
                         nn.ReLU(), nn.AdaptiveAvgPool2d(2), nn.Flatten(), nn.Linear(32, 3)).eval()


def pictures(n, seed, striped=False):
    x = torch.rand(n, 3, 16, 16, generator=torch.Generator().manual_seed(seed))
    if striped:
        x[:, :, ::2] = 1.0
    return x


class Images(Dataset):
    def __init__(self, x):
        self.x = x

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i]


def concept(identifier, name, x):
    from captum.concept import Concept

    return Concept(identifier, name, DataLoader(Images(x), batch_size=len(x)))


# ---------------------------------------------------------------------- TCAV against captum
def test_layer_activations_equal_captum():
    from captum.attr import LayerActivation

    model, x = small_cnn(), pictures(4, 1)
    ours = cc.layer_activations(model, "2", x)
    theirs = LayerActivation(model, model[2]).attribute(x).flatten(1)
    torch.testing.assert_close(ours, theirs, rtol=0, atol=0)


def test_tcav_equals_captum_with_the_same_cav(tmp_path):
    """captum's custom-classifier hook: a Classifier whose weights are our CAV, so both TCAVs
    use one vector; then sign_count = our score and magnitude = mean S_C(x) (float32)."""
    pytest.importorskip("captum.concept")
    from captum.concept import TCAV
    from captum.concept._utils.classifier import Classifier

    class OurCAV(Classifier):
        def __init__(self):
            self.cav, self.ids = None, None

        def train_and_eval(self, dataloader, **kwargs):
            inputs, labels = zip(*dataloader)
            x, y = torch.cat(inputs), torch.cat(labels)
            self.ids = sorted(set(y.tolist()))               # [concept id, random id]
            self.cav = cc.concept_activation_vector(x[y == self.ids[0]], x[y == self.ids[1]])
            return {"accs": torch.tensor(float("nan"))}

        def weights(self):                                   # one row per class, in classes() order
            return torch.stack([self.cav, -self.cav]).float()

        def classes(self):
            return self.ids

    model, inputs = small_cnn(), pictures(12, 2)
    striped, randoms = pictures(20, 3, striped=True), [pictures(20, 10 + i) for i in range(2)]
    striped_concept = concept(0, "striped", striped)
    sets = [[striped_concept, concept(i + 1, f"random{i}", r)] for i, r in enumerate(randoms)]
    for target in (0, 1, 2):
        scores = TCAV(model, ["2"], classifier=OurCAV(), save_path=str(tmp_path)).interpret(
            inputs, sets, target=target)
        for (c, r), random_images in zip(sets, randoms):
            cav = cc.concept_activation_vector(cc.layer_activations(model, "2", striped),
                                               cc.layer_activations(model, "2", random_images))
            theirs = scores[f"{c.id}-{r.id}"]["2"]
            ours = torch.tensor(cc.tcav_score(model, "2", inputs, target, cav), dtype=torch.float32)
            assert ours == theirs["sign_count"][0]              # captum counts in float32
            derivatives = cc.directional_derivatives(model, "2", inputs, target, cav)
            torch.testing.assert_close(derivatives.mean().float(), theirs["magnitude"][0],
                                       rtol=1e-5, atol=1e-9)


def test_cav_classifier_settings_equal_captum_default(tmp_path):
    """captum's DefaultClassifier trains SGDClassifier(alpha=0.01, max_iter=1000, tol=1e-3) on a
    random two thirds of the examples, in shuffled order. The same settings on the same rows in
    the same order give its CAV exactly; our function, fed concept rows then random rows (SGD
    depends on the order), gives a CAV within 0.65 radians of it (0.47 with Colab's scikit-learn
    1.6; a random direction in these 1,000+ dimensions is about pi/2 away) and the same TCAV
    score."""
    from captum.concept import TCAV

    model, inputs = small_cnn(), pictures(12, 2)
    striped, random_images = pictures(20, 3, striped=True), pictures(20, 10)
    random.seed(0)
    np.random.seed(0)
    tcav = TCAV(model, ["2"], save_path=str(tmp_path))
    scores = tcav.interpret(inputs, [[concept(0, "striped", striped), concept(1, "r", random_images)]],
                            target=1)
    theirs = tcav.cavs["0-1"]["2"].stats["weights"][0].double()      # the concept's row

    acts = torch.cat([cc.layer_activations(model, "2", striped),
                      cc.layer_activations(model, "2", random_images)])
    labels = np.r_[np.zeros(20), np.ones(20)]
    order = list(range(40))
    random.seed(0)
    random.shuffle(order)                                  # captum's _train_test_split
    train = order[int(0.33 * 40):]
    same = SGDClassifier(alpha=0.01, max_iter=1000, tol=1e-3, random_state=0).fit(
        acts[train].numpy(), labels[train]).coef_[0]
    torch.testing.assert_close(-torch.from_numpy(same).float().double(), theirs, rtol=0, atol=0)

    rows = np.array(train)
    ours = cc.concept_activation_vector(acts[rows[labels[rows] == 0]], acts[rows[labels[rows] == 1]])
    assert torch.nn.functional.cosine_similarity(ours, theirs, dim=0) > np.cos(0.65)
    ours_score = torch.tensor(cc.tcav_score(model, "2", inputs, 1, ours), dtype=torch.float32)
    assert ours_score == scores["0-1"]["2"]["sign_count"][0]


# ---------------------------------------------------------------------- TCAV on a known answer
class RedDetector(nn.Module):
    """Channel 0 of the layer is the red channel; the class-0 score counts where red > 0.5
    (so its gradient varies from image to image), class 1 where green or blue is."""

    def __init__(self):
        super().__init__()
        self.features = nn.Conv2d(3, 3, 1, bias=False)
        self.features.weight.data = torch.eye(3).view(3, 3, 1, 1)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Linear(3, 2, bias=False)
        self.head.weight.data = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]])

    def forward(self, x):
        return self.head(self.pool(torch.relu(self.features(x) - 0.5)).flatten(1))


def coloured(n, seed, channel=None):
    x = pictures(n, seed)
    if channel is not None:
        x[:, channel] = 0.5 + 0.5 * x[:, channel]
    return x


def test_cav_points_towards_the_concept_and_tcav_finds_it():
    model, inputs = RedDetector().eval(), coloured(10, 0)
    acts = lambda x: cc.layer_activations(model, "features", x)  # noqa: E731
    red = cc.concept_activation_vector(acts(coloured(20, 1, channel=0)), acts(coloured(20, 2)))
    per_channel = red.view(3, 16, 16).sum(dim=(1, 2))
    assert per_channel[0] > 0 and per_channel[0] > per_channel[1:].abs().max()
    assert red.dtype == torch.float64 and abs(red.norm().item() - 1) < 1e-12
    assert cc.tcav_score(model, "features", inputs, 0, red) == 1.0      # red raises class 0
    assert cc.tcav_score(model, "features", inputs, 1, red) == 0.0      # and lowers class 1's share


def test_tcav_random_test_finds_the_concept_the_model_uses():
    model, inputs = RedDetector().eval(), coloured(10, 0)
    acts = lambda x: cc.layer_activations(model, "features", x)  # noqa: E731
    randoms = [acts(coloured(15, 100 + i)) for i in range(8)]
    used = cc.tcav_random_test(model, "features", inputs, 0, acts(coloured(15, 1, channel=0)), randoms)
    assert used.significant and used.concept_scores.min() == 1.0
    # the same test, by hand
    t, p = stats.ttest_ind(used.concept_scores, used.random_scores)
    assert used.p_value == pytest.approx(p) and used.statistic == pytest.approx(t)
    # the null scatters: random-vs-random CAVs point anywhere, so their scores spread out
    assert used.random_scores.std() > 0.2 and len(used.random_scores) == len(randoms)


def test_tcav_significance_edge_cases():
    assert not cc.tcav_significance([0.5, 0.5], [0.5, 0.5]).significant
    same = cc.tcav_significance([1.0, 1.0, 1.0], [0.0, 0.0])
    assert same.significant and same.p_value == 0.0
    noisy = cc.tcav_significance([0.9, 0.8, 1.0, 0.95], [0.4, 0.6, 0.5, 0.55], alpha=0.01)
    assert noisy.p_value == pytest.approx(stats.ttest_ind([0.9, 0.8, 1.0, 0.95], [0.4, 0.6, 0.5, 0.55])[1])


# ---------------------------------------------------------------------- network dissection
def test_dissect_finds_the_channel_drawn_as_the_mask():
    """An identity layer: channel 0 is 1 exactly on the drawn square, channel 1 is noise."""
    layer = nn.Conv2d(3, 3, 1, bias=False)
    layer.weight.data = torch.eye(3).view(3, 3, 1, 1)
    model = nn.Sequential(layer, nn.AdaptiveAvgPool2d(1), nn.Flatten()).eval()
    images = torch.rand(6, 3, 16, 16, generator=torch.Generator().manual_seed(0)) * 0.9
    masks = np.zeros((6, 2, 16, 16), bool)
    for i in range(6):
        masks[i, 0, i:i + 5, 2 * i:2 * i + 4] = True           # the square
        masks[i, 1, 10:, :] = True                             # another part
    images[:, 0] = torch.from_numpy(masks[:, 0]).float()
    iou = cc.dissect(model, layer, images, masks, quantile=0.95)   # 7.8 % of pixels are 1
    assert iou.shape == (3, 2)
    assert iou[0, 0] == 1.0 and iou[0, 1] == 0.0
    assert iou[1:, 0].max() < 0.2


def test_dissect_equals_the_formula_by_hand():
    """A coarser layer (stride 2): thresholds from the layer's activations, maps upsampled."""
    torch.manual_seed(1)
    model = nn.Sequential(nn.Conv2d(3, 4, 3, stride=2, padding=1), nn.ReLU(), nn.Flatten()).eval()
    images = torch.rand(5, 3, 12, 12, generator=torch.Generator().manual_seed(2))
    masks = np.random.default_rng(0).random((5, 3, 12, 12)) > 0.7
    iou = cc.dissect(model, model[0], images, masks, quantile=0.8, batch_size=2)
    with torch.no_grad():
        maps = model[0](images).double()
    expected = np.zeros((4, 3))
    for k in range(4):
        threshold = np.quantile(maps[:, k].numpy().ravel(), 0.8)
        up = torch.nn.functional.interpolate(maps[:, k:k + 1], size=(12, 12), mode="bilinear",
                                             align_corners=False)[:, 0].numpy()
        on = up >= threshold
        for c in range(3):
            expected[k, c] = (on & masks[:, c]).sum() / (on | masks[:, c]).sum()
    np.testing.assert_allclose(iou, expected, rtol=1e-12, atol=0)
    same, active = cc.dissect(model, model[0], images, masks, quantile=0.8, batch_size=2, return_active=True)
    np.testing.assert_array_equal(same, iou)
    ups = torch.nn.functional.interpolate(maps, size=(12, 12), mode="bilinear", align_corners=False).numpy()
    thresholds = np.quantile(maps.transpose(0, 1).flatten(1).numpy(), 0.8, axis=1)
    np.testing.assert_allclose(active, (ups >= thresholds[None, :, None, None]).mean(axis=(0, 2, 3)),
                               rtol=1e-12, atol=0)
    share = masks.mean(axis=(0, 2, 3))
    ceiling = np.minimum(active[:, None], share) / np.maximum(active[:, None], share)
    assert (iou <= ceiling + 1e-12).all() and (iou < ceiling).any()


def test_dissect_reaches_the_ceiling_when_the_marked_pixels_lie_inside_the_mask():
    """IoU = a / m exactly when every marked pixel is in the mask (the bound min(a, m) / max(a, m))."""
    layer = nn.Conv2d(1, 1, 1, bias=False)
    layer.weight.data.fill_(1.0)
    model = nn.Sequential(layer, nn.Flatten()).eval()
    images = torch.zeros(4, 1, 10, 10)
    images[:, 0, 2, 3] = torch.arange(1.0, 5.0)                # one bright pixel per image
    masks = np.zeros((4, 1, 10, 10), bool)
    masks[:, 0, :5, :5] = True                                 # a quarter of each image, around it
    iou, active = cc.dissect(model, layer, images, masks, quantile=0.99, return_active=True)
    assert active[0] == pytest.approx(0.01, abs=1e-12)         # 4 of 400 pixels
    assert iou[0, 0] == pytest.approx(active[0] / 0.25, rel=1e-12)


# ---------------------------------------------------------------------- feature visualisation
@pytest.mark.parametrize("parametrisation, decorrelate, jitter, scales, blur", [
    ("pixels", False, 0, (1.0,), 0.0),            # naive
    ("fourier", True, 2, (1.0, 0.9, 1.1), 0.5),   # regularised
])
def test_feature_visualisation_beats_every_dataset_example(parametrisation, decorrelate, jitter, scales,
                                                           blur):
    model, channel = small_cnn(), 5
    dataset = torch.cat([pictures(32, 7), pictures(16, 8, striped=True)])
    values = []
    image = cc.feature_visualisation(model, model[3], channel, steps=25, size=16, seed=0, lr=0.1,
                                     parametrisation=parametrisation, decorrelate=decorrelate,
                                     jitter=jitter, scales=scales, blur=blur,
                                     callback=lambda step, value: values.append(value))
    assert image.shape == (1, 3, 16, 16) and 0 <= image.min() and image.max() <= 1
    assert len(values) == 25 and values[-1] > values[0]

    def activation(x):
        return cc.layer_activations(model, model[3], x).view(len(x), 8, -1)[:, channel].mean(1)

    assert activation(image).item() > activation(dataset).max().item()
    assert all(not m._forward_hooks for m in model.modules())


def test_feature_visualisation_is_deterministic_and_seeded():
    model = small_cnn()
    first = cc.feature_visualisation(model, "2", 1, steps=5, size=16, seed=3)
    again = cc.feature_visualisation(model, "2", 1, steps=5, size=16, seed=3)
    other = cc.feature_visualisation(model, "2", 1, steps=5, size=16, seed=4)
    torch.testing.assert_close(first, again, rtol=0, atol=0)
    assert not torch.equal(first, other)


def lucent_visualisation(model, layer, channel, steps, size, seed, lr, fft, decorrelate):
    """lucent's ``render`` loop without its transformations: its parametrisation (``param.image``:
    a 1/f spectrum or pixels drawn with torch.randn * 0.01, colour decorrelation, sigmoid), its
    ``objectives.channel`` and Adam, as ``lucent.optvis.render.render_vis`` runs them."""
    from lucent.optvis import objectives, param

    torch.manual_seed(seed)
    parameters, image_f = param.image(size, fft=fft, decorrelate=decorrelate)
    objective, optimiser = objectives.channel("layer", channel), torch.optim.Adam(parameters, lr=lr)
    for _ in range(steps):
        seen = {}
        handle = layer.register_forward_hook(lambda module, inputs, output: seen.update(layer=output))
        optimiser.zero_grad()
        model(image_f())
        handle.remove()
        objective(seen.get).backward()
        optimiser.step()
    return image_f().detach()


@pytest.mark.parametrize("parametrisation, decorrelate", [("fourier", True), ("pixels", False),
                                                          ("pixels", True), ("fourier", False)])
@pytest.mark.parametrize("steps", [1, 6])
def test_feature_visualisation_equals_lucent(parametrisation, decorrelate, steps):
    """torch-lucent (the PyTorch port of lucid, the library of Olah et al.'s article) from the same
    seed: the same start, parametrisation, colour mixing, objective and Adam steps give the same
    image up to float32 rounding (the FFT normalised in two ways: ours irfft2 * size, lucent's
    ortho)."""
    pytest.importorskip("lucent.optvis.param")   # torch-lucent, installed with --no-deps
    model = small_cnn()
    ours = cc.feature_visualisation(model, model[2], 1, steps=steps, size=16, seed=5, lr=0.05,
                                    parametrisation=parametrisation, decorrelate=decorrelate,
                                    jitter=0, scales=(1.0,))
    theirs = lucent_visualisation(model, model[2], 1, steps, 16, 5, 0.05,
                                  fft=parametrisation == "fourier", decorrelate=decorrelate)
    torch.testing.assert_close(ours, theirs, rtol=0, atol=2e-6)
    start = lucent_visualisation(model, model[2], 1, 0, 16, 5, 0.05,
                                 fft=parametrisation == "fourier", decorrelate=decorrelate)
    assert (ours - start).abs().max() > 1e-4       # the steps moved the image: not the start twice


def test_naive_visualisation_is_higher_frequency_than_the_fourier_one():
    """Olah et al. 2017: plain pixel ascent fills the image with high frequencies; the 1/f
    spectrum parametrisation keeps the energy at low frequencies."""
    model = small_cnn()

    def high_share(image):
        spectrum = torch.fft.rfft2(image - image.mean(dim=(2, 3), keepdim=True)).abs() ** 2
        frequency = torch.sqrt(torch.fft.fftfreq(16)[:, None] ** 2 + torch.fft.rfftfreq(16)[None] ** 2)
        return (spectrum[..., frequency > 0.25].sum() / spectrum.sum()).item()

    naive = cc.feature_visualisation(model, model[3], 5, steps=25, size=16, lr=0.1,
                                     parametrisation="pixels", decorrelate=False, jitter=0, scales=(1.0,))
    fourier = cc.feature_visualisation(model, model[3], 5, steps=25, size=16, lr=0.1)
    assert high_share(naive) > high_share(fourier)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_concepts_run_on_the_model_device():
    model, inputs = small_cnn().cuda(), pictures(6, 2).cuda()
    acts = cc.layer_activations(model, "2", inputs)
    assert acts.device.type == "cuda"
    cav = cc.concept_activation_vector(acts[:3], acts[3:])
    assert 0 <= cc.tcav_score(model, "2", inputs, 1, cav) <= 1
    masks = np.zeros((6, 1, 16, 16), bool)
    masks[:, 0, :8] = True
    assert cc.dissect(model, "2", inputs, masks).shape == (8, 1)
    image = cc.feature_visualisation(model, model[3], 2, steps=3, size=16)
    assert image.device.type == "cuda"
    cpu = cc.feature_visualisation(model.cpu(), model[3], 2, steps=3, size=16)
    torch.testing.assert_close(image.cpu(), cpu, rtol=1e-3, atol=1e-4)
