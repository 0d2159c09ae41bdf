"""Occlusion, LRP, DeepLIFT and GradientSHAP from scratch, against captum (and zennit for LRP).

Every comparison runs the same small CNN, built here in float64, on the same batch; the
tolerances are those of float64 arithmetic unless a note says otherwise. A few cases are
ported from captum's own test suite (tests/attr/test_lrp.py, test_deeplift_basic.py): the
numbers there were worked out by hand.
"""
import warnings

import numpy as np
import pytest
import torch
from torch import nn

from course_lib import baselines as bl

captum_attr = pytest.importorskip("captum.attr")
from captum.attr._utils.lrp_rules import Alpha1_Beta0_Rule, EpsilonRule  # noqa: E402

warnings.filterwarnings("ignore", message="Setting forward, backward hooks")
warnings.filterwarnings("ignore", message="Input Tensor 0 did not already require gradients")
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

TARGETS = [0, 2, 3]


class Copy(nn.Module):
    """x.clone(): the same function, but a new tensor between two hooked modules (see below)."""

    def forward(self, x):
        return x.clone()


def layers(bias=True, pool=nn.MaxPool2d, seed=0):
    torch.manual_seed(seed)
    return [nn.Conv2d(3, 6, 3, padding=1, bias=bias), nn.ReLU(), pool(2),
            nn.Conv2d(6, 8, 3, padding=1, bias=bias), nn.ReLU(), nn.AvgPool2d(2), nn.Flatten(),
            nn.Linear(32, 10, bias=bias), nn.ReLU(), nn.Linear(10, 4, bias=bias)]


def cnn(bias=True, pool=nn.MaxPool2d, seed=0, dtype=torch.float64):
    return nn.Sequential(*layers(bias, pool, seed)).to(dtype).eval()


def images(n=3, dtype=torch.float64, seed=1):
    return torch.rand(n, 3, 8, 8, dtype=dtype, generator=torch.Generator().manual_seed(seed))


def gradient_times_input(model, x, target):
    x = x.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(model(x)[range(len(x)), target].sum(), x)
    return g * x.detach()


def score_difference(model, x, reference, target):
    with torch.no_grad():
        return model(x)[range(len(x)), target] - model(reference)[range(len(x)), target]


# ---------------------------------------------------------------------- occlusion
@pytest.mark.parametrize("window, stride, baseline", [
    (3, 2, 0.0), (3, 2, "image"), ((2, 4), (1, 3), 0.5), ((2, 4), (1, 3), "image"), (8, 8, 0.0),
    (1, 1, 0.0)])
def test_occlusion_equals_captum(window, stride, baseline):
    model, x = cnn(), images()
    fill = torch.rand(3, 8, 8, dtype=torch.float64) if baseline == "image" else baseline
    ours = bl.occlusion(model, x, TARGETS, window, stride, baseline=fill, batch_size=7)
    w = (window, window) if isinstance(window, int) else window
    s = (stride, stride) if isinstance(stride, int) else stride
    reference = captum_attr.Occlusion(model).attribute(
        x, sliding_window_shapes=(3, *w), strides=(3, *s), target=TARGETS,
        baselines=fill if baseline != "image" else fill[None])
    assert ours.shape == x.shape and ours.dtype == x.dtype and not ours.requires_grad
    # captum divides its float64 sums by float32 counts and returns float32
    torch.testing.assert_close(ours, reference.to(ours.dtype), rtol=1e-6, atol=1e-9)


def test_occlusion_of_one_patch_by_hand():
    """A linear model f(x) = sum w x: occluding a patch removes exactly its share of sum w x."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(16, 2, bias=True)).double().eval()
    x = images(1)[:, :1, :4, :4]
    ours = bl.occlusion(model, x, 1, window=2, stride=2)
    share = (model[1].weight[1].view(1, 1, 4, 4) * x).detach()
    by_hand = torch.nn.functional.avg_pool2d(share, 2) * 4     # the patch's total, per patch
    torch.testing.assert_close(ours, by_hand.repeat_interleave(2, 2).repeat_interleave(2, 3))


def basic_multilayer():
    """captum's tests/helpers/basic_models.py BasicModel_MultiLayer, reading 3 pixels in a row."""
    model = nn.Sequential(nn.Flatten(), nn.Linear(3, 3), nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    model[1].weight.data, model[1].bias.data = torch.eye(3), torch.zeros(3)
    model[2].weight.data, model[2].bias.data = torch.ones(4, 3), torch.tensor([-10.0, 1.0, 1.0, 1.0])
    model[4].weight.data, model[4].bias.data = torch.ones(2, 4), torch.tensor([-1.0, 1.0])
    return model.eval()


@pytest.mark.parametrize("window, stride, baseline, expected", [
    ((1, 1), (1, 1), 0.0, [80.0, 200.0, 120.0]),        # test_simple_input
    ((1, 2), (1, 1), 10.0, [200.0, 220.0, 240.0]),      # test_simple_input_larger_shape
    ((1, 2), (1, 2), 0.0, [280.0, 280.0, 120.0]),       # test_simple_input_shape_with_stride
])
def test_occlusion_ported_from_captum(window, stride, baseline, expected):
    """captum tests/attr/test_occlusion.py on [20, 50, 30]: with stride 2 the second window is
    cut at the edge and covers the last number alone."""
    x = torch.tensor([20.0, 50.0, 30.0]).view(1, 1, 1, 3)
    ours = bl.occlusion(basic_multilayer(), x, 0, window, stride, baseline=baseline)
    torch.testing.assert_close(ours, torch.tensor(expected).view(1, 1, 1, 3))


# ---------------------------------------------------------------------- LRP
def captum_lrp(model, x, target, rule):
    """captum's LRP with `rule` on every weighted and pooling layer; the rules are removed after.

    captum has no rule for nn.Flatten: an epsilon rule with epsilon = 1e-30 passes relevance
    through it unchanged (R a / (a + 1e-30) = R to 1e-30 / a, and R = 0 where a = 0).
    """
    for module in model:
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            module.rule = rule()
        elif isinstance(module, (nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d)):
            module.rule = EpsilonRule(1e-6)
        elif isinstance(module, nn.Flatten):
            module.rule = EpsilonRule(1e-30)
    try:
        return captum_attr.LRP(model).attribute(x, target=target)
    finally:
        for module in model:
            module.__dict__.pop("rule", None)


def alpha1_beta0(epsilon=1e-6):
    rule = Alpha1_Beta0_Rule()
    rule.STABILITY_FACTOR = epsilon
    return rule


@pytest.mark.parametrize("pool", [nn.MaxPool2d, nn.AvgPool2d])
def test_lrp_epsilon_equals_captum(pool):
    model, x = cnn(pool=pool), images()
    ours = bl.lrp(model, x, TARGETS, rule="epsilon", epsilon=1e-6)
    reference = captum_lrp(model, x, TARGETS, lambda: EpsilonRule(1e-6))
    torch.testing.assert_close(ours, reference, rtol=1e-9, atol=1e-15)
    assert ours.abs().max() > 1e-4


def test_lrp_alpha1_beta0_equals_captum_without_biases():
    """captum's Alpha1_Beta0 clamps the weights only: it is alpha=1, beta=0 when the inputs are
    >= 0 (images in [0, 1], ReLU outputs) and there is no bias (captum keeps a negative one)."""
    model, x = cnn(bias=False), images()
    ours = bl.lrp(model, x, TARGETS, rule="alpha_beta", alpha=1.0, beta=0.0)
    reference = captum_lrp(model, x, TARGETS, alpha1_beta0)
    torch.testing.assert_close(ours, reference, rtol=1e-9, atol=1e-15)


def zennit_lrp(model, x, target, rule):
    zennit = pytest.importorskip("zennit")   # noqa: F841
    from zennit.attribution import Gradient
    from zennit.composites import LayerMapComposite
    from zennit.rules import Norm

    composite = LayerMapComposite([((nn.Conv2d, nn.Linear), rule),
                                   ((nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d), Norm(1e-6))])
    with Gradient(model, composite) as attributor:
        scores = model(x).detach()
        start = torch.zeros_like(scores)
        start[range(len(x)), target] = scores[range(len(x)), target]
        return attributor(x, start)[1]


@pytest.mark.parametrize("rule, alpha, beta", [("epsilon", 1, 0), ("alpha_beta", 1, 0),
                                               ("alpha_beta", 2, 1), ("alpha_beta", 3, 2)])
def test_lrp_equals_zennit(rule, alpha, beta):
    pytest.importorskip("zennit")          # not in Colab (the twin skips it)
    from zennit.rules import AlphaBeta, Epsilon

    model, x = cnn(), images() - 0.3          # negative inputs: every branch of alpha-beta runs
    ours = bl.lrp(model, x, TARGETS, rule=rule, epsilon=1e-6, alpha=alpha, beta=beta)
    zennit_rule = Epsilon(1e-6) if rule == "epsilon" else AlphaBeta(alpha, beta, stabilizer=1e-6)
    torch.testing.assert_close(ours, zennit_lrp(model, x, TARGETS, zennit_rule), rtol=1e-12, atol=1e-16)


def test_lrp_conserves_relevance_and_equals_gradient_times_input():
    """Without biases, LRP-0 (epsilon = 0) passes f(x) down intact, and each layer's share
    R_j = a_j sum_k w_jk R_k / z_k with R_k = a_k g_k = z_k g_k (ReLU: a_k = z_k where a_k > 0)
    is a_j sum_k w_jk g_k = a_j g_j: gradient x input, layer after layer (Montavon et al. 2019)."""
    model, x = cnn(bias=False), images()
    lrp0 = bl.lrp(model, x, TARGETS, epsilon=0.0)
    torch.testing.assert_close(lrp0, gradient_times_input(model, x, TARGETS), rtol=1e-10, atol=1e-15)
    torch.testing.assert_close(lrp0.sum((1, 2, 3)), score_difference(model, x, 0 * x, TARGETS))
    # epsilon -> 0: the difference shrinks with epsilon
    gaps = [(bl.lrp(model, x, TARGETS, epsilon=e) - lrp0).abs().max().item()
            for e in (1e-2, 1e-4, 1e-6, 1e-8)]
    assert gaps[0] > gaps[1] > gaps[2] > gaps[3] and gaps[2] / gaps[3] > 50   # linear in epsilon
    # with biases, relevance leaks into them: LRP-epsilon no longer sums to f(x)
    biased = cnn(bias=True)
    leak = bl.lrp(biased, x, TARGETS).sum((1, 2, 3)) - score_difference(biased, x, 0 * x, TARGETS)
    assert leak.abs().max() > 1e-3
    # ... yet LRP-0 is still gradient x input (Ancona et al. 2018, sec. 3): the ReLU's ratio
    # a_k / z_k is its slope, biases or not; only DeepLIFT's zero baseline needs them gone
    torch.testing.assert_close(bl.lrp(biased, x, TARGETS, epsilon=0.0),
                               gradient_times_input(biased, x, TARGETS), rtol=1e-10, atol=1e-15)
    assert (bl.deeplift(biased, x, TARGETS) - gradient_times_input(biased, x, TARGETS)).abs().max() > 1e-3


def test_lrp_ported_from_captum():
    """captum tests/attr/test_lrp.py: SimpleLRPModel (weights 2 then 3, no bias) on [1, 2, 3]."""
    def simple(first_weight=2.0):
        model = nn.Sequential(nn.Flatten(), nn.Linear(3, 3, bias=False), nn.ReLU(),
                              nn.Linear(3, 1, bias=False), nn.Dropout(0.01))
        model[1].weight.data.fill_(2.0)
        model[1].weight.data[0, 0] = first_weight
        model[3].weight.data.fill_(3.0)
        return model.eval()

    x = torch.tensor([1.0, 2.0, 3.0]).view(1, 3, 1, 1)
    torch.testing.assert_close(bl.lrp(simple(), x, 0, epsilon=1e-9),
                               torch.tensor([18.0, 36.0, 54.0]).view(1, 3, 1, 1))
    torch.testing.assert_close(bl.lrp(simple(), torch.cat([x, 3 * x]), 0, epsilon=1e-9),
                               torch.tensor([[18.0, 36.0, 54.0], [54.0, 108.0, 162.0]]).view(2, 3, 1, 1))
    torch.testing.assert_close(bl.lrp(simple(-2.0), x, 0, rule="alpha_beta", epsilon=1e-9),
                               torch.tensor([12.0, 33.6, 50.4]).view(1, 3, 1, 1))
    pool = nn.Sequential(nn.MaxPool2d(2), nn.Flatten()).eval()
    torch.testing.assert_close(bl.lrp(pool, torch.tensor([[[[1.0, 2.0], [5.0, 6.0]]]]), 0, epsilon=1e-9),
                               torch.tensor([[[[0.0, 0.0], [0.0, 6.0]]]]))


# ---------------------------------------------------------------------- DeepLIFT
def captum_twin(bias=True, pool=nn.MaxPool2d):
    """The same network with a copy between each pooling layer and the ReLU beside it.

    captum 0.9.0 hooks each nonlinearity with a module backward hook; when two hooked modules
    touch (ReLU -> MaxPool2d), the multiplier of one of them is lost and summation-to-delta
    breaks (test_captum_loses_a_multiplier_between_touching_modules). A copy in between
    changes nothing in the function and lets captum's hooks see each module on its own.
    """
    parts = layers(bias, pool)
    return nn.Sequential(*parts[:2], Copy(), *parts[2:]).double().eval()


@pytest.mark.parametrize("baseline", [None, 0.5, "image", "batch"])
@pytest.mark.parametrize("pool", [nn.MaxPool2d, nn.AvgPool2d])
def test_deeplift_equals_captum(baseline, pool):
    model, twin, x = cnn(pool=pool), captum_twin(pool=pool), images()
    reference_images = {"image": images(1, seed=5)[0], "batch": images(seed=6)}
    b = reference_images.get(baseline, baseline)
    ours = bl.deeplift(model, x, TARGETS, baseline=b)
    reference = captum_attr.DeepLift(twin).attribute(
        x, target=TARGETS, baselines=b[None] if baseline == "image" else b)
    torch.testing.assert_close(ours, reference, rtol=1e-10, atol=1e-16)
    # summation to delta: the attributions add up to f(x) - f(baseline)
    full = torch.zeros_like(x) if b is None else \
        (torch.full_like(x, b) if baseline == 0.5 else b.expand_as(x))
    torch.testing.assert_close(ours.sum((1, 2, 3)), score_difference(model, x, full, TARGETS))


def test_captum_loses_a_multiplier_between_touching_modules():
    """Ours keeps summation-to-delta when a ReLU feeds a MaxPool2d directly; captum 0.9.0 does not
    (ReLU -> MaxPool2d in one nn.Sequential; the copy in captum_twin repairs it)."""
    import captum

    model, x, b = cnn(), images(), images(seed=7)
    ours = bl.deeplift(model, x, TARGETS, baseline=b)
    torch.testing.assert_close(ours.sum((1, 2, 3)), score_difference(model, x, b, TARGETS))
    if captum.__version__ == "0.9.0":
        theirs = captum_attr.DeepLift(model).attribute(x, target=TARGETS, baselines=b)
        assert (theirs.sum((1, 2, 3)) - score_difference(model, x, b, TARGETS)).abs().max() > 1e-4


def test_deeplift_with_zero_baseline_equals_gradient_times_input_without_biases():
    """Zero input and no biases: every unit of the reference pass is 0, so each ReLU's secant
    (relu(z) - 0) / (z - 0) is 1 where z > 0 and 0 where z < 0, exactly its derivative, and the
    max-pool's difference goes to the input's maximum, as the gradient does: DeepLIFT-rescale =
    gradient x input. With biases the reference units are not 0 and the two differ."""
    x = images()
    model = cnn(bias=False)
    torch.testing.assert_close(bl.deeplift(model, x, TARGETS), gradient_times_input(model, x, TARGETS),
                               rtol=1e-10, atol=1e-16)
    biased = cnn(bias=True)
    gap = bl.deeplift(biased, x, TARGETS) - gradient_times_input(biased, x, TARGETS)
    assert gap.abs().max() > 1e-4


class ReLUDeepLiftModel(nn.Module):
    """captum's tests/helpers/basic_models.py ReLUDeepLiftModel, reading (x1, x2) from channels."""

    def __init__(self):
        super().__init__()
        self.relu1, self.relu2 = nn.ReLU(), nn.ReLU()

    def forward(self, x):
        x1, x2 = x[:, 0, 0, 0], x[:, 1, 0, 0]
        return (2 * self.relu1(x1) + 2 * self.relu2(x2 - 1.5))[:, None]


def test_deeplift_ported_from_captum():
    """captum tests/attr/test_deeplift_basic.py::test_relu_deeplift_exact_match: x = (1, 2),
    baseline 0: x2 - 1.5 moves from -1.5 to 0.5, the ReLU's output from 0 to 0.5, so x2 gets
    2 * 0.5 = 1, not gradient x input's 2 * 2 = 4; x1 gets 2."""
    x = torch.tensor([1.0, 2.0]).view(1, 2, 1, 1)
    torch.testing.assert_close(bl.deeplift(ReLUDeepLiftModel(), x, 0),
                               torch.tensor([2.0, 1.0]).view(1, 2, 1, 1))


# ---------------------------------------------------------------------- GradientSHAP
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("stdevs", [0.0, 0.2])
def test_gradient_shap_equals_captum_with_the_same_draws(dtype, stdevs):
    model, x = cnn(dtype=dtype), images(dtype=dtype)
    references = images(5, dtype=dtype, seed=9)
    ours = bl.gradient_shap(model, x, TARGETS, references, n_samples=7, stdevs=stdevs, seed=3)
    np.random.seed(3)
    torch.manual_seed(3)
    reference = captum_attr.GradientShap(model).attribute(x, references, n_samples=7, stdevs=stdevs,
                                                          target=TARGETS)
    torch.testing.assert_close(ours, reference, rtol=0, atol=0)
    assert ours.abs().max() > 1e-5


def test_gradient_shap_leaves_the_global_random_state_alone():
    model, x, references = cnn(), images(), images(5, seed=9)
    np.random.seed(11)
    torch.manual_seed(11)
    expected = (np.random.rand(), torch.rand(1))
    np.random.seed(11)
    torch.manual_seed(11)
    first = bl.gradient_shap(model, x, TARGETS, references, n_samples=4, stdevs=0.1, seed=1)
    assert (np.random.rand(), torch.rand(1)) == expected
    torch.testing.assert_close(first, bl.gradient_shap(model, x, TARGETS, references, n_samples=4,
                                                       stdevs=0.1, seed=1), rtol=0, atol=0)


def test_gradient_shap_is_exact_for_a_linear_model():
    """f linear: the gradient is w everywhere, so each draw gives w (x - b) and the mean over
    draws is w (x - mean of the drawn baselines): SHAP values of a linear model."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(192, 3)).double().eval()
    x, references = images(2), images(1, seed=4)
    ours = bl.gradient_shap(model, x, 1, references, n_samples=5)
    torch.testing.assert_close(ours, (model[1].weight[1].view(3, 8, 8) * (x - references)).detach())


# ---------------------------------------------------------------------- the model is left as it was
@pytest.mark.parametrize("method", ["occlusion", "lrp", "deeplift", "gradient_shap"])
def test_model_is_left_as_it_was(method):
    model, x = cnn(), images(2)
    model.train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    calls = {"occlusion": lambda: bl.occlusion(model, x, 1, 4, 4),
             "lrp": lambda: bl.lrp(model, x, 1),
             "deeplift": lambda: bl.deeplift(model, x, 1),
             "gradient_shap": lambda: bl.gradient_shap(model, x, 1, images(2, seed=3), n_samples=2)}
    result = calls[method]()
    assert result.shape == x.shape and not result.requires_grad
    assert all(m.training for m in model.modules())
    assert all(not m._forward_hooks and not m._forward_pre_hooks and not m._backward_hooks
               for m in model.modules())
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert all(p.grad is None for p in model.parameters())


def test_in_place_relus_give_the_same_attributions():
    """nn.ReLU(inplace=True) overwrites its input: the hooks keep a copy taken before."""
    x, b = images(), images(seed=8)
    plain, inplace = cnn(), cnn()
    for module in inplace:
        if isinstance(module, nn.ReLU):
            module.inplace = True
    torch.testing.assert_close(bl.deeplift(inplace, x, TARGETS, baseline=b),
                               bl.deeplift(plain, x, TARGETS, baseline=b), rtol=0, atol=0)
    torch.testing.assert_close(bl.lrp(inplace, x, TARGETS), bl.lrp(plain, x, TARGETS), rtol=0, atol=0)


def test_deeplift_refuses_a_module_used_twice():
    relu = nn.ReLU()
    model = nn.Sequential(nn.Conv2d(3, 3, 1), relu, nn.Conv2d(3, 3, 1), relu, nn.Flatten(),
                          nn.Linear(192, 2)).double()
    with pytest.raises(ValueError, match="runs twice"):
        bl.deeplift(model, images(), 0)
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_every_method_runs_on_the_input_device():
    """The same code on a GPU: results on the GPU, equal to the CPU's up to float32 rounding."""
    model, x, references = cnn(dtype=torch.float32), images(dtype=torch.float32), images(4, torch.float32, 9)
    calls = {"occlusion": lambda m, x, r: bl.occlusion(m, x, TARGETS, 3, 2),
             "lrp": lambda m, x, r: bl.lrp(m, x, TARGETS),
             "deeplift": lambda m, x, r: bl.deeplift(m, x, TARGETS, baseline=r[:3]),
             "gradient_shap": lambda m, x, r: bl.gradient_shap(m, x, TARGETS, r, n_samples=4)}
    for name, call in calls.items():
        cpu = call(model, x, references)
        gpu = call(model.cuda(), x.cuda(), references.cuda())
        model.cpu()
        assert gpu.device.type == "cuda", name
        torch.testing.assert_close(gpu.cpu(), cpu, rtol=1e-4, atol=1e-6, msg=name)
