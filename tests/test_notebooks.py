"""Every lecture and solution notebook runs top to bottom offline and quick under nbval-lax."""
import pytest

from notebook_runner import run_notebook
from tools.notebook_tools import ROOT, all_notebooks, problems

RUNNABLE = [p for p in all_notebooks() if p.parent.name in ("notebooks", "solutions")]


def test_there_are_notebooks():
    assert (ROOT / "notebooks" / "00_start_here.ipynb") in RUNNABLE


@pytest.mark.parametrize("path", all_notebooks(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_conventions(path):
    """Badge first, the identical setup cell second, committed without outputs."""
    assert problems(path) == []


@pytest.mark.slow
@pytest.mark.parametrize("path", RUNNABLE, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebook_runs(path, monkeypatch):
    """The grader's nbval-lax run (a scratch copy, PYTHONHASHSEED=0): every cell passes."""
    for name in ("COURSE_OFFLINE", "COURSE_QUICK"):
        monkeypatch.setenv(name, "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    result = run_notebook(path, cell_timeout=300, notebook_timeout=900)
    failed = sorted(i for i, cell in result.cells.items() if cell.outcome == "failed")
    assert result.status == "ok" and not failed, (
        f"{result.status}: {result.reason}; failed code cells {failed}\n{result.log[-8000:]}")
