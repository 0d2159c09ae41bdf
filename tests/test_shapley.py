"""course_lib.shapley: the source's numbers, the axioms as properties, agreement with shap."""
import math
from fractions import Fraction
from itertools import permutations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course_lib.explanation import Attributions
from course_lib.shapley import (Game, check_axioms, coalition_weight, equal_split,
                                marginal_contributions, model_game, model_shapley,
                                proportional_split, sample_shapley, shapley_from_table,
                                shapley_values)

CARD_TABLE = {"": 0, "A": 4, "B": 7, "C": 6, "AB": 7, "AC": 9, "BC": 15, "ABC": 19}


@pytest.fixture
def card():
    return Game("ABC", CARD_TABLE)


# ------------------------------------------------------------------ the source's numbers
def test_card_game_shares_match_the_source(card):
    for method in ("coalitions", "orderings"):
        shares = shapley_values(card, method)
        assert shares == pytest.approx({"A": 19 / 6, "B": 46 / 6, "C": 49 / 6}, abs=1e-12)


def test_card_game_marginal_contribution_table(card):
    # the source lists the six orders as B C A, B A C, A C B, A B C, C B A, C A B
    orders = ["BCA", "BAC", "ACB", "ABC", "CBA", "CAB"]
    table = [marginal_contributions(card, order) for order in orders]
    assert [row["A"] for row in table] == [4, 0, 4, 4, 4, 3]
    assert [row["B"] for row in table] == [7, 7, 10, 3, 9, 10]
    assert [row["C"] for row in table] == [8, 12, 5, 12, 6, 6]


def test_salary_example_weights():
    # Age joins ∅, {Gender}, {Job}, {Gender, Job}: weights 1/3, 1/6, 1/6, 1/3
    weights = [coalition_weight(size, 3) for size in (0, 1, 1, 2)]
    assert weights == pytest.approx([1 / 3, 1 / 6, 1 / 6, 1 / 3], abs=1e-15)
    # the source's form over coalitions T that contain Age: 1 / (|T| C(3, |T|))
    assert weights == pytest.approx([1 / (t * math.comb(3, t)) for t in (1, 2, 2, 3)], abs=1e-15)
    age = sum(w * m for w, m in zip(weights, [-10, -9, -15, -12]))
    assert age == pytest.approx(-11.333333333333, abs=1e-9)
    assert Fraction(age).limit_denominator(100) == Fraction(-34, 3)


def test_coalition_weights_sum_to_one_per_player():
    for n in range(1, 12):
        assert sum(math.comb(n - 1, s) * coalition_weight(s, n) for s in range(n)) == pytest.approx(1)
    with pytest.raises(ValueError, match="size must be between"):
        coalition_weight(3, 3)


# ------------------------------------------------------------------ clear errors on bad games
@pytest.mark.parametrize("players, table, error, message", [
    ("ABC", {k: v for k, v in CARD_TABLE.items() if k != "AC"}, ValueError, r"no entry for coalition\(s\) \{A, C\}"),
    ("ABC", {**CARD_TABLE, "AD": 3}, ValueError, "unknown player 'D'"),
    ("ABC", {**CARD_TABLE, "AB": "seven"}, TypeError, "value of coalition 'AB' is 'seven'"),
    ("ABC", {**CARD_TABLE, "AB": float("nan")}, ValueError, "must be finite"),
    ("ABC", {**CARD_TABLE, "AB": True}, TypeError, "must be a real number"),
    ("ABA", CARD_TABLE, ValueError, "lists 'A' twice"),
    ("ABC", {**CARD_TABLE, "BA": 7}, ValueError, "same coalition"),
    ("ABC", {**CARD_TABLE, ("A", "A"): 7}, ValueError, "lists a player twice"),
    ("", {}, ValueError, "at least one player"),
    ("ABC", [1, 2, 3], TypeError, "mapping coalition -> number or a callable"),
    ("ABC", {**CARD_TABLE, 5: 1}, TypeError, "not an iterable of players"),
])
def test_bad_games_raise_clear_errors(players, table, error, message):
    with pytest.raises(error, match=message):
        Game(players, table)


def test_callable_games_are_checked_when_evaluated():
    game = Game(["x", "y"], lambda S: "many" if len(S) == 2 else len(S))
    assert game(["x"]) == 1
    with pytest.raises(TypeError, match=r"value\(\{x, y\}\) is 'many'"):
        shapley_values(game)
    with pytest.raises(ValueError, match="unknown player 'z'"):
        game(["z"])


def test_bad_arguments(card):
    with pytest.raises(ValueError, match="method must be"):
        shapley_values(card, "banzhaf")
    with pytest.raises(TypeError, match="game must be a Game"):
        shapley_values(CARD_TABLE)
    with pytest.raises(ValueError, match="each of"):
        marginal_contributions(card, "AB")
    with pytest.raises(ValueError, match="even"):
        sample_shapley(card, 11, seed=0, antithetic=True)
    with pytest.raises(ValueError, match=">= 2"):
        sample_shapley(card, 1, seed=0)
    with pytest.raises(TypeError, match="seed must be an int"):
        sample_shapley(card, 10, seed=None)
    with pytest.raises(ValueError, match="one share per player"):
        check_axioms(card, {"A": 1, "B": 2})


def test_game_names_table_and_sum(card):
    assert card.name("CA") == "{A, C}" and card.name(()) == "∅"
    assert card.table()[0] == ("∅", 0.0) and card.table()[-1] == ("{A, B, C}", 19.0)
    doubled = card + card
    assert doubled("BC") == 30
    assert "{A, B}: 7" in repr(card)


# ------------------------------------------------------------------ axioms as properties
def random_table(n, seed, integer=False):
    rng = np.random.default_rng(seed)
    table = rng.integers(-20, 21, 2 ** n).astype(float) if integer else rng.normal(0, 10, 2 ** n)
    return table


def table_game(table):
    n = int(math.log2(len(table)))
    players = [f"p{k}" for k in range(n)]
    probe = Game(players, lambda S: 0.0)
    return Game(players, {probe.members(m): float(v) for m, v in enumerate(table)})


games = st.builds(lambda n, seed, integer: table_game(random_table(n, seed, integer)),
                  st.integers(1, 8), st.integers(0, 2 ** 32 - 1), st.booleans())
FEW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FEW
@given(games)
def test_efficiency_and_the_vectorised_table(game):
    shares = shapley_values(game)
    total = game(game.players) - game(())
    assert sum(shares.values()) == pytest.approx(total, abs=1e-9)
    vectorised = shapley_from_table(game.value_table())
    assert np.allclose(vectorised, [shares[p] for p in game.players], atol=1e-12, rtol=0)
    assert check_axioms(game, shares).all_hold


@settings(max_examples=12, deadline=None)
@given(st.integers(1, 7), st.integers(0, 2 ** 32 - 1))
def test_orderings_and_coalitions_agree(n, seed):
    game = table_game(random_table(n, seed))
    by_orders, by_coalitions = shapley_values(game, "orderings"), shapley_values(game, "coalitions")
    for player in game.players:
        assert by_orders[player] == pytest.approx(by_coalitions[player], abs=1e-12)


@FEW
@given(st.integers(2, 8), st.integers(0, 2 ** 32 - 1), st.data())
def test_symmetry(n, seed, data):
    i, j = data.draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2, unique=True))
    base = random_table(n, seed)
    masks = np.arange(2 ** n)
    swapped = masks.copy()  # the coalition with i and j exchanged
    has_i, has_j = (masks >> i) & 1, (masks >> j) & 1
    swapped += (has_j - has_i) * (1 << i) + (has_i - has_j) * (1 << j)
    game = table_game(base + base[swapped])  # v(S) = u(S) + u(swap(S)) is symmetric in i, j
    shares = shapley_values(game)
    assert shares[f"p{i}"] == pytest.approx(shares[f"p{j}"], abs=1e-9)
    report = check_axioms(game, shares)
    assert report["symmetry"].holds and f"p{min(i, j)}~p{max(i, j)}" in report["symmetry"].detail


@FEW
@given(st.integers(1, 8), st.integers(0, 2 ** 32 - 1), st.floats(-5, 5), st.data())
def test_dummy(n, seed, constant, data):
    d = data.draw(st.integers(0, n - 1))
    base = random_table(n, seed)
    masks = np.arange(2 ** n)
    has_d = (masks >> d) & 1
    game = table_game(base[masks & ~(1 << d)] + constant * has_d)  # d always adds `constant`
    shares = shapley_values(game)
    assert shares[f"p{d}"] == pytest.approx(constant, abs=1e-9)
    assert check_axioms(game, shares)["dummy"].holds


@FEW
@given(st.integers(1, 8), st.integers(0, 2 ** 32 - 1), st.integers(0, 2 ** 32 - 1))
def test_additivity(n, seed_v, seed_w):
    v, w = table_game(random_table(n, seed_v)), table_game(random_table(n, seed_w))
    report = check_axioms(v, shapley_values, other=w)
    assert report["additivity"].holds, report
    both = shapley_values(v + w)
    for player, value in both.items():
        assert value == pytest.approx(shapley_values(v)[player] + shapley_values(w)[player], abs=1e-9)


def test_other_rules_break_axioms(card):
    with_dummy = Game("ABCD", lambda S: card(S - {"D"}))  # D sits at the table and adds nothing
    random_game = table_game(random_table(4, 1))
    other = Game("ABCD", lambda S: random_game([f"p{'ABCD'.index(p)}" for p in S]))
    verdicts = {name: {axiom: check.holds for axiom, check in check_axioms(with_dummy, rule, other).items()}
                for name, rule in [("shapley", shapley_values), ("equal", equal_split),
                                   ("proportional", proportional_split),
                                   ("standalone", lambda g: {p: g((p,)) - g(()) for p in g.players})]}
    assert verdicts["shapley"] == dict(efficiency=True, symmetry=True, dummy=True, additivity=True)
    assert verdicts["equal"] == dict(efficiency=True, symmetry=True, dummy=False, additivity=True)
    assert verdicts["proportional"]["additivity"] is False
    assert verdicts["standalone"]["efficiency"] is False
    assert check_axioms(with_dummy, equal_split(with_dummy))["additivity"].holds is None


# ------------------------------------------------------------------ Monte Carlo
def test_sampling_is_reproducible_unbiased_and_efficient(card):
    first, again = sample_shapley(card, 400, seed=3), sample_shapley(card, 400, seed=3)
    assert first.values == again.values
    assert sample_shapley(card, 400, seed=4).values != first.values
    exact = shapley_values(card)
    for player in card.players:  # 4 standard errors: fails with probability < 1e-4 per player
        assert abs(first.values[player] - exact[player]) <= 4 * first.std_errors[player]
        assert first.std_errors[player] > 0
    # every single order shares v(N) - v(∅) exactly, so every estimate is efficient
    assert np.allclose(first.samples.sum(axis=1), 19) and sum(first.values.values()) == pytest.approx(19)
    assert first.running_mean()[-1] == pytest.approx([first.values[p] for p in "ABC"])
    assert first.running_std_error()[-1] == pytest.approx([first.std_errors[p] for p in "ABC"])
    assert "±" in repr(first)


def test_antithetic_pairs_are_exact_for_pairwise_games():
    rng = np.random.default_rng(0)
    n = 7
    a, b = rng.normal(size=n), np.triu(rng.normal(size=(n, n)), 1)
    game = Game(range(n), lambda S: float(sum(a[i] for i in S) + sum(b[i, j] for i in S for j in S)))
    estimate = sample_shapley(game, 4, seed=0, antithetic=True)
    exact = shapley_values(game)
    assert [estimate.values[p] for p in range(n)] == pytest.approx([exact[p] for p in range(n)], abs=1e-12)
    assert len(estimate.samples) == 2


# ------------------------------------------------------------------ features as players vs shap
def nonlinear(X):
    return np.tanh(X[:, 0] * X[:, 1]) + X[:, 2] ** 2 - X[:, 3] * X[:, 4] * X[:, 0] + np.sin(X[:, 4])


@pytest.fixture(scope="module")
def data():
    return np.random.default_rng(0).normal(size=(300, 5))


def test_model_game_values_and_calls(data):
    background, x = data[:40], data[200]
    game = model_game(nonlinear, x, background)
    assert game(()) == pytest.approx(nonlinear(background).mean(), abs=1e-14)
    assert game(game.players) == pytest.approx(nonlinear(x[None])[0], abs=1e-14)
    inputs = background.copy()
    inputs[:, [0, 2]] = x[[0, 2]]
    assert game(["x0", "x2"]) == pytest.approx(nonlinear(inputs).mean(), abs=1e-14)
    game.value_table()
    assert game.n_model_calls == 4  # three probes above, then the other 29 coalitions x 40 rows at once
    attributions = game.attributions()
    assert isinstance(attributions, Attributions) and attributions.values.shape == (1, 5)
    assert abs(attributions.efficiency_gap(nonlinear(x[None]))[0]) < 1e-12
    shares = shapley_values(game)
    assert attributions.values[0] == pytest.approx([shares[p] for p in game.players], abs=1e-12)


def test_exact_agrees_with_shap_exact_explainer(data):
    import shap

    background, X = data[:100], data[200:230]
    reference = shap.explainers.Exact(nonlinear, background)(X)
    ours = model_shapley(nonlinear, X, background)
    assert np.abs(ours.values - reference.values).max() < 1e-10
    assert np.abs(ours.base_values - reference.base_values).max() < 1e-10
    # more than 100 rows: shap subsamples them unless told not to
    big = data[:150]
    full = shap.explainers.Exact(nonlinear, shap.maskers.Independent(big, max_samples=len(big)))(X[:5])
    assert np.abs(model_shapley(nonlinear, X[:5], big).values - full.values).max() < 1e-10
    capped = shap.explainers.Exact(nonlinear, big)(X[:5])
    assert np.abs(model_shapley(nonlinear, X[:5], big).values - capped.values).max() > 1e-4


def test_exact_agrees_with_shap_on_a_classifier_and_multi_output(data):
    import shap
    from sklearn.ensemble import GradientBoostingClassifier

    y = (nonlinear(data) > 1).astype(int)
    model = GradientBoostingClassifier(n_estimators=20, max_depth=3, random_state=0).fit(data, y)
    background, X = data[:60], data[250:260]
    reference = shap.explainers.Exact(model.predict_proba, background)(X)
    ours = model_shapley(model.predict_proba, X, background)
    assert ours.values.shape == reference.values.shape == (10, 5, 2)
    assert np.abs(ours.values - reference.values).max() < 1e-10
    assert np.abs(ours.efficiency_gap(model.predict_proba(X))).max() < 1e-12
    game = model_game(lambda Z: model.predict_proba(Z)[:, 1], X[0], background)
    assert game.attributions().values[0] == pytest.approx(ours.values[0, :, 1], abs=1e-12)


def test_permutation_explainer_within_its_sampling_error(data):
    """shap's PermutationExplainer averages P = max_evals // (2M + 1) antithetic pairs.

    Bound tested: |phi_perm - phi_exact| <= 4 sigma / sqrt(P) per feature, where sigma is the
    exact standard deviation of one antithetic pair's estimate over all M! orders.
    """
    import shap

    background, x = data[:50], data[210]
    game = model_game(nonlinear, x, background)
    exact = game.attributions().values[0]
    pairs = []
    for order in permutations(game.players):
        forward = marginal_contributions(game, order)
        backward = marginal_contributions(game, order[::-1])
        pairs.append([(forward[p] + backward[p]) / 2 for p in game.players])
    sigma = np.std(pairs, axis=0)
    assert np.allclose(np.mean(pairs, axis=0), exact, atol=1e-12)
    M, max_evals = 5, 500
    n_pairs = max_evals // (2 * M + 1)
    explainer = shap.explainers.Permutation(nonlinear, background, seed=0)
    sampled = explainer(x[None], max_evals=max_evals).values[0]
    bound = 4 * sigma / np.sqrt(n_pairs)
    assert np.all(np.abs(sampled - exact) <= bound + 1e-12), (sampled - exact, bound)
    assert np.any(sigma > 0)  # a real test: this model has three-way interactions
    ours = sample_shapley(game, 2 * n_pairs, seed=0, antithetic=True)
    assert np.all(np.abs(np.array(list(ours.values.values())) - exact) <= bound + 1e-12)


def test_permutation_explainer_is_exact_without_higher_interactions(data):
    import shap

    def pairwise(X):
        return X[:, 0] * X[:, 1] + np.sin(X[:, 2]) - 2 * X[:, 3] * X[:, 4]

    background, x = data[:50], data[220]
    sampled = shap.explainers.Permutation(pairwise, background, seed=1)(x[None], max_evals=200)
    exact = model_game(pairwise, x, background).attributions().values[0]
    assert np.abs(sampled.values[0] - exact).max() < 1e-10


def test_shap_waterfall_draws_our_attributions(data):
    import matplotlib.pyplot as plt
    import shap

    attributions = model_game(nonlinear, data[200], data[:30]).attributions()
    explanation = attributions.to_shap()[0]
    shap.plots.waterfall(explanation, show=False)
    plt.close("all")
    assert explanation.base_values == pytest.approx(nonlinear(data[:30]).mean())


def test_dataframes_and_batches(data):
    import pandas as pd

    columns = ["age", "sex", "bp", "bmi", "chol"]
    frame = pd.DataFrame(data, columns=columns)
    seen = []

    def f(X):
        seen.append(type(X))
        return nonlinear(np.asarray(X))

    game = model_game(f, frame.iloc[200], frame.iloc[:30], batch_rows=64)
    values = game.attributions().values
    assert game.players == tuple(columns) and seen and seen[0] is pd.DataFrame
    assert game.n_model_calls == 32 // 2  # 64 rows per call = 2 coalitions of 30 rows
    assert values == pytest.approx(model_game(nonlinear, data[200], data[:30]).attributions().values, abs=1e-12)
    many = model_shapley(f, frame.iloc[200:204], frame.iloc[:30], batch_rows=1000)
    assert many.feature_names == columns and many.values.shape == (4, 5)


def test_sampling_a_model_game(data):
    game = model_game(nonlinear, data[200], data[:30])
    estimate = sample_shapley(game, 200, seed=0)
    exact = game.attributions().values[0]
    errors = np.abs(np.array([estimate.values[p] for p in game.players]) - exact)
    assert np.all(errors <= 4 * np.array(list(estimate.std_errors.values())) + 1e-12)


@pytest.mark.parametrize("call, error, message", [
    (lambda d: model_game(object(), d[0], d[:10]), TypeError, "f must be a function"),
    (lambda d: model_game(__import__("sklearn.linear_model").linear_model.LinearRegression(), d[0], d[:10]),
     TypeError, "model.predict"),
    (lambda d: model_game(nonlinear, d[0, :4], d[:10]), ValueError, "x has shape"),
    (lambda d: model_game(nonlinear, d[:2], d[:10]), ValueError, r"x has shape \(2, 5\); pass one row"),
    (lambda d: model_game(nonlinear, d[0], d[0]), ValueError, "background must be 2-D"),
    (lambda d: model_game(nonlinear, d[0], np.where(d[:10] > 1, np.nan, d[:10])), ValueError, "NaN"),
    (lambda d: model_game(nonlinear, d[0], [["a"] * 5]), TypeError, "numbers only"),
    (lambda d: model_game(lambda X: X[:3, 0], d[0], d[:10])(()), ValueError, "f returned shape"),
    (lambda d: model_game(lambda X: np.c_[X[:, 0], X[:, 1]], d[0], d[:10])(()), ValueError, "one number"),
    (lambda d: model_game(nonlinear, d[0], d[:10], feature_names=list("abcdd")), ValueError, "distinct"),
    (lambda d: model_game(nonlinear, d[0], d[:10], batch_rows=0), ValueError, "batch_rows"),
    (lambda d: model_shapley(nonlinear, np.zeros((1, 21)), np.zeros((2, 21))), ValueError, "too many"),
    (lambda d: model_game(lambda X: X[:, 0] / 0, d[0], d[:10])(()), ValueError, "NaN or infinite"),
])
def test_model_game_errors(data, call, error, message):
    with np.errstate(all="ignore"), pytest.raises(error, match=message):
        call(data)


def test_widget_panel_updates(card):
    from course_lib.widgets.shapley import prize_table_panel, shares_report

    panel = prize_table_panel(card)
    assert "3.167" in panel.output.value and "breaks" not in panel.output.value.split("Shapley</b>")[1].split("<br>")[0]
    panel.boxes[frozenset("A")].value = 7.0  # A now wins as much alone as B
    assert "3.167" not in panel.output.value
    panel.boxes[frozenset()].value = float("nan")
    assert "finite" in panel.output.value
    assert "proportional" in shares_report(card)


def test_plots_run(card):
    import matplotlib.pyplot as plt

    from course_lib.plots.shapley import plot_convergence, plot_cost, plot_shares

    plot_cost(8)
    estimates = {"plain": sample_shapley(card, 50, 0), "antithetic": sample_shapley(card, 50, 0, True)}
    plot_convergence(estimates, exact=shapley_values(card))
    plot_shares({"Shapley": shapley_values(card), "equal": equal_split(card)})
    plt.close("all")


def test_a_game_hands_back_attributions_like_every_explainer(card):
    """Game.attributions(): one row, values in player order, base v(∅), efficiency exact."""
    result = card.attributions()
    assert isinstance(result, Attributions)
    expected = shapley_values(card)
    np.testing.assert_allclose(result.values, [[expected[p] for p in card.players]], atol=1e-12)
    assert result.values.shape == (1, 3) and result.base_values.tolist() == [card(())]
    assert result.feature_names == ["A", "B", "C"] and result.data is None
    np.testing.assert_allclose(result.efficiency_gap([card("ABC")]), [0.0], atol=1e-12)
    # a callable game with a non-zero v(∅) and non-string players
    game = Game([1, 2, 3, 4], lambda S: 2.0 + sum(S) ** 1.5)
    result, expected = game.attributions(), shapley_values(game)
    np.testing.assert_allclose(result.values[0], [expected[p] for p in game.players], atol=1e-12)
    assert result.base_values[0] == 2.0 and result.feature_names == ["1", "2", "3", "4"]
    assert abs(result.predictions[0] - game(game.players)) < 1e-12
