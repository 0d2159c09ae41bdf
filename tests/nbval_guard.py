"""A pytest plugin the tests' notebook runner (notebook_runner.py) loads next to nbval: a dead
kernel fails its cell at once.

nbval waits for a cell's reply for the whole ``--nbval-cell-timeout`` even when the kernel has
died (``os._exit``, a segfault, out of memory). This plugin makes that wait poll the kernel once
a second and fail the cell with :data:`KERNEL_DIED` as soon as the kernel process is gone; nbval
then fails the remaining cells with "Kernel dead on test start". Without nbval (or with an nbval
whose internals differ) the plugin does nothing and a crash is only seen after the cell timeout.
"""
from __future__ import annotations

import time
from queue import Empty

#: The text a cell's failure carries when the kernel died while it ran.
KERNEL_DIED = "KERNEL DIED: the kernel process stopped while this cell ran"
POLL_SECONDS = 1.0


class KernelDied(RuntimeError):
    """The kernel process is gone."""


def _guarded(await_reply):
    def guarded_await_reply(self, msg_id, timeout=None):
        deadline = None if timeout is None else time.monotonic() + float(timeout)
        while True:
            left = POLL_SECONDS if deadline is None else deadline - time.monotonic()
            try:
                return await_reply(self, msg_id, timeout=max(0.0, min(POLL_SECONDS, left)))
            except Empty:
                if not self.is_alive():
                    raise KernelDied(KERNEL_DIED + " (os._exit, a crash or out of memory)") from None
                if deadline is not None and time.monotonic() >= deadline:
                    raise

    guarded_await_reply.course_guard = True
    return guarded_await_reply


def pytest_configure(config):
    try:
        from nbval.kernel import RunningKernel
    except ImportError:  # pragma: no cover - nbval is what the runner runs
        return
    original = getattr(RunningKernel, "await_reply", None)
    if original is None or getattr(original, "course_guard", False):
        return
    RunningKernel.await_reply = _guarded(original)
