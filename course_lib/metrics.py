"""Is a saliency map any good? The pointing game and the model-randomisation sanity check.

* :func:`pointing_game` (Zhang et al. 2016, "Top-down neural attention by excitation backprop"):
  a hit when the map's maximum falls inside the region that holds the evidence.
* :func:`energy_in_mask`: the share of the map's mass inside that region (the "energy-based
  pointing game" of Wang et al. 2020, Score-CAM).
* :func:`cascading_randomization` (Adebayo et al. 2018, "Sanity checks for saliency maps"):
  re-initialise the layers from the output towards the input, one more at a time, and measure
  how much the map changes with :func:`rank_correlation`. A map that stays the same while the
  weights become noise cannot be explaining what the network learned.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from scipy.stats import rankdata
from torch import nn

from ._validation import (check_array, check_choice, check_count, check_layer, check_module,
                          check_seed, check_tensor)

#: How :func:`to_heatmap` reduces the channels.
REDUCTIONS = ("abs_sum", "abs_max", "sum")

__all__ = ["to_heatmap", "rank_correlation", "constant_maps", "pointing_game", "energy_in_mask",
           "cascading_randomization", "randomize_layer", "randomization_order",
           "RandomizationResult"]


def to_heatmap(maps, reduce: str = "abs_sum") -> np.ndarray:
    """One value per pixel, (N, H, W) numpy, from (N, C, H, W) attributions or (N, H, W) maps.

    ``"abs_sum"``: sum over channels of |a|; ``"abs_max"``: max over channels of |a|
    (Simonyan et al. 2013); ``"sum"``: the signed sum over channels.
    """
    check_choice(reduce, "reduce", REDUCTIONS)
    a = check_array(maps.detach().float() if isinstance(maps, torch.Tensor) else maps,
                    "maps (N, C, H, W) or (N, H, W)", ndim=(3, 4))
    if a.ndim == 3:
        return a
    if reduce == "abs_sum":
        return np.abs(a).sum(axis=1)
    if reduce == "abs_max":
        return np.abs(a).max(axis=1)
    return a.sum(axis=1)  # "sum"


def rank_correlation(maps_a, maps_b) -> np.ndarray:
    """Spearman rank correlation between two maps of each image, shape (N,).

    rho = Pearson correlation of the pixel ranks (ties get their average rank). A constant map
    (all pixels equal: an "empty map") has no ordering to share, so its rho is NaN, as in
    ``scipy.stats.spearmanr``: not 0, which would read as "unrelated", and not a pass.
    :func:`constant_maps` says which maps are constant.
    """
    a, b = to_heatmap(maps_a), to_heatmap(maps_b)
    if a.shape != b.shape:
        raise ValueError(f"the two sets of maps differ in shape: {a.shape} vs {b.shape}")
    ranks_a = rankdata(a.reshape(len(a), -1), axis=1)
    ranks_b = rankdata(b.reshape(len(b), -1), axis=1)
    ranks_a -= ranks_a.mean(axis=1, keepdims=True)
    ranks_b -= ranks_b.mean(axis=1, keepdims=True)
    norm = np.sqrt((ranks_a ** 2).sum(axis=1) * (ranks_b ** 2).sum(axis=1))
    covariance = (ranks_a * ranks_b).sum(axis=1)
    return np.divide(covariance, norm, out=np.full_like(covariance, np.nan), where=norm > 0)


def constant_maps(maps) -> np.ndarray:
    """Which maps are constant (every pixel equal), shape (N,) bool: they rank nothing, so
    :func:`rank_correlation` gives NaN for them."""
    a = to_heatmap(maps)
    a = a.reshape(len(a), -1)
    return (a == a[:, :1]).all(axis=1)


def _check_maps_and_masks(heatmaps, masks):
    maps = to_heatmap(heatmaps)                          # finite numbers, (N, H, W)
    masks = check_array(masks, "masks", ndim=(2, 3))
    if masks.ndim == 2 and masks.shape == maps.shape[1:]:
        masks = np.broadcast_to(masks, maps.shape)
    if masks.shape != maps.shape:
        raise ValueError(f"masks have shape {masks.shape} but the maps {maps.shape}; give one "
                         "(H, W) mask for all images or one per image")
    if not np.isin(masks, (0, 1)).all() or not masks.any(axis=(1, 2)).all():
        raise ValueError("masks must be True/False (or 0/1), at least one True pixel per image; "
                         f"empty: images {np.flatnonzero(~masks.any(axis=(1, 2)))[:5].tolist()}")
    return maps, masks.astype(bool)


def pointing_game(heatmaps, masks, tolerance: int = 0) -> np.ndarray:
    """Hits of the pointing game, shape (N,) bool: is each map's maximum inside its mask?

    `masks` are (N, H, W) or one (H, W) boolean region (the object, the shortcut). With
    `tolerance` t > 0 a maximum within t pixels (Chebyshev distance) of the region also counts
    (Zhang et al. use 15 px at 224 px). The score is ``hits.mean()``. A constant map has no
    maximum to point with: it counts as a miss.
    """
    maps, masks = _check_maps_and_masks(heatmaps, masks)
    t = check_count(tolerance, "tolerance", minimum=0)
    n, height, width = maps.shape
    peak = maps.reshape(n, -1).argmax(axis=1)
    rows, cols = np.divmod(peak, width)
    hits = np.zeros(n, dtype=bool)
    for i in range(n):  # one window look-up per image
        window = masks[i, max(rows[i] - t, 0):rows[i] + t + 1, max(cols[i] - t, 0):cols[i] + t + 1]
        hits[i] = window.any()
    flat = maps.reshape(n, -1)
    return hits & ~(flat == flat[:, :1]).all(axis=1)


def energy_in_mask(heatmaps, masks) -> np.ndarray:
    """Share of each map's (non-negative) mass inside its mask, shape (N,), in [0, 1]; NaN for a
    map with no positive mass (an empty map has no share to give)."""
    maps, masks = _check_maps_and_masks(heatmaps, masks)
    maps = np.clip(maps, 0, None)
    total = maps.reshape(len(maps), -1).sum(axis=1)
    inside = (maps * masks).reshape(len(maps), -1).sum(axis=1)
    return np.divide(inside, total, out=np.full_like(total, np.nan), where=total > 0)


# ---------------------------------------------------------------------- sanity check
@dataclass
class RandomizationResult:
    """What :func:`cascading_randomization` returns.

    layers: the names randomised, in order ("" first for the trained model);
    maps: (n_steps, N, H, W) heatmaps; correlations: (n_steps, N) Spearman rho with the
    trained model's map (the first row is 1; NaN where a map is constant, see ``constant``).
    """

    layers: list
    maps: np.ndarray
    correlations: np.ndarray
    extra: dict = field(default_factory=dict)

    @property
    def mean_correlation(self) -> np.ndarray:
        """rho averaged over the images, one value per step (NaN if any map is constant)."""
        return self.correlations.mean(axis=1)

    @property
    def constant(self) -> np.ndarray:
        """(n_steps, N) bool: which maps are constant ("empty maps" that rank nothing)."""
        flat = self.maps.reshape(*self.maps.shape[:2], -1)
        return (flat == flat[..., :1]).all(axis=-1)


def randomization_order(model: nn.Module) -> list[str]:
    """Names of the model's top-level parameterised blocks, output first. A Sequential of blocks
    (a ResNet's ``layer4``, an EfficientNet's ``blocks``) is opened one level, so that each
    block is one step; a Sequential of plain layers (conv, batch norm, ReLU) stays one step."""
    names = []
    for name, child in check_module(model).named_children():
        if isinstance(child, nn.Sequential) and any(any(True for _ in g.children()) for g in child):
            names += [f"{name}.{sub}" for sub, grand in child.named_children()
                      if _has_parameters(grand)]
        elif _has_parameters(child):
            names.append(name)
    return names[::-1]


def _has_parameters(module: nn.Module) -> bool:
    return any(True for _ in module.parameters())


@torch.no_grad()
def randomize_layer(module: nn.Module, generator: torch.Generator) -> None:
    """Overwrite every parameter of `module` with Gaussian noise of the same mean and standard
    deviation as its trained values: the scale survives, what was learned does not."""
    check_module(module, "module")
    if not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator, got {type(generator).__name__}")
    for parameter in module.parameters():
        mean = parameter.mean()
        std = parameter.std(unbiased=False) if parameter.numel() > 1 else parameter.abs().mean()
        noise = torch.randn(parameter.shape, generator=generator, dtype=parameter.dtype,
                            device=generator.device)
        parameter.copy_((mean + std * noise).to(parameter.device))


def cascading_randomization(model: nn.Module, explain: Callable, x: torch.Tensor, target=None,
                            layers: list[str] | None = None, seed: int = 0,
                            reduce: str = "abs_sum") -> RandomizationResult:
    """The cascading model-parameter randomisation test (Adebayo et al. 2018, section 3.1).

    Step 0 explains `x` with the trained model; step k re-initialises the k-th block of `layers`
    (output first; default :func:`randomization_order`) on top of the blocks before it and
    explains again. `explain(model, x, target)` returns the maps; it must reach its layers
    through the model it is given (``lambda m, x, t: grad_cam(m, "layer4", x, t)``), because
    the test works on a deep copy: the model passed in is never modified.
    """
    if not callable(explain):
        raise TypeError("explain must be a function explain(model, x, target) -> maps")
    x = check_tensor(x, "x", like=next(check_module(model).parameters(), None))
    seed, reduce = check_seed(seed), check_choice(reduce, "reduce", REDUCTIONS)
    names = randomization_order(model) if layers is None else [_layer(model, n) for n in layers]
    copy_ = copy.deepcopy(model)
    device = next(copy_.parameters()).device
    generator = torch.Generator(device=device).manual_seed(seed)
    maps = [to_heatmap(explain(copy_, x, target), reduce)]
    for name in names:
        randomize_layer(copy_.get_submodule(name), generator)
        maps.append(to_heatmap(explain(copy_, x, target), reduce))
    maps = np.stack(maps)
    correlations = np.stack([rank_correlation(maps[0], step) for step in maps])
    return RandomizationResult([""] + names, maps, correlations)


def _layer(model, name):
    if not isinstance(name, str):
        raise TypeError(f"layers must be names from model.named_modules(), got {name!r}")
    check_layer(model, name, "layer")
    return name
