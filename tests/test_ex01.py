"""Checks of exercise notebook 01: right answers pass, typical wrong answers get the right message."""
import math

import numpy as np
import pytest

from course_lib.exercises import CheckFailed, NotAttempted
from course_lib.exercises import ex01_shapley as ex
from course_lib.shapley import Game, model_game, shapley_values
from exercise_helpers import fails, never_crashes, passes


# --------------------------------------------------------------------- q1: shares by hand
def test_q1():
    passes(ex.q1, {"A": 17, "B": 10, "C": 5})
    passes(ex.q1, {"A": 17.0, "B": 10.0, "C": 5.0})
    fails(ex.q1, {"A": 17, "B": 10, "C": 6}, match="add up to 33", mistake="shares-add-three")
    fails(ex.q1, {"A": 32 / 3, "B": 32 / 3, "C": 32 / 3}, match="equal split",
          mistake="equal-split")
    fails(ex.q1, {"A": 10, "B": 10, "C": 12}, match="single order A, B, C",
          mistake="player-adds-single")
    fails(ex.q1, {"A": 32 * 10 / 14, "B": 32 * 4 / 14, "C": 0}, match="standalone",
          mistake="standalone-winnings-rescaled")
    fails(ex.q1, {"A": 16, "B": 11, "C": 5}, match="A's is off by 1", mistake="shares-add-off")
    fails(ex.q1, {"A": 17, "B": 10}, match="missing keys ['C']", mistake="wrong-keys")
    fails(ex.q1, [17, 10, 5], match="should be a dict", mistake="not-a-dict")


# --------------------------------------------------------------------- q2: one order
def contributions_in_order(game, order):
    before, contributions = frozenset(), {}
    for player in order:
        contributions[player] = game(before | {player}) - game(before)
        before = before | {player}
    return contributions


def test_q2():
    passes(ex.q2, contributions_in_order)

    def values_not_differences(game, order):
        return {p: game(order[:k + 1]) for k, p in enumerate(order)}

    def forgets_to_grow(game, order):
        return {p: game((p,)) - game(()) for p in order}

    def as_list(game, order):
        return list(contributions_in_order(game, order).values())

    def stub(game, order):
        raise NotImplementedError

    fails(ex.q2, values_not_differences, match="difference v(before + i) - v(before)",
          mistake="order-coalition-after")
    fails(ex.q2, forgets_to_grow, match="in order ABC player B joins {A} and adds 3",
          mistake="order-player-joins")
    fails(ex.q2, as_list, match="should be a dict", mistake="not-a-dict")
    fails(ex.q2, lambda game, order: {p: -v for p, v in contributions_in_order(game, order).items()},
          match="wrong sign", mistake="order-contribution-wrong")
    fails(ex.q2, lambda game, order: contributions_in_order(game, sorted(order)),
          match="in order ACB player C joins {A} and adds 5", mistake="order-player-joins")

    def by_prefix(game, order):
        return {p: game(order[:k + 1]) - game(order[:k]) for k, p in enumerate(order)}

    passes(ex.q2, by_prefix)
    fails(ex.q2, lambda game, order: 1 / 0, match="raised ZeroDivisionError",
          mistake="learner-raised")
    with pytest.raises(NotAttempted):
        ex.q2.check(stub)


# --------------------------------------------------------------------- q3: weights
def test_q3():
    passes(ex.q3, lambda size, n: math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n))
    passes(ex.q3, lambda size, n: 1 / (n * math.comb(n - 1, size)))
    fails(ex.q3, lambda size, n: 1 / math.comb(n - 1, size), match="one factor 1/n is missing",
          mistake="player-weights-coalitions")
    fails(ex.q3, lambda size, n: 0.5 ** (n - 1), match="Banzhaf", mistake="equal-weights-banzhaf")
    fails(ex.q3, lambda size, n: math.factorial(size) * math.factorial(n - size) / math.factorial(n),
          match="weight(0, 2) should be 0.5, you have 1", mistake="weight-off")
    fails(ex.q3, lambda size, n: 1 / (size * math.comb(n, size)), match="ZeroDivisionError",
          mistake="learner-raised")
    fails(ex.q3, lambda size, n: "1/3", match="should be a single number", mistake="not-a-number")


# --------------------------------------------------------------------- q4: Monte Carlo
def monte_carlo_shapley(game, n_permutations, seed):
    rng = np.random.default_rng(seed)
    totals = {player: 0.0 for player in game.players}
    for _ in range(n_permutations):
        for player, c in contributions_in_order(game, rng.permutation(list(game.players))).items():
            totals[player] += c
    return {player: total / n_permutations for player, total in totals.items()}


def test_q4():
    passes(ex.q4, monte_carlo_shapley)
    shared = np.random.default_rng(0)

    def ignores_seed(game, n_permutations, seed):
        return monte_carlo_shapley(game, n_permutations, int(shared.integers(1000)))

    def one_order(game, n_permutations, seed):
        return contributions_in_order(game, game.players)

    def no_average(game, n_permutations, seed):
        return {p: v * n_permutations for p, v in monte_carlo_shapley(game, n_permutations, seed).items()}

    def biased(game, n_permutations, seed):  # first player always joins first half the time
        rng = np.random.default_rng(seed)
        players = list(game.players)
        totals = dict.fromkeys(players, 0.0)
        for k in range(n_permutations):
            order = rng.permutation(players)
            if k % 2:
                order = [players[0]] + [p for p in order if p != players[0]]
            for p, c in contributions_in_order(game, order).items():
                totals[p] += c
        return {p: t / n_permutations for p, t in totals.items()}

    fails(ex.q4, ignores_seed, match="two calls with seed=0 give different estimates",
          mistake="calls-seed-different")
    fails(ex.q4, one_order, match="seed=0 and seed=1 give the same estimates",
          mistake="seed-seed-estimates")
    fails(ex.q4, no_average, match="divide by n_permutations", mistake="estimates-add-order")
    fails(ex.q4, biased, match="more than 5 standard errors", mistake="random-orders-estimate")


def test_q4_refuses_the_library_sampler():
    from course_lib.shapley import sample_shapley

    fails(ex.q4, lambda game, n, seed: sample_shapley(game, n, seed).values,
          match="write it yourself; `course_lib.shapley.sample_shapley`",
          mistake="forbidden-shortcut")
    fails(ex.q4, lambda game, n, seed: shapley_values(game), match="write it yourself",
          mistake="forbidden-shortcut")


def test_q4_more_answers():
    def global_seed(game, n, seed):
        np.random.seed(seed)
        totals = dict.fromkeys(game.players, 0.0)
        for _ in range(n):
            order = list(np.random.permutation(list(game.players)))
            for p, c in contributions_in_order(game, order).items():
                totals[p] += c
        return {p: t / n for p, t in totals.items()}

    passes(ex.q4, global_seed)

    def one_order_short(game, n, seed):
        rng = np.random.default_rng(seed)
        totals = dict.fromkeys(game.players, 0.0)
        for _ in range(n - 1):
            for p, c in contributions_in_order(game, rng.permutation(list(game.players))).items():
                totals[p] += c
        return {p: t / n for p, t in totals.items()}

    fails(ex.q4, one_order_short, match="divide by n_permutations", mistake="estimates-add-order")
    fails(ex.q4, lambda game, n, seed: list(monte_carlo_shapley(game, n, seed).values()),
          match="should be a dict", mistake="not-a-dict")


# --------------------------------------------------------------------- q5: dummy
def test_q5():
    card = ex.card_game
    passes(ex.q5, Game("ABCD", lambda S: card(S - {"D"})), "D")
    passes(ex.q5, Game("ABC", {"": 0, "A": 1, "B": 0, "C": 1, "AB": 1, "AC": 3, "BC": 1, "ABC": 3}), "B")
    fails(ex.q5, Game("ABCD", lambda S: card(S - {"D"}) + 2 * ("D" in S)), "D", match="always adds 2",
          mistake="always-adds-dummy")
    fails(ex.q5, card, "A", match="adding A to ∅ changes the value from 0 to 4",
          mistake="adding-changes-value")
    fails(ex.q5, Game("ABC", lambda S: 0), "A", match="everyone is a dummy",
          mistake="no-player-adds")
    fails(ex.q5, Game("AB", lambda S: len(S)), "A", match="use 3 to 10", mistake="player-count")
    fails(ex.q5, {"": 0, "A": 1}, "A", match="should be a Game", mistake="game-build-game")
    fails(ex.q5, Game("ABCD", lambda S: card(S - {"D"})), "E", match="not one of the players",
          mistake="dummy-not-a-player")
    fails(ex.q5, Game("ABCD", lambda S: 1 / 0), "D", match="evaluating your game failed",
          mistake="evaluating-game-failed")


# --------------------------------------------------------------------- q6: efficiency gap
def q6_answers():
    attributions = model_game(ex.q6_model, ex.q6_x, ex.q6_background).attributions()
    base, phi = attributions.base_values[0], attributions.values[0]
    prediction = ex.q6_model(ex.q6_x[None])[0]
    mean_row = ex.q6_model(ex.q6_background.mean(axis=0)[None])[0]
    return base, phi, base + phi.sum() - prediction, mean_row + phi.sum() - prediction


def test_q6():
    base, phi, gap, mean_gap = q6_answers()
    assert abs(gap) < 1e-12 and abs(mean_gap) > 0.01  # the exercise shows a real difference
    passes(ex.q6, base, phi, gap, mean_gap)
    passes(ex.q6, base, list(phi), -gap, mean_gap)
    fails(ex.q6, base, phi, gap, -mean_gap, match="wrong sign", mistake="gap-mean-row-sign")
    fails(ex.q6, base, phi, gap, gap, match="equals efficiency_gap", mistake="gap-mean-row-is-efficiency-gap")
    mean_row = ex.q6_model(ex.q6_background.mean(axis=0)[None])[0]
    fails(ex.q6, mean_row, phi, gap, mean_gap, match="is f at the average row",
          mistake="base-value-average")
    fails(ex.q6, base + 0.1, phi, gap, mean_gap, match="v(∅) = mean of q6_model",
          mistake="base-value-mean")
    fails(ex.q6, base, phi[::-1], gap, mean_gap, match="phi differ from the exact Shapley values",
          mistake="phi-differ-exact")
    fails(ex.q6, base, phi[:3], gap, mean_gap, match="shape (4,)", mistake="wrong-shape")
    fails(ex.q6, base, phi, 0.3, mean_gap, match="efficiency_gap should be",
          mistake="efficiency-gap-base")
    fails(ex.q6, base, phi, gap, 0.3, match="gap_from_mean_row should be", mistake="gap-mean-row-off")


# --------------------------------------------------------------------- q7: gloves
def test_q7():
    glove = Game(["L", "R1", "R2"], lambda S: min(len(S & {"L"}), len(S & {"R1", "R2"})))
    passes(ex.q7, glove, shapley_values(glove))
    passes(ex.q7, glove, {"L": 2 / 3, "R1": 1 / 6, "R2": 1 / 6})
    fails(ex.q7, glove, {"L": 1, "R1": 0, "R2": 0}, match="the core", mistake="market-shapley-pays")
    fails(ex.q7, glove, {"L": 1 / 3, "R1": 1 / 3, "R2": 1 / 3}, match="equal split",
          mistake="equal-split-needed")
    fails(ex.q7, glove, {"L": 0.5, "R1": 0.25, "R2": 0.25}, match="not the Shapley values",
          mistake="shares-shapley-values")
    wrong_game = Game(["L", "R1", "R2"], lambda S: min(len(S & {"L"}), len(S & {"R1"})))
    fails(ex.q7, wrong_game, {"L": 2 / 3, "R1": 1 / 6, "R2": 1 / 6},
          match="{L, R2} can sell 1 pair(s) of gloves, but your game gives it 0",
          mistake="sell-pair-gloves")
    fails(ex.q7, Game("ABC", lambda S: 0), {}, match="players 'L', 'R1', 'R2'",
          mistake="game-players-r1")


# --------------------------------------------------------------------- q8: airport
def airport_shares(costs):
    costs = np.asarray(costs, dtype=float)
    order = np.argsort(costs)
    segments = np.diff(np.concatenate([[0.0], costs[order]]))
    users = len(costs) - np.arange(len(costs))
    shares = np.empty(len(costs))
    shares[order] = np.cumsum(segments / users)
    return shares


def test_q8():
    passes(ex.q8, airport_shares)

    def forgets_to_sort(costs):
        costs = np.asarray(costs, dtype=float)
        segments = np.diff(np.concatenate([[0.0], costs]))
        return np.cumsum(segments / (len(costs) - np.arange(len(costs))))

    def sorted_but_not_put_back(costs):
        return np.sort(airport_shares(costs))

    def brute_force(costs):
        exact = shapley_values(ex.airport_game(costs))
        return np.array([exact[i] for i in range(len(costs))])

    fails(ex.q8, lambda costs: np.asarray(costs) / len(costs), match="you split evenly",
          mistake="costs-split-evenly")
    fails(ex.q8, forgets_to_sort, match="for costs [3.0, 1.0, 2.0]", mistake="costs-shares-add")
    fails(ex.q8, sorted_but_not_put_back, match="assigned to the wrong planes",
          mistake="costs-shares-right")
    fails(ex.q8, lambda costs: airport_shares(costs)[:-1], match="should have shape",
          mistake="wrong-shape")
    fails(ex.q8, brute_force, match="lists coalitions", mistake="lists-all-coalitions")
    fails(ex.q8, lambda costs: brute_force(costs) if len(costs) < 10 else 1 / 0, match="closed form",
          mistake="fails-on-40-planes")
    fails(ex.q8, lambda costs: np.asarray(costs, dtype=float), match="add up to",
          mistake="costs-shares-add")
    fails(ex.q8, lambda costs: np.max(costs) * np.asarray(costs) / np.sum(costs), match="split each runway segment",
          mistake="costs-shapley-shares")

    def with_a_loop(costs):
        costs = [float(c) for c in costs]
        ranked = sorted(range(len(costs)), key=lambda i: costs[i])
        shares, paid, previous = [0.0] * len(costs), 0.0, 0.0
        for k, i in enumerate(ranked):
            paid += (costs[i] - previous) / (len(costs) - k)
            shares[i], previous = paid, costs[i]
        return shares

    passes(ex.q8, with_a_loop)


def test_airport_closed_form_is_shapley():
    rng = np.random.default_rng(0)
    for n in range(1, 8):
        costs = rng.integers(1, 6, n).astype(float)  # ties included
        exact = shapley_values(ex.airport_game(costs))
        assert np.allclose(ex._airport_formula(costs), [exact[i] for i in range(n)], atol=1e-12)


# --------------------------------------------------------------------- robustness
GARBAGE = [None, "text", 3, -1.5, float("nan"), [], [1, 2], {}, {"A": "x"}, np.zeros((2, 2)),
           np.array([np.nan]), lambda *a: None, lambda *a: 1 / 0, Game("AB", lambda S: 0),
           {"A": 1, "B": 2, "C": float("nan")}, object()]


@pytest.mark.parametrize("question", ex.QUESTIONS, ids=lambda q: q.name)
def test_garbage_never_crashes(question):
    never_crashes(question, GARBAGE)


def test_every_question_has_hints_and_a_solution():
    assert len(ex.QUESTIONS) >= 6
    for question in ex.QUESTIONS:
        assert question.hints and question.solution_code.strip()
        assert question.name in ex.__all__


def test_q4_fresh_games_and_inputs_left_alone():
    """Each check builds its games afresh, one with the numbers 0 to 3 as players (as in a model
    game): building coalitions as strings works for letters only; a shuffle of the game's own
    players is refused as a change in place."""
    def string_coalitions(game, n, seed):
        rng = np.random.default_rng(seed)
        totals = dict.fromkeys(game.players, 0.0)
        for _ in range(n):
            before = ""
            for player in rng.permutation(list(game.players)):
                totals[player] += game(before + player) - game(before)
                before += player
        return {p: t / n for p, t in totals.items()}

    def shuffles_the_game(game, n, seed):
        rng = np.random.default_rng(seed)
        totals = dict.fromkeys(game.players, 0.0)
        for _ in range(n):
            game.players = list(game.players)
            rng.shuffle(game.players)
            for p, c in contributions_in_order(game, game.players).items():
                totals[p] += c
        return {p: t / n for p, t in totals.items()}

    def by_position(game, n, seed):             # another right way: orders as index permutations
        rng = np.random.default_rng(seed)
        players = list(game.players)
        totals = np.zeros(len(players))
        for _ in range(n):
            before = set()
            for i in rng.permutation(len(players)):
                totals[i] += game(before | {players[i]}) - game(before)
                before.add(players[i])
        return dict(zip(players, totals / n))

    fails(ex.q4, string_coalitions, match="players are the numbers 0 to 3",
          mistake="game-whose-players")
    fails(ex.q4, shuffles_the_game, match="changed `game.players` in place",
          mistake="changed-place-shuffle")
    passes(ex.q4, by_position)
