"""Every lecture notebook, run the way a learner runs it: alone in a folder, top to bottom.

`make test` does not collect this folder; two lanes do, each setting ``COURSE_LANE``:

* ``full`` (`make test-full`): full mode (``COURSE_QUICK`` unset), the network refused and
  ``COURSE_OFFLINE`` unset, so every online cell must notice by itself and go on. Each executed
  copy is kept in ``_build/executed/notebooks/`` with the hash of its source (the site reuses it).
* ``colab`` (`make test-colab`): inside the Colab twin (Colab's Python and package versions, the
  course installed from a wheel, the reference packages installed as lectures 07 and 08 install
  them in Colab), quick mode, the network refused and no flag.

Both lanes have every reference package installed, so no reference comparison may skip: a line
that ``course_lib.references.skipped`` finds in a lecture's output fails it.

Each notebook's time goes to ``_build/times/<lane>/``; ``python tools/lane_times.py`` prints them.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

from course_lib import references

ROOT = Path(__file__).resolve().parents[2]
LANE = os.environ.get("COURSE_LANE", "")
LECTURES = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

pytestmark = pytest.mark.skipif(LANE not in ("full", "colab"),
                                reason="run by `make test-full` or `make test-colab`")


def execute_alone(source: Path, folder: Path):
    """Run `source` alone in `folder` in this lane's mode, the network refused; the executed copy."""
    from tools.run_notebook import execute_alone as run_alone

    # the full lane puts this checkout's course_lib first (a venv shared between checkouts may
    # hold another's editable install); the twin imports its installed wheel
    return run_alone(source, folder, quick=LANE == "colab", library=ROOT if LANE == "full" else None,
                     timeout=float(os.environ.get("COURSE_CELL_TIMEOUT", "900")))


def printed(notebook) -> str:
    """Everything the code cells printed."""
    return "".join(output.get("text", "") for cell in notebook.cells if cell.cell_type == "code"
                   for output in cell.get("outputs", []) if output.get("output_type") == "stream")


def setup_line(notebook) -> str:
    outputs = notebook.cells[1].get("outputs", [])
    return "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")


@pytest.mark.parametrize("source", LECTURES, ids=[p.stem for p in LECTURES])
def test_lecture_runs_alone(source, tmp_path):
    started = time.perf_counter()
    notebook = execute_alone(source, tmp_path)
    seconds = time.perf_counter() - started
    times = ROOT / "_build" / "times" / LANE
    times.mkdir(parents=True, exist_ok=True)
    (times / f"{source.stem}.json").write_text(json.dumps({"notebook": source.stem,
                                                            "seconds": round(seconds, 1)}))
    line = setup_line(notebook)
    assert "offline (no network)" in line, f"the setup cell should notice the refused network: {line!r}"
    assert ("quick" in line) == (LANE == "colab"), line
    skipped = references.skipped(printed(notebook))
    assert not skipped, (f"reference comparisons skipped, though the {LANE} lane installs every "
                         f"reference package: {skipped}")
    if source.stem.startswith("00_"):  # the course map works with only this notebook on disk
        shown = json.dumps([cell.get("outputs", []) for cell in notebook.cells])
        assert "colab.research.google.com/github/" in shown and "01_shapley_card_game.ipynb" in shown
    if LANE == "full":
        import nbformat

        from tools.run_notebook import stamp

        stamp(notebook, source, "full")

        out = ROOT / "_build" / "executed" / "notebooks" / source.name
        out.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, out)


@pytest.mark.skipif(LANE != "colab", reason="the twin only")
def test_twin_imports_the_installed_wheel():
    import course_lib

    where = Path(course_lib.__file__).resolve()
    assert "site-packages" in where.parts, f"course_lib comes from {where}, not the installed wheel"
    assert ROOT / "course_lib" not in where.parents
    assert sys.version_info[:2] == (3, 13)


@pytest.mark.skipif(LANE != "colab", reason="the twin only")
def test_twin_has_the_reference_packages_at_their_pins():
    """Installed by the twin with references.pip_commands, as lectures 07 and 08 do in Colab."""
    from importlib import metadata

    for reference in references.REFERENCES.values():
        assert metadata.version(reference.distribution) == reference.version, reference
