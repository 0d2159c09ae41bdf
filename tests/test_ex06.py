"""Checks of exercise notebook 06 (cardio): right answers pass, typical wrong answers get the right message."""
import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.tree import DecisionTreeClassifier

from course_lib.cardio_twin import make_cardio_twin
from course_lib.counterfactual import counterfactual, ordered
from course_lib.exercises import NotAttempted
from course_lib.exercises import ex06_cardio as ex
from course_lib.shapley import model_shapley
from exercise_helpers import fails, never_crashes, passes, stub


# --------------------------------------------------------------------- q1: impossible rows
def count_impossible(table):
    bad = table["ap_lo"] >= table["ap_hi"]
    for column, (low, high) in ex.PLAUSIBLE.items():
        bad |= ~table[column].between(low, high)
    return int(bad.sum())


def test_q1():
    passes(ex.q1, count_impossible)

    def per_rule(table):
        total = int((table["ap_lo"] >= table["ap_hi"]).sum())
        return total + sum(int((~table[c].between(lo, hi)).sum()) for c, (lo, hi) in ex.PLAUSIBLE.items())

    def strict(table):
        bad = table["ap_lo"] >= table["ap_hi"]
        for column, (low, high) in ex.PLAUSIBLE.items():
            bad |= ~table[column].between(low, high, inclusive="neither")
        return int(bad.sum())

    def no_order(table):
        bad = table["ap_lo"] < -1e9
        for column, (low, high) in ex.PLAUSIBLE.items():
            bad |= ~table[column].between(low, high)
        return int(bad.sum())

    def greater_only(table):
        bad = table["ap_lo"] > table["ap_hi"]
        for column, (low, high) in ex.PLAUSIBLE.items():
            bad |= ~table[column].between(low, high)
        return int(bad.sum())

    fails(ex.q1, per_rule, match="counts once", mistake="row-breaks-rules")
    fails(ex.q1, strict, match="range ends are plausible", mistake="range-ends-plausible")
    fails(ex.q1, no_order, match="ap_lo >= ap_hi", mistake="diastolic-pressure-above")
    fails(ex.q1, greater_only, match="ap_lo >= ap_hi", mistake="diastolic-pressure-above")
    fails(ex.q1, lambda table: len(table) - count_impossible(table), match="pass every rule",
          mistake="counted-rows-rule")
    fails(ex.q1, lambda table: table["ap_lo"] >= table["ap_hi"], match="mask",
          mistake="count-impossible-value")

    def with_or(table):
        return int(((table.ap_lo >= table.ap_hi) or ~table.ap_hi.between(70, 250)).sum())

    fails(ex.q1, with_or, match="use | and &", mistake="python-cannot-combine")

    def shared_rule(table):
        from course_lib.cardio_rules import DIASTOLIC_RANGE, HEIGHT_RANGE, SYSTOLIC_RANGE, WEIGHT_RANGE
        good = (table.ap_hi.between(*SYSTOLIC_RANGE) & table.ap_lo.between(*DIASTOLIC_RANGE)
                & (table.ap_lo < table.ap_hi) & table.height.between(*HEIGHT_RANGE)
                & table.weight.between(*WEIGHT_RANGE))
        return len(table) - int(good.sum())

    passes(ex.q1, shared_rule)
    fails(ex.q1, lambda table: 3, match="expected", mistake="counted-rows-rule")
    fails(ex.q1, 12, match="should be a function", mistake="not-a-function")
    with pytest.raises(NotAttempted):
        ex.q1.check(stub)


# --------------------------------------------------------------------- q2: mean-target table
def target_rate_by_bin(x, y, edges):
    counts, _ = np.histogram(x, bins=edges)
    sick, _ = np.histogram(x, bins=edges, weights=y)
    return counts, sick / counts


def test_q2():
    passes(ex.q2, target_rate_by_bin)

    def with_pandas(x, y, edges):        # another right way
        frame = pd.DataFrame({"bin": pd.cut(x, edges, right=False), "y": y})
        last = x == edges[-1]
        frame.loc[last, "bin"] = frame["bin"].cat.categories[-1]
        grouped = frame.groupby("bin", observed=False)["y"]
        return grouped.size().to_numpy(), grouped.mean().to_numpy()

    passes(ex.q2, with_pandas)
    fails(ex.q2, lambda x, y, e: (target_rate_by_bin(x, y, e)[0], np.histogram(x, e, weights=y)[0]),
          match="counts of sick patients", mistake="rates-counts-sick")
    fails(ex.q2, lambda x, y, e: (target_rate_by_bin(x, y, e)[0] / len(x), target_rate_by_bin(x, y, e)[1]),
          match="shares", mistake="counts-shares-number")

    def open_last(x, y, edges):
        inside = x < edges[-1]
        return target_rate_by_bin(x[inside], y[inside], edges)

    def right_closed(x, y, edges):
        frame = pd.DataFrame({"bin": pd.cut(x, edges), "y": y}).groupby("bin", observed=False)["y"]
        return frame.size().to_numpy(), frame.mean().to_numpy()

    fails(ex.q2, open_last, match="include its upper edge", mistake="last-bin-include")
    fails(ex.q2, right_closed, match="(low, high]", mistake="bins-low-high")
    fails(ex.q2, lambda x, y, e: target_rate_by_bin(x, y, e)[0], match="pair (counts, rates)",
          mistake="target-rate-bin")
    fails(ex.q2, lambda x, y, e: (np.ones(3), np.ones(3)), match="shape (5,)",
          mistake="wrong-shape")


# --------------------------------------------------------------------- q3: permutation by hand
def permutation_drop(model, X, y, column, seed):
    order = np.random.default_rng(seed).permutation(len(X))
    shuffled = X.copy()
    shuffled[column] = X[column].to_numpy()[order]
    return model.score(X, y) - model.score(shuffled, y)


def test_q3():
    passes(ex.q3, permutation_drop)
    fails(ex.q3, lambda *a: -permutation_drop(*a), match="sign is flipped",
          mistake="sign-flipped-importance")

    def shuffled_score(model, X, y, column, seed):
        return model.score(X, y) - permutation_drop(model, X, y, column, seed)

    def aligned(model, X, y, column, seed):
        order = np.random.default_rng(seed).permutation(len(X))
        shuffled = X.copy()
        shuffled[column] = X[column].iloc[order]          # pandas puts the values back in place
        return model.score(X, y) - model.score(shuffled, y)

    def whole_rows(model, X, y, column, seed):
        order = np.random.default_rng(seed).permutation(len(X))
        return model.score(X, y) - model.score(X.iloc[order], y)

    def in_place(model, X, y, column, seed):
        baseline = model.score(X, y)
        X[column] = X[column].to_numpy()[np.random.default_rng(seed).permutation(len(X))]
        return baseline - model.score(X, y)

    def legacy_rng(model, X, y, column, seed):
        order = np.random.RandomState(seed).permutation(len(X))
        shuffled = X.copy()
        shuffled[column] = X[column].to_numpy()[order]
        return model.score(X, y) - model.score(shuffled, y)

    fails(ex.q3, shuffled_score, match="score after shuffling", mistake="score-after-shuffling")
    fails(ex.q3, aligned, match="aligns on the index", mistake="drop-column-went")
    fails(ex.q3, whole_rows, match="whole rows", mistake="shuffled-whole-rows")
    fails(ex.q3, in_place, match="in place", mistake="changed-input")
    fails(ex.q3, legacy_rng, match="default_rng", mistake="order-np-random")

    def with_assign(model, X, y, column, seed):
        values = X[column].to_numpy()[np.random.default_rng(seed).permutation(len(X))]
        return model.score(X, y) - model.score(X.assign(**{column: values}), y)

    passes(ex.q3, with_assign)
    from course_lib.inspection import permutation_importance

    fails(ex.q3, lambda m, X, y, c, s: float(permutation_importance(m, X, y, seed=s).importances_mean[0]),
          match="write it yourself; `course_lib.inspection.permutation_importance`",
          mistake="forbidden-shortcut")


# --------------------------------------------------------------------- q4: one ICE curve
def ice_curve(model, X, row, feature, grid):
    copies = X.iloc[[row] * len(grid)].copy()
    copies[feature] = grid
    return model.predict_proba(copies)[:, 1]


def test_q4():
    passes(ex.q4, ice_curve)
    fails(ex.q4, lambda m, X, r, f, g: 1 - ice_curve(m, X, r, f, g), match="P(class 0)",
          mistake="curve-predict-proba")

    def pdp(model, X, row, feature, grid):
        out = []
        for value in grid:
            copies = X.copy()
            copies[feature] = value
            out.append(model.predict_proba(copies)[:, 1].mean())
        return np.array(out)

    def labels(model, X, row, feature, grid):
        copies = X.iloc[[row] * len(grid)].copy()
        copies[feature] = grid
        return model.predict(copies).astype(float)

    def in_place(model, X, row, feature, grid):
        X[feature] = X[feature].to_numpy() * 1.0 + 1
        return ice_curve(model, X, row, feature, grid)

    fails(ex.q4, pdp, match="partial dependence", mistake="partial-dependence-ice")
    fails(ex.q4, labels, match="only 0 and 1", mistake="curve-holds-predict")
    fails(ex.q4, in_place, match="in place", mistake="changed-input")
    fails(ex.q4, lambda m, X, r, f, g: ice_curve(m, X, r + 1, f, g), match="the curve should be",
          mistake="row-curve")

    def with_loc(model, X, row, feature, grid):
        copies = X.loc[[row] * len(grid)].copy()
        copies[feature] = grid
        return model.predict_proba(copies)[:, 1]

    fails(ex.q4, with_loc, match="use X.iloc[[row]], not X.loc", mistake="position-index-label")
    from course_lib.inspection import partial_dependence

    fails(ex.q4, lambda m, X, r, f, g: partial_dependence(m, X.iloc[[r]], f, grid=g, kind="individual").individual[0],
          match="write it yourself; `course_lib.inspection.partial_dependence`",
          mistake="forbidden-shortcut")

    def one_at_a_time(model, X, row, feature, grid):
        out = []
        for value in grid:
            patient = X.iloc[[row]].copy()
            patient[feature] = value
            out.append(float(model.predict_proba(patient)[0, 1]))
        return out

    passes(ex.q4, one_at_a_time)


# --------------------------------------------------------------------- q5: surrogate fidelity
def surrogate_fidelity(model, X_fit, X_eval, max_depth):
    tree = DecisionTreeClassifier(max_depth=max_depth, random_state=0).fit(X_fit, model.predict(X_fit))
    return np.mean(tree.predict(X_eval) == model.predict(X_eval))


def test_q5():
    passes(ex.q5, surrogate_fidelity)
    fails(ex.q5, lambda m, a, b, d: surrogate_fidelity(m, a, a, d), match="X_fit, the rows the tree",
          mistake="depth-agreement-fit")
    fails(ex.q5, lambda m, a, b, d: 1 - surrogate_fidelity(m, a, b, d), match="disagreements",
          mistake="depth-share-disagreements")
    fails(ex.q5, lambda m, a, b, d: surrogate_fidelity(m, a, b, None), match="ignores max_depth",
          mistake="depth-tree-ignores")
    fails(ex.q5, lambda m, a, b, d: 2.0, match="between 0 and 1", mistake="fidelity-share-rows")

    def on_labels(model, X_fit, X_eval, max_depth):   # a tree of the labels, not of the model
        labels = (X_fit["ap_hi"] > 0).astype(int)
        tree = DecisionTreeClassifier(max_depth=max_depth, random_state=0).fit(X_fit, labels)
        return np.mean(tree.predict(X_eval) == model.predict(X_eval))

    fails(ex.q5, on_labels, match="model.predict(X_fit)", mistake="depth-fidelity-fit")

    def agreement_count(model, X_fit, X_eval, max_depth):
        tree = DecisionTreeClassifier(random_state=0, max_depth=max_depth)
        tree.fit(X_fit, model.predict(X_fit))
        agree = np.count_nonzero(tree.predict(X_eval) == model.predict(X_eval))
        return agree / len(X_eval)

    passes(ex.q5, agreement_count)
    from course_lib.surrogate import global_surrogate

    fails(ex.q5, lambda m, a, b, d: global_surrogate(m, a, max_depth=d, seed=0).fidelity_on(m, b),
          match="write it yourself; `course_lib.surrogate.global_surrogate`",
          mistake="forbidden-shortcut")


# --------------------------------------------------------------------- q6: the worst points
def worst_points(proba, y, k):
    p_true = np.where(y == 1, proba, 1 - proba)
    order = np.argsort(p_true, kind="stable")
    return order[p_true[order] < 0.5][:k]


def test_q6():
    passes(ex.q6, worst_points)

    def ties_other_way(proba, y, k):       # another valid order among equal probabilities
        p_true = np.where(y == 1, proba, 1 - proba)
        order = np.lexsort((-np.arange(len(y)), p_true))
        return order[p_true[order] < 0.5][:k]

    passes(ex.q6, ties_other_way)

    def best(proba, y, k):
        p_true = np.where(y == 1, proba, 1 - proba)
        return np.argsort(-p_true)[:k]

    def least_confident(proba, y, k):
        p_true = np.where(y == 1, proba, 1 - proba)
        order = np.argsort(-p_true)
        return order[p_true[order] < 0.5][:k]

    def unsorted(proba, y, k):
        return np.sort(worst_points(proba, y, k))

    fails(ex.q6, best, match="predicted right", mistake="position-predicted-right")
    fails(ex.q6, least_confident, match="put the most confident mistake first",
          mistake="put-confident-mistake")
    fails(ex.q6, unsorted, match="most confident mistake first", mistake="put-confident-mistake")
    fails(ex.q6, lambda p, y, k: worst_points(p, y, k + 1), match="should return",
          mistake="wrong-predictions-positions")
    fails(ex.q6, lambda p, y, k: np.where(y == 1, p, 1 - p)[worst_points(p, y, k)], match="positions",
          mistake="positions-probabilities-labels")

    def any_wrong(proba, y, k):
        p_true = np.where(y == 1, proba, 1 - proba)
        wrong = np.flatnonzero(p_true < 0.5)
        chosen = wrong[np.argsort(-p_true[wrong])][:k][::-1]   # wrong, sorted, but the mildest ones
        return chosen

    fails(ex.q6, any_wrong, match="not the most confident", mistake="wrong-predictions-confident")


# --------------------------------------------------------------------- q7 and q8: the notebook's own model
@pytest.fixture(scope="module")
def notebook():
    table = make_cardio_twin(n=2500, seed=3)
    X = table[ex.FEATURES].astype(float).assign(age=lambda t: t["age"] / 365.25)
    keep = X["ap_hi"].between(70, 250) & X["ap_lo"].between(40, 160) & (X["ap_lo"] < X["ap_hi"])
    X, y = X[keep], table["cardio"][keep]
    model = GradientBoostingClassifier(n_estimators=30, max_depth=3, random_state=0).fit(X, y)
    risk = model.predict_proba(X)[:, 1]
    patient = X.iloc[[int(np.flatnonzero((risk > 0.7) & (X["ap_hi"] >= 140))[0])]]
    proba_true = np.where(y == 1, risk, 1 - risk)
    labels = y.to_numpy()
    worst = np.concatenate([np.flatnonzero(labels == label)[np.argsort(proba_true[labels == label])[:4]]
                            for label in (0, 1)])          # the four worst of each label
    return {"X": X, "y": y, "model": model, "patient": patient, "worst_rows": X.iloc[worst],
            "worst_labels": y.iloc[worst].to_numpy(), "background": X.sample(12, random_state=0)}


def test_q7(notebook):
    model, patient = notebook["model"], notebook["patient"]
    grid = {"ap_hi": np.arange(90, 181, 5), "ap_lo": np.arange(60, 111, 5), "weight": np.arange(45, 131),
            "active": [0, 1]}
    result = counterfactual(model, patient, grid, constraints=[ordered("ap_lo", "ap_hi", gap=10)])
    assert result.found
    passes(ex.q7, result.new_row(), model, patient)
    passes(ex.q7, result.new_row().iloc[0].to_dict(), model, patient)       # a dict is fine too
    younger = result.new_row().assign(age=30.0)
    fails(ex.q7, younger, model, patient, match="cannot act on", mistake="changed-patient-cannot")
    fails(ex.q7, patient.copy(), model, patient, match="unchanged",
          mistake="counterfactual-patient-patient")
    fails(ex.q7, patient.assign(ap_hi=60.0, ap_lo=40.0), model, patient, match="realistic range",
          mistake="outside-realistic-range")
    fails(ex.q7, patient.assign(ap_hi=100.0, ap_lo=95.0), model, patient, match="more than 10 mm Hg below",
          mistake="ap-hi-ap")
    fails(ex.q7, patient.assign(weight=patient["weight"] + 1), model, patient, match="still predicts",
          mistake="model-predicts-patient")
    fails(ex.q7, patient.drop(columns="height"), model, patient, match="lacks the features",
          mistake="lacks-features-keep")
    fails(ex.q7, result.new_row(), "model", patient, match="fitted model",
          mistake="fitted-model-setup")


def loss_values_for(nb, explain="loss"):
    model, rows, labels, background = nb["model"], nb["worst_rows"], nb["worst_labels"], nb["background"]
    values = pd.DataFrame(0.0, index=rows.index, columns=ex.FEATURES)
    for label in np.unique(labels):
        mine = rows[labels == label]
        if explain == "loss":
            f = lambda X, label=label: -np.log(model.predict_proba(X)[:, label])
        elif explain == "prediction":
            f = lambda X: model.predict_proba(X)[:, 1]
        else:
            f = lambda X: -np.log(model.predict_proba(X)[:, 1])
        values.loc[mine.index] = model_shapley(f, mine, background).values
    return values


def test_q8(notebook):
    setup = [notebook[k] for k in ("model", "worst_rows", "worst_labels", "background")]
    values = loss_values_for(notebook)
    assert set(notebook["worst_labels"]) == {0, 1}
    means = values.mean()
    passes(ex.q8, values, means.idxmax(), *setup)
    fails(ex.q8, values, means.idxmin(), *setup, match="smallest mean contribution",
          mistake="smallest-mean-contribution")
    others = [f for f in ex.FEATURES if f not in (means.idxmax(), means.idxmin(), values.abs().mean().idxmax())]
    fails(ex.q8, values, others[0], *setup, match="another feature adds more",
          mistake="adds-average-another")
    fails(ex.q8, values, "bmi", *setup, match="not a feature", mistake="feature-pick")
    fails(ex.q8, loss_values_for(notebook, "prediction"), means.idxmax(), *setup, match="explain the loss",
          mistake="explain-prediction-explain")
    fails(ex.q8, loss_values_for(notebook, "one class"), means.idxmax(), *setup, match="label 0",
          mistake="log-patient-patient")
    fails(ex.q8, values.iloc[:3], means.idxmax(), *setup, match="one row per patient",
          mistake="shape-row-per")
    fails(ex.q8, values.to_numpy(), means.idxmax(), *setup, match="should be a DataFrame",
          mistake="dataframe-row-per")
    fails(ex.q8, values.reset_index(drop=True), means.idxmax(), *setup, match="reset_index",
          mistake="index-keep-patients")
    fails(ex.q8, values.iloc[::-1], means.idxmax(), *setup, match="in the same order",
          mistake="index-worst-rows")
    passes(ex.q8, values.astype("float64"), str(values.mean().idxmax()), *setup)


def test_no_question_crashes_on_odd_answers(notebook):
    odd = [None, "text", 3, np.nan, [1, 2], np.zeros((2, 2)), lambda *a: None, lambda *a: (1, 2),
           pd.DataFrame({"a": [1]}), notebook["patient"]]
    for question in ex.QUESTIONS:
        never_crashes(question, odd)


# --------------------------------------------------------------------- fresh inputs, left alone
def test_q1_to_q4_refuse_inputs_changed_in_place():
    def flags_rows(table):                      # keeps its mask as a new column of the caller's table
        table["impossible"] = table["ap_lo"] >= table["ap_hi"]
        for column, (low, high) in ex.PLAUSIBLE.items():
            table["impossible"] |= ~table[column].between(low, high)
        return int(table["impossible"].sum())

    fails(ex.q1, flags_rows, match="changed its input `table` in place", mistake="changed-input")

    def sorts_x(x, y, edges):
        x.sort()
        return target_rate_by_bin(x, y, edges)

    fails(ex.q2, sorts_x, match="x = x.copy()", mistake="changed-input")

    def shuffles_in_place(model, X, y, column, seed):
        baseline = model.score(X, y)
        X[column] = X[column].to_numpy()[np.random.default_rng(seed).permutation(len(X))]
        return baseline - model.score(X, y)

    fails(ex.q3, shuffles_in_place, match="X = X.copy()", mistake="changed-input")

    def sets_the_row(model, X, row, feature, grid):
        out = []
        for value in grid:
            X.iloc[row, X.columns.get_loc(feature)] = value
            out.append(model.predict_proba(X.iloc[[row]])[0, 1])
        return np.array(out)

    fails(ex.q4, sets_the_row, match="changed its input `X` in place", mistake="changed-input")


def test_q2_edges_as_a_list():
    """The check's second input set passes the edges as a list, as the notebook does, with whole-
    number readings and a last bin holding values on its upper edge."""
    def array_edges_only(x, y, edges):
        k = edges.size - 1
        counts = np.array([((x >= edges[j]) & ((x < edges[j + 1]) | (j == k - 1) & (x == edges[j + 1]))).sum()
                           for j in range(k)])
        sick = np.histogram(x, bins=edges, weights=y)[0]
        return counts, sick / counts

    fails(ex.q2, array_edges_only, match="with edges given as a list", mistake="edges-given-list")

    def by_digitize(x, y, edges):               # another right way
        edges = np.asarray(edges, dtype=float)
        k = len(edges) - 1
        index = np.minimum(np.digitize(x, edges) - 1, k - 1 + (x > edges[-1]))
        inside = (x >= edges[0]) & (x <= edges[-1])
        counts = np.bincount(index[inside], minlength=k)
        return counts, np.bincount(index[inside], weights=y[inside], minlength=k) / counts

    passes(ex.q2, by_digitize)
