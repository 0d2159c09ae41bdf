"""Occlusion, LRP and DeepLIFT against captum: time and agreement on a small CNN.

Both sides run the same float32 network on the same batch of 32 x 32 images (CPU unless a GPU
is present). captum's LRP needs a rule on nn.Flatten: an epsilon rule with epsilon 1e-30,
which passes relevance through unchanged. captum's DeepLift runs on a twin with a copy between
the ReLU and the max-pool that touch (see tests/test_baselines.py::captum_twin).
"""
from __future__ import annotations

import warnings

import torch
from harness import Benchmark
from torch import nn

warnings.filterwarnings("ignore", message="Setting forward, backward hooks")
warnings.filterwarnings("ignore", message="Input Tensor 0 did not already require gradients")


class _Copy(nn.Module):
    def forward(self, x):
        return x.clone()


def _device():
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _setup(n=8, size=32):
    def setup():
        torch.manual_seed(0)
        parts = [nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                 nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                 nn.Linear(32 * (size // 4) ** 2, 64), nn.ReLU(), nn.Linear(64, 10)]
        model = nn.Sequential(*parts).eval().to(_device())
        twin = nn.Sequential(*parts[:2], _Copy(), *parts[2:5], _Copy(), *parts[5:]).eval().to(_device())
        x = torch.rand(n, 3, size, size, generator=torch.Generator().manual_seed(1)).to(_device())
        return {"model": model, "twin": twin, "x": x, "targets": [i % 10 for i in range(n)]}
    return setup


def _gap(ours, reference):
    gap = (ours - reference).abs().max().item() / reference.abs().max().item()
    return {"max |diff| / max": f"{gap:.1e}"}


# ------------------------------------------------------------------------------ occlusion
def _ours_occlusion(ctx):
    from course_lib import baselines

    return baselines.occlusion(ctx["model"], ctx["x"], ctx["targets"], window=8, stride=4)


def _reference_occlusion(ctx):
    from captum.attr import Occlusion

    return Occlusion(ctx["model"]).attribute(ctx["x"], sliding_window_shapes=(3, 8, 8),
                                             strides=(3, 4, 4), target=ctx["targets"],
                                             perturbations_per_eval=8)


# ------------------------------------------------------------------------------ LRP
def _ours_lrp(ctx):
    from course_lib import baselines

    return baselines.lrp(ctx["model"], ctx["x"], ctx["targets"], epsilon=1e-6)


def _reference_lrp(ctx):
    from captum.attr import LRP
    from captum.attr._utils.lrp_rules import EpsilonRule

    model = ctx["model"]
    for module in model:
        if not isinstance(module, nn.ReLU):
            module.rule = EpsilonRule(1e-30 if isinstance(module, nn.Flatten) else 1e-6)
    try:
        return LRP(model).attribute(ctx["x"], target=ctx["targets"])
    finally:
        for module in model:
            module.__dict__.pop("rule", None)


# ------------------------------------------------------------------------------ DeepLIFT
def _ours_deeplift(ctx):
    from course_lib import baselines

    return baselines.deeplift(ctx["model"], ctx["x"], ctx["targets"])


def _reference_deeplift(ctx):
    from captum.attr import DeepLift

    return DeepLift(ctx["twin"]).attribute(ctx["x"], target=ctx["targets"])


BENCHMARKS = [
    Benchmark("baselines: occlusion 8x8 stride 4, 8 images 32 px vs captum", _setup(),
              _ours_occlusion, _reference_occlusion,
              notes=lambda ctx: _gap(_ours_occlusion(ctx), _reference_occlusion(ctx))),
    Benchmark("baselines: LRP-epsilon, 8 images 32 px vs captum", _setup(),
              _ours_lrp, _reference_lrp,
              notes=lambda ctx: _gap(_ours_lrp(ctx), _reference_lrp(ctx))),
    Benchmark("baselines: DeepLIFT rescale, 8 images 32 px vs captum", _setup(),
              _ours_deeplift, _reference_deeplift,
              notes=lambda ctx: _gap(_ours_deeplift(ctx), _reference_deeplift(ctx))),
]
