"""Exercises for notebook 01, Shapley values as a card game: eight checked questions, easy to hard.

Every check recomputes the answer with ``course_lib.shapley`` on the question's game (or on games
it builds for your function) and tests properties of your answer; no stored answers.
"""
from __future__ import annotations

import math
import re
from functools import partial
from itertools import permutations

import numpy as np

from ..shapley import Game, coalition_weight, marginal_contributions, model_game, shapley_values
from . import (PLACEHOLDER, Incorrect, Question, as_array, as_callable, as_mapping, as_number,
               call_fresh, call_learner, forbidden, is_close, source_of, mistake_from)

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "QUESTIONS", "Game", "PLACEHOLDER",
           "card_game", "q1_game", "q6_model", "q6_x", "q6_background", "airport_game"]

#: The card game of the lecture, for trying your functions.
card_game = Game("ABC", {"": 0, "A": 4, "B": 7, "C": 6, "AB": 7, "AC": 9, "BC": 15, "ABC": 19})

#: Question 1's game: share its prize by hand.
q1_game = Game("ABC", {"": 0, "A": 10, "B": 4, "C": 0, "AB": 20, "AC": 14, "BC": 6, "ABC": 32})


def _shares(value, what: str, players) -> np.ndarray:
    """A dict player -> number as an array in player order, or an Incorrect naming the problem."""
    mapping = as_mapping(value, what, keys=list(players))
    return np.array([as_number(mapping[p], f"{what}[{p!r}]") for p in players])


#: is_close(a, b, atol) with an absolute tolerance only.
_close = partial(is_close, rtol=0.0)


def _show(shares, players) -> str:
    return ", ".join(f"{p}={s:.4g}" for p, s in zip(players, shares))


# ------------------------------------------------------------------------------- q1
def _check_q1(shares):
    game, players = q1_game, q1_game.players
    answer = _shares(shares, "shares", players)
    exact = np.array([shapley_values(game)[p] for p in players])
    if _close(answer, exact, 0.006):
        return f"{_show(exact, players)}: together exactly the {game(players):g} the three win"
    total = game(players) - game(())
    if not math.isclose(answer.sum(), total, abs_tol=0.01):
        raise Incorrect(f"your shares add up to {answer.sum():.4g}, but the three together win "
                        f"{total:g}: fair shares split the whole prize (efficiency)",
                        mistake="shares-add-three")
    suspects = {
        "the equal split": np.full(3, total / 3),
        "the standalone winnings v({i}) rescaled to the prize":
            total * np.array([game((p,)) for p in players]) / sum(game((p,)) for p in players),
        "what each player adds in the single order A, B, C":
            np.array([marginal_contributions(game, "ABC")[p] for p in players]),
    }
    for name, values in suspects.items():
        if _close(answer, values, 0.006):
            raise Incorrect(f"those are {name}; the Shapley share averages each player's "
                            "marginal contribution over all 6 orders of joining",
                            mistake=mistake_from(name))
    worst = int(np.argmax(np.abs(answer - exact)))
    raise Incorrect(f"the shares add up, but {players[worst]}'s is off by "
                    f"{abs(answer[worst] - exact[worst]):.3g}: list {players[worst]}'s marginal "
                    "contribution in each of the 6 orders and average them",
                    mistake="shares-add-off")


q1 = Question(
    "q1", "Shapley shares of a new three-player game, by hand", ["shares"], _check_q1,
    hints=["Write the 6 orders (ABC, ACB, BAC, BCA, CAB, CBA) as rows and A, B, C as columns.",
           "In order B, A, C: B adds v(B) - v(∅) = 4, A adds v(AB) - v(B) = 16, C adds "
           "v(ABC) - v(AB) = 12.",
           "Average each column over the 6 rows; the three averages add up to v(ABC) = 32."],
    solution_code='shares = {"A": 102 / 6, "B": 60 / 6, "C": 30 / 6}  # = 17, 10, 5')


# ------------------------------------------------------------------------------- q2
def _random_game(players, seed: int) -> Game:
    rng = np.random.default_rng(seed)
    probe = Game(players, lambda S: 0)
    return Game(players, {S: (0 if not S else int(rng.integers(0, 20))) for S in probe.coalitions()})


def _check_q2(contributions_in_order):
    function = as_callable(contributions_in_order, "contributions_in_order")
    for game in (card_game, q1_game, _random_game("ABCD", 2)):
        for order in permutations(game.players):
            got = call_learner(function, game, order, what="contributions_in_order(game, order)")
            expected = marginal_contributions(game, order)
            players = list(order)
            answer = _shares(got, "contributions_in_order(game, order)", players)
            want = np.array([expected[p] for p in players])
            if _close(answer, want, 1e-9):
                continue
            cumulative = np.array([game(order[:k + 1]) for k in range(len(order))])
            if _close(answer, cumulative, 1e-9):
                raise Incorrect(f"for order {''.join(map(str, order))} you return v of the coalition "
                                f"after each player joins ({_show(answer, players)}); the "
                                "contribution is the difference v(before + i) - v(before)",
                                mistake="order-coalition-after")
            if _close(answer, -want, 1e-9):
                raise Incorrect(f"for order {''.join(map(str, order))} every contribution has the "
                                "wrong sign: v(before + i) - v(before), the coalition with the "
                                "player first", mistake="order-contribution-wrong")
            k = int(np.flatnonzero(np.abs(answer - want) > 1e-9)[0])  # the first wrong step
            before = "∅" if k == 0 else "{" + ", ".join(order[:k]) + "}"
            raise Incorrect(f"in order {''.join(map(str, order))} player {order[k]} joins {before} "
                            f"and adds {want[k]:g}, but you have {answer[k]:g}",
                            mistake="order-player-joins")
    return "every order of three games checked; each order shares exactly v(N) - v(∅)"


q2 = Question(
    "q2", "marginal contributions along one order", ["contributions_in_order"], _check_q2,
    hints=["Walk through the order, keeping the set of players who joined so far.",
           "Player i adds game(before | {i}) - game(before); then add i to `before`."],
    solution_code='''def contributions_in_order(game, order):
    before, contributions = frozenset(), {}
    for player in order:
        contributions[player] = game(before | {player}) - game(before)
        before = before | {player}
    return contributions''')


# ------------------------------------------------------------------------------- q3
def _check_q3(weight):
    function = as_callable(weight, "weight")
    for n in range(1, 9):
        got = np.array([as_number(call_learner(function, s, n, what=f"weight({s}, {n})"), f"weight({s}, {n})")
                        for s in range(n)])
        want = np.array([coalition_weight(s, n) for s in range(n)])
        if _close(got, want, 1e-12):
            continue
        total = float(sum(math.comb(n - 1, s) * g for s, g in enumerate(got)))
        if _close(got, [1 / math.comb(n - 1, s) for s in range(n)], 1e-12):
            raise Incorrect(f"with n={n}, a player's weights over all its coalitions add up to "
                            f"{total:.4g} instead of 1: one factor 1/n is missing",
                            mistake="player-weights-coalitions")
        if _close(got, np.full(n, 0.5 ** (n - 1)), 1e-12):
            raise Incorrect("equal weights 1/2^(n-1) give the Banzhaf value, not Shapley's: "
                            "weigh coalitions by how many orders put exactly them first",
                            mistake="equal-weights-banzhaf")
        s = int(np.argmax(np.abs(got - want)))
        raise Incorrect(f"weight({s}, {n}) should be {want[s]:.6g}, you have {got[s]:.6g}; "
                        f"(over one player's coalitions your weights add up to {total:.4g}, not 1)",
                        mistake="weight-off")
    return "for every n, one player's weights over its 2^(n-1) coalitions add up to 1"


q3 = Question(
    "q3", "the coalition weight |S|!(n-|S|-1)!/n!", ["weight"], _check_q3,
    hints=["`size` is |S|, the coalition the player joins (the player is not in S).",
           "Of the n! orders, |S|! (n - |S| - 1)! put exactly S before the player: S in any order, "
           "then the player, then the rest.",
           "math.factorial(size) * math.factorial(n_players - size - 1) / math.factorial(n_players)"],
    solution_code='''import math

def weight(size, n_players):
    return math.factorial(size) * math.factorial(n_players - size - 1) / math.factorial(n_players)''')


# ------------------------------------------------------------------------------- q4
def _q4_cases():
    """Fresh games for each check: the five-letter game of the question (1000 orders, seeds 0, 0,
    1), and a game whose players are the numbers 0 to 3, as in a model game (one player per
    feature), with 300 orders: string tricks such as `before + player` work for letters only."""
    return [(_random_game("ABCDE", 4), 1000, (0, 1)),
            (Game(range(4), {S: v for S, v in zip(Game(range(4), lambda S: 0).coalitions(),
                                                    [0, 3, -2, 5, 1, 4, 9, -1, 2, 6, 0, 8, 3, 7, 5, 10])}),
             300, (2, 3))]


def _q4_estimate(function, game, n, seed, numbered):
    call = f"monte_carlo_shapley(game, {n}, seed={seed})"
    players = tuple(game.players)
    try:
        # the game is built afresh for each check and handed over itself, so that a change to
        # its players shows; the numbers are handed over as copies
        bound = partial(function, game)
        bound.__code__ = getattr(function, "__code__", None)  # a stub is told from a deeper error
        got = call_fresh(bound, n, seed, what=call, names=["n_permutations", "seed"])
    except Incorrect as wrong:
        if not numbered:
            raise
        raise Incorrect(f"on a game whose players are the numbers 0 to 3 (as in a model game, one "
                        f"player per feature): {wrong} Build coalitions as sets of players "
                        "(before | {player}), not as strings",
                        mistake="game-whose-players") from None
    if tuple(game.players) != players:
        raise Incorrect(f"{call} changed `game.players` in place (the caller's game now lists its "
                        "players in another order); shuffle a copy: order = rng.permutation("
                        "list(game.players)), or players = list(game.players).copy() before "
                        "rng.shuffle(players)", mistake="changed-place-shuffle")
    return _shares(got, call, players)


def _check_q4(monte_carlo_shapley):
    function = as_callable(monte_carlo_shapley, "monte_carlo_shapley")
    for game, n, (seed, other_seed) in _q4_cases():
        players, numbered = game.players, not isinstance(game.players[0], str)
        with forbidden(["course_lib.shapley.sample_shapley", "course_lib.shapley.shapley_values"],
                       function, compare="course_lib.shapley.sample_shapley"):
            first = _q4_estimate(function, game, n, seed, numbered)
            again = _q4_estimate(function, game, n, seed, numbered)
            other = _q4_estimate(function, game, n, other_seed, numbered)
        if not _close(first, again, 1e-12):
            raise Incorrect(f"two calls with seed={seed} give different estimates: draw the orders "
                            "from rng = np.random.default_rng(seed) created inside the function",
                            mistake="calls-seed-different")
        if _close(first, other, 1e-12):
            raise Incorrect(f"seed={seed} and seed={other_seed} give the same estimates: sample the "
                            "orders at random with rng (e.g. rng.permutation(players)), a new order "
                            "for each draw", mistake="seed-seed-estimates")
        total = game(players) - game(())
        if not math.isclose(first.sum(), total, rel_tol=1e-9, abs_tol=1e-9):
            raise Incorrect(f"your estimates add up to {first.sum():.6g}, but every order shares "
                            f"exactly v(N) - v(∅) = {total:g}: average the contributions (divide by "
                            "n_permutations)", mistake="estimates-add-order")
        # sigma: exact spread of one order's contribution, over all n! orders
        table = np.array([[marginal_contributions(game, o)[p] for p in players]
                          for o in permutations(players)])
        exact, sigma = table.mean(axis=0), table.std(axis=0)
        bound = 5 * sigma / math.sqrt(n) + 1e-9
        if np.any(np.abs(first - exact) > bound):
            k = int(np.argmax(np.abs(first - exact) / bound))
            raise Incorrect(f"with {n} random orders the estimate for {players[k]} is "
                            f"{first[k]:.4g}, but the exact value is {exact[k]:.4g}, more than 5 "
                            f"standard errors ({bound[k]:.2g}) away: are the orders uniformly random?",
                            mistake="random-orders-estimate")
    return (f"reproducible, and within 5 standard errors of the exact values, on letters and on "
            f"numbered players (largest error {np.abs(first - exact).max():.3g})")


q4 = Question(
    "q4", "a Monte Carlo estimator over random orders, with a seed", ["monte_carlo_shapley"],
    _check_q4,
    hints=["rng = np.random.default_rng(seed); each draw: order = rng.permutation(game.players).",
           "Add up each player's marginal contribution over the draws (your q2 function helps), "
           "then divide by n_permutations."],
    solution_code='''def monte_carlo_shapley(game, n_permutations, seed):
    rng = np.random.default_rng(seed)
    totals = {player: 0.0 for player in game.players}
    for _ in range(n_permutations):
        order = rng.permutation(list(game.players))
        for player, c in contributions_in_order(game, order).items():
            totals[player] += c
    return {player: total / n_permutations for player, total in totals.items()}''')


# ------------------------------------------------------------------------------- q5
def _check_q5(dummy_game, dummy_player):
    if not isinstance(dummy_game, Game):
        raise Incorrect("`dummy_game` should be a Game: build it with Game(players, table) "
                        "or Game(players, function)", mistake="game-build-game")
    if not 3 <= dummy_game.n_players <= 10:
        raise Incorrect(f"`dummy_game` has {dummy_game.n_players} players; use 3 to 10",
                        mistake="player-count")
    if not isinstance(dummy_player, str) and not isinstance(dummy_player, (int, np.integer)):
        raise Incorrect(f"`dummy_player` should be the name of a player, e.g. '{dummy_game.players[-1]}'",
                        mistake="name-player")
    if dummy_player not in dummy_game.players:
        raise Incorrect(f"`dummy_player` {dummy_player!r} is not one of the players "
                        f"{list(dummy_game.players)}", mistake="dummy-not-a-player")
    try:
        table = dummy_game.value_table()
    except Exception as error:
        raise Incorrect(f"evaluating your game failed: {type(error).__name__}: {error}",
                        mistake="evaluating-game-failed") from None
    d = dummy_game.players.index(dummy_player)
    masks = np.arange(2 ** dummy_game.n_players)
    without = masks[(masks >> d) & 1 == 0]
    gain = table[without | 1 << d] - table[without]
    if np.ptp(gain) <= 1e-9 and abs(gain[0]) > 1e-9:
        raise Incorrect(f"{dummy_player} always adds {gain[0]:g}: a dummy in the wide sense (it "
                        "gets exactly that); here make it add nothing at all (a null player)",
                        mistake="always-adds-dummy")
    if np.any(np.abs(gain) > 1e-9):
        k = int(np.argmax(np.abs(gain)))
        S = dummy_game.members(without[k])
        raise Incorrect(f"adding {dummy_player} to {dummy_game.name(S)} changes the value from "
                        f"{table[without[k]]:g} to {table[without[k] | 1 << d]:g}; a dummy adds "
                        "nothing to any coalition", mistake="adding-changes-value")
    others = [i for i in range(dummy_game.n_players) if i != d]
    if all(np.all(np.abs(table[masks[(masks >> i) & 1 == 0] | 1 << i] - table[masks[(masks >> i) & 1 == 0]]) <= 1e-9)
           for i in others):
        raise Incorrect("no player adds anything in your game, so everyone is a dummy; let the "
                        "other players win something", mistake="no-player-adds")
    shares = shapley_values(dummy_game)
    equal = (table[-1] - table[0]) / dummy_game.n_players
    return (f"Shapley gives {dummy_player} {shares[dummy_player]:.3g}; an equal split would pay "
            f"it {equal:.3g} for doing nothing")


q5 = Question(
    "q5", "design a game with a dummy player", ["dummy_game", "dummy_player"], _check_q5,
    hints=["Start from a game you know and add a player who changes nothing.",
           "Game('ABCD', lambda S: card_game(S - {'D'})): D's presence never changes the value."],
    solution_code='''dummy_game = Game("ABCD", lambda S: card_game(S - {"D"}))
dummy_player = "D"''')


# ------------------------------------------------------------------------------- q6
_Q6_WEIGHTS = np.array([1.2, -0.8, 0.5, 0.3])


def q6_model(X):
    """A small nonlinear 'risk model': P = sigmoid(X w + 0.9 x0 x1 - 0.5)."""
    X = np.asarray(X, dtype=float)
    return 1 / (1 + np.exp(-(X @ _Q6_WEIGHTS + 0.9 * X[:, 0] * X[:, 1] - 0.5)))


q6_background = np.random.default_rng(6).normal(size=(50, 4))
q6_x = np.array([1.5, -1.0, 2.0, 0.3])


def _check_q6(base_value, phi, efficiency_gap, gap_from_mean_row):
    game = model_game(q6_model, q6_x, q6_background)
    exact = game.attributions()
    prediction = float(q6_model(q6_x[None])[0])
    base = as_number(base_value, "base_value")
    mean_row = float(q6_model(q6_background.mean(axis=0)[None])[0])
    if math.isclose(base, mean_row, abs_tol=1e-9):
        raise Incorrect(f"base_value {base:.6g} is f at the average row; the game starts from the "
                        f"average prediction over the background, mean(f(background)) = "
                        f"{exact.base_values[0]:.6g}", mistake="base-value-average")
    if not math.isclose(base, exact.base_values[0], abs_tol=1e-9):
        raise Incorrect(f"base_value is {base:.6g}, but v(∅) = mean of q6_model over q6_background "
                        f"is {exact.base_values[0]:.6g}", mistake="base-value-mean")
    values = as_array(phi, "phi", shape=(4,))
    if not _close(values, exact.values[0], 1e-9):
        raise Incorrect(f"phi differ from the exact Shapley values of model_game(q6_model, q6_x, "
                        f"q6_background) by up to {np.abs(values - exact.values[0]).max():.3g}",
                        mistake="phi-differ-exact")
    gap = as_number(efficiency_gap, "efficiency_gap")
    want = base + values.sum() - prediction
    if not math.isclose(gap, want, abs_tol=1e-9):
        raise Incorrect(f"efficiency_gap should be base_value + sum(phi) - f(x) = {want:.3g}, "
                        f"you have {gap:.6g}", mistake="efficiency-gap-base")
    mean_gap = as_number(gap_from_mean_row, "gap_from_mean_row")
    want_mean = mean_row + values.sum() - prediction
    if math.isclose(mean_gap, -want_mean, abs_tol=1e-9):
        raise Incorrect(f"gap_from_mean_row has the wrong sign ({mean_gap:+.6g}): the question "
                        "asks for f(mean row) + sum(phi) - f(x), not f(x) - ...",
                        mistake="gap-mean-row-sign")
    if math.isclose(mean_gap, want, abs_tol=1e-9):
        raise Incorrect("gap_from_mean_row equals efficiency_gap: start from f at the average row, "
                        "q6_model(q6_background.mean(axis=0)[None])[0], not from base_value",
                        mistake="gap-mean-row-is-efficiency-gap")
    if not math.isclose(mean_gap, want_mean, abs_tol=1e-9):
        raise Incorrect(f"gap_from_mean_row should be f(mean row) + sum(phi) - f(x) = "
                        f"{want_mean:.6g}, you have {mean_gap:.6g}", mistake="gap-mean-row-off")
    return (f"the Shapley values close the gap to {want:.1e}; starting from f(mean row) leaves "
            f"{want_mean:+.3f}: for a nonlinear model mean(f) != f(mean)")


q6 = Question(
    "q6", "the efficiency gap of a model game",
    ["base_value", "phi", "efficiency_gap", "gap_from_mean_row"], _check_q6,
    hints=["game = model_game(q6_model, q6_x, q6_background); game.attributions() holds phi and "
           "the base value.",
           "The base value is v(∅): the mean of q6_model over the background rows.",
           "f(mean row) is q6_model(q6_background.mean(axis=0)[None])[0]."],
    solution_code='''game = model_game(q6_model, q6_x, q6_background)
attributions = game.attributions()
base_value = attributions.base_values[0]
phi = attributions.values[0]
prediction = q6_model(q6_x[None])[0]
efficiency_gap = base_value + phi.sum() - prediction
gap_from_mean_row = q6_model(q6_background.mean(axis=0)[None])[0] + phi.sum() - prediction''')


# ------------------------------------------------------------------------------- q7
def _check_q7(glove, glove_shares):
    players = ["L", "R1", "R2"]
    if not isinstance(glove, Game) or sorted(map(str, glove.players)) != sorted(players):
        raise Incorrect("`glove` should be a Game with the players 'L', 'R1', 'R2'",
                        mistake="game-players-r1")
    try:
        table = {S: glove(S) for S in glove.coalitions()}
    except Exception as error:
        raise Incorrect(f"evaluating `glove` failed: {type(error).__name__}: {error}",
                        mistake="evaluating-failed") from None
    for S, value in table.items():
        pairs = min(len(S & {"L"}), len(S & {"R1", "R2"}))
        if not math.isclose(value, pairs, abs_tol=1e-12):
            raise Incorrect(f"{glove.name(S)} can sell {pairs} pair(s) of gloves, but your game "
                            f"gives it {value:g}", mistake="sell-pair-gloves")
    answer = _shares(glove_shares, "glove_shares", players)
    exact = np.array([shapley_values(glove)[p] for p in players])
    if _close(answer, exact, 1e-6):
        return "L is pivotal in 4 of the 6 orders: 2/3, and each right glove 1/6"
    if _close(answer, [1, 0, 0], 1e-6):
        raise Incorrect("1, 0, 0 is what a market gives (the core: right gloves are in excess); "
                        "Shapley pays what each adds on average over the 6 orders",
                        mistake="market-shapley-pays")
    if _close(answer, np.full(3, 1 / 3), 1e-6):
        raise Incorrect("that is the equal split; but L is needed for every pair and R1, R2 can "
                        "replace each other: count in how many orders each one completes the pair",
                        mistake="equal-split-needed")
    raise Incorrect(f"your shares {_show(answer, players)} are not the Shapley values of your game: "
                    "compute them with shapley_values(glove)", mistake="shares-shapley-values")


q7 = Question(
    "q7", "the glove game", ["glove", "glove_shares"], _check_q7,
    hints=["v(S) = min(number of left gloves in S, number of right gloves in S).",
           "Game(['L', 'R1', 'R2'], lambda S: min(len(S & {'L'}), len(S & {'R1', 'R2'})))"],
    solution_code='''glove = Game(["L", "R1", "R2"], lambda S: min(len(S & {"L"}), len(S & {"R1", "R2"})))
glove_shares = shapley_values(glove)''')


# ------------------------------------------------------------------------------- q8
def airport_game(costs) -> Game:
    """The airport game: the runway a coalition needs costs the most any of its planes needs."""
    costs = [float(c) for c in costs]
    return Game(range(len(costs)), lambda S: max((costs[i] for i in S), default=0.0))


def _airport_formula(costs: np.ndarray) -> np.ndarray:
    """Littlechild & Owen (1973): each runway segment is split equally by the planes that use it."""
    order = np.argsort(costs, kind="stable")
    segments = np.diff(np.concatenate([[0.0], costs[order]]))
    users = len(costs) - np.arange(len(costs))
    shares = np.empty(len(costs))
    shares[order] = np.cumsum(segments / users)
    return shares


_CLOSED_FORM = ("write the closed form instead of listing coalitions: sort the costs and split "
                "each runway segment equally among the planes that use it (hint 1)")


def _brute_force(function) -> str | None:
    """The name of the coalition enumerator the learner's code uses, if any."""
    try:
        code = source_of(function)
    except (OSError, TypeError):
        return None
    for name in ("shapley_values", "combinations", "permutations", "coalitions", "attributions",
                 "exact_shapley", "sample_shapley", "powerset"):
        if re.search(rf"\b{name}\b", code):
            return name
    return None


def _check_q8(airport_shares):
    function = as_callable(airport_shares, "airport_shares")
    enumerator = _brute_force(function)
    rng = np.random.default_rng(8)
    cases = [np.array([1.0, 2.0, 3.0]), np.array([3.0, 1.0, 2.0]), np.array([2.0, 2.0, 5.0, 1.0]),
             rng.integers(1, 30, 7).astype(float)]
    for costs in cases:
        got = as_array(call_fresh(function, costs, what=f"airport_shares({costs.tolist()})"),
                       f"airport_shares({costs.tolist()})", shape=(len(costs),))
        exact = shapley_values(airport_game(costs))
        want = np.array([exact[i] for i in range(len(costs))])
        if _close(got, want, 1e-9):
            continue
        if _close(got, costs / len(costs), 1e-9) or _close(got, np.full(len(costs), costs.max() / len(costs)), 1e-9):
            raise Incorrect(f"for costs {costs.tolist()} you split evenly; but the small planes do "
                            "not need the long end of the runway: split each segment among the "
                            "planes that use it", mistake="costs-split-evenly")
        if _close(np.sort(got), np.sort(want), 1e-9):
            raise Incorrect(f"for costs {costs.tolist()} the shares are right but assigned to the "
                            "wrong planes: sort the costs, compute, then put each share back at its "
                            "plane's position", mistake="costs-shares-right")
        if not math.isclose(got.sum(), costs.max(), abs_tol=1e-9):
            raise Incorrect(f"for costs {costs.tolist()} your shares add up to {got.sum():.4g}, but "
                            f"the runway costs {costs.max():g} (the longest plane's need): the "
                            "shares must add up to the largest cost (efficiency)",
                            mistake="costs-shares-add")
        raise Incorrect(f"for costs {costs.tolist()} the Shapley shares are {np.round(want, 4).tolist()}, "
                        f"you have {np.round(got, 4).tolist()}: " + _CLOSED_FORM,
                        mistake="costs-shapley-shares")
    if enumerator is not None:
        raise Incorrect(f"right on small airports, but your function uses `{enumerator}`, which "
                        "lists coalitions; with 40 planes there are 2^40 of them: " + _CLOSED_FORM,
                        mistake="lists-all-coalitions")
    big = rng.uniform(1, 100, 40)
    try:
        got = as_array(call_fresh(function, big, what="airport_shares(40 costs)"),
                       "airport_shares(40 costs)", shape=(40,))
    except Incorrect:
        raise Incorrect("right on small airports but not on 40 planes (where 2^40 coalitions "
                        "cannot be listed): " + _CLOSED_FORM,
                        mistake="fails-on-40-planes") from None
    if not _close(got, _airport_formula(big), 1e-8):
        raise Incorrect("right on small airports but not on 40 planes (where 2^40 coalitions "
                        "cannot be listed): write the closed form, one runway segment at a time",
                        mistake="wrong-on-40-planes")
    return "one segment at a time: 40 planes in microseconds, where the sum over coalitions has 2^40 terms"


q8 = Question(
    "q8", "the airport game in closed form", ["airport_shares"], _check_q8,
    hints=["Sort the costs c(1) <= ... <= c(n). Runway segment k, from c(k-1) to c(k), is needed by "
           "the planes k..n only.",
           "By symmetry and dummy, each segment is shared equally by the n - k + 1 planes that use it.",
           "The share of plane k is the sum over segments j <= k of (c(j) - c(j-1)) / (n - j + 1)."],
    solution_code='''def airport_shares(costs):
    costs = np.asarray(costs, dtype=float)
    order = np.argsort(costs)
    segments = np.diff(np.concatenate([[0.0], costs[order]]))
    users = len(costs) - np.arange(len(costs))
    shares = np.empty(len(costs))
    shares[order] = np.cumsum(segments / users)
    return shares''')

QUESTIONS = [q1, q2, q3, q4, q5, q6, q7, q8]
