"""Grading one notebook: the settings, the run in the sandbox, the grade.

:func:`grade_submission` reads one file, checks its topic, runs it (learner cells, then the
grader's checks: :mod:`~course_lib.grading.harness` inside :mod:`~course_lib.grading.sandbox`)
and turns the signed reports into a :class:`Grade` (:mod:`~course_lib.grading.decide`).
Whatever goes wrong with one file is that file's row.
"""
from __future__ import annotations

import hashlib
import json
import os
import queue
import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import checkrun, remote, sandbox
from .decide import decide, messages, mistakes
from .harness import RESULT_MARK
from .safe import strip_ansi
from .submissions import Submission, Topic, cell_source, notebook_topic, read_notebook

__all__ = ["STATUSES", "Grade", "Settings", "course_hashes", "grade_submission", "stop_all",
           "Slots", "ADDRESS_HEADROOM"]

STATUSES = ("ok", "tampered", "timeout", "kernel died", "invalid json", "not a notebook",
            "wrong topic", "refused", "missing", "error")

@dataclass
class Grade:
    """One CSV row: the learner, 1/0 per question, the total, the status and its reason."""

    submission: Submission
    scores: dict[str, int]
    status: str
    reason: str = ""
    seconds: float = 0.0
    details: dict[str, str] = field(default_factory=dict)
    topic: str = ""
    messages: dict[str, str] = field(default_factory=dict)  # question -> the feedback shown
    mistakes: dict[str, str] = field(default_factory=dict)  # question -> the mistake's id

    @property
    def total(self) -> int:
        return sum(self.scores.values())


@dataclass
class Settings:
    """How each notebook runs: time limits, the sandbox and its resource limits."""

    cell_timeout: float = 120
    notebook_timeout: float = 600
    partial_credit: bool = False
    sandbox: bool = True
    memory_bytes: int = 4 << 30
    processes: int = 256
    file_bytes: int = 256 << 20


#: Address space allowed beyond the memory limit: the kernel maps ~4 GiB of libraries it never uses.
ADDRESS_HEADROOM = 6 << 30


def course_hashes() -> dict[str, str]:
    """sha256 of every file of course_lib, by path relative to the package."""
    root = sandbox.PACKAGE_DIR
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*.py")) if "__pycache__" not in p.parts}


def _environment(workdir: Path) -> dict[str, str]:
    from ..assets import data_dir

    keep = ("PATH", "LANG", "LC_ALL", "TZ", "COURSE_OFFLINE", "COURSE_QUICK", "MPLBACKEND",
            "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
    env = {k: v for k, v in os.environ.items() if k in keep or k.startswith("COURSE_")}
    for name, value in (("COURSE_OFFLINE", "1"), ("COURSE_QUICK", "1"), ("MPLBACKEND", "Agg"),
                        ("OMP_NUM_THREADS", "1"), ("MKL_NUM_THREADS", "1"),
                        ("OPENBLAS_NUM_THREADS", "1"), ("PATH", "/usr/bin:/bin")):
        env.setdefault(name, value)
    env.update(PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1", HOME=str(workdir),
               PYTHONPATH=str(sandbox.PACKAGE_DIR.parent), COURSE_DATA_DIR=str(data_dir()),
               JUPYTER_RUNTIME_DIR=str(workdir / ".jupyter"), IPYTHONDIR=str(workdir / ".ipython"),
               MPLCONFIGDIR=str(workdir / ".matplotlib"), TMPDIR="/tmp")
    return env


def _run(notebook: dict, module: str, names: list[str], settings: Settings, expected: dict,
         slot: int) -> tuple[dict | None, tuple[str, str], str]:
    """Run one notebook and its checks; (harness result, (clean key, kernel key), why there is
    none). Questions judged in the clean process are signed by the harness with the clean key,
    which never enters the kernel; the cells still sent to the kernel carry the kernel key."""
    key, kernel_key = secrets.token_hex(32), secrets.token_hex(32)
    package = str(sandbox.PACKAGE_DIR)
    workdir = Path(tempfile.mkdtemp(prefix="course-grade-"))
    checks = []
    for name in [*names, None]:  # each report in a file of its own, named when the check is sent
        if name is not None and remote.crosses(module, name):
            checks.append({"clean": name})
            continue
        out = str(workdir / f".report-{secrets.token_hex(8)}")
        checks.append({"code": checkrun.cell(kernel_key, package, module, name, expected, out),
                       "report": out})
    cells = [cell_source(c) for c in notebook["cells"] if c.get("cell_type") == "code"]
    uid = sandbox.BASE_UID + slot if settings.sandbox and os.getuid() == 0 else None
    job = {"cells": cells, "checks": checks, "module": module, "clean_key": key, "cell_timeout": settings.cell_timeout,
           "check_timeout": settings.cell_timeout, "startup_timeout": 60, "remove_job": True,
           "uid": uid,
           "memory_bytes": settings.memory_bytes + ADDRESS_HEADROOM if settings.sandbox else None,
           # RLIMIT_NPROC counts every process of a uid: only for the sandbox's own uid
           "processes": settings.processes if uid is not None else None,
           "file_bytes": settings.file_bytes if settings.sandbox else None}
    try:
        (workdir / "submission.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
        job_file = workdir / ".job.json"
        descriptor = os.open(job_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(job, handle)
        _copy_font_list(workdir / ".matplotlib")
        if uid is not None:
            for path in (workdir, *workdir.rglob("*")):
                if path != job_file:
                    os.chown(path, uid, uid)
        output, stopped = sandbox.run(workdir, job_file, _environment(workdir),
                                      settings.notebook_timeout, settings.sandbox, _register,
                                      settings.memory_bytes, settings.processes + 64,
                                      settings.file_bytes)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    keys = (key, kernel_key)
    if stopped:
        return None, keys, "timeout"
    lines = [line for line in output.splitlines() if line.startswith(RESULT_MARK)]
    if not lines:
        tail = " | ".join(strip_ansi(output).strip().splitlines()[-3:])
        return None, keys, f"the notebook runner stopped without a result: {tail}"[:300]
    return json.loads(lines[-1][len(RESULT_MARK):]), keys, ""


def _copy_font_list(folder: Path) -> None:
    """Give each run the grader's matplotlib font list, so that no kernel spends seconds on it."""
    try:
        import matplotlib

        cache = Path(matplotlib.get_cachedir())
    except Exception:
        return
    for path in cache.glob("fontlist-*.json"):
        folder.mkdir(exist_ok=True)
        shutil.copy(path, folder / path.name)


_RUNNING: set = set()
_RUNNING_LOCK = threading.Lock()


def _register(process) -> None:
    with _RUNNING_LOCK:
        _RUNNING.add(process)


def stop_all() -> None:
    """Kill every sandbox still running (Ctrl-C)."""
    with _RUNNING_LOCK:
        running = list(_RUNNING)
    for process in running:
        sandbox._kill_group(process)


class Slots:
    """Sandbox slots: each notebook running at once has its own (its uid is BASE_UID + slot, so
    that per-uid process limits and keyrings are never shared by two notebooks at a time)."""

    def __init__(self):
        self._free: "queue.Queue[int]" = queue.Queue()
        self._made = 0
        self._lock = threading.Lock()

    def take(self) -> int:
        try:
            return self._free.get_nowait()
        except queue.Empty:
            with self._lock:
                self._made += 1
                return (os.getpid() % 500) * 16 + self._made - 1

    def give_back(self, slot: int) -> None:
        self._free.put(slot)


SLOTS = Slots()


def grade_submission(submission: Submission, topic: Topic | None, questions: list,
                     settings: Settings | None = None, expected: dict | None = None) -> Grade:
    """Grade one file against `topic` (None: whatever topic the notebook has, with `questions`).

    Whatever goes wrong while reading or grading this one file is its `error` row, never the
    end of the run."""
    try:
        return _grade_one(submission, topic, questions, settings, expected)
    except Exception as error:  # the grader's own failure on this file: a row with the reason
        return Grade(submission, {q.name: 0 for q in questions}, "error",
                     f"the grader failed on this file: {type(error).__name__}: {str(error)[:200]}")


def _grade_one(submission, topic, questions, settings, expected) -> Grade:
    settings = settings or Settings()
    names = [q.name for q in questions]
    zeros = dict.fromkeys(names, 0)
    notebook, status, reason = read_notebook(submission.path)
    if notebook is None:
        return Grade(submission, zeros, status, reason)
    note = reason
    found, why = notebook_topic(notebook, submission.path)
    if topic is not None and (found is None or found != topic):
        reason = (f"this is topic {found.label}, the run grades {topic.label}" if found
                  else f"{why}; the run grades {topic.label}")
        return Grade(submission, zeros, "wrong topic", reason)
    topic = topic or found
    if topic is None:
        return Grade(submission, zeros, "wrong topic", why)
    started = time.monotonic()
    slot = SLOTS.take()
    try:
        result, (key, kernel_key), problem = _run(notebook, topic.module, names, settings,
                                    expected or course_hashes(), slot)
    finally:
        SLOTS.give_back(slot)
    seconds = time.monotonic() - started
    if result is None:
        if problem == "timeout":
            return Grade(submission, zeros, "timeout", f"the notebook ran longer than "
                         f"{settings.notebook_timeout:g} s in all and was stopped", seconds)
        return Grade(submission, zeros, "error", problem, seconds)
    cells = [cell_source(c) for c in notebook["cells"] if c.get("cell_type") == "code"]
    clean = {name for name in names if remote.crosses(topic.module, name)}
    scores, status, reason, notes = decide(result, key, names, cells, settings, kernel_key, clean)
    reason = "; ".join(r for r in (note, reason) if r)
    said = (result, key, names, kernel_key, clean)
    return Grade(submission, scores, status, reason, seconds, notes,
                 messages=messages(*said), mistakes=mistakes(*said))


