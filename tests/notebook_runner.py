"""The tests' notebook runner: one notebook under ``pytest --nbval-lax`` in a throw-away folder,
and each cell's outcome.

tests/test_notebooks.py runs every lecture and solution with it, tests/test_exercise_notebooks.py
every untouched exercise, and tests/test_grading.py compares nbval's verdicts with the grader's.
(The lanes and the site keep executed copies through tools/run_notebook.py; the grader runs
submissions with course_lib.grading.harness inside its sandbox.)

The notebook is written to a fresh temporary folder (the original file is only read), and run by
``pytest --nbval-lax --nbval-current-env --nbval-cell-timeout=S`` in its own process session,
with a wall-clock limit for the whole notebook. When the limit passes, the pytest process, the
kernel (which jupyter_client starts in a session of its own) and everything they started are
killed. nbval reports one test per code cell ("Cell 3" is the fourth code cell); the JUnit XML
report gives each cell's outcome and message.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import course_lib
from course_lib.grading.safe import strip_ansi
from nbval_guard import KERNEL_DIED

__all__ = ["CellOutcome", "RunResult", "run_notebook"]

NOTEBOOK_NAME = "submission.ipynb"
_TOKEN_VARIABLE = "COURSE_NOTEBOOK_RUN"
_HERE = str(Path(__file__).resolve().parent)  # this folder: nbval_guard, the plugin pytest loads
_PACKAGE_PARENT = str(Path(course_lib.__file__).resolve().parents[1])


@dataclass
class CellOutcome:
    """What happened to one code cell: 'passed', 'failed' or 'skipped', and nbval's message."""

    outcome: str
    message: str = ""


@dataclass
class RunResult:
    """The run of one notebook.

    status is 'ok' (it ran to the end; cells may still have failed), 'timeout' (a cell or the
    whole notebook ran past its limit), 'kernel died' or 'error' (pytest could not run it);
    cells maps the code-cell index (nbval's "Cell N") to its :class:`CellOutcome`.
    """

    status: str
    reason: str = ""
    cells: dict[int, CellOutcome] = field(default_factory=dict)
    log: str = ""
    seconds: float = 0.0


def _environment(token: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    for name, value in (("COURSE_OFFLINE", "1"), ("COURSE_QUICK", "1"), ("MPLBACKEND", "Agg"),
                        ("OMP_NUM_THREADS", "1"), ("MKL_NUM_THREADS", "1"),
                        ("OPENBLAS_NUM_THREADS", "1")):
        env.setdefault(name, value)
    env["PYTHONHASHSEED"] = "0"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    # the kernel imports the same course_lib as the tests, wherever the notebook runs
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_PARENT, env.get("PYTHONPATH"), _HERE) if p)
    env[_TOKEN_VARIABLE] = token
    return env


def _kill_tree(pid: int) -> None:
    """Kill process `pid`, its process group and every descendant (the kernel has its own group)."""
    import psutil

    try:
        root = psutil.Process(pid)
        family = [root] + root.children(recursive=True)
    except psutil.Error:
        family = []
    groups = set()
    for process in family:
        try:
            groups.add(os.getpgid(process.pid))
        except OSError:
            pass
    groups.discard(os.getpgrp())  # never our own group
    for group in groups:
        try:
            os.killpg(group, signal.SIGKILL)
        except OSError:
            pass
    for process in family:
        try:
            process.kill()
        except psutil.Error:
            pass


def _kill_leftovers(token: str) -> None:
    """Kill processes still carrying this run's token (a kernel or a child the learner started)."""
    import psutil

    for process in psutil.process_iter():
        try:
            if process.pid != os.getpid() and process.environ().get(_TOKEN_VARIABLE) == token:
                _kill_tree(process.pid)
        except psutil.Error:
            continue


def _read_junit(path: Path) -> dict[int, CellOutcome]:
    cells = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        match = re.fullmatch(r"Cell (\d+)", case.get("name", ""))
        if not match:
            continue
        outcome, message = "passed", ""
        for child in case:
            if child.tag in ("failure", "error"):
                outcome = "failed"
                message = (child.get("message") or "") + "\n" + (child.text or "")
            elif child.tag == "skipped":
                outcome, message = "skipped", child.get("message") or ""
        cells[int(match.group(1))] = CellOutcome(outcome, strip_ansi(message).strip())
    return cells


def _first_line(source: str) -> str:
    line = next((s.strip() for s in source.splitlines() if s.strip()), "")
    return line if len(line) <= 60 else line[:57] + "..."


def _diagnose(cells: dict[int, CellOutcome], sources: list[str], cell_timeout: float) -> tuple[str, str]:
    """The run's status and reason from the cells' messages: a timeout, a dead kernel, or ok."""
    def where(index):
        source = sources[index] if index < len(sources) else ""
        return f"code cell {index} (`{_first_line(source)}`)"

    failed = sorted(i for i, c in cells.items() if c.outcome == "failed")
    for index in failed:
        if "Timeout of" in cells[index].message and "exceeded" in cells[index].message:
            return "timeout", f"{where(index)} ran longer than {cell_timeout:g} s and was stopped"
    for index in failed:
        if KERNEL_DIED in cells[index].message:
            return "kernel died", f"the kernel died in {where(index)}"
    for index in failed:
        if "Kernel dead on test start" in cells[index].message:
            before = index - 1
            return "kernel died", (f"the kernel died in {where(before)}" if before >= 0
                                   else "the kernel died before the first cell")
    return "ok", ""


def run_notebook(notebook, cell_timeout: float = 120, notebook_timeout: float = 600,
                 keep_dir: Path | None = None) -> RunResult:
    """Run `notebook` (a path, or a notebook dict in nbformat 4) under nbval-lax and report each cell.

    The file at a given path is only read. `cell_timeout` limits each cell (nbval interrupts
    it), `notebook_timeout` the whole run including kernel start-up (everything is killed).
    """
    workdir = Path(tempfile.mkdtemp(prefix="course-notebook-")) if keep_dir is None else Path(keep_dir)
    token = uuid.uuid4().hex
    started = time.monotonic()
    try:
        data = (json.dumps(notebook, indent=1, ensure_ascii=False).encode("utf-8")
                if isinstance(notebook, dict) else Path(notebook).read_bytes())
        (workdir / NOTEBOOK_NAME).write_bytes(data)
        sources = _code_sources(data.decode("utf-8"))
        (workdir / "pytest.ini").write_text("[pytest]\naddopts =\n", encoding="utf-8")
        report = workdir / "report.xml"
        command = [sys.executable, "-m", "pytest", "-q", "-c", "pytest.ini", "--rootdir", ".",
                   "-p", "no:cacheprovider", "-p", "no:xdist", "-p", "no:randomly",
                   "-p", "nbval_guard",
                   "--nbval-lax", "--nbval-current-env", f"--nbval-cell-timeout={cell_timeout:g}",
                   "--junitxml", report.name, "-o", "junit_family=xunit2", NOTEBOOK_NAME]
        with open(workdir / "pytest.log", "wb") as log:
            process = subprocess.Popen(command, cwd=workdir, env=_environment(token),
                                       stdin=subprocess.DEVNULL, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
            try:
                code = process.wait(timeout=notebook_timeout)
            except subprocess.TimeoutExpired:
                _kill_tree(process.pid)
                process.wait()
                code = None
        output = (workdir / "pytest.log").read_text(encoding="utf-8", errors="replace")
        seconds = time.monotonic() - started
        if code is None:
            return RunResult("timeout", f"the notebook ran longer than {notebook_timeout:g} s in all "
                                        "and was stopped", log=output, seconds=seconds)
        if code == 5 and not sources:  # pytest: "no tests collected", a notebook without code
            return RunResult("ok", "", {}, output, seconds)
        if not report.exists() or code not in (0, 1):
            tail = " | ".join(strip_ansi(output).strip().splitlines()[-3:])
            return RunResult("error", f"pytest exited with status {code}: {tail}"[:300],
                             log=output, seconds=seconds)
        cells = _read_junit(report)
        status, reason = _diagnose(cells, sources, cell_timeout)
        return RunResult(status, reason, cells, output, seconds)
    finally:
        _kill_leftovers(token)
        if keep_dir is None:
            shutil.rmtree(workdir, ignore_errors=True)


def _code_sources(text: str) -> list[str]:
    """The code cells' sources in nbval's order (nbval numbers code cells only)."""
    try:
        import nbformat

        notebook = nbformat.reads(text, as_version=4)
        cells = notebook.cells
    except Exception:
        return []
    return [cell.source for cell in cells if cell.cell_type == "code"]
