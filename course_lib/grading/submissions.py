"""Reading submissions: which files, whose, which topic, which cells check which question.

Learner names come from file names: ``alice_00_warmup.ipynb`` -> ``alice`` (the text before the
topic number); a file named just ``00_warmup.ipynb`` takes the name of its folder
(``alice/00_warmup.ipynb`` -> ``alice``); any other name is used whole (``alice.ipynb``). The
topic is the ``from course_lib.exercises.exNN_slug import *`` line, else the number in the name.
"""
from __future__ import annotations

import copy
import json
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


__all__ = ["Topic", "Submission", "topics", "find_topic", "learner_name", "find_submissions",
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


def find_submissions(paths) -> list[Submission]:
    """The notebooks under `paths` (files are taken as given; folders give their ``*.ipynb``)."""
    found: dict[Path, Submission] = {}
    for given in map(Path, paths):
        if given.is_dir():
            for path in sorted(given.rglob("*.ipynb")):
                parts = path.relative_to(given).parts
                if any(part.startswith(".") for part in parts):  # .ipynb_checkpoints, hidden
                    continue
                label = (Path(given.name) / path.relative_to(given)).as_posix()
                found.setdefault(path.resolve(), Submission(path, learner_name(path), label))
        elif given.exists():
            found.setdefault(given.resolve(), Submission(given, learner_name(given), given.name))
        else:
            raise FileNotFoundError(f"{given}: no such file or folder")
    return sorted(found.values(), key=lambda s: (s.label, str(s.path)))


def read_notebook(path: Path) -> tuple[dict | None, str, str]:
    """(notebook, status, reason): the parsed notebook and 'ok', or None and why it is unusable."""
    data = Path(path).read_bytes()
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
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        return None, "not a notebook", "JSON without a list of notebook cells"
    if notebook.get("nbformat") != 4:
        return None, "not a notebook", f"nbformat {notebook.get('nbformat')!r}; expected 4"
    try:
        import nbformat

        nbformat.reads(text, as_version=4)
    except Exception as error:  # nbformat's own reading, as nbval will do it
        return None, "not a notebook", f"nbformat cannot read it: {str(error)[:120]}"
    for cell in notebook["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            return None, "not a notebook", "a cell without a valid cell_type"
    return notebook, "ok", ""


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
