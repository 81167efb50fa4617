"""Write every chapter's notebook from its text file and execute it, in place.

Usage: python code/scripts/run_notebooks.py [text/NN_name.md ...]

With no arguments every text file in ``text/`` is done. For each text file
(the MyST-Markdown source of a chapter, paired through ``jupytext.toml``):

1. its cells are read with jupytext and become the cells of
   ``chapters/NN_name.ipynb``, with no outputs;
2. the notebook is executed top to bottom on a fresh kernel, so what is
   saved comes from one clean run: execution counts start at 1 and follow
   the cell order;
3. it is written without per-cell timing metadata and without widget
   views and state (they change on every run, and a widget view saved
   without a kernel can only say "model not found"; an explorer's output
   keeps its static figure, which is what Jupyter shows until the cell is
   run again). Cell ids are kept from the notebook being
   replaced wherever a cell is still there (same source, or edited in
   place), so editing one word in a text file changes exactly that source,
   and whatever outputs depend on it, in the notebook.

A notebook whose execution fails is not written; the error names the cell.
The time each execution took is recorded in ``code/scripts/notebook_times.json``
(the page for instructors reads it), keyed by chapter.
"""

import difflib
import hashlib
import json
import os
import platform
import sys
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
TIMES = ROOT / "code" / "scripts" / "notebook_times.json"
TEXT = ROOT / "text"
CHAPTERS = ROOT / "chapters"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def notebook_path(text_path: Path) -> Path:
    """The notebook paired with a text file: text/NN_name.md -> chapters/NN_name.ipynb."""
    return CHAPTERS / (text_path.stem + ".ipynb")


def notebook_from_text(text_path: Path):
    """The chapter's notebook as its text file defines it: cells, no outputs."""
    nb = jupytext.read(text_path)
    nb.metadata.pop("jupytext", None)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


def _key(cell):
    return (cell.cell_type, cell.source)


def keep_cell_ids(new, old):
    """Give the cells of ``new`` the ids of the matching cells of ``old``.

    Cells are matched in order (difflib on type and source); a cell edited
    in place (a replaced block of the same length) keeps its id too. Every
    other cell gets a fresh id derived from its position and source, so the
    result does not depend on a random generator.
    """
    used = set()
    if old is not None:
        matcher = difflib.SequenceMatcher(a=[_key(c) for c in old.cells],
                                          b=[_key(c) for c in new.cells], autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
                for i, j in zip(range(i1, i2), range(j1, j2)):
                    if old.cells[i].get("id") and new.cells[j].cell_type == old.cells[i].cell_type:
                        new.cells[j]["id"] = old.cells[i]["id"]
                        used.add(old.cells[i]["id"])
    for j, cell in enumerate(new.cells):
        if cell.get("id") in used:
            continue
        digest = hashlib.sha1(f"{j}\0{cell.cell_type}\0{cell.source}".encode()).hexdigest()
        k = 0
        while digest[k:k + 8] in used:
            k += 1
        cell["id"] = digest[k:k + 8]
        used.add(cell["id"])
    return new


def coalesce_streams(outputs):
    """Consecutive prints to one stream as one output: how the kernel's
    messages happened to be split is timing, not content, and would change
    the notebook's diff from one run to the next."""
    merged = []
    for output in outputs:
        last = merged[-1] if merged else None
        if (last is not None and output.get("output_type") == "stream"
                and last.get("output_type") == "stream" and last.get("name") == output.get("name")):
            last["text"] = "".join(last["text"]) + "".join(output["text"])
        else:
            merged.append(output)
    return merged


def execute(nb, cwd: Path) -> float:
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(cwd)}},
        record_timing=False,
        store_widget_state=False,
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if "outputs" in cell:
            cell.outputs = coalesce_streams(cell.outputs)
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(WIDGET_VIEW, None)
    return elapsed


def run(text_path: Path) -> float:
    target = notebook_path(text_path)
    old = nbformat.read(target, as_version=4) if target.exists() else None
    nb = keep_cell_ids(notebook_from_text(text_path), old)
    elapsed = execute(nb, target.parent)
    nbformat.validate(nb)
    nbformat.write(nb, target)
    return elapsed


def main(args):
    paths = [Path(a) for a in args] or sorted(TEXT.glob("*.md"))
    if not paths:
        sys.exit(f"no text files in {TEXT}")
    bad = [str(p) for p in paths if p.suffix != ".md" or not p.exists()]
    if bad:
        sys.exit(f"expected chapter text files (text/NN_name.md), got {bad}")
    total = 0.0
    for path in paths:
        elapsed = run(path.resolve())
        total += elapsed
        record_time(path.stem, elapsed)
        print(f"{path.name} -> chapters/{notebook_path(path).name}: executed in {elapsed:.1f} s")
    print(f"{len(paths)} notebooks executed in {total:.1f} s")


def record_time(chapter: str, seconds: float) -> None:
    """Keep the last execution time of each chapter (wall clock, seconds)."""
    data = json.loads(TIMES.read_text()) if TIMES.exists() else {}
    data.setdefault("seconds", {})[chapter] = round(seconds, 1)
    data["seconds"] = dict(sorted(data["seconds"].items()))
    data["machine"] = f"{platform.machine()}, {os.cpu_count()} logical CPUs"
    data["note"] = ("wall-clock time of one fresh-kernel execution by `make notebooks`, "
                    "on a machine that may have been doing other work")
    TIMES.write_text(json.dumps(data, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
