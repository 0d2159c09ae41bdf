"""Checks of exercise notebook 09: right answers pass, typical wrong answers get the right
message."""
import numpy as np
import torch

from course_lib import faithfulness as fm
from course_lib.exercises import ex09_evaluating as ex
from exercise_helpers import (fails, passes, placeholders_and_odd_values_never_crash,
                              questions_are_listed, solution)


def test_every_question_is_listed():
    questions_are_listed(ex, 6)


def test_placeholders_stubs_and_odd_values_never_crash():
    placeholders_and_odd_values_never_crash(ex, stubbed=5)


# --------------------------------------------------------------------- q1: deletion curve
def deletion(f, x, attribution, steps, order_sign=1, start_from_baseline=False, key=None,
             first=0):
    values = np.asarray(attribution) if key is None else key(np.asarray(attribution))
    order = np.argsort(-order_sign * values, kind="stable")
    batch = []
    for k in range(first, steps + 1):
        m = round(k * len(x) / steps)
        if start_from_baseline:
            copy = np.zeros_like(x)
            copy[order[:m]] = x[order[:m]]
        else:
            copy = x.copy()
            copy[order[:m]] = 0.0
        batch.append(copy)
    return f(np.stack(batch))


def test_q1():
    passes(ex.q1, solution(ex.q1, "deletion_scores", np=np))
    passes(ex.q1, lambda f, x, a, steps: fm.deletion_curve(f, x, a, steps=steps).scores)
    passes(ex.q1, deletion)
    fails(ex.q1, lambda f, x, a, s: deletion(f, x, a, s, order_sign=-1), match="least important")
    fails(ex.q1, lambda f, x, a, s: deletion(f, x, a, s, start_from_baseline=True),
          match="insertion curve")
    fails(ex.q1, lambda f, x, a, s: deletion(f, x, a, s, key=np.abs), match="|attribution|")
    fails(ex.q1, lambda f, x, a, s: deletion(f, x, a, s, first=1), match="start with nothing")
    fails(ex.q1, lambda f, x, a, s: fm.deletion_curve(f, x, a, steps=s).auc, match="dimension")
    fails(ex.q1, lambda f, x, a, s: deletion(f, x, a, s) + 0.1, match="first score")
    fails(ex.q1, lambda f, x, a, s: deletion(f, x, a, s)[::-1], match="first score")

    def filled_with_ones(f, x, a, steps):
        order = np.argsort(-a)
        batch = []
        for k in range(steps + 1):
            copy = x.copy()
            copy[order[:round(k * len(x) / steps)]] = 1.0
            batch.append(copy)
        return f(np.stack(batch))

    fails(ex.q1, filled_with_ones, match="differ from the deletion curve")
    fails(ex.q1, lambda f, x, a, s: deletion(f, x, a, 2 * s), match="steps + 1")


# --------------------------------------------------------------------- q2: comp / suff
def reduced(tokens, rationale):
    without = [t for i, t in enumerate(tokens) if i not in rationale]
    alone = [tokens[i] for i in sorted(rationale)]
    return without, alone


def test_q2():
    passes(ex.q2, solution(ex.q2, "comp_suff"))

    def with_library(f, tokens, rationale):
        return fm.comprehensiveness(f, tokens, rationale), fm.sufficiency(f, tokens, rationale)

    passes(ex.q2, with_library)

    def swapped(f, tokens, rationale):
        c, s = with_library(f, tokens, rationale)
        return s, c

    fails(ex.q2, swapped, match="swapped")

    def raw_scores(f, tokens, rationale):
        without, alone = reduced(tokens, rationale)
        return f([without])[0], f([alone])[0]

    fails(ex.q2, raw_scores, match="drops")
    fails(ex.q2, lambda f, t, r: tuple(-v for v in with_library(f, t, r)), match="signs are flipped")
    fails(ex.q2, lambda f, t, r: with_library(f, t, r)[0], match="not one")

    def both_without(f, tokens, rationale):
        without, _ = reduced(tokens, rationale)
        drop = f([tokens])[0] - f([without])[0]
        return drop, drop

    fails(ex.q2, both_without, match="both numbers are equal")

    def off_by_one(f, tokens, rationale):
        return with_library(f, tokens, [i + 1 for i in rationale])

    fails(ex.q2, off_by_one, match="the values differ")


# --------------------------------------------------------------------- q3: rollout
def test_q3():
    passes(ex.q3, solution(ex.q3, "rollout", torch=torch))

    def with_einsum(attentions):
        layers = [0.5 * A.double().mean(0) + 0.5 * torch.eye(A.shape[-1], dtype=torch.float64)
                  for A in attentions]
        result = torch.eye(layers[0].shape[0], dtype=torch.float64)
        for A in layers:
            result = torch.einsum("ij,jk->ik", A, result)
        return result.numpy()

    passes(ex.q3, with_einsum)

    def product(attentions, residual=True, reducer=lambda A: A.mean(0), reverse=False):
        layers = []
        for A in attentions:
            A = reducer(A.double())
            if residual:
                A = 0.5 * A + 0.5 * torch.eye(A.shape[-1], dtype=A.dtype)
            layers.append(A / A.sum(-1, keepdim=True))
        result = layers[0]
        for A in layers[1:]:
            result = result @ A if reverse else A @ result
        return result

    fails(ex.q3, lambda att: product(att, residual=False), match="residual")
    fails(ex.q3, lambda att: product(att, reverse=True), match="wrong order")
    fails(ex.q3, lambda att: product(att[-1:]), match="last layer only")
    fails(ex.q3, lambda att: product(att, reducer=lambda A: A.max(0).values), match="average the heads")

    def unnormalised(attentions):
        result = None
        for A in attentions:
            A = A.double().mean(0) + torch.eye(A.shape[-1], dtype=torch.float64)
            result = A if result is None else A @ result
        return result

    fails(ex.q3, unnormalised, match="sum to 1")
    fails(ex.q3, lambda att: product(att, reducer=lambda A: A[0]), match="values differ")


# --------------------------------------------------------------------- q4: infidelity
def test_q4():
    passes(ex.q4, solution(ex.q4, "my_infidelity", np=np))

    def with_loop(f, x, a, perturbations):
        total = 0.0
        for I in perturbations:
            total += (I @ a - (f(x[None])[0] - f((x - I)[None])[0])) ** 2
        return total / len(perturbations)

    passes(ex.q4, with_loop)

    def generic(f, x, a, perturbations, sign=-1, power=2, reduce=np.mean, flip=1):
        change = f(x[None])[0] - f(x[None] + sign * perturbations)
        return reduce(np.abs(perturbations @ a - flip * change) ** power)

    passes(ex.q4, generic)
    fails(ex.q4, lambda *args: generic(*args, sign=1), match="f(x + I)")
    fails(ex.q4, lambda *args: generic(*args, power=1), match="square the gap")
    fails(ex.q4, lambda *args: generic(*args, reduce=np.sum), match="sum over the perturbations")
    fails(ex.q4, lambda *args: generic(*args, flip=-1), match="sign is flipped")
    fails(ex.q4, lambda *args: generic(*args, reduce=np.max), match="value differs")
    fails(ex.q4, lambda f, x, a, p: np.array([1.0, 2.0]), match="single number")


# --------------------------------------------------------------------- q5: agreement
def test_q5():
    passes(ex.q5, solution(ex.q5, "feature_agreement", np=np))
    passes(ex.q5, lambda a, b, k: fm.top_k_agreement(a, b, k))

    def top(v, k, key=np.abs, largest=True):
        order = np.argsort(key(v))
        return set((order[::-1] if largest else order)[:k])

    fails(ex.q5, lambda a, b, k: len(top(a, k, key=lambda v: v) & top(b, k, key=lambda v: v)) / k,
          match="absolute value")
    fails(ex.q5, lambda a, b, k: len(top(a, k) & top(b, k)), match="not their count")
    fails(ex.q5, lambda a, b, k: len(top(a, k) & top(b, k)) / len(top(a, k) | top(b, k)),
          match="Jaccard")
    fails(ex.q5, lambda a, b, k: len(top(a, k, largest=False) & top(b, k, largest=False)) / k,
          match="k smallest")
    fails(ex.q5, lambda a, b, k: fm.rank_agreement(a, b), match="the agreement is")


# --------------------------------------------------------------------- q6: the checklist
RIGHT = solution(ex.q6, "evaluation")


def test_q6():
    passes(ex.q6, RIGHT)
    passes(ex.q6, {claim: answer.upper() + " " for claim, answer in RIGHT.items()})
    claims = list(RIGHT)

    def changed(claim_index, answer):
        return {**RIGHT, claims[claim_index]: answer}

    fails(ex.q6, changed(0, "deletion"), match="deletion measures")
    fails(ex.q6, changed(1, "sanity check"), match="only shows that the map depends")
    fails(ex.q6, changed(2, "deletion"), match="deletion measures")
    fails(ex.q6, changed(3, "sufficiency"), match="keeps only the rationale")
    fails(ex.q6, changed(1, "agreement"), match="can agree and both be wrong")
    fails(ex.q6, changed(0, "randomisation"), match="pick one of")
    fails(ex.q6, {claims[0]: "sanity check"}, match="missing keys")
