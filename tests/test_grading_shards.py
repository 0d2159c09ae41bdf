"""Sharding and merging: N shards merged equal one run; CSV escaping; the merge command's errors."""
import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from course_lib import grading
from course_lib.grading import Grade, escape, in_shard, merge, write_csv

import grading_class


def fake_grade(submission, topic, questions, settings=None, expected=None):
    """A stand-in for running a notebook: a score that depends only on the file's name."""
    n = sum(map(ord, submission.label))
    scores = {q.name: (n >> i) & 1 for i, q in enumerate(questions)}
    return Grade(submission, scores, "ok", f"graded {submission.label}")


@pytest.fixture()
def folder(tmp_path, monkeypatch):
    monkeypatch.setattr(grading.run, "grade_submission", fake_grade)
    sub = tmp_path / "sub"
    for i in range(23):
        grading_class.write(sub / f"learner{i:02d}_00_warmup.ipynb", grading_class.cheap())
    grading_class.write(sub / "=SUM(A1)_00_warmup.ipynb", grading_class.cheap())
    grading_class.write(sub / "broken_00_warmup.ipynb", "{not json")
    (sub / "empty").mkdir()
    os.symlink(sub / "learner00_00_warmup.ipynb", sub / "link_00_warmup.ipynb")
    return sub


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_n_shards_merged_equal_one_run(folder, tmp_path, n):
    topic, questions, grades = grading.grade([folder], topic="00", sandbox_on=False)
    whole = write_csv(grades, questions, None)
    assert len(whole.splitlines()) == 1 + 23 + 4
    parts, sizes = [], []
    for k in range(1, n + 1):
        _, _, part = grading.grade([folder], topic="00", sandbox_on=False, shard=(k, n))
        sizes.append(len(part))
        parts.append(tmp_path / f"shard{k}.csv")
        write_csv(part, questions, parts[-1])
    assert sum(sizes) == len(grades) and (n == 1 or max(sizes) < len(grades))
    assert merge(parts, tmp_path / "merged.csv") == whole
    assert (tmp_path / "merged.csv").read_text(encoding="utf-8") == whole


def test_shards_are_a_stable_partition():
    labels = [f"sub/x{i}.ipynb" for i in range(200)]
    for n in (2, 7):
        owners = [[k for k in range(1, n + 1) if in_shard(label, (k, n))] for label in labels]
        assert all(len(o) == 1 for o in owners)
        assert len({o[0] for o in owners}) == n


def test_merge_command_and_its_errors(folder, tmp_path):
    topic, questions, grades = grading.grade([folder], topic="00", sandbox_on=False)
    write_csv(grades[:5], questions, tmp_path / "a.csv")
    write_csv(grades[5:], questions, tmp_path / "b.csv")
    command = [sys.executable, "-m", "course_lib.grading", "merge"]
    done = subprocess.run(command + [str(tmp_path / "b.csv"), str(tmp_path / "a.csv"), "--out",
                                     str(tmp_path / "all.csv")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "all.csv").read_text() == write_csv(grades, questions, None)
    again = subprocess.run(command + [str(tmp_path / "a.csv"), str(tmp_path / "a.csv")],
                           capture_output=True, text=True, cwd=tmp_path)
    assert again.returncode == 2 and "merge each shard once" in again.stderr
    (tmp_path / "c.csv").write_text("learner,q1,total,status,reason,file,topic\n")
    other = subprocess.run(command + [str(tmp_path / "a.csv"), str(tmp_path / "c.csv")],
                           capture_output=True, text=True, cwd=tmp_path)
    assert other.returncode == 2 and "differ from" in other.stderr


def refusal(tmp_path, *texts) -> str:
    """merge's one-line refusal for CSVs holding `texts` (the first one a real shard)."""
    paths = []
    for i, text in enumerate(texts):
        paths.append(tmp_path / f"s{i}.csv")
        paths[-1].write_text(text, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "course_lib.grading", "merge", *map(str, paths),
                           "--out", str(tmp_path / "m.csv")], capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert not (tmp_path / "m.csv").exists()
    return done.stderr


def test_merge_refuses_other_topics_and_rows_no_grader_wrote(folder, tmp_path):
    topic, questions, grades = grading.grade([folder], topic="00", sandbox_on=False)
    a = write_csv(grades[:5], questions, None)
    b = write_csv(grades[5:], questions, None)
    assert "topic '01_shapley" in refusal(tmp_path, a, b.replace(",00_warmup\n", ",01_shapley\n"))
    head, first, *rest = b.splitlines(keepends=True)
    cells = first.split(",")
    assert "line 2: the marks or the total" in refusal(tmp_path, a, head + ",".join(
        [cells[0], "7", *cells[2:]]) + "".join(rest))
    assert "line 2: unknown status 'passed'" in refusal(tmp_path, a, head + first.replace(
        ",ok,", ",passed,") + "".join(rest))
    assert "line 2: 3 cells" in refusal(tmp_path, a, head + "x,1,1\n")
    assert "not a grades CSV of this grader" in refusal(tmp_path, "name,grade\nann,1\n")


def test_merge_takes_a_trailing_blank_line(folder, tmp_path):
    topic, questions, grades = grading.grade([folder], topic="00", sandbox_on=False)
    (tmp_path / "a.csv").write_text(write_csv(grades[:5], questions, None) + "\n\n")
    (tmp_path / "b.csv").write_text(write_csv(grades[5:], questions, None) + "\r\n")
    assert merge([tmp_path / "a.csv", tmp_path / "b.csv"]) == write_csv(grades, questions, None)


def test_bad_shard_argument(tmp_path):
    done = subprocess.run([sys.executable, "-m", "course_lib.grading", str(tmp_path), "--shard", "3/2"],
                          capture_output=True, text=True)
    assert done.returncode == 2 and "1 <= K <= N" in done.stderr


@pytest.mark.parametrize("text, safe", [("=1+1", "'=1+1"), ("+x", "'+x"), ("-2", "'-2"),
                                        ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "\\x09x"), ("alice", "alice")])
def test_csv_cells_cannot_be_formulas(text, safe):
    assert escape(text) == safe


def test_formula_learner_is_escaped_in_the_csv(folder):
    topic, questions, grades = grading.grade([folder], topic="00", sandbox_on=False)
    table = list(csv.reader(io.StringIO(write_csv(grades, questions, None))))
    assert ["'=SUM(A1)"] == [row[0] for row in table if "SUM" in row[0]]
    assert all(not cell.startswith(("=", "+", "@")) for row in table for cell in row)


def test_missing_bwrap_is_one_clear_line(folder, monkeypatch, capsys):
    from course_lib.grading import sandbox

    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    assert grading.main([str(folder), "--out", str(folder.parent / "g.csv")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "bwrap" in err and "--no-sandbox" in err
    assert not (folder.parent / "g.csv").exists()
    assert grading.main([str(folder), "--out", str(folder.parent / "g.csv"), "--no-sandbox"]) == 0
    assert (folder.parent / "g.csv").exists()


def test_every_file_is_a_row_or_a_warning(folder):
    grading_class.write(folder / "notes.txt", "hello")
    grading_class.write(folder / ".ipynb_checkpoints" / "x-checkpoint.ipynb", "{}")
    warnings = []
    topic, questions, grades = grading.grade([folder], topic="00", sandbox_on=False,
                                             warnings=warnings)
    labels = {g.submission.label for g in grades}
    files = {p.relative_to(folder.parent).as_posix() for p in folder.rglob("*")
             if p.is_file() or p.is_symlink()}
    warned = {line.partition(":")[0] for line in warnings}
    assert files - labels == warned == {"sub/notes.txt", "sub/.ipynb_checkpoints/x-checkpoint.ipynb"}
    assert {g.status for g in grades if g.submission.label == "sub/empty"} == {"missing"}
    assert {g.status for g in grades if g.submission.label == "sub/link_00_warmup.ipynb"} == {"refused"}
