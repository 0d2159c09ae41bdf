"""A fresh machine (Python only, no Debian extras): what skips, in one line, and what still runs.

bubblewrap and Chromium are hidden from PATH (:func:`grading_class.fresh_path`); the grader's
tests must then pass, the sandbox-only ones skipping with a reason that names
``apt-get install bubblewrap``, unless ``COURSE_REQUIRE_SANDBOX=1`` (what ``.ci/run`` sets after
installing it) turns the skip into a failure. ``make lab`` is started as whoever runs the tests
(root in a container) and serves a lecture over HTTP.
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

import grading_class
from tools.notebook_tools import ROOT

GRADING_TESTS = ["tests/test_grading.py", "tests/test_grading_shards.py",
                 "tests/test_grading_hostile.py"]


def run_pytest(fresh, *args, **env):
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("PYTEST_", "COURSE_REQUIRE"))}
    environment.update(PATH=fresh, **env)
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "no:cacheprovider",
                           "-q", "-rs", "--no-header", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    return grading_class.fresh_path(tmp_path_factory.mktemp("fresh") / "bin")


def test_the_fresh_path_hides_bwrap_and_chromium_only(fresh):
    import shutil

    for tool in grading_class.SYSTEM_TOOLS:
        assert shutil.which(tool, path=fresh) is None
    for tool in ("make", "sh", "env"):
        assert shutil.which(tool, path=fresh) is not None, tool


@pytest.mark.slow
def test_grading_tests_pass_without_the_sandbox(fresh):
    """The quick grading tests pass; every sandbox-only test skips with the one-line reason."""
    done = run_pytest(fresh, "-m", "not slow", *GRADING_TESTS)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert re.search(r"\d+ passed", done.stdout) and " failed" not in done.stdout


@pytest.mark.slow
def test_sandbox_tests_skip_with_one_line_reason_or_fail_when_required(fresh):
    done = run_pytest(fresh, "tests/test_grading_hostile.py")
    assert done.returncode == 0, done.stdout[-3000:]
    skips = [line for line in done.stdout.splitlines() if line.startswith("SKIPPED")]
    assert skips and all("apt-get install bubblewrap" in line for line in skips), skips
    assert "3 skipped" in done.stdout
    required = run_pytest(fresh, "tests/test_grading_hostile.py", COURSE_REQUIRE_SANDBOX="1")
    assert required.returncode == 1, required.stdout[-3000:]
    assert "COURSE_REQUIRE_SANDBOX=1 and bwrap is not on PATH" in required.stdout


def test_the_report_browser_test_skips_without_chromium_or_fails_when_required(fresh):
    done = run_pytest(fresh, "tests/test_grading_report_chromium.py", "-k", "headless")
    assert done.returncode == 0, done.stdout[-3000:]
    skips = [line for line in done.stdout.splitlines() if line.startswith("SKIPPED")]
    assert len(skips) == 1 and "apt-get install chromium" in skips[0], skips
    required = run_pytest(fresh, "tests/test_grading_report_chromium.py", "-k", "headless",
                          COURSE_REQUIRE_CHROMIUM="1")
    assert required.returncode == 1, required.stdout[-3000:]
    assert "COURSE_REQUIRE_CHROMIUM=1 and chromium is not on PATH" in required.stdout


def test_the_grader_says_how_to_install_the_sandbox(fresh, tmp_path):
    grading_class.write(tmp_path / "sub" / "ann_00_warmup.ipynb", grading_class.cheap())
    environment = dict(os.environ, PATH=fresh)
    command = [sys.executable, "-m", "course_lib.grading", str(tmp_path / "sub"), "--out",
               str(tmp_path / "grades.csv"), "--topic", "00"]
    done = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert "apt-get install bubblewrap" in done.stderr and "--no-sandbox" in done.stderr
    assert not (tmp_path / "grades.csv").exists()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def lab_command(*settings: str) -> str:
    """The `jupyter lab` line `make -n lab` would run, as from a shell (not from inside make)."""
    outside_make = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    done = subprocess.run(["make", "--no-print-directory", "-n", "lab", *settings], cwd=ROOT,
                          env=outside_make, capture_output=True, text=True, timeout=60)
    lines = [line for line in done.stdout.splitlines() if "jupyter lab" in line]
    assert len(lines) == 1, done.stdout + done.stderr
    return lines[0]


def test_make_lab_passes_its_settings():
    line = lab_command("LAB_PORT=9123", "LAB_NO_BROWSER=1")
    assert "jupyter lab --port=9123 --no-browser" in line and line.endswith("notebooks/")
    assert ("--allow-root" in line) == (os.getuid() == 0)
    default = lab_command()
    assert "--port=8888" in default and "--no-browser" not in default


@pytest.mark.slow
def test_make_lab_serves_a_lecture(tmp_path):
    """`make lab` starts (as root too) on the port asked for, and a lecture loads over HTTP."""
    port = free_port()
    environment = dict(os.environ, COURSE_OFFLINE="1", JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
                       JUPYTER_CONFIG_DIR=str(tmp_path / "config"))
    log = open(tmp_path / "lab.log", "w+")
    process = subprocess.Popen(["make", "--no-print-directory", "lab", f"LAB_PORT={port}",
                                "LAB_NO_BROWSER=1"], cwd=ROOT, env=environment,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        match, deadline = None, time.monotonic() + 120
        while match is None and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.5)
            match = re.search(rf"(http://(?:127\.0\.0\.1|localhost):{port})/lab\?token=(\w+)",
                              (tmp_path / "lab.log").read_text())
        text = (tmp_path / "lab.log").read_text()
        assert match, f"no URL with port {port} in the output:\n{text[-3000:]}"
        base, token = match.groups()
        name = "01_shapley_card_game.ipynb"
        url = f"{base}/api/contents/{name}?token={token}"
        for attempt in range(60):  # the URL is printed as the server starts listening
            try:
                reply = urllib.request.urlopen(url, timeout=60)
                break
            except urllib.error.URLError:
                if attempt == 59:
                    raise
                time.sleep(0.5)
        with reply:
            model = json.load(reply)
        assert reply.status == 200 and model["type"] == "notebook"
        assert model["content"]["cells"][0]["source"].startswith("# ")
        with urllib.request.urlopen(f"{base}/lab/tree/{name}?token={token}", timeout=60) as reply:
            assert reply.status == 200 and "JupyterLab" in reply.read().decode("utf-8", "replace")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()
