"""A cooperative game: players, a value v(S) for every coalition S, and its Shapley formula.

The foundation of :mod:`course_lib.shapley` (exact and sampled Shapley values, the axioms) and
of :mod:`course_lib.shapley_model` (features as players); both re-export these names, so
``from course_lib.shapley import Game`` keeps working.

    phi_i = sum over S ⊆ N \\ {i} of  |S|! (n - |S| - 1)! / n!  ·  (v(S ∪ {i}) - v(S))
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from itertools import combinations

import numpy as np

from ._validation import check_array, check_count, check_players, check_scalar
from .explanation import Attributions

__all__ = ["Game", "MAX_EXACT_PLAYERS", "coalition_weight", "shapley_from_table"]

MAX_EXACT_PLAYERS = 20  # 2**20 coalitions: beyond this, sample instead
MAX_WEIGHT_PLAYERS = 10_000  # coalition_weight computes n!: larger games need another formula


# ---------------------------------------------------------------------------------- the game
class Game:
    """A cooperative game: `players` and the value v(S) of each coalition S.

    `value` is a mapping from every coalition (an iterable of player names: a tuple, a set, or a
    string of one-letter names such as "AB"; ``()`` or ``""`` is the empty coalition) to a
    number, or a callable that takes a frozenset of players and returns a number. Coalitions
    are stored as frozensets; internally coalition S is also the bitmask sum of 2**index.
    """

    def __init__(self, players, value):
        players = check_players(players)
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
        return np.array([check_scalar(self._function(self.members(m)), f"value({self.name(self.members(m))})")
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
            self._cache[mask] = check_scalar(value, f"the value of coalition {key!r}")
        missing = [m for m in range(2 ** self.n_players) if m not in self._cache]
        if missing:
            shown = ", ".join(self.name(self.members(m)) for m in missing[:4])
            more = f" and {len(missing) - 4} more" if len(missing) > 4 else ""
            raise ValueError(f"value has no entry for coalition(s) {shown}{more}; a table must "
                             f"give all {2 ** self.n_players} coalitions of {self.n_players} "
                             "players, the empty one included")

    def attributions(self) -> Attributions:
        """The exact Shapley values as :class:`~course_lib.explanation.Attributions`: one row.

        values in player order, base value v(∅), feature_names the players (as strings), so
        base + sum = v(N) (efficiency): the result shape of every other explainer.
        """
        phi = shapley_from_table(self.value_table(), self.n_players)
        return Attributions(phi[None], [self(())], feature_names=[str(p) for p in self.players])

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


def coalition_weight(size: int, n_players: int) -> float:
    """|S|! (n - |S| - 1)! / n!: the share of orders in which i finds exactly S before it.

    Written over the coalitions T = S ∪ {i} that contain i, the same weight is
    1 / (|T| · C(n, |T|)), the form used in the course's source slides.
    """
    n_players = check_count(n_players, "n_players", maximum=MAX_WEIGHT_PLAYERS)
    size = check_count(size, "size", minimum=0)
    if not 0 <= size < n_players:
        raise ValueError(f"size must be between 0 and n_players - 1 = {n_players - 1}, got {size}")
    return _coalition_weight(size, n_players)


def _coalition_weight(size: int, n_players: int) -> float:
    return math.factorial(size) * math.factorial(n_players - size - 1) / math.factorial(n_players)


def shapley_from_table(table, n_players: int | None = None) -> np.ndarray:
    """Shapley values of every game in a value table, vectorised: shape (n, ...) from (2**n, ...).

    table[mask] = v(S) for the coalition with that bitmask; trailing axes are separate games
    (rows explained, model outputs). Same formula as :func:`shapley_values`, one player at a time.
    """
    table, rows = check_array(table, "table", min_size=0), np.shape(table)[0] if np.ndim(table) else 0
    n = round(math.log2(max(rows, 1))) if n_players is None else check_count(n_players, "n_players", 0, MAX_EXACT_PLAYERS)
    if rows != 2 ** n:
        raise ValueError(f"table has {rows} rows; it needs 2**n_players = {2 ** n}, one per coalition")
    masks = np.arange(2 ** n)
    sizes = sum((masks >> k) & 1 for k in range(n))  # |S| of every coalition
    weight = np.array([_coalition_weight(s, n) for s in range(n)])
    phi = np.empty((n,) + table.shape[1:])
    for i in range(n):
        without_i = masks[(masks >> i) & 1 == 0]
        gain = table[without_i | (1 << i)] - table[without_i]  # v(S ∪ {i}) - v(S)
        phi[i] = np.tensordot(weight[sizes[without_i]], gain, axes=1)
    return phi
