"""Small fixes to the website's pages.

1. Link the course's PDF report from every page's download menu. `make pdf`
   copies the report into the site as ``_pdf/<name>.pdf`` (the name is the
   LaTeX target of ``_config.yml``). The theme's own ".pdf" entry prints the
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
"""

import html
from pathlib import Path, PurePosixPath

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
<title>Moved: {title}</title>
<meta http-equiv="refresh" content="0; url={target}">
<link rel="canonical" href="{target}">
</head>
<body>
<main>
<p>This chapter has moved to <a href="{target}">{title}</a>.</p>
</main>
</body>
</html>
"""


def _pdf_name(app):
    documents = app.config.latex_documents
    tex = documents[0][1] if documents else "book.tex"
    return str(PurePosixPath(tex).with_suffix(".pdf"))


def add_pdf_button(app, pagename, templatename, context, doctree):
    for group in context.get("header_buttons") or []:
        if group.get("label") != "download-buttons":
            continue
        for button in group["buttons"]:
            if button.get("label") == "download-pdf-button":
                button["text"] = "print page"
        group["buttons"].append({
            "type": "link",
            "url": context["pathto"](f"_pdf/{_pdf_name(app)}", 1),
            "text": "course PDF",
            "tooltip": "The whole course as a PDF report",
            "icon": "fas fa-book",
            "label": "download-course-pdf-button",
        })


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
        page.write_text(_REDIRECT.format(target=target, title=html.escape(title)),
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


def setup(app):
    # after sphinx-book-theme has assembled the header buttons
    app.connect("html-page-context", add_pdf_button, priority=900)
    app.connect("html-page-context", edit_text_sources, priority=900)
    app.connect("html-page-context", dedupe_scripts, priority=900)
    app.connect("build-finished", write_redirects)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
