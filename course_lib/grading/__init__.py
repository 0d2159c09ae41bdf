"""Grade a folder of submitted exercise notebooks: one CSV row per file, grades decided by the grader.

``python -m course_lib.grading PATH... --out grades.csv`` (``make grade SUBMISSIONS=dir/``)
finds the notebooks (PATH: files or folders, searched recursively, links never followed),
recognises each one's topic and runs each in its own bubblewrap sandbox
(:mod:`course_lib.grading.sandbox`): the learner's code cells first, then, for each question,
the grader's own check, run in the runner (a process that never runs learner code) on the
learner's answers as they cross from the kernel as plain data (:mod:`.remote`, :mod:`.agent`).
Each check reports back in a line signed with a key the kernel never sees; what the check cells
in the notebook did is ignored.

A submission that is not valid JSON, not a notebook, of another topic, crashes the kernel, runs
past a time limit or patched the course's check code (``tampered``) is a row of zeros with its
status and reason; the run goes on. Student files are only read.

Learner names come from file names (:func:`~course_lib.grading.submissions.learner_name`):
``alice_00_warmup.ipynb`` -> ``alice``; ``alice/00_warmup.ipynb`` -> ``alice``.
``--shard K/N`` grades a deterministic part of the files; ``merge`` joins the parts' CSVs.

The modules, by role: :mod:`.cli` (the command line, ``merge``), :mod:`.batch` (a class of files:
parallel, shards, duplicate and look-alike names), :mod:`.run` (one notebook: settings, the run,
slots, its :class:`Grade`), :mod:`.decide` (signed reports to marks), :mod:`.report` (the CSV,
escaping, merging, the summary), :mod:`.html_report` (``report.html``); :mod:`.submissions`,
:mod:`.reading` and :mod:`.topics` (finding, reading and placing files); inside the sandbox
(:mod:`.sandbox`, :mod:`.cgroups`): :mod:`.harness` (the clean process) with :mod:`.remote` (the
channel to the kernel), :mod:`.wire` (its decoder of plain data) and :mod:`.proxies` (the
learner's functions, objects and exceptions there), and in the kernel :mod:`.agent` (answering
requests), :mod:`.encoding` (values as plain data) and :mod:`.checkrun` (the integrity check, and
the questions of ``remote.IN_KERNEL``); :mod:`.safe` makes submitted text safe to show.
"""
from __future__ import annotations

from .batch import grade, in_shard
from .cli import main
from .html_report import class_report, report_path
from .report import escape, merge, summary, write_csv
from .run import STATUSES, Grade, Settings, course_hashes, grade_submission, stop_all
from .submissions import (Entry, Submission, Topic, check_cells, choose_topic, find_submissions,
                          find_topic, learner_name, notebook_topic, read_notebook, scan, topics)

__all__ = ["Submission", "Entry", "Grade", "Topic", "find_submissions", "scan", "learner_name",
           "topics", "find_topic", "notebook_topic", "read_notebook", "check_cells",
           "choose_topic", "grade_submission", "grade", "write_csv", "merge", "in_shard",
           "summary", "main", "STATUSES", "Settings", "escape", "course_hashes", "class_report",
           "report_path", "stop_all"]
