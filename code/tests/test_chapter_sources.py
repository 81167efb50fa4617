"""Each chapter exists twice: its text file ``text/NN_name.md`` (MyST Markdown,
the file people edit) and its notebook ``chapters/NN_name.ipynb`` (the
outputs of one clean run). These tests fail when the two disagree, and say
which chapter and which cell; ``make notebooks`` brings them back in step."""

import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
TEXT = ROOT / "text"
CHAPTERS = ROOT / "chapters"

_spec = importlib.util.spec_from_file_location(
    "run_notebooks", ROOT / "code" / "scripts" / "run_notebooks.py")
run_notebooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run_notebooks)

TEXTS = sorted(TEXT.glob("*.md"))
FIX = "run `make notebooks CHAPTER={nn}` (or `make notebooks`) to rewrite the notebook"


def _metadata(cell):
    return {k: v for k, v in cell.metadata.items() if k != "execution"}


def _describe(cell):
    first = cell.source.strip().splitlines()[0] if cell.source.strip() else "(empty)"
    return f"{cell.cell_type} cell starting {first[:60]!r}"


def test_every_chapter_has_a_text_file_and_a_notebook():
    notebooks = {p.stem for p in CHAPTERS.glob("*.ipynb")}
    texts = {p.stem for p in TEXTS}
    assert texts, "no text files in text/"
    assert notebooks - texts == set(), f"notebooks without a text file: {sorted(notebooks - texts)}"
    assert texts - notebooks == set(), (
        f"text files without a notebook: {sorted(texts - notebooks)}; run `make notebooks`")
    for stem in texts:
        assert re.fullmatch(r"\d\d_[a-z0-9_]+", stem), f"{stem}: expected NN_name"


def disagreements(text_path, nb):
    """Where the notebook ``nb`` differs from what ``text_path`` defines."""
    expected = run_notebooks.notebook_from_text(text_path).cells
    found = []
    for i, (want, have) in enumerate(zip(expected, nb.cells)):
        if want.cell_type != have.cell_type:
            found.append(f"cell {i}: the text has a {want.cell_type} cell, the notebook a "
                         f"{have.cell_type} cell ({_describe(want)})")
        elif want.source != have.source:
            found.append(f"cell {i}: the sources differ ({_describe(want)})")
        elif _metadata(want) != _metadata(have):
            found.append(f"cell {i}: the metadata differ, {_metadata(want)} in the text and "
                         f"{_metadata(have)} in the notebook ({_describe(want)})")
    if len(expected) != len(nb.cells):
        found.append(f"the text has {len(expected)} cells, the notebook {len(nb.cells)}")
    return found


@pytest.mark.parametrize("text_path", TEXTS, ids=lambda p: p.stem)
def test_text_and_notebook_agree_on_every_cell(text_path):
    nb = nbformat.read(run_notebooks.notebook_path(text_path), as_version=4)
    found = disagreements(text_path, nb)
    nn = text_path.stem[:2]
    assert not found, (
        f"text/{text_path.name} and chapters/{text_path.stem}.ipynb disagree:\n  "
        + "\n  ".join(found) + "\n" + FIX.format(nn=nn))


@pytest.mark.parametrize("text_path", TEXTS, ids=lambda p: p.stem)
def test_notebook_outputs_come_from_one_clean_run(text_path):
    nb = nbformat.read(run_notebooks.notebook_path(text_path), as_version=4)
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1)), (
        f"chapters/{text_path.stem}.ipynb: execution counts {counts[:12]}... are not 1, 2, 3, "
        f"...: it was not executed top to bottom on a fresh kernel; "
        + FIX.format(nn=text_path.stem[:2]))


@pytest.mark.parametrize("text_path", TEXTS, ids=lambda p: p.stem)
def test_each_stream_is_one_output_per_run_of_prints(text_path):
    # make notebooks merges consecutive prints to a stream, so that how the
    # kernel split its messages does not show in the notebook's diff
    nb = nbformat.read(run_notebooks.notebook_path(text_path), as_version=4)
    split = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"
             for a, b in zip(c.outputs, c.outputs[1:])
             if a.output_type == b.output_type == "stream" and a.name == b.name]
    assert not split, (f"chapters/{text_path.stem}.ipynb: cells {split[:8]} have one stream "
                       "split into several outputs; " + FIX.format(nn=text_path.stem[:2]))


def test_coalesce_streams_merges_only_neighbours_of_one_stream():
    out = [{"output_type": "stream", "name": "stdout", "text": "a\n"},
           {"output_type": "stream", "name": "stdout", "text": ["b", "\n"]},
           {"output_type": "stream", "name": "stderr", "text": "w\n"},
           {"output_type": "display_data", "data": {}},
           {"output_type": "stream", "name": "stdout", "text": "c\n"}]
    merged = run_notebooks.coalesce_streams(out)
    assert [o.get("text") for o in merged] == ["a\nb\n", "w\n", None, "c\n"]


def test_the_agreement_check_finds_an_edited_word(tmp_path):
    text_path = TEXTS[0]
    nb = nbformat.read(run_notebooks.notebook_path(text_path), as_version=4)
    source = text_path.read_text()
    edited = tmp_path / text_path.name
    word = re.search(r"\bnetwork\b", source)
    edited.write_text(source[:word.start()] + "netwerk" + source[word.end():])
    found = disagreements(edited, nb)
    assert len(found) == 1 and "sources differ" in found[0], found


def test_rewriting_a_notebook_changes_exactly_the_edited_cell(tmp_path):
    """What `make notebooks` writes keeps every other cell, id included."""
    text_path = TEXTS[0]
    old = nbformat.read(run_notebooks.notebook_path(text_path), as_version=4)
    source = text_path.read_text()
    word = re.search(r"\bnetwork\b", source)
    edited = tmp_path / text_path.name
    edited.write_text(source[:word.start()] + "netwerk" + source[word.end():])
    new = run_notebooks.keep_cell_ids(run_notebooks.notebook_from_text(edited), old)
    changed = [i for i, (a, b) in enumerate(zip(old.cells, new.cells))
               if (a.cell_type, a.source, a.get("id")) != (b.cell_type, b.source, b.get("id"))]
    assert len(new.cells) == len(old.cells)
    assert len(changed) == 1
    i = changed[0]
    assert new.cells[i]["id"] == old.cells[i]["id"]            # edited in place: same id
    assert new.cells[i].source.replace("netwerk", "network", 1) == old.cells[i].source


def _image_outputs(cell):
    return [o for o in cell.get("outputs", [])
            if {"image/svg+xml", "image/png", "image/jpeg"} & set(o.get("data", {}))]


@pytest.mark.parametrize("text_path", TEXTS, ids=lambda p: p.stem)
def test_every_figure_has_a_caption_a_label_and_alt_text(text_path):
    """Screen readers read the alt text, the PDF and the site show the caption."""
    nb = nbformat.read(run_notebooks.notebook_path(text_path), as_version=4)
    problems = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not _image_outputs(cell):
            continue
        if "remove-output" in cell.metadata.get("tags", []) or \
                "remove-cell" in cell.metadata.get("tags", []):
            continue
        mystnb = cell.metadata.get("mystnb", {})
        figure, alt = mystnb.get("figure", {}), mystnb.get("image", {}).get("alt", "")
        if len(_image_outputs(cell)) != 1:
            problems.append(f"cell {i}: {len(_image_outputs(cell))} figures in one cell "
                            "(one caption and alt text can describe only one)")
        if not figure.get("caption") or not figure.get("name", "").startswith("fig-"):
            problems.append(f"cell {i}: no mystnb.figure caption and fig-... name")
        if len(alt) < 20 or re.search(r"\.(svg|png)\b|_images/", alt):
            problems.append(f"cell {i}: no alt text (mystnb.image.alt) describing the figure")
    assert not problems, f"text/{text_path.name}:\n  " + "\n  ".join(problems)
