"""Run the harness for one submission inside a bubblewrap sandbox (or, on request, without one).

The sandbox (``bwrap``, Debian/Ubuntu package ``bubblewrap``) sees only: the system's
``/usr`` and ``/etc`` read-only, the Python installation and its virtual environment read-only,
``course_lib`` read-only (only that folder, not the project around it: no solutions), the data
cache read-only, a private ``/tmp``, and its own work folder holding the one notebook. It has no
network (``--unshare-net``), its own PID, IPC and UTS namespaces, and dies with the grader
(``--die-with-parent``); when its first process ends, the kernel kills every process in the
PID namespace, daemons and double forks included. Inside, the harness drops to an unprivileged
uid of its own (one per parallel slot) before any learner code runs, with limits on address
space, processes (counted per uid, which is why each slot has its own) and file size.

Why this shape: as root (the usual container), ``bwrap --unshare-user --uid N`` maps N to root
outside, so the kernel never applies ``RLIMIT_NPROC`` and a fork bomb is unbounded; and a
non-root bwrap cannot bind files under a private ``/root``. So bwrap runs as the grader's user
and the harness itself switches to the slot's uid. Run as another user than root, bwrap makes
an unprivileged user namespace instead, and the process limit counts that user's processes.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

from .cgroups import CGROUP_ROOT, Cgroup  # noqa: F401  (the sandbox's cgroups, here too)

PACKAGE_DIR = Path(__file__).resolve().parents[1]
BASE_UID = 61000  # uid of sandbox slot k: BASE_UID + k (no passwd entry needed)
OUTPUT_LIMIT = 1 << 20  # bytes of the harness's output the grader keeps (the last ones)


class SandboxMissing(RuntimeError):
    """bwrap is not installed or cannot create namespaces here."""


def bwrap_path() -> str:
    path = shutil.which("bwrap")
    if path is None:
        raise SandboxMissing("bubblewrap (bwrap) is not installed: `apt-get install bubblewrap`, "
                             "or grade with --no-sandbox inside a throw-away VM or container")
    return path


def _data_dir() -> Path | None:
    from ..assets import data_dir

    folder = Path(data_dir())
    return folder.resolve() if folder.is_dir() else None


_SIZE_OPTION: dict[str, bool] = {}


def sized_tmpfs() -> bool:
    """Whether this bwrap can size a tmpfs (``--size``, bubblewrap 0.8 and later)."""
    path = bwrap_path()
    if path not in _SIZE_OPTION:
        try:
            help_text = subprocess.run([path, "--help"], capture_output=True, text=True,
                                       timeout=30).stdout
        except (OSError, subprocess.SubprocessError):
            help_text = ""
        _SIZE_OPTION[path] = "--size" in help_text
    return _SIZE_OPTION[path]


SMALL_TMPFS = 16 << 20  # /root, /home and /var inside the sandbox (HOME is the work folder)


def bwrap_command(workdir: Path, inner: list[str], tmp_bytes: int | None = 256 << 20) -> list[str]:
    """The bwrap command line that runs `inner` in `workdir` (seen inside as itself); its private
    /tmp holds at most `tmp_bytes` (where bwrap can size a tmpfs)."""
    command = [bwrap_path(), "--die-with-parent", "--new-session", "--unshare-pid",
               "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
               "--hostname", "grading", "--ro-bind", "/usr", "/usr"]
    for name in ("bin", "lib", "lib64", "sbin", "lib32", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            command += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            command += ["--ro-bind", str(path), str(path)]
    command += ["--ro-bind", "/etc", "/etc", "--proc", "/proc", "--dev", "/dev"]
    sized = sized_tmpfs()
    for folder, size in (("/tmp", tmp_bytes), ("/root", SMALL_TMPFS), ("/home", SMALL_TMPFS),
                         ("/var", SMALL_TMPFS)):
        if folder == "/tmp":
            command += ["--perms", "1777"]
        if sized and size:
            command += ["--size", str(int(size))]
        command += ["--tmpfs", folder]
    made = {Path("/"), Path("/tmp"), Path("/root"), Path("/home"), Path("/var"), Path("/usr"),
            Path("/etc")}

    def bind(kind: str, source: Path, target: Path) -> None:
        for parent in reversed(target.parents):  # bwrap would make missing folders 0700
            if parent not in made:
                made.add(parent)
                command.extend(["--perms", "0755", "--dir", str(parent)])
        command.extend([kind, str(source), str(target)])

    bound: list[Path] = []
    for path in (Path(sys.base_prefix), Path(sys.prefix), PACKAGE_DIR, _data_dir()):
        if path is None:
            continue
        path = path.resolve()
        if any(path == b or b in path.parents for b in bound) or str(path).startswith("/usr"):
            continue
        bound.append(path)
        bind("--ro-bind", path, path)
    fonts = Path("/var/cache/fontconfig")
    if fonts.is_dir():
        bind("--ro-bind", fonts, fonts)
    prefix = Path(sys.prefix)
    if prefix.resolve() != prefix and prefix.is_absolute():  # a venv reached through a link
        bind("--ro-bind", prefix.resolve(), prefix)
    bind("--bind", workdir, workdir)
    command += ["--chdir", str(workdir), "--"]
    return command + inner


def _keep_tail(stream, sink: bytearray) -> None:
    for block in iter(lambda: stream.read(65536), b""):
        sink.extend(block)
        if len(sink) > OUTPUT_LIMIT:
            del sink[:len(sink) - OUTPUT_LIMIT]


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        pass


def run(workdir: Path, job_file: Path, env: dict, timeout: float, sandbox: bool,
        register=None, memory_bytes: int | None = None,
        processes: int | None = None, tmp_bytes: int | None = 256 << 20) -> tuple[str, bool]:
    """Run the harness on `job_file`; return (the last output, whether it was stopped by `timeout`)."""
    inner = [sys.executable, "-m", "course_lib.grading.harness", str(job_file)]
    group = Cgroup(f"course-grade-{workdir.name}", memory_bytes, processes) if sandbox else None
    command = group.wrap(bwrap_command(workdir, inner, tmp_bytes)) if sandbox else inner
    process = subprocess.Popen(command, cwd=workdir, env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               start_new_session=True, close_fds=True, umask=0o022)
    if register is not None:
        register(process)
    sink = bytearray()
    reader = threading.Thread(target=_keep_tail, args=(process.stdout, sink), daemon=True)
    reader.start()
    stopped = False
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        stopped = True
    finally:
        _kill_group(process)  # without a sandbox, the harness's session; with one, bwrap's
        if not sandbox:
            _kill_leftovers(process.pid)
        process.wait()
        if group is not None:
            group.close()
        reader.join(timeout=5)
        process.stdout.close()
    return bytes(sink).decode("utf-8", "replace"), stopped


def _kill_leftovers(pid: int) -> None:
    """Without a sandbox: kill what the run left (its session, and processes in its work folder)."""
    import psutil

    for other in psutil.process_iter():
        try:
            if other.pid != os.getpid() and os.getsid(other.pid) == pid:
                other.kill()
        except (psutil.Error, OSError):
            continue
