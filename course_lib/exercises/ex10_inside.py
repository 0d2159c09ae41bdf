"""Exercises for notebook 10, inside a network: six checked questions, easy to hard.

Every check builds its own inputs (random images, activation sets, small linear layers), runs
your function on copies, rejects a function that changes its inputs, and compares the result
with the formula of ``course_lib.concepts`` / ``course_lib.baselines`` on the same inputs;
nothing is compared with stored numbers.
"""
from __future__ import annotations

import numpy as np
import torch

from .. import baselines
from . import (PLACEHOLDER, Incorrect, Question, as_array, as_callable, as_mapping, as_string,
               call_fresh, is_close, mistake_from)

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6", "QUESTIONS", "PLACEHOLDER", "METHODS", "Q6_QUESTIONS"]


# ------------------------------------------------------------------------------- q1
def _q1_objective(weights, curvature):
    def objective(batch):
        """A channel-like score that is not shift-invariant: where a pixel is matters."""
        return (weights * batch[0]).sum() - 0.5 * (curvature * batch[0] ** 2).sum()
    return objective


def _q1_cases():
    """Fresh inputs: a 3 x 6 x 7 image shifted by (2, -3), and a 2 x 5 x 4 image shifted by
    (6, 0), further than its height (torch.roll wraps around; a roll written with slices does
    not) with another step size."""
    cases = []
    for seed, shape, shift, lr in ((1, (3, 6, 7), (2, -3), 0.1), (10, (2, 5, 4), (6, 0), 0.25)):
        generator = torch.Generator().manual_seed(seed)
        image = torch.rand(*shape, generator=generator, dtype=torch.float64)
        weights = torch.randn(*shape, generator=generator, dtype=torch.float64)
        curvature = torch.rand(*shape, generator=generator, dtype=torch.float64)
        cases.append((image, _q1_objective(weights, curvature), shift, lr))
    return cases


def _gradient_at(objective, image):
    image = image.clone().requires_grad_(True)
    (gradient,) = torch.autograd.grad(objective(image[None]), image)
    return gradient


def _check_q1(ascent_step):
    function = as_callable(ascent_step, "ascent_step")
    for image, objective, shift, lr in _q1_cases():
        _check_q1_on(function, image, objective, shift, lr)
    return "the gradient of the shifted image, shifted back, added with step lr"


def _check_q1_on(function, image, objective, shift, lr):
    """One input set of question 1."""
    call = f"ascent_step(image, objective, {shift}, {lr})"
    got = call_fresh(function, image, objective, shift, lr, what=call,
                 names=["image", "objective", "shift", "lr"])
    got = as_array(got, call, shape=tuple(image.shape))
    rolled = torch.roll(image, shifts=shift, dims=(1, 2))
    gradient = torch.roll(_gradient_at(objective, rolled), shifts=(-shift[0], -shift[1]), dims=(1, 2))
    expected = (image + lr * gradient).numpy()
    if is_close(got, expected):
        return
    still_rolled = gradient.roll(shifts=shift, dims=(1, 2))
    wrong = {
        "descent": (image - lr * gradient,
                    "you stepped down the gradient: ascent adds lr * gradient to make the channel fire more"),
        "no jitter": (image + lr * _gradient_at(objective, image),
                      "that is the gradient at the unshifted image: shift first (torch.roll by "
                      "`shift` over the two spatial axes), then take the gradient"),
        "still shifted": (rolled + lr * still_rolled,
                          "your result is still shifted: the jitter is only for computing the gradient; "
                          "the step goes to the original image"),
        "gradient not rolled back": (image + lr * still_rolled,
                                     "the gradient is in the shifted frame: roll it back by -shift "
                                     "before adding it (or let autograd go through torch.roll)"),
    }
    beyond = any(abs(k) >= n for k, n in zip(shift, image.shape[1:]))
    for name, (candidate, message) in wrong.items():
        if is_close(got, candidate.numpy()):
            if beyond and name == "no jitter":
                break
            raise Incorrect(message, mistake=mistake_from(message))
    if beyond:
        raise Incorrect(f"for the shift {shift} of a {tuple(image.shape)} image the step differs: a "
                        "shift as large as the picture wraps around (torch.roll does this; a roll "
                        "written with slices does not)", mistake="shift-image-step")
    raise Incorrect("the step differs: rolled = torch.roll(image, shift, dims=(1, 2)); take the "
                    "gradient of objective(rolled[None]) with respect to image; return image + lr * gradient",
                    mistake="step-differs-rolled")


q1 = Question(
    "q1", "one gradient-ascent step with jitter", ["ascent_step"], _check_q1,
    hints=["Make a leaf copy: x = image.clone().requires_grad_(True).",
           "rolled = torch.roll(x, shifts=shift, dims=(1, 2)); value = objective(rolled[None]).",
           "gradient = torch.autograd.grad(value, x)[0] (autograd undoes the roll for you); "
           "return image + lr * gradient."],
    solution_code='''def ascent_step(image, objective, shift, lr):
    x = image.clone().requires_grad_(True)
    value = objective(torch.roll(x, shifts=shift, dims=(1, 2))[None])
    (gradient,) = torch.autograd.grad(value, x)
    return image + lr * gradient''')


# ------------------------------------------------------------------------------- q2
def _q2_cases():
    """Fresh inputs: 12 concept and 9 random examples of 5 features, and 3 concept and 4 random
    examples of 8 features (fewer examples than features)."""
    rng = np.random.default_rng(2)
    concept = rng.normal(0.0, 1.0, (12, 5)) + np.array([2.0, 0.0, -1.0, 0.5, 0.0])
    random = rng.normal(0.0, 1.0, (9, 5))
    return [(concept, random),
            (rng.normal(0.5, 1.0, (3, 8)), rng.normal(0.0, 1.0, (4, 8)))]


def _check_q2(mean_difference_cav):
    function = as_callable(mean_difference_cav, "mean_difference_cav")
    for concept, random in _q2_cases():
        _check_q2_on(function, concept, random)
    return "a unit vector from the random activations' mean towards the concept's"


def _check_q2_on(function, concept, random):
    """One input set of question 2."""
    got = call_fresh(function, concept, random, what="mean_difference_cav(concept_acts, random_acts)",
                 names=["concept_acts", "random_acts"])
    got = as_array(got, "mean_difference_cav(concept_acts, random_acts)", ndim=1)
    difference = concept.mean(axis=0) - random.mean(axis=0)
    expected = difference / np.linalg.norm(difference)
    if got.shape != expected.shape:
        raise Incorrect(f"the CAV has one entry per feature ({expected.size}), got {got.size}: "
                        "average over the examples, axis=0", mistake="cav-entry-per")
    if is_close(got, expected):
        return
    if is_close(got, -expected):
        raise Incorrect("your vector points away from the concept: concept mean minus random mean",
                        mistake="vector-points-away")
    if is_close(got, difference):
        raise Incorrect("right direction, but not unit length: divide by np.linalg.norm",
                        mistake="right-direction-unit")
    if is_close(got, difference / np.abs(difference).sum()):
        raise Incorrect("normalise by the Euclidean norm (np.linalg.norm), not the sum of |values|",
                        mistake="normalise-euclidean-norm")
    raise Incorrect("the vector differs: (concept_acts.mean(axis=0) - random_acts.mean(axis=0)), "
                    "divided by its norm", mistake="vector-differs-concept")


q2 = Question(
    "q2", "a concept activation vector from two activation sets", ["mean_difference_cav"], _check_q2,
    hints=["Both sets are (examples, features); average each over its examples (axis=0).",
           "The direction goes from the random mean to the concept mean.",
           "Divide by np.linalg.norm of the difference."],
    solution_code='''def mean_difference_cav(concept_acts, random_acts):
    difference = concept_acts.mean(axis=0) - random_acts.mean(axis=0)
    return difference / np.linalg.norm(difference)''')


# ------------------------------------------------------------------------------- q3
def _q3_cases():
    """Fresh inputs: 11 gradients, two of them 0 (the score is flat there), and 8 gradients of
    6 features against a CAV that is not unit length, three of them rising only by about 1e-9."""
    rng = np.random.default_rng(3)
    gradients = rng.normal(0.0, 1.0, (11, 4))
    gradients[[2, 7]] = 0.0
    cav = np.array([0.6, -0.8, 0.0, 0.0])
    small = rng.normal(0.0, 1.0, (8, 6))
    other = np.array([2.0, 0.0, -1.0, 0.0, 0.5, 1.0])
    small[[1, 4, 6]] = 1e-9 * other / (other @ other) * np.array([[1.0], [2.0], [3.0]])
    return [(gradients, cav), (small, other)]


def _check_q3(tcav_from_gradients):
    function = as_callable(tcav_from_gradients, "tcav_from_gradients")
    for gradients, cav in _q3_cases():
        _check_q3_on(function, gradients, cav)
    return "the share of the inputs whose class score rises along the concept"


def _check_q3_on(function, gradients, cav):
    """One input set of question 3."""
    got = call_fresh(function, gradients, cav, what="tcav_from_gradients(gradients, cav)",
                 names=["gradients", "cav"])
    got = as_array(got, "tcav_from_gradients(gradients, cav)", ndim=0)
    derivatives = gradients @ cav
    expected = float((derivatives > 0).mean())
    if is_close(got, expected):
        return
    if is_close(got, (derivatives >= 0).mean()):
        raise Incorrect("you counted a derivative of exactly 0 as rising: use > 0, a flat score "
                        "does not rise", mistake="counted-derivative-exactly")
    if is_close(got, (derivatives > 0).sum()):
        raise Incorrect("that is a count; the TCAV score is a share: divide by the number of inputs",
                        mistake="count-tcav-score")
    if np.any((derivatives > 0) & (derivatives < 1e-6)) and is_close(got, (derivatives > 1e-6).mean()):
        raise Incorrect("some scores here rise only slightly (S_C of order 1e-9): a tolerance "
                        "such as S_C > 1e-6 counts them as flat; a rise is S_C > 0, however small",
                        mistake="some-scores-rise")
    if is_close(got, (derivatives < 0).mean()):
        raise Incorrect("you counted the inputs whose score falls; count those with S_C(x) > 0",
                        mistake="counted-inputs-whose")
    if is_close(got, derivatives.mean()):
        raise Incorrect("that is the mean directional derivative (captum's 'magnitude'); TCAV "
                        "counts the signs: the share with S_C(x) > 0",
                        mistake="mean-directional-derivative")
    raise Incorrect("the score differs: S_C = gradients @ cav, one per input; return the mean "
                    "of (S_C > 0)", mistake="score-differs-gradients")


q3 = Question(
    "q3", "the TCAV score as a sign count", ["tcav_from_gradients"], _check_q3,
    hints=["gradients is (N, F), one gradient of the class score per input; cav is (F,).",
           "S_C(x) = gradient(x) . cav: gradients @ cav gives all N at once.",
           "Return float(np.mean(S > 0))."],
    solution_code='''def tcav_from_gradients(gradients, cav):
    directional = gradients @ cav
    return float(np.mean(directional > 0))''')


# ------------------------------------------------------------------------------- q4
def _q4_inputs():
    generator = torch.Generator().manual_seed(4)
    linear = torch.nn.Linear(2 * 8 * 6, 1, dtype=torch.float64)
    linear.weight.data = torch.randn(1, 96, generator=generator, dtype=torch.float64)
    model = torch.nn.Sequential(torch.nn.Flatten(), linear).eval()
    image = torch.rand(2, 8, 6, generator=generator, dtype=torch.float64).numpy()

    def f(batch):
        with torch.no_grad():
            return model(torch.as_tensor(np.asarray(batch, dtype=np.float64)))[:, 0].numpy()
    return model, f, image, 4, 2, 2


def _check_q4(occlusion_drop):
    function = as_callable(occlusion_drop, "occlusion_drop")
    model, f, image, top, left, size = _q4_inputs()
    # baselines.occlusion with window = stride = size: every pixel of the patch holds its drop
    expected = float(baselines.occlusion(model, torch.as_tensor(image)[None], 0, window=size,
                                         stride=size)[0, 0, top, left])
    _check_q4_on(function, f, image, top, left, size, expected)
    # a patch at the corner that runs past the border: numpy's slices stop at the edge
    corner = (6, 4, 3)
    clipped = image.copy()
    clipped[:, 6:, 4:] = 0.0
    _check_q4_on(function, f, image, *corner, f(image[None])[0] - f(clipped[None])[0])
    return "f(image) - f(image with the patch at 0): the same as baselines.occlusion there"


def _check_q4_on(function, f, image, top, left, size, expected):
    """One input set of question 4."""
    call = f"occlusion_drop(f, image, {top}, {left}, {size})"
    try:
        got = call_fresh(function, f, image, top, left, size, what=call,
                     names=["f", "image", "top", "left", "size"])
    except Incorrect as wrong:
        if top + size > image.shape[1] and "in place" not in str(wrong):
            raise Incorrect(f"for a patch at ({top}, {left}) of size {size}, which runs past the "
                            f"border of a {image.shape[1]} x {image.shape[2]} image: {wrong} Set the "
                            "slice to 0 (occluded[:, top:top + size, left:left + size] = 0.0): a "
                            "slice stops at the border, a fixed (size, size) patch does not",
                            mistake="patch-size-runs") from None
        raise
    got = as_array(got, call, ndim=0)

    def drop(rows, cols, channels=slice(None)):
        occluded = image.copy()
        occluded[channels, rows, cols] = 0.0
        return f(image[None])[0] - f(occluded[None])[0]

    if is_close(got, expected):
        return
    full = f(image[None])[0]
    if is_close(got, full - expected):
        raise Incorrect("that is the score of the occluded image; return the drop f(image) - f(occluded)",
                        mistake="score-occluded-image")
    if is_close(got, -expected):
        raise Incorrect("the sign is flipped: the drop is f(image) - f(occluded)",
                        mistake="sign-flipped-drop")
    if is_close(got, drop(slice(left, left + size), slice(top, top + size))):
        raise Incorrect("rows and columns are swapped: image[:, top:top + size, left:left + size]",
                        mistake="rows-columns-swapped")
    if is_close(got, drop(slice(top, top + size + 1), slice(left, left + size + 1))) or \
            is_close(got, drop(slice(top, top + size - 1), slice(left, left + size - 1))):
        raise Incorrect("the patch has the wrong size: it is `size` pixels, top:top + size",
                        mistake="patch-wrong-size")
    if is_close(got, drop(slice(top, top + size), slice(left, left + size), 0)):
        raise Incorrect("you occluded one channel only; grey out the patch in every channel",
                        mistake="occluded-channel-grey")
    raise Incorrect("the drop differs: copy the image, set copy[:, top:top + size, left:left + size] "
                    "= 0, return f(image[None])[0] - f(copy[None])[0]", mistake="drop-differs-copy")


q4 = Question(
    "q4", "occlusion of one patch by hand", ["occlusion_drop"], _check_q4,
    hints=["Work on a copy: occluded = image.copy().",
           "The patch is occluded[:, top:top + size, left:left + size] = 0 (every channel).",
           "f takes a batch: return f(image[None])[0] - f(occluded[None])[0]."],
    solution_code='''def occlusion_drop(f, image, top, left, size):
    occluded = image.copy()
    occluded[:, top:top + size, left:left + size] = 0.0
    return f(image[None])[0] - f(occluded[None])[0]''')


# ------------------------------------------------------------------------------- q5
def _q5_inputs():
    rng = np.random.default_rng(5)
    a = rng.uniform(0.0, 1.0, 5)
    W = rng.normal(0.0, 1.0, (3, 5))
    b = rng.normal(0.0, 0.5, 3)
    z = W @ a + b
    z[1] = -abs(z[1]) - 0.2                                     # one negative output:
    b[1] = z[1] - W[1] @ a                                      # the sign of eps matters
    relevance = rng.uniform(0.5, 1.5, 3)
    return a, W, b, relevance, 0.3


def _lrp_epsilon(a, W, b, relevance, eps):
    z = W @ a + b
    return a * (W.T @ (relevance / (z + eps * np.where(z >= 0, 1.0, -1.0))))


def _check_q5(lrp_epsilon_linear):
    function = as_callable(lrp_epsilon_linear, "lrp_epsilon_linear")
    for a, W, b, relevance, eps in (_q5_inputs(), _q5_zero_output()):
        _check_q5_on(function, a, W, b, relevance, eps)
    return "R_j = a_j sum_k W_kj R_k / (z_k + eps sign z_k); the bias keeps the rest"


def _q5_zero_output():
    """A layer whose first output is exactly 0 (quarters add up exactly), with another eps:
    sign(0) counts as +1, so it is divided by +eps, not by 0."""
    a = np.array([0.5, 0.25, 1.0, 0.75])
    W = np.array([[1.0, -2.0, 0.5, -0.25], [0.25, 1.5, -1.0, 2.0]])
    b = np.array([-(W[0] @ a), 0.5])
    return a, W, b, np.array([1.0, 0.5]), 0.125


def _check_q5_on(function, a, W, b, relevance, eps):
    """One input set of question 5."""
    call = f"lrp_epsilon_linear(a, W, b, relevance, {eps})"
    got = call_fresh(function, a, W, b, relevance, eps, what=call,
                 names=["a", "W", "b", "relevance", "eps"])
    z = W @ a + b
    if np.any(z == 0) and not np.all(np.isfinite(as_array(got, call, finite=False))):
        raise Incorrect("z_k is exactly 0 for one output here, and your relevance is infinite or "
                        "NaN: np.sign(0) is 0, so z + eps * np.sign(z) divides by 0; count "
                        "sign(0) as +1, np.where(z >= 0, 1.0, -1.0)",
                        mistake="exactly-output-relevance")
    got = as_array(got, call, shape=a.shape)
    expected = _lrp_epsilon(a, W, b, relevance, eps)
    if is_close(got, expected):
        return
    z_no_bias = W @ a
    if is_close(got, a * (W.T @ (relevance / (z_no_bias + eps * np.sign(z_no_bias))))):
        raise Incorrect("z_k includes the bias: z = W @ a + b", mistake="includes-bias")
    if is_close(got, a * (W.T @ (relevance / (W @ a + b + eps)))):
        raise Incorrect("eps takes the sign of z_k (z + eps * sign(z)); adding +eps to a negative "
                        "z_k moves it towards 0 and inflates the relevance",
                        mistake="eps-takes-sign")
    if is_close(got, W.T @ (relevance / (W @ a + b + eps * np.sign(W @ a + b)))):
        raise Incorrect("multiply by a_j: the share of input j is a_j W_kj / z_k",
                        mistake="multiply-share-input")
    if is_close(got, a * (W.T @ relevance)):
        raise Incorrect("divide each R_k by (z_k + eps sign z_k) before passing it back",
                        mistake="divide-before-passing")
    raise Incorrect("the relevance differs: z = W @ a + b; s = relevance / (z + eps * sign(z)); "
                    "return a * (W.T @ s)", mistake="relevance-differs-relevance")


q5 = Question(
    "q5", "LRP-epsilon for one linear layer", ["lrp_epsilon_linear"], _check_q5,
    hints=["W is (outputs, inputs) as in torch.nn.Linear; z = W @ a + b.",
           "s_k = R_k / (z_k + eps * sign(z_k)), with sign(0) counted as +1.",
           "R_j = a_j * (W.T @ s)_j."],
    solution_code='''def lrp_epsilon_linear(a, W, b, relevance, eps):
    z = W @ a + b
    s = relevance / (z + eps * np.where(z >= 0, 1.0, -1.0))
    return a * (W.T @ s)''')


# ------------------------------------------------------------------------------- q6
METHODS = ("feature visualisation", "TCAV", "network dissection", "occlusion", "LRP",
           "self-explanation")
_QUESTIONS = {
    "what input makes channel 12 fire the most?": "feature visualisation",
    "does the cat score rise along the direction of 'has a timestamp'?": "TCAV",
    "which channels fire exactly on the timestamp's pixels?": "network dissection",
    "does the network's cat decision on this picture depend on the stamp's region: does it change when that region is hidden?": "occlusion",
    "which pixels of this picture does the network's cat score come from, read back through its own layers?": "LRP",
}
#: the five questions of q6, in order (the exercise prints them)
Q6_QUESTIONS = tuple(_QUESTIONS)
_WHY = {
    "feature visualisation": "feature visualisation synthesises an input for one unit; it says "
                             "nothing about a given picture or a named concept",
    "TCAV": "TCAV tests a named concept (a set of pictures) against random sets, for a class",
    "network dissection": "dissection compares units' top activations with labelled masks",
    "occlusion": "occlusion measures the score's fall when a window is grey, one window at a time",
    "LRP": "LRP passes the score backwards, each layer sharing it among its inputs by their "
           "contributions",
}


def _check_q6(method_for):
    answers = as_mapping(method_for, "method_for", keys=list(_QUESTIONS))
    for question, right in _QUESTIONS.items():
        given = as_string(answers[question], f"method_for[{question!r}]")
        match = {m.lower(): m for m in METHODS}.get(given.strip().lower())
        if match is None:
            raise Incorrect(f"method_for[{question!r}] is {given!r}; pick one of {METHODS}",
                            mistake="method-pick")
        if match == "self-explanation":
            raise Incorrect("a model's explanation of itself is a claim to test (Turpin et al. "
                            "2023), not a method that answers a question about the network",
                            mistake="model-explanation-itself")
        if match != right:
            raise Incorrect(f"for {question!r} you chose {match!r}, but {_WHY[match]}",
                            mistake=mistake_from(f"chose {given}", 4))
    return "each method answers its own question; none of them is a self-explanation"


q6 = Question(
    "q6", "which method answers which question", ["method_for"], _check_q6,
    hints=["One unit, no picture given: the method that draws a picture for the unit.",
           "A named concept given as pictures: TCAV; labelled pixel masks: dissection.",
           "Hiding a region and watching the decision is occlusion; tracing the score back to the "
           "pixels through the layers is LRP. "
           "'self-explanation' is never the answer."],
    solution_code='''method_for = {
    "what input makes channel 12 fire the most?": "feature visualisation",
    "does the cat score rise along the direction of 'has a timestamp'?": "TCAV",
    "which channels fire exactly on the timestamp's pixels?": "network dissection",
    "does the network's cat decision on this picture depend on the stamp's region: does it change when that region is hidden?": "occlusion",
    "which pixels of this picture does the network's cat score come from, read back through its own layers?": "LRP",
}''')

QUESTIONS = [q1, q2, q3, q4, q5, q6]
