"""course_lib.inspection, .surrogate and .counterfactual: agreement with scikit-learn, properties, errors."""
import inspect
import itertools

import matplotlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier, RandomForestRegressor
from sklearn.exceptions import NotFittedError
from sklearn.inspection import partial_dependence as sk_partial_dependence
from sklearn.inspection import permutation_importance as sk_permutation_importance
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier

from course_lib import inspection
from course_lib.counterfactual import counterfactual, ordered, satisfies
from course_lib.inspection import (best_worst_points, mean_target, partial_dependence, pdp_grid,
                                   permutation_importance)
from course_lib.surrogate import error_tree, fidelity, global_surrogate, leaf_rules

matplotlib.use("Agg")
TOL = 1e-12


# ----------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def binary():
    X, y = make_classification(n_samples=400, n_features=5, n_informative=3, random_state=0)
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(5)])
    frame["f4"] = np.round(frame["f4"] * 2) / 2          # few distinct values: the unique-value grid
    return frame, y


@pytest.fixture(scope="module")
def forest(binary):
    X, y = binary
    return RandomForestClassifier(n_estimators=20, max_depth=5, random_state=0).fit(X, y)


@pytest.fixture(scope="module")
def boosting(binary):
    X, y = binary
    return GradientBoostingClassifier(n_estimators=30, random_state=0).fit(X, y)


@pytest.fixture(scope="module")
def regression():
    X, y = make_regression(n_samples=300, n_features=4, noise=5.0, random_state=1)
    return X, y, RandomForestRegressor(n_estimators=15, max_depth=4, random_state=0).fit(X, y)


# ----------------------------------------------------------------------------------- permutation importance
@pytest.mark.parametrize("scoring", [None, "roc_auc", "neg_log_loss", "balanced_accuracy"])
@pytest.mark.parametrize("random_state", [0, 7])
def test_permutation_importance_equals_sklearn_classifier(forest, binary, scoring, random_state):
    X, y = binary
    ours = permutation_importance(forest, X, y, scoring=scoring, n_repeats=4, seed=random_state)
    theirs = sk_permutation_importance(forest, X, y, scoring=scoring, n_repeats=4, random_state=random_state)
    assert ours.importances.shape == (5, 4)
    assert np.abs(ours.importances - theirs.importances).max() <= TOL
    assert np.abs(ours.importances_mean - theirs.importances_mean).max() <= TOL
    assert np.abs(ours.importances_std - theirs.importances_std).max() <= TOL
    assert ours.feature_names == list(X.columns)


def test_permutation_importance_equals_sklearn_regressor_arrays_and_states(regression):
    X, y, model = regression
    for make_state in (lambda: 3, lambda: np.random.RandomState(3)):
        ours = permutation_importance(model, X, y, n_repeats=3, seed=make_state())
        theirs = sk_permutation_importance(model, X, y, n_repeats=3, random_state=make_state())
        assert np.abs(ours.importances - theirs.importances).max() <= TOL
    np.random.seed(11)
    ours = permutation_importance(model, X, y, n_repeats=2)          # None: the global RNG
    np.random.seed(11)
    theirs = sk_permutation_importance(model, X, y, n_repeats=2)
    assert np.abs(ours.importances - theirs.importances).max() <= TOL
    linear = LinearRegression().fit(X, y)
    scorer = lambda est, A, b: -np.mean(np.abs(est.predict(A) - b))
    ours = permutation_importance(linear, X, y, scoring=scorer, n_repeats=3, seed=1)
    theirs = sk_permutation_importance(linear, X, y, scoring=scorer, n_repeats=3, random_state=1)
    assert np.abs(ours.importances - theirs.importances).max() <= TOL


def test_permutation_importance_keeps_dataframe_dtypes():
    """A pipeline that picks columns by dtype at predict time sees the same table as in scikit-learn."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    rng = np.random.RandomState(0)
    X = pd.DataFrame({"level": rng.randint(1, 4, 300), "x": rng.normal(size=300), "z": rng.normal(size=300)})
    y = ((X["level"] == 3) ^ (rng.uniform(size=300) < 0.2)).astype(int)
    integers_only = FunctionTransformer(lambda table: table.select_dtypes("int64"))
    model = make_pipeline(integers_only, LogisticRegression()).fit(X, y)
    ours = permutation_importance(model, X, y, n_repeats=3, seed=0)
    theirs = sk_permutation_importance(model, X, y, n_repeats=3, random_state=0)
    assert np.abs(ours.importances - theirs.importances).max() <= TOL
    assert ours.importances[0].mean() > 0 and np.all(ours.importances[1:] == 0)
    pdp = partial_dependence(model, X, "x", kind="both", grid_resolution=10)
    reference = sk_partial_dependence(model, X, ["x"], kind="both", method="brute", grid_resolution=10)
    assert np.abs(pdp.individual - reference["individual"][0]).max() <= TOL


def test_permutation_importance_properties(forest, binary):
    X, y = binary
    result = permutation_importance(forest, X, y, n_repeats=3, seed=0)
    assert result.baseline_score == pytest.approx(forest.score(X, y))
    table = result.to_frame()
    assert list(table.columns[:2]) == ["mean", "std"]
    assert table["mean"].is_monotonic_decreasing
    # a column the model never uses has importance exactly 0
    stump = DecisionTreeClassifier(max_depth=1, random_state=0).fit(X, y)
    used = stump.tree_.feature[0]
    zero = permutation_importance(stump, X, y, n_repeats=3, seed=0).importances
    assert np.all(zero[np.arange(5) != used] == 0)
    assert zero[used].mean() > 0


# ----------------------------------------------------------------------------------- partial dependence
@pytest.mark.parametrize("feature", ["f0", "f4", 2])
@pytest.mark.parametrize("kind", ["average", "individual", "both"])
def test_partial_dependence_equals_sklearn_brute(forest, binary, feature, kind):
    X, _ = binary
    ours = partial_dependence(forest, X, feature, kind=kind, grid_resolution=30)
    theirs = sk_partial_dependence(forest, X, [feature], kind=kind, method="brute", grid_resolution=30)
    assert np.array_equal(ours.grid, theirs["grid_values"][0])
    if kind in ("average", "both"):
        assert np.abs(ours.average - theirs["average"][0]).max() <= TOL
    if kind in ("individual", "both"):
        assert np.abs(ours.individual - theirs["individual"][0]).max() <= TOL
    else:
        assert ours.individual is None


def test_partial_dependence_uses_mquantiles_not_percentile(binary):
    column = binary[0]["f1"].to_numpy()
    grid = pdp_grid(column, grid_resolution=50)
    assert grid[0] != np.percentile(column, 5)            # the difference this test guards
    X = binary[0]
    theirs = sk_partial_dependence(LogisticRegression().fit(X, binary[1]), X, ["f1"], method="brute",
                                   grid_resolution=50, percentiles=(0.1, 0.8))
    assert np.array_equal(pdp_grid(column, 50, (0.1, 0.8)), theirs["grid_values"][0])


def test_partial_dependence_regressor_decision_function_multiclass_and_custom_grid(regression, boosting, binary):
    X, y, model = regression
    ours = partial_dependence(model, X, 1, kind="both", grid_resolution=25)
    theirs = sk_partial_dependence(model, X, [1], kind="both", method="brute", grid_resolution=25)
    assert np.abs(ours.average - theirs["average"][0]).max() <= TOL
    assert np.abs(ours.individual - theirs["individual"][0]).max() <= TOL
    assert ours.output == "prediction"

    Xb, yb = binary
    logit = partial_dependence(boosting, Xb, "f0", response_method="decision_function", grid_resolution=20)
    theirs = sk_partial_dependence(boosting, Xb, ["f0"], response_method="decision_function",
                                   method="brute", grid_resolution=20)
    assert np.abs(logit.average - theirs["average"][0]).max() <= TOL
    svm = LinearSVC(random_state=0).fit(Xb, yb)         # no predict_proba: decision_function
    theirs = sk_partial_dependence(svm, Xb, ["f2"], method="brute", grid_resolution=20)
    assert np.abs(partial_dependence(svm, Xb, "f2", grid_resolution=20).average
                  - theirs["average"][0]).max() <= TOL

    Xm, ym = make_classification(n_samples=300, n_features=4, n_informative=3, n_redundant=0,
                                 n_classes=3, random_state=2)
    multi = RandomForestClassifier(n_estimators=10, random_state=0).fit(Xm, ym)
    theirs = sk_partial_dependence(multi, Xm, [0], kind="both", method="brute", grid_resolution=15)
    for k in range(3):
        ours = partial_dependence(multi, Xm, 0, kind="both", grid_resolution=15, target=k)
        assert np.abs(ours.average - theirs["average"][k]).max() <= TOL
        assert np.abs(ours.individual - theirs["individual"][k]).max() <= TOL

    custom = [-1.0, 0.0, 0.5, 2.0]
    ours = partial_dependence(boosting, Xb, "f3", grid=custom, kind="individual")
    if "custom_values" in inspect.signature(sk_partial_dependence).parameters:  # scikit-learn 1.7+
        theirs = sk_partial_dependence(boosting, Xb, ["f3"], custom_values={"f3": custom},
                                       kind="individual", method="brute")["individual"][0]
    else:  # older scikit-learn (Colab's 1.6): the definition itself, one column set at a time
        theirs = np.column_stack([boosting.predict_proba(Xb.assign(f3=value))[:, 1] for value in custom])
    assert np.abs(ours.individual - theirs).max() <= TOL
    assert np.allclose(ours.centered()[:, 0], 0)


def test_partial_dependence_blocks_do_not_change_the_answer(boosting, binary, monkeypatch):
    X, _ = binary
    whole = partial_dependence(boosting, X, "f1", kind="both", grid_resolution=12)
    monkeypatch.setattr(inspection, "BLOCK_ELEMENTS", 7)          # one grid value per call
    split = partial_dependence(boosting, X, "f1", kind="both", grid_resolution=12)
    assert np.array_equal(whole.individual, split.individual)


# ----------------------------------------------------------------------------------- mean target
@settings(max_examples=25, deadline=None)
@given(n=st.integers(5, 80), bins=st.integers(1, 12), distinct=st.integers(1, 30), seed=st.integers(0, 10_000))
def test_mean_target_agrees_with_groupby(n, bins, distinct, seed):
    rng = np.random.RandomState(seed)
    x = rng.randint(0, distinct, n) * 1.5
    y = rng.randint(0, 2, n)
    result = mean_target(x[:, None], y, 0, bins=bins)
    assert result.count.sum() == n and np.all(result.count > 0)
    assert np.all(result.low[1:] > result.low[:-1])
    # recompute with pandas from the returned edges
    k = np.searchsorted(result.high[:-1], x, side="right")
    frame = pd.DataFrame({"k": k, "x": x, "y": y}).groupby("k")
    assert np.allclose(frame["y"].mean().to_numpy(), result.target_mean)
    assert np.array_equal(frame.size().to_numpy(), result.count)
    assert np.all((result.feature_mean >= result.low) & (result.feature_mean <= result.high))
    if len(np.unique(x)) <= bins:
        assert result.one_value and np.array_equal(result.low, np.unique(x))


def test_mean_target_with_edges(binary):
    X, y = binary
    edges = [-1.0, 0.0, 1.0]
    result = mean_target(X, y, "f0", bins=edges)
    x = X["f0"].to_numpy()
    inside = (x >= -1) & (x <= 1)
    assert result.count.sum() == inside.sum()
    assert result.target_mean[1] == pytest.approx(y[(x >= 0) & (x <= 1)].mean())   # last bin closed
    assert set(result.to_frame().columns) == {"low", "high", "count", "target_mean", "feature_mean"}


# ----------------------------------------------------------------------------------- best and worst
def test_best_worst_points_properties(forest, binary):
    X, y = binary
    result = best_worst_points(forest, X, y, n=7)
    proba = forest.predict_proba(X)
    assert np.allclose(result.proba_true, proba[np.arange(len(y)), y])
    assert np.all(result.correct[result.best]) and not np.any(result.correct[result.worst])
    assert np.all(np.diff(result.proba_true[result.best]) <= 0)
    assert np.all(np.diff(result.proba_true[result.worst]) >= 0)
    wrong = np.sort(result.proba_true[~result.correct])
    assert np.allclose(result.proba_true[result.worst], wrong[:len(result.worst)])
    right = np.sort(result.proba_true[result.correct])[::-1]
    assert np.allclose(result.proba_true[result.best], right[:7])


# ----------------------------------------------------------------------------------- surrogate and error tree
def test_global_surrogate_fidelity_is_what_it_claims(boosting, binary):
    X, y = binary
    for depth in (1, 2, 3):
        surrogate = global_surrogate(boosting, X, max_depth=depth)
        assert surrogate.tree.get_depth() <= depth
        agree = surrogate.tree.predict(X.to_numpy()) == boosting.predict(X)
        assert surrogate.fidelity == pytest.approx(agree.mean())
        assert fidelity(boosting, surrogate.tree, X) == pytest.approx(agree.mean())
        rules = surrogate.rules(boosting, X)
        assert sum(rule.n for rule in rules) == len(X)
        assert sum(rule.coverage for rule in rules) == pytest.approx(1.0)
        assert sum(rule.rate * rule.n for rule in rules) == pytest.approx(agree.sum())
    deeper = [global_surrogate(boosting, X, max_depth=d).fidelity for d in (1, 3, 6)]
    assert deeper[0] <= deeper[1] <= deeper[2]


def test_global_surrogate_regressor_uses_r2(regression):
    X, y, model = regression
    surrogate = global_surrogate(model, X, max_depth=3)
    prediction = model.predict(X)
    r2 = 1 - np.sum((prediction - surrogate.tree.predict(X)) ** 2) / np.sum((prediction - prediction.mean()) ** 2)
    assert surrogate.fidelity == pytest.approx(r2)


def test_leaf_rules_describe_the_leaves(binary):
    X, y = binary
    tree = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)
    rules = leaf_rules(tree, X, y)
    leaf_of_row = tree.apply(X)
    for rule in rules:
        rows = X[leaf_of_row == rule.leaf]
        assert len(rows) == rule.n
        assert rule.rate == pytest.approx(y[leaf_of_row == rule.leaf].mean())
        # every row of the leaf satisfies the rule's conditions (evaluated with pandas)
        query = rule.rule.replace(" and ", " & ")
        assert len(rows.query(query)) == rule.n


def test_error_tree(forest, binary):
    X, y = binary
    noisy = y.copy()
    noisy[:60] = 1 - noisy[:60]                  # label noise: the model will err there
    result = error_tree(forest, X, noisy, max_depth=2, min_samples_leaf=10)
    wrong = forest.predict(X) != noisy
    assert result.error_rate == pytest.approx(wrong.mean()) and result.n_errors == wrong.sum()
    assert sum(leaf.n for leaf in result.leaves) == len(X)
    assert [leaf.rate for leaf in result.leaves] == sorted((leaf.rate for leaf in result.leaves), reverse=True)
    table = result.to_frame()
    assert table["share_of_errors"].sum() == pytest.approx(1.0)


# ----------------------------------------------------------------------------------- counterfactuals
@pytest.fixture(scope="module")
def patients():
    rng = np.random.RandomState(0)
    n = 600
    table = pd.DataFrame({"age": rng.uniform(30, 65, n), "ap_hi": rng.choice(np.arange(90, 190, 10), n),
                          "weight": rng.uniform(50, 120, n), "active": rng.randint(0, 2, n)})
    table["ap_lo"] = table["ap_hi"] - rng.choice([30, 40, 50], n)
    logit = 0.06 * (table["age"] - 50) + 0.05 * (table["ap_hi"] - 130) + 0.02 * (table["weight"] - 80) - 0.5 * table["active"]
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(int)
    model = GradientBoostingClassifier(n_estimators=30, max_depth=2, random_state=0).fit(table, y)
    return table, model


GRID = {"ap_hi": np.arange(100, 181, 10), "ap_lo": np.arange(60, 111, 10), "weight": np.arange(50, 121, 10),
        "active": [0, 1]}


def _brute_force(model, x, grid, constraints, scale, max_changes, target):
    """Every combination with itertools: the cheapest valid flipping one (None if none)."""
    names = list(grid)
    best = None
    for combo in itertools.product(*[np.union1d(grid[n], [x[n]]) for n in names]):
        row = x.copy()
        row[names] = combo
        moved = sum(row[n] != x[n] for n in names)
        if moved == 0 or (max_changes and moved > max_changes):
            continue
        if not satisfies(row.to_numpy()[None], list(x.index), constraints)[0]:
            continue
        if model.predict(row.to_frame().T.astype(float))[0] != target:
            continue
        cost = sum(abs(row[n] - x[n]) / scale[n] for n in names)
        if best is None or cost < best[0] - 1e-12:
            best = (cost, row)
    return best


@settings(max_examples=6, deadline=None)
@given(index=st.integers(0, 599), max_changes=st.sampled_from([None, 1, 2]))
def test_counterfactual_properties(patients, index, max_changes):
    table, model = patients
    x = table.iloc[[index]]
    grid = {"ap_hi": GRID["ap_hi"], "weight": GRID["weight"], "active": GRID["active"]}
    constraints = [ordered("ap_lo", "ap_hi", gap=10)]
    result = counterfactual(model, x, grid, constraints=constraints, max_changes=max_changes)
    assert result.target != model.predict(x)[0]
    scale = {name: np.ptp(values) for name, values in grid.items()}
    expected = _brute_force(model, x.iloc[0], grid, constraints, scale, max_changes, result.target)
    assert result.found == (expected is not None)
    if not result.found:
        return
    new = result.new_row()
    assert model.predict(new)[0] == result.target != model.predict(x)[0]          # the prediction flips
    assert satisfies(new.to_numpy(), list(table.columns), constraints).all()      # constraints hold
    assert set(result.changes) <= set(grid)                                       # only actionable ones
    for name, (old, value) in result.changes.items():
        assert value in grid[name]                                               # realistic values
    if max_changes:
        assert len(result.changes) <= max_changes
    assert result.cost == pytest.approx(expected[0])                             # the cheapest on the grid


def test_counterfactual_respects_constraints_and_reports_failure(patients):
    table, model = patients
    risky = table.iloc[[int(np.argmax(model.predict_proba(table)[:, 1]))]]
    result = counterfactual(model, risky, GRID, constraints=[ordered("ap_lo", "ap_hi", gap=10)],
                            scale={"ap_hi": 15, "ap_lo": 10, "weight": 15, "active": 0.4})
    assert result.found and result.probability < 0.5 < result.probability_new
    new = result.new_row()
    assert (new["ap_hi"] - new["ap_lo"] > 10).all()
    nothing = counterfactual(model, risky, {"active": [0, 1]},
                             constraints=[lambda rows: rows["weight"] < 0])      # impossible constraint
    assert not nothing.found and nothing.changes == {} and nothing.n_valid == 0
    with pytest.raises(ValueError, match="no counterfactual"):
        nothing.new_row()
    series = counterfactual(model, risky.iloc[0], GRID, constraints=[ordered("ap_lo", "ap_hi")])
    assert series.found


# ----------------------------------------------------------------------------------- clear errors
def test_clear_errors(binary, forest):
    X, y = binary
    with pytest.raises(NotFittedError, match="not fitted yet"):
        permutation_importance(RandomForestClassifier(), X, y)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        partial_dependence(GradientBoostingClassifier(), X, "f0")
    with pytest.raises(NotFittedError, match="not fitted yet"):
        global_surrogate(LogisticRegression(), X)
    with pytest.raises(ValueError, match="unknown feature 'bmi'"):
        partial_dependence(forest, X, "bmi")
    with pytest.raises(ValueError, match="unknown feature"):
        mean_target(X, y, "bmi")
    with pytest.raises(ValueError, match="out of range"):
        partial_dependence(forest, X, 9)
    text = X.assign(f1=X["f1"].astype(str))
    with pytest.raises(TypeError, match=r"non-numeric columns \['f1'\]"):
        permutation_importance(forest, text, y)
    with pytest.raises(TypeError, match="non-numeric"):
        partial_dependence(forest, text, "f0")
    with pytest.raises(TypeError, match="not numbers"):
        mean_target(np.array([["a", "b"]]), [1], 0)
    with pytest.raises(ValueError, match="kind must be"):
        partial_dependence(forest, X, "f0", kind="mean")
    with pytest.raises(ValueError, match="2-D"):
        partial_dependence(forest, X["f0"].to_numpy(), 0)
    with pytest.raises(ValueError, match="y has 3 entries"):
        permutation_importance(forest, X, y[:3])
    with pytest.raises(ValueError, match="n_repeats must be an integer >= 1"):
        permutation_importance(forest, X, y, n_repeats=0)
    with pytest.raises(ValueError, match="infinite"):
        permutation_importance(forest, X.assign(f0=np.inf), y)
    with pytest.raises(TypeError, match="fitted estimator with predict"):
        permutation_importance("model", X, y)
    with pytest.raises(ValueError, match="pass target="):
        Xm, ym = make_classification(n_samples=60, n_features=4, n_informative=3, n_redundant=0,
                                     n_classes=3, random_state=0)
        partial_dependence(LogisticRegression().fit(Xm, ym), Xm, 0)
    with pytest.raises(ValueError, match="percentiles"):
        pdp_grid(X["f0"], 100, (0.9, 0.1))
    with pytest.raises(TypeError, match="predict_proba"):
        best_worst_points(LinearSVC().fit(X, y), X, y)


def test_counterfactual_errors(patients):
    table, model = patients
    x = table.iloc[[0]]
    with pytest.raises(ValueError, match="unknown feature 'bmi'"):
        counterfactual(model, x, {"bmi": [20, 25]})
    with pytest.raises(TypeError, match="grid must be a non-empty dict"):
        counterfactual(model, x, [100, 120])
    with pytest.raises(ValueError, match="one row"):
        counterfactual(model, table.iloc[:2], GRID)
    with pytest.raises(ValueError, match="combinations"):
        counterfactual(model, x, GRID, max_candidates=10)
    with pytest.raises(TypeError, match="constraints must be functions"):
        counterfactual(model, x, GRID, constraints=["ap_lo < ap_hi"])
    with pytest.raises(ValueError, match="scale must give a value"):
        counterfactual(model, x, GRID, scale={"ap_hi": 1.0})
    with pytest.raises(ValueError, match="already predicts"):
        counterfactual(model, x, GRID, target=model.predict(x)[0])
    with pytest.raises(NotFittedError):
        counterfactual(GradientBoostingClassifier(), x, GRID)


# ----------------------------------------------------------------------------------- lazy re-exports
def test_inspection_re_exports_the_neighbours():
    from course_lib.inspection import counterfactual as c, global_surrogate as g, error_tree as e

    assert c is counterfactual and g is global_surrogate and e is error_tree
    with pytest.raises(AttributeError):
        inspection.no_such_name


# ----------------------------------------------------------------------------------- plots and widget draw
def test_plots_and_widget_draw(boosting, binary):
    import matplotlib.pyplot as plt
    from course_lib.plots import inspection as plots
    from course_lib.widgets.inspection import surrogate_depth_panel

    X, y = binary
    plots.plot_mean_target_grid([mean_target(X, y, f) for f in X.columns], overall=y.mean())
    plots.plot_importances({"a": permutation_importance(boosting, X, y, n_repeats=2, seed=0)})
    pdps = [partial_dependence(boosting, X, f, kind="both", grid_resolution=10) for f in ("f0", "f4")]
    plots.plot_pdp_grid(pdps, X=X, centered=True)
    plt.figure()
    plots.plot_tree(global_surrogate(boosting, X).tree, X.columns)
    plt.figure()
    plots.plot_error_leaves(error_tree(boosting, X, 1 - y, min_samples_leaf=5))
    plt.figure()
    plots.plot_best_worst(best_worst_points(boosting, X, y))
    plt.figure()
    result = counterfactual(boosting, X.iloc[[0]], {"f0": np.linspace(-3, 3, 13), "f1": np.linspace(-3, 3, 13)})
    plots.plot_counterfactual(result, class_names={0: "no", 1: "yes"})
    truth = pd.DataFrame(np.random.RandomState(0).normal(size=(50, 2)), columns=["a", "b"])
    plots.plot_truth_scatter(truth, {"m": truth * 0.9}, ["a", "b"])
    plt.figure()
    plots.plot_fidelity_by_depth([1, 2], [0.8, 0.9], [0.7, 0.72], 0.73)
    panel = surrogate_depth_panel(boosting, X, X, y, depths=range(1, 6))
    panel.depth.value = 5
    panel.depth.value = 2
    assert set(panel.table) == {1, 2, 3, 4, 5}
    plt.close("all")
