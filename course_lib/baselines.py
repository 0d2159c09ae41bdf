"""The attribution baselines every comparison uses: occlusion, LRP, DeepLIFT and GradientSHAP.

Each function takes a model returning class scores (N, n_classes), a batch ``x`` (N, C, H, W),
a ``target`` class (an int for the whole batch or one per image), runs on ``x``'s device and
returns a detached tensor shaped like ``x``: how much each input number contributed to the
target score. The model is left as it was (hooks removed in ``finally:``, modes restored).

* :func:`occlusion` (Zeiler & Fergus 2014): the score drop when a window is grey, averaged over
  the windows covering each pixel = captum ``Occlusion``;
* :func:`lrp` (Bach et al. 2015; Montavon et al. 2019): relevance passed back layer by layer,
  conserved at each step only where no bias and no epsilon absorbs or injects any; the epsilon
  and alpha-beta rules = captum ``LRP`` and zennit;
* :func:`deeplift` (Shrikumar et al. 2017, rescale rule): the gradient with every nonlinearity's
  tangent replaced by its secant between the input and a baseline = captum ``DeepLift``;
* :func:`gradient_shap` (expected gradients, Erion et al. 2021; shap's GradientExplainer, after
  Lundberg & Lee 2017's SHAP values): gradient x (input - baseline) at random points
  between noisy inputs and random baselines, averaged = captum ``GradientShap`` (same draws).

Two coincidences, asserted in the tests (Ancona et al. 2018, sec. 3): on a ReLU network,
LRP-epsilon with epsilon -> 0 equals gradient x input, with or without biases; DeepLIFT with a
zero baseline equals it on a ReLU network without biases.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ._validation import (check_budget, check_choice, check_class_index, check_images,
                          check_like_images, check_real, check_reference_images, check_seed,
                          check_supported_layers, check_target_scores, check_window)
from .hooks import evaluating

__all__ = ["occlusion", "lrp", "deeplift", "gradient_shap", "LRP_RULES", "LRP_LAYERS",
           "DEEPLIFT_NONLINEAR"]

#: The rules :func:`lrp` applies to Conv2d and Linear layers.
LRP_RULES = ("epsilon", "alpha_beta")
#: Layers that pass relevance through unchanged (elementwise, or nothing at all in eval mode).
_PASS = (nn.ReLU, nn.Dropout, nn.Identity)
_POOL = (nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d)
#: The layers :func:`lrp` knows: weighted, pooling, pass-through and flatten.
LRP_LAYERS = (nn.Conv2d, nn.Linear) + _POOL + _PASS + (nn.Flatten,)
#: Elementwise nonlinearities whose backward pass :func:`deeplift` replaces (captum's list).
DEEPLIFT_NONLINEAR = (nn.ReLU, nn.ELU, nn.LeakyReLU, nn.Sigmoid, nn.Tanh, nn.Softplus)


# ---------------------------------------------------------------------- occlusion
def occlusion(model: nn.Module, x: torch.Tensor, target, window, stride,
              baseline=0.0, batch_size: int = 64) -> torch.Tensor:
    """Occlusion (Zeiler & Fergus 2014): grey out a window, see how much the score falls.

        A_i = mean over windows W containing pixel i of  f(x) - f(x with W set to the baseline)

    The window (height, width) covers every channel and slides by `stride` (h, w) until it has
    covered the last row and column (the last windows are cut at the edge); stride <= window, so
    every pixel is covered. Equal to ``captum.attr.Occlusion(model).attribute(x,
    sliding_window_shapes=(C, h, w), strides=(C, sh, sw), baselines=baseline, target=target)``.
    `batch_size` occluded images go through the model at once.
    """
    x = check_images(x, model)
    window = check_window(window, "window", x.shape[2:])
    stride = check_window(stride, "stride", x.shape[2:])
    if stride[0] > window[0] or stride[1] > window[1]:
        raise ValueError(f"stride={stride} is larger than window={window}: pixels between "
                         "windows would never be occluded; use stride <= window")
    baseline = check_like_images(baseline, x, "baseline")
    batch_size = check_budget(batch_size, "batch_size", x[0].numel())
    return _occlusion(model, x, _door_target(target, x), window, stride, baseline, batch_size)


def _occlusion(model, x, target, window, stride, baseline, batch_size):
    (height, width), (down, across) = window, stride
    H, W = x.shape[2:]
    corners = [(top, left) for top in range(0, -(-(H - height) // down) * down + 1, down)
               for left in range(0, -(-(W - width) // across) * across + 1, across)]
    per_call = max(1, batch_size // len(x))                          # windows per model call
    with evaluating(model), torch.no_grad():
        score = _scores(model(x), target)                            # (N,)
        total, count = torch.zeros_like(x[:, :1]), torch.zeros_like(x[:1, :1])
        for start in range(0, len(corners), per_call):
            block = torch.zeros(len(corners[start:start + per_call]), 1, 1, H, W,
                                dtype=x.dtype, device=x.device)      # (B, 1, 1, H, W)
            for k, (top, left) in enumerate(corners[start:start + per_call]):
                block[k, ..., top:top + height, left:left + width] = 1
            occluded = x * (1 - block) + baseline * block             # (B, N, C, H, W)
            scores = _scores(model(occluded.flatten(0, 1)), target.repeat(len(block)))
            drop = score.repeat(len(block)) - scores
            total += (drop.view(len(block), -1, 1, 1, 1) * block).sum(0)
            count += block.sum(0)
    return (total / count).expand_as(x).clone()


# ---------------------------------------------------------------------- LRP
def lrp(model: nn.Sequential, x: torch.Tensor, target, rule: str = "epsilon",
        epsilon: float = 1e-6, alpha: float = 1.0, beta: float = 0.0) -> torch.Tensor:
    """Layer-wise relevance propagation (Bach et al. 2015; Montavon et al. 2019, sec. 10.2).

    The target score R = f_c(x) is passed back layer by layer, each layer sharing the relevance
    R_k of its outputs among its inputs j in proportion to their contributions z_jk = a_j w_jk:

        epsilon:    R_j = a_j sum_k w_jk R_k / (z_k + eps sign(z_k)),   z_k = sum_j a_j w_jk + b_k
        alpha-beta: R_j = sum_k (alpha z_jk^+ / (z_k^+ + eps) - beta z_jk^- / (z_k^- - eps)) R_k

    with alpha - beta = 1 (z^+ sums the positive contributions and positive bias, z^- the
    negative). Conv2d and Linear layers use `rule`; pooling layers the epsilon rule (max pooling
    then gives all relevance to the maximum); ReLU and Dropout pass it through; Flatten reshapes.
    The model must be an ``nn.Sequential`` of these layers (``LRP_LAYERS``), so that it can be
    read backwards. With the same epsilon on every layer the epsilon rule equals captum ``LRP``
    (``EpsilonRule(epsilon)`` on each layer) and zennit's ``Epsilon``; alpha-beta equals
    zennit's ``AlphaBeta(alpha, beta)`` and, for alpha=1, beta=0, no biases and inputs >= 0,
    captum's ``Alpha1_Beta0``.
    """
    x, layers = check_images(x, model), check_supported_layers(model, LRP_LAYERS, "lrp")
    rule, epsilon = check_choice(rule, "rule", LRP_RULES), check_real(epsilon, "epsilon", low=0)
    alpha, beta = check_real(alpha, "alpha", low=0), check_real(beta, "beta", low=0)
    if rule == "alpha_beta" and abs(alpha - beta - 1) > 1e-12:
        raise ValueError(f"alpha - beta must be 1 (conservation), got alpha={alpha}, beta={beta}")
    with evaluating(model):
        return _lrp(layers, x, _door_target(target, x), rule, epsilon, alpha, beta)


def _lrp(layers, x, target, rule, epsilon, alpha, beta):
    activations = [x]
    with torch.no_grad():
        for layer in layers:
            activations.append(layer(activations[-1]))
    scores = activations.pop()
    relevance = torch.zeros_like(scores).scatter_(1, target[:, None], _scores(scores, target)[:, None])
    for layer, a in zip(reversed(layers), reversed(activations)):   # read the network backwards
        if isinstance(layer, _PASS):
            continue                                                   # R passes through
        if isinstance(layer, nn.Flatten):
            relevance = relevance.reshape(a.shape)
        elif rule == "alpha_beta" and isinstance(layer, (nn.Conv2d, nn.Linear)):
            relevance = _alpha_beta_rule(layer, a, relevance, epsilon, alpha, beta)
        else:
            relevance = _epsilon_rule(layer, a, relevance, epsilon)
    return relevance.detach()


def _epsilon_rule(layer, a, relevance, epsilon):
    """R_j = a_j (J^T s)_j with s_k = R_k / (z_k + eps sign z_k): the gradient does the sum."""
    with torch.enable_grad():
        a = a.detach().requires_grad_(True)
        z = layer(a)
        (c,) = torch.autograd.grad(z, a, _share(relevance, z.detach(), epsilon))
    return a * c


def _alpha_beta_rule(layer, a, relevance, epsilon, alpha, beta):
    """Positive and negative contributions, each normalised on its own (zennit's AlphaBeta)."""
    w, b = layer.weight, layer.bias
    weighted = (lambda t, w, b: F.linear(t, w, b)) if isinstance(layer, nn.Linear) else \
        (lambda t, w, b: F.conv2d(t, w, b, layer.stride, layer.padding, layer.dilation, layer.groups))
    with torch.enable_grad():
        a_plus = a.detach().clamp(min=0).requires_grad_(True)
        a_minus = a.detach().clamp(max=0).requires_grad_(True)
        w_plus, w_minus = w.detach().clamp(min=0), w.detach().clamp(max=0)
        b_plus = None if b is None else b.detach().clamp(min=0)
        b_minus = None if b is None else b.detach().clamp(max=0)
        shares = []
        for z in (weighted(a_plus, w_plus, b_plus) + weighted(a_minus, w_minus, None),    # z^+
                  weighted(a_plus, w_minus, b_minus) + weighted(a_minus, w_plus, None)):  # z^-
            share = _share(relevance, z.detach(), epsilon)
            c_plus, c_minus = torch.autograd.grad(z, (a_plus, a_minus), share)
            shares.append(a_plus * c_plus + a_minus * c_minus)
    return alpha * shares[0] - beta * shares[1]


def _share(relevance, z, epsilon):
    """R / (z + eps sign(z)), sign(0) = +1; 0 where that is 0 (epsilon = 0 and z = 0: nothing flows)."""
    stabilised = z + epsilon * torch.where(z >= 0, 1.0, -1.0).to(z.dtype)
    return torch.where(stabilised == 0, 0.0, relevance / stabilised)


# ---------------------------------------------------------------------- DeepLIFT
def deeplift(model: nn.Module, x: torch.Tensor, target, baseline=None,
             eps: float = 1e-10) -> torch.Tensor:
    """DeepLIFT with the rescale rule (Shrikumar, Greenside & Kundaje 2017, sec. 3.5.2):

        A_i = (x_i - x'_i) m_i,   m = the chain rule with each nonlinearity's derivative
                                      replaced by the multiplier  Delta y / Delta x  (its secant)

    where Delta is the difference between the pass on x and the pass on the baseline x' (zeros
    by default; a number, one image or a batch). Summation to delta: sum_i A_i = f(x) - f(x').
    Where |Delta x| < eps the true derivative is kept. Rescaled are the elementwise modules in
    ``DEEPLIFT_NONLINEAR`` and ``nn.MaxPool2d`` (non-overlapping windows): the difference of the
    maxima, max(y, y') - y' via the input's maximum plus y - max(y, y') via the baseline's, is
    shared among the inputs, as captum does (where Delta x = 0 captum 0.9.0 takes the first
    image's gradient, pytorch/captum#1276; we take each image's own). Convolutions, linear layers, average pooling and
    flattening are linear: their gradient is already their multiplier. A functional
    ``F.relu`` inside ``forward`` is invisible to the hooks (to captum's too). Equals
    ``captum.attr.DeepLift(model).attribute(x, baselines=baseline, target=target)``.
    """
    x = check_images(x, model)
    baseline = check_like_images(0.0 if baseline is None else baseline, x, "baseline")
    eps = check_real(eps, "eps", low=0)
    for module in model.modules():
        if isinstance(module, nn.MaxPool2d) and not _non_overlapping(module):
            raise ValueError("deeplift handles MaxPool2d with stride == kernel_size, no padding "
                             "or dilation only; use such pooling or nn.AvgPool2d")
    return _deeplift(model, x, _door_target(target, x), baseline, eps)


def _deeplift(model, x, target, baseline, eps):
    units = [m for m in model.modules() if isinstance(m, DEEPLIFT_NONLINEAR + (nn.MaxPool2d,))]
    reference, stash, handles = {}, {}, []

    def remember_input(module, inputs):                   # pass 1: the baseline's values (the
        if module in reference:                           # input before an in-place op changes it)
            raise ValueError(f"{type(module).__name__} runs twice in one forward pass; "
                             "DeepLIFT needs each nonlinearity once (use separate modules)")
        reference[module] = inputs[0].detach().clone()

    def remember_output(module, inputs, output):
        reference[module] = (reference[module], output.detach().clone())

    def keep_input(module, inputs):                       # pass 2: the input's graph node,
        stash[module] = inputs[0]                         # a copy for in-place modules
        return (inputs[0].clone(),) + tuple(inputs[1:])

    def secant(module, inputs, output):                   # forward value y, backward multiplier
        a = stash.pop(module)
        ref_in, ref_out = reference[module]
        change = _maxpool_secant(module, a, output, ref_in, ref_out, eps) \
            if isinstance(module, nn.MaxPool2d) else \
            _elementwise_secant(output, a, ref_in, ref_out, eps)
        return output.detach() + change

    try:
        with evaluating(model):
            handles = [h for m in units for h in (m.register_forward_pre_hook(remember_input),
                                                  m.register_forward_hook(remember_output))]
            with torch.no_grad():
                check_target_scores(model(baseline), target)
            for handle in handles:
                handle.remove()
            handles = [h for m in units for h in (m.register_forward_pre_hook(keep_input),
                                                  m.register_forward_hook(secant))]
            x_in = x.detach().clone().requires_grad_(True)
            (multipliers,) = torch.autograd.grad(_scores(model(x_in), target).sum(), x_in)
    finally:
        for handle in handles:
            handle.remove()
    return ((x - baseline) * multipliers).detach()


def _elementwise_secant(output, a, ref_in, ref_out, eps):
    """m * (a - a.detach()): zero forward, gradient m = Delta y / Delta x (f'(a) where Delta x ~ 0)."""
    (tangent,) = torch.autograd.grad(output, a, torch.ones_like(output))   # f'(a), elementwise
    delta_in, delta_out = a.detach() - ref_in, output.detach() - ref_out
    m = torch.where(delta_in.abs() < eps, tangent, delta_out / delta_in)
    return m * (a - a.detach())


def _maxpool_secant(pool, a, output, ref_in, ref_out, eps):
    """A term that is zero forward and whose gradient shares Delta(max) among the inputs:
    max(y, y') - y' to the input's maximum, y - max(y, y') to the baseline's, / Delta x."""
    y, highest = output.detach(), torch.maximum(output.detach(), ref_out)
    _, at_input = F.max_pool2d(a.detach(), pool.kernel_size, pool.stride, return_indices=True)
    _, at_reference = F.max_pool2d(ref_in, pool.kernel_size, pool.stride, return_indices=True)
    delta_in = a.detach() - ref_in
    small = delta_in.abs() < eps
    v = a - a.detach()                                     # zero, but carries the gradient
    scaled = torch.where(small, 0.0, v / torch.where(small, 1.0, delta_in))   # Delta x != 0
    plain = torch.where(small, v, 0.0)                                         # the gradient
    pick = lambda t, index: t.flatten(2).gather(2, index.flatten(2)).view_as(y)  # noqa: E731
    return ((highest - ref_out) * pick(scaled, at_input) + (y - highest) * pick(scaled, at_reference)
            + pick(plain, at_input))


def _non_overlapping(pool):
    pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)  # noqa: E731
    return (pair(pool.stride) == pair(pool.kernel_size) and pair(pool.padding) == (0, 0)
            and pair(pool.dilation) == (1, 1) and not pool.ceil_mode)


# ---------------------------------------------------------------------- GradientSHAP
def gradient_shap(model: nn.Module, x: torch.Tensor, target, baselines: torch.Tensor,
                  n_samples: int = 20, stdevs: float = 0.0, seed: int = 0) -> torch.Tensor:
    """GradientSHAP (captum; shap's GradientExplainer): expected gradients (Erion et al. 2021)
    with noise, an approximation of SHAP values (Lundberg & Lee 2017).

        A(x) = mean over m of  (x~_m - b_m) * d f / d x  at  b_m + t_m (x~_m - b_m)

    with x~_m = x + N(0, stdevs^2) noise, b_m drawn uniformly from `baselines` (B, C, H, W) and
    t_m ~ U(0, 1). It estimates integrated gradients averaged over the baseline distribution, a
    SHAP value for the model's linearisation (Erion et al. 2021, "expected gradients").
    For the same `seed` it draws exactly what captum draws after ``np.random.seed(seed);
    torch.manual_seed(seed)``: baseline indices then t from numpy, noise from torch (float32);
    so it equals ``GradientShap(model).attribute(x, baselines, n_samples=n_samples,
    stdevs=stdevs, target=target)`` without touching the global random state.
    """
    x = check_images(x, model)
    baselines = check_reference_images(baselines, x, "baselines")
    n_samples = check_budget(n_samples, "n_samples", 2 * x.numel())
    stdevs, seed = check_real(stdevs, "stdevs", low=0), check_seed(seed)
    return _gradient_shap(model, x, _door_target(target, x), baselines, n_samples, stdevs, seed)


def _gradient_shap(model, x, target, baselines, n_samples, stdevs, seed):
    n = len(x)
    draws = np.random.RandomState(seed)
    picked = baselines[draws.choice(len(baselines), n * n_samples).tolist()]   # (n * m, C, H, W)
    generator = torch.Generator(device=x.device).manual_seed(seed)
    noise = stdevs * torch.randn(picked.shape, generator=generator, device=x.device)  # float32
    noisy = x.repeat_interleave(n_samples, dim=0) + noise              # image 1 m times, ...
    t = torch.tensor(draws.uniform(0.0, 1.0, n * n_samples), device=x.device, dtype=x.dtype)
    points = (t.view(-1, 1, 1, 1) * noisy + (1 - t.view(-1, 1, 1, 1)) * picked).detach()
    targets = target.repeat_interleave(n_samples)
    with evaluating(model):
        points.requires_grad_(True)
        scores = model(points)
        check_target_scores(scores, targets)
        (gradient,) = torch.autograd.grad(_scores(scores, targets).sum(), points)
    attributions = ((noisy - picked) * gradient).detach()
    return attributions.view(n, n_samples, *x.shape[1:]).sum(1) / n_samples


# ---------------------------------------------------------------------- helpers
def _door_target(target, x):
    """One class index per image (n,), on x's device; the upper bound is checked on the scores."""
    return check_class_index(target, len(x), items="images").to(x.device)


def _scores(scores, target):
    """scores[i, target_i]: the raw score of the class explained, one per image."""
    return check_target_scores(scores, target).gather(1, target[:, None])[:, 0]

