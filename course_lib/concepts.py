"""Inside a network: concept vectors (TCAV), network dissection and feature visualisation.

* :func:`concept_activation_vector`, :func:`tcav_score`, :func:`tcav_random_test`
  (Kim et al. 2018, "Interpretability beyond feature attribution: testing with concept
  activation vectors"): does the class score rise when a layer's activations move towards a
  human concept? Equal to ``captum.concept.TCAV`` for the same layer, concepts and classifier.
* :func:`dissect` (Bau et al. 2017, "Network dissection"): which channels fire exactly where a
  labelled part is, as an IoU of thresholded, upsampled activation maps with the masks.
* :func:`feature_visualisation` (Olah, Mordvintsev & Schubert 2017, Distill, "Feature
  visualization"): an image that a channel responds to most, by gradient ascent from noise,
  with the regularisers and the decorrelated Fourier parametrisation that make it readable.

Activations and gradients are read with the hooks of :mod:`course_lib.hooks` (removed when the
call ends, also on an error); everything runs on the model's device.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from scipy import stats
from sklearn.linear_model import SGDClassifier
from torch import nn

from ._validation import (check_activation_pair, check_activation_sets, check_class_index,
                          check_concept_masks, check_count, check_images, check_instance, check_layer,
                          check_module, check_real, check_score_samples, check_seed, check_size,
                          check_vector, check_visualisation)
from .hooks import GradientHook, Hook, evaluating

__all__ = ["layer_activations", "concept_activation_vector", "directional_derivatives",
           "tcav_score", "tcav_significance", "tcav_random_test", "TCAVTest", "dissect",
           "feature_visualisation", "COLOUR_CORRELATION", "PARAMETRISATIONS"]

#: The square root of ImageNet's colour covariance (lucid's ``color_correlation_svd_sqrt``): a
#: decorrelated image is mixed into RGB with it, so that each parameter moves one colour direction.
COLOUR_CORRELATION = np.array([[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]])
#: How :func:`feature_visualisation` describes the image it optimises.
PARAMETRISATIONS = ("pixels", "fourier")


# ---------------------------------------------------------------------- activations
def layer_activations(model: nn.Module, layer, images: torch.Tensor) -> torch.Tensor:
    """What `layer` outputs for each image, flattened to one row per image (N, F), detached."""
    images, layer = check_images(images, model, "images"), check_layer(model, layer, "layer")
    return _activations(model, layer, images).flatten(1)


def _activations(model, layer, images):
    with evaluating(model), torch.no_grad(), Hook(layer) as hook:
        model(images)
    return hook.output


# ---------------------------------------------------------------------- TCAV
def concept_activation_vector(concept_acts, random_acts, seed: int = 0) -> torch.Tensor:
    """The unit vector, in a layer's activation space, pointing from random examples towards a
    concept's (Kim et al. 2018, sec. 3.2): the normal of a linear classifier's boundary.

        v_C = w / |w|,   w = argmin  sum_i hinge(y_i (w . a_i + b)) + alpha/2 |w|^2,
                                     y = +1 for concept activations, -1 for random ones

    The classifier is captum's default: scikit-learn's ``SGDClassifier(alpha=0.01,
    max_iter=1000, tol=1e-3)``, here with ``random_state=seed`` and fitted on every example
    (captum holds a third out to report an accuracy). Rows are activations (n, F) from
    :func:`layer_activations`, an array or a tensor; returns a float64 tensor (F,).
    """
    concept, random = check_activation_pair(concept_acts, random_acts)
    return _cav(concept, random, check_seed(seed))


def _cav(concept, random, seed):
    X = np.concatenate([concept, random])
    y = np.r_[np.ones(len(concept)), np.zeros(len(random))]
    w = SGDClassifier(alpha=0.01, max_iter=1000, tol=1e-3, random_state=seed).fit(X, y).coef_[0]
    w = w.astype(np.float64)                  # float32 activations give a float32 fit
    norm = np.linalg.norm(w)
    if norm == 0:
        raise ValueError("the classifier found no direction between concept and random "
                         "activations (w = 0); use more or more different examples")
    return torch.from_numpy(w / norm)


def directional_derivatives(model: nn.Module, layer, inputs: torch.Tensor, target,
                            cav) -> torch.Tensor:
    """S_C(x) = grad_a h_target(a(x)) . v_C for each input (Kim et al. 2018, eq. 1), shape (N,):
    how fast the target's raw score rises when the layer's activations a(x) move along the CAV."""
    inputs, layer = check_images(inputs, model, "inputs"), check_layer(model, layer, "layer")
    gradients = _layer_gradients(model, layer, inputs, _target(target, inputs))
    cav = check_vector(cav, "cav", length=gradients.shape[1], expected="one entry per activation")
    return gradients @ torch.as_tensor(cav, dtype=gradients.dtype, device=gradients.device)


def tcav_score(model: nn.Module, layer, inputs: torch.Tensor, target, cav) -> float:
    """TCAV_Q = |{x in inputs : S_C(x) > 0}| / |inputs| (Kim et al. 2018, eq. 2): the share of
    the class's examples whose score rises along the concept. Equals captum ``TCAV``'s
    "sign_count" for the same layer and CAV (captum's default layer attribution, the layer
    gradient, is the S_C above)."""
    return float((directional_derivatives(model, layer, inputs, target, cav) > 0).double().mean())


def _layer_gradients(model, layer, inputs, target):
    """d h_target / d a for each input, flattened (N, F)."""
    with evaluating(model), GradientHook(layer) as hook:
        inputs = inputs.detach().clone().requires_grad_(True)   # the pass must reach the layer
        scores = model(inputs)
        if target.max() >= scores.shape[1]:
            raise ValueError(f"target {int(target.max())} is out of range: the model has "
                             f"{scores.shape[1]} classes")
        torch.autograd.grad(scores.gather(1, target[:, None]).sum(), inputs)
    return hook.gradient.flatten(1)


def _target(target, inputs):
    return check_class_index(target, len(inputs), items="inputs").to(inputs.device)


@dataclass
class TCAVTest:
    """Kim et al.'s test: TCAV scores with CAVs against several random sets vs random-vs-random."""

    concept_scores: np.ndarray
    random_scores: np.ndarray
    statistic: float
    p_value: float
    significant: bool


def tcav_significance(concept_scores, random_scores, alpha: float = 0.05) -> TCAVTest:
    """Is the concept's TCAV score different from chance? (Kim et al. 2018, sec. 3.5)

    A two-sided t-test (equal variances, as the TCAV authors' code) between the scores of CAVs
    trained against different random sets and the scores of random-vs-random CAVs; significant
    when p < alpha. When both lists are constant, p is 1 if their means agree, else 0.
    """
    concept, random = check_score_samples(concept_scores, random_scores)
    return _significance(concept, random, check_real(alpha, "alpha", low=0, high=1, open_interval=True))


def _significance(concept, random, alpha):
    statistic, p_value = stats.ttest_ind(concept, random)
    if np.isnan(p_value):     # both constant: equal means are no evidence, different ones are
        statistic, p_value = 0.0, float(concept.mean() == random.mean())
    return TCAVTest(concept, random, float(statistic), float(p_value), bool(p_value < alpha))


def tcav_random_test(model: nn.Module, layer, inputs: torch.Tensor, target, concept_acts,
                     random_acts_sets, seed: int = 0, alpha: float = 0.05) -> TCAVTest:
    """TCAV scores of the concept against each random set, tested against the scores of CAVs
    between random set i and random set i + 1 (the last with the first): the null, a "concept"
    that means nothing, with a different pair of random sets each time.

    `random_acts_sets` is a list of at least 3 activation arrays (n_i, F), each from random
    images at the same layer as `concept_acts`.
    """
    inputs, layer = check_images(inputs, model, "inputs"), check_layer(model, layer, "layer")
    concept, randoms = check_activation_sets(concept_acts, random_acts_sets)
    seed, alpha = check_seed(seed), check_real(alpha, "alpha", low=0, high=1, open_interval=True)
    gradients = _layer_gradients(model, layer, inputs, _target(target, inputs)).double().cpu()

    def score(cav):
        return float(((gradients @ cav) > 0).double().mean())

    concept_scores = np.array([score(_cav(concept, r, seed)) for r in randoms])
    random_scores = np.array([score(_cav(r, randoms[(i + 1) % len(randoms)], seed))
                              for i, r in enumerate(randoms)])
    return _significance(concept_scores, random_scores, alpha)


# ---------------------------------------------------------------------- network dissection
def dissect(model: nn.Module, layer, images: torch.Tensor, masks, quantile: float = 0.995,
            batch_size: int = 32, return_active: bool = False):
    """IoU of each channel's top activations with each labelled concept (Bau et al. 2017, sec. 2):

        T_k   = the `quantile` of channel k's activations over every image and position
        M_k   = upsample(A_k) >= T_k                      (bilinear, to the masks' size)
        IoU_kc = sum_x |M_k(x) & L_c(x)| / sum_x |M_k(x) | L_c(x)|   (sums over the images)

    masks: (N, n_concepts, H, W), True where concept c is (an array or a tensor of 0/1 or
    bools). Returns (n_channels, n_concepts) in [0, 1]; a channel "detects" concept c when its
    IoU is high (the paper counts IoU > 0.04 on Broden). Images go `batch_size` at a time.

    With `return_active=True`, also returns the share of pixels each channel marks (n_channels,):
    a_k = sum_x |M_k(x)| / (N H W). It is near 1 - quantile, not equal to it: T_k is taken at the
    layer's resolution and the bilinear upsampling lowers isolated peaks. Given a_k and a
    concept's share m_c, IoU_kc <= min(a_k, m_c) / max(a_k, m_c), reached when one set of pixels
    lies inside the other.
    """
    images, layer = check_images(images, model, "images"), check_layer(model, layer, "layer")
    masks = check_concept_masks(masks, len(images))
    quantile = check_real(quantile, "quantile", low=0, high=1, open_interval=True)
    batch_size = check_count(batch_size, "batch_size")
    check_instance(return_active, "return_active", bool)
    iou, active = _dissect(model, layer, images, torch.as_tensor(masks > 0.5), quantile, batch_size)
    return (iou, active) if return_active else iou


def _dissect(model, layer, images, masks, quantile, batch_size):
    activations = torch.cat([_activations(model, layer, chunk) for chunk in images.split(batch_size)])
    if activations.ndim != 4:
        raise ValueError(f"layer outputs shape {tuple(activations.shape)}; dissection needs "
                         "feature maps (N, K, h, w): pick a convolutional layer")
    check_size(activations.shape[1] * masks.shape[1] * masks[0, 0].numel(), "one image's masks")
    per_channel = activations.transpose(0, 1).flatten(1).double().cpu().numpy()
    thresholds = torch.from_numpy(np.quantile(per_channel, quantile, axis=1))    # T_k, (K,)
    intersection = torch.zeros(activations.shape[1], masks.shape[1], dtype=torch.float64)
    fired = torch.zeros(activations.shape[1], dtype=torch.float64)
    for maps, labels in zip(activations.split(batch_size), masks.split(batch_size)):
        up = F.interpolate(maps.double().cpu(), size=labels.shape[-2:], mode="bilinear",
                           align_corners=False)
        on = (up >= thresholds.view(1, -1, 1, 1)).double()                      # M_k
        intersection += torch.einsum("nkhw,nchw->kc", on, labels.double())
        fired += on.sum(dim=(0, 2, 3))
    union = fired[:, None] + masks.double().sum(dim=(0, 2, 3))[None, :] - intersection
    iou = torch.where(union > 0, intersection / union.clamp(min=1), 0.0).numpy()
    return iou, (fired / masks[:, 0].numel()).numpy()


# ---------------------------------------------------------------------- feature visualisation
def feature_visualisation(model: nn.Module, layer, channel: int, steps: int = 128, size: int = 64,
                          seed: int = 0, lr: float = 0.05, parametrisation: str = "fourier",
                          decorrelate: bool = True, jitter: int = 4, scales=(1.0, 0.95, 1.05),
                          blur: float = 0.0, preprocess: Callable | None = None,
                          callback: Callable | None = None) -> torch.Tensor:
    """An image that makes one channel fire: gradient ascent from noise (Olah, Mordvintsev &
    Schubert 2017, Distill), maximising the channel's mean activation at `layer`.

        image = sigmoid(C . F^-1(s * spectrum))   (parametrisation="fourier", decorrelate=True)
        each step: image -> jitter (random shift by up to `jitter` px) -> random scale from
        `scales` -> Gaussian blur of std `blur` px -> preprocess -> model; ascend the mean of
        A_channel with Adam(lr)

    "pixels" optimises the pixels themselves: with no regulariser (jitter=0, scales=(1,),
    blur=0, decorrelate=False) it finds the high-frequency pattern the paper calls adversarial
    noise. "fourier" optimises a spectrum scaled by 1/frequency, so low frequencies move first,
    and C mixes decorrelated colours into RGB with ImageNet's colour correlation
    (``COLOUR_CORRELATION``), as lucid does. `preprocess` maps the [0, 1] image to the model's
    input (e.g. ``lambda x: (x - 0.5) / 0.5``). `callback(step, value)` is called after each
    step (a progress bar). Runs on the model's device; returns the image (1, 3, size, size) in
    [0, 1], detached.
    """
    model, layer = check_module(model), check_layer(model, layer, "layer")
    channel, steps, size, seed, lr, parametrisation, decorrelate, jitter, scales, blur, preprocess, callback = \
        check_visualisation(channel, steps, size, seed, lr, parametrisation, decorrelate, jitter, scales, blur,
                            preprocess, callback, PARAMETRISATIONS)
    parameter = next(model.parameters(), None)
    device, dtype = (parameter.device, parameter.dtype) if parameter is not None else ("cpu", torch.float32)
    try:                                                             # one small pass: the channel exists?
        with evaluating(model), torch.no_grad():
            grey = torch.full((1, 3, size, size), 0.5, device=device, dtype=dtype)
            shape = tuple(_up_to(model, layer, preprocess(grey)).shape)
    except RuntimeError as error:
        raise ValueError(f"the model cannot run on images of size={size} up to the layer "
                         f"({str(error).splitlines()[0][:80]}); pick the size it expects") from None
    if len(shape) != 4 or channel >= shape[1]:
        raise ValueError(f"channel {channel} is not a channel of the layer's output {shape}; "
                         f"pick a layer with feature maps and a channel 0 to {shape[1] - 1}")
    return _visualise(model, layer, channel, steps, size, seed, lr, parametrisation, decorrelate,
                      jitter, scales, blur, preprocess, callback, device, dtype)


def _visualise(model, layer, channel, steps, size, seed, lr, parametrisation, decorrelate,
               jitter, scales, blur, preprocess, callback, device, dtype):
    draws = np.random.RandomState(seed)
    generator = torch.Generator().manual_seed(seed)        # drawn on the CPU: same start everywhere
    shape = (1, 3, size, size // 2 + 1, 2) if parametrisation == "fourier" else (1, 3, size, size)
    parameters = (0.01 * torch.randn(shape, generator=generator)).to(device, dtype).requires_grad_(True)
    to_image = _image_from(parametrisation, decorrelate, size, device, dtype)
    optimiser = torch.optim.Adam([parameters], lr=lr)
    with evaluating(model):
        for step in range(steps):
            image = to_image(parameters)
            shift = draws.randint(-jitter, jitter + 1, size=2) if jitter else (0, 0)
            image = torch.roll(image, shifts=(int(shift[0]), int(shift[1])), dims=(2, 3))
            scale = scales[draws.randint(len(scales))]
            if scale != 1.0:
                image = F.interpolate(image, scale_factor=scale, mode="bilinear", align_corners=False)
            activations = _up_to(model, layer, preprocess(_gaussian_blur(image, blur) if blur > 0 else image))
            objective = activations[:, channel].mean()
            optimiser.zero_grad()
            (-objective).backward(inputs=[parameters])
            optimiser.step()
            if callback is not None:
                callback(step, objective.item())
    return to_image(parameters).detach()


class _Reached(Exception):
    """Raised by the hook once the layer has its output: the layers above are not needed."""


def _up_to(model, layer, x):
    """The layer's output for x, running the model only as far as the layer."""
    kept = {}

    def stop(module, inputs, output):
        kept["a"] = output
        raise _Reached

    handle = layer.register_forward_hook(stop)
    try:
        model(x)
    except _Reached:
        pass
    finally:
        handle.remove()
    if "a" not in kept:
        raise ValueError("the layer did not run in the model's forward pass; pick a module the model uses")
    return kept["a"]


def _image_from(parametrisation, decorrelate, size, device, dtype):
    """The map from parameters to an RGB image in [0, 1]: (inverse FFT), colour mixing, sigmoid."""
    frequencies = torch.sqrt(torch.fft.fftfreq(size)[:, None] ** 2 + torch.fft.rfftfreq(size)[None, :] ** 2)
    spectrum_scale = (1.0 / frequencies.clamp(min=1.0 / size) * size).to(device, dtype)   # 1/f
    colours = torch.as_tensor(COLOUR_CORRELATION / np.linalg.norm(COLOUR_CORRELATION, axis=0).max(),
                              device=device, dtype=dtype)

    def to_image(parameters):
        image = parameters
        if parametrisation == "fourier":
            spectrum = torch.view_as_complex(parameters.float().contiguous()) * spectrum_scale
            image = torch.fft.irfft2(spectrum, s=(size, size)).to(dtype) / 4.0
        if decorrelate:
            image = torch.einsum("cd,ndhw->nchw", colours, image)
        return torch.sigmoid(image)
    return to_image


def _gaussian_blur(image, sigma):
    radius = max(1, int(3 * sigma))
    x = torch.arange(-radius, radius + 1, device=image.device, dtype=image.dtype)
    kernel = torch.exp(-x ** 2 / (2 * sigma ** 2))
    kernel = (kernel / kernel.sum()).repeat(3, 1, 1, 1)
    image = F.conv2d(F.pad(image, (radius, radius, 0, 0), mode="reflect"), kernel.view(3, 1, 1, -1), groups=3)
    return F.conv2d(F.pad(image, (0, 0, radius, radius), mode="reflect"), kernel.view(3, 1, -1, 1), groups=3)
