"""The grader on a careless class (no sandbox needed): every file its own row, the class graded
whatever one file holds, names flagged or refused, and nothing unescaped reaches the terminal.

Each case is a file that once stopped the whole run or crashed the CSV writer (see
:func:`grading_class.build_careless`); the class is graded once through the command line.
"""
import csv
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import grading_class
from course_lib import grading
from course_lib.grading import Grade, safe, submissions

HEADER = ["learner", *grading_class.QUESTIONS, "total", "status", "reason", "file", "topic"]


@pytest.fixture(scope="module")
def careless(tmp_path_factory):
    base = tmp_path_factory.mktemp("careless")
    folder = base / "sub"
    expected, warnings = grading_class.build_careless(folder)
    out = base / "grades.csv"
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "course_lib.grading", str(folder), "--out", str(out), "--jobs", "2",
         "--topic", "00", "--timeout-cell", str(grading_class.CARELESS_TIMEOUT),
         "--timeout-notebook", "300", *grading_class.sandbox_flags()],
        capture_output=True, timeout=900, cwd=base)
    seconds = time.monotonic() - started
    graded = out.read_text(encoding="utf-8") if out.exists() else ""
    page = base / "report.html"
    report = page.read_text(encoding="utf-8") if page.exists() else ""
    yield dict(result=result, expected=expected, warnings=warnings, graded=graded, seconds=seconds,
               report=report)
    grading_class.remove_deep(folder / "nadia")


@pytest.mark.slow
@pytest.mark.xdist_group("grading")
def test_every_careless_file_is_its_own_row(careless):
    result = careless["result"]
    assert result.returncode == 0, (result.stdout[-3000:] + result.stderr[-3000:]).decode("utf-8", "replace")
    table = list(csv.reader(io.StringIO(careless["graded"])))
    assert table[0] == HEADER
    assert table[1:] == careless["expected"], "\n".join(map(str, table[1:]))
    print(f"careless class graded in {careless['seconds']:.0f} s")


@pytest.mark.slow
@pytest.mark.xdist_group("grading")
def test_the_terminal_sees_no_control_characters(careless):
    out = careless["result"].stdout + careless["result"].stderr
    text = out.decode("utf-8")  # valid UTF-8: no byte of a non-UTF-8 name went through as it was
    assert not [c for c in text if (ord(c) < 32 and c != "\n") or c in safe.BIDI
                or 0x7f <= ord(c) <= 0x9f], "control characters reached the terminal"
    for line in careless["warnings"]:
        assert f"warning: {safe.printable(line)}" in text


def test_printable_escapes_what_a_terminal_or_csv_would_act_on():
    assert safe.printable("a\x1b[31mb\u202ec\udc8f\r\n\u0430") == "a\\x1b[31mb\\u202ec\\x8f\\x0d\\x0a\u0430"
    assert grading.escape("=\x1b]0;x\x07") == "'=\\x1b]0;x\\x07"


def test_learner_names_normalised_folder_wins_and_bad_names_refused(tmp_path):
    grading_class.write(tmp_path / "sub" / "\uff41nn_00_warmup.ipynb", "{}")  # full-width a
    grading_class.write(tmp_path / "sub" / "mallory" / "alice_00_warmup.ipynb", "{}")
    grading_class.write(tmp_path / "sub" / "bob" / "00_warmup.ipynb", "{}")
    grading_class.write(tmp_path / "sub" / "x\u202e_00_warmup.ipynb", "{}")
    found, entries, _ = submissions.scan([tmp_path / "sub"])
    assert sorted((s.learner, s.note) for s in found) == [
        ("ann", ""), ("bob", ""), ("mallory", "the file names 'alice' but is in 'mallory''s folder")]
    assert [(e.learner, e.status) for e in entries] == [("x\u202e", "refused")]
    assert submissions.lookalikes(["alice", "\u0430lice", "bob"]) == {
        "alice": ["\u0430lice"], "\u0430lice": ["alice"]}


def test_folders_are_walked_without_recursion(tmp_path):
    deep = grading_class.make_deep(tmp_path / "sub" / "nadia", grading_class.DEEP_FOLDERS)
    try:
        (deep / "00_warmup.ipynb").write_text("{}")
        found, entries, _ = submissions.scan([tmp_path / "sub"])
        assert [s.learner for s in found] == ["nadia"] and entries == []
    finally:
        grading_class.remove_deep(tmp_path / "sub")


def test_topic_detection_is_linear_in_blank_lines():
    notebook = grading_class.cheap()
    cell = next(c for c in notebook["cells"] if "ex00_warmup import" in "".join(c["source"]))
    cell["source"] = "\n" * 200_000 + "".join(cell["source"])  # 40 KB of these once took 23 s
    started = time.monotonic()
    topic, _ = submissions.notebook_topic(notebook, Path("x.ipynb"))
    assert topic.module == "ex00_warmup" and time.monotonic() - started < 10  # ~0.1 s when linear
    checks = {"cells": [grading_class.code_cell("q" * 200_000 + ".check(")]}
    started = time.monotonic()
    submissions.check_cells(checks)
    assert time.monotonic() - started < 10


def test_a_grader_failure_on_one_file_is_that_files_error_row(tmp_path, monkeypatch):
    for name in ("ann", "ben", "cid"):
        grading_class.write(tmp_path / "sub" / f"{name}_00_warmup.ipynb", grading_class.cheap())
    from course_lib.grading import run

    real = run._grade_one

    def flaky(submission, *args):
        if submission.learner == "ben":
            raise RecursionError("maximum recursion depth exceeded")
        return Grade(submission, dict.fromkeys(grading_class.QUESTIONS, 1), "ok")

    monkeypatch.setattr(run, "_grade_one", flaky)
    _, questions, grades = grading.grade([tmp_path / "sub"], topic="00", sandbox_on=False)
    assert [(g.submission.learner, g.status, g.total) for g in grades] == [
        ("ann", "ok", 5), ("ben", "error", 0), ("cid", "ok", 5)]
    assert grades[1].reason == ("the grader failed on this file: RecursionError: maximum "
                                "recursion depth exceeded")
    assert real is not flaky


def test_read_notebook_reads_null_sources_and_refuses_other_types(tmp_path):
    notebook = grading_class.cheap("x = 1")
    notebook["cells"][-1]["source"] = None
    del notebook["cells"][0]["source"]
    grading_class.write(tmp_path / "a.ipynb", notebook)
    read, status, reason = submissions.read_notebook(tmp_path / "a.ipynb")
    assert status == "ok" and read["cells"][-1]["source"] == "" and "without source" in reason
    notebook["cells"][-1]["source"] = {"x": 1}
    grading_class.write(tmp_path / "b.ipynb", notebook)
    assert submissions.read_notebook(tmp_path / "b.ipynb")[1:] == (
        "not a notebook", f"cell {len(notebook['cells']) - 1}'s source is dict, not text")
    (tmp_path / "c.ipynb").write_text(grading_class.nested_json(100_000))
    assert submissions.read_notebook(tmp_path / "c.ipynb")[1] == "invalid json"


def test_make_grade_passes_the_topic():
    from tools.notebook_tools import ROOT

    done = subprocess.run(["make", "-n", "grade", "SUBMISSIONS=d/", "TOPIC=00"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert "-m course_lib.grading d/ --out grades.csv --topic 00" in done.stdout


def test_the_chosen_topic_is_said(tmp_path):
    for name in ("ann", "ben"):
        grading_class.write(tmp_path / "sub" / f"{name}_00_warmup.ipynb", "{broken")
    grading_class.write(tmp_path / "sub" / "cid_00_warmup.ipynb", grading_class.cheap())
    warnings = []
    grading.grade([tmp_path / "sub"], sandbox_on=False, warnings=warnings,
                  settings=grading.Settings(sandbox=False, notebook_timeout=1))
    assert warnings[0] == ("graded topic 00_warmup, the topic of 1 of 1 learner(s); pass --topic "
                           "NN to say which topic to grade")


@pytest.mark.slow
@pytest.mark.xdist_group("grading")
def test_the_class_report_lists_every_row_that_is_not_ok(careless):
    from test_grading_report import parse

    page = parse(careless["report"])
    problems = page.tables_after("problems")[0]
    expected = [[row[0], row[7], row[8], row[9]] for row in careless["expected"] if row[7] != "ok"]
    assert problems[1:] == expected
    q3 = [rows for head, rows in page.tables if head.startswith("q3")][0]
    assert ["1", "error (SystemExit)", "SystemExit: not done yet"] in q3
