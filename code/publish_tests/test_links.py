"""Every local link and anchor in the built website resolves."""

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

from .conftest import SITE

SKIP_SCHEMES = {"http", "https", "mailto", "javascript", "data", "tel"}


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if attrs.get(key):
                self.ids.add(attrs[key])
        for key in ("href", "src"):
            if attrs.get(key) and not (tag == "link" and attrs.get("rel") == "preconnect"):
                self.links.append(attrs[key])


_parsed = {}


def _parse(path):
    if path not in _parsed:
        c = _Collector()
        c.feed(path.read_text(encoding="utf-8", errors="replace"))
        _parsed[path] = c
    return _parsed[path]


def _pages():
    return [p for p in SITE.rglob("*.html") if "_static" not in p.parts]


def test_site_has_pages():
    assert len(_pages()) >= 4


def test_every_local_link_and_anchor_resolves():
    broken = []
    checked = 0
    for page in _pages():
        for link in _parse(page).links:
            if urlparse(link).scheme in SKIP_SCHEMES or link.startswith("//"):
                continue
            target_url, fragment = urldefrag(link)
            target = page if not target_url else (page.parent / unquote(target_url.split("?")[0]))
            target = target.resolve()
            checked += 1
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(SITE)}: {link} (no such file)")
                continue
            if fragment and target.suffix == ".html" and unquote(fragment) not in _parse(target).ids:
                broken.append(f"{page.relative_to(SITE)}: {link} (no anchor #{fragment})")
    assert checked > 100
    assert not broken, "\n".join(broken)


def test_moved_chapters_send_the_reader_on():
    """Old addresses of reordered chapters lead to the chapter's new page."""
    import importlib.util
    import re

    from .conftest import ROOT

    spec = importlib.util.spec_from_file_location("course_site", ROOT / "_ext" / "course_site.py")
    course_site = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(course_site)
    assert course_site.MOVED
    for old, new in course_site.MOVED.items():
        page = SITE / f"{old}.html"
        assert page.exists(), f"no page at the old address {old}.html"
        target = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', page.read_text())
        assert target, f"{old}.html does not redirect"
        assert (page.parent / target.group(1)).resolve() == (SITE / f"{new}.html").resolve()
        assert (SITE / f"{new}.html").exists()


def test_download_menu_links_a_pdf_exactly_when_it_exists():
    """A site built by `make book` alone links no PDF; after `make pdf` or
    `make pdf-student` (in either order) it links the ones built."""
    from .conftest import PDF, STUDENT_PDF

    for label, pdf in [("download-course-pdf-button", PDF),
                       ("download-student-pdf-button", STUDENT_PDF)]:
        for page in [SITE / "intro.html"] + sorted((SITE / "chapters").glob("*.html")):
            html = page.read_text(encoding="utf-8")
            if "http-equiv=\"refresh\"" in html:
                continue  # a moved chapter's old address
            assert (f"btn-{label}" in html) == pdf.exists(), (
                f"{page.relative_to(SITE)}: {'no ' if pdf.exists() else ''}link to {pdf.name}, "
                f"which {'exists' if pdf.exists() else 'is not built'}")
        if pdf.exists():
            copy = SITE / "_pdf" / pdf.name
            assert copy.exists() and copy.read_bytes() == pdf.read_bytes(), f"{copy} is not {pdf}"
