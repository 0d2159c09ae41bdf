"""course_lib.env: modes from the environment, seeding, the one-line description."""
import random

import numpy as np
import pytest
import torch

from course_lib import env


def test_flags_are_read(monkeypatch):
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    monkeypatch.setenv("COURSE_QUICK", "0")
    env.refresh()
    assert env.OFFLINE is True and env.QUICK is False
    assert env.pick(full=10, quick=2) == 10
    monkeypatch.setenv("COURSE_QUICK", "yes")
    env.refresh()
    assert env.QUICK is True and env.pick(full=10, quick=2) == 2


def test_bad_flag_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("COURSE_QUICK", "maybe")
    with pytest.raises(ValueError, match="COURSE_QUICK='maybe'.*set it to 1"):
        env.refresh()
    monkeypatch.setenv("COURSE_QUICK", "1")
    env.refresh()


def test_device_is_cpu_without_cuda():
    assert env.DEVICE == ("cuda" if torch.cuda.is_available() else "cpu")


def test_setup_seeds_everything_and_prints_one_line(capsys):
    assert env.setup(seed=7) is None  # returns nothing, so a notebook shows the line once
    line = env.describe()
    first = (random.random(), np.random.rand(), torch.rand(1).item())
    env.setup(seed=7, verbose=False)
    second = (random.random(), np.random.rand(), torch.rand(1).item())
    assert first == second
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.strip() == line
    assert "offline" in line and "quick" in line and "device=" in line and "torch=" in line


def test_seed_must_be_an_int():
    with pytest.raises(TypeError, match="seed must be an int"):
        env.seed_everything("0")


def test_setup_cell_installs_from_the_one_repository_setting():
    assert env.REPO_URL in env.SETUP_CELL
    assert env.SETUP_CELL.count("google.colab") == 1 and "course_lib.setup()" in env.SETUP_CELL


def test_setup_cell_pip_line_is_a_real_ipython_magic():
    """The indented %pip inside `if` must become a pip magic call, not a syntax error."""
    from IPython.core.inputtransformer2 import TransformerManager

    code = TransformerManager().transform_cell(env.SETUP_CELL)
    compile(code, "<setup cell>", "exec")
    assert "run_line_magic('pip', 'install -q" in code and env.REPO_URL in code
