"""The tests' notebook runner (notebook_runner.py, with its nbval plugin nbval_guard.py):
each cell's outcome, a whole-notebook time limit that kills everything, a dead kernel seen at once."""
import os
import time
from pathlib import Path

import psutil
import pytest

from nbval_guard import KERNEL_DIED
from notebook_runner import CellOutcome, _diagnose, _environment, run_notebook


def code_cell(source):
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
            "source": source.splitlines(keepends=True)}


def notebook_of(*sources):
    return {"cells": [code_cell(s) for s in sources], "metadata": {}, "nbformat": 4,
            "nbformat_minor": 4}


def test_notebooks_run_offline_and_quick(monkeypatch):
    monkeypatch.delenv("COURSE_OFFLINE", raising=False)
    monkeypatch.setenv("PYTEST_ADDOPTS", "-n 4")
    env = _environment("token")
    assert env["COURSE_OFFLINE"] == "1" and env["COURSE_QUICK"] == "1"
    assert "PYTEST_ADDOPTS" not in env and env["COURSE_NOTEBOOK_RUN"] == "token"
    # the kernel imports the course_lib these tests import; pytest finds the plugin beside the runner
    import course_lib

    paths = env["PYTHONPATH"].split(os.pathsep)
    assert paths[0] == str(Path(course_lib.__file__).resolve().parents[1])
    assert paths[-1] == str(Path(__file__).resolve().parent)


def test_diagnose_prefers_timeout_then_kernel_death():
    sources = ["import course_lib", "while True:\n    pass", "q1.check()"]
    timeout = CellOutcome("failed", "Cell 1: Timeout of 5 seconds exceeded executing cell")
    dead = CellOutcome("failed", "pytest plugin exception: RuntimeError('Kernel dead on test start')")
    ok = CellOutcome("passed")
    assert _diagnose({0: ok, 1: timeout, 2: dead}, sources, 5) == (
        "timeout", "code cell 1 (`while True:`) ran longer than 5 s and was stopped")
    assert _diagnose({0: ok, 1: CellOutcome("failed", "NameError"), 2: dead}, sources, 5) == (
        "kernel died", "the kernel died in code cell 1 (`while True:`)")
    assert _diagnose({0: ok, 1: ok, 2: CellOutcome("failed", "✗ Not yet")}, sources, 5) == ("ok", "")
    assert _diagnose({0: ok, 1: CellOutcome("failed", KERNEL_DIED)}, sources, 5) == (
        "kernel died", "the kernel died in code cell 1 (`while True:`)")


@pytest.mark.slow
def test_each_cells_outcome_and_a_dead_kernel_seen_at_once(tmp_path):
    """Passed and failed cells are told apart; os._exit fails its cell long before the cell timeout."""
    notebook = notebook_of("x = 1", "assert x == 2, 'x is not 2'", "import os\nos._exit(1)", "y = 2")
    started = time.monotonic()
    result = run_notebook(notebook, cell_timeout=300, notebook_timeout=240)
    assert result.status == "kernel died", (result.reason, result.log[-2000:])
    assert result.reason == "the kernel died in code cell 2 (`import os`)"
    assert time.monotonic() - started < 200  # far below the 300 s the cell could have waited
    assert result.cells[0].outcome == "passed"
    assert result.cells[1].outcome == "failed" and "x is not 2" in result.cells[1].message
    assert KERNEL_DIED in result.cells[2].message


@pytest.mark.slow
def test_notebook_timeout_kills_pytest_and_the_kernel(tmp_path):
    notebook = notebook_of("open('started', 'w').close()\nwhile True:\n    pass")
    workdir = tmp_path / "run"
    workdir.mkdir()
    started = time.monotonic()
    result = run_notebook(notebook, cell_timeout=600, notebook_timeout=15, keep_dir=workdir)
    assert result.status == "timeout"
    assert result.reason == "the notebook ran longer than 15 s in all and was stopped"
    assert time.monotonic() - started < 45
    if not (workdir / "started").exists():
        pytest.skip("the kernel did not start within 15 s on this machine")
    time.sleep(1)
    alive = []
    for process in psutil.process_iter():
        try:
            if Path(process.cwd()) == workdir:
                alive.append(process.pid)
        except psutil.Error:
            continue
    assert alive == [], "the kernel survived the notebook timeout"
