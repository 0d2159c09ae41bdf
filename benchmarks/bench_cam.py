"""Our Grad-CAM and guided backprop against pytorch-grad-cam and captum: time and agreement.

Both sides run the same model on the same batch (CPU unless a GPU is present). Ours asks
autograd for the gradient of the input only (``torch.autograd.grad``), while pytorch-grad-cam
calls ``loss.backward()``, which also fills every parameter's ``.grad``.
"""
from __future__ import annotations

import copy
import warnings

import numpy as np
import torch
from harness import Benchmark

warnings.filterwarnings("ignore", message="Setting backward hooks on ReLU")
warnings.filterwarnings("ignore", message="Input Tensor 0 did not already require gradients")


def _device():
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _effnet():
    from course_lib.data import load_imagenet_model

    return load_imagenet_model(device=_device(), verbose=False)[0]


def _resnet():
    import torchvision

    torch.manual_seed(0)
    return torchvision.models.resnet18(weights=None).eval().to(_device())


def _images(n):
    generator = torch.Generator().manual_seed(0)
    return torch.randn(n, 3, 224, 224, generator=generator).clamp(-1, 1).to(_device())


def _relu6_as_relu(model):
    """A copy whose ReLU6 modules are nn.ReLU subclasses, so that captum hooks them too."""
    class ClippedReLU(torch.nn.ReLU):
        def forward(self, x):
            return torch.nn.functional.hardtanh(x, 0.0, 6.0, self.inplace)

    model = copy.deepcopy(model)
    for name, module in list(model.named_modules()):
        if isinstance(module, torch.nn.ReLU6):
            parent, _, child = name.rpartition(".")
            setattr(model.get_submodule(parent) if parent else model, child, ClippedReLU(True))
    return model


# ------------------------------------------------------------------------------ Grad-CAM
def _grad_cam_setup(make_model, layer_name, n):
    def setup():
        model = make_model()
        return {"model": model, "layer": model.get_submodule(layer_name), "x": _images(n),
                "targets": [281 + i % 5 for i in range(n)]}
    return setup


def _ours_grad_cam(ctx):
    from course_lib import cam

    return cam.grad_cam(ctx["model"], ctx["layer"], ctx["x"], ctx["targets"])


def _reference_grad_cam(ctx):
    from pytorch_grad_cam import GradCAM
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

    with GradCAM(ctx["model"], [ctx["layer"]]) as method:
        result = method(ctx["x"], [ClassifierOutputTarget(t) for t in ctx["targets"]])
    ctx["model"].zero_grad(set_to_none=True)
    return result


def _grad_cam_notes(ctx):
    gap = np.abs(_ours_grad_cam(ctx).cpu().numpy() - _reference_grad_cam(ctx)).max()
    return {"max |diff|": f"{gap:.1e}", "batch": str(len(ctx["x"]))}


# ------------------------------------------------------------------------------ guided backprop
def _guided_setup(make_model, n, relu6=False):
    def setup():
        model = make_model()
        return {"model": model, "captum_model": _relu6_as_relu(model) if relu6 else model,
                "x": _images(n), "targets": [281 + i % 5 for i in range(n)]}
    return setup


def _ours_guided(ctx):
    from course_lib import cam

    return cam.guided_backprop(ctx["model"], ctx["x"], ctx["targets"])


def _reference_guided(ctx):
    from captum.attr import GuidedBackprop

    return GuidedBackprop(ctx["captum_model"]).attribute(ctx["x"], target=ctx["targets"])


def _guided_notes(ctx):
    ours, reference = _ours_guided(ctx), _reference_guided(ctx)
    gap = (ours - reference).abs().max().item() / reference.abs().max().item()
    return {"max |diff| / max": f"{gap:.1e}", "batch": str(len(ctx["x"]))}


BENCHMARKS = [
    Benchmark("cam: Grad-CAM EfficientNet-Lite0 bn2 vs pytorch-grad-cam",
              _grad_cam_setup(_effnet, "bn2", 4), _ours_grad_cam, _reference_grad_cam,
              notes=_grad_cam_notes),
    Benchmark("cam: Grad-CAM ResNet-18 layer4 vs pytorch-grad-cam",
              _grad_cam_setup(_resnet, "layer4", 4), _ours_grad_cam, _reference_grad_cam,
              notes=_grad_cam_notes),
    Benchmark("cam: guided backprop EfficientNet-Lite0 vs captum",
              _guided_setup(_effnet, 4, relu6=True), _ours_guided, _reference_guided,
              notes=_guided_notes),
    Benchmark("cam: guided backprop ResNet-18 vs captum",
              _guided_setup(_resnet, 4), _ours_guided, _reference_guided, notes=_guided_notes),
]
