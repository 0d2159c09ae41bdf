"""Grading throughput: one warm-up notebook (the solution) graded in the sandbox against without it.

On a loaded shared machine the two whole-notebook times differ by more than the sandbox costs, so
the notes also time what the sandbox adds to starting a process (bwrap and the cgroups).

"ours" is the grader with its bubblewrap sandbox, "reference" the same grader with --no-sandbox;
the ratio is the sandbox's cost (the goal: under 1.2). Notes give notebooks graded per minute per
core for both (one notebook at a time, which keeps about one core busy). Without bwrap both sides run unsandboxed and the notes say so.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from harness import Benchmark


def setup():
    from course_lib.grading import course_hashes, find_topic
    from course_lib.grading.submissions import Submission

    folder = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    path = folder / "alice_00_warmup.ipynb"
    shutil.copy(Path(__file__).resolve().parent.parent / "solutions" / "00_warmup.ipynb", path)
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
    assert grade.total == len(ctx["questions"]), (grade.total, grade.status, grade.reason)
    return grade


def ours(ctx):
    return _grade(ctx, shutil.which("bwrap") is not None)


def reference(ctx):
    return _grade(ctx, False)


def _start_cost() -> float:
    """Seconds the sandbox adds to starting a process: bwrap and the cgroups, best of 7."""
    import subprocess
    import sys
    import time

    from course_lib.grading import sandbox

    folder = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    best = {}
    for wrapped in (True, False):
        times = []
        for i in range(7):
            group = sandbox.Cgroup(f"bench-{folder.name}-{i}", 1 << 30, 100) if wrapped else None
            command = [sys.executable, "-c", "pass"]
            command = group.wrap(sandbox.bwrap_command(folder, command)) if wrapped else command
            start = time.perf_counter()
            subprocess.run(command, check=True)
            if group is not None:
                group.close()
            times.append(time.perf_counter() - start)
        best[wrapped] = min(times)
    shutil.rmtree(folder, ignore_errors=True)
    return best[True] - best[False]


def notes(ctx):
    if shutil.which("bwrap") is None:
        return {"bwrap": "not installed: both sides ran without the sandbox"}
    best = {k: min(v) for k, v in ctx["times"].items()}
    start = _start_cost()
    return {"sandbox start": f"+{1000 * start:.0f} ms ({start / best[False]:.1%} of a notebook)",
            "notebooks/min/core": f"sandbox {60 / best[True]:.1f}, none {60 / best[False]:.1f}",
            "overhead (best of 3 each)": f"{best[True] - best[False]:+.1f} s, "
                                         f"{best[True] / best[False] - 1:+.0%}"}


BENCHMARKS = [
    Benchmark("grading: warm-up solution, bwrap sandbox vs none", setup, ours, reference,
              repeat=2, notes=notes),
]
