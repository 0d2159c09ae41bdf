"""The clean side of the grader's channel: checks run here, the learner's answers come as data.

The harness (:mod:`~course_lib.grading.harness`) is a process that never runs learner code. For
each question it imports the topic's checker module itself and asks the learner's kernel, through
:mod:`~course_lib.grading.agent`, for the answers the question reads: this module's
:class:`Channel` sends each request. Values arrive as plain data and are rebuilt by
:func:`~course_lib.grading.wire.decode`, which makes only numbers, strings, lists, dicts, numpy
arrays (``np.load(allow_pickle=False)``), pandas frames and series, torch tensors and the course's
own dataclasses (fields set one by one, no code of theirs run); it never unpickles. A learner's
function arrives as a :class:`~course_lib.grading.proxies.RemoteFunction`: calling it sends the
check's inputs to the kernel, the learner's function runs there, and its result comes back the
same way. The helpers of :mod:`course_lib.exercises` (``call_learner``, ``call_fresh``,
``forbidden``, ``uses_python_loop``) know these proxies, so each checker is the same code in
``q1.check()`` in a notebook (direct calls) and here (calls across the process boundary).

Whatever the learner's kernel does to json, numpy, IPython or ``course_lib`` changes what its
own functions see and return, never how the answer is judged or what the reference answer is.
"""
from __future__ import annotations

import base64
import json
import os
import secrets
import time
from pathlib import Path
from queue import Empty

from .proxies import mirror_hooks, rebuilt
from .wire import DecodeError, NoAnswer, decode

__all__ = ["Channel", "CallTimeout", "KernelDied", "IN_KERNEL", "crosses", "MAX_RESPONSE"]

#: Questions whose checks still run in the learner's kernel (the old, signed in-kernel path of
#: :mod:`~course_lib.grading.checkrun`): 05 q4, whose answers `model` and `my_layer` are the
#: learner's torch network and a layer of it, which the check runs (the learner's own forward
#: code), differentiates through and hooks, and hands to pytorch-grad-cam as objects: that
#: cannot cross as plain data without running learner code here. A course ``Game`` crosses (its
#: players, and the values of the coalitions the check evaluates, as numbers); so do the hooks a
#: learner's function left on the modules it was given (counts, mirrored by
#: :func:`~course_lib.grading.proxies.mirror_hooks`). Every other question is judged here.
IN_KERNEL: dict[str, frozenset] = {"ex05_cam": frozenset({"q4"})}

MAX_RESPONSE = 256 << 20  # bytes of one response the clean process reads at most


def crosses(module: str, question: str) -> bool:
    """Whether `question` of the checker `module` is judged in the clean process."""
    return question not in IN_KERNEL.get(module, frozenset())

class CallTimeout(BaseException):
    """A request to the kernel ran past its time (the kernel was interrupted)."""


class KernelDied(BaseException):
    """The learner's kernel died during a request."""
# ------------------------------------------------------------------------------- the channel
class Channel:
    """Requests to the learner's kernel: a request file, a cell running the agent, a response file."""

    def __init__(self, client, manager, workdir: str, agent_path: str, timeout: float):
        self.client, self.manager, self.timeout = client, manager, timeout
        self.workdir, self.agent_path = Path(workdir), agent_path
        self.guards: list[tuple] = []  # (paths, compare, only_loaded) of the open `forbidden` blocks

    def _request(self, request: dict):
        from .agent import cell

        token = secrets.token_hex(8)
        ask, answer = self.workdir / f".ask-{token}", self.workdir / f".answer-{token}"
        ask.write_text(json.dumps(request), encoding="utf-8")
        try:
            self._execute(cell(self.agent_path, str(ask), str(answer)))
            raw = _read(answer)
        finally:
            for path in (ask, answer):
                try:
                    os.unlink(path)
                except OSError:
                    pass
        if raw is None:
            raise NoAnswer("no answer from the notebook's kernel")
        try:
            response = json.loads(raw)
        except (ValueError, RecursionError):
            raise DecodeError("the notebook's kernel answered with something that is not JSON") from None
        if not isinstance(response, dict):
            raise DecodeError("the answer is not a JSON object")
        return response

    def _execute(self, code: str) -> None:
        msg_id = self.client.execute(code, store_history=False, allow_stdin=False, stop_on_error=False)
        deadline = time.monotonic() + self.timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self.manager.interrupt_kernel()
                try:
                    self.client.get_shell_msg(timeout=5)
                except Empty:
                    pass
                raise CallTimeout()
            try:
                message = self.client.get_iopub_msg(timeout=min(1.0, left))
            except Empty:
                if not self.manager.is_alive():
                    raise KernelDied() from None
                continue
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if message["msg_type"] == "status" and message["content"].get("execution_state") == "idle":
                return

    def values(self, names) -> tuple[dict, list]:
        """({name: decoded value} of the learner's variables, the names not defined)."""
        response = self._request({"op": "get", "names": list(names)})
        values, missing = response.get("values"), response.get("missing")
        if not isinstance(values, dict) or not isinstance(missing, list):
            raise DecodeError("an answer without values")
        return ({n: decode(values[n], self) for n in names if n in values},
                [n for n in names if n not in values])

    def attribute(self, handle: int, name: str):
        response = self._request({"op": "attr", "target": handle, "name": name})
        if response.get("raised"):
            error = rebuilt(response["raised"])
            raise error if isinstance(error, AttributeError) else AttributeError(name)
        return decode(response.get("value"), self)

    def call(self, handle: int, args: tuple, kwargs: dict):
        """(result, [[position, how], ...] of inputs the call changed) of calling the kernel's
        function `handle` on `args`; what it raised is raised here (rebuilt)."""
        from course_lib.exercises import FORBIDDEN, ForbiddenGuard, Incorrect

        try:
            import cloudpickle as pickler
        except ImportError:  # pragma: no cover - shap needs it; plain pickle takes no lambdas
            import pickle as pickler
        payload = base64.b64encode(pickler.dumps((tuple(args), dict(kwargs)))).decode("ascii")
        paths = [p for paths, _, _ in self.guards for p in paths]
        only = all(o for _, _, o in self.guards) if self.guards else False
        response = self._request({"op": "call", "target": handle, "args": payload, "keep": True,
                                  "forbidden": paths, "only_loaded": only})
        mirror_hooks(args, response.get("hooks"))
        guard = response.get("guard")
        if guard:
            compare = next((c for ps, c, _ in self.guards if guard in ps), "") or str(guard)
            raise Incorrect(ForbiddenGuard(str(guard), compare).message(), mistake=FORBIDDEN)
        if response.get("raised"):
            raise rebuilt(response["raised"])
        if "value" not in response:
            raise DecodeError(str(response.get("error", "no value in the answer"))[:200])
        changed = response.get("changed") or []
        if not isinstance(changed, list):
            changed = []
        after = response.get("after")
        if isinstance(after, dict):
            for position, data in after.items():
                if str(position).isdigit() and int(position) < len(args):
                    _mirror(args[int(position)], data, self)
        return decode(response["value"], self), changed


def _mirror(local, data, channel) -> None:
    """Make the check's own input `local` what the learner's function left of its copy in the
    kernel (`data`, plain): values written into arrays and tensors, columns and rows of frames,
    items of lists and dicts, a module's parameters; what cannot be mirrored stays as it was."""
    import numpy as np

    if isinstance(data, dict) and data.get("$") == "state":
        state = decode(data.get("value"), None)
        if isinstance(state, dict) and hasattr(local, "load_state_dict"):
            try:
                local.load_state_dict(state, strict=False)
            except Exception:
                pass
        return
    if isinstance(data, dict) and data.get("$") == "attributes":  # a course object, e.g. a Game
        attributes = decode(data.get("value"), None)
        if isinstance(attributes, dict) and type(local).__module__.startswith("course_lib."):
            for name, value in attributes.items():
                if isinstance(name, str) and not name.startswith("_") and hasattr(local, name):
                    setattr(local, name, value)
        return
    try:
        new = decode(data, None)
    except DecodeError:
        return
    try:
        if isinstance(local, np.ndarray) and hasattr(new, "shape") and new.shape == local.shape:
            local[...] = new
        elif hasattr(local, "detach") and hasattr(local, "copy_"):
            import torch

            with torch.no_grad():
                value = torch.as_tensor(np.asarray(new))
                if value.shape == local.shape:
                    local.copy_(value.to(local.dtype))
        elif hasattr(local, "_update_inplace") and type(new) is type(local):
            local._update_inplace(new.copy())
        elif isinstance(local, list) and isinstance(new, list):
            local[:] = new
        elif isinstance(local, dict) and isinstance(new, dict):
            local.clear()
            local.update(new)
    except Exception:  # a change the clean copy cannot take: the check sees its input unchanged
        pass


def _read(path: Path) -> str | None:
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as handle:
        data = handle.read(MAX_RESPONSE + 1)
    if len(data) > MAX_RESPONSE:
        raise DecodeError("the answer is larger than 256 MiB")
    return data.decode("utf-8", "replace")
