"""Mistake ids: every refusal a checker raises names the mistake it recognised, the id is a plain
slug that crosses the grader's wire as a string, and only a signed report's id reaches a Grade.

Each catalog entry's own id is asserted where the catalog lives (tests/test_exNN.py, through
``wrong(..., mistake=...)`` and ``fails(..., mistake=...)``); this file checks the checker code.
"""
import ast
import hashlib
import hmac
import json
from pathlib import Path

import pytest

from course_lib.exercises import (FORBIDDEN, UNNAMED, CheckFailed, Incorrect, Question, forbidden,
                                  mistake_from, mistake_id)

EXERCISES = Path(__file__).resolve().parent.parent / "course_lib" / "exercises"
MODULES = sorted(EXERCISES.glob("*.py"))


def raise_sites(path: Path):
    """(function, line, the mistake= expression) of every ``Incorrect(...)`` built in `path`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []

    def visit(node, function):
        for child in ast.iter_child_nodes(node):
            name = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else function
            if isinstance(child, ast.Call) and getattr(child.func, "id", None) == "Incorrect":
                given = next((k.value for k in child.keywords if k.arg == "mistake"), None)
                found.append((name, child.lineno, given))
            visit(child, name)

    visit(tree, "<module>")
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.stem)
def test_every_refusal_names_its_mistake(path):
    sites = raise_sites(path)
    assert sites or path.stem == "__init__"
    unnamed = [line for _, line, given in sites if given is None]
    assert not unnamed, f"{path.name}: Incorrect(...) without mistake= on lines {unnamed}"
    literal = {}
    for function, line, given in sites:
        if isinstance(given, ast.Constant):
            assert mistake_id(given.value) == given.value, (path.name, line, given.value)
            literal.setdefault((function, given.value), []).append(line)
    shared = {k: v for k, v in literal.items() if len(v) > 1 and k[1] != FORBIDDEN}
    assert not shared, f"{path.name}: one id for several raise sites in one function: {shared}"


def test_ids_are_plain_slugs_and_anything_else_reads_unnamed():
    assert mistake_id("wrong-sign") == "wrong-sign"
    for odd in ("", None, 3, "Wrong", "a b", "x<script>", "-x", "a--b", "é", "a" * 61, ["x"]):
        assert mistake_id(odd) == UNNAMED
    assert mistake_from("the sign is flipped: the step is f(upper edge) - f(lower edge)") == \
        "sign-flipped-step"
    assert mistake_from("you divided `X` by 2 (the width) ") == "divided"
    assert mistake_from("") == mistake_from("3, 4") == UNNAMED


def test_the_verdict_carries_the_id_and_a_missing_one_reads_unnamed():
    def checker(answer):
        if answer == 1:
            raise Incorrect("one is wrong", mistake="one-not-two")
        if answer == 3:
            raise Incorrect("three is wrong")
        if answer == 4:
            raise Incorrect("four", mistake="Not A Slug")
        with forbidden(["math.sqrt"], lambda: None):
            import math
            math.sqrt(4)

    question = Question("q9", "a test", ["answer"], checker)
    for answer, mistake in ((1, "one-not-two"), (3, UNNAMED), (4, UNNAMED), (2, FORBIDDEN)):
        with pytest.raises(CheckFailed) as info:
            question.check(answer)
        assert info.value.mistake == mistake
    with pytest.raises(CheckFailed) as info:
        question.check("x", "y")
    assert info.value.mistake == "too-many-answers"


def test_the_kernel_agent_sends_the_id_as_a_string_and_the_grader_checks_it():
    from course_lib.grading import agent
    from course_lib.grading.proxies import rebuilt

    try:
        raise Incorrect("refused", mistake="wrong-order")
    except Incorrect as error:
        sent = agent._raised(lambda: None, error)
    assert json.loads(json.dumps(sent))["mistake"] == "wrong-order"
    back = rebuilt(sent)
    assert isinstance(back, Incorrect) and back.mistake == "wrong-order" and str(back) == "refused"
    assert rebuilt(dict(sent, mistake="<img src=x>")).mistake == UNNAMED
    assert rebuilt(dict(sent, mistake={"a": 1})).mistake == UNNAMED


def signed(key, payload):
    text = json.dumps(payload, sort_keys=True)
    return f"COURSE-GRADE {text} {hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest()}"


def test_only_a_signed_report_gives_the_grade_its_mistake_ids():
    from course_lib.grading.decide import mistakes

    key, other = "k" * 64, "f" * 64
    reports = [signed(key, {"question": "q1", "outcome": "incorrect", "message": "m",
                            "mistake": "share-impossible-rows"}),
               signed(key, {"question": "q2", "outcome": "passed", "message": "", "mistake": ""}),
               signed(key, {"question": "q3", "outcome": "incorrect", "message": "m",
                            "mistake": "x y <b>"}),
               signed(other, {"question": "q4", "outcome": "incorrect", "message": "m",
                              "mistake": "forged-id"})]
    result = {"checks": [{"status": "ok", "error": "", "report": r} for r in reports]}
    assert mistakes(result, key, ["q1", "q2", "q3", "q4"]) == {
        "q1": "share-impossible-rows", "q3": UNNAMED}
