"""Plain data from the learner's kernel, rebuilt in the clean process: the channel's decoder.

The kernel's agent (:mod:`~course_lib.grading.agent`, with :mod:`~course_lib.grading.encoding`)
writes each answer as JSON. :func:`decode` rebuilds it and makes only numbers, strings, lists,
dicts, numpy arrays (``np.load(allow_pickle=False)``), pandas frames and series, torch tensors
and the course's own dataclasses (fields set one by one, no code of theirs run); it never
unpickles. A course ``Game`` is rebuilt from its players, its values asked of the kernel when the
check evaluates them (:func:`~course_lib.grading.proxies.kernel_game`). A function or other object of the kernel becomes a proxy
(:mod:`~course_lib.grading.proxies`) on the channel (:mod:`~course_lib.grading.remote`).
"""
from __future__ import annotations

import base64
import io

from .proxies import RemoteFunction, RemoteObject, kernel_game

__all__ = ["decode", "DecodeError", "NoAnswer"]

MAX_DEPTH = 60


class DecodeError(ValueError):
    """The kernel's response is not plain data this decoder builds."""


class NoAnswer(DecodeError):
    """The agent's cell wrote no response (it was stopped: a KeyboardInterrupt from learner code)."""


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
    if kind == "game":
        return _game(data, channel, depth)
    if kind in ("fn", "obj"):
        handle = data.get("handle")
        if not isinstance(handle, int) or isinstance(handle, bool):
            raise DecodeError("a handle that is not a number")
        if kind == "fn" or data.get("callable"):
            return RemoteFunction(channel, handle, data)
        return RemoteObject(channel, handle, data)
    raise DecodeError(f"unknown kind {kind!r}")


def _game(data: dict, channel, depth: int):
    """A course ``Game`` of the kernel: its players here, its values asked when the check needs them."""
    players, handle = data.get("players"), data.get("values")
    if not isinstance(players, list) or not isinstance(handle, int) or isinstance(handle, bool):
        raise DecodeError("a game without players or values")
    values = RemoteFunction(channel, handle, {"name": "values_of", "params": ["masks"]})
    try:
        return kernel_game([decode(p, channel, depth + 1) for p in players], values)
    except (TypeError, ValueError) as error:
        raise DecodeError(f"a game that cannot be rebuilt ({error})"[:200]) from None


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
