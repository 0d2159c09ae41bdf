"""The learner's functions, objects and exceptions as the clean process sees them.

A learner's function arrives (through :func:`~course_lib.grading.wire.decode`) as a
:class:`RemoteFunction`: calling it sends the check's inputs to the kernel, the learner's
function runs there, and its result comes back as plain data. Other objects are
:class:`RemoteObject` (attributes read across the channel). What the learner's code raised is
rebuilt here by :func:`rebuilt` as a local exception of the same name, never as the object.
A course ``Game`` arrives as :func:`kernel_game`: its players, and its values asked of the
kernel's game for the coalitions the check evaluates, answered as numbers.
"""
from __future__ import annotations

__all__ = ["RemoteObject", "RemoteFunction", "LearnerError", "LearnerExit", "rebuilt",
           "kernel_game", "mirror_hooks", "MAX_GAME_PLAYERS"]

#: The most players a game of the kernel is evaluated for (2**10 coalitions); the checks that
#: read a game refuse more players before they evaluate anything.
MAX_GAME_PLAYERS = 10


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
    except Exception:  # a type that takes other arguments (UnicodeDecodeError)
        kind, error = LearnerError, None
    if error is None or str(error) != message:  # KeyError('x') shows as "'x'": keep the text
        error = type(name if name.isidentifier() else "LearnerError", (kind,),
                     {"__str__": lambda self: message})(message)
    if isinstance(error, NotImplementedError):
        error.__course_stub__ = bool(raised.get("stub"))
    return error


_GAME_CLASS: list = []


def kernel_game(players: list, values: RemoteFunction):
    """A course ``Game`` standing for one of the learner's kernel: the same `players`, and for
    the coalitions the check evaluates, in the order it does, the values the kernel's own game
    gives (`values` is its ``values_of``, called across the channel: bitmasks go, numbers come
    back); what that evaluation raised is raised here (rebuilt). Nothing is evaluated before the
    check asks, and never for more than :data:`MAX_GAME_PLAYERS` players."""
    if not _GAME_CLASS:
        import numpy as np

        from course_lib.game import Game

        def unreachable(coalition):  # every value comes from _evaluate
            raise RuntimeError("a value of the kernel's game was not asked of the kernel")

        class KernelGame(Game):
            def __init__(self, players, values):
                super().__init__(players, unreachable)
                self._values = values

            def _evaluate(self, masks):
                if self.n_players > MAX_GAME_PLAYERS:
                    raise ValueError(f"a game of {self.n_players} players is not evaluated for "
                                     f"grading (at most {MAX_GAME_PLAYERS})")
                got = self._values(np.asarray(masks, dtype=np.int64))
                if (not isinstance(got, np.ndarray) or got.shape != np.shape(masks)
                        or got.dtype.kind not in "biuf"):
                    raise ValueError(f"the game gave {type(got).__name__} for "
                                     f"{len(masks)} coalitions, not {len(masks)} numbers")
                return got.astype(float)

        _GAME_CLASS.append(KernelGame)
    return _GAME_CLASS[0](players, values)


def _inert(*args):  # a hook that changes nothing: it stands for one the learner's function left
    return None


def mirror_hooks(local_args: tuple, report) -> None:
    """Give the check's own torch modules (`local_args`) as many hooks as the learner's function
    left on the kernel's copies (`report`, counts: see the agent's ``_hooks``), as hooks that do
    nothing, so that a check counting hooks left behind sees them."""
    import sys

    torch = sys.modules.get("torch")
    if torch is None or not isinstance(report, dict):
        return
    wanted = {}  # id(local module) -> (module, [forward, pre, backward], full)
    for position, rows in report.items():
        local = local_args[int(position)] if str(position).isdigit() and int(position) < len(local_args) else None
        if not isinstance(local, torch.nn.Module) or not isinstance(rows, list):
            continue
        for row in rows[:1000]:
            try:
                module = local.get_submodule(str(row[0]))
                counts = [min(int(c), 100) for c in row[1:4]]
            except (AttributeError, TypeError, ValueError, IndexError):
                continue
            seen = wanted.setdefault(id(module), (module, [0, 0, 0], bool(row[4:5] and row[4])))
            seen[1][:] = [max(a, b) for a, b in zip(seen[1], counts)]
    for module, (forward, pre, backward), full in wanted.values():
        try:
            for _ in range(forward - len(module._forward_hooks)):
                module.register_forward_hook(_inert)
            for _ in range(pre - len(module._forward_pre_hooks)):
                module.register_forward_pre_hook(_inert)
            for _ in range(backward - len(module._backward_hooks)):
                (module.register_full_backward_hook if full else module.register_backward_hook)(_inert)
        except RuntimeError:  # backward hooks of both kinds on one module: torch refuses
            pass
