"""q5 of the warm-up: choosing a method for a stated need; right answers pass, typical mistakes are named."""
import pandas as pd
import pytest

from course_lib.exercises import NotAttempted
from course_lib.exercises import ex00_warmup as ex
from exercise_helpers import fails, never_crashes, passes, solution

RIGHT = {"a": "counterfactual", "b": "Grad-CAM", "c": "logistic regression", "d": "TreeSHAP",
         "e": "permutation importance", "f": "PDP/ICE", "g": "no explanation"}


def answer(**changes):
    return {**RIGHT, **changes}


def test_right_answers_pass_however_written():
    passes(ex.q5, RIGHT)
    passes(ex.q5, solution(ex.q5, "choices"))
    written_differently = {"a": "Counterfactual", "b": "gradcam", "c": "Depth-3 tree", "d": "tree shap",
                           "e": "Permutation Importance", "f": "pdp", "g": "none"}
    passes(ex.q5, written_differently)
    passes(ex.q5, pd.Series(answer(b="LIME")))          # LIME on superpixels answers (b) too
    passes(ex.q5, answer(e="drop-column importance"))   # (e) says "without each one": refit too
    passes(ex.q5, answer(e="Drop column"))


@pytest.mark.parametrize("changes, message", [
    (dict(a="TreeSHAP"), "not what Anna could change"),                 # attribution is not recourse
    (dict(a="permutation importance"), "permutation importance is global"),   # global for a local need
    (dict(c="TreeSHAP"), "intrinsically interpretable model"),           # post-hoc where intrinsic is asked
    (dict(c="LIME"), "intrinsically interpretable model"),
    (dict(d="LIME"), "exact log-odds contributions"),                    # approximate where exact is asked
    (dict(e="TreeSHAP"), "needs a tree model"),                          # model-specific on a network
    (dict(b="TreeSHAP"), "TreeSHAP needs a tree model"),
    (dict(f="permutation importance"), "one number per feature"),
    (dict(g="LIME"), "no explanation is needed"),                        # explaining where none is needed
    (dict(g="depth-3 tree", a="counterfactual"), "answers: the model itself"),   # generic message
])
def test_typical_mistakes_are_named(changes, message):
    fails(ex.q5, answer(**changes), match=message)


def test_several_mistakes_are_counted():
    message = fails(ex.q5, answer(a="LIME", d="LIME", g="TreeSHAP"), match="need (a)",
                    mistake="need-a-lime")
    assert "2 more to fix" in message


@pytest.mark.parametrize("choices, message", [
    ({k: v for k, v in RIGHT.items() if k != "g"}, "missing keys ['g']"),
    (answer(h="LIME"), "unexpected keys ['h']"),
    (answer(d="SHAP"), "which one, TreeSHAP"),
    (answer(e="saliency"), "is not on the menu"),
    (answer(e=3), "should be a method name"),
    (list(RIGHT.values()), "should be a dict"),
])
def test_malformed_answers_get_feedback(choices, message):
    fails(ex.q5, choices, match=message)


def test_no_crash_and_not_attempted():
    never_crashes(ex.q5, [None, float("nan"), "", [], {}, pd.DataFrame(), 1.5, {"a": None}])
    with pytest.raises(NotAttempted):
        ex.q5.check(ex.PLACEHOLDER)


def test_catalog_is_consistent():
    assert ex.QUESTIONS[-1] is ex.q5 and len(ex.QUESTIONS) == 5
    for need, (text, accepted) in ex.NEEDS.items():
        assert accepted <= set(ex.METHODS), need
        assert text.endswith(".")
    for (need, method) in ex._MISTAKES:
        assert need in ex.NEEDS and method in ex.METHODS and method not in ex.NEEDS[need][1]
    assert len(ex.q5.hints) >= 3
