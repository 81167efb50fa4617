"""The PDF course report, read back: its text (pdftotext), its images
(pdfimages) and its page images (pdftoppm)."""

import json
import re
import subprocess

import numpy as np
import pytest
from PIL import Image

from .conftest import PDF, REPRS, ROOT, chapter_notebooks

PAGES_DIR = ROOT / "_build" / "pdf-pages"


def _run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def text():
    if not PDF.exists():
        pytest.fail(f"{PDF} does not exist: run `make pdf`")
    return _run("pdftotext", "-layout", str(PDF), "-")


@pytest.fixture(scope="module")
def n_pages():
    info = _run("pdfinfo", str(PDF))
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
def figures():
    """The graphics the PDF places on its pages, in order: one per
    ``\\includegraphics``. A vector figure is a form XObject (the PDF that
    rsvg-convert made of the SVG), a raster one an image XObject; images
    nested inside a vector figure (its rasterized surface) are part of it."""
    from pypdf import PdfReader

    reader = PdfReader(str(PDF))
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


def test_title_page_has_title_author_and_date(text):
    first = _normalise(text[:1500])
    assert "Calculus in Neural Networks" in first
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


def test_numbered_equations_exercises_solutions_bibliography(text):
    flat = _normalise(text)
    assert re.search(r"\(1\.1\)", flat), "no numbered equations"
    n_chapters = len(chapter_notebooks())
    for k in range(1, n_chapters + 1):
        # the LaTeX builder numbers exercises within sections: 1.9.1 for 1.1
        assert re.search(rf"Exercise {k}\.(\d+\.)?1\b", flat), f"no exercises in chapter {k}"
        assert re.search(rf"Solution to Exercise {k}\.(\d+\.)?1\b", flat), \
            f"no solutions in chapter {k}"
    assert "Bibliography" in flat and "Rumelhart" in flat and "Nielsen" in flat


def test_no_widget_or_figure_reprs(text):
    found = sorted({m.group(0) for m in REPRS.finditer(text)})
    assert not found, f"text representations in the PDF: {found}"


def test_repr_pattern_tells_reprs_from_code():
    assert REPRS.search("VBox(children=(FloatSlider(value=1.0),))")
    assert REPRS.search("<Figure size 640x480 with 1 Axes>")
    assert REPRS.search("interactive(children=(FloatSlider(")
    assert not REPRS.search("w = widgets.FloatSlider(value=-4.0, min=-15.0)")
    assert not REPRS.search("parameter=widgets.Dropdown(options=list(names))")


def test_every_figure_output_is_in_the_pdf(figures):
    expected = [kind for nb in chapter_notebooks() for kind in _figure_outputs(nb)]
    assert expected, "no figure outputs in the notebooks"
    assert len(figures) == len(expected), (
        f"{len(figures)} figures in the PDF, {len(expected)} figure outputs in the notebooks")


def test_vector_figures_stay_vector(figures):
    """Every SVG output is a vector (form) figure in the PDF, every PNG an image."""
    expected = [kind for nb in chapter_notebooks() for kind in _figure_outputs(nb)]
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


def test_pages_render(n_pages):
    PAGES_DIR.mkdir(parents=True, exist_ok=True)
    for old in PAGES_DIR.glob("*.png"):
        old.unlink()
    _run("pdftoppm", "-r", "30", "-png", str(PDF), str(PAGES_DIR / "page"))
    pages = sorted(PAGES_DIR.glob("page-*.png"))
    assert len(pages) == n_pages
    assert n_pages >= 5 * len(chapter_notebooks())
    blank = [p.name for p in pages if np.asarray(Image.open(p).convert("L")).min() > 200]
    # a few blank pages are normal (the back of the title page, before parts)
    assert len(blank) <= max(4, n_pages // 5), f"too many blank pages: {blank}"


def test_embedded_figures_have_content(figures, tmp_path):
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
            _run("pdfimages", "-png", "-f", str(f["page"]), "-l", str(f["page"]), str(PDF),
                 str(tmp_path / f"p{f['page']}"))
            for image in tmp_path.glob(f"p{f['page']}-*.png"):
                pixels = np.asarray(Image.open(image).convert("L"), dtype=float)
                if min(pixels.shape) < 50 or pixels.std() < 5:
                    empty.append(f"page {f['page']} {image.name}: flat image")
    assert figures and not empty, f"empty or flat figures: {empty}"
