"""Small fixes to the website's pages, and the student edition.

1. Link the course's PDF reports from every page's download menu: the full
   report (``make pdf``: ``_build/latex/<name>.pdf``, the name being the
   LaTeX target of ``_config.yml``) and the student edition (``make
   pdf-student``: ``_build/student/<name>-student.pdf``). A report is linked
   only if it exists when the site is built, and is then copied into the
   site as ``_pdf/<file>``, so a site built by ``make book`` alone has no
   dead link; ``make pdf`` and ``make pdf-student`` build the site again
   when there is one, and the links appear. Which reports exist is part of
   the HTML configuration (``course_pdfs_available``), so every page is
   rewritten when that changes. The theme's own ".pdf" entry prints the
   current page; it is relabelled so the two are not confused.
2. Point the "Suggest edit" and "source" buttons of a chapter at its text
   file, ``text/NN_name.md`` (the file people edit; jupytext pairs it with
   the notebook ``chapters/NN_name.ipynb`` that the book is built from).
3. Keep old addresses working: chapters that moved when the course was
   reordered leave a small page at their old address that sends the reader
   on (``MOVED``).
4. Drop duplicate inline scripts. sphinx-thebe adds its configuration script
   once through the builder (file name ``None``) and once more when Sphinx
   re-reads the registry (file name ``""``); Sphinx's own de-duplication
   sees two different scripts, and the page then declares ``const
   THEBE_JS_URL`` twice, a JavaScript error on every page.
5. Accessibility (WCAG 2.1 AA, checked by code/publish_tests/test_a11y.py
   with axe-core on every page, light and dark):

   - ``templates/``: the theme's search button and colour-mode button
     with accessible names that contain their visible text (WCAG 2.5.3);
   - ``static/course.css``: contrast of links in exercise boxes, of words
     highlighted by the search, and of the proof index in dark mode
     (WCAG 1.4.3);
   - the bibliography as a list of list items (docutils 0.19 writes the
     deprecated ``doc-biblioentry`` role, which a ``list`` may not own);
   - myst-nb's "Show code cell source" toggle named by its visible text;
   - the site's root ``index.html`` and the moved-chapter pages as small
     pages with a language, a title and a heading.
6. Figures inside an exercise or a solution stay in its box in the PDF
   (``keep_figures_in_exercise_boxes``).
7. The student edition (``course_edition = "student"``, by default from
   the environment variable ``COURSE_EDITION``; ``make pdf-student``):
   every exercise, no solution. sphinx-exercise's own ``hide_solutions``
   cannot do this for the gated ``solution-start``/``solution-end``
   directives the chapters use (it leaves their content and an unknown
   ``solution_end_node`` behind), so the solutions, merged by
   sphinx-exercise into one node each, are removed from the doctree here.
   The LaTeX target and title name the edition. Both editions use the
   book's one execution cache, ``_build/.jupyter_cache``, whatever
   ``--path-output`` is, so the student build executes nothing.
"""

import hashlib
import html
import os
import shutil
from pathlib import Path, PurePosixPath

from docutils import nodes
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform

HERE = Path(__file__).resolve().parent

#: the PDF reports the download menu links when they exist: (key, path
#: relative to _build with {name} the LaTeX target's stem, text, tooltip)
EDITIONS = [
    ("course", "latex/{name}.pdf", "course PDF", "The whole course as a PDF report"),
    ("student", "student/{name}-student.pdf", "student PDF",
     "The student edition: every exercise, no solutions"),
]

#: old page -> new page, for chapters whose file (and address) changed.
MOVED = {
    "chapters/03_matrix_derivatives": "chapters/04_matrix_derivatives",
    "chapters/04_chain_rule": "chapters/03_chain_rule",
    "chapters/06_training": "chapters/07_training",
    "chapters/07_scikit_learn": "chapters/08_scikit_learn",
}

_REDIRECT = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{page_title}</title>
<meta http-equiv="refresh" content="0; url={target}">
<link rel="canonical" href="{target}">
</head>
<body>
<main>
<h1>{heading}</h1>
<p>{text} <a href="{target}">{title}</a>.</p>
</main>
</body>
</html>
"""


def _pdf_stem(config):
    documents = config.latex_documents
    tex = documents[0][1] if documents else "book.tex"
    return PurePosixPath(tex).stem


def _available_pdfs(app):
    """(key, file in _build, text, tooltip) of every PDF report that exists."""
    build = Path(app.outdir).parent
    found = []
    for key, path, text, tooltip in EDITIONS:
        path = path.format(name=_pdf_stem(app.config))
        if (build / path).is_file():
            found.append((key, path, text, tooltip))
    return found


def add_pdf_button(app, pagename, templatename, context, doctree):
    for group in context.get("header_buttons") or []:
        if group.get("label") != "download-buttons":
            continue
        for button in group["buttons"]:
            if button.get("label") == "download-pdf-button":
                button["text"] = "print page"
        for key, path, text, tooltip in _available_pdfs(app):
            group["buttons"].append({
                "type": "link",
                "url": context["pathto"](f"_pdf/{PurePosixPath(path).name}", 1),
                "text": text,
                "tooltip": tooltip,
                "icon": "fas fa-book",
                "label": f"download-{key}-pdf-button",
            })


def copy_pdfs(app, exception):
    """Put the linked PDF reports into the site (and nothing else in _pdf/)."""
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_pdf"
    wanted = {}
    for _, path, _, _ in _available_pdfs(app):
        wanted[PurePosixPath(path).name] = Path(app.outdir).parent / path
    for old in target.glob("*") if target.is_dir() else []:
        if old.name not in wanted:
            old.unlink()
    for name, source in wanted.items():
        target.mkdir(exist_ok=True)
        shutil.copyfile(source, target / name)


def _buttons(groups):
    for item in groups or []:
        yield item
        yield from _buttons(item.get("buttons"))


def edit_text_sources(app, pagename, templatename, context, doctree):
    if not pagename.startswith("chapters/"):
        return
    stem = PurePosixPath(pagename).name
    if not (Path(app.srcdir) / "text" / f"{stem}.md").exists():
        return
    notebook, text = f"{pagename}.ipynb", f"text/{stem}.md"
    for button in _buttons(context.get("header_buttons")):
        url = button.get("url")
        if isinstance(url, str) and ("/edit/" in url or "/blob/" in url) and notebook in url:
            button["url"] = url.replace(notebook, text)


def write_redirects(app, exception):
    """A page at every old address of a moved chapter, pointing at the new one."""
    if exception is not None or app.builder.format != "html":
        return
    for old, new in MOVED.items():
        if new not in app.env.all_docs or old in app.env.all_docs:
            continue
        page = Path(app.outdir) / f"{old}.html"
        target = PurePosixPath(new).name + ".html"  # both in chapters/
        title = app.env.titles[new].astext() if new in app.env.titles else new
        page.parent.mkdir(parents=True, exist_ok=True)
        title = html.escape(title)
        page.write_text(_REDIRECT.format(target=target, title=title, page_title=f"Moved: {title}",
                                         heading="This chapter has moved",
                                         text="It is now"),
                        encoding="utf-8")


def write_root_index(app, exception):
    """The site's root page, sending the reader to the first page.

    sphinx-external-toc writes a bare ``<meta http-equiv="Refresh">`` as
    ``index.html`` when the root document has another name; this page does
    the same with a language, a title and a link (it is written first or
    over it, whichever extension runs first).
    """
    if exception is not None or app.builder.format != "html":
        return
    root = app.config.root_doc
    if root == "index" or root not in app.env.all_docs:
        return
    title = html.escape(app.env.titles[root].astext() if root in app.env.titles else root)
    (Path(app.outdir) / "index.html").write_text(
        _REDIRECT.format(target=f"{root}.html", title=title, page_title=title, heading=title,
                         text="Continue to"),
        encoding="utf-8")


def dedupe_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for js in scripts:
        attrs = getattr(js, "attributes", {}) or {}
        key = (getattr(js, "filename", None) or "", tuple(sorted(
            (k, str(v)) for k, v in attrs.items() if k != "priority")))
        if key not in seen:
            seen.add(key)
            unique.append(js)
    context["script_files"] = unique


# --- accessibility -------------------------------------------------------


def visit_citation(self, node):
    """A citation as a list item of the citation list.

    docutils 0.19 gives each citation ``role="doc-biblioentry"``, which
    DPUB-ARIA 1.1 deprecates in favour of list items of a list, and which is
    not allowed on a ``div``; the ``list`` around them then owns no list
    item (axe: aria-deprecated-role, aria-allowed-role and the critical
    aria-required-children). Same markup otherwise.
    """
    if not isinstance(node.previous_sibling(), type(node)):
        self.body.append('<div role="list" class="citation-list">\n')
    self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))


def depart_citation(self, node):
    self.body.append("</div>\n")
    if not isinstance(node.next_node(descend=False, siblings=True), type(node)):
        self.body.append("</div>\n")


def visit_hidden_cell(self, node):
    """myst-nb's toggle of a hidden cell, named by the text it shows.

    myst-nb labels the ``<summary>`` "Toggle hidden content" while it shows
    "Show code cell source": a speech-input user saying what they see would
    not reach it (WCAG 2.5.3). Without the label its name is its visible
    text. Same markup otherwise (myst_nb.sphinx_.visit_HideCellInput).
    """
    classes = " ".join(node["classes"])
    self.body.append(f'<details class="admonition hide {classes}">\n')
    self.body.append("<summary>\n")
    self.body.append(f'<p class="collapsed admonition-title">{html.escape(node["prompt_show"])}</p>\n')
    self.body.append(f'<p class="expanded admonition-title">{html.escape(node["prompt_hide"])}</p>\n')
    self.body.append("</summary>\n")


def depart_hidden_cell(self, node):
    self.body.append("</details>\n")


# --- student edition -------------------------------------------------------


class RemoveSolutions(SphinxTransform):
    """The student edition: every solution removed, with what it contains."""

    default_priority = 11  # after sphinx-exercise merges gated solutions (10)

    def apply(self):
        if self.config.course_edition != "student":
            return
        from sphinx_exercise.nodes import solution_node

        for node in list(self.document.findall(solution_node)):
            node.parent.remove(node)


def name_the_edition(app, env, docnames):
    """The student edition's LaTeX target and title.

    Done when the build starts reading, because jupyter-book sets
    ``latex_documents`` from ``_config.yml`` after the configuration events.
    """
    if app.config.course_edition != "student":
        return
    documents = []
    for doc in app.config.latex_documents:
        doc, tex = list(doc), PurePosixPath(doc[1])
        if not tex.stem.endswith("-student"):
            doc[1] = str(tex.with_name(f"{tex.stem}-student.tex"))
            doc[2] = f"{doc[2]}: student edition"
        documents.append(tuple(doc))
    app.config.latex_documents = documents


def configure(app, config):
    if config.course_edition not in ("full", "student"):
        raise ValueError(f"course_edition must be 'full' or 'student', got {config.course_edition!r}")
    # the theme's templates and colours, fixed for accessibility
    config.templates_path.insert(0, str(HERE / "templates"))
    config.html_static_path.append(str(HERE / "static"))
    # Sphinx copies static files only when it writes a page: a changed
    # stylesheet makes every page out of date (through the HTML config)
    digest = hashlib.sha256()
    for f in sorted((HERE / "static").rglob("*")):
        if f.is_file():
            digest.update(f.name.encode() + f.read_bytes())
    config.course_static_digest = digest.hexdigest()[:16]
    # one execution cache for every build of the book (the default would be
    # <path-output>/_build/.jupyter_cache)
    if not config.nb_execution_cache_path:
        config.nb_execution_cache_path = str(Path(app.srcdir) / "_build" / ".jupyter_cache")
    # Which PDF reports exist decides every page's download menu. The LaTeX
    # target's name is not known yet (jupyter-book sets latex_documents after
    # this event), so this lists every PDF a LaTeX build left beside its .tex
    # and every student-edition PDF: a superset of the linked reports, which
    # changes whenever one of them appears or goes.
    build = Path(app.outdir).parent
    config.course_pdfs_available = sorted(
        str(p.relative_to(build)) for p in
        [p for p in build.glob("latex/*.pdf") if p.with_suffix(".tex").is_file()]
        + list(build.glob("student/*.pdf")))


def _without_floats(visit, depart):
    """LaTeX visitors that keep figures inside the box from floating.

    An exercise or a solution is a box in the PDF (sphinx-exercise draws it
    as an admonition), and LaTeX cannot float a figure out of a box ("Not
    in outer par mode"). Sphinx's own admonitions count themselves in
    ``no_latex_floats``, which makes a figure inside them ``[H]`` (placed
    here); sphinx-exercise's boxes do not, so these wrappers do it for them.
    """
    def visit_box(self, node):
        visit(self, node)
        self.no_latex_floats += 1

    def depart_box(self, node):
        self.no_latex_floats -= 1
        depart(self, node)

    return visit_box, depart_box


def keep_figures_in_exercise_boxes(app):
    from sphinx_exercise import nodes as ex

    for node, visit, depart in [
            (ex.exercise_node, ex.visit_exercise_node, ex.depart_exercise_node),
            (ex.exercise_enumerable_node, ex.visit_exercise_enumerable_node,
             ex.depart_exercise_enumerable_node),
            (ex.solution_node, ex.visit_solution_node, ex.depart_solution_node)]:
        app.add_node(node, override=True, latex=_without_floats(visit, depart))


def _ancestors(node):
    while node.parent is not None:
        node = node.parent
        yield node


class ExerciseReferencesAcrossDocuments(SphinxPostTransform):
    """In the PDF, a reference to an exercise of another document lands on it.

    sphinx-exercise labels an exercise ``exercise:<label>`` in LaTeX and
    rewrites only the references within one document to that form; a
    reference from another page (the instructors' page lists the
    self-checking exercises of every chapter) would point at
    ``<document>:<label>``, which LaTeX does not know ("??" in the PDF).
    """

    default_priority = 25
    formats = ("latex",)

    def run(self, **kwargs):
        from sphinx_exercise.nodes import exercise_enumerable_node, exercise_latex_number_reference

        registry = getattr(self.env, "sphinx_exercise_registry", {})
        for node in list(self.document.findall(nodes.reference)):
            uri = node.get("refuri", "")
            if not uri.startswith("%") or "#" not in uri:
                continue
            label = uri.rsplit("#", 1)[1]
            target = registry.get(label, {}).get("node")
            # a solution's title links its exercise with words of its own
            in_title = any(isinstance(a, nodes.title) for a in _ancestors(node))
            if isinstance(target, exercise_enumerable_node) and not in_title:
                new = exercise_latex_number_reference()
                new.attributes = dict(node.attributes, refid=label)
                new.extend(child.deepcopy() for child in node.children)
                node.replace_self(new)


def setup(app):
    from myst_nb.sphinx_ import HideCodeCellNode

    app.add_config_value("course_edition", os.environ.get("COURSE_EDITION", "full"), "env")
    app.add_config_value("course_pdfs_available", [], "html")
    app.add_config_value("course_static_digest", "", "html")
    app.connect("config-inited", configure)
    app.connect("builder-inited", keep_figures_in_exercise_boxes)
    app.connect("env-before-read-docs", name_the_edition)
    app.add_transform(RemoveSolutions)
    app.add_post_transform(ExerciseReferencesAcrossDocuments)
    app.add_css_file("course.css", priority=900)
    app.add_node(nodes.citation, override=True, html=(visit_citation, depart_citation))
    app.add_node(HideCodeCellNode, override=True, html=(visit_hidden_cell, depart_hidden_cell))
    # after sphinx-book-theme has assembled the header buttons
    app.connect("html-page-context", add_pdf_button, priority=900)
    app.connect("html-page-context", edit_text_sources, priority=900)
    app.connect("html-page-context", dedupe_scripts, priority=900)
    app.connect("build-finished", write_redirects)
    app.connect("build-finished", write_root_index)
    app.connect("build-finished", copy_pdfs)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
