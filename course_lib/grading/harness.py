"""The program that runs one submission (inside the sandbox): learner cells, then the grader's checks.

``python -m course_lib.grading.harness JOB.json`` reads the job the grader wrote (the notebook's
code cells, the checks, limits), optionally drops to an unprivileged uid and sets resource
limits, starts a Jupyter kernel, runs every learner cell (errors do not stop the run; outputs
are counted, never kept), then runs the checks and prints one JSON line: each learner cell's
outcome and one signed report line per check.

This process never runs learner code: it is the *clean process* of
:mod:`~course_lib.grading.remote`. It imports the topic's checker module before any learner cell
runs (from the read-only ``course_lib``, with the work folder taken off ``sys.path``), and judges
each question itself, asking the kernel only for the learner's values and for calls of the
learner's functions, which come back as plain data. It signs those reports with a key that never
enters the kernel, and it cannot be read by the kernel (not dumpable; the report goes to the
grader on this process's own stdout). Questions listed in :data:`remote.IN_KERNEL` and the
integrity check are still cells sent to the kernel (:mod:`course_lib.grading.checkrun`), signed
with a second key, which the kernel does see.
"""
from __future__ import annotations

import json
import os
import resource
import sys
import time
from queue import Empty

RESULT_MARK = "COURSE-HARNESS-RESULT "
KEEP_REPORT = 1 << 16  # characters of each report file kept for the grader


def _limits(job: dict) -> None:
    for name, value in (("RLIMIT_AS", job.get("memory_bytes")), ("RLIMIT_NPROC", job.get("processes")),
                        ("RLIMIT_FSIZE", job.get("file_bytes")), ("RLIMIT_CORE", 0)):
        if value is not None:
            resource.setrlimit(getattr(resource, name), (int(value), int(value)))
    uid = job.get("uid")
    dropped = uid is not None and os.getuid() == 0
    if dropped:
        os.setgroups([])
        os.setgid(int(uid))
        os.setuid(int(uid))
        os.environ["HOME"] = os.getcwd()
    private_keyring(clear=dropped)
    try:  # no process of the same uid may read this one's memory (the check cells hold the key)
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4
    except (OSError, AttributeError):
        pass


_KEYCTL = {"x86_64": 250, "aarch64": 219}  # the keyctl system call's number
KEYCTL_JOIN_SESSION_KEYRING, KEYCTL_CLEAR = 1, 7
KEY_SPEC_USER_KEYRING, KEY_SPEC_USER_SESSION_KEYRING = -4, -5


def private_keyring(clear: bool) -> bool:
    """Give this run a new session keyring and (`clear`: under a sandbox uid) empty its uid's user
    keyrings, which outlive every process of the uid: no key an earlier notebook graded under the
    same uid stored there can be read. Returns whether the kernel took it (False without keyctl)."""
    import ctypes
    import platform

    number = _KEYCTL.get(platform.machine())
    if number is None:
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        ok = libc.syscall(number, KEYCTL_JOIN_SESSION_KEYRING, None) >= 0
        if clear:
            for keyring in (KEY_SPEC_USER_KEYRING, KEY_SPEC_USER_SESSION_KEYRING):
                ok = libc.syscall(number, KEYCTL_CLEAR, ctypes.c_long(keyring)) >= 0 and ok
        return ok
    except (OSError, AttributeError):
        return False


def _run(client, manager, code: str, timeout: float) -> dict:
    """Execute `code`; return status ('ok', 'error', 'timeout', 'kernel died'), error name, bytes printed."""
    msg_id = client.execute(code, store_history=False, allow_stdin=False, stop_on_error=False)
    deadline = time.monotonic() + timeout
    status, error, size = "ok", "", 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            manager.interrupt_kernel()
            try:  # let the interrupt land, then report the cell as timed out
                client.get_shell_msg(timeout=5)
            except Empty:
                pass
            return {"status": "timeout", "error": "", "bytes": size}
        try:
            message = client.get_iopub_msg(timeout=min(1.0, left))
        except Empty:
            if not manager.is_alive():
                return {"status": "kernel died", "error": "", "bytes": size}
            continue
        if message.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind, content = message["msg_type"], message["content"]
        if kind == "stream":
            size += len(content.get("text", ""))
        elif kind == "error":
            status, error = "error", (str(content.get("ename", ""))[:80] + ": " + str(content.get("evalue", ""))[:200])
        elif kind == "status" and content.get("execution_state") == "idle":
            return {"status": status, "error": error, "bytes": size}


def _read_report(path: str) -> str:
    """The report file a check wrote (its last KEEP_REPORT characters), then removed; '' if none."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK)
    except OSError:
        return ""
    try:
        with os.fdopen(descriptor, "rb") as handle:
            text = handle.read(4 * KEEP_REPORT).decode("utf-8", "replace")
        os.unlink(path)
    except OSError:
        return ""
    return text[-KEEP_REPORT:]


def _clean_path() -> None:
    """Take the work folder (the learner's, writable from the kernel) off ``sys.path``: ``python
    -m`` put it first, and a ``numpy.py`` written there must never be imported here."""
    here = os.path.realpath(os.getcwd())
    sys.path[:] = [p for p in sys.path if p and not (
        os.path.realpath(p) == here or os.path.realpath(p).startswith(here + os.sep))]


def _clean_check(channel, checker, name: str, key: str) -> dict:
    """Judge question `name` here, with the learner's answers read through `channel`; the
    check's entry in the result (status, error, one signed report line)."""
    import contextlib
    import io

    from course_lib.exercises import CheckCrashed, CheckFailed, NotAttempted

    from . import checkrun
    from .proxies import LearnerExit
    from .remote import CallTimeout, KernelDied
    from .wire import DecodeError, NoAnswer

    question = getattr(checker, name)
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            values, _ = channel.values(question.vars)
            try:
                question.judge(values)
                outcome, message, mistake = "passed", "", ""
            except NotAttempted as failed:
                outcome, message, mistake = "not attempted", failed.message, failed.mistake
            except CheckCrashed as failed:
                outcome, message, mistake = ("error (the checker crashed)", failed.message,
                                             failed.mistake)
            except CheckFailed as failed:
                outcome, message, mistake = "incorrect", failed.message, failed.mistake
    except CallTimeout:
        return {"status": "timeout", "error": "", "report": ""}
    except KernelDied:
        return {"status": "kernel died", "error": "", "report": ""}
    except LearnerExit as error:  # SystemExit from a stub: the question fails
        outcome, message = f"error ({type(error).__name__})", f"{type(error).__name__}: {error}"
        mistake = ""
    except NoAnswer:  # the agent's cell was stopped: as a check cell that never reported
        return {"status": "error", "error": "", "report": ""}
    except DecodeError as error:
        outcome, message = "error (unreadable answer)", f"the answer could not be read: {error}"
        mistake = ""
    payload = {"question": name, "outcome": outcome, "message": str(message)[:500],
               "mistake": mistake}
    return {"status": "ok", "error": "", "report": checkrun.signed(payload, key)}


def main(argv: list[str]) -> int:
    _clean_path()
    with open(argv[0], encoding="utf-8") as handle:
        job = json.load(handle)
    os.unlink(argv[0]) if job.get("remove_job") else None
    _limits(job)
    from jupyter_client import KernelManager

    manager = KernelManager(kernel_name="python3")
    null = open(os.devnull, "wb")
    manager.start_kernel(stdout=null, stderr=null, cwd=os.getcwd())
    client = manager.client()
    client.start_channels()
    result = {"cells": [], "checks": [], "status": "ok", "index": None}
    checker = None
    try:
        if any("clean" in check for check in job["checks"]):
            import importlib

            checker = importlib.import_module(f"course_lib.exercises.{job['module']}")
        client.wait_for_ready(timeout=job["startup_timeout"])
        for index, source in enumerate(job["cells"]):
            outcome = _run(client, manager, source, job["cell_timeout"])
            result["cells"].append({k: outcome[k] for k in ("status", "error", "bytes")})
            if outcome["status"] in ("timeout", "kernel died"):
                result["status"], result["index"] = outcome["status"], index
                break
        if manager.is_alive():
            from .agent import __file__ as agent_path
            from .remote import Channel

            channel = Channel(client, manager, os.getcwd(), agent_path, job["check_timeout"])
            for check in job["checks"]:
                if "clean" in check:
                    result["checks"].append(_clean_check(channel, checker, check["clean"],
                                                         job["clean_key"]))
                    if result["checks"][-1]["status"] == "kernel died":
                        break
                    continue
                outcome = _run(client, manager, check["code"], job["check_timeout"])
                result["checks"].append({"status": outcome["status"], "error": outcome["error"],
                                         "report": _read_report(check["report"])})
                if outcome["status"] == "kernel died":
                    break
    except RuntimeError as error:  # the kernel did not start
        result["status"], result["reason"] = "error", f"the kernel did not start: {error}"[:200]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    sys.stdout.write(RESULT_MARK + json.dumps(result) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
