"""Notebook housekeeping: badge, shared setup cell, stripped outputs; the course map."""
import json

from course_lib import course, notebook_tools
from course_lib.env import SETUP_CELL


def _make(tmp_path, cells):
    (tmp_path / "notebooks").mkdir()
    path = tmp_path / "notebooks" / "09_demo.ipynb"
    notebook_tools.write_notebook(path, cells)
    return path


def test_write_notebook_adds_badge_and_setup(tmp_path, monkeypatch):
    monkeypatch.setattr(notebook_tools, "ROOT", tmp_path)
    path = tmp_path / "notebooks" / "09_demo.ipynb"
    path.parent.mkdir()
    notebook = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# Demo\n", "text"]},
                          {"cell_type": "code", "metadata": {}, "execution_count": 3,
                           "outputs": [{"output_type": "stream", "name": "stdout", "text": "x"}],
                           "source": "print(1)"}],
               "metadata": {}, "nbformat": 4, "nbformat_minor": 4}
    path.write_text(json.dumps(notebook))
    assert notebook_tools.problems(path, root=tmp_path)  # badge, setup cell and outputs are off
    assert notebook_tools.sync(path, root=tmp_path) is True
    assert notebook_tools.problems(path, root=tmp_path) == []
    cells = json.loads(path.read_text())["cells"]
    assert notebook_tools.badge("notebooks/09_demo.ipynb") in "".join(cells[0]["source"])
    assert "".join(cells[1]["source"]) == SETUP_CELL
    assert cells[2]["outputs"] == [] and cells[2]["execution_count"] is None
    assert notebook_tools.sync(path, root=tmp_path) is False  # idempotent, byte-stable


def test_problems_names_a_changed_setup_cell(tmp_path):
    path = tmp_path / "notebooks" / "09_demo.ipynb"
    path.parent.mkdir()
    notebook = {"cells": [{"cell_type": "markdown", "metadata": {},
                           "source": "# Demo\n" + notebook_tools.badge("notebooks/09_demo.ipynb")},
                          {"cell_type": "code", "metadata": {}, "execution_count": None,
                           "outputs": [], "source": SETUP_CELL + "\nprint('extra')"}],
               "metadata": {}, "nbformat": 4, "nbformat_minor": 4}
    path.write_text(json.dumps(notebook))
    found = notebook_tools.problems(path, root=tmp_path)
    assert found == ["notebooks/09_demo.ipynb: second cell is not the shared setup cell"]


def test_colab_url_points_at_the_repository_path():
    url = notebook_tools.colab_url("notebooks/01_shapley_card_game.ipynb")
    assert url.startswith("https://colab.research.google.com/github/")
    assert url.endswith("/blob/main/notebooks/01_shapley_card_game.ipynb")


def test_course_map_lists_every_notebook_that_exists():
    listed = {t.notebook for t in course.TOPICS}
    on_disk = {f"notebooks/{p.name}" for p in (notebook_tools.ROOT / "notebooks").glob("*.ipynb")}
    assert on_disk <= listed, f"notebooks missing from the course map: {on_disk - listed}"
    assert course.missing_notebooks() == []


def test_environment_check_opens_no_socket(no_network):
    rows = dict(course.environment_check())
    assert rows["mode"].startswith("offline")
    assert no_network == []
