"""The learner's side of the grader's channel: run in the learner's kernel, one request at a time.

The grader's checks run in a clean process (:mod:`~course_lib.grading.remote`, inside the
harness). When a check needs one of the learner's answers, that process writes a request file
and sends a small cell (:func:`cell`) that executes this file in a fresh namespace and calls
:func:`serve`: it reads the learner's variables by name, or calls a learner's function on the
check's inputs, and writes the result to a response file as *plain data*, encoded by
:mod:`~course_lib.grading.encoding` (JSON; arrays as ``.npy`` bytes written without pickle; pandas
objects as columns of those; functions and other objects as handles the check may call or read
attributes of, never as the objects).

Nothing here is trusted: a learner can patch anything this file uses (json, numpy, builtins,
this very code in memory) and so make the response say anything at all. The clean process
decodes the response with its own decoder (:mod:`~course_lib.grading.wire`), which builds only
plain values, and judges them itself; the response can only be the learner's answer, honest or
not, never a verdict. After a call it also reports, as counts, the hooks the learner's function
left on the torch modules it was given. The check's inputs arrive pickled (the grader's data,
unpickled here so that the learner's function gets real objects: models, frames); nothing is
ever unpickled on the grader's side.
"""
from __future__ import annotations

_LOADED: dict = {}  # this request's run of encoding.py


def _encoding():
    """The namespace of ``encoding.py`` (the values as plain data), next to this file: run from its
    source in a fresh namespace, as this file is, so that the kernel never imports the grading
    package (each module of ``course_lib`` it loads is one the integrity check compares)."""
    if "encoding" not in _LOADED:
        import builtins
        import os
        import types

        path = os.path.join(os.path.dirname(__file__), "encoding.py")
        namespace = {"__name__": "__course_encoding__", "__builtins__": builtins}
        with open(path, "rb") as handle:
            exec(compile(handle.read(), path, "exec", dont_inherit=True), namespace)
        _LOADED["encoding"] = types.SimpleNamespace(**namespace)
    return _LOADED["encoding"]


# ------------------------------------------------------------------------------- requests
class _Guard:
    """Stands in for a function the question forbids while the learner's function runs."""

    def __init__(self, label: str):
        self.label, self.used = label, False

    def __call__(self, *args, **kwargs):
        self.used = True
        raise RuntimeError(f"this question asks you to write it yourself (not {self.label})")

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self


def _guarded(paths, only_loaded, functions):
    """Put guards in place of `paths` (and of the names the learner's functions bound to them);
    (guards, what to restore), as ``exercises.forbidden`` does in the notebook."""
    from course_lib.exercises import install_guards

    guards, patched = [], []
    install_guards(paths, functions, _Guard, only_loaded, guards, patched)
    return guards, patched


def _raised(function, error) -> dict:
    code = getattr(function, "__code__", None)
    frames, tb = [], error.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame.f_code)
        tb = tb.tb_next
    stub = isinstance(error, NotImplementedError) and (
        not frames or code is None or frames[-1] is code
        or frames[-1].co_name == code.co_name and len(frames) <= 2)
    return {"type": type(error).__name__, "message": str(error)[:2000], "stub": bool(stub),
            "builtin": type(error).__module__ == "builtins",
            # a check's own helper (an `f` it hands over) refusing how it is called
            "incorrect": type(error).__name__ == "Incorrect" and type(error).__module__ == "course_lib.exercises",
            "mistake": str(getattr(error, "mistake", "") or "")[:60]}


def _state(value):
    """A torch module's parameters and buffers ({name: tensor}), or None for anything else."""
    import sys

    torch = sys.modules.get("torch")
    if torch is None or not isinstance(value, torch.nn.Module):
        return None
    return {k: v.detach().clone() for k, v in value.state_dict().items()}


def _hooks(values: list) -> dict:
    """{position: [[submodule name, forward, forward-pre, backward hooks, full backward?], ...]}
    of the torch modules among the call's inputs that hold hooks after it (counts only)."""
    import sys

    torch = sys.modules.get("torch")
    found = {}
    for position, value in enumerate(values if torch is not None else ()):
        try:
            if isinstance(value, torch.nn.Module):
                rows = [[name, len(m._forward_hooks), len(m._forward_pre_hooks),
                         len(m._backward_hooks), bool(getattr(m, "_is_full_backward_hook", None))]
                        for name, m in value.named_modules()
                        if m._forward_hooks or m._forward_pre_hooks or m._backward_hooks]
                if rows:
                    found[str(position)] = rows[:1000]
        except Exception:  # a module the learner's function broke: no hooks reported for it
            pass
    return found


def _same_state(old, new) -> bool:
    import torch

    return list(old) == list(new) and all(
        old[k].shape == new[k].shape and bool(torch.equal(old[k], new[k])) for k in old)


def _changed(before: list, after: list, states: list) -> tuple[list, dict]:
    """([[position, how]] of the inputs the call changed in place, {position: the input after
    the call, encoded}): the clean process mirrors each change into its own copy, so that a check
    that looks at its inputs afterwards sees what the learner's function did to them."""
    try:
        from course_lib.exercises import inputs_unchanged
    except Exception:
        return [], {}
    encode = _encoding().encode
    found, values = [], {}
    for position, (old, new) in enumerate(zip(before, after)):
        state = states[position]
        if state is not None:
            now = _state(new)
            if not _same_state(state, now):
                values[str(position)] = {"$": "state", "value": encode(now)}
            continue
        try:
            same = inputs_unchanged(old, new)
        except Exception:
            same = True
        if not same and type(old).__module__.startswith("course_lib.") and hasattr(old, "__dict__"):
            from course_lib.exercises import public_attributes

            found.append([position, "it changed"])
            values[str(position)] = {"$": "attributes", "value": encode(public_attributes(new))}
        elif not same:
            how = ("a column was added, removed or overwritten" if hasattr(old, "columns") else
                   "its values changed" if type(old).__name__ == "ndarray" else "it changed")
            found.append([position, how])
            values[str(position)] = encode(new)
    return found, values


def _call(request: dict, namespace: dict) -> dict:
    import base64
    import pickle

    from course_lib.exercises import restore

    encoding = _encoding()
    target = encoding.registry().get(request["target"])
    if target is None:
        return {"error": "the function is gone"}
    data = base64.b64decode(request["args"])
    args, kwargs = pickle.loads(data)
    kept = pickle.loads(data)[0] if request.get("keep") else None
    states = [_state(value) for value in args]
    guards, patched = _guarded(request.get("forbidden", []), request.get("only_loaded", False),
                               [target])
    try:
        try:
            result = target(*args, **kwargs)
        finally:
            restore(patched)
    except BaseException as error:  # noqa: B036 - SystemExit from a stub is the learner's answer
        if isinstance(error, KeyboardInterrupt):
            raise
        used = next((g.label for g in guards if g.used), None)
        return {"raised": _raised(target, error), "guard": used, "hooks": _hooks(list(args))}
    used = next((g.label for g in guards if g.used), None)
    if used is not None:
        return {"raised": None, "guard": used}
    changed, after = _changed(list(kept), list(args), states) if kept else ([], {})
    return {"value": encoding.encoded(result), "changed": changed, "after": after,
            "hooks": _hooks(list(args))}


def serve(namespace: dict, request_path: str, response_path: str) -> None:
    """Answer one request of the clean process (read from `request_path`) into `response_path`."""
    import json

    with open(request_path, encoding="utf-8") as handle:
        request = json.load(handle)
    encoding = _encoding()
    op = request["op"]
    if op == "get":
        values, missing = {}, []
        for name in request["names"]:
            if name in namespace:
                values[name] = encoding.encoded(namespace[name])
            else:
                missing.append(name)
        response = {"values": values, "missing": missing}
    elif op == "call":
        response = _call(request, namespace)
    elif op == "attr":
        target = encoding.registry().get(request["target"])
        try:
            response = {"value": encoding.encoded(getattr(target, request["name"]))}
        except Exception as error:
            response = {"raised": _raised(None, error), "guard": None}
    else:
        response = {"error": f"unknown request {op!r}"}
    text = json.dumps(response, allow_nan=False)
    with open(response_path, "w", encoding="utf-8") as handle:
        handle.write(text)


#: ``sys`` reached from a literal (as in :mod:`~course_lib.grading.checkrun`): the cell resolves
#: no name in the learner's namespace.
_SYS = ("[_c for _c in ().__class__.__base__.__subclasses__() if _c.__name__ == 'BuiltinImporter']"
        "[0].find_spec.__func__.__globals__['sys']")


def cell(agent_path: str, request_path: str, response_path: str) -> str:
    """The code of the cell that answers one request."""
    arguments = ", ".join(map(repr, (request_path, response_path)))
    return (f"(lambda S: (lambda B, ns: (B.exec(B.compile(B.open({agent_path!r}, 'rb').read(), "
            f"{agent_path!r}, 'exec', dont_inherit=True), ns), ns['serve'](S._getframe(0).f_globals, "
            f"{arguments}), None)[-1])(S.modules['builtins'], {{'__name__': '__course_agent__', "
            f"'__file__': {agent_path!r}, '__builtins__': S.modules['builtins']}}))({_SYS})\n")
