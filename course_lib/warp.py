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

import numpy as np
import torch
from torch import nn

from ._validation import (check_array, check_binary_labels, check_budget, check_choice, check_count,
                          check_module, check_positive, check_real, check_rows, check_seed, check_widths)
from .hooks import evaluating

__all__ = ["make_mlp", "grid_lines", "layers_of", "layer_names", "layer_images", "train_classifier",
           "predict_proba"]

ACTIVATIONS = {"tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid}


def make_mlp(widths, activation: str = "tanh", seed: int = 0) -> nn.Sequential:
    """An MLP Linear(w0, w1), act, Linear(w1, w2), act, ..., Linear(w_{L-1}, w_L), seeded.

    widths=(2, 2, 2, 1): two inputs, two hidden layers of 2 units, one output (a logit).
    The global torch random state is left untouched.
    """
    widths, seed = check_widths(widths), check_seed(seed)
    activation = check_choice(activation, "activation", tuple(ACTIVATIONS))
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
    xlim = check_array(xlim, "xlim (low, high)", shape=(2,))
    ylim = xlim if ylim is None else check_array(ylim, "ylim (low, high)", shape=(2,))
    n_lines = check_count(n_lines, "n_lines", minimum=2)
    n_points = check_budget(n_points, "n_points", per_unit=4 * n_lines, minimum=2)
    along_x, along_y = np.linspace(*xlim, n_points), np.linspace(*ylim, n_points)
    levels_y, levels_x = np.linspace(*ylim, n_lines), np.linspace(*xlim, n_lines)
    horizontal = np.stack(np.broadcast_arrays(along_x[None, :], levels_y[:, None]), axis=-1)
    vertical = np.stack(np.broadcast_arrays(levels_x[:, None], along_y[None, :]), axis=-1)
    return np.concatenate([horizontal, vertical])


def layers_of(model: nn.Module) -> list[nn.Module]:
    """The layers of `model` in the order they are applied (the children of an nn.Sequential)."""
    if isinstance(model, nn.Sequential):
        return list(model.children())
    if isinstance(check_module(model), nn.Module) and not list(model.children()):
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
    layers, points = layers_of(model), check_array(points, "points")
    n_inputs = next((layer.in_features for layer in layers if hasattr(layer, "in_features")), None)
    if points.ndim < 1 or (n_inputs is not None and points.shape[-1] != n_inputs):
        raise ValueError(f"points must have shape (..., {n_inputs}): the model's first layer takes "
                         f"{n_inputs} inputs, got shape {points.shape}")
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
    parameter = next(check_module(model).parameters())
    X, y = check_rows(X, "X")[0], check_binary_labels(y, X)
    epochs = check_budget(epochs, "epochs", per_unit=X.size)
    lr, weight_decay = check_positive(lr, "lr"), check_real(weight_decay, "weight_decay", low=0)
    if X_test is not None or y_test is not None:  # a test set: both or neither
        X_test, y_test = check_rows(X_test, "X_test", X.shape[1])[0], check_binary_labels(y_test, X_test)
    as_tensors = lambda A, b: (torch.as_tensor(np.asarray(A, float), dtype=parameter.dtype, device=parameter.device),
                               torch.as_tensor(np.asarray(b, float), dtype=parameter.dtype, device=parameter.device))
    X_t, y_t = as_tensors(X, y)
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
    logits = layer_images(model, check_rows(X, "X")[0])[-1]
    return 1.0 / (1.0 + np.exp(-logits[..., 0]))


# ---------------------------------------------------------------------- validation


