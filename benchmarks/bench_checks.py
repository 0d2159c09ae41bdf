"""What checking once saves: calls whose cost is mostly argument checks when each hop re-checks.

``make bench-compare BASE=<ref> BENCH=checks`` times them against an earlier library. Before the
rule "check at the door, trust inside", a ModelGame re-checked its whole background for every
coalition not yet cached, and LIME's selection re-checked the neighbourhood at every step. The
reference side is the same arithmetic in bare numpy / lime, to show what the library adds.
"""
from __future__ import annotations

import numpy as np

from harness import Benchmark

M, B = 8, 2000


def _game_setup():
    rng = np.random.default_rng(0)
    background, weights = rng.normal(size=(B, M)), rng.normal(size=M)
    return {"x": background[0], "background": background, "f": lambda rows: np.tanh(rows @ weights)}


def _game_ours(ctx):
    from course_lib.shapley_model import model_game

    game = model_game(ctx["f"], ctx["x"], ctx["background"])
    return [game(game.members(mask)) for mask in range(2 ** M)]     # one coalition at a time


def _game_bare(ctx):
    inside = (np.arange(2 ** M)[:, None] >> np.arange(M)) & 1 == 1
    return [ctx["f"](np.where(z, ctx["x"], ctx["background"])).mean() for z in inside]


def _lime_setup():
    rng = np.random.default_rng(0)
    Z = (rng.random((5000, 6)) > 0.5).astype(float)
    Z[0] = 1.0
    return {"Z": Z, "y": Z @ rng.normal(size=6) + 0.1 * rng.normal(size=5000),
            "distances": rng.random(5000)}


def _lime_ours(ctx):
    from course_lib.lime.core import fit_surrogate

    return fit_surrogate(ctx["Z"], ctx["y"], ctx["distances"], 0.75, 6, "forward_selection")


def _lime_reference(ctx):
    from lime.lime_base import LimeBase

    base = LimeBase(lambda d: np.sqrt(np.exp(-(d ** 2) / 0.75 ** 2)), random_state=0)
    return base.explain_instance_with_data(ctx["Z"], ctx["y"][:, None], ctx["distances"], 0, 6,
                                           feature_selection="forward_selection")


BENCHMARKS = [
    Benchmark(f"checks: ModelGame, 256 coalitions asked one at a time (B={B}) vs bare numpy",
              _game_setup, _game_ours, _game_bare, repeat=5),
    Benchmark("checks: LIME fit_surrogate, forward selection 5000 x 6, K=6 vs lime LimeBase",
              _lime_setup, _lime_ours, _lime_reference, repeat=5),
]
