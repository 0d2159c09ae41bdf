"""Trees that explain other models: a global surrogate, and a tree of where the model errs.

* :func:`global_surrogate`: a shallow decision tree fitted to the black box's *predictions*
  (Craven and Shavlik, "Extracting tree-structured representations of trained networks",
  NIPS 1995; Molnar, *Interpretable Machine Learning*, "Global surrogate"). It is only worth
  reading as far as its **fidelity**, the share of rows where it agrees with the black box.
* :func:`error_tree`: a shallow tree fitted to the indicator "the model got this row wrong",
  whose leaves show where the errors concentrate (the "identify" step of Microsoft's Responsible
  AI Toolbox Error Analysis).
* :func:`leaf_rules`: every leaf as a readable rule with its coverage and its rate, like an
  anchor's precision and coverage (Ribeiro, Singh, Guestrin, AAAI 2018), read off a tree.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.metrics import r2_score
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from ._validation import (check_array, check_count, check_fitted, check_length, check_names, check_table,
                          check_target, check_tree, is_regressor, like, model_labels, seed_alias)

__all__ = ["global_surrogate", "Surrogate", "fidelity", "fidelity_between", "error_tree", "ErrorTree",
           "leaf_rules", "LeafRule"]


@dataclass
class LeafRule:
    """One leaf read as a rule: IF `rule` THEN `prediction`.

    coverage : share of the rows that reach the leaf; n : how many.
    rate : share of those rows where the indicator holds (agreement with the black box for a
        surrogate, i.e. the rule's precision; the error rate for an error tree).
    """

    leaf: int
    rule: str
    prediction: object
    n: int
    coverage: float
    rate: float


@dataclass
class Surrogate:
    """A decision tree that mimics a model; ``fidelity`` on the rows it was fitted to."""

    tree: object
    fidelity: float
    feature_names: list
    max_depth: int | None

    def fidelity_on(self, model, X) -> float:
        """Agreement with `model` on other rows (e.g. a test set): see :func:`fidelity`."""
        return fidelity(model, self.tree, X)

    def rules(self, model, X) -> list:
        """The leaves as rules, with precision = share of rows where the model agrees."""
        check_fitted(model)
        values, columns = check_table(X, "X")
        agree = _agreement(model, self.tree, X, values, columns)
        return leaf_rules(self.tree, values, agree, self.feature_names)


@seed_alias
def global_surrogate(model, X, max_depth=3, min_samples_leaf=1, seed=0) -> Surrogate:
    """Fit a depth-limited tree to the model's predictions on X and measure its fidelity.

        g = argmin_{trees of depth <= d} sum_i loss(f(x_i), g(x_i)),
        fidelity = (1/n) sum_i [g(x_i) = f(x_i)]   (classifiers; R^2 of g against f for regressors)

    A classifier is mimicked label for label (``model.predict``), a regressor value for value.
    """
    check_fitted(model)
    values, columns = check_table(X, "X")
    if max_depth is not None:
        max_depth = check_count(max_depth, "max_depth", minimum=1)
    targets = model_labels(model.predict(like(X, values, columns)), len(values))
    regressor = is_regressor(model)
    Tree = DecisionTreeRegressor if regressor else DecisionTreeClassifier
    tree = Tree(max_depth=max_depth, min_samples_leaf=min_samples_leaf,
                random_state=seed).fit(values, targets)
    return Surrogate(tree, fidelity_between(targets, tree.predict(values), regressor), columns, max_depth)


def fidelity(model, surrogate, X) -> float:
    """How well `surrogate` reproduces `model` on X: share of equal labels, or R^2 for regression."""
    check_fitted(model), check_fitted(surrogate)
    values, columns = check_table(X, "X")
    return fidelity_between(model_labels(model.predict(like(X, values, columns)), len(values)),
                     surrogate.predict(_tree_input(surrogate, X, values, columns)),
                     is_regressor(model))


def fidelity_between(black_box, mimic, regressor: bool) -> float:
    """Share of rows where two models' predictions are equal, or R^2 of `mimic` against `black_box`."""
    black_box = model_labels(black_box, len(np.atleast_1d(black_box)), "black_box")
    mimic = model_labels(mimic, len(black_box), "mimic")
    if not isinstance(regressor, (bool, np.bool_)):
        raise TypeError(f"regressor must be True or False, got {regressor!r}")
    if regressor:
        return float(r2_score(black_box, mimic))
    return float(np.mean(np.asarray(black_box) == np.asarray(mimic)))


def _agreement(model, surrogate, X, values, columns) -> np.ndarray:
    return (model_labels(model.predict(like(X, values, columns)), len(values))
            == np.asarray(surrogate.predict(_tree_input(surrogate, X, values, columns))))


def _tree_input(tree, X, values, columns):
    """A tree fitted on a DataFrame gets a DataFrame (no feature-name warning), else the array."""
    return like(X, values, columns) if hasattr(tree, "feature_names_in_") else values


# ============================================================================ error analysis
@dataclass
class ErrorTree:
    """A tree of the model's errors: ``leaves`` sorted by error rate, highest first."""

    tree: object
    error_rate: float
    n_errors: int
    leaves: list
    feature_names: list

    def to_frame(self):
        """One row per leaf: rule, rows, share of rows, error rate, share of all errors."""
        import pandas as pd

        rows = [{"rule": leaf.rule, "n": leaf.n, "coverage": leaf.coverage,
                 "error_rate": leaf.rate,
                 "share_of_errors": leaf.rate * leaf.n / max(self.n_errors, 1)}
                for leaf in self.leaves]
        return pd.DataFrame(rows)


@seed_alias
def error_tree(model, X, y, max_depth=3, min_samples_leaf=50, seed=0) -> ErrorTree:
    """Where does the model err? A shallow tree fitted to e_i = [f(x_i) != y_i].

        error rate of leaf L = (1/|L|) sum_{i in L} e_i,  share of errors = sum_{i in L} e_i / sum_i e_i

    Leaves with a high error rate *and* many rows are the cohorts to look at first (Responsible
    AI Toolbox, Error Analysis: "identify", then "diagnose" with the other tools).
    """
    check_fitted(model)
    values, columns = check_table(X, "X")
    y = check_target(y, len(values))
    max_depth = check_count(max_depth, "max_depth", minimum=1)
    wrong = model_labels(model.predict(like(X, values, columns)), len(values)) != y
    tree = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=min_samples_leaf,
                                  random_state=seed).fit(values, wrong)
    leaves = sorted(leaf_rules(tree, values, wrong, columns), key=lambda leaf: -leaf.rate)
    return ErrorTree(tree, float(wrong.mean()), int(wrong.sum()), leaves, columns)


# ============================================================================ leaves as rules
def leaf_rules(tree, X, indicator, feature_names=None) -> list:
    """Each leaf of a fitted scikit-learn tree as a rule, with coverage and the indicator's rate.

    The conditions on one feature along the path are merged into one interval
    (``130 < ap_hi <= 150``). Thresholds are those of ``tree_.threshold``: go left iff x <= t.
    """
    check_tree(tree)
    values, columns = check_table(X, "X")
    names = check_names(feature_names, columns)
    indicator = check_array(check_length(indicator, len(values), "indicator"), "indicator")
    structure = tree.tree_
    leaf_of_row = tree.apply(_tree_input(tree, X, values, columns))
    counts = np.bincount(leaf_of_row, minlength=structure.node_count)
    hits = np.bincount(leaf_of_row, weights=indicator, minlength=structure.node_count)
    rules = []
    for leaf, bounds in _paths(structure).items():
        if counts[leaf] == 0:
            continue
        rule = " and ".join(_interval(names[j], low, high) for j, (low, high) in sorted(bounds.items()))
        value = structure.value[leaf, 0]
        prediction = tree.classes_[int(np.argmax(value))] if hasattr(tree, "classes_") else float(value[0])
        prediction = prediction.item() if hasattr(prediction, "item") else prediction
        rules.append(LeafRule(int(leaf), rule or "(all rows)", prediction, int(counts[leaf]),
                              float(counts[leaf] / len(values)), float(hits[leaf] / counts[leaf])))
    return rules


def _paths(structure) -> dict:
    """leaf id -> {feature: (low, high)}: the box of inputs that reaches the leaf."""
    boxes, stack = {}, [(0, {})]
    while stack:                         # a walk over the tree's nodes, not over data rows
        node, bounds = stack.pop()
        left, right = structure.children_left[node], structure.children_right[node]
        if left == -1:
            boxes[node] = bounds
            continue
        j, t = int(structure.feature[node]), float(structure.threshold[node])
        low, high = bounds.get(j, (-np.inf, np.inf))
        stack.append((left, {**bounds, j: (low, min(high, t))}))
        stack.append((right, {**bounds, j: (max(low, t), high)}))
    return boxes


def _interval(name: str, low: float, high: float) -> str:
    if np.isinf(low):
        return f"{name} <= {_number(high)}"
    if np.isinf(high):
        return f"{name} > {_number(low)}"
    return f"{_number(low)} < {name} <= {_number(high)}"


def _number(value: float) -> str:
    """Thresholds as people write them: 137.5, 54.25, 19820 (no exponent)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")
