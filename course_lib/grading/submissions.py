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

from .safe import UNSAFE, normal_name, printable


def cell_source(cell: dict) -> str:
    """A cell's source as one string (nbformat allows a string or a list of lines; a missing or
    null source is read as empty)."""
    source = cell.get("source") if isinstance(cell, dict) else None
    if isinstance(source, list):
        return "".join(line for line in source if isinstance(line, str))
    return source if isinstance(source, str) else ""


__all__ = ["Topic", "Submission", "Entry", "scan", "topics", "find_topic", "learner_name", "find_submissions",
           "read_notebook", "notebook_topic", "check_cells", "choose_topic", "neutralise"]

_MODULE = re.compile(r"^ex(\d\d)_(\w+)$")
# `[ \t]*`, never `\s*`, after `^`: with re.M, `\s*` would scan every following blank line from
# every line start (200,000 blank lines took minutes); this way the search is linear.
_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+course_lib\.exercises\.(ex\d\d_\w+)[ \t]+import"
                     r"|import[ \t]+course_lib\.exercises\.(ex\d\d_\w+))", re.M)
_TOPIC_IN_NAME = re.compile(r"(?:^|[ _.\-]+)(\d\d)_[A-Za-z]")
_CHECK = re.compile(r"\b(q\w*)\.check\(")


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
    """One file to grade: its path, the learner's name, a label (its path as given) and a note
    for its reason (a file name that names someone else)."""

    path: Path
    learner: str
    label: str
    note: str = ""


def _name_in_file(stem: str) -> str:
    """The learner a file name names: the text before its topic number (or the whole stem)."""
    match = _TOPIC_IN_NAME.search(stem)
    if match is None:
        return stem
    return stem[:match.start()].strip(" _.-")


def learner_name(path: Path) -> str:
    """``alice_00_warmup.ipynb`` -> alice; ``alice/00_warmup.ipynb`` -> alice; else the stem.

    Names are NFKC-normalised (full-width letters and ligatures folded)."""
    path = Path(path)
    name = _name_in_file(path.stem)
    if not name:
        name = path.resolve().parent.name or path.stem
    return normal_name(name)


def _same_person(a: str, b: str) -> bool:
    return normal_name(a).casefold() == normal_name(b).casefold()


@dataclass(frozen=True)
class Entry:
    """A path that gets a row without being run: a refused link, an empty learner folder, ..."""

    learner: str
    label: str
    status: str
    reason: str


def _is_notebook_name(name: str) -> bool:
    return name.lower().endswith(".ipynb") and len(name) > len(".ipynb")


def _bad_name(learner: str) -> str:
    """Why a learner name is refused (control or bidirectional characters), or ''.

    Bytes of a name that is not UTF-8 (an archive made on Windows) are only escaped, not refused."""
    found = [printable(c) for c in UNSAFE.findall(learner) if not 0xDC80 <= ord(c) <= 0xDCFF]
    if not found:
        return ""
    return (f"the learner name holds control or bidirectional characters ({' '.join(found[:4])}),"
            " which can disguise it; rename the file or folder")


def scan(paths) -> tuple[list[Submission], list[Entry], list[str]]:
    """Everything under `paths`: (notebooks to grade, rows without a run, warning lines).

    Every file gets one of the three: a notebook (any case of ``.ipynb``) is graded; a symbolic
    link is refused (a row; it is never followed); a learner folder without a notebook (Jupyter's
    checkpoint copies do not count) is a "missing" row; any other file, and files in hidden
    folders, get a warning line. Folders are walked with a stack, never recursion, so that no
    depth of nesting stops the run. Inside a learner folder (``dir/alice/...``) the folder names
    the learner; a file there whose name names someone else is noted. A learner name holding
    control or bidirectional characters is refused.
    """
    found: dict[Path, Submission] = {}
    entries: list[Entry] = []
    warnings: list[str] = []

    def add(path: Path, label: str, folder_learner: str | None) -> None:
        named = normal_name(_name_in_file(path.stem))
        learner = normal_name(folder_learner) if folder_learner else learner_name(path)
        note = ""
        if folder_learner and named and not _same_person(named, learner):
            note = f"the file names {named!r} but is in {learner!r}'s folder"
        why = _bad_name(learner)
        if why:
            entries.append(Entry(learner, label, "refused", why))
            return
        found.setdefault(path.resolve(), Submission(path, learner, label, note))

    for given in map(Path, paths):
        if given.is_symlink():
            entries.append(Entry(learner_name(given), given.name, "refused",
                                 "a symbolic link; links are never followed"))
        elif given.is_dir():
            _walk(given, add, entries, warnings)
        elif given.is_file():
            add(given, given.name, None)
        elif given.exists():
            entries.append(Entry(learner_name(given), given.name, "refused", "not a regular file"))
        else:
            raise FileNotFoundError(f"{given}: no such file or folder")
    submissions = sorted(found.values(), key=lambda s: (s.label, str(s.path)))
    return submissions, sorted(entries, key=lambda e: e.label), sorted(warnings)


def _walk(given: Path, add, entries: list[Entry], warnings: list[str]) -> None:
    """Walk `given` with an explicit stack (links never followed); see :func:`scan`."""
    learners: dict[str, list[int]] = {}  # first-level folder -> [notebooks, checkpoint copies]
    stack: list[tuple[Path, tuple[str, ...]]] = [(given, ())]
    while stack:
        folder, relative = stack.pop()
        hidden = any(part.startswith(".") for part in relative)
        try:
            with os.scandir(folder) as listing:
                items = sorted(listing, key=lambda item: item.name)
        except OSError as error:
            warnings.append(f"{'/'.join((given.name, *relative))}: skipped (cannot be read: "
                            f"{error.strerror or error})")
            continue
        for item in items:
            name, parts = item.name, (*relative, item.name)
            label = "/".join((given.name, *parts))
            owner = parts[0] if len(parts) > 1 else None
            try:
                link, folder_kind = item.is_symlink(), item.is_dir(follow_symlinks=False)
            except OSError:
                link, folder_kind = False, False
            if link and (item.is_dir() if _safe_stat(item) else False):
                entries.append(Entry(name, label, "refused", "a symbolic link to a folder; never followed"))
            elif folder_kind:
                if not relative and not hidden and not name.startswith("."):
                    learners.setdefault(name, [0, 0])
                stack.append((Path(item.path), parts))
            elif hidden or name.startswith("."):
                if owner in learners and _is_notebook_name(name):
                    learners[owner][1] += 1
                warnings.append(f"{label}: skipped (hidden file or folder)")
            elif link:
                entries.append(Entry(owner or learner_name(Path(item.path)), label, "refused",
                                     "a symbolic link; links are never followed"))
            elif not _is_notebook_name(name):
                warnings.append(f"{label}: skipped (not a notebook: no .ipynb suffix)")
            elif not item.is_file(follow_symlinks=False):
                entries.append(Entry(owner or learner_name(Path(item.path)), label, "refused",
                                     "not a regular file"))
            else:
                if owner in learners:
                    learners[owner][0] += 1
                add(Path(item.path), label, owner)
    for name, (notebooks, copies) in learners.items():
        if notebooks == 0:
            entries.append(Entry(normal_name(name), f"{given.name}/{name}", "missing",
                                 "an empty learner folder: no notebook" + (
                                     f" (only {copies} checkpoint cop{'y' if copies == 1 else 'ies'}"
                                     " in .ipynb_checkpoints, which are never graded)" if copies else "")))


def _safe_stat(item) -> bool:
    try:
        item.stat()
        return True
    except OSError:
        return False


#: Letters of other scripts that look like Latin ones (Unicode's confusables, the common part).
_CONFUSABLE = str.maketrans(
    "аеорсухіјѕԁԛԝүһӏвкмнтαονρτικχυεζηβ" "ıɩ0",
    "aeopcyxijsdqwyhlbkmhtaovptikxyezhb" "iio")


def skeleton(name: str) -> str:
    """`name` folded for comparison: NFKC, case-folded, look-alike letters mapped to Latin ones."""
    return normal_name(name).casefold().translate(_CONFUSABLE)


def lookalikes(learners) -> dict[str, list[str]]:
    """{learner: other learners whose names look the same but differ} (confusable duplicates)."""
    groups: dict[str, set[str]] = {}
    for learner in learners:
        groups.setdefault(skeleton(learner), set()).add(learner)
    return {name: sorted(group - {name}) for group in groups.values() if len(group) > 1
            for name in group}


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


def topic_votes(submissions: list[Submission]) -> Counter:
    """One vote per learner: the topic most of that learner's readable notebooks belong to."""
    by_learner: dict[str, Counter] = {}
    for submission in submissions:
        notebook, _, _ = read_notebook(submission.path)
        if notebook is not None:
            found, _ = notebook_topic(notebook, submission.path)
            if found is not None:
                by_learner.setdefault(submission.learner, Counter())[found] += 1
    votes = Counter()
    for seen in by_learner.values():
        votes[min(seen, key=lambda t: (-seen[t], t.number))] += 1
    return votes


def choose_topic(submissions: list[Submission], votes: Counter | None = None) -> Topic:
    """The topic of most learners (one vote each, :func:`topic_votes`); refuses to guess when
    the vote is close (the winner has fewer than twice the runner-up's votes)."""
    votes = topic_votes(submissions) if votes is None else votes
    if not votes:
        raise ValueError("no submission names an exercise topic; pass --topic NN")
    ranked = sorted(votes, key=lambda t: (-votes[t], t.number))
    if len(ranked) > 1 and votes[ranked[0]] < 2 * votes[ranked[1]]:
        split = ", ".join(f"{t.label} ({votes[t]} learner{'s' * (votes[t] != 1)})" for t in ranked[:3])
        raise ValueError(f"the learners' notebooks are split between topics: {split}; "
                         f"pass --topic NN (make grade TOPIC=NN) to say which one to grade")
    return ranked[0]
