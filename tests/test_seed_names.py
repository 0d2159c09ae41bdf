"""One name per idea: every course_lib function or class that takes a seed calls it ``seed``.

Calls into scikit-learn and lime keep passing their ``random_state``. The course's own functions
that were called with ``random_state=`` before still accept it (old notebooks and submitted
exercises pass it), mapped to ``seed``; both names at once is a TypeError that names ``seed``.
"""
import importlib
import inspect
import pkgutil

import numpy as np
import pytest
from sklearn.base import clone

import course_lib
from course_lib import inspection, kernels, surrogate
from course_lib.lime import LimeImage, LimeTabular, LimeText

SKIP = ("course_lib.grading", "course_lib.exercises")


def _public_callables():
    found = {}
    for info in pkgutil.walk_packages(course_lib.__path__, "course_lib."):
        if info.name.startswith(SKIP) or info.name.rsplit(".", 1)[-1].startswith("_"):
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if not name.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj)) \
                    and getattr(obj, "__module__", "") == info.name:
                found[f"{info.name}.{name}"] = obj
    return found


def test_no_course_function_takes_random_state():
    callables = _public_callables()
    assert len(callables) > 150
    named = sorted(name for name, obj in callables.items()
                   if "random_state" in _parameters(obj))
    assert not named, f"name the seed argument `seed`: {named}"
    assert "seed" in _parameters(kernels.RandomFourierFeatures) and "seed" in _parameters(LimeImage)


def _parameters(obj):
    try:
        return inspect.signature(obj).parameters
    except (TypeError, ValueError):
        return {}


RENAMED = [
    (lambda **kw: kernels.make_xor(50, **kw)[0], None),
    (lambda **kw: kernels.make_spirals(50, **kw)[0], None),
    (lambda **kw: kernels.kernel_approximation_error(np.eye(4), 8, 0.5, **kw), None),
    (lambda **kw: kernels.RandomFourierFeatures(8, **kw).fit(np.eye(3)).random_weights_, None),
]


@pytest.mark.parametrize("make", [m for m, _ in RENAMED])
def test_random_state_is_an_alias_of_seed(make):
    np.testing.assert_array_equal(make(random_state=3), make(seed=3))
    assert not np.array_equal(make(seed=3), make(seed=4))
    with pytest.raises(TypeError, match=r"both seed and random_state .*pass seed= only"):
        make(seed=3, random_state=3)


def test_the_alias_holds_for_the_explainers_and_the_tabular_methods():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = (X[:, 0] > 0).astype(int)
    from sklearn.linear_model import LogisticRegression
    model = LogisticRegression().fit(X, y)
    for cls in (LimeTabular,):
        old, new = cls(X, random_state=5), cls(X, seed=5)
        assert old.seed == new.seed == 5
        assert old.explain(X[0], model.predict_proba, num_samples=200).weights == \
            new.explain(X[0], model.predict_proba, num_samples=200).weights
    assert LimeText(random_state=2).seed == 2 and LimeImage(random_state=2).seed == 2
    np.testing.assert_array_equal(inspection.permutation_importance(model, X, y, random_state=1).importances,
                                  inspection.permutation_importance(model, X, y, seed=1).importances)
    assert surrogate.global_surrogate(model, X, random_state=0).fidelity == \
        surrogate.global_surrogate(model, X, seed=0).fidelity


def test_the_random_features_are_a_scikit_learn_estimator_with_seed():
    rff = kernels.RandomFourierFeatures(16, gamma=0.3, random_state=7)
    assert rff.get_params() == {"n_components": 16, "gamma": 0.3, "seed": 7}
    np.testing.assert_array_equal(clone(rff).fit(np.eye(3)).random_weights_,
                                  rff.fit(np.eye(3)).random_weights_)


def test_a_bad_seed_is_named_seed():
    with pytest.raises(ValueError, match="seed must be between 0"):
        kernels.make_xor(10, seed=-1)
    with pytest.raises(TypeError, match="seed must be an int"):
        LimeText(seed="a").sample("a b c", lambda texts: np.ones((len(texts), 2)), num_samples=10)
