"""Grade a folder of submitted exercise notebooks: one CSV row per file, grades decided by the grader.

``python -m course_lib.grading PATH... --out grades.csv`` (``make grade SUBMISSIONS=dir/``)
finds the notebooks (PATH: files or folders, searched recursively, links never followed),
recognises each one's topic and runs each in its own bubblewrap sandbox
(:mod:`course_lib.grading.sandbox`): the learner's code cells first, then, for each question,
the grader's own check (:mod:`course_lib.grading.checkrun`), built fresh from the read-only
``course_lib`` and run on the learner's objects. Each check reports back in a line signed with a
key the learner's cells never saw; what the check cells in the notebook did is ignored.

A submission that is not valid JSON, not a notebook, of another topic, crashes the kernel, runs
past a time limit or patched the course's check code (``tampered``) is a row of zeros with its
status and reason; the run goes on. Student files are only read.

Learner names come from file names (:func:`~course_lib.grading.submissions.learner_name`):
``alice_00_warmup.ipynb`` -> ``alice``; ``alice/00_warmup.ipynb`` -> ``alice``.
``--shard K/N`` grades a deterministic part of the files; ``merge`` joins the parts' CSVs.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import queue
import re
import secrets
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import checkrun, sandbox
from .harness import RESULT_MARK
from .runner import strip_ansi
from .report import class_report, report_path
from .safe import printable
from .submissions import (Entry, Submission, Topic, cell_source, check_cells, choose_topic,
                          find_submissions, find_topic, learner_name, lookalikes, neutralise,
                          notebook_topic, read_notebook, scan, topic_votes, topics)

__all__ = ["Submission", "Entry", "Grade", "Topic", "find_submissions", "scan", "learner_name",
           "topics", "find_topic", "notebook_topic", "read_notebook", "check_cells",
           "choose_topic", "grade_submission", "grade", "write_csv", "merge", "in_shard",
           "summary", "main", "STATUSES", "Settings", "escape", "course_hashes", "class_report",
           "report_path"]

STATUSES = ("ok", "tampered", "timeout", "kernel died", "invalid json", "not a notebook",
            "wrong topic", "refused", "missing", "error")

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
    topic: str = ""
    messages: dict[str, str] = field(default_factory=dict)  # question -> the feedback shown

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


def _first_line(source: str) -> str:
    line = next((s.strip() for s in source.splitlines() if s.strip()), "")
    return line if len(line) <= 60 else line[:57] + "..."


def _run(notebook: dict, module: str, names: list[str], settings: Settings, expected: dict,
         slot: int) -> tuple[dict | None, str, str]:
    """Run one notebook and its checks; (harness result, key, why there is none)."""
    key = secrets.token_hex(32)
    package = str(sandbox.PACKAGE_DIR)
    workdir = Path(tempfile.mkdtemp(prefix="course-grade-"))
    checks = []
    for name in [*names, None]:  # each report in a file of its own, named when the check is sent
        out = str(workdir / f".report-{secrets.token_hex(8)}")
        checks.append({"code": checkrun.cell(key, package, module, name, expected, out),
                       "report": out})
    cells = [cell_source(c) for c in notebook["cells"] if c.get("cell_type") == "code"]
    uid = sandbox.BASE_UID + slot if settings.sandbox and os.getuid() == 0 else None
    job = {"cells": cells, "checks": checks, "cell_timeout": settings.cell_timeout,
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
    if stopped:
        return None, key, "timeout"
    lines = [line for line in output.splitlines() if line.startswith(RESULT_MARK)]
    if not lines:
        tail = " | ".join(strip_ansi(output).strip().splitlines()[-3:])
        return None, key, f"the notebook runner stopped without a result: {tail}"[:300]
    return json.loads(lines[-1][len(RESULT_MARK):]), key, ""


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


def _decide(result: dict, key: str, names: list[str], cells: list[str], settings: Settings):
    """(scores, status, reason, notes) from the harness's result and the signed reports."""
    reports = {}
    integrity = None
    for check in result.get("checks", []):
        for line in check.get("report", "").splitlines():
            payload = checkrun.verify(line, key)
            if payload is None:
                continue
            if "integrity" in payload:
                integrity = list(payload["integrity"]) if integrity is None else integrity + payload["integrity"]
            if payload.get("outcome"):
                reports[payload["question"]] = payload["outcome"]
    checks = result.get("checks", [])
    notes, scores = {}, {}
    for i, name in enumerate(names):
        outcome = reports.get(name)
        if outcome is None:  # a lost report fails its question; it accuses no one
            ran = checks[i]["status"] if i < len(checks) else "not run"
            outcome = {"ok": "error (no report)", "error": "error (no report)"}.get(ran, ran)
        scores[name] = int(outcome == "passed")
        if outcome != "passed":
            notes[name] = outcome
    status, index = result.get("status", "ok"), result.get("index")
    if status == "error":
        return dict.fromkeys(names, 0), "error", result.get("reason", ""), notes
    where = (f"code cell {index} (`{_first_line(cells[index])}`)"
             if index is not None and index < len(cells) else "a code cell")
    if status == "timeout":
        reason = f"{where} ran longer than {settings.cell_timeout:g} s and was stopped"
        return (scores if settings.partial_credit else dict.fromkeys(names, 0)), status, reason, notes
    if status == "kernel died":
        return dict.fromkeys(names, 0), status, f"the kernel died in {where}", notes
    if integrity:  # `tampered` only for a verified mismatch
        return dict.fromkeys(names, 0), "tampered", "; ".join(integrity[:4]), notes
    if integrity is None:  # nothing verified the course code: no marks, and no accusation
        return (dict.fromkeys(names, 0), "error", "error (no report): the integrity check's report "
                "did not arrive, so the course code could not be verified", notes)
    reason = "; ".join(f"{name} {note}" for name, note in notes.items())
    return scores, "ok", reason, notes


_SLOTS: "queue.Queue[int]" = queue.Queue()
_SLOTS_MADE = [0]
_SLOTS_LOCK = threading.Lock()


def _take_slot() -> int:
    try:
        return _SLOTS.get_nowait()
    except queue.Empty:
        with _SLOTS_LOCK:
            _SLOTS_MADE[0] += 1
            return (os.getpid() % 500) * 16 + _SLOTS_MADE[0] - 1


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
    slot = _take_slot()
    try:
        result, key, problem = _run(notebook, topic.module, names, settings,
                                    expected or course_hashes(), slot)
    finally:
        _SLOTS.put(slot)
    seconds = time.monotonic() - started
    if result is None:
        if problem == "timeout":
            return Grade(submission, zeros, "timeout", f"the notebook ran longer than "
                         f"{settings.notebook_timeout:g} s in all and was stopped", seconds)
        return Grade(submission, zeros, "error", problem, seconds)
    cells = [cell_source(c) for c in notebook["cells"] if c.get("cell_type") == "code"]
    scores, status, reason, notes = _decide(result, key, names, cells, settings)
    if note:
        reason = "; ".join(r for r in (note, reason) if r)
    messages = {}
    for check in result.get("checks", []):
        for line in check.get("report", "").splitlines():
            payload = checkrun.verify(line, key)
            if payload and payload.get("message") and payload.get("question") in scores:
                messages[payload["question"]] = str(payload["message"])
    return Grade(submission, scores, status, reason, seconds, notes, messages=messages)


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
    expected = course_hashes()
    stopping = threading.Event()

    def one(submission):
        result = grade_submission(submission, chosen, questions, settings, expected)
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
        stop_all()
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
    if expected != course_hashes():
        raise RuntimeError("course_lib changed on disk while grading; restore it and grade again")
    return chosen, questions, grades


# ------------------------------------------------------------------------------ output
_FORMULA = ("=", "+", "-", "@", "\t", "\r", "|", "%")


def escape(value) -> str:
    """A CSV cell that is safe to open: control, bidirectional and undecodable characters
    written as escapes (:func:`~course_lib.grading.safe.printable`), and text that a
    spreadsheet would run as a formula (starting with = + - @ ...) prefixed with '."""
    text = printable(value)
    return "'" + text if isinstance(value, str) and text.startswith(_FORMULA) else text


def header(questions) -> list[str]:
    return ["learner", *(q if isinstance(q, str) else q.name for q in questions), "total",
            "status", "reason", "file", "topic"]


def write_csv(grades: list[Grade], questions: list, out) -> str:
    """The CSV text (learner, one 1/0 column per question, total, status, reason, file, topic);
    written to `out`."""
    names = [q.name for q in questions]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header(names))
    for g in grades:
        writer.writerow([escape(g.submission.learner), *(g.scores[n] for n in names), g.total,
                         escape(g.status), escape(g.reason), escape(g.submission.label),
                         escape(g.topic)])
    text = buffer.getvalue()
    if out is not None:
        _write_new(Path(out), text)
    return text


def _write_new(path: Path, text: str) -> None:
    """Write `path` through a temporary file and a rename (never through a link planted there)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def merge(paths, out=None) -> str:
    """Join shard CSVs (same header, one topic, valid rows, no file twice) into one, in the order
    one run gives. Anything else is refused with a ValueError of one line naming file and line."""
    head, rows, seen, topic = None, [], {}, None
    for path in paths:
        with open(path, newline="", encoding="utf-8") as handle:
            table = [(n, row) for n, row in enumerate(csv.reader(handle), 1) if row]  # blank lines
        if not table:
            raise ValueError(f"{path}: an empty file, not a grades CSV")
        if head is None:
            head = table[0][1]
            if head[:1] != ["learner"] or head[-5:] != ["total", "status", "reason", "file", "topic"]:
                raise ValueError(f"{path}: not a grades CSV of this grader (its columns are "
                                 f"{', '.join(head)[:120]})")
        elif table[0][1] != head:
            raise ValueError(f"{path}: its columns {', '.join(table[0][1])[:120]} differ from "
                             f"{', '.join(head)[:120]}; merge shards of one topic only")
        questions = len(head) - 6
        for n, row in table[1:]:
            where = f"{path}, line {n}"
            if len(row) != len(head):
                raise ValueError(f"{where}: {len(row)} cells, the header has {len(head)}")
            marks = row[1:1 + questions]
            if any(m not in ("0", "1") for m in marks) or row[-5] != str(sum(map(int, marks))):
                raise ValueError(f"{where}: the marks or the total are not those of a grader's row")
            if row[-4] not in STATUSES:
                raise ValueError(f"{where}: unknown status {printable(row[-4])[:40]!r}")
            if topic is None:
                topic = row[-1]
            elif row[-1] != topic:
                raise ValueError(f"{where}: topic {printable(row[-1])[:40]!r}, but earlier rows are "
                                 f"{topic!r}; merge shards of one topic only")
            label = row[-2]
            if label in seen:
                raise ValueError(f"{printable(label)} is in {seen[label]} and in {path}; "
                                 "merge each shard once")
            seen[label] = path
            rows.append(row)
    if head is None:
        raise ValueError("no CSV to merge")
    unescaped = lambda label: label[1:] if label.startswith("'") else label  # noqa: E731
    rows.sort(key=lambda row: unescaped(row[-2]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([head, *rows])
    text = buffer.getvalue()
    if out is not None:
        _write_new(Path(out), text)
    return text


def summary(topic: Topic, questions: list, grades: list[Grade]) -> str:
    """A plain-text table: per-question pass rate, the mean total, and the statuses."""
    n = max(1, len(grades))
    width = max([len(q.name) for q in questions] + [8])
    lines = [f"Topic {topic.label}: {len(grades)} submission(s)", "",
             f"{'question':<{width}}  {'passed':>7}  {'rate':>5}  title"]
    for q in questions:
        k = sum(g.scores[q.name] for g in grades)
        lines.append(f"{q.name:<{width}}  {f'{k}/{len(grades)}':>7}  {100 * k / n:3.0f} %  {q.title}")
    mean = sum(g.total for g in grades) / n
    lines += ["", f"mean total: {mean:.2f} / {len(questions)}",
              "status: " + ", ".join(f"{s} {c}" for s, c in sorted(
                  Counter(g.status for g in grades).items(), key=lambda i: STATUSES.index(i[0])))]
    for g in grades:
        if g.status != "ok":
            lines.append(f"  {printable(g.submission.label)}: {g.status}: {printable(g.reason)}")
    return "\n".join(lines)


def _shard(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise ValueError(f"--shard {text!r}: write K/N with 1 <= K <= N, e.g. --shard 2/8")
    return int(match.group(1)), int(match.group(2))


def _merge_main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m course_lib.grading merge",
                                     description="Join the CSVs of --shard runs into one.")
    parser.add_argument("csvs", nargs="+", metavar="CSV")
    parser.add_argument("--out", default="grades.csv", help="the CSV to write (default grades.csv)")
    args = parser.parse_args(argv)
    try:
        merge(args.csvs, args.out)
    except (OSError, ValueError, csv.Error) as error:
        print(f"error: {printable(error)}", file=sys.stderr)
        return 2
    print(f"merged {len(args.csvs)} file(s) into {args.out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    import argparse
    import signal

    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["merge"]:
        return _merge_main(argv[1:])
    parser = argparse.ArgumentParser(
        prog="python -m course_lib.grading",
        description="Grade exercise notebooks, each in a bubblewrap sandbox, with the grader's "
                    "own checks. `python -m course_lib.grading merge shards/*.csv --out "
                    "grades.csv` joins the CSVs of --shard runs.")
    parser.add_argument("paths", nargs="+", metavar="PATH", help="notebooks or folders of notebooks")
    parser.add_argument("--out", default="grades.csv", help="the CSV to write (default grades.csv)")
    parser.add_argument("--timeout-cell", type=float, default=120, metavar="S",
                        help="seconds one cell (or one check) may run (default 120)")
    parser.add_argument("--timeout-notebook", type=float, default=600, metavar="S",
                        help="seconds one notebook may run in all, kernel start included (default 600)")
    parser.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="notebooks graded at the same time (default 1)")
    parser.add_argument("--topic", metavar="NN",
                        help="the topic to grade (e.g. 00); others get 'wrong topic'. "
                             "Default: the topic of most learners (one vote each); a close "
                             "vote is refused")
    parser.add_argument("--partial-credit", action="store_true",
                        help="after a cell timeout, keep the checks that pass on what ran before it")
    parser.add_argument("--shard", metavar="K/N", type=str,
                        help="grade only shard K of N (a stable split of the files by name)")
    parser.add_argument("--memory", type=float, default=4, metavar="GB",
                        help="address space one notebook may use, in GiB (default 4)")
    parser.add_argument("--processes", type=int, default=256, metavar="N",
                        help="processes one notebook may run at once (default 256)")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="run notebooks without bubblewrap: no isolation at all; only inside "
                             "a throw-away VM or container")
    args = parser.parse_args(argv)
    if min(args.jobs, args.timeout_cell, args.timeout_notebook, args.memory, args.processes) <= 0:
        parser.error("--jobs, --timeout-cell, --timeout-notebook, --memory and --processes "
                     "must be positive")
    try:
        shard = _shard(args.shard) if args.shard else None
    except ValueError as error:
        parser.error(str(error))

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)  # `kill` and Ctrl-C both stop the running notebooks
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:  # started in the background
        signal.signal(signal.SIGINT, interrupt)
    started = time.monotonic()
    done, warnings = [], []
    settings = Settings(args.timeout_cell, args.timeout_notebook, args.partial_credit,
                        not args.no_sandbox, int(args.memory * (1 << 30)), args.processes)

    if settings.sandbox and shutil.which("bwrap"):
        why = sandbox.Cgroup.why_not()
        if why:
            print(f"warning: no memory and pids cgroup can be made here ({printable(why)}); each "
                  f"notebook is bounded only by rlimits ({args.memory + (ADDRESS_HEADROOM >> 30):g} "
                  "GiB of address space, --processes per sandbox uid)", flush=True)

    def progress(g: Grade):
        done.append(g)
        print(printable(f"[{len(done)}] {g.submission.label}: {g.total} point(s), {g.status}"
                        + (f" ({g.reason})" if g.reason else "")), flush=True)

    try:
        topic, questions, grades = grade(args.paths, args.topic, jobs=args.jobs, progress=progress,
                                         shard=shard, settings=settings, warnings=warnings)
    except (FileNotFoundError, ValueError, sandbox.SandboxMissing, RuntimeError) as error:
        print(f"error: {printable(error)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: the notebooks still running were stopped; no CSV written",
              file=sys.stderr)
        return 130
    write_csv(grades, questions, args.out)
    page = report_path(args.out)
    class_report(topic, questions, grades, page)
    for line in warnings:
        print(f"warning: {printable(line)}")
    print()
    print(summary(topic, questions, grades))
    print(f"\nwrote {args.out} and {page} in {time.monotonic() - started:.0f} s"
          + ("" if settings.sandbox else " (without a sandbox)"))
    return 0
