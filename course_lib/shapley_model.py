"""Features as players: the interventional game of a model, and its exact Shapley values.

For a model f, an explained row x and background rows b, the coalition S of features is worth

    v(S) = mean over background rows b of f(x_S, b_rest)

(the interventional value function: Janzing, Minorics & Blöbaum 2020; Strumbelj & Kononenko
2014; Lundberg & Lee 2017). It is the value function of ``shap.ExactExplainer`` and
``shap.PermutationExplainer`` with an independent masker (``shap/utils/_masked_model.py``).
The cooperative-game side (``Game``, ``shapley_values``, the axioms) lives in
:mod:`course_lib.shapley`, which also re-exports the names defined here.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import (MAX_ELEMENTS, check_background, check_callable, check_coalitions, check_count,
                          check_model_game, check_one_output, check_rows, model_outputs)
from .explanation import Attributions
from .game import MAX_EXACT_PLAYERS, Game, shapley_from_table

__all__ = ["ModelGame", "model_game", "model_shapley", "coalition_values", "DEFAULT_BATCH_ROWS"]

DEFAULT_BATCH_ROWS = 2 ** 15  # rows per call to f: bounds memory (and stays cache-friendly)


class ModelGame(Game):
    """Features as players: v(S) = mean over background rows b of f(x_S, b_rest).

    The interventional value function of Janzing, Minorics & Blöbaum (2020), and of shap's Exact
    and Permutation explainers with an independent masker. Coalitions are evaluated in batches:
    all (coalition, background row) inputs go through f in as few calls as `batch_rows` allows.
    """

    def __init__(self, f, x, background, feature_names=None, batch_rows: int = DEFAULT_BATCH_ROWS):
        X, self.background, names, self._frame = check_model_game(f, x, background, feature_names, True)
        self.f, self.x, self.batch_rows = f, X[0], check_count(batch_rows, "batch_rows", 1, MAX_ELEMENTS)
        self.n_model_calls = self.n_model_rows = 0
        super().__init__(names, lambda coalition: None)  # values come from _evaluate below

    def _evaluate(self, masks: np.ndarray) -> np.ndarray:
        return check_one_output(_mask_values(self, self.x[None], masks)[0])

    def attributions(self) -> Attributions:
        """The exact Shapley values as :class:`Attributions` (base value v(∅) = mean f over background)."""
        phi = shapley_from_table(self.value_table(), self.n_players)
        return Attributions(phi[None], [self(())], self.x[None], [str(p) for p in self.players])


def model_game(f, x, background, feature_names=None, batch_rows: int = DEFAULT_BATCH_ROWS) -> ModelGame:
    """The game whose players are x's features and v(S) = mean_b f(x_S, b_rest) over `background`."""
    return ModelGame(f, x, background, feature_names, batch_rows)


def model_shapley(f, X, background, feature_names=None,
                  batch_rows: int = DEFAULT_BATCH_ROWS) -> Attributions:
    """Exact interventional Shapley values of f for every row of X: what shap.ExactExplainer computes.

    All rows × 2**M coalitions × background rows go through f in batches of `batch_rows`; values
    have shape (n, M), or (n, M, K) when f returns K outputs per row.
    """
    X, background, names, frame = check_model_game(f, X, background, feature_names, one_row=False)
    batch_rows, M = check_count(batch_rows, "batch_rows", 1, MAX_ELEMENTS), X.shape[1]
    if M > MAX_EXACT_PLAYERS:
        raise ValueError(f"X has {M} features: 2**{M} coalitions are too many for exact Shapley "
                         f"values (limit {MAX_EXACT_PLAYERS}); sample or group features")
    caller = _Caller(f, background, frame, batch_rows)
    table = _mask_values(caller, X, np.arange(2 ** M))  # (n, 2**M, K)
    phi = np.moveaxis(shapley_from_table(np.moveaxis(table, 1, 0), M), 0, 1)  # (n, M, K)
    base = table[:, 0]
    if table.shape[2] == 1:
        phi, base = phi[:, :, 0], base[:, 0]
    return Attributions(phi, base, X, names)


@dataclass
class _Caller:
    """What _coalition_values needs: the model, the background and the batch size."""

    f: object
    background: np.ndarray
    _frame: object
    batch_rows: int
    n_model_calls: int = 0
    n_model_rows: int = 0


def coalition_values(f, X, background, Z, batch_rows: int = DEFAULT_BATCH_ROWS) -> np.ndarray:
    """v(z) = mean_b f(x_z, b_rest) for every row x of X and coalition z in Z: shape (n, C, K).

    The one value function of the model game, exact Shapley values and KernelSHAP. Z (C, M) is
    True where the feature keeps x's value. Every (row, coalition) pair becomes B hybrid rows in
    one ``np.where``; pairs go to f together, at most `batch_rows` model inputs per call.
    """
    X = check_rows(X, "X")[0]
    background, Z = check_background(background, X), check_coalitions(Z, X.shape[1])
    f = check_callable(f, "f", "model.predict, or lambda X: model.predict_proba(X)[:, 1]")
    return _coalition_values(f, X, background, Z, check_count(batch_rows, "batch_rows", 1, MAX_ELEMENTS))


def _coalition_values(f, X, background, Z, batch_rows):
    """coalition_values for checked inputs: X (n, M) and background (B, M) floats, Z (C, M) bool."""
    n_background, M = background.shape
    row = np.repeat(np.arange(len(X)), len(Z))  # every (row, coalition) pair
    coalition = np.tile(np.arange(len(Z)), len(X))
    pairs_per_call = max(1, batch_rows // n_background)
    values = []
    for start in range(0, len(row), pairs_per_call):
        r, k = row[start:start + pairs_per_call], coalition[start:start + pairs_per_call]
        inputs = np.where(Z[k][:, None, :], X[r][:, None, :], background[None])  # (pairs, B, M)
        outputs = model_outputs(f(inputs.reshape(-1, M)), len(r) * n_background, "f")
        values.append(outputs.reshape(len(r), n_background, -1).mean(axis=1))
    return np.concatenate(values).reshape(len(X), len(Z), -1)


def _mask_values(model, X: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """v[r, k] = mean_b f(X[r] on coalition masks[k], b elsewhere): shape (n_rows, n_masks, K)."""
    inside = ((masks[:, None] >> np.arange(X.shape[1])) & 1).astype(bool)  # (n_masks, M)
    return _coalition_values(lambda rows: _call_model(model, rows), X, model.background, inside,
                             model.batch_rows)


def _call_model(model, inputs: np.ndarray):
    """f(inputs) in the input type f was given (array or DataFrame), counting the calls."""
    if model._frame is not None:  # rebuild a DataFrame with the background's columns
        inputs = type(model._frame)(inputs, columns=model._frame.columns)
    model.n_model_calls += 1
    model.n_model_rows += len(inputs)
    return model.f(inputs)


def coalition_value(f, x, background, coalition) -> float:
    """v(S) for one coalition, written to be read: the batched ``ModelGame`` computes the same.

        v(S) = 1/|B| * sum over background rows b of f(x_S, b_rest)

    Each background patient b keeps its own values except on the coalition's features, which take
    the explained row's values; the model predicts that mixed patient; v(S) is the average.
    `coalition` holds feature indices (0 .. M-1). One model call per background row: slow, clear.
    """
    x, background = np.asarray(x, dtype=float).ravel(), np.asarray(background, dtype=float)
    if background.ndim != 2 or background.shape[1] != len(x):
        raise ValueError(f"background must have shape (n, {len(x)}) like x, got {background.shape}")
    if any(not 0 <= j < len(x) for j in coalition):
        raise ValueError(f"coalition must hold feature indices 0..{len(x) - 1}, got {list(coalition)}")
    total = 0.0
    for b in background:
        mixed = b.copy()                    # a background patient ...
        for j in coalition:
            mixed[j] = x[j]                 # ... given the explained row's values on S
        total += float(np.ravel(f(mixed[None]))[0])
    return total / len(background)
