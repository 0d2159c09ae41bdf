"""Cooperative games and Shapley values by regression (lectures 01 and 04)."""
from __future__ import annotations

import collections.abc

import numpy as np

from .arrays import check_array, check_budget, check_rows
from .models import check_callable, model_outputs
from .seeds import check_seed
from .values import check_row, check_vector

__all__ = ["check_background", "check_class_labels", "check_coalitions", "check_wls",
           "check_model_game", "check_one_output", "check_loss_game", "check_players",
           "check_shapley_method"]


# ----------------------------------------------------------------------------- Shapley values by regression (lecture 04)
def check_background(background, X, name: str = "background") -> np.ndarray:
    """Background rows (B, M) with the columns of the checked rows X (n, M), as floats."""
    return check_rows(background, name, X.shape[1], f"X has shape {X.shape}")[0]


def check_class_labels(y, n_rows: int) -> np.ndarray:
    """One class index per row, as floats holding integers."""
    try:
        y = np.asarray(y, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("y must hold class indices (0, 1, ...); encode string labels first, "
                         "e.g. with model.classes_") from None
    if y.shape != (n_rows,) or not np.all(np.isfinite(y)) or np.any(y != np.round(y)):
        raise ValueError(f"y must hold one class index per row of X, shape ({n_rows},); "
                         f"got shape {y.shape}")
    return y


def check_coalitions(Z, n_features: int, name: str = "Z") -> np.ndarray:
    """Coalitions as rows of 0/1 (True: the feature keeps x's value), shape (C, n_features), bool."""
    Z = np.asarray(Z)
    if Z.ndim != 2 or Z.shape[1] != n_features or Z.dtype.kind not in "biuf" or not np.all((Z == 0) | (Z == 1)):
        raise ValueError(f"{name} must be coalitions of 0/1 (True: keep x's value), shape (C, {n_features}); "
                         f"got shape {Z.shape}")
    return Z.astype(bool)


def check_wls(Z, weights, y, total):
    """A weighted least squares with an efficiency constraint: Z (C, M), weights (C,) >= 0,
    values y (n, C, K) and totals (n, K)."""
    Z = check_array(Z, "Z", min_size=0)
    if Z.ndim != 2:
        raise ValueError(f"Z must be 2-D (coalitions, features), got shape {Z.shape}")
    weights = check_vector(weights, "weights", len(Z), "one per coalition")
    y, total = check_array(y, "y", min_size=0), check_array(total, "total", min_size=0)
    if y.ndim != 3 or y.shape[1] != len(Z) or total.size != y.shape[0] * y.shape[2] or np.any(weights < 0):
        raise ValueError(f"y must be (n, {len(Z)}, K) with total (n, K) and weights >= 0; got y "
                         f"{y.shape}, total {total.shape}")
    return Z, weights, y, total


def check_model_game(f, x, background, feature_names, one_row: bool):
    """A model game's inputs (f, rows, background, names): 2-D float x and background, the
    feature names (given, else the frame's columns or the Series' index, else x0, x1, ...) and
    the background's DataFrame (None for an array), so that f is called with what it was given."""
    check_callable(f, "f", "model.predict, or lambda X: model.predict_proba(X)[:, 1]")
    frame = background if hasattr(background, "columns") else None
    background, _ = check_rows(background, "background")
    fits = f"background has {background.shape[1]} features; x and background must share their columns"
    X = (check_row(x, "x", background.shape[1], fits)[None] if one_row or np.ndim(x) == 1
         else check_rows(x, "X", background.shape[1], fits)[0])
    names = feature_names
    if names is None:
        source = frame if frame is not None else x
        names = list(source.columns) if hasattr(source, "columns") else (
            list(source.index) if hasattr(source, "to_numpy") and one_row else None)  # a Series
    names = [f"x{j}" for j in range(X.shape[1])] if names is None else list(names)
    if len(names) != X.shape[1] or len(set(names)) != len(names):
        raise ValueError(f"feature_names must be {X.shape[1]} distinct names, got {names!r}")
    return X, background, names, frame


def check_one_output(values) -> np.ndarray:
    """A game's values from f, (n, 1) -> (n,): a game needs one number per coalition."""
    if values.shape[1] != 1:
        raise ValueError(f"f returns {values.shape[1]} outputs per row; a game needs one "
                         "number: pass e.g. lambda X: model.predict_proba(X)[:, 1]")
    return values[:, 0]


def check_loss_game(predict_proba, y, background, n_samples, seed, n_features: int):
    """(predict_proba, n_samples, seed) of KernelSHAP of the log-loss, y and the background checked.

    y (class indices) must name columns of what predict_proba returns; the rows of one label are
    explained at once, so the sample budget counts the most frequent label.
    """
    predict_proba, seed = check_callable(predict_proba, "predict_proba", "model.predict_proba"), check_seed(seed)
    n_classes = model_outputs(predict_proba(background[:1]), 1, "predict_proba").shape[1]
    if y.min() < 0 or y.max() >= n_classes:
        raise ValueError(f"y must hold class indices 0..{n_classes - 1} (columns of "
                         f"predict_proba); got values {np.unique(y)[:5]}")
    most = max(np.unique(y, return_counts=True)[1])
    return predict_proba, check_budget(n_samples, "n_samples", most + n_features, 2, optional=True), seed


# ----------------------------------------------------------------------------- cooperative games (lecture 01)
def check_players(players) -> tuple:
    """players as a tuple of distinct, hashable names (a string "ABC" is three players)."""
    if not hasattr(players, "__iter__"):
        raise TypeError(f"players must be a list of player names (or a string such as 'ABC'), got {players!r}")
    players = tuple(players)
    if not players:
        raise ValueError("players is empty; a game needs at least one player")
    seen = set()
    for player in players:
        if not isinstance(player, collections.abc.Hashable):
            raise TypeError(f"players must be names (strings, numbers, tuples), got {player!r}")
        if player in seen:
            raise ValueError(f"players lists {player!r} twice; every player must be unique")
        seen.add(player)
    return players


def check_shapley_method(method, n_players: int) -> str:
    """'coalitions' or 'orderings'; listing the n! orders is refused beyond 9 players."""
    if not isinstance(method, str) or method not in ("coalitions", "orderings"):
        raise ValueError(f"method must be 'coalitions' or 'orderings', got {method!r}")
    if method == "orderings" and n_players > 9:
        raise ValueError(f"{n_players}! orders are too many to list; "
                         "use method='coalitions' or sample_shapley")
    return method
