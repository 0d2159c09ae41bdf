"""A hostile and careless class of warm-up submissions, and the exact CSV the grader must give.

Most notebooks are cheap: the exercise's setup and import cells plus one crafted cell, so that
the whole class grades in about a minute. Paths the attacks aim at (another learner's file, the
grader's folder, the CSV, course_lib on disk) are written into the notebooks as absolute paths,
as a learner who knows the grading machine would.
"""
from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import shutil

import pytest

ROOT = Path(__file__).resolve().parent.parent

SOLUTION = ROOT / "solutions" / "00_warmup.ipynb"
EXERCISE = ROOT / "exercises" / "00_warmup.ipynb"
QUESTIONS = ["q1", "q2", "q3", "q4", "q5"]
BLANK = "q1 not attempted; q2 not attempted; q3 not attempted; q4 not attempted; q5 not attempted"
FORK_LIMIT = 64  # processes per sandbox in this test

#: The one-line reason a sandbox-only test gives when it skips on a machine without bubblewrap.
NO_SANDBOX = "needs the grader's sandbox: apt-get install bubblewrap (COURSE_REQUIRE_SANDBOX=1 fails instead)"


def sandbox_required() -> bool:
    """Whether a missing sandbox must fail the tests (`.ci/run` sets COURSE_REQUIRE_SANDBOX=1)."""
    return os.environ.get("COURSE_REQUIRE_SANDBOX", "") == "1"


def require_sandbox() -> None:
    """Skip a sandbox-only test where bwrap is missing, with :data:`NO_SANDBOX` as the reason."""
    if shutil.which("bwrap") is None:
        if sandbox_required():
            pytest.fail("COURSE_REQUIRE_SANDBOX=1 and bwrap is not on PATH: apt-get install bubblewrap")
        pytest.skip(NO_SANDBOX)


#: The one-line reason a browser test gives when it skips on a machine without Chromium.
NO_CHROMIUM = ("needs headless Chromium: apt-get install chromium (COURSE_REQUIRE_CHROMIUM=1, "
               "set by `make test-site`, fails instead)")


def require_chromium() -> str:
    """The Chromium program (``$CHROMIUM``, else ``chromium`` on PATH); a test skips with
    :data:`NO_CHROMIUM` where there is none, and fails where COURSE_REQUIRE_CHROMIUM=1."""
    found = shutil.which(os.environ.get("CHROMIUM", "chromium"))
    if found is None:
        if os.environ.get("COURSE_REQUIRE_CHROMIUM", "") == "1":
            pytest.fail("COURSE_REQUIRE_CHROMIUM=1 and chromium is not on PATH: apt-get install chromium")
        pytest.skip(NO_CHROMIUM)
    return found


#: What a fresh machine lacks: Debian's bubblewrap and Chromium (and its driver).
SYSTEM_TOOLS = ("bwrap", "chromium", "chromium-browser", "chromedriver", "google-chrome")


def fresh_path(folder, path: str | None = None) -> str:
    """A PATH like `path` (default: this one) without :data:`SYSTEM_TOOLS`: one folder of links
    to every other program, made in `folder`; returns the folder (the whole new PATH)."""
    folder = Path(folder)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for directory in (path if path is not None else os.environ.get("PATH", "")).split(os.pathsep):
        try:
            names = sorted(os.listdir(directory or "."))
        except OSError:
            continue
        for name in names:
            program = Path(directory or ".", name).absolute()
            if (name in SYSTEM_TOOLS or (folder / name).exists() or program.is_dir()
                    or not os.access(program, os.X_OK)):
                continue
            (folder / name).symlink_to(program)
    return str(folder.resolve())


def sandbox_flags() -> list[str]:
    """The grader's flags for a test of behaviour the sandbox does not change: [] where bwrap is
    installed (or required), else ``--no-sandbox`` so that a Python-only machine tests it too."""
    return [] if shutil.which("bwrap") is not None or sandbox_required() else ["--no-sandbox"]


def load(path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def code_cell(source: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
            "source": source.splitlines(keepends=True)}


def _source(cell) -> str:
    return "".join(cell["source"])


def cheap(*sources: str) -> dict:
    """The exercise's cells up to its import of the checks, then `sources` as code cells."""
    notebook = load(EXERCISE)
    end = next(i for i, c in enumerate(notebook["cells"])
               if "course_lib.exercises.ex00_warmup import" in _source(c))
    notebook["cells"] = notebook["cells"][:end + 1] + [code_cell(s) for s in sources]
    return notebook


def without_check_cells(notebook: dict) -> dict:
    notebook = copy.deepcopy(notebook)
    notebook["cells"] = [c for c in notebook["cells"] if ".check()" not in _source(c)]
    return notebook


def write(path: Path, notebook) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = notebook if isinstance(notebook, str) else json.dumps(notebook, indent=1)
    path.write_text(text, encoding="utf-8")


def tamperer_source(victim: Path, grader_dir: Path, csv_path: Path, course_file: Path) -> str:
    """Every write a learner could try, each in try/except so that the next one runs too."""
    return f'''import os, sys, time, subprocess
def attempt(action):
    try:
        action()
    except Exception as error:
        print(type(error).__name__)
attempt(lambda: open({str(victim)!r}, "w").write("{{}}"))
attempt(lambda: open({str(grader_dir / "planted.txt")!r}, "w").write("x"))
attempt(lambda: open({str(csv_path)!r}, "w").write("learner,q1\\nmallory,1\\n"))
attempt(lambda: open({str(course_file)!r}, "a").write("\\nraise SystemExit\\n"))
print("COURSE-GRADE {{\\"question\\": \\"q1\\", \\"outcome\\": \\"passed\\"}} 00")
if os.fork() == 0:  # a double-forked daemon in its own session, without the environment
    os.setsid()
    if os.fork() == 0:
        os.environ.clear()
        time.sleep(6)
        attempt(lambda: open({str(csv_path)!r}, "w").write("late"))
        attempt(lambda: open({str(victim)!r}, "w").write("late"))
    os._exit(0)
subprocess.Popen(["sleep", "600"], start_new_session=True)
'''


FORK_BOMB = '''import os, time
main, end = os.getpid(), time.time() + 2
while time.time() < end:
    try:
        os.fork()
    except OSError:
        time.sleep(0.05)
if os.getpid() != main:
    time.sleep(120)  # stay alive: the sandbox must kill every one of them
    os._exit(0)
'''

MEMORY_HOG = '''chunks = []
while True:
    chunks.append(bytearray(128 << 20))
'''

PRINTER = '''import sys
block = "x" * (1 << 20)
for _ in range(200):
    sys.stdout.write(block)
'''

PATCHER = '''import course_lib.exercises as checks
checks.Question.check = lambda self, *args, **kwargs: print("✓ Correct")
q2.checker = lambda *answers: None
q1.check(); q2.check(); q3.check(); q4.check()
'''

CHEATS = [  # the three accidental cheats, one per question: none may score
    "try:\n    q1.check()\nexcept:\n    pass",
    "pass  # q2.check()",
    "'q3.check()'",
]


def build(folder: Path, grader_dir: Path, csv_path: Path, course_file: Path) -> tuple[list[list[str]], list[str]]:
    """Write the class into `folder`; return (the expected CSV rows without the header, warnings)."""
    solution = load(SOLUTION)
    sub = folder.name
    rows = []

    def row(learner, scores, status, reason, file):
        rows.append([learner, *map(str, scores), str(sum(scores)), status, reason, f"{sub}/{file}",
                     "00_warmup"])

    zeros = [0] * len(QUESTIONS)
    write(folder / "alice_00_warmup.ipynb", without_check_cells(solution))
    row("alice", [1] * len(QUESTIONS), "ok", "", "alice_00_warmup.ipynb")
    write(folder / "mallory_00_warmup.ipynb",
          cheap(tamperer_source(folder / "alice_00_warmup.ipynb", grader_dir, csv_path, course_file)))
    row("mallory", zeros, "ok", BLANK, "mallory_00_warmup.ipynb")
    write(folder / "careless_00_warmup.ipynb", cheap(*CHEATS))
    row("careless", zeros, "ok", BLANK, "careless_00_warmup.ipynb")
    write(folder / "patcher_00_warmup.ipynb", cheap(PATCHER))
    row("patcher", zeros, "tampered",
        "course_lib.exercises.Question.check patched; ex00_warmup.q2 patched",
        "patcher_00_warmup.ipynb")
    write(folder / "forker_00_warmup.ipynb", cheap(FORK_BOMB))
    row("forker", zeros, "ok", BLANK, "forker_00_warmup.ipynb")
    write(folder / "hog_00_warmup.ipynb", cheap(MEMORY_HOG))
    row("hog", zeros, "kernel died", "the kernel died in code cell 2 (`chunks = []`)",
        "hog_00_warmup.ipynb")
    write(folder / "printer_00_warmup.ipynb", cheap(PRINTER))
    row("printer", zeros, "ok", BLANK, "printer_00_warmup.ipynb")
    # links: to another learner's file, to a folder
    os.symlink(folder / "alice_00_warmup.ipynb", folder / "trudy_00_warmup.ipynb")
    row("trudy", zeros, "refused", "a symbolic link; links are never followed", "trudy_00_warmup.ipynb")
    os.symlink(folder, folder / "loop")
    row("loop", zeros, "refused", "a symbolic link to a folder; never followed", "loop")
    # an upper-case suffix and a duplicate learner
    write(folder / "gina" / "00_warmup.IPYNB", cheap())
    write(folder / "gina_00_warmup.ipynb", cheap())
    row("gina", zeros, "ok", f"duplicate learner (also {sub}/gina_00_warmup.ipynb); {BLANK}",
        "gina/00_warmup.IPYNB")
    row("gina", zeros, "ok", f"duplicate learner (also {sub}/gina/00_warmup.IPYNB); {BLANK}",
        "gina_00_warmup.ipynb")
    # empty learner folders: one empty, one with a stray file (that file gets a warning)
    (folder / "heidi").mkdir()
    row("heidi", zeros, "missing", "an empty learner folder: no notebook", "heidi")
    write(folder / "ivan" / "notes.txt", "my answers are in my head\n")
    row("ivan", zeros, "missing", "an empty learner folder: no notebook", "ivan")
    # an nbformat-3 notebook whose name is a spreadsheet formula
    import nbformat

    old = nbformat.convert(nbformat.from_dict(cheap()), 3)
    write(folder / "=HYPERLINK(1)_00_warmup.ipynb", nbformat.writes(old, version=3))
    row("'=HYPERLINK(1)", zeros, "ok", f"upgraded from nbformat 3; {BLANK}",
        "=HYPERLINK(1)_00_warmup.ipynb")
    rows.sort(key=lambda r: r[-2])
    warnings = [f"{sub}/ivan/notes.txt: skipped (not a notebook: no .ipynb suffix)",
                f"duplicate learner gina: {sub}/gina/00_warmup.IPYNB, {sub}/gina_00_warmup.ipynb"]
    return rows, warnings


# ------------------------------------------------------------------------------ a careless class
CARELESS_TIMEOUT = 20  # --timeout-cell for the careless class: only one cell loops
DEEP_FOLDERS = 1100     # deeper than Python 3.11's os.walk could recurse
WINDOWS_NAME = "\xe0\xeb\xe8\xf1\xe0".encode("latin-1")  # "алиса" in cp1251, from a zip made on Windows


def make_deep(top: Path, depth: int) -> Path:
    """`top`/d/d/.../d, `depth` folders deep, made one at a time (pathlib and os.makedirs recurse)."""
    path = top
    path.mkdir(parents=True, exist_ok=True)
    for _ in range(depth):
        path = path / "d"
        path.mkdir()
    return path


def remove_deep(top: Path) -> None:
    """Remove a folder tree of any depth (shutil.rmtree recurses once per level)."""
    stack = [Path(top)]
    while stack:
        folder = stack[-1]
        children = [folder / name for name in os.listdir(folder)]
        folders = [c for c in children if c.is_dir() and not c.is_symlink()]
        for child in children:
            if child not in folders:
                child.unlink()
        if folders:
            stack.extend(folders)
        else:
            folder.rmdir()
            stack.pop()


def nested_json(depth: int) -> str:
    return '{"cells": ' + "[" * depth + "]" * depth + "}"


def build_careless(folder: Path) -> tuple[list[list[str]], list[str]]:
    """A careless class: files that once stopped the whole run or crashed the CSV, and names to flag.

    Returns (the expected CSV rows without the header, warning lines). Runs without the sandbox.
    """
    solution = load(SOLUTION)
    sub = folder.name
    rows, warnings = [], []
    zeros = [0] * len(QUESTIONS)

    def row(learner, scores, status, reason, file):
        rows.append([learner, *map(str, scores), str(sum(scores)), status, reason, f"{sub}/{file}",
                     "00_warmup"])

    # a code cell whose source is null, and one without source: read as empty, full marks
    honest = without_check_cells(solution)
    honest["cells"].insert(3, {"cell_type": "code", "metadata": {}, "outputs": [], "source": None,
                               "execution_count": None})
    honest["cells"].insert(4, {"cell_type": "code", "metadata": {}, "outputs": [],
                               "execution_count": None})
    write(folder / "alice_00_warmup.ipynb", honest)
    row("alice", [1] * len(QUESTIONS), "ok", "the name 'alice' looks like 'аlice' (look-alike "
        "letters); 2 code cell(s) without source, read as empty", "alice_00_warmup.ipynb")
    # a look-alike of alice (Cyrillic а), graded and flagged
    write(folder / "\u0430lice_00_warmup.ipynb", "{broken")
    row("\u0430lice", zeros, "invalid json", "the name 'аlice' looks like 'alice' (look-alike "
        "letters); broken JSON at line 1, column 2: Expecting property name enclosed in double "
        "quotes; was the file edited outside Jupyter?", "\u0430lice_00_warmup.ipynb")
    warnings.append("look-alike learner names: 'alice' and 'аlice'")
    # JSON nested 100,000 deep
    write(folder / "deep_00_warmup.ipynb", nested_json(100_000))
    row("deep", zeros, "invalid json", "JSON nested too deep to read (no notebook is nested like this)",
        "deep_00_warmup.ipynb")
    # a lone surrogate and a terminal code in the first line of a cell that times out
    write(folder / "looper_00_warmup.ipynb",
          cheap("'\udcff\x1b[2J'\nwhile True:\n    pass"))
    row("looper", zeros, "timeout", f"code cell 2 (`'\\xff\\x1b[2J'`) ran longer than "
        f"{CARELESS_TIMEOUT} s and was stopped", "looper_00_warmup.ipynb")
    # a file name that is not UTF-8
    name = os.fsdecode(WINDOWS_NAME + b"_00_warmup.ipynb")
    write(folder / name, "{broken")
    row("\\xe0\\xeb\\xe8\\xf1\\xe0", zeros, "invalid json", "broken JSON at line 1, column 2: "
        "Expecting property name enclosed in double quotes; was the file edited outside Jupyter?",
        "\\xe0\\xeb\\xe8\\xf1\\xe0_00_warmup.ipynb")
    # a learner folder nested 1,100 deep
    deep = make_deep(folder / "nadia", DEEP_FOLDERS)
    write(deep / "00_warmup.ipynb", "{broken")
    row("nadia", zeros, "invalid json", "broken JSON at line 1, column 2: Expecting property name "
        "enclosed in double quotes; was the file edited outside Jupyter?",
        "nadia/" + "d/" * DEEP_FOLDERS + "00_warmup.ipynb")
    # 200,000 blank lines before the import (the topic search must stay linear)
    blank = cheap()
    where = next(i for i, c in enumerate(blank["cells"]) if "ex00_warmup import" in _source(c))
    blank["cells"][where]["source"] = "\n" * 200_000 + _source(blank["cells"][where])
    write(folder / "blank_00_warmup.ipynb", blank)
    row("blank", zeros, "ok", BLANK, "blank_00_warmup.ipynb")
    # mallory's folder holds a file named for alice: graded as mallory, flagged
    write(folder / "mallory" / "alice_00_warmup.ipynb", "{broken")
    note = "the file names 'alice' but is in 'mallory''s folder"
    row("mallory", zeros, "invalid json", f"{note}; broken JSON at line 1, column 2: Expecting "
        "property name enclosed in double quotes; was the file edited outside Jupyter?",
        "mallory/alice_00_warmup.ipynb")
    warnings.append(f"{sub}/mallory/alice_00_warmup.ipynb: {note}")
    # a folder holding only Jupyter's checkpoint copy
    write(folder / "olga" / ".ipynb_checkpoints" / "00_warmup-checkpoint.ipynb", solution)
    row("olga", zeros, "missing", "an empty learner folder: no notebook (only 1 checkpoint copy "
        "in .ipynb_checkpoints, which are never graded)", "olga")
    warnings.append(f"{sub}/olga/.ipynb_checkpoints/00_warmup-checkpoint.ipynb: skipped "
                    "(hidden file or folder)")
    # names with a right-to-left override and with a terminal escape code: refused
    write(folder / "eve\u202egnp.ipynb_00_warmup.ipynb", cheap())
    row("eve\\u202egnp.ipynb", zeros, "refused", "the learner name holds control or bidirectional "
        "characters (\\u202e), which can disguise it; rename the file or folder",
        "eve\\u202egnp.ipynb_00_warmup.ipynb")
    write(folder / "\x1b[2Jtrent_00_warmup.ipynb", cheap())
    row("\\x1b[2Jtrent", zeros, "refused", "the learner name holds control or bidirectional "
        "characters (\\x1b), which can disguise it; rename the file or folder",
        "\\x1b[2Jtrent_00_warmup.ipynb")
    # honest learners with ordinary habits: q3 and q5 answered correctly, never `tampered`
    def honest(learner, *cells, function=COALITION_VALUE, scores=(0, 0, 1, 0, 1), reason=PARTIAL):
        write(folder / f"{learner}_00_warmup.ipynb", cheap(*cells, function, CHOICES))
        row(learner, list(scores), "ok", reason, f"{learner}_00_warmup.ipynb")

    honest("dots", function=COALITION_VALUE.replace("    rows =", '    print(".", end="")\n    rows ='))
    honest("opener", "open = 'the door is open'\nexec = compile = globals = sys = None")
    honest("silent", "import io, sys\nsys.stdout = io.StringIO()")
    honest("chatty", function=COALITION_VALUE.replace(
        "    rows =", "    if not hasattr(np, 'said'):\n        np.said = print('x' * 50_000)\n    rows ="))
    honest("quitter", function="def coalition_value(f, x, background, coalition):\n"
                               "    import sys\n    sys.exit('not done yet')",
           scores=(0, 0, 0, 0, 1), reason="q1 not attempted; q2 not attempted; q3 error (SystemExit); "
                                          "q4 not attempted")
    honest("reloader", "import importlib\nimport course_lib.exercises\n"
                       "importlib.reload(course_lib.exercises)")
    # ... while a patch after the reload (on the class the questions were made with) is caught
    write(folder / "repatch_00_warmup.ipynb", cheap(
        "import importlib\nimport course_lib.exercises as checks\nold = type(q3)\n"
        "importlib.reload(checks)\nold.check = lambda self, *a, **k: None", COALITION_VALUE, CHOICES))
    row("repatch", zeros, "tampered", "course_lib.exercises.ex00_warmup.Question replaced; "
        "ex00_warmup.q1 replaced; ex00_warmup.q2 replaced; ex00_warmup.q3 replaced",
        "repatch_00_warmup.ipynb")
    # patches the integrity check once missed: a constant, a re-exported name, a method assigned
    # onto a class that only inherits it, a partial in place of a function
    write(folder / "sneak_00_warmup.ipynb", cheap(SNEAK, COALITION_VALUE, CHOICES))
    row("sneak", zeros, "tampered", "course_lib.cardio_rules.drop_impossible replaced; "
        "course_lib.cardio_rules.SYSTOLIC_RANGE changed; course_lib.exercises.NotAttempted."
        "_render_traceback_ added; course_lib.shapley.model_game replaced", "sneak_00_warmup.ipynb")
    honest("ticker", "import threading, time\n\ndef chatter():\n    while True:\n"
                     "        print('tick', end='', flush=True)\n        time.sleep(0.002)\n\n"
                     "threading.Thread(target=chatter, daemon=True).start()")
    rows.sort(key=lambda r: r[-2])
    return rows, warnings


COALITION_VALUE = """def coalition_value(f, x, background, coalition):
    rows = np.array(background, dtype=float)
    rows[:, coalition] = x[coalition]
    return float(np.mean(f(rows)))
"""
CHOICES = """choices = {"a": "counterfactual", "b": "Grad-CAM", "c": "logistic regression", "d": "TreeSHAP",
           "e": "permutation importance", "f": "PDP/ICE", "g": "no explanation"}
"""
PARTIAL = "q1 not attempted; q2 not attempted; q4 not attempted"
SNEAK = """import functools
import course_lib.cardio_rules as rules
import course_lib.exercises as checks
import course_lib.shapley as shapley
rules.SYSTOLIC_RANGE = (0, 1000)
rules.drop_impossible = functools.partial(lambda table, keep: table, keep=True)
checks.NotAttempted._render_traceback_ = lambda self: []
shapley.model_game = lambda *args, **kwargs: None
"""


if __name__ == "__main__":  # `python tests/grading_class.py fresh-path DIR`: the Makefile's test-fresh
    import sys

    if sys.argv[1:2] != ["fresh-path"] or len(sys.argv) != 3:
        sys.exit("usage: python tests/grading_class.py fresh-path DIR")
    print(fresh_path(sys.argv[2]))
