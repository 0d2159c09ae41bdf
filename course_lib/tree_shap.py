"""TreeSHAP: exact Shapley values of tree ensembles, all coalitions pushed down the tree at once.

Lundberg, Erion, Chen et al., "From local explanations to global understanding with explainable
AI for trees", Nature Machine Intelligence 2020 (arXiv:1905.04610; Algorithm 2 first appeared in
arXiv:1802.03888). A tree's prediction is a sum over its leaves, so its Shapley values are too.
A leaf is reached through the splits on its path; grouping them by feature, feature d on the path
contributes two numbers:

    one fraction  o_d = 1 if x satisfies every split on d along the path, else 0
    zero fraction z_d = the share of the coalition's "unknown x_d" mass that follows the path

and the leaf's share of the coalition value is the product game  g(S) = prod_{d in S} o_d *
prod_{d not in S} z_d,  times the leaf value.

* path-dependent (``background=None``, ``shap.TreeExplainer(model)``): z_d = product of
  cover(child) / cover(parent) over the splits on d: at a split on a feature outside S, both
  branches, weighted by the training samples that went each way at that node. This is neither the
  interventional value nor the true conditional expectation E[f(X) | X_S = x_S]; it conditions
  only through the tree's own splits (Aas, Jullum and Loland, Artif. Intell. 2021; Amoukou,
  Salaun and Brunel, NeurIPS 2022). EXTEND and UNWIND of Algorithm 2 give the
  Shapley values of the product game in O(D^2) per leaf; we run them for all rows and all leaves
  at once.
* interventional (``background`` given): z_d = 1 if the background row r satisfies the splits on d,
  so v(S) = mean_r f(x_S, r_{-S}). Then g is 1 exactly when every feature in A (x passes, r fails)
  is in S and none of B (r passes, x fails) is, and its Shapley values have a closed form.

Inputs are compared as float32 against the float64 thresholds, exactly like scikit-learn's
``predict`` (and ``shap``, which casts X to float32 for scikit-learn trees); HistGradientBoosting
compares float64. A missing value (NaN) goes the way each split learned (``missing_go_to_left``),
so a path also records whether NaN follows it.
"""
from __future__ import annotations

from dataclasses import dataclass
from math import factorial

import numpy as np
import scipy.sparse
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import (BaggingClassifier, BaggingRegressor, ExtraTreesClassifier,
                              ExtraTreesRegressor, GradientBoostingClassifier,
                              GradientBoostingRegressor, HistGradientBoostingClassifier,
                              HistGradientBoostingRegressor, IsolationForest,
                              RandomForestClassifier, RandomForestRegressor)
from sklearn.tree import BaseDecisionTree, DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils import get_tags
from sklearn.utils.validation import check_is_fitted

from ._validation import check_instance, check_rows
from .explanation import Attributions, to_explanation  # noqa: F401  (lecture 06 imports to_explanation here)

__all__ = ["tree_shap", "tree_shap_interactions", "leaf_table", "LeafTable", "path_dependent_shap",
           "interventional_shap", "SUPPORTED_MODELS"]

SUPPORTED_MODELS = (DecisionTreeRegressor, DecisionTreeClassifier, RandomForestRegressor,
                    RandomForestClassifier, ExtraTreesRegressor, ExtraTreesClassifier,
                    GradientBoostingRegressor, GradientBoostingClassifier,
                    HistGradientBoostingRegressor, HistGradientBoostingClassifier,
                    BaggingRegressor, BaggingClassifier, IsolationForest)
_BOOSTING = (GradientBoostingRegressor, GradientBoostingClassifier)
_HIST_BOOSTING = (HistGradientBoostingRegressor, HistGradientBoostingClassifier)
#: Elements (row x leaf x path entry) held in memory at once.
BLOCK_ELEMENTS = 2 ** 21


def tree_shap(model, X, background=None) -> Attributions:
    """TreeSHAP values of a fitted scikit-learn tree model at every row of X.

    background None: path-dependent TreeSHAP (Algorithm 2), equal to ``shap.TreeExplainer(model)``.
    background (B, M): interventional TreeSHAP, the exact Shapley values of
    v(S) = mean_b f(x_S, b_{-S}) (equal to exact enumeration with that background).

    Outputs are what the trees add up: regression values; class probabilities (n, M, K) for
    decision-tree, random-forest, extra-trees and bagging classifiers; raw scores for boosting
    (log-odds (n, M) when binary, one score per class (n, M, K) when multi-class, as
    ``decision_function``); the mean path length E[h(x)] for IsolationForest (``score_samples``
    is -2 ** (-E[h(x)] / c(max_samples_))). Rows may hold NaN where the model accepts it
    (HistGradientBoosting; trees, forests and bagging of trees): it goes where the splits send it.
    """
    table = leaf_table(model)
    fitted_on = f"the model was fitted on {table.n_features} features"
    X, feature_names = check_rows(X, "X", table.n_features, fitted_on, allow_nan=table.routes_nan)
    if background is None:
        values = path_dependent_shap(table, X)
        base = table.base_offset + np.sum(table.value * table.zero_fraction.prod(axis=1)[:, None],
                                          axis=0)
        base_values = np.broadcast_to(base, (len(X), table.n_outputs))
    else:
        background, _ = check_rows(background, "background", table.n_features, fitted_on,
                                   allow_nan=table.routes_nan)
        values, base_values = interventional_shap(table, X, background)
    if table.single_output:
        values, base_values = values[..., 0], base_values[..., 0]
    return Attributions(values, base_values, data=X, feature_names=feature_names)


# ----------------------------------------------------------------------------- the trees
@dataclass
class LeafTable:
    """Every leaf of every tree, with its path grouped by feature (padded to depth D).

    feature (L, D) int, zero_fraction (L, D) (cover ratio product, 1 in padding),
    lower, upper (L, D): x reaches the leaf iff lower < x_d <= upper for every entry,
    length (L,) unique features on the path, value (L, K) scaled leaf values,
    base_offset (K,) the constant the trees start from (GradientBoosting's init),
    nan_follows (L, D) whether a missing x_d follows the path (None: NaN never does),
    float32_inputs: rows are rounded to float32 before comparing, as scikit-learn's trees do.
    """

    feature: np.ndarray
    zero_fraction: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    length: np.ndarray
    value: np.ndarray
    base_offset: np.ndarray
    n_features: int
    single_output: bool
    nan_follows: np.ndarray | None = None
    float32_inputs: bool = True

    @property
    def routes_nan(self) -> bool:
        return self.nan_follows is not None

    @property
    def n_outputs(self) -> int:
        return self.value.shape[1]


def leaf_table(model) -> LeafTable:
    """Read a fitted scikit-learn tree model into a :class:`LeafTable`."""
    if not isinstance(model, SUPPORTED_MODELS):
        names = ", ".join(m.__name__ for m in SUPPORTED_MODELS)
        raise TypeError(f"tree_shap supports scikit-learn {names}; got {type(model).__name__}")
    check_is_fitted(model)
    if getattr(model, "n_outputs_", 1) > 1 and hasattr(model, "classes_"):
        raise ValueError("multi-output classifiers are not supported; explain one output "
                         "with a classifier fitted on that target")
    trees, scale, base_offset = _ensemble_trees(model)
    leaves = [_leaf_paths(tree, normalise, features, values, columns)
              for tree, normalise, features, values, columns in trees]
    depth = max(max((len(path) for path, _ in tree_leaves), default=0) for tree_leaves in leaves)
    depth = max(depth, 1)
    rows = [(path, value) for tree_leaves in leaves for path, value in tree_leaves]
    L = len(rows)
    feature = np.zeros((L, depth), dtype=np.intp)
    zero_fraction = np.ones((L, depth))
    lower, upper = np.full((L, depth), -np.inf), np.full((L, depth), np.inf)
    nan_follows = np.ones((L, depth), dtype=bool)
    for leaf, (path, _) in enumerate(rows):
        for slot, (d, (z, lo, hi, nan_ok)) in enumerate(path.items()):
            feature[leaf, slot], zero_fraction[leaf, slot] = d, z
            lower[leaf, slot], upper[leaf, slot], nan_follows[leaf, slot] = lo, hi, nan_ok
    value = scale * np.array([value for _, value in rows])
    length = np.array([len(path) for path, _ in rows])
    hist = isinstance(model, _HIST_BOOSTING)
    raw_scores = isinstance(model, (*_BOOSTING, *_HIST_BOOSTING))
    single = len(base_offset) == 1 and (raw_scores or not hasattr(model, "classes_"))
    routes_nan = get_tags(model).input_tags.allow_nan    # the model sends NaN down its splits
    return LeafTable(feature, zero_fraction, lower, upper, length, value, base_offset,
                     model.n_features_in_, single, nan_follows if routes_nan else None,
                     float32_inputs=not hist)


def _ensemble_trees(model):
    """[(tree, normalise, features, values, columns)], the leaf scale and the base offset.

    tree: an object with scikit-learn's ``tree_`` arrays; features: the model's column of each of
    the tree's (None: the same); values: leaf values (None: ``tree.value``); columns: where the
    tree's output goes among the model's K (None: all of them).
    """
    if isinstance(model, _HIST_BOOSTING):
        return _hist_trees(model)
    if isinstance(model, _BOOSTING):
        K = model.estimators_.shape[1]
        trees = [(e.tree_, False, None, None, ([k], K) if K > 1 else None)
                 for stage in model.estimators_ for k, e in enumerate(stage)]
        return trees, model.learning_rate, _boosting_init(model)
    if isinstance(model, BaseDecisionTree):
        estimators, features = [model], [None]
    else:
        estimators = model.estimators_
        features = getattr(model, "estimators_features_", [None] * len(estimators))
        if not all(isinstance(e, BaseDecisionTree) for e in estimators):
            raise TypeError(f"{type(model).__name__} is supported when its estimator is a "
                            f"decision tree; got {type(estimators[0]).__name__}")
    is_classifier = hasattr(model, "classes_") and not isinstance(model, IsolationForest)
    n_outputs = len(model.classes_) if is_classifier else estimators[0].n_outputs_
    iso = isinstance(model, IsolationForest)   # bags are fitted on all rows (bootstrap weights)
    trees = [(e.tree_, is_classifier, f, _isolation_path_lengths(e.tree_) if iso else None, None)
             for e, f in zip(estimators, features)]
    return trees, 1.0 / len(estimators), np.zeros(n_outputs)


def _hist_trees(model):
    """HistGradientBoosting's predictors as scikit-learn-like tree arrays (shap GH #1028)."""
    if model.is_categorical_ is not None and np.any(model.is_categorical_):
        raise ValueError("HistGradientBoosting with categorical features is not supported; "
                         "one-hot or ordinal-encode them before fitting")
    K = model.n_trees_per_iteration_
    trees = []
    for predictors in model._predictors:
        for k, predictor in enumerate(predictors):
            nodes = predictor.nodes
            leaf = nodes["is_leaf"].astype(bool)
            tree = _Tree(children_left=np.where(leaf, -1, nodes["left"].astype(np.intp)),
                         children_right=np.where(leaf, -1, nodes["right"].astype(np.intp)),
                         feature=nodes["feature_idx"].astype(np.intp),
                         threshold=nodes["num_threshold"].astype(np.float64),
                         missing_go_to_left=nodes["missing_go_to_left"].astype(bool),
                         weighted_n_node_samples=nodes["count"].astype(np.float64),
                         value=nodes["value"].astype(np.float64).reshape(-1, 1),
                         node_count=len(nodes))
            trees.append((tree, False, None, None, ([k], K) if K > 1 else None))
    return trees, 1.0, np.ravel(model._baseline_prediction).astype(np.float64)


@dataclass
class _Tree:
    """The arrays of a scikit-learn ``tree_`` that :func:`_leaf_paths` reads."""

    children_left: np.ndarray
    children_right: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    missing_go_to_left: np.ndarray
    weighted_n_node_samples: np.ndarray
    value: np.ndarray
    node_count: int


def _leaf_paths(tree, normalise: bool, features=None, values=None, columns=None):
    """[(path, leaf value)] for one sklearn ``tree_``; path: feature -> (z, lower, upper, nan_ok).

    features maps the tree's columns to the model's (bagging), values replaces ``tree.value``,
    columns = (indices, width) places the tree's outputs among the model's (None: the same).
    """
    left, right = tree.children_left, tree.children_right
    cover, threshold = tree.weighted_n_node_samples, tree.threshold
    nan_left = getattr(tree, "missing_go_to_left", np.zeros(tree.node_count, dtype=bool))
    values = tree.value.reshape(tree.node_count, -1) if values is None else values
    if normalise:  # classifier leaves hold class fractions (or counts before sklearn 1.4)
        values = values / values.sum(axis=1, keepdims=True)
    found, stack = [], [(0, {})]
    while stack:
        node, path = stack.pop()
        if left[node] == -1:
            found.append((path, _place(values[node], columns)))
            continue
        d = int(tree.feature[node]) if features is None else int(features[tree.feature[node]])
        for child, goes_left in ((left[node], True), (right[node], False)):
            z, lo, hi, nan_ok = path.get(d, (1.0, -np.inf, np.inf, True))
            z = z * cover[child] / cover[node]
            lo, hi = (lo, min(hi, threshold[node])) if goes_left else (max(lo, threshold[node]), hi)
            nan_ok = nan_ok and bool(nan_left[node]) == goes_left
            stack.append((child, {**path, d: (z, lo, hi, nan_ok)}))
    return found


def _place(value, columns):
    """A leaf's outputs placed at the model's output columns: columns = (indices, width) or None."""
    if columns is None:
        return value
    indices, width = columns
    placed = np.zeros(width)
    placed[indices] = value
    return placed


def _isolation_path_lengths(tree) -> np.ndarray:
    """An isolation tree's leaf values: depth + c(n_leaf), the path length (Liu et al. 2008)."""
    from sklearn.ensemble._iforest import _average_path_length

    depth = np.zeros(tree.node_count)
    for node in range(tree.node_count):          # children always come after their parent
        for child in (tree.children_left[node], tree.children_right[node]):
            if child != -1:
                depth[child] = depth[node] + 1
    return (depth + _average_path_length(tree.n_node_samples)).reshape(-1, 1)


def _boosting_init(model) -> np.ndarray:
    """The raw scores (K,) GradientBoosting starts from: its init estimator's constant prediction.

    A regressor's init prediction is used as it is. A classifier's init probabilities go through
    the loss's link (log-odds, half of it for the exponential loss, centred log-probabilities for
    several classes) after a clip whose epsilon changed between scikit-learn versions, so the start
    is read off the model itself: decision_function(row) - learning_rate * sum of the trees at row.
    """
    init = model.init_
    K = model.estimators_.shape[1]
    if isinstance(init, str) and init == "zero":
        return np.zeros(K)
    constant = isinstance(init, (DummyRegressor, DummyClassifier)) and \
        getattr(init, "strategy", None) != "stratified"
    if not constant:
        raise TypeError(f"GradientBoosting with init={type(init).__name__}"
                        f"{'(strategy=stratified)' if isinstance(init, DummyClassifier) else ''} "
                        "is not supported: its start is not one constant; use init=None, 'zero' "
                        "or a DummyClassifier/DummyRegressor with a constant strategy")
    row = np.zeros((1, model.n_features_in_))
    if isinstance(model, GradientBoostingRegressor):
        return np.ravel(init.predict(row)).astype(np.float64)[:1]
    raw = np.asarray(model.decision_function(row), dtype=np.float64).reshape(-1)    # (K,)
    row32 = row.astype(np.float32)            # the low-level tree API: no input checks per tree
    grown = [sum(tree.tree_.predict(row32)[0, 0] for tree in model.estimators_[:, k]) for k in range(K)]
    return raw - model.learning_rate * np.asarray(grown, dtype=np.float64)


# ----------------------------------------------------------------------------- path-dependent
def path_dependent_shap(table: LeafTable, X) -> np.ndarray:
    """Algorithm 2 for all rows and leaves at once: values (n, M, K).

    For each leaf: EXTEND the path one feature at a time (w[s] holds the Shapley-weighted sum of
    products of o's and z's over coalitions of size s), then for each path entry i UNWIND it and
    sum the weights: phi[d_i] += sum(unwound w) * (o_i - z_i) * leaf value.
    A leaf with l path features sees a row only through its l one fractions, so when there are
    fewer patterns (2^l) than rows, the shares are computed once per pattern and looked up
    (the idea of Fast TreeSHAP v2, Yang 2021, arXiv:2109.09847).
    Leaves with the same l are processed together; arrays are laid out (path entry, row, leaf).
    """
    X = _as_inputs(_check_table_rows(table, X, "X"), table)
    n, has_nan = len(X), table.routes_nan and bool(np.isnan(X).any())
    phi = np.zeros((n, table.n_features * table.n_outputs))
    for length in np.unique(table.length[table.length > 0]):  # length 0: a stump, all base value
        same_length = np.flatnonzero(table.length == length)
        by_pattern = 2 ** length < n           # fewer kinds of rows than rows
        kinds = 2 ** length if by_pattern else min(n, 64)
        leaf_step = max(1, BLOCK_ELEMENTS // (kinds * (length + 1)))
        for leaves in np.array_split(same_length, -(-len(same_length) // leaf_step)):
            f = table.feature[leaves, :length].T                      # (l, leaves)
            z = table.zero_fraction[leaves, :length].T[:, None, :]    # (l, 1, leaves)
            lo, hi = table.lower[leaves, :length].T, table.upper[leaves, :length].T
            nan_ok = None if not has_nan else table.nan_follows[leaves, :length].T
            scatter = _scatter_matrix(f.T, table.value[leaves], table.n_features)
            if by_pattern:
                bits = (np.arange(2 ** length) >> np.arange(length)[:, None]) & 1
                shares_by_pattern = _leaf_shares(bits[:, :, None].astype(float), z)
            row_step = max(1, BLOCK_ELEMENTS // (len(leaves) * (length + 1)))
            for start in range(0, n, row_step):  # blocks of rows keep memory bounded
                x = X[start:start + row_step]
                o = np.stack([_follows(x[:, f[s]], lo[s], hi[s],
                                       None if nan_ok is None else nan_ok[s])
                              for s in range(length)])
                if by_pattern:                   # o is (l, rows, leaves): look the shares up
                    code = np.tensordot(1 << np.arange(length), o, axes=1)
                    share = shares_by_pattern[:, code, np.arange(len(leaves))]
                else:
                    share = _leaf_shares(o.astype(float), z)
                share = share.transpose(1, 2, 0).reshape(len(x), -1)  # (rows, leaves * l)
                phi[start:start + row_step] += scatter.T.dot(share.T).T
    return phi.reshape(n, table.n_features, table.n_outputs)


def _leaf_shares(o, z):
    """(o_i - z_i) * sum(UNWIND(EXTEND(path), i)): what each path entry adds, per unit leaf value."""
    return _unwound_sums(_extend_all(o, z), o, z) * (o - z)


def _extend_all(o, z):
    """EXTEND the path (starting from the root's dummy entry, z = o = 1) with all l entries.

    o (l, ...), z (l, ...) -> w (l + 1, ...): w[s] for coalitions of size s.
    """
    length = o.shape[0]
    w = np.zeros((length + 1,) + np.broadcast_shapes(o.shape[1:], z.shape[1:]))
    w[0] = 1.0
    for l in range(1, length + 1):           # entry l joins a path of l entries (dummy included)
        i = np.arange(l).reshape((-1,) + (1,) * (w.ndim - 1))
        previous = w[:l].copy()
        w[0] = 0.0
        w[1:l + 1] = o[l - 1] * previous * (i + 1) / (l + 1)         # the entry joins S
        w[:l] += z[l - 1] * previous * (l - i) / (l + 1)              # or stays out
    return w


def _unwound_sums(w, o, z):
    """For every entry i at once: the sum of the weights after UNWINDing i from the path.

    (Algorithm 2's UNWIND followed by sum(w); shap's ``unwound_path_sum``.) Returns (l, ...).
    """
    l = w.shape[0] - 1                       # path entries besides the dummy
    shape = np.broadcast_shapes(o.shape, z.shape)
    one = np.broadcast_to(o == 1, shape)
    carry = np.broadcast_to(w[l], shape)
    total = np.zeros(shape)
    for j in range(l - 1, -1, -1):
        if_one = carry * ((l + 1) / (j + 1))                          # o_i = 1
        if_zero = w[j] * ((l + 1) / (l - j)) / z                      # o_i = 0
        unwound = np.where(one, if_one, if_zero)
        total += unwound
        carry = w[j] - unwound * z * ((l - j) / (l + 1))              # used only where o_i = 1
    return total


# ----------------------------------------------------------------------------- interventional
def interventional_shap(table: LeafTable, X, background):
    """Exact Shapley values of v(S) = mean_b f(x_S, b_{-S}): values (n, M, K), base (n, K).

    For one (x, b, leaf): if some path feature sends both x and b away, the leaf never counts.
    Otherwise with A = features where only x follows the path and B = where only b does, the leaf
    is reached iff S contains A and misses B, whose Shapley values are
    phi_a = (|A|-1)! |B|! / (|A|+|B|)!  for a in A,   phi_b = -|A|! (|B|-1)! / (|A|+|B|)!  for b in B.
    """
    X, background = _check_table_rows(table, X, "X"), _check_table_rows(table, background, "background")
    X, background = _as_inputs(X, table), _as_inputs(background, table)
    n, B = len(X), len(background)
    f, lo, hi, nan_ok = table.feature, table.lower, table.upper, table.nan_follows
    if not (np.isnan(X).any() or np.isnan(background).any()):
        nan_ok = None                          # no missing values: plain interval tests
    D = f.shape[1]
    fact = np.array([factorial(k) for k in range(2 * D + 1)], dtype=float)
    scatter = _scatter_matrix(f, table.value, table.n_features)
    b_follows = _follows(background[:, f], lo, hi, nan_ok)                      # (B, L, D)
    base = (b_follows.all(axis=2).astype(float) @ table.value).mean(axis=0)      # E_b f(b)
    phi = np.zeros((n, table.n_features * table.n_outputs))
    step = max(1, BLOCK_ELEMENTS // (B * f.size))
    for start in range(0, n, step):
        x = X[start:start + step]
        x_follows = _follows(x[:, f], lo, hi, nan_ok)[:, None]                 # (rows, 1, L, D)
        in_A = x_follows & ~b_follows
        in_B = ~x_follows & b_follows
        possible = (x_follows | b_follows).all(axis=3, keepdims=True)
        a, b = in_A.sum(axis=3, keepdims=True), in_B.sum(axis=3, keepdims=True)
        weight_A = fact[np.maximum(a - 1, 0)] * fact[b] / fact[a + b]
        weight_B = fact[a] * fact[np.maximum(b - 1, 0)] / fact[a + b]
        share = possible * (in_A * weight_A - in_B * weight_B)                 # (rows, B, L, D)
        share = share.mean(axis=1)
        phi[start:start + step] = scatter.T.dot(share.reshape(len(x), -1).T).T
    values = phi.reshape(n, table.n_features, table.n_outputs)
    return values, np.broadcast_to(table.base_offset + base, (n, table.n_outputs))


# ----------------------------------------------------------------------------- helpers
def _check_table_rows(table, rows, name: str) -> np.ndarray:
    """Rows for a LeafTable: as many columns as the model was fitted on, NaN where it routes NaN."""
    check_instance(table, "table", LeafTable, "build it with leaf_table(model)")
    return check_rows(rows, name, table.n_features, f"the model was fitted on {table.n_features} "
                      "features", allow_nan=table.routes_nan)[0]


def _scatter_matrix(feature, value, n_features):
    """Sparse (leaves*D, M*K): entry (leaf, slot) adds leaf value k to feature[leaf, slot], output k."""
    L, D = feature.shape
    K = value.shape[1]
    rows = np.repeat(np.arange(L * D), K)
    cols = (feature.reshape(-1, 1) * K + np.arange(K)).ravel()
    data = np.repeat(value, D, axis=0).ravel()
    return scipy.sparse.csr_matrix((data, (rows, cols)), shape=(L * D, n_features * K))


def _as_float32(rows) -> np.ndarray:
    """Round to float32 as scikit-learn's trees do before comparing with the thresholds."""
    return np.asarray(rows, dtype=np.float32).astype(np.float64)


def _as_inputs(rows, table: LeafTable) -> np.ndarray:
    """Rows as the model compares them: float32 for trees, float64 for HistGradientBoosting."""
    return _as_float32(rows) if table.float32_inputs else np.asarray(rows, dtype=np.float64)


def _follows(x, lower, upper, nan_follows=None):
    """Whether values x take the path's branch lower < x <= upper (NaN: as the splits route it)."""
    inside = (x > lower) & (x <= upper)
    return inside if nan_follows is None else inside | (np.isnan(x) & nan_follows)


# ----------------------------------------------------------------------------- to be read
def readable_tree_shap(tree, x) -> np.ndarray:
    """Path-dependent TreeSHAP of one regression tree at one row, Algorithm 2 as printed in the paper.

    Lundberg, Erion and Lee, arXiv:1802.03888, Algorithm 2. `tree` is a fitted scikit-learn
    ``tree_`` (a DecisionTreeRegressor's, or one of a GradientBoosting model's); `x` one row.
    RECURSE walks the tree; `path` holds, per feature met so far, [feature, zero fraction z,
    one fraction o, weight w]: w[s] is the Shapley-weighted share of coalitions of size s.
    EXTEND adds a feature to the path, UNWIND takes one out; at a leaf each feature's share is
    sum(UNWIND(path, i).w) * (o_i - z_i) * leaf value. Same numbers as :func:`tree_shap` (tested),
    which does this for all rows and leaves at once.
    """
    left, right, feature, threshold = tree.children_left, tree.children_right, tree.feature, tree.threshold
    cover, value = tree.weighted_n_node_samples, tree.value[:, 0, 0]
    x, phi = np.asarray(x, dtype=np.float32).ravel(), np.zeros(tree.n_features)

    def extend(path, z, o, d):
        l = len(path)
        path = [list(entry) for entry in path] + [[d, z, o, 1.0 if l == 0 else 0.0]]
        for i in range(l - 1, -1, -1):
            path[i + 1][3] += o * path[i][3] * (i + 1) / (l + 1)
            path[i][3] = z * path[i][3] * (l - i) / (l + 1)
        return path

    def unwind(path, i):
        l, (_, z, o, _) = len(path) - 1, path[i]
        w, n = [entry[3] for entry in path], path[-1][3]
        for j in range(l - 1, -1, -1):
            if o != 0:
                before = w[j]
                w[j] = n * (l + 1) / ((j + 1) * o)
                n = before - w[j] * z * (l - j) / (l + 1)
            else:
                w[j] = w[j] * (l + 1) / (z * (l - j))
        rest = path[:i] + path[i + 1:]
        return [[d, z_, o_, w_] for (d, z_, o_, _), w_ in zip(rest, w[:l])]

    def recurse(node, path, z, o, d):
        path = extend(path, z, o, d)
        if left[node] == -1:                                   # a leaf: hand out its value
            for i in range(1, len(path)):
                share = sum(entry[3] for entry in unwind(path, i))
                phi[path[i][0]] += share * (path[i][2] - path[i][1]) * value[node]
            return
        j = feature[node]
        hot, cold = (left[node], right[node]) if x[j] <= threshold[node] else (right[node], left[node])
        z, o = 1.0, 1.0
        seen = [i for i in range(1, len(path)) if path[i][0] == j]
        if seen:                                               # feature met before: undo it first
            z, o = path[seen[0]][1], path[seen[0]][2]
            path = unwind(path, seen[0])
        recurse(hot, path, z * cover[hot] / cover[node], o, j)
        recurse(cold, path, z * cover[cold] / cover[node], 0.0, j)

    recurse(0, [], 1.0, 1.0, -1)
    return phi


# ----------------------------------------------------------------------------- interactions
def tree_shap_interactions(model, X) -> np.ndarray:
    """SHAP interaction values of a tree model: (n, M, M), or (n, M, M, K) for K class outputs.

    Lundberg et al. 2020 (arXiv:1905.04610, section "SHAP interaction values"), path-dependent,
    equal to ``shap.TreeExplainer(model).shap_interaction_values(X)``. For i != j

        Phi_ij = 1/2 [ phi_j(x | i always known) - phi_j(x | i never known) ],

    and the diagonal takes what is left, Phi_ii = phi_i - sum_{j != i} Phi_ij, so every row of
    the matrix sums to the SHAP value phi_i and the whole matrix to f(x) - E f.
    In a leaf's product game, "i always known" multiplies the leaf by o_i and "never known" by z_i,
    and i leaves the path: Phi_ij gets 1/2 (o_i - z_i) * (the share of j in the game without i).
    Setting o_i = z_i = 1 makes i a null player, which removes it without reshaping the arrays.
    """
    table = leaf_table(model)
    fitted_on = f"the model was fitted on {table.n_features} features"
    X, _ = check_rows(X, "X", table.n_features, fitted_on)
    X = _as_float32(X)
    n, M, K = len(X), table.n_features, table.n_outputs
    Phi = np.zeros((n, M * M * K))
    for length in np.unique(table.length[table.length > 1]):   # one feature: no interactions
        leaves = np.flatnonzero(table.length == length)
        f = table.feature[leaves, :length].T                          # (l, leaves)
        z = np.broadcast_to(table.zero_fraction[leaves, :length].T[:, None, :],
                            (length, 1, len(leaves)))
        lo, hi = table.lower[leaves, :length].T, table.upper[leaves, :length].T
        row_step = max(1, BLOCK_ELEMENTS // (len(leaves) * (length + 1)))
        for start in range(0, n, row_step):
            x = X[start:start + row_step]
            o = np.stack([(x[:, f[s]] > lo[s]) & (x[:, f[s]] <= hi[s])
                          for s in range(length)]).astype(float)     # (l, rows, leaves)
            for i in range(length):
                o_without, z_without = o.copy(), np.array(z)
                o_without[i], z_without[i] = 1.0, 1.0                # i becomes a null player
                share = _leaf_shares(o_without, z_without) * (o[i] - z[i]) / 2
                pair = f[i][None, :] * M + f                          # (l, leaves): cell (d_i, d_j)
                scatter = _scatter_matrix(pair.T, table.value[leaves], M * M)
                share = share.transpose(1, 2, 0).reshape(len(x), -1)  # (rows, leaves * l)
                Phi[start:start + row_step] += scatter.T.dot(share.T).T
    Phi = Phi.reshape(n, M, M, K)
    off_diagonal = Phi.sum(axis=2) - Phi[:, np.arange(M), np.arange(M)]
    Phi[:, np.arange(M), np.arange(M)] = path_dependent_shap(table, X) - off_diagonal
    return Phi[..., 0] if table.single_output else Phi
