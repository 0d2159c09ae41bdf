"""The clean side of the grader's channel: checks run here, the learner's answers come as data.

The harness (:mod:`~course_lib.grading.harness`) is a process that never runs learner code. For
each question it imports the topic's checker module itself and asks the learner's kernel, through
:mod:`~course_lib.grading.agent`, for the answers the question reads. Values arrive as plain
data and are rebuilt here by :func:`decode`, which makes only numbers, strings, lists, dicts,
numpy arrays (``np.load(allow_pickle=False)``), pandas frames and series, torch tensors and the
course's own dataclasses (fields set one by one, no code of theirs run); it never unpickles. A
learner's function arrives as a :class:`RemoteFunction`: calling it sends the check's inputs to
the kernel, the learner's function runs there, and its result comes back the same way. The
helpers of :mod:`course_lib.exercises` (``call_learner``, ``call_fresh``, ``forbidden``,
``uses_python_loop``) know these proxies, so each checker is the same code in ``q1.check()`` in
a notebook (direct calls) and here (calls across the process boundary).

Whatever the learner's kernel does to json, numpy, IPython or ``course_lib`` changes what its
own functions see and return, never how the answer is judged or what the reference answer is.
"""
from __future__ import annotations

import base64
import io
import json
import os
import secrets
import time
from pathlib import Path
from queue import Empty

__all__ = ["Channel", "RemoteFunction", "RemoteObject", "decode", "DecodeError", "CallTimeout",
           "KernelDied", "IN_KERNEL", "crosses"]

#: Questions whose checks still run in the learner's kernel (the old, signed in-kernel path of
#: :mod:`~course_lib.grading.checkrun`): their answers are objects the check uses as objects (a
#: fitted model it inspects, a torch module it hooks), which cannot cross as plain data yet.
#: Every other question of every topic is judged in the clean process.
IN_KERNEL: dict[str, frozenset] = {
    # answers are `Game` objects (a value function the check evaluates on coalitions)
    "ex01_shapley": frozenset({"q5", "q7"}),
    # q1: the check looks at the hooks the learner's function left registered on its own model;
    # q4: the answers `model` and `my_layer` are torch modules the check runs and hooks itself
    "ex05_cam": frozenset({"q1", "q4"}),
}

MAX_RESPONSE = 256 << 20  # bytes of one response the clean process reads at most
MAX_DEPTH = 60


def crosses(module: str, question: str) -> bool:
    """Whether `question` of the checker `module` is judged in the clean process."""
    return question not in IN_KERNEL.get(module, frozenset())


class DecodeError(ValueError):
    """The kernel's response is not plain data this decoder builds."""


class NoAnswer(DecodeError):
    """The agent's cell wrote no response (it was stopped: a KeyboardInterrupt from learner code)."""


class LearnerExit(BaseException):
    """``SystemExit`` (or another ``BaseException`` that is not an ``Exception``) raised by the
    learner's code during a check: the question fails as ``error (SystemExit)``."""


class CallTimeout(BaseException):
    """A request to the kernel ran past its time (the kernel was interrupted)."""


class KernelDied(BaseException):
    """The learner's kernel died during a request."""


# ------------------------------------------------------------------------------- decoding
def _array(text):
    import numpy as np

    if not isinstance(text, str):
        raise DecodeError("an array without .npy bytes")
    try:
        return np.load(io.BytesIO(base64.b64decode(text, validate=True)), allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise DecodeError(f"unreadable array ({error})") from None


def _dataclass(name: str, fields: dict, depth: int, channel):
    import dataclasses
    import importlib

    module_name, _, qualname = name.rpartition(".")
    if (not module_name.startswith("course_lib.") or "<" in qualname
            or module_name.startswith(("course_lib.exercises", "course_lib.grading"))):
        raise DecodeError(f"{name} is not a course class")
    try:
        kind = importlib.import_module(module_name)
        for part in qualname.split("."):
            kind = getattr(kind, part)
    except (ImportError, AttributeError):
        raise DecodeError(f"{name} is not a course class") from None
    if not (isinstance(kind, type) and dataclasses.is_dataclass(kind)) or not isinstance(fields, dict):
        raise DecodeError(f"{name} is not a course dataclass")
    value = object.__new__(kind)
    for field in dataclasses.fields(kind):
        object.__setattr__(value, field.name, decode(fields.get(field.name), channel, depth + 1))
    return value


def decode(data, channel=None, depth: int = 0):
    """The value that plain `data` (as :func:`agent.encode` writes it) describes; functions and
    other kernel objects become :class:`RemoteFunction` / :class:`RemoteObject` on `channel`."""
    if depth > MAX_DEPTH:
        raise DecodeError("nested too deep")
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [decode(v, channel, depth + 1) for v in data]
    if not isinstance(data, dict) or not isinstance(data.get("$"), str):
        raise DecodeError("not plain data")
    kind = data["$"]
    items = data.get("items")
    if kind in ("tuple", "set", "frozenset", "dict", "objarray") and not isinstance(items, list):
        raise DecodeError(f"{kind} without items")
    if kind == "placeholder":
        from course_lib.exercises import PLACEHOLDER

        return PLACEHOLDER
    if kind == "float":
        if data.get("text") not in ("nan", "inf", "-inf"):
            raise DecodeError("a float that is not nan or infinite")
        return float(data["text"])
    if kind == "bigint":
        text = str(data.get("text", ""))
        if len(text) > 5000:
            raise DecodeError("an integer too long")
        return int(text)
    if kind == "complex":
        return complex(float(decode(data.get("real"), None, depth + 1)),
                       float(decode(data.get("imag"), None, depth + 1)))
    if kind == "nd":
        return _array(data.get("npy"))
    if kind == "scalar":
        array = _array(data.get("npy"))
        if array.shape != ():
            raise DecodeError("a scalar that is not 0-d")
        return array[()]
    if kind == "objarray":
        import numpy as np

        values = [decode(v, channel, depth + 1) for v in items]
        array = np.empty(len(values), dtype=object)
        array[:] = values
        try:
            return array.reshape([int(s) for s in data.get("shape", [len(values)])])
        except (TypeError, ValueError):
            raise DecodeError("an object array of the wrong size") from None
    if kind == "tensor":
        import torch

        return torch.from_numpy(_array(data.get("npy")).copy())
    if kind == "tuple":
        return tuple(decode(v, channel, depth + 1) for v in items)
    if kind in ("set", "frozenset"):
        values = [decode(v, channel, depth + 1) for v in items]
        try:
            return set(values) if kind == "set" else frozenset(values)
        except TypeError:
            raise DecodeError("a set of unhashable items") from None
    if kind == "dict":
        out = {}
        for pair in items:
            if not isinstance(pair, list) or len(pair) != 2:
                raise DecodeError("a dict item that is not a pair")
            try:
                out[decode(pair[0], channel, depth + 1)] = decode(pair[1], channel, depth + 1)
            except TypeError:
                raise DecodeError("a dict with an unhashable key") from None
        return out
    if kind in ("frame", "series", "index", "range"):
        return _pandas(kind, data, channel, depth)
    if kind == "dc":
        return _dataclass(str(data.get("class", "")), data.get("fields"), depth, channel)
    if kind in ("fn", "obj"):
        handle = data.get("handle")
        if not isinstance(handle, int) or isinstance(handle, bool):
            raise DecodeError("a handle that is not a number")
        if kind == "fn" or data.get("callable"):
            return RemoteFunction(channel, handle, data)
        return RemoteObject(channel, handle, data)
    raise DecodeError(f"unknown kind {kind!r}")


def _pandas(kind: str, data: dict, channel, depth: int):
    import numpy as np
    import pandas as pd

    def values_of(raw):
        values = decode(raw, channel, depth + 1)
        if isinstance(values, list):
            array = np.empty(len(values), dtype=object)
            array[:] = values
            return array
        if not isinstance(values, np.ndarray) or values.ndim != 1:
            raise DecodeError("a column that is not one-dimensional")
        return values

    def dtype_of(values):
        text = str(data.get("dtype", ""))
        if values.dtype != object or not text or text == "object":
            return None
        try:
            return pd.api.types.pandas_dtype(text)
        except TypeError:
            return None

    try:
        if kind == "range":
            return pd.RangeIndex(int(data["start"]), int(data["stop"]), int(data["step"]),
                                 name=decode(data.get("name"), None, depth + 1))
        if kind == "index":
            values = values_of(data.get("values"))
            return pd.Index(values, dtype=dtype_of(values), name=decode(data.get("name"), None, depth + 1))
        if kind == "series":
            values = values_of(data.get("values"))
            index = decode(data.get("index"), channel, depth + 1)
            return pd.Series(values, index=index, dtype=dtype_of(values),
                             name=decode(data.get("name"), None, depth + 1))
        index = decode(data.get("index"), channel, depth + 1)
        columns = data.get("columns")
        if not isinstance(columns, list):
            raise DecodeError("a frame without columns")
        names, series = [], []
        for pair in columns:
            if not isinstance(pair, list) or len(pair) != 2:
                raise DecodeError("a frame column that is not a pair")
            names.append(decode(pair[0], None, depth + 1))
            column = decode(pair[1], channel, depth + 1)
            if not isinstance(column, pd.Series):
                raise DecodeError("a frame column that is not a series")
            series.append(column)
        frame = pd.DataFrame({i: s.reset_index(drop=True) for i, s in enumerate(series)})
        if not series:
            frame = pd.DataFrame(index=range(len(index)))
        frame.columns = pd.Index(names, dtype=object) if names else frame.columns
        frame.index = index
        return frame
    except DecodeError:
        raise
    except (TypeError, ValueError, KeyError) as error:
        raise DecodeError(f"unreadable pandas data ({type(error).__name__})") from None


# ------------------------------------------------------------------------------- proxies
class RemoteObject:
    """An object of the learner's kernel: the check may read its attributes (as plain data)."""

    __course_remote__ = True

    def __init__(self, channel, handle: int, data: dict):
        self._channel, self._handle = channel, handle
        self.__course_type__ = str(data.get("type", "object")).rpartition(".")[2]
        self._repr = str(data.get("repr", ""))[:200]

    def __getattr__(self, name):
        if name.startswith("_") or self.__dict__.get("_channel") is None:
            raise AttributeError(name)
        return self._channel.attribute(self._handle, name)

    def __repr__(self) -> str:
        return self._repr or f"<{self.__course_type__}>"


class RemoteFunction(RemoteObject):
    """A function of the learner's kernel, called across the process boundary."""

    def __init__(self, channel, handle: int, data: dict):
        super().__init__(channel, handle, data)
        self.__name__ = str(data.get("name", "function"))[:100]
        params = data.get("params")
        self.parameters = [str(p) for p in params] if isinstance(params, list) else []
        source = data.get("source")
        self.source = source if isinstance(source, str) else None
        self.is_class = bool(data.get("class"))
        self.__course_type__ = "function"
        self.last_changed: list = []

    def __call__(self, *args, **kwargs):
        result, self.last_changed = self._channel.call(self._handle, args, kwargs)
        return result

    def __repr__(self) -> str:
        return f"<function {self.__name__}>"


class LearnerError(Exception):
    """An exception raised in the learner's kernel whose type is not a builtin one."""


def _rebuilt(raised: dict) -> BaseException:
    """A local exception standing for what the learner's function raised (type name, message;
    a NotImplementedError says whether the function's own body raised it, as a stub does)."""
    import builtins

    name = str(raised.get("type", "Exception"))[:100]
    message = str(raised.get("message", ""))[:2000]
    if raised.get("incorrect"):  # a failed answer, whatever the learner's code made it say
        from course_lib.exercises import Incorrect

        return Incorrect(message)
    kind = getattr(builtins, name, None) if raised.get("builtin") else None
    if isinstance(kind, type) and issubclass(kind, BaseException) and not issubclass(kind, Exception):
        return type(name, (LearnerExit,), {})(message)
    if not (isinstance(kind, type) and issubclass(kind, Exception)):
        kind = type(name if name.isidentifier() else "LearnerError", (LearnerError,), {})
    try:
        error = kind(message)
    except Exception:
        error = LearnerError(message)
    if isinstance(error, NotImplementedError):
        error.__course_stub__ = bool(raised.get("stub"))
    return error


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
            error = _rebuilt(response["raised"])
            raise error if isinstance(error, AttributeError) else AttributeError(name)
        return decode(response.get("value"), self)

    def call(self, handle: int, args: tuple, kwargs: dict):
        """(result, [[position, how], ...] of inputs the call changed) of calling the kernel's
        function `handle` on `args`; what it raised is raised here (rebuilt)."""
        from course_lib.exercises import ForbiddenGuard, Incorrect

        try:
            import cloudpickle as pickler
        except ImportError:  # pragma: no cover - shap needs it; plain pickle takes no lambdas
            import pickle as pickler
        payload = base64.b64encode(pickler.dumps((tuple(args), dict(kwargs)))).decode("ascii")
        paths = [p for paths, _, _ in self.guards for p in paths]
        only = all(o for _, _, o in self.guards) if self.guards else False
        response = self._request({"op": "call", "target": handle, "args": payload, "keep": True,
                                  "forbidden": paths, "only_loaded": only})
        guard = response.get("guard")
        if guard:
            compare = next((c for ps, c, _ in self.guards if guard in ps), "") or str(guard)
            raise Incorrect(ForbiddenGuard(str(guard), compare).message())
        if response.get("raised"):
            raise _rebuilt(response["raised"])
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
