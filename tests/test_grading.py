"""The grader on crafted submissions of the warm-up: the CSV, the statuses, untouched student files.

The submissions are built in a temporary folder from ``solutions/00_warmup.ipynb`` and
``exercises/00_warmup.ipynb``: full marks, untouched, half done, an endless loop, a kernel crash,
broken JSON, a text file named .ipynb and a notebook of another topic.
"""
import copy
import csv
import hashlib
import hmac
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil
import pytest

import grading_class
from course_lib import grading
from course_lib.grading import (Grade, Submission, check_cells, find_submissions, find_topic,
                                learner_name, notebook_topic, read_notebook, summary, topics,
                                write_csv)
from course_lib.grading.safe import strip_ansi
from notebook_runner import run_notebook
from tools.notebook_tools import ROOT

SOLUTION = ROOT / "solutions" / "00_warmup.ipynb"
EXERCISE = ROOT / "exercises" / "00_warmup.ipynb"
QUESTIONS = ["q1", "q2", "q3", "q4", "q5"]
CELL_TIMEOUT = 30  # several times the slowest warm-up cell on a loaded 2-core machine; the loop costs this
HEADER = ["learner", *QUESTIONS, "total", "status", "reason", "file", "topic"]


def load(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def code_cell(source):
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
            "source": source.splitlines(keepends=True)}


def answer_cells(notebook):
    return [i for i, c in enumerate(notebook["cells"]) if "BEGIN SOLUTION" in "".join(c["source"])
            and c["cell_type"] == "code"]


def insert_after_import(notebook, source):
    notebook = copy.deepcopy(notebook)
    where = next(i for i, c in enumerate(notebook["cells"])
                 if "course_lib.exercises.ex00_warmup import" in "".join(c["source"]))
    notebook["cells"].insert(where + 1, code_cell(source))
    return notebook


def other_topic_module():
    others = [t.module for n, t in topics().items() if n != "00"]
    return others[0] if others else "ex99_missing"


def write(folder, name, notebook):
    text = notebook if isinstance(notebook, str) else json.dumps(notebook, indent=1)
    (folder / name).write_text(text, encoding="utf-8")


def build_submissions(folder: Path, executed=True, static=True):
    """The crafted class; returns {learner: expected (scores, status, words in reason)}."""
    folder.mkdir(parents=True, exist_ok=True)
    solution, exercise = load(SOLUTION), load(EXERCISE)
    expected = {}
    if executed:
        write(folder, "alice_00_warmup.ipynb", solution)
        expected["alice"] = ([1, 1, 1, 1, 1], "ok", "")
        write(folder, "bob_00_warmup.ipynb", exercise)
        expected["bob"] = ([0, 0, 0, 0, 0], "ok", "q1 not attempted; q2 not attempted; "
                                               "q3 not attempted; q4 not attempted; q5 not attempted")
        half = copy.deepcopy(exercise)
        for i in answer_cells(solution)[:2]:
            half["cells"][i] = solution["cells"][i]
        write(folder, "carol_00_warmup.ipynb", half)
        expected["carol"] = ([1, 1, 0, 0, 0], "ok", "q3 not attempted; q4 not attempted; q5 not attempted")
        write(folder, "dave_00_warmup.ipynb", insert_after_import(solution, "while True:\n    pass"))
        expected["dave"] = ([0, 0, 0, 0, 0], "timeout", f"(`while True:`) ran longer than {CELL_TIMEOUT} s")
        write(folder, "erin_00_warmup.ipynb", insert_after_import(solution, "import os\nos._exit(1)"))
        expected["erin"] = ([0, 0, 0, 0, 0], "kernel died", "the kernel died in code cell 2 (`import os`)")
    if static:
        text = json.dumps(solution, indent=1)
        write(folder, "fred_00_warmup.ipynb", text[: len(text) // 2])
        expected["fred"] = ([0, 0, 0, 0, 0], "invalid json", "broken JSON at line")
        write(folder, "gina_00_warmup.ipynb", "Dear teacher, my notebook is attached.\n")
        expected["gina"] = ([0, 0, 0, 0, 0], "not a notebook", "it starts with 'Dear teacher")
        wrong = json.loads(json.dumps(solution).replace("course_lib.exercises.ex00_warmup",
                                                        f"course_lib.exercises.{other_topic_module()}"))
        write(folder, "hank_00_warmup.ipynb", wrong)
        expected["hank"] = ([0, 0, 0, 0, 0], "wrong topic", "the run grades 00_warmup")
        (folder / ".ipynb_checkpoints").mkdir()
        write(folder / ".ipynb_checkpoints", "alice_00_warmup-checkpoint.ipynb", solution)
    return expected


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def rows(text: str) -> dict[str, dict]:
    table = list(csv.DictReader(io.StringIO(text)))
    return {row["learner"]: row for row in table}


def assert_rows(text, expected):
    assert next(csv.reader(io.StringIO(text))) == HEADER
    table = rows(text)
    assert sorted(table) == sorted(expected)
    for learner, (scores, status, words) in expected.items():
        row = table[learner]
        assert [int(row[q]) for q in QUESTIONS] == scores, (learner, row)
        assert int(row["total"]) == sum(scores)
        assert row["status"] == status, (learner, row)
        assert words in row["reason"], (learner, row["reason"])
        assert row["file"] == f"class/{learner}_00_warmup.ipynb"


# ------------------------------------------------------------------------------ the whole class
@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """Grade the crafted class once, in parallel, through the command line."""
    base = tmp_path_factory.mktemp("grading")
    folder = base / "class"
    expected = build_submissions(folder)
    before = digest(folder)
    out = base / "grades.csv"
    mark = uuid.uuid4().hex  # inherited by every process the grading starts
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "course_lib.grading", str(folder), "--out", str(out), "--jobs", "2",
         "--topic", "00", "--timeout-cell", str(CELL_TIMEOUT), "--timeout-notebook", "400",
         *grading_class.sandbox_flags()],
        capture_output=True, text=True, timeout=900, cwd=base,
        env=dict(os.environ, COURSE_TEST_MARK=mark))
    seconds = time.monotonic() - started
    return dict(folder=folder, expected=expected, before=before, out=out, result=result,
                seconds=seconds, base=base, mark=mark)


@pytest.mark.slow
@pytest.mark.xdist_group("grading")
def test_the_csv_has_one_expected_row_per_submission(graded_class):
    result = graded_class["result"]
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert_rows(graded_class["out"].read_text(), graded_class["expected"])


@pytest.mark.slow
@pytest.mark.xdist_group("grading")
def test_student_files_are_never_modified(graded_class):
    assert digest(graded_class["folder"]) == graded_class["before"]
    assert sorted(p.name for p in graded_class["base"].iterdir()) == ["class", "grades.csv",
                                                                     "report.html"]


@pytest.mark.slow
@pytest.mark.xdist_group("grading")
def test_the_summary_shows_pass_rates_and_problems(graded_class):
    out = graded_class["result"].stdout
    assert "Topic 00_warmup: 8 submission(s)" in out
    assert re.search(r"q1 +2/8 +25 %  count the rows with impossible blood pressure", out), out
    assert re.search(r"q3 +1/8 +12 %", out)
    assert "mean total: 0.88 / 5" in out
    assert ("status: ok 3, timeout 1, kernel died 1, invalid json 1, not a notebook 1, "
            "wrong topic 1") in out
    assert "class/erin_00_warmup.ipynb: kernel died" in out


@pytest.mark.slow
@pytest.mark.xdist_group("grading")
def test_a_serial_run_gives_the_same_rows(graded_class, tmp_path):
    """Serial grading of part of the class (a folder of the same name) matches the parallel run."""
    folder = tmp_path / "class"
    folder.mkdir()
    for name in ["carol_00_warmup.ipynb", "fred_00_warmup.ipynb", "gina_00_warmup.ipynb",
                 "hank_00_warmup.ipynb"]:
        shutil.copy(graded_class["folder"] / name, folder / name)
    topic, questions, grades = grading.grade([folder], topic="00", cell_timeout=CELL_TIMEOUT,
                                             notebook_timeout=400, jobs=1,
                                             sandbox_on=not grading_class.sandbox_flags())
    serial = write_csv(grades, questions, None)
    parallel = graded_class["out"].read_text().splitlines()
    kept = [parallel[0]] + [line for line in parallel[1:]
                            if line.split(",")[0] in ("carol", "fred", "gina", "hank")]
    assert serial.splitlines() == kept


@pytest.mark.slow
@pytest.mark.xdist_group("grading")
def test_no_process_is_left_behind(graded_class):
    """Every pytest, kernel and child the grading started is gone (the crash and the loop too)."""
    mark = graded_class["mark"]
    leftovers = []
    for process in psutil.process_iter():
        try:
            if process.environ().get("COURSE_TEST_MARK") == mark:
                leftovers.append(f"{process.pid} {' '.join(process.cmdline())[:80]}")
        except psutil.Error:
            continue
    assert leftovers == []


def test_strip_ansi_handles_junit_escapes():
    assert strip_ansi("#x1B[1;31m✗ Not yet#x1B[0m and \x1b[94mblue\x1b[0m") == "✗ Not yet and blue"


# ------------------------------------------------------------------------------ reading submissions
@pytest.mark.parametrize("name, learner", [
    ("alice_00_warmup.ipynb", "alice"),
    ("bob-smith_01_shapley_card_game.ipynb", "bob-smith"),
    ("carol 00_warmup (1).ipynb", "carol"),
    ("student_2024_00_warmup.ipynb", "student_2024"),
    ("dave.ipynb", "dave"),
    ("erin/00_warmup.ipynb", "erin"),
])
def test_learner_names_come_from_file_names(tmp_path, name, learner):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    assert learner_name(path) == learner


def test_static_statuses_without_running_anything(tmp_path):
    expected = build_submissions(tmp_path / "class", executed=False)
    topic, questions, grades = grading.grade([tmp_path / "class"], topic="00", sandbox_on=False)
    text = write_csv(grades, questions, tmp_path / "grades.csv")
    assert_rows(text, expected)
    assert (tmp_path / "grades.csv").read_text() == text


def test_read_notebook_statuses(tmp_path):
    cases = {
        "empty.ipynb": ("", "not a notebook", "empty"),
        "binary.ipynb": (b"\x89PNG\r\n\x1a\n\x00\xff", "not a notebook", "not text"),
        "list.ipynb": ("[1, 2]", "not a notebook", "starts with"),
        "nocells.ipynb": ('{"metadata": {}}', "not a notebook", "cells"),
        "v3.ipynb": ('{"cells": [], "nbformat": 3}', "not a notebook", "nbformat 3"),
        "broken.ipynb": ('{"cells": [', "invalid json", "line 1, column"),
    }
    for name, (content, status, words) in cases.items():
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        notebook, got, reason = read_notebook(path)
        assert notebook is None and got == status and words in reason, (name, got, reason)
    notebook, status, reason = read_notebook(SOLUTION)
    assert status == "ok" and notebook["cells"]


def test_find_submissions_skips_checkpoints_and_keeps_given_files(tmp_path):
    build_submissions(tmp_path / "class", executed=False)
    (tmp_path / "notes.txt").write_text("not graded")
    found = find_submissions([tmp_path / "class", tmp_path / "notes.txt"])
    assert [s.label for s in found] == ["class/fred_00_warmup.ipynb", "class/gina_00_warmup.ipynb",
                                        "class/hank_00_warmup.ipynb", "notes.txt"]
    with pytest.raises(FileNotFoundError):
        find_submissions([tmp_path / "nowhere"])


def test_topic_from_import_then_from_file_name(tmp_path):
    solution = load(SOLUTION)
    assert notebook_topic(solution, Path("x.ipynb"))[0] == find_topic("00")
    bare = {"cells": [code_cell("print(1)")]}
    assert notebook_topic(bare, Path("alice_00_warmup.ipynb"))[0].module == "ex00_warmup"
    topic, why = notebook_topic(bare, Path("alice.ipynb"))
    assert topic is None and "no `from course_lib.exercises" in why
    fake = {"cells": [code_cell("from course_lib.exercises.ex77_nothing import *")]}
    assert "ex77_nothing, which does not exist" in notebook_topic(fake, Path("a_00_warmup.ipynb"))[1]
    for name in ("00", "0", "warmup", "00_warmup", "ex00_warmup"):
        assert find_topic(name).module == "ex00_warmup"
    with pytest.raises(ValueError, match="unknown topic"):
        find_topic("42")


def test_the_grader_knows_the_topics_of_the_course_map():
    """One Topic: the grader's topics are course.TOPICS, and every checks module has one."""
    import pkgutil

    from course_lib import course, exercises

    on_disk = sorted(m.name for m in pkgutil.iter_modules(exercises.__path__) if m.name.startswith("ex"))
    assert sorted(t.module for t in topics().values()) == on_disk
    assert all(t is next(c for c in course.TOPICS if c.number == n) for n, t in topics().items())
    assert all(t.exercises for t in topics().values())  # a module of checks has its notebook
    assert grading.Topic is course.Topic and find_topic("01").label == "01_shapley"


def test_check_cells_ignore_comments_and_map_every_question():
    notebook = {"cells": [
        {"cell_type": "markdown", "source": "q1.check() in prose"},
        code_cell("x = 1"),
        code_cell("q1.check()\n# q1.hint()"),
        code_cell("# q2.check()"),
        code_cell("q2.check(answer)\nq3.check()"),
    ]}
    assert check_cells(notebook) == {1: ["q1"], 3: ["q2", "q3"]}


def signed(key, payload):
    from course_lib.grading import checkrun

    text = json.dumps(payload, sort_keys=True)
    return checkrun.MARK + text + " " + hmac.new(key.encode(), text.encode(), "sha256").hexdigest()


def harness_result(key, outcomes, integrity=(), status="ok", index=None, forged=""):
    checks = [{"status": "ok", "error": "", "report": forged + signed(key, {"question": q, "outcome": o})}
              for q, o in outcomes.items()]
    checks.append({"status": "ok", "error": "", "report": signed(key, {"integrity": list(integrity)})})
    return {"cells": [], "checks": checks, "status": status, "index": index}


def test_only_reports_signed_with_the_run_key_count():
    from course_lib.grading import Settings
    from course_lib.grading.decide import decide as _decide

    key, names = "k" * 64, QUESTIONS
    outcomes = dict(q1="passed", q2="incorrect", q3="not attempted", q4="passed", q5="passed")
    scores, status, reason, _ = _decide(harness_result(key, outcomes), key, names, [], Settings())
    assert (scores, status, reason) == (dict(q1=1, q2=0, q3=0, q4=1, q5=1), "ok",
                                        "q2 incorrect; q3 not attempted")
    forged = signed("f" * 64, {"question": "q2", "outcome": "passed"}) + "\n"
    result = harness_result(key, outcomes, forged=forged)
    assert _decide(result, key, names, [], Settings())[0]["q2"] == 0
    result["checks"][1]["report"] = forged  # q2's own report replaced by a forged one
    scores, status, reason, notes = _decide(result, key, names, [], Settings())
    assert (status, reason) == ("ok", "q2 error (no report); q3 not attempted")  # no accusation
    assert scores == dict(q1=1, q2=0, q3=0, q4=1, q5=1) and notes["q2"] == "error (no report)"


def test_patched_check_code_is_tampering():
    from course_lib.grading import Settings
    from course_lib.grading.decide import decide as _decide

    key = "k" * 64
    result = harness_result(key, dict.fromkeys(QUESTIONS, "passed"),
                            integrity=["course_lib.exercises.Question.check patched"])
    scores, status, reason, _ = _decide(result, key, QUESTIONS, [], Settings())
    assert (sum(scores.values()), status, reason) == (0, "tampered",
                                                      "course_lib.exercises.Question.check patched")
    del result["checks"][-1]  # no integrity report at all: nothing verified, no marks, no accusation
    scores, status, reason, _ = _decide(result, key, QUESTIONS, [], Settings())
    assert (sum(scores.values()), status) == (0, "error") and reason.startswith("error (no report)")


def test_without_topic_each_learner_votes_once(tmp_path):
    """Three notebooks of another topic in one learner's folder do not outvote two learners."""
    solution = load(SOLUTION)
    for name in ("a_00_warmup.ipynb", "b_00_warmup.ipynb"):
        write(tmp_path, name, solution)
    other = other_topic_module()
    text = json.dumps(solution).replace("ex00_warmup", other)
    (tmp_path / "carl").mkdir()
    for name in ("c.ipynb", "d.ipynb", "e.ipynb"):
        write(tmp_path / "carl", name, text)
    write(tmp_path, "f.ipynb", "{broken")
    submissions = find_submissions([tmp_path])
    assert grading.choose_topic(submissions).module == "ex00_warmup"
    if other != "ex99_missing":  # a second topic exists: a close vote is refused, not guessed
        for name in ("g.ipynb", "h.ipynb"):
            write(tmp_path, name, text)
        with pytest.raises(ValueError, match=r"split between topics: \d\d_\w+ \(3 learners\), "
                                             r"00_warmup \(2 learners\); pass --topic NN"):
            grading.choose_topic(find_submissions([tmp_path]))
    with pytest.raises(ValueError, match="pass --topic"):
        grading.choose_topic([s for s in submissions if s.learner == "f"])


def test_summary_and_csv_format():
    topic = find_topic("00")
    questions = topic.questions()
    grades = [Grade(Submission(Path("a.ipynb"), "ann", "a.ipynb"), dict(q1=1, q2=1, q3=0, q4=1, q5=1), "ok",
                    "q3 incorrect"),
              Grade(Submission(Path("b.ipynb"), "ben", "b.ipynb"), dict.fromkeys(QUESTIONS, 0),
                    "timeout", "code cell 4 ran longer than 60 s and was stopped")]
    text = write_csv(grades, questions, None)
    assert text.splitlines() == [",".join(HEADER), "ann,1,1,0,1,1,4,ok,q3 incorrect,a.ipynb,",
                                 "ben,0,0,0,0,0,0,timeout,code cell 4 ran longer than 60 s and was "
                                 "stopped,b.ipynb,"]
    table = summary(topic, questions, grades)
    assert re.search(r"q1 +1/2 +50 %", table) and "mean total: 2.00 / 5" in table
    assert "status: ok 1, timeout 1" in table and "b.ipynb: timeout: code cell 4" in table


def test_cli_usage_errors(tmp_path):
    result = subprocess.run([sys.executable, "-m", "course_lib.grading", str(tmp_path / "none")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "no such file or folder" in result.stderr
    result = subprocess.run([sys.executable, "-m", "course_lib.grading", str(tmp_path), "--jobs", "0"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "must be positive" in result.stderr


def test_make_grade_calls_the_grader():
    result = subprocess.run(["make", "-n", "grade", "SUBMISSIONS=some/dir/"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    if result.returncode != 0 and "No rule" in result.stderr:
        pytest.fail(result.stderr)
    assert "-m course_lib.grading some/dir/ --out grades.csv" in result.stdout


def test_grader_needs_no_network(no_network, tmp_path):
    build_submissions(tmp_path / "class", executed=False)
    grading.grade([tmp_path / "class"], topic="00", sandbox_on=False)
    assert no_network == []


@pytest.mark.slow
def test_sigterm_stops_the_running_notebooks(tmp_path):
    """`kill` (or Ctrl-C) on the grader stops pytest and the kernels at once, and writes no CSV."""
    notebook = {"cells": [code_cell("open('started', 'w').close()\nwhile True:\n    pass")],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 4}
    write(tmp_path, "zed_00_warmup.ipynb", notebook)
    mark = uuid.uuid4().hex
    process = subprocess.Popen(
        [sys.executable, "-m", "course_lib.grading", str(tmp_path / "zed_00_warmup.ipynb"),
         "--out", str(tmp_path / "grades.csv"), *grading_class.sandbox_flags()],
        env=dict(os.environ, COURSE_TEST_MARK=mark),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def marked():
        """The command lines of the live processes this grading started."""
        found = []
        for other in psutil.process_iter():
            try:
                if other.environ().get("COURSE_TEST_MARK") == mark and other.status() != "zombie":
                    found.append(" ".join(other.cmdline()))
            except psutil.Error:
                continue
        return found

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not any("ipykernel" in line for line in marked()):
        time.sleep(0.5)
    process.terminate()
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130, out + err
    assert "interrupted" in err and not (tmp_path / "grades.csv").exists()
    time.sleep(1)
    assert marked() == []


@pytest.mark.parametrize("partial, scores", [(False, [0, 0, 0, 0, 0]), (True, [1, 0, 0, 0, 0])])
def test_partial_credit_keeps_the_checks_that_pass_after_a_timeout(partial, scores):
    from course_lib.grading import Settings
    from course_lib.grading.decide import decide as _decide

    key = "k" * 64
    result = harness_result(key, dict(q1="passed", q2="not attempted", q3="not attempted",
                                      q4="not attempted", q5="not attempted"), status="timeout", index=1)
    got, status, reason, notes = _decide(result, key, QUESTIONS, ["x = 1", "while True:\n    pass"],
                                         Settings(cell_timeout=30, partial_credit=partial))
    assert [got[q] for q in QUESTIONS] == scores
    assert status == "timeout"
    assert reason == "code cell 1 (`while True:`) ran longer than 30 s and was stopped"
    assert notes["q2"] == "not attempted"
    patched = harness_result(key, dict.fromkeys(QUESTIONS, "passed"), status="timeout", index=1,
                             integrity=["course_lib.exercises.Question.check patched"])
    got, status, reason, _ = _decide(patched, key, QUESTIONS, ["x = 1", "while True:\n    pass"],
                                     Settings(cell_timeout=30, partial_credit=partial))
    assert sum(got.values()) == 0 and status == ("tampered" if partial else "timeout")
    del patched["checks"][-1]  # the integrity report lost: nothing verified, no partial credit
    got, status, _, _ = _decide(patched, key, QUESTIONS, ["x = 1", "while True:\n    pass"],
                                Settings(cell_timeout=30, partial_credit=partial))
    assert sum(got.values()) == 0 and status == "timeout"
    result["status"] = "kernel died"
    got, status, reason, _ = _decide(result, key, QUESTIONS, ["x = 1", "import os"],
                                     Settings(partial_credit=partial))
    assert sum(got.values()) == 0 and reason == "the kernel died in code cell 1 (`import os`)"


@pytest.mark.slow
@pytest.mark.xdist_group("grading")
def test_nbval_gives_the_graders_verdicts_on_honest_notebooks(graded_class):
    """The nbval path (`pytest --nbval-lax` on the submissions, one pass/fail per check cell)
    agrees with the grader, question by question, on honest notebooks: full, untouched, half."""
    table = rows(graded_class["out"].read_text())
    for learner in ("alice", "bob", "carol"):
        path = graded_class["folder"] / f"{learner}_00_warmup.ipynb"
        result = run_notebook(path, cell_timeout=CELL_TIMEOUT, notebook_timeout=400)
        assert result.status == "ok", (learner, result.reason)
        verdicts = {}
        for index, questions in check_cells(read_notebook(path)[0]).items():
            for question in questions:
                verdicts[question] = int(result.cells[index].outcome == "passed")
        assert verdicts == {q: int(table[learner][q]) for q in QUESTIONS}, learner
