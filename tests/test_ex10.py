"""Checks of exercise notebook 10: right answers (two ways each) pass, typical wrong answers get
the message meant for them, and answers that change their inputs are refused."""
import numpy as np
import torch

from course_lib import baselines as bl
from course_lib.exercises import ex10_inside as ex
from exercise_helpers import (fails, passes, placeholders_and_odd_values_never_crash,
                              questions_are_listed, solution)


def test_every_question_is_listed():
    questions_are_listed(ex, 6)


def test_placeholders_stubs_and_odd_values_never_crash():
    placeholders_and_odd_values_never_crash(ex, stubbed=5)


# --------------------------------------------------------------------- q1: ascent step with jitter
def gradient(objective, image):
    x = image.clone().requires_grad_(True)
    return torch.autograd.grad(objective(x[None]), x)[0]


def test_q1():
    passes(ex.q1, solution(ex.q1, "ascent_step", torch=torch))

    def roll_by_hand(image, objective, shift, lr):      # the gradient in the shifted frame, rolled back
        rolled = torch.roll(image, shifts=shift, dims=(1, 2))
        g = gradient(objective, rolled)
        return image + lr * torch.roll(g, shifts=(-shift[0], -shift[1]), dims=(1, 2))

    passes(ex.q1, roll_by_hand)
    fails(ex.q1, lambda im, obj, s, lr: im - lr * (roll_by_hand(im, obj, s, 1.0) - im),
          match="stepped down", mistake="stepped-down-gradient")
    fails(ex.q1, lambda im, obj, s, lr: im + lr * gradient(obj, im), match="unshifted image",
          mistake="gradient-unshifted-image")

    def still_shifted(image, objective, shift, lr):
        rolled = torch.roll(image, shifts=shift, dims=(1, 2))
        return rolled + lr * gradient(objective, rolled)

    fails(ex.q1, still_shifted, match="still shifted", mistake="result-shifted-jitter")

    def not_rolled_back(image, objective, shift, lr):
        return image + lr * gradient(objective, torch.roll(image, shifts=shift, dims=(1, 2)))

    fails(ex.q1, not_rolled_back, match="roll it back", mistake="gradient-shifted-frame")

    def in_place(image, objective, shift, lr):
        result = roll_by_hand(image, objective, shift, lr)
        image += 1.0
        return result

    fails(ex.q1, in_place, match="in place", mistake="changed-input")
    fails(ex.q1, lambda im, obj, s, lr: roll_by_hand(im, obj, s, 2 * lr), match="the step differs",
          mistake="step-differs-rolled")
    fails(ex.q1, lambda im, obj, s, lr: im[0], match="shape", mistake="wrong-dimensions")


# --------------------------------------------------------------------- q2: CAV
def test_q2():
    passes(ex.q2, solution(ex.q2, "mean_difference_cav", np=np))

    def with_torch(concept, random):
        d = torch.as_tensor(concept).mean(0) - torch.as_tensor(random).mean(0)
        return torch.nn.functional.normalize(d, dim=0)

    passes(ex.q2, with_torch)
    unit = solution(ex.q2, "mean_difference_cav", np=np)
    fails(ex.q2, lambda c, r: -unit(c, r), match="points away", mistake="vector-points-away")
    fails(ex.q2, lambda c, r: c.mean(0) - r.mean(0), match="not unit length",
          mistake="right-direction-unit")
    fails(ex.q2, lambda c, r: (c.mean(0) - r.mean(0)) / np.abs(c.mean(0) - r.mean(0)).sum(),
          match="Euclidean norm", mistake="normalise-euclidean-norm")

    def pooled(c, r):                                   # proportional to the same difference
        d = c.mean(0) - np.vstack([c, r]).mean(0)
        return d / np.linalg.norm(d)

    passes(ex.q2, pooled)
    fails(ex.q2, lambda c, r: c.mean(1), match="axis=0", mistake="cav-entry-per")

    def in_place(c, r):
        c -= r.mean(0)
        return unit(c + r.mean(0), r)

    fails(ex.q2, in_place, match="in place", mistake="changed-input")
    fails(ex.q2, lambda c, r: unit(c[:5], r), match="the vector differs",
          mistake="vector-differs-concept")


# --------------------------------------------------------------------- q3: TCAV sign count
def test_q3():
    passes(ex.q3, solution(ex.q3, "tcav_from_gradients", np=np))
    passes(ex.q3, lambda g, v: sum(float(row @ v) > 0 for row in g) / len(g))
    fails(ex.q3, lambda g, v: np.mean(g @ v >= 0), match="exactly 0",
          mistake="counted-derivative-exactly")
    fails(ex.q3, lambda g, v: np.sum(g @ v > 0), match="count", mistake="count-tcav-score")
    fails(ex.q3, lambda g, v: np.mean(g @ v < 0), match="falls", mistake="counted-inputs-whose")
    fails(ex.q3, lambda g, v: np.mean(g @ v), match="magnitude",
          mistake="mean-directional-derivative")
    fails(ex.q3, lambda g, v: g @ v > 0, match="dimension", mistake="wrong-dimensions")

    def in_place(g, v):
        v *= 2.0
        return float(np.mean(g @ v > 0))

    fails(ex.q3, in_place, match="in place", mistake="changed-input")
    fails(ex.q3, lambda g, v: np.mean(g @ v > 1.0), match="the score differs",
          mistake="score-differs-gradients")


# --------------------------------------------------------------------- q4: occlusion of one patch
def drop(f, image, rows, cols, channels=slice(None)):
    occluded = image.copy()
    occluded[channels, rows, cols] = 0.0
    return f(image[None])[0] - f(occluded[None])[0]


def test_q4():
    passes(ex.q4, solution(ex.q4, "occlusion_drop"))

    def with_library(f, image, top, left, size):
        # a model that f wraps is not given; rebuild the drop with a mask instead of a copy
        mask = np.ones_like(image)
        mask[:, top:top + size, left:left + size] = 0.0
        scores = f(np.stack([image, image * mask]))
        return scores[0] - scores[1]

    passes(ex.q4, with_library)
    fails(ex.q4, lambda f, im, t, l, s: f(im[None])[0] - drop(f, im, slice(t, t + s), slice(l, l + s)),
          match="score of the occluded image", mistake="score-occluded-image")
    fails(ex.q4, lambda f, im, t, l, s: -drop(f, im, slice(t, t + s), slice(l, l + s)), match="flipped",
          mistake="sign-flipped-drop")
    fails(ex.q4, lambda f, im, t, l, s: drop(f, im, slice(l, l + s), slice(t, t + s)), match="swapped",
          mistake="rows-columns-swapped")
    fails(ex.q4, lambda f, im, t, l, s: drop(f, im, slice(t, t + s + 1), slice(l, l + s + 1)),
          match="wrong size", mistake="patch-wrong-size")
    fails(ex.q4, lambda f, im, t, l, s: drop(f, im, slice(t, t + s), slice(l, l + s), 0),
          match="one channel", mistake="occluded-channel-grey")

    def in_place(f, image, top, left, size):
        before = f(image[None])[0]
        image[:, top:top + size, left:left + size] = 0.0
        return before - f(image[None])[0]

    fails(ex.q4, in_place, match="in place", mistake="changed-input")

    def filled_with_half(f, image, top, left, size):
        occluded = image.copy()
        occluded[:, top:top + size, left:left + size] = 0.5
        return f(image[None])[0] - f(occluded[None])[0]

    fails(ex.q4, filled_with_half, match="the drop differs", mistake="drop-differs-copy")


def test_q4_equals_the_library_occlusion():
    model, f, image, top, left, size = ex._q4_inputs()
    maps = bl.occlusion(model, torch.as_tensor(image)[None], 0, window=size, stride=size)
    assert np.isclose(float(maps[0, 0, top, left]), drop(f, image, slice(top, top + size),
                                                          slice(left, left + size)))


# --------------------------------------------------------------------- q5: LRP-epsilon, one layer
def test_q5():
    passes(ex.q5, solution(ex.q5, "lrp_epsilon_linear", np=np))

    def by_gradient(a, W, b, relevance, eps):             # the gradient does the sum, as bl._epsilon_rule
        x = torch.as_tensor(a).requires_grad_(True)
        z = torch.as_tensor(W) @ x + torch.as_tensor(b)
        s = torch.as_tensor(relevance) / (z + eps * torch.where(z >= 0, 1.0, -1.0)).detach()
        (g,) = torch.autograd.grad((z * s).sum(), x)
        return (x * g).detach()

    passes(ex.q5, by_gradient)
    sign = lambda z: np.where(z >= 0, 1.0, -1.0)  # noqa: E731
    fails(ex.q5, lambda a, W, b, R, e: a * (W.T @ (R / (W @ a + e * sign(W @ a)))), match="bias",
          mistake="includes-bias")
    fails(ex.q5, lambda a, W, b, R, e: a * (W.T @ (R / (W @ a + b + e))), match="sign of z_k",
          mistake="eps-takes-sign")
    fails(ex.q5, lambda a, W, b, R, e: W.T @ (R / (W @ a + b + e * sign(W @ a + b))), match="a_j",
          mistake="multiply-share-input")
    fails(ex.q5, lambda a, W, b, R, e: a * (W.T @ R), match="divide each R_k",
          mistake="divide-before-passing")
    fails(ex.q5, lambda a, W, b, R, e: a * (W @ R), match="shapes", mistake="learner-raised")

    def in_place(a, W, b, R, e):
        z = W @ a + b
        R /= z + e * sign(z)
        return a * (W.T @ R)

    fails(ex.q5, in_place, match="in place", mistake="changed-input")
    fails(ex.q5, lambda a, W, b, R, e: a * (W.T @ (R / (W @ a + b + 2 * e * sign(W @ a + b)))),
          match="relevance differs", mistake="relevance-differs-relevance")


def test_q5_equals_the_library_lrp():
    """For one Linear layer, bl.lrp starts from R = the target's score: the same formula."""
    a, W, b, _, eps = ex._q5_inputs()
    layer = torch.nn.Linear(5, 3, dtype=torch.float64)
    layer.weight.data, layer.bias.data = torch.as_tensor(W), torch.as_tensor(b)
    model = torch.nn.Sequential(torch.nn.Flatten(), layer).eval()
    start = np.zeros(3)
    start[1] = W[1] @ a + b[1]                     # the output whose z is negative
    ours = bl.lrp(model, torch.as_tensor(a).view(1, 5, 1, 1), 1, epsilon=eps).flatten().numpy()
    np.testing.assert_allclose(ours, ex._lrp_epsilon(a, W, b, start, eps), rtol=1e-12, atol=1e-15)


# --------------------------------------------------------------------- q6: which method answers what
RIGHT = dict(ex._QUESTIONS)


def test_q6():
    passes(ex.q6, solution(ex.q6, "method_for"))
    passes(ex.q6, {q: m.upper() + " " for q, m in RIGHT.items()})
    fails(ex.q6, {**RIGHT, "what input makes channel 12 fire the most?": "network dissection"},
          match="dissection compares", mistake="chose-network-dissection")
    fails(ex.q6, {**RIGHT, "does the network's cat decision on this picture depend on the stamp's region: "
                           "does it change when that region is hidden?": "LRP"},
          match="passes the score backwards", mistake="chose-lrp")
    fails(ex.q6, {**RIGHT, "does the cat score rise along the direction of 'has a timestamp'?":
                  "self-explanation"}, match="Turpin", mistake="model-explanation-itself")
    fails(ex.q6, {**RIGHT, "which channels fire exactly on the timestamp's pixels?": "Grad-CAM"},
          match="pick one of", mistake="method-pick")
    fails(ex.q6, {k: v for k, v in list(RIGHT.items())[:4]}, match="missing", mistake="wrong-keys")
    assert ex.Q6_QUESTIONS == tuple(RIGHT)          # the exercise prints these, in this order


# --------------------------------------------------------------------- fresh inputs, edge cases
def test_q1_shift_beyond_the_picture():
    """The second input set shifts a 5-row image by 6 rows: a roll written with slices fails."""
    def slice_roll(x, shift):
        dy, dx = shift
        x = torch.cat([x[:, -dy:], x[:, :-dy]], dim=1) if dy else x
        return torch.cat([x[:, :, -dx:], x[:, :, :-dx]], dim=2) if dx else x

    def by_slices(image, objective, shift, lr):
        x = image.clone().requires_grad_(True)
        (g,) = torch.autograd.grad(objective(slice_roll(x, shift)[None]), x)
        return image + lr * g

    fails(ex.q1, by_slices, match="wraps around", mistake="shift-image-step")

    def steps_in_place(image, objective, shift, lr):
        x = image.clone().requires_grad_(True)
        (g,) = torch.autograd.grad(objective(torch.roll(x, shift, dims=(1, 2))[None]), x)
        return image.add_(lr * g)

    fails(ex.q1, steps_in_place, match="image = image.copy()", mistake="changed-input")


def test_q2_fresh_inputs():
    def centres_in_place(c, r):
        c -= r.mean(0)
        return c.mean(0) / np.linalg.norm(c.mean(0))

    fails(ex.q2, centres_in_place, match="concept_acts = concept_acts.copy()",
          mistake="changed-input")
    passes(ex.q2, lambda c, r: (lambda d: d / np.sqrt(d @ d))(np.mean(c, 0) - np.mean(r, 0)))


def test_q3_tiny_rises():
    """The second input set has scores that rise by about 1e-9: a tolerance counts them as flat."""
    fails(ex.q3, lambda g, v: float(np.mean(g @ v > 1e-6)), match="however small",
          mistake="some-scores-rise")

    def normalises_in_place(g, v):
        v /= np.linalg.norm(v)
        return float(np.mean(g @ v > 0))

    fails(ex.q3, normalises_in_place, match="cav = cav.copy()", mistake="changed-input")


def test_q4_patch_past_the_border():
    """The second input set puts a 3-pixel patch at (6, 4) of an 8 x 6 image."""
    def fixed_patch(f, image, top, left, size):
        occluded = image.copy()
        occluded[:, top:top + size, left:left + size] = np.zeros((image.shape[0], size, size))
        return f(image[None])[0] - f(occluded[None])[0]

    fails(ex.q4, fixed_patch, match="runs past the border", mistake="patch-size-runs")

    def by_mask(f, image, top, left, size):
        rows, cols = np.arange(image.shape[1])[:, None], np.arange(image.shape[2])[None]
        keep = ~((rows >= top) & (rows < top + size) & (cols >= left) & (cols < left + size))
        return f(image[None])[0] - f((image * keep)[None])[0]

    passes(ex.q4, by_mask)


def test_q5_an_output_exactly_zero():
    """The second input set has z_0 = 0 exactly: np.sign(0) = 0 divides by zero."""
    fails(ex.q5, lambda a, W, b, R, e: a * (W.T @ (R / (W @ a + b + e * np.sign(W @ a + b)))),
          match="np.sign(0) is 0", mistake="exactly-output-relevance")

    def scales_W_in_place(a, W, b, R, e):
        z = W @ a + b
        W *= a
        return W.T @ (R / (z + e * np.where(z >= 0, 1.0, -1.0)))

    fails(ex.q5, scales_W_in_place, match="changed its input `W` in place", mistake="changed-input")
