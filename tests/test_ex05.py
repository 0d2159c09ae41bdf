"""Checks of exercise notebook 05: right answers pass, typical wrong answers get the right
message."""
import copy

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_lib import cam, hooks, metrics, shortcut
from course_lib.exercises import CheckFailed, NotAttempted
from course_lib.exercises import ex05_cam as ex
from exercise_helpers import fails, not_attempted, passes, solution, stub


def test_every_question_is_listed():
    assert [q.name for q in ex.QUESTIONS] == [f"q{i}" for i in range(1, 9)]
    for question in ex.QUESTIONS:
        assert question.hints and question.solution_code


# --------------------------------------------------------------------- q1: a hook
record_output = solution(ex.q1, "record_output", torch=torch)   # the answer q1.solution() shows


def test_q1():
    passes(ex.q1, record_output)

    def with_block(model, layer, x):
        with hooks.Hook(layer) as hook, torch.no_grad():
            model(x)
        return hook.output

    passes(ex.q1, with_block)

    def never_removed(model, layer, x):
        stored = []
        layer.register_forward_hook(lambda m, i, o: stored.append(o.detach().clone()))
        model(x)
        return stored[0]

    fails(ex.q1, never_removed, match="still registered", mistake="hook-registered-after")

    def no_clone(model, layer, x):
        stored = []
        handle = layer.register_forward_hook(lambda m, i, o: stored.append(o.detach()))
        model(x)
        handle.remove()
        return stored[0]

    fails(ex.q1, no_clone, match="in-place ReLU", mistake="kept-tensor-itself")

    def the_input(model, layer, x):
        stored = []
        handle = layer.register_forward_hook(lambda m, i, o: stored.append(i[0].detach().clone()))
        model(x)
        handle.remove()
        return stored[0]

    fails(ex.q1, the_input, match="layer's input", mistake="layer-input-hook")

    def not_on_error(model, layer, x):
        stored = []
        handle = layer.register_forward_hook(lambda m, i, o: stored.append(o.detach().clone()))
        model(x)
        handle.remove()
        return stored[0]

    fails(ex.q1, not_on_error, match="finally", mistake="model-raises-hook")
    fails(ex.q1, "record_output", match="should be a function", mistake="not-a-function")
    not_attempted(ex.q1, stub)


# --------------------------------------------------------------------- q2: ReLU rules
def pass_back(f, R, rule):
    if rule == "backprop":
        return (f > 0) * R
    if rule == "deconvnet":
        return (R > 0) * R
    return (f > 0) * (R > 0) * R


def test_q2():
    passes(ex.q2, pass_back)
    passes(ex.q2, lambda f, R, rule: hooks.relu_backward(torch.as_tensor(f), torch.as_tensor(R),
                                                         rule))

    def deconv_is_guided(f, R, rule):
        return pass_back(f, R, "guided" if rule == "deconvnet" else rule)

    fails(ex.q2, deconv_is_guided, match="the 'guided' rule; deconvnet keeps the positive signal",
          mistake="rule-rule-keeps")

    def greater_equal(f, R, rule):
        return pass_back(f + (f == 0) * 1e-9, R, rule)

    fails(ex.q2, greater_equal, match="f >= 0", mistake="rule-right-except")
    fails(ex.q2, lambda f, R, rule: R, match="off by up to", mistake="rule-off-build")
    swapped = {"backprop": "deconvnet", "deconvnet": "backprop"}
    fails(ex.q2, lambda f, R, rule: pass_back(f, R, swapped.get(rule, rule)),
          match="for rule 'backprop' you return the 'deconvnet' rule", mistake="rule-rule-keeps")
    fails(ex.q2, lambda f, R, rule: None, match="should be an array", mistake="not-an-array")
    not_attempted(ex.q2, stub)


# --------------------------------------------------------------------- q3: channel weights
def test_q3():
    passes(ex.q3, lambda g: g.mean(dim=(2, 3)))
    passes(ex.q3, lambda g: g.mean(dim=(2, 3), keepdim=True))
    passes(ex.q3, lambda g: np.asarray(g).mean(axis=(2, 3)))
    fails(ex.q3, lambda g: g.sum(dim=(2, 3)), match="12 times too large",
          mistake="weights-times-too")
    fails(ex.q3, lambda g: g.mean(dim=1), match="averaged over the channels",
          mistake="averaged-channels-average")
    fails(ex.q3, lambda g: g.amax(dim=(2, 3)), match="maximum", mistake="maximum-positions-grad")
    fails(ex.q3, lambda g: g.abs().mean(dim=(2, 3)), match="no abs()",
          mistake="keep-sign-gradients")
    fails(ex.q3, lambda g: torch.relu(g).mean(dim=(2, 3)), match="cut the negative gradients",
          mistake="cut-negative-gradients")
    fails(ex.q3, lambda g: -g.mean(dim=(2, 3)), match="wrong sign", mistake="weights-wrong-sign")
    fails(ex.q3, lambda g: g.mean(dim=(0, 2)), match="shape (N, K)",
          mistake="gradients-shape-weights")
    not_attempted(ex.q3, stub)


# --------------------------------------------------------------------- q4: full Grad-CAM
@pytest.fixture(scope="module")
def effnet():
    from course_lib.data import load_imagenet_model

    return load_imagenet_model(device="cpu", verbose=False)[0]


def my_grad_cam(model, layer, x, target):
    with hooks.GradientHook(layer) as hook:
        x = x.clone().requires_grad_(True)
        scores = model(x)[range(len(x)), target]
        torch.autograd.grad(scores.sum(), x)
    A, dA = hook.output, hook.gradient
    weights = dA.mean(dim=(2, 3))
    cam_map = torch.relu((weights[:, :, None, None] * A).sum(dim=1))
    return cam.upsample_and_normalise(cam_map, x.shape[-2:])


def _variant(relu=True, upsample=True, normalise=True, weights_from="gradients"):
    def grad_cam(model, layer, x, target):
        with hooks.GradientHook(layer) as hook:
            x = x.clone().requires_grad_(True)
            torch.autograd.grad(model(x)[range(len(x)), target].sum(), x)
        A, dA = hook.output, hook.gradient
        weights = (dA if weights_from == "gradients" else A).mean(dim=(2, 3))
        cam_map = (weights[:, :, None, None] * A).sum(dim=1)
        cam_map = torch.relu(cam_map) if relu else cam_map
        if not upsample:
            return cam_map
        if not normalise:
            return F.interpolate(cam_map[:, None], size=x.shape[-2:], mode="bilinear")[:, 0]
        return cam.upsample_and_normalise(cam_map, x.shape[-2:])

    return grad_cam


def _by_hand(align_corners=False, top=False):
    def grad_cam(model, layer, x, target):
        with hooks.GradientHook(layer) as hook:
            x = x.clone().requires_grad_(True)
            scores = model(x)
            chosen = scores.argmax(dim=1).tolist() if top else target
            torch.autograd.grad(scores[range(len(x)), chosen].sum(), x)
        A, dA = hook.output, hook.gradient
        cam_map = torch.relu((dA.mean(dim=(2, 3), keepdim=True) * A).sum(dim=1, keepdim=True))
        flat = cam_map.flatten(1)
        cam_map = (cam_map - flat.min(1).values[:, None, None, None]) / (
            flat.max(1).values - flat.min(1).values)[:, None, None, None]
        up = F.interpolate(cam_map, size=x.shape[-2:], mode="bilinear", align_corners=align_corners)[:, 0]
        flat = up.flatten(1)
        return (up - flat.min(1).values[:, None, None]) / (flat.max(1).values - flat.min(1).values)[:, None, None]
    return grad_cam


by_interpolate, by_interpolate_corners, top_class = _by_hand(), _by_hand(align_corners=True), _by_hand(top=True)


def test_q4(effnet):
    LAYER = effnet.blocks[5]
    before = [p.grad for p in effnet.parameters()]
    passes(ex.q4, my_grad_cam, effnet.blocks[5], effnet)
    passes(ex.q4, by_interpolate, effnet.blocks[4], effnet)
    fails(ex.q4, lambda m, layer, x, t: cam.grad_cam(m, layer, x, t), LAYER, effnet,
          match="write it yourself; `pytorch_grad_cam.GradCAM`", mistake="forbidden-shortcut")
    fails(ex.q4, my_grad_cam, effnet.bn2, effnet, match="another one", mistake="model-bn2-usual")
    fails(ex.q4, by_interpolate_corners, LAYER, effnet, match="align_corners",
          mistake="pytorch-grad-cam")
    fails(ex.q4, top_class, LAYER, effnet, match="explain `target`", mistake="explained-image-top")
    assert [p.grad for p in effnet.parameters()] == before  # the reference left no gradients
    fails(ex.q4, _variant(relu=False), LAYER, effnet, match="left out the ReLU",
          mistake="left-relu-before")
    fails(ex.q4, _variant(upsample=False), LAYER, effnet, match="upsample",
          mistake="map-feature-maps")
    fails(ex.q4, _variant(normalise=False), LAYER, effnet, match="[0, 1]",
          mistake="maps-range-scale")
    fails(ex.q4, _variant(weights_from="activations"), LAYER, effnet,
          match="averaged *gradients*", mistake="weights-come-activations")

    def leaves_a_hook(model, layer, x, target):
        hook = hooks.GradientHook(layer).__enter__()
        x = x.clone().requires_grad_(True)
        torch.autograd.grad(model(x)[range(len(x)), target].sum(), x)
        return my_grad_cam(model, layer, x.detach(), target)

    fails(ex.q4, leaves_a_hook, LAYER, effnet, match="hook is still registered",
          mistake="hook-registered-model")
    for module in effnet.modules():
        module._forward_hooks.clear()
    fails(ex.q4, my_grad_cam, torch.nn.Conv2d(3, 3, 1), effnet, match="module of `model`",
          mistake="module-model-blocks")
    fails(ex.q4, my_grad_cam, effnet, effnet, match="whole model", mistake="whole-model-grad")
    fails(ex.q4, my_grad_cam, effnet.classifier, effnet, match="feature maps",
          mistake="output-feature-maps")
    fails(ex.q4, my_grad_cam, LAYER, "model", match="torch.nn.Module", mistake="network-run-set")
    not_attempted(ex.q4, stub, LAYER, effnet)


# --------------------------------------------------------------------- q5: guided Grad-CAM
def test_q5():
    passes(ex.q5, lambda g, c: g * c[:, None])
    passes(ex.q5, lambda g, c: g * c.unsqueeze(1))
    fails(ex.q5, lambda g, c: g + c[:, None], match="added", mistake="added-maps-guided")
    fails(ex.q5, lambda g, c: (g * c[:, None]).abs(), match="abs", mistake="keep-sign-multiply")
    fails(ex.q5, lambda g, c: g * c, match="give cam_map a channel axis", mistake="guided-cam-map")
    fails(ex.q5, lambda g, c: c[:, None].expand_as(g), match="Grad-CAM map only",
          mistake="grad-cam-map")
    fails(ex.q5, lambda g, c: g.sum(dim=1, keepdim=True) * c[:, None], match="colour channels",
          mistake="result-channel-keep")
    passes(ex.q5, lambda g, c: torch.einsum("nchw,nhw->nchw", g, c))
    fails(ex.q5, lambda g, c: (g * c[:, None]).sum(dim=1), match="give cam_map a channel axis",
          mistake="shape-guided-backprop")
    not_attempted(ex.q5, stub)


# --------------------------------------------------------------------- q6: the shortcut
def test_q6():
    top, bottom, left, right = ex.stamp_box()
    assert (top, bottom, left, right) == (41, 48, 26, 47)
    passes(ex.q6, (top, bottom, left, right))
    passes(ex.q6, np.array([top + 1, bottom, left + 2, right - 1]))
    passes(ex.q6, [top - 2, 48, left - 3, 48])
    fails(ex.q6, (20, 48, 0, 48), match="times its size", mistake="box-contains-region")
    fails(ex.q6, (10, 30, 10, 30), match="animal moves", mistake="box-away-maps")
    fails(ex.q6, (48, 41, 26, 47), match="not a box", mistake="box-inside-picture")
    fails(ex.q6, (41.5, 48, 26, 47), match="whole pixel", mistake="hold-whole-pixel")
    fails(ex.q6, "bottom right", match="should be an array", mistake="not-an-array")
    fails(ex.q6, (41, 48, 26), match="shape (4,)", mistake="wrong-shape")


def test_q6_solution_recipe_finds_the_stamp():
    """The notebook's recipe, on a quickly trained shortcut model, passes the check."""
    train = shortcut.make_shortcut_data(512, stamp="cats", seed=1)
    valid = shortcut.make_shortcut_data(64, stamp="cats", seed=2)
    model = shortcut.train_fastai(train, valid, epochs=3, seed=0, device="cpu").model
    cats = valid.labels == 1
    maps = cam.grad_cam(model, model.block3, shortcut.to_tensor(valid.images[cats]), 1).numpy()
    rows, cols = np.nonzero(maps.mean(axis=0) > 0.5)
    passes(ex.q6, (rows.min(), rows.max() + 1, cols.min(), cols.max() + 1))


# --------------------------------------------------------------------- q7: a sanity step
def sanity_step(model, layer_name, x, target, explain):
    randomised = copy.deepcopy(model)
    metrics.randomize_layer(randomised.get_submodule(layer_name), torch.Generator().manual_seed(0))
    return metrics.rank_correlation(explain(model, x, target), explain(randomised, x, target))


def test_q7():
    passes(ex.q7, sanity_step)

    def in_place(model, layer_name, x, target, explain):
        before = explain(model, x, target)
        metrics.randomize_layer(model.get_submodule(layer_name), torch.Generator().manual_seed(0))
        return metrics.rank_correlation(before, explain(model, x, target))

    fails(ex.q7, in_place, match="copy.deepcopy", mistake="function-changed-model")

    def by_attribute(model, layer_name, x, target, explain):
        twin = copy.deepcopy(model)
        metrics.randomize_layer(getattr(twin, layer_name), torch.Generator().manual_seed(0))
        maps = [explain(m, x, target) for m in (model, twin)]
        return metrics.rank_correlation(*maps)

    passes(ex.q7, by_attribute)

    def forgot_to_randomise(model, layer_name, x, target, explain):
        randomised = copy.deepcopy(model)
        return metrics.rank_correlation(explain(model, x, target), explain(randomised, x, target))

    fails(ex.q7, forgot_to_randomise, match="nothing was randomised",
          mistake="correlation-maps-identical")

    def copy_twice(model, layer_name, x, target, explain):
        randomised = copy.deepcopy(model)
        metrics.randomize_layer(randomised.get_submodule(layer_name), torch.Generator().manual_seed(0))
        return metrics.rank_correlation(explain(randomised, x, target), explain(randomised, x, target))

    fails(ex.q7, copy_twice, match="both maps come from the randomised copy",
          mistake="both-maps-come")

    def pearson(model, layer_name, x, target, explain):
        randomised = copy.deepcopy(model)
        metrics.randomize_layer(randomised.get_submodule(layer_name),
                                torch.Generator().manual_seed(0))
        a = metrics.to_heatmap(explain(model, x, target))
        b = metrics.to_heatmap(explain(randomised, x, target))
        return np.array([np.corrcoef(u.ravel(), v.ravel())[0, 1] for u, v in zip(a, b)])

    fails(ex.q7, pearson, match="Pearson", mistake="pearson-correlation-values")

    def other_seed(model, layer_name, x, target, explain):
        randomised = copy.deepcopy(model)
        metrics.randomize_layer(randomised.get_submodule(layer_name),
                                torch.Generator().manual_seed(1))
        return metrics.rank_correlation(explain(model, x, target), explain(randomised, x, target))

    fails(ex.q7, other_seed, match="manual_seed(0)", mistake="randomised-randomise-metrics")
    not_attempted(ex.q7, stub)


# --------------------------------------------------------------------- q8: which fails
def test_q8():
    for answer in ("guided backprop", "Guided backpropagation", "guided_backprop", "GBP guided"):
        passes(ex.q8, answer)
    fails(ex.q8, "Grad-CAM", match="that is passing", mistake="grad-cam-map")
    fails(ex.q8, "guided Grad-CAM", match="product of the two maps", mistake="guided-grad-cam")
    fails(ex.q8, "saliency", match="answer 'Grad-CAM' or 'guided backprop'",
          mistake="answer-grad-cam")
    fails(ex.q8, "both", match="answer 'Grad-CAM' or 'guided backprop'", mistake="answer-grad-cam")
    passes(ex.q8, "guided backpropagation (GBP)")
    fails(ex.q8, "", match="empty", mistake="empty-string")
    fails(ex.q8, 3, match="should be a string", mistake="not-a-string")


# --------------------------------------------------------------------- fresh inputs, left alone
def test_q1_fresh_inputs_and_inputs_left_alone():
    """The second input set hooks the convolution, on one 5 x 7 picture."""
    def fixed_layer(model, layer, x):           # the example's layer, not the one given
        return record_output(model, model[1], x)

    def centres_x(model, layer, x):
        x -= x.mean()
        return record_output(model, layer, x)

    fails(ex.q1, fixed_layer, match="that is the output of model[1], but `layer` is model[0]",
          mistake="output-model-model")
    fails(ex.q1, centres_x, match="changed its input `x` in place", mistake="changed-input")

    def hooks_dict(model, layer, x):            # another right way: a dict and a named function
        seen = {}

        def keep(module, inputs, output):
            seen["out"] = output.clone().detach()

        handle = layer.register_forward_hook(keep)
        try:
            with torch.no_grad():
                model(x)
        finally:
            handle.remove()
        return seen["out"]

    passes(ex.q1, hooks_dict)


def test_q2_fresh_inputs_and_inputs_left_alone():
    """The second input set is a (2, 3, 4, 5) signal: a rule written entry by entry for a matrix
    fails there; a rule that zeroes R in place is refused."""
    def entry_by_entry(f, R, rule):
        out = np.zeros_like(R)
        for i in range(f.shape[0]):
            for j in range(f.shape[1]):
                keep = (rule == "deconvnet" or f[i, j] > 0) and (rule == "backprop" or R[i, j] > 0)
                out[i, j] = R[i, j] if keep else 0.0
        return out

    def zeroes_R(f, R, rule):
        if rule != "backprop":
            R[R < 0] = 0.0
        if rule != "deconvnet":
            R[f <= 0] = 0.0
        return R

    fails(ex.q2, entry_by_entry, match="a convolution's, not a matrix",
          mistake="signals-shape-write")
    fails(ex.q2, zeroes_R, match="R = R.copy()", mistake="changed-input")
    passes(ex.q2, lambda f, R, rule: np.where((f > 0) | (rule == "deconvnet"), 1.0, 0.0)
           * np.where((R > 0) | (rule == "backprop"), R, 0.0))


def test_q3_fresh_inputs_and_inputs_left_alone():
    fails(ex.q3, lambda g: g.mean(dim=(2, 3)).squeeze(), match="a squeeze() drops it when N = 1",
          mistake="image-weights-shape")

    def divides_in_place(g):
        g /= g.shape[2] * g.shape[3]
        return g.sum(dim=(2, 3))

    fails(ex.q3, divides_in_place, match="changed its input `gradients` in place",
          mistake="changed-input")
    passes(ex.q3, lambda g: g.flatten(2).mean(-1))


def test_q4_fresh_inputs_and_inputs_left_alone(effnet):
    """The second input set is one 96 x 128 picture: a map upsampled to a fixed 224 x 224 fails."""
    def fixed_size(model, layer, x, target):
        with hooks.GradientHook(layer) as hook:
            x = x.clone().requires_grad_(True)
            torch.autograd.grad(model(x)[range(len(x)), target].sum(), x)
        cam_map = torch.relu((hook.gradient.mean(dim=(2, 3), keepdim=True) * hook.output).sum(dim=1))
        return cam.upsample_and_normalise(cam_map, (224, 224))

    def normalises_x(model, layer, x, target):
        x.sub_(0.45).div_(0.225)                 # ImageNet-style normalisation, in place
        return my_grad_cam(model, layer, x, target)

    fails(ex.q4, normalises_x, effnet.blocks[5], effnet, match="changed its input `x` in place",
          mistake="changed-input")
    fails(ex.q4, fixed_size, effnet.blocks[5], effnet, match="your maps are 224 x 224 for 96 x 128",
          mistake="maps-pictures-upsample")


def test_q5_fresh_inputs_and_inputs_left_alone():
    """The second input set is a one-channel picture: a map repeated to 3 colours fails."""
    fails(ex.q5, lambda g, c: g * c[:, None].repeat(1, 3, 1, 1), match="do not repeat the map",
          mistake="channel-guided-image")

    def multiplies_in_place(g, c):
        return g.mul_(c[:, None])

    fails(ex.q5, multiplies_in_place, match="changed its input `guided` in place",
          mistake="changed-input")
    passes(ex.q5, lambda g, c: g * c.reshape(c.shape[0], 1, *c.shape[1:]))


def test_q7_fresh_inputs_and_inputs_left_alone():
    """The last input set explains class 0 of three other pictures: a fixed class 1 fails."""
    def class_one(model, layer_name, x, target, explain):
        return sanity_step(model, layer_name, x, 1, explain)

    def centres_x(model, layer_name, x, target, explain):
        x -= x.mean(dim=(2, 3), keepdim=True)
        return sanity_step(model, layer_name, x, target, explain)

    fails(ex.q7, class_one, match="with target=0 you explained class 1",
          mistake="target-explained-class")
    fails(ex.q7, centres_x, match="changed its input `x` in place", mistake="changed-input")
