"""Grades cannot be forged from the notebook: the checks run in a clean process.

The three forgeries measured against the old grader (which ran each check in the learner's
kernel) each turned a blank or junk notebook into full marks: a wrapped ``json.dumps`` that
rewrites every report, an IPython input transformer that reads the key from the grader's cell
and writes signed reports, and patched ``math.isclose`` / ``numpy.allclose``. Now each question
is judged in the harness (a process that never runs learner code), which asks the kernel only
for the learner's values and function results as plain data; the forgeries get no mark.

The channel itself is tested without a kernel (:mod:`loopback`): every catalog answer of the
warm-up's checker tests gets the same verdict and message across it as in ``q1.check()``, and
the decoder builds nothing but plain values.
"""
import base64
import csv
import inspect
import io
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import grading_class
from course_lib import exercises
from course_lib.grading import encoding, remote, wire
from loopback import judgement, remote_judgement, remote_verdict, verdict

SANDBOX_FLAGS = grading_class.sandbox_flags()

JSON_WRAPPER = '''import json
_real_dumps = json.dumps
def _forged(payload, *args, **kwargs):
    if isinstance(payload, dict) and "outcome" in payload:
        payload = dict(payload, outcome="passed", message="")
    if isinstance(payload, dict) and "integrity" in payload:
        payload = dict(payload, integrity=[])
    return _real_dumps(payload, *args, **kwargs)
json.dumps = _forged
'''

INPUT_TRANSFORMER = '''import hashlib, hmac, json, re
def _steal(lines):
    text = "".join(lines)
    for key in set(re.findall(r"'([0-9a-f]{64})'", text)):
        for out in re.findall(r"'(/[^']*report-[0-9a-f]{16})'", text):
            with open(out, "a") as handle:
                for q in ["q1", "q2", "q3", "q4", "q5"]:
                    body = json.dumps({"question": q, "outcome": "passed", "message": ""}, sort_keys=True)
                    mac = hmac.new(key.encode(), body.encode(), hashlib.sha256).hexdigest()
                    handle.write("COURSE-GRADE " + body + " " + mac + "\\n")
    return lines
get_ipython().input_transformers_cleanup.append(_steal)
'''

PATCHED_COMPARISONS = '''import math
import numpy as np
math.isclose = lambda *args, **kwargs: True
np.allclose = lambda *args, **kwargs: True
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.broadcast(np.asarray(a), np.asarray(b)).shape, bool)
np.array_equal = lambda *args, **kwargs: True
def count_impossible_pressure(table):
    return 0
def accuracy(model, X, y):
    return 0.5
def coalition_value(f, x, background, coalition):
    return 0.0
def shapley_values(model, patient, background):
    return np.zeros(background.shape[1])
choices = {need: "LIME" for need in "abcdefg"}
'''

PATCHED_CHECKER = '''import course_lib.exercises as _ex
from course_lib.exercises import ex00_warmup as _w
for _q in _w.QUESTIONS:
    _q.checker = lambda *answers: None
_ex.Question.check = lambda self, *a, **k: print("✓ Correct")
_ex.is_close = lambda *a, **k: True
_ex.call_fresh = lambda function, *args, **kwargs: None
count_impossible_pressure = accuracy = coalition_value = shapley_values = lambda *a: 0
choices = {}
'''


@pytest.fixture(scope="module")
def forged_class(tmp_path_factory):
    from course_lib import grading

    folder = tmp_path_factory.mktemp("forgery") / "sub"
    grading_class.write(folder / "honest_00_warmup.ipynb", grading_class.load(grading_class.SOLUTION))
    grading_class.write(folder / "json_00_warmup.ipynb", grading_class.cheap(JSON_WRAPPER))
    grading_class.write(folder / "transformer_00_warmup.ipynb", grading_class.cheap(INPUT_TRANSFORMER))
    grading_class.write(folder / "isclose_00_warmup.ipynb", grading_class.cheap(PATCHED_COMPARISONS))
    grading_class.write(folder / "checker_00_warmup.ipynb", grading_class.cheap(PATCHED_CHECKER))
    out = folder.parent / "grades.csv"
    assert grading.main([str(folder), "--out", str(out), "--topic", "00", "--jobs", "2",
                         "--timeout-cell", "120", *SANDBOX_FLAGS]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    return {row["learner"]: row for row in rows}


@pytest.mark.slow
def test_the_honest_learner_gets_full_marks(forged_class):
    row = forged_class["honest"]
    assert (row["total"], row["status"], row["reason"]) == ("5", "ok", "")


@pytest.mark.slow
@pytest.mark.parametrize("learner", ["json", "transformer", "isclose", "checker"])
def test_a_forgery_gets_no_mark(forged_class, learner):
    row = forged_class[learner]
    assert row["total"] == "0" and row["status"] in ("ok", "tampered"), row


@pytest.mark.slow
def test_forgeries_are_judged_as_what_they_are(forged_class):
    """Blank answers behind a forged json are 'not attempted'; junk behind patched comparisons is
    'incorrect'; a patched checker is found by the integrity check (defence in depth)."""
    assert forged_class["json"]["reason"] == grading_class.BLANK
    assert forged_class["transformer"]["reason"] == grading_class.BLANK
    assert forged_class["isclose"]["status"] == "ok"
    assert "q1 incorrect" in forged_class["isclose"]["reason"]
    assert forged_class["checker"]["status"] == "tampered"


# ------------------------------------------------------------------------------- the channel
def _catalog_calls(monkeypatch, module) -> list:
    """Run the catalog tests of `module` with every ``check(answer)`` judged twice: directly and
    across the loopback channel; [(question, direct verdict, remote verdict)], each verdict
    (outcome, message, mistake id)."""
    original, seen = exercises.Question.check, []

    def both(self, *args, **kwargs):
        if args or kwargs:
            named = {**dict(zip(self.vars, args)), **kwargs}
            seen.append((self.name, judgement(lambda: original(self, *args, **kwargs)),
                         remote_judgement(self, **named)))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(exercises.Question, "check", both)
    for name, test in list(vars(module).items()):  # every test that takes no fixture
        if (name.startswith("test_") and callable(test)
                and not inspect.signature(test).parameters and not hasattr(test, "pytestmark")):
            test()
    return seen


#: Questions whose verdict is the same across the channel but whose message differs: 05 q7 tells
#: "both maps come from the randomised copy" from the model objects it shares with the learner's
#: function, and across the channel the learner's function works on its own copy of the model.
MESSAGE_GAPS = {("ex05_cam", "q7")}

#: The topics whose catalog tests are replayed across the channel (every topic's catalog runs in
#: its own test_exNN.py; 05, 07 and 08 take minutes there and are replayed under -m slow).
FAST_TOPICS = ["00", "01", "02", "03", "04", "06", "09", "10", "11"]


def _same_across_the_channel(monkeypatch, topic: str) -> None:
    import importlib

    from course_lib.grading.topics import find_topic

    module = find_topic(topic).module
    seen = _catalog_calls(monkeypatch, importlib.import_module(f"test_ex{topic}"))
    kept = [(q, d, r) for q, d, r in seen if remote.crosses(module, q)]
    assert len(kept) >= 20, f"only {len(kept)} catalog answers replayed for {module}"
    different = [(q, d, r) for q, d, r in kept
                 if d != r and not ((module, q) in MESSAGE_GAPS and d[0] == r[0])]
    assert not different, different[:3]
    assert {"passed", "incorrect"} <= {d[0] for _, d, _ in kept}


@pytest.mark.parametrize("topic", FAST_TOPICS)
def test_every_catalog_answer_gets_the_same_verdict_across_the_channel(monkeypatch, topic):
    """The checker code is one: the answers of each topic's catalog (right ones, typical wrong
    ones, stubs, inputs changed in place) get the same verdict, message and mistake id from
    ``check()`` in the notebook and from the grader's clean process, except the questions of
    ``remote.IN_KERNEL``."""
    _same_across_the_channel(monkeypatch, topic)


@pytest.mark.slow
@pytest.mark.parametrize("topic", ["05", "07", "08"])
def test_the_slow_catalogs_too(monkeypatch, topic):
    _same_across_the_channel(monkeypatch, topic)


def test_a_stub_and_a_placeholder_are_not_attempted_across_the_channel():
    from course_lib.exercises import ex00_warmup as ex

    def count_impossible_pressure(table):
        raise NotImplementedError

    assert remote_verdict(ex.q1, count_impossible_pressure)[0] == "not attempted"
    assert remote_verdict(ex.q1, exercises.PLACEHOLDER)[0] == "not attempted"
    assert remote_verdict(ex.q5)[0] == "not attempted"  # never defined


def test_what_the_learners_function_raises_is_its_answer_not_the_graders():
    from course_lib.exercises import ex00_warmup as ex

    def count_impossible_pressure(table):
        raise SystemExit(3)

    assert remote_verdict(ex.q1, count_impossible_pressure) == ("error (SystemExit)", "SystemExit: 3")

    def count_impossible_pressure(table):
        raise ValueError("no table today")

    outcome, message = remote_verdict(ex.q1, count_impossible_pressure)
    assert outcome == "incorrect" and "raised ValueError: no table today" in message


def test_the_decoder_builds_plain_values_only():
    frame = pd.DataFrame({"a": [1.5, 2.0], "b": ["x", "y"]}, index=[10, 11])
    value = {"n": np.float64(0.25), "t": (1, [2, None]), "s": {3}, "f": frame,
             "a": np.arange(6).reshape(2, 3), "nan": float("nan"), 7: "seven"}
    back = wire.decode(encoding.encode(value))
    assert back["n"] == 0.25 and isinstance(back["n"], np.floating)
    assert back["t"] == (1, [2, None]) and back["s"] == {3} and back[7] == "seven"
    assert np.isnan(back["nan"]) and np.array_equal(back["a"], value["a"])
    assert back["f"].equals(frame) and back["f"].index.equals(frame.index)
    for forged in ({"$": "dc", "class": "subprocess.Popen", "fields": {}},
                   {"$": "dc", "class": "course_lib.exercises.Question", "fields": {}},
                   {"$": "pickle", "data": "gASVAAAAAAAAAAB9lC4="},
                   {"$": "float", "text": "1e999999"},
                   {"$": "fn", "handle": "os.system"}):
        with pytest.raises(wire.DecodeError):
            wire.decode(forged)
    buffer = io.BytesIO()
    np.save(buffer, np.array([object()], dtype=object), allow_pickle=True)  # an object .npy
    with pytest.raises(wire.DecodeError):
        wire.decode({"$": "nd", "npy": base64.b64encode(buffer.getvalue()).decode()})
    nested = {"$": "tuple", "items": []}
    for _ in range(100):
        nested = {"$": "tuple", "items": [nested]}
    with pytest.raises(wire.DecodeError):
        wire.decode(nested)


def test_a_game_crosses_as_its_players_and_the_numbers_the_check_asks_for(tmp_path):
    """01 q5 and q7 read a course ``Game``: it crosses as its players and a handle of its
    ``values_of``; the kernel evaluates only the coalitions the check evaluates, in its order, and
    answers numbers; what the learner's value function raised comes back with its own text."""
    from course_lib.exercises import ex01_shapley as ex
    from course_lib.game import Game
    from loopback import LoopbackChannel

    asked = []

    def value(S):
        asked.append(frozenset(S))
        if S == {"B"}:
            raise KeyError(S)
        return float(len(S))

    data = encoding.encode(Game("ABC", value))
    assert set(data) == {"$", "players", "values"} and data["players"] == ["A", "B", "C"]
    assert isinstance(data["values"], int) and not asked  # nothing evaluated to send it
    channel = LoopbackChannel({"__name__": "__main__", "g": Game("ABC", value)}, str(tmp_path))
    game = channel.values(["g"])[0]["g"]
    assert isinstance(game, Game) and game.players == ("A", "B", "C") and not asked
    assert game(("A", "C")) == 2.0 and asked == [frozenset("AC")]
    with pytest.raises(KeyError) as raised:
        game(("B",))
    assert type(raised.value).__name__ == "KeyError" and str(raised.value) == "frozenset({'B'})"
    assert remote_judgement(ex.q7, Game(["L", "R1", "R2"], value), {}) == judgement(
        lambda: ex.q7.check(Game(["L", "R1", "R2"], value), {}))
    many = Game(range(40), lambda S: 0)  # refused for its size before anything is evaluated
    assert remote_verdict(ex.q5, many, 3) == ("incorrect", "`dummy_game` has 40 players; use 3 to 10")
    for forged in ({"$": "game", "players": "ABC", "values": 1},
                   {"$": "game", "players": ["A", "A"], "values": 1},
                   {"$": "game", "players": [], "values": 1},
                   {"$": "game", "players": ["A"], "values": "os.system"}):
        with pytest.raises(wire.DecodeError):
            wire.decode(forged)


def test_hooks_left_on_the_checks_modules_are_reported_as_counts():
    """05 q1 looks for hooks the learner's function left on the model it was given: the kernel
    reports how many are left on each submodule (also when the function raised), and the check's
    own copy gets that many hooks that do nothing."""
    from course_lib.exercises import ex05_cam as ex

    def never_removed(model, layer, x):
        stored = []
        layer.register_forward_hook(lambda m, i, o: stored.append(o.detach().clone()))
        model(x)
        return stored[0]

    def not_on_error(model, layer, x):
        stored = []
        handle = layer.register_forward_hook(lambda m, i, o: stored.append(o.detach().clone()))
        model(x)
        handle.remove()
        return stored[0]

    for function, mistake in ((never_removed, "hook-registered-after"),
                              (not_on_error, "model-raises-hook")):
        direct = judgement(lambda: ex.q1.check(function))
        assert direct[2] == mistake and remote_judgement(ex.q1, function) == direct


def test_the_harness_never_imports_from_the_work_folder(tmp_path, monkeypatch):
    from course_lib.grading import harness

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [str(tmp_path), "", str(tmp_path / "sub"), *sys.path])
    harness._clean_path()
    assert all(p and not p.startswith(str(tmp_path)) for p in sys.path)
