"""The synthetic cardio twin: schema, published marginals and correlations, errors, the truth."""
import numpy as np
import pandas as pd
import pytest

from course_lib import cardio_twin as ct
from course_lib.cardio_twin import (cardio_logit, cardio_truth, effect, habit_confounding,
                                    interaction_term, make_cardio_twin, true_interaction)

# The real file's published describe() (data/README.md): mean, std and quartiles.
PUBLISHED = {
    "age": dict(mean=19468.87, std=2467.25, q=(17664, 19703, 21327)),
    "height": dict(mean=164.359, std=8.210, q=(159, 165, 170)),
    "weight": dict(mean=74.206, std=14.396, q=(65, 72, 82)),
    "ap_hi": dict(q=(120, 120, 140)),
    "ap_lo": dict(q=(80, 80, 90)),
    "cholesterol": dict(mean=1.366871, q=(1, 1, 2)),
    "gluc": dict(mean=1.226457, q=(1, 1, 1)),
}
PROPORTIONS = {"gender": (2, 0.3496), "smoke": (1, 0.0881), "alco": (1, 0.0538),
               "active": (1, 0.8037), "cardio": (1, 0.4997)}
CORR_WITH_CARDIO = {"age": .24, "cholesterol": .22, "weight": .18, "gluc": .09, "ap_lo": .07,
                    "ap_hi": .05, "active": -.04, "smoke": -.02, "alco": -.01, "height": -.01,
                    "gender": .01}
CORR_BETWEEN = {("height", "gender"): .50, ("weight", "height"): .29,
                ("cholesterol", "gluc"): .45, ("smoke", "alco"): .34}


@pytest.fixture(scope="module")
def twin():
    return make_cardio_twin(return_details=True)


def test_schema_dtypes_and_units(twin):
    table, details = twin
    assert list(table.columns) == ct.COLUMNS and len(table) == 70_000
    assert dict(table.dtypes.astype(str)) == ct.DTYPES
    assert table.attrs["source"] == "synthetic twin"
    assert table["id"].is_unique and table["id"].is_monotonic_increasing
    assert table["age"].between(10_798, 23_713).all()                 # days: 29.6 to 64.9 years
    assert set(table["gender"]) == {1, 2}
    assert set(table["cholesterol"]) == set(table["gluc"]) == {1, 2, 3}
    for column in ("smoke", "alco", "active", "cardio"):
        assert set(table[column]) == {0, 1}
    clean = details["clean"]
    assert clean["height"].between(120, 215).all() and clean["weight"].between(30, 180).all()
    assert clean["ap_hi"].between(80, 220).all() and (clean["ap_lo"] < clean["ap_hi"]).all()
    assert clean["ap_lo"].between(50, 130).all()


def test_marginals_match_the_published_describe(twin):
    table, _ = twin
    for column, numbers in PUBLISHED.items():
        quartiles = table[column].quantile([0.25, 0.5, 0.75]).to_numpy()
        scale = 0.01 * numbers["q"][1] if column in ("age",) else 1.0
        assert np.abs(quartiles - numbers["q"]).max() <= scale, (column, quartiles)
        if "mean" in numbers:
            assert table[column].mean() == pytest.approx(numbers["mean"], rel=0.01), column
        if "std" in numbers:
            assert table[column].std() == pytest.approx(numbers["std"], rel=0.08), column
    for column, (value, share) in PROPORTIONS.items():
        assert (table[column] == value).mean() == pytest.approx(share, abs=0.01), column
    published = {"cholesterol": (.7484, .1364, .1152), "gluc": (.8497, .0741, .0762)}
    for column, shares in published.items():
        found = table[column].value_counts(normalize=True).sort_index().to_numpy()
        np.testing.assert_allclose(found, shares, atol=0.01, err_msg=column)


def test_habits_bmi_and_heights_by_group(twin):
    table, details = twin
    by_gender = table.groupby("gender")
    np.testing.assert_allclose(by_gender["smoke"].mean(), [0.018, 0.219], atol=0.01)
    np.testing.assert_allclose(by_gender["alco"].mean(), [0.0255, 0.1064], atol=0.01)
    np.testing.assert_allclose(by_gender["height"].mean(), [161.36, 169.95], atol=1.0)
    clean = details["clean"]
    bmi = clean["weight"] / (clean["height"] / 100) ** 2
    np.testing.assert_allclose(bmi.groupby(clean["cardio"]).mean(), [26.55, 28.57], atol=0.5)
    np.testing.assert_allclose(bmi.groupby(clean["gender"]).mean(), [27.99, 26.75], atol=0.5)


def test_correlations_match_the_published_heatmap(twin):
    table, _ = twin
    corr = table.drop(columns="id").corr()
    for column, value in CORR_WITH_CARDIO.items():
        assert corr.loc[column, "cardio"] == pytest.approx(value, abs=0.05), column
    for (a, b), value in CORR_BETWEEN.items():
        assert corr.loc[a, b] == pytest.approx(value, abs=0.05), (a, b)


def test_blood_pressure_matters_most_once_cleaned(twin):
    _, details = twin
    corr = details["clean"].drop(columns="id").corr()["cardio"].drop("cardio")
    assert corr.idxmax() == "ap_hi" and corr["ap_hi"] > 0.35


def test_entry_errors_at_realistic_rates(twin):
    table, details = twin
    flags = details["errors"]
    assert list(flags.columns) == ["duplicate", *ct.ERROR_RATES]
    assert flags.sum(axis=1).max() == 1                       # at most one error per row
    assert flags["duplicate"].sum() == 24
    assert 24 <= table.drop(columns="id").duplicated().sum() <= 30
    for kind, rate in ct.ERROR_RATES.items():
        expected = rate * len(table)
        assert abs(flags[kind].sum() - expected) <= 4 * np.sqrt(expected) + 3, kind
    assert 1_000 <= (table["ap_lo"] > table["ap_hi"]).sum() <= 1_500
    assert table["ap_hi"].min() < 0 and table["ap_lo"].min() <= 0
    assert table["ap_hi"].max() > 10_000 and table["ap_lo"].max() > 5_000
    assert table["height"].min() < 100 and table["height"].max() > 200
    assert table["weight"].min() < 30
    # an ordinary cleaning recipe removes about 2 % of the rows (real file: 1,427 of 70,000)
    plausible = (table["ap_hi"].between(80, 220) & table["ap_lo"].between(40, 140)
                 & (table["ap_lo"] < table["ap_hi"]) & table["height"].between(130, 210)
                 & table["weight"].between(35, 180))
    removed = len(table) - len(table[plausible].drop_duplicates(subset=ct.COLUMNS[1:]))
    assert 0.015 * len(table) <= removed <= 0.03 * len(table)


def test_errors_touch_only_flagged_rows(twin):
    table, details = twin
    clean, flags = details["clean"], details["errors"]
    changed = (table.drop(columns="id") != clean.drop(columns="id")).any(axis=1)
    flagged = flags.any(axis=1)
    assert not (changed & ~flagged).any()
    assert changed[flags.drop(columns="duplicate").any(axis=1)].all()
    assert (table.loc[flags["ap_swapped"], "ap_hi"].to_numpy()
            == clean.loc[flags["ap_swapped"], "ap_lo"].to_numpy()).all()


def test_errors_false_is_the_clean_table_and_seeds_are_deterministic():
    table, details = make_cardio_twin(n=3000, seed=5, return_details=True)
    pd.testing.assert_frame_equal(make_cardio_twin(n=3000, seed=5, errors=False), details["clean"],
                                  check_like=False, check_flags=False)
    pd.testing.assert_frame_equal(make_cardio_twin(n=3000, seed=5), table)
    assert not make_cardio_twin(n=3000, seed=6).equals(table)


def test_truth_is_efficient_and_centred(twin):
    _, details = twin
    clean = details["clean"].iloc[:2000]
    base, contributions = cardio_truth(clean)
    assert list(contributions.columns) == ct.FEATURES
    np.testing.assert_allclose(base + contributions.sum(axis=1), cardio_logit(clean), atol=1e-12)
    np.testing.assert_allclose(contributions.mean(), 0.0, atol=1e-12)
    np.testing.assert_allclose(cardio_logit(clean), details["logit"][:2000], atol=1e-12)
    background = details["clean"].iloc[5000:5100]
    base_b, contributions_b = cardio_truth(clean, background=background)
    np.testing.assert_allclose(base_b + contributions_b.sum(axis=1), cardio_logit(clean), atol=1e-12)


def test_height_is_a_dummy_feature(twin):
    table, _ = twin
    _, contributions = cardio_truth(table)
    assert (contributions["height"] == 0).all()
    assert np.all(effect("height", [0, 55, 170, 250]) == 0)
    assert abs(table["height"].corr(table["gender"])) > 0.4      # correlated, yet no effect


def test_truth_equals_shap_exact_interventional_values(twin):
    """shap's exact interventional Shapley values equal the closed form, interaction included."""
    shap = pytest.importorskip("shap")
    _, details = twin
    clean = details["clean"][ct.FEATURES].astype(float)
    background, rows = clean.iloc[:20].to_numpy(), clean.iloc[100:103].to_numpy()
    explainer = shap.explainers.Exact(lambda X: cardio_logit(np.asarray(X)),
                                      shap.maskers.Independent(background, max_samples=20))
    explanation = explainer(rows, silent=True)
    base, contributions = cardio_truth(rows, background=background)
    np.testing.assert_allclose(explanation.values, contributions.to_numpy(), atol=1e-10)
    np.testing.assert_allclose(explanation.base_values, base, atol=1e-10)


def test_labels_follow_the_true_probability(twin):
    _, details = twin
    probability, labels = details["probability"], details["clean"]["cardio"].to_numpy()
    bins = np.digitize(probability, np.linspace(0.1, 0.9, 9))
    for b in np.unique(bins):
        inside = bins == b
        assert abs(labels[inside].mean() - probability[inside].mean()) < 0.03


def test_models_reach_the_published_accuracy(twin):
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    table, _ = twin
    plausible = (table["ap_hi"].between(80, 220) & table["ap_lo"].between(40, 140)
                 & (table["ap_lo"] < table["ap_hi"]))
    X, y = table[ct.FEATURES], table["cardio"]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
    keep_train, keep_test = plausible[X_train.index], plausible[X_test.index]
    logistic = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    logistic.fit(X_train[keep_train], y_train[keep_train])
    assert 0.72 <= logistic.score(X_test[keep_test], y_test[keep_test]) <= 0.76
    boosting = HistGradientBoostingClassifier(random_state=0).fit(X_train, y_train)
    assert 0.72 <= boosting.score(X_test, y_test) <= 0.76


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(n=1), ValueError, "n must be an integer >= 2"), (dict(n="many"), TypeError, "n must be an integer"),
    (dict(n=2.5), TypeError, "n must be an integer"), (dict(seed=None), TypeError, "seed must be an int"),
    (dict(n=10 ** 12), ValueError, "n=1000000000000 is too large"),
    (dict(seed=-1), ValueError, "seed must be between 0 and 2"),
])
def test_bad_arguments_are_one_line_errors(kwargs, error, message):
    with pytest.raises(error, match=message) as info:
        make_cardio_twin(**kwargs)
    assert "\n" not in str(info.value)


def test_truth_input_errors():
    with pytest.raises(ValueError, match="name must be one of"):
        effect("bmi", [1.0])
    with pytest.raises(ValueError, match=r"lacks the columns \['ap_hi'\]"):
        cardio_truth(make_cardio_twin(n=10).drop(columns="ap_hi"))
    with pytest.raises(ValueError, match=r"shape \(n, 11\)"):
        cardio_logit(np.zeros((3, 4)))
    X = make_cardio_twin(n=10)[ct.FEATURES].to_numpy()
    np.testing.assert_allclose(cardio_logit(X), cardio_logit(make_cardio_twin(n=10)))


def _brute_force_shapley(f, row, background):
    """Interventional Shapley values and pair interactions by enumerating all 2^M coalitions."""
    from itertools import combinations
    from math import factorial

    m = len(row)

    def value(subset):
        mixed = background.copy()
        mixed[:, list(subset)] = row[list(subset)]
        return f(mixed).mean()

    values = {s: value(s) for k in range(m + 1) for s in combinations(range(m), k)}
    phi = np.zeros(m)
    for j in range(m):
        for subset, v in values.items():
            if j not in subset:
                weight = factorial(len(subset)) * factorial(m - len(subset) - 1) / factorial(m)
                phi[j] += weight * (values[tuple(sorted(subset + (j,)))] - v)
    return values[()], phi, values


def test_truth_matches_brute_force_with_the_interaction(twin):
    """cardio_truth splits h(age, ap_hi) exactly: compared with all 2^11 coalitions."""
    _, details = twin
    clean = details["clean"][ct.FEATURES].astype(float)
    background, rows = clean.iloc[:15].to_numpy(), clean.iloc[200:203].to_numpy()
    base, contributions = cardio_truth(rows, background=background)
    for r, row in enumerate(rows):
        empty, phi, _ = _brute_force_shapley(cardio_logit, row, background)
        assert base == pytest.approx(empty, abs=1e-12)
        np.testing.assert_allclose(contributions.iloc[r].to_numpy(), phi, atol=1e-10)
    # the pair term is really there: age's value is not its additive part alone
    additive_age = effect("age", rows[:, 0]) - effect("age", background[:, 0]).mean()
    assert np.abs(contributions["age"].to_numpy() - additive_age).max() > 1e-3


def test_true_interaction_matches_its_definition(twin):
    """Phi_{age,ap_hi} = sum_S w(S) D_ij(S) over all coalitions; every other pair is zero."""
    from itertools import combinations
    from math import factorial

    _, details = twin
    clean = details["clean"][ct.FEATURES].astype(float)
    background, row = clean.iloc[:10].to_numpy(), clean.iloc[300].to_numpy()
    _, _, values = _brute_force_shapley(cardio_logit, row, background)
    m = len(row)

    def interaction(i, j):
        total = 0.0
        others = [k for k in range(m) if k not in (i, j)]
        for size in range(m - 1):
            weight = factorial(size) * factorial(m - size - 2) / (2 * factorial(m - 1))
            for s in combinations(others, size):
                key = lambda extra: tuple(sorted(s + extra))
                total += weight * (values[key((i, j))] - values[key((i,))] - values[key((j,))]
                                   + values[key(())])
        return total

    age, ap_hi = ct.FEATURES.index("age"), ct.FEATURES.index("ap_hi")
    truth = true_interaction(row[None], background=background).iloc[0]
    assert interaction(age, ap_hi) == pytest.approx(truth, abs=1e-12)
    assert abs(truth) > 1e-3
    assert interaction(ct.FEATURES.index("weight"), ct.FEATURES.index("ap_lo")) == pytest.approx(0, abs=1e-12)


def test_truth_is_efficient_with_the_interaction(twin):
    _, details = twin
    clean = details["clean"].iloc[:3000]
    background = details["clean"].iloc[5000:5200]
    base, contributions = cardio_truth(clean, background=background)
    np.testing.assert_allclose(base + contributions.sum(axis=1), cardio_logit(clean), atol=1e-12)
    h = interaction_term(clean["age"], clean["ap_hi"])
    assert -0.8 <= h.min() < -0.3 and 0.3 < h.max() <= 0.8          # a real, bounded pair term
    # the logit minus h is additive: the pair is the only interaction
    additive = cardio_logit(clean) - h
    np.testing.assert_allclose(additive, ct.INTERCEPT + sum(effect(f, clean[f]) for f in ct.FEATURES),
                               atol=1e-12)


def test_smoking_and_drinking_look_protective_through_the_confounder(twin):
    """Harmful direct effects, protective-looking data: the unrecorded u does it, not gender."""
    from sklearn.linear_model import LogisticRegression

    table, details = twin
    clean, latent = details["clean"], details["latent"]
    for habit in ("smoke", "alco"):
        found = habit_confounding(clean, habit)
        assert found["direct"] > 0                                   # harmful in the model
        assert found["observed"] < -0.1 and found["within_gender"] < -0.1   # protective in data
        assert np.corrcoef(clean[habit], latent)[0, 1] < -0.05       # quitters carry more risk
    # gender alone pushes the other way: men smoke more and have a (slightly) higher risk
    assert clean.groupby("gender")["smoke"].mean()[2] > clean.groupby("gender")["smoke"].mean()[1]
    assert effect("gender", [2])[0] > effect("gender", [1])[0]
    # u is independent of every other column
    for column in ("age", "gender", "weight", "ap_hi", "cholesterol", "active"):
        assert abs(np.corrcoef(clean[column], latent)[0, 1]) < 0.02, column
    # a model of the 11 columns learns the habits as protective; knowing u, it recovers the harm
    X = clean[ct.FEATURES].astype(float)
    X = (X - X.mean()) / X.std()
    smoke = ct.FEATURES.index("smoke")
    without_u = LogisticRegression(max_iter=1000).fit(X, clean["cardio"]).coef_[0]
    with_u = LogisticRegression(max_iter=1000).fit(X.assign(u=latent), clean["cardio"]).coef_[0]
    assert without_u[smoke] < 0 < with_u[smoke]


def test_labels_follow_the_latent_probability(twin):
    _, details = twin
    label_logit = details["logit"] + ct.LATENT_EFFECT * details["latent"]
    np.testing.assert_allclose(details["probability"], 1 / (1 + np.exp(-label_logit)), atol=1e-12)
    assert abs(details["latent"].mean()) < 0.02 and abs(details["latent"].std() - 1) < 0.02


def test_true_interaction_equals_shap_interaction_values_of_a_fitted_tree():
    """shap's TreeSHAP interaction values use the same convention (each of the two off-diagonal
    cells holds Phi_ij). shap computes them only path-dependently; on a full factorial grid of
    (age, ap_hi) with one row per cell the tree's cover ratios are the product of the marginals, so
    path-dependent equals interventional with the grid as background."""
    shap = pytest.importorskip("shap")
    from sklearn.tree import DecisionTreeRegressor

    ages, pressures = np.arange(30, 66, 5) * ct.DAYS_PER_YEAR, np.arange(90, 200, 10)
    grid = pd.DataFrame({name: 1.0 for name in ct.FEATURES}, index=range(len(ages) * len(pressures)))
    grid["age"], grid["ap_hi"] = np.repeat(ages, len(pressures)), np.tile(pressures, len(ages))
    target = interaction_term(grid["age"], grid["ap_hi"])
    tree = DecisionTreeRegressor(random_state=0).fit(grid, target)
    np.testing.assert_allclose(tree.predict(grid), target, atol=1e-12)
    found = shap.TreeExplainer(tree).shap_interaction_values(grid.to_numpy())
    age, ap_hi = ct.FEATURES.index("age"), ct.FEATURES.index("ap_hi")
    truth = true_interaction(grid, background=grid).to_numpy()
    np.testing.assert_allclose(found[:, age, ap_hi], truth, atol=1e-8)
    np.testing.assert_allclose(found[:, ap_hi, age], truth, atol=1e-8)
    assert np.abs(truth).max() > 0.3
