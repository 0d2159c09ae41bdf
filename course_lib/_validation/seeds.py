"""Seeds: an int for ``np.random.default_rng`` or torch, scikit-learn's ``random_state``
convention for lime's streams, and ``seed`` as the one name of the idea."""
from __future__ import annotations

import functools
import numbers

import numpy as np

__all__ = ["check_seed", "check_random_state", "seed_alias", "check_generator"]


def check_seed(seed, name: str = "seed") -> int:
    """A seed for ``np.random.default_rng``: an int between 0 and 2**32 - 1."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{name} must be an int (e.g. {name}=0), got {seed!r}")
    if not 0 <= seed < 2 ** 32:
        raise ValueError(f"{name} must be between 0 and 2**32 - 1, got {seed}")
    return int(seed)


def check_random_state(seed, name: str = "seed") -> np.random.RandomState:
    """scikit-learn's ``random_state`` convention for a seed: None (numpy's global RandomState),
    an int, or a RandomState (shared, and it advances)."""
    if seed is None:
        return np.random.mtrand._rand
    if isinstance(seed, np.random.RandomState):
        return seed
    return np.random.RandomState(check_seed(seed, name))


def seed_alias(function):
    """Let `function` (whose seed is named ``seed``, one name across the course) also be called
    with ``random_state=``, the name it had before: old notebooks and submitted exercises still
    pass it, and it is passed on as ``seed``. Both names at once is a TypeError."""
    @functools.wraps(function)
    def with_alias(*args, **kwargs):
        if "random_state" in kwargs:
            if "seed" in kwargs:
                raise TypeError(f"{function.__qualname__} got both seed and random_state (its old "
                                f"name); pass seed= only")
            kwargs["seed"] = kwargs.pop("random_state")
        return function(*args, **kwargs)
    return with_alias


def check_generator(rng, name: str = "rng") -> np.random.Generator:
    """numpy's Generator from None, an int seed or a Generator (``np.random.default_rng``'s rule)."""
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(None if rng is None else check_seed(rng, name))
