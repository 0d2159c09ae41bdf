"""Grading a class: every file under the given paths, in parallel, in shards; one Grade per file."""
from __future__ import annotations

import hashlib
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import run, sandbox
from .run import Grade, Settings
from .safe import printable
from .submissions import (Submission, choose_topic, find_topic, lookalikes, scan,
                          topic_votes)

__all__ = ["grade", "in_shard"]


def in_shard(label: str, shard: tuple[int, int] | None) -> bool:
    """Whether the file `label` belongs to shard K of N (a hash of its label; stable everywhere)."""
    if shard is None:
        return True
    k, n = shard
    return int(hashlib.sha256(label.encode("utf-8", "surrogateescape")).hexdigest(), 16) % n == k - 1


def _duplicates(submissions: list[Submission]) -> tuple[dict[str, str], list[str]]:
    """Notes for files whose learner has several files, whose name names someone else, or whose
    learner name looks like another's ({label: note}), and warning lines."""
    by_learner: dict[str, list[str]] = {}
    for s in submissions:
        by_learner.setdefault(s.learner, []).append(s.label)
    notes: dict[str, list[str]] = {}
    lines = []
    for learner, labels in sorted(by_learner.items()):
        if len(labels) > 1:
            for label in labels:
                notes.setdefault(label, []).append(
                    f"duplicate learner (also {', '.join(l for l in labels if l != label)})")
            lines.append(f"duplicate learner {learner}: {', '.join(labels)}")
    similar = lookalikes(by_learner)
    for learner, others in sorted(similar.items()):
        for label in by_learner[learner]:
            notes.setdefault(label, []).append(
                f"the name {learner!r} looks like {', '.join(map(repr, others))} (look-alike letters)")
        lines.append(f"look-alike learner names: {learner!r} and {', '.join(map(repr, others))}")
    for s in submissions:
        if s.note:
            notes.setdefault(s.label, []).insert(0, s.note)
            lines.append(f"{s.label}: {s.note}")
    return {label: "; ".join(n) for label, n in notes.items()}, lines


def grade(paths, topic: str | None = None, cell_timeout: float = 120,
          notebook_timeout: float = 600, jobs: int = 1, partial_credit: bool = False,
          progress=None, sandbox_on: bool = True, shard: tuple[int, int] | None = None,
          settings: Settings | None = None, warnings: list | None = None):
    """Grade every file under `paths`; returns (topic, its questions, one Grade per file).

    Without `topic`, the topic of most learners is graded (one vote per learner, counted over
    all files so that every shard picks the same; a close vote is refused with a ValueError) and
    notebooks of other topics get the status 'wrong topic'. Warning lines (skipped files,
    duplicates, look-alike names) go to `warnings`.
    """
    settings = settings or Settings(cell_timeout, notebook_timeout, partial_credit, sandbox_on)
    submissions, entries, skipped = scan(paths)
    if not submissions and not entries:
        raise FileNotFoundError(f"no notebooks found in {', '.join(map(str, paths))}")
    if settings.sandbox and submissions:  # before any notebook runs: one line, no CSV
        sandbox.bwrap_path()
    chose = []
    if topic is None:
        votes = topic_votes(submissions)
        chosen = choose_topic(submissions, votes)
        chose.append(f"graded topic {chosen.label}, the topic of {votes[chosen]} of "
                     f"{sum(votes.values())} learner(s); pass --topic NN to say which topic to grade")
    else:
        chosen = find_topic(topic)
    questions = chosen.questions()
    names = [q.name for q in questions]
    expected = run.course_hashes()
    stopping = threading.Event()

    def one(submission):
        result = run.grade_submission(submission, chosen, questions, settings, expected)
        if progress is not None and not stopping.is_set():
            progress(result)
        return result

    mine = [s for s in submissions if in_shard(s.label, shard)]
    pool = ThreadPoolExecutor(max_workers=max(1, int(jobs)))
    try:
        grades = list(pool.map(one, mine))
    except BaseException:  # Ctrl-C: stop the notebooks now rather than wait for them
        stopping.set()
        pool.shutdown(wait=False, cancel_futures=True)
        run.stop_all()
        raise
    pool.shutdown()
    for entry in entries:
        if in_shard(entry.label, shard):
            grades.append(Grade(Submission(Path(entry.label), entry.learner, entry.label),
                                dict.fromkeys(names, 0), entry.status, entry.reason))
    grades.sort(key=lambda g: printable(g.submission.label))  # the order `merge` gives
    for g in grades:
        g.topic = chosen.label
    notes, lines = _duplicates(submissions)
    for g in grades:
        if g.submission.label in notes:
            g.reason = "; ".join(r for r in (notes[g.submission.label], g.reason) if r)
    lines = chose + [w for w in skipped if in_shard(w.rsplit(": skipped", 1)[0], shard)] + lines
    if warnings is not None:
        warnings.extend(lines)
    if expected != run.course_hashes():
        raise RuntimeError("course_lib changed on disk while grading; restore it and grade again")
    return chosen, questions, grades
