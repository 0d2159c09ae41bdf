"""Diverse counterfactuals (DiCE's objective) on the cardio twin, beside dice-ml's random method."""
import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestClassifier

from course_lib.counterfactual import (_dice_objective, _dice_objective_added, counterfactual_metrics,
                                      diverse_counterfactuals, ordered)
from course_lib.data import load_cardio


@pytest.fixture(scope="module")
def cardio():
    table = load_cardio(source="synthetic", n=3000, seed=0, verbose=False)
    X = table.drop(columns=["id", "cardio"]).astype(float)
    y = table["cardio"]
    model = RandomForestClassifier(50, max_depth=6, random_state=0).fit(X, y)
    i = int(np.flatnonzero(model.predict(X) == 1)[0])
    return X, y, model, X.iloc[[i]]


def _run(cardio, **kwargs):
    X, _, model, x = cardio
    return diverse_counterfactuals(model.predict, x, X, k=4, immutable=("age", "gender"),
                                   constraints=(ordered("ap_lo", "ap_hi"),), **kwargs)


def test_valid_immutable_plausible_and_seeded(cardio):
    X, _, model, x = cardio
    result = _run(cardio)
    cfs = pd.DataFrame(result.counterfactuals, columns=X.columns)
    assert result.metrics["validity"] == 1.0 and (model.predict(cfs) == 0).all()
    assert (cfs["age"] == x["age"].iloc[0]).all() and (cfs["gender"] == x["gender"].iloc[0]).all()
    assert (cfs["ap_lo"] < cfs["ap_hi"]).all()
    for name in X.columns:                      # only values patients really have
        assert set(cfs[name]) <= set(X[name])
    assert len(np.unique(result.counterfactuals, axis=0)) == 4
    np.testing.assert_array_equal(result.counterfactuals, _run(cardio).counterfactuals)


def test_dpp_term_buys_diversity_and_proximity_term_closeness(cardio):
    close = _run(cardio, diversity_weight=0.0).metrics
    diverse = _run(cardio, diversity_weight=1.0, proximity_weight=0.0).metrics
    assert diverse["diversity"] > close["diversity"]
    assert close["proximity"] < diverse["proximity"]


def test_metrics_by_hand():
    x = np.array([0.0, 0.0, 0.0])
    X = np.array([[0, 0, 0], [1, 2, 0], [2, 4, 0], [3, 6, 1.0]])   # MAD: 1, 2, 0 (-> 1)
    cfs = np.array([[1.0, 0, 0], [0, 2, 1]])
    m = counterfactual_metrics(lambda r: np.ones(len(r)), x, cfs, X, target=1)
    assert m == {"validity": 1.0, "proximity": (1 + 2) / 2, "sparsity": 1.5, "diversity": 1 + 1 + 1}


def test_checks(cardio):
    X, _, model, x = cardio
    with pytest.raises(ValueError, match="immutable"):
        diverse_counterfactuals(model.predict, x, X, immutable=list(X.columns))
    with pytest.raises(ValueError, match="k must"):
        diverse_counterfactuals(model.predict, x, X, k=0)
    with pytest.raises(ValueError, match="loosen"):
        diverse_counterfactuals(model.predict, x, X, constraints=(lambda r: r["age"] < 0,))


def test_beside_dice_ml_random(cardio):
    """dice-ml's random method on the same model and patient: both sets are valid; ours also
    keeps ap_lo < ap_hi and real values, and is closer to the patient (it minimises distance
    beside diversity); the four measures are reported side by side."""
    dice_ml = pytest.importorskip("dice_ml")
    X, y, model, x = cardio
    mutable = [c for c in X.columns if c not in ("age", "gender")]
    data = dice_ml.Data(dataframe=pd.concat([X, y], axis=1), continuous_features=list(X.columns),
                        outcome_name="cardio")
    explainer = dice_ml.Dice(data, dice_ml.Model(model=model, backend="sklearn"), method="random")
    found = explainer.generate_counterfactuals(x, total_CFs=4, desired_class="opposite",
                                               features_to_vary=mutable, random_seed=0,
                                               verbose=False)
    theirs_rows = found.cf_examples_list[0].final_cfs_df[X.columns].astype(float)
    theirs = counterfactual_metrics(model.predict, x.to_numpy()[0], theirs_rows.to_numpy(), X, 0,
                                    list(X.columns), x)
    ours = _run(cardio).metrics
    assert theirs["validity"] == ours["validity"] == 1.0
    assert (theirs_rows[["age", "gender"]].to_numpy() == x[["age", "gender"]].to_numpy()).all()
    assert ours["proximity"] < theirs["proximity"]


DIRECTIONS = {"smoke": -1, "alco": -1, "active": +1, "weight": -1}


def _wrong_way(rows, x):
    return ((rows["smoke"] > x["smoke"].iloc[0]) | (rows["alco"] > x["alco"].iloc[0])
            | (rows["active"] < x["active"].iloc[0]) | (rows["weight"] > x["weight"].iloc[0]))


def test_directions_hold_over_seeds_and_are_needed(cardio):
    """With directions no counterfactual moves a one-directional feature the wrong way (ten
    seeds); without them some do, so the check can fail."""
    X, _, model, x = cardio
    free = wrong = 0
    for seed in range(10):
        kept = _run(cardio, seed=seed, directions=DIRECTIONS)
        rows = pd.DataFrame(kept.counterfactuals, columns=X.columns)
        wrong += int(_wrong_way(rows, x).sum())
        assert kept.metrics["validity"] == 1.0 and (model.predict(rows) == 0).all()
        assert (rows[["age", "gender"]].to_numpy() == x[["age", "gender"]].to_numpy()).all()
        free += int(_wrong_way(pd.DataFrame(_run(cardio, seed=seed).counterfactuals,
                                            columns=X.columns), x).sum())
    assert wrong == 0 and free > 0


def test_directions_put_wrong_side_values_back_to_x():
    """A direction never discards an edit: the wrong-side value goes back to x's value."""
    X = np.array([[0.0, 0.0], [1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]] * 4)
    x = np.array([0.0, 0.0])

    def predict(rows):                      # class 1 wherever anything moved
        return (np.abs(np.asarray(rows)).sum(axis=1) > 0).astype(int)

    result = diverse_counterfactuals(predict, x, X, k=2, directions={0: +1, 1: -1}, target=1,
                                     n_candidates=200)
    assert (result.counterfactuals[:, 0] >= 0).all() and (result.counterfactuals[:, 1] <= 0).all()
    assert {tuple(r) for r in result.counterfactuals} <= {(1.0, 0.0), (0.0, -1.0), (1.0, -1.0)}


def test_direction_checks(cardio):
    X, _, model, x = cardio
    with pytest.raises(ValueError, match=r"directions\['smoke'\] must be \+1"):
        diverse_counterfactuals(model.predict, x, X, directions={"smoke": 0})
    with pytest.raises(ValueError, match="immutable"):
        diverse_counterfactuals(model.predict, x, X, immutable=["age"], directions={"age": 1})
    with pytest.raises(TypeError, match="directions must be a dict"):
        diverse_counterfactuals(model.predict, x, X, directions=["smoke"])


def test_batched_objective_equals_the_objective_of_each_set():
    rng = np.random.default_rng(0)
    rows, scale = rng.normal(size=(30, 4)), np.array([1.0, 2.0, 0.5, 1.0])
    distance = np.abs(rows).sum(axis=1)
    chosen = [3, 7]
    batched = _dice_objective_added(rows, chosen, distance, scale, 0.5, 1.0)
    for c in range(len(rows)):
        one = _dice_objective(rows[chosen + [c]], distance[chosen + [c]], scale, 0.5, 1.0)
        assert batched[c] == pytest.approx(one, rel=1e-12, abs=1e-12)
