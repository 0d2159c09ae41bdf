"""Diverse counterfactuals (DiCE's objective) on the cardio twin, beside dice-ml's random method."""
import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestClassifier

from course_lib.counterfactual import counterfactual_metrics, diverse_counterfactuals, ordered
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
