"""Bad-input probes of lecture 10's methods: course_lib.baselines and course_lib.concepts
(see tests/bad_input_probe.py for the rule).

Each case feeds one public function one class of bad input: not a tensor, wrong shape, NaN, a
double tensor for a float model, a target out of range, a window larger than the image, a
stride larger than the window, an unknown rule, alpha - beta != 1, a model that is not an
nn.Sequential or has a layer without a rule, baselines of another image size, a float or
negative seed, an absurd count. The error must be a one-line TypeError/ValueError of ours
within a second.
"""
import numpy as np
import pytest
import torch
from torch import nn

from bad_input_probe import assert_clear_error

from course_lib import baselines as bl
from course_lib import concepts as cc

torch.manual_seed(0)
NET = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                    nn.Linear(64, 3)).eval()
IMAGES = torch.rand(2, 3, 8, 8)
NAN_IMAGES = IMAGES.clone()
NAN_IMAGES[1, 0, 0, 0] = float("nan")
REFERENCES = torch.rand(4, 3, 8, 8)
ACTS = np.random.default_rng(0).normal(size=(6, 10))
NAN_ACTS = ACTS.copy()
NAN_ACTS[2, 3] = np.nan
CONV_ACTS = np.random.default_rng(1).normal(size=(5, 256))
MASKS = np.zeros((2, 2, 8, 8))
MASKS[:, 0, 2:5, 2:5] = 1


class Wrapped(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = NET

    def forward(self, x):
        return self.body(x)


class FlatNet(nn.Module):
    """Returns one number per image, not (N, n_classes)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 1, 1)

    def forward(self, x):
        return self.conv(x).mean(dim=(1, 2, 3))


SIGMOID_NET = nn.Sequential(nn.Conv2d(3, 4, 3), nn.Sigmoid(), nn.Flatten(), nn.Linear(144, 2))
OVERLAPPING = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, stride=1),
                            nn.Flatten(), nn.Linear(144, 2))

CASES = {
    # ------------------------------------------------------------------ occlusion
    "baselines.occlusion: x a numpy array": lambda: bl.occlusion(NET, IMAGES.numpy(), 0, 2, 2),
    "baselines.occlusion: x one image (3-D)": lambda: bl.occlusion(NET, IMAGES[0], 0, 2, 2),
    "baselines.occlusion: x with NaN": lambda: bl.occlusion(NET, NAN_IMAGES, 0, 2, 2),
    "baselines.occlusion: x double, model float": lambda: bl.occlusion(NET, IMAGES.double(), 0, 2, 2),
    "baselines.occlusion: model a function": lambda: bl.occlusion(lambda x: x, IMAGES, 0, 2, 2),
    "baselines.occlusion: target out of range": lambda: bl.occlusion(NET, IMAGES, 7, 2, 2),
    "baselines.occlusion: target a float": lambda: bl.occlusion(NET, IMAGES, 0.5, 2, 2),
    "baselines.occlusion: three targets for two images": lambda: bl.occlusion(NET, IMAGES, [0, 1, 2], 2, 2),
    "baselines.occlusion: window larger than the image": lambda: bl.occlusion(NET, IMAGES, 0, 9, 2),
    "baselines.occlusion: window zero": lambda: bl.occlusion(NET, IMAGES, 0, 0, 1),
    "baselines.occlusion: window a string": lambda: bl.occlusion(NET, IMAGES, 0, "3", 1),
    "baselines.occlusion: stride larger than window": lambda: bl.occlusion(NET, IMAGES, 0, 2, 3),
    "baselines.occlusion: baseline NaN": lambda: bl.occlusion(NET, IMAGES, 0, 2, 2, baseline=float("nan")),
    "baselines.occlusion: baseline of another size": lambda: bl.occlusion(
        NET, IMAGES, 0, 2, 2, baseline=torch.zeros(3, 4, 4)),
    "baselines.occlusion: batch_size absurd": lambda: bl.occlusion(NET, IMAGES, 0, 2, 2, batch_size=10 ** 12),
    "baselines.occlusion: model returns one number": lambda: bl.occlusion(FlatNet(), IMAGES, 0, 2, 2),
    # ------------------------------------------------------------------ LRP
    "baselines.lrp: x a list": lambda: bl.lrp(NET, IMAGES.tolist(), 0),
    "baselines.lrp: x with NaN": lambda: bl.lrp(NET, NAN_IMAGES, 0),
    "baselines.lrp: model not a Sequential": lambda: bl.lrp(Wrapped(), IMAGES, 0),
    "baselines.lrp: a layer without a rule": lambda: bl.lrp(SIGMOID_NET, IMAGES, 0),
    "baselines.lrp: unknown rule": lambda: bl.lrp(NET, IMAGES, 0, rule="gamma"),
    "baselines.lrp: epsilon negative": lambda: bl.lrp(NET, IMAGES, 0, epsilon=-1e-6),
    "baselines.lrp: alpha - beta != 1": lambda: bl.lrp(NET, IMAGES, 0, rule="alpha_beta", alpha=2, beta=0),
    "baselines.lrp: target negative": lambda: bl.lrp(NET, IMAGES, -1),
    "baselines.lrp: target out of range": lambda: bl.lrp(NET, IMAGES, 3),
    # ------------------------------------------------------------------ DeepLIFT
    "baselines.deeplift: x a numpy array": lambda: bl.deeplift(NET, IMAGES.numpy(), 0),
    "baselines.deeplift: x with NaN": lambda: bl.deeplift(NET, NAN_IMAGES, 0),
    "baselines.deeplift: baseline a string": lambda: bl.deeplift(NET, IMAGES, 0, baseline="zero"),
    "baselines.deeplift: baseline of another size": lambda: bl.deeplift(
        NET, IMAGES, 0, baseline=torch.zeros(1, 3, 4, 4)),
    "baselines.deeplift: baseline with NaN": lambda: bl.deeplift(NET, IMAGES, 0, baseline=NAN_IMAGES),
    "baselines.deeplift: overlapping max pooling": lambda: bl.deeplift(OVERLAPPING, IMAGES, 0),
    "baselines.deeplift: target out of range": lambda: bl.deeplift(NET, IMAGES, [0, 5]),
    "baselines.deeplift: eps negative": lambda: bl.deeplift(NET, IMAGES, 0, eps=-1.0),
    # ------------------------------------------------------------------ GradientSHAP
    "baselines.gradient_shap: baselines missing the batch axis": lambda: bl.gradient_shap(
        NET, IMAGES, 0, REFERENCES[0]),
    "baselines.gradient_shap: baselines of another size": lambda: bl.gradient_shap(
        NET, IMAGES, 0, torch.rand(4, 3, 6, 6)),
    "baselines.gradient_shap: baselines a numpy array": lambda: bl.gradient_shap(
        NET, IMAGES, 0, REFERENCES.numpy()),
    "baselines.gradient_shap: baselines empty": lambda: bl.gradient_shap(NET, IMAGES, 0, REFERENCES[:0]),
    "baselines.gradient_shap: n_samples zero": lambda: bl.gradient_shap(
        NET, IMAGES, 0, REFERENCES, n_samples=0),
    "baselines.gradient_shap: n_samples a float": lambda: bl.gradient_shap(
        NET, IMAGES, 0, REFERENCES, n_samples=2.0),
    "baselines.gradient_shap: n_samples absurd": lambda: bl.gradient_shap(
        NET, IMAGES, 0, REFERENCES, n_samples=10 ** 12),
    "baselines.gradient_shap: stdevs negative": lambda: bl.gradient_shap(
        NET, IMAGES, 0, REFERENCES, stdevs=-0.1),
    "baselines.gradient_shap: seed negative": lambda: bl.gradient_shap(NET, IMAGES, 0, REFERENCES, seed=-1),
    "baselines.gradient_shap: seed a float": lambda: bl.gradient_shap(NET, IMAGES, 0, REFERENCES, seed=0.5),
    "baselines.gradient_shap: x with NaN": lambda: bl.gradient_shap(NET, NAN_IMAGES, 0, REFERENCES),
    # ------------------------------------------------------------------ activations and TCAV
    "concepts.layer_activations: layer not in the model": lambda: cc.layer_activations(
        NET, nn.ReLU(), IMAGES),
    "concepts.layer_activations: layer name unknown": lambda: cc.layer_activations(NET, "conv9", IMAGES),
    "concepts.layer_activations: images 3-D": lambda: cc.layer_activations(NET, "0", IMAGES[0]),
    "concepts.concept_activation_vector: strings": lambda: cc.concept_activation_vector(
        np.array([["a", "b"]] * 3), ACTS),
    "concepts.concept_activation_vector: NaN": lambda: cc.concept_activation_vector(NAN_ACTS, ACTS),
    "concepts.concept_activation_vector: 1-D": lambda: cc.concept_activation_vector(ACTS[0], ACTS),
    "concepts.concept_activation_vector: features differ": lambda: cc.concept_activation_vector(
        ACTS, ACTS[:, :5]),
    "concepts.concept_activation_vector: one row": lambda: cc.concept_activation_vector(ACTS[:1], ACTS),
    "concepts.concept_activation_vector: seed a float": lambda: cc.concept_activation_vector(
        ACTS, ACTS + 1, seed=0.5),
    "concepts.concept_activation_vector: identical sets": lambda: cc.concept_activation_vector(
        np.zeros((4, 3)), np.zeros((4, 3))),
    "concepts.directional_derivatives: cav of the wrong length": lambda: cc.directional_derivatives(
        NET, "0", IMAGES, 0, np.ones(7)),
    "concepts.directional_derivatives: cav NaN": lambda: cc.directional_derivatives(
        NET, "0", IMAGES, 0, np.full(256, np.nan)),
    "concepts.directional_derivatives: target out of range": lambda: cc.directional_derivatives(
        NET, "0", IMAGES, 9, np.ones(256)),
    "concepts.tcav_score: inputs a numpy array": lambda: cc.tcav_score(
        NET, "0", IMAGES.numpy(), 0, np.ones(256)),
    "concepts.tcav_score: target a string": lambda: cc.tcav_score(NET, "0", IMAGES, "cat", np.ones(256)),
    "concepts.tcav_score: cav a string": lambda: cc.tcav_score(NET, "0", IMAGES, 0, "stripes"),
    "concepts.tcav_significance: one score": lambda: cc.tcav_significance([0.5], [0.4, 0.6]),
    "concepts.tcav_significance: NaN": lambda: cc.tcav_significance([0.5, np.nan], [0.4, 0.6]),
    "concepts.tcav_significance: alpha 1": lambda: cc.tcav_significance([0.5, 0.6], [0.4, 0.6], alpha=1.0),
    "concepts.tcav_random_test: two random sets": lambda: cc.tcav_random_test(
        NET, "0", IMAGES, 0, CONV_ACTS, [CONV_ACTS, CONV_ACTS]),
    "concepts.tcav_random_test: random sets one array": lambda: cc.tcav_random_test(
        NET, "0", IMAGES, 0, CONV_ACTS, np.stack([CONV_ACTS] * 3)),
    "concepts.tcav_random_test: random set of another layer": lambda: cc.tcav_random_test(
        NET, "0", IMAGES, 0, CONV_ACTS, [CONV_ACTS, CONV_ACTS, ACTS]),
    "concepts.tcav_random_test: seed negative": lambda: cc.tcav_random_test(
        NET, "0", IMAGES, 0, CONV_ACTS, [CONV_ACTS] * 3, seed=-1),
    # ------------------------------------------------------------------ dissection
    "concepts.dissect: masks of another batch": lambda: cc.dissect(NET, "0", IMAGES, MASKS[:1]),
    "concepts.dissect: masks 3-D": lambda: cc.dissect(NET, "0", IMAGES, MASKS[:, 0]),
    "concepts.dissect: masks not 0/1": lambda: cc.dissect(NET, "0", IMAGES, MASKS * 3.0),
    "concepts.dissect: quantile 1": lambda: cc.dissect(NET, "0", IMAGES, MASKS, quantile=1.0),
    "concepts.dissect: quantile a string": lambda: cc.dissect(NET, "0", IMAGES, MASKS, quantile="top"),
    "concepts.dissect: a layer without feature maps": lambda: cc.dissect(NET, "4", IMAGES, MASKS),
    "concepts.dissect: batch_size zero": lambda: cc.dissect(NET, "0", IMAGES, MASKS, batch_size=0),
    "concepts.dissect: return_active a string": lambda: cc.dissect(NET, "0", IMAGES, MASKS, return_active="yes"),
    # ------------------------------------------------------------------ feature visualisation
    "concepts.feature_visualisation: channel out of range": lambda: cc.feature_visualisation(
        NET, "0", 4, steps=1),
    "concepts.feature_visualisation: channel a float": lambda: cc.feature_visualisation(
        NET, "0", 1.0, steps=1),
    "concepts.feature_visualisation: layer without channels": lambda: cc.feature_visualisation(
        NET, "3", 0, steps=1, size=8),
    "concepts.feature_visualisation: a size the model cannot take": lambda: cc.feature_visualisation(
        NET, "4", 0, steps=1, size=16),
    "concepts.feature_visualisation: model a function": lambda: cc.feature_visualisation(
        lambda x: x, "0", 0, steps=1),
    "concepts.feature_visualisation: steps zero": lambda: cc.feature_visualisation(NET, "0", 0, steps=0),
    "concepts.feature_visualisation: size absurd": lambda: cc.feature_visualisation(
        NET, "0", 0, size=10 ** 6),
    "concepts.feature_visualisation: lr negative": lambda: cc.feature_visualisation(NET, "0", 0, lr=-0.1),
    "concepts.feature_visualisation: unknown parametrisation": lambda: cc.feature_visualisation(
        NET, "0", 0, parametrisation="wavelet"),
    "concepts.feature_visualisation: jitter negative": lambda: cc.feature_visualisation(
        NET, "0", 0, jitter=-1),
    "concepts.feature_visualisation: scales a number": lambda: cc.feature_visualisation(
        NET, "0", 0, scales=1.1),
    "concepts.feature_visualisation: scale zero": lambda: cc.feature_visualisation(
        NET, "0", 0, scales=(1.0, 0.0)),
    "concepts.feature_visualisation: blur NaN": lambda: cc.feature_visualisation(
        NET, "0", 0, blur=float("nan")),
    "concepts.feature_visualisation: preprocess not callable": lambda: cc.feature_visualisation(
        NET, "0", 0, preprocess="imagenet"),
    "concepts.feature_visualisation: decorrelate a string": lambda: cc.feature_visualisation(
        NET, "0", 0, decorrelate="yes"),
    "concepts.feature_visualisation: seed a float": lambda: cc.feature_visualisation(NET, "0", 0, seed=1.5),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_bad_input_gets_a_clear_error_fast(case):
    assert_clear_error(CASES[case], case)


def test_correct_calls_still_work():
    """The checks let good input through: one call of each, shaped like x."""
    assert bl.occlusion(NET, IMAGES, [0, 1], 4, 2).shape == IMAGES.shape
    assert bl.lrp(NET, IMAGES, np.int64(1), rule="alpha_beta", alpha=2, beta=1).shape == IMAGES.shape
    assert bl.deeplift(NET, IMAGES, torch.tensor([2, 0]), baseline=0.5).shape == IMAGES.shape
    assert bl.gradient_shap(NET, IMAGES, 0, REFERENCES, n_samples=3, stdevs=0.1).shape == IMAGES.shape
    acts = cc.layer_activations(NET, "0", IMAGES)
    cav = cc.concept_activation_vector(acts.numpy() + 1, CONV_ACTS[:4])
    assert 0 <= cc.tcav_score(NET, "0", IMAGES, 1, cav) <= 1
    assert cc.directional_derivatives(NET, "0", IMAGES, [0, 2], cav).shape == (2,)
    randoms = [CONV_ACTS + 1, CONV_ACTS - 1, CONV_ACTS * 2]
    assert cc.tcav_random_test(NET, "0", IMAGES, 0, CONV_ACTS, randoms).p_value >= 0
    assert cc.tcav_significance([0.9, 1.0], [0.4, 0.5]).statistic > 0
    assert cc.dissect(NET, "0", IMAGES, MASKS.astype(bool)).shape == (4, 2)
    assert cc.feature_visualisation(NET, NET[0], 3, steps=2, size=8).shape == (1, 3, 8, 8)
