"""Where does a convolutional network look? Gradient maps and Grad-CAM, built on hooks.

Every function takes a model, a batch ``x`` of shape (N, C, H, W) and a ``target`` class (an int
for the whole batch, one int per image, or None for the predicted class), runs on ``x``'s
device, and returns a detached tensor on that device. The model is left exactly as it was:
hooks removed, train/eval mode, ``requires_grad`` and ``.grad`` of every parameter restored,
also when the call raises (see :func:`course_lib.hooks.evaluating`).

* :func:`saliency`: |d score / d x| (Simonyan et al. 2013) = captum ``Saliency``;
* :func:`guided_backprop`, :func:`deconvnet`: the same pass with another ReLU rule
  (Springenberg et al. 2015; Zeiler & Fergus 2014) = captum ``GuidedBackprop``/``Deconvolution``
  on networks whose activations are ``nn.ReLU`` modules (captum does not touch ``nn.ReLU6``);
* :func:`grad_cam`, :func:`guided_grad_cam` (Selvaraju et al. 2017) = pytorch-grad-cam
  ``GradCAM(model, [layer])(x, [ClassifierOutputTarget(c)])``;
* :func:`integrated_gradients` (Sundararajan et al. 2017) = captum ``IntegratedGradients``;
* :func:`smooth_grad` (Smilkov et al. 2017) = captum ``NoiseTunnel(Saliency(model))``.
The sanity check and the pointing game live in :mod:`course_lib.metrics`.
"""
from __future__ import annotations

import warnings

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ._validation import (check_baseline, check_budget, check_choice, check_class_index,
                          check_class_scores, check_count, check_images, check_layer, check_like_images,
                          check_real, check_seed, check_shape, check_tensor)
from .hooks import GradientHook, ReLURule, evaluating
from .metrics import to_heatmap as heatmap  # noqa: F401  (lecture 05 calls cam.heatmap)

__all__ = [
    "saliency", "input_gradient", "guided_backprop", "deconvnet", "grad_cam", "grad_cam_weights",
    "guided_grad_cam", "integrated_gradients", "completeness_gap", "smooth_grad",
    "upsample_and_normalise",
]

#: Gauss-Legendre nodes come from an eigenproblem of that size: beyond this it is slow and useless.
MAX_GAUSS_NODES = 1000
#: The quadrature rules of :func:`quadrature`, and the most nodes the trapezoid rule may list.
METHODS, MAX_STEPS = ("gausslegendre", "riemann_trapezoid"), 2 ** 20


# ---------------------------------------------------------------------- gradient maps
def input_gradient(model: nn.Module, x: torch.Tensor, target=None) -> torch.Tensor:
    """The gradient d score_target / d x for each image of the batch, shape (N, C, H, W).

    score = the model's raw output (logit) for the target class. Summing the scores over the
    batch gives each image its own gradient, because images do not interact in eval mode.
    """
    return _gradient(model, check_images(x, model), target)


def _gradient(model, x, target):
    with evaluating(model):
        x = x.detach().clone().requires_grad_(True)
        scores = _target_scores(model(x), target)
        (gradient,) = torch.autograd.grad(scores.sum(), x)
    return gradient


def saliency(model: nn.Module, x: torch.Tensor, target=None, abs: bool = True) -> torch.Tensor:
    """Vanilla gradient saliency, |d S_c / d x| (Simonyan, Vedaldi & Zisserman 2013).

    Same as ``captum.attr.Saliency(model).attribute(x, target, abs=True)`` (captum's default).
    Shape (N, C, H, W); use :func:`heatmap` for one value per pixel (max over channels in
    the paper).
    """
    gradient = _gradient(model, check_images(x, model), target)
    return gradient.abs() if abs else gradient


def guided_backprop(model: nn.Module, x: torch.Tensor, target=None) -> torch.Tensor:
    """Guided backpropagation: the gradient pass, but every ReLU/ReLU6 only passes positive
    signal back, R_in = (f > 0)·(R > 0)·R (Springenberg et al. 2015).

    Equal to ``captum.attr.GuidedBackprop`` when the activations are ``nn.ReLU`` modules.
    captum hooks only ``nn.ReLU``: on a ReLU6 network (EfficientNet-Lite) captum returns the
    plain gradient, while we apply the rule to ReLU6 too. Functional ``F.relu`` calls inside a
    ``forward`` are invisible to both.
    """
    return _rule_gradient(model, check_images(x, model), target, "guided")


def deconvnet(model: nn.Module, x: torch.Tensor, target=None) -> torch.Tensor:
    """The "deconvnet" signal: every ReLU passes back R_in = (R > 0)·R, ignoring the forward
    pass (Zeiler & Fergus 2014, as reformulated by Springenberg et al. 2015).

    Equal to ``captum.attr.Deconvolution`` on networks with ``nn.ReLU`` modules.
    """
    return _rule_gradient(model, check_images(x, model), target, "deconvnet")


def _rule_gradient(model, x, target, rule):
    with evaluating(model), ReLURule(model, rule) as relus:
        x = x.detach().clone().requires_grad_(True)
        scores = _target_scores(model(x), target)
        (signal,) = torch.autograd.grad(scores.sum(), x)
    if relus.n_activations == 0:
        warnings.warn(f"no nn.ReLU or nn.ReLU6 module in the model: {rule} equals the plain "
                      "gradient here", stacklevel=3)
    return signal


# ---------------------------------------------------------------------- Grad-CAM
def grad_cam(model: nn.Module, target_layer, x: torch.Tensor, target=None) -> torch.Tensor:
    """Grad-CAM heatmaps in [0, 1], shape (N, H, W) (Selvaraju et al. 2017, eq. 1-2).

        alpha_k^c = mean over (i, j) of d y^c / d A^k_ij       (channel weights)
        L^c       = ReLU( sum_k alpha_k^c A^k )                 (class activation map)

    then per image: min-max scale, bilinear upsampling to the input size, min-max scale again,
    as pytorch-grad-cam does (``base_cam.py``, ``utils/image.py::scale_cam_image``).
    `target_layer` is a module of `model` (or its name, as in ``model.named_modules()``); for
    a ResNet ``model.layer4[-1]``, for timm's EfficientNet ``model.bn2``.
    """
    x, layer = check_images(x, model), check_layer(model, target_layer)
    return _grad_cam(model, layer, x, target)


def _grad_cam(model, layer, x, target):
    """grad_cam's method for a checked batch x and a module `layer` of the model."""
    with evaluating(model), GradientHook(layer) as hook:
        x = x.detach().clone().requires_grad_(True)
        scores = _target_scores(model(x), target)
        torch.autograd.grad(scores.sum(), x)  # fills hook.gradient through the tensor hook
        A, dA = _feature_maps(hook)
    weights = dA.mean(dim=(2, 3))                         # alpha_k^c, (N, K): grad_cam_weights
    cam = F.relu((weights[:, :, None, None] * A).sum(dim=1))  # (N, h, w)
    return _upsample_and_normalise(cam, x.shape[-2:])


def grad_cam_weights(gradients: torch.Tensor) -> torch.Tensor:
    """alpha_k^c: the gradients d y^c / d A^k averaged over the spatial positions, shape (N, K)."""
    check_tensor(gradients, "gradients (N, K, h, w)", ndim=4)
    return gradients.mean(dim=(2, 3))


def upsample_and_normalise(cam: torch.Tensor, size) -> torch.Tensor:
    """Min-max scale each map, upsample it bilinearly to `size` (H, W), scale again.

    Bilinear with ``align_corners=False`` is OpenCV's ``INTER_LINEAR``, which pytorch-grad-cam
    uses; the epsilon 1e-7 in the denominator is also theirs (a flat map stays all zeros).
    """
    cam = check_tensor(cam, "cam (N, h, w)", ndim=3)
    return _upsample_and_normalise(cam, check_shape(size, "size (H, W)", length=2, per_unit=len(cam)))


def _upsample_and_normalise(cam, size):
    cam = _min_max(cam)
    cam = F.interpolate(cam[:, None], size=tuple(size), mode="bilinear", align_corners=False)
    return _min_max(cam[:, 0])


def _min_max(maps: torch.Tensor) -> torch.Tensor:
    flat = maps.flatten(1)
    low = flat.min(dim=1).values[:, None, None]
    shifted = maps - low
    return shifted / (1e-7 + shifted.flatten(1).max(dim=1).values[:, None, None])


def guided_grad_cam(model: nn.Module, target_layer, x: torch.Tensor, target=None) -> torch.Tensor:
    """Guided Grad-CAM: guided backpropagation times the upsampled Grad-CAM map, (N, C, H, W)
    (Selvaraju et al. 2017, section 3.1): fine detail, but only where the class is."""
    x, layer = check_images(x, model), check_layer(model, target_layer)
    return _rule_gradient(model, x, target, "guided") * _grad_cam(model, layer, x, target)[:, None]


# ---------------------------------------------------------------------- path and noise methods
def integrated_gradients(model: nn.Module, x: torch.Tensor, target=None, baseline=None,
                         n_steps: int = 50, method: str = "gausslegendre",
                         internal_batch_size: int | None = None, return_delta: bool = False):
    """Integrated gradients (Sundararajan, Taly & Yan 2017, eq. 1 and 3):

        IG_i(x) = (x_i - x'_i) · integral_0^1 d F(x' + a (x - x')) / d x_i  da
                ~ (x_i - x'_i) · sum_m w_m · dF/dx_i at a_m

    with quadrature nodes a_m and weights w_m: Gauss-Legendre by default, as captum, or the
    trapezoid rule ("riemann_trapezoid"; ours has weights summing to 1, captum's use a step of
    1/n instead of 1/(n - 1), so only the default agrees with captum). The baseline x' defaults
    to zeros. Completeness: sum_i IG_i = F(x) - F(x') up to the quadrature error;
    ``return_delta=True`` also returns that gap per image, as captum's
    ``return_convergence_delta``. Equals ``captum.attr.IntegratedGradients`` (the weights are
    rounded to float32 as captum does).
    """
    x, baseline = check_images(x, model), check_baseline(baseline, x)
    n_steps = check_budget(n_steps, "n_steps", x.numel())   # the method is checked by quadrature
    if internal_batch_size is not None:
        check_count(internal_batch_size, "internal_batch_size")
    alphas, step_sizes = quadrature(n_steps, method)
    # step-major: all images at alpha_1, then all at alpha_2, ...
    path = torch.cat([baseline + a * (x - baseline) for a in alphas]).detach()
    target = _per_image_target(model, x, target)
    targets = target.repeat(n_steps)  # the same step-major order as the path
    with evaluating(model):
        gradients = []
        batch = internal_batch_size or path.shape[0]
        for start in range(0, path.shape[0], batch):
            chunk = path[start:start + batch].requires_grad_(True)
            scores = _target_scores(model(chunk), targets[start:start + batch])
            gradients.append(torch.autograd.grad(scores.sum(), chunk)[0])
    gradients = torch.cat(gradients)
    weights = torch.tensor(step_sizes, dtype=torch.float32, device=x.device).view(n_steps, 1)
    summed = (gradients.contiguous().view(n_steps, -1) * weights).view(n_steps, *x.shape).sum(0)
    attributions = summed * (x - baseline)
    if return_delta:
        return attributions, completeness_gap(model, x, attributions, target, baseline)
    return attributions


def quadrature(n_steps: int, method: str = "gausslegendre"):
    """Nodes a_m in [0, 1] and weights w_m of a rule for integral_0^1 g(a) da ~ sum_m w_m g(a_m)."""
    method = check_choice(method, "method", METHODS)
    maximum = MAX_GAUSS_NODES if method == "gausslegendre" else MAX_STEPS
    n_steps = check_count(n_steps, "n_steps", maximum=maximum)
    if method == "gausslegendre":
        nodes, weights = np.polynomial.legendre.leggauss(n_steps)  # on [-1, 1]
        return list(0.5 * (nodes + 1)), list(0.5 * weights)
    if method == "riemann_trapezoid":
        if n_steps < 2:
            raise ValueError("the trapezoid rule needs n_steps >= 2")
        alphas = torch.linspace(0, 1, n_steps).tolist()  # float32 nodes, as captum
        weights = [1 / (n_steps - 1)] * n_steps
        weights[0] = weights[-1] = 0.5 / (n_steps - 1)
        return alphas, weights


def completeness_gap(model: nn.Module, x: torch.Tensor, attributions: torch.Tensor, target=None,
                     baseline=None) -> torch.Tensor:
    """sum_i attribution_i - (F(x) - F(baseline)) per image: zero for exact integrated gradients."""
    x, baseline = check_images(x, model), check_baseline(baseline, x)
    attributions = check_like_images(attributions, x, "attributions")
    with evaluating(model), torch.no_grad():
        difference = (_target_scores(model(x), target)
                      - _target_scores(model(baseline), target))
    return attributions.flatten(1).sum(dim=1) - difference


def smooth_grad(model: nn.Module, x: torch.Tensor, target=None, n_samples: int = 25,
                stdev: float = 0.3, seed: int = 0, abs: bool = True) -> torch.Tensor:
    """SmoothGrad: the saliency map averaged over noisy copies of the image (Smilkov et al. 2017):

        M(x) = 1/n · sum_{m=1..n} saliency(x + eps_m),   eps_m ~ N(0, stdev^2)

    `stdev` is absolute, in input units (the paper suggests 10-20 % of the input range; inputs
    scaled to [-1, 1] have range 2). Equals, for the same `seed`, ``torch.manual_seed(seed)``
    then ``NoiseTunnel(Saliency(model)).attribute(x, nt_type="smoothgrad", nt_samples=n_samples,
    stdevs=stdev, target=target, abs=abs)`` (captum's own defaults are 5 samples, stdev 1.0).
    """
    x, stdev = check_images(x, model), check_real(stdev, "stdev", low=0)
    n_samples, seed = check_budget(n_samples, "n_samples", x.numel()), check_seed(seed)
    generator = torch.Generator(device=x.device).manual_seed(seed)
    noisy = x.repeat_interleave(n_samples, dim=0)  # image 1 n times, then image 2, ...
    noisy = noisy + stdev * torch.randn(noisy.shape, generator=generator, device=x.device,
                                        dtype=x.dtype)
    targets = _per_image_target(model, x, target).repeat_interleave(n_samples)
    maps = _gradient(model, noisy, targets)
    maps = maps.abs() if abs else maps
    return maps.view(x.shape[0], n_samples, *x.shape[1:]).sum(dim=1) / n_samples


# ---------------------------------------------------------------------- validation
def _feature_maps(hook):
    A, dA = hook.output, hook.gradient
    if A.ndim != 4:
        raise ValueError(f"target_layer outputs shape {tuple(A.shape)}; Grad-CAM needs feature "
                         "maps (N, K, h, w): pick a convolutional layer")
    return A, dA


def _target_scores(scores: torch.Tensor, target) -> torch.Tensor:
    """scores[i, target_i] for each image: the raw logit of the class to explain."""
    n, n_classes = check_class_scores(scores).shape
    if target is None:
        index = scores.argmax(dim=1)
    else:
        index = check_class_index(target, n, n_classes, items="images").to(scores.device)
    return scores.gather(1, index[:, None])[:, 0]


def _per_image_target(model, x, target) -> torch.Tensor:
    """One class index per image; None means each image's predicted class."""
    if target is None:
        with evaluating(model), torch.no_grad():
            return check_class_scores(model(x)).argmax(dim=1)
    return check_class_index(target, x.shape[0], items="images").to(x.device)


