"""Reading submissions: which files, whose, which topic, which cells check which question.

Learner names come from file names: ``alice_00_warmup.ipynb`` -> ``alice`` (the text before the
topic number); a file named just ``00_warmup.ipynb`` takes the name of its folder
(``alice/00_warmup.ipynb`` -> ``alice``); any other name is used whole (``alice.ipynb``). The
topic is the ``from course_lib.exercises.exNN_slug import *`` line, else the number in the name.
"""
from __future__ import annotations

import copy
import json
import os
import stat
import pkgutil
import re
from collections import Counter
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path


def cell_source(cell: dict) -> str:
    """A cell's source as one string (nbformat allows a string or a list of lines)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


__all__ = ["Topic", "Submission", "Entry", "scan", "topics", "find_topic", "learner_name", "find_submissions",
           "read_notebook", "notebook_topic", "check_cells", "choose_topic", "neutralise"]

_MODULE = re.compile(r"^ex(\d\d)_(\w+)$")
_IMPORT = re.compile(r"^\s*(?:from\s+course_lib\.exercises\.(ex\d\d_\w+)\s+import"
                     r"|import\s+course_lib\.exercises\.(ex\d\d_\w+))", re.M)
_TOPIC_IN_NAME = re.compile(r"(?:^|[ _.\-]+)(\d\d)_[A-Za-z]")
_CHECK = re.compile(r"\b(q\w*?)\.check\(")


# ------------------------------------------------------------------------------ topics
@dataclass(frozen=True)
class Topic:
    """An exercise topic: its number ("00"), module name ("ex00_warmup") and slug ("warmup")."""

    number: str
    module: str
    slug: str

    @property
    def label(self) -> str:
        return f"{self.number}_{self.slug}"

    def questions(self) -> list:
        """The topic's QUESTIONS (imports its module)."""
        return list(import_module(f"course_lib.exercises.{self.module}").QUESTIONS)


def topics() -> dict[str, Topic]:
    """Every exercise module ``course_lib/exercises/exNN_slug.py``, by number."""
    from .. import exercises

    found = {}
    for info in pkgutil.iter_modules(exercises.__path__):
        match = _MODULE.match(info.name)
        if match:
            found[match.group(1)] = Topic(match.group(1), info.name, match.group(2))
    return dict(sorted(found.items()))


def find_topic(text: str) -> Topic:
    """The topic named by `text`: "00", "0", "00_warmup", "warmup" or "ex00_warmup"."""
    known = topics()
    key = str(text).strip().lower()
    for topic in known.values():
        if key in (topic.number, topic.module, topic.slug, topic.label) or (
                key.isdigit() and int(key) == int(topic.number)):
            return topic
    raise ValueError(f"unknown topic {text!r}; the exercise topics are "
                     f"{', '.join(t.label for t in known.values()) or 'none'}")


# ------------------------------------------------------------------------------ submissions
@dataclass(frozen=True)
class Submission:
    """One file to grade: its path, the learner's name, and a label (its path as given)."""

    path: Path
    learner: str
    label: str


def learner_name(path: Path) -> str:
    """``alice_00_warmup.ipynb`` -> alice; ``alice/00_warmup.ipynb`` -> alice; else the stem."""
    path = Path(path)
    stem = path.stem
    match = _TOPIC_IN_NAME.search(stem)
    if match is None:
        return stem
    before = stem[:match.start()].strip(" _.-")
    if before:
        return before
    parent = path.resolve().parent.name
    return parent or stem


@dataclass(frozen=True)
class Entry:
    """A path that gets a row without being run: a refused link, an empty learner folder, ..."""

    learner: str
    label: str
    status: str
    reason: str


def _is_notebook_name(path: Path) -> bool:
    return path.suffix.lower() == ".ipynb"


def scan(paths) -> tuple[list[Submission], list[Entry], list[str]]:
    """Everything under `paths`: (notebooks to grade, rows without a run, warning lines).

    Every file gets one of the three: a notebook (any case of ``.ipynb``) is graded; a symbolic
    link is refused (a row; it is never followed); a learner folder without a notebook is a
    "missing" row; any other file, and files in hidden folders, get a warning line.
    """
    found: dict[Path, Submission] = {}
    entries: list[Entry] = []
    warnings: list[str] = []
    for given in map(Path, paths):
        if given.is_symlink():
            entries.append(Entry(learner_name(given), given.name, "refused",
                                 "a symbolic link; links are never followed"))
        elif given.is_dir():
            for folder, dirs, files in os.walk(given, followlinks=False):
                folder = Path(folder)
                relative = folder.relative_to(given)
                label_of = lambda name: (Path(given.name) / relative / name).as_posix()  # noqa: E731
                hidden = any(part.startswith(".") for part in relative.parts)
                for name in sorted(dirs):
                    path = folder / name
                    if path.is_symlink():
                        entries.append(Entry(name, label_of(name),
                                             "refused", "a symbolic link to a folder; never followed"))
                for name in sorted(files):
                    path = folder / name
                    label = label_of(name)
                    if hidden or name.startswith("."):
                        warnings.append(f"{label}: skipped (hidden file or folder)")
                    elif path.is_symlink():
                        entries.append(Entry(learner_name(path), label, "refused",
                                             "a symbolic link; links are never followed"))
                    elif not _is_notebook_name(path):
                        warnings.append(f"{label}: skipped (not a notebook: no .ipynb suffix)")
                    elif not path.is_file():
                        entries.append(Entry(learner_name(path), label, "refused",
                                             "not a regular file"))
                    else:
                        found.setdefault(path.resolve(), Submission(path, learner_name(path), label))
                if folder != given and not hidden and relative.parts and not any(
                        _is_notebook_name(Path(f)) for _, _, fs in os.walk(folder) for f in fs):
                    if len(relative.parts) == 1:
                        entries.append(Entry(folder.name, (Path(given.name) / relative).as_posix(),
                                             "missing", "an empty learner folder: no notebook"))
                dirs[:] = [d for d in sorted(dirs) if not (folder / d).is_symlink()]
        elif given.is_file():
            found.setdefault(given.resolve(), Submission(given, learner_name(given), given.name))
        elif given.exists():
            entries.append(Entry(learner_name(given), given.name, "refused", "not a regular file"))
        else:
            raise FileNotFoundError(f"{given}: no such file or folder")
    submissions = sorted(found.values(), key=lambda s: (s.label, str(s.path)))
    return submissions, sorted(entries, key=lambda e: e.label), warnings


def find_submissions(paths) -> list[Submission]:
    """The notebooks under `paths` (files are taken as given; folders give their notebooks)."""
    return scan(paths)[0]


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
    for cell in notebook["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            return None, "not a notebook", "a cell without a valid cell_type"
    return notebook, "ok", note


def _code(source: str) -> str:
    """The source without comment lines (a commented-out ``# q1.check()`` is not a check)."""
    return "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("#"))


def notebook_topic(notebook: dict, path: Path) -> tuple[Topic | None, str]:
    """The topic a notebook belongs to: its exercises import, else the number in its file name."""
    known = topics()
    for cell in notebook["cells"]:
        if cell.get("cell_type") != "code":
            continue
        match = _IMPORT.search(_code(cell_source(cell)))
        if match:
            module = match.group(1) or match.group(2)
            number = module[2:4]
            if number in known and known[number].module == module:
                return known[number], ""
            return None, f"it imports course_lib.exercises.{module}, which does not exist"
    match = _TOPIC_IN_NAME.search(Path(path).stem)
    if match and match.group(1) in known:
        return known[match.group(1)], ""
    return None, "no `from course_lib.exercises.exNN_... import *` line and no topic number in its name"


def check_cells(notebook: dict) -> dict[int, list[str]]:
    """Code-cell index (as nbval counts) -> the questions whose ``qN.check(`` the cell calls."""
    found, index = {}, 0
    for cell in notebook["cells"]:
        if cell.get("cell_type") != "code":
            continue
        names = _CHECK.findall(_code(cell_source(cell)))
        if names:
            found[index] = list(dict.fromkeys(names))
        index += 1
    return found


def neutralise(notebook: dict, checks: dict[int, list[str]]) -> dict:
    """A copy in which check cells cannot be told to pass on an error (nbval markers removed)."""
    notebook = copy.deepcopy(notebook)
    index = 0
    for cell in notebook["cells"]:
        if cell.get("cell_type") != "code":
            continue
        if index in checks:
            lines = cell_source(cell).splitlines(keepends=True)
            cell["source"] = [line for line in lines if "NBVAL" not in line.upper()]
            tags = cell.get("metadata", {}).get("tags")
            if isinstance(tags, list):
                cell["metadata"]["tags"] = [t for t in tags if "raises-exception" not in str(t)
                                            and not str(t).startswith("nbval")]
        index += 1
    return notebook


def choose_topic(submissions: list[Submission]) -> Topic:
    """The topic most readable submissions belong to (ties: the lowest number)."""
    seen = Counter()
    for submission in submissions:
        notebook, _, _ = read_notebook(submission.path)
        if notebook is not None:
            found, _ = notebook_topic(notebook, submission.path)
            if found is not None:
                seen[found] += 1
    if not seen:
        raise ValueError("no submission names an exercise topic; pass --topic NN")
    return min(seen, key=lambda t: (-seen[t], t.number))
