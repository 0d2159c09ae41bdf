"""The sandbox's parts that need no bubblewrap to test: cgroup v2 and v1 layouts (on a fake
hierarchy), the one-line warning where no cgroup can be made, the sized /tmp, the private keyring."""
import ctypes
import os
import platform
from pathlib import Path

import pytest

import grading_class
from course_lib import grading
from course_lib.grading import cgroups, harness, sandbox


@pytest.fixture()
def fake_v2(tmp_path, monkeypatch):
    root = tmp_path / "cgroup"
    root.mkdir()
    (root / "cgroup.controllers").write_text("cpuset cpu io memory pids\n")
    (root / "cgroup.subtree_control").write_text("\n")
    monkeypatch.setattr(sandbox.Cgroup, "root", root)
    monkeypatch.setattr(cgroups, "_own_v2_group", lambda r: r)
    return root


def test_cgroup_v2_bounds_memory_swap_and_processes(fake_v2):
    assert sandbox.Cgroup.layout()[:2] == ("v2", fake_v2) and sandbox.Cgroup.available()
    assert (fake_v2 / "cgroup.subtree_control").read_text() == "+memory +pids"  # delegated
    group = sandbox.Cgroup("job1", 2 << 30, 64)
    folder = fake_v2 / "job1"
    assert group.folders == [folder]
    assert {f: (folder / f).read_text() for f in ("memory.max", "memory.swap.max", "pids.max")} == {
        "memory.max": str(2 << 30), "memory.swap.max": "0", "pids.max": "64"}
    command = group.wrap(["python", "-c", "pass"])
    assert command[:2] == ["/bin/sh", "-c"] and f"echo $$ > {folder / 'cgroup.procs'};" in command[2]
    group.close()  # a real cgroup folder then goes; here the kill switch is left to read
    assert (folder / "cgroup.kill").read_text() == "1"


def test_no_delegated_controllers_is_said_in_one_line(fake_v2):
    (fake_v2 / "cgroup.controllers").write_text("cpu io\n")
    why = sandbox.Cgroup.why_not()
    assert why == f"the memory and pids controllers are not delegated to {fake_v2}"
    assert sandbox.Cgroup("job2", 1 << 30, 10).folders == []


def test_cgroup_v1_layout(tmp_path, monkeypatch):
    root = tmp_path / "cgroup"
    for controller in ("memory", "pids"):
        (root / controller).mkdir(parents=True)
        (root / controller / "cgroup.procs").write_text("")
    monkeypatch.setattr(sandbox.Cgroup, "root", root)
    group = sandbox.Cgroup("job", 1 << 30, 32)
    assert group.folders == [root / "memory" / "job", root / "pids" / "job"]
    assert (root / "memory" / "job" / "memory.memsw.limit_in_bytes").read_text() == str(1 << 30)
    assert (root / "pids" / "job" / "pids.max").read_text() == "32"
    os.chmod(root / "pids" / "cgroup.procs", 0o444)
    if os.getuid() != 0:
        assert sandbox.Cgroup.why_not() == f"{root / 'pids'} is not writable"


def test_the_grader_warns_once_where_no_cgroup_can_be_made(fake_v2, monkeypatch, tmp_path, capsys):
    (fake_v2 / "cgroup.controllers").write_text("cpu\n")
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: "/usr/bin/true")
    monkeypatch.setattr(grading.cli.shutil, "which", lambda name: "/usr/bin/true")
    grading_class.write(tmp_path / "sub" / "ann_00_warmup.ipynb", "{broken")
    assert grading.main([str(tmp_path / "sub"), "--out", str(tmp_path / "g.csv"), "--topic", "00",
                         "--memory", "2"]) == 0
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if "cgroup" in line]
    assert lines == [f"warning: no memory and pids cgroup can be made here (the memory and pids "
                     f"controllers are not delegated to {fake_v2}); each notebook is bounded only "
                     "by rlimits (8 GiB of address space, --processes per sandbox uid)"]


def test_tmp_is_sized_where_bwrap_can(monkeypatch, tmp_path):
    monkeypatch.setattr(sandbox, "bwrap_path", lambda: "/usr/bin/bwrap")
    monkeypatch.setitem(sandbox._SIZE_OPTION, "/usr/bin/bwrap", True)
    command = sandbox.bwrap_command(tmp_path, ["true"], tmp_bytes=64 << 20)
    at = command.index("/tmp", command.index("--tmpfs") - 1)
    assert command[at - 5:at + 1] == ["--perms", "1777", "--size", str(64 << 20), "--tmpfs", "/tmp"]
    assert command.count("--size") == 4  # /root, /home and /var are small tmpfs too
    monkeypatch.setitem(sandbox._SIZE_OPTION, "/usr/bin/bwrap", False)  # bubblewrap before 0.8
    assert "--size" not in sandbox.bwrap_command(tmp_path, ["true"])


def _keyctl():
    number = {"x86_64": (248, 250), "aarch64": (217, 219)}.get(platform.machine())
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return number, libc


@pytest.mark.skipif(os.getuid() != 0, reason="switches to a sandbox uid: runs as root only")
def test_each_job_gets_a_private_keyring():
    """A key one notebook stored in its uid's user keyring is gone for the next one of that uid."""
    (add_key, keyctl), libc = _keyctl()
    if add_key is None or libc.syscall(keyctl, 0, ctypes.c_long(-4), 0) < 0:
        pytest.skip("no keyctl here (kernel or seccomp)")
    uid = sandbox.BASE_UID + 9999
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # first notebook: store a secret in the user keyring; then the next one
        code = 1
        try:
            os.setgid(uid)
            os.setuid(uid)
            stored = libc.syscall(add_key, b"user", b"answer", b"42", 2, ctypes.c_long(-4))
            child = os.fork()
            if child == 0:
                harness.private_keyring(clear=True)
                found = libc.syscall(keyctl, 10, ctypes.c_long(-4), b"user", b"answer", 0)
                os._exit(3 if found >= 0 else 0)
            code = 2 if stored < 0 else os.waitstatus_to_exitcode(os.waitpid(child, 0)[1])
        finally:
            os.write(write, bytes([code]))
            os._exit(0)
    os.waitpid(pid, 0)
    result = os.read(read, 1)[0]
    if result == 2:
        pytest.skip("add_key refused here")
    assert result == 0, "the next notebook of the uid could read the earlier one's key"
