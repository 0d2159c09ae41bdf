"""Running a notebook twice gives the same text output (seeds everywhere, no timings printed)."""
import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
# Cheap notebooks whose text is full of sampled numbers: Monte Carlo Shapley, LIME, and the
# randomised evaluations of 09 (sanity checks, ROAD, infidelity, bootstrap intervals).
NOTEBOOKS = ["notebooks/01_shapley_card_game.ipynb", "notebooks/03_lime.ipynb",
             "notebooks/09_evaluating_explanations.ipynb"]


def text_outputs(path: Path) -> list[str]:
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    texts = []
    for index, cell in enumerate(notebook.cells):
        # a cell's stream may arrive in several chunks, split differently on each run: join them
        parts = [output["text"] if output.get("output_type") == "stream"
                 else output.get("data", {}).get("text/plain", "")
                 for output in cell.get("outputs", [])]
        if any(parts):
            texts.append(f"{index}: " + "".join(parts))
    return texts


@pytest.mark.slow
@pytest.mark.parametrize("relative", NOTEBOOKS)
def test_two_runs_print_the_same_text(relative, monkeypatch):
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    monkeypatch.setenv("COURSE_QUICK", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("OMP_NUM_THREADS", os.environ.get("OMP_NUM_THREADS", "1"))
    first, second = text_outputs(ROOT / relative), text_outputs(ROOT / relative)
    assert len(first) > 10, "expected the notebook to print its results"
    differing = [(a, b) for a, b in zip(first, second) if a != b]
    assert first == second, f"{len(differing)} outputs differ, first: {differing[:1]}"
