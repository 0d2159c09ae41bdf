"""Faithfulness (lecture 09): removal curves, rationales, masks and infidelity."""
from __future__ import annotations

import numpy as np

from .arrays import (check_array, check_budget, check_real, check_tensor)
from .models import check_callable
from .seeds import check_seed
from .values import check_choice, check_instance

__all__ = ["check_aopc", "check_mask", "check_rationale", "check_tensor_pair", "check_infidelity"]


# ----------------------------------------------------------------------------- faithfulness
def check_aopc(tokens, attribution, bins):
    if isinstance(tokens, str) or not hasattr(tokens, "__iter__"):
        raise TypeError("tokens must be a list of tokens, not one string; split it first")
    tokens = list(tokens)
    attribution = check_array(attribution, "attribution", min_size=1).ravel()
    if attribution.size != len(tokens):
        raise ValueError(f"attribution has {attribution.size} values for {len(tokens)} tokens; "
                         "give one value per token")
    bins = check_array(bins, "bins", min_size=1).ravel()
    if ((bins <= 0) | (bins > 1)).any():
        raise ValueError(f"bins must be shares of the tokens in (0, 1], got {bins.tolist()}")
    return tokens, attribution, np.ceil(bins * len(tokens) - 1e-9).astype(int)


def check_mask(removed, image):
    removed = np.asarray(removed)
    if removed.dtype != bool or removed.shape != image.shape[1:]:
        raise ValueError(f"removed must be a boolean mask of shape {image.shape[1:]} (H, W), got "
                         f"{removed.dtype} of shape {removed.shape}")
    return removed


def check_rationale(tokens, rationale):
    if isinstance(tokens, str) or not hasattr(tokens, "__iter__"):
        raise TypeError("tokens must be a list of tokens, not one string; split it first")
    tokens = list(tokens)
    mask = np.asarray(rationale)
    if mask.dtype != bool:
        if mask.size and mask.dtype.kind not in "iu":
            raise TypeError(f"rationale must be a boolean mask or a list of token positions, got "
                            f"{mask.dtype} values")
        positions = mask.astype(int).ravel()
        if ((positions < 0) | (positions >= len(tokens))).any():
            raise ValueError(f"rationale positions must lie in [0, {len(tokens) - 1}]")
        mask = np.zeros(len(tokens), bool)
        mask[positions] = True
    if mask.shape != (len(tokens),):
        raise ValueError(f"rationale mask has shape {mask.shape} for {len(tokens)} tokens")
    return tokens, mask


def check_tensor_pair(x, attribution):
    x, attribution = check_tensor(x, "x"), check_tensor(attribution, "attribution")
    if x.shape != attribution.shape:
        raise ValueError(f"attribution has shape {tuple(attribution.shape)}, x "
                         f"{tuple(x.shape)}; they must match")
    return x, attribution


def check_infidelity(x, attribution, model, n_perturb, seed, noise, share, baseline, perturbation,
                     normalize, multiply_by_inputs):
    """(x, attribution, model, n_perturb, seed, noise, share, baseline, perturbation) of infidelity;
    the number of perturbed copies is bounded by x's size before any is drawn."""
    (x, attribution), model = check_tensor_pair(x, attribution), check_callable(model, "model")
    n_perturb, seed = check_budget(n_perturb, "n_perturb", per_unit=x.numel()), check_seed(seed)
    noise, share = check_real(noise, "noise", low=0), check_real(share, "share", 0, 1)
    baseline = check_real(baseline, "baseline")
    perturbation = check_choice(perturbation, "perturbation", ("gaussian", "baseline"))
    for flag, name in ((normalize, "normalize"), (multiply_by_inputs, "multiply_by_inputs")):
        check_instance(flag, name, bool, "pass True or False")
    return x, attribution, model, n_perturb, seed, noise, share, baseline, perturbation
