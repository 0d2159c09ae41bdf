"""Notebook housekeeping: badge, shared setup cell, stripped outputs; the course map."""
import json

import pytest

from course_lib import course, env
from tools import notebook_tools
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
    url = env.colab_url("notebooks/01_shapley_card_game.ipynb")
    assert url.startswith("https://colab.research.google.com/github/")
    assert url.endswith("/blob/main/notebooks/01_shapley_card_game.ipynb")


def test_course_map_lists_every_notebook_that_exists():
    listed = {t.notebook for t in course.TOPICS}
    on_disk = {f"notebooks/{p.name}" for p in (notebook_tools.ROOT / "notebooks").glob("*.ipynb")}
    assert on_disk <= listed, f"notebooks missing from the course map: {on_disk - listed}"
    missing = [p for p in course.course_paths() if not (notebook_tools.ROOT / p).exists()]
    assert missing == [], f"the course map names notebooks that do not exist: {missing}"


def test_course_map_links_to_the_repository_not_to_files_on_disk(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # a lone notebook's folder: nothing of the course on disk
    text = course.course_map_markdown()
    for path in course.course_paths():
        assert env.repository_url(path) in text and env.colab_url(path) in text
    assert "](../" not in text and "](notebooks/" not in text


def test_environment_check_opens_no_socket(no_network):
    rows = dict(course.environment_check())
    assert rows["mode"].startswith("offline")
    assert no_network == []


def test_sync_location_rewrites_the_one_setting(tmp_path):
    (tmp_path / "course_lib").mkdir()
    original = (notebook_tools.ROOT / "course_lib" / "env.py").read_text()
    (tmp_path / "course_lib" / "env.py").write_text(original)
    notebook_tools.set_location("a-school/xai-course", "v1.0", root=tmp_path)
    text = (tmp_path / "course_lib" / "env.py").read_text()
    assert 'REPO_SLUG = "a-school/xai-course"' in text and 'REF = "v1.0"' in text
    assert text.replace('"a-school/xai-course"', f'"{env.REPO_SLUG}"').replace(
        'REF = "v1.0"', f'REF = "{env.REF}"') == original  # nothing else changed
    with pytest.raises(ValueError, match="owner/name"):
        notebook_tools.set_location("not a slug", None, root=tmp_path)


def test_readme_colab_links_follow_the_setting():
    old = ("[x](https://colab.research.google.com/github/someone/fork/blob/v0.9/"
           "notebooks/01_shapley_card_game.ipynb)")
    assert notebook_tools.readme_links(old) == (
        f"[x]({env.colab_url('notebooks/01_shapley_card_game.ipynb')})")
    readme = (notebook_tools.ROOT / "README.md").read_text()
    assert notebook_tools.readme_links(readme) == readme, "README links are stale: make sync"


def test_show_source_prints_the_whole_function_dedented(capsys):
    from course_lib.lime import LimeTabular
    from course_lib.shapley import sample_shapley

    course.show_source(sample_shapley)
    printed = capsys.readouterr().out
    assert printed.startswith("def sample_shapley(") and "return ShapleyEstimate(" in printed
    course.show_source(LimeTabular.sample)  # a method, without its class's indentation
    assert capsys.readouterr().out.startswith("def sample(self, x, predict_fn")


def test_every_notebook_prints_library_code_with_show_source():
    """One idiom: course.show_source prints the whole function; no notebook prints a bare
    signature, calls inspect itself or defines its own printing helper."""
    import re

    other = re.compile(r"inspect\.(getsource|signature|getdoc)|^def show(_source)?\(", re.M)
    users = []
    for path in notebook_tools.all_notebooks():
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        code = "\n".join(notebook_tools.cell_source(c) for c in cells if c["cell_type"] == "code")
        assert not other.search(code), f"{path.name}: print library code with show_source"
        if "show_source(" in code:
            users.append(path.name)
            assert "from course_lib.course import show_source" in code, path.name
    assert len(users) >= 10, users
