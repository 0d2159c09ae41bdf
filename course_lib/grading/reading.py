"""Reading one submitted file: its bytes (never through a link, never a FIFO), its JSON, its
notebook format; every code cell's source as one string."""
from __future__ import annotations

import json
import os
import stat
from pathlib import Path

__all__ = ["read_notebook", "cell_source", "MAX_BYTES"]


def cell_source(cell: dict) -> str:
    """A cell's source as one string (nbformat allows a string or a list of lines; a missing or
    null source is read as empty)."""
    source = cell.get("source") if isinstance(cell, dict) else None
    if isinstance(source, list):
        return "".join(line for line in source if isinstance(line, str))
    return source if isinstance(source, str) else ""


MAX_BYTES = 64 << 20  # a notebook larger than this is not read


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, never through a symbolic link, never from a FIFO or device."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("not a regular file")
        if info.st_size > MAX_BYTES:
            raise ValueError(f"larger than {MAX_BYTES >> 20} MB")
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            return handle.read(MAX_BYTES + 1)
    finally:
        os.close(descriptor)


def read_notebook(path: Path) -> tuple[dict | None, str, str]:
    """(notebook, status, reason): the parsed notebook (in nbformat 4) and 'ok', or None and why.

    An nbformat-3 notebook is upgraded to 4 (reason "upgraded from nbformat 3").
    """
    try:
        data = _read_bytes(Path(path))
    except OSError as error:
        return None, "not a notebook", f"the file cannot be read ({error.strerror or error})"
    except ValueError as error:
        return None, "not a notebook", f"the file is {error}"
    if not data.strip():
        return None, "not a notebook", "the file is empty"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None, "not a notebook", "the file is not text (is it a notebook?)"
    if not text.lstrip("\ufeff \t\r\n").startswith("{"):
        first = text.strip().splitlines()[0][:40] if text.strip() else ""
        return None, "not a notebook", f"the file does not hold a notebook; it starts with {first!r}"
    try:
        notebook = json.loads(text)
    except json.JSONDecodeError as error:
        return None, "invalid json", (f"broken JSON at line {error.lineno}, column {error.colno}: "
                                      f"{error.msg}; was the file edited outside Jupyter?")
    except RecursionError:
        return None, "invalid json", "JSON nested too deep to read (no notebook is nested like this)"
    if not isinstance(notebook, dict):
        return None, "not a notebook", "JSON without a list of notebook cells"
    version = notebook.get("nbformat")
    if version == 3 and isinstance(notebook.get("worksheets"), list):
        try:
            import nbformat

            notebook = json.loads(nbformat.writes(nbformat.reads(text, as_version=4)))
        except Exception as error:
            return None, "not a notebook", f"nbformat cannot upgrade it from 3: {str(error)[:120]}"
        return _valid(notebook, "upgraded from nbformat 3")
    if not isinstance(notebook.get("cells"), list):
        return None, "not a notebook", "JSON without a list of notebook cells"
    if version != 4:
        return None, "not a notebook", f"nbformat {version!r}; expected 4 (or 3, which is upgraded)"
    try:
        import nbformat

        nbformat.reads(text, as_version=4)
    except Exception as error:  # nbformat's own reading
        return None, "not a notebook", f"nbformat cannot read it: {str(error)[:120]}"
    return _valid(notebook, "")


def _valid(notebook: dict, note: str) -> tuple[dict | None, str, str]:
    """The notebook with every cell's source as one string (missing or null: empty), or why not."""
    empty = 0
    for index, cell in enumerate(notebook["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            return None, "not a notebook", "a cell without a valid cell_type"
        source = cell.get("source")
        if isinstance(source, list) and all(isinstance(line, str) for line in source):
            cell["source"] = "".join(source)
        elif source is None:
            cell["source"], empty = "", empty + (cell["cell_type"] == "code")
        elif not isinstance(source, str):
            return None, "not a notebook", f"cell {index}'s source is {type(source).__name__}, not text"
        if not isinstance(cell.get("metadata", {}), dict):
            cell["metadata"] = {}
    if empty:
        note = "; ".join(n for n in (note, f"{empty} code cell(s) without source, read as empty") if n)
    return notebook, "ok", note
