"""Grade a folder of submitted exercise notebooks with nbval: one CSV row per submission.

``python -m course_lib.grading PATH... --out grades.csv`` (``make grade SUBMISSIONS=dir/``)
finds the notebooks (PATH: files or folders, searched recursively), recognises each one's topic,
runs each in a temporary copy under ``pytest --nbval-lax`` (:mod:`course_lib.grading.runner`)
and scores question ``qN`` 1 when a cell calling ``qN.check(...)`` passed, else 0.

A submission that is not valid JSON, not a notebook, of another topic, crashes the kernel or runs
past a time limit is a row of zeros with its status and reason; the run goes on. Student files
are only read. Grading executes student code: run it in a container or a throw-away VM.

Learner names come from file names (:func:`~course_lib.grading.submissions.learner_name`):
``alice_00_warmup.ipynb`` -> ``alice``; ``alice/00_warmup.ipynb`` -> ``alice``.
"""
from __future__ import annotations

import csv
import io
import re
import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .runner import RunResult, run_notebook, stop_all, strip_ansi
from .submissions import (Submission, Topic, check_cells, choose_topic, find_submissions,
                          find_topic, learner_name, neutralise, notebook_topic, read_notebook,
                          topics)

__all__ = ["Submission", "Grade", "Topic", "find_submissions", "learner_name", "topics",
           "find_topic", "notebook_topic", "read_notebook", "check_cells", "choose_topic",
           "grade_submission", "grade", "write_csv", "summary", "main", "STATUSES"]

STATUSES = ("ok", "timeout", "kernel died", "invalid json", "not a notebook", "wrong topic", "error")


# ------------------------------------------------------------------------------ grading
@dataclass
class Grade:
    """One CSV row: the learner, 1/0 per question, the total, the status and its reason."""

    submission: Submission
    scores: dict[str, int]
    status: str
    reason: str = ""
    seconds: float = 0.0
    details: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.scores.values())


def _question_note(message: str) -> str:
    """Why a check cell failed, in two or three words."""
    text = strip_ansi(message)
    if "Not attempted yet" in text:
        return "not attempted"
    if "✗ Not yet" in text:
        return "incorrect"
    if "Could not check" in text:
        return "could not check"
    match = re.search(r"^(\w+(?:Error|Exception))\b", text, re.M)
    return f"error ({match.group(1)})" if match else "failed"


def grade_submission(submission: Submission, topic: Topic | None, questions: list,
                     cell_timeout: float = 120, notebook_timeout: float = 600,
                     partial_credit: bool = False) -> Grade:
    """Grade one file against `topic` (None: whatever topic the notebook has, with `questions`)."""
    names = [q.name for q in questions]
    zeros = dict.fromkeys(names, 0)
    notebook, status, reason = read_notebook(submission.path)
    if notebook is None:
        return Grade(submission, zeros, status, reason)
    found, why = notebook_topic(notebook, submission.path)
    if topic is not None and (found is None or found != topic):
        reason = (f"this is topic {found.label}, the run grades {topic.label}" if found
                  else f"{why}; the run grades {topic.label}")
        return Grade(submission, zeros, "wrong topic", reason)
    checks = check_cells(notebook)
    result: RunResult = run_notebook(neutralise(notebook, checks), cell_timeout, notebook_timeout)
    passed, details = {}, {}
    for name in names:
        indices = [i for i, qs in checks.items() if name in qs]
        outcomes = [result.cells.get(i) for i in indices]
        passed[name] = int(any(o is not None and o.outcome == "passed" for o in outcomes))
        if not indices:
            details[name] = "no check cell"
        elif not passed[name]:
            last = next((o for o in reversed(outcomes) if o is not None), None)
            details[name] = ("not run" if last is None else "skipped" if last.outcome == "skipped"
                             else _question_note(last.message))
    if result.status != "ok":
        scores = passed if partial_credit else zeros
        return Grade(submission, scores, result.status, result.reason, result.seconds, details)
    reason = "; ".join(f"{name} {note}" for name, note in details.items())
    return Grade(submission, passed, "ok", reason, result.seconds, details)


def grade(paths, topic: str | None = None, cell_timeout: float = 120,
          notebook_timeout: float = 600, jobs: int = 1, partial_credit: bool = False,
          progress=None) -> tuple[Topic, list, list[Grade]]:
    """Grade every submission under `paths`; returns (topic, its questions, one Grade per file).

    Without `topic`, the topic most submissions belong to is graded (ties: the lowest number)
    and notebooks of other topics get the status 'wrong topic'.
    """
    submissions = find_submissions(paths)
    if not submissions:
        raise FileNotFoundError(f"no notebooks found in {', '.join(map(str, paths))}")
    chosen = find_topic(topic) if topic is not None else choose_topic(submissions)
    questions = chosen.questions()

    stopping = threading.Event()

    def one(submission):
        result = grade_submission(submission, chosen, questions, cell_timeout, notebook_timeout,
                                  partial_credit)
        if progress is not None and not stopping.is_set():
            progress(result)
        return result

    pool = ThreadPoolExecutor(max_workers=max(1, int(jobs)))
    try:
        grades = list(pool.map(one, submissions))  # map keeps the input order
    except BaseException:  # Ctrl-C: stop the notebooks now rather than wait for them
        stopping.set()
        pool.shutdown(wait=False, cancel_futures=True)
        stop_all()
        raise
    pool.shutdown()
    return chosen, questions, grades


# ------------------------------------------------------------------------------ output
def write_csv(grades: list[Grade], questions: list, out) -> str:
    """The CSV text (learner, one 1/0 column per question, total, status, reason, file); written to `out`."""
    names = [q.name for q in questions]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["learner", *names, "total", "status", "reason", "file"])
    for g in grades:
        writer.writerow([g.submission.learner, *(g.scores[n] for n in names), g.total, g.status,
                         g.reason, g.submission.label])
    text = buffer.getvalue()
    if out is not None:
        Path(out).write_text(text, encoding="utf-8")
    return text


def summary(topic: Topic, questions: list, grades: list[Grade]) -> str:
    """A plain-text table: per-question pass rate, the mean total, and the statuses."""
    n = len(grades)
    width = max([len(q.name) for q in questions] + [8])
    lines = [f"Topic {topic.label}: {n} submission(s)", "",
             f"{'question':<{width}}  {'passed':>7}  {'rate':>5}  title"]
    for q in questions:
        k = sum(g.scores[q.name] for g in grades)
        lines.append(f"{q.name:<{width}}  {f'{k}/{n}':>7}  {100 * k / n:3.0f} %  {q.title}")
    mean = sum(g.total for g in grades) / n
    lines += ["", f"mean total: {mean:.2f} / {len(questions)}",
              "status: " + ", ".join(f"{s} {c}" for s, c in sorted(
                  Counter(g.status for g in grades).items(), key=lambda i: STATUSES.index(i[0])))]
    problems = [g for g in grades if g.status != "ok"]
    for g in problems:
        lines.append(f"  {g.submission.label}: {g.status}: {g.reason}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    import argparse
    import signal
    import time

    parser = argparse.ArgumentParser(
        prog="python -m course_lib.grading",
        description="Grade exercise notebooks with nbval. This executes student code: run it in "
                    "a container or a throw-away VM.")
    parser.add_argument("paths", nargs="+", metavar="PATH", help="notebooks or folders of notebooks")
    parser.add_argument("--out", default="grades.csv", help="the CSV to write (default grades.csv)")
    parser.add_argument("--timeout-cell", type=float, default=120, metavar="S",
                        help="seconds one cell may run (default 120)")
    parser.add_argument("--timeout-notebook", type=float, default=600, metavar="S",
                        help="seconds one notebook may run in all, kernel start included (default 600)")
    parser.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="notebooks graded at the same time (default 1)")
    parser.add_argument("--topic", metavar="NN",
                        help="the topic to grade (e.g. 00); others get 'wrong topic'. "
                             "Default: the topic most submissions belong to")
    parser.add_argument("--partial-credit", action="store_true",
                        help="after a timeout or a dead kernel, keep the checks that passed before it")
    args = parser.parse_args(argv)
    if args.jobs < 1 or args.timeout_cell <= 0 or args.timeout_notebook <= 0:
        parser.error("--jobs, --timeout-cell and --timeout-notebook must be positive")
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)  # `kill` and Ctrl-C both stop the running notebooks
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:  # started in the background
        signal.signal(signal.SIGINT, interrupt)
    started = time.monotonic()
    done = []

    def progress(g: Grade):
        done.append(g)
        print(f"[{len(done)}] {g.submission.label}: {g.total} point(s), {g.status}"
              + (f" ({g.reason})" if g.reason else ""), flush=True)

    try:
        topic, questions, grades = grade(args.paths, args.topic, args.timeout_cell,
                                         args.timeout_notebook, args.jobs, args.partial_credit,
                                         progress)
    except (FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: the notebooks still running were stopped; no CSV written",
              file=sys.stderr)
        return 130
    write_csv(grades, questions, args.out)
    print()
    print(summary(topic, questions, grades))
    print(f"\nwrote {args.out} in {time.monotonic() - started:.0f} s")
    return 0
