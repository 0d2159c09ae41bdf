"""Anchors: a rule that holds the prediction in place (Ribeiro, Singh and Guestrin, AAAI 2018).

An anchor A for instance x is a conjunction of predicates true at x ("ap_hi > 140 AND
age > 58") such that, whatever the other features do, the model keeps its prediction:

    precision(A) = P( f(z) = f(x) | z ~ D, A(z) )  >=  threshold,

and among such rules we want the one with the largest coverage(A) = P(A(z)). Precision can only
be estimated by sampling, so the search is a bandit problem: **KL-LUCB** (Kaufmann and
Kalyanakrishnan 2013) samples the candidate rules until it can tell the best ones apart with
confidence 1 - delta, and a **beam search** grows the best rules one predicate at a time.

Tabular predicates are half-lines at the quartiles (or the value itself for features with few values);
perturbations keep the anchored features inside their predicate and draw the rest from the
training data. Text predicates are words; the others are replaced by "UNK" with probability 1/2.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._validation import (check_array, check_count, check_names, check_real, check_rows, check_search,
                          model_labels)

__all__ = ["Anchor", "anchor", "anchor_text", "kl_bernoulli", "kl_bounds"]


@dataclass
class Anchor:
    """The result of :func:`anchor`: the rule (a list of readable predicates, redundant ones
    such as "age > 50" beside "age > 60" left out), its estimated precision (on the samples
    drawn during the search) and coverage; `predicates` indexes every predicate of the rule."""

    rule: list
    precision: float
    coverage: float
    features: tuple = ()
    n_samples: int = 0
    found: bool = True
    predicates: list = field(default_factory=list, repr=False)

    def __str__(self) -> str:
        rule = " AND ".join(self.rule) or "(any input)"
        return f"IF {rule} THEN same prediction  (precision {self.precision:.2f}, coverage {self.coverage:.2f})"


# ----------------------------------------------------------------------------- KL confidence bounds
def kl_bernoulli(p: float, q: float) -> float:
    """KL(Bernoulli(p) || Bernoulli(q)), with p and q kept inside (0, 1)."""
    return _kl(check_real(p, "p", 0, 1), check_real(q, "q", 0, 1))


def _kl(p, q):
    p, q = np.clip(p, 1e-7, 1 - 1e-16), np.clip(q, 1e-7, 1 - 1e-16)
    return float(p * np.log(p / q) + (1 - p) * np.log((1 - p) / (1 - q)))


def kl_bounds(mean: float, level: float) -> tuple[float, float]:
    """(lower, upper): the q below and above `mean` where KL(mean || q) = level, by bisection."""
    return _kl_bounds(check_real(mean, "mean", 0, 1), check_real(level, "level", low=0))


def _kl_bounds(mean, level):
    def bisect(inside, outside):
        for _ in range(17):
            middle = (inside + outside) / 2
            if _kl(mean, middle) > level:
                outside = middle
            else:
                inside = middle
        return outside

    return (bisect(mean, max(0.0, mean - np.sqrt(level / 2))),
            bisect(mean, min(1.0, mean + np.sqrt(level / 2))))


# ----------------------------------------------------------------------------- the search
class _Arms:
    """Running precision estimates for rules (tuples of predicate indices)."""

    def __init__(self, sample):
        self.sample, self.n, self.hits = sample, {}, {}

    def pull(self, rule, n):
        agree = self.sample(rule, n)
        self.n[rule] = self.n.get(rule, 0) + n
        self.hits[rule] = self.hits.get(rule, 0) + int(agree.sum())

    def mean(self, rule):
        return self.hits[rule] / self.n[rule]

    def bounds(self, rule, level):
        return _kl_bounds(self.mean(rule), level / self.n[rule])


def _kl_lucb(arms, rules, top, delta, epsilon, batch_size):
    """Indices of the `top` rules of highest precision, found by KL-LUCB: keep sampling the
    weakest of the current best and the strongest of the rest until their bounds are within
    epsilon."""
    for rule in rules:
        if rule not in arms.n:
            arms.pull(rule, batch_size)
    if len(rules) <= top:
        return list(range(len(rules)))
    t = 1
    while True:
        means = np.array([arms.mean(r) for r in rules])
        order = np.argsort(means, kind="stable")
        best, rest = order[-top:], order[:-top]
        level = _beta(len(rules), t, delta)
        lower = {i: arms.bounds(rules[i], level)[0] for i in best}
        upper = {i: arms.bounds(rules[i], level)[1] for i in rest}
        weakest, strongest = min(lower, key=lower.get), max(upper, key=upper.get)
        if upper[strongest] - lower[weakest] <= epsilon:
            return list(best)
        arms.pull(rules[weakest], batch_size)
        arms.pull(rules[strongest], batch_size)
        t += 1


def _beta(n_arms, t, delta):
    """The exploration rate of KL-LUCB (Kaufmann and Kalyanakrishnan's constants)."""
    temp = np.log(405.5 * n_arms * t ** 1.1 / delta)
    return temp + np.log(temp)


def _search(arms, coverage, n_predicates, threshold, delta, epsilon, batch_size, beam_size,
            max_size, epsilon_stop=0.05):
    """Beam search: grow the beam's rules by one predicate, keep the `beam_size` most precise
    (KL-LUCB), and accept a rule once its lower bound clears threshold - epsilon_stop; return
    the accepted rule of largest coverage, or the most precise rule seen if none is accepted."""
    beam, best, best_coverage, seen = [()], None, -1.0, []
    level = np.log(1 / (delta / (1 + (beam_size - 1) * n_predicates)))
    for _ in range(max_size):
        candidates = sorted({tuple(sorted(set(rule) | {p})) for rule in beam
                             for p in range(n_predicates) if p not in rule})
        candidates = [r for r in candidates if coverage(r) > best_coverage]
        if not candidates:
            break
        beam = [candidates[i] for i in _kl_lucb(arms, candidates, min(beam_size, len(candidates)),
                                                 delta, epsilon, batch_size)]
        seen += beam
        for rule in beam:
            mean = arms.mean(rule)
            low, high = arms.bounds(rule, level)
            while (mean >= threshold and low < threshold - epsilon_stop) or \
                    (mean < threshold and high >= threshold + epsilon_stop):
                arms.pull(rule, batch_size)
                mean = arms.mean(rule)
                low, high = arms.bounds(rule, level)
            if mean >= threshold and low > threshold - epsilon_stop and coverage(rule) > best_coverage:
                best, best_coverage = rule, coverage(rule)
        if best is not None and best_coverage == 1:
            break
    if best is not None:
        return best, True
    return max(seen, key=arms.mean), False


# ----------------------------------------------------------------------------- tabular
def anchor(predict, x, X_train, threshold: float = 0.95, seed: int = 0, feature_names=None,
           delta: float = 0.1, epsilon: float = 0.15, batch_size: int = 100, beam_size: int = 2,
           max_size: int | None = None, max_categories: int = 10) -> Anchor:
    """The anchor of `x` for the classifier `predict` (rows -> labels), perturbing with `X_train`.

    Predicates: for a feature with at most `max_categories` values, ``feature = x_j``; otherwise
    one half-line per quartile, ``feature <= q_i`` or ``feature > q_i`` as x_j lies (as in the
    authors' code; max_categories=0 treats every feature this way, like anchor-exp without
    categorical names). Sampling under a rule: rows drawn from X_train, each anchored feature
    redrawn from training values meeting its predicates. Coverage: the share of X_train satisfying the rule.
    Same `seed`, same anchor.
    """
    X_train, columns, x = _table(X_train, feature_names, x)
    threshold, seed, batch_size, beam_size = check_search(predict, threshold, seed, delta, epsilon,
                                                           batch_size, beam_size, X_train.shape[1])
    max_categories = check_count(max_categories, "max_categories", minimum=0)
    rng = np.random.default_rng(seed)
    label = model_labels(predict(x[None, :]), 1, "predict")[0]

    names, holds, cuts = _tabular_predicates(x, X_train, columns, max_categories)
    feature_of = [cut[0] for cut in cuts]
    holds_train = np.column_stack([h(X_train) for h in holds])     # (n_train, n_predicates)
    pools = {}

    def pool(rule, j):   # training values of feature j meeting the rule's predicates on j
        key = tuple(p for p in rule if feature_of[p] == j)
        if key not in pools:
            pools[key] = X_train[holds_train[:, list(key)].all(axis=1), j]
        return pools[key]

    def sample(rule, n):
        rows = X_train[rng.integers(0, len(X_train), n)].copy()
        for j in {feature_of[p] for p in rule}:
            values = pool(rule, j)
            rows[:, j] = values[rng.integers(0, len(values), n)]
        return model_labels(predict(rows), n, "predict") == label

    def coverage(rule):
        return float(holds_train[:, list(rule)].all(axis=1).mean()) if rule else 1.0

    arms = _Arms(sample)
    max_size = len(holds) if max_size is None else check_count(max_size, "max_size")
    arms.pull((), batch_size)
    if arms.mean(()) >= threshold and arms.bounds((), np.log(1 / delta))[0] > threshold:
        return Anchor([], arms.mean(()), 1.0, (), arms.n[()], True, [])
    rule, found = _search(arms, coverage, len(holds), threshold, delta, epsilon, batch_size,
                          beam_size, max_size)
    shown = [p for p in rule if not any(_implies(cuts[o], cuts[p]) for o in rule if o != p)]
    return Anchor([names[p] for p in shown], arms.mean(rule), coverage(rule),
                  tuple(sorted({feature_of[p] for p in rule})), sum(arms.n.values()), found,
                  list(rule))


def _implies(a, b):
    """Whether predicate a = (feature, side, q) makes predicate b redundant (same feature and
    side, tighter cut): "age > 60" makes "age > 50" redundant."""
    if a[0] != b[0] or a[1] != b[1] or a[1] == "=":
        return False
    return a[2] > b[2] if a[1] == ">" else a[2] < b[2]


def _tabular_predicates(x, X_train, columns, max_categories):
    """Predicates true at x: ``feature = x_j`` for a feature with few values; otherwise, with
    the quartiles q_1 < q_2 < q_3 of the feature, ``feature <= q_i`` for each q_i >= x_j and
    ``feature > q_i`` for each q_i < x_j (two of them together make an interval)."""
    names, holds, cuts = [], [], []     # cuts: (feature, side, q) of each predicate
    for j, name in enumerate(columns):
        if len(np.unique(X_train[:, j])) <= max_categories:
            names.append(f"{name} = {x[j]:g}")
            holds.append(lambda A, j=j, v=x[j]: A[:, j] == v)
            cuts.append((j, "=", x[j]))
            continue
        for q in np.unique(np.percentile(X_train[:, j], [25, 50, 75])):
            if x[j] <= q:
                names.append(f"{name} <= {q:.2f}")
                holds.append(lambda A, j=j, q=q: A[:, j] <= q)
                cuts.append((j, "<=", q))
            else:
                names.append(f"{name} > {q:.2f}")
                holds.append(lambda A, j=j, q=q: A[:, j] > q)
                cuts.append((j, ">", q))
    return names, holds, cuts


# ----------------------------------------------------------------------------- text
def anchor_text(predict, text: str, threshold: float = 0.95, seed: int = 0, delta: float = 0.1,
                epsilon: float = 0.15, batch_size: int = 100, beam_size: int = 2,
                max_size: int | None = None, unknown: str = "UNK") -> Anchor:
    """The anchor of a text for `predict` (list of strings -> labels): a set of words that
    keeps the prediction when every other word is replaced by `unknown` with probability 1/2.
    Coverage under that perturbation is 2^-|A| (the share of perturbed texts keeping A's words)."""
    if not isinstance(text, str) or not text.split():
        raise ValueError("text must be a non-empty string of words")
    words = text.split()
    threshold, seed, batch_size, beam_size = check_search(predict, threshold, seed, delta, epsilon,
                                                           batch_size, beam_size, len(words))
    rng = np.random.default_rng(seed)
    label = model_labels(predict([text]), 1, "predict")[0]

    def sample(rule, n):
        keep = rng.random((n, len(words))) < 0.5
        keep[:, list(rule)] = True
        texts = [" ".join(w if k else unknown for w, k in zip(words, row)) for row in keep]
        return model_labels(predict(texts), n, "predict") == label

    def coverage(rule):
        return 0.5 ** len(rule)

    arms = _Arms(sample)
    max_size = len(words) if max_size is None else check_count(max_size, "max_size")
    rule, found = _search(arms, coverage, len(words), threshold, delta, epsilon, batch_size,
                          beam_size, max_size)
    return Anchor([words[p] for p in rule], arms.mean(rule), coverage(rule), rule,
                  sum(arms.n.values()), found, list(rule))


# ----------------------------------------------------------------------------- checks
def _table(X, feature_names, x):
    """(X_train as a finite array, column names, x as a finite vector with one value per column)."""
    X, names = check_rows(X, "X_train")
    if len(X) < 4:
        raise ValueError(f"X_train must have at least 4 rows to perturb with, got {len(X)}")
    columns = check_names(feature_names, names or [f"x{j}" for j in range(X.shape[1])])
    x = check_array(x, "x").ravel()
    if x.shape != (X.shape[1],):
        raise ValueError(f"x must have {X.shape[1]} values (one per column of X_train), got {x.shape}")
    return X, columns, x


