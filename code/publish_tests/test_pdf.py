"""The PDF course reports, read back: their text (pdftotext), their images
(pdfimages) and their page images (pdftoppm).

Both editions: the full report (``make pdf``) and the student edition
(``make pdf-student``: every exercise, no solution). ``-k student`` selects
the student edition's tests, ``-k "not student"`` the others."""

import json
import re
import subprocess

import numpy as np
import pytest
from PIL import Image

from .conftest import PDF, REPRS, ROOT, STUDENT, STUDENT_PDF, chapter_notebooks

EDITIONS = {"full": (PDF, "make pdf"), "student": (STUDENT_PDF, "make pdf-student")}


def _run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module", params=sorted(EDITIONS))
def edition(request):
    return request.param


@pytest.fixture(scope="module")
def pdf(edition):
    path, command = EDITIONS[edition]
    if not path.exists():
        pytest.fail(f"{path} does not exist: run `{command}`")
    return path


def notebooks(edition):
    """The notebooks the edition's PDF shows: the chapters, or for the
    student edition their student copies (made by the same `make
    pdf-student`, solutions removed independently of the PDF build)."""
    if edition == "full":
        return chapter_notebooks()
    found = [STUDENT / nb.name for nb in chapter_notebooks()]
    missing = [str(nb) for nb in found if not nb.exists()]
    assert not missing, f"student notebooks missing (make pdf-student): {missing}"
    return found


@pytest.fixture(scope="module")
def text(pdf):
    return _run("pdftotext", "-layout", str(pdf), "-")


@pytest.fixture(scope="module")
def n_pages(pdf):
    info = _run("pdfinfo", str(pdf))
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def _title(nb_path):
    nb = json.loads(nb_path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            m = re.search(r"^# (.+)$", "".join(cell["source"]), re.M)
            if m:
                return m.group(1).strip()
    raise AssertionError(f"{nb_path} has no title")


FIGURE_TYPES = ("image/svg+xml", "image/png", "image/jpeg")


def _figure_outputs(nb_path):
    """The figure outputs the PDF must show, in order: the MIME type of every
    image output (SVG, PNG or JPEG) of a cell not removed by a tag."""
    nb = json.loads(nb_path.read_text())
    kinds = []
    for cell in nb["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell["cell_type"] != "code" or {"remove-cell", "remove-output"} & set(tags):
            continue
        for out in cell.get("outputs", []):
            kinds += [k for k in FIGURE_TYPES if k in out.get("data", {})][:1]
    return kinds


@pytest.fixture(scope="module")
def figures(pdf):
    """The graphics the PDF places on its pages, in order: one per
    ``\\includegraphics``. A vector figure is a form XObject (the PDF that
    rsvg-convert made of the SVG), a raster one an image XObject; images
    nested inside a vector figure (its rasterized surface) are part of it."""
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    found, seen = [], set()
    for number, page in enumerate(reader.pages, start=1):
        xobjects = page.get("/Resources", {}).get_object().get("/XObject")
        for name, ref in (xobjects.get_object().items() if xobjects else []):
            obj = ref.get_object()
            if ref.idnum in seen:
                continue
            seen.add(ref.idnum)
            found.append({"page": number, "name": name, "kind": str(obj["/Subtype"]),
                          "object": obj})
    return found


def _normalise(s):
    return re.sub(r"\s+", " ", s)


def test_title_page_has_title_author_and_date(text, edition):
    first = _normalise(text[:1500])
    assert "Calculus in Neural Networks" in first
    assert ("student edition" in first) == (edition == "student")
    assert "The Calculus in Neural Networks authors" in first
    assert re.search(r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\w* \d{1,2}, 20\d\d", first)


def test_table_of_contents_and_every_chapter(text):
    flat = _normalise(text)
    assert "CONTENTS" in text or "Contents" in text
    notebooks = chapter_notebooks()
    assert notebooks
    for nb in notebooks:
        title = _title(nb)
        assert flat.count(title) >= 2, f"chapter {title!r} missing (or missing from the contents)"


def _exercises(nb_path):
    nb = json.loads(nb_path.read_text())
    return sum(len(re.findall(r"^`{3,}\{exercise\}|^:{3,}\{exercise\}", "".join(c["source"]), re.M))
               for c in nb["cells"] if c["cell_type"] == "markdown")


def test_numbered_equations_exercises_solutions_bibliography(text, edition):
    flat = _normalise(text)
    assert re.search(r"\(1\.1\)", flat), "no numbered equations"
    for k, nb in enumerate(chapter_notebooks(), start=1):
        # the LaTeX builder numbers exercises within sections: 1.9.1 for 1.1;
        # every exercise of the chapter is there, in both editions
        found = set(re.findall(rf"Exercise {k}\.(?:\d+\.)?(\d+)\b", flat))
        assert found >= {str(i) for i in range(1, _exercises(nb) + 1)}, \
            f"chapter {k}: exercises {sorted(found)} of {_exercises(nb)}"
        solutions = re.search(rf"Solution to Exercise {k}\.(\d+\.)?1\b", flat)
        if edition == "full":
            assert solutions, f"no solutions in chapter {k}"
    if edition == "student":
        assert "Solution to" not in flat, "a solution in the student edition"
    assert "Bibliography" in flat and "Rumelhart" in flat and "Nielsen" in flat


def test_every_reference_resolves(text):
    # LaTeX prints ?? for a reference whose label it does not know
    lines = [line.strip() for line in text.splitlines() if "??" in line]
    assert not lines, f"unresolved references in the PDF: {lines[:5]}"


def test_no_widget_or_figure_reprs(text):
    found = sorted({m.group(0) for m in REPRS.finditer(text)})
    assert not found, f"text representations in the PDF: {found}"


def test_repr_pattern_tells_reprs_from_code():
    assert REPRS.search("VBox(children=(FloatSlider(value=1.0),))")
    assert REPRS.search("<Figure size 640x480 with 1 Axes>")
    assert REPRS.search("interactive(children=(FloatSlider(")
    assert not REPRS.search("w = widgets.FloatSlider(value=-4.0, min=-15.0)")
    assert not REPRS.search("parameter=widgets.Dropdown(options=list(names))")


def test_every_figure_output_is_in_the_pdf(figures, edition):
    expected = [kind for nb in notebooks(edition) for kind in _figure_outputs(nb)]
    assert expected, "no figure outputs in the notebooks"
    assert len(figures) == len(expected), (
        f"{len(figures)} figures in the PDF, {len(expected)} figure outputs in the notebooks")


def test_vector_figures_stay_vector(figures, edition):
    """Every SVG output is a vector (form) figure in the PDF, every PNG an image."""
    expected = [kind for nb in notebooks(edition) for kind in _figure_outputs(nb)]
    kinds = [f["kind"] for f in figures]
    assert kinds == ["/Form" if k == "image/svg+xml" else "/Image" for k in expected]
    assert kinds.count("/Form") >= 0.85 * len(kinds), kinds


def test_the_network_drawing_is_pure_vector(figures):
    """Chapter 1's 2-2-1 drawing (the first figure): its text is paths, no
    raster image anywhere in it, so it is sharp at any zoom."""
    first = figures[0]["object"]
    assert figures[0]["kind"] == "/Form"
    nested = first.get("/Resources", {}).get_object().get("/XObject")
    images = [n for n, r in (nested.get_object().items() if nested else [])
              if r.get_object()["/Subtype"] == "/Image"]
    assert not images, f"the network drawing contains raster images {images}"
    assert len(first.get_data()) > 5_000     # edges, nodes and glyph outlines


def test_pages_render(pdf, edition, n_pages):
    pages_dir = ROOT / "_build" / ("pdf-pages" if edition == "full" else f"pdf-pages-{edition}")
    pages_dir.mkdir(parents=True, exist_ok=True)
    for old in pages_dir.glob("*.png"):
        old.unlink()
    _run("pdftoppm", "-r", "30", "-png", str(pdf), str(pages_dir / "page"))
    pages = sorted(pages_dir.glob("page-*.png"))
    assert len(pages) == n_pages
    assert n_pages >= 5 * len(chapter_notebooks())
    blank = [p.name for p in pages if np.asarray(Image.open(p).convert("L")).min() > 200]
    # a few blank pages are normal (the back of the title page, before parts)
    assert len(blank) <= max(4, n_pages // 5), f"too many blank pages: {blank}"


def test_embedded_figures_have_content(pdf, figures, tmp_path):
    """Every figure in the PDF is a real picture, not an empty or flat one:
    a vector figure draws many paths, a raster one varies in brightness."""
    empty = []
    for f in figures:
        obj = f["object"]
        if f["kind"] == "/Form":
            content = obj.get_data()
            x0, y0, x1, y1 = (float(v) for v in obj["/BBox"])
            fills = len(re.findall(rb"(?<![\w.])[fSB]\*?(?![\w.])", content))
            if (x1 - x0) < 50 or (y1 - y0) < 50 or fills < 20:
                empty.append(f"page {f['page']} {f['name']}: {fills} painted paths")
        else:
            _run("pdfimages", "-png", "-f", str(f["page"]), "-l", str(f["page"]), str(pdf),
                 str(tmp_path / f"p{f['page']}"))
            for image in tmp_path.glob(f"p{f['page']}-*.png"):
                pixels = np.asarray(Image.open(image).convert("L"), dtype=float)
                if min(pixels.shape) < 50 or pixels.std() < 5:
                    empty.append(f"page {f['page']} {image.name}: flat image")
    assert figures and not empty, f"empty or flat figures: {empty}"
