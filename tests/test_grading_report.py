"""The class report (report.html): pass rates, common mistakes with the message learners saw,
time per notebook, every row that is not ok; self-contained and escaped."""
from html.parser import HTMLParser
from pathlib import Path

from course_lib.grading import Grade, Submission, class_report, find_topic, report_path


class Page(HTMLParser):
    """The tables of a page, each under the last heading (its id, or its text) before it."""

    def __init__(self):
        super().__init__()
        self.tables, self.heading, self.tags, self.links, self.bars = [], "", [], [], []
        self._cell, self._row, self._in_heading = None, None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        self.links += [attrs[k] for k in ("href", "src") if k in attrs]
        if tag in ("h2", "h3"):
            self.heading, self._in_heading = attrs.get("id", ""), True
        elif tag == "table":
            self.tables.append((self.heading, []))
        elif tag == "tr":
            self._row = []
            self.tables[-1][1].append(self._row)
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "title" and self.tags[-2:-1] == ["g"]:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("h2", "h3"):
            self._in_heading = False
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "title" and self._cell is not None:
            self.bars.append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._in_heading and not self.heading.startswith(("pass", "mistakes", "time", "problems")):
            self.heading += data
        if self._cell is not None:
            self._cell.append(data)

    def tables_after(self, heading: str) -> list:
        return [rows for head, rows in self.tables if head.startswith(heading)]


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    return page


def grade(name, scores, status="ok", reason="", seconds=3.0, details=None, messages=None,
          mistakes=None):
    return Grade(Submission(Path(f"sub/{name}.ipynb"), name, f"sub/{name}.ipynb"), scores, status,
                 reason, seconds, details or {}, "00_warmup", messages or {}, mistakes or {})


def test_the_report_shows_rates_mistakes_times_and_problems(tmp_path):
    topic = find_topic("00")
    questions = topic.questions()
    ones = {q.name: 1 for q in questions}
    wrong = dict(ones, q1=0)
    grades = [grade("ann", ones),
              grade("ben", wrong, reason="q1 incorrect", details={"q1": "incorrect"},
                    messages={"q1": "count(table of 12 rows) returns 3, expected 4"},
                    mistakes={"q1": "test-ap-hi"}),
              grade("cid", wrong, reason="q1 incorrect", details={"q1": "incorrect"},
                    messages={"q1": "count(table of 9 rows) returns 1, expected 2"},
                    mistakes={"q1": "test-ap-hi"}, seconds=9.5),
              grade("dan", wrong, reason="q1 incorrect", details={"q1": "incorrect"},
                    messages={"q1": "count(table of 12 rows) returns 3, expected 4"},
                    mistakes={"q1": "test-ap-hi"}),
              grade("fay", wrong, reason="q1 not attempted", details={"q1": "not attempted"},
                    messages={"q1": "define `count` in the cell above"},
                    mistakes={"q1": "not-attempted"}),
              grade("gus", wrong, reason="q1 error (no report)", details={"q1": "error (no report)"}),
              grade("<b>\u202eeve\x1b[2J", dict.fromkeys(ones, 0), "timeout",
                    "code cell 2 (`<script>alert(1)</script>`) ran longer than 5 s", seconds=60)]
    out = tmp_path / "report.html"
    text = class_report(topic, questions, grades, out)
    assert out.read_text(encoding="utf-8") == text
    page = parse(text)
    assert "script" not in page.tags and page.links == []  # self-contained, nothing runs
    assert page.bars[0] == "q1: 1 of 7 passed" and page.bars[1] == "q2: 6 of 7 passed"
    assert len(page.bars) == len(questions)
    q1 = [rows for head, rows in page.tables if head.startswith("q1")][0]
    assert q1[0] == ["learners", "mistake", "the message they saw"]
    # grouped by the mistake's id, whatever numbers each message quotes; the wording most saw
    assert q1[1] == ["3", "test-ap-hi", "count(table of 12 rows) returns 3, expected 4 (2 wordings)"]
    assert q1[2:] == [["1", "error (no report)", ""],
                      ["1", "not-attempted", "define `count` in the cell above"]]
    slowest = page.tables_after("time")[0]
    assert slowest[1] == ["60.0 s", "sub/<b>\\u202eeve\\x1b[2J.ipynb"]
    assert page.tables_after("problems")[0][1] == [
        "<b>\\u202eeve\\x1b[2J", "timeout", "code cell 2 (`<script>alert(1)</script>`) ran longer than 5 s",
        "sub/<b>\\u202eeve\\x1b[2J.ipynb"]
    assert "\x1b" not in text and "\u202e" not in text and "<script>" not in text


def test_the_report_lies_beside_the_csv():
    assert report_path("out/grades.csv") == Path("out/report.html")
    assert report_path("shards/3.csv") == Path("shards/3.report.html")
