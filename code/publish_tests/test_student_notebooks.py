"""The student edition's notebooks (``make pdf-student`` writes them into
_build/student): every exercise and self-check, no solution, and they run.

The solutions are found here independently of code/scripts/student_notebooks.py:
every cell from the one opening a solution (gated ``solution-start`` or a
``{solution}`` block) to the one closing it.
"""

import re

import nbformat
import pytest

from .conftest import ROOT, STUDENT, chapter_notebooks

CHAPTERS = chapter_notebooks()
SELF_CHECK = "self-check"


def _student(nb_path):
    path = STUDENT / nb_path.name
    if not path.exists():
        pytest.fail(f"{path} missing: run `make pdf-student`")
    return nbformat.read(path, as_version=4)


def _full(nb_path):
    return nbformat.read(nb_path, as_version=4)


def _solution_code_ids(nb):
    """Ids of the code cells inside a gated solution of the full notebook."""
    inside, ids = False, set()
    for cell in nb.cells:
        if cell.cell_type == "code" and inside:
            ids.add(cell.id)
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if re.match(r"\s*(`{3,}|:{3,})\{solution-start\}", line):
                    inside = True
                elif re.match(r"\s*(`{3,}|:{3,})\{solution-end\}", line):
                    inside = False
    assert not inside
    return ids


def _labels(nb):
    return re.findall(r"^:label:\s*(ex-\S+)", "\n".join(
        c.source for c in nb.cells if c.cell_type == "markdown"), re.M)


def _is_self_check(cell):
    return SELF_CHECK in cell.metadata.get("tags", [])


@pytest.mark.parametrize("nb_path", CHAPTERS, ids=lambda p: p.stem)
def test_valid_notebook_without_pairing(nb_path):
    nb = _student(nb_path)
    nbformat.validate(nb)
    assert "jupytext" not in nb.metadata, "a student copy has no text file to pair with"
    assert nb.metadata["kernelspec"] == _full(nb_path).metadata["kernelspec"]
    ids = [c.id for c in nb.cells]
    assert len(ids) == len(set(ids)), "duplicate cell ids"


@pytest.mark.parametrize("nb_path", CHAPTERS, ids=lambda p: p.stem)
def test_no_solution_left(nb_path):
    nb = _student(nb_path)
    for cell in nb.cells:
        assert not re.search(r"\{solution(-start|-end)?\}", cell.source), \
            f"{nb_path.name}: solution markup left in cell {cell.id}"
    removed = _solution_code_ids(_full(nb_path))
    kept = {c.id for c in nb.cells if c.cell_type == "code"}
    assert removed, f"{nb_path.name}: no solution code found in the full notebook"
    assert not removed & kept, f"{nb_path.name}: solution code cells kept {sorted(removed & kept)}"


@pytest.mark.parametrize("nb_path", CHAPTERS, ids=lambda p: p.stem)
def test_everything_else_is_kept_as_it_is(nb_path):
    """Every code cell outside the solutions, with its outputs, in order;
    every exercise, in order."""
    full, nb = _full(nb_path), _student(nb_path)
    removed = _solution_code_ids(full)
    expected = [(c.id, c.source, c.outputs) for c in full.cells
                if c.cell_type == "code" and c.id not in removed]
    got = [(c.id, c.source, c.outputs) for c in nb.cells
           if c.cell_type == "code" and not _is_self_check(c)]
    assert got == expected
    assert _labels(nb) == _labels(full) and _labels(full), f"{nb_path.name}: exercises differ"


@pytest.mark.parametrize("nb_path", CHAPTERS, ids=lambda p: p.stem)
def test_self_checks_follow_their_exercises(nb_path):
    """After each exercise whose statement names nc.checks.check_*(...), a
    cell that runs exactly those checks (which exist in nncalc)."""
    import nncalc

    nb = _student(nb_path)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        exercises = re.findall(r"(^(`{3,}|:{3,})\{exercise\}.*?^\2\s*$)", cell.source, re.M | re.S)
        calls = [c for block, _ in exercises
                 for c in re.findall(r"nc\.checks\.(check_\w+)\(([\w ,]*)\)", block)]
        if not calls:
            continue
        after = nb.cells[i + 1] if i + 1 < len(nb.cells) else None
        assert after is not None and _is_self_check(after), \
            f"{nb_path.name}: no self-check cell after the exercise in cell {cell.id}"
        assert re.findall(r"nc\.checks\.(check_\w+)\(([\w ,]*)\)", after.source) == \
            list(dict.fromkeys(calls))
        for name, _ in calls:
            assert callable(getattr(nncalc.checks, name, None)), f"no nc.checks.{name}"
    assert all(c.cell_type == "code" for c in nb.cells if _is_self_check(c))


def test_there_are_self_checks():
    assert sum(_is_self_check(c) for nb in CHAPTERS for c in _student(nb).cells) >= 3


@pytest.fixture(scope="module")
def executed():
    """Every student notebook run top to bottom on a fresh kernel, from the
    chapters' folder (Chapter 8 reads ../code/scripts/bench_results.json)."""
    from nbclient import NotebookClient

    runs = {}
    for nb_path in CHAPTERS:
        nb = _student(nb_path)
        NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=False,
                       resources={"metadata": {"path": str(ROOT / "chapters")}}).execute()
        runs[nb_path.name] = nb
    return runs


@pytest.mark.parametrize("nb_path", CHAPTERS, ids=lambda p: p.stem)
def test_student_notebooks_run(executed, nb_path):
    """Every cell runs; a self-check may stop only because the reader has
    not yet written the function it checks (NameError)."""
    nb = executed[nb_path.name]
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if _is_self_check(cell):
            assert all(e.ename == "NameError" for e in errors), (cell.source, errors)
        else:
            assert not errors, (nb_path.name, cell.id, errors)
