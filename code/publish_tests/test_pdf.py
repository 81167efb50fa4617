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


def _figure_outputs(nb_path):
    """Image outputs the PDF must show: every image/png not removed by a tag."""
    nb = json.loads(nb_path.read_text())
    count = 0
    for cell in nb["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell["cell_type"] != "code" or {"remove-cell", "remove-output"} & set(tags):
            continue
        count += sum("image/png" in out.get("data", {}) for out in cell.get("outputs", []))
    return count


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


def test_every_figure_output_is_in_the_pdf():
    listing = _run("pdfimages", "-list", str(PDF)).splitlines()[2:]
    images = sum(1 for line in listing if line.split()[2] == "image")
    expected = sum(_figure_outputs(nb) for nb in chapter_notebooks())
    assert expected > 0
    assert images >= expected, f"{images} images in the PDF, {expected} figure outputs in the notebooks"


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


def test_embedded_figures_have_content(tmp_path):
    """Every figure in the PDF is a real picture, not an empty or flat image."""
    _run("pdfimages", "-png", str(PDF), str(tmp_path / "img"))
    listing = _run("pdfimages", "-list", str(PDF)).splitlines()[2:]
    kinds = [line.split()[2] for line in listing]
    files = sorted(tmp_path.glob("img-*.png"))
    assert len(files) == len(kinds)
    figures = [f for f, kind in zip(files, kinds) if kind == "image"]
    flat = []
    for f in figures:
        pixels = np.asarray(Image.open(f).convert("L"), dtype=float)
        if min(pixels.shape) < 50 or pixels.std() < 5:
            flat.append(f.name)
    assert figures and not flat, f"empty or flat figures: {flat}"
