"""Exercises for notebook 09, evaluating explanations: six checked questions, easy to hard.

Every check runs your code on inputs it builds (small linear models, random attention maps,
token lists) and compares it with ``course_lib.faithfulness`` / ``course_lib.attention`` on the
same inputs; nothing is compared with stored numbers.
"""
from __future__ import annotations

import numpy as np
import torch

from .. import attention, faithfulness
from . import (PLACEHOLDER, Incorrect, Question, as_array, as_callable, as_mapping, as_number,
               as_string, call_learner, is_close)

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6", "QUESTIONS", "PLACEHOLDER", "EVALUATIONS"]


def _linear(weights):
    weights = np.asarray(weights, float)
    return lambda batch: np.asarray(batch, float).reshape(len(batch), -1) @ weights


# ------------------------------------------------------------------------------- q1
def _check_q1(deletion_scores):
    function = as_callable(deletion_scores, "deletion_scores")
    rng = np.random.default_rng(1)
    weights, x = rng.normal(size=8), rng.uniform(0.5, 1.5, 8)
    f = _linear(weights)
    attribution = weights * x + rng.normal(0, 0.01, 8)
    steps = 4
    expected = faithfulness.deletion_curve(f, x, attribution, steps=steps).scores
    got = call_learner(function, f, x, attribution, steps,
                       what="deletion_scores(f, x, attribution, steps)")
    got = as_array(got, "deletion_scores(f, x, attribution, steps)", ndim=1)
    if got.shape == (steps,):
        raise Incorrect(f"you returned {steps} scores; the curve has steps + 1 = {steps + 1}: "
                        "start with nothing removed (the model's score on x itself)")
    if got.shape != expected.shape:
        raise Incorrect(f"the curve should have steps + 1 = {steps + 1} scores, got {got.size}")
    if is_close(got, expected):
        return "the score after removing 0, 2, 4, 6 and all 8 features, most important first"
    reverse = faithfulness.deletion_curve(f, x, -attribution, steps=steps).scores
    if is_close(got, reverse):
        raise Incorrect("you removed the least important features first: sort by decreasing "
                        "attribution (np.argsort(-attribution))")
    insertion = faithfulness.insertion_curve(f, x, attribution, steps=steps).scores
    if is_close(got, insertion):
        raise Incorrect("that is the insertion curve (starting from the baseline); deletion "
                        "starts from x and sets the top features to 0")
    by_size = faithfulness.deletion_curve(f, x, np.abs(attribution), steps=steps).scores
    if is_close(got, by_size):
        raise Incorrect("you ranked by |attribution|; rank by the signed attribution: the "
                        "features that push the score up come first")
    if not np.isclose(got[0], f(x[None])[0]):
        raise Incorrect("the first score should be f(x), with nothing removed yet")
    raise Incorrect("the scores differ from the deletion curve: at step k set the first "
                    "round(k * M / steps) features of the order to 0 and record f")


q1 = Question(
    "q1", "a deletion curve by hand", ["deletion_scores"], _check_q1,
    hints=["order = np.argsort(-attribution): the most important feature first.",
           "For k in 0..steps, remove m = round(k * len(x) / steps) features: copy x and set "
           "copy[order[:m]] = 0.",
           "Collect the copies into one batch and return f(batch), steps + 1 scores."],
    solution_code='''def deletion_scores(f, x, attribution, steps):
    order = np.argsort(-np.asarray(attribution))
    batch = []
    for k in range(steps + 1):
        removed = x.copy()
        removed[order[:round(k * len(x) / steps)]] = 0.0
        batch.append(removed)
    return f(np.stack(batch))''')


# ------------------------------------------------------------------------------- q2
_WORDS = {"great": 0.4, "love": 0.25, "works": 0.15, "awful": -0.3}


def _review_score(token_lists):
    return np.array([0.3 + sum(_WORDS.get(t, 0.0) for t in tokens) for tokens in token_lists])


def _check_q2(comp_suff):
    function = as_callable(comp_suff, "comp_suff")
    tokens = ["i", "love", "it", "it", "works", "great", "but", "awful", "taste"]
    rationale = [1, 5]
    expected = (faithfulness.comprehensiveness(_review_score, tokens, rationale),
                faithfulness.sufficiency(_review_score, tokens, rationale))
    got = call_learner(function, _review_score, list(tokens), list(rationale),
                       what="comp_suff(f, tokens, rationale)")
    if not isinstance(got, (tuple, list, np.ndarray)) and np.ndim(np.asarray(got, dtype=object)) == 0:
        raise Incorrect("return two numbers, (comprehensiveness, sufficiency), not one")
    got = as_array(got, "comp_suff(f, tokens, rationale)", shape=(2,))
    if is_close(got, expected):
        return "removing love and great costs 0.65; keeping only them even raises the score by 0.15"
    full = _review_score([tokens])[0]
    if is_close(got, expected[::-1]):
        raise Incorrect("the two are swapped: comprehensiveness deletes the rationale, "
                        "sufficiency keeps only the rationale")
    if is_close(got, [full - expected[0], full - expected[1]]):
        raise Incorrect("those are the scores of the reduced texts; return the drops "
                        "f(full text) - f(reduced text)")
    if is_close(got, [-expected[0], -expected[1]]):
        raise Incorrect("the signs are flipped: comprehensiveness = f(x) - f(x without r)")
    if np.isclose(got[0], got[1]):
        raise Incorrect("both numbers are equal: one text must lack the rationale, the other "
                        "hold only the rationale")
    raise Incorrect("the values differ: build [t for i, t in enumerate(tokens) if i not in "
                    "rationale] and the kept tokens, then subtract their scores from f(tokens)")


q2 = Question(
    "q2", "comprehensiveness and sufficiency of a rationale", ["comp_suff"], _check_q2,
    hints=["f takes a list of token lists and returns one score per list.",
           "without = tokens minus the rationale positions; alone = only those positions.",
           "Return (f(full) - f(without), f(full) - f(alone))."],
    solution_code='''def comp_suff(f, tokens, rationale):
    without = [t for i, t in enumerate(tokens) if i not in rationale]
    alone = [t for i, t in enumerate(tokens) if i in rationale]
    full, f_without, f_alone = f([tokens, without, alone])
    return full - f_without, full - f_alone''')


# ------------------------------------------------------------------------------- q3
def _random_attentions(seed, n_layers=3, heads=2, T=5):
    generator = torch.Generator().manual_seed(seed)
    return [torch.rand(heads, T, T, generator=generator).mul(3).softmax(-1)
            for _ in range(n_layers)]


def _check_q3(rollout):
    function = as_callable(rollout, "rollout")
    attentions = _random_attentions(3)
    expected = attention.attention_rollout(attentions).numpy()
    got = call_learner(function, [A.clone() for A in attentions], what="rollout(attentions)")
    got = as_array(got, "rollout(attentions)", shape=expected.shape)
    if is_close(got, expected, atol=1e-6):
        return "rollout = A3 A2 A1 with A = 0.5 mean_heads + 0.5 I"
    layers = [0.5 * A.double().mean(0) + 0.5 * torch.eye(5, dtype=torch.float64) for A in attentions]
    if is_close(got, attention.attention_rollout(attentions, add_residual=False).numpy(), 1e-6):
        raise Incorrect("you left out the residual connection: each layer is 0.5 A + 0.5 I")
    if is_close(got, (layers[0] @ layers[1] @ layers[2]).numpy(), 1e-6):
        raise Incorrect("the product is in the wrong order: later layers multiply on the "
                        "left, R = A3 @ A2 @ A1")
    if is_close(got, layers[-1].numpy(), 1e-6):
        raise Incorrect("that is the last layer only; multiply all the layers")
    maxed = [0.5 * A.double().max(0).values + 0.5 * torch.eye(5, dtype=torch.float64)
             for A in attentions]
    maxed = [A / A.sum(-1, keepdim=True) for A in maxed]
    if is_close(got, (maxed[2] @ maxed[1] @ maxed[0]).numpy(), 1e-6):
        raise Incorrect("average the heads (mean over axis 0), do not take their maximum")
    if not np.allclose(got.sum(-1), 1, atol=1e-6):
        raise Incorrect("the rows of the rollout should sum to 1: use 0.5 A + 0.5 I (or "
                        "renormalise the rows of A + I)")
    raise Incorrect("the values differ from the rollout: average the heads, add the identity, "
                    "multiply the layers")


q3 = Question(
    "q3", "attention rollout", ["rollout"], _check_q3,
    hints=["Each entry of attentions is (heads, T, T): A.mean(0) averages the heads.",
           "With the residual: A = 0.5 * A + 0.5 * torch.eye(T).",
           "R = A_1; then for each later layer R = A_l @ R."],
    solution_code='''def rollout(attentions):
    result = None
    for A in attentions:
        A = A.double().mean(0)
        A = 0.5 * A + 0.5 * torch.eye(A.shape[-1], dtype=A.dtype)
        A = A / A.sum(-1, keepdim=True)
        result = A if result is None else A @ result
    return result''')


# ------------------------------------------------------------------------------- q4
def _q4_model(batch):
    batch = np.asarray(batch, float)
    return np.tanh(batch @ np.array([1.0, -2.0, 0.5])) + batch[:, 0] ** 2


def _reference_infidelity(f, x, attribution, perturbations, sign=1, square=True, mean=True):
    change = f(x[None])[0] - f(x[None] + sign * -perturbations)
    error = perturbations @ attribution - change
    error = error ** 2 if square else np.abs(error)
    return error.mean() if mean else error.sum()


def _check_q4(my_infidelity):
    function = as_callable(my_infidelity, "my_infidelity")
    rng = np.random.default_rng(4)
    x, attribution = np.array([0.3, -0.2, 0.5]), np.array([0.9, -1.5, 0.4])
    perturbations = rng.normal(0, 0.1, (16, 3))
    expected = _reference_infidelity(_q4_model, x, attribution, perturbations)
    got = call_learner(function, _q4_model, x.copy(), attribution.copy(), perturbations.copy(),
                       what="my_infidelity(f, x, attribution, perturbations)")
    got = as_number(got, "my_infidelity(f, x, attribution, perturbations)")
    if np.isclose(got, expected, rtol=1e-6, atol=1e-12):
        return "the mean squared gap between I . a and f(x) - f(x - I)"
    if np.isclose(got, _reference_infidelity(_q4_model, x, attribution, perturbations, sign=-1)):
        raise Incorrect("you evaluated f(x + I); infidelity compares with f(x) - f(x - I)")
    if np.isclose(got, _reference_infidelity(_q4_model, x, attribution, perturbations, square=False)):
        raise Incorrect("square the gap: infidelity is a mean squared error")
    if np.isclose(got, _reference_infidelity(_q4_model, x, attribution, perturbations, mean=False)):
        raise Incorrect("that is the sum over the perturbations; take the mean (divide by "
                        "their number)")
    flipped = np.mean((perturbations @ attribution
                       + (_q4_model(x[None])[0] - _q4_model(x[None] - perturbations))) ** 2)
    if np.isclose(got, flipped):
        raise Incorrect("a sign is flipped: the gap is I . a - (f(x) - f(x - I))")
    raise Incorrect("the value differs: for each row I of perturbations compute I . a and "
                    "f(x) - f(x - I), then average the squared difference")


q4 = Question(
    "q4", "infidelity for given perturbations", ["my_infidelity"], _check_q4,
    hints=["perturbations is (n, d): one perturbation I per row.",
           "predicted = perturbations @ attribution; change = f(x[None]) - f(x[None] - perturbations).",
           "Return np.mean((predicted - change) ** 2)."],
    solution_code='''def my_infidelity(f, x, attribution, perturbations):
    predicted = perturbations @ attribution
    change = f(x[None])[0] - f(x[None] - perturbations)
    return np.mean((predicted - change) ** 2)''')


# ------------------------------------------------------------------------------- q5
def _check_q5(feature_agreement):
    function = as_callable(feature_agreement, "feature_agreement")
    a = np.array([0.9, -0.8, 0.1, 0.05, -0.02, 0.3])
    b = np.array([0.7, 0.05, -0.6, 0.02, 0.01, 0.4])
    cases = [(a, b, 3), (a, -b, 2), (b, a, 4)]
    for first, second, k in cases:
        expected = faithfulness.top_k_agreement(first, second, k)
        got = call_learner(function, first.copy(), second.copy(), k,
                           what="feature_agreement(a, b, k)")
        got = as_number(got, "feature_agreement(a, b, k)")
        if np.isclose(got, expected):
            continue
        top = lambda v, k: set(np.argsort(-v)[:k])
        signed = len(top(first, k) & top(second, k)) / k
        if np.isclose(got, signed):
            raise Incorrect("rank by the absolute value: a large negative attribution is "
                            "important too")
        low = lambda v, k: set(np.argsort(np.abs(v))[:k])
        if np.isclose(got, len(low(first, k) & low(second, k)) / k):
            raise Incorrect("you took the k smallest |values|; take the k largest")
        shared = expected * k
        if np.isclose(got, shared):
            raise Incorrect("return the share of the k features in common (divide by k), not "
                            "their count")
        if np.isclose(got, shared / (2 * k - shared)):
            raise Incorrect("that is the Jaccard index (intersection over union); divide the "
                            "intersection by k")
        raise Incorrect(f"for k = {k} the agreement is {expected:.3f}, you have {got:.3f}")
    return "the share of the top-k features (by |value|) that both attributions share"


q5 = Question(
    "q5", "top-k feature agreement", ["feature_agreement"], _check_q5,
    hints=["np.argsort(-np.abs(a))[:k] gives the k most important features of a.",
           "Turn both into sets and intersect them.",
           "Return len(intersection) / k."],
    solution_code='''def feature_agreement(a, b, k):
    top_a = set(np.argsort(-np.abs(a))[:k])
    top_b = set(np.argsort(-np.abs(b))[:k])
    return len(top_a & top_b) / k''')


# ------------------------------------------------------------------------------- q6
EVALUATIONS = ("sanity check", "deletion", "sufficiency", "stability", "agreement")
_CLAIMS = {
    "the map changes when the weights are randomised": "sanity check",
    "the highlighted pixels are those the score needs most": "deletion",
    "the three highlighted words alone keep the prediction": "sufficiency",
    "a tiny change of the input leaves the explanation alike": "stability",
}
_WHY = {
    "sanity check": "a sanity check only shows that the map depends on the model",
    "deletion": "deletion measures how fast the score falls when the top features go",
    "sufficiency": "sufficiency keeps only the rationale and measures what is lost",
    "stability": "stability compares explanations of nearby inputs",
}


def _check_q6(evaluation):
    answers = as_mapping(evaluation, "evaluation", keys=list(_CLAIMS))
    for claim, right in _CLAIMS.items():
        given = as_string(answers[claim], f"evaluation[{claim!r}]").lower()
        if given not in EVALUATIONS:
            raise Incorrect(f"evaluation[{claim!r}] is {given!r}; pick one of {EVALUATIONS}")
        if given == "agreement":
            raise Incorrect("agreement between methods supports no claim about the model: two "
                            "methods can agree and both be wrong")
        if given != right:
            raise Incorrect(f"for {claim!r} you chose {given!r}, but {_WHY[given]}")
    return "and agreement between methods supports none of them"


q6 = Question(
    "q6", "which evaluation supports which claim", ["evaluation"], _check_q6,
    hints=["Randomising the weights is the sanity check; removing the top features is deletion.",
           "Keeping only the rationale is sufficiency; nearby inputs are stability.",
           "'agreement' is never the answer."],
    solution_code='''evaluation = {
    "the map changes when the weights are randomised": "sanity check",
    "the highlighted pixels are those the score needs most": "deletion",
    "the three highlighted words alone keep the prediction": "sufficiency",
    "a tiny change of the input leaves the explanation alike": "stability",
}''')

QUESTIONS = [q1, q2, q3, q4, q5, q6]
