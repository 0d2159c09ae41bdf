"""tools/bench_lectures.py: what it reads from an executed notebook and what it flags."""
from datetime import datetime, timedelta, timezone

from tools import bench_lectures


def executed(cells):
    """A fake executed notebook: (seconds, cpu seconds, printed text) per code cell."""
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    notebook = {"cells": [{"cell_type": "markdown", "source": "# title", "metadata": {}}]}
    for seconds, cpu, text in cells:
        notebook["cells"].append({
            "cell_type": "code", "source": f"# a comment\nrun({seconds})\n",
            "metadata": {"execution": {"iopub.execute_input": start.isoformat(),
                                       "shell.execute_reply": (start + timedelta(seconds=seconds)).isoformat(),
                                       "course.cpu_seconds": cpu}},
            "outputs": [{"output_type": "stream", "name": "stdout",
                         "text": text.splitlines(keepends=True)}]})   # saved as a list of lines
    return notebook


def test_times_slowest_cell_and_budget():
    row = bench_lectures.summarise("04_shap", executed([(2, 1.5, ""), (30, 25.0, ""), (5, 4.0, "")]),
                                   wall=40.0, budget=120, cell_budget=45)
    assert row["seconds"] == 40.0 and row["cpu_seconds"] == 30.5 and row["ratio"] == 0.33
    assert row["slowest_cell"] == {"index": 2, "seconds": 30.0, "cpu_seconds": 25.0, "first_line": "run(30)"}
    assert row["flags"] == []


def test_flags_a_lecture_over_budget_and_a_cell_over_the_cell_budget():
    row = bench_lectures.summarise("03_lime", executed([(50, 50.0, ""), (80, 80.0, "")]),
                                   wall=131.0, budget=120, cell_budget=45)
    assert row["flags"] == ["over the 120 s budget", "cell 1 took 50 s (> 45 s)", "cell 2 took 80 s (> 45 s)"]


def test_estimates_within_a_factor_of_one_and_a_half_pass_and_others_are_flagged():
    line = "Estimated time: about {} s on this machine (one batch timed).\n"
    row = bench_lectures.summarise("05_gradcam", executed([(30, 30.0, line.format(25)), (30, 30.0, line.format(12)),
                                                          (10, 10.0, "done\n" + line.format(16))]),
                                   wall=70.0, budget=120, cell_budget=45)
    assert [(e["cell"], e["estimate"], e["ratio"]) for e in row["estimates"]] == [(1, 25, 1.2), (2, 12, 2.5),
                                                                                 (3, 16, 0.62)]
    assert row["flags"] == ["cell 2 estimated 12 s, took 30 s", "cell 3 estimated 16 s, took 10 s"]


def test_readme_block_and_course_table_are_rewritten(tmp_path, monkeypatch):
    monkeypatch.setattr(bench_lectures.os, "cpu_count", lambda: 2)
    readme = tmp_path / "README.md"
    course_row = "| 04 | [SHAP](x) | badge | 90 min | 18 s / 131 s | what |\n"
    readme.write_text(f"{course_row}\n{bench_lectures.START}\nold\n{bench_lectures.END}\nafter\n")
    row = bench_lectures.summarise("04_shap", executed([(2, 1.5, ""), (30, 25.0, "")]), wall=61.4,
                                   budget=120, cell_budget=45)
    row.update(machine="a test machine", date="2026-01-01", load=9.5)   # a busy machine
    bench_lectures.write_readme(readme, [row], 120)
    text = readme.read_text()
    assert text.startswith(course_row), "wall times measured under load do not go into the course table"
    assert "old" not in text and "on 2026-01-01 (a test machine), load average 9.5 to 9.5" in text
    assert "the wall times are inflated" in text and text.endswith("after\n")
    assert "| 04 | shap | 61 s | 26 s | cell 2: 30 s / 25 s | 51% of 120 s |" in text
    row["load"] = 0.4                                                      # a quiet one
    bench_lectures.write_readme(readme, [row], 120)
    text = readme.read_text()
    assert "| 04 | [SHAP](x) | badge | 90 min | 18 s / 61 s | what |" in text and "inflated" not in text
