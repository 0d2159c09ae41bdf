"""Bad-input probes of the vision and representation modules: kernels, warp, hooks, cam,
metrics, attention and shortcut (see tests/bad_input_probe.py for the rule).

Each case feeds one public callable one class of bad input: wrong shape, NaN, strings, a sparse
matrix, the wrong kind of model or layer, a double tensor, a negative or float seed, an absurd
count, maps and masks that do not match, an empty mask. The error must be a one-line
TypeError/ValueError of ours within a second, never a silent result.
"""
import numpy as np
import pytest
import scipy.sparse
import torch
from sklearn.linear_model import LogisticRegression
from torch import nn

from bad_input_probe import assert_clear_error

from course_lib import attention as at
from course_lib import cam, hooks, kernels, metrics, shortcut, warp

POINTS = np.random.default_rng(0).normal(size=(6, 2))
NAN_POINTS = POINTS.copy()
NAN_POINTS[2, 1] = np.nan
STRINGS = np.array([["a", "b"]] * 3)
SPARSE = scipy.sparse.csr_matrix(POINTS)
LABELS = np.arange(6) % 2


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.relu = nn.ReLU()
        self.head = nn.Linear(4, 2)

    def forward(self, x):
        return self.head(self.relu(self.conv(x)).mean(dim=(2, 3)))


class NaNNet(Net):
    def forward(self, x):
        return super().forward(x) * float("nan")


class FlatNet(Net):
    def forward(self, x):
        return super().forward(x)[:, 0]   # one number per image, not (N, n_classes)


torch.manual_seed(0)
NET, NAN_NET, FLAT_NET = Net().eval(), NaNNet().eval(), FlatNet().eval()
OTHER = nn.Conv2d(3, 4, 3)              # a module that is not part of NET
IMAGES = torch.rand(2, 3, 8, 8)
NAN_IMAGES = IMAGES.clone()
NAN_IMAGES[0, 0, 0, 0] = float("nan")
MAPS = torch.rand(2, 8, 8)
MASK = np.zeros((8, 8), bool)
MASK[2:4, 2:4] = True
MLP = warp.make_mlp((2, 3, 1), seed=0)
ATTENTION = [torch.rand(2, 4, 4).softmax(-1) for _ in range(2)]
TEXTS = ["good drug works", "bad side effects", "works well", "awful pain"]
VOCAB = at.Vocabulary(TEXTS)
IDS = VOCAB.encode([VOCAB.split(t) for t in TEXTS], max_len=6)
ENCODER = at.TinyEncoder(len(VOCAB), d_model=8, n_heads=2, n_layers=1, max_len=6).eval()
DATA = shortcut.make_shortcut_data(4, size=32, stamp="cats", seed=0)
EMPTY_MASK = np.zeros((8, 8), bool)


def tiny_graph():
    capacity = np.zeros((3, 3))
    capacity[0, 1] = capacity[1, 2] = 1.0
    return capacity


CASES = {
    # ------------------------------------------------------------------ kernels
    "kernels.rotation: angle a string": lambda: kernels.rotation("90"),
    "kernels.rotation: angle NaN": lambda: kernels.rotation(float("nan")),
    "kernels.scaling: sx a list": lambda: kernels.scaling([1, 2], 1.0),
    "kernels.scaling: sy infinite": lambda: kernels.scaling(1.0, float("inf")),
    "kernels.shear: k None": lambda: kernels.shear(None),
    "kernels.affine_map: NaN points": lambda: kernels.affine_map(NAN_POINTS, np.eye(2)),
    "kernels.affine_map: A of the wrong width": lambda: kernels.affine_map(POINTS, np.eye(3)),
    "kernels.affine_map: A strings": lambda: kernels.affine_map(POINTS, STRINGS[:2]),
    "kernels.affine_map: b of the wrong length": lambda: kernels.affine_map(POINTS, np.eye(2), [1, 2, 3]),
    "kernels.affine_map: sparse X": lambda: kernels.affine_map(SPARSE, np.eye(2)),
    "kernels.polar: three columns": lambda: kernels.polar(np.ones((4, 3))),
    "kernels.polar: strings": lambda: kernels.polar(STRINGS),
    "kernels.polar: one point 1-D": lambda: kernels.polar(np.ones(2)),
    "kernels.quadratic_features: negative c": lambda: kernels.quadratic_features(POINTS, c=-1.0),
    "kernels.quadratic_features: 10**5 features": lambda: kernels.quadratic_features(np.ones((100, 10 ** 5))),
    "kernels.quadratic_features: sparse": lambda: kernels.quadratic_features(SPARSE),
    "kernels.squared_distances: Y of another width": lambda: kernels.squared_distances(POINTS, np.ones((2, 3))),
    "kernels.squared_distances: NaN": lambda: kernels.squared_distances(NAN_POINTS),
    "kernels.squared_distances: 10**5 x 10**5 pairs": lambda: kernels.squared_distances(
        np.zeros((10 ** 5, 1)), np.zeros((10 ** 5, 1))),
    "kernels.rbf_kernel: negative gamma": lambda: kernels.rbf_kernel(POINTS, gamma=-1.0),
    "kernels.rbf_kernel: gamma a string": lambda: kernels.rbf_kernel(POINTS, gamma="scale"),
    "kernels.rbf_kernel: strings": lambda: kernels.rbf_kernel(STRINGS),
    "kernels.rbf_kernel: sparse": lambda: kernels.rbf_kernel(SPARSE),
    "kernels.rbf_kernel: 1-D X": lambda: kernels.rbf_kernel(np.ones(3)),
    "kernels.rbf_kernel: a tensor with NaN": lambda: kernels.rbf_kernel(torch.as_tensor(NAN_POINTS)),
    "kernels.polynomial_kernel: negative degree": lambda: kernels.polynomial_kernel(POINTS, degree=-2),
    "kernels.polynomial_kernel: coef0 NaN": lambda: kernels.polynomial_kernel(POINTS, coef0=float("nan")),
    "kernels.polynomial_kernel: negative gamma": lambda: kernels.polynomial_kernel(POINTS, gamma=-1.0),
    "kernels.kernel_ridge_coefficients: K not square": lambda: kernels.kernel_ridge_coefficients(
        np.ones((3, 2)), np.ones(3)),
    "kernels.kernel_ridge_coefficients: y of other rows": lambda: kernels.kernel_ridge_coefficients(
        np.eye(3), np.ones(4)),
    "kernels.kernel_ridge_coefficients: NaN in K": lambda: kernels.kernel_ridge_coefficients(
        np.full((2, 2), np.nan), np.ones(2)),
    "kernels.kernel_ridge_coefficients: alpha 0": lambda: kernels.kernel_ridge_coefficients(
        np.eye(2), np.ones(2), alpha=0),
    "kernels.kernel_ridge_coefficients: y strings": lambda: kernels.kernel_ridge_coefficients(
        np.eye(2), ["a", "b"]),
    "kernels.RandomFourierFeatures: n_components=10**12": lambda: kernels.RandomFourierFeatures(
        10 ** 12).fit(POINTS),
    "kernels.RandomFourierFeatures: n_components 2.5": lambda: kernels.RandomFourierFeatures(2.5).fit(POINTS),
    "kernels.RandomFourierFeatures: negative random_state": lambda: kernels.RandomFourierFeatures(
        5, seed=-1).fit(POINTS),
    "kernels.RandomFourierFeatures: float random_state": lambda: kernels.RandomFourierFeatures(
        5, seed=1.5).fit(POINTS),
    "kernels.RandomFourierFeatures: negative gamma": lambda: kernels.RandomFourierFeatures(
        5, gamma=-1.0).fit(POINTS),
    "kernels.RandomFourierFeatures: NaN": lambda: kernels.RandomFourierFeatures(5).fit(NAN_POINTS),
    "kernels.RandomFourierFeatures: sparse": lambda: kernels.RandomFourierFeatures(5).fit(SPARSE),
    "kernels.RandomFourierFeatures: transform of another width": lambda: kernels.RandomFourierFeatures(
        5).fit(POINTS).transform(np.ones((2, 3))),
    "kernels.kernel_approximation_error: n_components=10**12": lambda: kernels.kernel_approximation_error(
        POINTS, 10 ** 12, 1.0),
    "kernels.kernel_approximation_error: NaN": lambda: kernels.kernel_approximation_error(NAN_POINTS, 5, 1.0),
    "kernels.kernel_approximation_error: negative random_state": lambda: kernels.kernel_approximation_error(
        POINTS, 5, 1.0, seed=-5),
    "kernels.kernel_approximation_error: 10**5 rows": lambda: kernels.kernel_approximation_error(
        np.zeros((10 ** 5, 1)), 5, 1.0),
    "kernels.expected_approximation_error: n_components 0": lambda: kernels.expected_approximation_error(
        POINTS, 0, 1.0),
    "kernels.expected_approximation_error: NaN": lambda: kernels.expected_approximation_error(
        NAN_POINTS, 5, 1.0),
    "kernels.expected_approximation_error: gamma a string": lambda: kernels.expected_approximation_error(
        POINTS, 5, "1"),
    "kernels.fit_and_score: model a function": lambda: kernels.fit_and_score(
        len, POINTS, LABELS, POINTS, LABELS),
    "kernels.fit_and_score: model an instance method": lambda: kernels.fit_and_score(
        LogisticRegression().fit, POINTS, LABELS, POINTS, LABELS),
    # the data go to the model's own checks (scikit-learn's one-line message here)
    "kernels.fit_and_score: X_test of another width": lambda: kernels.fit_and_score(
        LogisticRegression(), POINTS, LABELS, np.ones((2, 3)), [0, 1]),
    "kernels.is_linearly_separable: one class": lambda: kernels.is_linearly_separable(POINTS, np.zeros(6)),
    "kernels.is_linearly_separable: labels of other rows": lambda: kernels.is_linearly_separable(
        POINTS, LABELS[:4]),
    "kernels.is_linearly_separable: NaN label": lambda: kernels.is_linearly_separable(
        POINTS, np.array([0, 1, 0, 1, np.nan, np.nan])),
    "kernels.is_linearly_separable: strings": lambda: kernels.is_linearly_separable(STRINGS, [0, 1, 0]),
    "kernels.make_spirals: n_samples=10**12": lambda: kernels.make_spirals(10 ** 12),
    "kernels.make_spirals: negative random_state": lambda: kernels.make_spirals(10, seed=-1),
    "kernels.make_spirals: negative noise": lambda: kernels.make_spirals(10, noise=-0.1),
    "kernels.make_spirals: n_samples 10.0": lambda: kernels.make_spirals(10.0),
    "kernels.make_xor: n_samples=10**12": lambda: kernels.make_xor(10 ** 12),
    "kernels.make_xor: margin above 1": lambda: kernels.make_xor(10, margin=1.5),
    "kernels.make_xor: float random_state": lambda: kernels.make_xor(10, seed=0.5),
    # ------------------------------------------------------------------ warp
    "warp.make_mlp: widths a string": lambda: warp.make_mlp("2,3,1"),
    "warp.make_mlp: widths of floats": lambda: warp.make_mlp((2, 2.5, 1)),
    "warp.make_mlp: widths of 10**6": lambda: warp.make_mlp((2, 10 ** 6, 10 ** 6, 1)),
    "warp.make_mlp: negative seed": lambda: warp.make_mlp((2, 1), seed=-1),
    "warp.make_mlp: unknown activation": lambda: warp.make_mlp((2, 1), activation="gelu"),
    "warp.grid_lines: n_points=10**12": lambda: warp.grid_lines(n_points=10 ** 12),
    "warp.grid_lines: n_lines a float": lambda: warp.grid_lines(n_lines=2.5),
    "warp.grid_lines: xlim NaN": lambda: warp.grid_lines((float("nan"), 1.0)),
    "warp.grid_lines: xlim a string": lambda: warp.grid_lines("ab"),
    "warp.layers_of: a function": lambda: warp.layers_of(len),
    "warp.layers_of: a ModuleList": lambda: warp.layers_of(nn.ModuleList([nn.Linear(2, 2)])),
    "warp.layer_names: a fastai-like learner": lambda: warp.layer_names(type("Learner", (), {"model": MLP})()),
    "warp.layer_images: points of the wrong width": lambda: warp.layer_images(MLP, np.zeros((5, 3))),
    "warp.layer_images: NaN points": lambda: warp.layer_images(MLP, NAN_POINTS),
    "warp.layer_images: string points": lambda: warp.layer_images(MLP, STRINGS),
    "warp.layer_images: sparse points": lambda: warp.layer_images(MLP, SPARSE),
    "warp.train_classifier: labels of other rows": lambda: warp.train_classifier(MLP, POINTS, LABELS[:3]),
    "warp.train_classifier: labels not 0/1": lambda: warp.train_classifier(MLP, POINTS, LABELS + 1),
    "warp.train_classifier: epochs=10**12": lambda: warp.train_classifier(MLP, POINTS, LABELS, epochs=10 ** 12),
    "warp.train_classifier: epochs 0": lambda: warp.train_classifier(MLP, POINTS, LABELS, epochs=0),
    "warp.train_classifier: NaN X": lambda: warp.train_classifier(MLP, NAN_POINTS, LABELS),
    "warp.train_classifier: negative lr": lambda: warp.train_classifier(MLP, POINTS, LABELS, lr=-1.0),
    "warp.train_classifier: X_test without y_test": lambda: warp.train_classifier(MLP, POINTS, LABELS,
                                                                                  X_test=POINTS),
    "warp.train_classifier: model not a module": lambda: warp.train_classifier(len, POINTS, LABELS),
    "warp.predict_proba: NaN X": lambda: warp.predict_proba(MLP, NAN_POINTS),
    "warp.predict_proba: 1-D X": lambda: warp.predict_proba(MLP, np.ones(2)),
    "warp.predict_proba: strings": lambda: warp.predict_proba(MLP, STRINGS),
    # ------------------------------------------------------------------ hooks
    "hooks.Hook: a function": lambda: hooks.Hook(len),
    "hooks.Hook: a layer name": lambda: hooks.Hook("conv"),
    "hooks.GradientHook: a tensor": lambda: hooks.GradientHook(IMAGES),
    "hooks.ReLURule: unknown rule": lambda: hooks.ReLURule(NET, "smooth"),
    "hooks.ReLURule: model not a module": lambda: hooks.ReLURule([NET]),
    "hooks.ReLURule: activations an instance": lambda: hooks.ReLURule(NET, activations=nn.ReLU()),
    "hooks.relu_backward: shapes differ": lambda: hooks.relu_backward(np.ones(3), np.ones(2)),
    "hooks.relu_backward: NaN signal": lambda: hooks.relu_backward(np.ones(2), np.array([1.0, np.nan])),
    "hooks.relu_backward: strings": lambda: hooks.relu_backward(np.array(["a"]), np.array(["b"])),
    "hooks.relu_backward: unknown rule": lambda: hooks.relu_backward(np.ones(2), np.ones(2), "smooth"),
    "hooks.evaluating: not a module": lambda: hooks.evaluating(len).__enter__(),
    # ------------------------------------------------------------------ cam
    "cam.saliency: model a function": lambda: cam.saliency(lambda x: x, IMAGES),
    "cam.saliency: list of images": lambda: cam.saliency(NET, IMAGES.tolist()),
    "cam.saliency: model returns NaN": lambda: cam.saliency(NAN_NET, IMAGES),
    "cam.saliency: model returns (N,)": lambda: cam.saliency(FLAT_NET, IMAGES),
    "cam.saliency: float target": lambda: cam.saliency(NET, IMAGES, 1.0),
    "cam.saliency: target out of range": lambda: cam.saliency(NET, IMAGES, 5),
    "cam.input_gradient: double tensor": lambda: cam.input_gradient(NET, IMAGES.double()),
    "cam.input_gradient: empty batch": lambda: cam.input_gradient(NET, IMAGES[:0]),
    "cam.input_gradient: three targets for two images": lambda: cam.input_gradient(NET, IMAGES, [0, 1, 0]),
    "cam.guided_backprop: NaN image": lambda: cam.guided_backprop(NET, NAN_IMAGES),
    "cam.guided_backprop: integer images": lambda: cam.guided_backprop(NET, (IMAGES * 255).to(torch.uint8)),
    "cam.guided_backprop: model a learner": lambda: cam.guided_backprop(type("L", (), {"model": NET})(), IMAGES),
    "cam.deconvnet: one image without batch axis": lambda: cam.deconvnet(NET, IMAGES[0]),
    "cam.deconvnet: negative target": lambda: cam.deconvnet(NET, IMAGES, -1),
    "cam.grad_cam: layer of another model": lambda: cam.grad_cam(NET, OTHER, IMAGES),
    "cam.grad_cam: unknown layer name": lambda: cam.grad_cam(NET, "layer4", IMAGES),
    "cam.grad_cam: layer an int": lambda: cam.grad_cam(NET, 3, IMAGES),
    "cam.grad_cam: layer without feature maps": lambda: cam.grad_cam(NET, NET.head, IMAGES),
    "cam.grad_cam: NaN image": lambda: cam.grad_cam(NET, NET.conv, NAN_IMAGES),
    "cam.grad_cam_weights: 3-D gradients": lambda: cam.grad_cam_weights(torch.ones(2, 3, 4)),
    "cam.grad_cam_weights: numpy gradients": lambda: cam.grad_cam_weights(np.ones((2, 3, 4, 4))),
    "cam.guided_grad_cam: layer of another model": lambda: cam.guided_grad_cam(NET, OTHER, IMAGES),
    "cam.guided_grad_cam: double tensor": lambda: cam.guided_grad_cam(NET, NET.conv, IMAGES.double()),
    "cam.integrated_gradients: n_steps=10**12": lambda: cam.integrated_gradients(NET, IMAGES, n_steps=10 ** 12),
    "cam.integrated_gradients: NaN baseline": lambda: cam.integrated_gradients(NET, IMAGES, baseline=float("nan")),
    "cam.integrated_gradients: baseline of another shape": lambda: cam.integrated_gradients(
        NET, IMAGES, baseline=torch.zeros(3, 4, 4)),
    "cam.integrated_gradients: baseline a string": lambda: cam.integrated_gradients(NET, IMAGES, baseline="zeros"),
    "cam.integrated_gradients: unknown method": lambda: cam.integrated_gradients(NET, IMAGES, method="simpson"),
    "cam.integrated_gradients: internal_batch_size 0": lambda: cam.integrated_gradients(
        NET, IMAGES, n_steps=4, internal_batch_size=0),
    "cam.integrated_gradients: n_steps 2.0": lambda: cam.integrated_gradients(NET, IMAGES, n_steps=2.0),
    "cam.completeness_gap: attributions of another shape": lambda: cam.completeness_gap(
        NET, IMAGES, torch.zeros(2, 3)),
    "cam.completeness_gap: NaN attributions": lambda: cam.completeness_gap(NET, IMAGES, IMAGES * np.nan),
    "cam.completeness_gap: numpy attributions": lambda: cam.completeness_gap(NET, IMAGES, IMAGES.numpy()),
    "cam.smooth_grad: n_samples=10**12": lambda: cam.smooth_grad(NET, IMAGES, n_samples=10 ** 12),
    "cam.smooth_grad: float seed": lambda: cam.smooth_grad(NET, IMAGES, n_samples=2, seed=0.5),
    "cam.smooth_grad: negative stdev": lambda: cam.smooth_grad(NET, IMAGES, n_samples=2, stdev=-0.1),
    "cam.smooth_grad: double tensor": lambda: cam.smooth_grad(NET, IMAGES.double(), n_samples=2),
    "cam.upsample_and_normalise: size 10**6 x 10**6": lambda: cam.upsample_and_normalise(
        MAPS, (10 ** 6, 10 ** 6)),
    "cam.upsample_and_normalise: size one number": lambda: cam.upsample_and_normalise(MAPS, 16),
    "cam.upsample_and_normalise: 4-D maps": lambda: cam.upsample_and_normalise(MAPS[None], (16, 16)),
    "cam.upsample_and_normalise: NaN maps": lambda: cam.upsample_and_normalise(MAPS * np.nan, (16, 16)),
    "cam.heatmap: 2-D map": lambda: cam.heatmap(torch.ones(8, 8)),
    "cam.quadrature: unknown method": lambda: cam.quadrature(5, "simpson"),
    "cam.quadrature: trapezoid n_steps=10**12": lambda: cam.quadrature(10 ** 12, "riemann_trapezoid"),
    # ------------------------------------------------------------------ metrics
    "metrics.to_heatmap: unknown reduce": lambda: metrics.to_heatmap(IMAGES, "mean"),
    "metrics.to_heatmap: NaN maps": lambda: metrics.to_heatmap(NAN_IMAGES),
    "metrics.to_heatmap: strings": lambda: metrics.to_heatmap(np.full((1, 2, 2), "a")),
    "metrics.to_heatmap: 5-D maps": lambda: metrics.to_heatmap(IMAGES[None]),
    "metrics.rank_correlation: shapes differ": lambda: metrics.rank_correlation(MAPS, MAPS[:1]),
    "metrics.rank_correlation: NaN map": lambda: metrics.rank_correlation(MAPS, MAPS * np.nan),
    "metrics.rank_correlation: empty maps": lambda: metrics.rank_correlation(MAPS[:0], MAPS[:0]),
    "metrics.constant_maps: NaN maps": lambda: metrics.constant_maps(MAPS * np.nan),
    "metrics.constant_maps: a string": lambda: metrics.constant_maps("maps"),
    "metrics.constant_maps: 2-D map": lambda: metrics.constant_maps(MAPS[0, 0]),
    "metrics.pointing_game: NaN maps": lambda: metrics.pointing_game(MAPS * np.nan, MASK),
    "metrics.pointing_game: mask of another size": lambda: metrics.pointing_game(MAPS, MASK[:4]),
    "metrics.pointing_game: empty mask": lambda: metrics.pointing_game(MAPS, EMPTY_MASK),
    "metrics.pointing_game: mask of scores": lambda: metrics.pointing_game(MAPS, MAPS),
    "metrics.pointing_game: negative tolerance": lambda: metrics.pointing_game(MAPS, MASK, tolerance=-1),
    "metrics.pointing_game: tolerance a string": lambda: metrics.pointing_game(MAPS, MASK, tolerance="1"),
    "metrics.energy_in_mask: NaN maps": lambda: metrics.energy_in_mask(MAPS * np.nan, MASK),
    "metrics.energy_in_mask: empty mask": lambda: metrics.energy_in_mask(MAPS, EMPTY_MASK),
    "metrics.energy_in_mask: masks for three images": lambda: metrics.energy_in_mask(
        MAPS, np.stack([MASK] * 3)),
    "metrics.cascading_randomization: explain not callable": lambda: metrics.cascading_randomization(
        NET, "saliency", IMAGES),
    "metrics.cascading_randomization: unknown layer": lambda: metrics.cascading_randomization(
        NET, cam.saliency, IMAGES, layers=["layer4"]),
    "metrics.cascading_randomization: layer a module": lambda: metrics.cascading_randomization(
        NET, cam.saliency, IMAGES, layers=[NET.conv]),
    "metrics.cascading_randomization: negative seed": lambda: metrics.cascading_randomization(
        NET, cam.saliency, IMAGES, seed=-1),
    "metrics.cascading_randomization: model not a module": lambda: metrics.cascading_randomization(
        len, cam.saliency, IMAGES),
    "metrics.cascading_randomization: double images": lambda: metrics.cascading_randomization(
        NET, cam.saliency, IMAGES.double()),
    "metrics.randomize_layer: generator a seed": lambda: metrics.randomize_layer(NET.conv, 0),
    "metrics.randomize_layer: not a module": lambda: metrics.randomize_layer("conv", torch.Generator()),
    "metrics.randomization_order: not a module": lambda: metrics.randomization_order([NET]),
    # ------------------------------------------------------------------ attention
    "attention.attention_rollout: one tensor, not a list": lambda: at.attention_rollout(torch.stack(ATTENTION)),
    "attention.attention_rollout: NaN weights": lambda: at.attention_rollout([ATTENTION[0] * np.nan]),
    "attention.attention_rollout: layers of different sizes": lambda: at.attention_rollout(
        [ATTENTION[0], torch.rand(2, 3, 3)]),
    "attention.attention_rollout: negative weights": lambda: at.attention_rollout([-ATTENTION[0]]),
    "attention.attention_rollout: rows of zeros": lambda: at.attention_rollout(
        [torch.zeros(2, 4, 4)], add_residual=False),
    "attention.attention_rollout: strings": lambda: at.attention_rollout([np.full((1, 2, 2), "a")]),
    "attention.attention_flow: output_token out of range": lambda: at.attention_flow(ATTENTION, output_token=9),
    "attention.attention_flow: a batch": lambda: at.attention_flow([A[None] for A in ATTENTION]),
    "attention.attention_flow: 400 layers, a graph of 4 * 10**8 capacities": lambda: at.attention_flow(
        [torch.full((1, 50, 50), 0.02)] * 400),
    "attention.max_flow: source equals sink": lambda: at.max_flow(tiny_graph(), 1, 1),
    "attention.max_flow: sink out of range": lambda: at.max_flow(tiny_graph(), 0, 7),
    "attention.max_flow: negative capacity": lambda: at.max_flow(-tiny_graph(), 0, 2),
    "attention.max_flow: not square": lambda: at.max_flow(np.ones((2, 3)), 0, 1),
    "attention.max_flow: NaN capacity": lambda: at.max_flow(tiny_graph() * np.nan, 0, 2),
    "attention.TinyEncoder: heads do not divide d_model": lambda: at.TinyEncoder(10, d_model=10, n_heads=3),
    "attention.TinyEncoder: vocab_size=10**12": lambda: at.TinyEncoder(10 ** 12),
    "attention.TinyEncoder: vocab_size a float": lambda: at.TinyEncoder(10.0),
    "attention.TinyEncoder: float ids": lambda: ENCODER(IDS.float()),
    "attention.TinyEncoder: id beyond the vocabulary": lambda: ENCODER(IDS + 1000),
    "attention.TinyEncoder: longer than max_len": lambda: ENCODER(torch.cat([IDS, IDS], dim=1)),
    "attention.Vocabulary: one string": lambda: at.Vocabulary("good drug"),
    "attention.Vocabulary: numbers": lambda: at.Vocabulary([1, 2, 3]),
    "attention.Vocabulary: negative size": lambda: at.Vocabulary(TEXTS, size=-1),
    "attention.Vocabulary: encode a text, not tokens": lambda: VOCAB.encode(["good drug"], 6),
    "attention.Vocabulary: encode max_len=10**12": lambda: VOCAB.encode([["good"]], 10 ** 12),
    "attention.train_encoder: labels of other rows": lambda: at.train_encoder(ENCODER, IDS, [0, 1]),
    "attention.train_encoder: label out of range": lambda: at.train_encoder(ENCODER, IDS, [0, 1, 2, 0]),
    "attention.train_encoder: float ids": lambda: at.train_encoder(ENCODER, IDS.float(), [0, 1, 0, 1]),
    "attention.train_encoder: epochs=10**12": lambda: at.train_encoder(ENCODER, IDS, [0, 1, 0, 1],
                                                                       epochs=10 ** 12),
    "attention.train_encoder: negative seed": lambda: at.train_encoder(ENCODER, IDS, [0, 1, 0, 1], seed=-1),
    "attention.train_encoder: negative weight_decay": lambda: at.train_encoder(
        ENCODER, IDS, [0, 1, 0, 1], weight_decay=-0.1),
    "attention.train_encoder: weight_decay a string": lambda: at.train_encoder(
        ENCODER, IDS, [0, 1, 0, 1], weight_decay="0.1"),
    "attention.train_encoder: model not a TinyEncoder": lambda: at.train_encoder(NET, IDS, [0, 1, 0, 1]),
    "attention.token_integrated_gradients: n_steps=10**6": lambda: at.token_integrated_gradients(
        ENCODER, IDS, n_steps=10 ** 6),
    "attention.token_integrated_gradients: float target": lambda: at.token_integrated_gradients(
        ENCODER, IDS, target=0.5),
    "attention.token_integrated_gradients: target out of range": lambda: at.token_integrated_gradients(
        ENCODER, IDS, target=7),
    "attention.token_integrated_gradients: baseline of another shape": lambda: at.token_integrated_gradients(
        ENCODER, IDS, baseline_ids=IDS[:1]),
    "attention.token_integrated_gradients: list of ids": lambda: at.token_integrated_gradients(
        ENCODER, IDS.tolist()),
    "attention.plant_token: labels of other texts": lambda: at.plant_token([["a"]] * 3, [1, 0], "zq"),
    "attention.plant_token: rate above 1": lambda: at.plant_token([["a"]] * 2, [1, 0], "zq", rate=2.0),
    "attention.plant_token: negative seed": lambda: at.plant_token([["a"]] * 2, [1, 0], "zq", seed=-1),
    "attention.plant_token: token not a string": lambda: at.plant_token([["a"]] * 2, [1, 0], 5),
    "attention.plant_token: one string": lambda: at.plant_token("a b", [1, 0, 1], "zq"),
    # ------------------------------------------------------------------ shortcut
    "shortcut.ShortcutData: labels of other pictures": lambda: shortcut.ShortcutData(
        DATA.images, DATA.labels[:2], DATA.animal_masks, DATA.stamp_masks, DATA.has_stamp),
    "shortcut.ShortcutData: float pictures": lambda: shortcut.ShortcutData(
        DATA.images / 255.0, DATA.labels, DATA.animal_masks, DATA.stamp_masks, DATA.has_stamp),
    "shortcut.make_shortcut_data: n_images=10**12": lambda: shortcut.make_shortcut_data(10 ** 12),
    "shortcut.make_shortcut_data: size=10**6": lambda: shortcut.make_shortcut_data(4, size=10 ** 6),
    "shortcut.make_shortcut_data: negative seed": lambda: shortcut.make_shortcut_data(4, seed=-1),
    "shortcut.make_shortcut_data: unknown stamp": lambda: shortcut.make_shortcut_data(4, stamp="all"),
    "shortcut.make_shortcut_data: n_images a float": lambda: shortcut.make_shortcut_data(4.0),
    "shortcut.draw_timestamp: float picture": lambda: shortcut.draw_timestamp(np.zeros((32, 32, 3))),
    "shortcut.draw_timestamp: too narrow": lambda: shortcut.draw_timestamp(np.zeros((32, 10, 3), np.uint8)),
    "shortcut.draw_timestamp: letters": lambda: shortcut.draw_timestamp(np.zeros((32, 32, 3), np.uint8),
                                                                      text="ab:cd"),
    "shortcut.draw_timestamp: negative seed": lambda: shortcut.draw_timestamp(np.zeros((32, 32, 3), np.uint8),
                                                                            rng=-1),
    "shortcut.draw_timestamp: a batch": lambda: shortcut.draw_timestamp(DATA.images),
    "shortcut.small_cnn: width=10**9": lambda: shortcut.small_cnn(width=10 ** 9),
    "shortcut.small_cnn: n_classes 0": lambda: shortcut.small_cnn(n_classes=0),
    "shortcut.to_tensor: float pictures": lambda: shortcut.to_tensor(DATA.images / 255.0),
    "shortcut.to_tensor: channels first": lambda: shortcut.to_tensor(DATA.images.transpose(0, 3, 1, 2)),
    "shortcut.to_tensor: a list": lambda: shortcut.to_tensor(DATA.images.tolist()),
    "shortcut.train_fastai: arrays, not ShortcutData": lambda: shortcut.train_fastai(DATA.images, DATA),
    "shortcut.train_fastai: epochs=10**12": lambda: shortcut.train_fastai(DATA, DATA, epochs=10 ** 12),
    "shortcut.train_fastai: negative seed": lambda: shortcut.train_fastai(DATA, DATA, seed=-1),
    "shortcut.train_fastai: lr 0": lambda: shortcut.train_fastai(DATA, DATA, lr=0),
    "shortcut.accuracy_on: model a learner": lambda: shortcut.accuracy_on(type("L", (), {"model": NET})(), DATA),
    "shortcut.accuracy_on: data a tuple": lambda: shortcut.accuracy_on(NET, (DATA.images, DATA.labels)),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_bad_input_gets_a_clear_error_fast(case):
    assert_clear_error(CASES[case], case)


def test_correct_calls_still_work():
    """The checks let good input through: one call of each kind, with its expected result."""
    np.testing.assert_allclose(kernels.rbf_kernel(POINTS).diagonal(), 1.0)
    assert kernels.RandomFourierFeatures(5, seed=0).fit_transform(POINTS).shape == (6, 5)
    assert cam.grad_cam(NET, "conv", IMAGES, [0, 1]).shape == (2, 8, 8)
    assert metrics.pointing_game(MAPS, MASK, tolerance=1).shape == (2,)
    assert metrics.energy_in_mask(MAPS, MASK.astype(int)).shape == (2,)
    torch.testing.assert_close(at.attention_rollout(ATTENTION).sum(-1), torch.ones(4, dtype=torch.float64))
    assert ENCODER(IDS).shape == (4, 2)
    assert shortcut.to_tensor(DATA.images).shape == (4, 3, 32, 32)
    with hooks.Hook(NET.conv) as hook:
        NET(IMAGES)
    assert hook.output.shape == (2, 4, 8, 8)
