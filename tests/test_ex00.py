"""Checks of the warm-up: right answers pass, typical wrong answers get the right message."""
import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier

from course_lib.cardio_twin import make_cardio_twin
from course_lib.exercises import CheckFailed, NotAttempted
from course_lib.exercises import ex00_warmup as ex
from course_lib.shapley import model_game
from course_lib.cardio_rules import impossible_pressure
from exercise_helpers import fails, passes, solution

FEATURES = ["age", "gender", "height", "weight", "ap_hi", "ap_lo", "cholesterol", "gluc", "smoke",
            "alco", "active"]


@pytest.fixture(scope="module")
def cardio():
    return make_cardio_twin(n=5000, seed=0)


@pytest.fixture(scope="module")
def split(cardio):
    X_train, X_test, y_train, y_test = train_test_split(cardio[FEATURES], cardio["cardio"],
                                                        test_size=0.3, random_state=0)
    model = DecisionTreeClassifier(max_depth=4, random_state=0).fit(X_train, y_train)
    return model, X_train, y_train, X_test, y_test


# ------------------------------------------------------------------------------ q1
def test_q1(cardio, capsys):
    hi, lo = cardio["ap_hi"], cardio["ap_lo"]
    out_of_range = ~hi.between(70, 250) | ~lo.between(40, 160)
    swapped = lo >= hi
    right = int((out_of_range | swapped).sum())
    assert right == int(impossible_pressure(cardio).sum())  # the course's one rule
    assert 0 < int(out_of_range.sum()) < right and int(swapped.sum()) < right  # the variants differ
    ex.q1.check(cardio, right)
    ex.q1.check(cardio, np.int64(right))
    assert f"{right} of 5,000 rows" in capsys.readouterr().out
    assert right == int(ex.impossible_pressure(cardio).sum())
    fails(ex.q1, cardio, int(out_of_range.sum()), match="counts only the out-of-range readings")
    fails(ex.q1, cardio, int(swapped.sum()), match="counts only the rows with ap_lo >= ap_hi")
    fails(ex.q1, cardio, int(out_of_range.sum() + swapped.sum()), match="twice")
    fails(ex.q1, cardio, len(cardio) - right, match="number of plausible rows")
    fails(ex.q1, cardio, right / len(cardio), match="share of impossible rows")
    fails(ex.q1, cardio, out_of_range | swapped, match="that is the mask")
    fails(ex.q1, cardio, right + 1000, match="off by +1000")
    fails(ex.q1, cardio, "12", match="should be a single number, but it is the string")
    fails(ex.q1, cardio.drop(columns="ap_lo"), right, match="no column(s) ['ap_lo']")
    fails(ex.q1, [1, 2], right, match="should be a pandas DataFrame")
    old_rule = int((~hi.between(50, 250) | ~lo.between(30, 200) | swapped).sum())
    if old_rule != right:
        fails(ex.q1, cardio, old_rule, match="course_lib.cardio_rules")
    passes(ex.q1, cardio, solution(ex.q1, "n_impossible", cardio=cardio, **vars(ex)))
    passes(ex.q1, cardio, float(right))


def test_q1_is_checked_on_the_learners_own_table():
    table = pd.DataFrame({"ap_hi": [120, 12, 80, 250, 70, 130, 140],
                          "ap_lo": [80, 80, 120, 160, 70, 85, 90]})
    ex.q1.check(table, 3)  # 12 out of range, 80/120 swapped, 70/70 equal; the limits are fine
    fails(ex.q1, table, 2, match="misses the rows with ap_lo == ap_hi")
    edge = pd.DataFrame({"ap_hi": [250, 120], "ap_lo": [90, 80]})
    fails(ex.q1, edge, 1, match="counts readings exactly at a limit")


# ------------------------------------------------------------------------------ q2
def test_q2(split, capsys):
    model, X_train, y_train, X_test, y_test = split
    accuracy = float((model.predict(X_test) == y_test).mean())
    train = float((model.predict(X_train) == y_train).mean())
    assert accuracy != train
    ex.q2.check(*split, accuracy)
    assert "always answering the most common class" in capsys.readouterr().out
    fails(ex.q2, *split, 100 * accuracy, match="is a percentage")
    fails(ex.q2, *split, 1 - accuracy, match="error rate")
    fails(ex.q2, *split, train, match="accuracy on the training rows")
    majority = float(y_test.value_counts(normalize=True).max())
    fails(ex.q2, *split, majority, match="share of the most common class")
    fails(ex.q2, *split, 0.5, match="right on")
    fails(ex.q2, *split, 3.0, match="between 0 and 1")
    fails(ex.q2, DecisionTreeClassifier(), *split[1:], accuracy, match="raised NotFittedError")
    fails(ex.q2, "model", *split[1:], accuracy, match="no predict method")
    passes(ex.q2, *split, np.mean(model.predict(X_test) == np.asarray(y_test)))


# ------------------------------------------------------------------------------ q3
def coalition_value(f, x, background, coalition):
    rows = np.array(background, dtype=float)
    rows[:, coalition] = x[coalition]
    return float(np.mean(f(rows)))


def test_q3():
    ex.q3.check(coalition_value)

    def in_place(f, x, background, coalition):
        background[:, coalition] = x[coalition]
        return float(np.mean(f(background)))

    def mean_row(f, x, background, coalition):
        rows = np.array(background, dtype=float)
        rows[:, coalition] = x[coalition]
        return float(f(rows.mean(axis=0, keepdims=True))[0])

    def flipped(f, x, background, coalition):
        rows = np.tile(x, (len(background), 1))
        rows[:, coalition] = background[:, coalition]
        return float(np.mean(f(rows)))

    def per_row(f, x, background, coalition):
        rows = np.array(background, dtype=float)
        rows[:, coalition] = x[coalition]
        return f(rows)

    def stub(f, x, background, coalition):
        raise NotImplementedError

    fails(ex.q3, in_place, match="changed `background` in place")
    fails(ex.q3, mean_row, match="you average the rows, then predict")
    fails(ex.q3, flipped, match="it is the other way round")
    fails(ex.q3, lambda f, x, b, c: float(f(x[None])[0]), match="returns f(x), whatever the coalition")
    fails(ex.q3, per_row, match="one prediction per background row")
    fails(ex.q3, lambda f, x, b, c: 0.5, match="should be")
    fails(ex.q3, 3, match="should be a function")
    with pytest.raises(NotAttempted):
        ex.q3.check(stub)


# ------------------------------------------------------------------------------ q4
def test_q4(split, capsys):
    model, X_train, _, X_test, _ = split
    patient, background = X_test.iloc[3], X_train.sample(30, random_state=1)
    phi = model_game(lambda X: model.predict_proba(X)[:, 1], patient, background).attributions()
    ex.q4.check(model, patient, background, phi)
    ex.q4.check(model, patient, background, phi.values[0])
    ex.q4.check(model, patient, background, dict(zip(FEATURES, phi.values[0])))
    ex.q4.check(model, patient, background, pd.Series(phi.values[0], index=FEATURES))
    assert "the shares add up to f(patient) - mean f(background)" in capsys.readouterr().out
    fails(ex.q4, model, patient, background, -phi.values[0], match="P(cardio = 0)")
    fails(ex.q4, model, patient, background, phi.values[0] + 0.01, match="add up to")
    swapped = phi.values[0].copy()
    swapped[[0, 4]] = swapped[[4, 0]]
    fails(ex.q4, model, patient, background, swapped, match="the shares add up, but")
    fails(ex.q4, model, patient, background, phi.values[0][:5], match="should have shape (11,)")
    fails(ex.q4, model, patient, X_train, phi, match="keep at most 200")
    fails(ex.q4, model, X_test, background, phi, match="one row with the 11 feature values")
