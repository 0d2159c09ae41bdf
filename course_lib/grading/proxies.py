"""The learner's functions, objects and exceptions as the clean process sees them.

A learner's function arrives (through :func:`~course_lib.grading.wire.decode`) as a
:class:`RemoteFunction`: calling it sends the check's inputs to the kernel, the learner's
function runs there, and its result comes back as plain data. Other objects are
:class:`RemoteObject` (attributes read across the channel). What the learner's code raised is
rebuilt here by :func:`rebuilt` as a local exception of the same name, never as the object.
"""
from __future__ import annotations

__all__ = ["RemoteObject", "RemoteFunction", "LearnerError", "LearnerExit", "rebuilt"]


class LearnerExit(BaseException):
    """``SystemExit`` (or another ``BaseException`` that is not an ``Exception``) raised by the
    learner's code during a check: the question fails as ``error (SystemExit)``."""


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


def rebuilt(raised: dict) -> BaseException:
    """A local exception standing for what the learner's function raised (type name, message;
    a NotImplementedError says whether the function's own body raised it, as a stub does)."""
    import builtins

    name = str(raised.get("type", "Exception"))[:100]
    message = str(raised.get("message", ""))[:2000]
    if raised.get("incorrect"):  # a failed answer, whatever the learner's code made it say
        from course_lib.exercises import Incorrect, mistake_id

        return Incorrect(message, mistake=mistake_id(raised.get("mistake")))
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
