"""Every lecture and solution notebook runs top to bottom offline and quick under nbval-lax."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from course_lib.notebook_tools import ROOT, all_notebooks, problems

RUNNABLE = [p for p in all_notebooks() if p.parent.name in ("notebooks", "solutions")]


def test_there_are_notebooks():
    assert (ROOT / "notebooks" / "00_start_here.ipynb") in RUNNABLE


@pytest.mark.parametrize("path", all_notebooks(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_conventions(path):
    """Badge first, the identical setup cell second, committed without outputs."""
    assert problems(path) == []


@pytest.mark.slow
@pytest.mark.parametrize("path", RUNNABLE, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebook_runs(path, tmp_path):
    env = dict(os.environ, COURSE_OFFLINE="1", COURSE_QUICK="1", MPLBACKEND="Agg",
               PYTHONHASHSEED="0")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax",
               "--nbval-current-env", "--nbval-cell-timeout=300", "-o", "addopts=",
               "-p", "no:xdist", str(path)]
    result = subprocess.run(command, cwd=path.parent, env=env, capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
