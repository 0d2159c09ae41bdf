"""Shapley values: share a game's winnings fairly, then share a prediction among features.

A cooperative game gives every coalition S of the players N a value v(S), what S wins on its
own. Shapley (1953) proved that exactly one way of sharing v(N) - v(∅) is efficient, symmetric,
pays dummies their constant contribution and is additive over games:

    phi_i = sum over S ⊆ N \\ {i} of  |S|! (n - |S| - 1)! / n!  ·  (v(S ∪ {i}) - v(S))
          = the mean, over all n! orders of joining, of what i adds to the players before it.

Features become players through the interventional value function of :func:`model_game`,
v(S) = mean over background rows b of f(x_S, b_rest) (Strumbelj & Kononenko 2014,
"Explaining prediction models and individual predictions with feature contributions";
Lundberg & Lee 2017, "A unified approach to interpreting model predictions"). It is the value
function of ``shap.ExactExplainer`` and ``shap.PermutationExplainer`` with an independent
masker (``shap/explainers/_exact.py``, ``shap/utils/_masked_model.py``).
"""
from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations, permutations

import numpy as np

from ._validation import (check_budget, check_instance, check_real, check_scalar, check_seed,
                          check_shapley_method)
from .game import Game, _coalition_weight, coalition_weight, shapley_from_table
# features as players: the model game lives in shapley_model.py; lectures 00, 01, 04 and 06
# import these names from here, as the course's one door to Shapley values
from .shapley_model import ModelGame, model_game, model_shapley

__all__ = [
    "Game", "ModelGame", "model_game", "model_shapley", "shapley_values", "marginal_contributions",
    "coalition_weight", "shapley_from_table", "sample_shapley", "ShapleyEstimate",
    "check_axioms", "AxiomCheck", "AxiomReport", "equal_split", "proportional_split",
]

# ---------------------------------------------------------------------- exact Shapley values
def marginal_contributions(game: Game, order) -> dict:
    """What each player adds when the players join one at a time in `order`."""
    return _marginal_contributions(*_check_order(game, order))


def _marginal_contributions(game, order) -> dict:
    joined, contributions = frozenset(), {}
    for player in order:
        contributions[player] = game(joined | {player}) - game(joined)
        joined = joined | {player}
    return contributions


def shapley_values(game: Game, method: str = "coalitions") -> dict:
    """Exact Shapley values {player: phi}, by summing over coalitions or averaging over orders.

    "coalitions": phi_i = sum_S |S|!(n-|S|-1)!/n! (v(S ∪ {i}) - v(S)), 2**(n-1) terms per player;
    "orderings": phi_i = mean over the n! orders of i's marginal contribution (n! · n terms).
    """
    check_instance(game, "game", Game, "build one with Game(players, value)")
    method = check_shapley_method(method, game.n_players)
    game.value_table()  # every coalition is needed: evaluate them all at once, then look up
    if method == "coalitions":
        n, values = game.n_players, {}
        for player in game.players:
            others = [p for p in game.players if p != player]
            values[player] = math.fsum(
                _coalition_weight(size, n) * game.marginal_contribution(player, S)
                for size in range(n) for S in combinations(others, size))
        return values
    per_player = {player: [] for player in game.players}    # "orderings"
    for order in permutations(game.players):
        for player, contribution in _marginal_contributions(game, order).items():
            per_player[player].append(contribution)
    return {player: math.fsum(c) / len(c) for player, c in per_player.items()}


def _check_order(game, order):
    """(game, order as a list) where order lists each player of the game exactly once."""
    check_instance(game, "game", Game, "build one with Game(players, value)")
    listed = list(order) if isinstance(order, Iterable) and not isinstance(order, Mapping) else []
    if (not all(isinstance(p, Hashable) for p in listed) or len(listed) != game.n_players
            or set(listed) != set(game.players)):
        raise ValueError(f"order {order!r} must list each of {list(game.players)} exactly once")
    return game, listed


# ---------------------------------------------------------------------- Monte Carlo
@dataclass
class ShapleyEstimate:
    """Monte Carlo Shapley values with their standard errors.

    samples : (n_samples, n_players) independent unbiased estimates: one row per random order,
        or per antithetic pair (an order and its reverse, averaged).
    """

    players: tuple
    values: dict
    std_errors: dict
    samples: np.ndarray
    n_permutations: int
    antithetic: bool

    def running_mean(self) -> np.ndarray:
        """Estimate after 1, 2, ... samples: shape (n_samples, n_players)."""
        return np.cumsum(self.samples, axis=0) / np.arange(1, len(self.samples) + 1)[:, None]

    def running_std_error(self) -> np.ndarray:
        """Standard error after 1, 2, ... samples (NaN for the first)."""
        k = np.arange(1, len(self.samples) + 1)[:, None]
        mean = self.running_mean()
        mean_sq = np.cumsum(self.samples ** 2, axis=0) / k
        with np.errstate(invalid="ignore", divide="ignore"):
            variance = np.maximum(mean_sq - mean ** 2, 0) * k / (k - 1)
            return np.sqrt(variance / k)

    def __repr__(self) -> str:
        body = ", ".join(f"{p}: {self.values[p]:.4g} ± {self.std_errors[p]:.2g}" for p in self.players)
        kind = "antithetic pairs" if self.antithetic else "orders"
        return f"ShapleyEstimate({body}; {self.n_permutations} orders as {len(self.samples)} {kind})"


def sample_shapley(game: Game, n_permutations: int, seed, antithetic: bool = False) -> ShapleyEstimate:
    """Estimate Shapley values from random orders (Castro, Gómez & Tejada 2009).

    Each order pi gives an unbiased estimate: phi_i ≈ v(Pre_i(pi) ∪ {i}) - v(Pre_i(pi)).
    With `antithetic`, orders come in pairs (pi, reversed pi) and each pair is one sample; this
    is what ``shap.PermutationExplainer`` does. The orders are the argsort of uniform keys,
    ``np.argsort(rng.random((n_orders, n)), axis=1)`` with ``rng = np.random.default_rng(seed)``.
    """
    n, n_permutations, rng = _check_sampling(game, n_permutations, seed, antithetic)
    n_drawn = n_permutations // 2 if antithetic else n_permutations
    orders = np.argsort(rng.random((n_drawn, n)), axis=1)
    if antithetic:  # order, reversed order, next order, ...
        orders = np.stack([orders, orders[:, ::-1]], axis=1).reshape(-1, n)
    # coalition before each step: prefix[:, k] = mask of the first k players of the order
    prefix = np.zeros((len(orders), n + 1), dtype=np.int64)
    prefix[:, 1:] = np.cumsum(np.left_shift(1, orders), axis=1)
    value = game.values_of(prefix)
    contributions = np.empty((len(orders), n))
    np.put_along_axis(contributions, orders, np.diff(value, axis=1), axis=1)
    samples = contributions.reshape(-1, 2, n).mean(axis=1) if antithetic else contributions
    mean = samples.mean(axis=0)
    std_error = samples.std(axis=0, ddof=1) / math.sqrt(len(samples))
    return ShapleyEstimate(game.players, dict(zip(game.players, mean.tolist())),
                           dict(zip(game.players, std_error.tolist())), samples,
                           int(n_permutations), bool(antithetic))


# ---------------------------------------------------------------------- other sharing rules
def _check_sampling(game, n_permutations, seed, antithetic):
    """(players, orders, Generator) for sample_shapley; the count is bounded before drawing."""
    n = check_instance(game, "game", Game, "build one with Game(players, value)").n_players
    if n > 62:
        raise ValueError(f"{n} players do not fit in 64-bit coalition masks (limit 62)")
    n_permutations = check_budget(n_permutations, "n_permutations", per_unit=3 * (n + 1), minimum=2)
    if antithetic and n_permutations % 2:
        raise ValueError(f"n_permutations must be even with antithetic=True (pairs), got {n_permutations}")
    if not isinstance(seed, np.random.Generator):
        seed = check_seed(seed)
    return n, n_permutations, np.random.default_rng(seed)


def equal_split(game: Game) -> dict:
    """Everyone gets (v(N) - v(∅)) / n: efficient and symmetric, but pays dummies."""
    check_instance(game, "game", Game, "build one with Game(players, value)")
    total = game(game.players) - game(())
    return {player: total / game.n_players for player in game.players}


def proportional_split(game: Game) -> dict:
    """Shares of v(N) - v(∅) in proportion to standalone worth v({i}) - v(∅): not additive."""
    check_instance(game, "game", Game, "build one with Game(players, value)")
    alone = {p: game((p,)) - game(()) for p in game.players}
    if math.isclose(sum(alone.values()), 0.0, abs_tol=1e-12):
        raise ValueError("the standalone worths sum to 0: the proportional split is undefined")
    total = game(game.players) - game(())
    return {p: total * alone[p] / sum(alone.values()) for p in game.players}

# ---------------------------------------------------------------------- the four axioms
@dataclass
class AxiomCheck:
    """One axiom's verdict: holds (None when not checked), the largest gap found, in words."""

    axiom: str
    holds: bool | None
    gap: float
    detail: str


class AxiomReport(dict):
    """{axiom: AxiomCheck} for efficiency, symmetry, dummy and additivity, printed as a table."""

    @property
    def all_hold(self) -> bool:
        return all(check.holds is not False for check in self.values())

    def __repr__(self) -> str:
        mark = {True: "✓ holds", False: "✗ fails", None: "- not checked"}
        return "\n".join(f"{name:<11} {mark[check.holds]:<14} {check.detail}"
                         for name, check in self.items())


def check_axioms(game: Game, values, other: Game | None = None, tol: float = 1e-9) -> AxiomReport:
    """Which of Shapley's four axioms the shares `values` satisfy on `game`, with the numbers.

    efficiency: sum_i phi_i = v(N) - v(∅).
    symmetry:   i, j interchangeable (v(S ∪ {i}) = v(S ∪ {j}) for all S without both) => phi_i = phi_j.
    dummy:      i adds the same c to every coalition => phi_i = c (c = 0: a null player gets 0).
    additivity: rule(v + w) = rule(v) + rule(w); needs `values` to be the rule itself (a function
                game -> shares) and a second game `other`.
    Gaps count as zero up to tol · max(1, max |v|).
    """
    game, tol = check_instance(game, "game", Game, "build one with Game(players, value)"), check_real(tol, "tol", low=0)
    if other is not None:
        check_instance(other, "other", Game, "pass a second game with the same players")
    rule = values if callable(values) and not isinstance(values, Mapping) else None
    phi = _share_vector(game, rule(game) if rule else values)
    table, n = game.value_table(), game.n_players
    masks, full = np.arange(2 ** n), 2 ** n - 1
    scale = tol * max(1.0, float(np.abs(table).max()))
    report = AxiomReport()

    gap = phi.sum() - (table[full] - table[0])
    report["efficiency"] = AxiomCheck("efficiency", bool(abs(gap) <= scale), abs(gap),
                                      f"sum of shares {phi.sum():.6g}, v(N) - v(∅) = "
                                      f"{table[full] - table[0]:.6g}")

    pairs, worst = [], 0.0
    for i, j in combinations(range(n), 2):
        rest = masks[(((masks >> i) & 1) == 0) & (((masks >> j) & 1) == 0)]
        if np.all(np.abs(table[rest | 1 << i] - table[rest | 1 << j]) <= scale):
            pairs.append(f"{game.players[i]}~{game.players[j]}: {phi[i]:.4g} vs {phi[j]:.4g}")
            worst = max(worst, abs(phi[i] - phi[j]))
    report["symmetry"] = AxiomCheck(
        "symmetry", bool(worst <= scale), worst,
        "; ".join(pairs) if pairs else "no two players are interchangeable (holds trivially)")

    dummies, worst = [], 0.0
    for i in range(n):
        without_i = masks[((masks >> i) & 1) == 0]
        gain = table[without_i | 1 << i] - table[without_i]
        if np.ptp(gain) <= scale:
            dummies.append(f"{game.players[i]} always adds {gain[0]:.4g}, gets {phi[i]:.4g}")
            worst = max(worst, abs(phi[i] - gain[0]))
    report["dummy"] = AxiomCheck("dummy", bool(worst <= scale), worst,
                                 "; ".join(dummies) if dummies else "no dummy player (holds trivially)")

    if rule is None or other is None:
        report["additivity"] = AxiomCheck("additivity", None, float("nan"),
                                          "pass the rule (a function game -> shares) and other=a second game")
    else:
        both = _share_vector(game + other, rule(game + other))
        gap_vector = both - phi - _share_vector(other, rule(other))
        worst = float(np.abs(gap_vector).max())
        report["additivity"] = AxiomCheck("additivity", bool(worst <= scale), worst,
                                          f"rule(v + w) - rule(v) - rule(w) is at most {worst:.3g} in size")
    return report


def _share_vector(game: Game, shares) -> np.ndarray:
    """Shares as an array in player order, with clear errors for missing players or non-numbers."""
    if not isinstance(shares, Mapping):
        raise TypeError(f"values must be a dict player -> share (or a rule returning one), "
                        f"got {type(shares).__name__}")
    if set(shares) != set(game.players):
        raise ValueError(f"values must have one share per player {list(game.players)}, "
                         f"got keys {list(shares)}")
    return np.array([check_scalar(shares[p], f"the share of {p!r}") for p in game.players])
