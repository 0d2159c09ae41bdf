"""The grader's channel without a kernel: requests answered by the agent in this very process.

:class:`LoopbackChannel` is :class:`course_lib.grading.remote.Channel` with its one kernel step
(sending the agent's cell) replaced by executing that cell here, in a namespace that stands for
the notebook's. Everything else is the real path: request and response files, the check's
inputs pickled and unpickled, answers encoded by :mod:`~course_lib.grading.agent` (with
:mod:`~course_lib.grading.encoding`) and rebuilt by :func:`~course_lib.grading.wire.decode`. So a check judged through it (:func:`remote_verdict`)
meets the learner's values and functions exactly as the grader's clean process does.
"""
from __future__ import annotations

import tempfile

from course_lib.exercises import CheckCrashed, CheckFailed, NotAttempted
from course_lib.grading import agent
from course_lib.grading.proxies import LearnerExit
from course_lib.grading.remote import Channel


class LoopbackChannel(Channel):
    def __init__(self, namespace: dict, workdir: str):
        super().__init__(None, None, workdir, agent.__file__, timeout=600)
        self.namespace = namespace

    def _execute(self, code: str) -> None:
        exec(compile(code, "<grader cell>", "exec"), self.namespace)


def verdict(run) -> tuple[str, str]:
    """(outcome, message) of `run()`, a check: passed, not attempted, crashed or incorrect."""
    return judgement(run)[:2]


def judgement(run) -> tuple[str, str, str]:
    """(outcome, message, the id of the mistake the check named) of `run()`, a check."""
    try:
        run()
    except NotAttempted as failed:
        return "not attempted", failed.message, failed.mistake
    except CheckCrashed as failed:
        return "crashed", failed.message, failed.mistake
    except CheckFailed as failed:
        return "incorrect", failed.message, failed.mistake
    except (SystemExit, LearnerExit) as error:  # as the harness reports it
        return f"error ({type(error).__name__})", f"{type(error).__name__}: {error}", ""
    return "passed", "", ""


def remote_verdict(question, *answers, **named) -> tuple[str, str]:
    """The verdict of `question` on `answers` judged as the grader does: the answers live in a
    namespace of their own and cross to the check as plain data and function handles."""
    return remote_judgement(question, *answers, **named)[:2]


def remote_judgement(question, *answers, **named) -> tuple[str, str, str]:
    """:func:`remote_verdict` with the id of the mistake the check named."""
    namespace = {"__name__": "__main__", **dict(zip(question.vars, answers)), **named}
    with tempfile.TemporaryDirectory(prefix="loopback-") as folder:
        channel = LoopbackChannel(namespace, folder)
        values, _ = channel.values(question.vars)
        return judgement(lambda: question.judge(values))
