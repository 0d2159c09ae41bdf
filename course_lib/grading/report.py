"""The grades as text: the CSV (escaped for spreadsheets and terminals), merging shards' CSVs,
and the plain-text summary. The class report page is :mod:`~course_lib.grading.html_report`."""
from __future__ import annotations

import csv
import io
import os
from collections import Counter
from pathlib import Path

from .run import STATUSES, Grade
from .safe import printable
from .submissions import Topic

__all__ = ["escape", "header", "write_csv", "merge", "summary"]

_FORMULA = ("=", "+", "-", "@", "\t", "\r", "|", "%")


def escape(value) -> str:
    """A CSV cell that is safe to open: control, bidirectional and undecodable characters
    written as escapes (:func:`~course_lib.grading.safe.printable`), and text that a
    spreadsheet would run as a formula (starting with = + - @ ...) prefixed with '."""
    text = printable(value)
    return "'" + text if isinstance(value, str) and text.startswith(_FORMULA) else text


def header(questions) -> list[str]:
    return ["learner", *(q if isinstance(q, str) else q.name for q in questions), "total",
            "status", "reason", "file", "topic"]


def write_csv(grades: list[Grade], questions: list, out) -> str:
    """The CSV text (learner, one 1/0 column per question, total, status, reason, file, topic);
    written to `out`."""
    names = [q.name for q in questions]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header(names))
    for g in grades:
        writer.writerow([escape(g.submission.learner), *(g.scores[n] for n in names), g.total,
                         escape(g.status), escape(g.reason), escape(g.submission.label),
                         escape(g.topic)])
    text = buffer.getvalue()
    if out is not None:
        _write_new(Path(out), text)
    return text


def _write_new(path: Path, text: str) -> None:
    """Write `path` through a temporary file and a rename (never through a link planted there)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def merge(paths, out=None) -> str:
    """Join shard CSVs (same header, one topic, valid rows, no file twice) into one, in the order
    one run gives. Anything else is refused with a ValueError of one line naming file and line."""
    head, rows, seen, topic = None, [], {}, None
    for path in paths:
        with open(path, newline="", encoding="utf-8") as handle:
            table = [(n, row) for n, row in enumerate(csv.reader(handle), 1) if row]  # blank lines
        if not table:
            raise ValueError(f"{path}: an empty file, not a grades CSV")
        if head is None:
            head = table[0][1]
            if head[:1] != ["learner"] or head[-5:] != ["total", "status", "reason", "file", "topic"]:
                raise ValueError(f"{path}: not a grades CSV of this grader (its columns are "
                                 f"{', '.join(head)[:120]})")
        elif table[0][1] != head:
            raise ValueError(f"{path}: its columns {', '.join(table[0][1])[:120]} differ from "
                             f"{', '.join(head)[:120]}; merge shards of one topic only")
        questions = len(head) - 6
        for n, row in table[1:]:
            where = f"{path}, line {n}"
            if len(row) != len(head):
                raise ValueError(f"{where}: {len(row)} cells, the header has {len(head)}")
            marks = row[1:1 + questions]
            if any(m not in ("0", "1") for m in marks) or row[-5] != str(sum(map(int, marks))):
                raise ValueError(f"{where}: the marks or the total are not those of a grader's row")
            if row[-4] not in STATUSES:
                raise ValueError(f"{where}: unknown status {printable(row[-4])[:40]!r}")
            if topic is None:
                topic = row[-1]
            elif row[-1] != topic:
                raise ValueError(f"{where}: topic {printable(row[-1])[:40]!r}, but earlier rows are "
                                 f"{topic!r}; merge shards of one topic only")
            label = row[-2]
            if label in seen:
                raise ValueError(f"{printable(label)} is in {seen[label]} and in {path}; "
                                 "merge each shard once")
            seen[label] = path
            rows.append(row)
    if head is None:
        raise ValueError("no CSV to merge")
    unescaped = lambda label: label[1:] if label.startswith("'") else label  # noqa: E731
    rows.sort(key=lambda row: unescaped(row[-2]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([head, *rows])
    text = buffer.getvalue()
    if out is not None:
        _write_new(Path(out), text)
    return text


def summary(topic: Topic, questions: list, grades: list[Grade]) -> str:
    """A plain-text table: per-question pass rate, the mean total, and the statuses."""
    n = max(1, len(grades))
    width = max([len(q.name) for q in questions] + [8])
    lines = [f"Topic {topic.label}: {len(grades)} submission(s)", "",
             f"{'question':<{width}}  {'passed':>7}  {'rate':>5}  title"]
    for q in questions:
        k = sum(g.scores[q.name] for g in grades)
        lines.append(f"{q.name:<{width}}  {f'{k}/{len(grades)}':>7}  {100 * k / n:3.0f} %  {q.title}")
    mean = sum(g.total for g in grades) / n
    lines += ["", f"mean total: {mean:.2f} / {len(questions)}",
              "status: " + ", ".join(f"{s} {c}" for s, c in sorted(
                  Counter(g.status for g in grades).items(), key=lambda i: STATUSES.index(i[0])))]
    for g in grades:
        if g.status != "ok":
            lines.append(f"  {printable(g.submission.label)}: {g.status}: {printable(g.reason)}")
    return "\n".join(lines)
