"""Exercises for notebook 09, evaluating explanations: six checked questions, easy to hard.

Every check runs your function on fresh inputs it builds itself (step counts that do not divide
the number of features, texts with repeated words, attention stacks of several sizes, several
perturbation sets) and compares it with the definition computed here on the same inputs; it
refuses an answer that changes its inputs in place. Nothing is compared with stored numbers.
"""
from __future__ import annotations

import numpy as np
import torch

from . import (PLACEHOLDER, Incorrect, Question, as_array, as_callable, as_mapping, as_number,
               as_string, call_fresh, is_close, plain, mistake_from)

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6", "QUESTIONS", "PLACEHOLDER", "EVALUATIONS",
           "CLAIMS"]


def _linear(weights):
    weights = np.asarray(weights, float)

    def f(batch):
        batch = np.asarray(batch, float)
        if batch.ndim != 2:
            raise TypeError(f"f takes a batch of rows, shape (n, {len(weights)}); it got shape "
                            f"{batch.shape} (use x[None] for one row)")
        return batch @ weights + 0.2 * batch[:, 0] * batch[:, -1]
    return f


# ------------------------------------------------------------------------------- q1
def _deletion(f, x, attribution, steps, counts=round, order=None, insertion=False):
    order = np.argsort(-np.asarray(attribution)) if order is None else order
    M = len(x)
    batch = []
    for k in range(steps + 1):
        m = int(counts(k * M / steps))
        if insertion:
            row = np.zeros_like(x)
            row[order[:m]] = x[order[:m]]
        else:
            row = x.copy()
            row[order[:m]] = 0.0
        batch.append(row)
    return f(np.stack(batch))


def _q1_cases():
    """(f, x, attribution, steps): 7 features in 3 steps and 10 in 4, so that round, floor and
    ceil of k M / steps differ; attributions with negative entries and a sign that differs from
    their size order; x far from the baseline 0."""
    cases = []
    for seed, M, steps in ((1, 7, 3), (2, 10, 4), (3, 5, 5)):
        rng = np.random.default_rng(seed)
        weights, x = rng.normal(size=M), rng.uniform(0.5, 1.5, M)
        attribution = weights * x + rng.normal(0, 0.01, M)
        cases.append((_linear(weights), x, attribution, steps))
    return cases


def _check_q1(deletion_scores):
    function = as_callable(deletion_scores, "deletion_scores")
    for f, x, attribution, steps in _q1_cases():
        M = len(x)
        call = f"deletion_scores(f, x of {M} features, attribution, steps={steps})"
        got = as_array(call_fresh(function, f, x, attribution, steps, what=call,
                                  names=["f", "x", "attribution", "steps"]), call, ndim=1)
        if got.shape == (steps,):
            raise Incorrect(f"{call} returns {steps} scores; the curve has steps + 1 = "
                            f"{steps + 1}: start with nothing removed (the score of x itself)",
                            mistake="scores-curve-steps")
        if got.shape != (steps + 1,):
            raise Incorrect(f"{call} should return steps + 1 = {steps + 1} scores, one per "
                            f"copy of x; it returns {got.size}", mistake="steps-scores-per")
        expected = _deletion(f, x, attribution, steps)
        if is_close(got, expected):
            continue
        variants = [
            (_deletion(f, x, -attribution, steps),
             "you removed the least important features first: sort by decreasing attribution "
             "(np.argsort(-attribution))"),
            (_deletion(f, x, attribution, steps, insertion=True),
             "that is the insertion curve (starting from the baseline); deletion starts from x "
             "and sets the top features to 0"),
            (_deletion(f, x, np.abs(attribution), steps),
             "you ranked by |attribution|; rank by the signed attribution: the features that "
             "push the score up come first"),
            (_deletion(f, x, attribution, steps, counts=np.floor),
             f"you rounded k·M/steps down (int() or //); the question says round(k·M/steps): "
             f"with M = {M} and {steps} steps they differ"),
            (_deletion(f, x, attribution, steps, counts=lambda v: np.floor(v + 0.5)),
             "you rounded halves up (int(v + 0.5)); Python's round(), which the question "
             "uses, takes a half to the even number (round(2.5) == 2)"),
            (_deletion(f, x, attribution, steps, counts=np.ceil),
             f"you rounded k·M/steps up (ceil); the question says round(k·M/steps): with M = "
             f"{M} and {steps} steps they differ"),
            (_deletion(f, x, attribution, steps, order=np.arange(M)),
             "you removed the features in their own order (0, 1, 2, ...); order them by "
             "decreasing attribution first"),
            (_deletion(f, x, attribution, steps)[::-1],
             "the curve is reversed: it starts at f(x), nothing removed, and ends with every "
             "feature removed"),
        ]
        for values, message in variants:
            if is_close(got, values):
                raise Incorrect(message, mistake=mistake_from(message))
        if not np.isclose(got[0], f(x[None])[0]):
            raise Incorrect(f"{call}: the first score should be f(x) = {plain(f(x[None])[0])}, "
                            "with nothing removed yet", mistake="first-score-nothing")
        worst = int(np.argmax(np.abs(got - expected)))
        raise Incorrect(f"{call}: score {worst} is {plain(got[worst])}, expected "
                        f"{plain(expected[worst])}: at step k set the first round(k * M / "
                        "steps) features of the order to 0 and record f", mistake="score-step-set")
    return ("the score after removing more and more features, most important first, with "
            "round(k·M/steps) features at step k")


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
    """A bag-of-words score in which a repeated word counts each time, and "not" turns the
    sign of the word after it (so order matters too)."""
    scores = []
    for tokens in token_lists:
        if isinstance(tokens, str):
            raise TypeError("f takes a list of token lists, f([tokens, ...]); it got a list of "
                            "strings (wrap one text in a list: f([tokens]))")
        tokens = list(tokens)
        score = 0.3
        for i, t in enumerate(tokens):
            sign = -1.0 if i > 0 and tokens[i - 1] == "not" else 1.0
            score += sign * _WORDS.get(t, 0.0)
        scores.append(score)
    return np.array(scores)


def _q2_cases():
    """Texts in which a rationale word also appears outside the rationale."""
    return [(["i", "love", "it", "it", "works", "great", "but", "great", "taste", "awful"], [1, 5]),
            (["great", "not", "great", "it", "works", "works"], [0, 4]),
            (["not", "great", "it", "great", "works"], [0, 1, 3]),
            (["awful", "awful", "love", "not", "love"], [1, 2])]


def _comp_suff(tokens, rationale, by_value=False, as_set=False):
    keep_out = (lambda i, t: t in {tokens[j] for j in rationale}) if by_value else (
        lambda i, t: i in rationale)
    without = [t for i, t in enumerate(tokens) if not keep_out(i, t)]
    alone = [t for i, t in enumerate(tokens) if keep_out(i, t)]
    if as_set:
        alone = sorted(set(alone))
    full, f_without, f_alone = _review_score([tokens, without, alone])
    return np.array([full - f_without, full - f_alone])


def _check_q2(comp_suff):
    function = as_callable(comp_suff, "comp_suff")
    for tokens, rationale in _q2_cases():
        call = f"comp_suff(f, {tokens}, rationale={rationale})"
        got = call_fresh(function, _review_score, tokens, rationale, what=call,
                         names=["f", "tokens", "rationale"])
        if not isinstance(got, (tuple, list, np.ndarray)) and np.ndim(np.asarray(got, dtype=object)) == 0:
            raise Incorrect("return two numbers, (comprehensiveness, sufficiency), not one",
                            mistake="not-two-numbers")
        got = as_array(got, call, shape=(2,))
        expected = _comp_suff(tokens, rationale)
        if is_close(got, expected):
            continue
        full = _review_score([tokens])[0]
        variants = [
            (_comp_suff(tokens, rationale, by_value=True),
             "you removed every copy of the rationale's words; the rationale is a list of "
             "positions: remove (or keep) those positions only, a repeated word elsewhere stays"),
            (expected[::-1], "the two are swapped: comprehensiveness deletes the rationale, "
                             "sufficiency keeps only the rationale"),
            (full - expected, "those are the scores of the reduced texts; return the drops "
                              "f(full text) - f(reduced text)"),
            (-expected, "the signs are flipped: comprehensiveness = f(x) - f(x without r)"),
            (_comp_suff(tokens, rationale, as_set=True),
             "the rationale alone keeps its tokens in their order and with repeats: a set loses "
             "both"),
        ]
        for values, message in variants:
            if is_close(got, np.asarray(values, dtype=float)):
                raise Incorrect(f"{call}: {message}", mistake=mistake_from(message))
        if np.isclose(got[0], got[1]):
            raise Incorrect(f"{call}: both numbers are equal; one text must lack the rationale, "
                            "the other hold only the rationale", mistake="both-numbers-equal")
        raise Incorrect(f"{call} gives ({plain(got[0])}, {plain(got[1])}), expected "
                        f"({plain(expected[0])}, {plain(expected[1])}): build [t for i, t in "
                        "enumerate(tokens) if i not in rationale] and the kept tokens, then "
                        "subtract their scores from f([tokens])", mistake="build-enumerate-if")
    return ("right on texts where a rationale word is repeated outside the rationale: positions, "
            "not words, are removed")


q2 = Question(
    "q2", "comprehensiveness and sufficiency of a rationale", ["comp_suff"], _check_q2,
    hints=["f takes a list of token lists and returns one score per list.",
           "without = tokens minus the rationale positions (a word repeated elsewhere stays); "
           "alone = only those positions, in order.",
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


def _rollout(attentions, residual=True, combine="mean", order="later left", product="matrix"):
    result = None
    for A in attentions:
        A = A.double()
        A = A.mean(0) if combine == "mean" else A.max(0).values if combine == "max" else A.sum(0)
        if residual:
            A = 0.5 * A + 0.5 * torch.eye(A.shape[-1], dtype=A.dtype)
        A = A / A.sum(-1, keepdim=True)
        if result is None:
            result = A
        elif product == "elementwise":
            result = A * result
        else:
            result = A @ result if order == "later left" else result @ A
    return result.numpy()


def _check_q3(rollout):
    function = as_callable(rollout, "rollout")
    for seed, layers, heads, T in ((3, 3, 2, 5), (4, 4, 3, 6), (5, 2, 1, 4)):
        attentions = _random_attentions(seed, layers, heads, T)
        call = f"rollout({layers} layers of shape ({heads}, {T}, {T}))"
        got = call_fresh(function, attentions, what=call, names=["attentions"])
        got = as_array(got, call, shape=(T, T))
        expected = _rollout(attentions)
        if is_close(got, expected, atol=1e-6):
            continue
        variants = [
            (_rollout(attentions, product="elementwise"),
             "you multiplied the layers elementwise (*); layers compose by the matrix product, "
             "R = A_l @ R"),
            (_rollout(attentions, residual=False),
             "you left out the residual connection: each layer is 0.5 A + 0.5 I"),
            (_rollout(attentions, order="later right"),
             "the product is in the wrong order: later layers multiply on the left, R = A3 @ "
             "A2 @ A1"),
            (_rollout(attentions[-1:]), "that is the last layer only; multiply all the layers"),
            (_rollout(attentions[:1]), "that is the first layer only; multiply all the layers"),
            (_rollout(attentions, combine="max"), "average the heads (mean over axis 0), do not "
                                                  "take their maximum"),
            (expected.T, "you returned the transpose: row i of R says how much output token i "
                         "draws on each input token, R = A_L ... A_1 as written"),
        ]
        for values, message in variants:
            if is_close(got, values, atol=1e-6):
                raise Incorrect(message, mistake=mistake_from(message))
        if not np.allclose(got.sum(-1), 1, atol=1e-6):
            raise Incorrect(f"{call}: the rows of the rollout should sum to 1, yours sum to "
                            f"{plain(got.sum(-1)[0])} (row 0): use 0.5 A + 0.5 I with A the "
                            "mean over heads (or renormalise the rows of A + I)",
                            mistake="rows-rollout-sum")
        raise Incorrect(f"{call}: the values differ from the rollout: average the heads, "
                        "add the identity (0.5 A + 0.5 I), multiply the layers, later on the left",
                        mistake="values-differ-rollout")
    return "rollout = A_L ... A_2 A_1 with A = 0.5 mean_heads + 0.5 I, on stacks of 2 to 4 layers"


q3 = Question(
    "q3", "attention rollout", ["rollout"], _check_q3,
    hints=["Each entry of attentions is (heads, T, T): A.mean(0) averages the heads.",
           "With the residual: A = 0.5 * A + 0.5 * torch.eye(T).",
           "R = A_1; then for each later layer R = A_l @ R (a matrix product, not *)."],
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
    if batch.ndim != 2:
        raise TypeError(f"f takes a batch of rows, shape (n, 3); it got shape {batch.shape} "
                        "(use x[None] for one row)")
    return np.tanh(batch @ np.array([1.0, -2.0, 0.5])) + batch[:, 0] ** 2


def _infidelity(f, x, attribution, perturbations, sign=1, square=True, mean=True, flip=False):
    change = f(x[None])[0] - f(x[None] + sign * -perturbations)
    error = perturbations @ attribution + change if flip else perturbations @ attribution - change
    error = error ** 2 if square else np.abs(error)
    return error.mean() if mean else error.sum()


def _check_q4(my_infidelity):
    function = as_callable(my_infidelity, "my_infidelity")
    rng = np.random.default_rng(44)
    cases = [(np.array([0.3, -0.2, 0.5]), np.array([0.9, -1.5, 0.4]), rng.normal(0, 0.1, (16, 3))),
             (np.array([-0.4, 0.6, 1.0]), np.array([-0.2, 0.3, 1.1]), rng.normal(0, 0.3, (5, 3)))]
    for x, attribution, perturbations in cases:
        call = f"my_infidelity(f, x, attribution, {len(perturbations)} perturbations)"
        got = as_number(call_fresh(function, _q4_model, x, attribution, perturbations, what=call,
                                   names=["f", "x", "attribution", "perturbations"]), call)
        args = (_q4_model, x, attribution, perturbations)
        expected = _infidelity(*args)
        if np.isclose(got, expected, rtol=1e-6, atol=1e-12):
            continue
        variants = [
            (_infidelity(*args, sign=-1), "you evaluated f(x + I); infidelity compares with "
                                          "f(x) - f(x - I)"),
            (_infidelity(*args, square=False), "square the gap: infidelity is a mean squared "
                                               "error"),
            (_infidelity(*args, mean=False), "that is the sum over the perturbations; take the "
                                             "mean (divide by their number)"),
            (_infidelity(*args, flip=True), "a sign is flipped: the gap is I . a - (f(x) - "
                                            "f(x - I))"),
            (np.sqrt(expected), "you took the square root; infidelity is the mean squared gap "
                                "itself"),
            (np.mean(perturbations @ attribution - (_q4_model(x[None])[0]
                                                    - _q4_model(x[None] - perturbations))) ** 2,
             "you squared the mean gap; infidelity is the mean of the squared gaps"),
        ]
        for value, message in variants:
            if np.isclose(got, value, rtol=1e-6, atol=1e-12):
                raise Incorrect(message, mistake=mistake_from(message))
        raise Incorrect(f"{call} is {plain(got)}, expected {plain(expected)}: for each row I of "
                        "perturbations compute I . a and f(x) - f(x - I), then average the "
                        "squared difference", mistake="row-perturbations-compute")
    return "the mean squared gap between I . a and f(x) - f(x - I), on two perturbation sets"


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
def _top(v, k):
    return set(np.argsort(-np.abs(v))[:k].tolist())


def _check_q5(feature_agreement):
    function = as_callable(feature_agreement, "feature_agreement")
    a = np.array([0.9, -0.8, 0.1, 0.05, -0.02, 0.3, -0.45])
    b = np.array([0.7, 0.05, -0.6, 0.02, 0.01, 0.4, -0.03])
    cases = [(a, b, 3), (a, -b, 2), (b, a, 4), (a, b, 1), (a, b[::-1].copy(), 5)]
    got = []
    for first, second, k in cases:
        call = f"feature_agreement(a, b, k={k})"
        got.append(as_number(call_fresh(function, first, second, k, what=call,
                                        names=["a", "b", "k"]), call))
    got = np.array(got)
    shared = np.array([len(_top(x, k) & _top(y, k)) for x, y, k in cases])
    ks = np.array([k for _, _, k in cases])
    want = shared / ks
    if is_close(got, want):
        return "the share of the top-k features (by |value|) that both attributions share"
    signed = lambda v, k: set(np.argsort(-v)[:k].tolist())  # noqa: E731
    low = lambda v, k: set(np.argsort(np.abs(v))[:k].tolist())  # noqa: E731
    variants = [  # a slip is one rule: it must fit every case
        ([len(signed(x, k) & signed(y, k)) / k for x, y, k in cases],
         "rank by the absolute value: a large negative attribution is important too"),
        ([len(low(x, k) & low(y, k)) / k for x, y, k in cases],
         "you took the k smallest |values|; take the k largest"),
        (shared, "return the share of the k features in common (divide by k), not their count"),
        (shared / (2 * ks - shared), "that is the Jaccard index (intersection over union); "
                                     "divide the intersection by k"),
        (shared / len(a), "divide the number in common by k, not by the number of features"),
        ([len(_top(x, k + 1) & _top(y, k + 1)) / k for x, y, k in cases],
         "np.argsort(...)[:k] keeps k features; you kept k + 1"),
    ]
    for values, message in variants:
        if is_close(got, np.asarray(values, dtype=float)):
            raise Incorrect(message, mistake=mistake_from(message))
    worst = int(np.argmax(np.abs(got - want)))
    raise Incorrect(f"for k = {cases[worst][2]} the agreement is {plain(want[worst])}, you have "
                    f"{plain(got[worst])}: the share of the k largest |a| that are among the k "
                    "largest |b|", mistake="agreement-share-largest")


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
#: The four claims of q6, in the order the notebook lists them.
CLAIMS = tuple(_CLAIMS)
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
            raise Incorrect(f"evaluation[{claim!r}] is {given!r}; pick one of {EVALUATIONS}",
                            mistake="evaluation-pick")
        if given == "agreement":
            raise Incorrect("agreement between methods supports no claim about the model: two "
                            "methods can agree and both be wrong",
                            mistake="agreement-between-methods")
        if given != right:
            raise Incorrect(f"for {claim!r} you chose {given!r}, but {_WHY[given]}",
                            mistake=mistake_from(f"chose {given}", 4))
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
