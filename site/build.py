"""Build the course website into _site/ from the notebooks; nothing is written twice.

    .venv-site/bin/python site/build.py [--course-python .venv/bin/python] [--quick]

1. Executed lectures: `_build/executed/notebooks/NN_x.ipynb` is reused when its metadata
   ``course_executed.source_sha256`` is the sha256 of the current `notebooks/NN_x.ipynb` (the
   full-mode lane writes these); stale or missing ones are executed here with the course's own
   Python through `site/execute.py`, as the full lane runs them (alone in a folder, full mode,
   the network refused, one thread). `--quick` executes in quick mode instead (for a fast look)
   and accepts quick copies.
2. Page sources in `_build/site_src/`, laid out like the repository so that the notebooks' own
   relative links work: `index.md` (the course map, from `course_lib.course.TOPICS` plus any
   `notebooks/NN_*.ipynb` it does not list yet), `notebooks/` (executed lectures), `exercises/`
   (questions only), `solutions/`, `data/README.md`, `glossary.md` and `reading.md`.
3. `sphinx-build` (myst-nb, sphinx-book-theme) into `_site/`, with MathJax from a local copy.
"""
from __future__ import annotations

import argparse
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "site"
EXECUTED = ROOT / "_build" / "executed" / "notebooks"
SOURCE = ROOT / "_build" / "site_src"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = ("```{note}\nThe cell above shows an interactive widget. This page keeps only its "
               "static output; open the notebook in Colab or Jupyter to move the controls.\n```")
BADGE = re.compile(r"\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)\s*\n?")
LINK = re.compile(r"(\]\()(\.\./)?([A-Za-z0-9_./-]+?)(#[^)\s]*)?(\))")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def lecture_sources() -> list[Path]:
    """Every lecture on disk, in course order: picks up new notebooks without any list."""
    return sorted(p for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


# ---------------------------------------------------------------- 1. executed copies
def is_current(copy: Path, source: Path, quick: bool) -> bool:
    if not copy.exists():
        return False
    meta = json.loads(copy.read_text(encoding="utf-8")).get("metadata", {}).get("course_executed", {})
    return meta.get("source_sha256") == sha256(source) and (meta.get("mode") == "full" or quick)


def ensure_executed(course_python: str, quick: bool) -> None:
    for source in lecture_sources():
        copy = EXECUTED / source.name
        if is_current(copy, source, quick):
            print(f"site: reusing {copy.relative_to(ROOT)}")
            continue
        print(f"site: executing {source.relative_to(ROOT)} ({'quick' if quick else 'full'} mode, offline)",
              flush=True)
        # the kernel's environment is the lanes' (tools/run_notebook.lane_environment)
        subprocess.run([course_python, str(HERE / "execute.py"), str(source), str(copy),
                        "--mode", "quick" if quick else "full"], check=True, cwd=ROOT)


def course_settings(course_python: str) -> dict:
    """The course map and repository settings, read from course_lib by the course's Python."""
    code = ("import json, course_lib.course as c, course_lib.env as e; print(json.dumps({"
            "'topics': [dict(number=t.number, stem=t.stem, title=t.title, minutes=t.minutes, "
            "exercises=t.exercises, track=t.track) for t in c.TOPICS], 'slug': e.REPO_SLUG, "
            "'ref': e.REF}))")
    out = subprocess.run([course_python, "-c", code], check=True, capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=str(ROOT), COURSE_OFFLINE="1"), cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- 2. page sources
class Course:
    def __init__(self, settings: dict):
        self.slug, self.ref = settings["slug"], settings["ref"]
        self.topics = {t["stem"]: t for t in settings["topics"]}
        self.lectures = []
        for source in lecture_sources():
            nb = json.loads(source.read_text(encoding="utf-8"))
            first = "".join(nb["cells"][0]["source"]) if nb["cells"] else ""
            topic = self.topics.get(source.stem, {})
            title = topic.get("title") or _heading(first) or source.stem
            minutes = topic.get("minutes") or _minutes(first)
            exercises = topic.get("exercises")
            if exercises is None and (ROOT / "exercises" / source.name).exists():
                exercises = source.stem
            if exercises and not (ROOT / "exercises" / f"{exercises}.ipynb").exists():
                exercises = None
            self.lectures.append(dict(stem=source.stem, number=source.stem[:2], title=title,
                                      heading=_heading(first) or title, minutes=minutes,
                                      exercises=exercises, learn=_learn(first),
                                      track=topic.get("track", "advanced")))

    def colab(self, path: str) -> str:
        return f"https://colab.research.google.com/github/{self.slug}/blob/{self.ref}/{path}"

    def blob(self, path: str) -> str:
        return f"https://github.com/{self.slug}/blob/{self.ref}/{path}"


def _heading(text: str) -> str | None:
    match = re.search(r"^#\s+(.+)$", text, re.M)
    return match.group(1).strip() if match else None


def _minutes(text: str) -> int | None:
    match = re.search(r"Time needed:?\**\s*(?:about\s+)?(\d+)", text, re.I)
    return int(match.group(1)) if match else None


def _learn(text: str) -> list[str]:
    """The bullets under "What you will learn" in a notebook's first cell."""
    match = re.search(r"What you will learn[^\n]*\n((?:\s*[-*] .*\n?(?:\s{2,}\S.*\n?)*)+)", text)
    if not match:
        return []
    items = re.split(r"\n\s*[-*] ", "\n" + match.group(1).strip())
    return [" ".join(item.split()) for item in items if item.strip()]


def button_bar(course: Course, path: str, extra: list[tuple[str, str, str]] = ()) -> str:
    """Raw HTML: Open in Colab, Download .ipynb, and more links (href, label, css class)."""
    name = Path(path).name
    links = [(course.colab(path), "Open in Colab", "course-colab"),
             (name, "Download .ipynb", "course-download")] + list(extra)
    parts = []
    for href, label, css in links:
        attrs = f' download="{name}"' if css == "course-download" else ""
        if href.startswith("https://"):
            attrs += ' target="_blank" rel="noopener"'
        parts.append(f'<a class="course-button {css}" href="{html.escape(href)}"{attrs}>{html.escape(label)}</a>')
    return '<div class="course-buttons">\n' + "\n".join(parts) + "\n</div>\n"


def markdown_cell(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def fix_links(text: str, folder: str, course: Course) -> str:
    """Relative links to files that are not pages of the site point at the repository instead."""
    def replace(match):
        prefix, up, target, anchor, close = match.groups()
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            return match.group(0)
        path = os.path.normpath(os.path.join(folder, (up or "") + target))
        if (SOURCE / path).exists() and path.endswith((".ipynb", ".md")):
            return match.group(0)
        if (ROOT / path).exists():
            return f"{prefix}{course.blob(path)}{anchor or ''}{close}"
        return match.group(0)
    return LINK.sub(replace, text)


def prepare_notebook(source: Path, folder: str, bar: str, course: Course, lecture: dict | None) -> dict:
    nb = json.loads(source.read_text(encoding="utf-8"))
    nb["metadata"].pop("widgets", None)
    cells = []
    for index, cell in enumerate(nb["cells"]):
        text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "markdown":
            if index == 0:
                text = BADGE.sub("", text)
                lines = text.split("\n", 1)
                head = lines[0] if lines[0].startswith("#") else ""
                rest = lines[1] if head and len(lines) > 1 else (text if not head else "")
                info = ""
                if lecture:
                    info = _lecture_info(course, lecture)
                text = (head + "\n\n" if head else "") + bar + info + "\n" + rest
            # a one-line $$...$$ inside a paragraph (fine in Jupyter) is display maths on its own for MyST
            text = re.sub(r"^(\$\$[^\n]+\$\$)[ \t]*$", r"\n\1\n", text, flags=re.M)
            cell["source"] = fix_links(text, folder, course)
            cells.append(cell)
            continue
        cell["source"] = text
        widget = False
        outputs = []
        for output in cell.get("outputs", []):
            if WIDGET_MIME in output.get("data", {}):
                widget = True
                continue  # its text/plain is only the widget's repr
            outputs.append(output)
        if "outputs" in cell:
            cell["outputs"] = outputs
        cells.append(cell)
        if widget:
            cells.append(markdown_cell(WIDGET_NOTE))
    if lecture:
        cells.append(markdown_cell(_prev_next(course, lecture)))
    nb["cells"] = cells
    return nb


def _lecture_info(course: Course, lecture: dict) -> str:
    bits = []
    if lecture["minutes"]:
        bits.append(f'<span class="course-time">Time: {lecture["minutes"]} min</span>')
    if lecture["exercises"]:
        bits.append(f'<a class="course-exercises" href="../exercises/{lecture["exercises"]}.html">'
                    'Exercises for this lecture</a>')
    return '<p class="course-info">' + " · ".join(bits) + "</p>\n" if bits else ""


def _prev_next(course: Course, lecture: dict) -> str:
    index = course.lectures.index(lecture)
    parts = []
    if index > 0:
        prev = course.lectures[index - 1]
        parts.append(f'<a class="course-prev" href="{prev["stem"]}.html">← {html.escape(prev["heading"])}</a>')
    if index + 1 < len(course.lectures):
        nxt = course.lectures[index + 1]
        parts.append(f'<a class="course-next" href="{nxt["stem"]}.html">{html.escape(nxt["heading"])} →</a>')
    return '<div class="course-prevnext">\n' + "\n".join(parts) + "\n</div>\n"


def readme_section(pattern: str) -> str | None:
    """The body of README.md's `## ...` section whose heading matches `pattern`."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"^## [^\n]*{pattern}[^\n]*\n(.*?)(?=^## |\Z)", text, re.M | re.S | re.I)
    return match.group(1).strip() if match else None


def notebook_section(stem: str, pattern: str) -> str | None:
    """A markdown cell of a lecture whose first heading matches `pattern` (and those after it
    until the next heading of the same level), headings shifted under the page title."""
    path = ROOT / "notebooks" / f"{stem}.ipynb"
    if not path.exists():
        return None
    cells = ["".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
             if c["cell_type"] == "markdown"]
    for i, text in enumerate(cells):
        match = re.search(rf"^(#+) [^\n]*{pattern}[^\n]*\n", text, re.M | re.I)
        if match:
            level = len(match.group(1))
            body = [text[match.end():]]
            for later in cells[i + 1:]:
                top = re.match(r"(#+) ", later)
                if top and len(top.group(1)) <= level:
                    break
                body.append(later)
            return "\n\n".join(body).strip()
    return None


def glossary_tables(text: str) -> list[str]:
    """Markdown tables whose header names Russian (the per-topic glossaries of the lectures)."""
    tables = re.findall(r"((?:^\|.*\|[ \t]*\n?)+)", text, re.M)
    return [t.strip() for t in tables if "Русский" in t.split("\n", 1)[0]]


def write_pages(course: Course) -> list[str]:
    if SOURCE.exists():
        shutil.rmtree(SOURCE)
    (SOURCE / "_static").mkdir(parents=True)
    shutil.copy(HERE / "course.css", SOURCE / "_static" / "course.css")
    copy_mathjax(SOURCE / "_static" / "mathjax")
    extra = SOURCE / "_extra"
    for folder in ("notebooks", "exercises", "solutions"):
        (SOURCE / folder).mkdir()
        (extra / folder).mkdir(parents=True)
    # data/README.md first, so that links to it stay inside the site
    (SOURCE / "data").mkdir()
    shutil.copy(ROOT / "data" / "README.md", SOURCE / "data" / "README.md")
    for lecture in course.lectures:
        name = f"{lecture['stem']}.ipynb"
        shutil.copy(ROOT / "notebooks" / name, extra / "notebooks" / name)
        (SOURCE / "notebooks" / name).write_text("{}")  # so links resolve (rewritten below)
        if lecture["exercises"]:
            for folder in ("exercises", "solutions"):
                source = ROOT / folder / f"{lecture['exercises']}.ipynb"
                if source.exists():
                    shutil.copy(source, extra / folder / source.name)
                    (SOURCE / folder / source.name).write_text("{}")  # so links resolve (rewritten below)
    for lecture in course.lectures:
        name = f"{lecture['stem']}.ipynb"
        bar = button_bar(course, f"notebooks/{name}")
        nb = prepare_notebook(EXECUTED / name, "notebooks", bar, course, lecture)
        (SOURCE / "notebooks" / name).write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
        if not lecture["exercises"]:
            continue
        ex = lecture["exercises"]
        back = (f"../notebooks/{name[:-6]}.html", "The lecture", "course-lecture")
        solution_link = (f"../solutions/{ex}.html", "Answers (solutions page)", "course-solutions")
        nb = prepare_notebook(ROOT / "exercises" / f"{ex}.ipynb", "exercises",
                              button_bar(course, f"exercises/{ex}.ipynb", [back, solution_link]),
                              course, None)
        (SOURCE / "exercises" / f"{ex}.ipynb").write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
        if (ROOT / "solutions" / f"{ex}.ipynb").exists():
            questions = (f"../exercises/{ex}.html", "The questions", "course-questions")
            nb = prepare_notebook(ROOT / "solutions" / f"{ex}.ipynb", "solutions",
                                  button_bar(course, f"solutions/{ex}.ipynb", [back, questions]),
                                  course, None)
            (SOURCE / "solutions" / f"{ex}.ipynb").write_text(json.dumps(nb, ensure_ascii=False),
                                                              encoding="utf-8")
    pages = ["exercises", "data/README", "glossary"]
    (SOURCE / "exercises.md").write_text(exercises_page(course), encoding="utf-8")
    (SOURCE / "glossary.md").write_text(glossary_page(course), encoding="utf-8")
    reading = reading_page()
    if reading:
        (SOURCE / "reading.md").write_text(reading, encoding="utf-8")
        pages.append("reading")
    (SOURCE / "index.md").write_text(home_page(course, pages), encoding="utf-8")
    return pages


def tracks_section(course: Course) -> str:
    """The core track (a one-day workshop) and the advanced track, from the course map."""
    def track(name: str) -> tuple[str, str]:
        chosen = [lecture for lecture in course.lectures if lecture["track"] == name]
        minutes = sum(lecture["minutes"] or 0 for lecture in chosen)
        numbers = ", ".join(lecture["number"] for lecture in chosen)
        return numbers, f"about {minutes // 60} h {minutes % 60:02d} min"

    (core, core_time), (advanced, advanced_time) = track("core"), track("advanced")
    return f"""## Two tracks

- **Core track, a one-day workshop**: lectures {core} ({core_time} of lectures): what
  explanations are for, Shapley values, LIME, SHAP, saliency and Grad-CAM, and the whole cardio
  case study.
- **Advanced track**: lectures {advanced} ({advanced_time}): the kernel trick behind LIME's
  geometry, global effects and interactions, explaining with examples, and evaluating
  explanations. 07 and 08 continue the cardio case study of 06 and 09 tests the saliency maps of
  05, so take them after the core track; 02 stands alone."""


def copy_mathjax(target: Path) -> None:
    """MathJax 3 (CommonHTML output and its fonts) from the sphinx-mathjax-offline wheel."""
    import importlib

    static = Path(importlib.import_module("sphinx-mathjax-offline").__file__).parent / "static" / "mathjax"
    target.mkdir(parents=True)
    shutil.copy(static / "tex-chtml.js", target)
    for folder in ("input", "output", "ui", "a11y", "adaptors"):
        shutil.copytree(static / folder, target / folder, ignore=shutil.ignore_patterns("svg", "svg.js"))


def home_page(course: Course, pages: list[str]) -> str:
    commands = readme_section("Two commands") or ""
    commands = commands.split("\n\n")[0] if commands.startswith("```") else commands
    rows = ["| # | lecture | time | exercises |", "|---|---|---|---|"]
    details = []
    for lecture in course.lectures:
        ex = f"[questions](exercises/{lecture['exercises']}.ipynb)" if lecture["exercises"] else "–"
        minutes = f"{lecture['minutes']}\u00a0min" if lecture["minutes"] else "–"
        page = f"notebooks/{lecture['stem']}.ipynb"
        rows.append(f"| {lecture['number']} | [{lecture['title']}]({page}) | {minutes} | {ex} |")
        details += [f"### {lecture['number']} · [{lecture['title']}]({page})", ""]
        details += [f"{minutes} · [Open in Colab]({course.colab(page)})"
                    + (f" · [exercises](exercises/{lecture['exercises']}.ipynb)" if lecture["exercises"] else ""), ""]
        details += [f"- {item}" for item in lecture["learn"]] + [""]
    total = sum(lecture["minutes"] or 0 for lecture in course.lectures)
    tracks = tracks_section(course)
    toc = "\n".join(f"notebooks/{lecture['stem']}" for lecture in course.lectures)
    more = "\n".join(pages)
    intro = (ROOT / "README.md").read_text(encoding="utf-8").split("\n## ", 1)[0]
    intro = BADGE.sub("", re.sub(r"^# .*\n", "", intro)).strip()
    intro = fix_links(intro, ".", course)
    return f"""# Interpretable ML workshop

{intro}

## The course map

{len(course.lectures)} lectures, about {total // 60} h {total % 60:02d} min in all. Each lecture page shows
the notebook with its outputs, an **Open in Colab** button and a **Download .ipynb** link.

{chr(10).join(rows)}

{tracks}

## What each lecture teaches

{chr(10).join(details)}

## Two commands

{commands}

```{{toctree}}
:hidden:
:caption: Lectures

{toc}
```

```{{toctree}}
:hidden:
:caption: More

{more}
```
"""


def exercises_page(course: Course) -> str:
    lines = ["# Exercises", "",
             "Each lecture has an exercise notebook: questions checked in the notebook itself "
             "(`q1.check()`, `q1.hint()`, `q1.solution()`). The answers are on a separate page "
             "per notebook.", ""]
    for lecture in course.lectures:
        ex = lecture["exercises"]
        if ex:
            lines.append(f"- {lecture['number']} · [{ex}](exercises/{ex}.ipynb): questions on "
                         f"[{lecture['title']}](notebooks/{lecture['stem']}.ipynb)")
    pages = [f"exercises/{lecture['exercises']}" for lecture in course.lectures if lecture["exercises"]]
    lines += ["", "```{toctree}", ":hidden:", "", *pages, "```"]
    return "\n".join(lines) + "\n"


def glossary_page(course: Course) -> str:
    lines = ["# Glossary · Глоссарий", "",
             "The terms of the course in English and Russian, as each lecture gives them.", ""]
    first = course.lectures[0]["stem"] if course.lectures else None
    full = (notebook_section(first, "Glossary") if first else None) or readme_section("Glossary")
    if full:
        lines += ["## The whole course", "", _shift(full), ""]
    for lecture in course.lectures:
        text = "\n\n".join("".join(c["source"]) for c in json.loads(
            (ROOT / "notebooks" / f"{lecture['stem']}.ipynb").read_text(encoding="utf-8"))["cells"]
            if c["cell_type"] == "markdown")
        tables = glossary_tables(text)
        if full and lecture["stem"] == first:
            continue
        if tables:
            lines += [f"## {lecture['number']} · [{lecture['title']}](notebooks/{lecture['stem']}.ipynb)", ""]
            lines += ["\n\n".join(tables), ""]
    return "\n".join(lines)


def reading_page() -> str | None:
    body = readme_section("Reading")
    if body is None:
        body = notebook_section(lecture_sources()[0].stem, "Reading list") if lecture_sources() else None
    if not body:
        return None
    return "# Reading list\n\n" + _shift(body) + "\n"


def _shift(text: str) -> str:
    """Headings of a section go one level below the page's own title, links stay in the site."""
    text = re.sub(r"^(#+) ", lambda m: "#" * max(len(m.group(1)), 2) + "#" + " ", text, flags=re.M)
    text = re.sub(r"\]\((?:\.\./)?(notebooks|exercises|solutions|data)/", r"](\1/", text)
    return text


# ---------------------------------------------------------------- 3. sphinx
def run_sphinx(out: Path, course: Course) -> None:
    settings = {"repository_url": f"https://github.com/{course.slug}", "branch": course.ref}
    env = dict(os.environ, COURSE_SITE_SETTINGS=json.dumps(settings))
    # built inside _build/ (myst-nb writes its image folder beside the output folder), then moved
    html_dir = ROOT / "_build" / "site_html"
    for folder in (html_dir, out):
        if folder.exists():
            shutil.rmtree(folder)
    doctrees = ROOT / "_build" / "site_doctrees"
    subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", "-c", str(HERE), "-d",
                    str(doctrees), "-E", str(SOURCE), str(html_dir)], check=True, env=env)
    (html_dir / ".nojekyll").write_text("")
    shutil.move(html_dir, out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--course-python", default=str(ROOT / ".venv" / "bin" / "python"))
    parser.add_argument("--out", type=Path, default=ROOT / "_site")
    parser.add_argument("--quick", action="store_true", help="execute stale lectures in quick mode")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    ensure_executed(args.course_python, args.quick)
    course = Course(course_settings(args.course_python))
    write_pages(course)
    run_sphinx(args.out, course)
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    pages = len(list(args.out.rglob("*.html")))
    print(f"site: {pages} pages, {size / 2**20:.1f} MiB in {args.out.name}/, "
          f"built in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
