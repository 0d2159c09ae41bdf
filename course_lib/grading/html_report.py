"""The class report for the instructor: ``report.html`` beside ``grades.csv``.

One self-contained page (no script, no file or address outside it): the pass rate per question
as a bar chart, the most common mistakes per question (grouped by the id of the mistake the
check recognised, :attr:`Grade.mistakes`) with their counts and the message the learners saw,
the time each notebook took, and every row whose status is not ``ok``. Every text that comes
from a submission is escaped twice over: :func:`~course_lib.grading.safe.printable`
(control and bidirectional characters) and :func:`html.escape`.
"""
from __future__ import annotations

import html
import statistics
from collections import Counter
from pathlib import Path

from .safe import printable

__all__ = ["class_report", "report_path", "MISTAKES_SHOWN"]

MISTAKES_SHOWN = 5  # most common mistakes listed per question
SLOWEST_SHOWN = 10  # slowest notebooks listed by name

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       color: #1b1b1b; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { text-align: left; padding: 0.25rem 0.5rem; border-bottom: 1px solid #ddd;
         vertical-align: top; overflow-wrap: anywhere; }
td.n { text-align: right; white-space: nowrap; }
svg text { font-size: 12px; font-family: system-ui, sans-serif; }
.muted { color: #666; }
"""


def _text(value) -> str:
    return html.escape(printable(value), quote=True)


def report_path(csv_path) -> Path:
    """Where the report goes: ``report.html`` beside ``grades.csv`` (``X.report.html`` beside
    any other CSV name, so that shards do not overwrite one another)."""
    csv_path = Path(csv_path)
    if csv_path.name == "grades.csv":
        return csv_path.with_name("report.html")
    return csv_path.with_name(f"{csv_path.stem}.report.html")


def _pass_rates(questions, grades) -> str:
    n = len(grades)
    width, row, label = 640, 26, 250
    bars = []
    for i, q in enumerate(questions):
        k = sum(g.scores.get(q.name, 0) for g in grades)
        rate = k / n if n else 0.0
        y = i * row
        bars.append(
            f'<g><title>{_text(q.name)}: {k} of {n} passed</title>'
            f'<text x="0" y="{y + 17}">{_text(q.name)} {_text(q.title)[:36]}</text>'
            f'<rect x="{label}" y="{y + 4}" width="{(width - label - 90) * rate:.1f}" height="18" '
            f'fill="#2f6db5"/><rect x="{label}" y="{y + 4}" width="{width - label - 90}" height="18" '
            f'fill="none" stroke="#bbb"/>'
            f'<text x="{width - 82}" y="{y + 17}">{k}/{n} ({100 * rate:.0f} %)</text></g>')
    height = row * len(questions) + 4
    return (f'<svg role="img" aria-label="pass rate per question" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}">{"".join(bars)}</svg>')


def _mistakes(questions, grades) -> str:
    """Per question, the failures grouped by the id of the mistake the check recognised (the
    outcome where there is none: not attempted, an error), most common first, each with the
    message most of those learners saw (messages differ in the numbers they quote)."""
    parts = []
    for q in questions:
        said: dict[str, Counter] = {}
        for g in grades:
            outcome = g.details.get(q.name)
            if outcome and not g.scores.get(q.name):
                mistake = g.mistakes.get(q.name) or outcome
                said.setdefault(mistake, Counter())[g.messages.get(q.name, "")] += 1
        head = f"<h3>{_text(q.name)}: {_text(q.title)}</h3>"
        if not said:
            parts.append(f"{head}<p class='muted'>no mistakes</p>")
            continue
        ranked = sorted(said.items(), key=lambda i: (-sum(i[1].values()), i[0]))[:MISTAKES_SHOWN]
        rows = "".join(
            f"<tr><td class='n'>{sum(seen.values())}</td><td><code>{_text(mistake)}</code></td>"
            f"<td>{_text(seen.most_common(1)[0][0])}"
            + (f" <span class='muted'>({len(seen)} wordings)</span>" if len(seen) > 1 else "")
            + "</td></tr>" for mistake, seen in ranked)
        parts.append(f"{head}<table class='mistakes'><tr><th>learners</th><th>mistake</th>"
                     f"<th>the message they saw</th></tr>{rows}</table>")
    return "".join(parts)


def _times(grades) -> str:
    times = sorted((g.seconds, g.submission.label) for g in grades if g.seconds > 0)
    if not times:
        return "<p class='muted'>no notebook ran</p>"
    seconds = [t for t, _ in times]
    summary = (f"<p>{len(seconds)} notebook(s) ran: median {statistics.median(seconds):.1f} s, "
               f"longest {seconds[-1]:.1f} s, {sum(seconds):.0f} s in all.</p>")
    rows = "".join(f"<tr><td class='n'>{t:.1f} s</td><td>{_text(label)}</td></tr>"
                   for t, label in reversed(times[-SLOWEST_SHOWN:]))
    return summary + f"<table><tr><th>time</th><th>slowest notebooks</th></tr>{rows}</table>"


def _problems(grades) -> str:
    bad = [g for g in grades if g.status != "ok"]
    if not bad:
        return "<p class='muted'>every row is ok</p>"
    rows = "".join(f"<tr><td>{_text(g.submission.learner)}</td><td>{_text(g.status)}</td>"
                   f"<td>{_text(g.reason)}</td><td>{_text(g.submission.label)}</td></tr>" for g in bad)
    return f"<table><tr><th>learner</th><th>status</th><th>reason</th><th>file</th></tr>{rows}</table>"


def class_report(topic, questions, grades, out=None) -> str:
    """The report's HTML; written to `out` when given."""
    n = len(grades)
    mean = sum(g.total for g in grades) / n if n else 0.0
    statuses = ", ".join(f"{_text(s)} {c}" for s, c in sorted(Counter(g.status for g in grades).items()))
    page = (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
            f"style-src 'unsafe-inline'\">"
            f"<title>Class report: {_text(topic.label)}</title><style>{_STYLE}</style></head><body>"
            f"<h1>Class report: topic {_text(topic.label)}</h1>"
            f"<p>{n} file(s); mean total {mean:.2f} of {len(questions)}; status: {statuses}.</p>"
            f"<h2 id='pass-rate'>Pass rate per question</h2>{_pass_rates(questions, grades)}"
            f"<h2 id='mistakes'>Most common mistakes</h2>{_mistakes(questions, grades)}"
            f"<h2 id='time'>Time per notebook</h2>{_times(grades)}"
            f"<h2 id='problems'>Rows that are not ok</h2>{_problems(grades)}"
            f"</body></html>\n")
    if out is not None:
        temporary = Path(out).with_name(f".{Path(out).name}.tmp")
        temporary.write_text(page, encoding="utf-8")
        temporary.replace(out)
    return page
