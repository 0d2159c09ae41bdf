"""Checks of exercise notebook 11: right answers pass (also written differently), and each
typical wrong answer gets the message meant for it."""
import numpy as np

from course_lib.exercises import ex11_embeddings as ex
from exercise_helpers import (fails, passes, placeholders_and_odd_values_never_crash,
                              questions_are_listed, solution)


def test_every_question_is_listed():
    questions_are_listed(ex, 6)


def test_placeholders_stubs_and_odd_values_never_crash():
    placeholders_and_odd_values_never_crash(ex, stubbed=5)


# ------------------------------------------------------------------ q1: nearest examples
def cosine(E, query):
    return E @ query / (np.linalg.norm(E, axis=1) * np.linalg.norm(query))


def test_q1():
    passes(ex.q1, solution(ex.q1, "nearest", np=np))
    passes(ex.q1, lambda E, q, k: np.argsort(-cosine(E, q), kind="stable")[:k].tolist())

    def normalised_first(E, q, k):
        En = E / np.linalg.norm(E, axis=1, keepdims=True)
        return np.argsort(En @ (q / np.linalg.norm(q)))[::-1][:k]
    passes(ex.q1, normalised_first)

    fails(ex.q1, lambda E, q, k: np.argsort(-(E @ q))[:k], match="raw dot product",
          mistake="ranked-raw-dot")
    fails(ex.q1, lambda E, q, k: np.argsort(np.linalg.norm(E - q, axis=1))[:k], match="Euclidean",
          mistake="ranked-euclidean-distance")
    fails(ex.q1, lambda E, q, k: np.argsort(cosine(E, q))[:k], match="least similar",
          mistake="least-similar-rows")
    fails(ex.q1, lambda E, q, k: np.sort(np.argsort(-cosine(E, q))[:k]), match="wrong order",
          mistake="right-rows-wrong")
    fails(ex.q1, lambda E, q, k: np.argsort(-cosine(E, q))[1:k + 1], match="off by one",
          mistake="off-python-counts")
    fails(ex.q1, lambda E, q, k: np.sort(cosine(E, q))[::-1][:k], match="similarities",
          mistake="similarities-row-indices")
    fails(ex.q1, lambda E, q, k: np.argsort(-cosine(E, q)), match="one number per row",
          mistake="number-per-row")
    fails(ex.q1, lambda E, q, k: np.argsort(-cosine(E, q))[:3], match="indices of the most similar",
          mistake="indices-similar-rows")

    def in_place(E, q, k):
        E /= np.linalg.norm(E, axis=1, keepdims=True)
        return np.argsort(-(E @ q))[:k]
    fails(ex.q1, in_place, match="changed its input `E`", mistake="changed-input")


# ------------------------------------------------------------------ q2: attention row
def softmax(z):
    return np.exp(z - z.max()) / np.exp(z - z.max()).sum()


def test_q2():
    passes(ex.q2, solution(ex.q2, "attention_row", np=np))
    passes(ex.q2, lambda q, K: softmax(np.einsum("td,d->t", K, q) / len(q) ** 0.5))
    fails(ex.q2, lambda q, K: softmax(K @ q), match="sqrt(d)", mistake="forgot-divide-scores")
    fails(ex.q2, lambda q, K: softmax(K @ q / len(q)), match="square root",
          mistake="divided-divide-square")
    fails(ex.q2, lambda q, K: softmax(K @ q / np.sqrt(len(K))), match="number of tokens",
          mistake="divided-square-root")
    fails(ex.q2, lambda q, K: K @ q / np.sqrt(len(q)), match="raw scores",
          mistake="raw-scores-attention")
    fails(ex.q2, lambda q, K: 1 / (1 + np.exp(-K @ q / np.sqrt(len(q)))), match="sigmoid",
          mistake="sigmoid-score-weights")
    fails(ex.q2, lambda q, K: softmax(-K @ q / np.sqrt(len(q))), match="sign is flipped",
          mistake="sign-flipped-key")
    fails(ex.q2, lambda q, K: np.exp(K @ q / np.sqrt(len(q))), match="sums to 1",
          mistake="weights-sum-softmax")
    fails(ex.q2, lambda q, K: softmax(K @ q / np.sqrt(len(q)))[:-1], match="one weight per key",
          mistake="weight-per-key")

    def in_place(q, K):
        q /= np.sqrt(len(q))
        return softmax(K @ q)
    fails(ex.q2, in_place, match="changed its input `q`", mistake="changed-input")


# ------------------------------------------------------------------ q3: rollout
def mixed(layers):
    return [0.5 * m + 0.5 * np.eye(len(m)) for m in layers]


def test_q3():
    passes(ex.q3, solution(ex.q3, "rollout", np=np))

    def reduce_style(layers):
        from functools import reduce
        return reduce(lambda R, A: A @ R, mixed(layers))
    passes(ex.q3, reduce_style)
    fails(ex.q3, lambda layers: mixed(layers)[0] @ mixed(layers)[1] @ mixed(layers)[2],
          match="order is reversed", mistake="order-reversed-later")
    fails(ex.q3, lambda layers: layers[2] @ layers[1] @ layers[0], match="residual",
          mistake="left-residual-connection")
    fails(ex.q3, lambda layers: mixed(layers)[-1], match="only the last layer",
          mistake="last-layer-rollout")
    fails(ex.q3, lambda layers: sum(mixed(layers)), match="added them",
          mistake="rollout-multiplies-layers")
    fails(ex.q3, lambda layers: mixed(layers)[2] * mixed(layers)[1] * mixed(layers)[0], match="`@`",
          mistake="multiplies-element-element")
    fails(ex.q3, lambda layers: np.eye(len(layers[0])), match="differs",
          mistake="result-differs-map")

    def in_place(layers):
        for i, m in enumerate(layers):
            layers[i] = 0.5 * m + 0.5 * np.eye(len(m))
        return layers[2] @ layers[1] @ layers[0]
    fails(ex.q3, in_place, match="changed its input `layers`", mistake="changed-input")

    def in_place_arrays(layers):
        R = np.eye(len(layers[0]))
        for m in layers:
            m *= 0.5
            m += 0.5 * np.eye(len(m))
            R = m @ R
        return R
    fails(ex.q3, in_place_arrays, match="changed its input `layers`", mistake="changed-input")


# ------------------------------------------------------------------ q4: integrated gradients
def ig(grad, x, b, steps, offsets=None):
    alphas = (np.arange(steps) + 0.5) / steps if offsets is None else offsets(steps)
    return (x - b) * np.mean([grad(b + a * (x - b)) for a in alphas], axis=0)


def test_q4():
    passes(ex.q4, solution(ex.q4, "integrated_gradients", np=np))
    passes(ex.q4, lambda grad, x, b, steps: (x - b) * sum(grad(b + (k + 0.5) / steps * (x - b))
                                                          for k in range(steps)) / steps)
    fails(ex.q4, lambda g, x, b, s: ig(g, x, b, s, lambda n: np.arange(1, n + 1) / n), match="midpoints",
          mistake="midpoints-steps-alpha")
    fails(ex.q4, lambda g, x, b, s: ig(g, x, b, s, lambda n: np.arange(n) / n), match="midpoints",
          mistake="midpoints-steps-alpha")
    fails(ex.q4, lambda g, x, b, s: g(x) * x, match="gradient x input",
          mistake="gradient-input-gradient")
    fails(ex.q4, lambda g, x, b, s: ig(g, x, b, s) / (x - b), match="multiply the average gradient",
          mistake="multiply-average-gradient")
    fails(ex.q4, lambda g, x, b, s: ig(g, x, b, s) * s, match="divide the sum by steps",
          mistake="average-gradients-steps")
    fails(ex.q4, lambda g, x, b, s: x * ig(g, x, b, s) / (x - b), match="not by x",
          mistake="multiply-baseline-zero")
    fails(ex.q4, lambda g, x, b, s: -ig(g, x, b, s), match="sign is flipped",
          mistake="sign-flipped-path")
    fails(ex.q4, lambda g, x, b, s: ig(g, x, b, s).sum(), match="one attribution per feature",
          mistake="attribution-per-feature")

    def in_place(g, x, b, s):
        x -= b
        return x * np.mean([g(b + (k + 0.5) / s * x) for k in range(s)], axis=0)
    fails(ex.q4, in_place, match="changed its input `x`", mistake="changed-input")


# ------------------------------------------------------------------ q5: coalition value
def test_q5():
    passes(ex.q5, solution(ex.q5, "coalition_value", np=np))

    def with_where(f, ids, keep, mask_id):
        inner = np.where(keep, ids[1:-1], mask_id)
        return f(np.concatenate([ids[:1], inner, ids[-1:]]))
    passes(ex.q5, with_where)

    def masked(ids, positions, value):
        out = ids.copy()
        out[positions] = value
        return out
    inner = lambda ids: np.arange(1, len(ids) - 1)  # noqa: E731
    fails(ex.q5, lambda f, ids, keep, m: f(masked(ids, inner(ids)[keep], m)), match="*in* the coalition",
          mistake="masked-tokens-coalition")
    fails(ex.q5, lambda f, ids, keep, m: f(np.r_[ids[0], ids[1:-1][keep], ids[-1]]), match="deleted",
          mistake="deleted-left-tokens")
    fails(ex.q5, lambda f, ids, keep, m: f(masked(ids, np.flatnonzero(~np.r_[keep, True, True]), m)),
          match="[CLS] at 0", mistake="keep-covers-real")
    fails(ex.q5, lambda f, ids, keep, m: f(masked(ids, inner(ids)[~keep], 0)), match="padding id",
          mistake="mask-id-left")
    fails(ex.q5, lambda f, ids, keep, m: f(ids), match="nothing was masked",
          mistake="nothing-masked-replace")
    fails(ex.q5, lambda f, ids, keep, m: f(masked(ids, inner(ids)[~keep], m + 1)), match="should be",
          mistake="copy-ids-set")
    fails(ex.q5, lambda f, ids, keep, m: [f(ids), f(masked(ids, inner(ids)[~keep], m))],
          match="single number", mistake="not-a-number")

    def in_place(f, ids, keep, mask_id):
        ids[1:-1][~keep] = mask_id
        return f(ids)
    fails(ex.q5, in_place, match="changed its input `ids`", mistake="changed-input")


# ------------------------------------------------------------------ q6: reading t-SNE
def test_q6():
    right = {"a": True, "b": False, "c": False, "d": True, "e": False, "f": False}
    passes(ex.q6, right)
    passes(ex.q6, {k: np.bool_(v) for k, v in right.items()})
    fails(ex.q6, {**right, "a": False}, match="neighbourhoods are what it tries to keep",
          mistake="claim-claim-wrong")
    fails(ex.q6, {**right, "b": True}, match="bandwidth", mistake="claim-claim-wrong")
    fails(ex.q6, {**right, "c": True}, match="not kept", mistake="claim-claim-wrong")
    fails(ex.q6, {**right, "d": False}, match="perplexity", mistake="claim-claim-wrong")
    fails(ex.q6, {**right, "e": True}, match="topic and wording", mistake="claim-claim-wrong")
    fails(ex.q6, {**right, "f": True}, match="n_neighbors is a setting",
          mistake="claim-claim-wrong")
    fails(ex.q6, {k: True for k in right}, match="more claim", mistake="claim-claim-wrong")
    fails(ex.q6, {**right, "a": "yes"}, match="True or False", mistake="answer-claim-true")
    fails(ex.q6, {"a": True}, match="missing keys", mistake="wrong-keys")
