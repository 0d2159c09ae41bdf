"""Exercise topics (:class:`course_lib.course.Topic`): which exist, which one a notebook belongs
to (its exercises import, else the number in its file name), which cells check which question,
and which topic a class is doing.

Every search here is linear in the notebook's size (no pattern that rescans blank lines)."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from ..course import TOPICS, Topic
from .reading import cell_source, read_notebook

__all__ = ["Topic", "topics", "find_topic", "notebook_topic", "check_cells", "topic_votes",
           "choose_topic", "TOPIC_IN_NAME"]

# `[ \t]*`, never `\s*`, after `^`: with re.M, `\s*` would scan every following blank line from
# every line start (200,000 blank lines took minutes); this way the search is linear.
_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+course_lib\.exercises\.(ex\d\d_\w+)[ \t]+import"
                     r"|import[ \t]+course_lib\.exercises\.(ex\d\d_\w+))", re.M)
TOPIC_IN_NAME = re.compile(r"(?:^|[ _.\-]+)(\d\d)_[A-Za-z]")
_CHECK = re.compile(r"\b(q\w*)\.check\(")


def topics() -> dict[str, Topic]:
    """Every topic with exercises (:data:`course_lib.course.TOPICS`), by number."""
    return {topic.number: topic for topic in TOPICS if topic.module}


def find_topic(text: str) -> Topic:
    """The topic named by `text`: "00", "0", "00_warmup", "warmup" or "ex00_warmup"."""
    known = topics()
    key = str(text).strip().lower()
    for topic in known.values():
        if key in (topic.number, topic.module, topic.slug, topic.label) or (
                key.isdigit() and int(key) == int(topic.number)):
            return topic
    raise ValueError(f"unknown topic {text!r}; the exercise topics are "
                     f"{', '.join(t.label for t in known.values()) or 'none'}")


def _code(source: str) -> str:
    """The source without comment lines (a commented-out ``# q1.check()`` is not a check)."""
    return "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("#"))


def notebook_topic(notebook: dict, path: Path) -> tuple[Topic | None, str]:
    """The topic a notebook belongs to: its exercises import, else the number in its file name."""
    known = topics()
    for cell in notebook["cells"]:
        if cell.get("cell_type") != "code":
            continue
        match = _IMPORT.search(_code(cell_source(cell)))
        if match:
            module = match.group(1) or match.group(2)
            number = module[2:4]
            if number in known and known[number].module == module:
                return known[number], ""
            return None, f"it imports course_lib.exercises.{module}, which does not exist"
    match = TOPIC_IN_NAME.search(Path(path).stem)
    if match and match.group(1) in known:
        return known[match.group(1)], ""
    return None, "no `from course_lib.exercises.exNN_... import *` line and no topic number in its name"


def check_cells(notebook: dict) -> dict[int, list[str]]:
    """Code-cell index (as nbval counts) -> the questions whose ``qN.check(`` the cell calls."""
    found, index = {}, 0
    for cell in notebook["cells"]:
        if cell.get("cell_type") != "code":
            continue
        names = _CHECK.findall(_code(cell_source(cell)))
        if names:
            found[index] = list(dict.fromkeys(names))
        index += 1
    return found



def topic_votes(submissions: list) -> Counter:
    """One vote per learner: the topic most of that learner's readable notebooks belong to."""
    by_learner: dict[str, Counter] = {}
    for submission in submissions:
        notebook, _, _ = read_notebook(submission.path)
        if notebook is not None:
            found, _ = notebook_topic(notebook, submission.path)
            if found is not None:
                by_learner.setdefault(submission.learner, Counter())[found] += 1
    votes = Counter()
    for seen in by_learner.values():
        votes[min(seen, key=lambda t: (-seen[t], t.number))] += 1
    return votes


def choose_topic(submissions: list, votes: Counter | None = None) -> Topic:
    """The topic of most learners (one vote each, :func:`topic_votes`); refuses to guess when
    the vote is close (the winner has fewer than twice the runner-up's votes)."""
    votes = topic_votes(submissions) if votes is None else votes
    if not votes:
        raise ValueError("no submission names an exercise topic; pass --topic NN")
    ranked = sorted(votes, key=lambda t: (-votes[t], t.number))
    if len(ranked) > 1 and votes[ranked[0]] < 2 * votes[ranked[1]]:
        split = ", ".join(f"{t.label} ({votes[t]} learner{'s' * (votes[t] != 1)})" for t in ranked[:3])
        raise ValueError(f"the learners' notebooks are split between topics: {split}; "
                         f"pass --topic NN (make grade TOPIC=NN) to say which one to grade")
    return ranked[0]
