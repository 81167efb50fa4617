"""The published website, driven in headless Chromium.

Every page is opened once (a fresh browser context each, MathJax served
from the npm copy, every other CDN request blocked); the tests then check
what was recorded.
"""

from pathlib import Path

import pytest

from .conftest import PDF, REPRS, SCREENS, SITE, STUDENT_PDF, open_page, toc_files

PAGES = [f"{f}.html" for f in toc_files()]
CHAPTERS = [p for p in PAGES if p.startswith("chapters/")]
ALL_PAGES = PAGES + ["genindex.html", "search.html"]

_RECORD = """() => {
    const math = [...document.querySelectorAll('.math')];
    return {
        math: math.length,
        rendered: math.filter(m => m.querySelector('mjx-container')).length,
        containers: document.querySelectorAll('mjx-container').length,
        mathErrors: document.querySelectorAll('mjx-merror, [data-mjx-error]').length,
        images: [...document.querySelectorAll('article.bd-article img')].map(i => ({
            src: i.getAttribute('src'), alt: i.getAttribute('alt'), natural: i.naturalWidth,
            width: i.getBoundingClientRect().width,
            height: i.getBoundingClientRect().height})),
        launch: [...document.querySelectorAll('.dropdown-launch-buttons a')].map(a => a.href),
        pdf: [...document.querySelectorAll('.btn-download-course-pdf-button')].map(a => a.href),
        studentPdf: [...document.querySelectorAll('.btn-download-student-pdf-button')]
            .map(a => a.href),
        edit: [...document.querySelectorAll('a')].map(a => a.href).filter(h => h.includes('/edit/')),
        text: document.querySelector('main') ? document.querySelector('main').innerText : '',
        title: document.title,
    };
}"""


@pytest.fixture(scope="module")
def pages(browser, site_url):
    """path -> what the page showed, each page visited once."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    seen = {}
    for path in ALL_PAGES:
        v = open_page(browser, site_url, path, wait_for_math=True)
        record = v.page.evaluate(_RECORD)
        record["errors"] = v.unexpected_errors()
        if path in CHAPTERS:
            v.page.screenshot(path=str(SCREENS / (Path(path).stem + ".png")), full_page=True)
        v.page.context.close()
        seen[path] = record
    return seen


def test_every_toc_page_was_built():
    missing = [p for p in PAGES if not (SITE / p).exists()]
    assert not missing, f"pages in _toc.yml but not in _build/html: {missing}"
    assert len(CHAPTERS) >= 1


@pytest.mark.parametrize("path", ALL_PAGES)
def test_page_loads_without_console_errors(pages, path):
    assert pages[path]["title"], f"{path} has no title"
    assert not pages[path]["errors"], f"{path}: console errors {pages[path]['errors']}"


@pytest.mark.parametrize("path", PAGES)
def test_every_equation_renders(pages, path):
    r = pages[path]
    counts = {k: r[k] for k in ("math", "rendered", "containers", "mathErrors")}
    assert r["rendered"] == r["math"], f"{path}: {counts}"
    assert r["mathErrors"] == 0, f"{path}: MathJax errors (an undefined macro?) {counts}"
    if path.startswith("chapters/") or path == "intro.html":
        assert r["containers"] >= 10, f"{path}: suspiciously little maths {counts}"


@pytest.mark.parametrize("path", CHAPTERS)
def test_chapter_figures_load(pages, path):
    images = pages[path]["images"]
    assert images, f"{path} shows no figures"
    broken = [i for i in images if not (i["natural"] > 0 and i["width"] > 0 and i["height"] > 0)]
    assert not broken, f"{path}: images not loaded or of zero size: {broken}"
    assert (SCREENS / (Path(path).stem + ".png")).stat().st_size > 10_000


@pytest.mark.parametrize("path", CHAPTERS)
def test_every_chapter_image_has_alt_text(pages, path):
    """Alt text that describes the figure, not the file name Sphinx gives it."""
    missing = [i["src"] for i in pages[path]["images"]
               if not i["alt"] or len(i["alt"]) < 20 or "_images/" in i["alt"]
               or i["alt"].endswith((".svg", ".png"))]
    assert not missing, f"{path}: images without alt text {missing}"


def test_chapter_figures_are_vector(pages):
    """At least 85 % of the chapters' figures are SVG (sharp at any zoom)."""
    images = [i["src"] for p in CHAPTERS for i in pages[p]["images"]]
    svg = [src for src in images if src.split("?")[0].endswith(".svg")]
    assert images and len(svg) >= 0.85 * len(images), (
        f"{len(svg)} of {len(images)} chapter figures are SVG: "
        f"{sorted(set(images) - set(svg))[:5]}")


@pytest.mark.parametrize("path", CHAPTERS)
def test_launch_menu_has_binder_link(pages, path):
    binder = [h for h in pages[path]["launch"] if "mybinder.org/v2/gh/" in h]
    assert binder, f"{path}: no Binder link in the launch menu {pages[path]['launch']}"
    notebook = Path(path).with_suffix(".ipynb").as_posix()
    assert any(f"urlpath=lab/tree/{notebook}" in h for h in binder), binder


@pytest.mark.parametrize("path", CHAPTERS)
def test_no_widget_or_figure_repr_on_the_page(pages, path):
    found = sorted({m.group(0) for m in REPRS.finditer(pages[path]["text"])})
    assert not found, f"{path} shows text representations {found}"


@pytest.mark.parametrize("path", CHAPTERS)
def test_suggest_edit_opens_the_chapters_text_file(pages, path):
    stem = Path(path).stem
    assert pages[path]["edit"], f"{path}: no edit link"
    assert all(h.endswith(f"/edit/main/text/{stem}.md") for h in pages[path]["edit"]), \
        pages[path]["edit"]


@pytest.mark.parametrize("key,pdf,command", [("pdf", PDF, "make pdf"),
                                             ("studentPdf", STUDENT_PDF, "make pdf-student")])
def test_pdf_links_resolve_from_every_page(pages, browser, site_url, key, pdf, command):
    """The download menu offers the full report and the student edition."""
    assert pdf.exists(), f"no {pdf.name}: run `{command}` first"
    targets = {p: pages[p][key] for p in PAGES}
    assert all(len(t) == 1 for t in targets.values()), targets
    v = open_page(browser, site_url, "intro.html", wait_for_math=False)
    try:
        bodies = {v.page.request.get(t[0]).body() for t in targets.values()}
    finally:
        v.page.context.close()
    assert bodies == {pdf.read_bytes()}, f"a page's link does not give the {pdf.name} built"


def test_search_finds_sigmoid_in_the_chapters(visit):
    v = visit("search.html?q=sigmoid", wait_for_math=False)
    v.page.wait_for_selector("#search-results li a", timeout=20000)
    hits = v.page.eval_on_selector_all("#search-results li a", "els => els.map(e => e.href)")
    assert any("/chapters/" in h for h in hits), hits


def test_dark_mode_toggle(visit):
    v = visit("intro.html", wait_for_math=False)
    page = v.page
    before = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert page.evaluate("() => document.documentElement.dataset.theme") == "light"
    for _ in range(3):  # the button cycles through light, dark and auto
        page.click("button.theme-switch-button >> visible=true")
        if page.evaluate("() => document.documentElement.dataset.theme") == "dark":
            break
    assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"
    page.wait_for_timeout(300)
    after = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert after != before, (before, after)
