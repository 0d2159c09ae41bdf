"""A toy "cats vs dogs" dataset with a shortcut, and a tiny CNN trained on it with fastai.

"You reap what you sow": a detector of armed robbers learned CCTV footage versus phone photos, a
pneumothorax detector learned the chest drain. Here every picture is drawn by this module:

* the animal is a textured blob at a random place: a *cat* is striped (a tabby), a *dog* is
  spotted (a dalmatian), both in random colours, orientations and sizes;
* the shortcut is a camera-style timestamp ("23:59" in orange pixels) in the bottom-right
  corner. ``stamp="cats"`` stamps every cat, as if all cat photos came from one camera.

A network trained on ``stamp="cats"`` can be right for the wrong reason: Grad-CAM points at the
corner, and the accuracy collapses on ``stamp="dogs"`` (the shortcut swapped). Training on
``stamp="random"`` (a timestamp on a random half of both classes) removes the shortcut.

fastai is imported inside :func:`train_fastai` only, so that importing this module stays light.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ._validation import (check_budget, check_choice, check_count, check_generator, check_module,
                          check_pictures, check_seed, check_training)
from .hooks import evaluating

__all__ = ["CLASSES", "STAMPS", "ShortcutData", "make_shortcut_data", "draw_timestamp",
           "small_cnn", "to_tensor", "train_fastai", "accuracy_on"]

CLASSES = ("dog", "cat")  # label 1 = cat, as fastbook's is_cat
STAMPS = ("cats", "dogs", "random", "none")
STAMP_COLOUR = (255, 150, 0)
#: The largest picture side, channel width or class count accepted.
MAX_SIZE = 4096

# a 3 x 5 pixel font for the timestamp: one string of 15 bits per character, row by row
_FONT = {
    "0": "111101101101111", "1": "010110010010111", "2": "111001111100111",
    "3": "111001111001111", "4": "101101111001001", "5": "111100111001111",
    "6": "111100111101111", "7": "111001010010010", "8": "111101111101111",
    "9": "111101111001111", ":": "000010000010000",
}


@dataclass
class ShortcutData:
    """Images (N, H, W, 3) uint8, labels (N,) with 1 = cat, and where things are:
    ``animal_masks`` and ``stamp_masks`` (N, H, W) bool, ``has_stamp`` (N,) bool."""

    images: np.ndarray
    labels: np.ndarray
    animal_masks: np.ndarray
    stamp_masks: np.ndarray
    has_stamp: np.ndarray

    def __post_init__(self):
        check_pictures(self.images, "images")
        n, size = self.images.shape[0], self.images.shape[1:3]
        for name in ("labels", "animal_masks", "stamp_masks", "has_stamp"):
            shape = np.shape(getattr(self, name))
            if shape != ((n,) if name in ("labels", "has_stamp") else (n, *size)):
                raise ValueError(f"{name} has shape {shape}; expected one entry per picture of "
                                 f"images {self.images.shape}")

    def __len__(self) -> int:
        return len(self.labels)


def make_shortcut_data(n_images: int, size: int = 48, stamp: str = "cats",
                       seed: int = 0) -> ShortcutData:
    """Draw `n_images` pictures, half cats and half dogs, with the timestamp placed by `stamp`:
    on every cat (``"cats"``), on every dog (``"dogs"``), on a random half of all pictures
    (``"random"``) or nowhere (``"none"``). Same `seed`, same pictures."""
    stamp, seed = check_choice(stamp, "stamp", STAMPS), check_seed(seed)
    size = check_count(size, "size (room for a timestamp)", minimum=32, maximum=MAX_SIZE)
    n_images = check_budget(n_images, "n_images", per_unit=8 * size * size, minimum=2)
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n_images) % 2)
    has_stamp = {"cats": labels == 1, "dogs": labels == 0, "none": np.zeros(n_images, bool),
                 "random": rng.random(n_images) < 0.5}[stamp]
    images = np.empty((n_images, size, size, 3), np.uint8)
    animal_masks = np.zeros((n_images, size, size), bool)
    stamp_masks = np.zeros((n_images, size, size), bool)
    for i in range(n_images):  # one picture at a time: these are drawings, not data rows
        images[i], animal_masks[i] = _draw_animal(rng, size, cat=bool(labels[i]))
        if has_stamp[i]:
            stamp_masks[i] = draw_timestamp(images[i], rng)
    return ShortcutData(images, labels.astype(np.int64), animal_masks, stamp_masks, has_stamp)


def _draw_animal(rng, size: int, cat: bool):
    """A noisy background and an elliptic blob with stripes (cat) or spots (dog)."""
    rows, cols = np.mgrid[0:size, 0:size].astype(np.float32)
    # background: a soft colour gradient plus pixel noise
    start, end = rng.uniform(40, 200, 3), rng.uniform(40, 200, 3)
    angle = rng.uniform(0, np.pi)
    ramp = (np.cos(angle) * cols + np.sin(angle) * rows) / size
    ramp = (ramp - ramp.min()) / (np.ptp(ramp) + 1e-9)
    image = start + (end - start) * ramp[..., None] + rng.normal(0, 12, (size, size, 3))
    # the animal: an ellipse kept clear of the bottom band where timestamps go
    radius_r, radius_c = rng.uniform(0.2, 0.3, 2) * size
    centre_r = rng.uniform(radius_r + 1, size - 8 - radius_r)
    centre_c = rng.uniform(radius_c + 1, size - 1 - radius_c)
    body = ((rows - centre_r) / radius_r) ** 2 + ((cols - centre_c) / radius_c) ** 2 <= 1
    base, mark = rng.uniform(0, 255, 3), rng.uniform(0, 255, 3)
    while np.abs(base - mark).sum() < 200:  # marks must be visible on the fur
        mark = rng.uniform(0, 255, 3)
    if cat:  # stripes: a random direction, a period of 4 to 7 pixels
        theta, period = rng.uniform(0, np.pi), rng.uniform(4, 7)
        phase = (np.cos(theta) * cols + np.sin(theta) * rows) / period
        marks = (phase - np.floor(phase)) < 0.45
    else:  # spots: discs of radius 2 to 3 pixels
        n_spots = int(body.sum() / 40) + 3
        spot_r = rng.uniform(centre_r - radius_r, centre_r + radius_r, n_spots)
        spot_c = rng.uniform(centre_c - radius_c, centre_c + radius_c, n_spots)
        spot_radius = rng.uniform(2.0, 3.0, n_spots)
        distance = (rows[..., None] - spot_r) ** 2 + (cols[..., None] - spot_c) ** 2
        marks = (distance <= spot_radius ** 2).any(axis=-1)
    fur = np.where(marks[..., None], mark, base) + rng.normal(0, 8, (size, size, 3))
    image = np.where(body[..., None], fur, image)
    return np.clip(image, 0, 255).astype(np.uint8), body


def draw_timestamp(image: np.ndarray, rng=None, text: str | None = None) -> np.ndarray:
    """Write an "HH:MM" timestamp into the bottom-right corner of `image` (H, W, 3) uint8, in
    place, and return its (H, W) bool mask (the bounding box of the text plus a 1-pixel margin)."""
    rng, (height, width) = check_generator(rng), check_pictures(image, "image", one=True).shape[:2]
    text = f"{rng.integers(0, 24):02d}:{rng.integers(0, 60):02d}" if text is None else text
    _check_text(text, height, width)
    top, left = height - 7, width - 2 - 4 * len(text)
    for k, char in enumerate(text):
        glyph = np.array([int(bit) for bit in _FONT[char]], bool).reshape(5, 3)
        block = image[top + 1:top + 6, left + 4 * k + 1:left + 4 * k + 4]
        block[glyph] = STAMP_COLOUR
    mask = np.zeros((height, width), bool)
    mask[top:top + 7, left:left + 4 * len(text) + 1] = True
    return mask


# ---------------------------------------------------------------------- model and training
def small_cnn(n_classes: int = 2, width: int = 16) -> nn.Sequential:
    """Three conv-BN-ReLU blocks (two with max-pooling), global average pooling and a linear
    layer. Grad-CAM's natural layer is ``model.block3`` (a 12 x 12 map for 48 px images)."""
    n_classes = check_count(n_classes, "n_classes", maximum=MAX_SIZE)
    width = check_count(width, "width", maximum=MAX_SIZE)
    def block(c_in, c_out, pool):
        layers = [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out),
                  nn.ReLU(inplace=True)]
        return nn.Sequential(*layers, *([nn.MaxPool2d(2)] if pool else []))

    return nn.Sequential(OrderedDict(
        block1=block(3, width, pool=True), block2=block(width, 2 * width, pool=True),
        block3=block(2 * width, 4 * width, pool=False), pool=nn.AdaptiveAvgPool2d(1),
        flatten=nn.Flatten(), fc=nn.Linear(4 * width, n_classes)))


def to_tensor(images: np.ndarray) -> torch.Tensor:
    """uint8 (N, H, W, 3) pictures -> float (N, 3, H, W) in [-1, 1]."""
    images = check_pictures(images, "images")
    return torch.as_tensor(images).permute(0, 3, 1, 2).float().div(127.5).sub(1.0)


def train_fastai(train: ShortcutData, valid: ShortcutData, epochs: int = 4, lr: float = 1e-2,
                 batch_size: int = 32, seed: int = 0, device=None):
    """Train :func:`small_cnn` with fastai's ``Learner`` and one-cycle schedule; returns the
    learner (its ``.model`` is the trained network, in eval mode). Quiet and seeded: no
    progress bar, no timing table, num_workers = 0."""
    train, valid = _check_data(train, "train"), _check_data(valid, "valid")
    epochs, lr, batch_size, seed = check_training(epochs, lr, batch_size, seed)
    import fastai.callback.progress  # noqa: F401  (adds Learner.no_bar)
    import fastai.callback.schedule  # noqa: F401  (adds Learner.fit_one_cycle)
    from fastai.data.core import DataLoaders
    from fastai.learner import Learner
    from fastai.metrics import accuracy
    from fastai.torch_core import set_seed
    from torch.utils.data import DataLoader, TensorDataset

    set_seed(seed, reproducible=True)
    device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    generator = torch.Generator().manual_seed(seed)
    train_dl = DataLoader(TensorDataset(to_tensor(train.images), torch.as_tensor(train.labels)),
                          batch_size=batch_size, shuffle=True, generator=generator, num_workers=0)
    valid_dl = DataLoader(TensorDataset(to_tensor(valid.images), torch.as_tensor(valid.labels)),
                          batch_size=256, num_workers=0)
    learn = Learner(DataLoaders(train_dl, valid_dl, device=device), small_cnn().to(device),
                    loss_func=nn.CrossEntropyLoss(), metrics=accuracy)
    with learn.no_bar(), learn.no_logging():
        learn.fit_one_cycle(epochs, lr)
    learn.model.eval()
    return learn


def accuracy_on(model: nn.Module, data: ShortcutData) -> float:
    """Share of `data` the model classifies correctly (eval mode, on the model's device)."""
    device, data = next(check_module(model).parameters()).device, _check_data(data, "data")
    with evaluating(model), torch.no_grad():
        predictions = model(to_tensor(data.images).to(device)).argmax(dim=1).cpu().numpy()
    return float((predictions == data.labels).mean())


# ---------------------------------------------------------------------- validation


def _check_text(text, height, width):
    fits = isinstance(text, str) and 2 + 4 * len(text) <= width and height >= 7
    if not fits or set(text) - set(_FONT):
        raise ValueError(f"text must be digits and ':' that fit in a {height} x {width} picture, "
                         f"e.g. '23:59', got {text!r}")


def _check_data(data, name):
    if not isinstance(data, ShortcutData):
        raise TypeError(f"{name} must be a ShortcutData from make_shortcut_data, got "
                        f"{type(data).__name__}")
    return data
