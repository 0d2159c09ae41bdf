"""Finding submissions and naming their learners: which files, whose, and which get a row unrun.

Learner names come from file names: ``alice_00_warmup.ipynb`` -> ``alice`` (the text before the
topic number); a file named just ``00_warmup.ipynb`` takes the name of its folder
(``alice/00_warmup.ipynb`` -> ``alice``); any other name is used whole (``alice.ipynb``).
Reading a file is :mod:`~course_lib.grading.reading`, its topic :mod:`~course_lib.grading.topics`
(both re-exported here).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .reading import MAX_BYTES, cell_source, read_notebook
from .safe import UNSAFE, normal_name, printable
from .topics import (TOPIC_IN_NAME, Topic, check_cells, choose_topic, find_topic, notebook_topic,
                     topic_votes, topics)

__all__ = ["Topic", "Submission", "Entry", "scan", "topics", "find_topic", "learner_name",
           "find_submissions", "read_notebook", "notebook_topic", "check_cells", "choose_topic",
           "topic_votes", "cell_source", "lookalikes", "skeleton", "MAX_BYTES"]


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
    match = TOPIC_IN_NAME.search(stem)
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
