"""How a small neural network bends space: the image of a grid after each layer.

A multilayer perceptron is a chain of maps x -> tanh(W x + b). Each affine layer rotates,
shifts and squashes (see ``course_lib.kernels.affine_map``); each tanh bends. Drawing the
image of a square grid after every layer shows the network building, step by step, a
space in which its last layer -- a linear classifier -- can draw a straight line
(C. Olah, "Neural Networks, Manifolds, and Topology", 2014).

A layer of width 2 is a continuous, invertible map of the plane (tanh and an invertible W are
homeomorphisms), so it cannot pull one ring out of another: two nested rings stay nested.
A wider layer lifts the points into more dimensions, where the rings come apart.
"""
from __future__ import annotations

import numbers

import numpy as np
import torch
from torch import nn

from .hooks import evaluating

__all__ = ["make_mlp", "grid_lines", "layers_of", "layer_names", "layer_images", "train_classifier",
           "predict_proba"]

ACTIVATIONS = {"tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid}


def make_mlp(widths, activation: str = "tanh", seed: int = 0) -> nn.Sequential:
    """An MLP Linear(w0, w1), act, Linear(w1, w2), act, ..., Linear(w_{L-1}, w_L), seeded.

    widths=(2, 2, 2, 1): two inputs, two hidden layers of 2 units, one output (a logit).
    The global torch random state is left untouched.
    """
    widths = [int(w) for w in widths]
    if len(widths) < 2 or min(widths) < 1:
        raise ValueError(f"widths must list at least an input and an output width, each >= 1, "
                         f"got {widths}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation={activation!r} is not known; use one of {sorted(ACTIVATIONS)}")
    layers = []
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        for k, (n_in, n_out) in enumerate(zip(widths[:-1], widths[1:])):
            layers.append(nn.Linear(n_in, n_out))
            if k < len(widths) - 2:
                layers.append(ACTIVATIONS[activation]())
    return nn.Sequential(*layers)


def grid_lines(xlim=(-1.5, 1.5), ylim=None, n_lines: int = 15, n_points: int = 100) -> np.ndarray:
    """A square grid as polylines: shape (2 n_lines, n_points, 2), horizontal lines then vertical ones."""
    ylim = xlim if ylim is None else ylim
    if n_lines < 2 or n_points < 2:
        raise ValueError(f"n_lines and n_points must be >= 2, got {n_lines} and {n_points}")
    along_x, along_y = np.linspace(*xlim, n_points), np.linspace(*ylim, n_points)
    levels_y, levels_x = np.linspace(*ylim, n_lines), np.linspace(*xlim, n_lines)
    horizontal = np.stack(np.broadcast_arrays(along_x[None, :], levels_y[:, None]), axis=-1)
    vertical = np.stack(np.broadcast_arrays(levels_x[:, None], along_y[None, :]), axis=-1)
    return np.concatenate([horizontal, vertical])


def layers_of(model: nn.Module) -> list[nn.Module]:
    """The layers of `model` in the order they are applied (the children of an nn.Sequential)."""
    if isinstance(model, nn.Sequential):
        return list(model.children())
    if isinstance(model, nn.Module) and not list(model.children()):
        return [model]
    raise TypeError(f"model must be an nn.Sequential (its layers are applied in order) or a single "
                    f"layer, got {type(model).__name__}; wrap your layers in nn.Sequential(...)")


def layer_names(model: nn.Module) -> list[str]:
    """Short titles for the input and each layer's output: "input", "Linear 2->3", "Tanh", ..."""
    names = ["input"]
    for layer in layers_of(model):
        if isinstance(layer, nn.Linear):
            names.append(f"Linear {layer.in_features}->{layer.out_features}")
        else:
            names.append(type(layer).__name__)
    return names


def layer_images(model: nn.Module, points) -> list[np.ndarray]:
    """The image of `points` after each layer: [points, layer1(points), layer2(layer1(points)), ...].

    points : array of shape (..., n_inputs), e.g. a grid from :func:`grid_lines` (n_lines,
        n_points, 2) or data (n, 2). Every image keeps the leading shape and ends with the
        layer's width: (..., width_k). Runs in eval mode without gradients, on the model's
        device and dtype, so the same call always gives the same numbers.
    """
    layers = layers_of(model)
    points = np.asarray(points.detach().cpu() if hasattr(points, "detach") else points, dtype=float)
    n_inputs = next((layer.in_features for layer in layers if hasattr(layer, "in_features")), None)
    if points.ndim < 1 or (n_inputs is not None and points.shape[-1] != n_inputs):
        raise ValueError(f"points must have shape (..., {n_inputs}): the model's first layer takes "
                         f"{n_inputs} inputs, got shape {points.shape}")
    if not np.all(np.isfinite(points)):
        raise ValueError("points contains NaN or infinite values")
    parameter = next(model.parameters(), None)
    device = parameter.device if parameter is not None else torch.device("cpu")
    dtype = parameter.dtype if parameter is not None else torch.float32
    images = [points.copy()]
    with evaluating(model), torch.no_grad():
        h = torch.as_tensor(points.reshape(-1, points.shape[-1]), dtype=dtype, device=device)
        for layer in layers:
            h = layer(h)
            images.append(h.cpu().numpy().astype(float).reshape(*points.shape[:-1], h.shape[-1]))
    return images


def train_classifier(model: nn.Module, X, y, X_test=None, y_test=None, epochs: int = 500,
                     lr: float = 0.03, weight_decay: float = 0.0) -> dict:
    """Full-batch Adam on the binary cross-entropy of the logit model(X); returns the loss curves.

    No sampling happens (every step sees all points), so training is deterministic given the
    model's initial weights. History: {"train_loss": [...], "test_loss": [...] (when a test
    set is given), "train_accuracy": float, "test_accuracy": float}.
    """
    if not isinstance(epochs, numbers.Integral) or epochs < 1:
        raise ValueError(f"epochs must be a whole number >= 1, got {epochs!r}")
    parameter = next(model.parameters())
    as_tensors = lambda A, b: (torch.as_tensor(np.asarray(A, float), dtype=parameter.dtype, device=parameter.device),
                               torch.as_tensor(np.asarray(b, float), dtype=parameter.dtype, device=parameter.device))
    X_t, y_t = as_tensors(X, y)
    if X_t.ndim != 2 or y_t.shape != (len(X_t),):
        raise ValueError(f"X must be (n, n_inputs) and y (n,) with labels 0/1, got {tuple(X_t.shape)} and {tuple(y_t.shape)}")
    test = X_test is not None and y_test is not None
    if test:
        X_v, y_v = as_tensors(X_test, y_test)
    loss_fn = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    history = {"train_loss": [], "test_loss": []}
    model.train()
    for _ in range(int(epochs)):
        optimizer.zero_grad()
        loss = loss_fn(model(X_t).squeeze(-1), y_t)
        loss.backward()
        optimizer.step()
        history["train_loss"].append(loss.item())
        if test:
            with torch.no_grad():
                history["test_loss"].append(float(loss_fn(model(X_v).squeeze(-1), y_v)))
    model.eval()
    with torch.no_grad():
        history["train_accuracy"] = float(((model(X_t).squeeze(-1) > 0) == (y_t > 0.5)).float().mean())
        if test:
            history["test_accuracy"] = float(((model(X_v).squeeze(-1) > 0) == (y_v > 0.5)).float().mean())
    return history


def predict_proba(model: nn.Module, X) -> np.ndarray:
    """P(class 1) = sigmoid(logit) for every row of X, as a numpy array of shape (n,)."""
    logits = layer_images(model, X)[-1]
    return 1.0 / (1.0 + np.exp(-logits[..., 0]))
