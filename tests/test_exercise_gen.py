"""The exercise generator: solution regions become stubs, hidden answers vanish, output is stable."""
import json
import subprocess
import sys

import pytest

from tools.exercise_gen import MarkerError, exercise_notebook, generate, strip_code, strip_markdown
from course_lib.env import SETUP_CELL
from tools.notebook_tools import ROOT, badge, dumps, problems


# ------------------------------------------------------------------------------ code regions
def test_region_becomes_stub_at_the_begin_lines_indentation():
    source = "\n".join([
        "import numpy as np",
        "def f(x):",
        "    # BEGIN SOLUTION",
        "    y = x + 1",
        "    return y",
        "    # END SOLUTION",
        "answer = f(1)",
    ])
    assert strip_code(source) == "\n".join([
        "import numpy as np",
        "def f(x):",
        "    # YOUR CODE HERE",
        "    raise NotImplementedError",
        "answer = f(1)",
    ])


def test_several_regions_and_trailing_newline_kept():
    source = "# BEGIN SOLUTION\na = 1\n# END SOLUTION\nb = 2\n\t# BEGIN SOLUTION\n\tc = 3\n\t# END SOLUTION\n"
    assert strip_code(source) == ("# YOUR CODE HERE\nraise NotImplementedError\nb = 2\n"
                                  "\t# YOUR CODE HERE\n\traise NotImplementedError\n")


def test_nbgrader_style_markers_and_trailing_spaces():
    assert strip_code("### BEGIN SOLUTION  \nx = 1\n### END SOLUTION") == \
        "# YOUR CODE HERE\nraise NotImplementedError"


def test_a_marker_inside_a_line_is_not_a_marker():
    source = 'print("# BEGIN SOLUTION")\nx = 1  # END SOLUTION'
    assert strip_code(source) == source


@pytest.mark.parametrize("source, words", [
    ("x = 1\n# END SOLUTION", "line 2: END SOLUTION without a BEGIN SOLUTION"),
    ("# BEGIN SOLUTION\nx = 1", "line 1: BEGIN SOLUTION is never closed"),
    ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION", "line 2: BEGIN SOLUTION inside the region opened on line 1"),
])
def test_unbalanced_markers_raise_with_the_place(source, words):
    with pytest.raises(MarkerError, match="solutions/x.ipynb, cell 3"):
        strip_code(source, where="solutions/x.ipynb, cell 3")
    with pytest.raises(MarkerError) as info:
        strip_code(source, where="here")
    assert words in str(info.value)


# ------------------------------------------------------------------------------ markdown
def test_markdown_answer_is_hidden():
    source = "**Think:** why?\n\n<!-- BEGIN SOLUTION -->\nBecause.\nReally.\n<!-- END SOLUTION -->\nMore text."
    assert strip_markdown(source) == "**Think:** why?\n\n*Your answer here.*\nMore text."


def test_markdown_unbalanced_raises():
    with pytest.raises(MarkerError, match="never closed"):
        strip_markdown("<!-- BEGIN SOLUTION -->\nsecret")


# ------------------------------------------------------------------------------ notebooks
def _solution_cells():
    return [
        ("md", "# 99 · Crafted\n\nA notebook for the generator's tests."),
        ("code", "import math"),
        ("code", "def f(x):\n    # BEGIN SOLUTION\n    return math.sqrt(x)\n    # END SOLUTION"),
        ("md", "Why?\n\n<!-- BEGIN SOLUTION -->\nBecause.\n<!-- END SOLUTION -->"),
        ("code", "# BEGIN SOLUTION\nanswer = f(4)\n# END SOLUTION"),
        ("code", "print('teacher only')"),
    ]


@pytest.fixture
def course(tmp_path):
    """A miniature course folder with one solution notebook (badge and setup cell included)."""
    kinds = {"md": "markdown", "code": "code"}
    cells = [{"cell_type": kinds[kind], "metadata": {}, "source": source.splitlines(keepends=True),
              **({"outputs": [], "execution_count": None} if kind == "code" else {})}
             for kind, source in _solution_cells()]
    cells[0]["source"] = ["# 99 · Crafted\n", "\n", badge("solutions/99_crafted.ipynb") + "\n", "\n",
                          "A notebook for the generator's tests."]
    cells.insert(1, {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                     "source": SETUP_CELL.splitlines(keepends=True)})
    cells[-1]["metadata"]["tags"] = ["solution-only"]
    cells[3]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["hi\n"]}]
    cells[3]["execution_count"] = 3
    notebook = {"cells": cells, "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4,
                "nbformat_minor": 4}
    (tmp_path / "solutions").mkdir()
    (tmp_path / "solutions" / "99_crafted.ipynb").write_text(dumps(notebook))
    return tmp_path


def test_generate_writes_stubs_clears_outputs_and_fixes_the_badge(course):
    assert generate(course) == 0
    solution = json.loads((course / "solutions" / "99_crafted.ipynb").read_text())
    exercise = json.loads((course / "exercises" / "99_crafted.ipynb").read_text())
    text = ["".join(c["source"]) for c in exercise["cells"]]
    assert len(exercise["cells"]) == len(solution["cells"]) - 1  # the solution-only cell is gone
    assert badge("exercises/99_crafted.ipynb") in text[0]
    assert "solutions/99_crafted.ipynb" not in text[0]
    assert text[1] == SETUP_CELL and text[2] == "import math"  # other cells unchanged
    assert text[3] == "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError"
    assert text[4] == "Why?\n\n*Your answer here.*"
    assert text[5] == "# YOUR CODE HERE\nraise NotImplementedError"
    assert all(c.get("outputs", []) == [] and c.get("execution_count") is None
               for c in exercise["cells"] if c["cell_type"] == "code")
    assert "teacher only" not in json.dumps(exercise)
    assert "BEGIN SOLUTION" not in json.dumps(exercise) and "Because" not in json.dumps(exercise)
    assert problems(course / "exercises" / "99_crafted.ipynb", root=course) == []


def test_generation_is_byte_stable(course):
    generate(course)
    first = (course / "exercises" / "99_crafted.ipynb").read_bytes()
    generate(course)
    assert (course / "exercises" / "99_crafted.ipynb").read_bytes() == first
    (course / "exercises" / "99_crafted.ipynb").unlink()
    generate(course)
    assert (course / "exercises" / "99_crafted.ipynb").read_bytes() == first


def test_check_mode_finds_stale_missing_and_orphan_exercises(course, capsys):
    assert generate(course, check=True) == 1
    assert "exercises/99_crafted.ipynb is missing" in capsys.readouterr().out
    assert not (course / "exercises").exists()  # --check writes nothing
    generate(course)
    assert generate(course, check=True) == 0
    target = course / "exercises" / "99_crafted.ipynb"
    target.write_text(target.read_text().replace("YOUR CODE HERE", "my edit"))
    assert generate(course, check=True) == 1
    assert "is out of date" in capsys.readouterr().out
    generate(course)
    (course / "exercises" / "98_orphan.ipynb").write_text("{}")
    assert generate(course, check=True) == 1
    assert "98_orphan.ipynb has no source" in capsys.readouterr().out


def test_unbalanced_marker_in_a_notebook_names_file_and_cell(course):
    path = course / "solutions" / "99_crafted.ipynb"
    notebook = json.loads(path.read_text())
    notebook["cells"][5]["source"] = ["answer = 1\n", "# END SOLUTION"]  # the 6th cell
    path.write_text(json.dumps(notebook))
    with pytest.raises(MarkerError) as info:
        generate(course)
    message = str(info.value)
    assert "solutions/99_crafted.ipynb, cell 6 (code: 'answer = 1')" in message
    assert "line 2: END SOLUTION without a BEGIN SOLUTION" in message


def test_cli_reports_marker_errors_with_exit_status_2(course):
    path = course / "solutions" / "99_crafted.ipynb"
    notebook = json.loads(path.read_text())
    notebook["cells"][3]["source"] = ["# BEGIN SOLUTION\n", "x = 1"]
    path.write_text(json.dumps(notebook))
    result = subprocess.run([sys.executable, "-m", "tools.exercise_gen", "--root", str(course)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "99_crafted.ipynb, cell 4" in result.stderr and "never closed" in result.stderr


def test_exercise_notebook_leaves_the_solution_untouched():
    solution = {"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 1,
                           "source": ["# BEGIN SOLUTION\n", "x = 1\n", "# END SOLUTION"]}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 4}
    before = json.dumps(solution)
    exercise = exercise_notebook(solution)
    assert json.dumps(solution) == before
    assert exercise["cells"][0]["source"] == ["# YOUR CODE HERE\n", "raise NotImplementedError"]


# ------------------------------------------------------------------------------ the committed course
def test_committed_exercises_are_up_to_date():
    """Fails when someone edited solutions/ (or exercises/ by hand) without `make exercises`."""
    result = subprocess.run([sys.executable, "-m", "tools.exercise_gen", "--check"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_solution_has_regions_and_its_exercise_has_stubs():
    for solution in sorted((ROOT / "solutions").glob("*.ipynb")):
        text = solution.read_text()
        assert "BEGIN SOLUTION" in text, f"{solution.name} has no answer region"
        exercise = ROOT / "exercises" / solution.name
        assert "raise NotImplementedError" in exercise.read_text()
        assert "BEGIN SOLUTION" not in exercise.read_text()
