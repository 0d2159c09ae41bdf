"""Checks of the warm-up: right answers pass, typical wrong answers get the message meant for them.

Each question has a catalog of what learners write: at least 8 wrong answers, each refused with
the words of its own message, and right answers written differently from the solution.
"""
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score

from course_lib.exercises import ex00_warmup as ex
from course_lib.shapley import model_game
from exercise_helpers import (fails, not_attempted, passes, run_catalog, solution, stub,
                              wrong)

S, D = ex.SYSTOLIC_RANGE, ex.DIASTOLIC_RANGE


# ------------------------------------------------------------------------------ q1
def count_right(table):
    return int(ex.impossible_pressure(table).sum())


def by_numpy(table):  # written differently: numpy arrays, explicit comparisons
    hi, lo = table["ap_hi"].to_numpy(), table["ap_lo"].to_numpy()
    bad = (hi < 70) | (hi > 250) | (lo < 40) | (lo > 160) | (lo >= hi)
    return np.count_nonzero(bad)


def by_query(table):  # written differently: the plausible rows, subtracted
    return len(table) - len(table.query("70 <= ap_hi <= 250 and 40 <= ap_lo <= 160 and ap_lo < ap_hi"))


def _masks(table):
    hi, lo = table["ap_hi"], table["ap_lo"]
    return hi, lo, ~hi.between(*S) | ~lo.between(*D), lo >= hi


def plausible(table):
    _, _, out, swapped = _masks(table)
    return int((~(out | swapped)).sum())


def twice(table):
    _, _, out, swapped = _masks(table)
    return int(out.sum() + swapped.sum())


def ends_excluded(table):
    hi, lo, _, swapped = _masks(table)
    return int((~((hi > 70) & (hi < 250) & (lo > 40) & (lo < 160)) | swapped).sum())


def strict_order(table):
    hi, lo, out, _ = _masks(table)
    return int((out | (lo > hi)).sum())


def range_only(table):
    return int(_masks(table)[2].sum())


def order_only(table):
    return int(_masks(table)[3].sum())


def both_rules(table):
    _, _, out, swapped = _masks(table)
    return int((out & swapped).sum())


def no_ap_lo_range(table):
    hi, lo, _, swapped = _masks(table)
    return int((~hi.between(*S) | swapped).sum())


def ranges_swapped(table):
    hi, lo, _, swapped = _masks(table)
    return int((~hi.between(*D) | ~lo.between(*S) | swapped).sum())


def old_ranges(table):
    hi, lo, _, swapped = _masks(table)
    return int((~hi.between(50, 250) | ~lo.between(30, 200) | swapped).sum())


def drops_in_place(table):
    table.drop(table.index[ex.impossible_pressure(table)], inplace=True)
    return 0


def returns_mask(table):
    return ex.impossible_pressure(table)


def share(table):
    return float(ex.impossible_pressure(table).mean())


def python_or(table):
    return int(((table["ap_hi"] < 70) or (table["ap_hi"] > 250)).sum())


Q1_WRONG = [
    wrong(plausible, "counts the plausible rows", mistake="counts-plausible-rows"),
    wrong(twice, "counts a row that breaks two rules twice", mistake="counts-row-breaks"),
    wrong(ends_excluded, "counts readings exactly at a limit", mistake="counts-readings-exactly"),
    wrong(strict_order, "misses the rows with ap_lo == ap_hi", mistake="misses-rows-ap"),
    wrong(range_only, "counts only the out-of-range readings", mistake="counts-range-readings"),
    wrong(order_only, "counts only the rows with ap_lo >= ap_hi", mistake="counts-rows-ap"),
    wrong(both_rules, "counts only the rows that break both rules at once",
          mistake="counts-rows-break"),
    wrong(no_ap_lo_range, "never tests ap_lo against its range", mistake="never-tests-ap"),
    wrong(ranges_swapped, "tests ap_hi against the diastolic range", mistake="tests-ap-hi"),
    wrong(old_ranges, "course_lib.cardio_rules", mistake="uses-ranges-course"),
    wrong(drops_in_place, "changed its input `table` in place", mistake="changed-input"),
    wrong(returns_mask, "that is the mask", mistake="value-per-row"),
    wrong(share, "the share of impossible rows", mistake="share-impossible-rows"),
    wrong(lambda table: 97, "not of the notebook's `cardio`", mistake="count-impossible-pressure"),
    wrong(python_or, "Combine masks with | and &", mistake="learner-raised"),
    wrong(lambda table: count_right(table) + 1, "expected", generic=True, mistake="test-ap-hi"),
]


def test_q1_catalog():
    run_catalog("00", ex.q1, Q1_WRONG, [count_right, by_numpy, by_query,
                                         solution(ex.q1, "count_impossible_pressure", **vars(ex))])


def test_q1_tables_separate_every_slip():
    """On some check table each slip gives a count of its own, different from the right one."""
    slips = [plausible, twice, ends_excluded, strict_order, range_only, order_only, both_rules,
             no_ap_lo_range, ranges_swapped, old_ranges]
    tables = ex._q1_tables()
    for slip in slips:
        assert any(slip(t.copy()) != count_right(t) for t in tables), slip.__name__
    crafted = tables[0]
    hi, lo = crafted["ap_hi"], crafted["ap_lo"]
    assert {70, 250} <= set(hi) and {40, 160} <= set(lo) and (hi == lo).any()
    assert not crafted.index.equals(pd.RangeIndex(len(crafted)))


# ------------------------------------------------------------------------------ q2
def acc_right(model, X, y):
    return float(np.mean(model.predict(X) == np.asarray(y)))


def acc_loop(model, X, y):  # written differently: a loop over the pairs
    pairs = list(zip(model.predict(X), y))
    return sum(p == t for p, t in pairs) / len(pairs)


def acc_series(model, X, y):  # written differently: a Series on y's own index
    return (pd.Series(model.predict(X), index=y.index) == y).mean()


Q2_WRONG = [
    wrong(lambda m, X, y: 100 * acc_right(m, X, y), "a percentage",
          mistake="percentage-share-between"),
    wrong(lambda m, X, y: 1 - acc_right(m, X, y), "the error rate", mistake="error-rate-accuracy"),
    wrong(lambda m, X, y: float(y.value_counts(normalize=True).max()),
          "the share of the most common label", mistake="share-common-label"),
    wrong(lambda m, X, y: acc_right(m.fit(X, y), X, y), "refitted on the rows",
          mistake="accuracy-model-refitted"),
    wrong(lambda m, X, y: float(np.sum(m.predict(X) == np.asarray(y))), "the number of right predictions",
          mistake="number-right-predictions"),
    wrong(lambda m, X, y: float(np.mean(m.predict(X) == np.asarray(y)[0])), "with the first label",
          mistake="comparison-every-prediction"),
    wrong(lambda m, X, y: round(acc_right(m, X, y), 2), "the accuracy rounded",
          mistake="accuracy-rounded-unrounded"),
    wrong(lambda m, X, y: accuracy_score(y, m.predict(X)), "sklearn.metrics.accuracy_score",
          mistake="forbidden-shortcut"),
    wrong(lambda m, X, y: m.score(X, y), "model.score calls it too", mistake="forbidden-shortcut"),
    wrong(lambda m, X, y: 0.71, "for every model and table", mistake="accuracy-model-table"),
    wrong(lambda m, X, y: y.reset_index(drop=True, inplace=True) or 0.5,
          "changed its input `y` in place", mistake="changed-input"),
    wrong(lambda m, X, y: float(np.mean(m.predict(X) == 1)), "the model is right on", generic=True,
          mistake="model-right-rows"),
]


def test_q2_catalog():
    run_catalog("00", ex.q2, Q2_WRONG, [acc_right, acc_loop, acc_series,
                                         solution(ex.q2, "accuracy", np=np)])


def test_q2_cases_separate_the_slips():
    cases = ex._q2_cases()
    labels = [set(map(str, y)) for _, _, y in cases]
    assert {"0", "1"} in labels and {"healthy", "ill"} in labels
    for model, X, y in cases:
        right = acc_right(model, X, y)
        assert 0.5 < right < 1 and right != float(y.value_counts(normalize=True).max())
        assert not X.index.equals(pd.RangeIndex(len(X)))


# ------------------------------------------------------------------------------ q3
def coalition_value(f, x, background, coalition):
    rows = np.array(background, dtype=float)
    rows[:, coalition] = x[coalition]
    return float(np.mean(f(rows)))


def coalition_where(f, x, background, coalition):  # written differently: np.where on a mask
    mask = np.zeros(len(x), bool)
    mask[coalition] = True
    return np.mean(f(np.where(mask, x, background)))


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


def x_in_place(f, x, background, coalition):
    x[:] = x + 0  # harmless
    x[0] = 0.0
    return coalition_value(f, x, background, coalition)


Q3_WRONG = [
    wrong(in_place, "changed its input `background` in place", mistake="changed-input"),
    wrong(x_in_place, "changed its input `x` in place", mistake="changed-input"),
    wrong(mean_row, "you average the rows, then predict", mistake="average-rows-predict"),
    wrong(flipped, "it is the other way round", mistake="take-features-coalition"),
    wrong(lambda f, x, b, c: float(f(x[None])[0]), "returns f(x), whatever the coalition",
          mistake="whatever-coalition-features"),
    wrong(per_row, "one prediction per background row", mistake="prediction-per-background"),
    wrong(lambda f, x, b, c: float(np.mean(f(b))), "mean prediction of the background",
          mistake="mean-prediction-background"),
    wrong(lambda f, x, b, c: 0.5, "should be", generic=True, mistake="copy-background-set"),
    wrong(3, "should be a function", mistake="not-a-function"),
]


def test_q3_catalog():
    run_catalog("00", ex.q3, Q3_WRONG, [coalition_value, coalition_where,
                                         solution(ex.q3, "coalition_value", np=np)])


# ------------------------------------------------------------------------------ q4
def phi_right(model, patient, background):
    return model_game(lambda X: model.predict_proba(X)[:, 1], patient, background).attributions()


def phi_array(model, patient, background):  # written differently: a (1, M) array
    return phi_right(model, patient, background).values


def phi_dict(model, patient, background):  # written differently: a dict feature -> share
    return dict(zip(background.columns, phi_right(model, patient, background).values[0]))


def game_of(f):
    return lambda model, patient, background: model_game(
        lambda X: f(model, X), patient, background).attributions().values[0]


def redrawn(model, patient, background):
    return phi_right(model, patient, background.sample(8, random_state=0))


def patient_in_place(model, patient, background):
    patient.iloc[0] = 0.0
    return phi_right(model, patient, background)


def swapped_shares(model, patient, background):
    values = phi_right(model, patient, background).values[0].copy()
    values[[0, 1]] = values[[1, 0]]
    return values


Q4_WRONG = [
    wrong(game_of(lambda m, X: m.predict_proba(X)[:, 0]), "P(class 0)",
          mistake="shares-explain-probability"),
    wrong(game_of(lambda m, X: m.predict(X).astype(float)), "the hard label",
          mistake="explain-hard-label"),
    wrong(game_of(lambda m, X: np.log(np.clip(m.predict_proba(X)[:, 1], 1e-12, 1)
                                      / np.clip(m.predict_proba(X)[:, 0], 1e-12, 1))),
          "the log-odds", mistake="explain-log-odds"),
    wrong(redrawn, "you explained against other background rows", mistake="shares-add-minus"),
    wrong(lambda m, p, b: np.zeros(11), "one share per column of the `background`",
          mistake="shares-background-columns"),
    wrong(lambda m, p, b: np.zeros(len(b.columns)), "returns zeros", mistake="zeros-share-feature"),
    wrong(lambda m, p, b: p.to_numpy(), "the patient's feature values",
          mistake="patient-feature-values"),
    wrong(patient_in_place, "changed its input `patient` in place", mistake="changed-input"),
    wrong(lambda m, p, b: phi_right(m, p, b.drop(b.index[:3], inplace=True) or b),
          "changed its input `background` in place", mistake="changed-input"),
    wrong(swapped_shares, "the shares add up, but", generic=True, mistake="shares-add-model"),
    wrong(lambda m, p, b: "age", "should be an array", mistake="not-an-array"),
]


def test_q4_catalog():
    run_catalog("00", ex.q4, Q4_WRONG, [phi_right, phi_array, phi_dict,
                                         solution(ex.q4, "shapley_values", model_game=model_game)])


# ------------------------------------------------------------------------------ all
def test_stubs_are_not_attempted():
    for question in ex.QUESTIONS[:4]:
        not_attempted(question, stub)
    with pytest.raises(Exception):
        stub()


def test_catalogs_are_large_enough():
    for wrongs in (Q1_WRONG, Q2_WRONG, Q3_WRONG, Q4_WRONG):
        assert len(wrongs) >= 8
    specific = [not generic for wrongs in (Q1_WRONG, Q2_WRONG, Q3_WRONG, Q4_WRONG)
                for _, _, generic, *_ in wrongs]
    assert sum(specific) / len(specific) >= 0.9


def test_impossible_pressure_is_the_course_rule():
    table = pd.DataFrame({"ap_hi": [120, 12, 80, 250, 70], "ap_lo": [80, 80, 120, 160, 70]})
    assert ex.impossible_pressure(table).tolist() == [False, True, True, False, True]


def test_messages_print_plain_numbers():
    message = fails(ex.q2, lambda m, X, y: np.float64(3.5), match="between 0 and 1",
                    mistake="accuracy-share-between")
    assert "np.float64" not in message
