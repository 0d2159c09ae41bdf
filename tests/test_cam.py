"""course_lib.cam / hooks / metrics: agreement with pytorch-grad-cam and captum, model state
restored after every call (also after an error), clear errors, and the sanity checks."""
import copy

import numpy as np
import pytest
import torch
import torchvision
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import spearmanr
from torch import nn

from course_lib import cam, hooks, metrics
from course_lib import shortcut
from course_lib.shortcut import small_cnn

captum_attr = pytest.importorskip("captum.attr")
pgc = pytest.importorskip("pytorch_grad_cam")
from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget  # noqa: E402

pytestmark = [pytest.mark.filterwarnings("ignore:Setting backward hooks on ReLU"),
              pytest.mark.filterwarnings("ignore:Input Tensor 0 did not already require")]

CAM_TOL = 1e-5   # pytorch-grad-cam works in float32 numpy: observed <= 1e-6


# ------------------------------------------------------------------------------ models
def _seeded(model_fn, seed=0):
    torch.manual_seed(seed)
    return model_fn().eval()


@pytest.fixture(scope="module")
def resnet():
    return _seeded(lambda: torchvision.models.resnet18(weights=None, num_classes=10))


@pytest.fixture(scope="module")
def small():
    model = _seeded(lambda: small_cnn(n_classes=5), seed=1)
    with torch.no_grad():  # non-trivial batch-norm statistics
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.running_mean.uniform_(-0.2, 0.2)
                module.running_var.uniform_(0.5, 1.5)
    return model


@pytest.fixture(scope="module")
def effnet():
    from course_lib.data import load_imagenet_model

    model, _, _ = load_imagenet_model(device="cpu", verbose=False)
    return model


def _images(n, size, seed=0):
    return torch.randn(n, 3, size, size, generator=torch.Generator().manual_seed(seed)).clamp(-2, 2)


def _reference_grad_cam(model, layer, x, targets):
    reference_model = copy.deepcopy(model)  # the reference leaves .grad filled and eval() on
    reference_layer = reference_model.get_submodule(_name_of(model, layer))
    with pgc.GradCAM(reference_model, [reference_layer]) as method:
        return method(x, [ClassifierOutputTarget(int(t)) for t in targets])


def _name_of(model, layer):
    return next(name for name, module in model.named_modules() if module is layer)


def _close(ours, reference, rtol=1e-5):
    ours, reference = torch.as_tensor(ours), torch.as_tensor(reference)
    scale = reference.abs().max().item() or 1.0
    torch.testing.assert_close(ours, reference, rtol=rtol, atol=rtol * scale)


# ------------------------------------------------------------------------------ Grad-CAM
@pytest.mark.parametrize("layer_name", ["layer4", "layer4.1", "layer3", "layer2.0.conv2"])
def test_grad_cam_equals_pytorch_grad_cam_resnet(resnet, layer_name):
    x, targets = _images(3, 64), [1, 7, 3]
    layer = resnet.get_submodule(layer_name)
    ours = cam.grad_cam(resnet, layer, x, targets)
    reference = _reference_grad_cam(resnet, layer, x, targets)
    assert ours.shape == (3, 64, 64) and ours.dtype == torch.float32
    assert np.abs(ours.numpy() - reference).max() <= CAM_TOL
    assert float(ours.min()) == 0.0 and float(ours.max()) == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("layer_name", ["block3", "block2", "block3.0"])
def test_grad_cam_equals_pytorch_grad_cam_small_cnn(small, layer_name):
    x = _images(4, 48, seed=2)
    layer = small.get_submodule(layer_name)
    ours = cam.grad_cam(small, layer_name, x, 2)  # a layer given by name works too
    reference = _reference_grad_cam(small, layer, x, [2] * 4)
    assert np.abs(ours.numpy() - reference).max() <= CAM_TOL


@pytest.mark.parametrize("layer_name", ["bn2", "blocks.5", "blocks.6.0.bn2"])
def test_grad_cam_equals_pytorch_grad_cam_efficientnet(effnet, layer_name):
    x = _images(2, 224, seed=3).clamp(-1, 1)
    layer = effnet.get_submodule(layer_name)
    ours = cam.grad_cam(effnet, layer, x, [281, 207])
    reference = _reference_grad_cam(effnet, layer, x, [281, 207])
    assert np.abs(ours.numpy() - reference).max() <= CAM_TOL


def test_grad_cam_without_target_explains_the_predicted_class(small):
    x = _images(3, 48, seed=4)
    predicted = small(x).argmax(dim=1)
    torch.testing.assert_close(cam.grad_cam(small, small.block3, x),
                               cam.grad_cam(small, small.block3, x, predicted))


def test_grad_cam_of_a_batch_is_the_grad_cams_of_its_images(resnet):
    x, targets = _images(3, 64, seed=5), [0, 4, 9]
    together = cam.grad_cam(resnet, resnet.layer4, x, targets)
    apart = torch.cat([cam.grad_cam(resnet, resnet.layer4, x[i:i + 1], t)
                       for i, t in enumerate(targets)])
    torch.testing.assert_close(together, apart, rtol=1e-5, atol=1e-5)


def test_grad_cam_with_a_gap_linear_head_is_cam(resnet):
    """With global average pooling + linear, Grad-CAM's weights are fc.weight[c] / (h w)."""
    x = _images(2, 64, seed=6)
    with hooks.GradientHook(resnet.layer4) as hook, torch.enable_grad():
        x_ = x.clone().requires_grad_(True)
        torch.autograd.grad(resnet(x_)[:, 3].sum(), x_)
    h, w = hook.output.shape[-2:]
    expected = resnet.fc.weight[3].detach().expand(2, -1) / (h * w)
    torch.testing.assert_close(cam.grad_cam_weights(hook.gradient), expected, rtol=1e-5, atol=1e-8)


def test_grad_cam_is_safe_with_in_place_relu_after_the_hooked_layer():
    """The hooked BatchNorm's output is overwritten by ReLU(inplace=True): we keep the copy."""
    def net(inplace):
        torch.manual_seed(11)
        return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8),
                             nn.ReLU(inplace=inplace), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                             nn.Linear(8, 4)).eval()

    x = _images(2, 16, seed=7)
    in_place, out_of_place = net(True), net(False)
    ours_in_place = cam.grad_cam(in_place, in_place[1], x, 1)
    ours_out_of_place = cam.grad_cam(out_of_place, out_of_place[1], x, 1)
    torch.testing.assert_close(ours_in_place, ours_out_of_place)
    reference = _reference_grad_cam(out_of_place, out_of_place[1], x, [1, 1])
    assert np.abs(ours_in_place.numpy() - reference).max() <= CAM_TOL
    # pytorch-grad-cam keeps `output.cpu().detach()`, on a CPU the very tensor the in-place ReLU
    # then overwrites: its map for the in-place network mixes post-ReLU activations with
    # pre-ReLU gradients (a ResNet's `bn2`, before `out += identity`, has the same problem)
    reference_in_place = _reference_grad_cam(in_place, in_place[1], x, [1, 1])
    assert np.abs(ours_in_place.numpy() - reference_in_place).max() > 1e-3


def test_guided_grad_cam_is_the_product(small):
    x = _images(2, 48, seed=8)
    expected = cam.guided_backprop(small, x, 1) * cam.grad_cam(small, small.block3, x, 1)[:, None]
    torch.testing.assert_close(cam.guided_grad_cam(small, small.block3, x, 1), expected)


# ------------------------------------------------------------------------------ captum
@pytest.mark.parametrize("model_name", ["resnet", "small"])
def test_saliency_guided_deconvnet_equal_captum(request, model_name):
    model = request.getfixturevalue(model_name)
    x = _images(3, 64 if model_name == "resnet" else 48, seed=9)
    targets = [1, 2, 3]
    _close(cam.saliency(model, x, targets), captum_attr.Saliency(model).attribute(x, targets))
    _close(cam.saliency(model, x, targets, abs=False),
           captum_attr.Saliency(model).attribute(x, targets, abs=False))
    _close(cam.guided_backprop(model, x, targets),
           captum_attr.GuidedBackprop(model).attribute(x, targets))
    _close(cam.deconvnet(model, x, targets),
           captum_attr.Deconvolution(model).attribute(x, targets))


class _ClippedReLU(nn.ReLU):
    """ReLU6 as an nn.ReLU subclass, so that captum's GuidedBackprop hooks it."""

    def forward(self, x):
        return nn.functional.hardtanh(x, 0.0, 6.0, self.inplace)


def _relu6_as_relu(model):
    model = copy.deepcopy(model)
    for name, module in list(model.named_modules()):
        if isinstance(module, nn.ReLU6):
            parent, _, child = name.rpartition(".")
            setattr(model.get_submodule(parent) if parent else model, child, _ClippedReLU(True))
    return model


def test_guided_backprop_on_relu6_efficientnet(effnet):
    x, targets = _images(1, 224, seed=10).clamp(-1, 1), [281]
    ours = cam.guided_backprop(effnet, x, targets)
    # captum only hooks nn.ReLU: on a ReLU6 network its "guided" map is the plain gradient ...
    captum_plain = captum_attr.GuidedBackprop(effnet).attribute(x, targets)
    torch.testing.assert_close(captum_plain, cam.input_gradient(effnet, x, targets))
    assert (ours - captum_plain).abs().max() > 1e-3 * ours.abs().max()
    # ... and once the ReLU6 modules are nn.ReLU subclasses it applies the rule, equal to ours
    _close(ours, captum_attr.GuidedBackprop(_relu6_as_relu(effnet)).attribute(x, targets))
    _close(cam.saliency(effnet, x, targets), captum_attr.Saliency(effnet).attribute(x, targets))


@pytest.mark.parametrize("method", ["gausslegendre"])
def test_integrated_gradients_equal_captum(resnet, method):
    x, targets = _images(2, 32, seed=11), [2, 5]
    baseline = torch.full_like(x, 0.1)
    ours, delta = cam.integrated_gradients(resnet, x, targets, baseline=baseline, n_steps=12,
                                           method=method, return_delta=True)
    reference, reference_delta = captum_attr.IntegratedGradients(resnet).attribute(
        x, baselines=baseline, target=targets, n_steps=12, method=method,
        return_convergence_delta=True)
    _close(ours, reference)
    torch.testing.assert_close(delta, reference_delta, rtol=1e-4, atol=1e-5)


def test_integrated_gradients_equal_captum_efficientnet_in_chunks(effnet):
    x = _images(1, 224, seed=12).clamp(-1, 1)
    ours = cam.integrated_gradients(effnet, x, 281, n_steps=4, internal_batch_size=2)
    reference = captum_attr.IntegratedGradients(effnet).attribute(x, target=281, n_steps=4)
    _close(ours, reference, rtol=1e-4)


@pytest.mark.parametrize("n_steps", [2, 5, 12])
def test_quadrature_rules(n_steps):
    """Gauss-Legendre with n nodes integrates degree 2n - 1 exactly; the trapezoid rule, lines."""
    alphas, weights = cam.quadrature(n_steps)
    alphas, weights = np.array(alphas), np.array(weights)
    for degree in range(2 * n_steps):
        assert weights @ alphas ** degree == pytest.approx(1 / (degree + 1), abs=1e-12)
    alphas, weights = map(np.array, cam.quadrature(n_steps, "riemann_trapezoid"))
    assert weights.sum() == pytest.approx(1.0) and weights @ alphas == pytest.approx(0.5)
    assert alphas[0] == 0.0 and alphas[-1] == 1.0


def test_integrated_gradients_completeness_on_a_linear_model():
    """For a linear model IG is exact: attributions w (x - x') and zero completeness gap."""
    torch.manual_seed(13)
    model = nn.Sequential(nn.Flatten(), nn.Linear(3 * 4 * 4, 3)).eval()
    x, baseline = _images(2, 4, seed=14), _images(1, 4, seed=15)[0]
    attributions, delta = cam.integrated_gradients(model, x, 1, baseline=baseline, n_steps=3,
                                                   return_delta=True)
    expected = model[1].weight[1].view(3, 4, 4) * (x - baseline)
    torch.testing.assert_close(attributions, expected.detach(), rtol=1e-5, atol=1e-6)
    assert delta.abs().max() < 1e-5


def test_integrated_gradients_completeness_gap_shrinks_with_steps(small):
    x = _images(1, 48, seed=16)
    gaps = [cam.integrated_gradients(small, x, 0, n_steps=n, return_delta=True)[1].abs().item()
            for n in (2, 64)]
    total = abs(cam.completeness_gap(small, x, torch.zeros_like(x), 0).item())
    assert gaps[1] < gaps[0] and gaps[1] < 0.05 * total


@pytest.mark.parametrize("model_name, abs_", [("small", True), ("small", False), ("resnet", True)])
def test_smooth_grad_equals_captum_noise_tunnel(request, model_name, abs_):
    model = request.getfixturevalue(model_name)
    x, targets = _images(2, 48, seed=17), [0, 3]
    ours = cam.smooth_grad(model, x, targets, n_samples=4, stdev=0.25, seed=5, abs=abs_)
    torch.manual_seed(5)
    reference = captum_attr.NoiseTunnel(captum_attr.Saliency(model)).attribute(
        x, nt_type="smoothgrad", nt_samples=4, stdevs=0.25, target=targets, abs=abs_)
    _close(ours, reference)
    assert not torch.equal(ours, cam.smooth_grad(model, x, targets, n_samples=4, stdev=0.25,
                                                 seed=6, abs=abs_))


# ------------------------------------------------------------------------------ ReLU rules
@pytest.mark.parametrize("rule", hooks.RULES)
@pytest.mark.parametrize("activation", [nn.ReLU, nn.ReLU6])
def test_relu_rule_on_a_two_layer_net_matches_the_formula(rule, activation):
    torch.manual_seed(18)
    first, second = nn.Linear(5, 7), nn.Linear(7, 3)
    model = nn.Sequential(first, activation(), second).eval()
    x = torch.randn(4, 5) * 3
    with hooks.ReLURule(model, rule), torch.enable_grad():
        x_ = x.clone().requires_grad_(True)
        (signal,) = torch.autograd.grad(model(x_)[:, 2].sum(), x_)
    f = first(x).detach()
    R = second.weight[2].detach().expand(4, -1)
    slope = ((f > 0) & (f < 6)).float() if activation is nn.ReLU6 else (f > 0).float()
    if rule == "backprop":
        passed = slope * R
    elif rule == "deconvnet":
        passed = hooks.relu_backward(f, R, "deconvnet")
    else:
        passed = slope * R.clamp(min=0)
    torch.testing.assert_close(signal, passed @ first.weight.detach())
    if activation is nn.ReLU:
        torch.testing.assert_close(passed, hooks.relu_backward(f, R, rule).float())


def test_relu_backward_three_rules_by_hand():
    f = np.array([-1.0, 2.0, 3.0, -4.0])
    R = np.array([5.0, -6.0, 7.0, -8.0])
    assert hooks.relu_backward(f, R, "backprop").tolist() == [0, -6, 7, 0]
    assert hooks.relu_backward(f, R, "deconvnet").tolist() == [5, 0, 7, 0]
    assert hooks.relu_backward(f, R, "guided").tolist() == [0, 0, 7, 0]
    with pytest.raises(ValueError, match="rule must be one of"):
        hooks.relu_backward(f, R, "guide")


def test_rule_without_relu_modules_warns():
    model = nn.Sequential(nn.Flatten(), nn.Linear(12, 2)).eval()
    with pytest.warns(UserWarning, match="no nn.ReLU"):
        cam.guided_backprop(model, _images(1, 2), 0)


# ------------------------------------------------------------------------------ hooks
def test_hook_records_and_is_removed_even_on_error(small):
    x = _images(2, 48)
    with hooks.Hook(small.block2) as hook:
        small(x)
    assert hook.output.shape == (2, 32, 12, 12)
    assert len(small.block2._forward_hooks) == 0
    with pytest.raises(ZeroDivisionError):
        with hooks.Hook(small.block2):
            1 / 0
    assert len(small.block2._forward_hooks) == 0


def test_hook_keeps_the_value_before_an_in_place_relu():
    model = nn.Sequential(nn.Identity(), nn.ReLU(inplace=True))
    x = torch.tensor([[-1.0, 2.0]])
    with hooks.Hook(model[0]) as hook:
        model(x.clone())
    assert hook.output.tolist() == [[-1.0, 2.0]]


def test_gradient_hook_equals_autograd_and_refuses_a_shared_module():
    torch.manual_seed(19)
    linear = nn.Linear(3, 3)
    x = torch.randn(2, 3)
    with hooks.GradientHook(linear) as hook, torch.enable_grad():
        out = linear(x)
        (expected,) = torch.autograd.grad((out ** 2).sum(), out, retain_graph=True)
    torch.testing.assert_close(hook.gradient, expected)
    shared = nn.Sequential(linear, nn.Tanh())
    twice = nn.Sequential(shared, shared)
    with hooks.GradientHook(linear) as hook:
        twice(x)
    with pytest.raises(RuntimeError, match="ran 2 times"):
        hook.output


# ------------------------------------------------------------------------------ state restored
def _snapshot(model):
    return {
        "modules": [(name, id(module)) for name, module in model.named_modules()],
        "training": [module.training for module in model.modules()],
        "requires_grad": [p.requires_grad for p in model.parameters()],
        "grad": [None if p.grad is None else p.grad.clone() for p in model.parameters()],
        "state": {k: v.clone() for k, v in model.state_dict().items()},
        "hooks": [(len(m._forward_hooks), len(m._forward_pre_hooks), len(m._backward_hooks),
                   len(getattr(m, "_backward_pre_hooks", {}))) for m in model.modules()],
        "grad_enabled": torch.is_grad_enabled(),
    }


def _assert_same(before, after):
    for key in ("modules", "training", "requires_grad", "hooks", "grad_enabled"):
        assert before[key] == after[key], key
    for a, b in zip(before["grad"], after["grad"]):
        assert (a is None and b is None) or torch.equal(a, b)
    for k, v in before["state"].items():
        assert torch.equal(v, after["state"][k]), k


def _awkward_model():
    """Train mode with one block in eval, some frozen parameters, a stale .grad."""
    model = _seeded(lambda: small_cnn(n_classes=3), seed=20).train()
    model.block2.eval()
    for p in model.block1.parameters():
        p.requires_grad_(False)
    model.fc.weight.grad = torch.ones_like(model.fc.weight)
    return model


CALLS = {
    "saliency": lambda m, x, t: cam.saliency(m, x, t),
    "input_gradient": lambda m, x, t: cam.input_gradient(m, x, t),
    "guided_backprop": lambda m, x, t: cam.guided_backprop(m, x, t),
    "deconvnet": lambda m, x, t: cam.deconvnet(m, x, t),
    "grad_cam": lambda m, x, t: cam.grad_cam(m, m.block3, x, t),
    "guided_grad_cam": lambda m, x, t: cam.guided_grad_cam(m, m.block3, x, t),
    "integrated_gradients": lambda m, x, t: cam.integrated_gradients(m, x, t, n_steps=3),
    "smooth_grad": lambda m, x, t: cam.smooth_grad(m, x, t, n_samples=2),
    "completeness_gap": lambda m, x, t: cam.completeness_gap(m, x, torch.zeros_like(x), t),
    "cascading_randomization": lambda m, x, t: metrics.cascading_randomization(
        m, lambda mm, xx, tt: cam.grad_cam(mm, "block3", xx, tt), x, t),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_model_and_input_restored_after_a_call(name):
    model, x = _awkward_model(), _images(2, 48, seed=21)
    before, x_before = _snapshot(model), x.clone()
    with torch.no_grad():  # also from inside no_grad, the methods get their gradients
        result = CALLS[name](model, x, 1)
    assert result is not None
    _assert_same(before, _snapshot(model))
    assert torch.equal(x, x_before) and not x.requires_grad and x.grad is None


@pytest.mark.parametrize("name", [n for n in CALLS if n != "cascading_randomization"])
def test_model_restored_after_an_error(name):
    model, x = _awkward_model(), _images(2, 48, seed=22)
    before = _snapshot(model)
    with pytest.raises(ValueError, match="out of range"):
        CALLS[name](model, x, 3)  # 3 classes: 0, 1, 2
    _assert_same(before, _snapshot(model))


class _Exploding(nn.Module):
    """Raises in the forward pass after the hooked layer has run."""

    def __init__(self, body):
        super().__init__()
        self.body = body

    def forward(self, x):
        self.body(x)
        raise RuntimeError("boom")


@pytest.mark.parametrize("name", ["saliency", "guided_backprop", "deconvnet", "grad_cam"])
def test_hooks_removed_when_the_forward_pass_raises(name):
    model = _Exploding(_awkward_model())
    model.block3 = model.body.block3  # so that the Grad-CAM call can name it
    before = _snapshot(model)
    with pytest.raises(RuntimeError, match="boom"):
        CALLS[name](model, _images(1, 48), 0)
    _assert_same(before, _snapshot(model))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_gpu_equals_cpu(small):
    gpu_model, x = copy.deepcopy(small).cuda(), _images(2, 48, seed=23)
    for name in ("saliency", "guided_backprop", "grad_cam", "integrated_gradients", "smooth_grad"):
        on_gpu = CALLS[name](gpu_model, x.cuda(), 1)
        assert on_gpu.device.type == "cuda"
        if name != "smooth_grad":  # the GPU draws other noise
            _close(on_gpu.cpu(), CALLS[name](small, x, 1), rtol=1e-4)


# ------------------------------------------------------------------------------ clear errors
def test_clear_errors(small):
    x = _images(2, 48)
    other = nn.Conv2d(3, 3, 1)
    with pytest.raises(ValueError, match="not a submodule"):
        cam.grad_cam(small, other, x, 0)
    with pytest.raises(ValueError, match="not a submodule"):
        cam.grad_cam(small, "block9", x, 0)
    with pytest.raises(TypeError, match="target_layer must be"):
        cam.grad_cam(small, 3, x, 0)
    with pytest.raises(ValueError, match="out of range"):
        cam.grad_cam(small, small.block3, x, 5)
    with pytest.raises(ValueError, match="out of range"):
        cam.saliency(small, x, [0, 7])
    with pytest.raises(ValueError, match="negative"):
        cam.saliency(small, x, -1)
    with pytest.raises(ValueError, match="2 images"):
        cam.saliency(small, x, [0, 1, 2])
    with pytest.raises(TypeError, match="integer class"):
        cam.saliency(small, x, [0.5, 1.0])
    with pytest.raises(ValueError, match=r"add the batch axis with x\[None\]"):
        cam.grad_cam(small, small.block3, x[0], 0)
    with pytest.raises(TypeError, match="torch.as_tensor"):
        cam.saliency(small, x.numpy(), 0)
    with pytest.raises(ValueError, match="NaN"):
        cam.saliency(small, x * float("nan"), 0)
    with pytest.raises(TypeError, match="float tensor"):
        cam.saliency(small, (x * 100).to(torch.uint8), 0)
    with pytest.raises(ValueError, match="feature maps"):
        cam.grad_cam(small, small.fc, x, 0)
    with pytest.raises(ValueError, match="n_steps"):
        cam.integrated_gradients(small, x, 0, n_steps=0)
    with pytest.raises(ValueError, match="baseline has shape"):
        cam.integrated_gradients(small, x, 0, baseline=torch.zeros(3, 8, 8))
    with pytest.raises(ValueError, match="not a submodule of the model"):
        metrics.cascading_randomization(small, lambda m, x, t: cam.saliency(m, x, t), x, 0,
                                        layers=["nope"])


def test_unused_layer_is_reported():
    class WithSpare(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = small_cnn(n_classes=2)
            self.spare = nn.Conv2d(3, 3, 1)  # registered but never called in forward

        def forward(self, x):
            return self.body(x)

    model = WithSpare().eval()
    with pytest.raises(RuntimeError, match="no output recorded"):
        cam.grad_cam(model, model.spare, _images(1, 48), 0)


# ------------------------------------------------------------------------------ metrics
@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_rank_correlation_is_spearman(seed):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 4, (3, 5, 6)).astype(float)  # with ties
    b = a + rng.normal(0, 1, a.shape)
    ours = metrics.rank_correlation(a, b)
    expected = [spearmanr(a[i].ravel(), b[i].ravel()).statistic for i in range(3)]
    np.testing.assert_allclose(ours, expected, atol=1e-12)   # NaN where scipy says NaN
    np.testing.assert_allclose(metrics.rank_correlation(a, np.exp(a)), 1.0)  # monotone map
    # a constant ("empty") map ranks nothing: NaN, as scipy says, never a score of 0
    assert np.isnan(metrics.rank_correlation(np.zeros((1, 5, 6)), b[:1])).all()
    assert np.isnan(spearmanr(np.zeros(30), b[0].ravel()).statistic)
    assert metrics.constant_maps(np.stack([np.zeros((5, 6)), b[0]])).tolist() == [True, False]


def test_constant_maps_are_flagged_not_scored():
    maps = np.zeros((2, 4, 4))
    maps[1, 0, 0] = 1.0
    mask = np.zeros((4, 4), bool)
    mask[0, 0] = True
    assert metrics.pointing_game(maps, mask).tolist() == [False, True]  # argmax of zeros is (0, 0)
    energy = metrics.energy_in_mask(maps, mask)
    assert np.isnan(energy[0]) and energy[1] == 1.0


def test_pointing_game_and_energy():
    maps = np.zeros((3, 10, 10))
    maps[0, 2, 3] = 1.0          # inside the mask
    maps[1, 8, 8] = 1.0          # far outside
    maps[2, 5, 6] = 1.0          # one pixel right of the mask
    mask = np.zeros((10, 10), bool)
    mask[1:6, 1:6] = True
    assert metrics.pointing_game(maps, mask).tolist() == [True, False, False]
    assert metrics.pointing_game(maps, mask, tolerance=1).tolist() == [True, False, True]
    np.testing.assert_allclose(metrics.energy_in_mask(maps, mask), [1.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="masks have shape"):
        metrics.pointing_game(maps, mask[:5])


def test_sanity_check_grad_cam_passes_guided_backprop_fails(effnet):
    x = _images(1, 224, seed=24).clamp(-1, 1) * 0.5
    before = _snapshot(effnet)
    layers = ["classifier", "bn2", "conv_head"]
    grad_cam = metrics.cascading_randomization(
        effnet, lambda m, x, t: cam.grad_cam(m, m.bn2, x, t), x, 281, layers=layers)
    guided = metrics.cascading_randomization(
        effnet, lambda m, x, t: cam.guided_backprop(m, x, t), x, 281, layers=layers)
    _assert_same(before, _snapshot(effnet))  # the test works on a copy
    assert grad_cam.layers == [""] + layers and grad_cam.maps.shape == (4, 1, 224, 224)
    assert grad_cam.correlations[0, 0] == pytest.approx(1.0)
    assert np.abs(grad_cam.mean_correlation[1:]).max() < 0.5   # the map changes
    assert guided.mean_correlation[1:].min() > 0.9             # the map barely changes


def test_randomization_order():
    assert metrics.randomization_order(torchvision.models.resnet18(weights=None)) == [
        "fc", "layer4.1", "layer4.0", "layer3.1", "layer3.0", "layer2.1", "layer2.0",
        "layer1.1", "layer1.0", "bn1", "conv1"]
    assert metrics.randomization_order(small_cnn())[:2] == ["fc", "block3"]


# ------------------------------------------------------------------------------ shortcut data
def test_shortcut_data():
    data = shortcut.make_shortcut_data(60, stamp="cats", seed=3)
    assert data.images.shape == (60, 48, 48, 3) and data.images.dtype == np.uint8
    assert data.labels.sum() == 30
    assert np.array_equal(data.has_stamp, data.labels == 1)
    assert not (data.animal_masks & data.stamp_masks).any()          # they never overlap
    assert data.stamp_masks[data.has_stamp].any(axis=(1, 2)).all()
    assert not data.stamp_masks[~data.has_stamp].any()
    orange = (data.images == shortcut.STAMP_COLOUR).all(axis=-1)
    assert (orange & ~data.stamp_masks).sum() < 5                    # the stamp stays in its box
    swapped = shortcut.make_shortcut_data(60, stamp="dogs", seed=3)
    assert np.array_equal(swapped.has_stamp, swapped.labels == 0)
    again = shortcut.make_shortcut_data(60, stamp="cats", seed=3)
    assert np.array_equal(again.images, data.images)                 # seeded
    mixed = shortcut.make_shortcut_data(400, stamp="random", seed=4)
    for label in (0, 1):
        assert 0.35 < mixed.has_stamp[mixed.labels == label].mean() < 0.65
    with pytest.raises(ValueError, match="stamp must be one of"):
        shortcut.make_shortcut_data(10, stamp="cat")


def test_grad_cam_exposes_the_shortcut_and_the_fix_removes_it():
    """Trained with fastai on CPU in seconds: the shortcut model looks at the timestamp and
    fails when it is swapped; trained with randomly placed stamps it looks at the animal."""
    valid = shortcut.make_shortcut_data(160, stamp="cats", seed=11)
    swapped = shortcut.make_shortcut_data(160, stamp="dogs", seed=12)
    cats = valid.labels == 1
    x = shortcut.to_tensor(valid.images[cats])

    learn = shortcut.train_fastai(shortcut.make_shortcut_data(512, stamp="cats", seed=10), valid,
                                  epochs=3, seed=0, device="cpu")
    maps = cam.grad_cam(learn.model, learn.model.block3, x, 1)
    assert metrics.pointing_game(maps, valid.stamp_masks[cats], tolerance=1).mean() >= 0.8
    assert metrics.energy_in_mask(maps, valid.stamp_masks[cats]).mean() > 0.3
    assert shortcut.accuracy_on(learn.model, valid) >= 0.85
    assert shortcut.accuracy_on(learn.model, swapped) <= 0.3

    fixed = shortcut.train_fastai(shortcut.make_shortcut_data(512, stamp="random", seed=10),
                                  valid, epochs=6, seed=0, device="cpu")
    maps = cam.grad_cam(fixed.model, fixed.model.block3, x, 1)
    assert metrics.pointing_game(maps, valid.animal_masks[cats], tolerance=1).mean() >= 0.8
    assert metrics.pointing_game(maps, valid.stamp_masks[cats], tolerance=1).mean() <= 0.2
    assert shortcut.accuracy_on(fixed.model, swapped) >= 0.7
