"""The published website, driven in headless Chromium."""

from pathlib import Path

import pytest

from .conftest import PDF, SCREENS, SITE, toc_files

PAGES = [f"{f}.html" for f in toc_files()]
CHAPTERS = [p for p in PAGES if p.startswith("chapters/")]


def test_every_toc_page_was_built():
    missing = [p for p in PAGES if not (SITE / p).exists()]
    assert not missing, f"pages in _toc.yml but not in _build/html: {missing}"
    assert len(CHAPTERS) >= 1


@pytest.mark.parametrize("path", PAGES + ["genindex.html", "search.html"])
def test_page_loads_without_console_errors(visit, path):
    v = visit(path)
    assert v.page.title(), f"{path} has no title"
    assert not v.unexpected_errors(), f"{path}: console errors {v.unexpected_errors()}"


@pytest.mark.parametrize("path", PAGES)
def test_every_equation_renders(visit, path):
    v = visit(path)
    counts = v.page.evaluate("""() => {
        const math = [...document.querySelectorAll('.math')];
        return {
            math: math.length,
            rendered: math.filter(m => m.querySelector('mjx-container')).length,
            containers: document.querySelectorAll('mjx-container').length,
            errors: document.querySelectorAll('mjx-merror, [data-mjx-error]').length,
        };
    }""")
    assert counts["rendered"] == counts["math"], f"{path}: {counts}"
    assert counts["errors"] == 0, f"{path}: MathJax errors (an undefined macro?) {counts}"
    if path.startswith("chapters/") or path == "intro.html":
        assert counts["containers"] >= 10, f"{path}: suspiciously little maths {counts}"


@pytest.mark.parametrize("path", CHAPTERS)
def test_chapter_figures_load_and_screenshot(visit, path):
    v = visit(path)
    images = v.page.evaluate("""() => [...document.querySelectorAll("article.bd-article img")].map(i => ({
        src: i.getAttribute('src'), natural: i.naturalWidth,
        width: i.getBoundingClientRect().width, height: i.getBoundingClientRect().height}))""")
    assert images, f"{path} shows no figures"
    broken = [i for i in images if not (i["natural"] > 0 and i["width"] > 0 and i["height"] > 0)]
    assert not broken, f"{path}: images not loaded or of zero size: {broken}"
    SCREENS.mkdir(parents=True, exist_ok=True)
    v.page.screenshot(path=str(SCREENS / (Path(path).stem + ".png")), full_page=True)


@pytest.mark.parametrize("path", CHAPTERS)
def test_launch_menu_has_binder_link(visit, path):
    v = visit(path, wait_for_math=False)
    hrefs = v.page.eval_on_selector_all(".dropdown-launch-buttons a", "els => els.map(e => e.href)")
    binder = [h for h in hrefs if "mybinder.org/v2/gh/" in h]
    assert binder, f"{path}: no Binder link in the launch menu {hrefs}"
    notebook = Path(path).with_suffix(".ipynb").as_posix()
    assert any(f"urlpath=lab/tree/{notebook}" in h for h in binder), binder


@pytest.mark.parametrize("path", ["intro.html", CHAPTERS[0] if CHAPTERS else "intro.html"])
def test_course_pdf_link_resolves(visit, path):
    assert PDF.exists(), "no PDF: run `make pdf` first"
    v = visit(path, wait_for_math=False)
    href = v.page.eval_on_selector(".btn-download-course-pdf-button", "e => e.href")
    response = v.page.request.get(href)
    assert response.status == 200, href
    assert response.body()[:5] == b"%PDF-"
    assert response.body() == PDF.read_bytes(), "the site's PDF is not the one built"


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


@pytest.mark.parametrize("path", CHAPTERS)
def test_widgets_show_a_note_not_a_repr(visit, path):
    v = visit(path, wait_for_math=False)
    text = v.page.inner_text("main")
    for repr_start in ["interactive(children=", "FloatSlider(", "VBox(children", "Output()"]:
        assert repr_start not in text, f"{path} shows a widget repr {repr_start!r}"
