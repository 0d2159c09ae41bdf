"""Checks of exercise notebook 09: right answers pass, typical wrong answers get the message meant
for them (a catalog of at least 8 per question), on check data that separates the conventions."""
import numpy as np
import torch

from course_lib.exercises import ex09_evaluating as ex
from exercise_helpers import (fails, passes, placeholders_and_odd_values_never_crash,
                              questions_are_listed, run_catalog, solution, wrong)


def test_every_question_is_listed():
    questions_are_listed(ex, 6)


def test_placeholders_stubs_and_odd_values_never_crash():
    placeholders_and_odd_values_never_crash(ex, stubbed=5)


def test_check_data_separates_the_conventions():
    counts = {(len(x), steps) for _, x, _, steps in ex._q1_cases()}
    assert any(round(k * M / s) != int(k * M / s) for M, s in counts for k in range(s + 1))
    assert any(round(k * M / s) != -(-k * M // s) for M, s in counts for k in range(s + 1))
    for tokens, rationale in ex._q2_cases():   # a rationale word is repeated outside it
        assert any(tokens.count(tokens[i]) > 1 for i in rationale)


# --------------------------------------------------------------------- q1: deletion curve
def deletion(f, x, attribution, steps, order_sign=1, start_from_baseline=False, key=None,
             count=round, reverse=False):
    values = np.asarray(attribution) if key is None else key(np.asarray(attribution))
    order = np.argsort(-order_sign * values, kind="stable")
    batch = []
    for k in range(steps + 1):
        m = int(count(k * len(x) / steps))
        if start_from_baseline:
            copy = np.zeros_like(x)
            copy[order[:m]] = x[order[:m]]
        else:
            copy = x.copy()
            copy[order[:m]] = 0.0
        batch.append(copy)
    scores = f(np.stack(batch))
    return scores[::-1] if reverse else scores


def deletion_masks(f, x, attribution, steps):  # written differently: one mask per step
    rank = np.empty(len(x), int)
    rank[np.argsort(-attribution)] = np.arange(len(x))
    counts = np.array([round(k * len(x) / steps) for k in range(steps + 1)])
    keep = rank[None, :] >= counts[:, None]
    return f(np.where(keep, x, 0.0))


def deletion_in_place(f, x, attribution, steps):
    scores = deletion(f, x, attribution, steps)
    attribution.sort()
    return scores


Q1_WRONG = [
    wrong(lambda f, x, a, s: deletion(f, x, a, s, order_sign=-1), "least important features first",
          mistake="removed-least-important"),
    wrong(lambda f, x, a, s: deletion(f, x, a, s, start_from_baseline=True), "insertion curve",
          mistake="insertion-curve-deletion"),
    wrong(lambda f, x, a, s: deletion(f, x, a, s, key=np.abs), "ranked by |attribution|",
          mistake="ranked-attribution-rank"),
    wrong(lambda f, x, a, s: deletion(f, x, a, s, count=np.floor), "rounded k·M/steps down",
          mistake="rounded-steps-down"),
    wrong(lambda f, x, a, s: deletion(f, x, a, s, count=np.ceil), "rounded k·M/steps up",
          mistake="rounded-steps-question"),
    wrong(lambda f, x, a, s: deletion(f, x, a, s, count=lambda v: int(v + 0.5)), "rounded halves up",
          mistake="rounded-halves-int"),
    wrong(lambda f, x, a, s: deletion(f, x, a, s, key=lambda v: -np.arange(len(v))),
          "in their own order", mistake="removed-features-order"),
    wrong(lambda f, x, a, s: deletion(f, x, a, s, reverse=True), "the curve is reversed",
          mistake="curve-reversed-starts"),
    wrong(lambda f, x, a, s: deletion(f, x, a, s)[1:], "start with nothing removed",
          mistake="scores-curve-steps"),
    wrong(lambda f, x, a, s: deletion(f, x, a, s)[:2], "should return steps + 1",
          mistake="steps-scores-per"),
    wrong(deletion_in_place, "changed its input `attribution` in place", mistake="changed-input"),
    wrong(lambda f, x, a, s: f(x), "raised TypeError: f takes a batch of rows",
          mistake="learner-raised"),
    wrong(lambda f, x, a, s: deletion(f, x, a, s) + 0.1, "the first score should be f(x)",
          mistake="first-score-nothing"),
    wrong(lambda f, x, a, s: np.r_[deletion(f, x, a, s)[:1], deletion(f, x, a, s)[1:] + 0.1],
          "expected", generic=True, mistake="score-step-set"),
]


def test_q1_catalog():
    run_catalog("09", ex.q1, Q1_WRONG, [solution(ex.q1, "deletion_scores", np=np), deletion,
                                         deletion_masks])


# --------------------------------------------------------------------- q2: comprehensiveness
def comp_suff(f, tokens, rationale):
    without = [t for i, t in enumerate(tokens) if i not in rationale]
    alone = [t for i, t in enumerate(tokens) if i in rationale]
    full, f_without, f_alone = f([tokens, without, alone])
    return full - f_without, full - f_alone


def comp_suff_numpy(f, tokens, rationale):  # written differently: a boolean mask
    tokens_array = np.array(tokens, dtype=object)
    mask = np.zeros(len(tokens), bool)
    mask[list(rationale)] = True
    scores = f([list(tokens_array), list(tokens_array[~mask]), list(tokens_array[mask])])
    return np.array([scores[0] - scores[1], scores[0] - scores[2]])


def by_value(f, tokens, rationale):
    words = {tokens[i] for i in rationale}
    without = [t for t in tokens if t not in words]
    alone = [t for t in tokens if t in words]
    full, f_without, f_alone = f([tokens, without, alone])
    return full - f_without, full - f_alone


def pops_in_place(f, tokens, rationale):
    full = f([list(tokens)])[0]
    alone = [tokens[i] for i in rationale]
    for i in sorted(rationale, reverse=True):
        tokens.pop(i)
    f_without, f_alone = f([tokens, alone])
    return full - f_without, full - f_alone


def as_set(f, tokens, rationale):
    without = [t for i, t in enumerate(tokens) if i not in rationale]
    alone = sorted({t for i, t in enumerate(tokens) if i in rationale})
    full, f_without, f_alone = f([tokens, without, alone])
    return full - f_without, full - f_alone


def reduced_scores(f, tokens, rationale):
    c, s = comp_suff(f, tokens, rationale)
    full = f([tokens])[0]
    return full - c, full - s


Q2_WRONG = [
    wrong(by_value, "removed every copy of the rationale's words", mistake="removed-every-copy"),
    wrong(lambda f, t, r: comp_suff(f, t, r)[::-1], "the two are swapped",
          mistake="two-swapped-comprehensiveness"),
    wrong(reduced_scores, "scores of the reduced texts", mistake="scores-reduced-texts"),
    wrong(lambda f, t, r: tuple(-v for v in comp_suff(f, t, r)), "signs are flipped",
          mistake="signs-flipped-comprehensiveness"),
    wrong(as_set, "a set loses both", mistake="rationale-alone-keeps"),
    wrong(pops_in_place, "changed its input `tokens` in place", mistake="changed-input"),
    wrong(lambda f, t, r: f(t), "f takes a list of token lists", mistake="learner-raised"),
    wrong(lambda f, t, r: comp_suff(f, t, r)[0], "return two numbers", mistake="not-two-numbers"),
    wrong(lambda f, t, r: (0.2, 0.2), "both numbers are equal", mistake="both-numbers-equal"),
    wrong(lambda f, t, r: (comp_suff(f, t, r)[0], 0.0), "expected", generic=True,
          mistake="build-enumerate-if"),
]


def test_q2_catalog():
    run_catalog("09", ex.q2, Q2_WRONG, [solution(ex.q2, "comp_suff"), comp_suff, comp_suff_numpy])


# --------------------------------------------------------------------- q3: rollout
def rollout(attentions, residual=True, combine="mean", later_left=True, elementwise=False,
            layers=None, renormalise=True, half=True):
    chosen = attentions if layers is None else [attentions[i] for i in layers]
    result = None
    for A in chosen:
        A = A.double()
        A = {"mean": A.mean(0), "max": A.max(0).values, "sum": A.sum(0)}[combine]
        eye = torch.eye(A.shape[-1], dtype=A.dtype)
        if residual:
            A = 0.5 * A + 0.5 * eye if half else A + eye
        if renormalise:
            A = A / A.sum(-1, keepdim=True)
        if result is None:
            result = A
        elif elementwise:
            result = A * result
        else:
            result = A @ result if later_left else result @ A
    return result


def rollout_reduce(attentions):  # written differently: functools.reduce over the layers
    from functools import reduce

    T = attentions[0].shape[-1]
    layers = [0.5 * A.double().mean(0) + 0.5 * torch.eye(T, dtype=torch.float64) for A in attentions]
    return reduce(lambda R, A: A @ R, layers[1:], layers[0]).numpy()


def rollout_in_place(attentions):
    for A in attentions:
        A.mul_(0.5)
    return rollout(attentions)


Q3_WRONG = [
    wrong(lambda A: rollout(A, elementwise=True), "elementwise (*)",
          mistake="multiplied-layers-elementwise"),
    wrong(lambda A: rollout(A, residual=False), "left out the residual",
          mistake="left-residual-connection"),
    wrong(lambda A: rollout(A, later_left=False), "wrong order", mistake="product-wrong-order"),
    wrong(lambda A: rollout(A, layers=[-1]), "the last layer only", mistake="last-layer-multiply"),
    wrong(lambda A: rollout(A, layers=[0]), "the first layer only", mistake="first-layer-multiply"),
    wrong(lambda A: rollout(A, combine="max"), "not take their maximum",
          mistake="average-heads-take"),
    wrong(lambda A: rollout(A, renormalise=False, half=False), "should sum to 1",
          mistake="rows-rollout-sum"),
    wrong(lambda A: rollout(A, combine="sum", renormalise=False), "should sum to 1",
          mistake="rows-rollout-sum"),
    wrong(rollout_in_place, "changed its input `attentions` in place", mistake="changed-input"),
    wrong(lambda A: rollout(A)[0], "should have shape", mistake="wrong-dimensions"),
    wrong(lambda A: rollout(A).T, "the transpose", mistake="returned-transpose-row"),
    wrong(lambda A: rollout(A) * 0 + torch.eye(A[0].shape[-1], dtype=torch.float64),
          "the values differ from the rollout", generic=True, mistake="values-differ-rollout"),
]


def test_q3_catalog():
    run_catalog("09", ex.q3, Q3_WRONG, [solution(ex.q3, "rollout", torch=torch), rollout,
                                         rollout_reduce])


# --------------------------------------------------------------------- q4: infidelity
def infidelity(f, x, a, P, sign=1, square=True, mean=True, flip=False, root=False,
               square_of_mean=False):
    change = f(x[None])[0] - f(x[None] - sign * P)
    gap = P @ a + change if flip else P @ a - change
    if square_of_mean:
        return np.mean(gap) ** 2
    gap = gap ** 2 if square else np.abs(gap)
    value = gap.mean() if mean else gap.sum()
    return np.sqrt(value) if root else value


def infidelity_loop(f, x, a, P):  # written differently: one perturbation at a time
    total = 0.0
    for I in P:
        total += (I @ a - (f(x[None])[0] - f((x - I)[None])[0])) ** 2
    return total / len(P)


def infidelity_in_place(f, x, a, P):
    value = infidelity(f, x, a, P)
    P *= 0
    return value


Q4_WRONG = [
    wrong(lambda *z: infidelity(*z, sign=-1), "f(x + I)", mistake="evaluated-infidelity-compares"),
    wrong(lambda *z: infidelity(*z, square=False), "square the gap",
          mistake="square-gap-infidelity"),
    wrong(lambda *z: infidelity(*z, mean=False), "sum over the perturbations",
          mistake="sum-perturbations-take"),
    wrong(lambda *z: infidelity(*z, flip=True), "a sign is flipped", mistake="sign-flipped-gap"),
    wrong(lambda *z: infidelity(*z, root=True), "square root", mistake="took-square-root"),
    wrong(lambda *z: infidelity(*z, square_of_mean=True), "squared the mean gap",
          mistake="squared-mean-gap"),
    wrong(infidelity_in_place, "changed its input `perturbations` in place",
          mistake="changed-input"),
    wrong(lambda f, x, a, P: f(x) - f(x - P), "raised TypeError: f takes a batch",
          mistake="learner-raised"),
    wrong(lambda *z: [infidelity(*z)] * 2, "single number", mistake="not-a-number"),
    wrong(lambda *z: infidelity(*z) + 0.01, "expected", generic=True,
          mistake="row-perturbations-compute"),
]


def test_q4_catalog():
    run_catalog("09", ex.q4, Q4_WRONG, [solution(ex.q4, "my_infidelity", np=np), infidelity,
                                         infidelity_loop])


# --------------------------------------------------------------------- q5: agreement
def agreement(a, b, k, key=np.abs, largest=True, divide="k", extra=0):
    pick = lambda v: set((np.argsort(-key(v)) if largest else np.argsort(key(v)))[:k + extra])  # noqa: E731
    shared = len(pick(a) & pick(b))
    return {"k": shared / k, "count": shared, "jaccard": shared / (2 * k - shared),
            "n": shared / len(a)}[divide]


def agreement_sorted(a, b, k):  # written differently: sorted() over |values|
    top = lambda v: {i for i, _ in sorted(enumerate(v), key=lambda p: -abs(p[1]))[:k]}  # noqa: E731
    return len(top(a) & top(b)) / k


def agreement_in_place(a, b, k):
    value = agreement(a, b, k)
    np.abs(a, out=a)
    return value


Q5_WRONG = [
    wrong(lambda a, b, k: agreement(a, b, k, key=lambda v: v), "rank by the absolute value",
          mistake="rank-absolute-value"),
    wrong(lambda a, b, k: agreement(a, b, k, largest=False), "the k smallest",
          mistake="took-smallest-values"),
    wrong(lambda a, b, k: agreement(a, b, k, divide="count"), "not their count",
          mistake="share-features-common"),
    wrong(lambda a, b, k: agreement(a, b, k, divide="jaccard"), "Jaccard",
          mistake="jaccard-index-divide"),
    wrong(lambda a, b, k: agreement(a, b, k, divide="n"), "not by the number of features",
          mistake="divide-number-common"),
    wrong(lambda a, b, k: agreement(a, b, k, extra=1), "you kept k + 1",
          mistake="np-argsort-keeps"),
    wrong(agreement_in_place, "changed its input `a` in place", mistake="changed-input"),
    wrong(lambda a, b, k: [agreement(a, b, k)] * 2, "single number", mistake="not-a-number"),
    wrong(lambda a, b, k: 0.5, "the agreement is", generic=True, mistake="agreement-share-largest"),
]


def test_q5_catalog():
    run_catalog("09", ex.q5, Q5_WRONG, [solution(ex.q5, "feature_agreement", np=np), agreement,
                                         agreement_sorted])


def test_catalog_share_of_specific_messages():
    catalogs = [Q1_WRONG, Q2_WRONG, Q3_WRONG, Q4_WRONG, Q5_WRONG]
    assert all(len(c) >= 8 for c in catalogs)
    specific = [not generic for c in catalogs for _, _, generic, *_ in c]
    assert sum(specific) / len(specific) >= 0.9


# --------------------------------------------------------------------- q6: the checklist
RIGHT = solution(ex.q6, "evaluation")


def test_q6():
    passes(ex.q6, RIGHT)
    passes(ex.q6, {claim: answer.upper() + " " for claim, answer in RIGHT.items()})
    claims = list(RIGHT)

    def changed(claim_index, answer):
        return {**RIGHT, claims[claim_index]: answer}

    fails(ex.q6, changed(0, "deletion"), match="deletion measures", mistake="chose-deletion")
    fails(ex.q6, changed(1, "sanity check"), match="only shows that the map depends",
          mistake="chose-sanity-check")
    fails(ex.q6, changed(2, "deletion"), match="deletion measures", mistake="chose-deletion")
    fails(ex.q6, changed(3, "sufficiency"), match="keeps only the rationale",
          mistake="chose-sufficiency")
    fails(ex.q6, changed(1, "agreement"), match="can agree and both be wrong",
          mistake="agreement-between-methods")
    fails(ex.q6, changed(0, "randomisation"), match="pick one of", mistake="evaluation-pick")
    fails(ex.q6, {claims[0]: "sanity check"}, match="missing keys", mistake="wrong-keys")
    fails(ex.q6, changed(2, "stability"), match="compares explanations of nearby inputs",
          mistake="chose-stability")
    fails(ex.q6, list(RIGHT.values()), match="should be a dict", mistake="not-a-dict")


def test_q6_lists_its_claims():
    assert set(ex.CLAIMS) == set(RIGHT) and len(ex.CLAIMS) == 4
