"""The grader against a hostile and careless class: the exact CSV, untouched files, no process left.

Needs bubblewrap (``bwrap``); the fork bomb and the memory hog only ever run inside the sandbox,
with a process limit of :data:`grading_class.FORK_LIMIT` and a memory limit of 2 GiB.
"""
import csv
import hashlib
import io
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil
import pytest

import grading_class
from course_lib.grading import sandbox

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading")]

MEMORY_GB = 2


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    grading_class.require_sandbox()  # the fork bomb and the hog run only in the sandbox
    if not sandbox.Cgroup.available():
        pytest.skip(f"no memory and pids cgroup can be made here ({sandbox.Cgroup.why_not()}): "
                    "the memory hog would not be bounded")
    base = tmp_path_factory.mktemp("hostile")
    grader_dir, folder = base / "grader", base / "sub"
    grader_dir.mkdir()
    out = grader_dir / "grades.csv"
    course_file = sandbox.PACKAGE_DIR / "__init__.py"
    expected, warnings = grading_class.build(folder, grader_dir, out, course_file)
    before, course_before = digest(folder), digest(sandbox.PACKAGE_DIR)
    mark = uuid.uuid4().hex
    started = time.monotonic()
    command = [sys.executable, "-m", "course_lib.grading", str(folder), "--out", str(out), "--jobs",
               "2", "--topic", "00", "--timeout-cell", "60", "--timeout-notebook", "300",
               "--memory", str(MEMORY_GB), "--processes", str(grading_class.FORK_LIMIT)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          cwd=grader_dir, env=dict(os.environ, COURSE_TEST_MARK=mark)) as process:
        stdout, stderr = process.communicate(timeout=900)
    result = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    # the sandbox uids this grader used: BASE_UID + slot, slots (pid % 500) * 16 + k (run.Slots)
    uids = range(sandbox.BASE_UID + (process.pid % 500) * 16, sandbox.BASE_UID + (process.pid % 500) * 16 + 16)
    seconds = time.monotonic() - started
    graded = out.read_text(encoding="utf-8") if out.exists() else ""
    time.sleep(8)  # longer than the detached writer waits before it writes
    return dict(result=result, expected=expected, warnings=warnings, out=out, graded=graded,
                folder=folder, before=before, course_before=course_before, mark=mark,
                grader_dir=grader_dir, seconds=seconds, uids=uids)


def test_the_csv_is_exactly_the_expected_one(hostile):
    result = hostile["result"]
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    table = list(csv.reader(io.StringIO(hostile["graded"])))
    assert table[0] == ["learner", *grading_class.QUESTIONS, "total", "status", "reason", "file",
                        "topic"]
    assert table[1:] == hostile["expected"], "\n".join(map(str, table[1:]))
    for line in hostile["warnings"]:
        assert f"warning: {line}" in result.stdout
    print(f"hostile class graded in {hostile['seconds']:.0f} s")


def test_nothing_was_written_outside_the_sandbox(hostile):
    assert hostile["out"].read_text(encoding="utf-8") == hostile["graded"]  # no late writer
    assert digest(hostile["folder"]) == hostile["before"]
    assert digest(sandbox.PACKAGE_DIR) == hostile["course_before"]
    assert sorted(p.name for p in hostile["grader_dir"].iterdir()) == ["grades.csv", "report.html"]


def test_no_process_is_left_behind(hostile):
    leftovers = []
    for process in psutil.process_iter():
        try:
            uid = process.uids().real
            if process.environ().get("COURSE_TEST_MARK") == hostile["mark"] or uid in hostile["uids"]:
                if process.status() != psutil.STATUS_ZOMBIE:
                    leftovers.append(f"{process.pid} {' '.join(process.cmdline())[:80]}")
        except psutil.Error:
            continue
    assert leftovers == []
