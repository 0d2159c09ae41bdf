"""The built website in a real headless Chromium (Debian's chromium and chromium-driver).

    make test-site      # builds _site/, then: .venv-site/bin/python -m pytest -c tests/site/pytest.ini tests/site

Not collected by `make test` (its files are named check_*.py and have their own pytest.ini).
Every page is served from localhost and opened at desktop and phone widths.
"""
from __future__ import annotations

import hashlib
import http.server
import json
import os
import re
import shutil
import tempfile
import threading
import time
from functools import partial
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_site"
ARTIFACTS = ROOT / "_site_artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
DESKTOP, PHONE = (1280, 900), (390, 844)
PAGES = sorted(str(p.relative_to(SITE)) for p in SITE.rglob("*.html")
               if not p.relative_to(SITE).parts[0].startswith("_"))
LECTURES = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(scope="session")
def server():
    if not (SITE / "index.html").exists():
        pytest.fail("no _site/index.html: run `make site` first")
    handler = partial(_QuietHandler, directory=str(SITE))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never fetch a browser or driver
    profile = tempfile.mkdtemp(prefix="site-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--hide-scrollbars", f"--user-data-dir={profile}",
                 f"--window-size={DESKTOP[0]},{DESKTOP[1]}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def set_width(driver, size):
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": size[0] < 600})


def open_page(driver, url):
    """Load `url`, wait for MathJax to finish and every image to settle; return the console log."""
    driver.get_log("browser")  # drop what earlier pages left
    driver.get(url)
    driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const images = () => Array.from(document.images).every(i => i.complete);
        const start = Date.now();
        let mathDone = !document.querySelector('.math');
        (function math() {
          const mj = window.MathJax;
          if (mj && mj.startup && mj.startup.promise) {
            mj.startup.promise.then(() => { mathDone = true; }, () => { mathDone = true; });
          } else if (!mathDone) { setTimeout(math, 100); }
        })();
        (function wait() {
          if ((mathDone && images() && document.readyState === 'complete') || Date.now() - start > 30000) {
            done(); } else { setTimeout(wait, 100); }
        })();""")
    return driver.get_log("browser")


REPORT = {"pages": {}, "links": [], "ids": {}}


@pytest.fixture(scope="session")
def visited(server, browser):
    """Every page opened once at desktop width; what each holds, for the checks below."""
    set_width(browser, DESKTOP)
    browser.set_script_timeout(60)
    for page in PAGES:
        log = open_page(browser, server + page)
        facts = browser.execute_script(r"""
            const article = document.querySelector('main') || document.body;
            const clone = article.cloneNode(true);
            clone.querySelectorAll('pre, code, .highlight, .cell_output, script, style, mjx-container, .math').forEach(e => e.remove());
            return {
              images: Array.from(document.images).map(i => ({src: i.currentSrc || i.src, w: i.naturalWidth, h: i.naturalHeight, ok: i.complete})),
              outputImages: Array.from(document.querySelectorAll('.cell_output img')).filter(i => !i.closest('.text_html')).length,
              mathSpans: document.querySelectorAll('.math').length,
              mathRendered: document.querySelectorAll('.math mjx-container').length,
              mathErrors: document.querySelectorAll('mjx-merror, [data-mjx-error]').length,
              mathjaxSrc: Array.from(document.scripts).map(s => s.src).filter(s => /mathjax/i.test(s)),
              text: clone.innerText,
              links: Array.from(document.querySelectorAll('a[href]')).map(a => ({href: a.href, raw: a.getAttribute('href'), cls: a.className, download: a.hasAttribute('download')})),
              ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id).concat(Array.from(document.querySelectorAll('a[name]')).map(e => e.name)),
              resources: performance.getEntriesByType('resource').map(r => r.name),
            };""")
        facts["log"] = log
        REPORT["pages"][page] = facts
    return REPORT["pages"]


def test_every_page_was_found():
    assert "index.html" in PAGES and "search.html" in PAGES
    for stem in LECTURES:
        assert f"notebooks/{stem}.html" in PAGES, f"no page for notebooks/{stem}.ipynb"


def test_no_console_errors(visited):
    bad = {page: [e["message"] for e in facts["log"] if e["level"] in ("SEVERE", "ERROR")]
           for page, facts in visited.items()}
    messages = sorted({f"{m}  [first on {p}]" for p, ms in bad.items() for m in ms[:3]})
    assert not messages, "\n".join(messages[:40])


def test_nothing_is_loaded_from_outside(server, visited):
    outside = {page: [r for r in facts["resources"] if not r.startswith(server) and not r.startswith("data:")]
               for page, facts in visited.items()}
    assert not {p: r for p, r in outside.items() if r}, outside


def test_every_image_is_present_and_not_empty(visited):
    broken = {page: [i["src"][:120] for i in facts["images"] if not i["ok"] or i["w"] == 0 or i["h"] == 0]
              for page, facts in visited.items()}
    assert not {p: b for p, b in broken.items() if b}, broken
    for stem in LECTURES:  # every figure the executed notebook holds is on its page
        executed = json.loads((ROOT / "_build" / "executed" / "notebooks" / f"{stem}.ipynb").read_text(encoding="utf-8"))
        figures = sum(1 for cell in executed["cells"] for output in cell.get("outputs", [])
                      if any(mime in output.get("data", {}) for mime in ("image/png", "image/jpeg", "image/svg+xml")))
        shown = visited[f"notebooks/{stem}.html"]["outputImages"]
        assert shown == figures, f"{stem}: {figures} figures in the executed notebook, {shown} on the page"


def test_maths_is_rendered_from_a_local_mathjax(server, visited):
    pages_with_maths = [p for p, f in visited.items() if f["mathSpans"]]
    assert len(pages_with_maths) >= 3, "the lectures' maths did not reach the pages"
    for page in pages_with_maths:
        facts = visited[page]
        assert facts["mathjaxSrc"] and all(s.startswith(server) for s in facts["mathjaxSrc"]), facts["mathjaxSrc"]
        assert facts["mathRendered"] >= facts["mathSpans"], f"{page}: {facts['mathSpans']} formulas, {facts['mathRendered']} rendered"
        assert facts["mathErrors"] == 0, f"{page}: MathJax reported {facts['mathErrors']} errors"
    raw = re.compile(r"\$\$|\$[^$\s][^$\n]{0,200}?[^$\s\\]\$|\\\(|\\\[|\\frac|\\sum")
    left = {page: raw.findall(facts["text"])[:5] for page, facts in visited.items()}
    assert not {p: m for p, m in left.items() if m}, left


def _local_target(server, href):
    parsed = urlparse(href)
    path = unquote(parsed.path)
    target = SITE / path[1:]
    if path.endswith("/"):
        target = target / "index.html"
    return target, parsed.fragment


def test_every_internal_link_and_anchor_resolves(server, visited):
    missing = []
    for page, facts in visited.items():
        for link in facts["links"]:
            href = link["href"]
            if not href.startswith(server):
                continue
            target, fragment = _local_target(server, href)
            if not target.is_file():
                missing.append(f"{page}: {link['raw']} (no file)")
                continue
            if fragment and target.suffix == ".html":
                name = str(target.relative_to(SITE))
                ids = visited.get(name, {}).get("ids")
                if ids is None:
                    ids = re.findall(r'\b(?:id|name)="([^"]+)"', target.read_text(encoding="utf-8"))
                if unquote(fragment) not in ids:
                    missing.append(f"{page}: {link['raw']} (no anchor #{fragment})")
    assert not missing, "\n".join(sorted(set(missing)))


def _notebook_of(page: str) -> str | None:
    match = re.match(r"(notebooks|exercises|solutions)/(\d\d_[^/]+)\.html$", page)
    return f"{match.group(1)}/{match.group(2)}.ipynb" if match else None


def test_colab_and_download_links_point_at_the_right_notebook(server, visited):
    colab = re.compile(r"^https://colab\.research\.google\.com/github/[^/]+/[^/]+/blob/[^/]+/(.+\.ipynb)$")
    for page, facts in visited.items():
        for link in facts["links"]:
            match = colab.match(link["href"])
            if match:
                assert (ROOT / match.group(1)).is_file(), f"{page}: Colab link to a missing {match.group(1)}"
        notebook = _notebook_of(page)
        if notebook is None:
            continue
        buttons = [l for l in facts["links"] if "course-colab" in l["cls"]]
        assert len(buttons) == 1 and colab.match(buttons[0]["href"]).group(1) == notebook, (page, buttons)
        downloads = [l for l in facts["links"] if "course-download" in l["cls"]]
        assert len(downloads) == 1 and downloads[0]["download"], (page, downloads)
        target, _ = _local_target(server, downloads[0]["href"])
        assert str(target.relative_to(SITE)) == notebook, (page, downloads[0]["href"])
        assert hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(
            (ROOT / notebook).read_bytes()).digest(), f"{page}: the download is not the repository's {notebook}"


def test_lecture_pages_give_time_and_previous_next(visited):
    for index, stem in enumerate(LECTURES):
        facts = visited[f"notebooks/{stem}.html"]
        raws = [l["raw"] for l in facts["links"]]
        if index > 0:
            assert f"{LECTURES[index - 1]}.html" in raws, f"{stem}: no link to the previous lecture"
        if index + 1 < len(LECTURES):
            assert f"{LECTURES[index + 1]}.html" in raws, f"{stem}: no link to the next lecture"
        assert re.search(r"Time: \d+ min", facts["text"]), f"{stem}: the time is not shown"


def test_exercise_pages_hold_no_solutions(visited):
    for page, facts in visited.items():
        if page.startswith("exercises/") and _notebook_of(page):
            source = json.loads((ROOT / _notebook_of(page)).read_text(encoding="utf-8"))
            assert "BEGIN SOLUTION" not in facts["text"], page
            raws = [l["raw"] for l in facts["links"]]
            assert any(r.startswith("../solutions/") for r in raws), f"{page}: no link to its solutions page"
            assert source["cells"], page


def test_no_horizontal_scroll_at_phone_width(server, browser, visited):
    set_width(browser, PHONE)
    try:
        wide = {}
        for page in PAGES:
            open_page(browser, server + page)
            # the body, and the article's own container (the theme lets it scroll by itself)
            sizes = browser.execute_script("""
                const article = document.querySelector('.bd-article-container') || document.body;
                return [document.documentElement.scrollWidth, document.body.scrollWidth,
                        article.scrollWidth - article.clientWidth, window.innerWidth]""")
            # a phone widens its layout viewport to fit the content: compare with the screen itself
            if max(sizes[:2] + [sizes[3]]) > PHONE[0] or sizes[2] > 0:
                wide[page] = sizes
        assert not wide, f"pages wider than the phone ({PHONE[0]} px): {wide}"
    finally:
        set_width(browser, DESKTOP)


@pytest.mark.parametrize("word", ["Shapley", "Grad-CAM"])
def test_search_finds(server, browser, word):
    browser.get(server + f"search.html?q={word}")
    deadline = time.time() + 30
    hits = []
    while time.time() < deadline:
        hits = browser.execute_script(
            "return Array.from(document.querySelectorAll('#search-results li a')).map(a => a.getAttribute('href'))")
        if hits:
            break
        time.sleep(0.2)
    assert hits, f"search found nothing for {word!r}"
    assert any(h.startswith("notebooks/") for h in hits), hits


def test_screenshots(server, browser, visited):
    ARTIFACTS.mkdir(exist_ok=True)
    lecture = next((f"notebooks/{s}.html" for s in LECTURES if s.startswith("04_")), f"notebooks/{LECTURES[-1]}.html")
    shots = []
    try:
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            set_width(browser, size)
            for name, page in (("home", "index.html"), ("lecture", lecture)):
                open_page(browser, server + page)
                browser.execute_script(  # as a first visit shows it: the theme restores the sidebar's scroll
                    "document.querySelectorAll('.bd-sidebar-primary, .bd-sidebar-primary *')"
                    ".forEach(e => { if (e.scrollTop) e.scrollTop = 0; }); window.scrollTo(0, 0);")
                path = ARTIFACTS / f"{name}-{label}.png"
                browser.save_screenshot(str(path))
                shots.append(path)
    finally:
        set_width(browser, DESKTOP)
    for path in shots:
        assert path.stat().st_size > 10_000, f"{path.name} looks empty"
