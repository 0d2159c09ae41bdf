"""Exercises for notebook 11, embeddings and a pretrained transformer: six checked questions.

Every check builds its own small inputs (random embeddings with rows of different lengths,
queries and keys whose width differs from the number of tokens, attention maps that do not
commute, a function whose integrated gradients are known in closed form, token ids with
[CLS] and [SEP]) and compares your code with ``course_lib`` on them; it also checks that your
code leaves its inputs unchanged. Nothing is compared with stored numbers.
"""
from __future__ import annotations

import numpy as np

from .. import attention
from . import (PLACEHOLDER, Incorrect, Question, as_array, as_callable, as_mapping, as_number,
               call_fresh, is_close)

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6", "QUESTIONS", "PLACEHOLDER", "TSNE_CLAIMS"]


def _call(function, inputs: dict, what: str):
    """The learner's function on copies of the check's own inputs; an input changed in place is named."""
    return call_fresh(function, *inputs.values(), what=what, names=list(inputs))


# ------------------------------------------------------------------------------- q1
def _cosine_order(E, query):
    similarity = E @ query / (np.linalg.norm(E, axis=1) * np.linalg.norm(query))
    return np.lexsort((np.arange(len(E)), -similarity))


def _check_q1(nearest):
    function = as_callable(nearest, "nearest")
    rng = np.random.default_rng(11)
    for trial, k in enumerate((3, 5)):
        E = rng.normal(size=(12, 6)) * rng.uniform(0.2, 5.0, size=(12, 1))   # lengths differ
        query = rng.normal(size=6) * 3.0
        got = _call(function, {"E": E, "query": query, "k": k}, "nearest(E, query, k)")
        got = as_array(got, "nearest(E, query, k)", ndim=1)
        expected = _cosine_order(E, query)[:k]
        if got.shape == (12,):
            raise Incorrect(f"you returned one number per row; return the indices of the {k} "
                            "most similar rows only (order[:k])", mistake="number-per-row")
        if got.shape != (k,):
            raise Incorrect(f"return the {k} indices of the most similar rows, got {got.size} "
                            "numbers", mistake="indices-similar-rows")
        if np.array_equal(got, expected):
            continue
        if np.all((got >= 0) & (got <= 1.0001)) and not np.all(got == np.round(got)):
            raise Incorrect("those look like similarities; return the row indices "
                            "(np.argsort(-similarity)[:k])", mistake="similarities-row-indices")
        if np.array_equal(got, _cosine_order(E, query)[::-1][:k]):
            raise Incorrect("those are the least similar rows: sort by decreasing similarity, "
                            "np.argsort(-similarity)", mistake="least-similar-rows")
        if np.array_equal(got, np.argsort(-(E @ query), kind="stable")[:k]):
            raise Incorrect("you ranked by the raw dot product E @ query: divide by the lengths "
                            "|E_i| |query| so that long vectors do not win (cosine similarity)",
                            mistake="ranked-raw-dot")
        if np.array_equal(got, np.argsort(np.linalg.norm(E - query, axis=1), kind="stable")[:k]):
            raise Incorrect("you ranked by Euclidean distance; the question asks for cosine "
                            "similarity, which ignores the vectors' lengths",
                            mistake="ranked-euclidean-distance")
        if set(got.tolist()) == set(expected.tolist()):
            raise Incorrect("the right rows but in the wrong order: the most similar comes first",
                            mistake="right-rows-wrong")
        if np.array_equal(got, expected + 1) or np.array_equal(got, _cosine_order(E, query)[1:k + 1]):
            raise Incorrect("off by one: Python counts rows from 0, and the query is not a row of "
                            "E, so nothing needs to be skipped", mistake="off-python-counts")
        raise Incorrect(f"for k={k} the {k} most similar rows are {expected.tolist()}, you "
                        f"returned {got.astype(int).tolist()}: similarity = E @ query / "
                        "(norm of each row * norm of query)", mistake="similar-rows-similarity")
    return "cosine similarity ranks by angle, whatever the lengths of the vectors"


q1 = Question(
    "q1", "nearest examples by cosine similarity", ["nearest"], _check_q1,
    hints=["Cosine similarity: E @ query divided by np.linalg.norm(E, axis=1) * np.linalg.norm(query).",
           "np.argsort(-similarity) orders the rows from the most similar.",
           "Return the first k of that order, without changing E or query."],
    solution_code='''def nearest(E, query, k):
    similarity = E @ query / (np.linalg.norm(E, axis=1) * np.linalg.norm(query))
    return np.argsort(-similarity, kind="stable")[:k]''')


# ------------------------------------------------------------------------------- q2
def _softmax(z):
    z = z - z.max()
    return np.exp(z) / np.exp(z).sum()


def _check_q2(attention_row):
    function = as_callable(attention_row, "attention_row")
    rng = np.random.default_rng(12)
    for d, T in ((16, 5), (9, 7)):                                    # d differs from T
        _trial_q2(function, rng.normal(size=d) * 1.5, rng.normal(size=(T, d)) * 1.5)
    return "each weight is softmax(q . k_j / sqrt(d)); they sum to 1"


def _trial_q2(function, q, K):
    d, T = len(q), len(K)
    got = _call(function, {"q": q, "K": K}, "attention_row(q, K)")
    got = as_array(got, "attention_row(q, K)", ndim=1)
    scores = K @ q
    expected = _softmax(scores / np.sqrt(d))
    if got.shape != (T,):
        raise Incorrect(f"return one weight per key (per token): shape ({T},), got {got.shape}",
                        mistake="weight-per-key")
    if is_close(got, expected):
        return
    if is_close(got, _softmax(scores)):
        raise Incorrect(f"you forgot to divide the scores by sqrt(d) (d = len(q) = {d}), which keeps "
                        "the softmax from saturating", mistake="forgot-divide-scores")
    if is_close(got, _softmax(scores / d)):
        raise Incorrect("you divided by d; divide by its square root, np.sqrt(len(q))",
                        mistake="divided-divide-square")
    if is_close(got, _softmax(scores / np.sqrt(T))):
        raise Incorrect("you divided by the square root of the number of tokens; d is the width "
                        "of q and k (len(q)), not len(K)", mistake="divided-square-root")
    if is_close(got, scores / np.sqrt(d)) or is_close(got, scores):
        raise Incorrect("those are the raw scores; attention weights are their softmax (positive, "
                        "summing to 1)", mistake="raw-scores-attention")
    if is_close(got, 1 / (1 + np.exp(-scores / np.sqrt(d)))):
        raise Incorrect("a sigmoid of each score does not make the weights sum to 1; use softmax",
                        mistake="sigmoid-score-weights")
    if is_close(got, _softmax(-scores / np.sqrt(d))):
        raise Incorrect("the sign is flipped: a key that agrees with the query gets more weight",
                        mistake="sign-flipped-key")
    if not np.isclose(got.sum(), 1.0):
        raise Incorrect(f"the weights sum to {float(got.sum()):.4f}; a softmax sums to 1",
                        mistake="weights-sum-softmax")
    raise Incorrect("the weights differ from softmax(K @ q / sqrt(d)); check each step",
                    mistake="weights-differ-softmax")


q2 = Question(
    "q2", "one head's attention row from q and K", ["attention_row"], _check_q2,
    hints=["The scores are K @ q: one dot product per key.",
           "Divide by np.sqrt(len(q)) before the softmax.",
           "softmax(z) = np.exp(z - z.max()) / np.exp(z - z.max()).sum()."],
    solution_code='''def attention_row(q, K):
    scores = K @ q / np.sqrt(len(q))
    weights = np.exp(scores - scores.max())
    return weights / weights.sum()''')


# ------------------------------------------------------------------------------- q3
def _random_maps(rng, n_layers, T):
    maps = rng.uniform(0, 1, (n_layers, T, T)) ** 3
    return [m / m.sum(1, keepdims=True) for m in maps]


def _check_q3(rollout):
    function = as_callable(rollout, "rollout")
    rng = np.random.default_rng(13)
    for n_layers, T in ((3, 4), (4, 5)):
        _trial_q3(function, _random_maps(rng, n_layers, T))
    return "R = A_L ... A_2 A_1 with each A = 0.5 map + 0.5 I: what of each input token reaches each position"


def _trial_q3(function, layers):
    import torch

    T = len(layers[0])
    got = _call(function, {"layers": layers}, "rollout(layers)")
    got = as_array(got, "rollout(layers)", shape=(T, T))
    expected = attention.attention_rollout([torch.tensor(m)[None] for m in layers]).numpy()
    if is_close(got, expected):
        return
    mixed = [0.5 * m + 0.5 * np.eye(T) for m in layers]
    product = lambda matrices: np.linalg.multi_dot(matrices)  # noqa: E731
    if is_close(got, product(mixed)):
        raise Incorrect("the order is reversed: a later layer mixes what the earlier ones produced, "
                        "so multiply it on the left, R = A_L @ ... @ (A_2 @ A_1)",
                        mistake="order-reversed-later")
    if is_close(got, product(layers[::-1])):
        raise Incorrect("you left out the residual connection: use 0.5 * A + 0.5 * I for every layer",
                        mistake="left-residual-connection")
    if is_close(got, mixed[-1]) or is_close(got, layers[-1]):
        raise Incorrect("that is only the last layer; rollout multiplies all of them",
                        mistake="last-layer-rollout")
    if is_close(got, sum(mixed)) or is_close(got, sum(mixed) / len(mixed)):
        raise Incorrect("rollout multiplies the layers' matrices; you added them",
                        mistake="rollout-multiplies-layers")
    elementwise = np.ones((T, T))
    for m in mixed:
        elementwise = elementwise * m
    if is_close(got, elementwise):
        raise Incorrect("`*` multiplies element by element; use the matrix product `@`",
                        mistake="multiplies-element-element")
    raise Incorrect("the result differs from A_L @ ... @ A_2 @ A_1 with A = 0.5 * map + 0.5 * I",
                    mistake="result-differs-map")


q3 = Question(
    "q3", "attention rollout over the layers", ["rollout"], _check_q3,
    hints=["For each layer: A = 0.5 * layer + 0.5 * np.eye(T).",
           "Start with R = the first A; for each later A, R = A @ R.",
           "Use @ (matrix product), and leave the list `layers` as it is."],
    solution_code='''def rollout(layers):
    T = len(layers[0])
    R = np.eye(T)
    for layer in layers:
        R = (0.5 * layer + 0.5 * np.eye(T)) @ R
    return R''')


# ------------------------------------------------------------------------------- q4
def _f(x):
    """F(x) = sum_i c_i x_i^2 + x_0 x_1: its gradient is known, so IG can be checked exactly."""
    c = np.array([1.0, -2.0, 0.5, 3.0])
    return float((c * x ** 2).sum() + x[0] * x[1])


def _grad_f(x):
    c = np.array([1.0, -2.0, 0.5, 3.0])
    gradient = 2 * c * x
    gradient[0] += x[1]
    gradient[1] += x[0]
    return gradient


def _ig(x, baseline, steps, where="mid"):
    offsets = {"mid": (np.arange(steps) + 0.5) / steps, "right": np.arange(1, steps + 1) / steps,
               "left": np.arange(steps) / steps}[where]
    gradients = np.array([_grad_f(baseline + a * (x - baseline)) for a in offsets])
    return (x - baseline) * gradients.mean(0)


def _check_q4(integrated_gradients):
    function = as_callable(integrated_gradients, "integrated_gradients")
    messages = [_trial_q4(function, np.array([1.0, 2.0, -1.0, 0.5]), np.array([0.5, -0.5, 0.0, 0.25]), 7),
                _trial_q4(function, np.array([-2.0, 0.5, 1.5, 1.0]), np.array([0.25, 1.0, -0.5, -1.0]), 4)]
    return messages[0]


def _trial_q4(function, x, baseline, steps):
    got = _call(function, {"grad": _grad_f, "x": x, "baseline": baseline, "steps": steps},
                "integrated_gradients(grad, x, baseline, steps)")
    if np.ndim(np.asarray(got, dtype=object)) == 0 and got is not None:
        raise Incorrect(f"return one attribution per feature, shape {x.shape}, not one number "
                        "(do not sum them: the sum is what completeness checks)",
                        mistake="attribution-per-feature")
    got = as_array(got, "integrated_gradients(grad, x, baseline, steps)", ndim=1)
    expected = _ig(x, baseline, steps)
    if got.shape != x.shape:
        raise Incorrect(f"return one attribution per feature, shape {x.shape}, got {got.shape}",
                        mistake="attribution-wrong-shape")
    if is_close(got, expected):
        gap = _f(x) - _f(baseline)
        return (f"the attributions sum to {float(got.sum()):.4f}, and F(x) - F(baseline) = "
                f"{gap:.4f}: completeness, exact here because F is quadratic (the midpoint rule is exact "
                "for a linear gradient)")
    if is_close(got, _ig(x, baseline, steps, "right")) or is_close(got, _ig(x, baseline, steps, "left")):
        raise Incorrect("use the midpoints of the steps, alpha = (k + 0.5) / steps for k = 0 .. "
                        "steps - 1, not their ends", mistake="midpoints-steps-alpha")
    if is_close(got, _grad_f(x) * x) or is_close(got, _grad_f(x) * (x - baseline)):
        raise Incorrect("that is gradient x input, the gradient at x only; integrated gradients "
                        "average the gradient along the straight path from the baseline to x",
                        mistake="gradient-input-gradient")
    if is_close(got, expected / (x - baseline)):
        raise Incorrect("multiply the average gradient by (x - baseline)",
                        mistake="multiply-average-gradient")
    if is_close(got, expected * steps):
        raise Incorrect("average the gradients over the steps (divide the sum by steps)",
                        mistake="average-gradients-steps")
    if is_close(got, x * expected / (x - baseline)):
        raise Incorrect("multiply by (x - baseline), not by x: the baseline is not zero here",
                        mistake="multiply-baseline-zero")
    if is_close(got, -expected):
        raise Incorrect("the sign is flipped: the path goes from the baseline to x",
                        mistake="sign-flipped-path")
    raise Incorrect("the attributions differ from (x - baseline) * mean of grad(baseline + "
                    "alpha * (x - baseline)) over the midpoints alpha",
                    mistake="attributions-differ-mean")


q4 = Question(
    "q4", "integrated gradients and completeness", ["integrated_gradients"], _check_q4,
    hints=["The points on the path: baseline + alpha * (x - baseline), for alpha = (k + 0.5) / steps.",
           "Average grad(point) over those points.",
           "Multiply the average by (x - baseline); the sum should be close to F(x) - F(baseline)."],
    solution_code='''def integrated_gradients(grad, x, baseline, steps):
    alphas = (np.arange(steps) + 0.5) / steps
    gradients = [grad(baseline + a * (x - baseline)) for a in alphas]
    return (x - baseline) * np.mean(gradients, axis=0)''')


# ------------------------------------------------------------------------------- q5
CLS, SEP, MASK, PAD = 101, 102, 103, 0


def _score(ids):
    """A stand-in model: a weighted count of the token ids (different weight per position)."""
    ids = np.asarray(ids)
    return float(((ids % 7) * np.arange(1, len(ids) + 1)).sum() + 0.5 * len(ids))


def _check_q5(coalition_value):
    function = as_callable(coalition_value, "coalition_value")
    _trial_q5(function, np.array([CLS, 2023, 3185, 2003, 2307, 2023, SEP]),   # a repeated word, too
              np.array([True, False, True, False, True]))                      # over the 5 real tokens
    _trial_q5(function, np.array([CLS, 1996, 3143, 2001, 2172, SEP]), np.array([False, True, True, False]))
    return "masked tokens keep their places, so the sequence keeps its length and positions"


def _trial_q5(function, ids, keep):
    got = _call(function, {"f": _score, "ids": ids, "keep": keep, "mask_id": np.int64(MASK)},
                "coalition_value(f, ids, keep, mask_id)")
    got = as_number(got, "coalition_value(f, ids, keep, mask_id)")
    masked = ids.copy()
    masked[1:-1][~keep] = MASK
    expected = _score(masked)
    if np.isclose(got, expected):
        return
    wrong = {}
    inverted = ids.copy()
    inverted[1:-1][keep] = MASK
    wrong["inverted"] = _score(inverted)
    wrong["deleted"] = _score(np.r_[CLS, ids[1:-1][keep], SEP])
    shifted = ids.copy()
    shifted[np.r_[keep, True, True][:len(ids)] == False] = MASK  # noqa: E712
    wrong["shifted"] = _score(shifted)
    padded = ids.copy()
    padded[1:-1][~keep] = PAD
    wrong["pad"] = _score(padded)
    wrong["full"] = _score(ids)
    if np.isclose(got, wrong["inverted"]):
        raise Incorrect("you masked the tokens that are *in* the coalition; keep[i] = True means "
                        "token i stays, the others become [MASK]",
                        mistake="masked-tokens-coalition")
    if np.isclose(got, wrong["deleted"]):
        raise Incorrect("you deleted the left-out tokens; replace them by mask_id so that the "
                        "text keeps its length and every token its position",
                        mistake="deleted-left-tokens")
    if np.isclose(got, wrong["shifted"]):
        raise Incorrect("keep covers the real tokens only, ids[1:-1]: [CLS] at 0 and [SEP] at "
                        "the end always stay", mistake="keep-covers-real")
    if np.isclose(got, wrong["pad"]):
        raise Incorrect("use mask_id for the left-out tokens, not the padding id 0",
                        mistake="mask-id-left")
    if np.isclose(got, wrong["full"]):
        raise Incorrect("nothing was masked: replace ids[1:-1][~keep] by mask_id in a copy",
                        mistake="nothing-masked-replace")
    raise Incorrect(f"v(S) should be {expected:.1f}: copy ids, set the real tokens where keep is "
                    f"False to mask_id, and return f of that copy; you returned {got:.1f}",
                    mistake="copy-ids-set")


q5 = Question(
    "q5", "the value of a token coalition", ["coalition_value"], _check_q5,
    hints=["The real tokens are ids[1:-1]; [CLS] and [SEP] stay.",
           "masked = ids.copy(); masked[1:-1][~keep] = mask_id.",
           "Return f(masked), and leave ids as it was."],
    solution_code='''def coalition_value(f, ids, keep, mask_id):
    masked = ids.copy()
    masked[1:-1][~np.asarray(keep)] = mask_id
    return f(masked)''')


# ------------------------------------------------------------------------------- q6
TSNE_CLAIMS = {
    "a": "t-SNE tries to keep points that are close in the embedding close in the map.",
    "b": "A cluster that looks twice as large in the map is twice as spread out in the embedding.",
    "c": "Clusters far apart in the map are far apart in the embedding, in proportion.",
    "d": "Changing the perplexity can change the picture of the same data.",
    "e": "Two reviews with cosine similarity 0.9 in the embedding mean the same thing.",
    "f": "With the same seed, UMAP maps made with 5 and with 50 neighbours put the same "
         "reviews next to each other.",
}
_TRUTH = {"a": True, "b": False, "c": False, "d": True, "e": False, "f": False}
_WHY = {"a": "t-SNE's loss punishes pulling embedding neighbours apart, so neighbourhoods are what it "
             "tries to keep (section 2: t-SNE and UMAP keep more of them than PCA, though far from all)",
        "b": "t-SNE adapts its bandwidth to each neighbourhood, so dense and sparse clusters come "
             "out alike in size (section 2's test: 10x in 50-D, under 3x in the map)",
        "c": "distances between clusters are not kept (the far cluster of section 2 came much "
             "closer)",
        "d": "perplexity sets how many neighbours each point cares about; section 2 drew two "
             "different pictures of one data set",
        "e": "embeddings put texts close that share topic and wording: in section 3, 'Not funny, "
             "not clever, and not worth the ticket.' and 'Funny, clever, and worth the ticket.' have "
             "cosine similarity 0.905 and mean opposite things",
        "f": "n_neighbors is a setting, like perplexity: section 2's two UMAP maps share fewer "
             "than a third of each review's ten map neighbours"}


def _check_q6(tsne_answers):
    answers = as_mapping(tsne_answers, "tsne_answers", keys=list(TSNE_CLAIMS))
    for key, value in answers.items():
        if not isinstance(value, (bool, np.bool_)):
            raise Incorrect(f"answer each claim with True or False; claim {key!r} has {value!r}",
                            mistake="answer-claim-true")
    wrong = [k for k in TSNE_CLAIMS if bool(answers[k]) != _TRUTH[k]]
    if not wrong:
        return "read t-SNE and UMAP for who is next to whom, never for sizes or gaps"
    key = wrong[0]
    raise Incorrect(f"claim {key!r} is {_TRUTH[key]}: {_WHY[key]}"
                    + (f" ({len(wrong) - 1} more claim(s) wrong)" if len(wrong) > 1 else ""),
                    mistake="claim-claim-wrong")


q6 = Question(
    "q6", "what a t-SNE or UMAP map does and does not show", ["tsne_answers"], _check_q6,
    hints=["Section 2 measured sizes and gaps in 50-D and in the map.",
           "t-SNE optimises one thing: that neighbours stay neighbours.",
           "Two claims are true."],
    solution_code='''tsne_answers = {"a": True, "b": False, "c": False, "d": True, "e": False,
                "f": False}''')


QUESTIONS = [q1, q2, q3, q4, q5, q6]
