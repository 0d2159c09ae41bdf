"""Grading throughput: one warm-up notebook (the solution) graded in the sandbox against without it.

"ours" is the grader with its bubblewrap sandbox, "reference" the same grader with --no-sandbox;
the ratio is the sandbox's cost (the goal: under 1.2). Notes give notebooks graded per minute per
core for both (one notebook at a time, which keeps about one core busy). Needs bwrap.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from harness import Benchmark


def setup():
    from course_lib.grading import course_hashes, find_topic
    from course_lib.grading.submissions import Submission
    from course_lib.notebook_tools import ROOT

    folder = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    path = folder / "alice_00_warmup.ipynb"
    shutil.copy(ROOT / "solutions" / "00_warmup.ipynb", path)
    topic = find_topic("00")
    return {"submission": Submission(path, "alice", path.name), "topic": topic,
            "questions": topic.questions(), "expected": course_hashes(), "times": {}}


def _grade(ctx, sandboxed: bool):
    import time

    from course_lib.grading import Settings, grade_submission

    start = time.perf_counter()
    grade = grade_submission(ctx["submission"], ctx["topic"], ctx["questions"],
                             Settings(sandbox=sandboxed), ctx["expected"])
    ctx["times"].setdefault(sandboxed, []).append(time.perf_counter() - start)
    assert grade.total == 4, (grade.status, grade.reason)
    return grade


def ours(ctx):
    return _grade(ctx, True)


def reference(ctx):
    return _grade(ctx, False)


def notes(ctx):
    best = {k: min(v) for k, v in ctx["times"].items()}
    return {"notebooks/min/core": f"sandbox {60 / best[True]:.1f}, none {60 / best[False]:.1f}",
            "overhead": f"{best[True] - best[False]:+.1f} s"}


BENCHMARKS = [
    Benchmark("grading: warm-up solution, bwrap sandbox vs none", setup, ours, reference,
              repeat=1, notes=notes),
] if shutil.which("bwrap") else []
