"""Networks and images (lectures 05 and 10): modules and layers, image batches, class
indices, baselines, concepts and the shortcut data."""
from __future__ import annotations

import numbers

import numpy as np

from .arrays import (check_array, check_count, check_positive, check_real, check_shape,
                     check_tensor)
from .models import check_callable
from .seeds import check_seed
from .values import check_choice, check_vector

__all__ = ["check_module", "check_layer", "check_images", "check_class_index", "check_like_images",
           "check_reference_images", "check_window", "check_supported_layers", "check_pictures",
           "check_training", "check_target_scores", "check_class_scores", "check_baseline",
           "check_activation_pair", "check_activation_sets", "check_score_samples",
           "check_concept_masks", "check_visualisation"]


def check_module(model, name: str = "model"):
    """A torch.nn.Module, else a TypeError naming the fix."""
    from torch import nn

    if not isinstance(model, nn.Module):
        hint = " (for a fastai Learner pass learn.model)" if hasattr(model, "model") else ""
        raise TypeError(f"{name} must be a torch.nn.Module (the network itself), got "
                        f"{type(model).__name__}{hint}")
    return model


def check_layer(model, layer, name: str = "target_layer"):
    """A submodule of `model`, given as the module or its name in ``model.named_modules()``."""
    from torch import nn

    if isinstance(layer, str):
        try:
            return model.get_submodule(layer)
        except AttributeError:
            raise ValueError(f"{name} {layer!r} is not a submodule of the model; "
                             "see [name for name, _ in model.named_modules()]") from None
    if not isinstance(layer, nn.Module):
        raise TypeError(f"{name} must be a module of the model (or its name), got "
                        f"{type(layer).__name__}")
    if not any(module is layer for module in model.modules()):
        raise ValueError(f"{name} ({type(layer).__name__}) is not a submodule of the model; "
                         "pass a module reached from it, e.g. model.layer4[-1]")
    return layer


def check_images(x, model, name: str = "x"):
    """A non-empty float batch (N, C, H, W) on the device and of the dtype of model's weights."""
    import torch

    check_module(model)
    if isinstance(x, torch.Tensor) and x.ndim == 3:
        raise ValueError(f"{name} must be a batch of images (N, C, H, W), got shape "
                         f"{tuple(x.shape)}; for one image add the batch axis with {name}[None]")
    if isinstance(x, torch.Tensor) and not x.is_floating_point():
        raise TypeError(f"{name} must be a float tensor (preprocessed images), got {x.dtype}")
    check_tensor(x, name, like=next(model.parameters(), None), ndim=4)   # kind, device, dtype, NaN
    if x.shape[0] == 0:
        raise ValueError(f"{name} is an empty batch (N = 0)")
    return x


def check_class_index(target, n: int, n_classes: int | None = None, name: str = "target",
                      items: str = "items"):
    """One class index per item as a long tensor (n,): from an int for all or one int per item."""
    import torch

    if isinstance(target, (bool, np.bool_)):
        raise TypeError(f"{name} must be a class index, got {target!r}")
    if isinstance(target, (int, np.integer)):
        index = torch.full((n,), int(target), dtype=torch.long)
    else:
        try:
            index = torch.as_tensor(target)
        except (TypeError, ValueError, RuntimeError):
            raise TypeError(f"{name} must be an int or one int per item, got "
                            f"{type(target).__name__}") from None
        if index.is_floating_point() or index.is_complex() or index.dtype == torch.bool:
            raise TypeError(f"{name} must hold integer class indices, got {index.dtype}")
        index = index.long().reshape(-1)
        if index.numel() == 1:
            index = index.expand(n)
        if index.numel() != n:
            raise ValueError(f"{name} has {index.numel()} entries for a batch of {n} {items}; "
                             "give one int for all or one per item")
    if (index < 0).any():
        raise ValueError(f"{name} {index[index < 0][0].item()} is negative; class indices "
                         "start at 0")
    bad = (index >= n_classes) if n_classes is not None else torch.zeros_like(index, dtype=bool)
    if bad.any():
        raise ValueError(f"{name} {index[bad][0].item()} is out of range: the model has "
                         f"{n_classes} classes (0 to {n_classes - 1})")
    return index


# ----------------------------------------------------------------------------- attribution baselines and concepts (lecture 10)
def check_like_images(value, x, name: str = "baseline"):
    """A reference of x's shape: a number, one image (C, H, W) or a batch like x; on x's device
    and dtype, expanded to x's shape (occlusion's fill value, DeepLIFT's baseline)."""
    import torch

    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return torch.full_like(x, check_real(value, name))
    value = check_tensor(value, name).to(device=x.device, dtype=x.dtype)
    if value.shape == x.shape[1:]:
        value = value.expand_as(x)
    if value.shape != x.shape:
        raise ValueError(f"{name} has shape {tuple(value.shape)}; expected a number, one image "
                         f"{tuple(x.shape[1:])} or a batch {tuple(x.shape)}")
    return value


def check_reference_images(references, x, name: str = "baselines"):
    """A batch of reference images (B, C, H, W) with x's image shape, moved to x's device and dtype."""
    check_tensor(references, name, ndim=4)
    if references.shape[1:] != x.shape[1:] or references.shape[0] == 0:
        raise ValueError(f"{name} has shape {tuple(references.shape)}; pass B >= 1 reference "
                         f"images of x's shape, (B, {', '.join(map(str, x.shape[1:]))})")
    return references.to(device=x.device, dtype=x.dtype)


def check_window(window, name: str, image_size) -> tuple:
    """A window (height, width) that fits in an image of `image_size` (H, W): an int or a pair."""
    pair = (window, window) if isinstance(window, numbers.Integral) and not isinstance(window, bool) \
        else window
    height, width = check_shape(pair, name, length=2)
    if height > image_size[0] or width > image_size[1]:
        raise ValueError(f"{name}={tuple(pair)} is larger than the images "
                         f"({image_size[0]} x {image_size[1]}); use a smaller {name}")
    return height, width


def check_supported_layers(model, supported: tuple, method: str):
    """model's leaf modules, in order, if every one is of a `supported` type (nn.Sequential only)."""
    from torch import nn

    check_module(model)
    if not isinstance(model, nn.Sequential):
        raise TypeError(f"{method} needs the network as an nn.Sequential of layers, got "
                        f"{type(model).__name__}; rebuild it as nn.Sequential(conv, relu, ...)")
    leaves = [m for m in model.modules() if not any(True for _ in m.children())]
    bad = [type(m).__name__ for m in leaves if not isinstance(m, supported)]
    if bad:
        raise ValueError(f"{method} has no rule for the layer {bad[0]}; supported: "
                         f"{sorted({t.__name__ for t in supported})}")
    if len({id(m) for m in leaves}) != len(leaves):
        raise ValueError(f"a layer appears twice in the model; {method} needs each layer once")
    return leaves


# ----------------------------------------------------------------------------- shortcut
def check_pictures(images, name, one=False):
    """uint8 pictures (N, H, W, 3), or one (H, W, 3), as drawn here (numpy or torch)."""
    shape, dtype = getattr(images, "shape", None), str(getattr(images, "dtype", "no dtype"))
    expected = "(H, W, 3)" if one else "(N, H, W, 3)"
    if shape is None or dtype not in ("uint8", "torch.uint8"):
        raise TypeError(f"{name} must be uint8 pictures {expected} as make_shortcut_data draws, "
                        f"got {type(images).__name__} of {dtype}")
    if len(shape) != (3 if one else 4) or shape[-1] != 3 or 0 in shape:
        raise ValueError(f"{name} must have shape {expected}, got {tuple(shape)}")
    return images


def check_training(epochs, lr, batch_size, seed):
    """(epochs, lr, batch_size, seed) of a short training run."""
    epochs = check_count(epochs, "epochs", maximum=1000)
    batch_size = check_count(batch_size, "batch_size")
    return epochs, check_positive(lr, "lr"), batch_size, check_seed(seed)


# ----------------------------------------------------------------------------- baselines
def check_target_scores(scores, target):
    import torch

    if not isinstance(scores, torch.Tensor) or scores.ndim != 2:
        raise ValueError(f"the model returns {getattr(scores, 'shape', type(scores).__name__)}; "
                         "expected one score per class, a tensor (N, n_classes)")
    if int(target.max()) >= scores.shape[1]:
        raise ValueError(f"target {int(target.max())} is out of range: the model has "
                         f"{scores.shape[1]} classes (0 to {scores.shape[1] - 1})")
    return scores


# ----------------------------------------------------------------------------- cam
def check_class_scores(scores):
    """What the model returned: finite scores, a tensor (N, n_classes)."""
    import torch

    if not isinstance(scores, torch.Tensor) or scores.ndim != 2:
        raise ValueError(f"the model returns {getattr(scores, 'shape', type(scores).__name__)}; "
                         "expected one score per class, a tensor (N, n_classes)")
    if not torch.isfinite(scores).all():
        raise ValueError("the model returns NaN or infinite scores; check the model and its input")
    return scores


def check_baseline(baseline, x):
    return check_like_images(0.0 if baseline is None else baseline, x, "baseline")


# ----------------------------------------------------------------------------- concepts (lecture 10)
def check_activation_pair(concept_acts, random_acts):
    """Two sets of layer activations (n, F), (m, F) of the same layer, at least 2 rows each."""
    concept = check_array(concept_acts, "concept_acts", ndim=2, min_size=2)
    random = check_array(random_acts, "random_acts", ndim=2, min_size=2)
    if concept.shape[1] != random.shape[1]:
        raise ValueError(f"concept_acts has {concept.shape[1]} features but random_acts has "
                         f"{random.shape[1]}; take both from the same layer")
    if len(concept) < 2 or len(random) < 2:
        raise ValueError("concept_acts and random_acts need at least 2 rows each")
    return concept, random


def check_activation_sets(concept_acts, random_acts_sets):
    """A concept's activations (n, F) and a list of at least 3 random sets (n_i, F) like it."""
    import torch

    concept = check_array(concept_acts, "concept_acts", ndim=2, min_size=2)
    if isinstance(random_acts_sets, (np.ndarray, torch.Tensor)) or len(random_acts_sets) < 3:
        raise ValueError("random_acts_sets must be a list of at least 3 activation arrays "
                         "(one per random image set)")
    randoms = [check_array(r, f"random_acts_sets[{i}]", ndim=2, min_size=2)
               for i, r in enumerate(random_acts_sets)]
    if any(r.shape[1] != concept.shape[1] or len(r) < 2 for r in randoms):
        raise ValueError("every random set needs at least 2 rows and the concept's "
                         f"{concept.shape[1]} features")
    return concept, randoms


def check_score_samples(concept_scores, random_scores):
    """Two samples of TCAV scores for a t-test, at least 2 each."""
    concept = check_vector(concept_scores, "concept_scores")
    random = check_vector(random_scores, "random_scores")
    if len(concept) < 2 or len(random) < 2:
        raise ValueError("the t-test needs at least 2 concept scores and 2 random scores; "
                         "train CAVs against more random sets")
    return concept, random


def check_concept_masks(masks, n_images: int) -> np.ndarray:
    """Concept masks (N, n_concepts, H, W) of 0/1, one stack per image."""
    masks = check_array(masks, "masks", ndim=4)
    if len(masks) != n_images or not np.isin(masks, (0, 1)).all():
        raise ValueError(f"masks must be 0/1 (or bool) of shape (N={n_images}, n_concepts, H, W), "
                         f"one stack per image; got {masks.shape}")
    return masks


def check_visualisation(channel, steps, size, seed, lr, parametrisation, decorrelate, jitter, scales, blur,
                        preprocess, callback, parametrisations):
    """Feature visualisation's settings, checked and in that order (preprocess None: identity)."""
    channel = check_count(channel, "channel", minimum=0)
    steps, size = check_count(steps, "steps", maximum=100_000), check_count(size, "size", 8, 2048)
    seed, lr = check_seed(seed), check_real(lr, "lr", low=0, open_interval=True)
    parametrisation = check_choice(parametrisation, "parametrisation", parametrisations)
    jitter = check_count(jitter, "jitter", minimum=0, maximum=size // 2)
    if isinstance(scales, (str, bytes)) or not hasattr(scales, "__len__") or len(scales) == 0:
        raise TypeError(f"scales must be a list of positive numbers such as (1.0, 0.95), got {scales!r}")
    scales = [check_real(v, "scales[i]", low=0.25, high=4.0) for v in scales]
    blur = check_real(blur, "blur", low=0, high=size)
    if preprocess is None:
        preprocess = lambda image: image  # noqa: E731
    check_callable(preprocess, "preprocess", "lambda x: (x - 0.5) / 0.5")
    if callback is not None:
        check_callable(callback, "callback", "lambda step, value: bar.update()")
    if not isinstance(decorrelate, bool):
        raise TypeError(f"decorrelate must be True or False, got {decorrelate!r}")
    return channel, steps, size, seed, lr, parametrisation, decorrelate, jitter, scales, blur, preprocess, callback
