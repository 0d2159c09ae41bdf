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


@pytest.fixture
def fresh_probe(monkeypatch):
    """env with the network probe forgotten, and the flags restored afterwards."""
    yield monkeypatch
    monkeypatch.undo()
    env.refresh()


def test_online_probe_never_runs_with_the_flag(fresh_probe):
    fresh_probe.setenv("COURSE_OFFLINE", "1")
    env.refresh()
    fresh_probe.setattr(env, "_answers", lambda host, *a, **k: pytest.fail("probed while offline"))
    assert env.ONLINE is False and env.offline_reason() == "COURSE_OFFLINE=1"


def test_online_probe_is_cached_until_refresh(fresh_probe):
    fresh_probe.delenv("COURSE_OFFLINE", raising=False)
    env.refresh()
    asked = []
    fresh_probe.setattr(env, "_answers", lambda host, *a, **k: asked.append(host) or host == env.PROBE_HOSTS[1])
    assert env.ONLINE is True and env.offline_reason() == ""
    assert env.network_available() is True
    assert asked == list(env.PROBE_HOSTS[:2])  # stops at the first host that answers, then cached
    env.refresh()
    assert "ONLINE" not in vars(env)


def test_refused_network_is_offline_within_seconds(fresh_probe, no_network):
    import time

    fresh_probe.delenv("COURSE_OFFLINE", raising=False)
    env.refresh()
    started = time.perf_counter()
    assert env.ONLINE is False
    assert time.perf_counter() - started < 3 * env.PROBE_TIMEOUT
    assert env.offline_reason().startswith("no network")
    assert "offline (no network)" in env.describe()


def test_pick_takes_the_gpu_setting_only_in_full_mode_on_a_gpu(monkeypatch):
    monkeypatch.setenv("COURSE_QUICK", "0")
    env.refresh()
    monkeypatch.setattr(env, "DEVICE", "cuda", raising=False)
    assert env.pick(full=10, quick=2, gpu=40) == 40
    assert env.pick(full=10, quick=2) == 10            # no GPU setting: the full one
    monkeypatch.setattr(env, "DEVICE", "cpu", raising=False)
    assert env.pick(full=10, quick=2, gpu=40) == 10
    monkeypatch.setenv("COURSE_QUICK", "1")
    env.refresh()
    monkeypatch.setattr(env, "DEVICE", "cuda", raising=False)
    assert env.pick(full=10, quick=2, gpu=40) == 2     # quick mode wins, GPU or not
    monkeypatch.undo()                                 # the session's flags and device again
    env.refresh()


def test_announce_prints_the_line_the_benchmark_reads_in_full_mode(capsys, monkeypatch):
    from tools.bench_lectures import ESTIMATE

    monkeypatch.setenv("COURSE_QUICK", "0")
    env.refresh()
    assert env.announce(23.4, "one batch timed") == 23.0
    assert env.announce(np.float64(3.21), "tiny") == 3.2
    printed = capsys.readouterr().out
    assert [float(v) for v in ESTIMATE.findall(printed)] == [23.0, 3.2]
    assert "(one batch timed)" in printed
    for bad in (float("nan"), -1.0, "10", True, None):
        with pytest.raises(ValueError, match="seconds must be a number of seconds >= 0"):
            env.announce(bad, "x")
    monkeypatch.setenv("COURSE_QUICK", "1")
    env.refresh()
    assert env.announce(23.4, "quick mode") == 23.0 and capsys.readouterr().out == ""   # same text twice
    monkeypatch.undo()
    env.refresh()
