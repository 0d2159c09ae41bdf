"""Exercises for notebook 05, Grad-CAM on cats: eight checked questions, easy to hard.

Every check runs your code on inputs it builds (small networks, random tensors, the network you
pass in) and compares it with ``course_lib.cam`` / ``course_lib.hooks`` or pytorch-grad-cam on
the same inputs; nothing is compared with stored numbers.
"""
from __future__ import annotations

from functools import partial

import numpy as np
import torch
from torch import nn

from .. import cam, hooks, metrics, shortcut
from . import (PLACEHOLDER, Incorrect, Question, as_array, as_callable, as_string, call_fresh,
               forbidden, mistake_from)

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "QUESTIONS", "PLACEHOLDER",
           "stamp_box"]


def _generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _hook_count(model: nn.Module) -> int:
    return sum(len(m._forward_hooks) + len(m._forward_pre_hooks) + len(m._backward_hooks)
               for m in model.modules())


def _as_tensor(value, what: str, shape=None) -> torch.Tensor:
    return torch.as_tensor(as_array(value, what, shape=shape), dtype=torch.float64)


def _fresh(function, *args, what: str, names, given=()):
    """Call the learner's function on copies of the check's own `args` (call_fresh), after the
    objects in `given` (a model and its layer, built afresh by the check, which it inspects
    afterwards for hooks left behind or weights changed), handed over as they are."""
    if given:
        function, learner = partial(function, *given), function
        function.__code__ = getattr(learner, "__code__", None)  # a stub is told from a deeper error
    return call_fresh(function, *args, what=what, names=names)


def _gap(a, b) -> float:
    return float((torch.as_tensor(a, dtype=torch.float64)
                  - torch.as_tensor(b, dtype=torch.float64)).abs().max())


# ------------------------------------------------------------------------------- q1
class _Exploding(nn.Module):
    def __init__(self, body):
        super().__init__()
        self.body = body

    def forward(self, x):
        self.body(x)
        raise RuntimeError("the model failed after your layer ran")


def _q1_model() -> nn.Sequential:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(inplace=True),
                          nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 2)).eval()
    with torch.no_grad():
        model[1].bias.uniform_(-1, 1)  # so that the ReLU has negatives to overwrite
    return model


def _q1_cases():
    """Fresh inputs: a BatchNorm followed by ReLU(inplace=True) on two 6 x 6 pictures, then the
    convolution before it on one 5 x 7 picture (a function that hooks a fixed layer of the
    example, not `layer`, fails there)."""
    return [(1, torch.randn(2, 3, 6, 6, generator=_generator(1))),
            (0, torch.randn(1, 3, 5, 7, generator=_generator(11)))]


def _check_q1(record_output):
    function = as_callable(record_output, "record_output")
    for index, x in _q1_cases():
        reference = _q1_model()
        outputs = {}

        def keep(key, tensor):  # a hook that returns something would replace the output
            outputs[key] = tensor.detach().clone()

        with torch.no_grad():
            handles = [m.register_forward_hook(lambda m, i, o, j=j: keep(j, o))
                       for j, m in enumerate(reference)]
            handles.append(reference[index].register_forward_pre_hook(
                lambda m, i: keep("input", i[0])))
            try:
                reference(x)
            finally:
                for handle in handles:
                    handle.remove()
        expected = outputs[index]
        model = _q1_model()
        layer = model[index]
        got = _fresh(function, x, what="record_output(model, layer, x)", names=["x"],
                     given=(model, layer))
        if _hook_count(model):
            raise Incorrect("a hook is still registered after record_output returned: keep the "
                            "handle from register_forward_hook and call handle.remove()",
                            mistake="hook-registered-after")
        got = _as_tensor(got, "record_output(model, layer, x)")
        if tuple(got.shape) != tuple(expected.shape):
            raise Incorrect(f"record_output returned shape {tuple(got.shape)}; the layer's output "
                            f"has shape {tuple(expected.shape)}", mistake="record-output-shape")
        if _gap(got, expected) <= 1e-5:
            continue
        if _gap(got, expected.clamp(min=0)) < 1e-5:
            raise Incorrect("you kept the tensor itself, and the in-place ReLU after the layer "
                            "overwrote it: store output.detach().clone()",
                            mistake="kept-tensor-itself")
        if outputs["input"].shape == got.shape and _gap(got, outputs["input"]) < 1e-5:
            raise Incorrect("that is the layer's input; the hook's third argument is its output",
                            mistake="layer-input-hook")
        other = next((j for j in range(len(reference)) if j != index and
                      tuple(outputs[j].shape) == tuple(got.shape) and _gap(got, outputs[j]) < 1e-5), None)
        if other is not None:
            raise Incorrect(f"that is the output of model[{other}], but `layer` is model[{index}] "
                            "here: hook the layer you are given, layer.register_forward_hook(...)",
                            mistake="output-model-model")
        raise Incorrect("the values differ from the layer's output: return what the hook "
                        "received as `output`", mistake="values-differ-layer")
    model = _q1_model()
    try:
        function(_Exploding(model), model[1], _q1_cases()[0][1])
    except Exception:
        pass
    if _hook_count(model):
        raise Incorrect("when the model raises, your hook stays registered: remove it in a "
                        "`finally:` block (or use a `with` block)", mistake="model-raises-hook")
    return "the output, copied before the in-place ReLU, and no hook left behind, even on error"


q1 = Question(
    "q1", "register a forward hook, read a layer's output, remove the hook", ["record_output"],
    _check_q1,
    hints=["layer.register_forward_hook(fn) returns a handle; fn(module, inputs, output) is "
           "called during model(x).",
           "Store output.detach().clone() in a dict or list from inside fn.",
           "Put model(x) in try: and handle.remove() in finally:, then return what you stored."],
    solution_code='''def record_output(model, layer, x):
    stored = []
    handle = layer.register_forward_hook(
        lambda module, inputs, output: stored.append(output.detach().clone()))
    try:
        with torch.no_grad():
            model(x)
    finally:
        handle.remove()
    return stored[0]''')


# ------------------------------------------------------------------------------- q2
def _q2_cases():
    """Fresh inputs: a (3, 8) signal with f == 0 at two units (PyTorch's ReLU passes nothing back
    there), and a (2, 3, 4, 5) signal of a convolution with such kinks spread out and some R == 0
    (a rule written for a matrix, entry by entry, fails there)."""
    rng = np.random.default_rng(2)
    f = rng.normal(size=(3, 8))
    f[0, :2] = 0.0
    R = rng.normal(size=(3, 8))
    f4, R4 = rng.normal(size=(2, 3, 4, 5)), rng.normal(size=(2, 3, 4, 5))
    f4[rng.uniform(size=f4.shape) < 0.15] = 0.0
    R4[rng.uniform(size=R4.shape) < 0.1] = 0.0
    return [(f, R), (f4, R4)]


def _check_q2(pass_back):
    function = as_callable(pass_back, "pass_back")
    for f, R in _q2_cases():
        answers = {}
        for rule in hooks.RULES:
            call = f"pass_back(f, R, {rule!r})"
            try:
                got = _fresh(function, f, R, rule, what=call, names=["f", "R", "rule"])
            except Incorrect as wrong:
                if f.ndim > 2 and "in place" not in str(wrong):
                    raise Incorrect(f"on signals of shape {f.shape} (a convolution's, not a "
                                    f"matrix) {wrong} Write each rule with masks over the whole "
                                    "arrays, (f > 0) * R, which work for any shape",
                                    mistake="signals-shape-write") from None
                raise
            answers[rule] = as_array(got, call, shape=f.shape)
        expected = {rule: hooks.relu_backward(f, R, rule) for rule in hooks.RULES}
        kinks = f == 0
        for rule in hooks.RULES:
            if np.allclose(answers[rule], expected[rule], atol=1e-12):
                continue
            others = [o for o in hooks.RULES if o != rule and np.allclose(answers[rule], expected[o])]
            if others:
                raise Incorrect(f"for rule {rule!r} you return the {others[0]!r} rule; {rule} keeps "
                                + {"backprop": "the signal where the unit was active, f > 0",
                                   "deconvnet": "the positive signal, R > 0, whatever f is",
                                   "guided": "the signal where both f > 0 and R > 0"}[rule],
                                mistake="rule-rule-keeps")
            if rule != "deconvnet" and np.allclose(answers[rule][~kinks], expected[rule][~kinks]):
                raise Incorrect(f"rule {rule!r} is right except where f == 0: a ReLU's slope there "
                                "is 0 in PyTorch, so use f > 0, not f >= 0",
                                mistake="rule-right-except")
            gap = np.abs(answers[rule] - expected[rule]).max()
            raise Incorrect(f"rule {rule!r}: off by up to {gap:.3g}; build it from the masks "
                            "(f > 0) and (R > 0) times R", mistake="rule-off-build")
    return "backprop, deconvnet and guided backprop, each from the two masks"


q2 = Question(
    "q2", "the three ReLU rules", ["pass_back"], _check_q2,
    hints=["Each rule multiplies R by zero, one or two masks.",
           "backprop: (f > 0) * R; deconvnet: (R > 0) * R; guided: both masks."],
    solution_code='''def pass_back(f, R, rule):
    if rule == "backprop":
        return (f > 0) * R
    if rule == "deconvnet":
        return (R > 0) * R
    return (f > 0) * (R > 0) * R''')


# ------------------------------------------------------------------------------- q3
def _check_q3(channel_weights):
    function = as_callable(channel_weights, "channel_weights")
    for shape in [(2, 5, 3, 4), (1, 7, 7, 7)]:
        gradients = torch.randn(*shape, generator=_generator(3))
        got = _fresh(function, gradients, what="channel_weights(gradients)", names=["gradients"])
        got = _as_tensor(got, "channel_weights(gradients)")
        n, k, h, w = shape
        if tuple(got.shape) == (n, k, 1, 1):
            got = got[:, :, 0, 0]
        if n == 1 and tuple(got.shape) == (k,):
            raise Incorrect(f"for one image (gradients of shape {shape}) your weights have shape "
                            f"({k},): keep the image axis, shape (N, K) = {(n, k)} (a squeeze() "
                            "drops it when N = 1)", mistake="image-weights-shape")
        if tuple(got.shape) == (n, h, w):
            raise Incorrect("you averaged over the channels; average over the positions "
                            "(dims 2 and 3) to get one weight per channel",
                            mistake="averaged-channels-average")
        if tuple(got.shape) != (n, k):
            raise Incorrect(f"for gradients of shape {shape} the weights should have shape "
                            f"(N, K) = {(n, k)}, got {tuple(got.shape)}",
                            mistake="gradients-shape-weights")
        expected = cam.grad_cam_weights(gradients)
        if _gap(got, expected) < 1e-5:
            continue
        if _gap(got, expected * h * w) < 1e-4:
            raise Incorrect(f"your weights are h·w = {h * w} times too large: average over the "
                            "positions, do not sum", mistake="weights-times-too")
        if _gap(got, gradients.amax(dim=(2, 3))) < 1e-5:
            raise Incorrect("that is the maximum over the positions; Grad-CAM averages them",
                            mistake="maximum-positions-grad")
        if _gap(got, gradients.abs().mean(dim=(2, 3))) < 1e-5:
            raise Incorrect("keep the sign of the gradients (no abs()): a channel whose gradient "
                            "is negative on average speaks against the class",
                            mistake="keep-sign-gradients")
        if _gap(got, torch.relu(gradients).mean(dim=(2, 3))) < 1e-5:
            raise Incorrect("you cut the negative gradients before averaging; Grad-CAM averages "
                            "the raw gradients and applies its ReLU only to the weighted sum",
                            mistake="cut-negative-gradients")
        if _gap(got, -expected) < 1e-5:
            raise Incorrect("your weights have the wrong sign: average the gradients as they "
                            "come, without a minus", mistake="weights-wrong-sign")
        raise Incorrect(f"off by up to {_gap(got, expected):.3g}: alpha_k = mean over i, j of "
                        "dy/dA^k_ij", mistake="off-alpha-mean")
    return "alpha_k^c: the gradient of the class score, averaged over each feature map"


q3 = Question(
    "q3", "Grad-CAM's channel weights", ["channel_weights"], _check_q3,
    hints=["gradients has shape (N, K, h, w): one gradient map per channel.",
           "gradients.mean(dim=(2, 3))"],
    solution_code='''def channel_weights(gradients):
    return gradients.mean(dim=(2, 3))''')


# ------------------------------------------------------------------------------- q4
def _check_q4(my_grad_cam, my_layer, model):
    function = as_callable(my_grad_cam, "my_grad_cam")
    if not isinstance(model, nn.Module):
        raise Incorrect(f"`model` should be the network (a torch.nn.Module), but it is a "
                        f"{type(model).__name__}; run the set-up cell again",
                        mistake="network-run-set")
    if not isinstance(my_layer, nn.Module) or not any(m is my_layer for m in model.modules()):
        raise Incorrect("`my_layer` should be a module of `model`, e.g. model.blocks[5]; pick "
                        "one from model.named_modules()", mistake="module-model-blocks")
    if my_layer is model:
        raise Incorrect("`my_layer` is the whole model; Grad-CAM needs a convolutional layer "
                        "inside it", mistake="whole-model-grad")
    if my_layer is getattr(model, "bn2", None):
        raise Incorrect("`my_layer` is model.bn2, the usual layer of the lecture; the question "
                        "asks for another one, e.g. model.blocks[5]", mistake="model-bn2-usual")
    parameter = next(model.parameters(), None)
    device = parameter.device if parameter is not None else torch.device("cpu")
    cases = [(torch.randn(2, 3, 224, 224, generator=_generator(4)).clamp(-1, 1), [281, 207]),
             (torch.randn(1, 3, 96, 128, generator=_generator(40)).clamp(-1, 1), [281])]
    for x, targets in cases:
        gap, shape = _check_q4_on(function, my_layer, model, x.to(device), targets)
    return (f"equal to pytorch-grad-cam on your layer, on 224 x 224 and 96 x 128 pictures "
            f"(largest difference {gap:.1e}), feature maps {shape}")


def _check_q4_on(function, my_layer, model, x, targets):
    """One input set of question 4: the learner's maps against pytorch-grad-cam's."""
    try:
        with hooks.evaluating(model), hooks.GradientHook(my_layer) as hook:
            x_ = x.clone().requires_grad_(True)
            scores = model(x_)
            torch.autograd.grad(scores[range(len(x_)), targets].sum(), x_)
            A, dA = hook.output, hook.gradient
    except Exception as error:
        raise Incorrect(f"could not run `model` on {tuple(x.shape[-2:])} pictures through `my_layer` "
                        f"({type(error).__name__}: {error}); use the notebook's network",
                        mistake="run-pictures-through") from None
    if A.ndim != 4 or scores.ndim != 2 or scores.shape[1] <= max(targets):
        raise Incorrect("`my_layer` should output feature maps (N, K, h, w) of an ImageNet "
                        "classifier: pick a convolutional block of the notebook's network",
                        mistake="output-feature-maps")
    hooks_before = _hook_count(model)
    with forbidden(["course_lib.cam.grad_cam", "pytorch_grad_cam.GradCAM",
                    "pytorch_grad_cam.grad_cam.GradCAM"], function,
                   compare="pytorch_grad_cam.GradCAM"):
        got = _fresh(function, x, targets, what="my_grad_cam(model, layer, x, target)",
                     names=["x", "target"], given=(model, my_layer))
    if _hook_count(model) > hooks_before:
        raise Incorrect("a hook is still registered on the model after my_grad_cam returned; "
                        "remove it (a `with` block or try/finally)",
                        mistake="hook-registered-model")
    got = _as_tensor(got, "my_grad_cam(model, layer, x, target)")
    if tuple(got.shape) == tuple(A.shape[:1] + A.shape[2:]):
        raise Incorrect(f"your map has the feature maps' size {tuple(A.shape[2:])}: upsample it "
                        f"to the pictures' size {tuple(x.shape[-2:])} with F.interpolate(..., "
                        "mode='bilinear')", mistake="map-feature-maps")
    size = tuple(x.shape[-2:])
    if tuple(got.shape[1:]) == (224, 224) and size != (224, 224):
        raise Incorrect(f"your maps are 224 x 224 for {size[0]} x {size[1]} pictures: upsample "
                        "to the pictures' own size, x.shape[-2:], not a fixed one",
                        mistake="maps-pictures-upsample")
    if tuple(got.shape) != (len(x),) + size:
        raise Incorrect(f"expected one map per image, shape {(len(x),) + size}; got "
                        f"{tuple(got.shape)}", mistake="map-per-image")
    from pytorch_grad_cam import GradCAM
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

    with hooks.evaluating(model), GradCAM(model, [my_layer]) as reference_cam:
        reference = reference_cam(x, [ClassifierOutputTarget(t) for t in targets])
    gap = _gap(got, reference)
    if gap < 1e-4:
        return gap, tuple(A.shape[1:])
    low = got.flatten(1).min(dim=1).values[:, None, None]
    high = got.flatten(1).max(dim=1).values[:, None, None]
    rescaled = (got - low) / (high - low).clamp(min=1e-12)
    if _gap(rescaled, reference) < 1e-4 or got.min() < -1e-6 or got.max() > 1 + 1e-6:
        raise Incorrect(f"your maps range from {got.min():.3g} to {got.max():.3g}; scale each to "
                        "[0, 1] (min-max), as pytorch-grad-cam does", mistake="maps-range-scale")
    size = x.shape[-2:]
    weights = cam.grad_cam_weights(dA)[:, :, None, None]
    suspects = {
        "you left out the ReLU before upsampling: negative evidence must be cut to zero":
            cam.upsample_and_normalise((weights * A).sum(dim=1), size),
        "your weights come from the activations; they must be the averaged *gradients*":
            cam.upsample_and_normalise(torch.relu((A.mean(dim=(2, 3), keepdim=True) * A).sum(1)),
                                       size),
        "you explained each image's top class; explain `target` instead":
            cam.grad_cam(model, my_layer, x, None),
    }
    for message, suspect in suspects.items():
        if _gap(got, suspect) < 1e-4:
            raise Incorrect(message, mistake=mistake_from(message))
    cam_map = torch.relu((weights * A).sum(dim=1))
    low = cam_map.flatten(1).min(dim=1).values[:, None, None]
    high = cam_map.flatten(1).max(dim=1).values[:, None, None]
    scaled = ((cam_map - low) / (high - low).clamp(min=1e-12))[:, None]
    for corners in (True, False):
        for mode in ("bilinear", "bicubic", "nearest"):
            if mode == "nearest" and corners:
                continue
            kwargs = {} if mode == "nearest" else {"align_corners": corners}
            up = torch.nn.functional.interpolate(scaled, size=tuple(size), mode=mode, **kwargs)[:, 0]
            low, high = up.flatten(1).min(1).values[:, None, None], up.flatten(1).max(1).values[:, None, None]
            up = (up - low) / (high - low).clamp(min=1e-12)
            if _gap(got, up) < 1e-4:
                raise Incorrect(f"your maps match an upsampling with mode={mode!r}"
                                + (", align_corners=True" if corners else "") + "; pytorch-grad-cam "
                                "resizes with mode='bilinear' and align_corners=False (the default): "
                                "F.interpolate(cam_map[:, None], size=x.shape[-2:], mode='bilinear')",
                                mistake="pytorch-grad-cam")
    raise Incorrect(f"your maps differ from pytorch-grad-cam's by up to {gap:.3g}; check the "
                    "order: weights, weighted sum, ReLU, min-max, bilinear upsampling, min-max",
                    mistake="maps-differ-pytorch")


q4 = Question(
    "q4", "a full Grad-CAM, checked against pytorch-grad-cam on a layer you choose",
    ["my_grad_cam", "my_layer", "model"], _check_q4,
    hints=["Record A and dA with hooks.GradientHook(layer), with the model in eval mode.",
           "weights = dA.mean(dim=(2, 3)); cam = relu(sum over k of weights_k · A_k).",
           "cam.upsample_and_normalise(cam_map, x.shape[-2:]) does min-max, upsampling and "
           "min-max again; or write it with F.interpolate."],
    solution_code='''def my_grad_cam(model, layer, x, target):
    with hooks.GradientHook(layer) as hook:
        x = x.clone().requires_grad_(True)
        scores = model(x)[range(len(x)), target]
        torch.autograd.grad(scores.sum(), x)
    A, dA = hook.output, hook.gradient
    weights = dA.mean(dim=(2, 3))
    cam_map = torch.relu((weights[:, :, None, None] * A).sum(dim=1))
    return cam.upsample_and_normalise(cam_map, x.shape[-2:])

my_layer = model.blocks[5]''')


# ------------------------------------------------------------------------------- q5
def _q5_cases():
    """Fresh inputs: two colour pictures (2, 3, 6, 5), and one one-channel picture (1, 1, 7, 4)
    (a map repeated to 3 colour channels fails there)."""
    return [(torch.randn(2, 3, 6, 5, generator=_generator(5)), torch.rand(2, 6, 5, generator=_generator(6))),
            (torch.randn(1, 1, 7, 4, generator=_generator(55)), torch.rand(1, 7, 4, generator=_generator(56)))]


def _check_q5(guided_grad_cam_from):
    function = as_callable(guided_grad_cam_from, "guided_grad_cam_from")
    for guided, heat in _q5_cases():
        try:
            got = _fresh(function, guided, heat, what="guided_grad_cam_from(guided, cam_map)",
                         names=["guided", "cam_map"])
        except Incorrect as wrong:
            text = str(wrong)
            if "in place" not in text and any(w in text for w in ("size", "broadcast", "shape")):
                raise Incorrect("guided (N, C, H, W) and cam_map (N, H, W) do not broadcast: give "
                                "cam_map a channel axis, cam_map[:, None], before multiplying",
                                mistake="guided-cam-map") from None
            raise
        got = _as_tensor(got, "guided_grad_cam_from(guided, cam_map)")
        expected = guided * heat[:, None]
        n, c = guided.shape[:2]
        if c > 1 and tuple(got.shape) == (n, 1) + tuple(guided.shape[2:]):
            raise Incorrect("your result has one channel: keep the colour channels of guided as "
                            "they are; only cam_map gets the new axis, guided * cam_map[:, None]",
                            mistake="result-channel-keep")
        if c == 1 and tuple(got.shape) == (n, 3) + tuple(guided.shape[2:]):
            raise Incorrect(f"for a one-channel guided image {tuple(guided.shape)} your result has "
                            "3 channels: do not repeat the map for 3 colours; cam_map[:, None] "
                            "broadcasts over however many channels guided has",
                            mistake="channel-guided-image")
        if tuple(got.shape) != tuple(expected.shape):
            raise Incorrect(f"expected the shape of the guided-backprop image {tuple(guided.shape)}, "
                            f"got {tuple(got.shape)}: give cam_map a channel axis, cam_map[:, None]",
                            mistake="shape-guided-backprop")
        if _gap(got, expected) < 1e-6:
            continue
        if _gap(got, guided + heat[:, None]) < 1e-6:
            raise Incorrect("you added the maps; guided Grad-CAM multiplies them",
                            mistake="added-maps-guided")
        if _gap(got, (guided * heat[:, None]).abs()) < 1e-6:
            raise Incorrect("keep the sign: multiply, without abs()", mistake="keep-sign-multiply")
        if _gap(got, guided.abs().sum(dim=1, keepdim=True) * heat[:, None]) < 1e-6 or \
                _gap(got, guided.sum(dim=1, keepdim=True) * heat[:, None]) < 1e-6:
            raise Incorrect("keep the colour channels of guided as they are; only cam_map gets the "
                            "new axis", mistake="keep-colour-channels")
        if _gap(got, heat[:, None].expand_as(guided)) < 1e-6:
            raise Incorrect("you returned the Grad-CAM map only; multiply it with guided",
                            mistake="grad-cam-map")
        raise Incorrect(f"off by up to {_gap(got, expected):.3g}: the element-wise product of "
                        "guided (N, C, H, W) and cam_map (N, 1, H, W)", mistake="off-element-wise")
    return "guided backprop's detail, kept only where Grad-CAM sees the class"


q5 = Question(
    "q5", "guided Grad-CAM from guided backprop and Grad-CAM", ["guided_grad_cam_from"], _check_q5,
    hints=["Shapes: guided (N, C, H, W), cam_map (N, H, W).", "guided * cam_map[:, None]"],
    solution_code='''def guided_grad_cam_from(guided, cam_map):
    return guided * cam_map[:, None]''')


# ------------------------------------------------------------------------------- q6
def stamp_box(size: int = 48) -> tuple[int, int, int, int]:
    """Where the shortcut's timestamp is drawn: (top, bottom, left, right), the last two
    excluded as in ``image[top:bottom, left:right]``."""
    mask = shortcut.draw_timestamp(np.zeros((size, size, 3), np.uint8), text="00:00")
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def _box_mask(box, size):
    top, bottom, left, right = box
    mask = np.zeros((size, size), bool)
    mask[top:bottom, left:right] = True
    return mask


def _check_q6(shortcut_box, size: int = 48):
    box = as_array(shortcut_box, "shortcut_box", shape=(4,))
    if not np.all(box == np.round(box)):
        raise Incorrect("`shortcut_box` should hold whole pixel indices (top, bottom, left, right)",
                        mistake="hold-whole-pixel")
    top, bottom, left, right = (int(v) for v in box)
    if not (0 <= top < bottom <= size and 0 <= left < right <= size):
        raise Incorrect(f"(top, bottom, left, right) = {(top, bottom, left, right)} is not a box "
                        f"inside the {size} x {size} picture: need 0 <= top < bottom <= {size} and "
                        f"0 <= left < right <= {size}", mistake="box-inside-picture")
    guess, truth = _box_mask((top, bottom, left, right), size), _box_mask(stamp_box(size), size)
    overlap = (guess & truth).sum() / (guess | truth).sum()
    covered = (guess & truth).sum() / truth.sum()
    if overlap >= 0.4:
        return f"the timestamp's corner; your box overlaps it with IoU {overlap:.2f}"
    if covered >= 0.6:
        raise Incorrect(f"your box contains the region, but it is {guess.sum() / truth.sum():.1f} "
                        f"times its size (IoU {overlap:.2f}); tighten it around the bright spot",
                        mistake="box-contains-region")
    centre_row = (top + bottom) / 2
    if covered == 0 and centre_row < size - 10:
        raise Incorrect("your box is away from where the maps are bright on every cat picture; "
                        "the animal moves from picture to picture, the shortcut does not",
                        mistake="box-away-maps")
    raise Incorrect(f"your box overlaps the region with IoU {overlap:.2f} only; threshold the "
                    "average map (e.g. > 0.5) and take the rows and columns it covers",
                    mistake="box-overlaps-region")


q6 = Question(
    "q6", "spot the shortcut: where does the model look?", ["shortcut_box"], _check_q6,
    hints=["Average the Grad-CAM maps of the cat pictures: the animal moves, the shortcut stays.",
           "rows, cols = np.nonzero(mean_map > 0.5); the box is (rows.min(), rows.max() + 1, "
           "cols.min(), cols.max() + 1)."],
    solution_code='''mean_map = shortcut_maps.mean(axis=0)
rows, cols = np.nonzero(mean_map > 0.5)
shortcut_box = (rows.min(), rows.max() + 1, cols.min(), cols.max() + 1)''')


# ------------------------------------------------------------------------------- q7
def _q7_setup():
    torch.manual_seed(7)
    model = shortcut.small_cnn(n_classes=3).eval()
    x = torch.randn(2, 3, 32, 32, generator=_generator(8))
    return model, x


def _q7_cases(x):
    """Each method with each layer randomised, on the check's two pictures and class 1; the last
    on three other pictures and class 0 (a function that explains a fixed class fails there)."""
    other = torch.randn(3, 3, 32, 32, generator=_generator(9))
    return [("Grad-CAM", "fc", x, 1), ("Grad-CAM", "block3", x, 1),
            ("guided backprop", "fc", x, 1), ("guided backprop", "block3", other, 0)]


def _check_q7(sanity_step):
    function = as_callable(sanity_step, "sanity_step")
    model, x = _q7_setup()
    explainers = {"Grad-CAM": lambda m, x, t: cam.grad_cam(m, m.block3, x, t),
                  "guided backprop": lambda m, x, t: cam.guided_backprop(m, x, t)}
    for name, layer, images, target in _q7_cases(x):
        explain = explainers[name]
        state = {k: v.clone() for k, v in model.state_dict().items()}
        seen = []

        def watched(m, x_, t, explain=explain, state=state, seen=seen):
            own = m.state_dict()
            seen.append(all(k in own and torch.equal(v, own[k]) for k, v in state.items()))
            return explain(m, x_, t)

        got = _fresh(function, layer, images, target, watched,
                     what="sanity_step(model, layer_name, x, target, explain)",
                     names=["layer_name", "x", "target", "explain"], given=(model,))
        if any(not torch.equal(v, model.state_dict()[k]) for k, v in state.items()):
            raise Incorrect("your function changed the model's weights: randomise a copy, "
                            "copy.deepcopy(model), and leave the model itself alone",
                            mistake="function-changed-model")
        got = as_array(got, "sanity_step(...)", shape=(len(images),))
        result = metrics.cascading_randomization(model, explain, images, target, layers=[layer], seed=0)
        expected = result.correlations[1]
        if np.allclose(got, expected, atol=1e-6, equal_nan=True):
            continue
        if len(seen) >= 2 and not any(seen):
            raise Incorrect("both maps come from the randomised copy: explain the original "
                            "`model` for the first map and the copy for the second",
                            mistake="both-maps-come")
        if np.allclose(got, 1.0):
            raise Incorrect("the correlation is 1: the two maps are identical, so nothing was "
                            "randomised; re-initialise the layer of the copy before explaining",
                            mistake="correlation-maps-identical")
        pearson = np.array([np.corrcoef(a.ravel(), b.ravel())[0, 1] for a, b in
                            zip(result.maps[0], result.maps[1])])
        if np.allclose(got, pearson, atol=1e-6):
            raise Incorrect("that is Pearson's correlation of the values; Spearman's ranks the "
                            "pixels first (metrics.rank_correlation)",
                            mistake="pearson-correlation-values")
        fixed = metrics.cascading_randomization(model, explain, images, 1, layers=[layer], seed=0)
        if target != 1 and np.allclose(got, fixed.correlations[1], atol=1e-6, equal_nan=True):
            raise Incorrect(f"with target={target} you explained class 1: pass `target` on to "
                            "explain(model, x, target)", mistake="target-explained-class")
        raise Incorrect(f"for {name} with {layer!r} randomised you have {np.round(got, 3)}, "
                        f"expected {np.round(expected, 3)}; randomise with "
                        "metrics.randomize_layer(copy.get_submodule(layer_name), "
                        "torch.Generator().manual_seed(0))", mistake="randomised-randomise-metrics")
    return "one step of the cascade, on a copy, for two methods and two layers"


q7 = Question(
    "q7", "one step of the sanity check", ["sanity_step"], _check_q7,
    hints=["copy.deepcopy(model), then randomise one layer of the copy.",
           "metrics.randomize_layer(copy_.get_submodule(layer_name), "
           "torch.Generator().manual_seed(0))",
           "Explain x with both models and return metrics.rank_correlation(before, after)."],
    solution_code='''def sanity_step(model, layer_name, x, target, explain):
    randomised = copy.deepcopy(model)
    metrics.randomize_layer(randomised.get_submodule(layer_name), torch.Generator().manual_seed(0))
    before = explain(model, x, target)
    after = explain(randomised, x, target)
    return metrics.rank_correlation(before, after)''')


# ------------------------------------------------------------------------------- q8
def _check_q8(fails):
    answer = as_string(fails, "fails").lower().replace("-", " ").replace("_", " ")
    if "guided" in answer and "cam" in answer:
        raise Incorrect("guided Grad-CAM is the product of the two maps, not one of the two "
                        "methods the cell compares; answer 'Grad-CAM' or 'guided backprop'",
                        mistake="guided-grad-cam")
    if "guided" in answer and "cam" not in answer:
        return ("guided backprop's map hardly changes when the classifier is random: it shows the "
                "picture's edges, not what the network learned")
    if "cam" in answer:
        raise Incorrect("Grad-CAM's map changed completely when the classifier was randomised "
                        "(rank correlation near or below 0): that is passing the test",
                        mistake="grad-cam-map")
    raise Incorrect("answer 'Grad-CAM' or 'guided backprop'", mistake="answer-grad-cam")


q8 = Question(
    "q8", "which map fails the sanity check?", ["fails"], _check_q8,
    hints=["A method passes when its map changes once the weights are random.",
           "Look at the two rank correlations the cell above prints: which one stays near 1?"],
    solution_code='fails = "guided backprop"')


QUESTIONS = [q1, q2, q3, q4, q5, q6, q7, q8]
