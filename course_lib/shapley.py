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
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations, permutations
from numbers import Real

import numpy as np


__all__ = [
    "Game", "ModelGame", "model_game", "model_shapley", "shapley_values", "marginal_contributions",
    "coalition_weight", "shapley_from_table", "sample_shapley", "ShapleyEstimate",
    "check_axioms", "AxiomCheck", "AxiomReport", "equal_split", "proportional_split",
]

MAX_EXACT_PLAYERS = 20  # 2**20 coalitions: beyond this, sample instead


# ---------------------------------------------------------------------------------- the game
class Game:
    """A cooperative game: `players` and the value v(S) of each coalition S.

    `value` is a mapping from every coalition (an iterable of player names: a tuple, a set, or a
    string of one-letter names such as "AB"; ``()`` or ``""`` is the empty coalition) to a
    number, or a callable that takes a frozenset of players and returns a number. Coalitions
    are stored as frozensets; internally coalition S is also the bitmask sum of 2**index.
    """

    def __init__(self, players, value):
        players = tuple(players)
        if not players:
            raise ValueError("players is empty; a game needs at least one player")
        seen = set()
        for player in players:
            if player in seen:
                raise ValueError(f"players lists {player!r} twice; every player must be unique")
            seen.add(player)
        self.players = players
        self.n_players = len(players)
        self._index = {player: i for i, player in enumerate(players)}
        self._cache: dict[int, float] = {}
        if isinstance(value, Mapping):
            self._function = None
            self._read_table(value)
        elif callable(value):
            self._function = value
        else:
            raise TypeError(f"value must be a mapping coalition -> number or a callable, "
                            f"got {type(value).__name__}")

    # -------------------------------------------------------------- coalitions and masks
    def coalition(self, members) -> frozenset:
        """`members` as a frozenset of players, with a clear error for unknown players."""
        if isinstance(members, str) and members in self._index:
            return frozenset([members])
        if isinstance(members, str):
            members = list(members)  # "AB" -> ["A", "B"]
        try:
            members = list(members)
        except TypeError:
            raise TypeError(f"coalition {members!r} is not an iterable of players; "
                            f"write e.g. ('{self.players[0]}',)") from None
        for player in members:
            if player not in self._index:
                raise ValueError(f"coalition {members!r} names unknown player {player!r}; "
                                 f"the players are {list(self.players)}")
        if len(set(members)) != len(members):
            raise ValueError(f"coalition {members!r} lists a player twice")
        return frozenset(members)

    def mask(self, coalition) -> int:
        """The bitmask of a coalition: player k contributes 2**k."""
        return sum(1 << self._index[p] for p in self.coalition(coalition))

    def members(self, mask: int) -> frozenset:
        """The coalition of a bitmask."""
        return frozenset(p for k, p in enumerate(self.players) if (int(mask) >> k) & 1)

    def name(self, coalition) -> str:
        """A readable name: "{A, C}", or "∅" for the empty coalition."""
        members = self.coalition(coalition)
        ordered = [str(p) for p in self.players if p in members]
        return "{" + ", ".join(ordered) + "}" if ordered else "∅"

    def coalitions(self) -> list[frozenset]:
        """All 2**n coalitions, by size, then in player order."""
        return [frozenset(S) for size in range(self.n_players + 1)
                for S in combinations(self.players, size)]

    # -------------------------------------------------------------- values
    def __call__(self, coalition) -> float:
        """v(S)."""
        mask = self.mask(coalition)
        if mask not in self._cache:
            self.values_of(np.array([mask]))
        return self._cache[mask]

    def marginal_contribution(self, player, coalition) -> float:
        """v(S ∪ {i}) - v(S): what `player` adds by joining `coalition`."""
        coalition = self.coalition(coalition)
        return self(coalition | {player}) - self(coalition - {player})

    def values_of(self, masks) -> np.ndarray:
        """v for an array of bitmasks; each coalition is evaluated once and remembered."""
        masks = np.asarray(masks, dtype=np.int64)
        unique = np.unique(masks)
        todo = np.array([m for m in unique.tolist() if m not in self._cache], dtype=np.int64)
        if len(todo):
            for mask, value in zip(todo.tolist(), self._evaluate(todo)):
                self._cache[mask] = float(value)
        return np.array([self._cache[m] for m in masks.ravel().tolist()]).reshape(masks.shape)

    def value_table(self) -> np.ndarray:
        """v(S) for every coalition, indexed by bitmask: shape (2**n,)."""
        if self.n_players > MAX_EXACT_PLAYERS:
            raise ValueError(f"{self.n_players} players make 2**{self.n_players} coalitions, too "
                             f"many to list (limit {MAX_EXACT_PLAYERS}); use sample_shapley")
        return self.values_of(np.arange(2 ** self.n_players))

    def _evaluate(self, masks: np.ndarray) -> np.ndarray:
        """Values of coalitions not seen before (subclasses vectorise this)."""
        if self._function is None:  # cannot happen: a table game has every coalition
            raise KeyError(f"no value for coalition {self.name(self.members(masks[0]))}")
        return np.array([_number(self._function(self.members(m)), f"value({self.name(self.members(m))})")
                         for m in masks.tolist()])

    def _read_table(self, table: Mapping) -> None:
        names = {}
        for key, value in table.items():
            coalition = self.coalition(key)
            mask = sum(1 << self._index[p] for p in coalition)
            if mask in self._cache:
                raise ValueError(f"coalitions {names[mask]!r} and {key!r} are the same coalition "
                                 f"{self.name(coalition)}; give each coalition once")
            names[mask] = key
            self._cache[mask] = _number(value, f"the value of coalition {key!r}")
        missing = [m for m in range(2 ** self.n_players) if m not in self._cache]
        if missing:
            shown = ", ".join(self.name(self.members(m)) for m in missing[:4])
            more = f" and {len(missing) - 4} more" if len(missing) > 4 else ""
            raise ValueError(f"value has no entry for coalition(s) {shown}{more}; a table must "
                             f"give all {2 ** self.n_players} coalitions of {self.n_players} "
                             "players, the empty one included")

    # -------------------------------------------------------------- combining and showing
    def __add__(self, other: "Game") -> "Game":
        """The game v + w (same players): the setting of the additivity axiom."""
        if not isinstance(other, Game) or set(other.players) != set(self.players):
            raise ValueError("can only add two games with the same players")
        return Game(self.players, {S: self(S) + other(S) for S in self.coalitions()})

    def table(self) -> list[tuple[str, float]]:
        """[(coalition name, value)] for every coalition, smallest first."""
        self.value_table()  # evaluate all coalitions at once (one batch for a model game)
        return [(self.name(S), self(S)) for S in self.coalitions()]

    def __repr__(self) -> str:
        if self.n_players <= 4 and (self._function is None or len(self._cache) == 2 ** self.n_players):
            body = ", ".join(f"{name}: {value:g}" for name, value in self.table())
            return f"Game(players={list(self.players)}, {body})"
        return f"Game(players={list(self.players)})"


def _number(value, what: str) -> float:
    """A finite real number, or a one-line error naming `what`."""
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(()).item()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, Real):
        raise TypeError(f"{what} is {value!r}; coalition values must be real numbers")
    if not math.isfinite(value):
        raise ValueError(f"{what} is {value}; coalition values must be finite")
    return float(value)


# ---------------------------------------------------------------------- exact Shapley values
def marginal_contributions(game: Game, order) -> dict:
    """What each player adds when the players join one at a time in `order`."""
    order = list(order)
    if len(order) != game.n_players or set(order) != set(game.players):
        raise ValueError(f"order {order!r} must list each of {list(game.players)} exactly once")
    joined, contributions = frozenset(), {}
    for player in order:
        contributions[player] = game(joined | {player}) - game(joined)
        joined = joined | {player}
    return contributions


def coalition_weight(size: int, n_players: int) -> float:
    """|S|! (n - |S| - 1)! / n!: the share of orders in which i finds exactly S before it.

    Written over the coalitions T = S ∪ {i} that contain i, the same weight is
    1 / (|T| · C(n, |T|)), the form used in the course's source slides.
    """
    if not 0 <= size < n_players:
        raise ValueError(f"size must be between 0 and n_players - 1 = {n_players - 1}, got {size}")
    return math.factorial(size) * math.factorial(n_players - size - 1) / math.factorial(n_players)


def shapley_values(game: Game, method: str = "coalitions") -> dict:
    """Exact Shapley values {player: phi}, by summing over coalitions or averaging over orders.

    "coalitions": phi_i = sum_S |S|!(n-|S|-1)!/n! (v(S ∪ {i}) - v(S)), 2**(n-1) terms per player;
    "orderings": phi_i = mean over the n! orders of i's marginal contribution (n! · n terms).
    """
    if not isinstance(game, Game):
        raise TypeError(f"game must be a Game, got {type(game).__name__}")
    game.value_table()  # every coalition is needed: evaluate them all at once, then look up
    if method == "coalitions":
        n, values = game.n_players, {}
        for player in game.players:
            others = [p for p in game.players if p != player]
            values[player] = math.fsum(
                coalition_weight(size, n) * game.marginal_contribution(player, S)
                for size in range(n) for S in combinations(others, size))
        return values
    if method == "orderings":
        if game.n_players > 9:
            raise ValueError(f"{game.n_players}! orders are too many to list; "
                             "use method='coalitions' or sample_shapley")
        per_player = {player: [] for player in game.players}
        for order in permutations(game.players):
            for player, contribution in marginal_contributions(game, order).items():
                per_player[player].append(contribution)
        return {player: math.fsum(c) / len(c) for player, c in per_player.items()}
    raise ValueError(f"method must be 'coalitions' or 'orderings', got {method!r}")


def shapley_from_table(table, n_players: int | None = None) -> np.ndarray:
    """Shapley values of every game in a value table, vectorised: shape (n, ...) from (2**n, ...).

    table[mask] = v(S) for the coalition with that bitmask; trailing axes are separate games
    (rows explained, model outputs). Same formula as :func:`shapley_values`, one player at a time.
    """
    table = np.asarray(table, dtype=float)
    n = int(round(math.log2(table.shape[0]))) if n_players is None else n_players
    if table.shape[0] != 2 ** n:
        raise ValueError(f"table has {table.shape[0]} rows; it needs 2**n_players = {2 ** n}")
    masks = np.arange(2 ** n)
    sizes = sum((masks >> k) & 1 for k in range(n))  # |S| of every coalition
    weight = np.array([coalition_weight(s, n) for s in range(n)])
    phi = np.empty((n,) + table.shape[1:])
    for i in range(n):
        without_i = masks[(masks >> i) & 1 == 0]
        gain = table[without_i | (1 << i)] - table[without_i]  # v(S ∪ {i}) - v(S)
        phi[i] = np.tensordot(weight[sizes[without_i]], gain, axes=1)
    return phi


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
    if not isinstance(game, Game):
        raise TypeError(f"game must be a Game, got {type(game).__name__}")
    if isinstance(n_permutations, bool) or not isinstance(n_permutations, (int, np.integer)) \
            or n_permutations < 2:
        raise ValueError(f"n_permutations must be an integer >= 2, got {n_permutations!r}")
    if antithetic and n_permutations % 2:
        raise ValueError(f"n_permutations must be even with antithetic=True (pairs), got {n_permutations}")
    if seed is None or not isinstance(seed, (int, np.integer, np.random.Generator)) or isinstance(seed, bool):
        raise TypeError(f"seed must be an int (or a numpy Generator), got {seed!r}")
    n = game.n_players
    if n > 62:
        raise ValueError(f"{n} players do not fit in 64-bit coalition masks (limit 62)")
    rng = np.random.default_rng(seed)
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
def equal_split(game: Game) -> dict:
    """Everyone gets (v(N) - v(∅)) / n: efficient and symmetric, but pays dummies."""
    total = game(game.players) - game(())
    return {player: total / game.n_players for player in game.players}


def proportional_split(game: Game) -> dict:
    """Shares of v(N) - v(∅) in proportion to standalone worth v({i}) - v(∅): not additive."""
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
    if not isinstance(game, Game):
        raise TypeError(f"game must be a Game, got {type(game).__name__}")
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
    return np.array([_number(shares[p], f"the share of {p!r}") for p in game.players])


# ---------------------------------------------------------------------- features as players
# ModelGame, model_game and model_shapley live in course_lib/shapley_model.py; they are
# importable from here too (loaded on first use, which avoids a circular import).
_MODEL_NAMES = {"ModelGame", "model_game", "model_shapley", "DEFAULT_BATCH_ROWS", "_coalition_values"}


def __getattr__(name: str):
    if name in _MODEL_NAMES:
        from . import shapley_model

        return getattr(shapley_model, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
