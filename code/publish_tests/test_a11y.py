"""Accessibility of the published website: axe-core on every page, in light
and in dark mode.

Public universities in the US must meet WCAG 2.1 AA for web course material
(ADA Title II). axe-core (npm, pinned in package.json) is injected into each
page in headless Chromium and run with the WCAG 2.0/2.1 A and AA rules and
axe's best practices. Like pydata-sphinx-theme's own accessibility tests, the
colour mode is set the theme's way; unlike them, the whole page is checked
(header, sidebars and footer are what a reader meets too), and so are the
open header menus.

What is checked, and why:

- every page of the book (_toc.yml), the general index, the proof index
  (``prf-prf.html``, which sphinx-proof publishes though no page links it),
  the search page showing results and a page opened from a result (with
  the searched word highlighted): themed pages, in light and in dark mode
  (the theme's colour-mode button, as a reader would switch); the header
  menus open, too, on two of them (MENU_PAGES);
- the site's root ``index.html`` and the pages at the moved chapters' old
  addresses, which _ext writes: tiny unstyled pages (so one mode), checked
  with their instant redirect left out so that their own content is
  checked (the delay, 0, is what WCAG 2.2.1 and axe's meta-refresh allow;
  test_links.py checks the targets).

No critical or serious violation is allowed anywhere. A moderate or minor
one fails too, unless it is in ACCEPTED, which says why it cannot be met
and matches only the nodes it explains. axe finds only part of what WCAG
asks; passing it does not make a page accessible, failing it shows it is
not. Automated checks are no substitute for testing with assistive
technology.

Counts by rule, impact, page and mode are written to _build/a11y/axe.json
and summarised in _build/a11y/summary.txt.
"""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from .conftest import ROOT, SITE, open_page, toc_files

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
OUT = ROOT / "_build" / "a11y"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
FAILING = {"critical", "serious"}
MODES = ["light", "dark"]

THEMED = ([f"{f}.html" for f in toc_files()]
          + ["genindex.html", "prf-prf.html", "search.html?q=gradient",
             "intro.html?highlight=gradient"])
#: pages whose header menus (launch, download, repository) are also checked
#: open: the same components on every page, with other links; a page that is
#: not a chapter and a chapter (which has the launch menu)
MENU_PAGES = [THEMED[0], next(p for p in THEMED if p.startswith("chapters/"))]


def _plain_pages():
    """The root page and the moved chapters' old addresses (written by _ext)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("course_site", ROOT / "_ext" / "course_site.py")
    course_site = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(course_site)
    return ["index.html"] + [f"{old}.html" for old in course_site.MOVED]


PLAIN = _plain_pages()

#: Rules of moderate or minor impact that cannot be met, and why. Each
#: entry says which nodes it covers; any other node still fails.
ACCEPTED = {
    "region": (
        "moderate, best practice: the book theme puts the course's title link "
        "(navbar-logo) at the top of its primary sidebar, a <div> outside any "
        "landmark, in the page layout it inherits from pydata-sphinx-theme "
        "(layout.html); the navigation below it is a landmark. Meeting it "
        "means replacing the theme's page layout, not a component.",
        "document.querySelector({selector}).closest('#pst-primary-sidebar') !== null"
        " && document.querySelector({selector}).querySelector('a.navbar-brand') !== null",
    ),
    "empty-table-header": (
        "minor, best practice: a header cell holding only maths "
        "(Chapter 4's layout table: the columns are the derivatives "
        "themselves). MathJax draws the symbols with CSS and gives screen "
        "readers the MathML (its assistive MathML, checked here), which axe's "
        "visible-text check does not read. The headers are not empty for "
        "anyone.",
        "(() => { const th = document.querySelector({selector});"
        " const mml = th && th.querySelectorAll('mjx-assistive-mml');"
        " const rest = th && th.cloneNode(true);"
        " rest && rest.querySelectorAll('mjx-container').forEach(m => m.remove());"
        " return !!th && mml.length > 0 && rest.textContent.trim() === ''"
        " && [...mml].every(m => m.textContent.trim().length > 0); })()",
    ),
}

_REFRESH = re.compile(r'<meta\s+http-equiv="refresh"[^>]*>', re.I)


def _axe(page, context="document"):
    return page.evaluate(
        f"""() => axe.run({context}, {{
            runOnly: {{type: 'tag', values: {json.dumps(TAGS)}}},
            resultTypes: ['violations'],
        }})""")


def _switch_mode(page, mode):
    """Switch the colour mode with the theme's own button."""
    for _ in range(3):  # the button cycles through light, dark and auto
        if page.evaluate("() => document.documentElement.dataset.theme") == mode:
            break
        page.click("button.theme-switch-button >> visible=true")
    assert page.evaluate("() => document.documentElement.dataset.theme") == mode
    # the click leaves the button focused and hovered, showing its tooltip
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.mouse.move(0, 0)
    page.wait_for_function("() => !document.querySelector('.tooltip')")
    page.wait_for_timeout(400)  # let colour transitions finish


def _record(page, path, mode, results, where="page"):
    found = []
    for v in results["violations"]:
        for node in v["nodes"]:
            selector = " >>> ".join(node["target"]) if isinstance(node["target"], list) else node["target"]
            found.append({
                "page": path, "mode": mode, "where": where, "rule": v["id"],
                "impact": v["impact"], "help": v["help"], "selector": selector,
                "html": node["html"][:300],
                "summary": (node.get("failureSummary") or "").replace("\n", " ")[:400],
            })
    for item in found:  # is it a node an ACCEPTED entry explains?
        accepted = ACCEPTED.get(item["rule"])
        item["accepted"] = bool(
            accepted and item["impact"] not in FAILING and " >>> " not in item["selector"]
            and page.evaluate(accepted[1].replace("{selector}", json.dumps(item["selector"]))))
    return found


def _scan_themed(browser, site_url, path):
    v = open_page(browser, site_url, path, wait_for_math=True)
    page, found, images = v.page, [], []
    try:
        if path.startswith("search.html"):
            page.wait_for_selector("#search-results li a", timeout=20000)
        page.add_script_tag(path=str(AXE))
        images = page.evaluate("""() => [...document.querySelectorAll('article.bd-article img')]
            .map(i => ({src: i.getAttribute('src'), alt: i.getAttribute('alt'),
                        role: i.getAttribute('role')}))""")
        for mode in MODES:
            _switch_mode(page, mode)
            found += _record(page, path, mode, _axe(page))
            # the header menus: checked open as well
            toggles = page.locator(".article-header-buttons .dropdown-toggle")
            for i in range(toggles.count() if path in MENU_PAGES else 0):
                toggles.nth(i).click()
                page.wait_for_selector(".dropdown-menu.show")
                found += _record(page, path, mode, _axe(page, "'.dropdown-menu.show'"),
                                 where=f"open menu {i + 1}")
                page.keyboard.press("Escape")
                page.wait_for_function("() => !document.querySelector('.dropdown-menu.show')")
    finally:
        page.context.close()
    return found, images


def _scan_plain(browser, site_url, path):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()

    def route(r):
        url = r.request.url
        if url == f"{site_url}/{path}":
            return r.fulfill(body=_REFRESH.sub("", (SITE / path).read_text(encoding="utf-8")),
                             content_type="text/html; charset=utf-8")
        return r.abort()

    try:
        page.route("**/*", route)
        page.goto(f"{site_url}/{path}", wait_until="load")
        assert page.url == f"{site_url}/{path}"
        page.add_script_tag(path=str(AXE))
        return _record(page, path, "unstyled", _axe(page))
    finally:
        context.close()


@pytest.fixture(scope="module")
def scan(browser, site_url):
    """Every violation axe reports, one record per node, and the pages' images."""
    if not AXE.exists():
        pytest.fail(f"{AXE} missing: run `npm ci` in code/publish_tests (make site-test does)")
    found, images = [], {}
    for path in THEMED:
        page_found, images[path] = _scan_themed(browser, site_url, path)
        found += page_found
    for path in PLAIN:
        found += _scan_plain(browser, site_url, path)
    _write_report(found)
    return found, images


def _write_report(found):
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "axe.json").write_text(json.dumps(found, indent=1), encoding="utf-8")
    lines = []
    for title, key in [("by rule and impact", lambda f: (f["rule"], f["impact"])),
                       ("by page", lambda f: (f["page"],)),
                       ("by mode", lambda f: (f["mode"],))]:
        lines.append(f"nodes {title}, light/dark/unstyled (accepted ones in brackets):")
        nodes = Counter(key(f) for f in found)
        accepted = Counter(key(f) for f in found if f["accepted"])
        for k in sorted(nodes):
            lines.append(f"  {' '.join(k):60s} {nodes[k]:4d}  [{accepted[k]}]")
    lines.append(f"total nodes {len(found)}, accepted {sum(f['accepted'] for f in found)}")
    (OUT / "summary.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _describe(failures):
    return "\n".join(
        f"{f['page']} [{f['mode']}{'' if f['where'] == 'page' else ', ' + f['where']}]: "
        f"{f['rule']} ({f['impact']}) {f['help']}\n    at {f['selector']}\n    {f['html'][:160]}"
        f"\n    {f['summary'][:240]}"
        for f in failures)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("path", THEMED)
def test_no_axe_violation(scan, path, mode):
    found, _ = scan
    failures = [f for f in found if f["page"] == path and f["mode"] == mode and not f["accepted"]]
    assert not failures, "axe-core violations:\n" + _describe(failures)


@pytest.mark.parametrize("path", PLAIN)
def test_no_axe_violation_on_redirect_pages(scan, path):
    found, _ = scan
    failures = [f for f in found if f["page"] == path and not f["accepted"]]
    assert not failures, "axe-core violations:\n" + _describe(failures)


def test_accepted_exceptions_are_still_needed(scan):
    """An entry of ACCEPTED that no longer matches anything is removed."""
    found, _ = scan
    used = {f["rule"] for f in found if f["accepted"]}
    assert set(ACCEPTED) <= used, f"ACCEPTED entries that match nothing: {set(ACCEPTED) - used}"


@pytest.mark.parametrize("path", THEMED)
def test_every_content_image_has_alt_text(scan, path):
    """Alt text describing the figure, not empty and not a file name
    (decorative images would say so with role="presentation")."""
    _, images = scan
    missing = [i["src"] for i in images[path]
               if i["role"] != "presentation"
               and (not i["alt"] or len(i["alt"]) < 20 or "_images/" in i["alt"]
                    or i["alt"].endswith((".svg", ".png")))]
    assert not missing, f"{path}: images without alt text {missing}"


def test_the_check_finds_a_violation(browser, site_url):
    """axe as set up here reports a known failure, with page, rule and selector."""
    v = open_page(browser, site_url, "references.html", wait_for_math=False)
    try:
        v.page.evaluate("""() => {
            const p = document.createElement('p');
            p.id = 'low-contrast'; p.textContent = 'grey on grey';
            p.style.color = '#bbb'; p.style.background = '#ccc';
            document.querySelector('article').appendChild(p);
            const img = document.createElement('img');
            img.id = 'no-alt'; img.src = '_static/file.png';
            document.querySelector('article').appendChild(img);
        }""")
        v.page.add_script_tag(path=str(AXE))
        found = _record(v.page, "references.html", "light", _axe(v.page))
    finally:
        v.page.context.close()
    rules = {(f["rule"], f["selector"]) for f in found}
    assert ("color-contrast", "#low-contrast") in rules, rules
    assert ("image-alt", "#no-alt") in rules, rules
    assert "references.html [light]: color-contrast (serious)" in _describe(found)
