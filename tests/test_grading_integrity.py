"""The integrity comparison (loaded course module against its source), in this process: honest
modules give nothing; each patch the hostile class once slipped through is named."""
import functools
import importlib
import sys
from pathlib import Path

import pytest

from course_lib.grading import integrity, sandbox

PACKAGE = str(sandbox.PACKAGE_DIR)
SEEDS = Path(PACKAGE) / "_validation" / "seeds.py"
integrity.trust_wrappers(SEEDS.read_bytes(), str(SEEDS))


def problems_of(name: str) -> list[str]:
    module = sys.modules[name]
    found: list[str] = []
    integrity.compare_module(module, Path(module.__file__).read_bytes(), found, PACKAGE)
    return found


@pytest.fixture(scope="module", autouse=True)
def loaded():
    """Every module of the course (what a notebook of any topic may have loaded)."""
    import pkgutil

    import course_lib

    for info in pkgutil.walk_packages(course_lib.__path__, "course_lib."):
        if not info.name.startswith("course_lib.grading"):
            importlib.import_module(info.name)


def test_every_loaded_course_module_equals_its_source():
    names = sorted(n for n, m in sys.modules.items() if m is not None and
                   (n == "course_lib" or n.startswith("course_lib.")) and getattr(m, "__file__", None)
                   and not n.startswith("course_lib.grading"))
    assert len(names) > 40
    assert {n: problems_of(n) for n in names if problems_of(n)} == {}


def test_a_changed_constant(monkeypatch):
    monkeypatch.setattr("course_lib.cardio_rules.SYSTOLIC_RANGE", (0, 1000))
    assert problems_of("course_lib.cardio_rules") == ["course_lib.cardio_rules.SYSTOLIC_RANGE changed"]


def test_a_replaced_name_the_module_only_re_exports(monkeypatch):
    monkeypatch.setattr("course_lib.shapley.model_game", lambda *args, **kwargs: None)
    assert problems_of("course_lib.shapley") == ["course_lib.shapley.model_game replaced"]


def test_a_method_assigned_onto_a_class_that_only_inherits_it(monkeypatch):
    from course_lib import exercises

    monkeypatch.setattr(exercises.NotAttempted, "_render_traceback_", lambda self: [], raising=False)
    assert problems_of("course_lib.exercises") == [
        "course_lib.exercises.NotAttempted._render_traceback_ added"]


def test_a_partial_in_place_of_a_function(monkeypatch):
    from course_lib import cardio_rules

    monkeypatch.setattr(cardio_rules, "drop_impossible", functools.partial(lambda t, x: t, x=1))
    assert problems_of("course_lib.cardio_rules") == ["course_lib.cardio_rules.drop_impossible replaced"]


def test_a_fake_under_a_library_decorator(monkeypatch):
    """Decorated functions are compared through the decorator, so a decorated fake still differs."""
    import torch

    from course_lib import metrics

    monkeypatch.setattr(metrics, "randomize_layer", torch.no_grad()(lambda module, generator: None))
    assert problems_of("course_lib.metrics") == ["course_lib.metrics.randomize_layer patched"]


def test_a_seed_alias_wrapper_is_compared_through_to_what_it_calls(monkeypatch):
    """The course's ``seed_alias`` wrapper is transparent only when it is the source's and calls
    the function it names: wrapping another function, or naming the original while calling
    another, is a patch."""
    from course_lib import inspection
    from course_lib._validation.seeds import seed_alias

    assert problems_of("course_lib.inspection") == []
    original = inspection.permutation_importance.__wrapped__

    def fake(*args, **kwargs):
        return None

    monkeypatch.setattr(inspection, "permutation_importance", seed_alias(fake))
    assert problems_of("course_lib.inspection") == ["course_lib.inspection.permutation_importance patched"]
    disguised = seed_alias(fake)
    disguised.__wrapped__ = original
    monkeypatch.setattr(inspection, "permutation_importance", disguised)
    assert problems_of("course_lib.inspection") == ["course_lib.inspection.permutation_importance patched"]
