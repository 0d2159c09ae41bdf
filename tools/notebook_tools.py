"""Housekeeping for the course notebooks: the Colab badge, the shared setup cell, no outputs.

``python -m tools.notebook_tools sync`` rewrites every notebook under ``notebooks/``,
``solutions/`` and ``exercises/`` so that its first cell carries the badge for its own path,
its second cell is exactly :data:`course_lib.env.SETUP_CELL`, and no cell keeps outputs.
``python -m tools.notebook_tools check`` reports what ``sync`` would change (tests use it).
The README's Colab links are regenerated and checked the same way.

``sync --repo owner/name --ref v1.0`` first rewrites the one setting in ``course_lib/env.py``
(:data:`~course_lib.env.REPO_SLUG`, :data:`~course_lib.env.REF`): an instructor's fork, pinned to
a tag for a workshop, then gets badges, setup cells and README links that point at it.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from course_lib.env import SETUP_CELL, colab_url

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("notebooks", "solutions", "exercises")
BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"


def badge(relative_path: str) -> str:
    """The Markdown badge that opens `relative_path` in Colab."""
    return f"[![Open In Colab]({BADGE_IMAGE})]({colab_url(relative_path)})"


def all_notebooks(root: Path = ROOT) -> list[Path]:
    """Every committed course notebook, in course order."""
    return sorted(p for folder in FOLDERS for p in (root / folder).glob("*.ipynb"))


def cell_source(cell: dict) -> str:
    """A cell's source as one string (nbformat allows a string or a list of lines)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def problems(path: Path, root: Path = ROOT) -> list[str]:
    """What is wrong with the notebook at `path` (empty when it follows the conventions)."""
    relative = path.resolve().relative_to(root.resolve()).as_posix()
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cells = notebook.get("cells", [])
    found = []
    if len(cells) < 2:
        return [f"{relative}: fewer than two cells"]
    first, second = cells[0], cells[1]
    if first.get("cell_type") != "markdown" or badge(relative) not in cell_source(first):
        found.append(f"{relative}: first cell lacks the Colab badge {badge(relative)}")
    if second.get("cell_type") != "code" or cell_source(second) != SETUP_CELL:
        found.append(f"{relative}: second cell is not the shared setup cell")
    for index, cell in enumerate(cells):
        if cell.get("cell_type") == "code" and (cell.get("outputs") or cell.get("execution_count")):
            found.append(f"{relative}: cell {index} has outputs; commit notebooks without outputs")
            break
    return found


def sync(path: Path, root: Path = ROOT) -> bool:
    """Put the badge and setup cell in place and strip outputs; True when the file changed."""
    relative = path.resolve().relative_to(root.resolve()).as_posix()
    before = path.read_text(encoding="utf-8")
    after = dumps(normalise(json.loads(before), relative))
    if after != before:
        path.write_text(after, encoding="utf-8")
        return True
    return False


def normalise(notebook: dict, relative: str) -> dict:
    """:func:`sync` in memory: `notebook`, changed in place, for the repository path `relative`."""
    cells = notebook["cells"]
    first = cell_source(cells[0])
    if badge(relative) not in first:
        kept = [line for line in first.splitlines() if "colab-badge.svg" not in line]
        title, rest = (kept[0], kept[1:]) if kept else ("# Notebook", [])
        first = "\n".join([title, "", badge(relative)] + rest)
        cells[0]["source"] = _lines(first.rstrip("\n"))
    setup_cell = {"cell_type": "code", "execution_count": None, "metadata": {},
                  "outputs": [], "source": _lines(SETUP_CELL)}
    if cells[1].get("cell_type") == "code" and "course_lib.setup()" in cell_source(cells[1]):
        setup_cell["metadata"] = cells[1].get("metadata", {})
        cells[1] = setup_cell
    else:
        cells.insert(1, setup_cell)
    for cell in cells:
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        if notebook.get("nbformat_minor", 4) < 5:  # cell ids belong to nbformat 4.5+
            cell.pop("id", None)
    return notebook


def dumps(notebook: dict) -> str:
    """Serialise like Jupyter does (1-space indent, sorted keys, trailing newline)."""
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


COLAB_LINK = re.compile(r"https://colab\.research\.google\.com/github/[^/\s)]+/[^/\s)]+/blob/"
                        r"[^/\s)]+/((?:notebooks|solutions|exercises)/[^\s)]+\.ipynb)")


def readme_links(text: str) -> str:
    """`text` with every Colab link pointing at the configured repository and version."""
    return COLAB_LINK.sub(lambda match: colab_url(match.group(1)), text)


def set_location(repo: str | None, ref: str | None, root: Path = ROOT) -> None:
    """Rewrite REPO_SLUG and REF in ``course_lib/env.py`` (the one place they are written)."""
    path = root / "course_lib" / "env.py"
    text = path.read_text(encoding="utf-8")
    if repo:
        if not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", repo):
            raise ValueError(f"--repo must look like owner/name, got {repo!r}")
        text = re.sub(r'^REPO_SLUG = ".*"$', f'REPO_SLUG = "{repo}"', text, count=1, flags=re.M)
    if ref:
        if not re.fullmatch(r"[A-Za-z0-9_./-]+", ref):
            raise ValueError(f"--ref must be a branch or tag name such as v1.0, got {ref!r}")
        text = re.sub(r'^REF = ".*"$', f'REF = "{ref}"', text, count=1, flags=re.M)
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = argv[0] if argv else "check"
    options = dict(zip(argv[1::2], argv[2::2]))
    if command not in ("sync", "check") or set(options) - {"--repo", "--ref"}:
        print("usage: python -m tools.notebook_tools sync [--repo owner/name] [--ref v1.0]"
              " | check", file=sys.stderr)
        return 2
    if options:  # the setting changed: write it, then sync in a fresh process that reads it
        set_location(options.get("--repo"), options.get("--ref"))
        return subprocess.call([sys.executable, "-m", "tools.notebook_tools", "sync"], cwd=ROOT)
    paths = all_notebooks()
    readme = ROOT / "README.md"
    if command == "sync":
        changed = [p for p in paths if sync(p)]
        text = readme.read_text(encoding="utf-8")
        if readme_links(text) != text:
            readme.write_text(readme_links(text), encoding="utf-8")
            changed.append(readme)
        print(f"synced {len(paths)} notebooks and README.md, changed {len(changed)}")
        return 0
    found = [message for p in paths for message in problems(p)]
    text = readme.read_text(encoding="utf-8")
    if readme_links(text) != text:
        found.append("README.md: Colab links do not point at "
                     f"{colab_url('').rsplit('/', 1)[0]}; run make sync")
    print("\n".join(found) if found else f"{len(paths)} notebooks and README.md follow the conventions")
    return 1 if found else 0


def write_notebook(path, cells: list[tuple[str, str]]) -> Path:
    """Write a course notebook from ``[("md" | "code", source), ...]``.

    The badge and the shared setup cell are inserted by :func:`sync`, so `cells` starts with
    the title cell (``# Title`` … what you will learn, time needed) and goes on with the body.
    """
    path = Path(path)
    notebook = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": _lines(source.strip("\n"))}
            if kind == "md" else
            {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
             "source": _lines(source.strip("\n"))}
            for kind, source in cells
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 4,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(notebook), encoding="utf-8")
    sync(path)
    return path


if __name__ == "__main__":
    sys.exit(main())
