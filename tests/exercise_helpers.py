"""Shared assertions for the checker tests (tests/test_exNN.py)."""
import json
import os
import re
import sys

import numpy as np
import pytest

from course_lib.exercises import UNNAMED, CheckCrashed, CheckFailed, NotAttempted, mistake_id


def passes(question, *answers):
    """The answer is accepted (check() raises CheckFailed when it is not)."""
    question.check(*answers)


def fails(question, *answers, match, mistake=None):
    """The answer is refused as wrong (not 'crashed', not 'not attempted'), with `match` in the
    message and a named mistake id: `mistake` when given (what the class report counts)."""
    message, got = _refused(question, answers, match, mistake)
    site = sys._getframe(1)
    _record((site.f_code.co_filename, site.f_lineno), question, got, message)
    return message


def _refused(question, answers, match, mistake):
    """(message, mistake id) of a refusal as :func:`fails` asserts it."""
    with pytest.raises(CheckFailed) as info:
        question.check(*answers)
    assert type(info.value) is CheckFailed, info.value.message
    assert match in info.value.message, info.value.message
    got = info.value.mistake
    assert got != UNNAMED and mistake_id(got) == got, (got, info.value.message)
    if mistake is not None:
        assert got == mistake, (got, info.value.message)
    return info.value.message, got


#: Set COURSE_RECORD_MISTAKES to a file to append [file, line, question, id, message] for each
#: refusal (how the catalogs' `mistake=` were first written).
_RECORD = os.environ.get("COURSE_RECORD_MISTAKES")


def _record(site, question, mistake, message):
    if _RECORD:
        with open(_RECORD, "a", encoding="utf-8") as handle:
            handle.write(json.dumps([*site, question.name, mistake, message[:200]]) + "\n")


def _wording(message: str) -> str:
    """A message without what one mistake's messages vary in: the numbers, the names in
    backquotes (which input was changed) and the asides in parentheses (which shape)."""
    text = re.sub(r"`[^`]*`", "`#`", message)
    while re.search(r"\([^()]*\)", text):
        text = re.sub(r"\([^()]*\)", "", text)
    return re.sub(r"-?\d+(\.\d+)?(e[-+]?\d+)?", "#", text)


def not_attempted(question, *answers):
    """The answer is still the stub or the placeholder."""
    with pytest.raises(NotAttempted):
        question.check(*answers)


def never_crashes(question, values):
    """Each value, given as every answer at once, gets feedback (pass or fail), never CheckCrashed."""
    for value in values:
        answers = [value] * len(question.vars)
        try:
            question.check(*answers)
        except CheckCrashed as crash:  # pragma: no cover - the failure message says which
            pytest.fail(f"{question.name} crashed on {value!r}: {crash.message}")
        except CheckFailed:
            pass


def solution(question, name, **namespace):
    """What the question's own solution code defines as `name` (run with `namespace` as globals)."""
    exec(question.solution_code, namespace)
    return namespace[name]


def stub(*args, **kwargs):
    """An answer the learner has not written yet: the generated exercise's `raise NotImplementedError`."""
    raise NotImplementedError


def solution_namespace(module, **namespace):
    """Every question's solution code of a checker `module`, run in one namespace with the module's
    public names (and `namespace`, e.g. np=np): what a learner who pasted every solution has."""
    namespace.update({name: getattr(module, name) for name in module.__all__})
    for question in module.QUESTIONS:
        exec(question.solution_code, namespace)
    return namespace


def questions_are_listed(module, count):
    """The checker module lists q1..q<count>, each with hints and a solution to show."""
    assert [q.name for q in module.QUESTIONS] == [f"q{i}" for i in range(1, count + 1)]
    for question in module.QUESTIONS:
        assert question.hints and question.solution_code


def placeholders_and_odd_values_never_crash(module, stubbed):
    """Placeholders count as not attempted, odd values never crash a check, and the first
    `stubbed` questions treat an untouched stub function as not attempted."""
    for question in module.QUESTIONS:
        not_attempted(question, *[module.PLACEHOLDER] * len(question.vars))
        never_crashes(question, [None, "text", 3, np.nan, [1, 2], {}, np.zeros((2, 2))])
    for question in module.QUESTIONS[:stubbed]:
        not_attempted(question, stub)


# ------------------------------------------------------------------------------ catalogs
#: Every catalog entry checked so far: (topic, question, specific?), for the share of rejection
#: messages that name the learner's mistake (reported by tests/test_ex*.py per topic).
CATALOG_LOG = []


def wrong(answer, match, generic=False, mistake=None):
    """A typical wrong answer, the words its message must contain and the id of the mistake the
    check names (None: any named id); `generic` marks an entry whose message only states the
    failed property (not the specific mistake)."""
    site = sys._getframe(1)
    return (answer, match, generic, mistake, (site.f_code.co_filename, site.f_lineno))


def run_catalog(topic, question, wrongs, rights):
    """Each wrong answer is refused with its own message and mistake id; each right answer is
    accepted. Specific entries whose messages differ in more than the numbers they quote get
    different ids: the class report counts each mistake apart."""
    for answer in rights:
        passes(question, *(answer if isinstance(answer, tuple) else (answer,)))
    ids = {}
    for answer, match, generic, mistake, site in wrongs:
        message, got = _refused(question, answer if isinstance(answer, tuple) else (answer,),
                                match, mistake)
        _record(site, question, got, message)
        CATALOG_LOG.append((topic, question.name, not generic))
        if not generic:
            ids.setdefault(got, set()).add(_wording(message))
    merged = {mistake: sorted(words) for mistake, words in ids.items() if len(words) > 1}
    assert not merged, f"{question.name}: different mistakes share an id: {merged}"


def specific_share(topic):
    entries = [specific for t, _, specific in CATALOG_LOG if t == topic]
    return sum(entries) / len(entries), len(entries)
