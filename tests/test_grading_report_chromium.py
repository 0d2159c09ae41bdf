"""The class report of a really graded class: each failed check's mistake id reaches the Grade
through the grader's clean process, and report.html, opened in headless Chromium, shows the bars,
the mistakes table by id and the rows that are not ok, without running a script or asking the
network for anything.

The grading runs in `make test` (the sandbox where bwrap is installed, else ``--no-sandbox``);
the browser test skips without Chromium (one-line reason) and runs in the site lane, `make
test-site`, which sets COURSE_REQUIRE_CHROMIUM=1.
"""
import json
import os
import subprocess
from pathlib import Path

import pytest

import grading_class
from course_lib import grading
from course_lib.grading import class_report

BLUE = (0x2F, 0x6D, 0xB5)  # the pass-rate bars' fill in html_report

#: q1's catalog mistake "the share, not the count": its id as the checker names it.
SHARE = '''def count_impossible_pressure(table):
    impossible = (~table["ap_hi"].between(*SYSTOLIC_RANGE)
                  | ~table["ap_lo"].between(*DIASTOLIC_RANGE)
                  | (table["ap_lo"] >= table["ap_hi"]))
    return float(impossible.mean())
'''


@pytest.fixture(scope="module")
def browser():
    """Chromium's path, before anything is graded: a machine without it skips at once."""
    return grading_class.require_chromium()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Four files graded for real: a full solution, two learners making the same q1 mistake
    (one also leaves q2 as the stub), and a broken file."""
    base = tmp_path_factory.mktemp("report")
    folder = base / "class"
    grading_class.write(folder / "ann_00_warmup.ipynb", grading_class.load(grading_class.SOLUTION))
    grading_class.write(folder / "ben_00_warmup.ipynb", grading_class.cheap(SHARE))
    grading_class.write(folder / "cid_00_warmup.ipynb",
                        grading_class.cheap(SHARE, "def accuracy(model, X, y):\n    raise NotImplementedError\n"))
    grading_class.write(folder / "dan_00_warmup.ipynb", '{"cells": [')
    topic, questions, grades = grading.grade([folder], topic="00", cell_timeout=60,
                                             notebook_timeout=300, jobs=1,
                                             sandbox_on=not grading_class.sandbox_flags())
    out = base / "report.html"
    class_report(topic, questions, grades, out)
    return dict(base=base, grades={g.submission.learner: g for g in grades}, report=out,
                questions=questions)


@pytest.mark.slow
@pytest.mark.xdist_group("grading")
def test_the_mistake_id_travels_from_the_check_to_the_grade(graded):
    grades = graded["grades"]
    assert grades["ann"].status == "ok" and grades["ann"].total == 5 and grades["ann"].mistakes == {}
    for learner in ("ben", "cid"):
        assert grades[learner].details["q1"] == "incorrect"
        assert grades[learner].mistakes["q1"] == "share-impossible-rows", grades[learner].mistakes
        assert ".mean()" in grades[learner].messages["q1"]
    assert grades["cid"].mistakes["q2"] == "not-attempted"
    assert grades["dan"].status == "invalid json" and grades["dan"].mistakes == {}


def chromium(*flags: str, profile: Path, url: str) -> subprocess.CompletedProcess:
    """Headless Chromium as the site lane starts it (a fresh profile, no background traffic)."""
    command = [grading_class.require_chromium(), "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
               "--hide-scrollbars", f"--user-data-dir={profile}", *flags, url]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def page_requests(net_log: Path) -> list[str]:
    """The URLs a page asked for, from Chromium's net log: the browser's own background requests
    carry the initiator 'not an origin'; the page's carry its own (a file page: 'null')."""
    log = json.loads(net_log.read_text(encoding="utf-8"))
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    found = []
    for event in log["events"]:
        params = event.get("params") or {}
        if event["type"] == start and "url" in params and params.get("initiator") != "not an origin":
            found.append(params["url"])
    return found


def dump(path: Path, tmp_path: Path, name: str) -> tuple[str, list[str]]:
    """(the DOM Chromium built from the file `path`, the URLs the page requested)."""
    net = tmp_path / f"{name}.net.json"
    done = chromium(f"--log-net-log={net}", "--dump-dom", profile=tmp_path / f"{name}-profile",
                    url=path.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, page_requests(net)


@pytest.mark.slow
@pytest.mark.xdist_group("grading")
def test_the_report_in_headless_chromium(browser, graded, tmp_path):
    from html.parser import HTMLParser

    report = graded["report"]
    # the net log sees a page's own request: a page that loads one image is caught
    probe = tmp_path / "probe.html"
    probe.write_text("<!DOCTYPE html><title>p</title><img src='http://example.invalid/x.png'>")
    assert dump(probe, tmp_path, "probe")[1] == ["http://example.invalid/x.png"]

    dom, requests = dump(report, tmp_path, "report")
    assert requests == []  # no image, font, style sheet or script fetched from anywhere

    class Tags(HTMLParser):
        def __init__(self):
            super().__init__()
            self.tags, self.rects, self.cells, self._cell = [], [], [], None

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)
            if tag == "rect":
                self.rects.append(dict(attrs))
            if tag in ("td", "th"):
                self._cell = []

        def handle_endtag(self, tag):
            if tag in ("td", "th") and self._cell is not None:
                self.cells.append("".join(self._cell))
                self._cell = None

        def handle_data(self, data):
            if self._cell is not None:
                self._cell.append(data)

    page = Tags()
    page.feed(dom)
    assert "script" not in page.tags and "iframe" not in page.tags
    questions = graded["questions"]
    bars = [r for r in page.rects if r.get("fill") == "#2f6db5"]
    assert len(bars) == len(questions)
    frames = [r for r in page.rects if r.get("fill") == "none"]  # each bar's 100 % outline
    rates = [sum(g.scores[q.name] for g in graded["grades"].values()) / 4 for q in questions]
    assert rates[0] == 0.25 and rates[-1] == 0.25  # only the solution passes q1 and q5
    assert [float(b["width"]) for b in bars] == pytest.approx(
        [rate * float(f["width"]) for rate, f in zip(rates, frames)])
    assert "share-impossible-rows" in page.cells and "not-attempted" in page.cells
    row = page.cells.index("share-impossible-rows")
    assert page.cells[row - 1] == "2" and ".mean()" in page.cells[row + 1]
    assert "invalid json" in page.cells and "dan" in page.cells

    shot = tmp_path / "report.png"
    done = chromium(f"--screenshot={shot}", "--window-size=1280,1600", profile=tmp_path / "shot",
                    url=report.as_uri())
    assert done.returncode == 0 and shot.exists(), done.stderr[-2000:]
    from PIL import Image

    colours = Image.open(shot).convert("RGB").getcolors(maxcolors=1 << 20)
    assert any(rgb == BLUE and count > 200 for count, rgb in colours)  # the bars are drawn
    artifacts = os.environ.get("COURSE_SITE_ARTIFACTS")
    if artifacts:  # the site lane keeps the screenshot beside the site's
        Path(artifacts).mkdir(parents=True, exist_ok=True)
        (Path(artifacts) / "grading-report.png").write_bytes(shot.read_bytes())
