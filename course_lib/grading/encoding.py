"""The learner's values as plain data: the encoding half of the kernel's agent.

Run in the learner's kernel by :mod:`~course_lib.grading.agent`, which executes this file from
its source in a fresh namespace, as it is itself run (the kernel never imports the grading
package). :func:`encode` writes a value as JSON-ready data: arrays as ``.npy`` bytes written
without pickle, pandas objects as columns of those, the course's dataclasses field by field, a
course ``Game`` as its players and a handle of its ``values_of`` (the check asks for the values
of the coalitions it evaluates, and gets numbers), functions and other objects as handles (kept
in :func:`registry`) that the check may call or read attributes of, never as the objects. The clean process rebuilds it with its own decoder
(:mod:`~course_lib.grading.wire`); nothing here is trusted.
"""
from __future__ import annotations

REGISTRY = "__course_grading_handles__"  # the sys.modules entry holding handles of kernel objects
MAX_DEPTH = 40
MAX_SOURCE = 100_000


def registry() -> dict:
    """{handle: object} of the kernel objects sent as handles (kept across requests)."""
    import sys
    import types

    module = sys.modules.get(REGISTRY)
    if not isinstance(module, types.ModuleType):
        module = types.ModuleType(REGISTRY)
        module.objects = {}
        sys.modules[REGISTRY] = module
    return module.objects


def _handle(value) -> int:
    objects = registry()
    key = len(objects) + 1
    objects[key] = value
    return key


def _npy(array) -> str:
    import base64
    import io

    import numpy as np

    buffer = io.BytesIO()
    np.save(buffer, array if array.flags.c_contiguous else array.copy(order="C"), allow_pickle=False)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _qualname(kind) -> str:
    return f"{getattr(kind, '__module__', '?')}.{getattr(kind, '__qualname__', '?')}"


def _function(value) -> dict:
    import inspect

    try:
        parameters = [p.name for p in inspect.signature(value).parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        parameters = None
    try:
        source = inspect.getsource(value)[:MAX_SOURCE]
    except (OSError, TypeError):
        source = None
    return {"$": "fn", "handle": _handle(value), "name": str(getattr(value, "__name__", "function")),
            "params": parameters, "source": source, "class": isinstance(value, type)}


def encode(value, depth: int = 0):
    """`value` as JSON-ready plain data (see the module's doc)."""
    import dataclasses
    import inspect
    import sys

    if depth > MAX_DEPTH:
        return {"$": "obj", "handle": _handle(value), "type": _qualname(type(value)), "repr": "deep"}
    np = sys.modules.get("numpy")
    if value is None or type(value) in (bool, str):
        return value
    if type(value) is int:
        return value if abs(value) < 2 ** 63 else {"$": "bigint", "text": str(value)}
    if type(value) is float:
        return {"$": "float", "text": repr(value)} if value != value or value in (
            float("inf"), float("-inf")) else value
    if type(value).__name__ == "_Placeholder" and type(value).__module__ == "course_lib.exercises":
        return {"$": "placeholder"}
    if np is not None:
        if isinstance(value, np.ndarray) and value.dtype.kind in "biufcmMSU":
            return {"$": "nd", "npy": _npy(value)}
        if isinstance(value, np.ndarray):
            return {"$": "objarray", "shape": list(value.shape),
                    "items": [encode(v, depth + 1) for v in value.ravel().tolist()]}
        if isinstance(value, np.generic) and np.asarray(value).dtype.kind in "biufcmMSU":
            return {"$": "scalar", "npy": _npy(np.asarray(value))}
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(value, torch.Tensor) and not value.is_sparse:
        try:
            data = value.detach().cpu()
            if data.dtype == torch.bfloat16:
                data = data.float()
            return {"$": "tensor", "npy": _npy(data.numpy()), "dtype": str(value.dtype).replace("torch.", "")}
        except Exception:
            pass
    pd = sys.modules.get("pandas")
    if pd is not None:
        if isinstance(value, pd.DataFrame) and value.columns.is_unique:
            return {"$": "frame", "index": encode(value.index, depth + 1),
                    "columns": [[encode(name, depth + 1), encode(value[name], depth + 1)]
                                for name in value.columns]}
        if isinstance(value, pd.Series):
            return {"$": "series", "name": encode(value.name, depth + 1),
                    "index": encode(value.index, depth + 1), "dtype": str(value.dtype),
                    "values": _column(value, depth)}
        if isinstance(value, pd.RangeIndex):
            return {"$": "range", "start": int(value.start), "stop": int(value.stop),
                    "step": int(value.step), "name": encode(value.name, depth + 1)}
        if isinstance(value, pd.Index) and not isinstance(value, pd.MultiIndex):
            return {"$": "index", "name": encode(value.name, depth + 1), "dtype": str(value.dtype),
                    "values": _column(value, depth)}
    if isinstance(value, (list, tuple, set, frozenset)):
        kind = {list: "list", tuple: "tuple", set: "set", frozenset: "frozenset"}.get(type(value))
        if kind is not None:
            items = [encode(v, depth + 1) for v in value]
            return items if kind == "list" else {"$": kind, "items": items}
    if type(value) is dict:
        return {"$": "dict", "items": [[encode(k, depth + 1), encode(v, depth + 1)]
                                       for k, v in value.items()]}
    if isinstance(value, (bool, str, int, float)):  # subclasses: as the plain value
        base = next(t for t in (bool, str, int, float) if isinstance(value, t))
        return encode(base(value), depth + 1)
    if isinstance(value, complex):
        return {"$": "complex", "real": encode(value.real), "imag": encode(value.imag)}
    if (dataclasses.is_dataclass(value) and not isinstance(value, type)
            and str(type(value).__module__).startswith("course_lib.")):
        return {"$": "dc", "class": _qualname(type(value)),
                "fields": {f.name: encode(getattr(value, f.name, None), depth + 1)
                           for f in dataclasses.fields(value)}}
    game = getattr(sys.modules.get("course_lib.game"), "Game", None)
    if isinstance(game, type) and isinstance(value, game):  # players now, values when asked
        return {"$": "game", "players": [encode(p, depth + 1) for p in tuple(value.players)],
                "values": _handle(value.values_of)}
    if inspect.isroutine(value) or isinstance(value, type) or (
            callable(value) and not hasattr(value, "__dict__")):
        return _function(value)
    try:
        text = repr(value)[:200]
    except Exception:
        text = ""
    return {"$": "obj", "handle": _handle(value), "type": _qualname(type(value)), "repr": text,
            "callable": bool(callable(value))}


def encoded(value):
    """`value` encoded, or a handle when encoding fails (an exotic object: the check then sees
    an object it cannot read, and says so, instead of losing the answer)."""
    try:
        return encode(value)
    except Exception:
        return {"$": "obj", "handle": _handle(value), "type": _qualname(type(value)), "repr": "",
                "callable": bool(callable(value))}


def _column(values, depth: int):
    kind = getattr(values.dtype, "kind", "O")
    if kind in "biufcmM" and not str(values.dtype).startswith(("category", "Int", "Float", "UInt", "boolean")):
        return {"$": "nd", "npy": _npy(values.to_numpy())}
    return [encode(v, depth + 1) for v in values.tolist()]
