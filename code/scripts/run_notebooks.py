"""Re-execute notebooks in place on a fresh kernel, top to bottom.

Usage: python code/scripts/run_notebooks.py chapters/*.ipynb

Outputs are cleared first, so what is saved comes from one clean run:
execution counts start at 1 and follow the cell order. Per-cell timing
metadata and widget state are not saved (they change on every run).
"""

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def run(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
        store_widget_state=False,
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    return elapsed


def main(paths):
    if not paths:
        sys.exit("usage: run_notebooks.py NOTEBOOK.ipynb ...")
    for name in paths:
        elapsed = run(Path(name))
        print(f"{name}: executed in {elapsed:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
