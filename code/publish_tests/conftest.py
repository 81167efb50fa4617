"""Fixtures for the publication tests: the built site served on 127.0.0.1,
and headless Debian Chromium driven by Playwright with CDN requests answered
from local copies (MathJax from npm) or blocked."""

import functools
import http.server
import re
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "_build" / "html"
PDF = ROOT / "_build" / "latex" / "calculus-neural-networks.pdf"
STUDENT = ROOT / "_build" / "student"  # make pdf-student: PDF and notebooks
STUDENT_PDF = STUDENT / "calculus-neural-networks-student.pdf"
SCREENS = ROOT / "_build" / "screens"
MATHJAX = Path(__file__).parent / "node_modules" / "mathjax" / "es5"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


def toc_files():
    """Documents of the book in reading order, from _toc.yml."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [entry["file"] for entry in part.get("chapters", [])]
    return files


def chapter_notebooks():
    return [ROOT / f"{f}.ipynb" for f in toc_files() if (ROOT / f"{f}.ipynb").exists()]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def site_url():
    if not (SITE / "index.html").exists():
        pytest.fail("no built site in _build/html: run `make book` first")
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (make site-test does as root)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Visit:
    """A loaded page and what went wrong while loading it."""

    def __init__(self, page, console_errors, blocked):
        self.page = page
        self.console_errors = console_errors
        self.blocked = blocked

    def unexpected_errors(self):
        """Console errors other than the blocked CDN requests."""
        out = []
        for text, url in self.console_errors:
            if "Failed to load resource" in text and (url in self.blocked or not url.startswith("http://127.0.0.1")):
                continue
            out.append(f"{text} ({url})")
        return out


def open_page(browser, site_url, path, wait_for_math=True):
    """Open a page of the site in a fresh context, MathJax served locally.

    Returns a Visit; close ``visit.page.context`` when done.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    console_errors, blocked = [], set()
    page.on("console", lambda m: console_errors.append((m.text, m.location.get("url", "")))
            if m.type == "error" else None)
    page.on("pageerror", lambda e: console_errors.append((f"uncaught: {e}", "")))

    def route(r):
        url = r.request.url
        if url.startswith(site_url):
            return r.continue_()
        if "/mathjax" in url and "/es5/" in url:
            local = MATHJAX / url.split("/es5/", 1)[1].split("?")[0]
            if local.is_file():
                return r.fulfill(path=str(local))
        blocked.add(url)
        return r.abort()

    page.route("**/*", route)
    page.goto(f"{site_url}/{path}", wait_until="load")
    if wait_for_math:
        page.wait_for_function(
            "() => !document.querySelector('.math') || "
            "(window.MathJax && MathJax.startup && MathJax.startup.promise)", timeout=20000)
        page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
    return Visit(page, console_errors, blocked)


@pytest.fixture
def visit(browser, site_url):
    """visit(path) -> Visit, closed at the end of the test."""
    opened = []

    def _visit(path, wait_for_math=True):
        v = open_page(browser, site_url, path, wait_for_math)
        opened.append(v)
        return v

    yield _visit
    for v in opened:
        v.page.context.close()


# Text representations of widgets and figures. A repr starts a line or follows
# a bracket, whereas the code that builds a widget calls it as an attribute
# (`widgets.FloatSlider(`), so the dot before the name tells the two apart.
REPRS = re.compile(r"(?<![\w.])(interactive\(children=|FloatSlider\(|IntSlider\(|Dropdown\(|"
                   r"VBox\(|HBox\(|Output\(\)|Box\(children=)|<Figure size \d")
