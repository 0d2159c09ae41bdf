"""Anchors: KL bounds, the beam search on cases with a known answer, and anchor-exp."""
import numpy as np
import pytest
from sklearn.ensemble import RandomForestClassifier

from course_lib.anchors import anchor, anchor_text, kl_bernoulli, kl_bounds


def test_kl_bounds_solve_the_kl_equation():
    for mean, level in [(0.9, 0.05), (0.5, 0.2), (0.97, 0.01)]:
        low, high = kl_bounds(mean, level)
        assert low < mean < high
        assert kl_bernoulli(mean, low) == pytest.approx(level, rel=1e-3)
        assert kl_bernoulli(mean, high) == pytest.approx(level, rel=1e-3)
    assert kl_bounds(0.8, 1e-4)[1] - kl_bounds(0.8, 1e-4)[0] < kl_bounds(0.8, 1e-2)[1] - kl_bounds(0.8, 1e-2)[0]


def _data(n=2000, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 4))


def test_one_feature_model_gets_the_one_predicate_with_exact_coverage():
    X = _data()

    def predict(rows):
        return (rows[:, 2] > 0.6).astype(int)

    x = np.array([0.0, 0.0, 1.5, 0.0])          # top quartile of feature 2 (q3 ~ 0.69): predict 1
    result = anchor(predict, x, X, seed=0)
    assert result.found and result.features == (2,)
    q3 = np.percentile(X[:, 2], 75)
    assert result.rule == [f"x2 > {q3:.2f}"]          # the top quartile: one half-line
    assert result.precision == 1.0               # every sample in the top quartile is > 0.7
    assert result.coverage == pytest.approx(np.mean(X[:, 2] > q3))


def test_conjunction_needs_both_predicates():
    X = _data(seed=1)

    def predict(rows):
        return ((rows[:, 0] > 0.6) & (rows[:, 3] > 0.6)).astype(int)

    x = np.array([1.5, 0.0, 0.0, 1.5])
    result = anchor(predict, x, X, seed=3)
    assert set(result.features) == {0, 3}
    assert result.precision >= 0.95


def test_constant_model_has_the_empty_anchor_and_same_seed_same_anchor():
    X = _data(500)
    result = anchor(lambda r: np.zeros(len(r), int), X[0], X)
    assert result.rule == [] and result.coverage == 1.0
    model = RandomForestClassifier(30, random_state=0).fit(X, X[:, 0] + X[:, 1] > 0)
    a, b = anchor(model.predict, X[1], X, seed=5), anchor(model.predict, X[1], X, seed=5)
    assert a == b


def test_checks():
    X = _data(100)
    with pytest.raises(ValueError, match="threshold"):
        anchor(lambda r: r[:, 0] > 0, X[0], X, threshold=1.5)
    with pytest.raises(ValueError, match="one per column"):
        anchor(lambda r: r[:, 0] > 0, X[0, :3], X)
    with pytest.raises(ValueError, match="non-empty"):
        anchor_text(lambda t: np.zeros(len(t)), "   ")


def test_text_anchor_is_the_deciding_word():
    def predict(texts):
        return np.array([int("terrible" in t.split()) for t in texts])

    result = anchor_text(predict, "the food was terrible and the service slow", seed=0)
    assert result.rule == ["terrible"] and result.precision == 1.0
    assert result.coverage == 0.5


def test_text_anchor_needs_both_words_of_an_and():
    def predict(texts):
        return np.array([int("not" in t.split() and "good" in t.split()) for t in texts])

    result = anchor_text(predict, "this is not good at all", seed=1)
    assert sorted(result.rule) == ["good", "not"] and result.coverage == 0.25


# ----------------------------------------------------------------------------- anchor-exp
def _reference(predict, x, X, names, seed):
    anchor_tabular = pytest.importorskip("anchor.anchor_tabular")
    np.random.seed(seed)
    explainer = anchor_tabular.AnchorTabularExplainer(["0", "1"], names, X)
    return explainer.explain_instance(x, predict, threshold=0.95)


def test_same_rule_as_anchor_exp_on_a_seeded_case():
    X = _data(seed=2)
    names = ["a", "b", "c", "d"]

    def predict(rows):
        return (rows[:, 1] < -0.5).astype(int)

    x = np.array([0.3, -1.6, 0.2, 0.1])
    theirs = _reference(predict, x, X, names, seed=0)
    ours = anchor(predict, x, X, feature_names=names, seed=0)
    assert ours.rule == theirs.names()
    assert ours.coverage == pytest.approx(theirs.coverage(), abs=0.03)   # theirs: 10k samples
    assert ours.precision == theirs.precision() == 1.0


def test_precision_and_coverage_within_bounds_of_anchor_exp_on_a_forest():
    """A forest on a two-feature signal: the anchors may differ in their predicates, but both
    must be precise (a fresh estimate >= 0.95 - 0.05 - 3 standard errors, anchor-exp's own
    tolerance epsilon_stop = 0.05) and cover a comparable share of the data."""
    X = _data(seed=4)
    names = ["a", "b", "c", "d"]
    model = RandomForestClassifier(50, random_state=0).fit(X, X[:, 0] + X[:, 2] > 0.5)
    x = np.array([1.4, 0.0, 1.2, 0.0])
    theirs = _reference(model.predict, x, X, names, seed=1)
    ours = anchor(model.predict, x, X, feature_names=names, seed=1)
    assert {r.split(" ")[0] if " < " not in r else r.split(" ")[2] for r in ours.rule} <= {"a", "c"}
    bound = 0.95 - 0.05 - 3 * np.sqrt(0.05 * 0.95 / 500)
    for result in (ours,):
        assert result.precision >= bound
    assert theirs.precision() >= bound
    assert abs(ours.coverage - theirs.coverage()) < 0.15


def test_cardio_forest_beside_anchor_exp():
    """A forest on the cardio twin, every feature cut at its quartiles in both: the two searches
    agree on the deciding predicate (systolic pressure above its median), both rules are
    precise within anchor-exp's tolerance (0.95 - epsilon_stop), and ours covers at least as
    many patients (beam search with LUCB over the same predicates)."""
    from course_lib.data import load_cardio
    table = load_cardio(source="synthetic", n=5000, seed=0, verbose=False)
    X = table.drop(columns=["id", "cardio"]).astype(float)
    names, X = list(X.columns), X.to_numpy()
    model = RandomForestClassifier(50, max_depth=6, random_state=0).fit(X, table["cardio"])
    x = X[int(np.flatnonzero(model.predict(X) == 1)[0])]
    theirs = _reference(model.predict, x, X, names, seed=0)
    ours = anchor(model.predict, x, X, feature_names=names, seed=0, max_categories=0)
    assert "ap_hi > 120.00" in ours.rule and "ap_hi > 120.00" in theirs.names()
    assert min(ours.precision, theirs.precision()) >= 0.90
    assert ours.coverage >= theirs.coverage() - 0.05
